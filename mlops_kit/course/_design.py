"""The design check: a team's design judged against the six governance guidelines.

:func:`check_design` judges six parts of a design (``_design_file``), each *pass*, *weak*
or *missing* with a sentence saying why: approval, fairness, monitoring, rollback, privacy
and transparency. Each guideline is a short function below (``_approval``, ``_fairness``,
``_monitoring``, ``_rollback``, ``_privacy``, ``_transparency``). Only what the team wrote
counts: a limit left at the kit's default is not a decision the team made.
:meth:`DesignCheck.score` (``_design_check``) turns the check into the automatic levels of
the Evaluate phase's rubric (:func:`mlops_kit.course.score_rubric`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..data import TableRules, load_table
from ..governance import ATRS_HUMAN_KEYS, CARD_HUMAN_KEYS
from ..privacy import scan_table
from ._design_check import CheckItem, CheckStatus, DesignCheck
from ._design_file import Design, _filled, _named, _section, load_design

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TRANSPARENCY_KEYS", "check_design"]

#: Transparency keys the model card or the ATRS record require, taken from the documents
#: themselves (``factors_note`` is added when no protected characteristic is compared).
TRANSPARENCY_KEYS = tuple(dict.fromkeys((*ATRS_HUMAN_KEYS, *CARD_HUMAN_KEYS)))

#: Words in a column name that suggest a protected characteristic (Equality Act 2010).
_PROTECTED_WORDS = frozenset(
    {
        "sex", "gender", "age", "ethnic", "ethnicity", "race", "disability", "disabled",
        "religion", "belief", "sexual", "orientation", "marital", "pregnancy", "maternity",
    }
)  # fmt: skip


def _judge(parts: dict[str, bool]) -> tuple[CheckStatus, str]:
    """pass when every part holds, missing when none does, weak otherwise."""
    absent = [name for name, ok in parts.items() if not ok]
    if not absent:
        return CheckStatus.PASS, ""
    if len(absent) == len(parts):
        return CheckStatus.MISSING, "; ".join(absent)
    return CheckStatus.WEAK, "; ".join(absent)


def _looks_protected(column: str) -> bool:
    return bool(set(re.split(r"[^a-z]+", column.lower())) & _PROTECTED_WORDS)


def _approval(design: Design) -> CheckItem:
    policy = design.config.policy
    about_people = design.plan.decisions_about_people or bool(design.config.protected)
    named = [a for a in policy.approvers if _named(a)]
    keys = ("policy.high_impact", "policy.approvers", "plan.approver_role")
    parts = {
        "name the people who may approve in policy.approvers": bool(named),
        "give the approver's role in plan.approver_role": _filled(design.plan.approver_role),
    }
    if about_people:
        if not policy.high_impact:
            return CheckItem(
                "approval",
                CheckStatus.MISSING,
                "The tool affects decisions about people, but policy.high_impact is not true, "
                "so a new model could reach the service without a person signing it off.",
                keys,
            )
        status, gaps = _judge(parts)
        if status is CheckStatus.PASS:
            return CheckItem(
                "approval",
                status,
                f"High impact: every new version needs the sign-off of "
                f"{', '.join(named)} ({design.plan.approver_role.strip()}).",
                keys,
            )
        return CheckItem(
            "approval",
            CheckStatus.WEAK,
            f"High impact is set, so a person must sign off, but nobody is named: {gaps}.",
            keys,
        )
    status, gaps = _judge(parts)
    if status is CheckStatus.PASS:
        message = (
            f"No decisions about people; new versions are approved by {', '.join(named)} "
            f"({design.plan.approver_role.strip()})."
        )
    else:
        message = f"No decisions about people, but the approver is not named: {gaps}."
    return CheckItem("approval", status, message, keys)


def _fairness(design: Design, header: list[str]) -> tuple[CheckItem, bool]:
    cfg = design.config
    policy_raw = _section(design.pipeline, "policy")
    suspected = [c for c in header if _looks_protected(c) and c != cfg.target]
    uncovered = [c for c in suspected if c not in cfg.protected]
    keys = ("protected", "policy.four_fifths", "policy.max_equalized_odds_difference")
    rationale = _filled(cfg.transparency.metrics_rationale)
    if not cfg.protected and not suspected:
        ok = _filled(cfg.transparency.factors_note)
        message = (
            "No protected characteristics in the data; transparency.factors_note says why "
            "no groups are compared."
            if ok
            else "No protected characteristics in the data, but transparency.factors_note "
            "does not say why no groups are compared (or how fairness is judged instead)."
        )
        return (
            CheckItem("fairness", CheckStatus.PASS if ok else CheckStatus.WEAK, message, keys),
            ok and rationale,
        )
    parts = {
        "set policy.four_fifths: true": policy_raw.get("four_fifths") is True,
        "set policy.max_equalized_odds_difference to a limit": isinstance(
            policy_raw.get("max_equalized_odds_difference"), int | float
        ),
    }
    if uncovered:
        parts[f"list {', '.join(uncovered)} under protected"] = False
    status, gaps = _judge(parts)
    if status is CheckStatus.PASS:
        message = (
            f"{', '.join(cfg.protected)} compared; the gate requires the four-fifths rule "
            f"and an equalised odds difference of at most "
            f"{cfg.policy.max_equalized_odds_difference}."
        )
    elif status is CheckStatus.MISSING and not cfg.protected:
        message = (
            f"The data hold {', '.join(suspected)}, but no column is listed under protected "
            "and no fairness limit is written: " + gaps + "."
        )
    else:
        message = f"Fairness limits are incomplete: {gaps}."
    small_groups = "min_group_size" in design.pipeline
    return CheckItem("fairness", status, message, keys), rationale and small_groups


def _monitoring(design: Design) -> tuple[CheckItem, bool]:
    raw = design.pipeline
    monitoring = _section(raw, "monitoring")
    continuous = _section(raw, "continuous")
    thresholds = any(_section(monitoring, k) for k in ("drift", "performance"))
    parts = {
        "set drift or performance thresholds under monitoring": thresholds,
        "say what starts retraining in continuous.triggers": _filled(continuous.get("triggers")),
        "name who reads the alerts in plan.monitoring_owner": _filled(design.plan.monitoring_owner),
        "say how often the tool is reviewed in plan.review_cadence": _filled(
            design.plan.review_cadence
        ),
    }
    status, gaps = _judge(parts)
    keys = ("monitoring", "continuous.triggers", "plan.monitoring_owner", "plan.review_cadence")
    if status is CheckStatus.PASS:
        triggers = ", ".join(design.config.continuous.triggers)
        message = (
            f"Thresholds are set and retraining starts on {triggers}. Who reads the "
            f"alerts: {design.plan.monitoring_owner.strip()}."
        )
    elif status is CheckStatus.MISSING:
        message = f"Nothing watches the model after launch: {gaps}."
    else:
        message = f"Monitoring is incomplete: {gaps}."
    late_labels = "label_delay" in continuous or "min_labelled" in _section(
        monitoring, "performance"
    )
    return CheckItem("monitoring", status, message, keys), late_labels


def _rollback(design: Design) -> CheckItem:
    rb = design.plan.rollback
    parts = {
        "say when you would roll back (plan.rollback.when)": _filled(rb.when),
        "say how: which version or fallback takes over (plan.rollback.how)": _filled(rb.how),
        "say who decides (plan.rollback.who)": _filled(rb.who),
    }
    status, gaps = _judge(parts)
    keys = ("plan.rollback.when", "plan.rollback.how", "plan.rollback.who")
    if status is CheckStatus.PASS:
        message = "The rollback plan says when, how and who decides."
    elif status is CheckStatus.MISSING:
        message = f"There is no way back if the model goes wrong: {gaps}."
    else:
        message = f"The rollback plan is incomplete: {gaps}."
    return CheckItem("rollback", status, message, keys)


def _privacy(design: Design, data: pd.DataFrame) -> tuple[CheckItem, bool]:
    cfg = design.config
    settings = cfg.privacy
    scan = scan_table(
        data,
        near_unique_share=settings.near_unique_share,
        min_share=settings.min_share,
        text_share=settings.text_share,
        source=Path(cfg.data).name,
    )
    found = scan.identifier_columns
    unresolved = [c for c in found if c not in cfg.exclude and c not in settings.allow]
    parts = {
        f"list {', '.join(unresolved)} under exclude (or privacy.allow with a reason)": not (
            unresolved
        ),
        "state the lawful basis, minimisation and access in plan.privacy": _filled(
            design.plan.privacy
        ),
        "record the DPIA in transparency.dpia": cfg.transparency.dpia is not None,
    }
    status, gaps = _judge(parts)
    keys = ("exclude", "privacy", "plan.privacy", "transparency.dpia")
    if status is CheckStatus.PASS:
        kept_out = f"{', '.join(found)} kept out of training" if found else "no identifiers found"
        message = f"The scan of the data: {kept_out}; the privacy statement and DPIA are given."
    elif status is CheckStatus.MISSING:
        message = f"Personal data are not controlled: {gaps}."
    else:
        message = f"Privacy controls are incomplete: {gaps}."
    assessed = bool(settings.quasi_identifiers) or not (found or cfg.protected)
    return CheckItem("privacy", status, message, keys), assessed


def _transparency(design: Design) -> CheckItem:
    s = design.config.transparency
    needed = list(TRANSPARENCY_KEYS)
    if not design.config.protected:
        needed.append("factors_note")
    empty = [k for k in needed if not _filled(getattr(s, k))]
    keys = tuple(f"transparency.{k}" for k in needed)
    if not empty:
        return CheckItem(
            "transparency",
            CheckStatus.PASS,
            f"All {len(needed)} parts of the model card and transparency record a person must "
            "write are filled in.",
            keys,
        )
    shown = ", ".join(empty[:6]) + (f" and {len(empty) - 6} more" if len(empty) > 6 else "")
    status = CheckStatus.MISSING if len(empty) > len(needed) // 2 else CheckStatus.WEAK
    return CheckItem(
        "transparency",
        status,
        f"{len(empty)} of {len(needed)} transparency parts are empty: {shown}. The pipeline "
        "records a model whose model card is incomplete but refuses it at the gate: "
        "no one can approve or promote it until these parts are written.",
        keys,
    )


def check_design(design: Design | str | os.PathLike[str]) -> DesignCheck:
    """Check a design against the six governance guidelines.

    Parameters
    ----------
    design : Design or path-like
        A loaded design, or the path of a design file.

    Returns
    -------
    DesignCheck
        One item per key of :data:`DESIGN_CRITERIA`: approval (a named approver, and
        ``high_impact`` for decisions about people), fairness (protected columns with the
        four-fifths rule and an equalised odds limit, when the data hold any), monitoring
        (thresholds, retraining triggers, an owner and a review cadence), rollback (when,
        how, who), privacy (the data's identifiers excluded, a privacy statement, a DPIA)
        and transparency (the parts only a person can write).

    Raises
    ------
    ConfigError
        A design file that cannot be loaded (see :func:`load_design`).
    DataValidationError
        Its data file cannot be read, or the config's data rules refuse it (as the
        pipeline's validate stage would).
    """
    if not isinstance(design, Design):
        design = load_design(design)
    # Read and prepared as the pipeline's validate stage will (format, delimiter, rules).
    data = load_table(design.config.data, TableRules.from_params(design.config)).data
    fairness, fair_extra = _fairness(design, [str(c) for c in data.columns])
    monitoring, monitor_extra = _monitoring(design)
    privacy, privacy_extra = _privacy(design, data)
    items = (
        _approval(design),
        fairness,
        monitoring,
        _rollback(design),
        privacy,
        _transparency(design),
    )
    name = design.title or design.scenario
    if design.team:
        name = f"{name} ({design.team})"
    return DesignCheck(
        name,
        items,
        {"fairness": fair_extra, "monitoring": monitor_extra, "privacy": privacy_extra},
    )
