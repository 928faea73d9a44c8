"""The lessons as a workshop runs them: 00 to 12 in order in one working folder, then again.

Learners run every lesson in one copy of the workbook (in ``notebooks/``, where JupyterLab
runs them), so each lesson meets what the earlier ones left there: run folders, the model
registry and the audit log they all share, the replays, the tuning study, the review
queue. Then they change a parameter and run a lesson again. The walk below does that
once (module fixture), and each test asserts on what one lesson showed and made. These
are the lessons' main tests: a lesson's standalone test in ``test_notebooks.py`` is kept
only where it runs other parameters or the other track.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlops_kit.registry import Registry
from mlops_kit.widgets import save_poll_answer

from .test_notebooks import (
    REPO,
    _assert_track_switch,
    _no_errors_or_warnings,
    _outputs,
    _shown,
    _text,
)
from .workshop_support import Step, Walk, walk

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

TEAM_FEEDBACK = (("Ash Khan", 3), ("Jo Bloggs", 1), ("Sam Lee", 2))


def _extension_run(done: Walk) -> dict[str, Any]:
    """Lesson 12 again, on the run folder its first run made."""
    runs = [r for r in done.created("12", "runs") if (done.cwd("12") / "runs" / r).is_dir()]
    return {
        "track": "novice",
        "run_dir": f"runs/{runs[0]}" if runs else "",
        "department": "Department for Transport",
        "audience": "a minister's office",
        "out_file": "proposals/dft.md",
    }


#: The explore lesson's budgets in the suite: one tuning trial, a hundred rows explained.
EXPLORE_BUDGETS = {"n_trials": 1, "explain_rows": 100}

#: The lessons in order, with the small parameters of the test suite, then the re-runs.
STEPS = [
    Step("00", "00_engage_case_study.ipynb", {"track": "novice"}),
    Step("01", "01_explore_automated_pipeline.ipynb", {"track": "novice", **EXPLORE_BUDGETS}),
    Step("02", "02_explain_concepts.ipynb", {"track": "novice"}),
    Step("03", "03_metrics.ipynb", {"track": "novice", "threshold": 0.4}),
    Step(
        "04",
        "04_tuning.ipynb",
        {"track": "experienced", "n_trials": 6, "sample_rows": 1000, "grid_points": 2},
    ),
    Step(
        "05",
        "05_versioning.ipynb",
        {
            "track": "experienced",
            "approver": "Priya Shah",
            "approver_role": "Director",
            "n_trials": 1,
        },
    ),
    Step("06", "06_monitoring_continuous_training.ipynb", {"track": "novice", "month": "2024-02"}),
    Step("07", "07_ab_testing.ipynb", {"track": "novice", "mde": 0.08, "n_sims": 1000}),
    Step("08", "08_governance_privacy.ipynb", {"track": "novice", "n_trials": 1}),
    Step(
        "09",
        "09_explainability.ipynb",
        {"track": "novice", "model": "hgb", "max_rows": 1000, "max_override_rate": 0.75},
    ),
    Step(
        "10",
        "10_elaborate_design.ipynb",
        {
            "scenario": "housing_repairs_priority",
            "track": "experienced",
            "team": "Team Heron",
            # what the team answered in the design form
            "form_answers": {
                "positive_is": "favourable",
                "approvers": "Sam Okafor",
                "approver_role": "Head of service",
                "decisions_about_people": True,
                "protected": ["sex", "age_band", "ethnic_group", "disability"],
                "four_fifths": True,
                "max_equalized_odds_difference": 0.1,
                "exclude": ["claim_id"],
            },
            # the run of the design: no tuning, few rows explained
            "n_trials": 0,
            "explain_rows": 50,
        },
    ),
    # Lesson 11 scores and reports the design file lesson 10 wrote.
    Step(
        "11",
        "11_evaluate_reflect.ipynb",
        {"track": "novice", "design_file": "designs/housing_repairs_priority.design.yml"},
    ),
    Step("12", "12_extend_adoption.ipynb", {"track": "experienced"}),
    Step("12-again", "12_extend_adoption.ipynb", _extension_run),
    # A learner changes a parameter and runs a lesson again: the model family of the
    # explore lesson, the replay's tuning budget of the monitoring lesson (on the
    # experienced track, whose tasks the first run, on the novice track, did not show).
    Step(
        "01-again",
        "01_explore_automated_pipeline.ipynb",
        {"track": "novice", "model": "logistic", **EXPLORE_BUDGETS},
    ),
    Step(
        "06-again",
        "06_monitoring_continuous_training.ipynb",
        {"track": "experienced", "month": "2024-02", "tuning_trials": 0},
    ),
]


def _prepare(root: Path) -> None:
    """What the room adds while it works: poll answers and one team's peer feedback."""
    from mlops_kit.course import PeerFeedback, save_feedback

    polls = root / "notebooks" / "poll_answers"
    for choice in ("Nobody checked fairness between groups",) * 2 + (
        "Nobody monitored performance after launch",
    ):
        save_poll_answer(polls, poll_id="engage-first-thoughts", choice=choice)
    for choice in ("Trained once by hand, rarely re-checked",) * 2:
        save_poll_answer(polls, poll_id="engage-team-practice", choice=choice)
    folder = root / "notebooks" / "feedback"
    parts = ("governance", "fairness", "monitoring", "privacy", "technical")
    for reviewer, level in TEAM_FEEDBACK:
        save_feedback(
            PeerFeedback(
                "Team Heron",
                reviewer,
                dict.fromkeys(parts, level) | {"communication": 0},
                strength=f"{reviewer} liked the named sign-off.",
                improvement=f"{reviewer} wants a rollback plan.",
            ),
            folder,
        )
    save_feedback(  # another team's feedback must not count
        PeerFeedback(
            "Team Otter",
            "Ash Khan",
            dict.fromkeys((*parts, "communication"), 3),
            strength="Otter's strength is long enough.",
            improvement="Otter's improvement is long enough.",
        ),
        folder,
    )


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Walk:
    return walk(tmp_path_factory.mktemp("workshop"), STEPS, prepare=_prepare)


def _runs(room: Walk, key: str) -> list[Path]:
    """The pipeline run folders (with a status.json) that step ``key`` made."""
    runs = room.cwd(key) / "runs"
    return [
        runs / name for name in room.created(key, "runs") if (runs / name / "status.json").is_file()
    ]


def _cell_output(nb: Any, source: str) -> str:
    """The plain-text output of the code cell whose source is ``source``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip() == source]
    assert len(cells) == 1, source
    return "".join(str(o.get("data", {}).get("text/plain", "")) for o in cells[0].outputs)


def _replay(room: Walk, key: str, label: str) -> Path:
    folders = room.created(key, "simulation")
    assert len(folders) == 1, folders
    assert folders[0].startswith(f"{label}-")
    return room.cwd(key) / "simulation" / folders[0]


def test_the_walk_runs_every_lesson_in_order_then_some_again() -> None:
    from .test_notebooks import LESSONS

    assert [s.notebook for s in STEPS if "again" not in s.key] == [p.name for p in LESSONS]
    assert [s.key for s in STEPS if "again" in s.key] == ["12-again", "01-again", "06-again"]


def test_lesson_00_shows_the_failure_and_charts_the_rooms_polls(room: Walk) -> None:
    nb = room.executed("00")
    _no_errors_or_warnings(nb)
    text = _text(nb)
    # The decay after the change and the unequal flag rates are shown in words.
    assert "Model performance over time" in text
    assert "before 2024-01 and" in text
    assert "Four-fifths rule on flag rates" in text
    assert "Not judged, too little data" in text
    # Both facilitator charts count the answers found in the poll folder, in the options'
    # order, with the options nobody chose as zero.
    assert (
        '3 answers to "What was the most serious failure in this case?": Nobody monitored '
        "performance after launch 1 (33%), Nobody checked fairness between groups 2 (67%), "
        "Nobody recorded which data and code built the model 0 (0%)"
    ) in text
    assert (
        '2 answers to "Before today, how does your team train and re-check its models?": '
        "We do not build models yet 0 (0%), Trained once by hand, rarely re-checked 2 (100%)"
    ) in text
    assert "Poll: What was the most serious failure in this case?" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 5, "the four poll widgets and the self-check are displayed"
    assert "For the facilitator: what to listen for (open one with Enter)" in text
    assert "Novice track" in text
    assert "How to use this notebook (novice track)" in text
    assert "Hints (novice track): open one at a time" in text
    # The lesson writes nothing in its working folder.
    assert room.results["00"].created == {}


def test_lesson_01_walks_the_stages_runs_unattended_and_replays(room: Walk) -> None:
    from mlops_kit.audit import default_audit_log
    from mlops_kit.pipeline import STAGE_FILES, STAGES, release_summary
    from mlops_kit.widgets import PIPELINE_COMPONENTS

    nb = room.executed("01")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    cwd = room.cwd("01")
    # Two run folders, by hand (the first of its name) and unattended, each with every
    # stage's files; nothing was written into the repository.
    by_hand = cwd / "runs" / "by-hand-1"
    unattended = _runs(room, "01")
    assert len(unattended) == 1
    assert sorted(room.created("01", "runs")) == sorted(["by-hand-1", unattended[0].name])
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
    assert "Run by-hand-1: 9 of 9 stages have written all their files." in text
    assert f"Run {unattended[0].name}: 9 of 9 stages have written all their files." in text
    cases = json.loads((by_hand / "explanations.json").read_text())["cases"]
    assert cases[0]["text"] in text
    assert "Action: retrain a challenger on recent data" in text
    assert "# Model card: benefit-claims" in text
    for line in release_summary(unattended[0]):
        assert line in text
    # The replay ran into a folder of simulation/ named after the lesson and its config.
    replay = _replay(room, "01", "explore")
    timeline = json.loads((replay / "timeline.json").read_text())
    assert timeline["summary"]["promotions"]
    assert "Retraining recovered" in text
    assert "Figure: roc_auc per batch: retrained champion against a never-retrained model" in text
    # Find it: the lesson's two runs are the first versions of the registry, refused: the
    # unattended run of the core path, then the stages run by hand (if time allows).
    registry = Registry(workspace=cwd)
    versions = registry.versions("benefit-claims")
    assert list(versions["run_id"])[:2] == [unattended[0].name, "by-hand-1"]
    assert set(versions["gate_decision"][:2]) == {"refuse"}
    # The replay's own versions, with the champion alias it left, were shown.
    mine = registry.versions("benefit-claims-replay")
    mine = mine[mine["run_id"].str.startswith(timeline["simulation_id"] + ":")]
    assert len(mine) == 1 + sum(r["challenger"] is not None for r in timeline["rows"])
    shown = _cell_output(nb, "replay.versions()")
    assert "champion" in shown
    assert timeline["simulation_id"] in shown
    assert "'mlops.trained_by': 'Alex Morgan'" in text
    log = default_audit_log(cwd)
    assert log.verify().ok
    result = room.results["01"]
    assert f"is intact: each of its {result.audit_after} entries" in text
    assert {e.actor for e in log.entries(run_id=unattended[0].name)} == {"Alex Morgan"}
    # The quiz and the novice track's material.
    assert "Quiz, 9 items:" in text
    assert PIPELINE_COMPONENTS[0].prompt in text
    for stage in STAGES:
        assert f"Terms used by the {stage.value} stage (open one with Enter)" in text
    assert "<details><summary><strong>governance gate</strong></summary>" in text
    plain = "".join(str(o["data"]["text/plain"]) for o in _outputs(nb) if "data" in o)
    assert plain.count("Hints (novice track): open one at a time") == 2
    assert plain.count("Going further (for when you have finished)") == len(STAGES) + 1
    assert "Experienced track" not in text


def test_lesson_02_draws_the_map_and_shows_both_quizzes(room: Walk) -> None:
    from mlops_kit.course import COMPONENT_BENEFITS, load_wardley
    from mlops_kit.widgets import METRIC_SCENARIOS

    nb = room.executed("02")
    _no_errors_or_warnings(nb)
    text = _text(nb)
    assert "Figure: Wardley map of the MLOps pipeline" in text
    assert "User need: a fair, explained decision on a claim." in text
    for component in load_wardley():
        assert f"{component.name}: visibility {component.visibility:.2f}" in text
    assert 'alt="Wardley map of the MLOps pipeline"' in text
    assert f"{len(COMPONENT_BENEFITS)} of {len(COMPONENT_BENEFITS)} correct." in text
    assert f"{len(METRIC_SCENARIOS)} of {len(METRIC_SCENARIOS)} correct." in text
    assert COMPONENT_BENEFITS[3].explanation in text
    assert "The terms you will need (open one with Enter)" in text
    plain = "".join(str(o["data"]["text/plain"]) for o in _outputs(nb) if "data" in o)
    assert plain.count("Hints (novice track): open one at a time") == 3
    assert plain.count("Going further (for when you have finished)") == 2
    assert room.results["02"].created == {}


def test_lesson_03_runs_with_a_different_threshold(room: Walk) -> None:
    from mlops_kit.metrics import METRIC_GLOSSARY

    nb = room.executed("03")
    _no_errors_or_warnings(nb)
    text = _text(nb)
    assert "Metrics on 10,500 test rows" in text
    assert "At the chosen threshold 0.4" in text
    assert "accuracy of never flagging" in text
    assert "Fairness by ethnic_group" in text
    assert "Threshold explorer at 0.40." in text
    assert "Metrics at threshold 0.40" in text
    assert "Quiz, 6 items:" in text
    plain = "".join(str(o["data"]["text/plain"]) for o in _outputs(nb) if "data" in o)
    assert plain.count("(open one with Enter):") == 4
    assert f"- brier: {METRIC_GLOSSARY['brier']}" in text
    assert plain.count("Hints (novice track): open one at a time") == 2
    assert room.results["03"].created == {}


def test_lesson_04_tunes_compares_searches_and_shares_a_study_named_by_its_settings(
    room: Walk,
) -> None:
    import optuna
    from optuna.storages.journal import JournalFileBackend

    from mlops_kit.course._workspace import settings_key

    nb = room.executed("04")
    _no_errors_or_warnings(nb)
    text = _text(nb)
    assert "Tuning widget: histogram gradient boosting (hgb), budget 6 trials, ROC AUC" in text
    assert "Tuned the hgb model with 6 trials" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 2, "the tuning widget and the quiz are displayed"
    assert "Tuned the hgb model with 6 trials" in "".join(views[0]["data"]["text/plain"])
    for title in (
        "Tuning history",
        "Hyperparameter importance",
        "Score against each hyperparameter",
        "Best score so far: grid, random and TPE search",
    ):
        assert f"Figure: {title}" in text
    assert "Each method ran 4 trials of the hgb model" in text
    assert "TPE with pruning reached its best" in text
    assert "'same trials and best settings': True" in text
    # Two worker processes shared one journal file, named after the study's settings.
    key = settings_key(seed=0, sample_rows=1000, n_workers=2)
    assert room.created("04", "tuning") == [
        f"lesson-study-{key}.log",
        f"lesson-study-{key}.log.tune.lock",
    ]
    log = room.cwd("04") / "tuning" / f"lesson-study-{key}.log"
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(log)))
    trials = optuna.load_study(study_name="lesson-logistic", storage=storage).get_trials()
    assert sorted(t.number for t in trials) == list(range(8))
    assert len({t.user_attrs["pid"] for t in trials}) == 2
    assert "2 worker processes ran trials at the same time" in text
    assert not (REPO / "notebooks" / "tuning").exists()
    assert "Going further (experienced track)\n1. What did pruning save?" in text
    assert "Experienced track: 3 hint(s) for this activity are on the novice track." in text
    assert "<details>" not in text
    assert "Quiz, 6 items:" in text


def test_lesson_05_signs_off_the_version_it_registered_after_earlier_lessons(room: Walk) -> None:
    nb = room.executed("05")
    _no_errors_or_warnings(nb)
    text = _text(nb)
    cwd = room.cwd("05")
    # Two runs of its own (the original and its re-run), registered after lesson 01's.
    runs = sorted(room.created("05", "runs"))
    assert len(runs) == 2
    original = json.loads((cwd / "runs" / runs[0] / "registration.json").read_text())
    version = original["version"]
    assert original["model_name"] == "benefit-claims"
    assert version > 2, "lesson 01's two versions came first"
    assert "Reproduced exactly: all " in text
    assert f"of run {runs[0]} are identical in the re-run {runs[1]}" in text
    # The trainer could not approve; the named approver's override of this lesson's version.
    assert "Stopped, as expected (ApprovalError): The approver must not be the person" in text
    assert f"Approval form for benefit-claims version {version}: the gate decided 'refuse'" in text
    entries = room.audit_entries("05")
    override = [e for e in entries if e.event == "overridden"]
    assert [(e.actor, e.details["version"]) for e in override] == [("Priya Shah", version)]
    assert override[0].details["role"] == "Director"
    assert f"Audit entry seq {override[0].seq} (hash {override[0].hash[:12]}...)" in text
    assert "Stopped, as expected (ArtefactIntegrityError)" in text
    assert f"Model benefit-claims version {version} failed its integrity check" in text
    loads = [e for e in entries if e.event == "model_loaded"]
    assert [(e.actor, e.details["hash_verified"]) for e in loads] == [("Priya Shah", True)]
    gate = [e for e in entries if e.event == "gate_decision" and e.run_id == runs[0]][-1]
    assert f"Entry seq {gate.seq} on line {gate.seq} has been altered" in text
    assert "has been altered and its hash recomputed" in text
    assert "The audit log audit/audit.jsonl is intact" in text
    drill = (cwd / "tamper-drill" / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"decision": "promote"' in drill
    manifest = json.loads((cwd / "runs" / runs[0] / "manifest.json").read_text())
    assert manifest["data"]["sha256"] in text
    assert "Priya Shah overrode the gate&#x27;s refusal" in text
    _assert_track_switch(nb, "experienced", terms="The terms of versioning and audit", n_tasks=5)


def test_lesson_06_catches_the_change_and_replays_beside_lesson_01s_replay(room: Walk) -> None:
    nb = room.executed("06")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    assert "Drift explorer. 2024-02 against 2023-01 to 2023-06: drifted: channel." in text
    assert "No feature drifted (0 of 16)" in text
    assert "16 feature(s) could not be judged" in text
    assert "Data drift per feature in 2024-02" in text
    assert "Labels pending, so no value yet: 2024-11, 2024-12." in text
    assert "below the floor 0.72" in text
    # Its replay has its own folder beside lesson 01's, which it did not touch.
    replay = _replay(room, "06", "monitoring")
    assert _replay(room, "01", "explore").is_dir()
    timeline = json.loads((replay / "timeline.json").read_text())
    assert timeline["summary"]["promotions"]
    assert "Retraining recovered" in text
    # Its models are versions of the shared registry; the table shows this replay's only.
    versions = Registry(workspace=room.cwd("06")).versions("benefit-claims-replay")
    mine = versions[versions["run_id"].str.startswith(timeline["simulation_id"] + ":")]
    assert len(mine) == 1 + sum(r["challenger"] is not None for r in timeline["rows"])
    assert len(versions) > len(mine), "lesson 01's replay registered under the same name"
    shown = _cell_output(nb, "replay.versions()")
    assert "champion" in shown
    assert len([line for line in shown.splitlines() if timeline["simulation_id"] in line]) == len(
        mine
    )
    _assert_track_switch(nb, "novice", terms="The terms you will need", n_tasks=5)


def test_lesson_07_reaches_the_verdict_its_rule_gives(room: Walk) -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    from mlops_kit.abtest import (
        DecisionRule,
        Guardrail,
        analyse_experiment,
        live_traffic,
    )
    from mlops_kit.course import AB_GLOSSARY

    nb = room.executed("07")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    assert "Does the loosened rule still match its registration? **False**" in text
    assert "it was changed after registration" in text
    per_arm = NormalIndPower().solve_power(
        proportion_effectsize(0.35, 0.27), alpha=0.05, power=0.8, ratio=1.0
    )
    assert f"{2 * int(np.ceil(per_arm - 1e-9)):,} claims with an error" in text
    assert "The split looks as planned." in text
    assert "a sample ratio mismatch" in text
    assert "A/B test simulator (Power and false positives" in text
    assert "times as many false alarms" in text
    assert "False alarms by look" in text
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
    assert "Shadow mode:" in text
    assert "McNemar" in text
    assert "Paired bootstrap of roc_auc" in text
    assert AB_GLOSSARY["peeking"][:40] in text
    _assert_track_switch(nb, "novice", terms="The terms of A/B testing", n_tasks=5)


def test_lesson_08_refuses_personal_data_and_drafts_the_documents(room: Walk) -> None:
    import html

    from mlops_kit.governance import load_ethics_assessment, model_card
    from mlops_kit.privacy import (
        CONTACTS_QUASI_IDENTIFIERS,
        age_band,
        k_anonymity,
        load_raw_contacts,
        scan_table,
        truncate_postcode,
    )

    nb = room.executed("08")
    _no_errors_or_warnings(nb)
    markdown = "\n".join(
        str(o["data"]["text/markdown"])
        for o in _outputs(nb)
        if "text/markdown" in o.get("data", {})
    )
    text = html.unescape(_text(nb)) + markdown
    cwd = room.cwd("08")
    contacts = load_raw_contacts()
    assert scan_table(contacts, source="raw_contacts.csv").summary() in text
    assert "(found by value pattern inside free text" in text
    assert (
        "Stopped, as expected (PrivacyError): The privacy check refused 'claims_extract.csv': "
        "1 column holds personal data that nobody has resolved:\n  - 'case_notes': email address"
    ) in text
    # The named override is the lesson's own entry in the shared audit log.
    logged = [e for e in room.audit_entries("08") if e.event == "privacy_overridden"]
    assert [(e.details["by"], e.details["columns"]) for e in logged] == [
        ("Sam Jones, Data Protection Officer", ["case_notes"])
    ]
    record = json.loads((cwd / "runs" / "claims-extract-override" / "dataset.json").read_text())
    assert record["privacy"]["override"]["by"] == "Sam Jones, Data Protection Officer"
    assert f"Audit entry seq {logged[0].seq}, `privacy_overridden`" in text
    assert "the 1,500 pseudonyms are identical: **True**" in text
    assert "pseudonyms in common with the first key: **0**" in text
    qi = list(CONTACTS_QUASI_IDENTIFIERS)
    assert "The export of raw_contacts.csv is refused: it must be 5-anonymous" in text
    generalised = contacts.assign(
        age=age_band(contacts["age"], 10, start=20, top=70),
        postcode=truncate_postcode(contacts["postcode"], "area"),
    )
    assert k_anonymity(generalised, qi, k=5).summary() in text
    assert (
        "Refused: The privacy budget 'this session's releases' cannot pay for 'People needing "
        "mental-health support': it asks for epsilon 0.5, but 0.8 of the 1 is spent"
    ) in text
    # Its pipeline run: the documents in its run folder, registered after earlier lessons'.
    runs = _runs(room, "08")
    assert len(runs) == 1
    run_dir = runs[0]
    assert model_card(run_dir).missing == ()
    assessment = load_ethics_assessment(run_dir)
    assert assessment is not None
    assert (assessment.assessed_by, assessment.score("fairness").score) == ("Priya Shah", 2)
    assert json.loads((run_dir / "transparency_record.json").read_text())["missing"] == []
    assert "Algorithmic transparency record: Claims Review Prioritisation Tool" in text
    registration = json.loads((run_dir / "registration.json").read_text())
    version = Registry(workspace=cwd).get("benefit-claims", version=registration["version"])
    assert version.run_id == run_dir.name
    assert registration["version"] > 3, "lessons 01 and 05 registered three versions first"
    assert not (REPO / "notebooks" / "claims_extract.csv").exists()
    _assert_track_switch(nb, "novice", terms="The privacy terms you will need", n_tasks=6)


def test_lesson_09_reviews_its_own_queue_and_counts_only_its_decisions(room: Walk) -> None:
    from mlops_kit.audit import default_audit_log
    from mlops_kit.course._workspace import settings_key
    from mlops_kit.data import load_dataset, profile_dataset
    from mlops_kit.explain import explain_training
    from mlops_kit.review import ReviewQueue
    from mlops_kit.train import train_model

    nb = room.executed("09")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    claims = load_dataset("benefit_claims")
    roles = profile_dataset(claims, "benefit_claims").roles
    result = train_model(claims, roles, model="hgb", split="time", cv_folds=0, threshold=0.3)
    explanation = explain_training(
        result,
        claims,
        roles,
        id_column="claim_id",
        max_rows=1000,
        decision_words=("Flagged for review", "Not flagged"),  # as the lesson says
    )
    top = explanation.reason_codes(explanation.top_cases(1)[0])
    assert "ExplainerChoice(kind='tree'" in text
    assert f"Case explorer. Case {top.case_id}: {top.text}" in text
    assert explanation.crosscheck is not None
    assert explanation.crosscheck.verdict in text
    assert "can only be recorded with the reviewer's name" in text
    assert "reviewer='Jo Khan (lesson)'" in text
    # The queue is a file named after the lesson's settings, and holds this model's flags.
    key = settings_key(model="hgb", threshold=0.3, max_rows=1000, n_review=None, seed=0)
    assert room.created("09", "review") == [f"queue-{key}.jsonl", f"queue-{key}.jsonl.lock"]
    cwd = room.cwd("09")
    queue = ReviewQueue(cwd / "review" / f"queue-{key}.jsonl", audit=default_audit_log(cwd))
    n_flagged = int((explanation.scores >= 0.3).sum())
    assert len(queue.cases) == n_flagged
    assert not queue.pending()
    report = queue.override_report(max_rate=0.75)
    assert report.summary() in text
    # Its decisions are its entries in the shared log (which earlier lessons filled).
    events = [e.event for e in room.audit_entries("09")]
    assert len(events) == n_flagged
    assert set(events) == {"review_accepted", "review_overridden"}
    assert room.results["09"].audit_before > 0
    assert default_audit_log(cwd).verify().ok
    _assert_track_switch(nb, "novice", terms="The terms you will need", n_tasks=6)


def test_lesson_10_writes_checks_and_runs_the_teams_design(room: Walk) -> None:
    import yaml

    from mlops_kit.course import check_design, load_design

    nb = room.executed("10")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    assert "Scenario brief: prioritising urgent housing-repair inspections" in text
    assert "Role card: information governance lead" in text
    assert "Going further (experienced track)" in text
    assert "Experienced track: the terms are skipped" in text
    assert room.created("10", "designs") == ["housing_repairs_priority.design.yml"]
    assert not (REPO / "notebooks" / "designs").exists()
    assert "0 of 6 parts of Prioritising urgent housing-repair inspections pass" in text
    assert "6 of 6 parts of Prioritising urgent housing-repair inspections" in text
    # The design form wrote the team's answers into its design file, and that is checked.
    design_file = room.cwd("10") / "designs" / "housing_repairs_priority.design.yml"
    design = load_design(design_file)
    assert design.team == "Team Heron"
    assert design.config.policy.approvers == ["Sam Okafor"]
    assert check_design(design_file).summary() in text
    assert "Design form for housing_repairs_priority.design.yml" in text
    runs = _runs(room, "10")
    assert len(runs) == 1
    assert json.loads((runs[0] / "status.json").read_text())["status"] == "succeeded"
    assert (runs[0] / "report.html").is_file()
    gate = json.loads((runs[0] / "gate.json").read_text())
    assert gate["decision"] == "refuse"
    assert "Gate: refuse" in text
    config = yaml.safe_load((runs[0] / "config.yml").read_text())
    assert config["positive_is"] == "favourable"
    assert config["policy"]["approvers"] == ["Sam Okafor"]
    assert config["tuning"]["n_trials"] == 0
    assert config["explain"]["max_rows"] == 50
    # the team's own policy is applied: the four-fifths rule is among the gate's checks
    assert any("four-fifths" in c["name"] for c in gate["checks"]), gate["checks"]


def test_lesson_11_scores_the_design_from_the_rooms_feedback_and_writes_the_report(
    room: Walk,
) -> None:
    from mlops_kit.course import (
        check_design,
        load_feedback,
        load_rubric_example,
        peer_levels,
        score_rubric,
    )

    nb = room.executed("11")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    cwd = room.cwd("11")
    folder = cwd / "feedback"
    # Lesson 10's design file, its check, and the reviews of the team it names: this
    # design's check, not the worked example's.
    check = check_design(cwd / "designs" / "housing_repairs_priority.design.yml")
    assert check.score() != load_rubric_example()["auto"]
    expected = score_rubric(check.score(), peer_levels(load_feedback(folder), team="Team Heron"))
    assert expected.level("communication") == 0
    assert expected.summary() in text
    assert "Ash Khan liked the named sign-off." in text
    md = (cwd / "written_report.md").read_text(encoding="utf-8")
    assert md.startswith("# Pipeline design report: Team Heron")
    assert "Prioritising urgent housing-repair inspections, designed by Team Heron" in md
    assert "sign-off of Sam Okafor (Head of service)" in md
    assert check.summary() in md
    assert load_rubric_example()["design_summary"].split("\n")[0] not in md
    assert "Table 2: Peer scores from 3 reviewers" in md
    assert "Otter's strength" not in md
    assert "<caption>" in (cwd / "written_report.html").read_text(encoding="utf-8")
    # The notebook only reads the shared folder.
    assert "feedback" not in room.results["11"].created
    assert "The terms of assessment (open one with Enter)" in text


def test_lesson_12_drafts_the_proposal_from_its_run_then_from_the_run_given(room: Walk) -> None:
    from mlops_kit.course import check_proposal, read_written

    first = room.executed("12")
    _no_errors_or_warnings(first)
    cwd = room.cwd("12")
    runs = _runs(room, "12")
    assert len(runs) == 1
    run = runs[0]
    text = _shown(first)
    summary = (run / "stakeholder_summary.md").read_text(encoding="utf-8")
    assert summary.splitlines()[0] in text
    assert "Tested on past cases" in text
    assert "For a claimant:" in text
    md = (cwd / "adoption_proposal.md").read_text(encoding="utf-8")
    assert md.startswith("# Adopting automated MLOps in Department for Social Support")
    gate = json.loads((run / "gate.json").read_text(encoding="utf-8"))
    assert f"Decision: {gate['decision']}." in md
    assert run.name in md
    check = check_proposal(cwd / "adoption_proposal.md")
    assert len(check.empty) == 10
    assert check.summary() in text
    assert "Going further (experienced track)" in text

    second = room.executed("12-again")
    _no_errors_or_warnings(second)
    text = _shown(second)
    assert room.results["12-again"].parameters["run_dir"] == f"runs/{run.name}"
    assert "runs" not in room.results["12-again"].created  # the given run, not a new one
    assert "For a minister's office:" in text
    assert "Hints (novice track): open one at a time" in text
    written = read_written(cwd / "proposals" / "dft.md")
    assert set(written) >= {"service", "governance", "communication"}
    assert not any(written.values())
    assert "Department for Transport" in (cwd / "proposals" / "dft.html").read_text(
        encoding="utf-8"
    )


def test_lesson_01_again_with_another_model_starts_a_new_run_and_replay(room: Walk) -> None:
    nb = room.executed("01-again")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    cwd = room.cwd("01-again")
    # A new by-hand folder: the first, whose model is registered, is left as it was.
    unattended = _runs(room, "01-again")
    assert len(unattended) == 1
    assert sorted(room.created("01-again", "runs")) == sorted(["by-hand-2", unattended[0].name])
    assert "Run by-hand-2: 9 of 9 stages have written all their files." in text
    first = json.loads((cwd / "runs" / "by-hand-1" / "training.json").read_text())
    second = json.loads((cwd / "runs" / "by-hand-2" / "training.json").read_text())
    assert (first["model"], second["model"]) == ("hgb", "logistic")
    # The changed config replays in a new folder beside the first: nothing refused or lost.
    replay = _replay(room, "01-again", "explore")
    earlier = _replay(room, "01", "explore")
    assert replay != earlier
    assert json.loads((earlier / "timeline.json").read_text())["complete"]
    timeline = json.loads((replay / "timeline.json").read_text())
    assert timeline["complete"]
    assert "Retraining recovered" in text
    shown = _cell_output(nb, "replay.versions()")
    assert timeline["simulation_id"] in shown
    assert json.loads((earlier / "timeline.json").read_text())["simulation_id"] not in shown
    # Its runs are the newest versions; the registry and the log carry every lesson's.
    versions = Registry(workspace=cwd).versions("benefit-claims")
    assert list(versions["run_id"])[-2:] == [unattended[0].name, "by-hand-2"]
    assert f"is intact: each of its {room.results['01-again'].audit_after} entries" in text


def test_lesson_06_again_with_another_tuning_budget_replays_beside_the_first(
    room: Walk,
) -> None:
    nb = room.executed("06-again")
    _no_errors_or_warnings(nb)
    text = _shown(nb)
    replay = _replay(room, "06-again", "monitoring")
    earlier = _replay(room, "06", "monitoring")
    assert replay != earlier
    first = json.loads((earlier / "timeline.json").read_text())
    again = json.loads((replay / "timeline.json").read_text())
    assert first["settings"]["tuning_trials"] == 1
    assert again["settings"]["tuning_trials"] == 0
    assert again["complete"]
    assert "Drift explorer. 2024-02 against 2023-01 to 2023-06: drifted: channel." in text
    shown = _cell_output(nb, "replay.versions()")
    assert again["simulation_id"] in shown
    assert first["simulation_id"] not in shown
    # Every replay of the walk kept its folder.
    folders = sorted(p.name for p in (room.cwd("06-again") / "simulation").iterdir())
    assert [f.split("-")[0] for f in folders] == ["explore", "explore", "monitoring", "monitoring"]
    assert re.search(r"left its champion alias on version \d+", text)
    _assert_track_switch(nb, "experienced", terms="The terms you will need", n_tasks=5)


def test_every_lessons_core_path_fits_its_slot_with_the_run_time_the_walk_measured(
    room: Walk,
) -> None:
    """The timing check of test_course_timing.py, with each lesson's run minutes measured.

    The run minutes are the cell durations papermill recorded in this walk, which runs the
    suite's small test parameters (fewer trials, rows and simulations than the lessons'
    defaults) on a shared test machine, in kernels forked warm (their first imports
    cost less than in JupyterLab). ``benchmarks/session_minutes.py`` measures the
    lessons with their default parameters in ordinary kernels.
    """
    from mlops_kit.course import lesson_timing, session_plan

    timings = {
        step.key: lesson_timing(
            REPO / step.folder / step.notebook, executed=room.executed(step.key)
        )
        for step in STEPS
        if "again" not in step.key
    }
    assert {key: t.problems() for key, t in timings.items() if t.problems()} == {}
    assert session_plan().check(timings) == []
