"""The bootstrap of a metric's difference between champion and challenger.

Named metrics (ROC AUC and the rates) are computed for many resamples at once, as case
weights; any other metric goes through :func:`scipy.stats.bootstrap`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._common import check_count, check_probability
from ._rule import RATE_METRICS
from ._stats import TestResult, rate_masks


def _weighted_auc(y: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """ROC AUC (ties count a half) for each row of case weights ``w`` (resamples, n)."""
    order = np.argsort(s, kind="stable")
    ss, pos = s[order], y[order].astype(bool)
    starts = np.flatnonzero(np.r_[True, np.diff(ss) != 0])
    wo = w[:, order]
    posw = np.add.reduceat(wo * pos, starts, axis=1)
    negw = np.add.reduceat(wo * ~pos, starts, axis=1)
    below = np.cumsum(negw, axis=1) - negw
    with np.errstate(invalid="ignore", divide="ignore"):
        return (posw * (below + 0.5 * negw)).sum(axis=1) / (posw.sum(axis=1) * negw.sum(axis=1))


def _weighted_metric(metric: str, y: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    if metric == "roc_auc":
        return _weighted_auc(y, s, w)
    num, den = rate_masks(metric, y.astype(float), s)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w @ num.astype(float)) / (w @ den.astype(float))


def _resample_weights(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """How often each case is drawn in ``size`` resamples of ``n`` cases with replacement."""
    idx = rng.integers(0, n, (size, n)) + (np.arange(size) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=size * n).reshape(size, n).astype(float)


def _boot(
    metric: str,
    y: np.ndarray,
    s: np.ndarray,
    rng: np.random.Generator,
    b: int,
    s2: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Bootstrap values of the metric (and of a second, paired score) in chunks."""
    n = len(y)
    chunk = max(1, 2_000_000 // n)
    first, second = [], []
    for start in range(0, b, chunk):
        w = _resample_weights(rng, n, min(chunk, b - start))
        first.append(_weighted_metric(metric, y, s, w))
        if s2 is not None:
            second.append(_weighted_metric(metric, y, s2, w))
    return np.concatenate(first), (np.concatenate(second) if s2 is not None else None)


def bootstrap_difference(
    y_true: Any,
    champion: Any,
    challenger: Any,
    *,
    metric: str | Callable[[np.ndarray, np.ndarray], float] = "roc_auc",
    y_true_challenger: Any = None,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> TestResult:
    """Percentile bootstrap interval for challenger minus champion on any metric.

    Paired (both models scored the same cases, the default): each resample draws
    cases, and both models are scored on the same draw. With ``y_true_challenger``
    the arms are independent samples (a live split) and are resampled separately.
    Named metrics (``roc_auc`` and the rates, given 0/1 predictions) are vectorised
    over resamples; a callable ``metric(y_true, scores)`` goes through
    :func:`scipy.stats.bootstrap`. The p-value is twice the share of resampled
    differences on the far side of zero (a rough guide; the interval is the result).
    """
    owner = "bootstrap_difference"
    check_count(owner, "n_resamples", n_resamples, minimum=100)
    level = check_probability(owner, "confidence_level", confidence_level)
    if isinstance(metric, str) and metric not in (*RATE_METRICS, "roc_auc"):
        raise ConfigError(
            f"The 'metric' parameter of {owner} must be 'roc_auc', a rate metric or a "
            f"callable. Got {metric!r} instead."
        )
    y1 = np.asarray(y_true, dtype=float)
    s1, s2 = np.asarray(champion, dtype=float), np.asarray(challenger, dtype=float)
    y2 = y1 if y_true_challenger is None else np.asarray(y_true_challenger, dtype=float)
    if len(y1) != len(s1) or len(y2) != len(s2) or len(y1) < 2 or len(y2) < 2:
        raise DataValidationError(
            f"The labels and scores of {owner} must line up, at least 2 per arm. Got "
            f"{len(y1)} labels and {len(s1)} champion scores, {len(y2)} labels and "
            f"{len(s2)} challenger scores instead."
        )
    rng = np.random.default_rng(seed)
    paired = y_true_challenger is None
    if callable(metric):
        theta, diffs, low, high = _scipy_bootstrap(
            metric, (y1, s1), (y2, s2), rng, paired=paired, n_resamples=n_resamples, level=level
        )
        name = getattr(metric, "__name__", "metric")
    else:
        theta, diffs, low, high = _named_bootstrap(
            metric, (y1, s1), (y2, s2), rng, paired=paired, n_resamples=n_resamples, level=level
        )
        name = metric
    p = float(min(1.0, 2 * min((diffs <= 0).mean(), (diffs >= 0).mean())))
    return TestResult(
        f"{'Paired' if paired else 'Two-sample'} bootstrap of {name}",
        theta,
        p,
        theta,
        low,
        high,
        level,
        "two-sided",
        {"n_resamples": n_resamples, "paired": paired, "bootstrap_sd": float(np.std(diffs))},
    )


def _scipy_bootstrap(
    metric: Callable[[np.ndarray, np.ndarray], float],
    arm1: tuple[np.ndarray, np.ndarray],
    arm2: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
    *,
    paired: bool,
    n_resamples: int,
    level: float,
) -> tuple[float, np.ndarray, float, float]:
    """A callable metric's difference, its resampled differences and interval (scipy)."""
    from scipy.stats import bootstrap

    (y1, s1), (y2, s2) = arm1, arm2
    theta = float(metric(y2, s2) - metric(y1, s1))
    if paired:
        res = bootstrap(
            (y1, s1, s2),
            lambda y, a, b: metric(y, b) - metric(y, a),
            paired=True,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=level,
            method="percentile",
            random_state=rng,
        )
    else:
        res = bootstrap(
            (np.arange(len(y1)), np.arange(len(y2))),
            lambda i, j: metric(y2[j], s2[j]) - metric(y1[i], s1[i]),
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=level,
            method="percentile",
            random_state=rng,
        )
    diffs = np.asarray(res.bootstrap_distribution)
    return theta, diffs, float(res.confidence_interval.low), float(res.confidence_interval.high)


def _named_bootstrap(
    metric: str,
    arm1: tuple[np.ndarray, np.ndarray],
    arm2: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
    *,
    paired: bool,
    n_resamples: int,
    level: float,
) -> tuple[float, np.ndarray, float, float]:
    """A named metric's difference, its resampled differences and percentile interval."""
    (y1, s1), (y2, s2) = arm1, arm2
    ones1, ones2 = np.ones((1, len(y1))), np.ones((1, len(y2)))
    theta = float(
        _weighted_metric(metric, y2, s2, ones2)[0] - _weighted_metric(metric, y1, s1, ones1)[0]
    )
    if paired:
        a, b = _boot(metric, y1, s1, rng, n_resamples, s2)
        assert b is not None
        diffs = b - a
    else:
        diffs = (
            _boot(metric, y2, s2, rng, n_resamples)[0] - _boot(metric, y1, s1, rng, n_resamples)[0]
        )
    diffs = diffs[np.isfinite(diffs)]
    if len(diffs) < 0.95 * n_resamples:
        raise DataValidationError(
            f"The metric {metric!r} must be defined in most resamples (both classes "
            f"present). Got it defined in only {len(diffs)} of {n_resamples} instead."
        )
    low, high = (float(v) for v in np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2]))
    return theta, diffs, low, high
