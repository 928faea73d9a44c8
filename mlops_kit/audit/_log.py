"""The log itself: safe appends across processes, reading entries, verifying the chain.

Part of :mod:`mlops_kit.audit`; see the package docstring.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from .._io import atomic_write_json
from ..errors import AuditError
from ._entry import (
    AuditEntry,
    AuditEvent,
    _check_actor,
    _check_details,
    _check_event,
    _utc_now,
    entry_hash,
)
from ._verify import AuditVerification, _Finding, _parse_line, _read_head, _scan, _split_lines

if TYPE_CHECKING:
    import pandas as pd

_VERIFY_HINT = "Run `mlops-kit audit verify` to see what is wrong."


def _append_bytes(path: Path, data: bytes) -> None:
    """Append ``data`` with one write (looping only on a partial write) and force it to disk."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


class AuditLog:
    """An append-only, hash-chained JSON-lines audit log with its head stored apart.

    Creating one touches no file; the log, its folder, the lock and the head are
    created by the first :meth:`append`.

    Parameters
    ----------
    path : str or path-like
        The log file (JSON lines), e.g. ``audit/audit.jsonl``.
    head_path : str or path-like, optional
        Where the chain head (last ``seq`` and ``hash``) is kept. Default
        ``<log folder>/../.mlops/<log name>.head.json``: outside the log's folder, so a
        wholesale rewrite of the log (every hash recomputed) is still caught, and
        editing the log's folder alone cannot hide it. Point it at an access-controlled
        place to guard against someone who can write to the log's workspace.
    lock_timeout : float, default 60
        Seconds to wait for another process's append before giving up.

    Notes
    -----
    An ``AuditLog`` is always true in a boolean test, even when empty, so that
    ``log = log or default_audit_log()`` never swaps an empty log for another.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        head_path: str | os.PathLike[str] | None = None,
        lock_timeout: float = 60.0,
    ) -> None:
        self.path = Path(path)
        self.head_path = (
            Path(head_path)
            if head_path is not None
            else self.path.parent.parent / ".mlops" / f"{self.path.stem}.head.json"
        )
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r}, head_path={str(self.head_path)!r})"

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        """The number of lines (entries) in the log; 0 when it does not exist yet."""
        raw = self._read()
        return len(_split_lines(raw)) if raw else 0

    @contextmanager
    def _lock(self, *, reading: bool) -> Iterator[None]:
        """Hold the log's file lock. Readers skip it where it cannot be taken (read-only)."""
        if reading and not self.path.parent.is_dir():
            yield
            return
        lock = FileLock(self.lock_path, timeout=self.lock_timeout)
        try:
            lock.acquire()
            locked = True
        except Timeout:  # a subclass of OSError: handled first
            raise AuditError(
                f"Another process has held the audit log's lock {self.lock_path} for more "
                f"than {self.lock_timeout:g} s. If no pipeline is running, delete that "
                "lock file and try again."
            ) from None
        except OSError:
            if not reading:
                raise
            locked = False  # e.g. an auditor's read-only copy of the log
        try:
            yield
        finally:
            if locked:
                lock.release()

    def _read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""

    def _scan(self) -> tuple[_Finding | None, int, int, str]:
        return _scan(self._read(), _read_head(self.head_path), self.head_path)

    def append(
        self,
        event: AuditEvent | str,
        /,
        *,
        actor: str,
        run_id: str | None = None,
        **details: Any,
    ) -> AuditEntry:
        """Record one event at the end of the log and move the head to it.

        The whole log is verified first, under the lock, so an entry is never added to
        a log that fails :meth:`verify` (this takes about a quarter of a second for
        10,000 entries). The line is then written with one write and forced to disk,
        and the head is replaced atomically.

        Parameters
        ----------
        event : AuditEvent or str
            What happened, e.g. ``AuditEvent.TRAINED`` or ``"trained"``.
        actor : str
            The person or service responsible; never empty.
        run_id : str or None
            The pipeline run the event belongs to.
        **details
            JSON values recorded with the event, e.g. ``sha256=...``, ``auc=0.81``.

        Returns
        -------
        AuditEntry
            The entry as written.

        Raises
        ------
        AuditError
            For an unknown event, an empty actor or details that are not JSON (nothing
            is written), or when the log is damaged or has been tampered with.
        """
        event_value = _check_event(event)
        _check_actor(actor)
        if run_id is not None and not isinstance(run_id, str):
            raise AuditError(
                f"The run_id of an audit entry must be a string or None. Got {run_id!r}."
            )
        clean = _check_details(details)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock(reading=False):
            raw = self._read()
            finding, _, last_seq, last_hash = _scan(raw, _read_head(self.head_path), self.head_path)
            if finding is not None:
                raise AuditError(
                    f"Refusing to add to the audit log {self.path}: it fails verification, "
                    f"and a damaged log is never extended. {finding.problem} {_VERIFY_HINT}",
                    kind=finding.kind,
                    line=finding.line,
                )
            content: dict[str, Any] = {
                "seq": last_seq + 1,
                "timestamp": _utc_now(),
                "event": event_value,
                "actor": actor,
                "run_id": run_id,
                "details": clean,
                "prev_hash": last_hash,
            }
            entry = AuditEntry(**content, hash=entry_hash(content))
            line = json.dumps(entry.to_dict(), ensure_ascii=False, allow_nan=False) + "\n"
            # A last line without its newline (edited by hand) must not be joined to ours.
            start = b"\n" if raw and not raw.endswith(b"\n") else b""
            _append_bytes(self.path, start + line.encode("utf-8"))
            atomic_write_json(self.head_path, {"seq": entry.seq, "hash": entry.hash})
        return entry

    def entries(
        self, *, event: AuditEvent | str | None = None, run_id: str | None = None
    ) -> list[AuditEntry]:
        """The entries in file order, optionally only one event or one run's.

        This reads the entries; it does not check the chain (see :meth:`verify`).

        Raises
        ------
        AuditError
            Naming the first line that is not a valid audit entry.
        """
        wanted = _check_event(event) if event is not None else None
        with self._lock(reading=True):
            raw = self._read()
        result = []
        for number, line in enumerate(_split_lines(raw) if raw else [], 1):
            item = _parse_line(line)
            try:
                if isinstance(item, str):
                    raise AuditError(f"it {item}")
                entry = AuditEntry.from_dict(item)
            except AuditError as exc:
                raise AuditError(
                    f"Line {number} of the audit log {self.path} cannot be read: {exc} "
                    f"{_VERIFY_HINT}",
                    kind="unreadable",
                    line=number,
                ) from None
            if (wanted is None or entry.event == wanted) and (
                run_id is None or entry.run_id == run_id
            ):
                result.append(entry)
        return result

    def to_frame(self) -> pd.DataFrame:
        """The entries as a table, one row per entry, ``timestamp`` as UTC datetimes."""
        import pandas as pd

        columns = list(AuditEntry.__dataclass_fields__)
        frame = pd.DataFrame([e.to_dict() for e in self.entries()], columns=columns)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        return frame

    def verify(self) -> AuditVerification:
        """Recompute every hash, follow every link and compare the end with the head.

        Returns
        -------
        AuditVerification
            ``ok``, or the first problem in file order with its kind, line and seq.
        """
        with self._lock(reading=True):
            finding, n, _, _ = self._scan()
        if finding is None:
            return AuditVerification(
                ok=True, n_entries=n, log_path=str(self.path), head_path=str(self.head_path)
            )
        return AuditVerification(
            ok=False,
            n_entries=n,
            problem=finding.problem,
            first_bad_line=finding.line,
            first_bad_seq=finding.seq,
            kind=finding.kind,
            log_path=str(self.path),
            head_path=str(self.head_path),
        )


def default_audit_log(workspace: str | os.PathLike[str] = ".") -> AuditLog:
    """The workspace's audit log, ``<workspace>/audit/audit.jsonl``.

    Its head is ``<workspace>/.mlops/audit.head.json``. Paths are resolved when called,
    and nothing is created until the first entry is appended.

    Examples
    --------
    >>> log = default_audit_log("my_workspace")
    >>> log.path.as_posix(), log.head_path.as_posix()
    ('my_workspace/audit/audit.jsonl', 'my_workspace/.mlops/audit.head.json')
    """
    return AuditLog(Path(workspace) / "audit" / "audit.jsonl")
