"""Building blocks for checkers: read an answer of any sensible type, compare it with the
expected value, and recognise the usual mistakes so the feedback can name them.

A wrong type raises :class:`AnswerTypeError`, which :func:`mlops_kit.exercises.check`
turns into feedback ("Expected a number between 0 and 1; got a DataFrame ..."), never
into a traceback.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._feedback import TOLERANCE, AnswerTypeError, Feedback, correct, not_yet

__all__ = [
    "Mistake",
    "as_mapping",
    "as_number",
    "as_text",
    "check_choice",
    "check_mapping",
    "check_number",
    "describe",
    "is_close",
    "join_words",
]


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
