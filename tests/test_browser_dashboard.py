"""The facilitator dashboard as a Voila app, driven with the keyboard in Debian's Chromium.

The repository's own dashboard notebook is served by Voila standalone (as
``make dashboard`` does) over a temporary workspace built through the pipeline's stages:
one complete run, and a copy of it with a corrupt metrics.json and no registration.json.
The test proves the app rendered (no "Loading widget", no plain-text repr, no code),
chooses the other run with the arrow keys and reads its details change, then adds a
run and presses Refresh with the keyboard: the new run appears without restarting Voila.

Screenshots are kept under ``tests/artifacts/browser/voila_dashboard_*.png``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from mlops_kit.course._overview import WORKSPACE_ENV

from .browser_support import (
    BROWSER_MARKS,
    ECHO_TIMEOUT,
    RUN_TIMEOUT,
    TALL_VIEWPORT,
    JupyterServer,
    artifacts,
    assert_rendered,
    browser_type_launch_args,
    focused_classes,
    screenshot,
    start_voila,
)
from .test_dashboard import LENIENT, copy_run, make_run

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "dashboard" / "facilitator_dashboard.ipynb"
pytestmark = BROWSER_MARKS
# Fixtures used by name: pytest-playwright's launch arguments and the screenshots folder.
__all__ = ["artifacts", "browser_type_launch_args"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a complete, promoted run and a damaged copy of it (about 25 s)."""
    home = tmp_path_factory.mktemp("voila-workspace")
    run = make_run(
        home,
        "promoted",
        trained_by="Ada Trainer",
        started_at="2026-01-05T09:00:00+00:00",
        policy=LENIENT,
    )
    damaged = copy_run(run, "damaged", started_at="2026-01-04T09:00:00+00:00")
    (damaged / "metrics.json").write_text('{"task": "classification", "roc_', encoding="utf-8")
    (damaged / "registration.json").unlink()
    return home


@pytest.fixture(scope="module")
def voila(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """Voila serving a copy of the dashboard notebook, told the workspace as make does."""
    folder = tmp_path_factory.mktemp("voila-root")
    shutil.copy(NOTEBOOK, folder)
    server = start_voila(
        folder / NOTEBOOK.name,
        tmp_path_factory.mktemp("voila-home"),
        env={WORKSPACE_ENV: str(workspace)},
    )
    yield server
    server.stop()


def test_voila_dashboard_shows_runs_follows_the_keyboard_and_refreshes(
    browser: Browser, voila: JupyterServer, workspace: Path, artifacts: Path
) -> None:
    context = browser.new_context(viewport=TALL_VIEWPORT)
    page: Page = context.new_page()
    try:
        page.goto(f"{voila.base_url}/", timeout=RUN_TIMEOUT)
        dashboard = page.locator(".mlops-dashboard")
        assert_rendered(page, dashboard)
        body = page.locator("body")
        expect(body).not_to_contain_text("VBox(")
        expect(body).not_to_contain_text("PipelineDashboard(")  # Voila hides the code
        overview = dashboard.locator(".mlops-dashboard-overview")
        expect(overview).to_contain_text(f"2 run(s) in {workspace}")
        expect(overview).to_contain_text("Audit log: intact")
        echo = dashboard.locator(".mlops-dashboard-echo")
        expect(echo).to_contain_text("Showing run promoted: complete; gate promote; ROC AUC")
        details = dashboard.locator(".mlops-dashboard-details")
        expect(details).to_contain_text("Run promoted")
        expect(details).to_contain_text("Fairness by group")
        # Every figure shown carries its description as a caption.
        figures = details.locator("figure")
        expect(figures.first).to_be_visible()
        assert figures.count() == details.locator("figure figcaption").count() > 0
        screenshot(page, artifacts / "voila_dashboard_overview.png")
        screenshot(figures.first, artifacts / "voila_dashboard_figure.png")

        # The keyboard alone: focus the run list, arrow down to the damaged run.
        dashboard.locator(".mlops-dashboard-run select").focus()
        page.keyboard.press("ArrowDown")
        expect(echo).to_contain_text("Showing run damaged: ", timeout=ECHO_TIMEOUT)
        expect(echo).to_contain_text("✗ 2 problem(s) with its files")
        expect(details).to_contain_text("Missing or unreadable files")
        expect(details).to_contain_text("metrics.json cannot be read")
        expect(details).to_contain_text("registration.json is missing")
        expect(details).not_to_contain_text("Run promoted")
        screenshot(page, artifacts / "voila_dashboard_damaged.png")

        # A new run appears after Refresh, pressed with the keyboard; the choice stays.
        copy_run(workspace / "runs" / "promoted", "added", started_at="2027-01-01T09:00:00+00:00")
        page.keyboard.press("Tab")
        assert "mlops-dashboard-refresh" in focused_classes(page)
        page.keyboard.press("Enter")
        expect(echo).to_contain_text("1 new: added", timeout=ECHO_TIMEOUT)
        expect(echo).to_contain_text("✓ Read the workspace again")
        expect(overview).to_contain_text("3 run(s)")
        expect(dashboard.locator(".mlops-dashboard-run select")).to_have_value(
            re.compile("^damaged: ")
        )
        screenshot(page, artifacts / "voila_dashboard_refreshed.png")
    finally:
        context.close()
