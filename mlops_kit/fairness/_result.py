"""The fairness report of one attribute: table, verdicts, headline figures, summary.

:func:`~mlops_kit.fairness.fairness_report` (in ``_report``) computes it.
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._io import json_ready
from ._figures import group_rates_figure

if TYPE_CHECKING:
    import pandas as pd

    from ..figures import DescribedFigure

#: The four-fifths rule: a group fails when its ratio to the reference group is below this.
FOUR_FIFTHS = 0.8
Direction = Literal["favourable", "adverse"]


class GroupVerdict(enum.StrEnum):
    """The four-fifths verdict for one group."""

    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT = "insufficient data"
    REFERENCE = "reference"
    NOT_JUDGED = "not judged"


@dataclass(frozen=True)
class FairnessResult:
    """Fairness of one set of predictions across the groups of one attribute.

    The headline figures (``demographic_parity_*``, ``equalized_odds_*`` and
    ``four_fifths_ratio``) cover the groups with enough data to judge; ``all_groups``
    holds the same figures over every group, exactly as fairlearn reports them.

    ``intervals`` are BCa bootstrap intervals for the pair of groups that defines each
    headline figure on this data (named in ``pairs``); the table's
    ``impact_ratio_low`` and ``impact_ratio_high`` bound each group's impact ratio
    against the reference group.
    """

    attribute: str
    positive_is: Direction
    table: pd.DataFrame = field(repr=False)
    demographic_parity_difference: float | None
    demographic_parity_ratio: float | None
    equalized_odds_difference: float | None
    equalized_odds_ratio: float | None
    four_fifths_passed: bool | None
    reference_group: str | None
    failing_groups: tuple[str, ...]
    insufficient_groups: tuple[str, ...]
    all_groups: dict[str, float | None]
    intervals: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)
    confidence_level: float = 0.95
    n_bootstrap: int = 0
    min_group_size: int = 30
    min_group_positives: int = 5
    words: tuple[str, str] = ("", "")

    @property
    def four_fifths_ratio(self) -> float | None:
        """Lowest rate over highest (of positive predictions) among judged groups."""
        return self.demographic_parity_ratio

    @property
    def rate_name(self) -> str:
        """What the compared rate is called: the caller's word (``words[0]``), else
        "selection rate" for a favourable outcome and "positive rate" for an adverse one."""
        return self.words[0] or (
            "positive rate" if self.positive_is == "adverse" else "selection rate"
        )

    @property
    def positive_words(self) -> str:
        """What a positive prediction does to a case, read after "is" (``words[1]``;
        default "predicted positive", or "selected" for a favourable outcome)."""
        return self.words[1] or (
            "predicted positive" if self.positive_is == "adverse" else "selected"
        )

    def summary(self) -> str:
        """The result in plain words, for the report and a screen reader."""
        t = self.table
        judged = t[t["verdict"] != GroupVerdict.INSUFFICIENT.value]
        parts: list[str] = []
        if len(judged) >= 2:
            rates = judged["selection_rate"]
            lo, hi = str(rates.idxmin()), str(rates.idxmax())
            parts.append(
                f"{self.rate_name.capitalize()}s by {self.attribute} range from "
                f"{rates.min():.1%} ({lo}) to {rates.max():.1%} ({hi})."
            )
        ratio = self.four_fifths_ratio
        if self.four_fifths_passed is None or ratio is None:
            parts.append(
                "The four-fifths rule cannot be judged: fewer than two groups have enough "
                "data, or no group has any positive prediction."
            )
        else:
            ci = self.intervals.get("demographic_parity_ratio")
            low_group, high_group = self.pairs.get("demographic_parity", ("", ""))
            ci_text = (
                f" ({low_group} against {high_group}; {self.confidence_level:.0%} confidence "
                f"interval {ci[0]:.2f} to {ci[1]:.2f})"
                if ci and ci[0] is not None and ci[1] is not None
                else ""
            )
            verdict = "passes" if self.four_fifths_passed else "fails"
            parts.append(
                f"Four-fifths rule on {self.rate_name}s: ratio {ratio:.2f}{ci_text}, "
                f"{'at or above' if self.four_fifths_passed else 'below'} 0.8, so it {verdict}."
            )
            if ci_text and ci[0] < FOUR_FIFTHS <= ci[1]:  # type: ignore[index,operator]
                parts.append(
                    "The interval includes 0.8, so with this much data the verdict could "
                    "go either way: gather more data before relying on it."
                )
            if self.failing_groups:
                names = ", ".join(self.failing_groups)
                verb = "is" if len(self.failing_groups) == 1 else "are"
                how = "more than 1.25" if self.positive_is == "adverse" else "less than 0.8"
                parts.append(
                    f"{names} {verb} {self.positive_words} {how} times as often as "
                    f"{self.reference_group}."
                )
        if self.equalized_odds_difference is not None:
            parts.append(
                f"Equalised odds difference {self.equalized_odds_difference:.3f} (the larger "
                "gap between groups in true or false positive rate)."
            )
        if self.insufficient_groups:
            counts, positives = t["count"].to_dict(), t["positives"].to_dict()
            sizes = ", ".join(
                f"{g} ({int(counts[g])} rows, {int(positives[g])} positives)"
                for g in self.insufficient_groups
            )
            parts.append(
                f"Not judged, too little data (under {self.min_group_size} rows or "
                f"{self.min_group_positives} positives): {sizes}."
            )
        return " ".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """Per-group table: counts, rates, impact ratio and verdict."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN becomes None)."""
        groups = []
        for name, row in self.table.iterrows():
            groups.append({"group": str(name), **{k: json_ready(v) for k, v in row.items()}})
        return {
            "attribute": self.attribute,
            "positive_is": self.positive_is,
            "rate_compared": self.rate_name,
            "positive_words": self.positive_words,
            "groups": groups,
            "demographic_parity_difference": self.demographic_parity_difference,
            "demographic_parity_ratio": self.demographic_parity_ratio,
            "equalized_odds_difference": self.equalized_odds_difference,
            "equalized_odds_ratio": self.equalized_odds_ratio,
            "four_fifths": {
                "ratio": self.four_fifths_ratio,
                "passed": self.four_fifths_passed,
                "threshold": FOUR_FIFTHS,
                "reference_group": self.reference_group,
                "failing_groups": list(self.failing_groups),
            },
            "insufficient_groups": list(self.insufficient_groups),
            "min_group_size": self.min_group_size,
            "min_group_positives": self.min_group_positives,
            "confidence_intervals": {k: list(v) for k, v in self.intervals.items()},
            "interval_pairs": {k: list(v) for k, v in self.pairs.items()},
            "confidence_level": self.confidence_level,
            "n_bootstrap": self.n_bootstrap,
            "all_groups": self.all_groups,
            "summary": self.summary(),
        }

    def plot(self, ax: Any = None) -> DescribedFigure:
        """Bar chart of each group's rate, with its verdict written on the bar."""
        return group_rates_figure(self, ax=ax)

    def _repr_html_(self) -> str:
        table = self.table[
            [
                "count",
                "positives",
                "selection_rate",
                "true_positive_rate",
                "impact_ratio",
                "verdict",
            ]
        ].rename(columns={"selection_rate": self.rate_name})
        return (
            f"<h4>Fairness by {html.escape(self.attribute)}</h4>"
            f"<p>{html.escape(self.summary())}</p>"
            + table.to_html(float_format=lambda v: f"{v:.3f}", na_rep="n/a")
        )
