"""The governance gate's checks, one rule of the policy each, explained in plain words.

A metric's floor or ceiling, the four-fifths rule and the equalised odds difference by
protected attribute (a classifier), the ratio of the worst group's error to the best
group's (a regression model), and whether the model card's required parts are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._decision import (
    _FOUR_FIFTHS,
    _METRIC_WORDS,
    CARD_CHECK,
    Check,
    _join,
    _limit_text,
    _number,
    _plural,
    _value_text,
)


def metric_check(metrics: Mapping[str, Any], name: str, limit: float, *, floor: bool) -> Check:
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


def four_fifths_check(attribute: str, section: Mapping[str, Any]) -> Check:
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


def odds_check(attribute: str, section: Mapping[str, Any], limit: float) -> Check:
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


def group_error_check(
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


def card_check(missing: Sequence[str]) -> Check:
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
