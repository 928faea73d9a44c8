"""The facilitator dashboard: every pipeline run of a workspace, and one run in detail.

The model is :func:`mlops_kit.course.workspace_overview` and
:func:`mlops_kit.course.run_details`, plain functions that read a workspace; the view
is :class:`PipelineDashboard`, served as an app with Voila (``make dashboard``): the
table of runs, a labelled dropdown to choose one, its details, and a Refresh button
that re-reads the workspace so that new runs appear without restarting anything.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from typing import Any

import ipywidgets as widgets

from ..course import (
    MAKE_A_RUN,
    RunDetails,
    WorkspaceOverview,
    find_workspace,
    run_details,
    workspace_overview,
)
from ..errors import MlopsKitError
from ._static import StaticSnapshot

__all__ = ["PipelineDashboard"]

# Lines between rows, so that a long table reads as rows without relying on colour.
_STYLE = (
    "<style>.mlops-dashboard table{border-collapse:collapse;margin:0 0 1em 0}"
    ".mlops-dashboard th,.mlops-dashboard td{border-bottom:1px solid #6f777b;"
    "padding:2px 8px;text-align:left;vertical-align:top}"
    ".mlops-dashboard caption{text-align:left;font-weight:bold}</style>"
)


class PipelineDashboard(StaticSnapshot, widgets.VBox):
    """Every run of a workspace at a glance, one run in detail, and a Refresh button.

    The table lists each run: when, who trained it, on which data, the model family,
    whether it finished or at which stage it failed, the gate's decision and why, the
    headline metrics, the worst four-fifths ratio and the registered version with its
    aliases now; above it, whether the audit log's hash chain is intact. Choosing a run
    in the labelled dropdown (Tab to it, then the arrow keys) shows its metrics, gate
    checks, fairness by group with the figures and their descriptions, monitoring alerts,
    stages and where its report is. A damaged run folder is shown with what is missing;
    an empty workspace says how to make a run. Everything is said in words, never by
    colour alone; a short line (CSS class ``mlops-dashboard-echo``) repeats what is shown.

    Parameters
    ----------
    workspace : path-like, default "."
        The folder holding ``runs/``, ``mlops.db`` and ``audit/``; see
        :func:`mlops_kit.course.find_workspace`.
    tracking_uri : str, optional
        The registry to read aliases from; default the workspace's ``mlops.db``.
    images : bool, default True
        Show the fairness figures as images (their descriptions are always shown).

    Attributes
    ----------
    run : ipywidgets.Dropdown
        The run shown; set its ``value`` to a run id to show another.
    refresh_button : ipywidgets.Button
    overview : WorkspaceOverview
    details : RunDetails or None
        The run shown, or None for an empty workspace.

    Examples
    --------
    >>> import tempfile
    >>> dashboard = PipelineDashboard(tempfile.mkdtemp())
    >>> dashboard.overview.empty, dashboard.details is None
    (True, True)
    """

    def __init__(
        self,
        workspace: str | os.PathLike[str] = ".",
        *,
        tracking_uri: str | None = None,
        images: bool = True,
    ) -> None:
        self._workspace = find_workspace(workspace)
        self._tracking_uri = tracking_uri
        self._images = bool(images)
        self._overview = workspace_overview(self._workspace, tracking_uri=tracking_uri)
        self._details: RunDetails | None = None
        self._quiet = False

        self._help = widgets.HTML(
            f"<p>The pipeline runs in <code>{html.escape(str(self._workspace))}</code>. "
            "Choose a run in the list to read its details (Tab to the list, then the arrow "
            "keys). Press Refresh to read the workspace again after a new run.</p>"
        )
        self._table = widgets.HTML()
        self._run = widgets.Dropdown(
            description="Run",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self._refresh = widgets.Button(
            description="Refresh",
            icon="refresh",
            tooltip="Read the workspace again: new runs appear in the table and the list",
        )
        self._echo = widgets.Label()
        self._detail_view = widgets.HTML()
        self._help.add_class("mlops-dashboard-help")
        self._table.add_class("mlops-dashboard-overview")
        self._run.add_class("mlops-dashboard-run")
        self._refresh.add_class("mlops-dashboard-refresh")
        self._echo.add_class("mlops-dashboard-echo")
        self._detail_view.add_class("mlops-dashboard-details")
        controls = widgets.HBox([self._run, self._refresh])
        super().__init__(
            children=[self._help, self._table, controls, self._echo, self._detail_view]
        )
        self.add_class("mlops-dashboard")
        self._show(self._overview, keep=None)
        self._run.observe(self._on_run, names="value")
        self._refresh.on_click(self._on_refresh)

    # --- public -------------------------------------------------------------------------

    @property
    def run(self) -> widgets.Dropdown:
        """The run dropdown; set its ``value`` to a run id."""
        return self._run

    @property
    def refresh_button(self) -> widgets.Button:
        """The Refresh button; ``.click()`` it to re-read the workspace."""
        return self._refresh

    @property
    def overview(self) -> WorkspaceOverview:
        """The workspace as last read."""
        return self._overview

    @property
    def details(self) -> RunDetails | None:
        """The run shown, or None when the workspace has no runs."""
        return self._details

    @property
    def echo(self) -> str:
        """The line that says what is shown, or what the last refresh found."""
        return str(self._echo.value)

    def select(self, run_id: str) -> RunDetails:
        """Show one run (an unknown id is refused, naming the runs there are)."""
        run = self._overview[run_id]  # a ConfigError with a did-you-mean hint if unknown
        self._run.value = run.run_id
        assert self._details is not None
        return self._details

    def refresh(self) -> WorkspaceOverview:
        """Read the workspace again; keep the run shown if it is still there."""
        before = set(self._overview.run_ids)
        overview = workspace_overview(self._workspace, tracking_uri=self._tracking_uri)
        self._show(overview, keep=self._run.value)
        new = [r for r in overview.run_ids if r not in before]
        added = f", {len(new)} new: {', '.join(new)}" if new else ", none new"
        self._echo.value = (
            f"✓ Read the workspace again at {datetime.now():%H:%M:%S}: "
            f"{len(overview.runs)} run(s){added}. {self._showing()}"
        )
        return overview

    # --- internals ----------------------------------------------------------------------

    def _show(self, overview: WorkspaceOverview, *, keep: str | None) -> None:
        self._overview = overview
        self._table.value = _STYLE + overview.to_html()
        self._quiet = True
        try:
            self._run.options = [(r.label(), r.run_id) for r in overview.runs]
            self._run.disabled = overview.empty
            chosen = keep if keep in overview.run_ids else next(iter(overview.run_ids), None)
            self._run.value = chosen
        finally:
            self._quiet = False
        self._render(chosen)

    def _render(self, run_id: str | None) -> None:
        if run_id is None:
            self._details = None
            self._detail_view.value = (
                "<p class='mlops-dashboard-empty'>✗ No runs to show yet. Make one with "
                f"<code>{MAKE_A_RUN}</code> in the repository folder (or "
                "<code>mlops-kit run --config CONFIG</code>), then press Refresh.</p>"
            )
        else:
            self._details = run_details(self._overview[run_id].run_dir, overview=self._overview)
            self._detail_view.value = self._details.to_html(images=self._images)
        self._echo.value = self._showing()

    def _showing(self) -> str:
        if self._details is None:
            return f"No runs yet: make one with `{MAKE_A_RUN}`, then press Refresh."
        run = self._details.overview
        problems = f"; ✗ {len(run.problems)} problem(s) with its files" if run.problems else ""
        return (
            f"Showing run {run.run_id}: {run.status}; gate {run.decision or 'not reached'}; "
            f"{run.metrics_words()}{problems}."
        )

    def _on_run(self, change: Any) -> None:
        if not self._quiet:
            self._render(change["new"])

    def _on_refresh(self, _button: Any) -> None:
        try:
            self.refresh()
        except MlopsKitError as exc:
            self._echo.value = f"✗ The workspace could not be read again: {exc}"

    def _snapshot_text(self) -> str:
        lines = [f"Pipeline dashboard. {self._overview.summary()}"]
        lines += [f"- {r.summary()}" for r in self._overview.runs]
        if self._details is not None:
            lines.append(f"Shown in detail: {self._details.summary()}")
        return "\n".join(lines)

    def _snapshot_html(self) -> str:
        details = self._details.to_html(images=False) if self._details is not None else ""
        return (
            f"{_STYLE}<div class='mlops-dashboard'><p>{html.escape(self.echo)}</p>"
            f"{self._overview.to_html()}{details}</div>"
        )
