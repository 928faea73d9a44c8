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
    Status,
    _checks,
    _feedback,
    check,
    hint,
    list_exercises,
    load_exercise_data,
    questions,
    register_exercise,
)
from mlops_kit.exercises import _framework as framework
from mlops_kit.metrics import METRIC_GLOSSARY

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
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code[0]["metadata"].get("tags") == ["parameters"]
    assert 'track = "novice"' in "".join(code[0]["source"])
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    text = "".join("".join(c["source"]) for c in nb["cells"])
    for forbidden in ("!pip", "%pip", "/work/", "/home/", "/root/", "C:\\"):
        assert forbidden not in text
    for i in range(1, 7):
        assert f'check("choose_metrics.q{i}", answer_q{i})' in text


def _execute(path: Path, tmp_path: Path, **parameters: Any) -> dict[str, Any]:
    from mlops_kit.pipeline import execute_notebook

    out = tmp_path / path.name
    execute_notebook(path, out, parameters=parameters, cwd=path.parent)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    for cell in result["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output.get("evalue")
            if output.get("name") == "stderr":
                assert "Warning" not in "".join(output["text"]), output["text"]
    return result


def _outputs_text(nb: dict[str, Any]) -> str:
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


@pytest.mark.notebook
@pytest.mark.parametrize("track", ["novice", "experienced"])
def test_learner_notebook_runs_unanswered_and_shows_hints(tmp_path: Path, track: str) -> None:
    nb = _execute(EXERCISES / "01_choose_metrics.ipynb", tmp_path, track=track)
    text = _outputs_text(nb)
    assert text.count("Not answered yet") >= 6
    assert hint("choose_metrics.q1")[:40] in text
    assert "0 of 6 questions correct" in text
    glossary = METRIC_GLOSSARY["precision"][:40]
    if track == "novice":
        assert glossary in text
    else:
        assert glossary not in text
        assert "Experienced track" in text


@pytest.mark.notebook
def test_solution_notebook_passes_every_check(tmp_path: Path) -> None:
    nb = _execute(EXERCISES / "solutions" / "01_choose_metrics.ipynb", tmp_path)
    text = _outputs_text(nb)
    assert "6 of 6 questions correct" in text
    assert "Not yet" not in text
    assert "Not answered yet" not in text
