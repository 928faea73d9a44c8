"""The A/B test simulator's model: what a design can detect, and what peeking does.

:func:`simulate_design` is a plain function over :func:`mlops_kit.abtest.simulate_power`
and :func:`mlops_kit.abtest.simulate_peeking` that returns a frozen
:class:`DesignSimulation`: a reading in words and a figure with its text description.
The view, :class:`~mlops_kit.widgets.ABTestSimulator` (``_abtest``), calls it whenever a
control changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..abtest import PeekingResult, PowerSimulation, simulate_peeking, simulate_power
from ..errors import ConfigError
from ..figures import DescribedFigure

__all__ = ["ALPHAS", "MODES", "DesignSimulation", "Mode", "simulate_design"]

Mode = Literal["power", "peeking"]


MODES: dict[str, str] = {
    "power": "Power and false positives (one look at the end)",
    "peeking": "The peeking problem (a look after every batch)",
}


ALPHAS = (0.01, 0.05, 0.1)


@dataclass(frozen=True)
class DesignSimulation:
    """The simulated behaviour of one experiment design.

    Attributes
    ----------
    mode : {"power", "peeking"}
    power : PowerSimulation
        One look at the end: power at the chosen effect, false positives at none.
    peeking_null, peeking_effect : PeekingResult or None
        Peeking view only: the same experiments looked at after every batch, when
        there is no real change and when the change is the chosen effect.
    """

    mode: Mode
    power: PowerSimulation
    peeking_null: PeekingResult | None = None
    peeking_effect: PeekingResult | None = None

    def reading(self) -> str:
        """The result in plain words."""
        p = self.power
        if self.mode == "power":
            return (
                f"One look at the end of {p.traffic:,} cases: a real change of "
                f"{p.effect:+.3f} from {p.baseline:.1%} is detected in {p.power:.0%} of "
                f"simulated experiments (power); with no real change, {p.false_positive_rate:.1%} "
                f"still declare one (false positive rate, promised {p.alpha:.0%})."
                + (
                    " Power is below 80%: most real improvements of this size would be missed."
                    if p.power < 0.8
                    else " Power is at least 80%: the design is adequate for this effect."
                )
            )
        null, eff = self.peeking_null, self.peeking_effect
        assert null is not None
        assert eff is not None
        if eff.effect == 0:
            power_words = (
                "Set a real change above 0 to see what the sequential test costs in power."
            )
        else:
            power_words = (
                f"With a real change of {eff.effect:+.3f}, the sequential test detects it in "
                f"{eff.sequential:.0%} of experiments and one look at the end in "
                f"{eff.fixed_horizon:.0%}: the price of being allowed to look at any time."
            )
        return (
            f"{null.n_looks} looks, one after every {null.traffic_per_look:,} cases. With no "
            f"real change, stopping at the first significant naive test declares a difference "
            f"in {null.naive:.1%} of experiments, against {null.alpha:.0%} promised "
            f"({null.naive / null.alpha:.1f} times as many false alarms); the always-valid "
            f"sequential test declares one in {null.sequential:.1%}. {power_words}"
        )

    def figure(self) -> DescribedFigure:
        """Bars of power and false positives, or the false alarms by look."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.0, 3.6), layout="constrained")
        ax = fig.add_subplot()
        if self.mode == "peeking":
            assert self.peeking_null is not None
            self.peeking_null.plot(ax=ax)
            ax.set_title("False alarms by look when nothing changed")
            return DescribedFigure(
                fig,
                "False alarms by look: naive peeking against the sequential test",
                self.reading(),
            )
        p = self.power
        labels = ["detects a real change\n(power)", "declares a change\nthat is not there"]
        values = [p.power, p.false_positive_rate]
        bars = ax.bar(labels, values, color=["#4c72b0", "#dd8452"], edgecolor="black")
        bars[1].set_hatch("//")
        for bar, v in zip(bars, values, strict=True):
            ax.annotate(
                f"{v:.1%}",
                (bar.get_x() + bar.get_width() / 2, v),
                ha="center",
                va="bottom",
                xytext=(0, 3),
                textcoords="offset points",
            )
        ax.axhline(0.8, color="black", linestyle="--", label="80% power target")
        ax.axhline(p.alpha, color="black", linestyle=":", label=f"alpha = {p.alpha:g}")
        ax.set_ylim(0, 1.08)
        ax.set_ylabel("share of simulated experiments")
        ax.legend(loc="upper right")
        return DescribedFigure(fig, "Simulated power and false positive rate", self.reading())

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "power": self.power.to_dict(),
            "peeking_null": None if self.peeking_null is None else self.peeking_null.to_dict(),
            "peeking_effect": None
            if self.peeking_effect is None
            else self.peeking_effect.to_dict(),
            "reading": self.reading(),
        }

    def _repr_html_(self) -> str:
        return self.figure().to_html()


def simulate_design(
    traffic: int,
    *,
    baseline: float = 0.1,
    effect: float = 0.02,
    share: float = 0.5,
    alpha: float = 0.05,
    n_looks: int = 10,
    mode: Mode = "power",
    n_sims: int = 2000,
    seed: int = 0,
) -> DesignSimulation:
    """Simulate one experiment design: power and false positives, or the peeking problem.

    Parameters
    ----------
    traffic : int
        Cases in the whole experiment, both arms together.
    baseline : float
        The champion's rate (for example its recall), in (0, 1).
    effect : float
        The real change the challenger brings (absolute, may be negative).
    share : float
        Share of the traffic sent to the challenger.
    alpha : float
        Significance level.
    n_looks : int
        Peeking view: how many times the results are looked at, evenly spread.
    mode : {"power", "peeking"}

    Examples
    --------
    >>> s = simulate_design(8000, baseline=0.1, effect=0.02, mode="peeking", n_sims=500)
    >>> s.peeking_null.naive > s.peeking_null.alpha > s.peeking_null.sequential
    True
    """
    if mode not in MODES:
        raise ConfigError(
            f"The 'mode' parameter of simulate_design must be one of {', '.join(MODES)}. "
            f"Got {mode!r} instead."
        )
    power = simulate_power(
        traffic,
        baseline=baseline,
        effect=effect,
        share=share,
        alpha=alpha,
        n_sims=n_sims,
        seed=seed,
    )
    if mode == "power":
        return DesignSimulation("power", power)
    if isinstance(n_looks, bool) or not isinstance(n_looks, int) or not 2 <= n_looks <= 100:
        raise ConfigError(
            "The 'n_looks' parameter of simulate_design must be a whole number from 2 to 100 "
            f"for the peeking view. Got {n_looks!r} instead."
        )
    if traffic // n_looks < 4:
        raise ConfigError(
            "The 'traffic' parameter of simulate_design must give at least 4 cases per look "
            f"({n_looks} looks need {4 * n_looks:,} cases). Got {traffic!r} instead."
        )
    common = {
        "baseline": baseline,
        "n_looks": n_looks,
        "traffic_per_look": traffic // n_looks,
        "share": share,
        "alpha": alpha,
        "mixture_scale": abs(effect) if effect else 0.02,
        "n_sims": n_sims,
        "seed": seed,
    }
    null = simulate_peeking(effect=0.0, **common)  # type: ignore[arg-type]
    with_effect = simulate_peeking(effect=effect, **common)  # type: ignore[arg-type]
    return DesignSimulation("peeking", power, null, with_effect)
