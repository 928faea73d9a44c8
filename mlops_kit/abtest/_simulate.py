"""Simulations for the A/B testing lesson: why peeking misleads, and what a design detects.

:func:`simulate_peeking` runs many experiments looked at again and again and counts how
often each test declares a difference; :func:`simulate_power` how often a design
detects a given effect. Both use the test statistics of ``_sequential``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from .._io import json_ready
from ..errors import ConfigError
from ..figures import DescribedFigure, new_axes
from ._common import check_count, check_probability, html_block, pct
from ._sequential import _log_lr, _variance, _z_p


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
        fig, ax = new_axes(ax, (6.0, 4.0))
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
            k: json_ready(getattr(self, k))
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
