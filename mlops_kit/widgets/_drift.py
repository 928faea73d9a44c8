"""Drift explorer: choose a month of the claims and a reference window, watch the drift report.

The model is :func:`mlops_kit.monitor.batch_drift`, a plain function that returns a
:class:`~mlops_kit.monitor.DriftReport`; the view is :class:`DriftExplorer`, two labelled
dropdowns that call it and write the report in words (which features drifted and why),
its alerts with the action each calls for, and the drift figure.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..errors import ConfigError
from ..monitor import batch_drift
from ..monitor._months import CLAIMS_NOT_FEATURES, _batches
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

    from ..monitor import DriftReport, DriftSettings

__all__ = ["DriftExplorer", "drift_report_html"]


def drift_report_html(report: DriftReport, *, figure: bool = True) -> str:
    """A drift report as HTML: a sentence, a table in words, the alerts and the figure.

    The table lists every feature with its verdict and the reason in words, drifted
    features first; the alerts say what crossed which threshold and what the pipeline
    will do about it. The figure (optional) carries its text description as a caption.
    """
    order = {name: i for i, name in enumerate(report.drifted)}
    feats = sorted(report.features, key=lambda f: (order.get(f.feature, len(order)), f.feature))
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(f.feature)}</th>"
        f"<td>{html.escape(f.status.value)}</td><td>{html.escape(f.verdict)}</td></tr>"
        for f in feats
    )
    alerts = report.alerts
    alert_html = (
        "<ul class='mlops-drift-alerts'>"
        + "".join(f"<li>{html.escape(str(a))}</li>" for a in alerts)
        + "</ul>"
        if alerts
        else "<p class='mlops-drift-alerts'>No alerts: nothing crossed its threshold.</p>"
    )
    fig_html = ""
    if figure:
        import matplotlib.pyplot as plt

        described = report.plot()
        fig_html = described.to_html()
        plt.close(described.figure)
    return (
        f"<p class='mlops-drift-summary'>{html.escape(report.summary())}</p>"
        "<h5>Alerts</h5>" + alert_html + "<table class='mlops-drift-table'>"
        f"<caption>Drift verdict per feature, {html.escape(report.label or 'current batch')}"
        "</caption><thead><tr><th scope='col'>feature</th><th scope='col'>verdict</th>"
        f"<th scope='col'>why</th></tr></thead><tbody>{rows}</tbody></table>" + fig_html
    )


def _windows(batches: list[str], given: Mapping[str, tuple[str, str]] | None) -> dict[str, Any]:
    if given is None:
        first = batches[0]
        given = {
            f"{first} to {batches[min(5, len(batches) - 1)]} (first 6 months)": (
                first,
                batches[min(5, len(batches) - 1)],
            ),
            f"{first} to {batches[min(11, len(batches) - 1)]} (first 12 months)": (
                first,
                batches[min(11, len(batches) - 1)],
            ),
        }
    if not isinstance(given, Mapping) or not given:
        raise ConfigError(
            "The 'windows' parameter of DriftExplorer must be a non-empty mapping of label "
            f"to (first, last) batch. Got {given!r} instead."
        )
    return {str(k): (str(v[0]), str(v[1])) for k, v in given.items()}


class DriftExplorer(StaticSnapshot, widgets.VBox):
    """Two dropdowns (month, reference window) over :func:`~mlops_kit.monitor.batch_drift`.

    The dropdowns are labelled and work with the keyboard (Tab to one, then the arrow
    keys). Each change re-runs the drift report and writes, in words, which features
    drifted and why, the alerts and the actions they call for, and the drift figure with
    its text description. A short line (CSS class ``mlops-drift-echo``) repeats the
    verdict for screen readers and browser tests.

    Parameters
    ----------
    data : pandas.DataFrame
        A time-ordered table, such as the bundled benefit claims.
    month : str, optional
        The month shown first; default the last one.
    windows : mapping of label to (first, last), optional
        Reference windows to choose from; default the first 6 and the first 12 months.
    time_column : str, default "month"
    exclude : sequence of str
        Columns that are not features.
    settings : DriftSettings or mapping, optional
        Thresholds of the drift report.
    figure : bool, default True
        Draw the drift figure (off makes each change faster).

    Attributes
    ----------
    month, window : ipywidgets.Dropdown
        The controls; set their ``value`` to change them.
    result : DriftReport
        The report for the current choice.

    Examples
    --------
    >>> from mlops_kit.data import load_dataset
    >>> explorer = DriftExplorer(load_dataset("benefit_claims"), month="2023-09", figure=False)
    >>> explorer.result.drifted
    ()
    >>> explorer.month.value = "2024-03"
    >>> explorer.result.drifted
    ('channel',)
    """

    _result: DriftReport

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        month: str | None = None,
        windows: Mapping[str, tuple[str, str]] | None = None,
        time_column: str = "month",
        exclude: Sequence[str] = CLAIMS_NOT_FEATURES,
        settings: DriftSettings | Mapping[str, Any] | None = None,
        figure: bool = True,
    ) -> None:
        batches = _batches(data, time_column)
        choices = _windows(batches, windows)
        start = batches[-1] if month is None else str(month)
        self._data, self._time, self._exclude = data, time_column, tuple(exclude)
        self._settings, self._figure = settings, bool(figure)
        first_window = next(iter(choices.values()))
        # Computing first validates the month and the window before any widget is built.
        self._result = self._compute(start, first_window)

        self._help = widgets.HTML(
            "<p>Choose a month and the reference window it is compared with. Use Tab to "
            "reach a list, then the arrow keys. The report says which features drifted "
            "and why, and what the pipeline would do.</p>"
        )
        self._month = widgets.Dropdown(
            options=batches,
            value=start,
            description="Month",
            style={"description_width": "initial"},
        )
        self._window = widgets.Dropdown(
            options=list(choices.items()),
            value=first_window,
            description="Reference window",
            style={"description_width": "initial"},
            # Wide enough to show the longest label whole.
            layout=widgets.Layout(width="min(34em, 100%)"),
        )
        self._report = widgets.HTML()
        self._echo = widgets.Label()
        self._help.add_class("mlops-drift-help")
        self._month.add_class("mlops-drift-month")
        self._window.add_class("mlops-drift-window")
        self._report.add_class("mlops-drift-report")
        self._echo.add_class("mlops-drift-echo")
        super().__init__(children=[self._help, self._month, self._window, self._echo, self._report])
        self.add_class("mlops-drift-explorer")
        self._render()
        self._month.observe(self._on_change, names="value")
        self._window.observe(self._on_change, names="value")

    def _compute(self, month: str, window: tuple[str, str]) -> DriftReport:
        return batch_drift(
            self._data,
            month,
            reference=window,
            time_column=self._time,
            exclude=self._exclude,
            settings=self._settings,
        )

    @property
    def month(self) -> widgets.Dropdown:
        """The month dropdown; set its ``value`` to change the month."""
        return self._month

    @property
    def window(self) -> widgets.Dropdown:
        """The reference-window dropdown; its values are (first, last) pairs."""
        return self._window

    @property
    def result(self) -> DriftReport:
        """The drift report for the current month and window."""
        return self._result

    def _on_change(self, change: Any) -> None:
        self._result = self._compute(str(self._month.value), tuple(self._window.value))
        self._render()

    def _echo_text(self) -> str:
        r = self._result
        first, last = self._window.value
        verdict = (
            f"drifted: {', '.join(r.drifted)}" if r.drifted else "no feature drifted, no alarm"
        )
        return f"{r.label} against {first} to {last}: {verdict}."

    def _render(self) -> None:
        self._echo.value = self._echo_text()
        self._report.value = drift_report_html(self._result, figure=self._figure)

    def _snapshot_text(self) -> str:
        return f"Drift explorer. {self._echo_text()} {self._result.summary()}"

    def _snapshot_html(self) -> str:
        return (
            f"<div class='mlops-drift-explorer'><p>{html.escape(self._echo_text())}</p>"
            f"{drift_report_html(self._result, figure=False)}</div>"
        )
