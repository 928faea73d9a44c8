"""Every notebook runs top to bottom under papermill, with no human, in a fresh kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from mlops_kit.config import load_config
from mlops_kit.data import dataset_info
from mlops_kit.pipeline import STAGES, execute_notebook, stage_notebook
from mlops_kit.registry import Registry
from mlops_kit.widgets import save_poll_answer

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: The facilitator dashboard (served with Voila by `make dashboard`), not a lesson.
DASHBOARD = REPO / "notebooks" / "dashboard" / "facilitator_dashboard.ipynb"


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(nb: Any) -> str:
    """Everything the executed notebook shows: text, HTML and plain-text reprs."""
    parts: list[str] = []
    for o in _outputs(nb):
        if "text" in o:
            parts.append(str(o["text"]))
        for mime in ("text/plain", "text/html"):
            if mime in o.get("data", {}):
                parts.append(str(o["data"][mime]))
    return "\n".join(parts)


def _shown(nb: Any) -> str:
    """:func:`_text` followed by the Markdown the cells displayed."""
    return _text(nb) + "".join(
        str(o["data"]["text/markdown"])
        for o in _outputs(nb)
        if "text/markdown" in o.get("data", {})
    )


def _no_errors_or_warnings(nb: Any) -> None:
    for o in _outputs(nb):
        assert o["output_type"] != "error", f"{o.get('ename')}: {o.get('evalue')}"
        if o["output_type"] == "stream" and o.get("name") == "stderr":
            assert "Warning" not in o["text"], o["text"]


def test_every_notebook_in_the_repository_is_executed_by_the_suite() -> None:
    """Lessons and stage notebooks run here; exercise notebooks in test_exercises*.py."""
    assert [p.name for p in LESSONS] == [
        "00_engage_case_study.ipynb",
        "01_explore_automated_pipeline.ipynb",
        "02_explain_concepts.ipynb",
        "03_metrics.ipynb",
        "04_tuning.ipynb",
        "05_versioning.ipynb",
        "06_monitoring_continuous_training.ipynb",
        "07_ab_testing.ipynb",
        "08_governance_privacy.ipynb",
        "09_explainability.ipynb",
        "10_elaborate_design.ipynb",
        "11_evaluate_reflect.ipynb",
        "12_extend_adoption.ipynb",
    ]
    stages = {stage_notebook(s).resolve() for s in STAGES}
    assert set((REPO / "notebooks" / "pipeline").glob("*.ipynb")) == stages
    exercise_tests = "".join(  # test_exercises.py and one test_exercises_<name>.py each
        p.read_text(encoding="utf-8") for p in sorted((REPO / "tests").glob("test_exercises*.py"))
    )
    exercises = sorted((REPO / "exercises").rglob("*.ipynb"))
    assert exercises, "the exercises folder has notebooks"
    for notebook in exercises:
        assert notebook.name in exercise_tests, f"{notebook} is not executed by any test"
    every = set(REPO.glob("notebooks/**/*.ipynb")) | set(exercises)
    assert every == set(LESSONS) | stages | set(exercises) | {DASHBOARD}


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_engage_case_study_shows_the_failure_and_charts_both_polls(
    tmp_path: Path, track: str
) -> None:
    polls = tmp_path / "polls"
    for choice in ("Nobody checked fairness between groups",) * 2 + (
        "Nobody monitored performance after launch",
    ):
        save_poll_answer(polls, poll_id="engage-first-thoughts", choice=choice)
    for choice in ("Trained once by hand, rarely re-checked",) * 2:
        save_poll_answer(polls, poll_id="engage-team-practice", choice=choice)
    out = tmp_path / "engage.ipynb"
    nb = execute_notebook(
        REPO / "notebooks" / "00_engage_case_study.ipynb",
        out,
        parameters={"poll_dir": str(polls), "track": track},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    # The decay after the change and the unequal flag rates are shown in words.
    assert "Model performance over time" in text
    assert "before 2024-01 and" in text
    assert "Four-fifths rule on flag rates" in text
    assert "Not judged, too little data" in text
    # Both facilitator charts count the answers found in the shared folder, in the
    # options' order, with the options nobody chose as zero.
    assert (
        '3 answers to "What was the most serious failure in this case?": Nobody monitored '
        "performance after launch 1 (33%), Nobody checked fairness between groups 2 (67%), "
        "Nobody recorded which data and code built the model 0 (0%)"
    ) in text
    assert (
        '2 answers to "Before today, how does your team train and re-check its models?": '
        "We do not build models yet 0 (0%), Trained once by hand, rarely re-checked 2 (100%)"
    ) in text
    # Each poll widget leaves a static text representation as well as its view.
    assert "Poll: What was the most serious failure in this case?" in text
    assert "Poll: Before today, how does your team train and re-check its models?" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 2, "both poll widgets are displayed"
    # The facilitator's notes on the discussion are pop-outs on either track.
    assert "For the facilitator: what to listen for (open one with Enter)" in text
    assert "<details><summary><strong>Oversight</strong></summary>" in text
    # One parameter switches the track: glossary pop-outs and hints, or the tasks.
    novice = track == "novice"
    assert ("Novice track" in text) == novice
    assert ("The terms you will need (open one with Enter)" in text) == novice
    assert ("<details><summary><strong>ROC AUC</strong></summary>" in text) == novice
    assert ("Hints (novice track): open one at a time" in text) == novice
    assert ("Going further (for when you have finished)" in text) == novice
    assert ("Experienced track: the terms are skipped" in text) == (not novice)
    assert ("Going further (experienced track)" in text) == (not novice)
    # The lesson writes nothing in its working folder but papermill's output.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["engage.ipynb", "polls"]


@pytest.mark.notebook
def test_explore_lesson_walks_the_stages_runs_unattended_and_replays(tmp_path: Path) -> None:
    """One track only: the lesson runs the pipeline twice and the replay (about 70 s)."""
    from mlops_kit.audit import default_audit_log
    from mlops_kit.pipeline import STAGE_FILES, release_summary
    from mlops_kit.widgets import PIPELINE_COMPONENTS

    nb = execute_notebook(
        REPO / "notebooks" / "01_explore_automated_pipeline.ipynb",
        tmp_path / "explore.ipynb",
        parameters={"track": "novice"},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    # Two run folders in the working folder, by hand and unattended, each with every
    # stage's files; nothing was written into the repository.
    by_hand = tmp_path / "runs" / "by-hand"
    unattended = [p for p in (tmp_path / "runs").iterdir() if (p / "status.json").is_file()]
    assert len(unattended) == 1
    for run in (by_hand, unattended[0]):
        for stage, files in STAGE_FILES.items():
            for name in files.writes:
                assert (run / name).is_file(), (run.name, stage.value, name)
    assert not (REPO / "notebooks" / "runs").exists()
    assert not (REPO / "notebooks" / "mlops.db").exists()
    status = json.loads((unattended[0] / "status.json").read_text())
    assert status["status"] == "succeeded"
    assert [s["stage"] for s in status["stages"]] == [s.value for s in STAGES]
    assert len(list((unattended[0] / "notebooks").glob("*.ipynb"))) == len(STAGES)
    # Each stage said what it decided, read back from its files.
    assert "Stage 1 of 9, validate (10_validate.ipynb)" in text
    assert "&#x27;claim_id&#x27; near_unique, excluded from training" in text
    gate = json.loads((by_hand / "gate.json").read_text())
    assert gate["decision"] == "refuse"
    checks = sum(c["passed"] for c in gate["checks"])
    assert f"Decision: refuse. {checks} of {len(gate['checks'])} checks passed." in text
    assert "Run by-hand: 9 of 9 stages have written all their files." in text
    assert f"Run {unattended[0].name}: 9 of 9 stages have written all their files." in text
    # The explanation's reason codes, the monitoring alerts and the model card are shown.
    cases = json.loads((by_hand / "explanations.json").read_text())["cases"]
    assert cases[0]["text"] in text
    assert "Action: retrain a challenger on recent data" in text
    assert "# Model card: benefit-claims" in text
    # The unattended run's release summary, as the runner's last words.
    for line in release_summary(unattended[0]):
        assert line in text
    # The replay ran into simulation/ and its timeline and figure are shown.
    timeline = json.loads((tmp_path / "simulation" / "timeline.json").read_text())
    assert timeline["summary"]["promotions"]
    assert "Retraining recovered" in text
    assert "Figure: roc_auc per batch: retrained champion against a never-retrained model" in text
    # Find it: both runs and the replay's models are in the registry, the log verifies.
    versions = Registry(workspace=tmp_path).versions("benefit-claims")
    assert list(versions["run_id"]) == ["by-hand", unattended[0].name]
    assert set(versions["gate_decision"]) == {"refuse"}
    replay_versions = Registry(workspace=tmp_path).versions("benefit-claims-replay")
    assert "champion" in " ".join(replay_versions["aliases"])
    assert "'mlops.trained_by': 'Alex Morgan'" in text
    log = default_audit_log(tmp_path)
    assert log.verify().ok
    assert f"is intact: each of its {len(log)} entries" in text
    assert {e.actor for e in log.entries(run_id=unattended[0].name)} == {"Alex Morgan"}
    # The quiz leaves its static text; the novice track shows each stage's terms as
    # pop-outs before it runs, hints for Find it and the quiz, and folds the tasks away.
    assert "Quiz, 9 items:" in text
    assert PIPELINE_COMPONENTS[0].prompt in text
    for stage in STAGES:
        assert f"Terms used by the {stage.value} stage (open one with Enter)" in text
    assert "<details><summary><strong>governance gate</strong></summary>" in text
    plain = "".join(str(o["data"]["text/plain"]) for o in _outputs(nb) if "data" in o)
    assert plain.count("Hints (novice track): open one at a time") == 2
    assert plain.count("Going further (for when you have finished)") == len(STAGES) + 1
    assert "Going further (experienced track)" not in text
    assert "Experienced track" not in text


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_explain_lesson_draws_the_map_and_shows_both_quizzes(tmp_path: Path, track: str) -> None:
    from mlops_kit.course import COMPONENT_BENEFITS, load_wardley
    from mlops_kit.widgets import METRIC_SCENARIOS

    nb = execute_notebook(
        REPO / "notebooks" / "02_explain_concepts.ipynb",
        tmp_path / "explain.ipynb",
        parameters={"track": track},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    # The map is drawn from the bundled table, with every position described in words.
    assert "Figure: Wardley map of the MLOps pipeline" in text
    assert "User need: a fair, explained decision on a claim." in text
    for component in load_wardley():
        assert f"{component.name}: visibility {component.visibility:.2f}" in text
    assert 'alt="Wardley map of the MLOps pipeline"' in text
    # Both quizzes leave their static snapshot, and the answer keys mark every item.
    assert f"Quiz, {len(COMPONENT_BENEFITS)} items:" in text
    assert f"Quiz, {len(METRIC_SCENARIOS)} items:" in text
    assert f"{len(COMPONENT_BENEFITS)} of {len(COMPONENT_BENEFITS)} correct." in text
    assert f"{len(METRIC_SCENARIOS)} of {len(METRIC_SCENARIOS)} correct." in text
    assert COMPONENT_BENEFITS[3].explanation in text
    # One parameter switches the track: the terms as pop-outs and a pop-out per hint of
    # the map and each quiz, or the Going further tasks after the map and at the end.
    novice = track == "novice"
    assert ("The terms you will need (open one with Enter)" in text) == novice
    assert ("<details><summary><strong>audit log</strong></summary>" in text) == novice
    plain = "".join(str(o["data"]["text/plain"]) for o in _outputs(nb) if "data" in o)
    assert plain.count("Hints (novice track): open one at a time") == (3 if novice else 0)
    assert plain.count("hint(s) for this activity are on the novice track") == (0 if novice else 3)
    assert plain.count("Going further (experienced track)") == (0 if novice else 2)
    assert plain.count("Going further (for when you have finished)") == (2 if novice else 0)
    # The lesson writes nothing in its working folder but papermill's output.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explain.ipynb"]


@pytest.mark.notebook
def test_a_mistyped_track_stops_the_lesson_at_its_first_cell(tmp_path: Path) -> None:
    """Lessons 00 to 04 check ``track`` first; one of them is run to see the error."""
    from papermill import PapermillExecutionError

    lessons = LESSONS[:5]
    assert [p.name[:2] for p in lessons] == ["00", "01", "02", "03", "04"]
    for lesson in lessons:
        code = [c for c in nbformat.read(lesson, as_version=4).cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), lesson.name
        assert 'track = "novice"' in code[0].source, lesson.name
        assert "guide = track_guide(track)" in code[1].source, lesson.name
        assert "track ==" not in "".join(c.source for c in code), lesson.name
    out = tmp_path / "explain.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        execute_notebook(
            REPO / "notebooks" / "02_explain_concepts.ipynb",
            out,
            parameters={"track": "novise"},
            cwd=tmp_path,
        )
    assert caught.value.ename == "ConfigError"
    assert caught.value.evalue == (
        "The 'track' parameter must be one of 'novice', 'experienced'. Got 'novise' instead. "
        "Did you mean 'novice'?"
    )
    # Only the parameters, papermill's injected parameters and the first cell ran.
    code = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    ran = [c for c in code if c.execution_count is not None]
    assert len(ran) == 3
    assert "track_guide(track)" in ran[-1].source
    assert ran[-1].outputs[-1]["output_type"] == "error"


@pytest.mark.notebook
def test_explain_lesson_exports_as_a_slide_deck(tmp_path: Path) -> None:
    """What `make slides` does: execute the committed notebook and export it with reveal.js."""
    import re

    from nbconvert import SlidesExporter
    from traitlets.config import Config

    source = nbformat.read(REPO / "notebooks" / "02_explain_concepts.ipynb", as_version=4)
    types = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in source.cells]
    assert all(t in {"slide", "subslide", "fragment", "skip"} for t in types), types
    exporter = SlidesExporter(config=Config({"ExecutePreprocessor": {"enabled": True}}))
    html, _ = exporter.from_notebook_node(source, resources={"metadata": {"path": str(tmp_path)}})
    out = tmp_path / "02_explain_concepts.slides.html"
    out.write_text(html, encoding="utf-8")
    # One <section> per slide and one per subslide (each slide's group adds its own).
    sections = html.count("<section")
    assert sections >= types.count("slide") + types.count("subslide") >= 20
    assert html.count('class="fragment"') == types.count("fragment")
    assert "reveal" in html.lower()
    # The skipped cells (parameters and imports) stay out of the deck; the content is in.
    assert "from mlops_kit.course import" not in html
    assert "Parameters: papermill can replace these" not in html
    assert re.search(r'<img[^>]+alt="Wardley map of the MLOps pipeline"', html)
    assert "User need: a fair, explained decision on a claim." in html
    # The quizzes are embedded with their widget state, and the answers follow.
    assert "application/vnd.jupyter.widget-state+json" in html
    assert "What is each component for?" in html
    assert "9 of 9 correct." in html
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_metrics_lesson_runs_with_a_different_threshold(tmp_path: Path, track: str) -> None:
    from mlops_kit.metrics import METRIC_GLOSSARY

    nb = execute_notebook(
        REPO / "notebooks" / "03_metrics.ipynb",
        tmp_path / "metrics.ipynb",
        parameters={"threshold": 0.4, "track": track},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    assert "Metrics on 10,500 test rows" in text
    assert "At the chosen threshold 0.4" in text
    assert "accuracy of never flagging" in text
    assert "Fairness by ethnic_group" in text
    # The interactive cells leave static snapshots for readers of the executed notebook.
    assert "Threshold explorer at 0.40." in text
    assert "Metrics at threshold 0.40" in text
    assert "Quiz, 6 items:" in text
    # One parameter switches the track: four glossaries of pop-outs and hints for the
    # explorer and the quiz, or the Going further tasks.
    novice = track == "novice"
    plain = "".join(str(o["data"]["text/plain"]) for o in _outputs(nb) if "data" in o)
    assert plain.count("(open one with Enter):") == (4 if novice else 0)
    assert ("The metrics in plain words (open one with Enter)" in text) == novice
    assert (f"- brier: {METRIC_GLOSSARY['brier']}" in text) == novice
    assert ("<details><summary><strong>equalised odds difference</strong>" in text) == novice
    assert plain.count("Hints (novice track): open one at a time") == (2 if novice else 0)
    assert plain.count("Experienced track: the terms are skipped") == (0 if novice else 4)
    assert ("Going further (experienced track)" in text) == (not novice)
    assert ("Going further (for when you have finished)" in text) == novice
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.ipynb"]


@pytest.mark.notebook
def test_stage_notebooks_run_by_hand_with_papermill(tmp_path: Path) -> None:
    """The analyst's route: each stage notebook with papermill, sharing a run folder."""
    data = tmp_path / "claims sample.csv"
    lines = (REPO / "data" / "benefit_claims.csv").read_text(encoding="utf-8").splitlines()
    data.write_text("\n".join(lines[:1] + lines[1::5]) + "\n", encoding="utf-8")
    batch = tmp_path / "new batch.csv"  # a later batch, scored by the monitor stage
    batch.write_text("\n".join(lines[:1] + lines[-400:]) + "\n", encoding="utf-8")
    # Run folders live at <workspace>/runs/<run-id>: the audit log and registry go to
    # the workspace, here the test's own folder.
    run_dir = tmp_path / "runs" / "my run"
    card = load_config(dataset_info("benefit_claims").config).transparency.model_dump(mode="json")
    parameters: dict[str, dict[str, Any]] = {
        "validate": {"data": str(data), "protected": ["sex", "ethnic_group"]},
        "tune": {"model": "logistic", "tuning": {"n_trials": 3, "cv_folds": 2}},
        "train": {"model": "logistic", "cv_folds": 0},
        "evaluate": {"n_bootstrap": 20},
        "explain": {"explain": {"max_rows": 200, "n_repeats": 2}},
        "gate": {},
        "register": {"registry": {"model_name": "by-hand"}, "transparency": card},
        "monitor": {"new_batch": str(batch)},
        "report": {},
    }
    for stage in STAGES:
        nb = execute_notebook(
            stage_notebook(stage),
            tmp_path / f"{stage.value}.ipynb",
            parameters={"run_dir": str(run_dir), **parameters[stage.value]},
            cwd=tmp_path,
        )
        _no_errors_or_warnings(nb)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["fairness"]) == {"sex", "ethnic_group"}
    registration = json.loads((run_dir / "registration.json").read_text())
    assert (registration["model_name"], registration["version"]) == ("by-hand", 1)
    assert (tmp_path / "mlops.db").is_file()
    assert (tmp_path / "audit" / "audit.jsonl").is_file()
    assert (run_dir / "report.html").is_file()
    assert json.loads((run_dir / "monitoring.json").read_text())["batch"] == "new batch.csv"
    executed = nbformat.read(tmp_path / "report.ipynb", as_version=4)
    assert f"Report written to {run_dir / 'report.html'}" in _text(executed)


def _assert_track_switch(nb: Any, track: str, *, terms: str, n_tasks: int) -> None:
    """Lessons 05 to 09: one ``track`` parameter gives pop-outs or numbered extension tasks."""
    text = _text(nb)
    pages = "".join(
        str(o["data"]["text/html"]) for o in _outputs(nb) if "text/html" in o.get("data", {})
    )
    folded = pages.count("<details><summary><strong>")
    if track == "novice":
        assert "Novice track" in text
        assert f"{terms} (open one with Enter)" in text
        assert "(novice track): open one at a time" in text  # the hints
        assert "Going further (for when you have finished)" in text
        assert f"Task {n_tasks}:" in text
        assert "Going further (experienced track)" not in text
        assert "terms are skipped" not in text
        assert folded > n_tasks  # every term, hint and task is a pop-out
    else:
        assert "Experienced track" in text
        assert "Experienced track: the terms are skipped" in text
        assert "hint(s) for this activity are on the novice track" in text
        assert "(open one with Enter)" not in text
        assert "open one at a time" not in text
        assert folded == 0
        tasks = text.split("Going further (experienced track)\n", 1)[1].splitlines()
        numbers = [line.split(". ", 1)[0] for line in tasks[: n_tasks + 1]]
        assert numbers[:n_tasks] == [str(i) for i in range(1, n_tasks + 1)]
        assert len(numbers) == n_tasks or numbers[n_tasks] != str(n_tasks + 1)
        assert any(line.startswith(f"{n_tasks}. Mentor:") for line in tasks)


@pytest.mark.notebook
def test_versioning_lesson_reproduces_signs_off_and_catches_both_tamperings(
    tmp_path: Path,
) -> None:
    from mlops_kit.registry import Registry

    nb = execute_notebook(
        REPO / "notebooks" / "05_versioning.ipynb",
        tmp_path / "versioning.ipynb",
        parameters={"track": "experienced", "approver": "Priya Shah", "approver_role": "Director"},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    # Everything went to the working folder: two runs (the original and its re-run).
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(runs) == 2
    original = json.loads((tmp_path / "runs" / runs[0] / "registration.json").read_text())
    assert (original["model_name"], original["version"]) == ("benefit-claims", 1)
    assert not (REPO / "notebooks" / "mlops.db").exists()
    assert not (REPO / "notebooks" / "runs").exists()
    # The re-run matched every metric exactly.
    assert "Reproduced exactly: all " in text
    assert f"of run {runs[0]} are identical in the re-run {runs[1]}" in text
    # The trainer could not approve; the named approver's override is in the audit log.
    assert "Stopped, as expected (ApprovalError): The approver must not be the person" in text
    assert "Approval form for benefit-claims version 1: the gate decided 'refuse'" in text
    raw = [
        json.loads(line)
        for line in (tmp_path / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    override = [e for e in raw if e["event"] == "overridden"]
    assert [(e["actor"], e["details"]["version"]) for e in override] == [("Priya Shah", 1)]
    assert override[0]["details"]["role"] == "Director"
    assert f"Audit entry seq {override[0]['seq']} (hash {override[0]['hash'][:12]}...)" in text
    assert Registry(workspace=tmp_path).get("benefit-claims", alias="champion").version == 1
    # One flipped byte stopped the load; put back, the verified load was recorded.
    assert "Stopped, as expected (ArtefactIntegrityError)" in text
    assert "failed its integrity check" in text
    loads = [e for e in raw if e["event"] == "model_loaded"]
    assert [(e["actor"], e["details"]["hash_verified"]) for e in loads] == [("Priya Shah", True)]
    # The edited copy of the log is caught at the gate entry; the real log is intact.
    gate = [e for e in raw if e["event"] == "gate_decision" and e["run_id"] == runs[0]][-1]
    assert f"Entry seq {gate['seq']} on line {gate['seq']} has been altered" in text
    assert "has been altered and its hash recomputed" in text
    assert "The audit log audit/audit.jsonl is intact" in text
    drill = (tmp_path / "tamper-drill" / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"decision": "promote"' in drill
    # The trail names the run, the data's hash and the sign-off.
    manifest = json.loads((tmp_path / "runs" / runs[0] / "manifest.json").read_text())
    assert manifest["data"]["sha256"] in text
    assert "Priya Shah overrode the gate&#x27;s refusal" in text  # in the trail's HTML
    # The experienced track gets five numbered extension tasks; the terms and hints are skipped.
    _assert_track_switch(nb, "experienced", terms="The terms of versioning and audit", n_tasks=5)
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert views, "the approval form is displayed"


@pytest.mark.notebook
def test_tuning_lesson_runs_the_widget_compares_searches_and_shares_a_study(
    tmp_path: Path,
) -> None:
    import optuna
    from optuna.storages.journal import JournalFileBackend

    nb = execute_notebook(
        REPO / "notebooks" / "04_tuning.ipynb",
        tmp_path / "tuning.ipynb",
        parameters={
            "track": "experienced",
            "n_trials": 6,
            "sample_rows": 2000,
            "grid_points": 3,
            "n_workers": 2,
        },
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    # The widget ran the study and its static snapshot shows the finished run.
    assert "Tuning widget: histogram gradient boosting (hgb), budget 6 trials, ROC AUC" in text
    assert "Tuned the hgb model with 6 trials" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 2, "the tuning widget and the quiz are displayed"
    # Displayed before the run, the widget's output was refreshed with the finished run.
    assert "Tuned the hgb model with 6 trials" in "".join(views[0]["data"]["text/plain"])
    # Every figure comes with its description.
    for title in (
        "Tuning history",
        "Hyperparameter importance",
        "Score against each hyperparameter",
        "Best score so far: grid, random and TPE search",
    ):
        assert f"Figure: {title}" in text
    # Grid, random and TPE ran the same 3 x 3 budget on the same folds.
    assert "Each method ran 9 trials of the hgb model" in text
    assert "TPE with pruning reached its best" in text
    # The re-run with the same seed gave the same trials.
    assert "'same trials and best settings': True" in text
    # Two worker processes shared one journal file in the working folder, no trial lost.
    log = tmp_path / "tuning" / "lesson-study.log"
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(log)))
    trials = optuna.load_study(study_name="lesson-logistic", storage=storage).get_trials()
    assert sorted(t.number for t in trials) == list(range(8))
    assert len({t.user_attrs["pid"] for t in trials}) == 2
    assert "2 worker processes ran trials at the same time" in text
    assert not (REPO / "notebooks" / "tuning").exists()
    # The experienced track gets the tasks, and the terms and hints are skipped; the
    # quiz leaves a snapshot.
    assert "Going further (experienced track)\n1. What did pruning save?" in text
    assert "Experienced track: the terms are skipped" in text
    assert "Experienced track: 3 hint(s) for this activity are on the novice track." in text
    assert "<details>" not in text
    assert "Quiz, 6 items:" in text


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_ab_testing_lesson_reaches_the_verdict_its_rule_gives(tmp_path: Path, track: str) -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    from mlops_kit.abtest import (
        AB_GLOSSARY,
        DecisionRule,
        Guardrail,
        analyse_experiment,
        live_traffic,
    )

    nb = execute_notebook(
        REPO / "notebooks" / "07_ab_testing.ipynb",
        tmp_path / "ab.ipynb",
        parameters={"track": track, "mde": 0.08, "n_sims": 1000},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    markdown = [
        str(o["data"]["text/markdown"])
        for o in _outputs(nb)
        if "text/markdown" in o.get("data", {})
    ]
    text = _text(nb) + "\n".join(markdown)
    # A rule changed after registration is refused by its hash.
    assert "Does the loosened rule still match its registration? **False**" in text
    assert "it was changed after registration" in text
    # The sample size is statsmodels' for the registered baseline and MDE.
    per_arm = NormalIndPower().solve_power(
        proportion_effectsize(0.35, 0.27), alpha=0.05, power=0.8, ratio=1.0
    )
    assert f"{2 * int(np.ceil(per_arm - 1e-9)):,} claims with an error" in text
    # The split is checked, and a lost tenth of the challenger's claims is caught.
    assert "The split looks as planned." in text
    assert "a sample ratio mismatch" in text
    # The simulator and the peeking problem leave their readings in words.
    assert "A/B test simulator (Power and false positives" in text
    assert "times as many false alarms" in text
    assert "False alarms by look" in text
    # The verdict is the one the registered rule gives on the same traffic.
    rule = DecisionRule(
        "recall",
        baseline=0.27,
        mde=0.08,
        guardrails=(Guardrail("fairness_ratio", attribute="ethnic_group", max_drop=0.05),),
    )
    expected = analyse_experiment(
        live_traffic(threshold=0.3, salt="claims-ab-2024-07").outcomes, rule
    )
    assert expected.headline() in text
    assert expected.guardrails[0].reason in text
    assert "Effects per group" in text
    assert "Shadow mode:" in text
    assert "McNemar" in text
    assert "Paired bootstrap of roc_auc" in text
    glossary = AB_GLOSSARY["peeking"][:40]
    assert (glossary in text) == (track == "novice")
    _assert_track_switch(nb, track, terms="The terms of A/B testing", n_tasks=5)


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # One track (about 40 s a run): the switch itself is the same call in every lesson,
    # and lessons 00, 02, 03, 06, 07, 09 and 11 run both.
    ["novice"],
)
def test_governance_privacy_lesson_refuses_personal_data_and_drafts_the_documents(
    tmp_path: Path, track: str
) -> None:
    import html

    from mlops_kit.audit import default_audit_log
    from mlops_kit.governance import load_ethics_assessment, model_card
    from mlops_kit.privacy import (
        CONTACTS_QUASI_IDENTIFIERS,
        age_band,
        explore_anonymity,
        k_anonymity,
        load_raw_contacts,
        scan_table,
        truncate_postcode,
    )

    nb = execute_notebook(
        REPO / "notebooks" / "08_governance_privacy.ipynb",
        tmp_path / "privacy.ipynb",
        parameters={"track": track},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    markdown = "\n".join(
        str(o["data"]["text/markdown"])
        for o in _outputs(nb)
        if "text/markdown" in o.get("data", {})
    )
    text = html.unescape(_text(nb)) + markdown
    # The scan of the raw extract names every identifier column, with masked examples.
    contacts = load_raw_contacts()
    scan = scan_table(contacts, source="raw_contacts.csv")
    assert set(scan.identifier_columns) == {
        "contact_id", "full_name", "email", "phone", "postcode", "ni_number", "nhs_number",
        "date_of_birth", "case_notes",
    }  # fmt: skip
    assert scan.summary() in text
    assert "(found by value pattern inside free text" in text
    # The pipeline's data stage refused the claims with the case notes joined on...
    assert (
        "Stopped, as expected (PrivacyError): The privacy check refused 'claims_extract.csv': "
        "1 column holds personal data that nobody has resolved:\n  - 'case_notes': email address"
    ) in text
    # ... and the named override was written to dataset.json and the audit log.
    logged = default_audit_log(tmp_path).entries(event="privacy_overridden")
    assert [(e.details["by"], e.details["columns"]) for e in logged] == [
        ("Sam Jones, Data Protection Officer", ["case_notes"])
    ]
    record = json.loads(
        (tmp_path / "runs" / "claims-extract-override" / "dataset.json").read_text()
    )
    assert record["privacy"]["override"]["by"] == "Sam Jones, Data Protection Officer"
    assert f"Audit entry seq {logged[0].seq}, `privacy_overridden`" in text
    # Pseudonyms: no key refused; stable for one key, different across keys.
    assert "Refused, as expected (ConfigError): pseudonymise needs a secret key" in text
    assert "the 1,500 pseudonyms are identical: **True**" in text
    assert "pseudonyms in common with the first key: **0**" in text
    assert "they look like pseudonyms, which are still personal data" in text
    # k before and after generalising; the export check refused, then passed.
    qi = list(CONTACTS_QUASI_IDENTIFIERS)
    assert "The export of raw_contacts.csv is refused: it must be 5-anonymous" in text
    assert "k = 1 on age, sex, postcode: the smallest group has 1 row." in text
    generalised = contacts.assign(
        age=age_band(contacts["age"], 10, start=20, top=70),
        postcode=truncate_postcode(contacts["postcode"], "area"),
    )
    after = k_anonymity(generalised, qi, k=5)
    assert after.passed
    assert after.summary() in text
    view = explore_anonymity(
        contacts, qi, age="10-year bands", postcode="district", suppress=True,
        sensitive="support_need",
    )  # fmt: skip
    assert f"k-anonymity explorer. {view.summary()}" in text
    # The privacy budget refused to be overspent, in words.
    assert (
        "Refused: The privacy budget 'this session's releases' cannot pay for 'People needing "
        "mental-health support': it asks for epsilon 0.5, but 0.8 of the 1 is spent"
    ) in text
    # The pipeline run: its documents are in the run folder, complete, with the assessment.
    runs = [p for p in (tmp_path / "runs").iterdir() if (p / "status.json").is_file()]
    assert len(runs) == 1
    run_dir = runs[0]
    for name in (
        "model_card.md", "model_card.html", "transparency_record.md",
        "transparency_record.html", "transparency_record.json", "stakeholder_summary.md",
    ):  # fmt: skip
        assert (run_dir / name).is_file(), name
    assert model_card(run_dir).missing == ()
    assessment = load_ethics_assessment(run_dir)
    assert assessment is not None
    assert (assessment.assessed_by, assessment.score("fairness").score) == ("Priya Shah", 2)
    assert assessment.summary() in (run_dir / "model_card.md").read_text(encoding="utf-8")
    record_json = json.loads((run_dir / "transparency_record.json").read_text())
    assert record_json["missing"] == []
    assert "Algorithmic transparency record: Claims Review Prioritisation Tool" in text
    assert "1.3 Senior responsible owner (set transparency.senior_responsible_owner)" in text
    assert "3.6 Appeals and review (set transparency.appeals)" in text
    assert "The Claims Review Prioritisation Tool model on one page" in text
    registration = json.loads((run_dir / "registration.json").read_text())
    assert (registration["model_name"], registration["version"]) == ("benefit-claims", 1)
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 3, "the explorer, the budget desk and the ethics form are displayed"
    assert not (REPO / "notebooks" / "runs").exists()
    assert not (REPO / "notebooks" / "claims_extract.csv").exists()
    _assert_track_switch(nb, track, terms="The privacy terms you will need", n_tasks=6)
    assert ("The governance terms you will need" in text) == (track == "novice")


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_monitoring_lesson_catches_the_change_and_the_replay_recovers(
    tmp_path: Path, track: str
) -> None:
    out = tmp_path / "monitoring.ipynb"
    nb = execute_notebook(
        REPO / "notebooks" / "06_monitoring_continuous_training.ipynb",
        out,
        parameters={"track": track, "month": "2024-02"},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    # Drift in words: the chosen month's channel alarm, the stable month quiet, a small batch.
    assert "Drift explorer. 2024-02 against 2023-01 to 2023-06: drifted: channel." in text
    assert "No feature drifted (0 of 16)" in text
    assert "16 feature(s) could not be judged" in text
    assert "Data drift per feature in 2024-02" in text  # the figure, with its description
    # Performance decays once the labels arrive; the last months' labels are pending.
    assert "Labels pending, so no value yet: 2024-11, 2024-12." in text
    assert "below the floor 0.72" in text
    # The replay ran into the working folder, caught the change and promoted a challenger.
    timeline = json.loads((tmp_path / "simulation" / "timeline.json").read_text())
    assert timeline["summary"]["promotions"]
    assert "Retraining recovered" in text
    assert (tmp_path / "audit" / "audit.jsonl").is_file()
    # Its models are versions in the working folder's registry, the champion alias moved.
    versions = Registry(workspace=tmp_path).versions("benefit-claims-replay")
    assert len(versions) == 1 + sum(r["challenger"] is not None for r in timeline["rows"])
    assert "champion" in " ".join(versions["aliases"])
    _assert_track_switch(nb, track, terms="The terms you will need", n_tasks=5)


@pytest.mark.notebook
@pytest.mark.parametrize(
    ("track", "model", "max_override_rate"),
    [("novice", "hgb", 0.75), ("experienced", "logistic", 0.5)],
)
def test_explainability_lesson_explains_a_case_and_records_the_reviews(
    tmp_path: Path, track: str, model: str, max_override_rate: float
) -> None:
    from mlops_kit.audit import default_audit_log
    from mlops_kit.data import load_dataset, profile_dataset
    from mlops_kit.explain import explain_training
    from mlops_kit.review import ReviewQueue
    from mlops_kit.train import train_model

    nb = execute_notebook(
        REPO / "notebooks" / "09_explainability.ipynb",
        tmp_path / "explain.ipynb",
        parameters={
            "track": track,
            "model": model,
            "max_rows": 1000,
            "max_override_rate": max_override_rate,
        },
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    # The same explanation, computed here: its top case's reasons are what the lesson shows.
    claims = load_dataset("benefit_claims")
    roles = profile_dataset(claims, "benefit_claims").roles
    result = train_model(claims, roles, model=model, split="time", cv_folds=0, threshold=0.3)
    explanation = explain_training(result, claims, roles, id_column="claim_id", max_rows=1000)
    top = explanation.reason_codes(explanation.top_cases(1)[0])
    kind = {"hgb": "tree", "logistic": "linear"}[model]
    assert f"ExplainerChoice(kind='{kind}'" in text
    assert f"Case explorer. Case {top.case_id}: {top.text}" in text
    assert f"Why case {top.case_id} got its score" in text
    assert "What moves the model's scores overall" in text
    assert explanation.crosscheck is not None
    assert explanation.crosscheck.verdict in text
    assert explanation.group("ethnic_group").verdict.split(".")[0] in text
    # The caseworker: refused without a name, then a named override, then the simulation.
    assert "can only be recorded with the reviewer's name" in text
    assert "reviewer='Jo Khan (lesson)'" in text
    queue = ReviewQueue(tmp_path / "review" / "queue.jsonl", audit=default_audit_log(tmp_path))
    n_flagged = int((explanation.scores >= 0.3).sum())
    assert len(queue.cases) == n_flagged
    assert not queue.pending()
    report = queue.override_report(max_rate=max_override_rate)
    assert report.summary() in text
    assert bool(report.alerts) == (report.rate is not None and report.rate > max_override_rate)
    log = default_audit_log(tmp_path)
    assert log.verify().ok
    events = [e.event for e in log.entries()]
    assert len(events) == n_flagged
    assert set(events) == {"review_accepted", "review_overridden"}
    _assert_track_switch(nb, track, terms="The terms you will need", n_tasks=6)
    assert ("The review terms you will need" in text) == (track == "novice")


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_evaluate_lesson_scores_the_design_from_the_shared_feedback_and_writes_the_report(
    tmp_path: Path, track: str
) -> None:
    from mlops_kit.course import (
        PeerFeedback,
        load_feedback,
        load_rubric_example,
        peer_levels,
        save_feedback,
        score_rubric,
    )

    folder = tmp_path / "shared-feedback"
    for reviewer, level in (("Ash Khan", 3), ("Jo Bloggs", 1), ("Sam Lee", 2)):
        save_feedback(
            PeerFeedback(
                "Team Heron",
                reviewer,
                dict.fromkeys(
                    ("governance", "fairness", "monitoring", "privacy", "technical"), level
                )
                | {"communication": 0},
                strength=f"{reviewer} liked the named sign-off.",
                improvement=f"{reviewer} wants a rollback plan.",
            ),
            folder,
        )
    save_feedback(  # another team's feedback must not count
        PeerFeedback(
            "Team Otter",
            "Ash Khan",
            dict.fromkeys(
                ("governance", "fairness", "monitoring", "privacy", "technical", "communication"),
                3,
            ),
            strength="Otter's strength is long enough.",
            improvement="Otter's improvement is long enough.",
        ),
        folder,
    )
    before = sorted(p.name for p in folder.rglob("*.json"))
    nb = execute_notebook(
        REPO / "notebooks" / "11_evaluate_reflect.ipynb",
        tmp_path / "evaluate.ipynb",
        parameters={"track": track, "team": "Team Heron", "feedback_folder": str(folder)},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    # The score combines the example's automatic part with this team's peers (medians 2, 0).
    expected = score_rubric(
        load_rubric_example()["auto"],
        peer_levels(load_feedback(folder), team="Team Heron"),
    )
    assert expected.level("communication") == 0
    assert expected.summary() in text
    assert "Peer-feedback form: choose a team" in text
    assert "Ash Khan liked the named sign-off." in text
    # The written report is in the working folder, built from the shared feedback.
    md = (tmp_path / "written_report.md").read_text(encoding="utf-8")
    assert md.startswith("# Pipeline design report: Team Heron")
    assert "Table 2: Peer scores from 3 reviewers" in md
    assert "Otter's strength" not in md
    assert "<caption>" in (tmp_path / "written_report.html").read_text(encoding="utf-8")
    # The notebook only reads the shared folder.
    assert sorted(p.name for p in folder.rglob("*.json")) == before
    # The track switch: terms and hints as pop-outs for novices, open tasks otherwise.
    novice = track == "novice"
    assert ("The terms of assessment (open one with Enter)" in text) == novice
    assert ("Hints for giving feedback (novice track): open one at a time" in text) == novice
    assert ("Going further (experienced track)" in text) == (not novice)
    assert ("1. The combining rule takes the mean" in text) == (not novice)


@pytest.mark.notebook
def test_elaborate_lesson_checks_the_blank_template_and_runs_the_model_answer(
    tmp_path: Path,
) -> None:
    """The housing scenario on the experienced track: a copy for the team, the blank
    template reported missing, the model answer passing, and a real run in the cwd."""
    import yaml

    nb = execute_notebook(
        REPO / "notebooks" / "10_elaborate_design.ipynb",
        tmp_path / "elaborate.ipynb",
        parameters={"scenario": "housing_repairs_priority", "track": "experienced"},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    assert "Scenario brief: prioritising urgent housing-repair inspections" in text
    assert "Role card: information governance lead" in text
    # The experienced track: extension tasks open, terms and hints folded away.
    assert "Going further (experienced track)" in text
    assert "Going further after the discussion (experienced track)" in text
    assert "Experienced track: the terms are skipped" in text
    assert "Terms the guidelines use" not in text
    assert "hint(s) for this activity are on the novice track" in text
    # The team's copy is written in the working folder, never in the repository.
    assert (tmp_path / "designs" / "housing_repairs_priority.design.yml").is_file()
    assert not (REPO / "notebooks" / "designs").exists()
    # The blank template fails every guideline; the model answer passes them all.
    assert "0 of 6 parts of Prioritising urgent housing-repair inspections pass" in text
    assert "6 of 6 parts of Prioritising urgent housing-repair inspections" in text
    assert "'governance': 3" in text
    # The design ran: one succeeded run folder, its report, and the gate applied its policy.
    runs = [p for p in (tmp_path / "runs").iterdir() if (p / "status.json").is_file()]
    assert len(runs) == 1
    assert json.loads((runs[0] / "status.json").read_text())["status"] == "succeeded"
    assert (runs[0] / "report.html").is_file()
    gate = json.loads((runs[0] / "gate.json").read_text())
    assert gate["decision"] == "refuse"  # the stand-in data's bias fails the fairness limits
    assert "Gate: refuse" in text
    config = yaml.safe_load((runs[0] / "config.yml").read_text())
    assert config["positive_is"] == "favourable"
    assert config["tuning"]["n_trials"] == 1


@pytest.mark.notebook
def test_extension_lesson_drafts_the_proposal_from_a_run_it_makes_or_is_given(
    tmp_path: Path,
) -> None:
    """Experienced track with an empty run_dir (the lesson runs the pipeline), then the
    novice track on that run folder (no second run), for another department."""
    from mlops_kit.course import check_proposal, read_written

    lesson = REPO / "notebooks" / "12_extend_adoption.ipynb"
    first = execute_notebook(
        lesson, tmp_path / "extend-1.ipynb", parameters={"track": "experienced"}, cwd=tmp_path
    )
    _no_errors_or_warnings(first)
    runs = [p for p in (tmp_path / "runs").iterdir() if (p / "status.json").is_file()]
    assert len(runs) == 1
    run = runs[0]
    text = _shown(first)
    # The run's own stakeholder summary is shown, and its facts listed with their files.
    summary = (run / "stakeholder_summary.md").read_text(encoding="utf-8")
    assert summary.splitlines()[0] in text
    assert "Tested on past cases" in text
    assert "For a claimant:" in text
    # The proposal: drafted from that run, exported in the working folder, all to write.
    md = (tmp_path / "adoption_proposal.md").read_text(encoding="utf-8")
    assert md.startswith("# Adopting automated MLOps in Department for Social Support")
    gate = json.loads((run / "gate.json").read_text(encoding="utf-8"))
    assert f"Decision: {gate['decision']}." in md
    assert run.name in md
    assert (tmp_path / "adoption_proposal.html").is_file()
    check = check_proposal(tmp_path / "adoption_proposal.md")
    assert len(check.empty) == 10
    assert check.summary() in text
    assert "Going further (experienced track)" in text
    assert "Hints (novice track)" not in text

    second = execute_notebook(
        lesson,
        tmp_path / "extend-2.ipynb",
        parameters={
            "track": "novice",
            "run_dir": str(run),
            "department": "Department for Transport",
            "audience": "a minister's office",
            "out_file": "proposals/dft.md",
        },
        cwd=tmp_path,
    )
    _no_errors_or_warnings(second)
    text = _shown(second)
    assert len(list((tmp_path / "runs").iterdir())) == 1  # the given run, not a new one
    assert "For a minister's office:" in text
    assert "The terms this lesson uses (open one with Enter)" in text
    assert "Hints (novice track): open one at a time" in text
    assert "Going further (for when you have finished)" in text
    written = read_written(tmp_path / "proposals" / "dft.md")
    assert set(written) >= {"service", "governance", "communication"}
    assert not any(written.values())
    assert "Department for Transport" in (tmp_path / "proposals" / "dft.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.notebook
def test_facilitator_dashboard_reads_the_workspace_two_folders_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Voila runs it: in its own folder, finding the workspace at the repository root."""
    from mlops_kit.audit import default_audit_log
    from mlops_kit.pipeline import WORKSPACE_ENV

    from .test_dashboard import LENIENT, make_run

    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    run = make_run(
        tmp_path,
        "promoted",
        trained_by="Ada Trainer",
        started_at="2026-01-05T09:00:00+00:00",
        policy=LENIENT,
    )
    folder = tmp_path / "notebooks" / "dashboard"
    folder.mkdir(parents=True)
    nb = execute_notebook(DASHBOARD, folder / "dashboard.ipynb", parameters={}, cwd=folder)
    _no_errors_or_warnings(nb)
    text = _text(nb)
    roc = json.loads((run / "metrics.json").read_text(encoding="utf-8"))["roc_auc"]
    entries = len(default_audit_log(tmp_path).entries())
    assert f"Pipeline dashboard. 1 run(s) in {tmp_path}: 1 complete." in text
    assert f"Audit log: intact, {entries} entries." in text
    assert f"Showing run promoted: complete; gate promote; ROC AUC {roc:.3f}" in text
    assert "benefit-claims v1 (champion)" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert views, "the dashboard widget is displayed"
    # An empty workspace, given as a parameter, says how to make a run.
    empty = tmp_path / "empty"
    empty.mkdir()
    nb = execute_notebook(
        DASHBOARD, folder / "empty.ipynb", parameters={"workspace": str(empty)}, cwd=folder
    )
    _no_errors_or_warnings(nb)
    assert "Make one with `make pipeline`" in _text(nb)
    assert sorted(p.name for p in folder.iterdir()) == ["dashboard.ipynb", "empty.ipynb"]
