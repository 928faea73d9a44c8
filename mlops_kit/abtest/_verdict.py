"""What a pre-registered rule says to do with an experiment's primary result.

A fixed-horizon design waits for its planned sample, then asks whether the difference is
significant and in the direction the rule requires; a sequential design may stop at any
look (a significant always-valid test, futility, or its maximum sample).
"""

from __future__ import annotations

import enum

from ._common import p_text
from ._rule import DecisionRule
from ._sequential import SequentialResult
from ._stats import TestResult


class Verdict(enum.StrEnum):
    """What the pre-registered rule says to do."""

    PROMOTE = "promote the challenger"
    KEEP = "keep the champion"
    COLLECT = "keep collecting data"
    STOP = "stop: guardrail broken"


def decide(
    rule: DecisionRule,
    primary: TestResult,
    sequential: SequentialResult | None,
    observed: tuple[int, int],
) -> tuple[Verdict, tuple[int, int], list[str]]:
    """The verdict on the primary metric, the sample the rule requires, and why."""
    n1, n2 = observed
    better = rule.higher_is_better_
    required = rule.required_sample_size()
    reasons: list[str] = []
    direction = "higher" if better else "lower"
    favourable = (primary.estimate > 0) == better and primary.estimate != 0
    if sequential is not None:
        return _decide_sequential(rule, sequential, observed, required, favourable=favourable)
    if n1 < required[0] or n2 < required[1]:
        reasons.append(
            f"The planned sample is {required[0]:,} champion and {required[1]:,} challenger "
            f"cases; only {n1:,} and {n2:,} are in. Do not decide early: a fixed-horizon test "
            "looked at repeatedly raises far more false alarms than it promises."
        )
        return Verdict.COLLECT, required, reasons
    sig = (
        primary.p_value <= rule.alpha
        if rule.is_rate
        else not (primary.ci_low <= 0 <= primary.ci_high)
    )
    reasons.append(primary.summary())
    if sig and favourable:
        reasons.append(
            f"Significant at {rule.alpha:g} with the challenger's {rule.metric} "
            f"{direction}, as the rule requires."
        )
        return Verdict.PROMOTE, required, reasons
    if sig:
        reasons.append(f"The challenger is significantly worse on {rule.metric}.")
        return Verdict.KEEP, required, reasons
    reasons.append(
        f"No significant difference at {rule.alpha:g} ({p_text(primary.p_value)}"
        f"): the challenger has not shown the improvement the rule asks for."
    )
    return Verdict.KEEP, required, reasons


def _decide_sequential(
    rule: DecisionRule,
    sequential: SequentialResult,
    observed: tuple[int, int],
    required: tuple[int, int],
    *,
    favourable: bool,
) -> tuple[Verdict, tuple[int, int], list[str]]:
    """The verdict of a sequential design: its always-valid test, futility, or the maximum."""
    better = rule.higher_is_better_
    direction = "higher" if better else "lower"
    max_n = rule.max_sample_size or 2 * max(required)
    required = (max(max_n, required[0]), max(max_n, required[1]))
    mde_side = sequential.cs_high < rule.mde if better else sequential.cs_low > -rule.mde
    reasons = [sequential.summary()]
    if sequential.significant and favourable:
        reasons.append(
            f"The always-valid p-value is at or below {rule.alpha:g} and the "
            f"challenger's {rule.metric} is {direction}, as the rule requires."
        )
        return Verdict.PROMOTE, required, reasons
    if sequential.significant:
        reasons.append(f"The challenger is significantly worse on {rule.metric}.")
        return Verdict.KEEP, required, reasons
    if mde_side:
        reasons.append(
            f"The confidence sequence rules out an improvement as large as the "
            f"minimum detectable effect ({rule.mde:g}): stop for futility."
        )
        return Verdict.KEEP, required, reasons
    if min(observed) >= max_n:
        reasons.append(
            f"The maximum of {max_n:,} cases per arm is reached without a significant improvement."
        )
        return Verdict.KEEP, required, reasons
    reasons.append("No decision yet; looking again later is safe with this test.")
    return Verdict.COLLECT, required, reasons
