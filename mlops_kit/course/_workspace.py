"""Where a lesson writes in its working folder, so that lessons share one folder, and re-run.

A workshop runs every lesson in order in one copy of the workbook, and a learner runs a
lesson again after changing a parameter. What a lesson writes must therefore neither
collide with another lesson's files nor meet its own earlier results with other settings:

* :func:`keyed_path` names a file or folder after the settings that made it
  (``review/queue.jsonl`` becomes ``review/queue-<key>.jsonl``): the same settings find
  their earlier file and resume it, changed settings get a new one beside it, and
  nothing is deleted;
* :func:`new_folder` makes a fresh, numbered folder (``runs/by-hand-1``,
  ``runs/by-hand-2``) for work that is never resumed, such as a run folder whose model
  is registered.

(A continuous-training replay is keyed by its config: see
:func:`mlops_kit.continuous.replay_folder`.)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["keyed_path", "new_folder", "settings_key"]

_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def settings_key(**settings: Any) -> str:
    """A short key that names a set of settings: the same settings always give the same key.

    The settings are written as sorted JSON (values that JSON cannot hold as their
    ``str``) and hashed with SHA-256; the key is the first 8 hex digits.

    Raises
    ------
    ConfigError
        No settings were given (there would be nothing to tell runs apart).

    Examples
    --------
    >>> settings_key(seed=0, sample_rows=2000) == settings_key(sample_rows=2000, seed=0)
    True
    >>> settings_key(seed=0) == settings_key(seed=1)
    False
    >>> len(settings_key(model="hgb"))
    8
    """
    if not settings:
        raise ConfigError(
            "settings_key needs at least one setting (keyword argument) to name. Got none."
        )
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def keyed_path(path: str | os.PathLike[str], **settings: Any) -> Path:
    """``path`` with the key of ``settings`` added to its name, before any suffix.

    Nothing is created. A lesson that writes ``keyed_path("review/queue.jsonl",
    model=model, seed=seed)`` resumes its queue when it runs again with the same
    settings and starts a new queue beside it when a setting changes.

    Raises
    ------
    ConfigError
        No settings were given.

    Examples
    --------
    >>> keyed_path("review/queue.jsonl", model="hgb", seed=0).as_posix()
    'review/queue-61fed870.jsonl'
    >>> keyed_path("tuning/study.log", seed=0) == keyed_path("tuning/study.log", seed=1)
    False
    """
    target = Path(path)
    key = settings_key(**settings)
    return target.with_name(f"{target.stem}-{key}{target.suffix}")


def new_folder(parent: str | os.PathLike[str], label: str) -> Path:
    """Create a new, empty folder ``<parent>/<label>-<n>`` and return it.

    ``n`` is one more than the highest number already used, so a folder made earlier is
    never written into again (its files may be on record, for example as a registered
    model's run). ``parent`` is created when needed.

    Raises
    ------
    ConfigError
        ``label`` is not a plain folder name (letters, digits, ``-``, ``_`` and ``.``,
        starting with a letter or digit).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     first, second = new_folder(parent, "by-hand"), new_folder(parent, "by-hand")
    ...     print(first.name, second.name, second.is_dir())
    by-hand-1 by-hand-2 True
    """
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise ConfigError(
            "The 'label' parameter of new_folder must be a plain folder name (letters, "
            f"digits, '-', '_' and '.', starting with a letter or digit). Got {label!r} instead."
        )
    base = Path(parent)
    base.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(re.escape(label) + r"-(\d+)")
    used = [int(m.group(1)) for p in base.iterdir() if (m := pattern.fullmatch(p.name))]
    number = max(used, default=0) + 1
    while True:
        folder = base / f"{label}-{number}"
        try:
            folder.mkdir()
        except FileExistsError:  # another kernel took it first
            number += 1
            continue
        return folder
