"""The widgets in a real browser: JupyterLab and Voila driven in Debian's headless Chromium.

One JupyterLab server (see ``browser_support.py``) serves a temporary copy of the
metrics lesson and two small notebooks written here: a sign-off notebook over a
registry prepared through the pipeline's stages, and a dashboard rendered by Voila.
Each test runs a notebook as a learner would, proves the widget rendered (its own
``mlops-`` element is visible; no "Loading widget" and no plain-text ``VBox(`` repr),
drives it with the keyboard alone and waits for the kernel's answer in words.

Screenshots are kept under ``tests/artifacts/browser/`` (ignored by git) for a person
to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from mlops_kit.widgets import METRIC_SCENARIOS

from .browser_support import (
    APPROVAL_MODEL,
    BROWSER_MARKS,
    ECHO_TIMEOUT,
    RUN_TIMEOUT,
    TALL_VIEWPORT,
    TRAINED_BY,
    VIEWPORT,
    JupyterServer,
    artifacts,
    assert_rendered,
    browser_type_launch_args,
    focused_classes,
    open_and_run,
    press_until,
    screenshot,
    start_jupyter_lab,
    write_notebook,
)

REPO = Path(__file__).resolve().parents[1]
pytestmark = BROWSER_MARKS
# Fixtures used by name: pytest-playwright's launch arguments and the screenshots folder.
__all__ = ["artifacts", "browser_type_launch_args"]

APPROVAL_NOTEBOOK = (
    "from mlops_kit.audit import default_audit_log\n"
    "from mlops_kit.registry import Registry\n"
    "from mlops_kit.widgets import ApprovalForm\n"
    "\n"
    'registry = Registry(workspace="workspace", audit=default_audit_log("workspace"))',
    f'ApprovalForm(registry, "{APPROVAL_MODEL}", 1)',
)

DASHBOARD_NOTEBOOK = (
    "import mlops_kit as mk\n"
    "from mlops_kit.widgets import ThresholdExplorer\n"
    "\n"
    'claims = mk.load_dataset("benefit_claims")\n'
    'profile = mk.profile_dataset(claims, "benefit_claims")\n'
    "trained = mk.train_model(\n"
    '    claims, profile.roles, model="logistic", split="time", cv_folds=0, threshold=0.3\n'
    ")\n"
    "p = trained.predictions",
    "ThresholdExplorer(\n"
    '    p["y_true"], p["y_score"], groups=p["ethnic_group"], positive_is="adverse", value=0.3\n'
    ")",
)


@dataclass
class Preparation:
    """The process that builds the sign-off workspace while the browser works."""

    process: subprocess.Popen[str]
    workspace: Path

    def wait(self, timeout: float = 120.0) -> int:
        out, err = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, f"preparing {self.workspace} failed:\n{err}"
        return int(out.split()[-1])


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the lesson, plus the sign-off and dashboard notebooks."""
    root = tmp_path_factory.mktemp("lab") / "root"
    root.mkdir()
    shutil.copy(REPO / "notebooks" / "03_metrics.ipynb", root)
    write_notebook(root / "approval.ipynb", *APPROVAL_NOTEBOOK)
    write_notebook(root / "dashboard.ipynb", *DASHBOARD_NOTEBOOK)
    return root


@pytest.fixture(scope="module")
def preparation(lab_root: Path) -> Iterator[Preparation]:
    """Start registering a refused version (about 20 s: MLflow creates its tables)."""
    workspace = lab_root / "workspace"
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("browser_support.py")), str(workspace)],
        cwd=lab_root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield Preparation(process, workspace)
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def lab(
    lab_root: Path, preparation: Preparation, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    """One JupyterLab server for the module; the preparation already runs beside it."""
    server = start_jupyter_lab(lab_root, tmp_path_factory.mktemp("jupyter-home"))
    yield server
    server.stop()


def echo_numbers(text: str) -> tuple[float, float, float]:
    """(threshold, recall, precision) from 'threshold 0.30: recall 0.311, precision 0.428'."""
    match = re.fullmatch(r"threshold ([\d.]+): recall ([\d.]+), precision ([\d.]+)", text.strip())
    assert match, f"unexpected echo {text!r}"
    threshold, recall, precision = (float(g) for g in match.groups())
    return threshold, recall, precision


# --------------------------------------------------------------------------- the lesson


@pytest.fixture(scope="module")
def metrics_page(browser: Browser, lab: JupyterServer) -> Iterator[Page]:
    """The metrics lesson opened in JupyterLab and run once for the tests that use it."""
    context = browser.new_context(viewport=TALL_VIEWPORT)
    page = context.new_page()
    open_and_run(page, lab, "03_metrics.ipynb")
    # The quiz is the last output: once it shows, every cell has run.
    expect(page.locator(".mlops-matching-quiz")).to_be_visible(timeout=RUN_TIMEOUT)
    yield page
    context.close()


def test_threshold_explorer_renders_and_follows_the_keyboard(
    metrics_page: Page, artifacts: Path
) -> None:
    page = metrics_page
    explorer = page.locator(".mlops-threshold-explorer")
    assert_rendered(page, explorer)
    expect(explorer).to_have_count(1)
    echo = explorer.locator(".mlops-threshold-echo")
    table = explorer.locator(".mlops-threshold-table")
    # The lesson starts the explorer at its threshold parameter, 0.3.
    expect(echo).to_have_text(re.compile(r"^threshold 0\.30: "))
    expect(table).to_contain_text("Metrics at threshold 0.30")
    expect(table).to_contain_text("flag rate: Group A")
    before = echo_numbers(echo.inner_text())
    table_before = table.inner_text()
    cell = page.locator(".jp-Cell", has=explorer)
    cell.scroll_into_view_if_needed()
    screenshot(cell, artifacts / "lab_threshold_before.png")

    handle = explorer.locator(".mlops-threshold-slider .noUi-handle")
    handle.focus()
    press_until(page, "ArrowRight", echo, ["threshold 0.31:", "threshold 0.32:", "threshold 0.33:"])

    after = echo_numbers(echo.inner_text())
    assert after[0] == 0.33
    # A higher threshold flags fewer cases, so it can only catch fewer true positives.
    assert after[1] <= before[1]
    assert after != before
    expect(explorer.locator(".widget-readout")).to_have_text("0.33")
    expect(table).to_contain_text("Metrics at threshold 0.33")
    expect(table).to_contain_text("At 0.33 the model flags")
    assert table.inner_text() != table_before
    screenshot(cell, artifacts / "lab_threshold_after.png")


def test_metrics_quiz_answered_with_the_keyboard_alone(metrics_page: Page, artifacts: Path) -> None:
    page = metrics_page
    quiz = page.locator(".mlops-matching-quiz")
    assert_rendered(page, quiz)
    selects = quiz.locator(".mlops-quiz-answer select")
    expect(selects).to_have_count(len(METRIC_SCENARIOS))
    # ipywidgets writes the spaces in option labels as non-breaking spaces.
    labels = [t.replace("\xa0", " ") for t in selects.first.locator("option").all_inner_texts()]
    assert labels[0] == "Choose..."
    # Every answer right but one: the tempting mistake, accuracy on a rare outcome.
    wrong = next(i for i, item in enumerate(METRIC_SCENARIOS) if "accuracy" in item.feedback)
    answers = ["accuracy" if i == wrong else item.answer for i, item in enumerate(METRIC_SCENARIOS)]

    # In JupyterLab the arrow keys on a closed list move between cells instead
    # (ipywidgets issue 3912), so the list is opened with Alt+Down, the answer found by
    # typing its first word, and chosen with Enter; Tab moves to the next list.
    selects.first.focus()
    for answer in answers:
        assert "mlops-quiz-answer" in focused_classes(page)
        assert answer in labels
        page.keyboard.press("Alt+ArrowDown")
        page.keyboard.type(answer.split()[0])
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
    # Tab from the last answer reaches the button; Enter presses it.
    assert "mlops-quiz-check" in focused_classes(page)
    page.keyboard.press("Enter")

    total = len(METRIC_SCENARIOS)
    score = quiz.locator(".mlops-quiz-score")
    expect(score).to_have_text(f"{total - 1} of {total} correct.", timeout=ECHO_TIMEOUT)
    feedback = quiz.locator(".mlops-quiz-feedback")
    for i, item in enumerate(METRIC_SCENARIOS):
        if i == wrong:
            expected = f"✗ Not quite: {item.feedback['accuracy']}"
        else:
            expected = f"✓ Correct. {item.explanation}"
        expect(feedback.nth(i)).to_have_text(expected)
    for select, answer in zip(selects.all(), answers, strict=True):
        expect(select.locator("option:checked")).to_have_text(answer)
    quiz.scroll_into_view_if_needed()
    screenshot(page.locator(".jp-Cell", has=quiz), artifacts / "lab_quiz_checked.png")


# --------------------------------------------------------------------------- sign-off


def _audit_entries(workspace: Path) -> list[dict[str, Any]]:
    lines = (workspace / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_approval_form_signed_off_with_the_keyboard(
    browser: Browser, lab: JupyterServer, preparation: Preparation, artifacts: Path
) -> None:
    assert preparation.wait() == 1
    entries_before = len(_audit_entries(preparation.workspace))
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_and_run(page, lab, "approval.ipynb")
        form = page.locator(".mlops-approval-form")
        assert_rendered(page, form)
        expect(form.locator(".mlops-approval-checks")).to_contain_text("The gate decided: refuse.")
        status = form.locator(".mlops-approval-status")
        approver = form.locator(".mlops-approval-approver input")
        submit = form.locator("button.mlops-approval-submit")

        signer = form.locator(".mlops-approval-signer")
        # The trainer tries to sign off their own model: refused, with the rule in words.
        approver.focus()
        page.keyboard.type(TRAINED_BY)
        page.keyboard.press("Tab")
        page.keyboard.type("Head of Benefit Fraud Policy")
        page.keyboard.press("Tab")
        # The kernel has both fields once it says who Submit would record.
        expect(signer).to_have_text(
            f"Signing as: {TRAINED_BY} (Head of Benefit Fraud Policy).", timeout=ECHO_TIMEOUT
        )
        page.keyboard.type("Six-month pilot; a caseworker reviews every flag first.")
        page.keyboard.press("Tab")
        assert "mlops-approval-decision" in focused_classes(page)
        page.keyboard.press("Space")  # the first option: override the refusal
        radios = form.locator(".mlops-approval-decision input[type=radio]")
        expect(radios.first).to_be_checked()
        # Each option is its own Tab stop in ipywidgets 8; Tab past them to Submit.
        for _ in range(radios.count()):
            page.keyboard.press("Tab")
            if "mlops-approval-submit" in focused_classes(page):
                break
        assert "mlops-approval-submit" in focused_classes(page)
        page.keyboard.press("Enter")
        expect(status).to_contain_text(
            "✗ Not recorded: the sign-off breaks 1 rule.", timeout=ECHO_TIMEOUT
        )
        expect(status).to_contain_text("must not be the person who trained the model")
        assert len(_audit_entries(preparation.workspace)) == entries_before

        # A named approver who did not train it corrects the name and submits again.
        approver.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("Cy Approver")
        submit.focus()
        # Wait for the kernel's echo of the new name before pressing Submit: the front end
        # sends a field's change after any still in flight, but a click at once.
        expect(signer).to_have_text(
            "Signing as: Cy Approver (Head of Benefit Fraud Policy).", timeout=ECHO_TIMEOUT
        )
        page.keyboard.press("Enter")
        expect(status).to_contain_text(
            "✓ Override recorded: Cy Approver (Head of Benefit Fraud Policy)",
            timeout=ECHO_TIMEOUT,
        )
        expect(status).to_contain_text("The champion alias moved")
        # Locked once recorded, so it is not recorded twice.
        expect(approver).to_be_disabled()
        expect(submit).to_be_disabled()
        said = status.inner_text()
        form.scroll_into_view_if_needed()
        screenshot(page.locator(".jp-Cell", has=form), artifacts / "lab_approval_recorded.png")
    finally:
        context.close()

    new = _audit_entries(preparation.workspace)[entries_before:]
    assert [e["event"] for e in new] == ["overridden", "alias_changed"]
    assert new[0]["actor"] == "Cy Approver"
    assert new[0]["details"]["role"] == "Head of Benefit Fraud Policy"
    assert new[1]["details"]["to_version"] == 1
    # The form quotes the audit entry that the kit wrote.
    assert f"Audit entry seq {new[0]['seq']} (hash {new[0]['hash'][:12]}...)" in said


# --------------------------------------------------------------------------- Voila


def test_voila_dashboard_renders_and_follows_the_keyboard(
    browser: Browser, lab: JupyterServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.goto(lab.url("/voila/render/dashboard.ipynb"), timeout=RUN_TIMEOUT)
        explorer = page.locator(".mlops-threshold-explorer")
        assert_rendered(page, explorer)
        body = page.locator("body")
        expect(body).not_to_contain_text("Loading widget")
        expect(body).not_to_contain_text("VBox(")
        # Voila shows the app, not the code.
        expect(body).not_to_contain_text("train_model(")
        echo = explorer.locator(".mlops-threshold-echo")
        expect(echo).to_have_text(re.compile(r"^threshold 0\.30: "))
        before = echo_numbers(echo.inner_text())
        explorer.locator(".mlops-threshold-slider .noUi-handle").focus()
        press_until(page, "ArrowLeft", echo, ["threshold 0.29:", "threshold 0.28:"])
        after = echo_numbers(echo.inner_text())
        # A lower threshold flags more cases, so it catches at least as many.
        assert after[0] == 0.28
        assert after[1] >= before[1]
        expect(explorer.locator(".mlops-threshold-table")).to_contain_text(
            "Metrics at threshold 0.28"
        )
        screenshot(page, artifacts / "voila_threshold_after.png")
    finally:
        context.close()
