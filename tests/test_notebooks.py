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


def save_team_reviews(
    folder: Path, team: str, reviews: tuple[tuple[str, int], ...], *, communication: int
) -> None:
    """Save one peer review of ``team`` per (reviewer, level): every criterion at that level,
    except communication (the one criterion only peers judge) at ``communication``."""
    from mlops_kit.course import PeerFeedback, save_feedback

    for reviewer, level in reviews:
        save_feedback(
            PeerFeedback(
                team,
                reviewer,
                dict.fromkeys(
                    ("governance", "fairness", "monitoring", "privacy", "technical"), level
                )
                | {"communication": communication},
                strength=f"{reviewer} liked the named sign-off.",
                improvement=f"{reviewer} wants a rollback plan.",
            ),
            folder,
        )


def test_every_notebook_in_the_repository_is_executed_by_the_suite() -> None:
    """Lessons run in order in test_workshop_path.py (and here with other parameters or
    the other track), stage notebooks here, exercise notebooks in test_exercises*.py."""
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
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_workshop_path.py).
    ["experienced"],
)
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
    save_poll_answer(
        polls,
        poll_id="engage-biggest-challenge",
        choice="Checking that a model treats groups fairly",
    )
    save_poll_answer(
        polls, poll_id="engage-automation-concern", choice="Tampered data, models or code"
    )
    (polls / "self-check-before").mkdir()  # created ahead by the facilitator, still empty
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
    # The video's two polls are charted with the others.
    assert (
        '1 answer to "What is the biggest challenge in managing AI models?": Knowing when a '
        "model has stopped working well 0 (0%)"
    ) in text
    assert "Tampered data, models or code 1 (100%)" in text
    # Each poll widget leaves a static text representation as well as its view.
    assert "Poll: What was the most serious failure in this case?" in text
    assert "Poll: Before today, how does your team train and re-check its models?" in text
    assert "Self-check (before the session), 8 questions:" in text
    assert "No self-check answers yet" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 5, "the four poll widgets and the self-check are displayed"
    # The facilitator's notes on the discussion are pop-outs on either track.
    assert "For the facilitator: what to listen for (open one with Enter)" in text
    assert "<details><summary><strong>Oversight</strong></summary>" in text
    # One parameter switches the track: glossary pop-outs and hints, or the tasks.
    novice = track == "novice"
    assert ("Novice track" in text) == novice
    assert ("How to use this notebook (novice track)" in text) == novice
    assert ('the "How to use this notebook" card is skipped' in text) == (not novice)
    assert ("The terms you will need (open one with Enter)" in text) == novice
    assert ("<details><summary><strong>ROC AUC</strong></summary>" in text) == novice
    assert ("Hints (novice track): open one at a time" in text) == novice
    assert ("Going further (for when you have finished)" in text) == novice
    assert ("Experienced track: the terms are skipped" in text) == (not novice)
    assert ("Going further (experienced track)" in text) == (not novice)
    # The lesson writes nothing in its working folder but papermill's output.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["engage.ipynb", "polls"]


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_workshop_path.py).
    ["experienced"],
)
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


# The Explain lesson's slide deck (`make slides`) is exported and checked in test_slides.py.


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_workshop_path.py).
    ["experienced"],
)
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
        # The gate judges the model card the register stage writes: the same keys for both.
        "gate": {"transparency": card},
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
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_workshop_path.py).
    ["experienced"],
)
def test_ab_testing_lesson_reaches_the_verdict_its_rule_gives(tmp_path: Path, track: str) -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    from mlops_kit.abtest import (
        DecisionRule,
        Guardrail,
        analyse_experiment,
        live_traffic,
    )
    from mlops_kit.course import AB_GLOSSARY

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


# The monitoring lesson runs in the workshop walk (test_workshop_path.py) on both tracks:
# novice first, then experienced when the learner runs it again with another budget.


@pytest.mark.notebook
@pytest.mark.parametrize(
    ("track", "model", "max_override_rate"),
    # The novice track with hgb and 0.75 runs in the workshop walk (test_workshop_path.py).
    [("experienced", "logistic", 0.5)],
)
def test_explainability_lesson_explains_a_case_and_records_the_reviews(
    tmp_path: Path, track: str, model: str, max_override_rate: float
) -> None:
    from mlops_kit.audit import default_audit_log
    from mlops_kit.course import keyed_path
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
    explanation = explain_training(
        result,
        claims,
        roles,
        id_column="claim_id",
        max_rows=1000,
        decision_words=("Flagged for review", "Not flagged"),  # as the lesson says
    )
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
    # The queue is named after the lesson's settings (keyed_path).
    (path,) = (tmp_path / "review").glob("*.jsonl")
    assert (
        path.name
        == keyed_path(
            "queue.jsonl", model=model, threshold=0.3, max_rows=1000, n_review=None, seed=0
        ).name
    )
    queue = ReviewQueue(path, audit=default_audit_log(tmp_path))
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
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_workshop_path.py).
    ["experienced"],
)
def test_evaluate_lesson_scores_the_design_from_the_shared_feedback_and_writes_the_report(
    tmp_path: Path, track: str
) -> None:
    from mlops_kit.course import (
        DesignAnswers,
        PeerFeedback,
        check_design,
        design_path,
        load_feedback,
        peer_levels,
        save_feedback,
        score_rubric,
        write_design,
    )

    # The team's design where lesson 10 leaves it by default: the model answer, renamed.
    design = tmp_path / "designs" / "benefit_claims_triage.design.yml"
    design.parent.mkdir()
    design.write_text(design_path("benefit_claims_triage", example=True).read_text())
    write_design(DesignAnswers(team="Team Heron"), design)
    folder = tmp_path / "shared-feedback"
    save_team_reviews(
        folder, "Team Heron", (("Ash Khan", 3), ("Jo Bloggs", 1), ("Sam Lee", 2)), communication=0
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
        parameters={"track": track, "feedback_folder": str(folder)},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    # The score combines the design's own check with this team's peers (medians 2, 0).
    expected = score_rubric(
        check_design(design).score(),
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
def test_facilitator_dashboard_reads_the_workspace_two_folders_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As Voila runs it: in its own folder, finding the workspace at the repository root."""
    from mlops_kit.audit import default_audit_log
    from mlops_kit.course._overview import WORKSPACE_ENV

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
