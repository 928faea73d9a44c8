"""Fairness of a regression model: how its errors differ between the groups of an attribute.

For each group: the row count, mean absolute error (MAE), root mean squared error
(RMSE), mean prediction, mean actual value and mean error (prediction minus actual:
the group's bias), computed by fairlearn's ``MetricFrame`` with scikit-learn's metric
functions. The headline figures compare the groups with at least ``min_group_size``
rows: the worst group's error over the best group's (the ratio a policy limits) and
their difference, with bootstrap intervals (:mod:`._error_intervals`).
"""

from __future__ import annotations

import enum
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._counts import _factorize, sensitive_frame
from ._error_intervals import ERROR_METRICS, ErrorMetric, _error_intervals, _ErrorPairs

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..plots import DescribedFigure

Interval = tuple[float | None, float | None]

#: How each error metric is written in sentences.
ERROR_WORDS = {"mae": "mean absolute error (MAE)", "rmse": "root mean squared error (RMSE)"}


class GroupErrorStatus(enum.StrEnum):
    """Where a group stands in the comparison of errors."""

    WORST = "worst"
    BEST = "best"
    COMPARED = "compared"
    INSUFFICIENT = "insufficient data"
    NOT_COMPARED = "not compared"


@dataclass(frozen=True)
class ErrorGap:
    """The worst group's error against the best group's, in one error metric.

    ``ratio_interval`` and ``difference_interval`` are bootstrap intervals for this
    pair of groups, fixed on the data; (None, None) when not computed or undefined.
    """

    metric: ErrorMetric
    worst_group: str | None = None
    best_group: str | None = None
    worst: float | None = None
    best: float | None = None
    ratio: float | None = None
    difference: float | None = None
    ratio_interval: Interval = (None, None)
    difference_interval: Interval = (None, None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (no NaN or infinity)."""
        return {
            "metric": self.metric,
            "worst_group": self.worst_group,
            "best_group": self.best_group,
            "worst": _clean(self.worst),
            "best": _clean(self.best),
            "ratio": _clean(self.ratio),
            "ratio_interval": [_clean(v) for v in self.ratio_interval],
            "difference": _clean(self.difference),
            "difference_interval": [_clean(v) for v in self.difference_interval],
        }


@dataclass(frozen=True)
class RegressionFairnessResult:
    """Errors of a regression model across the groups of one attribute.

    ``table`` has one row per group: ``count``, ``mae``, ``rmse``, ``mean_predicted``,
    ``mean_actual`` and ``mean_error`` (prediction minus actual), exactly as
    fairlearn's ``MetricFrame`` reports them; then, in ``error_metric``, the
    bootstrap interval of the group's error (``error_low``, ``error_high``), its error
    over the best group's (``error_ratio`` with ``error_ratio_low`` and
    ``error_ratio_high``) and its ``status`` (:class:`GroupErrorStatus`).

    ``gaps`` holds the headline comparison for both MAE and RMSE over the groups with
    enough data, so a policy can judge either; ``all_groups`` the same ratio and
    difference over every group, as ``MetricFrame.difference()`` and
    ``1 / MetricFrame.ratio()`` give them.
    """

    attribute: str
    error_metric: ErrorMetric
    table: pd.DataFrame = field(repr=False)
    gaps: dict[ErrorMetric, ErrorGap]
    insufficient_groups: tuple[str, ...]
    all_groups: dict[str, float | None]
    confidence_level: float = 0.95
    n_bootstrap: int = 0
    min_group_size: int = 30

    @property
    def gap(self) -> ErrorGap:
        """The headline comparison in ``error_metric``."""
        return self.gaps[self.error_metric]

    @property
    def error_ratio(self) -> float | None:
        """Worst group's error over the best group's (``error_metric``), or None."""
        return self.gap.ratio

    @property
    def error_difference(self) -> float | None:
        """Worst group's error minus the best group's (``error_metric``), or None."""
        return self.gap.difference

    @property
    def worst_group(self) -> str | None:
        return self.gap.worst_group

    @property
    def best_group(self) -> str | None:
        return self.gap.best_group

    def summary(self) -> str:
        """The result in plain words, for the report and a screen reader."""
        t = self.table
        judged = t[t["status"] != GroupErrorStatus.INSUFFICIENT.value]
        words = ERROR_WORDS[self.error_metric]
        gap = self.gap
        parts: list[str] = []
        if gap.worst_group is None or gap.worst is None or gap.best is None:
            parts.append(
                f"The groups' errors by {self.attribute} cannot be compared: fewer than two "
                f"groups have at least {self.min_group_size} rows."
            )
        else:
            parts.append(
                f"{_capital(words)} by {self.attribute} ranges from {_num(gap.best)} "
                f"({gap.best_group}) to {_num(gap.worst)} ({gap.worst_group}) over the "
                f"{len(judged)} groups with enough data"
            )
            level = f"{self.confidence_level:.0%} confidence interval"
            if gap.ratio is None:
                parts[-1] += (
                    f"; the best group's error is 0, so their ratio is undefined and the "
                    f"difference is {_num(gap.difference)}."
                )
            else:
                lo, hi = gap.ratio_interval
                ci = f" ({level} {lo:.2f} to {hi:.2f})" if lo is not None and hi is not None else ""
                dlo, dhi = gap.difference_interval
                dci = (
                    f" ({level} {_num(dlo, gap.difference)} to {_num(dhi, gap.difference)})"
                    if dlo is not None and dhi is not None
                    else ""
                )
                parts[-1] += (
                    f": the worst group's error is {gap.ratio:.2f} times the best group's{ci}, "
                    f"{_num(gap.difference)} higher{dci}."
                )
                if lo is not None and lo <= 1:
                    parts.append(
                        "The ratio's interval reaches 1, so with this much data the two "
                        "groups' errors may not truly differ."
                    )
            other = self.gaps[next(m for m in ERROR_METRICS if m != self.error_metric)]
            if other.ratio is not None:
                parts.append(
                    f"By {ERROR_WORDS[other.metric]}, {_possessive(other.worst_group)} error is "
                    f"{other.ratio:.2f} times {_possessive(other.best_group)}."
                )
        if len(judged):
            bias = judged["mean_error"]
            low, high = str(bias.idxmin()), str(bias.idxmax())
            like = float(bias.abs().max())
            parts.append(
                f"The mean error (prediction minus actual) ranges from "
                f"{_signed(bias.min(), like)} ({low}) to {_signed(bias.max(), like)} ({high}); "
                "a negative mean error means predictions too low on average, a positive one "
                "too high."
            )
        if self.insufficient_groups:
            counts = t["count"].to_dict()
            sizes = ", ".join(f"{g} ({int(counts[g])} rows)" for g in self.insufficient_groups)
            parts.append(
                f"Not compared, too little data (under {self.min_group_size} rows): {sizes}."
            )
        return " ".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """Per-group table: errors, bias, error ratio and its interval, status."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN and infinity become None).

        ``groups`` lists the per-group rows (the shape every reader of
        ``metrics.json`` expects); ``group_error`` the headline comparison for each
        error metric; ``error_ratio`` and the keys after it repeat ``error_metric``'s.
        """
        groups = [
            {"group": str(name), **{k: _clean(v) for k, v in row.items()}}
            for name, row in self.table.iterrows()
        ]
        gap = self.gap
        return {
            "attribute": self.attribute,
            "task": "regression",
            "error_metric": self.error_metric,
            "groups": groups,
            "group_error": {m: g.to_dict() for m, g in self.gaps.items()},
            "error_ratio": _clean(gap.ratio),
            "error_difference": _clean(gap.difference),
            "worst_group": gap.worst_group,
            "best_group": gap.best_group,
            "confidence_intervals": {
                "error_ratio": [_clean(v) for v in gap.ratio_interval],
                "error_difference": [_clean(v) for v in gap.difference_interval],
            },
            "insufficient_groups": list(self.insufficient_groups),
            "min_group_size": self.min_group_size,
            "confidence_level": self.confidence_level,
            "n_bootstrap": self.n_bootstrap,
            "all_groups": {k: _clean(v) for k, v in self.all_groups.items()},
            "summary": self.summary(),
        }

    def plot(self, ax: Axes | None = None, *, limit: float | None = None) -> DescribedFigure:
        """Bar chart of each group's error, with its interval and status written on.

        ``limit`` (a policy's largest allowed error ratio) draws the error it allows:
        the best group's error times ``limit``.
        """
        return group_errors_figure(self, ax=ax, limit=limit)

    def _repr_html_(self) -> str:
        columns = ["count", "mae", "rmse", "mean_predicted", "mean_actual", "mean_error"]
        columns += ["error_ratio", "status"]
        return (
            f"<h4>Errors by {html.escape(self.attribute)}</h4>"
            f"<p>{html.escape(self.summary())}</p>"
            + self.table[columns].to_html(float_format=lambda v: f"{v:,.3f}", na_rep="n/a")
        )


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _num(x: float | None, like: float | None = None) -> str:
    """A figure in the target's units, with digits suited to its size (or ``like``'s)."""
    if x is None:
        return "n/a"
    size = abs(x if like is None else like)
    if size >= 1000:
        return f"{x:,.0f}"
    if size >= 100:
        return f"{x:.1f}"
    if size >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _possessive(name: str | None) -> str:
    """``London's``, ``Midlands'``."""
    text = str(name)
    return f"{text}'" if text.endswith("s") else f"{text}'s"


def _signed(x: float, like: float | None = None) -> str:
    return ("+" if x > 0 else "") + _num(float(x), like)


# --------------------------------------------------------------------------- computing


def _metric_frame(y_true: np.ndarray, y_pred: np.ndarray, codes: np.ndarray) -> Any:
    from fairlearn.metrics import MetricFrame, count, mean_prediction
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error

    return MetricFrame(
        metrics={
            "count": count,
            "mae": mean_absolute_error,
            "rmse": root_mean_squared_error,
            "mean_predicted": mean_prediction,
            "mean_actual": lambda t, _: float(np.mean(t)),
            "mean_error": lambda t, p: float(np.mean(np.asarray(p) - np.asarray(t))),
        },
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=codes,
    )


def _extremes(values: np.ndarray) -> tuple[int, int]:
    """(worst, best): positions of the largest and smallest values, never the same one."""
    worst, best = int(np.argmax(values)), int(np.argmin(values))
    if worst == best:  # every value equal
        worst = 1 if best == 0 else 0
    return worst, best


def _attribute_result(
    attribute: str,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    groups: Any,
    *,
    error_metric: ErrorMetric,
    min_group_size: int,
    n_bootstrap: int,
    confidence_level: float,
    seed: int,
) -> RegressionFairnessResult:
    import pandas as pd

    codes, labels = _factorize(groups)
    if len(codes) != len(y_true):
        raise DataValidationError(
            f"The sensitive feature '{attribute}' must have one value per row "
            f"({len(y_true)}); got {len(codes)}."
        )
    names = [str(g) for g in labels]
    frame = _metric_frame(y_true, y_pred, codes)
    table = frame.by_group.reindex(range(len(names)))
    table.index = pd.Index(names, name="group")
    table["count"] = table["count"].astype(np.int64)
    enough = (table["count"] >= min_group_size).to_numpy()
    judged = np.flatnonzero(enough)
    status = np.where(
        enough, GroupErrorStatus.NOT_COMPARED.value, GroupErrorStatus.INSUFFICIENT.value
    ).astype(object)
    for column in ("error_low", "error_high", "error_ratio", "error_ratio_low", "error_ratio_high"):
        table[column] = np.nan
    gaps = {m: ErrorGap(m) for m in ERROR_METRICS}
    if len(judged) >= 2:
        values = {m: table[m].to_numpy(dtype=float)[judged] for m in ERROR_METRICS}
        ends = {m: _extremes(values[m]) for m in ERROR_METRICS}
        pairs = _ErrorPairs(
            worst={m: w for m, (w, _) in ends.items()},
            best={m: b for m, (_, b) in ends.items()},
            primary=error_metric,
        )
        bounds: list[Interval] = [(None, None)] * (4 + 2 * len(judged))
        if n_bootstrap:
            abs_errors = [np.abs(y_pred - y_true)[codes == g] for g in judged]
            bounds = _error_intervals(
                abs_errors,
                pairs,
                n_resamples=n_bootstrap,
                confidence_level=confidence_level,
                seed=seed,
            )
        for k, m in enumerate(ERROR_METRICS):
            w, b = ends[m]
            worst, best = float(values[m][w]), float(values[m][b])
            gaps[m] = ErrorGap(
                m,
                worst_group=names[judged[w]],
                best_group=names[judged[b]],
                worst=worst,
                best=best,
                ratio=worst / best if best > 0 else None,
                difference=worst - best,
                ratio_interval=bounds[2 * k],
                difference_interval=bounds[2 * k + 1],
            )
        primary = values[error_metric]
        w, b = ends[error_metric]
        status[judged] = GroupErrorStatus.COMPARED.value
        status[judged[w]] = GroupErrorStatus.WORST.value
        status[judged[b]] = GroupErrorStatus.BEST.value
        ratios = np.full(len(table), np.nan)
        if primary[b] > 0:
            ratios[judged] = primary / primary[b]
        table["error_ratio"] = ratios
        k = len(judged)
        for column, chunk in (
            ("error_low", bounds[4 : 4 + k]),
            ("error_ratio_low", bounds[4 + k :]),
        ):
            for side, name in enumerate((column, column.replace("_low", "_high"))):
                filled = table[name].to_numpy(dtype=float).copy()
                filled[judged] = [np.nan if c[side] is None else c[side] for c in chunk]
                table[name] = filled
    table["status"] = status
    all_groups: dict[str, float | None] = {}
    differences, ratios_all = frame.difference(), frame.ratio()
    for m in ERROR_METRICS:
        diff, ratio = float(differences[m]), float(ratios_all[m])
        all_groups[f"{m}_ratio"] = 1 / ratio if ratio > 0 else None
        all_groups[f"{m}_difference"] = diff
    return RegressionFairnessResult(
        attribute=attribute,
        error_metric=error_metric,
        table=table,
        gaps=gaps,
        insufficient_groups=tuple(str(g) for g in table.index[~enough]),
        all_groups=all_groups,
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
        min_group_size=min_group_size,
    )


def _numbers(values: Any, name: str) -> np.ndarray:
    try:
        out = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise DataValidationError(
            f"The '{name}' of regression_fairness_report must be numbers. Got values such "
            f"as {list(np.asarray(values).ravel()[:3])!r} instead."
        ) from None
    bad = int((~np.isfinite(out)).sum())
    if bad:
        raise DataValidationError(
            f"The '{name}' of regression_fairness_report must be finite numbers; "
            f"{bad} value(s) are missing or infinite."
        )
    return out


def _check_options(
    error_metric: Any, min_group_size: Any, n_bootstrap: Any, confidence_level: Any
) -> None:
    problems = []
    if error_metric not in ERROR_METRICS:
        problems.append(f"The 'error_metric' must be 'mae' or 'rmse'. Got {error_metric!r}")
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int | np.integer):
        problems.append(f"The 'min_group_size' must be an integer. Got {min_group_size!r}")
    elif min_group_size < 1:
        problems.append(f"The 'min_group_size' must be at least 1. Got {min_group_size}")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int | np.integer):
        problems.append(f"The 'n_bootstrap' must be an integer. Got {n_bootstrap!r}")
    elif n_bootstrap < 0:
        problems.append(f"The 'n_bootstrap' must be 0 (none) or more. Got {n_bootstrap}")
    if not isinstance(confidence_level, float | int) or not 0 < confidence_level < 1:
        problems.append(f"The 'confidence_level' must be in (0, 1). Got {confidence_level!r}")
    if problems:
        message = " instead. ".join(problems) + " instead."
        raise ConfigError(
            f"regression_fairness_report: {message}",
            problems=tuple(p + " instead." for p in problems),
        )


def regression_fairness_report(
    y_true: Any,
    y_pred: Any,
    sensitive_features: pd.DataFrame | pd.Series | Mapping[str, Any],
    *,
    error_metric: ErrorMetric = "mae",
    min_group_size: int = 30,
    n_bootstrap: int = 200,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> dict[str, RegressionFairnessResult]:
    """How a regression model's errors differ across each protected attribute's groups.

    Parameters
    ----------
    y_true, y_pred : array-like of numbers
        Actual values and predictions.
    sensitive_features : DataFrame, Series or mapping of name to array
        One column per protected attribute.
    error_metric : {"mae", "rmse"}, default "mae"
        The error the summary and figure compare between groups. Both are computed,
        so a policy may judge either (``to_dict()["group_error"]``).
    min_group_size : int, default 30
        Groups with fewer rows are "insufficient data": reported, but left out of the
        headline comparison.
    n_bootstrap : int, default 200
        Bootstrap resamples for the intervals (0: none). Rows are resampled within
        each group, so every group keeps its size (see :mod:`._error_intervals`).
    confidence_level : float, default 0.95
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    dict of str to RegressionFairnessResult
        One result per attribute, in the order given.

    Raises
    ------
    ConfigError
        An option out of range.
    DataValidationError
        Values that are not finite numbers, lengths that differ, or a missing group.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.arange(80.0)
    >>> pred = y + np.tile([1.0, -1.0], 40) * np.repeat([2.0, 3.0], 40)
    >>> g = np.repeat(["a", "b"], 40)
    >>> r = regression_fairness_report(y, pred, {"site": g}, n_bootstrap=0)["site"]
    >>> r.worst_group, r.best_group, round(r.error_ratio, 2), round(r.error_difference, 2)
    ('b', 'a', 1.5, 1.0)
    """

    _check_options(error_metric, min_group_size, n_bootstrap, confidence_level)
    yt, yp = _numbers(y_true, "y_true"), _numbers(y_pred, "y_pred")
    if len(yt) != len(yp):
        raise DataValidationError(
            "The 'y_true' and 'y_pred' of regression_fairness_report must have the same "
            f"length. Got {len(yt)} and {len(yp)} instead."
        )
    frame = sensitive_frame(sensitive_features)
    return {
        str(col): _attribute_result(
            str(col),
            yt,
            yp,
            frame[col].to_numpy(),
            error_metric=error_metric,
            min_group_size=int(min_group_size),
            n_bootstrap=int(n_bootstrap),
            confidence_level=float(confidence_level),
            seed=seed,
        )
        for col in frame.columns
    }


# --------------------------------------------------------------------------- figure

#: Bar patterns by status: meaning never rests on colour alone.
STATUS_HATCHES = {"worst": "///", "best": "...", "compared": "", "not compared": ""}


def group_errors_figure(
    result: RegressionFairnessResult, *, limit: float | None = None, ax: Axes | None = None
) -> DescribedFigure:
    """Each group's error as a bar, its interval as a whisker, its figures written on."""
    from ..plots import PALETTE, DescribedFigure, _new_axes

    t = result.table
    metric = result.error_metric
    fig, ax = _new_axes(ax, (7.0, 1.0 + 0.5 * len(t)))
    errors = t[metric].to_numpy(dtype=float)
    low = t["error_low"].to_numpy(dtype=float)
    high = t["error_high"].to_numpy(dtype=float)
    top = float(np.nanmax(np.concatenate([errors, high]))) if len(t) else 1.0
    for i, (_, row) in enumerate(t.iterrows()):
        status = str(row["status"])
        insufficient = status == GroupErrorStatus.INSUFFICIENT.value
        ax.barh(
            i,
            errors[i],
            color="white" if insufficient else PALETTE[0],
            edgecolor="black",
            hatch=STATUS_HATCHES.get(status, ""),
            linestyle="--" if insufficient else "-",
        )
        if np.isfinite(low[i]) and np.isfinite(high[i]):
            ax.errorbar(
                errors[i],
                i,
                xerr=[[errors[i] - low[i]], [high[i] - errors[i]]],
                color="black",
                capsize=4,
                linewidth=1,
            )
        ratio = row["error_ratio"]
        shown = f" {_num(errors[i])}"
        if np.isfinite(ratio) and status != GroupErrorStatus.BEST.value:
            shown += f" ({ratio:.2f}x best)"
        ax.text(
            max(errors[i], high[i] if np.isfinite(high[i]) else 0) + 0.01 * top,
            i,
            f"{shown}  {status}",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(np.arange(len(t)), [str(i) for i in t.index])
    ax.invert_yaxis()
    described = result.summary()
    best = result.gap.best
    if limit is not None and best is not None and best > 0:
        allowed = best * limit
        ax.axvline(
            allowed,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"policy limit: {limit:g} x best ({_num(allowed)})",
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, frameon=False)
        top = max(top, allowed)
        described += (
            f" The dashed line marks the policy's limit: an error {limit:g} times the best "
            f"group's ({_num(allowed)})."
        )
    ax.set_xlim(0, top * 1.6 if top > 0 else 1.0)
    words = ERROR_WORDS[metric]
    ax.set_xlabel(words + (" with its bootstrap interval" if result.n_bootstrap else ""))
    title = f"{_capital(words.split(' (')[0])} by {result.attribute}"
    ax.set_title(title)
    return DescribedFigure(fig, title, described)
