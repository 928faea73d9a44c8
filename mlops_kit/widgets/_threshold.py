"""Threshold explorer: how precision, recall and group flag rates move with the threshold.

The model is :func:`threshold_summary` (``_threshold_summary``), a plain function over
:func:`mlops_kit.metrics.threshold_analysis` that returns a frozen
:class:`ThresholdSummary`; the view is :class:`ThresholdExplorer`, a slider that
calls it and writes the summary into an ``HTML`` widget.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..errors import ConfigError, DataValidationError
from ._static import StaticSnapshot
from ._threshold_summary import (
    Direction,
    ThresholdSummary,
    _check_direction,
    _check_threshold,
    _fmt_threshold,
    _summarise,
    _validated_inputs,
)

__all__ = ["ThresholdExplorer"]


class ThresholdExplorer(StaticSnapshot, widgets.VBox):
    """A slider over the decision threshold with the metrics it gives, updated as it moves.

    The slider works with the keyboard (focus it, then the arrow keys). Each move
    re-runs :func:`threshold_summary` and writes the result into a table and a
    one-sentence reading, and into a short echo line (CSS class
    ``mlops-threshold-echo``) that browser tests wait for.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
        Probabilities of the positive class, in [0, 1].
    groups : array-like, optional
        A protected attribute: the table adds each group's flag (or selection) rate.
    positive_is : {"favourable", "adverse"}, default "favourable"
        "adverse" when a positive prediction harms the person (a fraud flag): the
        group rates are then called flag rates, otherwise selection rates.
    value : float, default 0.5
        The starting threshold, in (0, 1).
    step : float, default 0.01
        The slider's step (one arrow-key press).

    Attributes
    ----------
    slider : ipywidgets.FloatSlider
        The threshold slider (read-only attribute; set its ``value`` to move it).
    value : float
        The current threshold.
    result : ThresholdSummary
        The metrics at the current threshold.

    Examples
    --------
    >>> explorer = ThresholdExplorer([0, 1, 1, 0], [0.2, 0.8, 0.4, 0.6])
    >>> explorer.slider.value = 0.3
    >>> explorer.value, explorer.result.recall, explorer.result.precision
    (0.3, 1.0, 0.666...)
    """

    _y_true: np.ndarray
    _y_score: np.ndarray
    _groups: np.ndarray | None
    _positive_is: Direction
    _result: ThresholdSummary
    _slider: widgets.FloatSlider
    _table: widgets.HTML
    _echo: widgets.Label

    def __init__(
        self,
        y_true: Any,
        y_score: Any,
        *,
        groups: Any | None = None,
        positive_is: Direction = "favourable",
        value: float = 0.5,
        step: float = 0.01,
    ) -> None:
        where = "ThresholdExplorer"
        start = _check_threshold(value, "value", where)
        if isinstance(step, bool) or not isinstance(step, Real) or not 0 < float(step) <= 0.1:
            raise ConfigError(
                f"The 'step' parameter of {where} must be a float in (0, 0.1]. "
                f"Got {step!r} instead."
            )
        _check_direction(positive_is, where)
        yt, ys, g = _validated_inputs(y_true, y_score, groups, where)
        if ys.min() < 0 or ys.max() > 1:
            raise DataValidationError(
                f"The 'y_score' parameter of {where} must hold probabilities in [0, 1]. "
                f"Got values from {ys.min():g} to {ys.max():g} instead."
            )
        self._y_true, self._y_score, self._groups = yt, ys, g
        self._positive_is = positive_is
        # Computing first validates y_true (0/1 only) before any widget is built.
        self._result = _summarise(yt, ys, start, g, positive_is)

        verb = "flagged" if positive_is == "adverse" else "selected"
        self._help = widgets.HTML(
            value=(
                f"<p>Cases scoring at or above the threshold are {verb}. Move the slider, "
                "or focus it and press the arrow keys, to see how the metrics change.</p>"
            )
        )
        self._slider = widgets.FloatSlider(
            value=start,
            min=min(float(step), start),
            max=max(1 - float(step), start),
            step=float(step),
            description="Threshold",
            description_allow_html=False,
            continuous_update=False,
            readout=True,
            readout_format=".2f" if round(float(step), 2) == float(step) else ".3f",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(32em, 100%)"),
        )
        self._table = widgets.HTML()
        self._echo = widgets.Label()
        self._help.add_class("mlops-threshold-help")
        self._slider.add_class("mlops-threshold-slider")
        self._table.add_class("mlops-threshold-table")
        self._echo.add_class("mlops-threshold-echo")
        super().__init__(children=[self._help, self._slider, self._table, self._echo])
        self.add_class("mlops-threshold-explorer")
        self._render()
        self._slider.observe(self._on_change, names="value")

    @property
    def slider(self) -> widgets.FloatSlider:
        """The threshold slider; set its ``value`` to move the threshold."""
        return self._slider

    @property
    def value(self) -> float:
        """The current threshold."""
        return float(self._slider.value)

    @property
    def result(self) -> ThresholdSummary:
        """The metrics at the current threshold."""
        return self._result

    def _on_change(self, change: Any) -> None:
        # Rounding removes floating-point noise from the front end (0.31000000000000005).
        threshold = round(float(change["new"]), 10)
        self._result = _summarise(
            self._y_true, self._y_score, threshold, self._groups, self._positive_is
        )
        self._render()

    def _render(self) -> None:
        r = self._result
        self._table.value = r.to_html()
        self._echo.value = (
            f"threshold {_fmt_threshold(r.threshold)}: recall {r.recall:.3f}, "
            f"precision {r.precision:.3f}"
        )

    def _snapshot_text(self) -> str:
        return f"Threshold explorer at {_fmt_threshold(self.value)}. {self._result.reading()}"

    def _snapshot_html(self) -> str:
        return self._result.to_html()
