"""The diagnostic self-check: the questions, the form, the files and the class's change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_kit.course import (
    NOT_SURE,
    SelfCheckQuestion,
    load_self_check,
    mark_self_check,
    save_self_check,
    self_check_change,
    self_check_questions,
)
from mlops_kit.errors import ConfigError
from mlops_kit.widgets import SelfCheckForm, load_poll_answers

#: Three small questions, so that the class's change can be worked out by hand.
QS = (
    SelfCheckQuestion("metric", "Choosing a metric", "Which metric?", ("A", "B"), "A", "A fits."),
    SelfCheckQuestion("drift", "Drift", "What is drift?", ("C", "D", "E"), "D", "D is drift."),
    SelfCheckQuestion("pickle", "Security", "Why not pickle?", ("F", "G"), "G", "G runs code."),
)


def _answers(metric: str, drift: str, pickle: str) -> dict[str, str]:
    return {"metric": metric, "drift": drift, "pickle": pickle}


def _files(folder: Path, moment: str) -> list[Path]:
    return sorted((folder / f"self-check-{moment}").glob("*.json"))


# ----------------------------------------------------------------------- the questions


def test_the_bundled_questions_cover_the_courses_concepts() -> None:
    questions = self_check_questions()
    assert [q.key for q in questions] == [
        "metric",
        "four-fifths",
        "drift",
        "ab-test",
        "reproducible",
        "sign-off",
        "pickle",
        "transparency",
    ]
    for q in questions:
        assert q.answer in q.options
        assert q.choices == (*q.options, NOT_SURE)
        assert 3 <= len(q.options) <= 4
        assert q.explanation.endswith(".")
    by_key = {q.key: q for q in questions}
    assert by_key["metric"].answer == "Precision"
    assert "half" in by_key["four-fifths"].answer
    assert "skops" in by_key["pickle"].explanation
    assert "named" in by_key["sign-off"].answer


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("questions: []", "non-empty 'questions' list"),
        (
            "questions:\n  - {key: a, topic: T, question: Q, options: [x, y], answer: z, "
            "explanation: E}",
            "must be one of its options. Got 'z'",
        ),
        (
            "questions:\n"
            "  - {key: a, topic: T, question: Q, options: [x, y], answer: x, explanation: E}\n"
            "  - {key: a, topic: T, question: R, options: [x, y], answer: y, explanation: E}",
            r"its own key. Got \['a'\] more than once",
        ),
        (
            "questions:\n  - {key: a, topic: T, question: Q, options: [x, x], answer: x, "
            "explanation: E}",
            "two or more different",
        ),
    ],
)
def test_a_broken_question_file_is_refused_with_the_rule(
    tmp_path: Path, text: str, match: str
) -> None:
    path = tmp_path / "self_check.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        self_check_questions(path)


def test_marking_says_why_in_words() -> None:
    result = mark_self_check(_answers("A", NOT_SURE, "F"), questions=QS)
    assert result.summary() == "1 of 3 correct."
    assert [m.message for m in result.items] == [
        "Correct. A fits.",
        "Not sure yet: the answer is “D”. D is drift.",
        "Not quite: the answer is “G”. G runs code.",
    ]
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['nope'\]"):
        mark_self_check({"nope": "A"}, questions=QS)


# ----------------------------------------------------------------------- saving


def test_a_submission_is_one_file_that_the_poll_reader_also_accepts(tmp_path: Path) -> None:
    path = save_self_check(
        tmp_path, _answers("A", "D", "F"), learner="  Owl   7 ", moment="before", questions=QS
    )
    assert path.parent == tmp_path / "self-check-before"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["poll_id"] == "self-check-before"
    assert record["choice"] == "2 of 3 right"
    assert record["participant"] == "Owl 7"
    assert record["moment"] == "before"
    assert record["answers"] == _answers("A", "D", "F")
    polls = load_poll_answers(tmp_path)
    assert polls["choice"].tolist() == ["2 of 3 right"]
    assert polls.attrs["skipped"] == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"learner": "  "}, "'learner' parameter of save_self_check"),
        ({"learner": "x" * 61}, "1 to 60 characters"),
        ({"moment": "afterwards"}, "Did you mean 'after'"),
        ({"answers": {"metric": "A", "drift": "D"}}, r"Question 3 \(pickle\) is not answered"),
        ({"answers": _answers("A", "Z", "G")}, r"Question 2 \(drift\) has 'Z', not one of"),
    ],
)
def test_an_incomplete_submission_is_refused_and_nothing_is_written(
    tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    call: dict[str, object] = {"learner": "Owl", "moment": "before"} | kwargs
    answers = call.pop("answers", _answers("A", "D", "G"))
    with pytest.raises(ConfigError, match=match):
        save_self_check(tmp_path, answers, questions=QS, **call)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------- the form


def test_the_form_refuses_until_a_name_and_every_answer_are_given(tmp_path: Path) -> None:
    form = SelfCheckForm(tmp_path, moment="before", questions=QS)
    assert [r.value for r in form.radio_buttons] == [None, None, None]
    assert [r.description for r in form.radio_buttons] == ["Answer 1", "Answer 2", "Answer 3"]
    assert form.radio_buttons[1].options == ("C", "D", "E", NOT_SURE)
    form.submit_button.click()
    assert "Write your name or a code" in form.children[-1].value
    form.learner_field.value = "Heron 4"
    form.radio_buttons[0].value = "A"
    form.submit_button.click()
    assert "Still open: question 2, 3." in form.children[-1].value
    assert form.saved_to is None
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_before_the_session_the_form_saves_and_names_topics_not_answers(tmp_path: Path) -> None:
    form = SelfCheckForm(tmp_path, moment="before", questions=QS)
    form.learner_field.value = "Heron 4"
    for radio, choice in zip(form.radio_buttons, ("A", NOT_SURE, "F"), strict=True):
        radio.value = choice
    form.submit_button.click()
    assert form.saved_to is not None
    assert form.saved_to in _files(tmp_path, "before")
    assert form.result is not None
    assert form.result.score == 1
    status = form.children[-1].value
    assert "Saved for Heron 4: 1 of 3 right." in status
    assert "Topics to watch for today: Drift, Security." in status
    # The right answers are kept for the end of the session.
    assert "D is drift" not in status
    feedback = [c.children[2].value for c in form.children if hasattr(c, "children")]
    assert feedback == ["", "", ""]
    assert "Self-check (before the session), 3 questions:" in form._snapshot_text()


def test_after_the_session_the_form_explains_and_shows_the_learners_change(
    tmp_path: Path,
) -> None:
    save_self_check(
        tmp_path, _answers("B", NOT_SURE, "F"), learner="heron 4", moment="before", questions=QS
    )
    form = SelfCheckForm(tmp_path, moment="after", questions=QS)
    form.learner_field.value = " Heron  4"
    for radio, choice in zip(form.radio_buttons, ("A", "D", "F"), strict=True):
        radio.value = choice
    form.submit_button.click()
    assert len(_files(tmp_path, "after")) == 1
    status = form.children[-1].value
    assert "Saved for Heron  4: 2 of 3 right." in status
    assert "Before the session you had 0 of 3 right; now 2 of 3." in status
    items = [c for c in form.children if "mlops-self-check-item" in c._dom_classes]
    assert [i.children[2].value for i in items] == [
        "<p>✓ Correct. A fits.</p>",
        "<p>✓ Correct. D is drift.</p>",
        "<p>✗ Not quite: the answer is “G”. G runs code.</p>",
    ]


def test_the_form_refuses_an_unknown_moment() -> None:
    with pytest.raises(ConfigError, match="'before' \\(lesson 00\\) or 'after'"):
        SelfCheckForm("polls", moment="during", questions=QS)


# ----------------------------------------------------------------------- the change


def _class_folder(folder: Path) -> None:
    """Three learners before (one of them twice), two after, and four broken files."""
    before = [
        ("Ana", _answers("A", "C", "F")),  # 1 right, replaced below
        ("Ben", _answers("B", "D", "F")),  # 1 right
        ("Cleo", _answers("A", NOT_SURE, "F")),  # 1 right, never answers after
        ("ana", _answers("B", "C", "F")),  # Ana's latest: 0 right
    ]
    after = [
        ("ANA ", _answers("A", "D", "G")),  # 3 right
        ("Ben", _answers("A", "D", "F")),  # 2 right
    ]
    for moment, rows in (("before", before), ("after", after)):
        for learner, answers in rows:
            save_self_check(folder, answers, learner=learner, moment=moment, questions=QS)
    sub = folder / "self-check-after"
    (sub / "zz_half.json").write_text('{"poll_id": "self-check-after", "ch', encoding="utf-8")
    good = json.loads(_files(folder, "after")[0].read_text(encoding="utf-8"))
    (sub / "zz_bad_option.json").write_text(
        json.dumps(good | {"answers": _answers("A", "Q", "G")}), encoding="utf-8"
    )
    (sub / "zz_no_name.json").write_text(json.dumps(good | {"participant": ""}), encoding="utf-8")
    (sub / "zz_wrong_moment.json").write_text(
        json.dumps(good | {"moment": "before"}), encoding="utf-8"
    )
    (sub / ".in_progress.json").write_text("{", encoding="utf-8")  # an atomic write


def test_the_class_table_keeps_each_learners_latest_and_counts_broken_files(
    tmp_path: Path,
) -> None:
    _class_folder(tmp_path)
    table = load_self_check(tmp_path, questions=QS)
    assert table.attrs["skipped"] == 4
    assert sorted(Path(f).name for f in table.attrs["skipped_files"]) == [
        "zz_bad_option.json",
        "zz_half.json",
        "zz_no_name.json",
        "zz_wrong_moment.json",
    ]
    assert table.attrs["replaced"] == 1
    assert len(table) == (3 + 2) * 3
    ana = table[(table["learner_key"] == "ana") & (table["moment"] == "before")]
    assert ana["given"].tolist() == ["B", "C", "F"]
    assert table["question"].tolist()[:3] == ["metric", "drift", "pickle"]


def test_the_class_change_is_the_one_worked_out_by_hand(tmp_path: Path) -> None:
    _class_folder(tmp_path)
    change = self_check_change(tmp_path, questions=QS)
    assert (change.learners_before, change.learners_after, change.paired) == (3, 2, 2)
    assert change.skipped == 4
    bq = change.by_question.set_index("question")
    # Before: metric right for Cleo only (Ana's latest says B, Ben says B): 1 of 3.
    # drift right for Ben only: 1 of 3; pickle right for nobody: 0 of 3.
    # After: metric 2 of 2; drift 2 of 2; pickle Ana only: 1 of 2.
    assert bq["answered_before"].tolist() == [3, 3, 3]
    assert bq["share_before"].tolist() == pytest.approx([1 / 3, 1 / 3, 0.0])
    assert bq["share_after"].tolist() == pytest.approx([1.0, 1.0, 0.5])
    assert bq["change_points"].tolist() == pytest.approx([200 / 3, 200 / 3, 50.0])
    # Paired learners: Ana 0 then 3, Ben 1 then 2; Cleo has no "after".
    assert change.by_learner.to_dict(orient="records") == [
        {
            "learner": "ANA",
            "right_before": 0,
            "of_before": 3,
            "right_after": 3,
            "of_after": 3,
            "change": 3,
        },
        {
            "learner": "Ben",
            "right_before": 1,
            "of_before": 3,
            "right_after": 2,
            "of_after": 3,
            "change": 1,
        },
    ]
    assert change.summary() == (
        "3 learner(s) answered the self-check before the session and 2 after it; 2 answered "
        "both. Paired learners had 0.5 right before and 2.5 after, out of 3, on average "
        "(+2.0): 2 improved, 0 stayed the same and 0 went down. 4 broken file(s) were skipped."
    )
    assert "- Choosing a metric: 33% right before, 100% after (+67 points)" in repr(change)
    assert change.to_dict()["by_question"][2]["share_after"] == 0.5
    # The same change from the table as from the folder.
    table = load_self_check(tmp_path, questions=QS)
    assert self_check_change(table, questions=QS).by_learner.equals(change.by_learner)


def test_the_chart_says_everything_in_words_and_patterns(tmp_path: Path) -> None:
    _class_folder(tmp_path)
    chart = self_check_change(tmp_path, questions=QS).plot()
    assert chart.description.startswith(
        "Share of the class right on each of the 3 questions, before the session "
        "(3 learner(s)) and after it (2): Choosing a metric: 33% right before, 100% after "
        "(+67 points); Drift: 33% right before, 100% after (+67 points); Security: 0% right "
        "before, 50% after (+50 points)."
    )
    ax = chart.figure.axes[0]
    hatches = {bar.get_label(): bar[0].get_hatch() for bar in ax.containers}
    assert hatches == {"before": "///", "after": ""}
    labels = [t.get_text() for t in ax.texts]
    assert "before 33%" in labels
    assert "after 50%" in labels
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["before", "after"]


def test_with_no_answers_yet_the_change_says_so(tmp_path: Path) -> None:
    change = self_check_change(tmp_path / "nothing here", questions=QS)
    assert change.summary() == "No self-check answers yet (none before the session, none after)."
    assert change.paired == 0
    chart = change.plot()
    assert repr(change) == change.summary()
    assert "Choosing a metric: no answers before, no answers after" in chart.description
    only_before = tmp_path / "polls"
    save_self_check(
        only_before, _answers("A", "D", "G"), learner="Ana", moment="before", questions=QS
    )
    change = self_check_change(only_before, questions=QS)
    assert change.summary() == (
        "1 learner(s) answered the self-check before the session and none after it; 0 answered "
        "both."
    )
    assert "Drift: 100% right before, no answers after (no change to compare)" in repr(change)


def test_the_change_refuses_a_table_that_is_not_the_class_table() -> None:
    import pandas as pd

    with pytest.raises(ConfigError, match="without the columns"):
        self_check_change(pd.DataFrame({"learner": ["Ana"]}), questions=QS)
