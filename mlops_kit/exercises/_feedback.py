"""What a check tells the learner: a status in words, a specific message and a hint."""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

__all__ = ["TOLERANCE", "AnswerTypeError", "Feedback", "Status", "correct", "not_yet"]

#: Absolute tolerance for numeric answers: 0.555 is accepted for 0.5548.
TOLERANCE = 1e-3


class Status(enum.StrEnum):
    """Where a learner's answer stands."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    UNANSWERED = "unanswered"

    @property
    def label(self) -> str:
        """The status in words, with a symbol (never colour alone)."""
        return {
            Status.CORRECT: "\u2713 Correct",
            Status.INCORRECT: "\u2717 Not yet",
            Status.UNANSWERED: "\u2026 Not answered yet",
        }[self]


_BORDER = {  # decoration only: the status is always written out in words
    Status.CORRECT: "#00703c",
    Status.INCORRECT: "#d4351c",
    Status.UNANSWERED: "#505a5f",
}


def _html_text(text: str) -> str:
    """Escape ``text`` for HTML and show `backticked` spans as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer.

    Attributes
    ----------
    question_id : str
        Which question, such as ``"choose_metrics.q2"``.
    status : Status
        Correct, incorrect or unanswered.
    message : str
        What is right or, for a common mistake, specifically what went wrong.
    hint : str or None
        A nudge towards the answer; ``None`` once the answer is correct.

    Examples
    --------
    >>> f = Feedback("demo.q1", Status.INCORRECT, "That is recall.", hint="Divide by the flags.")
    >>> f.correct
    False
    >>> print(f)
    ✗ Not yet (demo.q1)
    That is recall.
    Hint: Divide by the flags.
    """

    question_id: str
    status: Status
    message: str
    hint: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            raise ConfigError(
                f"Feedback.status must be a Status (correct, incorrect or unanswered). "
                f"Got {self.status!r} instead."
            )
        if not isinstance(self.message, str) or not self.message.strip():
            raise ConfigError(
                f"Feedback.message must be a non-empty string. Got {self.message!r} instead."
            )

    @property
    def correct(self) -> bool:
        """Whether the answer is correct."""
        return self.status is Status.CORRECT

    def __str__(self) -> str:
        head = (
            f"{self.status.label} ({self.question_id})" if self.question_id else self.status.label
        )
        lines = [head, self.message]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        hint = (
            f'<p style="margin:0.4em 0 0 0"><strong>Hint:</strong> {_html_text(self.hint)}</p>'
            if self.hint
            else ""
        )
        question = (
            f" <span>(question {html.escape(self.question_id)})</span>" if self.question_id else ""
        )
        return (
            f'<div class="mlops-feedback mlops-feedback-{self.status.value}" role="status" '
            f'style="border-left:6px solid {_BORDER[self.status]};padding:0.4em 0.8em;'
            f'margin:0.3em 0">'
            f'<p style="margin:0"><strong>{html.escape(self.status.label)}</strong>{question}</p>'
            f'<p style="margin:0.4em 0 0 0">{_html_text(self.message)}</p>{hint}</div>'
        )


def correct(message: str) -> Feedback:
    """Feedback for a correct answer, for use inside a checker.

    The question id and hint are filled in by :func:`check`.
    """
    return Feedback("", Status.CORRECT, message)


def not_yet(message: str, *, hint: str | None = None) -> Feedback:
    """Feedback for an incorrect answer, for use inside a checker.

    ``hint`` replaces the question's own hint for this mistake; by default
    :func:`check` adds the question's hint.
    """
    return Feedback("", Status.INCORRECT, message, hint)


class AnswerTypeError(TypeError):
    """An answer of the wrong type; :func:`check` turns it into feedback, never a traceback."""
