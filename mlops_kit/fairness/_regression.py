"""Fairness of a regression model: how its errors differ between the groups of an attribute.

For each group: the row count, mean absolute error (MAE), root mean squared error
(RMSE), mean prediction, mean actual value and mean error (prediction minus actual:
the group's bias), computed by fairlearn's ``MetricFrame`` with scikit-learn's metric
functions. The headline figures compare the groups with at least ``min_group_size``
rows: the worst group's error over the best group's (the ratio a policy limits) and
their difference, with bootstrap intervals (:mod:`._error_intervals`). The result and its
figure are in ``_regression_result``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._counts import _factorize, sensitive_frame
from ._error_intervals import ERROR_METRICS, ErrorMetric, _error_intervals, _ErrorPairs
from ._regression_result import (
    ErrorGap,
    GroupErrorStatus,
    Interval,
    RegressionFairnessResult,
)

if TYPE_CHECKING:
    import pandas as pd


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
        gaps = _compare_groups(
            table,
            status,
            judged,
            names,
            np.abs(y_pred - y_true),
            codes,
            error_metric=error_metric,
            n_bootstrap=n_bootstrap,
            confidence_level=confidence_level,
            seed=seed,
        )
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


def _compare_groups(
    table: pd.DataFrame,
    status: np.ndarray,
    judged: np.ndarray,
    names: list[str],
    abs_error: np.ndarray,
    codes: np.ndarray,
    *,
    error_metric: ErrorMetric,
    n_bootstrap: int,
    confidence_level: float,
    seed: int,
) -> dict[ErrorMetric, ErrorGap]:
    """The worst and best of the judged groups, with intervals; ``table`` and ``status``
    are filled in place (each judged group's status, error ratio and intervals)."""
    gaps: dict[ErrorMetric, ErrorGap] = {}
    values = {m: table[m].to_numpy(dtype=float)[judged] for m in ERROR_METRICS}
    ends = {m: _extremes(values[m]) for m in ERROR_METRICS}
    pairs = _ErrorPairs(
        worst={m: w for m, (w, _) in ends.items()},
        best={m: b for m, (_, b) in ends.items()},
        primary=error_metric,
    )
    bounds: list[Interval] = [(None, None)] * (4 + 2 * len(judged))
    if n_bootstrap:
        abs_errors = [abs_error[codes == g] for g in judged]
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
    return gaps


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
