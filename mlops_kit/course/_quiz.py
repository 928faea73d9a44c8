"""Quiz items and their marking: the model behind every matching quiz of the course.

:class:`QuizItem` is one thing to match (a prompt, its right answer, why, and feedback
for the tempting wrong options); :func:`grade_matching` marks answers against the items
and returns a frozen :class:`QuizResult` of :class:`MarkedAnswer` records. The view,
:class:`mlops_kit.widgets.MatchingQuiz`, offers the items as dropdowns and calls it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NOT_ANSWERED",
    "MarkedAnswer",
    "QuizItem",
    "QuizResult",
    "check_items",
    "grade_matching",
    "with_symbol",
]

#: The message of an item left unanswered.
NOT_ANSWERED = "Not answered yet."


@dataclass(frozen=True)
class QuizItem:
    """One thing to match: a prompt, its right answer and what to say about it.

    Parameters
    ----------
    prompt : str
        The scenario or question; unique within a quiz.
    answer : str
        The right option.
    explanation : str
        Why it is right, in one or two sentences.
    feedback : dict of str to str, optional
        A message for a specific wrong option (the tempting mistakes), written to
        follow "Not quite: ".
    """

    prompt: str
    answer: str
    explanation: str
    feedback: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("prompt", "answer", "explanation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(
                    f"The '{name}' field of QuizItem must be a non-empty string. "
                    f"Got {value!r} instead."
                )
        if self.answer in self.feedback:
            raise ConfigError(
                "The 'feedback' field of QuizItem must only hold messages for wrong options. "
                f"Got a message for the right answer {self.answer!r} instead."
            )


class MarkedAnswer(NamedTuple):
    """How one item was answered: the prompt, the answer given, whether it was right, why."""

    prompt: str
    given: str | None
    correct: bool
    message: str


@dataclass(frozen=True)
class QuizResult:
    """The marks of one attempt at a quiz.

    Attributes
    ----------
    score : int
        Number of items answered correctly.
    total : int
        Number of items.
    items : tuple of MarkedAnswer
        One ``(prompt, given, correct, message)`` per item, in quiz order.
    """

    score: int
    total: int
    items: tuple[MarkedAnswer, ...]

    @property
    def unanswered(self) -> int:
        """Number of items without an answer."""
        return sum(item.given is None for item in self.items)

    def summary(self) -> str:
        """The score in words, such as '3 of 5 correct.'

        Examples
        --------
        >>> items = [QuizItem("2 + 2", "4", "Two and two make four."),
        ...          QuizItem("3 + 3", "6", "Three and three make six.")]
        >>> grade_matching({"2 + 2": "4"}, items).summary()
        '1 of 2 correct. 1 not answered yet.'
        """
        text = f"{self.score} of {self.total} correct."
        if self.unanswered:
            text += f" {self.unanswered} not answered yet."
        return text

    def to_frame(self) -> pd.DataFrame:
        """One row per item: prompt, given, correct, message."""
        import pandas as pd

        return pd.DataFrame(
            [item._asdict() for item in self.items],
            columns=["prompt", "given", "correct", "message"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Score, total and the marked items as plain dicts."""
        return {
            "score": self.score,
            "total": self.total,
            "items": [item._asdict() for item in self.items],
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<li>{html.escape(item.prompt)}<br>Your answer: "
            f"{html.escape(item.given or 'none')}. {html.escape(with_symbol(item))}</li>"
            for item in self.items
        )
        return f"<p>{html.escape(self.summary())}</p><ol>{rows}</ol>"


def with_symbol(item: MarkedAnswer) -> str:
    """The message, with a symbol as well as the words for a marked answer."""
    if item.given is None:
        return item.message
    return f"{'✓' if item.correct else '✗'} {item.message}"


def check_items(items: Sequence[QuizItem], where: str) -> tuple[QuizItem, ...]:
    """``items`` as a tuple when they are QuizItem records with different prompts.

    Raises
    ------
    ConfigError
        Naming ``where``: no items, something other than a QuizItem, or a repeated prompt.
    """
    items = tuple(items)
    if not items:
        raise ConfigError(f"The 'items' parameter of {where} must hold at least one QuizItem.")
    wrong = [type(i).__name__ for i in items if not isinstance(i, QuizItem)]
    if wrong:
        raise ConfigError(
            f"The 'items' parameter of {where} must hold QuizItem records. "
            f"Got {', '.join(sorted(set(wrong)))} instead."
        )
    prompts = [i.prompt for i in items]
    repeated = sorted({p for p in prompts if prompts.count(p) > 1})
    if repeated:
        raise ConfigError(
            f"The 'items' parameter of {where} must have a different prompt for each item. "
            f"Got {repeated} more than once instead."
        )
    return items


def grade_matching(answers: Mapping[str, str | None], items: Sequence[QuizItem]) -> QuizResult:
    """Mark a matching exercise.

    Parameters
    ----------
    answers : mapping of prompt to option (or None)
        The option chosen for each item's prompt; a missing prompt or ``None`` is
        unanswered.
    items : sequence of QuizItem
        The items, in the order to report them.

    Returns
    -------
    QuizResult
        Unanswered items count as wrong with the message "Not answered yet.". A right
        answer's message starts "Correct."; a wrong one starts "Not quite: " and gives
        the item's specific feedback for that option, or else the explanation.

    Raises
    ------
    ConfigError
        When ``answers`` names a prompt that is not among the items, or the items
        are empty or share a prompt.

    Examples
    --------
    >>> items = [QuizItem("Rare fraud, few investigators", "precision",
    ...                   "Precision counts how many flags are right.",
    ...                   feedback={"accuracy": "fraud is rare, so accuracy stays high."}),
    ...          QuizItem("Missed surges are dangerous", "recall",
    ...                   "Recall counts how many surges are caught.")]
    >>> result = grade_matching({"Rare fraud, few investigators": "accuracy"}, items)
    >>> result.score, result.total
    (0, 2)
    >>> [item.message for item in result.items]
    ['Not quite: fraud is rare, so accuracy stays high.', 'Not answered yet.']
    """
    items = check_items(items, "grade_matching")
    known = {item.prompt for item in items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ConfigError(
            "The 'answers' parameter of grade_matching must be keyed by the items' prompts. "
            f"Got unknown prompt(s) {unknown} instead."
        )
    marked = []
    for item in items:
        given = answers.get(item.prompt)
        if given is None:
            marked.append(MarkedAnswer(item.prompt, None, False, NOT_ANSWERED))
        elif given == item.answer:
            marked.append(MarkedAnswer(item.prompt, given, True, f"Correct. {item.explanation}"))
        elif given in item.feedback:
            marked.append(
                MarkedAnswer(item.prompt, given, False, f"Not quite: {item.feedback[given]}")
            )
        else:
            message = f"Not quite: {given} is not the best fit here. {item.explanation}"
            marked.append(MarkedAnswer(item.prompt, given, False, message))
    return QuizResult(score=sum(m.correct for m in marked), total=len(marked), items=tuple(marked))
