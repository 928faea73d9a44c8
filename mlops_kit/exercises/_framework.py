"""The exercise framework: questions, automatic checks, specific feedback and hints.

An *exercise* is a registered set of *questions*. Each question has a checker: a
function ``checker(answer, data) -> Feedback`` that compares a learner's answer with
the expected one, computed from the exercise's data, and recognises the usual
mistakes so the feedback can say what went wrong ("that is recall, not precision")
instead of only "wrong".

Learners only call :func:`check` and :func:`hint`. Exercise authors build checkers
from the helpers below (:func:`check_number`, :func:`check_mapping`,
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
import enum
import html
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import ConfigError

__all__ = [
    "TOLERANCE",
    "AnswerTypeError",
    "Exercise",
    "Feedback",
    "Mistake",
    "Question",
    "Status",
    "as_mapping",
    "as_number",
    "as_text",
    "check",
    "check_choice",
    "check_mapping",
    "check_number",
    "correct",
    "describe",
    "hint",
    "is_close",
    "join_words",
    "list_exercises",
    "load_exercise_data",
    "not_yet",
    "questions",
    "register_exercise",
]

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
    """

    id: str
    title: str
    questions: tuple[Question, ...]
    load_data: Callable[[], Any] | None = field(default=None, repr=False)

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


# ---------------------------------------------------------------------------------------
# Helpers for checkers
# ---------------------------------------------------------------------------------------


class AnswerTypeError(TypeError):
    """An answer of the wrong type; :func:`check` turns it into feedback, never a traceback."""


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def join_words(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as ``"a, b and c"``.

    Examples
    --------
    >>> join_words(["Group B"]), join_words(["Group B", "Group C", "Group D"])
    ('Group B', 'Group B, Group C and Group D')
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def describe(value: Any) -> str:
    """What ``value`` is, in words a learner recognises, for "got ..." messages.

    Examples
    --------
    >>> import pandas as pd
    >>> describe(pd.DataFrame({"a": [1, 2]})), describe("0.5"), describe(0.5)
    ('a DataFrame (2 rows, 1 column)', "a string ('0.5')", 'the number 0.5')
    """
    import pandas as pd

    if value is None:
        return "None"
    if isinstance(value, bool | np.bool_):
        return f"a bool ({bool(value)})"
    if isinstance(value, pd.DataFrame):
        rows, cols = value.shape
        return f"a DataFrame ({_plural(rows, 'row')}, {_plural(cols, 'column')})"
    if isinstance(value, pd.Series):
        return f"a Series of {len(value)} value{'s' if len(value) != 1 else ''}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, numbers.Real):
        return f"the number {float(value):g}"
    if isinstance(value, dict):
        return f"a dict of {len(value)} entr{'ies' if len(value) != 1 else 'y'}"
    if isinstance(value, list | tuple | set):
        kind = type(value).__name__
        return f"{_article(kind)} of {len(value)} item{'s' if len(value) != 1 else ''}"
    return _article(type(value).__name__)


def _single_value_tip(value: Any) -> str:
    import pandas as pd

    size = len(value) if isinstance(value, pd.Series | list | tuple | np.ndarray) else None
    if size == 1:
        return " It holds one value: take it out with `.item()` (or `[0]` for a list)."
    return ""


def as_number(answer: Any, *, expected: str = "a number", allow_nan: bool = False) -> float:
    """``answer`` as a float: a Python or NumPy number, or a 0-d array.

    Raises
    ------
    AnswerTypeError
        For anything else, naming what was expected and what was received.

    Examples
    --------
    >>> import numpy as np
    >>> as_number(np.float32(0.25)), as_number(np.array(0.5))
    (0.25, 0.5)
    >>> try:
    ...     as_number([0.5], expected="a number between 0 and 1")
    ... except AnswerTypeError as exc:
    ...     print(exc)
    Expected a number between 0 and 1; got a list of 1 item. It holds one value:
    take it out with `.item()` (or `[0]` for a list).
    """
    value: float | None = None
    is_number = isinstance(answer, numbers.Real) or (
        isinstance(answer, np.ndarray) and answer.ndim == 0 and answer.dtype.kind in "iuf"
    )
    if is_number and not isinstance(answer, bool | np.bool_):
        value = float(answer)
    if value is None:
        tip = _single_value_tip(answer)
        if isinstance(answer, str):
            try:
                float(answer)
                tip = " Remove the quotes so that Python sees a number."
            except ValueError:
                pass
        raise AnswerTypeError(f"Expected {expected}; got {describe(answer)}.{tip}")
    if math.isnan(value) and not allow_nan:
        raise AnswerTypeError(
            f"Expected {expected}; got NaN (not a number), which often comes from dividing "
            "by zero. Check that the rows you divide by are not empty."
        )
    if math.isinf(value):
        raise AnswerTypeError(
            f"Expected {expected}; got {value}, which comes from dividing by zero."
        )
    return value


def as_text(answer: Any, *, expected: str = "a string") -> str:
    """``answer`` as a stripped string.

    Raises
    ------
    AnswerTypeError
        When ``answer`` is not a string.
    """
    if isinstance(answer, str):
        return answer.strip()
    if isinstance(answer, np.str_):
        return str(answer).strip()
    raise AnswerTypeError(f"Expected {expected}; got {describe(answer)}.")


def as_mapping(answer: Any, *, expected: str = "a dict or pandas Series") -> dict[str, float]:
    """``answer`` (a dict or pandas Series of numbers) as a dict of str to float.

    Group labels become strings; a value that is undefined for a group may be NaN.

    Raises
    ------
    AnswerTypeError
        When ``answer`` is not a mapping or Series, or a value is not a number.

    Examples
    --------
    >>> import pandas as pd
    >>> as_mapping(pd.Series({"a": 0.5, "b": 1}))
    {'a': 0.5, 'b': 1.0}
    """
    import pandas as pd

    if isinstance(answer, pd.Series | Mapping):
        items = list(answer.items())
    else:
        tip = ""
        if isinstance(answer, pd.DataFrame):
            tip = " Select the one column you need, for example `table['recall']`."
        elif isinstance(answer, list | tuple | np.ndarray):
            tip = " Give each value with its group's name, for example `{'Group A': 0.1, ...}`."
        raise AnswerTypeError(f"Expected {expected}; got {describe(answer)}.{tip}")
    out: dict[str, float] = {}
    for key, value in items:
        out[str(key).strip()] = as_number(
            value, expected=f"a number for group {str(key)!r}", allow_nan=True
        )
    return out


def is_close(a: float, b: float, tol: float = TOLERANCE) -> bool:
    """Whether two numbers agree within ``tol`` (two NaNs agree: both undefined).

    Examples
    --------
    >>> is_close(0.5548, 0.555), is_close(0.55, 0.5548)
    (True, False)
    """
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tol


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer and what to say when a learner gives it.

    ``value`` is what the mistake produces on the exercise data (a number, or a
    mapping of group to number); ``None`` means this mistake cannot be told apart
    from the right answer on this data, so it is skipped.
    """

    value: Any
    message: str


def _format_range(lower: float, upper: float) -> str:
    return f"a number between {lower:g} and {upper:g}"


def check_number(
    answer: Any,
    expected: float,
    *,
    what: str,
    correct_message: str,
    mistakes: Sequence[Mistake] = (),
    lower: float = 0.0,
    upper: float = 1.0,
    tol: float = TOLERANCE,
) -> Feedback:
    """Compare a numeric answer with ``expected``, recognising common mistakes.

    In order: the right answer (within ``tol``); each mistake whose value differs
    from the right answer; a percentage of the right answer (when the range is 0 to
    1); a value outside ``lower``..``upper``; a value close enough to have been
    rounded too far; otherwise a plain "not yet".

    Examples
    --------
    >>> m = [Mistake(0.25, "That is recall, not precision.")]
    >>> check_number(0.25, 0.6, what="precision", correct_message="Yes.", mistakes=m).message
    'That is recall, not precision.'
    >>> print(check_number(60, 0.6, what="precision", correct_message="Yes.").message)
    That looks like a percentage (60): give the precision as a proportion between 0
    and 1 instead, that is divided by 100.
    """
    value = as_number(answer, expected=_format_range(lower, upper))
    if is_close(value, expected, tol):
        return correct(correct_message)
    for mistake in mistakes:
        if mistake.value is None or is_close(float(mistake.value), expected, tol):
            continue
        if is_close(value, float(mistake.value), tol):
            return not_yet(mistake.message)
    proportion = (lower, upper) == (0.0, 1.0)
    if proportion and 1 < value <= 100 and abs(value / 100 - expected) <= 0.005:
        return not_yet(
            f"That looks like a percentage ({value:g}): give the {what} as a proportion "
            f"between 0 and 1 instead, that is divided by 100."
        )
    if not lower <= value <= upper:
        tip = " If it is a percentage, divide it by 100." if proportion and 1 < value <= 100 else ""
        return not_yet(
            f"Expected {_format_range(lower, upper)} for the {what}; got {value:g}.{tip}"
        )
    if abs(value - expected) <= 10 * tol:
        return not_yet(
            f"Close, but {value:g} is not within {tol:g} of the {what}. Did you round it? "
            "Give at least three decimal places, or the unrounded value."
        )
    return not_yet(f"{value:g} is not the {what} yet.")


def check_mapping(
    answer: Any,
    expected: Mapping[str, float],
    *,
    what: str,
    correct_message: str,
    mistakes: Sequence[Mistake] = (),
    tol: float = TOLERANCE,
) -> Feedback:
    """Compare a per-group answer (dict or Series) with ``expected``, group by group.

    Names missing and unexpected groups, recognises mistakes that affect every
    group alike (such as giving flag rates instead of recall), spots percentages,
    and otherwise names the groups whose values are not right yet.

    Examples
    --------
    >>> exp = {"a": 0.5, "b": 0.25}
    >>> check_mapping({"a": 0.5}, exp, what="recall", correct_message="Yes.").message
    'Missing group: b. The groups are a and b.'
    >>> check_mapping({"a": 0.5, "b": 0.3}, exp, what="recall", correct_message="Yes.").message
    'The recall for b is not right yet; the other groups are right.'
    """
    values = as_mapping(answer, expected=f"a dict or pandas Series of {what} by group")
    missing = [k for k in expected if k not in values]
    extra = [k for k in values if k not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"Missing group{'s' if len(missing) > 1 else ''}: {join_words(missing)}.")
        if extra:
            parts.append(
                f"Unexpected group{'s' if len(extra) > 1 else ''}: {join_words(extra)}"
                + (" (names must match the data exactly)." if missing else ".")
            )
        parts.append(f"The groups are {join_words(list(expected))}.")
        return not_yet(" ".join(parts))
    wrong = [k for k in expected if not is_close(values[k], expected[k], tol)]
    if not wrong:
        return correct(correct_message)
    for mistake in mistakes:
        if mistake.value is None:
            continue
        other = {str(k): float(v) for k, v in dict(mistake.value).items()}
        if all(is_close(other.get(k, math.nan), expected[k], tol) for k in expected):
            continue
        if all(is_close(values[k], other.get(k, math.nan), tol) for k in expected):
            return not_yet(mistake.message)
    finite = [k for k in expected if not math.isnan(values[k])]
    if (
        finite
        and any(values[k] > 1 for k in finite)
        and all(abs(values[k] / 100 - expected[k]) <= 0.005 for k in finite)
    ):
        return not_yet(
            f"Those look like percentages: give each group's {what} as a proportion "
            "between 0 and 1, that is divided by 100."
        )
    if len(wrong) == len(expected):
        return not_yet(f"None of the values match the {what} of its group yet.")
    verb = "is" if len(wrong) == 1 else "are"
    return not_yet(
        f"The {what} for {join_words(wrong)} {verb} not right yet; the other groups are right."
    )


def _normalise_choice(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def check_choice(
    answer: Any,
    *,
    right: str,
    options: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> Feedback:
    """Check a multiple-choice answer given as a string.

    Parameters
    ----------
    right : str
        The correct option.
    options : mapping of option to message
        Every option, in the order shown to learners, with the feedback for choosing
        it (for ``right``, the message that explains why it is right).
    aliases : mapping, optional
        Other spellings of options ("auc" for "roc_auc"), compared after lower-casing
        and turning spaces and hyphens into underscores.

    Examples
    --------
    >>> opts = {"precision": "Yes.", "recall": "Recall counts caught cases."}
    >>> check_choice("Recall", right="precision", options=opts).message
    'Recall counts caught cases.'
    """
    shown = ", ".join(repr(o) for o in options)
    text = as_text(answer, expected=f"one of {shown} as a string")
    key = _normalise_choice(text)
    key = (aliases or {}).get(key, key)
    if key == right:
        return correct(options[right])
    if key in options:
        return not_yet(options[key])
    return not_yet(f"{text!r} is not one of the options; choose one of {shown}.")
