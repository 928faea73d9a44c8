"""The governance gate: a policy applied to a run's metrics, and the decision it leads to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..config import PolicySection, validate_params
from ..errors import ConfigError
from ._checks import card_check, four_fifths_check, group_error_check, metric_check, odds_check
from ._decision import (
    Check,
    Decision,
    GateDecision,
    _plural,
    _require_name,
)


def _resolve_policy(policy: PolicySection | Mapping[str, Any] | None) -> PolicySection:
    if policy is None:
        return PolicySection()
    if isinstance(policy, PolicySection):
        return policy
    if isinstance(policy, Mapping):
        resolved: PolicySection = validate_params(policy, model=PolicySection, source="policy")
        return resolved
    raise ConfigError(
        "The 'policy' parameter of evaluate_gate must be a PolicySection, a mapping of "
        f"policy keys or None. Got {type(policy).__name__} instead."
    )


def evaluate_gate(
    metrics: Mapping[str, Any],
    policy: PolicySection | Mapping[str, Any] | None = None,
    *,
    trained_by: str,
    card_missing: Sequence[str] | None = None,
) -> GateDecision:
    """Apply a governance policy to a run's metrics and decide whether to promote.

    Parameters
    ----------
    metrics : mapping
        The content of a run's ``metrics.json``: overall metrics by name and, for a
        classifier, a ``fairness`` section per protected attribute.
    policy : PolicySection, mapping or None
        The policy (the config's ``policy`` section); None applies the defaults
        (four-fifths rule on, equalised odds difference at most 0.1, not high-impact).
    trained_by : str
        Who trained the model. They may not approve it later.
    card_missing : sequence of str, optional
        The required parts of the model card still empty (``ModelCard.missing``, as
        text). When given, the check "model card complete" is applied: a model whose
        card has an empty required part is refused, and no one may approve it (not even
        by override) until the parts are written and the model is trained again. None
        applies no such check.

    Returns
    -------
    GateDecision
        **refuse** if any check fails; otherwise **needs human approval** if any check
        cannot be judged or the use is high-impact; otherwise **promote**.

    Raises
    ------
    ConfigError
        ``trained_by`` is empty, or the policy breaks its schema.

    Examples
    --------
    >>> policy = {"min_metrics": {"roc_auc": 0.7}, "four_fifths": False}
    >>> gate = evaluate_gate({"roc_auc": 0.776}, policy, trained_by="Sam Jones")
    >>> gate.decision
    <Decision.PROMOTE: 'promote'>
    >>> print(gate.checks[0].explanation)
    ROC AUC is 0.776, above the floor of 0.70 set by the policy.
    >>> evaluate_gate({"roc_auc": 0.65}, policy, trained_by="Sam Jones").decision.value
    'refuse'
    """
    trainer = _require_name(trained_by, "trained_by", "evaluate_gate")
    if not isinstance(metrics, Mapping):
        raise ConfigError(
            "The 'metrics' parameter of evaluate_gate must be a mapping (a run's "
            f"metrics.json). Got {type(metrics).__name__} instead."
        )
    rules = _resolve_policy(policy)
    checks: list[Check] = []
    checks += [metric_check(metrics, n, v, floor=True) for n, v in rules.min_metrics.items()]
    checks += [metric_check(metrics, n, v, floor=False) for n, v in rules.max_metrics.items()]
    fairness_checks = _fairness_checks(metrics, rules)
    checks += fairness_checks

    missing = () if card_missing is None else tuple(str(m) for m in card_missing)
    if card_missing is not None:
        checks.append(card_check(missing))

    decision, reasons = _decide(checks, rules, card_incomplete=bool(missing))
    reasons += _unapplied_fairness(rules, judged=bool(fairness_checks))
    return GateDecision(
        decision=decision,
        checks=tuple(checks),
        reasons=tuple(reasons),
        high_impact=rules.high_impact,
        trained_by=trainer,
        policy=rules.model_dump(mode="json"),
        card_missing=missing,
    )


def _fairness_checks(metrics: Mapping[str, Any], rules: PolicySection) -> list[Check]:
    """The policy's fairness checks on every protected attribute the metrics report."""
    fairness = metrics.get("fairness") or {}
    if not isinstance(fairness, Mapping):
        raise ConfigError(
            "The 'fairness' section of the metrics must be a mapping of attribute to "
            f"results. Got {type(fairness).__name__} instead."
        )
    eod_limit = rules.max_equalized_odds_difference
    checks: list[Check] = []
    for attribute, section in fairness.items():
        if not isinstance(section, Mapping):
            continue
        if rules.four_fifths and isinstance(section.get("four_fifths"), Mapping):
            checks.append(four_fifths_check(str(attribute), section))
        if eod_limit is not None and "equalized_odds_difference" in section:
            checks.append(odds_check(str(attribute), section, eod_limit))
        error_limit = rules.max_group_error_ratio
        if error_limit is not None and isinstance(section.get("group_error"), Mapping):
            metric = rules.group_error_metric
            checks.append(group_error_check(str(attribute), section, error_limit, metric=metric))
    return checks


def _decide(
    checks: Sequence[Check], rules: PolicySection, *, card_incomplete: bool
) -> tuple[Decision, list[str]]:
    """The decision the checks lead to, and why, in plain words."""
    failed = [c.name for c in checks if c.passed is False]
    unjudged = [c.name for c in checks if c.passed is None]
    reasons: list[str] = []
    if failed:
        decision = Decision.REFUSE
        remedy = (
            "The model card is incomplete, so no one can approve or promote this version, "
            "not even by override: a person must write the empty parts in the config's "
            "'transparency:' section and run the pipeline again."
            if card_incomplete
            else "A refused model can be promoted only by a named approver who did not "
            "train it, with a written justification."
        )
        reasons.append(
            f"Refused: {_plural(len(failed), 'check')} failed ({', '.join(failed)}). {remedy}"
        )
        if unjudged:
            reasons.append(
                f"{_plural(len(unjudged), 'more check')} could not be judged from the data "
                f"({', '.join(unjudged)})."
            )
    elif unjudged:
        decision = Decision.NEEDS_APPROVAL
        reasons.append(
            f"Needs human approval: no check failed, but {_plural(len(unjudged), 'check')} "
            f"could not be judged from the data ({', '.join(unjudged)}), so a named person "
            "must decide what the data cannot."
        )
    elif rules.high_impact:
        decision = Decision.NEEDS_APPROVAL
        passed = f"all {_plural(len(checks), 'check')} passed" if checks else "no check applied"
        reasons.append(
            f"Needs human approval: {passed}, but the policy marks this use as high-impact, "
            "so a named person must always sign off before the model is promoted."
        )
    else:
        decision = Decision.PROMOTE
        reasons.append(
            f"Promote: all {_plural(len(checks), 'check')} passed and the use is not "
            "high-impact, so no sign-off is needed."
            if checks
            else "Promote: the policy sets no check that applies to this run, and the use "
            "is not high-impact."
        )
    if rules.high_impact and (failed or unjudged):
        reasons.append("The use is also high-impact, so a named person must sign off in any case.")
    return decision, reasons


def _unapplied_fairness(rules: PolicySection, *, judged: bool) -> list[str]:
    """A note when the policy sets fairness limits but the run reports nothing to judge."""
    limits = (
        rules.four_fifths
        or rules.max_equalized_odds_difference is not None
        or rules.max_group_error_ratio is not None
    )
    if judged or not limits:
        return []
    return [
        "The policy's fairness limits were not applied: the run reports none of the "
        "figures they judge (four-fifths and equalised odds figures for a classifier, "
        "group error ratios for a regression model), for example because the config "
        "names no protected columns."
    ]


# --- approvals -------------------------------------------------------------------------

ApprovalKind = Literal["approval", "override"]
