"""A team's design in words, one short paragraph per part, for the written report."""

from __future__ import annotations

import os
from pathlib import Path

from ._design_check import DesignCheck
from ._design_file import Design, _filled, _named, _section, load_design

__all__ = ["design_summary"]


def _or(text: str, missing: str) -> str:
    text = " ".join(str(text).split())
    return text.rstrip(".") + "." if _filled(text) else missing


def design_summary(
    design: Design | str | os.PathLike[str], *, check: DesignCheck | None = None
) -> dict[str, str]:
    """A team's design in words, one short paragraph per part, for a written report.

    Only what the design file says is used (a part not written yet says so), so the
    report of :func:`mlops_kit.course.export_written_report` is the team's own design.

    Parameters
    ----------
    design : Design or path-like
    check : DesignCheck, optional
        Adds the design check's one-sentence result.

    Returns
    -------
    dict of str to str
        Section title to text: the scenario, sign-off, the model and its gate, fairness,
        monitoring, rollback, privacy (and the check).
    """
    if not isinstance(design, Design):
        design = load_design(design)
    out = _sign_off_words(design)
    out["Fairness"] = _fairness_words(design)
    plan = design.plan
    triggers = _section(design.pipeline, "continuous").get("triggers")
    out["Monitoring and retraining"] = " ".join(
        (
            f"Retraining starts on {', '.join(triggers)}."
            if triggers
            else "No retraining trigger yet.",
            _or(plan.monitoring_owner, "Nobody named to read the alerts yet."),
            _or(plan.review_cadence and f"Review: {plan.review_cadence}", ""),
        )
    ).strip()
    rb = plan.rollback
    out["Rollback"] = (
        f"When: {_or(rb.when, 'not written yet.')} How: {_or(rb.how, 'not written yet.')} "
        f"Who decides: {_or(rb.who, 'not written yet.')}"
    )
    cfg = design.config
    dpia = cfg.transparency.dpia
    out["Privacy"] = " ".join(
        (
            f"Kept out of training: {', '.join(cfg.exclude)}."
            if cfg.exclude
            else "No column excluded.",
            _or(plan.privacy, "No privacy statement yet."),
            f"DPIA: {dpia.status}." if dpia is not None else "No DPIA recorded.",
        )
    )
    if check is not None:
        out["Design check"] = check.summary()
    return out


def _sign_off_words(design: Design) -> dict[str, str]:
    """The scenario, who signs off and the gate's floors, in words."""
    cfg, plan = design.config, design.plan
    policy = cfg.policy
    named = [a for a in policy.approvers if _named(a)]
    floors = ", ".join(f"{k} at least {v}" for k, v in policy.min_metrics.items())
    return {
        "Scenario": f"{design.title or design.scenario}, designed by "
        f"{design.team or 'a team not named yet'}: a {cfg.task} pipeline on "
        f"{Path(cfg.data).name}, using the {cfg.model} model family"
        + (f" and a threshold of {cfg.threshold}." if cfg.task == "classification" else "."),
        "Who signs off": (
            f"{'High impact: every' if policy.high_impact else 'Every'} new version needs the "
            f"sign-off of {', '.join(named)}"
            + (f" ({plan.approver_role.strip()})." if _filled(plan.approver_role) else ".")
            if named
            else "No named approver yet."
        ),
        "The gate": f"Floors: {floors}." if floors else "No performance floor written yet.",
    }


def _fairness_words(design: Design) -> str:
    """The groups compared and the limits the gate applies, or why no group is compared."""
    cfg = design.config
    if not cfg.protected:
        return _or(cfg.transparency.factors_note, "No groups compared, and no reason given yet.")
    raw_policy = _section(design.pipeline, "policy")
    limits = []
    if raw_policy.get("four_fifths") is True:
        limits.append("the four-fifths rule")
    if isinstance(raw_policy.get("max_equalized_odds_difference"), int | float):
        limits.append(
            f"an equalised odds difference of at most {cfg.policy.max_equalized_odds_difference}"
        )
    return f"Compared groups: {', '.join(cfg.protected)}; the gate requires " + (
        " and ".join(limits) + "." if limits else "no fairness limit yet."
    )
