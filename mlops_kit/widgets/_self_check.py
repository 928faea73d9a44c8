"""Self-check form: answer the course's diagnostic questions before or after the session.

The model is :func:`~mlops_kit.course.save_self_check` (``mlops_kit.course._self_check``:
writes one file per submission into the shared poll folder, and
:func:`~mlops_kit.course.mark_self_check` marks it); the view is :class:`SelfCheckForm`:
a name or code, one set of radio buttons per question (each with "I am not sure yet"),
a Save button and feedback in words.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as widgets

from ..course import (
    NOT_SURE,
    QuizResult,
    SelfCheckQuestion,
    check_moment,
    learner_key,
    load_self_check,
    mark_self_check,
    save_self_check,
    self_check_questions,
)
from ..errors import ConfigError
from ._saving import attempt_save
from ._static import StaticSnapshot

__all__ = ["SelfCheckForm"]

_WHEN = {"before": "before the session", "after": "after the session"}


class SelfCheckForm(StaticSnapshot, widgets.VBox):
    """The self-check's questions with radio buttons, a name or code, and Save.

    Everything works with the keyboard: Tab moves between the name field, each
    question's options and the button; the arrow keys choose an option; Enter or Space
    presses Save. Each question is written above its options, which are labelled
    "Answer 1", "Answer 2", ... for screen readers, and every message is in words.

    Before the session the learner sees their score and the topics to watch, not the
    answers (they would make the "after" check a memory test); after the session each
    question shows the right answer and why, and the learner's own change when they used
    the same name or code both times. Saving again saves a new submission; the
    facilitator's :func:`~mlops_kit.course.self_check_change` counts the latest.

    Parameters
    ----------
    folder : path
        The shared poll folder.
    moment : {"before", "after"}
        ``"before"`` in lesson 00, ``"after"`` in lesson 11.
    questions : sequence of SelfCheckQuestion, optional
        Default :func:`mlops_kit.course.self_check_questions`.
    reveal : bool, optional
        Show the right answers after saving; default only after the session.

    Attributes
    ----------
    learner_field : ipywidgets.Text
    radio_buttons : tuple of ipywidgets.RadioButtons
        One per question; nothing is chosen at first (``value`` is ``None``).
    submit_button : ipywidgets.Button
    value : dict of str to str or None
        The options chosen, keyed by question key.
    result : QuizResult or None
        The marks of the last saved submission.
    saved_to : pathlib.Path or None
        Its file.

    Examples
    --------
    >>> import tempfile
    >>> form = SelfCheckForm(tempfile.mkdtemp(), moment="before")
    >>> form.learner_field.value = "Heron 4"
    >>> for radio in form.radio_buttons:
    ...     radio.value = radio.options[0]
    >>> form.submit_button.click()
    >>> form.saved_to.parent.name, form.result.total
    ('self-check-before', 8)
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        moment: str,
        questions: Sequence[SelfCheckQuestion] | None = None,
        reveal: bool | None = None,
    ) -> None:
        self._moment = check_moment(moment, "SelfCheckForm")
        self._questions = self_check_questions() if questions is None else tuple(questions)
        if not self._questions or not all(
            isinstance(q, SelfCheckQuestion) for q in self._questions
        ):
            raise ConfigError(
                "The 'questions' parameter of SelfCheckForm must hold one or more "
                f"SelfCheckQuestion records. Got {questions!r} instead."
            )
        self._folder = Path(folder)
        self._reveal = (self._moment == "after") if reveal is None else bool(reveal)
        self._result: QuizResult | None = None
        self._saved_to: Path | None = None

        when = _WHEN[self._moment]
        heading = widgets.HTML(value=f"<h3>Self-check, {when}</h3>")
        heading.add_class("mlops-self-check-title")
        instructions = widgets.HTML(
            value=(
                f"<p>{len(self._questions)} questions on the course's ideas. Answer on your "
                f"own; choose <em>{html.escape(NOT_SURE)}</em> rather than guess. Tab moves "
                "between the questions, the arrow keys choose an option, and Enter on "
                "<em>Save my answers</em> saves them.</p>"
            )
        )
        self._learner = widgets.Text(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            value="",
            description="Your name or a code you will remember (the same before and after)",
            description_allow_html=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(46em, 100%)"),
        )
        self._learner.add_class("mlops-self-check-learner")
        rows = self._question_rows()
        self._submit = widgets.Button(
            description="Save my answers",
            tooltip="Save your answers to the shared folder",
            icon="check",
            button_style="primary",
        )
        self._submit.add_class("mlops-self-check-submit")
        self._submit.on_click(lambda _button: self.submit())
        self._status = widgets.HTML(value="")
        self._status.add_class("mlops-self-check-status")
        super().__init__(
            children=[heading, instructions, self._learner, *rows, self._submit, self._status]
        )
        self.add_class("mlops-self-check")

    def _question_rows(self) -> list[widgets.VBox]:
        """One row per question: its prompt, its options and a line for its feedback."""
        rows: list[widgets.VBox] = []
        radios: list[widgets.RadioButtons] = []
        self._feedback: list[widgets.HTML] = []
        for number, q in enumerate(self._questions, start=1):
            prompt = widgets.HTML(
                value=f"<p><strong>{number}.</strong> {html.escape(q.question)}</p>"
            )
            prompt.add_class("mlops-self-check-question")
            radio = widgets.RadioButtons(
                options=list(q.choices),
                value=None,
                description=f"Answer {number}",
                description_allow_html=False,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            radio.add_class("mlops-self-check-options")
            feedback = widgets.HTML(value="")
            feedback.add_class("mlops-self-check-feedback")
            row = widgets.VBox(children=[prompt, radio, feedback])
            row.add_class("mlops-self-check-item")
            rows.append(row)
            radios.append(radio)
            self._feedback.append(feedback)
        self._radios = tuple(radios)
        return rows

    @property
    def learner_field(self) -> widgets.Text:
        """The name or code field."""
        return self._learner

    @property
    def radio_buttons(self) -> tuple[widgets.RadioButtons, ...]:
        """One set of options per question, in order."""
        return self._radios

    @property
    def submit_button(self) -> widgets.Button:
        """The Save button."""
        return self._submit

    @property
    def value(self) -> dict[str, str | None]:
        """The options chosen, keyed by question key (``None`` where none is chosen)."""
        return {q.key: r.value for q, r in zip(self._questions, self._radios, strict=True)}

    @property
    def result(self) -> QuizResult | None:
        """The marks of the last saved submission, or ``None``."""
        return self._result

    @property
    def saved_to(self) -> Path | None:
        """The file of the last saved submission, or ``None``."""
        return self._saved_to

    def submit(self) -> Path | None:
        """Save the answers (what the button does); return the file, or None with a reason."""
        learner = self._learner.value.strip()
        if not learner:
            self._status.value = (
                "<p>Write your name or a code you will remember first: it pairs your "
                "answers before and after the session.</p>"
            )
            return None
        open_ = [str(i) for i, r in enumerate(self._radios, start=1) if r.value is None]
        if open_:
            self._status.value = (
                f"<p>Answer every question first (choose “{html.escape(NOT_SURE)}” when you "
                f"do not know). Still open: question {', '.join(open_)}.</p>"
            )
            return None
        answers = {k: v for k, v in self.value.items() if v is not None}
        before = self._earlier_score(learner) if self._moment == "after" else None
        attempt = attempt_save(
            lambda: save_self_check(
                self._folder,
                answers,
                learner=learner,
                moment=self._moment,
                questions=self._questions,
            ),
            refused=(ConfigError,),
        )
        if attempt.refusal is not None:
            self._status.value = f"<p>Not saved: {html.escape(attempt.refusal)}</p>"
            return None
        if not attempt.saved:
            self._status.value = attempt.unwritable_html("your answers")
            return None
        path = attempt.value
        result = mark_self_check(answers, questions=self._questions)
        self._result, self._saved_to = result, path
        self._show(result, learner, before)
        return path

    def _earlier_score(self, learner: str) -> tuple[int, int] | None:
        """This learner's latest score before the session, if the folder holds one."""
        try:
            table = load_self_check(self._folder, questions=self._questions)
        except OSError:
            return None
        mine = table[(table["moment"] == "before") & (table["learner_key"] == learner_key(learner))]
        return (int(mine["correct"].sum()), len(mine)) if len(mine) else None

    def _show(self, result: QuizResult, learner: str, before: tuple[int, int] | None) -> None:
        right = f"{result.score} of {result.total}"
        lines = [f"✓ Saved for {html.escape(learner)}: {right} right."]
        if self._reveal:
            for marked, box in zip(result.items, self._feedback, strict=True):
                mark = "✓" if marked.correct else "✗"
                box.value = f"<p>{mark} {html.escape(marked.message)}</p>"
            lines.append("The right answer and why are under each question.")
        else:
            watch = [
                q.topic for q, m in zip(self._questions, result.items, strict=True) if not m.correct
            ]
            if watch:
                lines.append(f"Topics to watch for today: {html.escape(', '.join(watch))}.")
            lines.append(
                "The answers come at the end of the session, when you answer the same "
                "questions again under the same name or code."
            )
        if before is not None:
            lines.append(
                f"Before the session you had {before[0]} of {before[1]} right; now {right}."
            )
        self._status.value = "".join(f"<p>{line}</p>" for line in lines)

    def _snapshot_text(self) -> str:
        lines = [f"Self-check ({_WHEN[self._moment]}), {len(self._questions)} questions:"]
        lines += [f"{i}. {q.question}" for i, q in enumerate(self._questions, start=1)]
        lines.append(f"Answers are saved to {self._folder}.")
        if self._result is not None:
            lines.append(self._result.summary())
        return "\n".join(lines)

    def _snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(q.question)}</li>" for q in self._questions)
        return (
            f"<p><strong>Self-check ({_WHEN[self._moment]})</strong></p><ol>{items}</ol>"
            f"<p>Answers are saved to <code>{html.escape(str(self._folder))}</code>.</p>"
        )
