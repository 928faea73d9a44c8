"""The exercises as a workshop runs them: 01 to 07 in order, each learner notebook then its
solution, in one copy of the workbook (learners in ``exercises/``, solutions in
``exercises/solutions/``, where JupyterLab runs them).

These are the exercise notebooks' main runs: the standalone tests in
``test_exercises*.py`` keep only the other track and the mistyped track.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mlops_kit.exercises import hint, load_exercise_data
from mlops_kit.metrics import METRIC_GLOSSARY

from .exercise_support import assert_track_material
from .workshop_support import Step, Walk, walk

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

EXERCISES = ("01_choose_metrics", "02_search_space", "03_trace_model", "04_sample_size",
             "05_drift_thresholds", "06_find_identifiers", "07_reason_codes")  # fmt: skip
#: Exercise 2's learner notebook on the experienced track, the others on the default one.
TRACK = {"02_search_space": "experienced"}

STEPS = [
    step
    for name in EXERCISES
    for step in (
        Step(name, f"{name}.ipynb", {"track": TRACK.get(name, "novice")}, folder="exercises"),
        Step(f"solutions/{name}", f"{name}.ipynb", {}, folder="exercises/solutions"),
    )
]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Walk:
    return walk(tmp_path_factory.mktemp("exercises"), STEPS)


def _text(room: Walk, key: str) -> str:
    """Every output of the step's notebook as one string; no error, no warning on stderr."""
    nb = room.executed(key)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output.get("evalue")
            if output.get("name") == "stderr":
                assert "Warning" not in "".join(output["text"]), output["text"]
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def _solved(text: str, n: int) -> None:
    assert f"{n} of {n} questions correct" in text
    assert "Not yet" not in text
    assert "Not answered yet" not in text


def test_the_walk_runs_every_exercise_notebook_in_order_and_writes_nothing_beside_them(
    room: Walk,
) -> None:
    # A new exercise must join the walk (EXERCISES above), learner notebook and solution.
    notebooks = {p.relative_to(room.root) for p in (room.root / "exercises").rglob("*.ipynb")}
    assert {Path(s.folder) / s.notebook for s in STEPS} == notebooks
    assert list(room.results) == [s.key for s in STEPS]
    for key, result in room.results.items():
        assert result.created == {}, (key, result.created)


def test_choose_metrics_learner_runs_unanswered_and_solution_passes(room: Walk) -> None:
    text = _text(room, "01_choose_metrics")
    assert text.count("Not answered yet") >= 6
    assert hint("choose_metrics.q1")[:40] in text
    assert "0 of 6 questions correct" in text
    assert METRIC_GLOSSARY["precision"][:40] in text
    assert_track_material(text, "novice")
    _solved(_text(room, "solutions/01_choose_metrics"), 6)


def test_search_space_learner_runs_unanswered_and_solution_passes(room: Walk) -> None:
    from mlops_kit.course import TUNING_GLOSSARY

    text = _text(room, "02_search_space")
    assert text.count("Not answered yet") >= 6
    assert hint("search_space.q3")[:40] in text
    assert "0 of 6 questions correct" in text
    assert_track_material(text, "experienced")
    solution = _text(room, "solutions/02_search_space")
    _solved(solution, 6)
    assert TUNING_GLOSSARY["pruning"][:40] in solution  # the novice track explains the terms


def test_trace_model_learner_runs_unanswered_and_solution_passes(room: Walk) -> None:
    text = _text(room, "03_trace_model")
    assert text.count("Not answered yet") >= 6
    assert hint("trace_model.q1")[:40] in text
    assert "registry.versions(MODEL): a table of every version" in text
    assert "The tools you will need (open one with Enter)" in text
    assert "0 of 6 questions correct" in text
    assert_track_material(text, "novice")
    _solved(_text(room, "solutions/03_trace_model"), 6)


def test_sample_size_learner_runs_unanswered_and_solution_passes(room: Walk) -> None:
    from mlops_kit.course import AB_GLOSSARY

    text = _text(room, "04_sample_size")
    assert text.count("Not answered yet") >= 5
    assert hint("sample_size.q1")[:40] in text
    assert "0 of 5 questions correct" in text
    assert AB_GLOSSARY["power"][:40] in text
    assert_track_material(text, "novice")
    _solved(_text(room, "solutions/04_sample_size"), 5)


def test_drift_thresholds_learner_runs_unanswered_and_solution_passes(room: Walk) -> None:
    text = _text(room, "05_drift_thresholds")
    assert text.count("Not answered yet") >= 4
    assert hint("drift_thresholds.q1")[:40] in text
    assert "0 of 4 questions correct" in text
    assert "The terms you will need" in text
    assert_track_material(text, "novice")
    _solved(_text(room, "solutions/05_drift_thresholds"), 4)


def test_find_identifiers_learner_runs_unanswered_and_solution_masks_the_scan(
    room: Walk,
) -> None:
    text = _text(room, "06_find_identifiers")
    assert text.count("Not answered yet") >= 6
    assert hint("find_identifiers.q1")[:40] in text
    assert "0 of 6 questions correct" in text
    assert "The terms you will need" in text
    assert_track_material(text, "novice")
    solution = room.executed("solutions/06_find_identifiers")
    _solved(_text(room, "solutions/06_find_identifiers"), 6)
    scans = [
        json.dumps(c["outputs"])
        for c in solution.cells
        if "Personal-data scan of" in json.dumps(c.get("outputs", []))
    ]
    assert len(scans) == 1  # the solution shows the scan, with its examples masked
    contacts: pd.DataFrame = load_exercise_data("find_identifiers")
    assert not [v for v in contacts["nhs_number"] if v in scans[0]]
    assert not [v for v in contacts["email"] if v in scans[0]]


def test_reason_codes_learner_runs_unanswered_and_solution_passes(room: Walk) -> None:
    text = _text(room, "07_reason_codes")
    assert text.count("Not answered yet") >= 5
    assert hint("reason_codes.q1")[:40] in text
    assert "0 of 5 questions correct" in text
    assert "The terms you will need" in text
    assert_track_material(text, "novice")
    _solved(_text(room, "solutions/07_reason_codes"), 5)


def test_the_repository_exercises_folder_is_untouched(room: Walk) -> None:
    repo = Path(__file__).resolve().parents[1] / "exercises"
    assert not list(repo.rglob("mlops.db"))
    assert not [p for p in repo.rglob("*") if p.is_dir() and p.name in {"runs", "audit"}]
