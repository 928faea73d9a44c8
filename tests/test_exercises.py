"""The exercise framework and exercise 1 (choose_metrics): checks, feedback, hints, notebooks.

Expected answers are computed here independently, with scikit-learn and pandas, from the
same predictions table the learners get; the checks compute theirs with mlops_kit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_score,
    recall_score,
)

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.exercises import (
    Exercise,
    Feedback,
    Question,
    _checks,
    _feedback,
    check,
    hint,
    load_exercise_data,
)
from mlops_kit.exercises import _framework as framework
from mlops_kit.exercises._feedback import Status
from mlops_kit.exercises._framework import list_exercises, questions, register_exercise
from mlops_kit.metrics import METRIC_GLOSSARY

from .exercise_support import (
    assert_clean_exercise,
    assert_track_material,
    execute_exercise,
    outputs_text,
)

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
QUESTION_IDS = [f"choose_metrics.q{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def predictions() -> pd.DataFrame:
    return load_exercise_data("choose_metrics")


@pytest.fixture(scope="module")
def truth(predictions: pd.DataFrame) -> dict[str, Any]:
    """Every expected value and every common mistake, computed with scikit-learn/pandas."""
    y = predictions["y_true"]
    flags = (predictions["y_score"] >= 0.5).astype(int)
    group = predictions["ethnic_group"]
    recall, precision = {}, {}
    for name in sorted(group.unique()):
        mask = group == name
        recall[name] = recall_score(y[mask], flags[mask])
        precision[name] = precision_score(y[mask], flags[mask], zero_division=0)
    flag_rate = flags.groupby(group).mean()
    base_rate = y.groupby(group).mean()
    recall_s = pd.Series(recall)
    return {
        "precision": precision_score(y, flags),
        "recall": recall_score(y, flags),
        "accuracy": accuracy_score(y, flags),
        "f1": f1_score(y, flags),
        "flag_rate": flags.mean(),
        "base_rate": y.mean(),
        "recall_by_group": recall,
        "precision_by_group": precision,
        "flag_rate_by_group": flag_rate.to_dict(),
        "base_rate_by_group": base_rate.to_dict(),
        "lowest_recall": recall_s.idxmin(),
        "highest_recall": recall_s.idxmax(),
        "lowest_precision": pd.Series(precision).idxmin(),
        "four_fifths": flag_rate.min() / flag_rate.max(),
        "not_flagged_ratio": (1 - flag_rate).min() / (1 - flag_rate).max(),
        "recall_ratio": recall_s.min() / recall_s.max(),
        "base_rate_ratio": base_rate.min() / base_rate.max(),
        "flag_rate_gap": flag_rate.max() - flag_rate.min(),
        "failing_groups": sorted(flag_rate[flag_rate.min() / flag_rate < 0.8].index),
    }


# --- the exercise data ------------------------------------------------------------------


def test_exercise_data_is_the_later_held_out_months_with_scores_and_groups(
    predictions: pd.DataFrame,
) -> None:
    assert list(predictions.columns) == [
        "y_true",
        "y_score",
        "sex",
        "age_band",
        "ethnic_group",
        "disability",
        "month",
    ]
    assert len(predictions) == 10_500
    assert sorted(predictions["month"].unique()) == [f"2024-{m:02d}" for m in range(7, 13)]
    assert set(predictions["y_true"].unique()) == {0, 1}
    assert predictions["y_score"].between(0, 1).all()
    # The adverse outcome is rare: about one claim in seven (accuracy misleads).
    assert 0.1 < predictions["y_true"].mean() < 0.2


def test_exercise_data_is_a_fresh_copy_of_a_fixed_table(predictions: pd.DataFrame) -> None:
    again = load_exercise_data("choose_metrics")
    again.loc[0, "y_score"] = 99.0
    pd.testing.assert_frame_equal(load_exercise_data("choose_metrics"), predictions)


# --- correct answers ----------------------------------------------------------------------


Answer = Callable[[dict[str, Any]], Any]

CORRECT: list[tuple[str, str, Answer]] = [
    ("choose_metrics.q1", "text", lambda t: "precision"),
    ("choose_metrics.q1", "spaces-and-capitals", lambda t: "  Precision "),
    ("choose_metrics.q1", "alias", lambda t: "PPV"),
    ("choose_metrics.q2", "float", lambda t: t["precision"]),
    ("choose_metrics.q2", "numpy-float32", lambda t: np.float32(t["precision"])),
    ("choose_metrics.q2", "0-d-array", lambda t: np.array(t["precision"])),
    ("choose_metrics.q2", "three-decimals", lambda t: round(t["precision"], 3)),
    ("choose_metrics.q3", "float", lambda t: t["recall"]),
    ("choose_metrics.q3", "numpy-float64", lambda t: np.float64(t["recall"])),
    ("choose_metrics.q4", "dict", lambda t: t["recall_by_group"]),
    ("choose_metrics.q4", "series", lambda t: pd.Series(t["recall_by_group"])),
    ("choose_metrics.q5", "text", lambda t: t["lowest_recall"]),
    ("choose_metrics.q5", "lower-case", lambda t: t["lowest_recall"].lower()),
    ("choose_metrics.q5", "numpy-str", lambda t: np.str_(t["lowest_recall"])),
    ("choose_metrics.q6", "float", lambda t: t["four_fifths"]),
    ("choose_metrics.q6", "0-d-array", lambda t: np.array(t["four_fifths"])),
]


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [(q, a) for q, _, a in CORRECT],
    ids=[f"{q.split('.')[1]}-{kind}" for q, kind, _ in CORRECT],
)
def test_correct_answers_are_accepted(
    truth: dict[str, Any], question_id: str, answer: Answer
) -> None:
    feedback = check(question_id, answer(truth))
    assert feedback.status is Status.CORRECT, str(feedback)
    assert feedback.correct
    assert feedback.hint is None
    assert feedback.message.startswith("Right")


def test_correct_four_fifths_feedback_says_it_fails_and_names_the_groups(
    truth: dict[str, Any],
) -> None:
    feedback = check("choose_metrics.q6", truth["four_fifths"])
    assert truth["four_fifths"] < 0.8
    assert "fails the four-fifths rule" in feedback.message
    assert f"{truth['four_fifths']:.3f}" in feedback.message
    for name in truth["failing_groups"]:
        assert name in feedback.message


def test_correct_precision_feedback_gives_the_counts(
    predictions: pd.DataFrame, truth: dict[str, Any]
) -> None:
    flagged = int((predictions["y_score"] >= 0.5).sum())
    feedback = check("choose_metrics.q2", truth["precision"])
    assert f"Of the {flagged:,} claims flagged" in feedback.message


# --- common mistakes ----------------------------------------------------------------------


def _drop(d: dict[str, float], key: str) -> dict[str, float]:
    return {k: v for k, v in d.items() if k != key}


MISTAKES: list[tuple[str, Answer, str]] = [
    # q1: which metric
    ("choose_metrics.q1", lambda t: "accuracy", "flags nobody at all"),
    ("choose_metrics.q1", lambda t: "recall", "ignores false flags"),
    ("choose_metrics.q1", lambda t: "roc_auc", "every possible threshold"),
    ("choose_metrics.q1", lambda t: "AUC", "every possible threshold"),
    ("choose_metrics.q1", lambda t: "f1", "hidden by a rise in recall"),
    ("choose_metrics.q1", lambda t: "banana", "is not one of the options"),
    # q2: precision
    ("choose_metrics.q2", lambda t: t["recall"], "That is recall"),
    ("choose_metrics.q2", lambda t: t["accuracy"], "That is accuracy"),
    ("choose_metrics.q2", lambda t: t["flag_rate"], "That is the flag rate"),
    ("choose_metrics.q2", lambda t: t["base_rate"], "base rate"),
    ("choose_metrics.q2", lambda t: t["f1"], "That is F1"),
    ("choose_metrics.q2", lambda t: 1 - t["precision"], "false discovery rate"),
    ("choose_metrics.q2", lambda t: 100 * t["precision"], "looks like a percentage"),
    ("choose_metrics.q2", lambda t: round(t["precision"], 2), "Did you round"),
    ("choose_metrics.q2", lambda t: 1.5, "Expected a number between 0 and 1 for the"),
    ("choose_metrics.q2", lambda t: 0.9, "is not the precision"),
    # q3: recall
    ("choose_metrics.q3", lambda t: t["precision"], "That is precision"),
    ("choose_metrics.q3", lambda t: 1 - t["recall"], "miss rate"),
    ("choose_metrics.q3", lambda t: t["accuracy"], "That is accuracy"),
    ("choose_metrics.q3", lambda t: t["flag_rate"], "That is the flag rate"),
    ("choose_metrics.q3", lambda t: 100 * t["recall"], "looks like a percentage"),
    # q4: recall by group
    ("choose_metrics.q4", lambda t: t["flag_rate_by_group"], "flag rates (selection rates)"),
    ("choose_metrics.q4", lambda t: t["precision_by_group"], "each group's precision"),
    ("choose_metrics.q4", lambda t: t["base_rate_by_group"], "base rate"),
    (
        "choose_metrics.q4",
        lambda t: {k: 1 - v for k, v in t["recall_by_group"].items()},
        "miss rate",
    ),
    (
        "choose_metrics.q4",
        lambda t: _drop(t["recall_by_group"], "Group E"),
        "Missing group: Group E.",
    ),
    (
        "choose_metrics.q4",
        lambda t: {**t["recall_by_group"], "Group Z": 0.1},
        "Unexpected group: Group Z.",
    ),
    (
        "choose_metrics.q4",
        lambda t: {k.lower(): v for k, v in t["recall_by_group"].items()},
        "names must match the data exactly",
    ),
    (
        "choose_metrics.q4",
        lambda t: {k: 100 * v for k, v in t["recall_by_group"].items()},
        "look like percentages",
    ),
    (
        "choose_metrics.q4",
        lambda t: {**t["recall_by_group"], "Group B": 0.5},
        "The recall for Group B is not right yet; the other groups are right.",
    ),
    # q5: lowest recall
    ("choose_metrics.q5", lambda t: t["highest_recall"], "highest recall, not the lowest"),
    ("choose_metrics.q5", lambda t: t["lowest_precision"], "lowest precision"),
    ("choose_metrics.q5", lambda t: "Group Z", "is not an ethnic group in the data"),
    # q6: four-fifths ratio
    ("choose_metrics.q6", lambda t: t["not_flagged_ratio"], "hides the disparity"),
    ("choose_metrics.q6", lambda t: 1 / t["four_fifths"], "highest flag rate divided by"),
    ("choose_metrics.q6", lambda t: t["recall_ratio"], "ratio of recall"),
    ("choose_metrics.q6", lambda t: t["base_rate_ratio"], "really involved fraud or error"),
    ("choose_metrics.q6", lambda t: t["flag_rate_gap"], "demographic parity difference"),
    ("choose_metrics.q6", lambda t: 100 * t["four_fifths"], "looks like a percentage"),
]


@pytest.mark.parametrize(
    ("question_id", "answer", "phrase"),
    MISTAKES,
    ids=[f"{q.split('.')[1]}-{p[:28]}" for q, _, p in MISTAKES],
)
def test_each_common_mistake_gets_its_own_feedback_and_the_hint(
    truth: dict[str, Any], question_id: str, answer: Answer, phrase: str
) -> None:
    feedback = check(question_id, answer(truth))
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message, feedback.message
    assert feedback.hint == hint(question_id)


def test_not_flagged_ratio_would_pass_which_is_why_it_misleads(truth: dict[str, Any]) -> None:
    assert truth["not_flagged_ratio"] >= 0.8 > truth["four_fifths"]
    message = check("choose_metrics.q6", truth["not_flagged_ratio"]).message
    assert "adverse outcome" in message
    assert f"({truth['not_flagged_ratio']:.2f})" in message


@pytest.fixture(scope="module")
def tied_scores() -> pd.DataFrame:
    """Scores on a 0.1 grid, so many are exactly 0.5 and `>` differs from `>=`.

    The groups' scores differ, and the seed is one where no other mistake gives the
    same value as `>` within the tolerance.
    """
    rng = np.random.default_rng(1)
    n = 600
    group = rng.choice(["Group A", "Group B", "Group C"], n)
    score = rng.integers(0, np.select([group == "Group A", group == "Group B"], [8, 11], 10)) / 10
    return pd.DataFrame(
        {
            "y_true": (rng.random(n) < 0.1 + 0.7 * score).astype(int),
            "y_score": score,
            "ethnic_group": group,
        }
    )


def _strict(data: pd.DataFrame) -> dict[str, Any]:
    y, gt = data["y_true"], (data["y_score"] > 0.5).astype(int)
    group = data["ethnic_group"]
    rate = gt.groupby(group).mean()
    return {
        "choose_metrics.q2": precision_score(y, gt),
        "choose_metrics.q3": recall_score(y, gt),
        "choose_metrics.q4": {g: recall_score(y[group == g], gt[group == g]) for g in rate.index},
        "choose_metrics.q6": rate.min() / rate.max(),
    }


@pytest.mark.parametrize(
    "question_id",
    ["choose_metrics.q2", "choose_metrics.q3", "choose_metrics.q4", "choose_metrics.q6"],
)
def test_strictly_greater_than_is_recognised_where_it_changes_the_answer(
    tied_scores: pd.DataFrame, question_id: str
) -> None:
    answer = _strict(tied_scores)[question_id]
    feedback = check(question_id, answer, data=tied_scores)
    assert feedback.status is Status.INCORRECT
    assert "use `>=`" in feedback.message, feedback.message


def test_checks_compute_expected_answers_from_the_data_given(tied_scores: pd.DataFrame) -> None:
    y, flags = tied_scores["y_true"], tied_scores["y_score"] >= 0.5
    assert check("choose_metrics.q2", precision_score(y, flags), data=tied_scores).correct
    assert check("choose_metrics.q3", recall_score(y, flags), data=tied_scores).correct


def test_checks_name_a_missing_column_in_other_data() -> None:
    with pytest.raises(DataValidationError, match="need a column 'ethnic_group'"):
        check("choose_metrics.q2", 0.5, data=pd.DataFrame({"y_true": [1], "y_score": [0.5]}))


# --- unanswered, wrong types, unknown ids ---------------------------------------------------


@pytest.mark.parametrize("placeholder", [None, ..., "", "  "])
@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_empty_answers_are_unanswered_with_the_hint(question_id: str, placeholder: Any) -> None:
    feedback = check(question_id, placeholder)
    assert feedback.status is Status.UNANSWERED
    assert not feedback.correct
    assert feedback.hint == hint(question_id)
    assert feedback.hint
    assert "Not answered yet" in str(feedback)


WRONG_TYPES: list[tuple[str, Any, str]] = [
    (
        "choose_metrics.q2",
        pd.DataFrame({"precision": [0.5]}),
        "Expected a number between 0 and 1; got a DataFrame (1 row, 1 column).",
    ),
    ("choose_metrics.q2", "0.55", "got a string ('0.55'). Remove the quotes"),
    ("choose_metrics.q2", True, "got a bool (True)"),
    ("choose_metrics.q2", pd.Series([0.5]), "got a Series of 1 value. It holds one value"),
    ("choose_metrics.q2", float("nan"), "got NaN"),
    ("choose_metrics.q6", [0.4], "got a list of 1 item. It holds one value"),
    ("choose_metrics.q1", 0.5, "as a string; got the number 0.5."),
    ("choose_metrics.q4", [0.1, 0.2], "Expected a dict or pandas Series of recall by group"),
    ("choose_metrics.q4", pd.DataFrame({"recall": [0.1]}), "Select the one column"),
    ("choose_metrics.q4", {"Group A": "high"}, "Expected a number for group 'Group A'"),
    ("choose_metrics.q5", pd.Series({"Group A": 0.1}), "`.idxmin()`"),
    ("choose_metrics.q5", 3, "Expected the name of one ethnic group as a string"),
]


@pytest.mark.parametrize(("question_id", "answer", "phrase"), WRONG_TYPES)
def test_wrong_types_say_what_was_expected_and_what_was_received(
    question_id: str, answer: Any, phrase: str
) -> None:
    feedback = check(question_id, answer)
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message, feedback.message
    assert feedback.hint == hint(question_id)


def test_unknown_question_ids_raise_config_error_naming_the_valid_ones() -> None:
    for call in (lambda: check("choose_metrics.q7", 0.5), lambda: hint("choose_metric.q1")):
        with pytest.raises(ConfigError) as info:
            call()
        for question_id in QUESTION_IDS:
            assert question_id in str(info.value)
    with pytest.raises(ConfigError, match=r"Did you mean 'choose_metrics.q1'\?"):
        hint("choose_metric.q1")
    with pytest.raises(ConfigError, match="Valid question ids"):
        check(None, 0.5)  # type: ignore[arg-type]


def test_unknown_exercise_ids_raise_config_error_naming_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="Valid exercise ids: choose_metrics"):
        questions("chose_metrics")
    with pytest.raises(ConfigError, match="Did you mean 'choose_metrics'"):
        load_exercise_data("chose_metrics")


# --- listing, hints and rendering -----------------------------------------------------------


def test_questions_are_listed_in_order_with_prompts_and_hints() -> None:
    assert "choose_metrics" in list_exercises()
    listed = questions("choose_metrics")
    assert [q.id for q in listed] == QUESTION_IDS
    assert all(q.prompt and q.hint == hint(q.id) for q in listed)
    assert "precision" in listed[0].prompt


@pytest.mark.parametrize(
    ("answer", "label", "css"),
    [
        ("precision", "\u2713 Correct", "mlops-feedback-correct"),
        ("recall", "\u2717 Not yet", "mlops-feedback-incorrect"),
        (None, "\u2026 Not answered yet", "mlops-feedback-unanswered"),
    ],
)
def test_feedback_shows_the_status_in_words_in_html_and_plain_text(
    answer: Any, label: str, css: str
) -> None:
    feedback = check("choose_metrics.q1", answer)
    page = feedback._repr_html_()
    assert label in page
    assert css in page
    assert 'role="status"' in page
    assert str(feedback).startswith(f"{label} (choose_metrics.q1)\n")
    assert "<" not in str(feedback)
    assert ("Hint:" in page) is (answer != "precision")


def test_feedback_html_escapes_text_and_shows_backticks_as_code() -> None:
    feedback = Feedback("demo.q1", Status.INCORRECT, "Use `a >= b` <b>now</b>", hint="x & y")
    page = feedback._repr_html_()
    assert "<code>a &gt;= b</code>" in page
    assert "&lt;b&gt;now&lt;/b&gt;" in page
    assert "x &amp; y" in page


def test_feedback_is_a_validated_frozen_record() -> None:
    feedback = Feedback("demo.q1", Status.CORRECT, "Yes.")
    with pytest.raises(AttributeError):
        feedback.status = Status.INCORRECT  # type: ignore[misc]
    with pytest.raises(ConfigError, match="must be a Status"):
        Feedback("demo.q1", "correct", "Yes.")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="non-empty string"):
        Feedback("demo.q1", Status.CORRECT, " ")


# --- adding an exercise (the facilitator's route) ----------------------------------------------


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(framework, "_EXERCISES", dict(framework._EXERCISES))


def test_a_new_exercise_registers_and_checks_with_the_helpers(empty_registry: None) -> None:
    def mean_checker(answer: Any, data: Any) -> Feedback:
        mean = float(np.mean(data))
        return _checks.check_number(
            answer,
            mean,
            what="mean",
            lower=0,
            upper=10,
            correct_message="Right.",
            mistakes=[_checks.Mistake(float(np.median(data)), "That is the median.")],
        )

    register_exercise(
        Exercise(
            id="toy",
            title="Toy",
            questions=(Question("toy.mean", "The mean.", mean_checker, "Add and divide."),),
            load_data=lambda: [1.0, 2.0, 6.0],
        )
    )
    assert "toy" in list_exercises()
    assert check("toy.mean", 3).correct
    assert check("toy.mean", 2).message == "That is the median."
    assert (
        check("toy.mean", 11).message == "Expected a number between 0 and 10 for the mean; got 11."
    )
    assert check("toy.mean", None).hint == "Add and divide."


def test_exercise_definitions_are_validated() -> None:
    def checker(answer: Any, data: Any) -> Feedback:
        return _feedback.correct("Yes.")

    with pytest.raises(ConfigError, match=r"must start with 'toy\.'"):
        Exercise("toy", "Toy", (Question("other.q1", "?", checker, "h"),))
    with pytest.raises(ConfigError, match=r"Repeated: toy\.q1"):
        Exercise("toy", "Toy", (Question("toy.q1", "?", checker, "h"),) * 2)
    with pytest.raises(ConfigError, match=r"must look like 'exercise_id\.name'"):
        Question("Toy Q1", "?", checker, "h")
    with pytest.raises(ConfigError, match="needs a hint"):
        Question("toy.q1", "?", checker, " ")


# --- the notebooks ------------------------------------------------------------------------------

NOTEBOOKS = [EXERCISES / "01_choose_metrics.ipynb", EXERCISES / "solutions/01_choose_metrics.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_committed_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "choose_metrics", 6)


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_exercises_workshop_path.py).
    ["experienced"],
)
def test_learner_notebook_runs_unanswered_and_shows_hints(tmp_path: Path, track: str) -> None:
    nb = execute_exercise(EXERCISES / "01_choose_metrics.ipynb", tmp_path, track=track)
    text = outputs_text(nb)
    assert text.count("Not answered yet") >= 6
    assert hint("choose_metrics.q1")[:40] in text
    assert "0 of 6 questions correct" in text
    assert (METRIC_GLOSSARY["precision"][:40] in text) == (track == "novice")
    assert_track_material(text, track)


@pytest.mark.notebook
def test_a_mistyped_track_stops_the_exercise_with_the_two_names(tmp_path: Path) -> None:
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as caught:
        execute_exercise(EXERCISES / "01_choose_metrics.ipynb", tmp_path, track="Novice")
    assert "The 'track' parameter must be one of 'novice', 'experienced'" in str(caught.value)
    assert "Did you mean 'novice'?" in str(caught.value)


# --- Exercise 3 (trace_model): trace the model in use to its run, data and approver ---------------

TRACE_IDS = [f"trace_model.q{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def trace_ws() -> Any:
    return load_exercise_data("trace_model")


def _hash_of(raw: dict[str, Any]) -> str:
    import hashlib

    content = {k: v for k, v in raw.items() if k != "hash"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _trace_truth(folder: Path) -> dict[str, Any]:
    """Every expected answer, read straight from MLflow's SQLite store and the log's lines."""
    import hashlib
    import sqlite3

    from mlops_kit.data import dataset_info

    with sqlite3.connect(folder / "mlops.db") as db:
        champion = int(
            db.execute(
                "SELECT version FROM registered_model_aliases WHERE alias = 'champion'"
            ).fetchone()[0]
        )
        tags: dict[int, dict[str, str]] = {}
        for version, key, value in db.execute(
            "SELECT version, key, value FROM model_version_tags"
        ).fetchall():
            tags.setdefault(int(version), {})[key] = value
        mlflow_runs = dict(
            db.execute("SELECT value, run_uuid FROM tags WHERE key = 'mlops.run_id'").fetchall()
        )
    lines = (folder / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    raw = [json.loads(line) for line in lines]
    first_bad = next((e["seq"] for e in raw if _hash_of(e) != e["hash"]), 0)

    def about(entry: dict[str, Any], version: int) -> bool:
        return entry["details"].get("version") == version

    approval = [e for e in raw if e["event"] == "overridden" and about(e, champion)][-1]
    other = next(v for v in tags if v != champion)
    return {
        "run_id": tags[champion]["mlops.run_id"],
        "version": champion,
        "mlflow_run_id": mlflow_runs[tags[champion]["mlops.run_id"]],
        "other_run_id": tags[other]["mlops.run_id"],
        "data_sha256": tags[champion]["mlops.data_sha256"],
        "artefact_sha256": tags[champion]["mlops.artefact_sha256"],
        "other_data_sha256": tags[other]["mlops.data_sha256"],
        "bundled_sha256": hashlib.sha256(
            dataset_info("benefit_claims").path.read_bytes()
        ).hexdigest(),
        "trainer": tags[champion]["mlops.trained_by"],
        "approver": approval["actor"],
        "approval_seq": approval["seq"],
        "approval_hash": approval["hash"],
        "alias_seq": next(
            e["seq"]
            for e in raw
            if e["event"] == "alias_changed" and e["details"]["to_version"] == champion
        ),
        "registered_seq": next(
            e["seq"] for e in raw if e["event"] == "registered" and about(e, champion)
        ),
        "decliner": next(e["actor"] for e in raw if e["event"] == "declined"),
        "decline_seq": next(e["seq"] for e in raw if e["event"] == "declined"),
        "verifies": first_bad == 0,
        "first_bad": first_bad,
        "last_seq": raw[-1]["seq"],
    }


@pytest.fixture(scope="module")
def trace_truth(trace_ws: Any) -> dict[str, Any]:
    return _trace_truth(trace_ws.path)


def test_trace_workspace_tells_the_story_the_exercise_describes(
    trace_ws: Any, trace_truth: dict[str, Any]
) -> None:
    assert trace_ws.model_name == "claims-triage"
    assert list(trace_ws.registry.versions("claims-triage").index) == [1, 2]
    assert trace_truth["version"] == 1, "the older version is the one in use"
    assert trace_truth["trainer"] == "Alex Morgan"
    assert trace_truth["approver"] == "Priya Shah"
    assert trace_truth["decliner"] == "Jordan Ellis"
    assert trace_truth["data_sha256"] != trace_truth["other_data_sha256"]
    assert not trace_truth["verifies"]
    assert trace_truth["approval_seq"] < trace_truth["first_bad"] < trace_truth["last_seq"]
    # The workspace is prepared once per process, in a temporary folder.
    assert load_exercise_data("trace_model").path == trace_ws.path
    assert not trace_ws.path.is_relative_to(REPO)
    assert "trace_model" in list_exercises()


def test_trace_model_right_answers_are_accepted(trace_truth: dict[str, Any]) -> None:
    t = trace_truth
    answers = {
        "trace_model.q1": t["run_id"],
        "trace_model.q2": t["data_sha256"].upper(),
        "trace_model.q3": "  priya   SHAH ",
        "trace_model.q4": t["approval_seq"],
        "trace_model.q5": t["verifies"],
        "trace_model.q6": t["first_bad"],
    }
    for question_id, answer in answers.items():
        feedback = check(question_id, answer)
        assert feedback.correct, (question_id, str(feedback))
        assert feedback.hint is None
    assert check("trace_model.q4", np.int64(t["approval_seq"])).correct
    assert check("trace_model.q4", t["approval_hash"][:16]).correct
    assert check("trace_model.q5", np.bool_(t["verifies"])).correct
    q6 = check("trace_model.q6", t["first_bad"]).message
    assert f"The approval (seq {t['approval_seq']}) comes before it" in q6


TRACE_MISTAKES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("trace_model.q1", lambda t: t["version"], "That is the champion's version number"),
    ("trace_model.q1", lambda t: str(t["version"]), "That is the champion's version number"),
    ("trace_model.q1", lambda t: t["mlflow_run_id"], "That is MLflow's internal id"),
    ("trace_model.q1", lambda t: t["other_run_id"], "That run produced version 2"),
    ("trace_model.q1", lambda t: t["run_id"][:12], "the start of the right run id"),
    ("trace_model.q2", lambda t: t["artefact_sha256"], "SHA-256 of the stored model file"),
    ("trace_model.q2", lambda t: t["data_sha256"][:16], "the start of the data's hash"),
    ("trace_model.q2", lambda t: t["artefact_sha256"][:16], "the start of the model file's"),
    ("trace_model.q2", lambda t: t["other_data_sha256"], "the data of version 2"),
    ("trace_model.q2", lambda t: t["bundled_sha256"], "the whole bundled claims file"),
    ("trace_model.q3", lambda t: t["trainer"], "Alex Morgan trained the model"),
    ("trace_model.q3", lambda t: t["decliner"], "Jordan Ellis declined version 2"),
    ("trace_model.q4", lambda t: t["alias_seq"], "moves the champion alias"),
    ("trace_model.q4", lambda t: t["registered_seq"], "records the version's registration"),
    ("trace_model.q4", lambda t: t["decline_seq"], "Jordan Ellis's sign-off (declined)"),
    ("trace_model.q4", lambda t: t["approval_hash"][:8] + "0" * 8, "not the hash of the entry"),
    ("trace_model.q5", lambda t: not t["verifies"], "`entries()` and `to_frame()` do not check"),
    ("trace_model.q6", lambda t: t["last_seq"], "That is the last entry in the log"),
    ("trace_model.q6", lambda t: t["first_bad"] + 1, "the entry after the one at fault"),
    ("trace_model.q6", lambda t: t["approval_seq"], "the approval entry, which still checks"),
]


@pytest.mark.parametrize("start", ["89273718", "8a27c718"])
def test_trace_model_a_wrong_hash_is_named_even_when_it_is_all_digits(
    trace_truth: dict[str, Any], start: str
) -> None:
    """A hash's first characters can all be digits (about one hash in forty)."""
    wrong = start + "00000000"
    assert not trace_truth["approval_hash"].startswith(wrong)
    feedback = check("trace_model.q4", wrong)
    assert feedback.status is Status.INCORRECT
    assert "not the hash of the entry" in feedback.message, feedback.message


@pytest.mark.parametrize(
    ("question_id", "mistake", "message"), TRACE_MISTAKES, ids=[m[2][:30] for m in TRACE_MISTAKES]
)
def test_trace_model_common_mistakes_get_their_own_feedback_and_the_hint(
    trace_truth: dict[str, Any],
    question_id: str,
    mistake: Callable[[dict[str, Any]], Any],
    message: str,
) -> None:
    feedback = check(question_id, mistake(trace_truth))
    assert feedback.status is Status.INCORRECT
    assert message in feedback.message, feedback.message
    assert feedback.hint == hint(question_id)


@pytest.mark.parametrize("question_id", TRACE_IDS)
def test_trace_model_unanswered_questions_say_so_with_the_hint(question_id: str) -> None:
    feedback = check(question_id, None)
    assert feedback.status is Status.UNANSWERED
    assert feedback.hint == hint(question_id)


def test_trace_model_wrong_types_say_what_was_expected(trace_ws: Any) -> None:
    assert "got a list of 1 item" in check("trace_model.q1", ["x"]).message
    assert "Write it without quotes" in check("trace_model.q5", "False").message
    assert "Give its `.ok`" in check("trace_model.q5", trace_ws.audit.verify()).message
    assert "`.first_bad_seq`" in check("trace_model.q6", trace_ws.audit.verify()).message
    assert "Remove the quotes" in check("trace_model.q4", "6").message
    with pytest.raises(DataValidationError, match="need the exercise's TraceWorkspace"):
        check("trace_model.q1", "run", data=pd.DataFrame())


def test_trace_model_checks_follow_the_data_given(trace_ws: Any, tmp_path: Path) -> None:
    """In a copy whose edited entry is put back, the log verifies and the answers change."""
    import shutil

    from mlops_kit.course import edit_entry
    from mlops_kit.exercises._trace_model import TraceWorkspace

    copy = TraceWorkspace(Path(shutil.copytree(trace_ws.path, tmp_path / "copy")))
    bad = copy.audit.verify().first_bad_seq
    assert bad is not None
    edit_entry(copy.audit, bad, decision="refuse")
    truth = _trace_truth(copy.path)
    assert truth["verifies"]
    assert check("trace_model.q5", True, data=copy).correct
    assert not check("trace_model.q5", True).correct
    assert check("trace_model.q6", 0, data=copy).correct
    assert (
        check("trace_model.q6", bad, data=copy).message
        == "The log verifies, so no entry is at fault: answer 0."
    )


TRACE_NOTEBOOKS = [
    EXERCISES / "03_trace_model.ipynb",
    EXERCISES / "solutions" / "03_trace_model.ipynb",
]


@pytest.mark.parametrize("path", TRACE_NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_trace_model_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "trace_model", 6)


# --- Exercise 2 (search_space): a search space as config, the metric, a study's record -------

SPACE_IDS = [f"search_space.q{i}" for i in range(1, 7)]
GOOD_SPACE: dict[str, Any] = {
    "min_samples_leaf": {"type": "int", "low": 1, "high": 50, "log": True},
    "max_features": {"type": "float", "low": 0.2, "high": 1.0},
}


@pytest.fixture(scope="module")
def study() -> pd.DataFrame:
    return load_exercise_data("search_space")


@pytest.fixture(scope="module")
def study_truth(study: pd.DataFrame) -> dict[str, Any]:
    """Every expected answer and common mistake, computed here with pandas."""
    complete = study[study["state"] == "COMPLETE"].sort_values("value")
    pruned = study[study["state"] == "PRUNED"]
    folds = int(complete["folds_done"].iloc[0])
    return {
        "best": int(complete["number"].iloc[-1]),
        "best_value": float(complete["value"].iloc[-1]),
        "worst": int(complete["number"].iloc[0]),
        "top_any": int(study.sort_values("value")["number"].iloc[-1]),
        "last": int(study["number"].iloc[-1]),
        "n_pruned": len(pruned),
        "n_complete": len(complete),
        "n": len(study),
        "folds": folds,
        "saved": int(sum(folds - k for k in pruned["folds_done"])),
        "pruned_done": int(pruned["folds_done"].sum()),
        "all_done": int(study["folds_done"].sum()),
    }


def test_search_space_study_is_the_record_the_exercise_describes(
    study: pd.DataFrame, study_truth: dict[str, Any]
) -> None:
    from mlops_kit.tune import DEFAULT_SEARCH_SPACES

    assert len(study) == 20
    assert set(study["state"]) == {"COMPLETE", "PRUNED"}
    assert study_truth["folds"] == 5
    assert (study.loc[study["state"] == "PRUNED", "folds_done"] < 5).all()
    params = {c.removeprefix("params_") for c in study.columns if c.startswith("params_")}
    assert params == set(DEFAULT_SEARCH_SPACES[("classification", "hgb")])
    # The trap question 3 warns about is live: a pruned trial tops the table.
    assert study_truth["top_any"] != study_truth["best"]
    # Each call gives a fresh copy of the same table.
    study.loc[0, "value"] = -1.0
    fresh = load_exercise_data("search_space")
    assert fresh.loc[0, "value"] != -1.0
    pd.testing.assert_frame_equal(fresh.drop(index=0), study.drop(index=0))


def test_search_space_right_answers_are_accepted(study_truth: dict[str, Any]) -> None:
    from mlops_kit.config import SearchDimension

    t = study_truth
    answers: list[tuple[str, Any]] = [
        ("search_space.q1", GOOD_SPACE),
        ("search_space.q1", {k: SearchDimension(**v) for k, v in GOOD_SPACE.items()}),
        (
            "search_space.q1",
            {**GOOD_SPACE, "n_estimators": {"type": "int", "low": 50, "high": 300}},
        ),
        (
            "search_space.q1",
            {
                "min_samples_leaf": {"type": "int", "low": 2, "high": 8},
                "max_features": {"type": "categorical", "choices": ["sqrt", "log2", None]},
            },
        ),
        ("search_space.q2", "average_precision"),
        ("search_space.q2", "PR AUC"),
        ("search_space.q3", t["best"]),
        ("search_space.q3", np.int64(t["best"])),
        ("search_space.q4", float(t["n_pruned"])),
        ("search_space.q5", t["saved"]),
        ("search_space.q6", "Journal file"),
        ("search_space.q6", "journal:///srv/tuning/study.log"),
    ]
    for question_id, answer in answers:
        feedback = check(question_id, answer)
        assert feedback.correct, (question_id, str(feedback))
        assert feedback.hint is None
    assert f"trial {t['best']} has the best" in check("search_space.q3", t["best"]).message
    saved = check("search_space.q5", t["saved"]).message
    assert f"fitted {t['all_done']} models instead of {t['n'] * t['folds']}" in saved


SPACE_MISTAKES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    (
        "search_space.q1",
        lambda t: {**GOOD_SPACE, "min_samples_leaf": {"type": "int", "low": 1, "high": 100}},
        "only 9% of the trials would try values below 10",
    ),
    (
        "search_space.q1",
        lambda t: {**GOOD_SPACE, "min_samples_leaf": {"type": "float", "low": 0.01, "high": 0.1}},
        "a share of the rows instead",
    ),
    (
        "search_space.q1",
        lambda t: {**GOOD_SPACE, "max_features": {"type": "int", "low": 2, "high": 10}},
        "counts features (12 in this data)",
    ),
    (
        "search_space.q1",
        lambda t: {**GOOD_SPACE, "max_features": {"type": "float", "low": 0.2, "high": 2.0}},
        "The 'max_features' parameter of RandomForestClassifier must be",
    ),
    (
        "search_space.q1",
        lambda t: {**GOOD_SPACE, "min_samples_leaf": {"type": "int", "low": 0, "high": 50}},
        "min_samples_leaf=0 is not allowed by RandomForestClassifier",
    ),
    (
        "search_space.q1",
        lambda t: {**GOOD_SPACE, "max_features": {"type": "categorical", "choices": ["auto"]}},
        "max_features='auto' is not allowed",
    ),
    (
        "search_space.q1",
        lambda t: {"min_samples_leaf": {"type": "int", "min": 1, "max": 50}},
        "Use 'low' for the lowest value, not 'min'",
    ),
    (
        "search_space.q1",
        lambda t: {"min_samples_leaf": {"low": 1, "high": 50}},
        "give it a 'type'",
    ),
    (
        "search_space.q1",
        lambda t: {"min_samples_leaf": {"type": "int", "low": 50, "high": 1}},
        "needs low < high",
    ),
    (
        "search_space.q1",
        lambda t: {"model__max_depth": {"type": "int", "low": 2, "high": 10}},
        "without the pipeline's 'model__' prefix",
    ),
    (
        "search_space.q1",
        lambda t: {"learning_rate": {"type": "float", "low": 0.01, "high": 0.3, "log": True}},
        "learning_rate is a parameter of gradient boosting (hgb), not of the random forest",
    ),
    (
        "search_space.q1",
        lambda t: {"max_dept": {"type": "int", "low": 2, "high": 10}},
        "Did you mean 'max_depth'?",
    ),
    (
        "search_space.q1",
        lambda t: {"max_features": GOOD_SPACE["max_features"]},
        "Include min_samples_leaf as well",
    ),
    ("search_space.q1", lambda t: {}, "The dict is empty"),
    ("search_space.q2", lambda t: "roc_auc", "weighs the order of the whole list equally"),
    ("search_space.q2", lambda t: "auc", "weighs the order of the whole list equally"),
    ("search_space.q2", lambda t: "accuracy", "a model that flags nobody is"),
    ("search_space.q2", lambda t: "f1", "F1 needs a threshold"),
    ("search_space.q2", lambda t: "log loss", "well-calibrated probabilities"),
    ("search_space.q2", lambda t: "recall", "is not one of the options"),
    ("search_space.q3", lambda t: t["top_any"], "was pruned"),
    ("search_space.q3", lambda t: t["worst"], "the lowest average precision"),
    ("search_space.q3", lambda t: t["last"], "That is the last trial"),
    ("search_space.q3", lambda t: t["best_value"], "the best score itself"),
    ("search_space.q4", lambda t: t["n_complete"], "number of complete trials"),
    ("search_space.q4", lambda t: t["n"], "every trial in the study"),
    ("search_space.q4", lambda t: t["n_pruned"] / t["n"], "the share of trials pruned"),
    ("search_space.q5", lambda t: t["n_pruned"], "counts pruned trials, not model fits"),
    ("search_space.q5", lambda t: t["pruned_done"], "the pruned trials did run"),
    ("search_space.q5", lambda t: t["n_pruned"] * t["folds"], "fitted nothing"),
    ("search_space.q5", lambda t: t["all_done"], "every fit the study ran"),
    ("search_space.q6", lambda t: "sqlite", "database is locked"),
    ("search_space.q6", lambda t: "sqlite:///study.db", "database is locked"),
    ("search_space.q6", lambda t: "in memory", "lives inside one process"),
    ("search_space.q6", lambda t: "postgres", "several machines share a study"),
    ("search_space.q6", lambda t: "mysql://optuna@db/tuning", "several machines share a study"),
]


@pytest.mark.parametrize(
    ("question_id", "answer_of", "phrase"),
    SPACE_MISTAKES,
    ids=[f"{q}-{p[:24]}" for q, _, p in SPACE_MISTAKES],
)
def test_search_space_common_mistakes_get_their_own_feedback_and_the_hint(
    study_truth: dict[str, Any],
    question_id: str,
    answer_of: Callable[[dict[str, Any]], Any],
    phrase: str,
) -> None:
    feedback = check(question_id, answer_of(study_truth))
    assert feedback.status is Status.INCORRECT, str(feedback)
    assert phrase in feedback.message
    assert feedback.hint == hint(question_id)


def test_search_space_checks_compute_from_the_trials_given() -> None:
    trials = pd.DataFrame(
        {
            "number": [0, 1, 2, 3, 4, 5],
            "value": [0.30, 0.45, 0.32, 0.29, 0.36, 0.20],
            "state": ["COMPLETE", "PRUNED", "COMPLETE", "PRUNED", "COMPLETE", "PRUNED"],
            "folds_done": [3, 1, 3, 2, 3, 1],
        }
    )
    assert check("search_space.q3", 4, data=trials).correct
    assert "was pruned" in check("search_space.q3", 1, data=trials).message
    assert check("search_space.q4", 3, data=trials).correct
    assert check("search_space.q5", 2 + 1 + 2, data=trials).correct
    assert "fitted nothing" in check("search_space.q5", 9, data=trials).message
    with pytest.raises(DataValidationError, match="'folds_done'"):
        check("search_space.q4", 3, data=trials.drop(columns="folds_done"))


@pytest.mark.parametrize("placeholder", [None, ..., ""])
@pytest.mark.parametrize("question_id", SPACE_IDS)
def test_search_space_empty_answers_are_unanswered_with_the_hint(
    question_id: str, placeholder: Any
) -> None:
    feedback = check(question_id, placeholder)
    assert feedback.status is Status.UNANSWERED
    assert feedback.hint == hint(question_id)
    assert "Not answered yet" in str(feedback)


@pytest.mark.parametrize(
    ("question_id", "answer", "phrase"),
    [
        ("search_space.q1", [("min_samples_leaf", 1, 50)], "Expected a dict of hyperparameter"),
        ("search_space.q1", {"max_features": 0.5}, "Expected each entry to be a dict"),
        ("search_space.q1", {3: {"type": "int", "low": 1, "high": 5}}, "names as strings"),
        ("search_space.q2", 3, "as a string"),
        ("search_space.q3", "14", "Remove the quotes"),
        ("search_space.q5", pd.DataFrame({"a": [1, 2]}), "got a DataFrame (2 rows, 1 column)"),
        ("search_space.q6", ["journal"], "as a string"),
    ],
)
def test_search_space_wrong_types_say_what_was_expected(
    question_id: str, answer: Any, phrase: str
) -> None:
    feedback = check(question_id, answer)
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message


SPACE_NOTEBOOKS = [
    EXERCISES / "02_search_space.ipynb",
    EXERCISES / "solutions" / "02_search_space.ipynb",
]


@pytest.mark.parametrize("path", SPACE_NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_search_space_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "search_space", 6)


# -- exercise 4: sample_size ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ab_truth() -> dict[str, Any]:
    """The right answers of exercise 4, computed here with statsmodels and pandas."""
    from statsmodels.stats.contingency_tables import mcnemar
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest

    table = load_exercise_data("sample_size")
    power = NormalIndPower()
    h = proportion_effectsize(0.35, 0.27)
    per_arm = int(np.ceil(power.solve_power(h, alpha=0.05, power=0.8, ratio=1) - 1e-9))
    one_sided = int(
        np.ceil(power.solve_power(h, alpha=0.05, power=0.8, ratio=1, alternative="larger") - 1e-9)
    )
    relative = int(
        np.ceil(
            power.solve_power(
                abs(proportion_effectsize(0.27 * 1.08, 0.27)), alpha=0.05, power=0.8, ratio=1
            )
            - 1e-9
        )
    )
    real = table[table["y_true"] == 1]
    pairs = pd.crosstab(real["champion_pred"], real["challenger_pred"])
    july = real[real["month"] == "2024-07"]
    final = real.groupby("arm")["y_pred"].agg(["sum", "count"])
    _, p_final = proportions_ztest(final["sum"].to_numpy(), final["count"].to_numpy())
    return {
        "table": table,
        "per_arm": per_arm,
        "one_sided": one_sided,
        "relative": relative,
        "mcnemar": float(mcnemar(pairs, exact=False).statistic),
        "mcnemar_plain": float(mcnemar(pairs, exact=False, correction=False).statistic),
        "july_min_arm": int(july["arm"].value_counts().min()),
        "final_min_arm": int(final["count"].min()),
        "p_final": float(p_final),
        "challenger_higher": bool(
            final.loc["challenger", "sum"] / final.loc["challenger", "count"]
            > final.loc["champion", "sum"] / final.loc["champion", "count"]
        ),
    }


def test_sample_size_right_answers_are_accepted(ab_truth: dict[str, Any]) -> None:
    from mlops_kit.abtest import sample_size

    assert check("sample_size.q1", ab_truth["per_arm"]).correct
    assert check("sample_size.q1", np.int64(ab_truth["per_arm"])).correct
    wald = sample_size(0.27, 0.08, method="wald").n_champion
    assert check("sample_size.q1", wald).correct  # the classic formula is accepted too
    for spelling in ("mcnemar", "McNemar", "McNemar's test"):
        assert check("sample_size.q2", spelling).correct
    assert check("sample_size.q3", ab_truth["mcnemar"]).correct
    assert check("sample_size.q3", round(ab_truth["mcnemar"], 3)).correct
    # After a month each arm is far short of the plan, so the rule says keep collecting.
    assert ab_truth["july_min_arm"] < ab_truth["per_arm"] <= ab_truth["final_min_arm"]
    assert check("sample_size.q4", "keep_collecting").correct
    assert check("sample_size.q4", "keep collecting").correct
    # With the planned sample in and p above 0.05, the rule keeps the champion.
    assert ab_truth["p_final"] > 0.05
    assert ab_truth["challenger_higher"]
    assert check("sample_size.q5", "keep_champion").correct
    assert check("sample_size.q5", "keep the champion").correct


def test_sample_size_common_mistakes_get_their_own_feedback(ab_truth: dict[str, Any]) -> None:
    def says(question: str, answer: Any, phrase: str) -> None:
        feedback = check(f"sample_size.{question}", answer)
        assert feedback.status is Status.INCORRECT, (answer, feedback.message)
        assert phrase in feedback.message, feedback.message

    n = ab_truth["per_arm"]
    says("q1", 2 * n, "total for both arms")
    says("q1", ab_truth["one_sided"], "one-sided test")
    says("q1", 2 * ab_truth["one_sided"], "total for a one-sided test")
    says("q1", ab_truth["relative"], "relative change")
    says("q1", n - 3, "Round the formula's result up")
    says("q2", "z-test", "independent samples")
    says("q2", "chi_square", "independent samples")
    says("q2", "bootstrap", "ROC AUC")
    says("q2", "anova", "is not one of the options")
    says("q3", ab_truth["mcnemar_plain"], "without the continuity correction")
    says("q3", 100.0, "is not the McNemar statistic yet")
    says("q4", "promote", "multiplies false alarms")
    says("q4", "keep_champion", "keep collecting until the planned sample is in")
    says("q4", "stop", "broken guardrail")
    says("q5", "promote", "A higher value is not enough")
    says("q5", "keep_collecting", "decide now")
    assert check("sample_size.q1", 2 * n).hint == hint("sample_size.q1")


@pytest.mark.parametrize("question_id", [f"sample_size.q{i}" for i in range(1, 6)])
def test_sample_size_unanswered_questions_say_so_with_the_hint(question_id: str) -> None:
    feedback = check(question_id, None)
    assert feedback.status is Status.UNANSWERED
    assert feedback.hint == hint(question_id)
    assert "Not answered yet" in str(feedback)


@pytest.mark.parametrize(
    ("question_id", "answer", "phrase"),
    [
        ("sample_size.q1", "523", "Remove the quotes"),
        ("sample_size.q1", [523], "got a list"),
        ("sample_size.q2", 3, "as a string"),
        ("sample_size.q3", pd.Series([1.0, 2.0]), "got a"),
    ],
)
def test_sample_size_wrong_types_say_what_was_expected(
    question_id: str, answer: Any, phrase: str
) -> None:
    feedback = check(question_id, answer)
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message


def test_sample_size_checks_follow_the_data_given(ab_truth: dict[str, Any]) -> None:
    """On a table where the challenger is clearly better, the verdict changes with it."""
    table = ab_truth["table"].copy()
    real = (table["y_true"] == 1) & (table["arm"] == "challenger")
    table.loc[real, "y_pred"] = 1  # the challenger now catches every real error
    assert check("sample_size.q5", "promote", data=table).correct
    assert not check("sample_size.q5", "keep_champion", data=table).correct
    with pytest.raises(DataValidationError, match="column 'arm'"):
        check("sample_size.q5", "promote", data=table.drop(columns="arm"))


SAMPLE_SIZE_NOTEBOOKS = [
    EXERCISES / "04_sample_size.ipynb",
    EXERCISES / "solutions" / "04_sample_size.ipynb",
]


@pytest.mark.parametrize("path", SAMPLE_SIZE_NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_sample_size_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "sample_size", 5)


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_exercises_workshop_path.py).
    ["experienced"],
)
def test_sample_size_learner_notebook_runs_unanswered(tmp_path: Path, track: str) -> None:
    from mlops_kit.course import AB_GLOSSARY

    nb = execute_exercise(EXERCISES / "04_sample_size.ipynb", tmp_path, track=track)
    text = outputs_text(nb)
    assert text.count("Not answered yet") >= 5
    assert hint("sample_size.q1")[:40] in text
    assert "0 of 5 questions correct" in text
    assert (AB_GLOSSARY["power"][:40] in text) == (track == "novice")
    assert_track_material(text, track)


# -- exercise 5: drift_thresholds -----------------------------------------------------------


@pytest.fixture(scope="module")
def drift_truth() -> dict[str, Any]:
    """The answers, computed with drift_report directly on the claims (not the checkers)."""
    from mlops_kit.monitor import drift_report

    claims = load_exercise_data("drift_thresholds")
    features = [c for c in claims.columns if c not in ("claim_id", "month", "flagged")]
    reference = claims.loc[claims["month"].between("2023-01", "2023-06"), features]

    def drifted(month: str, **settings: Any) -> tuple[str, ...]:
        current = claims.loc[claims["month"] == month, features]
        return drift_report(reference, current, settings=settings).drifted

    stable = [f"2023-{m:02d}" for m in range(7, 13)]
    no_floor = {"correction": "none", "js_threshold": 1e-9, "psi_threshold": 1e-9}
    p_only = {m: drifted(m, **no_floor, ks_threshold=1e-9) for m in stable}
    months = sorted(claims["month"].unique())
    first = next(m for m in months if m > "2023-06" and drifted(m))
    return {
        "claims": claims,
        "drifted": drifted,
        "stable": stable,
        "false_alarms": sum(len(d) for d in p_only.values()),
        "months_with_alarm": sum(bool(d) for d in p_only.values()),
        "first_month": first,
        "first_feature": drifted(first)[0],
        "n_features": len(features),
    }


def test_drift_thresholds_right_answers_are_accepted(drift_truth: dict[str, Any]) -> None:
    drifted = drift_truth["drifted"]
    # Q1: any floor quiet in 2023 that catches the channel by 2024-03, checked independently.
    for floor in (0.05, 0.1, 0.15):
        quiet = not any(
            drifted(m, correction="none", js_threshold=floor) for m in drift_truth["stable"]
        )
        caught = any(
            "channel" in drifted(m, correction="none", js_threshold=floor)
            for m in ("2024-01", "2024-02", "2024-03")
        )
        assert quiet
        assert caught
        assert check("drift_thresholds.q1", floor).correct
    assert check("drift_thresholds.q1", np.float64(0.1)).correct
    assert check("drift_thresholds.q2", drift_truth["false_alarms"]).correct
    assert drift_truth["false_alarms"] > 0  # the p-value alone does raise false alarms
    assert check("drift_thresholds.q3", drift_truth["first_feature"]).correct
    assert check("drift_thresholds.q3", drift_truth["first_feature"].upper()).correct
    assert check("drift_thresholds.q4", "wait").correct
    assert check("drift_thresholds.q4", "too small to judge").correct


def test_drift_thresholds_common_mistakes_get_their_own_feedback(
    drift_truth: dict[str, Any],
) -> None:
    low = check("drift_thresholds.q1", 0.02)
    assert not low.correct
    assert "false alarm(s)" in low.message
    assert "2023-08" in low.message
    assert "Raise the floor" in low.message
    high = check("drift_thresholds.q1", 0.3)
    assert not high.correct
    assert "caught only in 2024-05" in high.message
    assert "Lower the floor" in high.message
    assert "at most 1" in check("drift_thresholds.q1", 1.5).message
    assert "Benjamini-Hochberg correction left on" in check("drift_thresholds.q2", 0).message
    chance = drift_truth["n_features"] * 6 * 0.05
    assert "what chance predicts" in check("drift_thresholds.q2", chance).message
    months = drift_truth["months_with_alarm"]
    if months != drift_truth["false_alarms"]:
        assert "counts months" in check("drift_thresholds.q2", months).message
    later = check("drift_thresholds.q3", "days_to_submit")
    assert not later.correct
    assert "but later: first in 2024-05" in later.message
    assert "never drifts" in check("drift_thresholds.q3", "sex").message
    stable = check("drift_thresholds.q4", "stable")
    assert not stable.correct
    assert "not the same as stable" in stable.message
    assert "150 rows, and each batch needs 200" in stable.message
    assert "nothing should be retrained" in check("drift_thresholds.q4", "retrain").message
    assert check("drift_thresholds.q1", 0.02).hint == hint("drift_thresholds.q1")


@pytest.mark.parametrize("question_id", [f"drift_thresholds.q{i}" for i in range(1, 5)])
def test_drift_thresholds_unanswered_questions_say_so_with_the_hint(question_id: str) -> None:
    feedback = check(question_id, None)
    assert feedback.status is Status.UNANSWERED
    assert feedback.hint == hint(question_id)
    assert "Not answered yet" in str(feedback)


@pytest.mark.parametrize(
    ("question_id", "answer", "phrase"),
    [
        ("drift_thresholds.q1", "0.1", "Remove the quotes"),
        ("drift_thresholds.q2", [4], "got a list"),
        ("drift_thresholds.q3", 3, "as a string"),
        ("drift_thresholds.q4", "later", "is not one of the options"),
    ],
)
def test_drift_thresholds_wrong_types_say_what_was_expected(
    question_id: str, answer: Any, phrase: str
) -> None:
    feedback = check(question_id, answer)
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message


def test_drift_thresholds_checks_follow_the_data_given(drift_truth: dict[str, Any]) -> None:
    """Without the change (2024 replaced by copies of 2023), no floor can catch it."""
    claims = drift_truth["claims"]
    calm = claims[claims["month"] < "2024-01"]
    again = calm.assign(month=calm["month"].str.replace("2023", "2024"))
    import pandas as pd

    no_change = pd.concat([calm, again], ignore_index=True)
    feedback = check("drift_thresholds.q1", 0.1, data=no_change)
    assert not feedback.correct
    assert "caught never" in feedback.message
    with pytest.raises(DataValidationError, match="column 'month'"):
        check("drift_thresholds.q1", 0.1, data=claims.drop(columns="month"))


DRIFT_THRESHOLDS_NOTEBOOKS = [
    EXERCISES / "05_drift_thresholds.ipynb",
    EXERCISES / "solutions" / "05_drift_thresholds.ipynb",
]


@pytest.mark.parametrize(
    "path", DRIFT_THRESHOLDS_NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name
)
def test_drift_thresholds_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "drift_thresholds", 4)


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_exercises_workshop_path.py).
    ["experienced"],
)
def test_drift_thresholds_learner_notebook_runs_unanswered(tmp_path: Path, track: str) -> None:
    nb = execute_exercise(EXERCISES / "05_drift_thresholds.ipynb", tmp_path, track=track)
    text = outputs_text(nb)
    assert text.count("Not answered yet") >= 4
    assert hint("drift_thresholds.q1")[:40] in text
    assert "0 of 4 questions correct" in text
    assert ("The terms you will need" in text) == (track == "novice")
    assert_track_material(text, track)
