"""Checking the chain: the first altered, removed, reordered or rewritten entry.

Part of :mod:`mlops_kit.audit`; see the package docstring for what each kind means.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import AuditError
from ._entry import _HEX64, GENESIS_HASH, AuditEntry, entry_hash

#: What a verification found wrong with the log: an entry altered, removed, reordered or
#: inserted, the log truncated or rewritten from the start, a line unreadable, or the
#: recorded head of the chain missing.
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
    return _check_link(item, number, prev_seq, prev_hash, prev_line, seq_lines, by_hash)


def _check_link(
    item: dict[str, Any],
    number: int,
    prev_seq: int,
    prev_hash: str,
    prev_line: int,
    seq_lines: dict[int, list[int]],
    by_hash: dict[str, dict[str, Any]],
) -> _Finding | None:
    """Check that an intact entry follows the one before it, or say how the chain broke."""
    seq: int = item["seq"]
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
