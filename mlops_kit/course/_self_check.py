"""The diagnostic self-check: the same questions before the session and after it.

Each learner answers :func:`self_check_questions` (``data/course/self_check.yml``) at the
start of the session (lesson 00, moment ``"before"``) and at its end (lesson 11, moment
``"after"``), under a name or an anonymous code they choose, so that the two can be paired.
:func:`save_self_check` writes each submission as its own file in the shared poll folder,
under ``self-check-before/`` or ``self-check-after/``, atomically, in the same form as a
poll answer (its ``choice`` is the score in words), so the poll machinery of
:func:`load_poll_answers` reads it too; :func:`mark_self_check` marks it. For the
facilitator, gathering the class's answers and their change is in ``_self_check_class``.
The view is :class:`mlops_kit.widgets.SelfCheckForm`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .._io import atomic_write_json
from .._resources import resource_path
from ..errors import ConfigError, did_you_mean
from ._polls import check_poll_id
from ._quiz import MarkedAnswer, QuizResult

__all__ = [
    "NOT_SURE",
    "SELF_CHECK_MOMENTS",
    "SelfCheckQuestion",
    "check_moment",
    "learner_key",
    "mark_self_check",
    "save_self_check",
    "self_check_poll_id",
    "self_check_questions",
]

#: The two moments of the self-check, in order.
SELF_CHECK_MOMENTS: tuple[str, ...] = ("before", "after")
Moment = Literal["before", "after"]
#: The option the kit adds to every question, so that nobody has to guess.
NOT_SURE = "I am not sure yet"
_MAX_LEARNER = 60


@dataclass(frozen=True)
class SelfCheckQuestion:
    """One question of the self-check, validated when it is made.

    Attributes
    ----------
    key : str
        A short name (letters, digits, ``-`` and ``_``), unique in the self-check.
    topic : str
        The course concept it checks, for the facilitator's chart.
    question : str
    options : tuple of str
        Two or more different options, one of them the answer.
    answer : str
    explanation : str
        One line on why the answer is right.
    """

    key: str
    topic: str
    question: str
    options: tuple[str, ...]
    answer: str
    explanation: str

    def __post_init__(self) -> None:
        check_poll_id(self.key, "SelfCheckQuestion (its 'key')")
        for name in ("topic", "question", "answer", "explanation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(
                    f"The '{name}' field of self-check question {self.key!r} must be a "
                    f"non-empty string. Got {value!r} instead."
                )
        options = self.options
        if (
            not isinstance(options, tuple)
            or len(options) < 2
            or not all(isinstance(o, str) and o.strip() for o in options)
            or len(set(options)) != len(options)
            or NOT_SURE in options
        ):
            raise ConfigError(
                f"The 'options' field of self-check question {self.key!r} must be a tuple of "
                f"two or more different, non-empty strings other than {NOT_SURE!r}. "
                f"Got {options!r} instead."
            )
        if self.answer not in options:
            raise ConfigError(
                f"The 'answer' field of self-check question {self.key!r} must be one of its "
                f"options. Got {self.answer!r} instead."
            )

    @property
    def choices(self) -> tuple[str, ...]:
        """The options offered: the question's own, then :data:`NOT_SURE`."""
        return (*self.options, NOT_SURE)

    def mark(self, given: str | None) -> MarkedAnswer:
        """Whether ``given`` is right, and why, in words."""
        if given is None:
            return MarkedAnswer(self.question, None, False, "Not answered yet.")
        if given == self.answer:
            return MarkedAnswer(self.question, given, True, f"Correct. {self.explanation}")
        lead = "Not sure yet" if given == NOT_SURE else "Not quite"
        message = f"{lead}: the answer is “{self.answer}”. {self.explanation}"
        return MarkedAnswer(self.question, given, False, message)


def self_check_questions(
    path: str | os.PathLike[str] | None = None,
) -> tuple[SelfCheckQuestion, ...]:
    """The self-check's questions, read from ``data/course/self_check.yml`` by default.

    Raises
    ------
    ConfigError
        When the file is not a ``questions`` list of valid questions with different keys.

    Examples
    --------
    >>> questions = self_check_questions()
    >>> len(questions), questions[0].key
    (8, 'metric')
    >>> questions[0].choices[-1]
    'I am not sure yet'
    """
    import yaml

    source = Path(path) if path is not None else resource_path("data/course/self_check.yml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ConfigError(
            f"The self-check file {str(source)!r} must hold a non-empty 'questions' list. "
            f"Got {type(items).__name__} instead."
        )
    questions = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ConfigError(
                f"Question {i} of {str(source)!r} must be a mapping. Got {item!r} instead."
            )
        fields: dict[str, Any] = {
            k: item.get(k) for k in ("key", "topic", "question", "answer", "explanation")
        }
        options = item.get("options")
        fields["options"] = tuple(options) if isinstance(options, list) else options
        questions.append(SelfCheckQuestion(**fields))
    keys = [q.key for q in questions]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ConfigError(
            f"The self-check file {str(source)!r} must give each question its own key. "
            f"Got {repeated} more than once instead."
        )
    return tuple(questions)


def _questions(questions: Sequence[SelfCheckQuestion] | None) -> tuple[SelfCheckQuestion, ...]:
    return self_check_questions() if questions is None else tuple(questions)


def check_moment(moment: Any, where: str) -> Moment:
    """``moment`` if it is ``"before"`` or ``"after"``, else a ConfigError naming ``where``."""
    if moment not in SELF_CHECK_MOMENTS:
        raise ConfigError(
            f"The 'moment' parameter of {where} must be 'before' (lesson 00) or 'after' "
            f"(lesson 11). Got {moment!r} instead."
            + (did_you_mean(moment, SELF_CHECK_MOMENTS) if isinstance(moment, str) else "")
        )
    checked: Moment = moment
    return checked


def self_check_poll_id(moment: str) -> str:
    """The poll folder's sub-folder for a moment: ``self-check-before`` or ``self-check-after``."""
    return f"self-check-{check_moment(moment, 'self_check_poll_id')}"


def learner_key(learner: str) -> str:
    """How names are compared to pair a learner's answers: spaces collapsed, case ignored.

    Examples
    --------
    >>> learner_key("  Priya   SHAH ") == learner_key("priya shah")
    True
    """
    return " ".join(learner.split()).casefold()


def mark_self_check(
    answers: Mapping[str, str | None], *, questions: Sequence[SelfCheckQuestion] | None = None
) -> QuizResult:
    """Mark answers keyed by question key; each message says why, in words.

    Examples
    --------
    >>> result = mark_self_check({"metric": "Precision", "drift": NOT_SURE})
    >>> result.summary()
    '1 of 8 correct. 6 not answered yet.'
    """
    qs = _questions(questions)
    unknown = sorted(set(answers) - {q.key for q in qs})
    if unknown:
        raise ConfigError(
            "The 'answers' parameter of mark_self_check must be keyed by the questions' keys "
            f"({', '.join(q.key for q in qs)}). Got unknown key(s) {unknown} instead."
        )
    marked = tuple(q.mark(answers.get(q.key)) for q in qs)
    return QuizResult(score=sum(m.correct for m in marked), total=len(marked), items=marked)


def save_self_check(
    folder: str | os.PathLike[str],
    answers: Mapping[str, str],
    *,
    learner: str,
    moment: str,
    questions: Sequence[SelfCheckQuestion] | None = None,
) -> Path:
    """Save one learner's answers to every question as its own file; return its path.

    The file goes to ``folder/self-check-<moment>/`` (named by the time and a random id,
    written atomically). It is also a valid poll answer (``choice`` is the score, such as
    ``"5 of 8 right"``, ``participant`` the learner), with ``moment`` and ``answers`` added.

    Raises
    ------
    ConfigError
        When ``learner`` is empty or longer than 60 characters, ``moment`` is not
        ``"before"`` or ``"after"``, or a question is unanswered or answered with an
        option it does not offer.

    Examples
    --------
    >>> import json, tempfile
    >>> answers = {q.key: q.answer for q in self_check_questions()}
    >>> path = save_self_check(tempfile.mkdtemp(), answers, learner="Owl 7", moment="before")
    >>> path.parent.name, json.loads(path.read_text(encoding="utf-8"))["choice"]
    ('self-check-before', '8 of 8 right')
    """
    where = "save_self_check"
    poll_id = f"self-check-{check_moment(moment, where)}"
    if not isinstance(learner, str) or not learner.strip() or len(learner.strip()) > _MAX_LEARNER:
        raise ConfigError(
            f"The 'learner' parameter of {where} must be your name or a code you will remember "
            f"(1 to {_MAX_LEARNER} characters), to pair your answers before and after the "
            f"session. Got {learner!r} instead."
        )
    qs = _questions(questions)
    problems = _answer_problems(answers, qs)
    if problems:
        raise ConfigError(
            f"The 'answers' parameter of {where} must answer every question with one of its "
            f"options. {' '.join(problems)}",
            problems=tuple(problems),
        )
    result = mark_self_check(answers, questions=qs)
    now = datetime.now(UTC)
    record = {
        "poll_id": poll_id,
        "choice": f"{result.score} of {result.total} right",
        "comment": "",
        "participant": " ".join(learner.split()),
        "submitted_at": now.isoformat(timespec="seconds"),
        "moment": moment,
        "answers": {q.key: answers[q.key] for q in qs},
    }
    name = f"{now:%Y%m%dT%H%M%S%fZ}_{uuid.uuid4().hex}.json"
    return atomic_write_json(Path(folder) / poll_id / name, record)


def _answer_problems(answers: Any, qs: tuple[SelfCheckQuestion, ...]) -> list[str]:
    if not isinstance(answers, Mapping):
        return [f"Got {type(answers).__name__} instead of a mapping."]
    problems = []
    for number, q in enumerate(qs, start=1):
        given = answers.get(q.key)
        if given is None:
            problems.append(f"Question {number} ({q.key}) is not answered.")
        elif given not in q.choices:
            problems.append(f"Question {number} ({q.key}) has {given!r}, not one of its options.")
    unknown = sorted(set(answers) - {q.key for q in qs})
    if unknown:
        problems.append(f"Unknown question key(s): {unknown}.")
    return problems
