"""Looking at results early without fooling yourself: an always-valid test, and simulations.

The always-valid test is the mixture sequential probability ratio test (mSPRT) of
Johari, Koomen, Pekelis and Walsh (2017, "Peeking at A/B tests"), for the difference
of two proportions under the normal approximation. With a normal mixture N(0, tau^2)
over the true difference, the likelihood ratio of the observed difference d with
variance V is ``sqrt(V / (V + tau^2)) * exp(tau^2 d^2 / (2 V (V + tau^2)))``. Its
reciprocal is a p-value that stays valid however often you look (Ville's inequality),
and inverting it gives a confidence sequence: intervals that hold at every look at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError
from ._common import check_count, check_probability, clean, html_block, p_text, pct

if TYPE_CHECKING:
    from ..plots import DescribedFigure


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
            "estimate": clean(self.estimate),
            "p_value": clean(self.p_value),
            "cs_low": clean(self.cs_low),
            "cs_high": clean(self.cs_high),
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


@dataclass(frozen=True)
class PeekingResult:
    """How often each way of looking declares a difference, by look."""

    baseline: float
    effect: float
    n_looks: int
    traffic_per_look: int
    alpha: float
    n_sims: int
    naive_by_look: tuple[float, ...]
    sequential_by_look: tuple[float, ...]
    fixed_horizon: float

    @property
    def naive(self) -> float:
        return self.naive_by_look[-1]

    @property
    def sequential(self) -> float:
        return self.sequential_by_look[-1]

    def summary(self) -> str:
        what = "false positive rate" if self.effect == 0 else "detection rate (power)"
        text = (
            f"Over {self.n_sims:,} simulated experiments ({self.n_looks} looks of "
            f"{self.traffic_per_look:,} cases, true difference {self.effect:+.3f}): "
            f"testing once at the end gives a {what} of {pct(self.fixed_horizon)}; "
            f"a naive test at every look, stopping at the first significant one, gives "
            f"{pct(self.naive)}; the always-valid sequential test gives {pct(self.sequential)}."
        )
        if self.effect == 0:
            text += (
                f" The promise was {pct(self.alpha, 0)}: peeking with a fixed-horizon test "
                f"multiplies false alarms by {self.naive / self.alpha:.1f}, the sequential "
                "test keeps its promise."
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "effect": self.effect,
            "n_looks": self.n_looks,
            "traffic_per_look": self.traffic_per_look,
            "alpha": self.alpha,
            "n_sims": self.n_sims,
            "naive_by_look": list(self.naive_by_look),
            "sequential_by_look": list(self.sequential_by_look),
            "fixed_horizon": self.fixed_horizon,
            "naive": self.naive,
            "sequential": self.sequential,
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        return html_block("The peeking problem", self.summary())

    def plot(self, ax: Any = None) -> DescribedFigure:
        """Share of experiments that have declared a difference by each look."""
        import matplotlib.pyplot as plt

        from ..plots import DescribedFigure

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.0, 4.0))
        else:
            fig = ax.figure
        looks = np.arange(1, self.n_looks + 1)
        ax.plot(looks, self.naive_by_look, marker="o", label="naive test at every look")
        ax.plot(
            looks,
            self.sequential_by_look,
            marker="s",
            linestyle="--",
            label="always-valid sequential test",
        )
        ax.axhline(self.alpha, color="black", linestyle=":", label=f"alpha = {self.alpha:g}")
        ax.set_xlabel("look")
        ax.set_ylabel("share of experiments declaring a difference")
        ax.legend()
        title = "Declared differences by look"
        return DescribedFigure(fig, title, self.summary())


def _simulate_counts(
    rng: np.random.Generator, n: int, p: float, sims: int, looks: int
) -> np.ndarray:
    return np.cumsum(rng.binomial(n, p, size=(sims, looks)), axis=1).astype(float)


def simulate_peeking(
    *,
    baseline: float = 0.1,
    effect: float = 0.0,
    n_looks: int = 10,
    traffic_per_look: int = 1000,
    share: float = 0.5,
    alpha: float = 0.05,
    mixture_scale: float = 0.02,
    n_sims: int = 4000,
    seed: int = 0,
) -> PeekingResult:
    """Monte Carlo of many experiments looked at ``n_looks`` times.

    Compares a fixed-horizon z-test applied at every look (stop at the first
    p < alpha), the same test applied once at the end, and the always-valid test.

    Examples
    --------
    >>> r = simulate_peeking(n_sims=2000, seed=1)
    >>> r.naive > 2 * r.alpha, r.sequential <= r.alpha
    (True, True)
    """
    owner = "simulate_peeking"
    check_probability(owner, "baseline", baseline)
    if not 0 < baseline + effect < 1:
        raise ConfigError(
            f"The 'effect' parameter of {owner} must keep baseline + effect inside (0, 1). "
            f"Got {effect!r} (baseline {baseline:g}) instead."
        )
    check_count(owner, "n_looks", n_looks)
    check_count(owner, "traffic_per_look", traffic_per_look, minimum=4)
    share = check_probability(owner, "share", share)
    alpha = check_probability(owner, "alpha", alpha, high=0.5)
    check_count(owner, "n_sims", n_sims, minimum=100)
    n2 = max(1, round(traffic_per_look * share))
    n1 = max(1, traffic_per_look - n2)
    rng = np.random.default_rng(seed)
    x1 = _simulate_counts(rng, n1, baseline, n_sims, n_looks)
    x2 = _simulate_counts(rng, n2, baseline + effect, n_sims, n_looks)
    looks = np.arange(1, n_looks + 1, dtype=float)
    c1, c2 = n1 * looks, n2 * looks
    naive = _z_p(x1, c1, x2, c2) <= alpha
    seq = _log_lr(x2 / c2 - x1 / c1, _variance(x1, c1, x2, c2), mixture_scale**2) >= math.log(
        1 / alpha
    )
    return PeekingResult(
        baseline,
        float(effect),
        n_looks,
        traffic_per_look,
        alpha,
        n_sims,
        tuple(float(v) for v in np.maximum.accumulate(naive, axis=1).mean(axis=0)),
        tuple(float(v) for v in np.maximum.accumulate(seq, axis=1).mean(axis=0)),
        float(naive[:, -1].mean()),
    )


@dataclass(frozen=True)
class PowerSimulation:
    """Simulated power and false positive rate of one fixed-horizon design."""

    traffic: int
    baseline: float
    effect: float
    share: float
    alpha: float
    n_champion: int
    n_challenger: int
    power: float
    false_positive_rate: float
    analytic_power: float
    n_sims: int
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"With {self.traffic:,} cases ({self.n_champion:,} champion, {self.n_challenger:,} "
            f"challenger, {self.share:.0%} to the challenger), a true change of "
            f"{self.effect:+.3f} from {pct(self.baseline)} is detected in "
            f"{pct(self.power)} of {self.n_sims:,} simulated experiments (formula: "
            f"{pct(self.analytic_power)}). When there is no change, "
            f"{pct(self.false_positive_rate)} of experiments still declare one "
            f"(the promise is {pct(self.alpha, 0)})."
            + (" Power below 80%: send more traffic or wait longer." if self.power < 0.8 else "")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            k: clean(getattr(self, k))
            for k in (
                "traffic",
                "baseline",
                "effect",
                "share",
                "alpha",
                "n_champion",
                "n_challenger",
                "power",
                "false_positive_rate",
                "analytic_power",
                "n_sims",
            )
        } | {"summary": self.summary()}

    def _repr_html_(self) -> str:
        return html_block("Simulated power", self.summary())


def simulate_power(
    traffic: int,
    *,
    baseline: float = 0.1,
    effect: float = 0.02,
    share: float = 0.5,
    alpha: float = 0.05,
    n_sims: int = 4000,
    seed: int = 0,
) -> PowerSimulation:
    """Simulate many experiments of ``traffic`` cases: power, and false positives at no change.

    Examples
    --------
    >>> r = simulate_power(4000, effect=0.03, seed=0)
    >>> r.power > 0.8 and r.false_positive_rate < 0.07
    True
    """
    owner = "simulate_power"
    check_count(owner, "traffic", traffic, minimum=4)
    baseline = check_probability(owner, "baseline", baseline)
    if (
        isinstance(effect, bool)
        or not isinstance(effect, int | float)
        or not 0 < baseline + effect < 1
    ):
        raise ConfigError(
            f"The 'effect' parameter of {owner} must be a number keeping baseline + effect "
            f"inside (0, 1). Got {effect!r} (baseline {baseline:g}) instead."
        )
    share = check_probability(owner, "share", share)
    alpha = check_probability(owner, "alpha", alpha, high=0.5)
    check_count(owner, "n_sims", n_sims, minimum=100)
    n2 = min(traffic - 1, max(1, round(traffic * share)))
    n1 = traffic - n2
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(n1, baseline, size=(2, n_sims)).astype(float)
    x2 = np.stack(
        [rng.binomial(n2, baseline + effect, n_sims), rng.binomial(n2, baseline, n_sims)]
    ).astype(float)
    rejected = _z_p(x1, n1, x2, n2) <= alpha
    p2 = baseline + effect
    se = math.sqrt(baseline * (1 - baseline) / n1 + p2 * (1 - p2) / n2)
    nd = NormalDist()
    z_a = nd.inv_cdf(1 - alpha / 2)
    analytic = nd.cdf(abs(effect) / se - z_a) + nd.cdf(-abs(effect) / se - z_a)
    return PowerSimulation(
        traffic,
        baseline,
        float(effect),
        share,
        alpha,
        n1,
        n2,
        float(rejected[0].mean()),
        float(rejected[1].mean()),
        analytic,
        n_sims,
    )
