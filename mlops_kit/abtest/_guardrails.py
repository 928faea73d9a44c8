"""Guardrails judged on an experiment's data: each one holds, is broken, or cannot be judged.

A guardrail limits a metric the experiment does not aim to improve (a fairness ratio,
a false positive rate): the challenger's value, and how much worse it is than the
champion's, are held to the limits the pre-registered rule sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ._common import outcome_column
from ._rule import DecisionRule, Guardrail
from ._stats import rate_masks

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class GuardrailCheck:
    """One guardrail judged on the data: the values, and whether it holds."""

    guardrail: Guardrail
    champion: float | None
    challenger: float | None
    status: str  # "holds", "broken" or "not judged"
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.guardrail.metric,
            "attribute": self.guardrail.attribute,
            "rule": self.guardrail.describe(),
            "champion": json_ready(self.champion),
            "challenger": json_ready(self.challenger),
            "status": self.status,
            "reason": self.reason,
        }


def rate(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[int, int]:
    """(successes, cases counted) of a rate metric."""
    num, den = rate_masks(metric, y_true, y_pred)
    return int(num.sum()), int(den.sum())


def fairness_ratio(flags: np.ndarray, groups: np.ndarray, min_size: int) -> float | None:
    """Lowest group flag rate over highest, over groups with at least ``min_size`` cases."""
    names, codes = np.unique(groups.astype(str), return_inverse=True)
    sizes = np.bincount(codes, minlength=len(names))
    rates = np.bincount(codes, weights=flags.astype(float), minlength=len(names))
    keep = sizes >= min_size
    if keep.sum() < 2:
        return None
    r = rates[keep] / sizes[keep]
    return float(r.min() / r.max()) if r.max() > 0 else None


def judge_guardrail(
    g: Guardrail, champion: float | None, challenger: float | None, why_not: str = ""
) -> GuardrailCheck:
    """Hold the challenger's value (and its change from the champion) to the guardrail."""
    if challenger is None:
        return GuardrailCheck(
            g,
            champion,
            None,
            "not judged",
            f"{g.describe()}: not judged ({why_not or 'undefined on the data'}).",
        )
    broken = []
    if g.min_value is not None and challenger < g.min_value:
        broken.append(f"the challenger's {challenger:.3f} is below {g.min_value:.2f}")
    if g.max_value is not None and challenger > g.max_value:
        broken.append(f"the challenger's {challenger:.3f} is above {g.max_value:.2f}")
    if g.max_drop is not None and champion is not None:
        worse = (champion - challenger) if g.higher_is_better else (challenger - champion)
        if worse > g.max_drop + 1e-12:
            broken.append(
                f"it is {worse:.3f} worse than the champion's {champion:.3f} "
                f"(allowed {g.max_drop:.2f})"
            )
    champ = f" (champion {champion:.3f})" if champion is not None else ""
    if broken:
        return GuardrailCheck(
            g,
            champion,
            challenger,
            "broken",
            f"Guardrail broken, {g.describe()}: {'; '.join(broken)}.",
        )
    return GuardrailCheck(
        g,
        champion,
        challenger,
        "holds",
        f"Guardrail holds, {g.describe()}: challenger {challenger:.3f}{champ}.",
    )


def check_guardrails(
    rule: DecisionRule,
    outcomes: pd.DataFrame,
    y: np.ndarray,
    pred: np.ndarray,
    arms: tuple[np.ndarray, np.ndarray],
) -> list[GuardrailCheck]:
    """Every guardrail of ``rule`` judged on the champion's and the challenger's cases."""
    is_a, is_b = arms
    checks = []
    for g in rule.guardrails:
        if g.metric == "fairness_ratio":
            attr = outcome_column(outcomes, str(g.attribute), "analyse_experiment").astype(str)
            fr = [fairness_ratio(pred[m], attr[m], rule.min_group_size) for m in (is_a, is_b)]
            checks.append(
                judge_guardrail(
                    g,
                    fr[0],
                    fr[1],
                    f"fewer than two groups of {rule.min_group_size} cases with flags",
                )
            )
        else:
            vals = []
            for m in (is_a, is_b):
                s, n = rate(g.metric, y[m], pred[m])
                vals.append(s / n if n else None)
            checks.append(judge_guardrail(g, vals[0], vals[1]))
    return checks
