"""An append-only, hash-chained audit log: who did what to which model, and proof it is intact.

The log is a JSON-lines file (one entry per line) that the kit only ever appends to.
Each entry records what happened (:class:`AuditEvent`: data loaded, tuned, trained,
evaluated, gate decision, approval or override, registration, alias change, model
loaded, run failed), who did it (``actor``), the pipeline run it belongs to
(``run_id``) and free ``details`` such as the dataset's SHA-256.

The chain
    Every entry carries a sequence number ``seq`` (1, 2, 3, ...), the hash of the
    entry before it (``prev_hash``; the first entry has 64 zeros) and its own
    ``hash``: the SHA-256 of its content written as canonical JSON (sorted keys, no
    spaces, UTF-8), everything but the ``hash`` field itself. Changing one character
    of an entry changes its hash; recomputing that hash breaks the link from the next
    entry; so an edit anywhere shows up when the chain is checked.

The head
    After each append the last entry's ``seq`` and ``hash`` are written to a small
    *head* file. By default it lives in a different folder from the log,
    ``<log folder>/../.mlops/<log name>.head.json`` (for the workspace log
    ``audit/audit.jsonl`` that is ``.mlops/audit.head.json``). The chain alone cannot
    catch someone who rewrites the whole log and recomputes every hash, nor someone
    who deletes the last entries; the head can, because it no longer matches the
    log's last entry. Keeping it out of the log's folder means that editing, replacing
    or deleting that folder alone cannot hide a rewrite. Two logs with the same file
    name in sibling folders would share a default head: give one of them its own
    ``head_path``.

What :meth:`AuditLog.verify` detects, reporting the first problem in file order
    - ``"unreadable"``: a line that is not a JSON audit entry (garbage, a half-written
      line), or a head file that cannot be read;
    - ``"altered"``: an entry whose content no longer matches its recorded hash, or
      whose link to the entry before it is broken (one of them was edited and its hash
      recomputed);
    - ``"removed"``: a gap in the sequence numbers: entries deleted from the middle;
    - ``"reordered"``: entries present but out of order;
    - ``"inserted"``: an entry that does not belong, such as a repeated sequence number
      or entries added after the last one the head records;
    - ``"truncated"``: the log ends before the entry the head records (entries removed
      from the end, or the log emptied or deleted);
    - ``"rewritten"``: the chain is consistent but its last entry is not the one the
      head records: the log was rewritten with its hashes recomputed;
    - ``"head_missing"``: the log has entries but the head file is gone.

Limits
    This *detects* tampering; it does not *prevent* it. Anyone who can write to both
    the log and its head can delete both, or rewrite both consistently. To guard
    against that, keep the head somewhere the people who run pipelines cannot write
    (another machine, an access-controlled share, a write-once store): the head path is
    a parameter. A pipeline stopped exactly between writing an entry and updating the
    head leaves the log one entry ahead of the head, reported as ``"inserted"``; the
    log then refuses further entries until someone responsible has looked at it.

Appending is safe across processes: each append holds a file lock (``<log>.lock``),
checks the whole log first, then writes one complete line with a single write, forces
it to disk and replaces the head atomically, so two pipelines sharing a log lose no
entry and corrupt nothing.

Examples
--------
>>> import tempfile, pathlib
>>> workspace = pathlib.Path(tempfile.mkdtemp())
>>> log = default_audit_log(workspace)
>>> first = log.append("data_loaded", actor="a.analyst", run_id="run-1", sha256="ab" * 32)
>>> second = log.append(AuditEvent.TRAINED, actor="a.analyst", run_id="run-1", model="hgb")
>>> second.seq, second.prev_hash == first.hash, len(log)
(2, True, 2)
>>> log.verify().ok
True
>>> lines = log.path.read_text(encoding="utf-8").replace('"hgb"', '"rf"')
>>> _ = log.path.write_text(lines, encoding="utf-8")
>>> print(log.verify().problem)
Entry seq 2 on line 2 has been altered: its content no longer matches its recorded hash.
"""

from __future__ import annotations

import enum
import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from filelock import FileLock, Timeout

from ._io import _json_default, atomic_write_json
from .errors import AuditError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditError",
    "AuditEvent",
    "AuditLog",
    "AuditVerification",
    "ProblemKind",
    "default_audit_log",
    "entry_hash",
]

#: The ``prev_hash`` of the first entry: there is no entry before it.
GENESIS_HASH = "0" * 64

_HEX64 = re.compile(r"[0-9a-f]{64}")
_VERIFY_HINT = "Run `mlops-kit audit verify` to see what is wrong."

ProblemKind = Literal[
    "altered",
    "removed",
    "reordered",
    "inserted",
    "truncated",
    "rewritten",
    "unreadable",
    "head_missing",
]


class AuditEvent(enum.StrEnum):
    """What an audit entry records.

    ``DATA_LOADED`` (with the data's SHA-256), ``TUNED``, ``TRAINED``, ``EVALUATED``,
    ``GATE_DECISION`` (promote, refuse or needs approval), ``APPROVED`` and
    ``OVERRIDDEN`` (a named approver's sign-off), ``REGISTERED`` (a model version),
    ``ALIAS_CHANGED`` (e.g. a new champion), ``MODEL_LOADED`` (after its hash was
    verified) and ``RUN_FAILED``.
    """

    DATA_LOADED = "data_loaded"
    TUNED = "tuned"
    TRAINED = "trained"
    EVALUATED = "evaluated"
    GATE_DECISION = "gate_decision"
    APPROVED = "approved"
    OVERRIDDEN = "overridden"
    REGISTERED = "registered"
    ALIAS_CHANGED = "alias_changed"
    MODEL_LOADED = "model_loaded"
    RUN_FAILED = "run_failed"


def _canonical(obj: Any) -> str:
    """The one JSON spelling of ``obj`` that every hash is computed over."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(entry: dict[str, Any]) -> str:
    """The SHA-256 of an entry's canonical JSON, without its ``"hash"`` field.

    Parameters
    ----------
    entry : dict
        An entry as written in the log (see :meth:`AuditEntry.to_dict`).

    Returns
    -------
    str
        64 lowercase hexadecimal characters.

    Examples
    --------
    >>> entry_hash({"seq": 1, "hash": "ignored"}) == entry_hash({"seq": 1})
    True
    """
    content = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


def _check_event(event: object) -> str:
    values = [e.value for e in AuditEvent]
    if isinstance(event, str) and event in values:
        return AuditEvent(event).value
    hint = did_you_mean(event, values) if isinstance(event, str) else ""
    raise AuditError(
        f"The event of an audit entry must be one of {', '.join(values)}. "
        f"Got {event!r} instead.{hint}"
    )


def _check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise AuditError(
            "The actor of an audit entry must name the person or service responsible "
            f"(a non-empty string). Got {actor!r} instead."
        )
    return actor


def _check_details(details: object) -> dict[str, Any]:
    """Return ``details`` as plain JSON values, or name the first value that is not JSON."""
    rule = (
        "The details of an audit entry must be JSON values (strings, numbers, true/false, "
        "None, lists and dicts of them)"
    )
    if not isinstance(details, dict):
        raise AuditError(f"{rule}, given as a dict. Got {type(details).__name__} instead.")
    for key, value in details.items():
        if not isinstance(key, str):
            raise AuditError(f"{rule}, under string keys. Got the key {key!r} instead.")
        try:
            json.dumps(value, allow_nan=False, default=_json_default)
        except (TypeError, ValueError) as exc:
            got = repr(value) if len(repr(value)) <= 60 else f"a {type(value).__name__}"
            raise AuditError(
                f"{rule}; NaN and infinity are not JSON. Got {got} for '{key}' instead ({exc})."
            ) from None
    # A round trip turns NumPy numbers, tuples and paths into the plain values a reader
    # of the log will get back, so the hash computed now is the hash recomputed later.
    plain: dict[str, Any] = json.loads(json.dumps(details, default=_json_default))
    return plain


@dataclass(frozen=True)
class AuditEntry:
    """One immutable line of the audit log, validated when it is created.

    Parameters
    ----------
    seq : int
        Position in the log, from 1.
    timestamp : str
        When it was recorded: ISO 8601 in UTC, e.g. ``2025-01-31T09:30:00.000000+00:00``.
    event : str
        One of the values of :class:`AuditEvent`.
    actor : str
        The person or service responsible; never empty.
    run_id : str or None
        The pipeline run the entry belongs to, if any.
    details : dict
        JSON values: hashes, metrics, decisions, justifications.
    prev_hash : str
        The ``hash`` of the entry before (:data:`GENESIS_HASH` for the first).
    hash : str
        SHA-256 of this entry's canonical JSON without this field (:func:`entry_hash`).
    """

    seq: int
    timestamp: str
    event: str
    actor: str
    run_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def __post_init__(self) -> None:
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 1:
            raise AuditError(
                f"The seq of an audit entry must be a whole number from 1. Got {self.seq!r}."
            )
        _check_timestamp(self.timestamp)
        object.__setattr__(self, "event", _check_event(self.event))
        _check_actor(self.actor)
        if self.run_id is not None and not isinstance(self.run_id, str):
            raise AuditError(
                f"The run_id of an audit entry must be a string or None. Got {self.run_id!r}."
            )
        object.__setattr__(self, "details", _check_details(self.details))
        for name in ("prev_hash", "hash"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _HEX64.fullmatch(value):
                raise AuditError(
                    f"The {name} of an audit entry must be 64 lowercase hexadecimal "
                    f"characters (a SHA-256). Got {value!r}."
                )

    def __hash__(self) -> int:
        return hash((self.seq, self.hash))

    def to_dict(self) -> dict[str, Any]:
        """The entry as written on its line of the log."""
        return {
            "seq": self.seq,
            "timestamp": self.timestamp,
            "event": self.event,
            "actor": self.actor,
            "run_id": self.run_id,
            "details": dict(self.details),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditEntry:
        """Rebuild an entry from :meth:`to_dict` (one parsed line of the log)."""
        if not isinstance(data, dict):
            raise AuditError(f"An audit entry must be a JSON object. Got {type(data).__name__}.")
        fields = ("seq", "timestamp", "event", "actor", "run_id", "details", "prev_hash", "hash")
        missing = [name for name in fields if name not in data]
        extra = sorted(set(data) - set(fields))
        if missing or extra:
            raise AuditError(
                f"An audit entry has exactly the fields {', '.join(fields)}. Missing: "
                f"{', '.join(missing) or 'none'}; unexpected: {', '.join(extra) or 'none'}."
            )
        return cls(**{name: data[name] for name in fields})

    def computed_hash(self) -> str:
        """The hash this entry's content should carry; equal to ``hash`` if intact."""
        return entry_hash(self.to_dict())


def _check_timestamp(value: object) -> None:
    parsed = None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    offset = parsed.utcoffset() if parsed is not None else None
    if offset is None or offset.total_seconds() != 0:
        raise AuditError(
            "The timestamp of an audit entry must be an ISO 8601 time in UTC, such as "
            f"2025-01-31T09:30:00+00:00. Got {value!r}."
        )


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AuditVerification:
    """The result of :meth:`AuditLog.verify`: intact, or the first problem in file order.

    Attributes
    ----------
    ok : bool
        True when every hash, every link and the head agree.
    n_entries : int
        Lines (entries) found in the log.
    problem : str or None
        The first problem, in one plain sentence naming the line and sequence number.
    first_bad_line : int or None
        The first line at fault (1-based). For ``"truncated"`` it is the first line that
        should be there but is not; ``None`` when the problem is the head file.
    first_bad_seq : int or None
        The first sequence number affected: the entry on ``first_bad_line``, or for
        ``"removed"`` and ``"truncated"`` the first missing one; ``None`` when unknown.
    kind : str or None
        ``"altered"``, ``"removed"``, ``"reordered"``, ``"inserted"``, ``"truncated"``,
        ``"rewritten"``, ``"unreadable"`` or ``"head_missing"`` (see the module notes).
    log_path, head_path : str
        The files checked.
    """

    ok: bool
    n_entries: int
    problem: str | None = None
    first_bad_line: int | None = None
    first_bad_seq: int | None = None
    kind: ProblemKind | None = None
    log_path: str = ""
    head_path: str = ""

    def summary(self) -> str:
        """The result in plain words."""
        if self.ok and self.n_entries == 0:
            return f"The audit log {self.log_path} is empty: nothing has been recorded yet."
        if self.ok:
            return (
                f"The audit log {self.log_path} is intact: each of its {self.n_entries} "
                "entries matches its recorded hash, each links to the one before it, and "
                f"the last one matches the head kept in {self.head_path}."
            )
        return f"The audit log {self.log_path} fails verification ({self.kind}): {self.problem}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)

    def _repr_html_(self) -> str:
        title = "Audit log intact" if self.ok else "Audit log damaged or tampered with"
        colour = "#00703c" if self.ok else "#d4351c"
        return (
            f'<p><strong style="color:{colour}">{title}.</strong> {html.escape(self.summary())}</p>'
        )


@dataclass(frozen=True)
class _Finding:
    kind: ProblemKind
    problem: str
    line: int | None
    seq: int | None


@dataclass(frozen=True)
class _Head:
    exists: bool
    seq: int = 0
    hash: str = GENESIS_HASH
    problem: str | None = None


def _read_head(path: Path) -> _Head:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _Head(exists=False)
    except (OSError, UnicodeDecodeError) as exc:
        return _Head(exists=True, problem=str(exc))
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return _Head(exists=True, problem="it is not valid JSON")
    seq = data.get("seq") if isinstance(data, dict) else None
    digest = data.get("hash") if isinstance(data, dict) else None
    if (
        isinstance(seq, bool)
        or not isinstance(seq, int)
        or seq < 0
        or not isinstance(digest, str)
        or not _HEX64.fullmatch(digest)
    ):
        return _Head(exists=True, problem='it must hold {"seq": <whole number>, "hash": <64 hex>}')
    return _Head(exists=True, seq=seq, hash=digest)


def _parse_line(raw: bytes) -> dict[str, Any] | str:
    """A line's entry as a dict with the fields the chain needs, or why it cannot be read."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "is not valid JSON (garbage, or a half-written line)"
    if not isinstance(data, dict):
        return "is not a JSON object"
    seq = data.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        return "has no valid seq (a whole number from 1)"
    for name in ("prev_hash", "hash"):
        if not isinstance(data.get(name), str):
            return f"has no {name}"
    return data


def _split_lines(raw: bytes) -> list[bytes]:
    lines = raw.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _scan(raw: bytes, head: _Head, head_path: Path) -> tuple[_Finding | None, int, int, str]:
    """Check the chain and the head; return (first problem or None, lines, last seq, hash)."""
    parsed = [_parse_line(line) for line in _split_lines(raw)]
    n = len(parsed)
    seq_lines: dict[int, list[int]] = {}
    by_hash: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(parsed, 1):
        if isinstance(item, dict):
            seq_lines.setdefault(item["seq"], []).append(number)
            by_hash.setdefault(item["hash"], item)

    prev_seq, prev_hash, prev_line = 0, GENESIS_HASH, 0
    for number, item in enumerate(parsed, 1):
        if isinstance(item, str):
            return (
                _Finding("unreadable", f"Line {number} of the log {item}.", number, None),
                n,
                0,
                "",
            )
        seq = item["seq"]
        finding = _check_line(item, number, prev_seq, prev_hash, prev_line, seq_lines, by_hash)
        if finding is not None:
            return finding, n, 0, ""
        prev_seq, prev_hash, prev_line = seq, item["hash"], number
    return _check_head(head, head_path, parsed, prev_seq, prev_hash), n, prev_seq, prev_hash


def _check_line(
    item: dict[str, Any],
    number: int,
    prev_seq: int,
    prev_hash: str,
    prev_line: int,
    seq_lines: dict[int, list[int]],
    by_hash: dict[str, dict[str, Any]],
) -> _Finding | None:
    """Check one readable line against its own hash and against the entry before it."""
    seq: int = item["seq"]
    if entry_hash(item) != item["hash"]:
        return _Finding(
            "altered",
            f"Entry seq {seq} on line {number} has been altered: its content no longer "
            "matches its recorded hash.",
            number,
            seq,
        )
    try:
        AuditEntry.from_dict(item)
    except AuditError as exc:
        return _Finding(
            "unreadable",
            f"Line {number} (seq {seq}) is not a valid audit entry: {exc}",
            number,
            seq,
        )
    expected = prev_seq + 1
    if seq == expected and item["prev_hash"] == prev_hash:
        return None
    if seq == expected and prev_line == 0:
        return _Finding(
            "altered",
            f"Entry seq {seq} on line {number} has been altered: the first entry must "
            "follow no other, but it records the hash of a previous entry.",
            number,
            seq,
        )
    if seq == expected:
        return _Finding(
            "altered",
            f"Entry seq {prev_seq} on line {prev_line} has been altered and its hash "
            f"recomputed: the next entry (seq {seq}, line {number}) records a different "
            "hash for it.",
            prev_line,
            prev_seq,
        )
    if seq < expected:  # every seq below `expected` is already on an earlier line
        first = seq_lines[seq][0]
        return _Finding(
            "inserted",
            f"Line {number} repeats seq {seq}, already used on line {first}: an entry has "
            "been inserted or copied.",
            number,
            seq,
        )
    if item["prev_hash"] == prev_hash:
        return _Finding(
            "altered",
            f"Entry seq {seq} on line {number} has been altered: it follows seq {prev_seq} "
            f"directly, so its number should be {expected}, and its hash was recomputed.",
            number,
            seq,
        )
    if any(expected <= other < seq for other in seq_lines):
        follows = by_hash.get(item["prev_hash"])
        if follows is not None and follows["seq"] == seq - 1:
            return _Finding(
                "reordered",
                f"Entries are out of order: line {number} holds seq {seq} where seq "
                f"{expected} should be, and seq {expected} comes later in the log.",
                number,
                seq,
            )
        return _Finding(
            "inserted",
            f"Line {number} holds seq {seq}, which does not follow from any entry in the "
            "log: it has been inserted.",
            number,
            seq,
        )
    gone = f"seq {expected}" if seq == expected + 1 else f"seq {expected} to {seq - 1}"
    return _Finding(
        "removed",
        f"Entries have been removed: line {number} holds seq {seq}, but {gone} is nowhere "
        "in the log.",
        number,
        expected,
    )


def _check_head(
    head: _Head,
    head_path: Path,
    parsed: list[dict[str, Any] | str],
    last_seq: int,
    last_hash: str,
) -> _Finding | None:
    """Compare an intact chain's last entry with the head stored apart from the log."""
    n = len(parsed)
    if head.problem is not None:
        return _Finding(
            "unreadable", f"The head file {head_path} cannot be read: {head.problem}.", None, None
        )
    if not head.exists:
        if n == 0:
            return None
        return _Finding(
            "head_missing",
            f"The head file {head_path} is missing, so a rewrite of the whole log would go "
            "unnoticed: it has been deleted or moved, or the log was copied without it.",
            None,
            None,
        )
    if head.seq == last_seq and head.hash == last_hash:
        return None
    if head.seq == last_seq:
        where = f"The last entry (seq {last_seq}, line {n})" if n else "The empty log"
        return _Finding(
            "rewritten",
            f"{where} is not the one recorded in the head file {head_path}: the log has "
            "been rewritten with its hashes recomputed.",
            n or None,
            last_seq or None,
        )
    if head.seq > last_seq:
        if n == 0:
            problem = (
                f"The log is empty or missing, but the head file {head_path} records "
                f"{head.seq} entries: they have been removed."
            )
        else:
            problem = (
                f"The log stops at seq {last_seq} (line {n}), but the head file {head_path} "
                f"records {head.seq} entries: entries have been removed from the end."
            )
        return _Finding("truncated", problem, n + 1, last_seq + 1)
    # The head is behind the log. The chain is intact, so seq k is on line k.
    entry = parsed[head.seq - 1] if head.seq else None
    recorded = entry["hash"] if isinstance(entry, dict) else GENESIS_HASH
    if recorded == head.hash:
        return _Finding(
            "inserted",
            f"Entries after seq {head.seq} (from line {head.seq + 1}) were added without "
            f"updating the head file {head_path}: written by something other than "
            "mlops_kit, or a run stopped between writing an entry and the head.",
            head.seq + 1,
            head.seq + 1,
        )
    return _Finding(
        "rewritten",
        f"Entry seq {head.seq} (line {head.seq}) is not the one recorded in the head file "
        f"{head_path}: the log has been rewritten with its hashes recomputed.",
        head.seq or None,
        head.seq or None,
    )


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
