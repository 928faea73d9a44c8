"""A/B test simulator: what a design can detect, and why peeking breaks a fixed test.

The model is :func:`simulate_design` (``_abtest_simulation``), a plain function over
:func:`mlops_kit.abtest.simulate_power` and :func:`mlops_kit.abtest.simulate_peeking`
that returns a frozen :class:`DesignSimulation` (a reading in words and a figure with
its text description). The view is :class:`ABTestSimulator`: labelled controls for the
traffic, the baseline rate, the effect, the split, the significance level and the
number of looks, and a choice between the two views. A notebook calls
:func:`simulate_design` (or :meth:`ABTestSimulator.simulate`) directly, which is what
every change of a control does, so the same cell runs unattended under papermill.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

import ipywidgets as widgets

from ..errors import ConfigError, MlopsKitError
from ._abtest_simulation import ALPHAS, MODES, DesignSimulation, Mode, simulate_design
from ._static import StaticSnapshot

__all__ = ["ABTestSimulator"]


_INTRO = (
    "<p>Set up an experiment and see what it can detect. <em>Power</em> is the "
    "share of experiments that detect a real change; the <em>false positive "
    "rate</em> is the share that declare a change when there is none. Switch to "
    "the peeking view to see what happens when results are checked after every "
    "batch. Every change re-runs the simulation.</p>"
)


def _check_settings(*, alpha: float, traffic: int) -> None:
    """The settings the simulator's controls cannot hold, refused before anything is built."""
    where = "ABTestSimulator"
    if alpha not in ALPHAS:
        raise ConfigError(
            f"The 'alpha' parameter of {where} must be one of "
            f"{', '.join(map(str, ALPHAS))}. Got {alpha!r} instead."
        )
    if isinstance(traffic, bool) or not isinstance(traffic, int) or not 20 <= traffic <= 10**6:
        raise ConfigError(
            f"The 'traffic' parameter of {where} must be a whole number from 20 to "
            f"1,000,000. Got {traffic!r} instead."
        )


class ABTestSimulator(StaticSnapshot, widgets.VBox):
    """Labelled controls for an experiment design, with power and false positives in words.

    Every change of a control re-runs :func:`simulate_design` and writes the reading
    into a status line and the figure (with its description) beneath. Every control
    is labelled and works with the keyboard: Tab between them, arrow keys on the
    sliders and the choice of view, type a number into the number boxes.

    Parameters
    ----------
    traffic : int, default 4000
        Cases in the whole experiment, both arms together.
    baseline, effect, share, alpha, n_looks, mode
        The starting values, as for :func:`simulate_design`.
    n_sims : int, default 2000
        Simulated experiments per setting.
    seed : int, default 0

    Attributes
    ----------
    result : DesignSimulation
        The simulation for the current settings.
    value : dict
        The current settings.

    Examples
    --------
    >>> sim = ABTestSimulator(traffic=4000, n_sims=500)
    >>> sim.traffic_input.value = 12000
    >>> sim.result.power.traffic, sim.result.power.power > 0.8
    (12000, True)
    """

    _n_sims: int
    _seed: int
    _result: DesignSimulation

    def __init__(
        self,
        *,
        traffic: int = 4000,
        baseline: float = 0.1,
        effect: float = 0.02,
        share: float = 0.5,
        alpha: float = 0.05,
        n_looks: int = 10,
        mode: Mode = "power",
        n_sims: int = 2000,
        seed: int = 0,
    ) -> None:
        _check_settings(alpha=alpha, traffic=traffic)
        self._n_sims, self._seed = n_sims, seed
        # Computing first validates every setting before any widget is built.
        self._result = simulate_design(
            traffic,
            baseline=baseline,
            effect=effect,
            share=share,
            alpha=alpha,
            n_looks=n_looks,
            mode=mode,
            n_sims=n_sims,
            seed=seed,
        )
        # Wide enough for the longest description, so no label is cut off with an
        # ellipsis (the whole text would show only on hover, never to a keyboard user).
        style = {"description_width": "24em"}
        wide = widgets.Layout(width="min(50em, 100%)")
        short = widgets.Layout(width="min(34em, 100%)")
        intro = widgets.HTML(value=_INTRO)
        self._build_inputs(
            traffic=traffic,
            alpha=alpha,
            n_looks=n_looks,
            mode=mode,
            style=style,
            wide=wide,
            short=short,
        )
        self._build_sliders(baseline=baseline, effect=effect, share=share, style=style, wide=wide)
        self._status = widgets.HTML()
        self._figure = widgets.HTML()
        self._echo = widgets.Label()
        for control, css in (
            (self._mode, "mlops-abtest-mode"),
            (self._traffic, "mlops-abtest-traffic"),
            (self._baseline, "mlops-abtest-baseline"),
            (self._effect, "mlops-abtest-effect"),
            (self._share, "mlops-abtest-share"),
            (self._alpha, "mlops-abtest-alpha"),
            (self._looks, "mlops-abtest-looks"),
            (self._status, "mlops-abtest-status"),
            (self._figure, "mlops-abtest-figure"),
            (self._echo, "mlops-abtest-echo"),
        ):
            control.add_class(css)
        super().__init__(
            children=[
                intro,
                self._mode,
                self._traffic,
                self._baseline,
                self._effect,
                self._share,
                self._alpha,
                self._looks,
                self._status,
                self._figure,
                self._echo,
            ]
        )
        self.add_class("mlops-abtest-simulator")
        self._render()
        for control in self._controls():
            control.observe(self._on_change, names="value")

    def _build_inputs(
        self,
        *,
        traffic: int,
        alpha: float,
        n_looks: int,
        mode: Mode,
        style: dict[str, str],
        wide: widgets.Layout,
        short: widgets.Layout,
    ) -> None:
        """The choice of view, the traffic, the significance level and the looks."""
        self._mode = widgets.ToggleButtons(
            options=[(label, key) for key, label in MODES.items()],
            value=mode,
            description="View",
            style={"description_width": "initial", "button_width": "auto"},
        )
        self._traffic = widgets.BoundedIntText(
            value=traffic,
            min=20,
            max=10**6,
            step=500,
            description="Cases in the experiment (both arms)",
            style=style,
            layout=wide,
        )
        self._alpha = widgets.Dropdown(
            options=[(f"{a:g}", a) for a in ALPHAS],
            value=alpha,
            description="Significance level (alpha)",
            style=style,
            layout=short,
        )
        self._looks = widgets.BoundedIntText(
            value=n_looks,
            min=2,
            max=100,
            description="Looks at the results (peeking view)",
            style=style,
            layout=short,
        )

    def _build_sliders(
        self,
        *,
        baseline: float,
        effect: float,
        share: float,
        style: dict[str, str],
        wide: widgets.Layout,
    ) -> None:
        """The sliders for the champion's rate, the real change and the challenger's share."""
        self._baseline = widgets.FloatSlider(
            value=baseline,
            min=0.01,
            max=0.9,
            step=0.01,
            description="Champion's rate (baseline)",
            readout_format=".2f",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self._effect = widgets.FloatSlider(
            value=effect,
            min=-0.1,
            max=0.1,
            step=0.005,
            description="Real change (challenger minus champion)",
            readout_format="+.3f",
            continuous_update=False,
            style=style,
            layout=wide,
        )
        self._share = widgets.FloatSlider(
            value=share,
            min=0.05,
            max=0.95,
            step=0.05,
            description="Share of traffic to the challenger",
            readout_format=".0%",
            continuous_update=False,
            style=style,
            layout=wide,
        )

    def _controls(self) -> tuple[widgets.ValueWidget, ...]:
        return (
            self._mode,
            self._traffic,
            self._baseline,
            self._effect,
            self._share,
            self._alpha,
            self._looks,
        )

    # -- read-only attributes -------------------------------------------------------------

    @property
    def mode_buttons(self) -> widgets.ToggleButtons:
        """The choice of view: ``"power"`` or ``"peeking"``."""
        return self._mode

    @property
    def traffic_input(self) -> widgets.BoundedIntText:
        """Cases in the whole experiment."""
        return self._traffic

    @property
    def baseline_slider(self) -> widgets.FloatSlider:
        return self._baseline

    @property
    def effect_slider(self) -> widgets.FloatSlider:
        return self._effect

    @property
    def share_slider(self) -> widgets.FloatSlider:
        return self._share

    @property
    def alpha_dropdown(self) -> widgets.Dropdown:
        return self._alpha

    @property
    def looks_input(self) -> widgets.BoundedIntText:
        return self._looks

    @property
    def value(self) -> dict[str, Any]:
        """The current settings."""
        return {
            "mode": self._mode.value,
            "traffic": int(self._traffic.value),
            "baseline": round(float(self._baseline.value), 10),
            "effect": round(float(self._effect.value), 10),
            "share": round(float(self._share.value), 10),
            "alpha": float(self._alpha.value),
            "n_looks": int(self._looks.value),
        }

    @property
    def result(self) -> DesignSimulation:
        """The simulation for the current settings (the last valid one after an error)."""
        return self._result

    # -- behaviour ------------------------------------------------------------------------

    def simulate(self) -> DesignSimulation:
        """Re-run the simulation with the current settings and show it."""
        v = self.value
        mode = v.pop("mode")
        traffic = v.pop("traffic")
        try:
            self._result = simulate_design(
                traffic, mode=mode, n_sims=self._n_sims, seed=self._seed, **v
            )
        except MlopsKitError as exc:
            self._status.value = (
                f"<p role='status'><strong>Cannot simulate these settings.</strong> "
                f"{html.escape(str(exc))}</p>"
            )
            self._echo.value = f"error: {exc}"
            raise
        self._render()
        return self._result

    def _on_change(self, change: Any) -> None:
        # The status line already says what is wrong, in words.
        with contextlib.suppress(MlopsKitError):
            self.simulate()

    def _render(self) -> None:
        r = self._result
        self._status.value = f"<p role='status'>{html.escape(r.reading())}</p>"
        self._figure.value = r.figure().to_html()
        p = r.power
        if r.mode == "power":
            self._echo.value = (
                f"power {p.power:.3f}, false positive rate {p.false_positive_rate:.3f}"
            )
        else:
            assert r.peeking_null is not None
            self._echo.value = (
                f"peeking: naive {r.peeking_null.naive:.3f}, "
                f"sequential {r.peeking_null.sequential:.3f}"
            )

    def _snapshot_text(self) -> str:
        return f"A/B test simulator ({MODES[self._result.mode]}). {self._result.reading()}"

    def _snapshot_html(self) -> str:
        return (
            f"<div class='mlops-abtest-simulator'><p>{html.escape(self._result.reading())}</p>"
            f"{self._result.figure().to_html()}</div>"
        )
