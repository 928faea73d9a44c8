"""The tests: two proportions (z and chi-square), McNemar for paired predictions, bootstrap."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

import numpy as np

from .._io import json_ready
from ..errors import ConfigError, DataValidationError
from ._common import check_probability, html_block, p_text
from ._rule import RATE_METRICS

Alternative = Literal["two-sided", "larger", "smaller"]


@dataclass(frozen=True)
class TestResult:
    """One statistical comparison of the challenger with the champion.

    ``estimate`` is always challenger minus champion; the interval is two-sided at
    ``confidence_level``. ``alternative`` follows statsmodels: ``"larger"`` tests
    whether the challenger's value is larger.
    """

    __test__ = False  # not a pytest test class

    test: str
    statistic: float
    p_value: float
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    alternative: str
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.test}: difference {self.estimate:+.4f} (challenger minus champion), "
            f"{self.confidence_level:.0%} interval {self.ci_low:+.4f} to {self.ci_high:+.4f}, "
            f"{p_text(self.p_value)} ({self.alternative})."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "statistic": json_ready(self.statistic),
            "p_value": json_ready(self.p_value),
            "estimate": json_ready(self.estimate),
            "ci_low": json_ready(self.ci_low),
            "ci_high": json_ready(self.ci_high),
            "confidence_level": self.confidence_level,
            "alternative": self.alternative,
            "details": {k: json_ready(v) for k, v in self.details.items()},
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        return html_block(self.test, self.summary())


def _check_alternative(owner: str, alternative: str) -> None:
    if alternative not in ("two-sided", "larger", "smaller"):
        raise ConfigError(
            f"The 'alternative' parameter of {owner} must be 'two-sided', 'larger' or "
            f"'smaller'. Got {alternative!r} instead."
        )


def _p_from_z(z: float, alternative: str) -> float:
    nd = NormalDist()
    if alternative == "larger":
        return 1 - nd.cdf(z)
    if alternative == "smaller":
        return nd.cdf(z)
    return 2 * (1 - nd.cdf(abs(z)))


def _counts(owner: str, successes: Any, totals: Any) -> tuple[int, int, int, int]:
    try:
        (x1, x2), (n1, n2) = successes, totals
    except (TypeError, ValueError):
        raise ConfigError(
            f"The 'successes' and 'totals' of {owner} must each be a pair "
            f"(champion, challenger). Got {successes!r} and {totals!r} instead."
        ) from None
    for name, x, n in (("champion", x1, n1), ("challenger", x2, n2)):
        if (
            not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in (x, n))
            or not 0 <= x <= n
            or n < 1
        ):
            raise ConfigError(
                f"The {name} counts of {owner} must be whole numbers with "
                f"0 <= successes <= totals and totals >= 1. Got {x!r} of {n!r} instead."
            )
    return int(x1), int(n1), int(x2), int(n2)


def _wald_diff(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    p1, p2 = x1 / n1, x2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return p2 - p1 - z * se, p2 - p1 + z * se


def two_proportion_test(
    successes: tuple[int, int],
    totals: tuple[int, int],
    *,
    alternative: Alternative = "two-sided",
    confidence_level: float = 0.95,
) -> TestResult:
    """Two-proportion z-test with the pooled variance, as statsmodels' ``proportions_ztest``.

    Parameters
    ----------
    successes, totals : (int, int)
        Counts for (champion, challenger).

    Examples
    --------
    >>> round(two_proportion_test((100, 130), (1000, 1000)).p_value, 4)
    0.0355
    """
    owner = "two_proportion_test"
    x1, n1, x2, n2 = _counts(owner, successes, totals)
    _check_alternative(owner, alternative)
    level = check_probability(owner, "confidence_level", confidence_level)
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x2 / n2 - x1 / n1) / se if se > 0 else 0.0
    low, high = _wald_diff(x1, n1, x2, n2, level)
    return TestResult(
        "Two-proportion z-test",
        z,
        _p_from_z(z, alternative),
        x2 / n2 - x1 / n1,
        low,
        high,
        level,
        alternative,
        {
            "champion_successes": x1,
            "champion_total": n1,
            "challenger_successes": x2,
            "challenger_total": n2,
        },
    )


def chi_square_test(
    successes: tuple[int, int],
    totals: tuple[int, int],
    *,
    correction: bool = False,
    confidence_level: float = 0.95,
) -> TestResult:
    """Chi-square test of the 2 x 2 table (arm by outcome), via scipy's ``chi2_contingency``.

    Without Yates' ``correction`` the statistic is the square of the z-test's.
    """
    from scipy.stats import chi2_contingency

    owner = "chi_square_test"
    x1, n1, x2, n2 = _counts(owner, successes, totals)
    level = check_probability(owner, "confidence_level", confidence_level)
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    if (table.sum(axis=0) == 0).any():
        stat, p = 0.0, 1.0  # every case has the same outcome: nothing to compare
    else:
        res = chi2_contingency(table, correction=correction)
        stat, p = float(res.statistic), float(res.pvalue)
    low, high = _wald_diff(x1, n1, x2, n2, level)
    return TestResult(
        "Chi-square test" + (" (Yates)" if correction else ""),
        stat,
        p,
        x2 / n2 - x1 / n1,
        low,
        high,
        level,
        "two-sided",
        {
            "champion_successes": x1,
            "champion_total": n1,
            "challenger_successes": x2,
            "challenger_total": n2,
        },
    )


def _binary(owner: str, name: str, values: Any) -> np.ndarray:
    a = np.asarray(values)
    if a.ndim != 1 or not np.isin(a, (0, 1, True, False)).all():
        raise DataValidationError(
            f"The '{name}' of {owner} must be a one-dimensional array of 0/1 or True/False. "
            f"Got values such as {np.unique(a)[:5].tolist()} instead.",
            column=name,
        )
    return a.astype(bool)


def mcnemar_test(
    champion_correct: Any,
    challenger_correct: Any,
    *,
    exact: bool | None = None,
    alternative: Alternative = "two-sided",
    confidence_level: float = 0.95,
) -> TestResult:
    """McNemar's test for two models judged on the same cases (statsmodels' ``mcnemar``).

    Only the discordant cases count: ``b`` where only the champion is right and ``c``
    where only the challenger is. ``exact`` (the binomial test) is used by default
    when b + c < 25, otherwise the chi-square with continuity correction. The
    estimate is the difference in accuracy, with a paired Wald interval.
    """
    from scipy.stats import binom, chi2

    owner = "mcnemar_test"
    a = _binary(owner, "champion_correct", champion_correct)
    b_arr = _binary(owner, "challenger_correct", challenger_correct)
    if len(a) != len(b_arr) or len(a) == 0:
        raise DataValidationError(
            f"The two arrays of {owner} must be paired: the same non-zero length. "
            f"Got {len(a)} and {len(b_arr)} instead."
        )
    _check_alternative(owner, alternative)
    level = check_probability(owner, "confidence_level", confidence_level)
    b, c, n = int((a & ~b_arr).sum()), int((~a & b_arr).sum()), len(a)
    use_exact = (b + c) < 25 if exact is None else bool(exact)
    if b + c == 0:
        stat, p = 0.0, 1.0
    elif use_exact:
        stat = float(min(b, c))
        if alternative == "two-sided":
            p = min(1.0, 2 * float(binom.cdf(min(b, c), b + c, 0.5)))
        elif alternative == "larger":  # challenger better: c large
            p = float(binom.sf(c - 1, b + c, 0.5))
        else:
            p = float(binom.cdf(c, b + c, 0.5))
    else:
        stat = (abs(b - c) - 1) ** 2 / (b + c)
        if alternative == "two-sided":
            p = float(chi2.sf(stat, 1))
        else:
            z = (c - b) / math.sqrt(b + c)
            p = _p_from_z(z, alternative)
    diff = (c - b) / n
    se = math.sqrt(max((b + c) - (c - b) ** 2 / n, 0.0)) / n
    zq = NormalDist().inv_cdf(0.5 + level / 2)
    return TestResult(
        "McNemar's test" + (" (exact)" if use_exact else ""),
        stat,
        p,
        diff,
        diff - zq * se,
        diff + zq * se,
        level,
        alternative,
        {"only_champion_right": b, "only_challenger_right": c, "cases": n},
    )


def rate_masks(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, ...]:
    """(numerator, denominator) masks of a rate metric; rows with no label (NaN) count
    only for ``flag_rate``."""
    pred = y_pred.astype(bool)
    labelled = ~np.isnan(y_true)
    truth = np.where(labelled, y_true, 0).astype(bool)
    if metric == "flag_rate":
        return pred, np.ones_like(pred)
    if metric == "recall":
        return pred & truth, labelled & truth
    if metric == "precision":
        return pred & truth & labelled, pred & labelled
    if metric == "accuracy":
        return (pred == truth) & labelled, labelled
    if metric == "false_positive_rate":
        return pred & labelled & ~truth, labelled & ~truth
    raise ConfigError(
        f"The metric must be one of {', '.join(RATE_METRICS)}. Got {metric!r} instead."
    )
