"""Group fairness: per-group metrics, disparity measures and the four-fifths rule.

The definitions are fairlearn's (``MetricFrame``, ``demographic_parity_difference``
and ``_ratio``, ``equalized_odds_difference`` and ``_ratio``), and the tests check
the numbers against fairlearn. For the confusion-matrix metrics, which are all a
fairness report needs, the counts come from one pass of :func:`numpy.bincount`
instead of ``MetricFrame``'s per-group Python calls: the same numbers, hundreds of
times faster on large tables (``benchmarks/fairness_fast_path.py``).

Two rules of judgement are added on top:

* **Outcome direction.** When a positive prediction is *adverse* (a fraud flag),
  the four-fifths rule is applied to flag rates: a group fails when its flag rate
  is more than 1.25 times the least-flagged group's (their ratio is below 0.8).
  Applying it to "not flagged" rates instead would hide large disparities.
* **Insufficient data.** A group with fewer than ``min_group_size`` rows or
  ``min_group_positives`` actual positives is reported as "insufficient data",
  not pass or fail, and is left out of the headline disparity figures.
"""

from __future__ import annotations

import enum
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import ConfigError, DataValidationError
from .metrics import _as_binary

if TYPE_CHECKING:
    import pandas as pd

    from .plots import DescribedFigure

__all__ = [
    "CONFUSION_METRICS",
    "FairnessResult",
    "GroupVerdict",
    "fairness_report",
    "group_confusion",
    "group_metrics",
]

FOUR_FIFTHS = 0.8
Direction = Literal["favourable", "adverse"]


class GroupVerdict(enum.StrEnum):
    """The four-fifths verdict for one group."""

    PASS = "pass"
    FAIL = "fail"
    INSUFFICIENT = "insufficient data"
    REFERENCE = "reference"
    NOT_JUDGED = "not judged"


def _ratio(a: np.ndarray, b: np.ndarray, empty: float = np.nan) -> np.ndarray:
    """a / b elementwise, with ``empty`` where b is 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, empty), where=b > 0)


# Rates over an empty denominator (a group with no actual positives has no true positive
# rate) are 0, as in fairlearn, which takes them from scikit-learn's normalised
# confusion matrix; precision with nothing predicted positive is 0 (zero_division=0).
#: Metrics computed from confusion counts (tn, fp, fn, tp), named and defined as in fairlearn.
CONFUSION_METRICS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]] = {
    "count": lambda tn, fp, fn, tp: tn + fp + fn + tp,
    "selection_rate": lambda tn, fp, fn, tp: _ratio(tp + fp, tn + fp + fn + tp),
    "true_positive_rate": lambda tn, fp, fn, tp: _ratio(tp, tp + fn, 0.0),
    "false_positive_rate": lambda tn, fp, fn, tp: _ratio(fp, fp + tn, 0.0),
    "false_negative_rate": lambda tn, fp, fn, tp: _ratio(fn, fn + tp, 0.0),
    "true_negative_rate": lambda tn, fp, fn, tp: _ratio(tn, tn + fp, 0.0),
    "precision": lambda tn, fp, fn, tp: _ratio(tp, tp + fp, 0.0),
    "accuracy": lambda tn, fp, fn, tp: _ratio(tp + tn, tn + fp + fn + tp),
}


def _factorize(groups: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted unique labels of a group column (missing -> error)."""
    import pandas as pd

    values = groups if isinstance(groups, pd.Series | np.ndarray) else np.asarray(groups)
    codes, uniques = pd.factorize(values, sort=True)  # categorical columns: codes reused
    missing = int((codes < 0).sum())
    if missing:
        raise DataValidationError(
            f"The sensitive feature has {missing} missing value(s); give every row a "
            "group (for example 'not recorded') before a fairness analysis."
        )
    return codes.astype(np.int64), np.asarray(uniques)


def _counts(y_true: Any, y_pred: Any, groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells, labels, codes): confusion counts of shape (groups, 4) counted with NumPy."""
    yt = _as_binary(y_true, "y_true")
    yp = _as_binary(y_pred, "y_pred")
    if len(yt) != len(yp):
        raise DataValidationError(
            f"y_true and y_pred must have the same length; got {len(yt)} and {len(yp)}."
        )
    codes, labels = _factorize(groups)
    if len(codes) != len(yt):
        raise DataValidationError(
            f"The sensitive feature must have one value per row ({len(yt)}); got {len(codes)}."
        )
    cells = np.bincount(codes * 4 + yt * 2 + yp, minlength=len(labels) * 4)
    return cells.reshape(len(labels), 4), labels, codes


def _metrics_from_counts(cells: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    tn, fp, fn, tp = (cells[..., i] for i in range(4))
    return {m: CONFUSION_METRICS[m](tn, fp, fn, tp) for m in names}


def group_confusion(y_true: Any, y_pred: Any, groups: Any) -> pd.DataFrame:
    """Confusion counts per group by counting with NumPy.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (sorted), columns ``tn``, ``fp``, ``fn``, ``tp``.

    Raises
    ------
    DataValidationError
        Labels that are not 0/1, lengths that differ, or a missing group.

    Examples
    --------
    >>> group_confusion([0, 1, 1, 0], [0, 1, 0, 1], ["a", "a", "b", "b"])
           tn  fp  fn  tp
    group
    a       1   0   0   1
    b       0   1   1   0
    """
    import pandas as pd

    cells, labels, _ = _counts(y_true, y_pred, groups)
    return pd.DataFrame(
        cells, index=pd.Index(labels, name="group"), columns=["tn", "fp", "fn", "tp"]
    )


def group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    *,
    metrics: Sequence[str] | Mapping[str, Callable[..., float]] = (
        "count",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "precision",
        "accuracy",
    ),
    method: Literal["auto", "fast", "fairlearn"] = "auto",
) -> pd.DataFrame:
    """Metrics for each group, like ``fairlearn.metrics.MetricFrame(...).by_group``.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
    sensitive_features : array-like
        One group label per row.
    metrics : sequence of names, or mapping of name to metric function
        Names from :data:`CONFUSION_METRICS` use the fast counting path; a mapping of
        functions ``f(y_true, y_pred)`` is handed to fairlearn's ``MetricFrame``.
    method : {"auto", "fast", "fairlearn"}, default "auto"
        Force one path (for example to compare them).

    Returns
    -------
    pandas.DataFrame
        One row per group, one column per metric.
    """
    import pandas as pd

    names = list(metrics)
    fast_ok = not isinstance(metrics, Mapping) and all(m in CONFUSION_METRICS for m in names)
    if method == "fast" and not fast_ok:
        unknown = [m for m in names if m not in CONFUSION_METRICS]
        raise ConfigError(
            f"The 'metrics' of group_metrics must be among {', '.join(CONFUSION_METRICS)} "
            f"for method='fast'. Got {unknown} instead."
        )
    if fast_ok and method != "fairlearn":
        cells, labels, _ = _counts(y_true, y_pred, sensitive_features)
        return pd.DataFrame(
            _metrics_from_counts(cells, names), index=pd.Index(labels, name="group")
        )

    from fairlearn import metrics as flm
    from sklearn.metrics import accuracy_score, precision_score

    library: dict[str, Callable[..., Any]] = {
        "count": flm.count,
        "selection_rate": flm.selection_rate,
        "true_positive_rate": flm.true_positive_rate,
        "false_positive_rate": flm.false_positive_rate,
        "false_negative_rate": flm.false_negative_rate,
        "true_negative_rate": flm.true_negative_rate,
        "precision": lambda t, p: precision_score(t, p, zero_division=0),
        "accuracy": accuracy_score,
    }
    functions = dict(metrics) if isinstance(metrics, Mapping) else {m: library[m] for m in names}
    frame = flm.MetricFrame(
        metrics=functions,
        y_true=np.asarray(y_true),
        y_pred=np.asarray(y_pred),
        sensitive_features=pd.Series(np.asarray(sensitive_features), name="group"),
    )
    by_group: pd.DataFrame = frame.by_group
    return by_group


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

    @property
    def four_fifths_ratio(self) -> float | None:
        """Lowest rate over highest (of positive predictions) among judged groups."""
        return self.demographic_parity_ratio

    @property
    def rate_name(self) -> str:
        """What the compared rate is called for this outcome direction."""
        return "flag rate" if self.positive_is == "adverse" else "selection rate"

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
                if self.positive_is == "adverse":
                    parts.append(
                        f"{names} {'is' if len(self.failing_groups) == 1 else 'are'} flagged "
                        f"more than 1.25 times as often as {self.reference_group}."
                    )
                else:
                    parts.append(
                        f"{names} {'is' if len(self.failing_groups) == 1 else 'are'} selected "
                        f"less than 0.8 times as often as {self.reference_group}."
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
        from .plots import group_rates_figure

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


DISPARITY_NAMES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
)


def _disparities(cells: np.ndarray) -> dict[str, float | None]:
    """fairlearn's between-groups differences and ratios, from counts of shape (groups, 4)."""
    r = _metrics_from_counts(cells, ("selection_rate", "true_positive_rate", "false_positive_rate"))

    def diff_ratio(values: np.ndarray) -> tuple[float | None, float | None]:
        values = values[~np.isnan(values)]
        if len(values) == 0:
            return None, None
        lo, hi = float(values.min()), float(values.max())
        return hi - lo, (lo / hi if hi > 0 else None)

    dp_d, dp_r = diff_ratio(r["selection_rate"])
    tpr_d, tpr_r = diff_ratio(r["true_positive_rate"])
    fpr_d, fpr_r = diff_ratio(r["false_positive_rate"])
    return dict(
        zip(
            DISPARITY_NAMES,
            (
                dp_d,
                dp_r,
                None if tpr_d is None or fpr_d is None else max(tpr_d, fpr_d),
                None if tpr_r is None or fpr_r is None else min(tpr_r, fpr_r),
            ),
            strict=True,
        )
    )


@dataclass(frozen=True)
class _Pairs:
    """The groups (row positions in the counts) behind each figure, fixed on the data.

    A headline such as "lowest rate over highest" is a minimum and maximum across
    groups; under resampling other groups take turns at the extremes, which biases
    the bootstrap so badly that an interval can miss its own estimate. Intervals are
    therefore given for the fixed pairs of groups that define each figure on the
    observed data, and for each group against the reference group: smooth
    statistics the bootstrap handles well.
    """

    selection: tuple[int, int]
    odds_difference: tuple[str, int, int]
    odds_ratio: tuple[str, int, int]
    reference: int
    adverse: bool

    @classmethod
    def of(cls, cells: np.ndarray, *, reference: int, adverse: bool) -> _Pairs:
        r = _metrics_from_counts(
            cells, ("selection_rate", "true_positive_rate", "false_positive_rate")
        )

        def extremes(name: str) -> tuple[int, int]:
            return int(np.argmin(r[name])), int(np.argmax(r[name]))

        def gap(name: str) -> float:
            lo, hi = extremes(name)
            return float(r[name][hi] - r[name][lo])

        def quotient(name: str) -> float:
            lo, hi = extremes(name)
            return float(r[name][lo] / r[name][hi]) if r[name][hi] > 0 else np.inf

        tpr, fpr = "true_positive_rate", "false_positive_rate"
        by_gap = tpr if gap(tpr) >= gap(fpr) else fpr
        by_quotient = tpr if quotient(tpr) <= quotient(fpr) else fpr
        return cls(
            selection=extremes("selection_rate"),
            odds_difference=(by_gap, *extremes(by_gap)),
            odds_ratio=(by_quotient, *extremes(by_quotient)),
            reference=reference,
            adverse=adverse,
        )


def _pair_stats(cells: np.ndarray, pairs: _Pairs) -> np.ndarray:
    """The four disparity measures for fixed pairs, then each group's impact ratio.

    ``cells`` has shape (..., groups, 4); the result has shape (4 + groups, ...). On
    the observed data the first four equal the headline figures.
    """
    r = _metrics_from_counts(cells, ("selection_rate", "true_positive_rate", "false_positive_rate"))
    sel = r["selection_rate"]
    lo, hi = pairs.selection
    name, d_lo, d_hi = pairs.odds_difference
    q_name, q_lo, q_hi = pairs.odds_ratio
    ref = sel[..., pairs.reference][..., None]
    impact = _ratio(ref, sel) if pairs.adverse else _ratio(sel, ref)
    rows = [
        sel[..., hi] - sel[..., lo],
        _ratio(sel[..., lo], sel[..., hi]),
        r[name][..., d_hi] - r[name][..., d_lo],
        _ratio(r[q_name][..., q_lo], r[q_name][..., q_hi]),
    ]
    return np.concatenate([np.stack(rows), np.moveaxis(impact, -1, 0)])


def _bootstrap_intervals(
    cells: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_resamples: int,
    confidence_level: float,
    seed: int,
) -> list[tuple[float | None, float | None]]:
    """BCa bootstrap intervals of ``statistic`` (counts -> values), from counts alone.

    Resampling rows with replacement is the same as drawing the (group, truth,
    prediction) cell counts from a multinomial, so each resample costs one draw over
    ``groups * 4`` cells instead of a pass over the rows. The jackknife that BCa
    needs has only one distinct leave-one-out value per non-empty cell, so it is
    exact and cheap (scipy's ``bootstrap(method="BCa")`` recomputes it row by row:
    about 7 s per attribute on 10,000 rows, against milliseconds here).
    ``tests/test_fairness.py`` checks the result against scipy's on small data.
    Returns one (low, high) pair per value of the statistic; (None, None) where it is
    undefined on the data or in more than 5% of resamples.
    """
    from scipy.stats import norm

    flat = cells.ravel().astype(np.int64)
    n = int(flat.sum())
    theta = statistic(cells)
    rng = np.random.default_rng(seed)
    boot = statistic(rng.multinomial(n, flat / n, size=n_resamples).reshape(-1, *cells.shape))
    # Jackknife: remove one row from each non-empty cell, weighted by how many rows it holds.
    present = np.flatnonzero(flat)
    leave_one_out = np.repeat(flat[None, :], len(present), axis=0)
    leave_one_out[np.arange(len(present)), present] -= 1
    jack = statistic(leave_one_out.reshape(-1, *cells.shape))
    weights = flat[present].astype(float)
    alpha = (1 - confidence_level) / 2
    out: list[tuple[float | None, float | None]] = []
    for i in range(len(theta)):
        b = boot[i][np.isfinite(boot[i])]
        if (
            not np.isfinite(theta[i])
            or len(b) < 0.95 * n_resamples
            or not np.isfinite(jack[i]).all()
        ):
            out.append((None, None))
            continue
        share_below = np.mean(b < theta[i]) + 0.5 * np.mean(b == theta[i])
        z0 = norm.ppf(np.clip(share_below, 1 / (2 * len(b)), 1 - 1 / (2 * len(b))))
        u = np.average(jack[i], weights=weights) - jack[i]
        spread = np.sum(weights * u**2)
        accel = np.sum(weights * u**3) / (6 * spread**1.5) if spread > 0 else 0.0
        z = norm.ppf([alpha, 1 - alpha])
        levels = norm.cdf(z0 + (z0 + z) / (1 - accel * (z0 + z)))
        low, high = np.quantile(b, levels)
        out.append((float(low), float(high)))
    return out


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
    import pandas as pd

    if positive_is not in ("favourable", "adverse"):
        raise ConfigError(
            "The 'positive_is' parameter of fairness_report must be 'favourable' or "
            f"'adverse'. Got {positive_is!r} instead."
        )
    yt = np.asarray(y_true).astype(np.int64)
    yp = np.asarray(y_pred).astype(np.int64)
    frame = (
        sensitive_features.to_frame()
        if isinstance(sensitive_features, pd.Series)
        else pd.DataFrame(dict(sensitive_features))
        if isinstance(sensitive_features, Mapping)
        else sensitive_features
    )
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
        )
        for col in frame.columns
    }
