"""The exercise framework: questions, automatic checks, specific feedback and hints.

An *exercise* is a registered set of *questions*. Each question has a checker: a
function ``checker(answer, data) -> Feedback`` that compares a learner's answer with
the expected one, computed from the exercise's data, and recognises the usual
mistakes so the feedback can say what went wrong ("that is recall, not precision")
instead of only "wrong".

Learners only call :func:`check` and :func:`hint`. Exercise authors build checkers
from the helpers in ``_checks.py`` (:func:`check_number`, :func:`check_mapping`,
:func:`check_choice`, or :func:`as_number` / :func:`as_text` / :func:`as_mapping`
with :func:`correct` and :func:`not_yet` for anything else) and register an
:class:`Exercise` in ``mlops_kit/exercises/__init__.py``.

Two promises to learners:

* An empty answer (``None``, ``...`` or an empty string) is never an error. It gives
  "Not answered yet" and the hint, so a learner notebook runs from top to bottom
  under papermill before anyone has answered anything.
* An answer of the wrong type is never a traceback. It gives feedback naming what was
  expected and what was received: "Expected a number between 0 and 1; got a DataFrame
  (3 rows, 2 columns)."
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ConfigError
from ._checks import describe
from ._feedback import AnswerTypeError, Feedback, Status, not_yet

__all__ = [
    "Checker",
    "Exercise",
    "Question",
    "check",
    "exercise_terms",
    "hint",
    "list_exercises",
    "load_exercise_data",
    "questions",
    "register_exercise",
]

Checker = Callable[[Any, Any], Feedback]


@dataclass(frozen=True)
class Question:
    """One question of an exercise.

    Attributes
    ----------
    id : str
        ``"<exercise id>.<name>"``, such as ``"choose_metrics.q1"``.
    prompt : str
        The question in one line, for listings.
    checker : callable
        ``checker(answer, data) -> Feedback``, where ``data`` is what the exercise's
        ``load_data`` returns (or ``None``). It may raise :class:`AnswerTypeError`,
        which :func:`check` turns into feedback. It is never called with an empty answer.
    hint : str
        Shown when the question is unanswered or the answer is not yet correct.
    """

    id: str
    prompt: str
    checker: Checker = field(repr=False)
    hint: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", str(self.id)):
            raise ConfigError(
                "A question id must look like 'exercise_id.name' (lower case letters, digits "
                f"and underscores). Got {self.id!r} instead."
            )
        if not callable(self.checker):
            raise ConfigError(
                f"The checker of question {self.id!r} must be callable. "
                f"Got {describe(self.checker)} instead."
            )
        if not self.hint.strip():
            raise ConfigError(f"Question {self.id!r} needs a hint; got an empty one.")


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: its questions and the data they are checked against.

    Attributes
    ----------
    id : str
        Short name, such as ``"choose_metrics"``; every question id starts with it.
    title : str
        The exercise's title, for listings.
    questions : tuple of Question
        In the order the notebook asks them.
    load_data : callable, optional
        Returns the exercise's fixed data (a fresh copy each call). Checkers receive
        it, so expected answers are computed from the data rather than written down.
    terms : tuple of (term, meaning)
        The terms (or tools) the exercise uses, in plain words, shown to the novice
        track as pop-outs (:func:`exercise_terms`).
    """

    id: str
    title: str
    questions: tuple[Question, ...]
    load_data: Callable[[], Any] | None = field(default=None, repr=False)
    terms: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if not self.questions:
            raise ConfigError(f"Exercise {self.id!r} must have at least one question.")
        ids = [q.id for q in self.questions]
        stray = [i for i in ids if i.partition(".")[0] != self.id]
        if stray:
            raise ConfigError(
                f"Every question id of exercise {self.id!r} must start with '{self.id}.'. "
                f"Got {', '.join(stray)} instead."
            )
        empty = [t for t, meaning in self.terms if not str(t).strip() or not str(meaning).strip()]
        if empty:
            raise ConfigError(
                f"Every term of exercise {self.id!r} needs a name and a meaning. "
                f"Got an empty one for {', '.join(repr(t) for t in empty)}."
            )
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ConfigError(
                f"Question ids must be unique within exercise {self.id!r}. "
                f"Repeated: {', '.join(repeated)}."
            )


_EXERCISES: dict[str, Exercise] = {}


def register_exercise(exercise: Exercise) -> Exercise:
    """Make ``exercise`` available to :func:`check`, :func:`hint` and :func:`questions`.

    Registering the same id again replaces the earlier exercise (so reloading a
    module while writing an exercise works).
    """
    if not isinstance(exercise, Exercise):
        raise ConfigError(f"register_exercise needs an Exercise. Got {describe(exercise)} instead.")
    _EXERCISES[exercise.id] = exercise
    return exercise


def list_exercises() -> list[str]:
    """Ids of the registered exercises, in the order they were registered.

    Examples
    --------
    >>> "choose_metrics" in list_exercises()
    True
    """
    return list(_EXERCISES)


def _exercise(exercise_id: Any) -> Exercise:
    try:
        return _EXERCISES[exercise_id]
    except (KeyError, TypeError):
        valid = list(_EXERCISES)
        close = difflib.get_close_matches(str(exercise_id), valid, n=1)
        raise ConfigError(
            f"There is no exercise {exercise_id!r}. Valid exercise ids: {', '.join(valid)}."
            + (f" Did you mean {close[0]!r}?" if close else "")
        ) from None


def _question(question_id: Any) -> tuple[Exercise, Question]:
    if isinstance(question_id, str):
        exercise = _EXERCISES.get(question_id.partition(".")[0])
        if exercise is not None:
            for q in exercise.questions:
                if q.id == question_id:
                    return exercise, q
    valid = [q.id for ex in _EXERCISES.values() for q in ex.questions]
    close = difflib.get_close_matches(str(question_id), valid, n=1)
    raise ConfigError(
        f"There is no question {question_id!r}. Valid question ids: {', '.join(valid)}."
        + (f" Did you mean {close[0]!r}?" if close else "")
    )


def questions(exercise_id: str) -> list[Question]:
    """The questions of an exercise, in order.

    Raises
    ------
    ConfigError
        No exercise has that id; the message lists the valid ids.

    Examples
    --------
    >>> [q.id for q in questions("choose_metrics")][:2]
    ['choose_metrics.q1', 'choose_metrics.q2']
    """
    return list(_exercise(exercise_id).questions)


def exercise_terms(exercise_id: str) -> dict[str, str]:
    """The terms an exercise uses, in plain words, for the novice track's pop-outs.

    In a notebook: ``track_guide(track).terms(exercise_terms("choose_metrics"))``.

    Raises
    ------
    ConfigError
        No exercise has that id, or the exercise lists no terms.

    Examples
    --------
    >>> list(exercise_terms("choose_metrics"))[:2]
    ['accuracy', 'precision']
    """
    exercise = _exercise(exercise_id)
    if not exercise.terms:
        raise ConfigError(f"Exercise {exercise_id!r} lists no terms to explain.")
    return dict(exercise.terms)


def load_exercise_data(exercise_id: str) -> Any:
    """The fixed data an exercise is answered and checked on (a fresh copy each call).

    Raises
    ------
    ConfigError
        No exercise has that id, or the exercise has no data.
    """
    exercise = _exercise(exercise_id)
    if exercise.load_data is None:
        raise ConfigError(f"Exercise {exercise_id!r} has no data to load.")
    return exercise.load_data()


def hint(question_id: str) -> str:
    """The hint for a question.

    Raises
    ------
    ConfigError
        No question has that id; the message lists the valid ids.

    Examples
    --------
    >>> hint("choose_metrics.q1").startswith("Think about")
    True
    """
    return _question(question_id)[1].hint


def _is_placeholder(answer: Any) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


def check(question_id: str, answer: Any, *, data: Any = None) -> Feedback:
    """Check an answer and return specific feedback with a hint.

    Parameters
    ----------
    question_id : str
        Such as ``"choose_metrics.q2"``; see :func:`questions`.
    answer : object
        The learner's answer. ``None``, ``...`` or an empty string means "not
        answered yet" and is never an error.
    data : object, optional
        Check against this data instead of the exercise's own (for facilitators and
        tests, to see how the checks behave on other data).

    Returns
    -------
    Feedback
        Renders in a notebook with the status in words, the message and the hint.

    Raises
    ------
    ConfigError
        Only when ``question_id`` is unknown; the message lists the valid ids.

    Examples
    --------
    >>> check("choose_metrics.q1", None).status
    <Status.UNANSWERED: 'unanswered'>
    >>> print(check("choose_metrics.q1", 3))
    ✗ Not yet (choose_metrics.q1)
    Expected one of 'accuracy', 'precision', 'recall', 'f1', 'roc_auc' as a string;
    got the number 3.
    Hint: Think about what each flag costs: ...
    """
    exercise, question = _question(question_id)
    if _is_placeholder(answer):
        return Feedback(
            question.id,
            Status.UNANSWERED,
            "Replace `None` with your answer in the cell above, then run both cells again.",
            question.hint,
        )
    try:
        if data is None and exercise.load_data is not None:
            data = exercise.load_data()
        feedback = question.checker(answer, data)
    except AnswerTypeError as exc:
        feedback = not_yet(str(exc))
    return replace(
        feedback,
        question_id=question.id,
        hint=None if feedback.correct else (feedback.hint or question.hint),
    )
