"""Poll answers: each learner's answer saved as its own file, gathered into one table.

Every answer is its own small JSON file in ``<folder>/<poll_id>/``, written
atomically, so many learners can answer into one shared folder at once without
overwriting each other, and a file copied halfway is skipped, not fatal.
:func:`save_poll_answer` writes one and :func:`load_poll_answers` gathers them; the
self-check (``_self_check``) saves its answers the same way. The views are
:class:`mlops_kit.widgets.PollWidget` and :class:`mlops_kit.widgets.SelfCheckForm`,
and :func:`mlops_kit.widgets.poll_chart` charts the answers.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json
from ..errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "POLL_COLUMNS",
    "check_poll_id",
    "load_poll_answers",
    "read_poll_answer",
    "save_poll_answer",
]

#: The columns of :func:`load_poll_answers`.
POLL_COLUMNS = ("poll_id", "choice", "comment", "participant", "submitted_at", "file")
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,100}")


def check_poll_id(poll_id: Any, where: str) -> str:
    """``poll_id`` if it is a simple name, else a ConfigError naming ``where``."""
    if not isinstance(poll_id, str) or not _SLUG.fullmatch(poll_id):
        raise ConfigError(
            f"The 'poll_id' parameter of {where} must be a simple name of letters, digits, "
            f"'-' and '_' (such as 'engage-first-thoughts'). Got {poll_id!r} instead."
        )
    return poll_id


def save_poll_answer(
    folder: str | os.PathLike[str],
    *,
    poll_id: str,
    choice: str,
    comment: str = "",
    participant: str = "",
) -> Path:
    """Save one answer to a poll as its own JSON file and return the file's path.

    Parameters
    ----------
    folder : path
        The shared poll folder; the answer goes into ``folder/<poll_id>/``, which
        is created when needed.
    poll_id : str
        The poll's name: letters, digits, ``-`` and ``_`` only.
    choice : str
        The option chosen; must not be empty.
    comment : str, optional
        A free-text comment.
    participant : str, optional
        The participant's name; empty means anonymous.

    Returns
    -------
    pathlib.Path
        A new file named by the time (UTC) and a random id, so answers never
        overwrite each other. It holds ``poll_id``, ``choice``, ``comment``,
        ``participant`` and ``submitted_at`` (UTC, ISO 8601).

    Raises
    ------
    ConfigError
        When ``poll_id`` is not a simple name or ``choice`` is empty.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = save_poll_answer(folder, poll_id="first-thoughts", choice="Stale model")
    >>> path.parent.name, path.suffix
    ('first-thoughts', '.json')
    >>> answer = json.loads(path.read_text(encoding="utf-8"))
    >>> answer["choice"], answer["participant"]
    ('Stale model', '')
    """
    where = "save_poll_answer"
    check_poll_id(poll_id, where)
    if not isinstance(choice, str) or not choice.strip():
        raise ConfigError(
            f"The 'choice' parameter of {where} must be a non-empty string. Got {choice!r} instead."
        )
    for name, value in (("comment", comment), ("participant", participant)):
        if not isinstance(value, str):
            raise ConfigError(
                f"The '{name}' parameter of {where} must be a string. Got {value!r} instead."
            )
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S%fZ}_{uuid.uuid4().hex}.json"
    record = {
        "poll_id": poll_id,
        "choice": choice.strip(),
        "comment": comment.strip(),
        "participant": participant.strip(),
        "submitted_at": now.isoformat(timespec="seconds"),
    }
    return atomic_write_json(Path(folder) / poll_id / name, record)


def read_poll_answer(path: Path, poll_id: str) -> dict[str, Any] | None:
    """The answer in ``path``, or None when the file is not a valid answer to ``poll_id``."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict):
        return None
    fields = {k: record.get(k) for k in POLL_COLUMNS[:-1]}
    if not all(isinstance(v, str) for v in fields.values()):
        return None
    if fields["poll_id"] != poll_id or not str(fields["choice"]).strip():
        return None
    try:
        stamp = datetime.fromisoformat(str(fields["submitted_at"]))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return None
    return {**fields, "file": str(path)}


def load_poll_answers(
    folder: str | os.PathLike[str], *, poll_id: str | None = None
) -> pd.DataFrame:
    """Gather the answers saved by :func:`save_poll_answer` into one table.

    Parameters
    ----------
    folder : path
        The shared poll folder.
    poll_id : str, optional
        Read only this poll's answers; default every poll in the folder.

    Returns
    -------
    pandas.DataFrame
        One row per answer, oldest first, with columns ``poll_id``, ``choice``,
        ``comment``, ``participant`` (empty when anonymous), ``submitted_at``
        (UTC timestamps) and ``file``. Files that are not valid answers (such as
        one copied halfway, or an answer filed under another poll's folder) are
        skipped and counted in ``df.attrs["skipped"]``, their paths listed in
        ``df.attrs["skipped_files"]``. A folder that does not exist gives an empty
        table.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for choice in ["Stale model", "No fairness check", "Stale model"]:
    ...     _ = save_poll_answer(folder, poll_id="first-thoughts", choice=choice)
    >>> answers = load_poll_answers(folder, poll_id="first-thoughts")
    >>> answers["choice"].value_counts().to_dict()
    {'Stale model': 2, 'No fairness check': 1}
    >>> answers.attrs["skipped"]
    0
    """
    import pandas as pd

    root = Path(folder)
    if poll_id is not None:
        check_poll_id(poll_id, "load_poll_answers")
    if root.exists() and not root.is_dir():
        raise ConfigError(
            f"The 'folder' parameter of load_poll_answers must be a folder. "
            f"Got the file {str(root)!r} instead."
        )
    if poll_id is not None:
        polls = [root / poll_id]
    elif root.is_dir():
        polls = sorted(p for p in root.iterdir() if p.is_dir() and _SLUG.fullmatch(p.name))
    else:
        polls = []
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for poll in polls:
        if not poll.is_dir():
            continue
        # Hidden files are atomic writes still in progress (``.name.json.tmp``).
        for path in sorted(poll.glob("*.json")):
            if path.name.startswith("."):
                continue
            row = read_poll_answer(path, poll.name)
            if row is None:
                skipped.append(str(path))
            else:
                rows.append(row)
    frame = pd.DataFrame(rows, columns=list(POLL_COLUMNS))
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    frame = frame.sort_values(["submitted_at", "file"], kind="stable").reset_index(drop=True)
    frame.attrs["skipped"] = len(skipped)
    frame.attrs["skipped_files"] = tuple(skipped)
    return frame
