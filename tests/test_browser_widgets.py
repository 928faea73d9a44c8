"""The other lessons' widgets in a real browser: JupyterLab driven in Debian's headless Chromium.

``test_browser.py`` covers the threshold explorer, the quiz and the approval form. This
module covers the rest: the tuning widget, the drift explorer and the A/B test simulator
(the "analysis" notebook); the k-anonymity explorer, the privacy-budget desk and the
ethics self-assessment form (the "privacy" notebook); the review desk, the peer-feedback
form and the poll (the "forms" notebook).

Each notebook is written here and builds its widgets as the lessons do, on small inputs,
so that it runs in seconds. One JupyterLab server serves them; the three pages are
opened and run one after another, so their kernels work while the next page loads.
Each test proves its widget rendered (its own ``mlops-`` element is visible; no "Loading
widget" and no plain-text repr) and that no label, button caption or chosen option is
cut off, drives it with the keyboard alone (Tab, Space, Enter, typing; Alt+ArrowDown
opens a list and the arrow keys move in it, as the arrow keys on a closed list move
between cells in JupyterLab: ipywidgets issue 3912), waits for the kernel's answer in
words and, where the widget writes a file, reads the file. The expected numbers come
from the same plain functions the widgets call, run here.

Text boxes send their value when they lose focus (``continuous_update=False``), so
every typed value is followed by Tab before a button is pressed.

Screenshots are kept under ``tests/artifacts/browser/`` (ignored by git), one per widget
(``lab_<widget>_<state>.png``), for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from mlops_kit.abtest import simulate_power
from mlops_kit.course import RUBRIC, load_feedback
from mlops_kit.data import load_dataset
from mlops_kit.governance import ETHICS_AREAS, load_ethics_assessment
from mlops_kit.privacy import explore_anonymity, load_raw_contacts
from mlops_kit.widgets import DriftExplorer, simulate_design

from .browser_support import (
    BROWSER_MARKS,
    ECHO_TIMEOUT,
    RUN_TIMEOUT,
    JupyterServer,
    artifacts,
    assert_rendered,
    browser_type_launch_args,
    focused_classes,
    open_and_run,
    screenshot,
    start_jupyter_lab,
    validated_claims_run,
    write_notebook,
)

pytestmark = BROWSER_MARKS
# Fixtures used by name: pytest-playwright's launch arguments and the screenshots folder.
__all__ = ["artifacts", "browser_type_launch_args"]

# Tall enough for the whole drift explorer (its table and figure) and the whole ethics
# form (eight areas) to show in one screenshot: the notebook scrolls inside its own
# panel, so what is below the window is cut off.
DEEP_VIEWPORT: ViewportSize = {"width": 1280, "height": 3000}

ETHICS_RUN = "workspace/runs/ethics-run"
TEAMS = ("Team Otter", "Team Heron")
POLL_ID = "browser-first-thoughts"
POLL_OPTIONS = (
    "Nobody checked the model against new data",
    "Nobody retrained it when the service changed",
    "Nobody was named as responsible for signing it off",
)
# The A/B simulator's settings in the notebook (the lesson's, with fewer simulations).
AB_BASELINE, AB_LOOKS, AB_SIMS, AB_SEED = 0.1, 6, 300, 0

ANALYSIS_NOTEBOOK = (
    "import mlops_kit as mk\n"
    "from mlops_kit.tune import training_sample\n"
    "from mlops_kit.widgets import ABTestSimulator, DriftExplorer, TuningWidget",
    # The tuning lesson: the study runs once in the cell, so the table is filled in.
    'data = training_sample("benefit_claims", n_rows=300, seed=0)\n'
    "tuner = TuningWidget(\n"
    '    data.X, data.y, roles=data.roles, task=data.task, model="logistic", n_trials=3, seed=0\n'
    ")\n"
    "result = tuner.watch()",
    # The monitoring lesson.
    'claims = mk.load_dataset("benefit_claims")\nDriftExplorer(claims, month="2023-09")',
    # The A/B testing lesson.
    "ABTestSimulator(\n"
    f"    traffic=4000, baseline={AB_BASELINE}, effect=0.02, n_looks={AB_LOOKS}, "
    f"n_sims={AB_SIMS}, seed={AB_SEED}\n"
    ")",
)

PRIVACY_NOTEBOOK = (
    "from mlops_kit.privacy import CONTACTS_SENSITIVE, load_raw_contacts\n"
    "from mlops_kit.widgets import EthicsAssessmentForm, KAnonymityExplorer, PrivacyBudgetWidget\n"
    "\n"
    "contacts = load_raw_contacts()",
    "KAnonymityExplorer(contacts, k=5, sensitive=CONTACTS_SENSITIVE)",
    "PrivacyBudgetWidget(contacts, epsilon_total=1.0, seed=0, show_truth=True)",
    f'EthicsAssessmentForm("{ETHICS_RUN}")',
)

FORMS_NOTEBOOK = (
    "from mlops_kit.audit import default_audit_log\n"
    "from mlops_kit.review import ReviewCase, ReviewQueue\n"
    "from mlops_kit.widgets import PeerFeedbackForm, PollWidget, ReviewDesk",
    # The explainability lesson's desk, over two flagged claims written here.
    'queue = ReviewQueue("review/queue.jsonl", audit=default_audit_log("."), run_id="browser")\n'
    "queue.add(\n"
    "    [\n"
    "        ReviewCase(\n"
    '            "BC000101", 0.91, 0.3,\n'
    '            "Flagged for review mainly because the monthly amount claimed is high.",\n'
    '            details={"monthly amount claimed": "1,240", "channel": "online"},\n'
    "        ),\n"
    "        ReviewCase(\n"
    '            "BC000102", 0.64, 0.3,\n'
    '            "Flagged for review mainly because the claim was made online.",\n'
    '            details={"monthly amount claimed": "610", "channel": "online"},\n'
    "        ),\n"
    "    ],\n"
    "    skip_existing=True,\n"
    ")\n"
    "ReviewDesk(queue)",
    # The evaluate lesson's form.
    f'PeerFeedbackForm({list(TEAMS)!r}, folder="feedback")',
    # The engage lesson's poll.
    "PollWidget(\n"
    '    "Which failure would you fix first?",\n'
    f"    {list(POLL_OPTIONS)!r},\n"
    '    folder="polls",\n'
    f'    poll_id="{POLL_ID}",\n'
    ")",
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three notebooks, and a validated run folder for the ethics form."""
    root = tmp_path_factory.mktemp("lab-widgets") / "root"
    root.mkdir()
    write_notebook(root / "analysis.ipynb", *ANALYSIS_NOTEBOOK)
    write_notebook(root / "privacy.ipynb", *PRIVACY_NOTEBOOK)
    write_notebook(root / "forms.ipynb", *FORMS_NOTEBOOK)
    # The ethics form saves only into a run folder the real validate stage wrote.
    validated_claims_run(root / "workspace", root / ETHICS_RUN)
    return root


@pytest.fixture(scope="module")
def lab(lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    server = start_jupyter_lab(lab_root, tmp_path_factory.mktemp("jupyter-home"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pages(browser: Browser, lab: JupyterServer) -> Iterator[dict[str, Page]]:
    """Each notebook opened in its own page and run; the kernels work side by side."""
    contexts = []
    opened: dict[str, Page] = {}
    try:
        for name in ("analysis", "privacy", "forms"):
            context = browser.new_context(viewport=DEEP_VIEWPORT)
            contexts.append(context)
            opened[name] = context.new_page()
            open_and_run(opened[name], lab, f"{name}.ipynb")
        yield opened
    finally:
        for context in contexts:
            context.close()


# --------------------------------------------------------------------------- helpers


def choose(page: Page, select: Locator, label: str) -> None:
    """Choose the option whose label starts with ``label`` in the focused list, by keyboard.

    In JupyterLab the arrow keys on a closed list move between cells (ipywidgets issue
    3912), so the list is opened with Alt+Down, the option reached with the arrow keys
    and chosen with Enter. (Typing an option's first letters also finds it, but only
    when the keys come within a second of each other, which a busy machine can miss.)
    """
    assert select.evaluate("s => s === document.activeElement"), "the list has no focus"
    # ipywidgets writes the spaces in option labels as non-breaking spaces.
    labels = [t.replace("\xa0", " ") for t in select.locator("option").all_inner_texts()]
    matches = [i for i, text in enumerate(labels) if text.startswith(label)]
    assert len(matches) == 1, f"{label!r} should start exactly one of {labels}"
    steps = matches[0] - int(select.evaluate("s => s.selectedIndex"))
    page.keyboard.press("Alt+ArrowDown")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    page.keyboard.press("Enter")
    # Wait until the list has closed, so that the next key reaches the page: a Tab
    # pressed while it is still open only closes it, and the focus stays on the list.
    page.wait_for_function("s => !s.matches(':open')", arg=select.element_handle())
    expect(select.locator("option:checked")).to_have_text(
        re.compile("^" + re.escape(label).replace(r"\ ", "[ \xa0]"))
    )


def retype(page: Page, text: str) -> None:
    """Replace the focused box's text with ``text``."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def tab_to(page: Page, css: str, *, limit: int = 6) -> None:
    """Press Tab until the focus is inside an element with class ``css``."""
    for _ in range(limit):
        if css in focused_classes(page).split():
            return
        page.keyboard.press("Tab")
    assert css in focused_classes(page).split(), f"Tab never reached .{css}"


# A box's text is cut off when it is wider than the box's content area. A button's
# scrollWidth does not show it, and whole pixels hide a cut of a fraction of one, so the
# text is measured (with a range, or for a list's chosen option on a canvas in the
# list's font) against the box's exact width less its padding (a list's arrow sits in
# its right padding) and borders. Inline labels (above a group of options) never cut
# their text.
_CLIPPED_JS = """els => els.filter(e => {
    const style = getComputedStyle(e);
    if (e.offsetWidth === 0 || style.display === "inline") return false;
    const edges = ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"];
    const inner = e.getBoundingClientRect().width
        - edges.reduce((sum, side) => sum + parseFloat(style[side]), 0);
    if (e.tagName === "SELECT") {
        const chosen = e.options[e.selectedIndex];
        if (!chosen) return false;
        const ctx = document.createElement("canvas").getContext("2d");
        ctx.font = style.font;
        return ctx.measureText(chosen.text).width > inner + 0.1;
    }
    const range = document.createRange();
    range.selectNodeContents(e);
    return e.scrollWidth > e.clientWidth || range.getBoundingClientRect().width > inner + 0.1;
}).map(e => e.tagName === "SELECT" ? "list showing " + e.options[e.selectedIndex].text
                                   : e.textContent.trim())"""


def assert_labels_whole(widget: Locator) -> None:
    """No label, description, button caption or chosen option inside ``widget`` is cut off.

    ipywidgets cuts a description longer than its width with an ellipsis; the whole
    text then shows only on hover, which a keyboard user never sees.
    """
    clipped = widget.locator(".widget-label, .widget-label-basic, button, select").evaluate_all(
        _CLIPPED_JS
    )
    assert clipped == [], f"labels cut off: {clipped}"


def snap(page: Page, widget: Locator, path: Path) -> None:
    """Check the labels once more (the lists now show other options), then save the cell."""
    assert_labels_whole(widget)
    widget.scroll_into_view_if_needed()
    screenshot(page.locator(".jp-Cell", has=widget), path)


def _json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- analysis


def test_tuning_widget_runs_a_new_study_from_the_keyboard(
    pages: dict[str, Page], artifacts: Path
) -> None:
    page = pages["analysis"]
    tuner = page.locator(".mlops-tuning-widget")
    assert_rendered(page, tuner)
    assert_labels_whole(tuner)
    status = tuner.locator(".mlops-tuning-status")
    table = tuner.locator(".mlops-tuning-table")
    # The cell ran one study of three trials as it displayed the widget.
    expect(status).to_contain_text(
        "Finished. Tuned the logistic model with 3 trials", timeout=RUN_TIMEOUT
    )
    expect(status).to_contain_text("The best cross-validated ROC AUC was")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(tuner.locator(".mlops-tuning-figure")).to_contain_text("trial")

    # Two trials, optimising average precision, without pruning: all from the keyboard.
    tuner.locator(".mlops-tuning-trials input").focus()
    retype(page, "2")
    page.keyboard.press("Tab")
    assert "mlops-tuning-seconds" in focused_classes(page)
    page.keyboard.press("Tab")
    assert "mlops-tuning-metric" in focused_classes(page)
    choose(page, tuner.locator(".mlops-tuning-metric select"), "average precision")
    page.keyboard.press("Tab")
    assert "mlops-tuning-pruning" in focused_classes(page)
    page.keyboard.press("Space")
    expect(tuner.locator(".mlops-tuning-pruning input")).not_to_be_checked()
    page.keyboard.press("Tab")
    assert "mlops-tuning-run" in focused_classes(page)
    page.keyboard.press("Enter")

    expect(status).to_contain_text(
        "Finished. Tuned the logistic model with 2 trials (2 complete, 0 stopped early by pruning)",
        timeout=RUN_TIMEOUT,
    )
    expect(status).to_contain_text("The best cross-validated average precision was")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(tuner.locator("button.mlops-tuning-run")).to_be_enabled()
    expect(tuner.locator("button.mlops-tuning-run")).to_have_text("Run tuning")
    snap(page, tuner, artifacts / "lab_tuning_finished.png")


def test_drift_explorer_changes_month_and_window_from_the_keyboard(
    pages: dict[str, Page], artifacts: Path
) -> None:
    page = pages["analysis"]
    explorer = page.locator(".mlops-drift-explorer")
    assert_rendered(page, explorer)
    assert_labels_whole(explorer)
    echo = explorer.locator(".mlops-drift-echo")
    report = explorer.locator(".mlops-drift-report")
    expect(echo).to_have_text(
        "2023-09 against 2023-01 to 2023-06: no feature drifted, no alarm.",
        timeout=RUN_TIMEOUT,
    )
    # What the same widget says in plain Python for the choices made below.
    here = DriftExplorer(load_dataset("benefit_claims"), month="2024-03", figure=False)
    six = here.result.drifted
    here.window.value = here.window.options[1][1]
    twelve = here.result.drifted
    assert six == ("channel",)

    explorer.locator(".mlops-drift-month select").focus()
    choose(page, explorer.locator(".mlops-drift-month select"), "2024-03")
    expect(echo).to_have_text(
        "2024-03 against 2023-01 to 2023-06: drifted: channel.", timeout=ECHO_TIMEOUT
    )
    expect(report.locator(".mlops-drift-table")).to_contain_text("channel")
    expect(report.locator(".mlops-drift-alerts")).not_to_contain_text("No alerts")

    page.keyboard.press("Tab")
    assert "mlops-drift-window" in focused_classes(page)
    choose(
        page, explorer.locator(".mlops-drift-window select"), "2023-01 to 2023-12 (first 12 months)"
    )
    verdict = f"drifted: {', '.join(twelve)}" if twelve else "no feature drifted, no alarm"
    expect(echo).to_have_text(
        f"2024-03 against 2023-01 to 2023-12: {verdict}.", timeout=ECHO_TIMEOUT
    )
    # The figure comes with its description in words.
    expect(report.locator("figure.mlops-figure figcaption")).to_contain_text("drift")
    snap(page, explorer, artifacts / "lab_drift_changed.png")


def test_abtest_simulator_follows_typing_arrows_and_the_view_choice(
    pages: dict[str, Page], artifacts: Path
) -> None:
    page = pages["analysis"]
    sim = page.locator(".mlops-abtest-simulator")
    assert_rendered(page, sim)
    assert_labels_whole(sim)
    echo = sim.locator(".mlops-abtest-echo")
    status = sim.locator(".mlops-abtest-status")

    def power_echo(traffic: int, effect: float) -> str:
        p = simulate_power(
            traffic,
            baseline=AB_BASELINE,
            effect=effect,
            n_sims=AB_SIMS,
            seed=AB_SEED,
        )
        return f"power {p.power:.3f}, false positive rate {p.false_positive_rate:.3f}"

    expect(echo).to_have_text(power_echo(4000, 0.02), timeout=RUN_TIMEOUT)

    sim.locator(".mlops-abtest-traffic input").focus()
    retype(page, "12000")
    page.keyboard.press("Tab")  # sends the number, and reaches the baseline slider
    expect(echo).to_have_text(power_echo(12000, 0.02), timeout=ECHO_TIMEOUT)
    expect(status).to_contain_text("One look at the end of 12,000 cases")

    # Each slider's handle and its editable readout are Tab stops.
    tab_to(page, "mlops-abtest-effect")
    assert "noUi-handle" in focused_classes(page).split()[0]
    page.keyboard.press("ArrowRight")  # one step of 0.005
    expect(echo).to_have_text(power_echo(12000, 0.025), timeout=ECHO_TIMEOUT)
    expect(sim.locator(".mlops-abtest-effect .widget-readout")).to_have_text("+0.025")

    # The second view: its toggle button is a Tab stop; Space presses it.
    sim.locator(".mlops-abtest-mode button").nth(1).focus()
    page.keyboard.press("Space")
    expected = simulate_design(
        12000,
        baseline=AB_BASELINE,
        effect=0.025,
        n_looks=AB_LOOKS,
        mode="peeking",
        n_sims=AB_SIMS,
        seed=AB_SEED,
    )
    null = expected.peeking_null
    assert null is not None
    expect(echo).to_have_text(
        f"peeking: naive {null.naive:.3f}, sequential {null.sequential:.3f}",
        timeout=ECHO_TIMEOUT,
    )
    expect(status).to_contain_text("6 looks, one after every 2,000 cases")
    expect(status).to_contain_text(expected.reading())
    expect(sim.locator(".mlops-abtest-mode button").nth(1)).to_have_class(
        re.compile(r"\bmod-active\b")
    )
    snap(page, sim, artifacts / "lab_abtest_peeking.png")


# --------------------------------------------------------------------------- privacy


def test_k_anonymity_explorer_generalises_and_suppresses_from_the_keyboard(
    pages: dict[str, Page], artifacts: Path
) -> None:
    page = pages["privacy"]
    explorer = page.locator(".mlops-privacy-kanon-explorer")
    assert_rendered(page, explorer)
    assert_labels_whole(explorer)
    echo = explorer.locator(".mlops-privacy-kanon-echo")
    contacts = load_raw_contacts()
    columns = ["age", "sex", "postcode"]

    def said(**choices: Any) -> str:
        r = explore_anonymity(contacts, columns, sensitive="support_need", **choices).result
        verdict = (
            f"passes: every group has at least {r.target} rows"
            if r.passed
            else f"fails: {len(r.offending):,} group(s) have fewer than {r.target} rows"
        )
        return f"k = {r.k} on age, sex, postcode; the table {verdict}."

    expect(echo).to_have_text(said(k=5), timeout=RUN_TIMEOUT)
    assert "fails" in said(k=5)

    age = explorer.locator(".mlops-privacy-kanon-age select")
    age.focus()
    band = "10-year bands, under 30 to 70+"
    choose(page, age, band)
    expect(echo).to_have_text(said(k=5, age=band), timeout=ECHO_TIMEOUT)
    page.keyboard.press("Tab")
    assert "mlops-privacy-kanon-postcode" in focused_classes(page)
    choose(page, explorer.locator(".mlops-privacy-kanon-postcode select"), "area")
    passing = said(k=5, age=band, postcode="area")
    assert "passes" in passing
    expect(echo).to_have_text(passing, timeout=ECHO_TIMEOUT)

    # A stricter k fails again; suppressing the groups still too small passes.
    page.keyboard.press("Tab")
    assert "mlops-privacy-kanon-k" in focused_classes(page)
    retype(page, "12")
    page.keyboard.press("Tab")  # sends k, and reaches the suppress box
    failing = said(k=12, age=band, postcode="area")
    assert "fails" in failing
    expect(echo).to_have_text(failing, timeout=ECHO_TIMEOUT)
    assert "mlops-privacy-kanon-suppress" in focused_classes(page)
    page.keyboard.press("Space")
    suppressed = said(k=12, age=band, postcode="area", suppress=True)
    assert "passes" in suppressed
    expect(echo).to_have_text(suppressed, timeout=ECHO_TIMEOUT)
    expect(explorer.locator(".mlops-privacy-kanon-report")).to_contain_text("Suppression removed")
    snap(page, explorer, artifacts / "lab_kanonymity_suppressed.png")


def test_privacy_budget_publishes_then_refuses_an_overspend_in_words(
    pages: dict[str, Page], artifacts: Path
) -> None:
    page = pages["privacy"]
    desk = page.locator(".mlops-privacy-budget-widget")
    assert_rendered(page, desk)
    assert_labels_whole(desk)
    message = desk.locator(".mlops-privacy-budget-message")
    table = desk.locator(".mlops-privacy-budget-table")
    expect(table).to_contain_text("No statistic published yet.", timeout=RUN_TIMEOUT)

    desk.locator(".mlops-privacy-budget-epsilon input").focus()
    retype(page, "0.6")
    page.keyboard.press("Tab")
    assert "mlops-privacy-budget-publish" in focused_classes(page)
    page.keyboard.press("Enter")
    expect(message).to_contain_text(
        "Published. People needing housing support:", timeout=ECHO_TIMEOUT
    )
    expect(message).to_contain_text("0.6 of 1 spent on 1 release; 0.4 left.")

    # The same again would overspend: refused in words, nothing published.
    page.keyboard.press("Enter")
    expect(message).to_contain_text(
        "Refused: The privacy budget 'this session's releases' cannot pay for 'People "
        "needing housing support'",
        timeout=ECHO_TIMEOUT,
    )
    expect(message).to_contain_text("only 0.4 is left")
    expect(table.locator("tbody tr")).to_have_count(1)

    # What is left buys the mean age.
    statistic = desk.locator(".mlops-privacy-budget-statistic select")
    statistic.focus()
    choose(page, statistic, "Mean age (clipped to 16-100)")
    page.keyboard.press("Tab")
    assert "mlops-privacy-budget-epsilon" in focused_classes(page)
    retype(page, "0.4")
    page.keyboard.press("Tab")
    expect(desk.locator(".mlops-privacy-budget-epsilon input")).to_have_value("0.4")
    assert "mlops-privacy-budget-publish" in focused_classes(page)
    page.keyboard.press("Enter")
    expect(message).to_contain_text(
        "Published. Mean age (clipped to 16-100):", timeout=ECHO_TIMEOUT
    )
    expect(message).to_contain_text("1 of 1 spent on 2 releases; 0 left.")
    expect(table.locator("tbody tr")).to_have_count(2)
    snap(page, desk, artifacts / "lab_privacy_budget_spent.png")


def test_ethics_form_refuses_then_saves_from_the_keyboard(
    pages: dict[str, Page], lab_root: Path, artifacts: Path
) -> None:
    page = pages["privacy"]
    form = page.locator(".mlops-ethics-form")
    assert_rendered(page, form)
    assert_labels_whole(form)
    status = form.locator(".mlops-ethics-status")
    expect(status).to_have_text("Not saved yet.", timeout=RUN_TIMEOUT)
    scores = {area.key: 4 for area in ETHICS_AREAS}
    scores["fairness"] = 1
    scores["accountability"] = 5
    selects = form.locator(".mlops-ethics-score select")
    expect(selects).to_have_count(len(ETHICS_AREAS))

    # Every score from the keyboard: the list, then Tab over its notes to the next one.
    selects.first.focus()
    for area, select in zip(ETHICS_AREAS, selects.all(), strict=True):
        assert "mlops-ethics-score" in focused_classes(page)
        choose(page, select, f"{scores[area.key]}: ")
        page.keyboard.press("Tab")
        assert "mlops-ethics-notes" in focused_classes(page)
        page.keyboard.press("Tab")
    assert "mlops-ethics-assessor" in focused_classes(page)
    page.keyboard.type("Sam Lee")
    page.keyboard.press("Tab")
    page.keyboard.type("Data ethics lead")
    page.keyboard.press("Tab")
    assert "mlops-ethics-save" in focused_classes(page)
    page.keyboard.press("Enter")
    # Fairness scored 1 without a note: refused, with the rule in words.
    expect(status).to_contain_text(
        "✗ Not saved: the assessment breaks 1 rule.", timeout=ECHO_TIMEOUT
    )
    expect(status).to_contain_text("Fairness is scored 1, so it needs a note")
    run_dir = lab_root / ETHICS_RUN
    assert load_ethics_assessment(run_dir) is None

    fairness = [a.key for a in ETHICS_AREAS].index("fairness")
    form.locator(".mlops-ethics-notes textarea").nth(fairness).focus()
    note = "Fails the four-fifths rule by sex; the equality impact assessment is under way."
    page.keyboard.type(note)
    page.keyboard.press("Tab")
    form.locator("button.mlops-ethics-save").focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text(
        "✓ Saved to ethics_assessment.json in the run folder.", timeout=ECHO_TIMEOUT
    )
    snap(page, form, artifacts / "lab_ethics_saved.png")

    saved = load_ethics_assessment(run_dir)
    assert saved is not None
    assert {s.area.key: s.score for s in saved.scores} == scores
    assert saved.score("fairness").notes == note
    assert saved.assessed_by == "Sam Lee"
    assert saved.role == "Data ethics lead"
    assert not list(run_dir.glob(".*.tmp")), "the file was written atomically"


# --------------------------------------------------------------------------- forms


def test_review_desk_refuses_then_records_an_override_in_the_audit_log(
    pages: dict[str, Page], lab_root: Path, artifacts: Path
) -> None:
    page = pages["forms"]
    desk = page.locator(".mlops-review-desk")
    assert_rendered(page, desk)
    assert_labels_whole(desk)
    heading = desk.locator(".mlops-review-heading")
    status = desk.locator(".mlops-review-status")
    expect(heading).to_have_text(
        "Review desk: case BC000101 (1 of 2; 2 waiting)", timeout=RUN_TIMEOUT
    )
    expect(desk.locator(".mlops-review-case")).to_contain_text(
        "The model's reasons: Flagged for review mainly because the monthly amount"
    )

    # Override without a reason: refused in words, nothing recorded.
    desk.locator(".mlops-review-reviewer input").focus()
    page.keyboard.type("Jo Khan")
    page.keyboard.press("Tab")
    assert "mlops-review-reason" in focused_classes(page)
    tab_to(page, "mlops-review-override")
    page.keyboard.press("Enter")
    expect(status).to_contain_text(
        "✗ Not recorded: case BC000101 is still waiting.", timeout=ECHO_TIMEOUT
    )
    expect(status).to_contain_text("at least 15 characters")
    audit = lab_root / "audit" / "audit.jsonl"
    assert not audit.exists() or _json_lines(audit) == []

    reason = "Documents checked: the declared income and rent are correct."
    desk.locator(".mlops-review-reason textarea").focus()
    page.keyboard.type(reason)
    page.keyboard.press("Tab")
    assert "mlops-review-accept" in focused_classes(page)
    page.keyboard.press("Tab")
    assert "mlops-review-override" in focused_classes(page)
    page.keyboard.press("Enter")
    expect(status).to_contain_text(
        "✓ Recorded. Jo Khan overrode the flag on case BC000101: final decision not flagged.",
        timeout=ECHO_TIMEOUT,
    )
    # The desk moves on, and the reason box is cleared for the next case.
    expect(heading).to_have_text("Review desk: case BC000102 (2 of 2; 1 waiting)")
    expect(desk.locator(".mlops-review-reason textarea")).to_have_value("")
    expect(desk.locator(".mlops-review-progress")).to_contain_text("overrode 1")
    said = status.inner_text()
    snap(page, desk, artifacts / "lab_review_recorded.png")

    (entry,) = _json_lines(audit)
    assert entry["event"] == "review_overridden"
    assert entry["actor"] == "Jo Khan"
    assert f"Audit entry seq {entry['seq']} (hash {entry['hash'][:12]}...)" in said
    decided = [c for c in _json_lines(lab_root / "review" / "queue.jsonl") if "action" in c]
    assert decided, "the queue file records the decision"


def test_peer_feedback_form_saved_from_the_keyboard(
    pages: dict[str, Page], lab_root: Path, artifacts: Path
) -> None:
    page = pages["forms"]
    form = page.locator(".mlops-feedback-form")
    assert_rendered(page, form)
    assert_labels_whole(form)
    status = form.locator(".mlops-feedback-status")
    expect(status).to_have_text("Not saved yet.", timeout=RUN_TIMEOUT)
    levels = {c.key: 2 for c in RUBRIC}
    levels["governance"] = 3
    levels["monitoring"] = 1

    team = form.locator(".mlops-feedback-team select")
    team.focus()
    choose(page, team, "Team Heron")
    page.keyboard.press("Tab")
    assert "mlops-feedback-reviewer" in focused_classes(page)
    page.keyboard.type("Priya Shah")
    page.keyboard.press("Tab")
    for criterion, select in zip(
        RUBRIC, form.locator(".mlops-feedback-level select").all(), strict=True
    ):
        assert "mlops-feedback-level" in focused_classes(page)
        choose(page, select, f"{levels[criterion.key]}: ")
        page.keyboard.press("Tab")
    assert "mlops-feedback-strength" in focused_classes(page)
    page.keyboard.type("A named approver signs off against written fairness limits.")
    page.keyboard.press("Tab")
    page.keyboard.type("Say who watches the drift alerts and how fast they act.")
    page.keyboard.press("Tab")
    assert "mlops-feedback-save" in focused_classes(page)
    page.keyboard.press("Enter")
    total = sum(levels.values())
    expect(status).to_have_text(
        f"✓ Saved your feedback on Team Heron: {total} of {3 * len(RUBRIC)} across the "
        "criteria. Saving again replaces it.",
        timeout=ECHO_TIMEOUT,
    )
    snap(page, form, artifacts / "lab_feedback_saved.png")

    saved = load_feedback(lab_root / "feedback")
    assert len(saved) == 1
    row = saved.iloc[0]
    assert (row["team"], row["reviewer"]) == ("Team Heron", "Priya Shah")
    assert {key: int(row[key]) for key in levels} == levels
    assert row["improvement"] == "Say who watches the drift alerts and how fast they act."


def test_poll_answered_and_saved_from_the_keyboard(
    pages: dict[str, Page], lab_root: Path, artifacts: Path
) -> None:
    page = pages["forms"]
    poll = page.locator(".mlops-poll")
    assert_rendered(page, poll)
    assert_labels_whole(poll)
    status = poll.locator(".mlops-poll-status")
    submit = poll.locator("button.mlops-poll-submit")
    radios = poll.locator(".mlops-poll-options input[type=radio]")
    expect(radios).to_have_count(len(POLL_OPTIONS), timeout=RUN_TIMEOUT)

    # Submit with nothing chosen: asked to choose, nothing saved.
    submit.focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Choose an answer first.", timeout=ECHO_TIMEOUT)
    assert not (lab_root / "polls").exists()

    # Each option is its own Tab stop in ipywidgets 8: Tab to the second, Space picks it.
    radios.first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(radios.nth(1)).to_be_checked()
    tab_to(page, "mlops-poll-comment")
    page.keyboard.type("It drifted for a year before anyone noticed.")
    page.keyboard.press("Tab")
    assert "mlops-poll-name" in focused_classes(page)
    page.keyboard.type("Alex Morgan")
    page.keyboard.press("Tab")
    assert "mlops-poll-submit" in focused_classes(page)
    page.keyboard.press("Enter")
    expect(status).to_have_text("✓ Thank you: your answer was saved.", timeout=ECHO_TIMEOUT)
    # Locked once saved, so one person's answer is not counted twice.
    expect(submit).to_be_disabled()
    snap(page, poll, artifacts / "lab_poll_submitted.png")

    (path,) = (lab_root / "polls" / POLL_ID).glob("*.json")
    answer = json.loads(path.read_text(encoding="utf-8"))
    assert answer["choice"] == POLL_OPTIONS[1]
    assert answer["comment"] == "It drifted for a year before anyone noticed."
    assert answer["participant"] == "Alex Morgan"
