"""Shadow mode: the challenger scores the same cases as the champion but does not act."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..errors import DataValidationError
from ._common import check_count, check_probability, p_text, pct
from ._guardrails import fairness_ratio
from ._stats import TestResult, _binary, mcnemar_test
from ._verdict import Verdict

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ShadowResult:
    """Paired comparison of champion and challenger decisions on the same cases."""

    n: int
    n_labelled: int
    agreement: float
    champion_flag_rate: float
    challenger_flag_rate: float
    flags: TestResult
    correctness: TestResult | None
    fairness: dict[str, tuple[float | None, float | None]]
    groups: pd.DataFrame
    verdict: Verdict
    reasons: tuple[str, ...]

    def summary(self) -> str:
        return " ".join(
            [
                f"Verdict: {self.verdict.value}.",
                f"On {self.n:,} cases the two models agree on {pct(self.agreement)}; flag rate "
                f"{pct(self.champion_flag_rate)} (champion) against "
                f"{pct(self.challenger_flag_rate)} (challenger), "
                f"McNemar {p_text(self.flags.p_value)}.",
                *self.reasons,
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        return self.groups.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "n": self.n,
            "n_labelled": self.n_labelled,
            "agreement": self.agreement,
            "champion_flag_rate": self.champion_flag_rate,
            "challenger_flag_rate": self.challenger_flag_rate,
            "flags": self.flags.to_dict(),
            "correctness": None if self.correctness is None else self.correctness.to_dict(),
            "fairness": {k: [json_ready(a), json_ready(b)] for k, (a, b) in self.fairness.items()},
            "groups": [
                {k: json_ready(v) for k, v in r.items()} for r in self.groups.to_dict("records")
            ],
            "reasons": list(self.reasons),
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(r)}</li>" for r in self.reasons)
        table = (
            self.groups.to_html(
                index=False, float_format=lambda v: f"{v:.3f}", classes="mlops-table"
            )
            if len(self.groups)
            else ""
        )
        return (
            f'<div class="mlops-abtest"><h4>Shadow mode: {html.escape(self.verdict.value)}'
            f"</h4><p>{html.escape(self.summary())}</p><ul>{items}</ul>{table}</div>"
        )


def compare_shadow(
    champion_pred: Any,
    challenger_pred: Any,
    *,
    y_true: Any = None,
    groups: Mapping[str, Any] | pd.DataFrame | None = None,
    alpha: float = 0.05,
    fairness_limit: float = 0.8,
    min_group_size: int = 30,
    min_labelled: int = 100,
) -> ShadowResult:
    """Compare paired decisions: agreement, flag rates, McNemar on correctness, groups.

    Parameters
    ----------
    champion_pred, challenger_pred : array of 0/1
        Each model's decision on the same cases (only the champion's was acted on).
    y_true : array or None
        Labels as they arrive; NaN where not yet known.
    groups : mapping or DataFrame of protected columns
        Flag rates and the fairness ratio (lowest group flag rate over highest) by group.

    Examples
    --------
    >>> compare_shadow([1, 0, 1, 0], [1, 0, 0, 0]).verdict.value
    'keep collecting data'
    """
    import pandas as pd

    owner = "compare_shadow"
    a = _binary(owner, "champion_pred", champion_pred)
    b = _binary(owner, "challenger_pred", challenger_pred)
    if len(a) != len(b) or len(a) == 0:
        raise DataValidationError(
            f"The predictions given to {owner} must be paired: the same non-zero length. "
            f"Got {len(a)} and {len(b)} instead."
        )
    alpha = check_probability(owner, "alpha", alpha, high=0.5)
    fairness_limit = check_probability(owner, "fairness_limit", fairness_limit)
    check_count(owner, "min_group_size", min_group_size)
    check_count(owner, "min_labelled", min_labelled)
    n = len(a)
    flags = mcnemar_test(a, b)  # flags as "successes": is the flag rate different?
    rows, fairness, reasons, broken = _by_group(
        a, b, groups, fairness_limit=fairness_limit, min_group_size=min_group_size
    )
    correctness, n_labelled = _correctness(a, b, y_true)
    verdict = _verdict(
        reasons,
        broken=broken,
        correctness=correctness,
        counts=(n, n_labelled),
        min_labelled=min_labelled,
        alpha=alpha,
    )
    table = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    return ShadowResult(
        n,
        n_labelled,
        float((a == b).mean()),
        float(a.mean()),
        float(b.mean()),
        flags,
        correctness,
        fairness,
        table,
        verdict,
        tuple(reasons),
    )


#: The columns of the table of flag rates by group.
GROUP_COLUMNS = [
    "attribute",
    "group",
    "n",
    "champion_flag_rate",
    "challenger_flag_rate",
    "difference",
    "agreement",
]


def _verdict(
    reasons: list[str],
    *,
    broken: bool,
    correctness: TestResult | None,
    counts: tuple[int, int],
    min_labelled: int,
    alpha: float,
) -> Verdict:
    """What to do, with the reasons appended to ``reasons``."""
    n, n_labelled = counts
    if broken:
        return Verdict.STOP
    if correctness is None or n_labelled < min_labelled:
        reasons.append(
            f"Only {n_labelled:,} of {n:,} cases have labels; wait for at least "
            f"{min_labelled:,} before judging correctness."
        )
        return Verdict.COLLECT
    reasons.append(correctness.summary())
    if correctness.p_value <= alpha and correctness.estimate > 0:
        reasons.append(
            f"The challenger is right significantly more often (at {alpha:g}) on "
            "the same cases: promote it, or move to a live test."
        )
        return Verdict.PROMOTE
    reasons.append("The challenger is not right significantly more often on the same cases.")
    return Verdict.KEEP


def _by_group(
    a: np.ndarray,
    b: np.ndarray,
    groups: Mapping[str, Any] | pd.DataFrame | None,
    *,
    fairness_limit: float,
    min_group_size: int,
) -> tuple[list[dict[str, Any]], dict[str, tuple[float | None, float | None]], list[str], bool]:
    """Each group's flag rates and agreement, each attribute's fairness ratios, the
    guardrail's findings in words, and whether it is broken."""
    n = len(a)
    reasons: list[str] = []
    broken = False
    rows, fairness = [], {}
    cols = {} if groups is None else {str(k): np.asarray(groups[k]).astype(str) for k in groups}  # type: ignore[index]
    for attr, values in cols.items():
        if len(values) != n:
            raise DataValidationError(
                f"The protected column {attr!r} given to compare_shadow must have one value "
                f"per case ({n}). Got {len(values)} instead.",
                column=attr,
            )
        for g in sorted(set(values)):
            m = values == g
            rows.append(
                {
                    "attribute": attr,
                    "group": g,
                    "n": int(m.sum()),
                    "champion_flag_rate": float(a[m].mean()),
                    "challenger_flag_rate": float(b[m].mean()),
                    "difference": float(b[m].mean() - a[m].mean()),
                    "agreement": float((a[m] == b[m]).mean()),
                }
            )
        fa, fb = (fairness_ratio(p, values, min_group_size) for p in (a, b))
        fairness[attr] = (fa, fb)
        if fb is not None and fb < fairness_limit and (fa is None or fb < fa):
            broken = True
            reasons.append(
                f"Guardrail broken: the challenger's fairness ratio by {attr} is "
                f"{fb:.2f}, below {fairness_limit:.2f} and below the champion's "
                f"{'n/a' if fa is None else f'{fa:.2f}'}."
            )
        elif fb is not None:
            reasons.append(
                f"Fairness ratio by {attr}: challenger {fb:.2f}, champion "
                f"{'n/a' if fa is None else f'{fa:.2f}'} (limit {fairness_limit:.2f})."
            )
    return rows, fairness, reasons, broken


def _correctness(a: np.ndarray, b: np.ndarray, y_true: Any) -> tuple[TestResult | None, int]:
    """McNemar's test on which model is right, over the labelled cases, and their number."""
    if y_true is None:
        return None, 0
    y = np.asarray(y_true, dtype=float)
    if len(y) != len(a):
        raise DataValidationError(
            f"The labels given to compare_shadow must have one value per case ({len(a)}). "
            f"Got {len(y)} instead.",
            column="y_true",
        )
    ok = ~np.isnan(y)
    n_labelled = int(ok.sum())
    if not n_labelled:
        return None, 0
    truth = y[ok].astype(bool)
    return mcnemar_test(a[ok] == truth, b[ok] == truth), n_labelled
