"""Looking at results early without fooling yourself: an always-valid test.

The always-valid test is the mixture sequential probability ratio test (mSPRT) of
Johari, Koomen, Pekelis and Walsh (2017, "Peeking at A/B tests"), for the difference
of two proportions under the normal approximation. With a normal mixture N(0, tau^2)
over the true difference, the likelihood ratio of the observed difference d with
variance V is ``sqrt(V / (V + tau^2)) * exp(tau^2 d^2 / (2 V (V + tau^2)))``. Its
reciprocal is a p-value that stays valid however often you look (Ville's inequality),
and inverting it gives a confidence sequence: intervals that hold at every look at once.
The simulations that show why it matters are in ``_simulate``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._io import json_ready
from ..errors import ConfigError
from ._common import check_probability, html_block, p_text


def _variance(x1: Any, n1: Any, x2: Any, n2: Any) -> Any:
    """Unpooled variance of the difference, with rates nudged off 0 and 1."""
    p1, p2 = (x1 + 0.5) / (n1 + 1), (x2 + 0.5) / (n2 + 1)
    return p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2


def _log_lr(d: Any, v: Any, tau2: float) -> Any:
    return 0.5 * np.log(v / (v + tau2)) + tau2 * d**2 / (2 * v * (v + tau2))


def _half_width(v: Any, tau2: float, alpha: float) -> Any:
    return np.sqrt(2 * v * (v + tau2) / tau2 * (math.log(1 / alpha) + 0.5 * np.log((v + tau2) / v)))


@dataclass(frozen=True)
class SequentialResult:
    """The always-valid test at the latest look."""

    estimate: float
    p_value: float
    cs_low: float
    cs_high: float
    alpha: float
    mixture_scale: float
    looks: int

    @property
    def significant(self) -> bool:
        return self.p_value <= self.alpha

    def summary(self) -> str:
        return (
            f"Always-valid test (mSPRT) after {self.looks} look(s): difference "
            f"{self.estimate:+.4f}, always-valid {p_text(self.p_value)}; "
            f"{1 - self.alpha:.0%} confidence sequence {self.cs_low:+.4f} to {self.cs_high:+.4f}. "
            "You may look as often as you like: these figures stay valid."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": json_ready(self.estimate),
            "p_value": json_ready(self.p_value),
            "cs_low": json_ready(self.cs_low),
            "cs_high": json_ready(self.cs_high),
            "alpha": self.alpha,
            "mixture_scale": self.mixture_scale,
            "looks": self.looks,
            "significant": self.significant,
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        return html_block("Sequential test", self.summary())


def sequential_test(
    successes: Any,
    totals: Any,
    *,
    alpha: float = 0.05,
    mixture_scale: float = 0.02,
) -> SequentialResult:
    """Always-valid test of challenger minus champion rate at one look or over several.

    Parameters
    ----------
    successes, totals : (champion, challenger)
        Counts so far; each may be a sequence of cumulative counts, one per look, in
        which case the p-value is the smallest over the looks and the confidence
        sequence the intersection of the intervals (both remain valid).
    mixture_scale : float
        tau, the spread of differences the test is tuned to find; the minimum
        detectable effect is a good choice. It changes power, never validity.

    Examples
    --------
    >>> r = sequential_test((100, 160), (1000, 1000))
    >>> r.significant, round(r.estimate, 2)
    (True, 0.06)
    """
    owner = "sequential_test"
    alpha = check_probability(owner, "alpha", alpha, high=0.5)
    tau = check_probability(owner, "mixture_scale", mixture_scale)
    try:
        x1, x2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in successes)
        n1, n2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in totals)
    except (TypeError, ValueError):
        raise ConfigError(
            f"The 'successes' and 'totals' of {owner} must each be a pair (champion, "
            f"challenger) of counts. Got {successes!r} and {totals!r} instead."
        ) from None
    if (
        not (x1.shape == x2.shape == n1.shape == n2.shape)
        or (n1 < 1).any()
        or (n2 < 1).any()
        or (x1 < 0).any()
        or (x2 < 0).any()
        or (x1 > n1).any()
        or (x2 > n2).any()
    ):
        raise ConfigError(
            f"The counts of {owner} must have one value per look in each arm, with "
            f"0 <= successes <= totals and totals >= 1. Got successes {successes!r} and "
            f"totals {totals!r} instead."
        )
    d = x2 / n2 - x1 / n1
    v = _variance(x1, n1, x2, n2)
    tau2 = tau**2
    p = float(min(1.0, np.exp(-_log_lr(d, v, tau2)).min()))
    hw = _half_width(v, tau2, alpha)
    return SequentialResult(
        float(d[-1]), p, float((d - hw).max()), float((d + hw).min()), alpha, tau, len(d)
    )


def _z_p(x1: Any, n1: Any, x2: Any, n2: Any, alternative: str = "two-sided") -> Any:
    """Vectorised pooled two-proportion z-test p-values (as two_proportion_test)."""
    from scipy.stats import norm

    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, (x2 / n2 - x1 / n1) / np.where(se > 0, se, 1), 0.0)
    if alternative == "larger":
        return norm.sf(z)
    return 2 * norm.sf(np.abs(z))
