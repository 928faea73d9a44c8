"""Matching quiz: the keyboard alternative to a drag-and-drop matching exercise.

The model is :func:`mlops_kit.course.grade_matching`, which marks answers against
:class:`~mlops_kit.course.QuizItem` records and returns a frozen
:class:`~mlops_kit.course.QuizResult`; the view is :class:`MatchingQuiz`, one dropdown
per item and a "Check answers" button. The lessons' quizzes are in ``_quiz_items``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..course import QuizItem, QuizResult, check_items, grade_matching, with_symbol
from ..errors import ConfigError
from ._static import StaticSnapshot

__all__ = ["MatchingQuiz"]

PLACEHOLDER = "Choose..."


class MatchingQuiz(StaticSnapshot, widgets.VBox):
    """Match each prompt to an option with dropdowns, then check the answers.

    Everything works with the keyboard: Tab moves between the dropdowns and the
    button, Alt+Down opens a list (in JupyterLab the arrow keys alone move between
    cells), typing or the arrow keys choose an option, Enter or Space presses the button.
    Each prompt is written above its dropdown, which is labelled "Answer 1",
    "Answer 2", ... for screen readers; feedback is given in words.

    Parameters
    ----------
    items : sequence of QuizItem
    options : sequence of str, optional
        The options offered in every dropdown, in this order; they must include
        every item's answer. Default: the items' answers and the wrong options
        their specific feedback is written for, sorted.
    title : str
        Shown as the quiz's heading.

    Attributes
    ----------
    dropdowns : tuple of ipywidgets.Dropdown
        One per item, in order; each starts on the placeholder "Choose..." (``None``).
    check_button : ipywidgets.Button
        The "Check answers" button.
    value : dict of str to str or None
        The current choices, keyed by prompt.
    result : QuizResult or None
        The marks of the last check; ``None`` before the first.

    Examples
    --------
    >>> quiz = MatchingQuiz([QuizItem("2 + 2", "4", "Two and two make four."),
    ...                      QuizItem("3 + 3", "6", "Three and three make six.")])
    >>> quiz.dropdowns[0].value = "4"
    >>> quiz.dropdowns[1].value = "4"
    >>> quiz.check_button.click()
    >>> quiz.result.summary()
    '1 of 2 correct.'
    """

    def __init__(
        self,
        items: Sequence[QuizItem],
        *,
        options: Sequence[str] | None = None,
        title: str = "Match each item to its best answer",
    ) -> None:
        self._items = check_items(items, "MatchingQuiz")
        answers = {item.answer for item in self._items}
        if options is None:
            tempting = {option for item in self._items for option in item.feedback}
            choices = sorted(answers | tempting, key=str.casefold)
        else:
            if isinstance(options, str):
                raise ConfigError(
                    "The 'options' parameter of MatchingQuiz must be a sequence of strings. "
                    f"Got the single string {options!r} instead."
                )
            choices = list(dict.fromkeys(str(o) for o in options))
            missing = sorted(answers - set(choices))
            if missing:
                raise ConfigError(
                    "The 'options' parameter of MatchingQuiz must include every item's answer. "
                    f"Got options without {missing} instead."
                )
        self._choices = tuple(choices)
        self._result: QuizResult | None = None

        heading = widgets.HTML(value=f"<h3>{html.escape(title)}</h3>")
        heading.add_class("mlops-quiz-title")
        instructions = widgets.HTML(
            value=(
                "<p>Choose an answer for each item (Tab moves between them; Alt+Down opens a "
                "list, then type an answer's first letters or use the arrow keys, and Enter "
                "chooses), then press <em>Check answers</em>.</p>"
            )
        )
        rows: list[widgets.VBox] = []
        dropdowns: list[widgets.Dropdown] = []
        self._feedback: list[widgets.HTML] = []
        for number, item in enumerate(self._items, start=1):
            prompt = widgets.HTML(
                value=f"<p><strong>{number}.</strong> {html.escape(item.prompt)}</p>"
            )
            dropdown = widgets.Dropdown(
                options=[(PLACEHOLDER, None), *[(c, c) for c in choices]],
                value=None,
                description=f"Answer {number}",
                description_allow_html=False,
                style={"description_width": "initial"},
            )
            feedback = widgets.HTML(value="")
            prompt.add_class("mlops-quiz-prompt")
            dropdown.add_class("mlops-quiz-answer")
            feedback.add_class("mlops-quiz-feedback")
            dropdown.observe(self._on_answer_change(number - 1), names="value")
            row = widgets.VBox(children=[prompt, dropdown, feedback])
            row.add_class("mlops-quiz-item")
            rows.append(row)
            dropdowns.append(dropdown)
            self._feedback.append(feedback)
        self._dropdowns = tuple(dropdowns)
        self._check_button = widgets.Button(
            description="Check answers",
            tooltip="Mark your answers and show feedback",
            icon="check",
            button_style="primary",
        )
        self._check_button.add_class("mlops-quiz-check")
        self._check_button.on_click(lambda _button: self.check())
        self._score = widgets.HTML(value="")
        self._score.add_class("mlops-quiz-score")
        super().__init__(children=[heading, instructions, *rows, self._check_button, self._score])
        self.add_class("mlops-matching-quiz")

    @property
    def dropdowns(self) -> tuple[widgets.Dropdown, ...]:
        """One dropdown per item, in order."""
        return self._dropdowns

    @property
    def check_button(self) -> widgets.Button:
        """The "Check answers" button."""
        return self._check_button

    @property
    def value(self) -> dict[str, str | None]:
        """The current choices, keyed by prompt (``None`` where nothing is chosen)."""
        return {item.prompt: d.value for item, d in zip(self._items, self._dropdowns, strict=True)}

    @property
    def result(self) -> QuizResult | None:
        """The marks of the last check, or ``None`` before the first."""
        return self._result

    def check(self) -> QuizResult:
        """Mark the current choices, show the feedback and return the result."""
        result = grade_matching(self.value, self._items)
        for marked, box in zip(result.items, self._feedback, strict=True):
            box.value = f"<p>{html.escape(with_symbol(marked))}</p>"
        self._score.value = f"<p><strong>{html.escape(result.summary())}</strong></p>"
        self._result = result
        return result

    def _on_answer_change(self, index: int) -> Callable[[Any], None]:
        def clear(_change: Any) -> None:
            # Feedback about an answer that has since changed would mislead.
            self._feedback[index].value = ""

        return clear

    def _snapshot_text(self) -> str:
        lines = [f"Quiz, {len(self._items)} items:"]
        lines += [f"{i}. {item.prompt}" for i, item in enumerate(self._items, start=1)]
        lines.append(f"Choose from: {', '.join(self._choices)}.")
        if self._result is not None:
            lines.append(self._result.summary())
        return "\n".join(lines)

    def _snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(item.prompt)}</li>" for item in self._items)
        score = f"<p>{html.escape(self._result.summary())}</p>" if self._result else ""
        return (
            f"<ol class='mlops-quiz-snapshot'>{items}</ol>"
            f"<p>Choose from: {html.escape(', '.join(self._choices))}.</p>{score}"
        )
