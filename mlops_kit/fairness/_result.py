"""The fairness report of one attribute: table, verdicts, headline figures, summary."""

from __future__ import annotations

import enum
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import ConfigError
from ._counts import (
    DISPARITY_NAMES,
    _counts,
    _disparities,
    _metrics_from_counts,
    _ratio,
    sensitive_frame,
)
from ._intervals import _bootstrap_intervals, _pair_stats, _Pairs

if TYPE_CHECKING:
    import pandas as pd

    from ..plots import DescribedFigure

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
            groups.append({"group": str(name), **{k: _clean(v) for k, v in row.items()}})
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
        from ..plots import group_rates_figure

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


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def _attribute_result(
    attribute: str,
    y_true: Any,
    y_pred: Any,
    groups: Any,
    *,
    positive_is: Direction,
    min_group_size: int,
    min_group_positives: int,
    n_bootstrap: int,
    confidence_level: float,
    seed: int,
    words: tuple[str, str] = ("", ""),
) -> FairnessResult:
    import pandas as pd

    cells, labels, _ = _counts(y_true, y_pred, groups)
    names = [str(g) for g in labels]
    columns = (
        "count",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "precision",
        "accuracy",
    )
    table = pd.DataFrame(_metrics_from_counts(cells, columns), index=pd.Index(names, name="group"))
    table.insert(1, "positives", cells[:, 3] + cells[:, 2])
    table.insert(2, "predicted_positive", cells[:, 3] + cells[:, 1])
    enough = (table["count"] >= min_group_size).to_numpy() & (
        table["positives"] >= min_group_positives
    ).to_numpy()
    judged = np.flatnonzero(enough)
    sel = table["selection_rate"].to_numpy()
    reference: int | None = None
    passed: bool | None = None
    impact = np.full(len(table), np.nan)
    verdicts = np.where(enough, GroupVerdict.NOT_JUDGED.value, GroupVerdict.INSUFFICIENT.value)
    if len(judged) >= 2 and sel[judged].max() > 0:
        adverse = positive_is == "adverse"
        # Adverse: each group's flag rate against the least-flagged group's (min / rate).
        # Favourable: each group's selection rate against the most-selected group's.
        reference = int(
            judged[np.argmin(sel[judged])] if adverse else judged[np.argmax(sel[judged])]
        )
        ref_rate = np.full(len(sel), sel[reference])
        impact = _ratio(ref_rate, sel, 1.0) if adverse else _ratio(sel, ref_rate)
        impact[~enough] = np.nan
        # Rounded so that a ratio of exactly 0.8 (0.08 / 0.10 = 0.7999...) passes.
        fails = enough & (np.round(impact, 12) < FOUR_FIFTHS)
        verdicts = np.where(fails, GroupVerdict.FAIL.value, GroupVerdict.PASS.value)
        verdicts = np.where(enough, verdicts, GroupVerdict.INSUFFICIENT.value)
        verdicts[reference] = GroupVerdict.REFERENCE.value
        passed = not bool(fails.any())
    table["impact_ratio"] = impact
    table["verdict"] = verdicts
    headline = _disparities(cells[judged]) if len(judged) >= 2 else dict.fromkeys(DISPARITY_NAMES)
    intervals: dict[str, tuple[float | None, float | None]] = {}
    pairs: dict[str, tuple[str, str]] = {}
    table["impact_ratio_low"] = np.nan
    table["impact_ratio_high"] = np.nan
    if len(judged) >= 2 and reference is not None:
        fixed = _Pairs.of(
            cells[judged],
            reference=int(np.flatnonzero(judged == reference)[0]),
            adverse=positive_is == "adverse",
        )
        judged_names = [names[i] for i in judged]
        pairs = {
            "demographic_parity": (
                judged_names[fixed.selection[0]],
                judged_names[fixed.selection[1]],
            ),
            "equalized_odds_difference": (
                judged_names[fixed.odds_difference[1]],
                judged_names[fixed.odds_difference[2]],
            ),
            "equalized_odds_ratio": (
                judged_names[fixed.odds_ratio[1]],
                judged_names[fixed.odds_ratio[2]],
            ),
        }
        if n_bootstrap:
            bounds = _bootstrap_intervals(
                cells[judged],
                lambda c: _pair_stats(c, fixed),
                n_resamples=n_bootstrap,
                confidence_level=confidence_level,
                seed=seed,
            )
            intervals = dict(zip(DISPARITY_NAMES, bounds[:4], strict=True))
            for k, column in enumerate(("impact_ratio_low", "impact_ratio_high")):
                values = np.full(len(table), np.nan)
                values[judged] = [np.nan if b[k] is None else b[k] for b in bounds[4:]]
                table[column] = values
    return FairnessResult(
        attribute=attribute,
        positive_is=positive_is,
        table=table,
        four_fifths_passed=passed,
        reference_group=None if reference is None else names[reference],
        failing_groups=tuple(table.index[table["verdict"] == GroupVerdict.FAIL.value]),
        insufficient_groups=tuple(table.index[~enough]),
        all_groups=_disparities(cells),
        intervals=intervals,
        pairs=pairs,
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
        words=words,
        min_group_size=min_group_size,
        min_group_positives=min_group_positives,
        **headline,
    )


def fairness_report(
    y_true: Any,
    y_pred: Any,
    sensitive_features: pd.DataFrame | pd.Series | Mapping[str, Any],
    *,
    positive_is: Direction = "favourable",
    min_group_size: int = 30,
    min_group_positives: int = 5,
    n_bootstrap: int = 200,
    confidence_level: float = 0.95,
    seed: int = 0,
    rate_name: str | None = None,
    positive_words: str | None = None,
) -> dict[str, FairnessResult]:
    """Fairness of binary predictions across each protected attribute.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        Truth and predictions; 1 is the positive class.
    sensitive_features : DataFrame, Series or mapping of name to array
        One column per protected attribute.
    positive_is : {"favourable", "adverse"}, default "favourable"
        Whether a positive prediction helps the person (a grant) or harms them (a
        fraud flag). Decides which group is the reference for the four-fifths rule.
    min_group_size, min_group_positives : int, default 30 and 5
        Smaller groups are "insufficient data", not pass or fail.
    n_bootstrap : int, default 200
        Bootstrap resamples for confidence intervals (0: none).
    confidence_level : float, default 0.95
    seed : int, default 0
        Seed of the bootstrap.
    rate_name, positive_words : str, optional
        The service's words for the compared rate ("flag rate") and for what a positive
        prediction does to a case, read after "is" ("flagged for review"). Default
        "selection rate" (favourable) or "positive rate" (adverse), and "predicted
        positive".

    Returns
    -------
    dict of str to FairnessResult
        One result per attribute, in the order given.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1, 0] * 60)
    >>> flags = np.array([1] * 40 + [0] * 20 + [1] * 10 + [0] * 50)
    >>> g = np.array(["a"] * 60 + ["b"] * 60)
    >>> r = fairness_report(y, flags, {"group": g}, positive_is="adverse", n_bootstrap=0)
    >>> round(r["group"].four_fifths_ratio, 2), r["group"].failing_groups
    (0.25, ('a',))
    """

    if positive_is not in ("favourable", "adverse"):
        raise ConfigError(
            "The 'positive_is' parameter of fairness_report must be 'favourable' or "
            f"'adverse'. Got {positive_is!r} instead."
        )
    yt = np.asarray(y_true).astype(np.int64)
    yp = np.asarray(y_pred).astype(np.int64)
    frame = sensitive_frame(sensitive_features)
    return {
        str(col): _attribute_result(
            str(col),
            yt,
            yp,
            frame[col].to_numpy(),
            positive_is=positive_is,
            min_group_size=min_group_size,
            min_group_positives=min_group_positives,
            n_bootstrap=n_bootstrap,
            confidence_level=confidence_level,
            seed=seed,
            words=(rate_name or "", positive_words or ""),
        )
        for col in frame.columns
    }
