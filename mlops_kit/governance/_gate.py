"""Part of :mod:`mlops_kit.governance`; see the package docstring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError
from ._decision import (
    _FOUR_FIFTHS,
    _METRIC_WORDS,
    CARD_CHECK,
    Check,
    Decision,
    GateDecision,
    _join,
    _limit_text,
    _number,
    _plural,
    _require_name,
    _value_text,
)

if TYPE_CHECKING:
    from ..config import PolicySection


def _metric_check(metrics: Mapping[str, Any], name: str, limit: float, *, floor: bool) -> Check:
    words = _METRIC_WORDS.get(name, name)
    kind = "floor" if floor else "ceiling"
    limit_text = _limit_text(limit)
    value = _number(metrics.get(name))
    if value is None:
        got = metrics.get(name)
        what = (
            f"no value for {words}"
            if got is None
            else f"a value for {words} that is not a number ({got!r})"
        )
        return Check(
            f"{name} {kind}",
            None,
            None,
            limit,
            f"The run reports {what}, so the policy's {kind} of {limit_text} cannot be "
            "checked: a person must judge this instead.",
        )
    shown = _value_text(value, limit)
    if floor:
        passed = round(value, 12) >= limit
        side = "below" if not passed else "above" if value > limit else "exactly at"
    else:
        passed = round(value, 12) <= limit
        side = "above" if not passed else "below" if value < limit else "exactly at"
    return Check(
        f"{name} {kind}",
        passed,
        value,
        limit,
        f"{words} is {shown}, {side} the {kind} of {limit_text} set by the policy.",
    )


def _too_little_data(section: Mapping[str, Any], rule: str) -> str:
    """Why a fairness figure cannot be judged, in plain words."""
    groups = [g for g in section.get("groups") or () if isinstance(g, Mapping)]
    insufficient = [str(g) for g in section.get("insufficient_groups") or ()]
    min_rows = section.get("min_group_size", 30)
    min_pos = section.get("min_group_positives", 5)
    by_name = {str(g.get("group")): g for g in groups}

    def size(name: str) -> str:
        g = by_name.get(name)
        if g is None or g.get("count") is None or g.get("positives") is None:
            return name
        positives = int(g["positives"])
        return (
            f"{name} ({_plural(int(g['count']), 'row')}, "
            f"{positives} positive{'' if positives == 1 else 's'})"
        )

    judged = len(groups) - len(insufficient) if groups else None
    if insufficient and (judged is None or judged < 2):
        return (
            f"fewer than two groups have enough data (at least {min_rows} rows and "
            f"{min_pos} actual positives each); too little data: "
            f"{', '.join(size(n) for n in insufficient)}"
        )
    if groups and rule == "four-fifths" and not any(g.get("predicted_positive") for g in groups):
        return "no group received a positive prediction, so there are no rates to compare"
    return "the run reports no figure for it (for example, too little data in some groups)"


def _four_fifths_check(attribute: str, section: Mapping[str, Any]) -> Check:
    ff = section["four_fifths"]
    adverse = section.get("positive_is") == "adverse"
    rate = str(section.get("rate_compared") or ("positive rate" if adverse else "selection rate"))
    # What a positive prediction does to a case, read after "is" ("flagged for review").
    positive = str(
        section.get("positive_words") or ("predicted positive" if adverse else "selected")
    )
    threshold = _number(ff.get("threshold")) or _FOUR_FIFTHS
    ratio = _number(ff.get("ratio"))
    passed = ff.get("passed")
    reference = str(ff.get("reference_group"))
    failing = [str(g) for g in ff.get("failing_groups") or ()]
    name = f"four-fifths rule by {attribute}"
    if passed is None or ratio is None:
        reason = _too_little_data(section, "four-fifths")
        return Check(
            name,
            None,
            ratio,
            threshold,
            f"The four-fifths rule on {rate}s by {attribute} cannot be judged: {reason}. "
            "A person must decide whether the model treats these groups fairly.",
        )
    limit = f"{threshold:g}"
    ratio_text = f"{ratio:.2f}" if passed or round(ratio, 2) < threshold else f"{ratio:.4f}"
    if not passed:
        impacts = {
            str(g.get("group")): _number(g.get("impact_ratio"))
            for g in section.get("groups") or ()
            if isinstance(g, Mapping)
        }

        def impact(group: str) -> float:
            found = impacts.get(group)
            return ratio if found is None else found

        worst = min(failing or ["another group"], key=impact)
        others = [g for g in failing if g != worst]
        if adverse:
            how = (
                f"{worst} is {positive} {1 / ratio:.2f} times as often as {reference}"
                if ratio > 0
                else f"{reference} is never {positive} while {worst} is"
            )
            also = f"also {positive} more than {1 / threshold:.2f} times as often"
        else:
            how = (
                f"{worst} is {positive} {ratio:.2f} times as often as {reference}"
                if ratio > 0
                else f"{worst} is never {positive} while {reference} is"
            )
            also = f"also {positive} less than {limit} times as often"
        more = f" {_join(others)} {'is' if len(others) == 1 else 'are'} {also}." if others else ""
        explanation = (
            f"The four-fifths rule on {rate}s fails by {attribute}: {how} "
            f"(ratio {ratio_text}, below {limit}).{more}"
        )
    else:
        how = (
            f"no group is {positive} more than {1 / threshold:.2f} times as often as "
            f"{reference}, the group with the lowest {rate}"
            if adverse
            else f"every group is {positive} at least {limit} times as often as {reference}, "
            f"the group with the highest {rate}"
        )
        explanation = (
            f"The four-fifths rule on {rate}s passes by {attribute}: {how} "
            f"(ratio {ratio_text}, at or above {limit})."
        )
    insufficient = [str(g) for g in section.get("insufficient_groups") or ()]
    if insufficient:
        explanation += f" Not judged for lack of data: {_join(insufficient)}."
    return Check(name, bool(passed), ratio, threshold, explanation)


def _odds_check(attribute: str, section: Mapping[str, Any], limit: float) -> Check:
    name = f"equalised odds difference by {attribute}"
    value = _number(section.get("equalized_odds_difference"))
    limit_text = _limit_text(limit)
    if value is None:
        return Check(
            name,
            None,
            None,
            limit,
            f"The equalised odds difference by {attribute} cannot be judged: "
            f"{_too_little_data(section, 'odds')}. A person must decide whether the model's "
            "errors fall fairly on these groups.",
        )
    shown = _value_text(value, limit)
    passed = round(value, 12) <= limit
    if passed:
        return Check(
            name,
            True,
            value,
            limit,
            f"The equalised odds difference by {attribute} is {shown}, within the limit of "
            f"{limit_text}: no two groups differ by more than that in their true or false "
            "positive rate.",
        )
    pair = (section.get("interval_pairs") or {}).get("equalized_odds_difference")
    who = (
        f"{pair[0]} and {pair[1]}"
        if isinstance(pair, list | tuple) and len(pair) == 2
        else "two groups"
    )
    return Check(
        name,
        False,
        value,
        limit,
        f"The equalised odds difference by {attribute} is {shown}, above the limit of "
        f"{limit_text}: the true or false positive rates of {who} differ by {shown}, more "
        "than the policy allows.",
    )


def _group_error_check(
    attribute: str, section: Mapping[str, Any], limit: float, *, metric: str = "mae"
) -> Check:
    """A regression model's worst group's error against its best group's, in ``metric``."""
    name = f"group error ratio by {attribute}"
    words = _METRIC_WORDS.get(metric, metric)
    limit_text = _limit_text(limit)
    gap = (section.get("group_error") or {}).get(metric)
    gap = gap if isinstance(gap, Mapping) else {}
    ratio = _number(gap.get("ratio"))
    worst, best = gap.get("worst_group"), gap.get("best_group")
    insufficient = [str(g) for g in section.get("insufficient_groups") or ()]
    if ratio is None or worst is None or best is None:
        counts = {
            str(g.get("group")): _number(g.get("count"))
            for g in section.get("groups") or ()
            if isinstance(g, Mapping)
        }
        if worst is not None and _number(gap.get("best")) == 0:
            reason = f"{best}'s error is 0, so there is no ratio to compare"
        elif len(counts) - len(insufficient) < 2 and counts:
            small = ", ".join(
                g if (rows := counts.get(g)) is None else f"{g} ({_plural(int(rows), 'row')})"
                for g in insufficient
            )
            reason = (
                f"fewer than two groups have enough data (at least "
                f"{section.get('min_group_size', 30)} rows each)"
                + (f"; too little data: {small}" if small else "")
            )
        else:
            reason = f"the run reports no {words} ratio between groups"
        return Check(
            name,
            None,
            None,
            limit,
            f"The ratio of the worst group's {words} to the best group's by {attribute} "
            f"cannot be judged: {reason}. A person must decide whether the model's errors "
            "fall fairly on these groups.",
        )
    shown = _value_text(ratio, limit)
    passed = round(ratio, 12) <= limit
    interval = gap.get("ratio_interval") or ()
    low, high = (_number(v) for v in [*interval, None, None][:2])
    level = _number(section.get("confidence_level")) or 0.95
    ci = (
        f"; {level:.0%} confidence interval {low:.2f} to {high:.2f}"
        if low is not None and high is not None
        else ""
    )
    values = (
        f"{_value_text(float(gap['worst']))} against {_value_text(float(gap['best']))}"
        if _number(gap.get("worst")) is not None and _number(gap.get("best")) is not None
        else f"ratio {shown}"
    )
    explanation = (
        f"By {attribute}, the {words} of {worst} is {shown} times that of {best} "
        f"({values}{ci}), {'within' if passed else 'above'} the limit of {limit_text} set by "
        "the policy."
    )
    if insufficient:
        explanation += f" Not judged for lack of data: {_join(insufficient)}."
    return Check(name, passed, ratio, limit, explanation)


def _resolve_policy(policy: PolicySection | Mapping[str, Any] | None) -> PolicySection:
    from ..config import PolicySection, validate_params

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
    checks += [_metric_check(metrics, n, v, floor=True) for n, v in rules.min_metrics.items()]
    checks += [_metric_check(metrics, n, v, floor=False) for n, v in rules.max_metrics.items()]
    fairness = metrics.get("fairness") or {}
    if not isinstance(fairness, Mapping):
        raise ConfigError(
            "The 'fairness' section of the metrics must be a mapping of attribute to "
            f"results. Got {type(fairness).__name__} instead."
        )
    eod_limit = rules.max_equalized_odds_difference
    fairness_checks = 0
    for attribute, section in fairness.items():
        if not isinstance(section, Mapping):
            continue
        if rules.four_fifths and isinstance(section.get("four_fifths"), Mapping):
            checks.append(_four_fifths_check(str(attribute), section))
            fairness_checks += 1
        if eod_limit is not None and "equalized_odds_difference" in section:
            checks.append(_odds_check(str(attribute), section, eod_limit))
            fairness_checks += 1
        error_limit = rules.max_group_error_ratio
        if error_limit is not None and isinstance(section.get("group_error"), Mapping):
            metric = rules.group_error_metric
            checks.append(_group_error_check(str(attribute), section, error_limit, metric=metric))
            fairness_checks += 1

    missing = () if card_missing is None else tuple(str(m) for m in card_missing)
    if card_missing is not None:
        checks.append(_card_check(missing))

    failed = [c.name for c in checks if c.passed is False]
    unjudged = [c.name for c in checks if c.passed is None]
    reasons: list[str] = []
    if failed:
        decision = Decision.REFUSE
        remedy = (
            "The model card is incomplete, so no one can approve or promote this version, "
            "not even by override: a person must write the empty parts in the config's "
            "'transparency:' section and run the pipeline again."
            if missing
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
    limits = rules.four_fifths or eod_limit is not None or rules.max_group_error_ratio is not None
    if fairness_checks == 0 and limits:
        reasons.append(
            "The policy's fairness limits were not applied: the run reports none of the "
            "figures they judge (four-fifths and equalised odds figures for a classifier, "
            "group error ratios for a regression model), for example because the config "
            "names no protected columns."
        )
    return GateDecision(
        decision=decision,
        checks=tuple(checks),
        reasons=tuple(reasons),
        high_impact=rules.high_impact,
        trained_by=trainer,
        policy=rules.model_dump(mode="json"),
        card_missing=missing,
    )


def _card_check(missing: Sequence[str]) -> Check:
    """The check "model card complete": every part only a person can write is written."""
    if not missing:
        return Check(
            CARD_CHECK,
            True,
            0,
            0,
            "Every required part of the model card is written (who owns the model, what "
            "it is for and not for, why these metrics, its ethical considerations and "
            "caveats).",
        )
    shown = "; ".join(missing[:3]) + (f"; and {len(missing) - 3} more" if len(missing) > 3 else "")
    return Check(
        CARD_CHECK,
        False,
        len(missing),
        0,
        f"The model card has {_plural(len(missing), 'empty required part')} ({shown}); "
        "until a person writes them the model cannot be approved or promoted.",
    )


# --- approvals -------------------------------------------------------------------------

ApprovalKind = Literal["approval", "override"]
