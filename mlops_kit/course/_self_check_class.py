"""The class's self-check: every learner's answers gathered, and the change they show.

For the facilitator, :func:`load_self_check` gathers the submissions that
:func:`~mlops_kit.course.save_self_check` (``_self_check``) wrote into the shared poll
folder, one row per learner, moment and question, skipping broken files; and
:func:`self_check_change` gives the class's change (:class:`SelfCheckChange`): the share
right per question before and after, and the paired change of each learner who answered
both times, with a described figure.
"""

from __future__ import annotations

import html
import json
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..figures import PALETTE, DescribedFigure
from ._polls import read_poll_answer
from ._self_check import SELF_CHECK_MOMENTS, SelfCheckQuestion, _questions, learner_key

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "SELF_CHECK_COLUMNS",
    "SelfCheckChange",
    "load_self_check",
    "self_check_change",
]

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


def _read_submission(path: Path, moment: str, qs: tuple[SelfCheckQuestion, ...]) -> Any:
    """The submission in ``path`` as (learner, time, answers), or None when broken."""
    poll_id = f"self-check-{moment}"
    row = read_poll_answer(path, poll_id)
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
    >>> from mlops_kit.course import NOT_SURE, save_self_check, self_check_questions
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
