"""Peer feedback on a team's design: a validated record, saved one file per reviewer.

Each reviewer's feedback on one team is a small JSON file directly in the shared
folder, ``<team>-<hash>--<reviewer>-<hash>.json``, written atomically, so a whole room
can save into one folder (JupyterHub) at once. The file name is fixed by the team and
the reviewer's name, so saving again replaces your own earlier feedback for that team
and never anyone else's. There are no sub-folders, so a shared folder with the sticky
bit (``chmod 1777``) is all a facilitator has to create. :func:`load_feedback`
gathers every file into a table and :func:`peer_levels` turns several reviewers'
scores into one peer level per criterion for :func:`~mlops_kit.course.score_rubric`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json
from ..errors import ConfigError
from ._rubric import RUBRIC, check_levels

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FEEDBACK_COLUMNS",
    "MIN_COMMENT_CHARS",
    "PeerFeedback",
    "feedback_frame",
    "load_feedback",
    "peer_levels",
    "save_feedback",
]

#: The fewest characters a strength or an improvement may have.
MIN_COMMENT_CHARS = 15
_CRITERIA = tuple(c.key for c in RUBRIC)
#: The columns of :func:`load_feedback`.
FEEDBACK_COLUMNS = (
    "team",
    "reviewer",
    *_CRITERIA,
    "strength",
    "improvement",
    "submitted_at",
    "file",
)


def _slug(text: str) -> str:
    """A file-name-safe part for ``text`` plus a hash of it, so different texts never clash."""
    normal = " ".join(text.split()).casefold()
    readable = re.sub(r"[^a-z0-9]+", "-", normal).strip("-")[:40] or "x"
    return f"{readable}-{hashlib.sha256(normal.encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class PeerFeedback:
    """One reviewer's feedback on one team's design, validated when it is made.

    Parameters
    ----------
    team : str
        The team whose design is reviewed.
    reviewer : str
        The reviewer's name (feedback is named, so it can be discussed).
    scores : mapping of str to int
        A level 0..3 for every rubric criterion (see :data:`RUBRIC`).
    strength : str
        One thing the design does well (at least 15 characters).
    improvement : str
        One thing that would improve it most (at least 15 characters).
    submitted_at : str, optional
        UTC time in ISO 8601; default now.

    Raises
    ------
    ConfigError
        Listing every problem: empty team or reviewer, a missing or unknown criterion,
        a level outside 0..3, a comment too short.

    Examples
    --------
    >>> record = PeerFeedback(
    ...     team="Team Otter", reviewer="Sam Lee",
    ...     scores={"governance": 2, "fairness": 3, "monitoring": 2, "privacy": 1,
    ...             "technical": 2, "communication": 3},
    ...     strength="A clear four-fifths limit on flags.",
    ...     improvement="Name who signs off a release.")
    >>> record.scores["privacy"]
    1
    """

    team: str
    reviewer: str
    scores: Mapping[str, int]
    strength: str
    improvement: str
    submitted_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    def __post_init__(self) -> None:
        where = "PeerFeedback"
        problems: list[str] = []
        for name in ("team", "reviewer"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                problems.append(
                    f"The '{name}' of {where} must be a non-empty name. Got {value!r} instead."
                )
            else:
                object.__setattr__(self, name, " ".join(value.split()))
        for name in ("strength", "improvement"):
            value = getattr(self, name)
            if not isinstance(value, str) or len(value.strip()) < MIN_COMMENT_CHARS:
                problems.append(
                    f"The '{name}' of {where} must be a sentence of at least "
                    f"{MIN_COMMENT_CHARS} characters. Got {value!r} instead."
                )
            else:
                object.__setattr__(self, name, value.strip())
        scores: dict[str, int] = {}
        try:
            scores = check_levels(self.scores, part="scores", where=where)
        except ConfigError as exc:
            problems.extend(exc.problems)
        else:
            missing = [k for k in _CRITERIA if k not in scores]
            if missing:
                problems.append(
                    f"The 'scores' of {where} must give a level for every criterion. "
                    f"Missing: {', '.join(missing)}."
                )
        try:
            stamp = datetime.fromisoformat(str(self.submitted_at))
        except ValueError:
            stamp = None
        if stamp is None or stamp.tzinfo is None:
            problems.append(
                f"The 'submitted_at' of {where} must be an ISO 8601 time with a time zone. "
                f"Got {self.submitted_at!r} instead."
            )
        if problems:
            raise ConfigError("\n".join(problems), problems=tuple(problems))
        object.__setattr__(self, "scores", {k: scores[k] for k in _CRITERIA})

    @property
    def total(self) -> int:
        """The sum of this reviewer's levels."""
        return sum(self.scores.values())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return {
            "team": self.team,
            "reviewer": self.reviewer,
            "scores": dict(self.scores),
            "strength": self.strength,
            "improvement": self.improvement,
            "submitted_at": self.submitted_at,
        }

    def path_in(self, folder: str | os.PathLike[str]) -> Path:
        """The file this record is saved to in ``folder``."""
        return Path(folder) / f"{_slug(self.team)}--{_slug(self.reviewer)}.json"


def save_feedback(record: PeerFeedback, folder: str | os.PathLike[str]) -> Path:
    """Save one reviewer's feedback into the shared folder atomically; return the file.

    The file is ``<folder>/<team>--<reviewer>.json`` (each part a readable name plus a
    hash of the full name), so saving again replaces the same reviewer's earlier
    feedback on that team, and no one else's.

    Raises
    ------
    ConfigError
        When ``record`` is not a :class:`PeerFeedback`, or the file is taken by
        another reviewer or team (refused rather than overwritten).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> record = PeerFeedback("Team Otter", "Sam Lee",
    ...     dict(governance=2, fairness=3, monitoring=2, privacy=1, technical=2,
    ...          communication=3),
    ...     "A clear four-fifths limit on flags.", "Name who signs off a release.")
    >>> path = save_feedback(record, folder)
    >>> save_feedback(record, folder) == path  # saving again replaces your own file
    True
    """
    if not isinstance(record, PeerFeedback):
        raise ConfigError(
            "The 'record' parameter of save_feedback must be a PeerFeedback. "
            f"Got {type(record).__name__} instead."
        )
    path = record.path_in(folder)
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            old = None
        same = (
            isinstance(old, dict)
            and old.get("team") == record.team
            and str(old.get("reviewer", "")).casefold() == record.reviewer.casefold()
        )
        if not same:
            raise ConfigError(
                f"save_feedback will not overwrite {str(path)!r}: it holds feedback that is "
                f"not {record.reviewer!r}'s on {record.team!r}. Ask the facilitator to check "
                "the shared folder."
            )
    return atomic_write_json(path, record.to_dict())


def _read(path: Path) -> PeerFeedback | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PeerFeedback(
            team=data["team"],
            reviewer=data["reviewer"],
            scores=data["scores"],
            strength=data["strength"],
            improvement=data["improvement"],
            submitted_at=data["submitted_at"],
        )
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ConfigError):
        return None


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(FEEDBACK_COLUMNS))
    for key in _CRITERIA:
        frame[key] = frame[key].astype("int64")
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    return frame.sort_values(["submitted_at", "file"], kind="stable").reset_index(drop=True)


def _row(record: PeerFeedback, file: str) -> dict[str, Any]:
    return {
        "team": record.team,
        "reviewer": record.reviewer,
        **record.scores,
        "strength": record.strength,
        "improvement": record.improvement,
        "submitted_at": record.submitted_at,
        "file": file,
    }


def feedback_frame(records: Iterable[PeerFeedback]) -> pd.DataFrame:
    """The table :func:`load_feedback` gives, from records in memory (``file`` is empty).

    Examples
    --------
    >>> record = PeerFeedback("Team Otter", "Sam Lee",
    ...     dict(governance=2, fairness=3, monitoring=2, privacy=1, technical=2,
    ...          communication=3),
    ...     "A clear four-fifths limit on flags.", "Name who signs off a release.")
    >>> feedback_frame([record])[["team", "fairness"]].to_dict("records")
    [{'team': 'Team Otter', 'fairness': 3}]
    """
    rows = []
    for record in records:
        if not isinstance(record, PeerFeedback):
            raise ConfigError(
                "The 'records' parameter of feedback_frame must hold PeerFeedback records. "
                f"Got {type(record).__name__} instead."
            )
        rows.append(_row(record, ""))
    return _table(rows)


def load_feedback(folder: str | os.PathLike[str], *, team: str | None = None) -> pd.DataFrame:
    """Gather every feedback file in the shared folder into one table.

    Parameters
    ----------
    folder : path
        The shared feedback folder; one that does not exist gives an empty table.
    team : str, optional
        Keep only this team's feedback.

    Returns
    -------
    pandas.DataFrame
        One row per reviewer and team, oldest first, with :data:`FEEDBACK_COLUMNS`.
        Files that are not valid feedback (copied halfway, edited by hand) are skipped
        and counted in ``attrs["skipped"]``, their paths in ``attrs["skipped_files"]``.
    """
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise ConfigError(
            "The 'folder' parameter of load_feedback must be a folder. "
            f"Got the file {str(root)!r} instead."
        )
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    # Hidden files are atomic writes still in progress.
    for path in sorted(root.glob("*.json")) if root.is_dir() else []:
        if path.name.startswith("."):
            continue
        record = _read(path)
        if record is None:
            skipped.append(str(path))
        elif team is None or record.team == " ".join(team.split()):
            rows.append(_row(record, str(path)))
    frame = _table(rows)
    frame.attrs["skipped"] = len(skipped)
    frame.attrs["skipped_files"] = tuple(skipped)
    return frame


def peer_levels(feedback: pd.DataFrame, *, team: str) -> dict[str, int]:
    """One peer level per criterion for ``team``: the median of its reviewers, rounded down.

    The median keeps one unusually harsh or generous reviewer from moving the level;
    rounding down matches the rubric's rule that a level must be earned.

    Parameters
    ----------
    feedback : pandas.DataFrame
        The table from :func:`load_feedback`.
    team : str

    Returns
    -------
    dict of str to int
        Empty when no one has reviewed ``team`` yet.
    """
    missing = [c for c in ("team", *_CRITERIA) if c not in feedback.columns]
    if missing:
        raise ConfigError(
            "The 'feedback' parameter of peer_levels must be the table load_feedback gives. "
            f"Missing columns: {', '.join(missing)}."
        )
    rows = feedback[feedback["team"] == " ".join(str(team).split())]
    if rows.empty:
        return {}
    return {key: math.floor(float(rows[key].median())) for key in _CRITERIA}
