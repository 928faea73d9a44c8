"""Bootstrap (BCa) intervals for regression errors by group, resampling within groups.

Every figure of a regression fairness report is a function of each group's mean
absolute error and mean squared error. A resample draws rows with replacement
*within each group*, keeping every group's size as it was in the data: the
question is how precisely each group's error level is known, not how many rows
each group happened to get, and a group at least ``min_group_size`` rows large stays
that large in every resample (resampling all rows together could shrink a small group
to a handful of rows, or to none). This is scipy's ``bootstrap`` with one sample per
group (``paired=False``), and its BCa interval with the multi-sample jackknife of
Efron and Tibshirani (1993, eq. 15.36), which ``tests/test_fairness_regression.py``
checks against scipy. It is written out here because scipy's jackknife recomputes
the statistic once per row (``n**2`` work), while leaving one row out of a group
only changes that group's mean, so the jackknife here is exact in ``O(n)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ._counts import _ratio

ErrorMetric = Literal["mae", "rmse"]
#: Error metrics compared between groups: the names used by the policy and metrics.json.
ERROR_METRICS: tuple[ErrorMetric, ...] = ("mae", "rmse")

#: Largest number of resampled row indices held in memory at once.
_CHUNK = 2_000_000


@dataclass(frozen=True)
class _ErrorPairs:
    """The groups (positions among the judged groups) behind each headline figure.

    As for classification (:class:`mlops_kit.fairness._intervals._Pairs`), the worst
    and best groups are fixed on the observed data: the interval is that of "this
    group's error over that group's", a smooth statistic, rather than of a maximum
    over a minimum, whose extremes change places between resamples and bias the
    bootstrap.
    """

    worst: dict[str, int]
    best: dict[str, int]
    primary: str

    def stats(self, mean_abs: np.ndarray, mean_sq: np.ndarray) -> np.ndarray:
        """Figures from per-group means of shape (groups, ...), as (figures, ...).

        Rows: for MAE then RMSE, the worst-to-best ratio and difference; then each
        group's error in the primary metric; then each group's error over the best
        group's (primary metric).
        """
        errors = {"mae": mean_abs, "rmse": np.sqrt(mean_sq)}
        rows = []
        for metric in ERROR_METRICS:
            worst, best = errors[metric][self.worst[metric]], errors[metric][self.best[metric]]
            rows += [_ratio(worst, best), worst - best]
        primary = errors[self.primary]
        best_primary = primary[self.best[self.primary]][None]
        return np.concatenate([np.stack(rows), primary, _ratio(primary, best_primary)])


def _stratified_means(
    abs_errors: Sequence[np.ndarray], *, n_resamples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each group's mean absolute and mean squared error in each resample.

    Returns two arrays of shape (groups, n_resamples).
    """
    rng = np.random.default_rng(seed)
    mean_abs = np.empty((len(abs_errors), n_resamples))
    mean_sq = np.empty((len(abs_errors), n_resamples))
    for g, a in enumerate(abs_errors):
        n = len(a)
        step = max(1, _CHUNK // n)
        for start in range(0, n_resamples, step):
            stop = min(start + step, n_resamples)
            drawn = a[rng.integers(0, n, size=(stop - start, n))]
            mean_abs[g, start:stop] = drawn.mean(axis=1)
            mean_sq[g, start:stop] = (drawn**2).mean(axis=1)
    return mean_abs, mean_sq


def _jackknife(abs_errors: Sequence[np.ndarray], pairs: _ErrorPairs) -> list[np.ndarray]:
    """The figures with each row left out in turn: one array (figures, n_g) per group.

    Leaving a row out of group g changes only g's means, to (sum - x_i) / (n_g - 1).
    """
    mean_abs = np.array([a.mean() for a in abs_errors])
    mean_sq = np.array([(a**2).mean() for a in abs_errors])
    out = []
    for g, a in enumerate(abs_errors):
        n = len(a)
        loo_abs = (a.sum() - a) / (n - 1) if n > 1 else np.full(n, np.nan)
        loo_sq = ((a**2).sum() - a**2) / (n - 1) if n > 1 else np.full(n, np.nan)
        abs_rows = np.repeat(mean_abs[:, None], n, axis=1)
        sq_rows = np.repeat(mean_sq[:, None], n, axis=1)
        abs_rows[g], sq_rows[g] = loo_abs, loo_sq
        out.append(pairs.stats(abs_rows, sq_rows))
    return out


def _bca(
    theta: float,
    boot: np.ndarray,
    jack: Sequence[np.ndarray],
    *,
    confidence_level: float,
) -> tuple[float | None, float | None]:
    """One BCa interval from the estimate, its resamples and its jackknife per group.

    (None, None) when the estimate is undefined, or undefined in more than 5% of
    resamples (a best group whose error can be 0), or in the jackknife.
    """
    from scipy.special import ndtr, ndtri

    b = boot[np.isfinite(boot)]
    if (
        not np.isfinite(theta)
        or len(b) < 0.95 * len(boot)
        or not all(np.isfinite(j).all() for j in jack)
    ):
        return None, None
    share_below = np.mean(b < theta) + 0.5 * np.mean(b == theta)
    z0 = ndtri(np.clip(share_below, 1 / (2 * len(b)), 1 - 1 / (2 * len(b))))
    # Efron and Tibshirani's multi-sample acceleration, as in scipy.stats.bootstrap.
    u = [(len(j) - 1) * (j.mean() - j) for j in jack]
    num = sum(float(np.sum(ui**3)) / len(ui) ** 3 for ui in u)
    den = sum(float(np.sum(ui**2)) / len(ui) ** 2 for ui in u)
    accel = num / (6 * den**1.5) if den > 0 else 0.0
    alpha = (1 - confidence_level) / 2
    z = ndtri(np.array([alpha, 1 - alpha]))
    levels = ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    low, high = np.quantile(b, levels)
    return float(low), float(high)


def _error_intervals(
    abs_errors: Sequence[np.ndarray],
    pairs: _ErrorPairs,
    *,
    n_resamples: int,
    confidence_level: float,
    seed: int,
) -> list[tuple[float | None, float | None]]:
    """BCa intervals of every figure of :meth:`_ErrorPairs.stats`, in its order.

    ``abs_errors`` holds each judged group's absolute errors (one array per group).
    """
    theta = pairs.stats(
        np.array([a.mean() for a in abs_errors]), np.array([(a**2).mean() for a in abs_errors])
    )
    boot = pairs.stats(*_stratified_means(abs_errors, n_resamples=n_resamples, seed=seed))
    jack = _jackknife(abs_errors, pairs)
    return [
        _bca(
            float(theta[i]),
            boot[i],
            [j[i] for j in jack],
            confidence_level=confidence_level,
        )
        for i in range(len(theta))
    ]
