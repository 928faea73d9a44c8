"""Where a study lives: storage URLs, opening and closing storages, the budget lock."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError

if TYPE_CHECKING:
    import optuna

__all__ = ["journal_storage_url"]

_STORAGE_RULE = (
    "must be None (in memory), sqlite:///<file> (resumable), journal://<file> (several "
    "worker processes on one machine) or a postgresql:// or mysql:// URL (several machines)"
)


def journal_storage_url(path: str | os.PathLike[str]) -> str:
    """The ``storage`` URL of an Optuna journal file at ``path`` (made absolute).

    Examples
    --------
    >>> journal_storage_url("/tmp/study.log")
    'journal:///tmp/study.log'
    """
    return "journal://" + Path(path).resolve().as_posix()


def _mask_password(url: str) -> str:
    """Hide the password in ``scheme://user:password@host/db``.

    Examples
    --------
    >>> _mask_password("postgresql://ana:s3cret@db.example/optuna")
    'postgresql://ana:***@db.example/optuna'
    """
    return re.sub(r"^([^:/]+://[^:/@]*):[^@]*@", r"\1:***@", url)


@dataclass(frozen=True)
class _StorageSpec:
    kind: Literal["memory", "journal", "sqlite", "server"]
    url: str | None  # normalised URL to open (journal and SQLite paths made absolute)
    path: str | None  # the file, for journal and SQLite storages

    @property
    def shown(self) -> str | None:
        return None if self.url is None else _mask_password(self.url)


def _parse_storage(storage: str | None) -> _StorageSpec:
    if storage is None:
        return _StorageSpec("memory", None, None)
    if not isinstance(storage, str):
        raise ConfigError(f"Config key 'tuning.storage' {_STORAGE_RULE}; got {storage!r}.")
    text = storage.strip()
    if text.startswith("journal://") and len(text) > len("journal://"):
        path = os.path.abspath(text[len("journal://") :])
        return _StorageSpec("journal", "journal://" + path, path)
    if text.startswith("sqlite:///") and text[len("sqlite:///") :] not in ("", ":memory:"):
        path = os.path.abspath(text[len("sqlite:///") :])
        return _StorageSpec("sqlite", "sqlite:///" + path, path)
    scheme = text.split("://", 1)[0].split("+", 1)[0].lower() if "://" in text else ""
    if scheme in ("postgresql", "mysql") and len(text) > len(text.split("://", 1)[0]) + 3:
        return _StorageSpec("server", text, None)
    raise ConfigError(
        f"Config key 'tuning.storage' {_STORAGE_RULE}; got {_mask_password(storage)!r}."
    )


def _open_storage(spec: _StorageSpec) -> Any:
    """An Optuna storage object for ``spec`` (None: in memory)."""
    import optuna

    if spec.kind == "memory" or spec.url is None:
        return None
    if spec.path is not None:
        Path(spec.path).parent.mkdir(parents=True, exist_ok=True)
    if spec.kind == "journal":
        from optuna.storages.journal import JournalFileBackend

        assert spec.path is not None
        return optuna.storages.JournalStorage(JournalFileBackend(spec.path))
    return optuna.storages.RDBStorage(spec.url)


def _close_storage(storage: Any) -> None:
    """Release a relational storage's connections (SQLite files stay open otherwise)."""
    if storage is None:
        return
    with contextlib.suppress(AttributeError):
        storage.remove_session()
    engine = getattr(storage, "engine", None)
    if engine is not None:
        engine.dispose()


def _lock_path(spec: _StorageSpec, study_name: str) -> str | None:
    """Where the budget lock lives: next to a study file, else in the temporary folder.

    None in memory: one process, nobody to race.
    """
    if spec.kind == "memory":
        return None
    if spec.path is not None:
        return f"{spec.path}.tune.lock"
    key = hashlib.sha256(f"{spec.url}\n{study_name}".encode()).hexdigest()[:20]
    return os.path.join(tempfile.gettempdir(), f"mlops-kit-tune-{key}.lock")


def _budget_lock(path: str | None) -> Any:
    """A lock every local worker takes while it checks the budget and starts a trial.

    Checking "fewer than n_trials finished or running" and then creating a trial must
    happen as one step, or two workers can both see room for the last trial and run one
    too many. The lock is a file, so it holds across processes on this machine; workers
    on other machines sharing a database study are not covered by it.
    """
    if path is None:
        return contextlib.nullcontext()
    from filelock import FileLock

    return FileLock(path)


def _check_study(
    study: optuna.Study, name: str, spec: _StorageSpec, *, model: str, task: str, metric: str
) -> None:
    """Tag a new study with what it tunes; refuse a stored study made for something else."""
    wanted = {"model": model, "task": task, "metric": metric}
    found = study.user_attrs.get("mlops_kit")
    if found is None:
        study.set_user_attr("mlops_kit", wanted)
        return
    if found != wanted:
        raise ConfigError(
            f"Config key 'tuning.study_name' names study '{name}' in {spec.shown}, which tunes "
            f"model '{found.get('model')}' ({found.get('task')}) for metric "
            f"'{found.get('metric')}'; this run tunes model '{model}' ({task}) for '{metric}'. "
            "Choose another study_name or storage."
        )
