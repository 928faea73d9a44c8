"""The diagnostic self-check: the same questions before the session and after it.

Each learner answers :func:`self_check_questions` (``data/course/self_check.yml``) at the
start of the session (lesson 00, moment ``"before"``) and at its end (lesson 11, moment
``"after"``), under a name or an anonymous code they choose, so that the two can be paired.
:func:`save_self_check` writes each submission as its own file in the shared poll folder,
under ``self-check-before/`` or ``self-check-after/``, atomically, in the same form as a
poll answer (its ``choice`` is the score in words), so the poll machinery of
:mod:`mlops_kit.widgets._poll` reads it too. For the facilitator, :func:`load_self_check`
gathers the files and :func:`self_check_change` gives the class's change: the share right
per question before and after, and the paired change of each learner who answered both.
The view is :class:`mlops_kit.widgets.SelfCheckForm`.
"""

from __future__ import annotations

import html
import json
import os
import textwrap
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._io import atomic_write_json
from ..errors import ConfigError, did_you_mean
from ..widgets._poll import _check_poll_id, _read_answer
from ..widgets._quiz import MarkedAnswer, QuizResult

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..plots import DescribedFigure

__all__ = [
    "NOT_SURE",
    "SELF_CHECK_COLUMNS",
    "SELF_CHECK_MOMENTS",
    "SelfCheckChange",
    "SelfCheckQuestion",
    "learner_key",
    "load_self_check",
    "mark_self_check",
    "save_self_check",
    "self_check_change",
    "self_check_poll_id",
    "self_check_questions",
]

#: The two moments of the self-check, in order.
SELF_CHECK_MOMENTS: tuple[str, ...] = ("before", "after")
Moment = Literal["before", "after"]
#: The option the kit adds to every question, so that nobody has to guess.
NOT_SURE = "I am not sure yet"
#: The columns of :func:`load_self_check`.
SELF_CHECK_COLUMNS = (
    "learner",
    "learner_key",
    "moment",
    "question",
    "topic",
    "given",
    "correct",
    "submitted_at",
    "file",
)
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
        _check_poll_id(self.key, "SelfCheckQuestion (its 'key')")
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

    from .._resources import resource_path

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


def _check_moment(moment: Any, where: str) -> Moment:
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
    return f"self-check-{_check_moment(moment, 'self_check_poll_id')}"


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
    poll_id = f"self-check-{_check_moment(moment, where)}"
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


def _read_submission(path: Path, moment: str, qs: tuple[SelfCheckQuestion, ...]) -> Any:
    """The submission in ``path`` as (learner, time, answers), or None when broken."""
    poll_id = f"self-check-{moment}"
    row = _read_answer(path, poll_id)
    if row is None or not str(row["participant"]).strip():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    answers = record.get("answers")
    if record.get("moment") != moment or not isinstance(answers, dict):
        return None
    known = {q.key: q for q in qs}
    # Questions added or removed since the file was written are left out, not fatal.
    kept = {k: v for k, v in answers.items() if k in known}
    if not kept or any(v not in known[k].choices for k, v in kept.items()):
        return None
    return row["participant"], row["submitted_at"], kept


def load_self_check(
    folder: str | os.PathLike[str], *, questions: Sequence[SelfCheckQuestion] | None = None
) -> pd.DataFrame:
    """Gather the class's self-check answers: one row per learner, moment and question.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SELF_CHECK_COLUMNS`. A learner who submitted more than once at a
        moment counts with their latest submission (the earlier ones are counted in
        ``df.attrs["replaced"]``). Files that are not valid submissions (half copied, an
        option the question does not offer, no learner) are skipped and counted in
        ``df.attrs["skipped"]``, their paths in ``df.attrs["skipped_files"]``. A folder
        that does not exist gives an empty table.
    """
    import pandas as pd

    qs = _questions(questions)
    by_key = {q.key: q for q in qs}
    latest: dict[tuple[str, str], tuple[str, str, dict[str, str], str]] = {}
    skipped: list[str] = []
    replaced = 0
    for moment in SELF_CHECK_MOMENTS:
        sub = Path(folder) / f"self-check-{moment}"
        # Hidden files are atomic writes still in progress.
        files = (
            sorted(p for p in sub.glob("*.json") if not p.name.startswith("."))
            if sub.is_dir()
            else []
        )
        for path in files:
            found = _read_submission(path, moment, qs)
            if found is None:
                skipped.append(str(path))
                continue
            learner, stamp, answers = found
            key = (learner_key(learner), moment)
            if key in latest:
                replaced += 1
                if (latest[key][1], latest[key][3]) > (stamp, str(path)):
                    continue
            latest[key] = (learner, stamp, answers, str(path))
    rows = []
    for (lkey, moment), (learner, stamp, answers, file) in latest.items():
        for qkey, given in answers.items():
            q = by_key[qkey]
            rows.append(
                (learner, lkey, moment, qkey, q.topic, given, given == q.answer, stamp, file)
            )
    frame = pd.DataFrame(rows, columns=list(SELF_CHECK_COLUMNS))
    frame["correct"] = frame["correct"].astype(bool)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    order = {q.key: i for i, q in enumerate(qs)}
    frame = (
        frame.assign(
            _m=frame["moment"].map(SELF_CHECK_MOMENTS.index), _q=frame["question"].map(order)
        )
        .sort_values(["_m", "learner_key", "_q"], kind="stable")
        .drop(columns=["_m", "_q"])
        .reset_index(drop=True)
    )
    frame.attrs.update(skipped=len(skipped), skipped_files=tuple(skipped), replaced=replaced)
    return frame


def _share(value: float) -> str:
    return "no answers" if value != value else f"{value:.0%}"  # NaN is not equal to itself


def _points(before: float, after: float) -> str:
    if before != before or after != after:
        return "no change to compare"
    points = round((after - before) * 100)
    return "no change" if points == 0 else f"{points:+d} points"


@dataclass(frozen=True, eq=False)
class SelfCheckChange:
    """The class's change between the self-check before the session and after it.

    Attributes
    ----------
    by_question : pandas.DataFrame
        One row per question, in order: ``question``, ``topic``, ``answered_before``,
        ``share_before`` (share right, NaN with no answers), ``answered_after``,
        ``share_after`` and ``change_points`` (after minus before, in percentage points).
    by_learner : pandas.DataFrame
        One row per learner who answered both times: ``learner``, ``right_before``,
        ``of_before``, ``right_after``, ``of_after`` and ``change`` (questions right after
        minus before).
    learners_before, learners_after : int
        How many learners answered at each moment.
    skipped : int
        Broken files left out (see :func:`load_self_check`).
    """

    by_question: pd.DataFrame
    by_learner: pd.DataFrame
    learners_before: int
    learners_after: int
    skipped: int = 0

    @property
    def paired(self) -> int:
        """How many learners answered both before and after."""
        return len(self.by_learner)

    def summary(self) -> str:
        """The change in words."""
        if not self.learners_before and not self.learners_after:
            text = "No self-check answers yet (none before the session, none after)."
        else:
            after = f"{self.learners_after}" if self.learners_after else "none"
            text = (
                f"{self.learners_before} learner(s) answered the self-check before the session "
                f"and {after} after it; {self.paired} answered both."
            )
        if self.paired:
            bl = self.by_learner
            total = int(bl["of_after"].max())
            up, same = int((bl["change"] > 0).sum()), int((bl["change"] == 0).sum())
            text += (
                f" Paired learners had {bl['right_before'].mean():.1f} right before and "
                f"{bl['right_after'].mean():.1f} after, out of {total}, on average "
                f"({bl['change'].mean():+.1f}): {up} improved, {same} stayed the same and "
                f"{self.paired - up - same} went down."
            )
        if self.skipped:
            text += f" {self.skipped} broken file(s) were skipped."
        return text

    def to_frame(self) -> pd.DataFrame:
        """The per-question table (a copy)."""
        return self.by_question.copy()

    def to_dict(self) -> dict[str, Any]:
        """Counts, the per-question and per-learner rows as plain values (NaN as None)."""

        def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {str(k): (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
                for r in frame.to_dict(orient="records")
            ]

        return {
            "learners_before": self.learners_before,
            "learners_after": self.learners_after,
            "paired": self.paired,
            "skipped": self.skipped,
            "by_question": rows(self.by_question),
            "by_learner": rows(self.by_learner),
        }

    def _question_lines(self) -> list[str]:
        lines = []
        for r in self.by_question.to_dict(orient="records"):
            before, after = float(r["share_before"]), float(r["share_after"])
            first = "no answers before" if before != before else f"{before:.0%} right before"
            lines.append(f"{r['topic']}: {first}, {_share(after)} after ({_points(before, after)})")
        return lines

    def __repr__(self) -> str:
        if not self.learners_before and not self.learners_after:
            return self.summary()
        return "\n".join([self.summary(), *(f"- {line}" for line in self._question_lines())])

    def _repr_html_(self) -> str:
        if not self.learners_before and not self.learners_after:
            return (
                f'<div class="mlops-self-check-change"><p>{html.escape(self.summary())}</p></div>'
            )
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self._question_lines())
        return (
            f'<div class="mlops-self-check-change"><p>{html.escape(self.summary())}</p>'
            f"<p>Share of the class right on each question:</p><ul>{items}</ul></div>"
        )

    def plot(self, ax: Axes | None = None) -> DescribedFigure:
        """Bars of the share right per question, before (hatched) and after (plain).

        Each bar is labelled in words (``before 40%``) and the two moments differ by
        pattern as well as colour; the description gives every share and the change.
        """
        from matplotlib.figure import Figure

        from ..plots import PALETTE, DescribedFigure

        bq = self.by_question
        if ax is None:
            fig = Figure(figsize=(7.5, 1.4 + 0.75 * len(bq)), layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = ax.figure  # type: ignore[assignment]
        styles = {
            "before": {"color": "white", "edgecolor": PALETTE[0], "hatch": "///", "dy": -0.2},
            "after": {"color": PALETTE[0], "edgecolor": "black", "hatch": "", "dy": 0.2},
        }
        for moment, style in styles.items():
            shares = bq[f"share_{moment}"].astype(float)
            y = [i + float(style["dy"]) for i in range(len(bq))]  # type: ignore[arg-type]
            ax.barh(
                y,
                shares.fillna(0.0),
                height=0.38,
                color=style["color"],
                edgecolor=style["edgecolor"],
                hatch=style["hatch"],
                label=moment,
            )
            for yy, share in zip(y, shares, strict=True):
                x = 0.0 if share != share else float(share)
                ax.text(x + 0.01, yy, f"{moment} {_share(share)}", va="center", fontsize=9)
        labels = [textwrap.fill(t, 24) for t in bq["topic"]]
        ax.set_yticks(range(len(bq)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.35)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel("share of the class right")
        ax.set_title("Self-check: share right before and after the session")
        ax.legend(loc="lower right")
        title = "Self-check of the class, before and after the session"
        description = (
            f"Share of the class right on each of the {len(bq)} questions, before the session "
            f"({self.learners_before} learner(s)) and after it ({self.learners_after}): "
            + "; ".join(self._question_lines())
            + ". "
            + self.summary()
        )
        return DescribedFigure(fig, title, description)


def self_check_change(
    answers: pd.DataFrame | str | os.PathLike[str],
    *,
    questions: Sequence[SelfCheckQuestion] | None = None,
) -> SelfCheckChange:
    """The class's change: share right per question before and after, and per learner.

    Parameters
    ----------
    answers : path or pandas.DataFrame
        The shared poll folder, or the table :func:`load_self_check` gave.
    questions : sequence of SelfCheckQuestion, optional
        Default :func:`self_check_questions`.

    Examples
    --------
    >>> import tempfile
    >>> folder, qs = tempfile.mkdtemp(), self_check_questions()
    >>> right = {q.key: q.answer for q in qs}
    >>> _ = save_self_check(folder, right | {"drift": NOT_SURE}, learner="Owl", moment="before")
    >>> _ = save_self_check(folder, right, learner="owl ", moment="after")
    >>> change = self_check_change(folder)
    >>> change.by_learner[["right_before", "right_after", "change"]].values.tolist()
    [[7, 8, 1]]
    """
    import pandas as pd

    qs = _questions(questions)
    if isinstance(answers, pd.DataFrame):
        table = answers
        missing = sorted(set(SELF_CHECK_COLUMNS) - set(table.columns))
        if missing:
            raise ConfigError(
                "The 'answers' parameter of self_check_change must be a folder or the table "
                f"load_self_check gives. Got a table without the columns {missing} instead."
            )
    else:
        table = load_self_check(answers, questions=qs)
    rows = []
    for q in qs:
        row: dict[str, Any] = {"question": q.key, "topic": q.topic}
        for moment in SELF_CHECK_MOMENTS:
            given = table.loc[(table["moment"] == moment) & (table["question"] == q.key)]
            row[f"answered_{moment}"] = len(given)
            row[f"share_{moment}"] = float(given["correct"].mean()) if len(given) else float("nan")
        row["change_points"] = (row["share_after"] - row["share_before"]) * 100
        rows.append(row)
    by_question = pd.DataFrame(rows)
    per: dict[str, dict[str, list[bool]]] = {}
    names: dict[str, str] = {}
    for r in table.sort_values("submitted_at", kind="stable").itertuples():
        per.setdefault(str(r.learner_key), {}).setdefault(str(r.moment), []).append(bool(r.correct))
        names[str(r.learner_key)] = str(r.learner)  # the name as last written
    learners = [
        {
            "learner": names[key],
            "right_before": sum(marks["before"]),
            "of_before": len(marks["before"]),
            "right_after": sum(marks["after"]),
            "of_after": len(marks["after"]),
            "change": sum(marks["after"]) - sum(marks["before"]),
        }
        for key, marks in sorted(per.items())
        if "before" in marks and "after" in marks
    ]
    columns = ["learner", "right_before", "of_before", "right_after", "of_after", "change"]
    by_learner = pd.DataFrame(learners, columns=columns)
    counts = {
        m: table.loc[table["moment"] == m, "learner_key"].nunique() for m in SELF_CHECK_MOMENTS
    }
    return SelfCheckChange(
        by_question=by_question,
        by_learner=by_learner,
        learners_before=int(counts["before"]),
        learners_after=int(counts["after"]),
        skipped=int(table.attrs.get("skipped", 0)),
    )
