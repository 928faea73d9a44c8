"""Widgets driven as a learner would, without a browser: set values, click, read the text.

Numbers are checked against scikit-learn and pandas computed independently here;
widgets are found by the CSS classes that the browser tests select on.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score

from mlops_kit.course import QuizItem, grade_matching
from mlops_kit.course._polls import POLL_COLUMNS
from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.widgets import (
    METRIC_OPTIONS,
    METRIC_SCENARIOS,
    MatchingQuiz,
    PollWidget,
    ThresholdExplorer,
    load_poll_answers,
    poll_chart,
    save_poll_answer,
)
from mlops_kit.widgets._threshold_summary import threshold_summary


def find(widget: Any, css_class: str) -> list[Any]:
    """Every widget under ``widget`` (itself included) carrying ``css_class``."""
    found = [widget] if css_class in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css_class)
    return found


def only(widget: Any, css_class: str) -> Any:
    matches = find(widget, css_class)
    assert len(matches) == 1, f"expected one widget with class {css_class}, got {len(matches)}"
    return matches[0]


def text_of(markup: str) -> str:
    """What a screen reader would read from an HTML widget's value."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# --------------------------------------------------------------------------- threshold


@pytest.fixture
def scored(rng: np.random.Generator) -> pd.DataFrame:
    """400 cases in three groups with informative, overlapping scores."""
    n = 400
    group = rng.choice(["north", "south", "west"], n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(group == "west", 0.35, 0.2)).astype(int)
    score = np.clip(0.25 + 0.35 * y + rng.normal(0, 0.18, n), 0.001, 0.999)
    return pd.DataFrame({"y_true": y, "y_score": score, "group": group})


def expected_at(frame: pd.DataFrame, threshold: float, group_col: str) -> dict[str, Any]:
    """The metrics at ``threshold``, computed independently with scikit-learn and pandas."""
    y, pred = frame["y_true"].to_numpy(), (frame["y_score"] >= threshold).astype(int).to_numpy()
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    rates = (frame["y_score"] >= threshold).groupby(frame[group_col].astype(str)).mean()
    return {
        "precision": precision_score(y, pred, zero_division=0),
        "recall": recall_score(y, pred, zero_division=0),
        "f1": f1_score(y, pred, zero_division=0),
        "flag_rate": pred.mean(),
        "counts": (int(tp), int(fp), int(fn), int(tn)),
        "group_flag_rates": rates.to_dict(),
    }


@pytest.mark.parametrize("threshold", [0.2, 0.37, 0.5, 0.8])
def test_threshold_summary_matches_scikit_learn(scored: pd.DataFrame, threshold: float) -> None:
    s = threshold_summary(scored["y_true"], scored["y_score"], threshold, groups=scored["group"])
    want = expected_at(scored, threshold, "group")
    assert s.threshold == threshold
    assert s.precision == pytest.approx(want["precision"])
    assert s.recall == pytest.approx(want["recall"])
    assert s.f1 == pytest.approx(want["f1"])
    assert s.flag_rate == pytest.approx(want["flag_rate"])
    assert (s.tp, s.fp, s.fn, s.tn) == want["counts"]
    assert s.group_flag_rates == pytest.approx(want["group_flag_rates"])
    frame = s.to_frame()["value"]
    assert frame["recall"] == pytest.approx(want["recall"])
    assert frame["selection rate: west"] == pytest.approx(want["group_flag_rates"]["west"])


def test_explorer_on_claims_matches_scikit_learn(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    explorer = ThresholdExplorer(
        p["y_true"], p["y_score"], groups=p["ethnic_group"], positive_is="adverse"
    )
    explorer.slider.value = 0.3

    want = expected_at(p, 0.3, "ethnic_group")
    r = explorer.result
    assert explorer.value == 0.3
    assert r.threshold == 0.3
    assert r.precision == pytest.approx(want["precision"])
    assert r.recall == pytest.approx(want["recall"])
    assert r.f1 == pytest.approx(want["f1"])
    assert (r.tp, r.fp, r.fn, r.tn) == want["counts"]
    assert r.group_flag_rates == pytest.approx(want["group_flag_rates"])

    shown = text_of(only(explorer, "mlops-threshold-table").value)
    for group, rate in want["group_flag_rates"].items():
        assert f"flag rate: {group} {rate:.1%}" in shown
    assert f"share flagged {want['flag_rate']:.1%}" in shown
    assert f"precision {want['precision']:.3f}" in shown
    assert (
        f"At 0.30 the model flags {want['flag_rate']:.1%} of cases; it catches "
        f"{want['recall']:.0%} of the truly positive cases and {want['precision']:.0%} "
        "of its flags are right."
    ) in shown
    assert only(explorer, "mlops-threshold-echo").value == (
        f"threshold 0.30: recall {want['recall']:.3f}, precision {want['precision']:.3f}"
    )


def test_explorer_text_and_echo_follow_the_slider(scored: pd.DataFrame) -> None:
    explorer = ThresholdExplorer(scored["y_true"], scored["y_score"], value=0.4)
    table, echo = only(explorer, "mlops-threshold-table"), only(explorer, "mlops-threshold-echo")
    before_table, before_echo = table.value, echo.value
    assert echo.value.startswith("threshold 0.40: ")
    assert "Metrics at threshold 0.40" in text_of(table.value)

    explorer.slider.value = 0.65
    want = expected_at(scored, 0.65, "group")
    assert table.value != before_table
    assert echo.value != before_echo
    assert echo.value == (
        f"threshold 0.65: recall {want['recall']:.3f}, precision {want['precision']:.3f}"
    )
    assert "At 0.65 the model selects" in text_of(table.value)
    assert explorer.result.recall == pytest.approx(want["recall"])
    # No groups given: the table has no group rows.
    assert "selection rate:" not in text_of(table.value)

    # A value with floating-point noise from the front end is read as the step it means.
    explorer.slider.value = 0.1 + 0.2
    assert explorer.result.threshold == 0.3
    assert echo.value.startswith("threshold 0.30: ")


def test_explorer_is_labelled_and_keyboard_ready(scored: pd.DataFrame) -> None:
    explorer = ThresholdExplorer(scored["y_true"], scored["y_score"], value=0.3)
    slider = explorer.slider
    assert only(explorer, "mlops-threshold-slider") is slider
    assert find(explorer, "mlops-threshold-explorer") == [explorer]
    assert slider.description == "Threshold"
    assert (slider.min, slider.max, slider.step) == (0.01, 0.99, 0.01)
    assert slider.continuous_update is False
    assert slider.style.description_width == "initial"
    with pytest.raises(AttributeError):
        explorer.value = 0.4  # type: ignore[misc]


def test_explorer_words_follow_the_outcome_direction(scored: pd.DataFrame) -> None:
    args = (scored["y_true"], scored["y_score"])
    adverse = ThresholdExplorer(*args, groups=scored["group"], positive_is="adverse")
    favourable = ThresholdExplorer(*args, groups=scored["group"], positive_is="favourable")
    adverse_text = text_of(only(adverse, "mlops-threshold-table").value)
    favourable_text = text_of(only(favourable, "mlops-threshold-table").value)
    assert "flag rate: north" in adverse_text
    assert "share flagged" in adverse_text
    assert "selection rate" not in adverse_text
    assert "selection rate: north" in favourable_text
    assert "share selected" in favourable_text
    assert "flag rate" not in favourable_text


def test_reading_when_nothing_is_flagged() -> None:
    s = threshold_summary([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], 0.9, positive_is="adverse")
    assert (s.tp, s.fp, s.precision, s.recall) == (0, 0, 0.0, 0.0)
    assert s.reading() == (
        "At 0.90 the model flags no cases, so it catches none of the truly positive cases."
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"value": 1.5},
            ConfigError,
            "The 'value' parameter of ThresholdExplorer must be a float in (0, 1). "
            "Got 1.5 instead.",
        ),
        (
            {"value": 0},
            ConfigError,
            "The 'value' parameter of ThresholdExplorer must be a float in (0, 1). Got 0 instead.",
        ),
        (
            {"positive_is": "bad"},
            ConfigError,
            "The 'positive_is' parameter of ThresholdExplorer must be 'favourable' or "
            "'adverse'. Got 'bad' instead.",
        ),
        (
            {"y_score": [0.1, 0.9, 0.4]},
            DataValidationError,
            "The 'y_score' parameter of ThresholdExplorer must have one score per case of "
            "y_true (4). Got 3 instead.",
        ),
        (
            {"y_score": [0.1, 2.5, 0.4, 0.3]},
            DataValidationError,
            "The 'y_score' parameter of ThresholdExplorer must hold probabilities in [0, 1]. "
            "Got values from 0.1 to 2.5 instead.",
        ),
        (
            {"y_score": [0.1, np.nan, 0.4, 0.3]},
            DataValidationError,
            "The 'y_score' parameter of ThresholdExplorer must hold finite numbers. "
            "Got 1 missing or infinite value(s) instead.",
        ),
        (
            {"groups": ["a", "b"]},
            DataValidationError,
            "The 'groups' parameter of ThresholdExplorer must have one group per case of "
            "y_true (4). Got 2 instead.",
        ),
        (
            {"groups": ["a", None, "b", "b"]},
            DataValidationError,
            "The 'groups' parameter of ThresholdExplorer must give every case a group",
        ),
        ({"y_true": [0, 1, 2, 1]}, DataValidationError, "'y_true' must hold only 0 and 1"),
    ],
)
def test_explorer_rejects_bad_inputs(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    args: dict[str, Any] = {"y_true": [0, 1, 1, 0], "y_score": [0.2, 0.8, 0.4, 0.6], **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        ThresholdExplorer(args.pop("y_true"), args.pop("y_score"), **args)


def test_threshold_summary_rejects_threshold_outside_unit_interval() -> None:
    with pytest.raises(ConfigError, match=re.escape("must be a float in (0, 1). Got 1 instead")):
        threshold_summary([0, 1], [0.2, 0.8], 1)


# --------------------------------------------------------------------------- quiz

ITEMS = (
    QuizItem(
        "Few investigators, stressful interviews",
        "precision",
        "Precision counts how many flags are right.",
        feedback={"accuracy": "fraud is rare, so accuracy stays high regardless."},
    ),
    QuizItem("A missed surge is dangerous", "recall", "Recall counts the surges caught."),
    QuizItem("Forecast weekly admissions", "mean squared error", "A number needs an error."),
)


def test_grade_matching_marks_each_kind_of_answer() -> None:
    result = grade_matching(
        {
            "Few investigators, stressful interviews": "accuracy",
            "A missed surge is dangerous": "recall",
            "Forecast weekly admissions": None,
        },
        ITEMS,
    )
    assert (result.score, result.total, result.unanswered) == (1, 3, 1)
    assert [(m.given, m.correct, m.message) for m in result.items] == [
        ("accuracy", False, "Not quite: fraud is rare, so accuracy stays high regardless."),
        ("recall", True, "Correct. Recall counts the surges caught."),
        (None, False, "Not answered yet."),
    ]
    generic = grade_matching({"A missed surge is dangerous": "precision"}, ITEMS).items[1]
    assert generic.message == (
        "Not quite: precision is not the best fit here. Recall counts the surges caught."
    )
    assert result.summary() == "1 of 3 correct. 1 not answered yet."
    assert result.to_frame()["correct"].tolist() == [False, True, False]


def test_grade_matching_rejects_unknown_prompts() -> None:
    with pytest.raises(ConfigError, match=r"unknown prompt\(s\) \['Typo'\]"):
        grade_matching({"Typo": "recall"}, ITEMS)


def test_quiz_item_rejects_feedback_for_the_right_answer() -> None:
    with pytest.raises(ConfigError, match="only hold messages for wrong options"):
        QuizItem("p", "recall", "why", feedback={"recall": "this is right"})


def test_quiz_driven_by_dropdowns_and_button() -> None:
    quiz = MatchingQuiz(ITEMS, options=METRIC_OPTIONS, title="Metrics")
    assert quiz.result is None
    dropdowns = quiz.dropdowns
    assert find(quiz, "mlops-quiz-answer") == list(dropdowns)
    # Each dropdown starts on the placeholder and offers the options in the given order.
    assert dropdowns[0].value is None
    assert list(dropdowns[0].options) == [("Choose...", None), *[(o, o) for o in METRIC_OPTIONS]]
    # Labelled for screen readers: the prompt is written above a dropdown named "Answer n".
    prompts = [text_of(w.value) for w in find(quiz, "mlops-quiz-prompt")]
    assert prompts == [f"{i}. {item.prompt}" for i, item in enumerate(ITEMS, start=1)]
    assert [d.description for d in dropdowns] == ["Answer 1", "Answer 2", "Answer 3"]

    dropdowns[0].value = "accuracy"
    dropdowns[1].value = "recall"
    quiz.check_button.click()

    assert quiz.result is not None
    assert (quiz.result.score, quiz.result.total) == (1, 3)
    feedback = [text_of(w.value) for w in find(quiz, "mlops-quiz-feedback")]
    assert feedback[0] == "✗ Not quite: fraud is rare, so accuracy stays high regardless."
    assert feedback[1] == "✓ Correct. Recall counts the surges caught."
    assert feedback[2] == "Not answered yet."
    assert text_of(only(quiz, "mlops-quiz-score").value) == "1 of 3 correct. 1 not answered yet."

    # Changing an answer clears its now-stale feedback; checking again marks it afresh.
    dropdowns[0].value = "precision"
    assert find(quiz, "mlops-quiz-feedback")[0].value == ""
    dropdowns[2].value = "mean squared error"
    quiz.check_button.click()
    assert text_of(only(quiz, "mlops-quiz-score").value) == "3 of 3 correct."
    assert quiz.value == {item.prompt: item.answer for item in ITEMS}


def test_quiz_default_options_are_the_answers_and_tempting_mistakes() -> None:
    quiz = MatchingQuiz(ITEMS)
    labels = [label for label, _ in quiz.dropdowns[0].options]
    assert labels == ["Choose...", "accuracy", "mean squared error", "precision", "recall"]
    # The metrics quiz offers every metric, accuracy included, without being told.
    metric_quiz = MatchingQuiz(METRIC_SCENARIOS)
    offered = {value for _, value in metric_quiz.dropdowns[0].options} - {None}
    assert offered == set(METRIC_OPTIONS)


def test_quiz_options_must_include_every_answer() -> None:
    with pytest.raises(ConfigError, match=r"Got options without \['mean squared error'\]"):
        MatchingQuiz(ITEMS, options=["precision", "recall", "accuracy"])


def test_metric_scenarios_fit_the_metric_options() -> None:
    assert 5 <= len(METRIC_SCENARIOS) <= 6
    answers = [item.answer for item in METRIC_SCENARIOS]
    assert set(answers) <= set(METRIC_OPTIONS)
    assert len(set(answers)) == len(answers)  # each scenario teaches a different metric
    for item in METRIC_SCENARIOS:
        assert item.feedback, f"no specific feedback for {item.prompt!r}"
        assert set(item.feedback) <= set(METRIC_OPTIONS)
    # Accuracy on rare events is the most tempting mistake, and it gets its own answer.
    fraud = next(i for i in METRIC_SCENARIOS if i.answer == "precision")
    assert "rare" in fraud.feedback["accuracy"]


def test_metric_quiz_all_right_and_tempting_mistake() -> None:
    quiz = MatchingQuiz(METRIC_SCENARIOS, options=METRIC_OPTIONS)
    for dropdown, item in zip(quiz.dropdowns, METRIC_SCENARIOS, strict=True):
        dropdown.value = item.answer
    assert quiz.check().summary() == f"{len(METRIC_SCENARIOS)} of {len(METRIC_SCENARIOS)} correct."
    quiz.dropdowns[0].value = "accuracy"
    result = quiz.check()
    assert result.score == len(METRIC_SCENARIOS) - 1
    assert result.items[0].message == f"Not quite: {METRIC_SCENARIOS[0].feedback['accuracy']}"


# --------------------------------------------------------------------------- poll

OPTIONS = ["Stale model", "Untracked changes", "No fairness check"]


def json_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json")) if folder.exists() else []


def test_poll_submit_without_a_choice_writes_nothing(tmp_path: Path) -> None:
    poll = PollWidget("What went wrong?", OPTIONS, folder=tmp_path / "polls", poll_id="engage")
    assert poll.radio_buttons.value is None
    poll.submit_button.click()
    assert poll.result is None
    assert text_of(only(poll, "mlops-poll-status").value) == "Choose an answer first."
    assert not (tmp_path / "polls").exists()


def test_poll_submit_writes_one_valid_answer(tmp_path: Path) -> None:
    folder = tmp_path / "polls"
    poll = PollWidget("What went wrong?", OPTIONS, folder=folder, poll_id="engage")
    assert [w.description for w in (poll.radio_buttons, only(poll, "mlops-poll-name"))] == [
        "Your answer",
        "Your name (leave blank to stay anonymous)",
    ]
    poll.radio_buttons.value = "No fairness check"
    only(poll, "mlops-poll-comment").value = "  Nobody looked at the groups.  "
    poll.submit_button.click()

    files = json_files(folder)
    assert files == [poll.result]
    assert files[0].parent == folder / "engage"
    record = json.loads(files[0].read_text(encoding="utf-8"))
    submitted = datetime.fromisoformat(record.pop("submitted_at"))
    assert record == {
        "poll_id": "engage",
        "choice": "No fairness check",
        "comment": "Nobody looked at the groups.",
        "participant": "",
    }
    assert submitted.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - submitted) < timedelta(minutes=1)
    assert text_of(only(poll, "mlops-poll-status").value) == "✓ Thank you: your answer was saved."
    # A second press does not count the same person twice.
    assert poll.submit_button.disabled
    poll.submit_button.click()
    assert json_files(folder) == files


def test_poll_without_comment_box_saves_the_name(tmp_path: Path) -> None:
    poll = PollWidget("Q?", OPTIONS, folder=tmp_path, poll_id="q1", allow_comment=False)
    assert find(poll, "mlops-poll-comment") == []
    poll.radio_buttons.value = "Stale model"
    only(poll, "mlops-poll-name").value = "Priya"
    path = poll.submit()
    assert path is not None
    assert json.loads(path.read_text(encoding="utf-8"))["participant"] == "Priya"


def test_load_poll_answers_reads_several_and_skips_damaged_files(tmp_path: Path) -> None:
    for choice in ["Stale model", "Stale model", "No fairness check"]:
        save_poll_answer(tmp_path, poll_id="engage", choice=choice, comment="c")
    save_poll_answer(tmp_path, poll_id="other-poll", choice="Yes", participant="Sam")
    poll_dir = tmp_path / "engage"
    (poll_dir / "zz_half_copied.json").write_text('{"poll_id": "engage", "cho', encoding="utf-8")
    (poll_dir / "zz_list.json").write_text("[1, 2]", encoding="utf-8")
    (poll_dir / "zz_misfiled.json").write_text(
        json.dumps(
            {
                "poll_id": "other-poll",
                "choice": "Yes",
                "comment": "",
                "participant": "",
                "submitted_at": "2026-01-01T00:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    (poll_dir / ".x.json.tmp").write_text("{", encoding="utf-8")  # a write in progress

    answers = load_poll_answers(tmp_path, poll_id="engage")
    assert list(answers.columns) == list(POLL_COLUMNS)
    assert answers["choice"].value_counts().to_dict() == {"Stale model": 2, "No fairness check": 1}
    assert set(answers["poll_id"]) == {"engage"}
    assert answers.attrs["skipped"] == 3
    assert sorted(Path(f).name for f in answers.attrs["skipped_files"]) == [
        "zz_half_copied.json",
        "zz_list.json",
        "zz_misfiled.json",
    ]
    assert str(answers["submitted_at"].dt.tz) == "UTC"
    assert answers["submitted_at"].is_monotonic_increasing
    assert all(Path(f).is_file() for f in answers["file"])

    everything = load_poll_answers(tmp_path)
    assert everything.groupby("poll_id").size().to_dict() == {"engage": 3, "other-poll": 1}
    assert everything.loc[everything["poll_id"] == "other-poll", "participant"].item() == "Sam"


def test_load_poll_answers_from_a_missing_folder_is_empty(tmp_path: Path) -> None:
    answers = load_poll_answers(tmp_path / "nothing here", poll_id="engage")
    assert answers.empty
    assert list(answers.columns) == list(POLL_COLUMNS)
    assert answers.attrs["skipped"] == 0


def test_save_poll_answer_gives_every_answer_its_own_file(tmp_path: Path) -> None:
    paths = {save_poll_answer(tmp_path, poll_id="p_1", choice="A") for _ in range(5)}
    assert len(paths) == 5
    assert set(json_files(tmp_path)) == paths


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"poll_id": "my poll", "choice": "A"}, "The 'poll_id' parameter of save_poll_answer"),
        ({"poll_id": "../escape", "choice": "A"}, "Got '../escape' instead."),
        (
            {"poll_id": "p", "choice": "  "},
            "The 'choice' parameter of save_poll_answer must be a non-empty string. "
            "Got '  ' instead.",
        ),
    ],
)
def test_save_poll_answer_rejects_bad_input(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        save_poll_answer(tmp_path, **kwargs)
    assert json_files(tmp_path) == []


def test_poll_chart_states_counts_in_option_order(tmp_path: Path) -> None:
    for choice in ["Stale model", "No fairness check", "Stale model", "Stale model"]:
        save_poll_answer(tmp_path, poll_id="engage", choice=choice)
    chart = poll_chart(
        load_poll_answers(tmp_path, poll_id="engage"), question="What went wrong?", options=OPTIONS
    )
    assert chart.description == (
        '4 answers to "What went wrong?": Stale model 3 (75%), Untracked changes 0 (0%), '
        "No fairness check 1 (25%)."
    )
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == OPTIONS
    assert [t.get_text().strip() for t in ax.texts] == ["3 (75%)", "0 (0%)", "1 (25%)"]
    bars = [b for b in ax.patches if isinstance(b, Rectangle)]
    assert [b.get_width() for b in bars] == [3, 0, 1]
    assert len({b.get_hatch() for b in bars}) == 3  # patterns, not colour alone
    assert chart.to_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_poll_chart_with_no_answers_says_so(tmp_path: Path) -> None:
    chart = poll_chart(
        load_poll_answers(tmp_path, poll_id="engage"), question="What went wrong?", options=OPTIONS
    )
    assert chart.description.startswith('No answers yet to "What went wrong?".')
    texts = [t.get_text() for t in chart.figure.axes[0].texts]
    assert texts == ["No answers yet"]


def test_poll_from_widgets_to_chart(tmp_path: Path) -> None:
    """Three learners answer; the facilitator gathers and charts the answers."""
    for choice in ["Untracked changes", "Stale model", "Untracked changes"]:
        poll = PollWidget("What went wrong?", OPTIONS, folder=tmp_path, poll_id="engage")
        poll.radio_buttons.value = choice
        poll.submit_button.click()
    chart = poll_chart(load_poll_answers(tmp_path), question="What went wrong?")
    assert chart.description == (
        '3 answers to "What went wrong?": Untracked changes 2 (67%), Stale model 1 (33%).'
    )


# --- Static snapshots: what an executed notebook keeps without widget state ----------------


def test_every_widget_leaves_a_readable_static_snapshot(tmp_path: Path) -> None:
    y_true, y_score = np.array([0, 1, 1, 0]), np.array([0.2, 0.8, 0.4, 0.6])
    explorer = ThresholdExplorer(y_true, y_score, positive_is="adverse", value=0.5)
    quiz = MatchingQuiz(METRIC_SCENARIOS)
    poll = PollWidget("Which failure mattered most?", ["a", "b"], folder=tmp_path, poll_id="p")
    for widget in (explorer, quiz, poll):
        bundle = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert "(children=" not in bundle["text/plain"], "not ipywidgets' raw repr"
        assert bundle["text/html"].strip()
    explorer.slider.value = 0.7
    text = explorer._repr_mimebundle_()["text/plain"]
    assert text.startswith("Threshold explorer at 0.70.")
    assert explorer.result.reading() in text
    assert "Metrics at threshold 0.70" in explorer._repr_mimebundle_()["text/html"]
    quiz_text = quiz._repr_mimebundle_()["text/plain"]
    assert f"Quiz, {len(METRIC_SCENARIOS)} items:" in quiz_text
    assert METRIC_SCENARIOS[0].prompt in quiz_text
    assert METRIC_SCENARIOS[0].answer in quiz_text  # among the options, not marked as the answer
    quiz.check_button.click()
    assert quiz.result is not None
    assert quiz.result.summary() in quiz._repr_mimebundle_()["text/plain"]
    assert str(tmp_path) in poll._repr_mimebundle_()["text/plain"]


# --- Approval form: a named sign-off recorded in the audit log --------------------------------

_POLICIES = {
    # refused: a performance floor no model on this sample reaches
    "refused": {
        "high_impact": False,
        "min_metrics": {"roc_auc": 0.99},
        "four_fifths": False,
        "max_equalized_odds_difference": None,
    },
    # needs human approval: every check passes, but the use is high-impact
    "high-impact": {
        "high_impact": True,
        "min_metrics": {"roc_auc": 0.5},
        "four_fifths": False,
        "max_equalized_odds_difference": None,
    },
    # promoted: every check passes and the use is not high-impact
    "promoted": {
        "high_impact": False,
        "min_metrics": {"roc_auc": 0.5},
        "four_fifths": False,
        "max_equalized_odds_difference": None,
    },
}
_JUSTIFICATION = "Pilot for three months; a caseworker reviews every flag before any contact."


def _register_gated_run(workspace: Path, name: str, policy: dict[str, Any]) -> None:
    """One run through the pipeline's own stages, in process, on a sample of the claims."""
    from mlops_kit.config import load_config
    from mlops_kit.data import dataset_info
    from mlops_kit.pipeline import (
        evaluate_stage,
        gate_stage,
        register_stage,
        train_stage,
        validate_stage,
    )
    from mlops_kit.pipeline._context import write_run_context

    data = workspace / "claims.csv"
    if not data.exists():
        pd.read_csv(dataset_info("benefit_claims").path).iloc[::8].to_csv(data, index=False)
    run_dir = workspace / "runs" / name
    write_run_context(
        run_dir,
        run_id=name,
        trained_by="Ada Trainer",
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=None,
    )
    validate_stage(
        run_dir,
        data=str(data),
        target="flagged",
        positive_is="adverse",
        protected=["sex"],
        exclude=["claim_id"],
        time_column="month",
    )
    train_stage(run_dir, model="logistic", cv_folds=0, split="time", threshold=0.3)
    evaluate_stage(run_dir, n_bootstrap=0)
    card = load_config(dataset_info("benefit_claims").config).transparency.model_dump(mode="json")
    gate_stage(run_dir, policy=policy, transparency=card)
    register_stage(run_dir, registry={"model_name": "claims"}, transparency=card)


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with claims v1 refused, v2 needing approval (challenger), v3 promoted."""
    workspace = tmp_path_factory.mktemp("gated")
    for name, policy in _POLICIES.items():
        _register_gated_run(workspace, name, policy)
    return workspace


def _registry(workspace: Path) -> Any:
    from mlops_kit.audit import default_audit_log
    from mlops_kit.registry import Registry

    return Registry(workspace=workspace, audit=default_audit_log(workspace))


def _raw_log(workspace: Path) -> list[dict[str, Any]]:
    lines = (workspace / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_sign_off_lists_every_rule_broken_and_records_nothing(gated: Path) -> None:
    from mlops_kit.errors import ApprovalError
    from mlops_kit.widgets import sign_off

    registry = _registry(gated)
    before = _raw_log(gated)
    with pytest.raises(ApprovalError) as caught:
        sign_off(registry, "claims", 1, approver=" ada  TRAINER ", role="", justification="ok")
    problems = caught.value.problems
    assert len(problems) == 3
    assert "must not be the person who trained the model" in problems[0]
    assert "at least 20 characters" in problems[1]
    assert "role must be given" in problems[2]
    with pytest.raises(ApprovalError, match="approver must be a named person"):
        sign_off(registry, "claims", 1, approver="  ", role="Head", justification=_JUSTIFICATION)
    with pytest.raises(ApprovalError, match="nothing to approve"):
        sign_off(registry, "claims", 3, approver="Cy", role="Head", justification=_JUSTIFICATION)
    with pytest.raises(ConfigError, match=r"'decision' .* approve, decline\. Got 'maybe'"):
        sign_off(
            registry,
            "claims",
            1,
            approver="Cy",
            role="H",
            justification=_JUSTIFICATION,
            decision="maybe",
        )
    assert _raw_log(gated) == before
    assert registry.get("claims", version=1).aliases == ()


def test_a_registry_without_an_audit_log_cannot_record_a_sign_off(gated: Path) -> None:
    from mlops_kit.registry import Registry
    from mlops_kit.widgets import ApprovalForm

    with pytest.raises(ConfigError, match="must be recorded in an audit log"):
        ApprovalForm(Registry(workspace=gated), "claims", 1)


def test_approval_form_shows_the_gate_in_words_and_is_labelled(gated: Path) -> None:
    from mlops_kit.widgets import ApprovalForm

    form = ApprovalForm(_registry(gated), "claims", 1)
    # The browser finds a widget's view by its model name: the form must not shadow it
    # (a real-browser test found "Class claims not found" when it did).
    assert form.get_state()["_model_name"] == "VBoxModel"
    checks = text_of(only(form, "mlops-approval-checks").value)
    assert "The gate decided: refuse." in checks
    assert "trained by Ada Trainer, who may not sign it off" in checks
    failing = [c for c in form.gate.checks if c.passed is False]
    assert failing
    for check in failing:
        assert f"FAIL: {check.name}. {check.explanation}" in checks
    rules = text_of(only(form, "mlops-approval-rules").value)
    assert "did not train the model (Ada Trainer)" in rules
    assert "at least 20 characters" in rules
    # Every control has a visible label; the decision is in words, nothing chosen yet.
    for field in (form.approver_field, form.role_field, form.justification_field):
        assert field.description
        assert not field.disabled
    assert form.decision_buttons.description == "Decision"
    assert form.decision_buttons.value is None
    labels = [label for label, _ in form.decision_buttons.options]
    assert labels[0].startswith("Override the refusal")
    assert labels[1].startswith("Decline")
    assert form.submit_button.description == "Submit sign-off"
    assert "mlops-approval-form" in form._dom_classes
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"].startswith(
        "Approval form for claims version 1: the gate decided 'refuse'"
    )
    assert "Not signed off yet." in bundle["text/plain"]
    assert "The gate decided: refuse." in text_of(bundle["text/html"])


def test_approval_form_says_who_submit_would_record_as_the_fields_change(gated: Path) -> None:
    from mlops_kit.widgets import ApprovalForm

    form = ApprovalForm(_registry(gated), "claims", 1)
    signer = only(form, "mlops-approval-signer")
    assert form.signer == "Signing as: nobody yet (type your full name above)."
    form.approver_field.value = "  Cy <Approver> "
    assert form.signer == "Signing as: Cy <Approver>."
    form.role_field.value = "Director"
    assert form.signer == "Signing as: Cy <Approver> (Director)."
    assert text_of(signer.value) == form.signer  # escaped in the page, not markup
    assert "&lt;Approver&gt;" in signer.value


def test_approval_form_refuses_broken_rules_in_words_then_records_the_override(
    gated: Path,
) -> None:
    from mlops_kit.widgets import ApprovalForm

    registry = _registry(gated)
    form = ApprovalForm(registry, "claims", 1)
    status = only(form, "mlops-approval-status")
    entries_before = len(_raw_log(gated))

    form.submit_button.click()
    assert "choose a decision" in text_of(status.value)
    form.decision_buttons.value = "approve"
    form.approver_field.value = "Ada Trainer"
    form.justification_field.value = "Fine."
    form.submit_button.click()
    said = text_of(status.value)
    assert said.startswith("✗ Not recorded: the sign-off breaks 3 rules.")
    assert "must not be the person who trained the model" in said
    assert "role must be given" in said
    assert form.result is None
    assert len(form.problems) == 3
    assert len(_raw_log(gated)) == entries_before

    form.approver_field.value = "Cy Approver"
    form.role_field.value = "Head of Benefit Policy"
    form.justification_field.value = _JUSTIFICATION
    form.submit_button.click()
    result = form.result
    assert result is not None
    assert form.problems == ()
    raw = _raw_log(gated)
    assert [e["event"] for e in raw[entries_before:]] == ["overridden", "alias_changed"]
    override, move = raw[entries_before:]
    assert (result.audit_seq, result.audit_hash) == (override["seq"], override["hash"])
    assert override["actor"] == "Cy Approver"
    assert override["details"]["justification"] == _JUSTIFICATION
    assert override["details"]["role"] == "Head of Benefit Policy"
    assert move["details"]["to_version"] == 1
    assert (result.kind, result.alias, result.alias_from) == (
        "override",
        "champion",
        move["details"]["from_version"],
    )
    assert registry.get("claims", alias="champion").version == 1
    said = text_of(status.value)
    assert said.startswith("✓ Override recorded: Cy Approver (Head of Benefit Policy)")
    assert f"Audit entry seq {override['seq']} (hash {override['hash'][:12]}...)" in said
    assert "The champion alias moved from version 3 to version 1." in said
    assert all(
        w.disabled
        for w in (
            form.approver_field,
            form.role_field,
            form.justification_field,
            form.submit_button,
        )
    )
    form.submit()  # a second press records nothing more
    assert len(_raw_log(gated)) == len(raw)
    assert result.summary() in form._repr_mimebundle_()["text/plain"]


def test_approval_form_records_a_decline_without_moving_an_alias(gated: Path) -> None:
    from mlops_kit.widgets import ApprovalForm

    registry = _registry(gated)
    aliases = registry.get("claims", version=2).aliases
    assert aliases == ("challenger",)
    form = ApprovalForm(registry, "claims", 2)
    assert form.gate.decision.value == "needs human approval"
    assert "high-impact" in text_of(only(form, "mlops-approval-rules").value)
    assert form.decision_buttons.options[0][0].startswith("Approve:")
    form.approver_field.value = "Jo Reviewer"
    form.role_field.value = "Deputy Director"
    form.justification_field.value = "Recall by sex is too uneven to use on claimants yet."
    form.decision_buttons.value = "decline"
    form.submit_button.click()
    declined = _raw_log(gated)[-1]
    assert declined["event"] == "declined"
    assert declined["actor"] == "Jo Reviewer"
    assert declined["details"]["role"] == "Deputy Director"
    assert declined["details"]["version"] == 2
    assert declined["details"]["decision_seen"] == "needs human approval"
    assert form.result is not None
    assert form.result.kind == "decline"
    assert form.result.audit_hash == declined["hash"]
    assert "No alias moved." in text_of(only(form, "mlops-approval-status").value)
    assert registry.get("claims", version=2).aliases == aliases
    assert registry.audit.verify().ok


def test_approval_form_for_a_promoted_version_has_nothing_to_sign(gated: Path) -> None:
    from mlops_kit.widgets import ApprovalForm

    form = ApprovalForm(_registry(gated), "claims", 3)
    assert "nothing to sign off" in text_of(only(form, "mlops-approval-status").value)
    assert form.submit_button.disabled
    assert form.approver_field.disabled


# --- Tuning widget: choose a budget and a model family, watch the trials arrive ------------


@pytest.fixture(scope="module")
def tuning_rows() -> tuple[pd.DataFrame, np.ndarray, Any]:
    """400 seeded rows: two numbers and a category drive a 0/1 target."""
    from mlops_kit.data import ColumnRoles

    rng = np.random.default_rng(11)
    n = 400
    X = pd.DataFrame(
        {"x1": rng.normal(size=n), "x2": rng.normal(size=n), "c": rng.choice(["a", "b"], n)}
    )
    logit = 1.5 * X["x1"] - X["x2"] + 0.5 * (X["c"] == "a")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    return X, y, ColumnRoles(target="y", numeric=("x1", "x2"), categorical=("c",))


def _watch(widget: Any, css_class: str, name: str = "value") -> list[Any]:
    """Every new value the widget with ``css_class`` takes, in order."""
    seen: list[Any] = []
    only(widget, css_class).observe(lambda change: seen.append(change["new"]), names=name)
    return seen


def test_tuning_widget_fills_the_table_trial_by_trial_then_shows_the_history(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any],
) -> None:
    from mlops_kit.tune import tune
    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    tuner = TuningWidget(X, y, roles=roles, model="hgb", n_trials=3)
    tuner.model_dropdown.value = "logistic"
    tuner.trials_input.value = 6
    tuner.metric_dropdown.value = "neg_log_loss"
    tables = _watch(tuner, "mlops-tuning-table")
    statuses = _watch(tuner, "mlops-tuning-status")
    disabled = _watch(tuner, "mlops-tuning-run", "disabled")
    bar = _watch(tuner, "mlops-tuning-bar")
    tuner.run_button.click()

    result = tuner.result
    assert result is not None
    assert (result.model, result.metric, result.n_trials) == ("logistic", "neg_log_loss", 6)
    # The table grew by one row per finished trial, while the study ran.
    grown = [t.count("<th scope='row'>") for t in tables if t]
    assert grown == [1, 2, 3, 4, 5, 6]
    assert bar[-1] == only(tuner, "mlops-tuning-bar").max == 6
    assert disabled == [True, False]
    texts = [text_of(s) for s in statuses]
    assert texts[0] == (
        "Running: logistic regression (logistic), budget 6 trials, negative log loss, "
        "pruning on. No trial has finished yet."
    )
    assert [t.split(" trials finished")[0] for t in texts[1:-1]] == [
        f"{k} of 6" for k in range(1, 7)
    ]
    assert texts[-1] == f"Finished. {result.summary()}"
    best = f"Best so far: {result.best_value:.4f} (trial {result.best_trial})."
    assert best in text_of(tables[-1])
    figure = only(tuner, "mlops-tuning-figure").value
    assert 'alt="Tuning history"' in figure
    assert html.escape(result.history_figure().description) in figure
    assert tuner.progress.n_finished == 6
    # The widget is a thin view: the same settings through tune() give the same trials.
    direct = tune(X, y, model="logistic", roles=roles, metric="neg_log_loss", n_trials=6)
    assert direct.same_trials(result)


def test_tuning_widget_without_a_budget_says_so_and_the_button_does_not_raise(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any],
) -> None:
    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    tuner = TuningWidget(X, y, roles=roles, model="logistic", n_trials=2)
    tuner.trials_input.value = 0
    tuner.run_button.click()
    assert tuner.result is None
    status = text_of(only(tuner, "mlops-tuning-status").value)
    assert status.startswith("Set a budget first: the trials and the time limit are both 0")
    with pytest.raises(ConfigError, match="Set a budget first"):
        tuner.run()
    assert not tuner.run_button.disabled


def test_tuning_widget_with_a_time_limit_only_is_marked_unreproducible(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any],
) -> None:
    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    tuner = TuningWidget(X, y, roles=roles, model="logistic", n_trials=None, timeout=1)
    assert tuner.value["n_trials"] is None
    assert tuner.value["timeout"] == 1.0
    result = tuner.run()
    assert result.n_trials >= 1
    assert not result.reproducible
    assert "time budget of 1 s" in result.reproducible_reason
    assert tuner.progress.n_trials is None
    assert "trials finished" in tuner.progress.reading()


def test_tuning_widget_controls_are_labelled_in_words(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any],
) -> None:
    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    tuner = TuningWidget(X, y, roles=roles, pruning=False, timeout=30)
    assert "mlops-tuning-widget" in tuner._dom_classes
    for name in ("model", "trials", "seconds", "metric", "pruning", "run", "bar"):
        assert only(tuner, f"mlops-tuning-{name}").description.strip(), name
    assert [label for label, _ in tuner.model_dropdown.options] == [
        "logistic regression (logistic)",
        "histogram gradient boosting (hgb)",
        "random forest (rf)",
    ]
    assert tuner.value == {
        "model": "hgb",
        "n_trials": 12,
        "timeout": 30.0,
        "metric": "roc_auc",
        "pruning": False,
    }
    status = only(tuner, "mlops-tuning-status").value
    assert "role='status'" in status
    assert "12 trials or 30 seconds, whichever comes first" in text_of(status)
    assert "pruning off" in text_of(status)
    regression = TuningWidget(X, X["x1"].to_numpy(), roles=roles, task="regression", model="rf")
    assert [value for _, value in regression.metric_dropdown.options] == ["rmse", "mae", "r2"]


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        ({"model": "linear"}, "'model' parameter of TuningWidget"),
        ({"task": "ranking"}, "'task' parameter of TuningWidget"),
        ({"metric": "rmse"}, "'metric' parameter of TuningWidget"),
        ({"n_trials": -1}, "'n_trials' parameter of TuningWidget"),
        ({"n_trials": 2.5}, "'n_trials' parameter of TuningWidget"),
        ({"timeout": -3}, "'timeout' parameter of TuningWidget"),
        ({"n_trials": 0, "timeout": None}, "needs a budget"),
    ],
)
def test_tuning_widget_rejects_bad_settings_naming_them(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any], options: dict[str, Any], phrase: str
) -> None:
    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    with pytest.raises(ConfigError, match=re.escape(phrase)):
        TuningWidget(X, y, roles=roles, **options)
    with pytest.raises(ConfigError, match="one value per row of X"):
        TuningWidget(X, y[:-1], roles=roles)


def test_tuning_widget_leaves_a_readable_snapshot_before_and_after_a_run(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any],
) -> None:
    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    tuner = TuningWidget(X, y, roles=roles, model="logistic", n_trials=3)
    before = tuner._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in before
    assert before["text/plain"] == (
        "Tuning widget: logistic regression (logistic), budget 3 trials, ROC AUC, pruning on.\n"
        "Not run yet."
    )
    result = tuner.run()
    after = tuner._repr_mimebundle_()
    assert result.summary() in after["text/plain"]
    assert "(children=" not in after["text/plain"]
    assert "<table class='mlops-tuning-table'>" in after["text/html"]
    assert 'alt="Tuning history"' in after["text/html"]


def test_tuning_scenarios_fit_the_tuning_options() -> None:
    from mlops_kit.widgets import TUNING_OPTIONS, TUNING_SCENARIOS

    answers = [item.answer for item in TUNING_SCENARIOS]
    assert set(answers) <= set(TUNING_OPTIONS)
    assert len(set(answers)) == len(answers)  # each situation teaches a different thing
    for item in TUNING_SCENARIOS:
        assert item.feedback, f"no specific feedback for {item.prompt!r}"
        assert set(item.feedback) <= set(TUNING_OPTIONS)
    quiz = MatchingQuiz(TUNING_SCENARIOS, options=TUNING_OPTIONS)
    for dropdown, item in zip(quiz.dropdowns, TUNING_SCENARIOS, strict=True):
        dropdown.value = item.answer
    n = len(TUNING_SCENARIOS)
    assert quiz.check().summary() == f"{n} of {n} correct."
    audit = next(i for i in TUNING_SCENARIOS if i.answer == "one worker and a fixed seed")
    position = TUNING_SCENARIOS.index(audit)
    quiz.dropdowns[position].value = "a time budget"
    result = quiz.check()
    assert result.score == n - 1
    assert result.items[position].message == f"Not quite: {audit.feedback['a time budget']}"


def test_tuning_widget_watch_displays_first_then_refreshes_the_display(
    tuning_rows: tuple[pd.DataFrame, np.ndarray, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import IPython.display

    from mlops_kit.widgets import TuningWidget

    X, y, roles = tuning_rows
    shown: list[tuple[str, str]] = []

    class Handle:
        def update(self, obj: Any) -> None:
            shown.append(("update", obj._snapshot_text()))

    def display(obj: Any, display_id: bool = False) -> Handle:
        assert display_id
        shown.append(("display", obj._snapshot_text()))
        return Handle()

    monkeypatch.setattr(IPython.display, "display", display)
    tuner = TuningWidget(X, y, roles=roles, model="logistic", n_trials=3)
    result = tuner.watch()
    assert [kind for kind, _ in shown] == ["display", "update"]
    assert shown[0][1].endswith("Not run yet.")
    assert shown[1][1].endswith(result.summary())


# -- A/B test simulator ---------------------------------------------------------------------


def test_simulate_design_reports_the_simulations_it_wraps() -> None:
    from mlops_kit.abtest import simulate_peeking, simulate_power
    from mlops_kit.widgets import simulate_design

    s = simulate_design(6000, baseline=0.2, effect=0.03, share=0.3, n_sims=500, seed=3)
    p = simulate_power(6000, baseline=0.2, effect=0.03, share=0.3, n_sims=500, seed=3)
    assert s.power.power == p.power
    assert s.power.false_positive_rate == p.false_positive_rate
    assert f"detected in {p.power:.0%}" in s.reading()
    fig = s.figure()
    heights = [r.get_height() for r in fig.figure.axes[0].patches if isinstance(r, Rectangle)]
    assert heights == pytest.approx([p.power, p.false_positive_rate])
    assert fig.description == s.reading()
    peek = simulate_design(6000, effect=0.03, mode="peeking", n_looks=6, n_sims=500, seed=3)
    null = simulate_peeking(
        baseline=0.1,
        effect=0.0,
        n_looks=6,
        traffic_per_look=1000,
        mixture_scale=0.03,
        n_sims=500,
        seed=3,
    )
    assert peek.peeking_null is not None
    assert peek.peeking_null.naive_by_look == null.naive_by_look
    assert null.naive > 2 * null.alpha
    assert null.sequential <= null.alpha
    assert f"{null.naive:.1%} of experiments" in peek.reading()
    assert "False alarms by look" in peek.figure().title


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "peek"}, "'mode' parameter of simulate_design.*'peek'"),
        ({"mode": "peeking", "n_looks": 1}, "'n_looks' parameter.*Got 1"),
        ({"mode": "peeking", "n_looks": 100}, "at least 4 cases per look.*Got 300"),
        ({"effect": 0.95}, "'effect' parameter of simulate_power"),
    ],
)
def test_simulate_design_refuses_bad_settings(kwargs: dict[str, Any], match: str) -> None:
    from mlops_kit.widgets import simulate_design

    with pytest.raises(ConfigError, match=match):
        simulate_design(300, n_sims=200, **kwargs)


def test_abtest_simulator_is_driven_by_its_labelled_controls() -> None:
    from mlops_kit.abtest import simulate_power
    from mlops_kit.widgets import ABTestSimulator

    sim = ABTestSimulator(traffic=2000, n_sims=400)
    assert "mlops-abtest-simulator" in sim._dom_classes
    controls = [
        find(sim, c)[0]
        for c in (
            "mlops-abtest-mode",
            "mlops-abtest-traffic",
            "mlops-abtest-baseline",
            "mlops-abtest-effect",
            "mlops-abtest-share",
            "mlops-abtest-alpha",
            "mlops-abtest-looks",
        )
    ]
    assert all(c.description for c in controls), "every control is labelled"
    low = sim.result.power.power
    sim.traffic_input.value = 20_000
    assert sim.result.power.traffic == 20_000
    assert sim.result.power.power > max(low, 0.8)
    expected = simulate_power(20_000, baseline=0.1, effect=0.02, n_sims=400).power
    assert sim.result.power.power == expected
    echo = find(sim, "mlops-abtest-echo")[0].value
    assert echo.startswith(f"power {expected:.3f}")
    assert "Power is at least 80%" in find(sim, "mlops-abtest-status")[0].value
    sim.alpha_dropdown.value = 0.01
    assert sim.value["alpha"] == 0.01
    assert sim.result.power.alpha == 0.01
    # The peeking view: naive looks break the promise, the sequential test keeps it.
    sim.mode_buttons.value = "peeking"
    sim.looks_input.value = 20
    null = sim.result.peeking_null
    assert null is not None
    assert null.n_looks == 20
    assert null.traffic_per_look == 1000
    assert null.naive > 2 * null.alpha >= 2 * null.sequential
    assert "times as many false alarms" in find(sim, "mlops-abtest-status")[0].value
    assert "<figure" in find(sim, "mlops-abtest-figure")[0].value
    # Bad settings say what is wrong in words and keep the last valid result.
    sim.traffic_input.value = 60
    status = find(sim, "mlops-abtest-status")[0].value
    assert "Cannot simulate these settings" in status
    assert "4 cases per look" in status
    assert sim.result.peeking_null is null
    # The static snapshot is readable without a widget front end.
    assert sim._snapshot_text().startswith("A/B test simulator (The peeking problem")
    assert "<figcaption>" in sim._snapshot_html()


def test_abtest_simulator_refuses_bad_settings() -> None:
    from mlops_kit.widgets import ABTestSimulator

    with pytest.raises(ConfigError, match=r"'alpha' parameter of ABTestSimulator.*0.2"):
        ABTestSimulator(alpha=0.2)
    with pytest.raises(ConfigError, match=r"'traffic' parameter of ABTestSimulator.*5"):
        ABTestSimulator(traffic=5)


# -- drift explorer ---------------------------------------------------------------------------


def test_drift_explorer_month_and_window_change_the_report(claims) -> None:
    from mlops_kit.monitor import batch_drift
    from mlops_kit.widgets import DriftExplorer

    explorer = DriftExplorer(claims, month="2023-09")
    # A stable 2023 month: no alarm, said in words, with the figure and its description.
    assert explorer.result.drifted == ()
    assert find(explorer, "mlops-drift-echo")[0].value == (
        "2023-09 against 2023-01 to 2023-06: no feature drifted, no alarm."
    )
    report_html = find(explorer, "mlops-drift-report")[0].value
    assert "No alerts: nothing crossed its threshold." in report_html
    assert "<figcaption>" in report_html
    assert "mlops-drift-table" in report_html
    # Keyboard-reachable, labelled controls.
    assert explorer.month.description == "Month"
    assert "2024-03" in explorer.month.options
    assert explorer.window.description == "Reference window"
    # A 2024 month: the channel drifts; the alert names the threshold and the action.
    explorer.month.value = "2024-03"
    assert explorer.result.drifted == batch_drift(claims, "2024-03").drifted == ("channel",)
    report_html = find(explorer, "mlops-drift-report")[0].value
    assert "&#x27;channel&#x27; drifted: Jensen-Shannon distance" in report_html
    assert "retrain a challenger on recent data" in report_html
    assert "channel" in find(explorer, "mlops-drift-echo")[0].value
    # The reference window is a real choice: twelve months of reference rows.
    explorer.window.value = ("2023-01", "2023-12")
    assert explorer.result.n_reference == 12 * 1750
    assert "against 2023-01 to 2023-12" in find(explorer, "mlops-drift-echo")[0].value
    # The static snapshot is readable without a widget front end.
    assert explorer._snapshot_text().startswith("Drift explorer. 2024-03 against 2023-01")
    assert "mlops-drift-table" in explorer._snapshot_html()


def test_drift_explorer_refuses_bad_input(claims) -> None:
    from mlops_kit.widgets import DriftExplorer

    with pytest.raises(DataValidationError, match=r"Batch '2030-01' is not in 'month'"):
        DriftExplorer(claims, month="2030-01", figure=False)
    with pytest.raises(ConfigError, match=r"'windows' parameter of DriftExplorer"):
        DriftExplorer(claims, windows={}, figure=False)
