"""Tampering on purpose, to show that the integrity checks catch it.

A lesson or a drill needs to *watch* the protections work: change one byte of a stored
model and see the registry refuse to load it; edit one audit entry and see
:meth:`~mlops_kit.audit.AuditLog.verify` name it. These helpers do the damage in one
call each, so a notebook holds no file-handling code:

* :func:`stored_model_file` finds the stored model file of a registered version (in a
  local registry), and :func:`flip_byte` changes one bit of one byte of any file; the
  returned :class:`ByteFlip` can :meth:`~ByteFlip.undo` it.
* :func:`copy_audit_log` copies a log and its head to a drill folder, so the real log
  stays intact, and :func:`edit_entry` edits one entry's details in place, as someone
  editing the file by hand would (optionally recomputing that entry's hash, as a more
  careful forger would).
* :func:`attempt` runs a call that is expected to fail and returns what stopped it, in
  words, so a notebook shows the expected error without a ``try`` block.

Use them only on a workspace you can throw away, or undo what you did: an audit log
that fails verification refuses every further entry until someone responsible has
looked at it.

Examples
--------
>>> import tempfile, pathlib
>>> from mlops_kit.audit import default_audit_log
>>> log = default_audit_log(tempfile.mkdtemp())
>>> _ = log.append("gate_decision", actor="pipeline", decision="refuse")
>>> _ = log.append("registered", actor="pipeline", version=1)
>>> drill = copy_audit_log(log, tempfile.mkdtemp())
>>> _ = edit_entry(drill, 1, decision="promote")
>>> drill.verify().first_bad_seq, log.verify().ok
(1, True)
"""

from __future__ import annotations

import html
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from ..audit import AuditLog, entry_hash
from ..errors import ArtefactError, AuditError, ConfigError, MlopsKitError

__all__ = [
    "Attempt",
    "ByteFlip",
    "attempt",
    "copy_audit_log",
    "edit_entry",
    "flip_byte",
    "stored_model_file",
]


@dataclass(frozen=True)
class ByteFlip:
    """One byte of a file changed by :func:`flip_byte`: where, and from what to what.

    Attributes
    ----------
    path : pathlib.Path
        The file changed.
    offset : int
        The position of the changed byte (from 0).
    before, after : int
        The byte's value before and after (0 to 255).
    """

    path: Path
    offset: int
    before: int
    after: int

    def summary(self) -> str:
        """The change in plain words."""
        return (
            f"Changed one byte of {self.path.name} (byte {self.offset:,} of "
            f"{self.path.stat().st_size:,}): {self.before:#04x} became {self.after:#04x}."
        )

    def undo(self) -> ByteFlip:
        """Put the byte back; returns the flip that restored it.

        Raises
        ------
        ArtefactError
            The byte has changed again since (so putting it back could do harm).
        """
        current = self.path.read_bytes()
        if self.offset >= len(current) or current[self.offset] != self.after:
            raise ArtefactError(
                f"Cannot undo the change to {self.path}: byte {self.offset} should be "
                f"{self.after:#04x}, as flip_byte left it, but the file has changed since."
            )
        return flip_byte(self.path, offset=self.offset, mask=self.before ^ self.after)

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>"


def flip_byte(
    path: str | os.PathLike[str], *, offset: int | None = None, mask: int = 1
) -> ByteFlip:
    """Change one byte of a file (XOR with ``mask``), as corruption or tampering would.

    Parameters
    ----------
    path : path-like
        An existing, non-empty file.
    offset : int, optional
        Which byte (from 0); default the middle of the file.
    mask : int, default 1
        The bits to flip, 1 to 255; the default changes the lowest bit only.

    Returns
    -------
    ByteFlip
        Where and how the file changed; :meth:`ByteFlip.undo` puts it back.

    Raises
    ------
    ArtefactError
        The file is missing or empty.
    ConfigError
        ``offset`` is outside the file or ``mask`` is not 1 to 255.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.bin"
    >>> _ = path.write_bytes(b"abc")
    >>> flip = flip_byte(path)
    >>> path.read_bytes(), flip.offset
    (b'acc', 1)
    >>> _ = flip.undo()
    >>> path.read_bytes()
    b'abc'
    """
    file = Path(path)
    if not file.is_file() or file.stat().st_size == 0:
        raise ArtefactError(
            f"The 'path' parameter of flip_byte must be an existing, non-empty file. "
            f"Got {str(file)!r}, which is {'empty' if file.is_file() else 'not a file'}."
        )
    data = bytearray(file.read_bytes())
    where = len(data) // 2 if offset is None else offset
    if isinstance(where, bool) or not isinstance(where, int) or not 0 <= where < len(data):
        raise ConfigError(
            f"The 'offset' parameter of flip_byte must be a whole number from 0 to "
            f"{len(data) - 1} (the file has {len(data):,} bytes). Got {offset!r} instead."
        )
    if isinstance(mask, bool) or not isinstance(mask, int) or not 1 <= mask <= 255:
        raise ConfigError(
            f"The 'mask' parameter of flip_byte must be a whole number from 1 to 255. "
            f"Got {mask!r} instead."
        )
    before = data[where]
    data[where] ^= mask
    # Rewritten in place (not replaced), as an edit on disk would be.
    with file.open("r+b") as fh:
        fh.seek(where)
        fh.write(bytes([data[where]]))
    return ByteFlip(file, where, before, data[where])


def stored_model_file(registry: Any, model_name: str, version: int) -> Path:
    """The stored model file of a registered version in a local registry.

    The file itself, not a copy (:meth:`mlops_kit.registry.Registry.stored_file`).

    Raises
    ------
    ArtefactError
        The store is not in this workspace, or the version's folder does not hold
        exactly one model file.
    """
    return Path(registry.stored_file(model_name, version))


def copy_audit_log(log: AuditLog, folder: str | os.PathLike[str]) -> AuditLog:
    """Copy a log and its head into ``folder`` for a drill, leaving the original alone.

    The copy is ``<folder>/audit/<log name>`` with its head in ``<folder>/.mlops/``,
    the same layout as a workspace; an existing copy there is replaced.

    Raises
    ------
    AuditError
        The log has no entries yet (there is nothing to copy).
    """
    if not log.path.is_file():
        raise AuditError(f"The audit log {log.path} does not exist yet: there is nothing to copy.")
    target = Path(folder) / "audit" / log.path.name
    copy = AuditLog(target, head_path=Path(folder) / ".mlops" / log.head_path.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    copy.head_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(log.path, copy.path)
    if log.head_path.is_file():
        shutil.copyfile(log.head_path, copy.head_path)
    else:
        copy.head_path.unlink(missing_ok=True)
    return copy


def edit_entry(
    log: AuditLog, seq: int, *, recompute_hash: bool = False, **details: Any
) -> dict[str, Any]:
    """Change details of one entry in the log file itself, bypassing :meth:`AuditLog.append`.

    Parameters
    ----------
    log : AuditLog
        The log to damage (use :func:`copy_audit_log` first to keep the real one).
    seq : int
        The entry to edit.
    recompute_hash : bool, default False
        Also recompute the entry's own hash, as a careful forger would. Its link from
        the next entry then breaks instead, and verify still names the entry.
    **details
        Detail keys and their new values, e.g. ``decision="promote"``.

    Returns
    -------
    dict
        The entry as it now stands in the file.

    Raises
    ------
    AuditError
        There is no entry ``seq``, or no details were given.
    """
    if not details:
        raise AuditError("edit_entry needs at least one detail to change, e.g. decision='promote'.")
    if not log.path.is_file():
        raise AuditError(f"The audit log {log.path} does not exist: there is no entry to edit.")
    with log._lock(reading=False):
        lines = log.path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            entry = json.loads(line)
            if isinstance(entry, dict) and entry.get("seq") == seq:
                entry["details"] = {**entry["details"], **details}
                if recompute_hash:
                    entry["hash"] = entry_hash(entry)
                lines[number] = json.dumps(entry, ensure_ascii=False, allow_nan=False)
                atomic_write_text(log.path, "\n".join(lines) + "\n")
                edited: dict[str, Any] = entry
                return edited
    raise AuditError(
        f"The audit log {log.path} has no entry seq {seq!r}: it has {len(lines)} entries."
    )


@dataclass(frozen=True)
class Attempt:
    """What happened when :func:`attempt` ran a call expected to fail.

    Attributes
    ----------
    stopped : bool
        True when the call raised one of the expected errors.
    error : str or None
        The error's type, e.g. ``"ArtefactIntegrityError"``.
    message : str or None
        The error's message, which says what was wrong.
    value : object
        What the call returned, when it was not stopped.
    """

    stopped: bool
    error: str | None = None
    message: str | None = None
    value: Any = None

    def summary(self) -> str:
        """The outcome in plain words."""
        if self.stopped:
            return f"Stopped, as expected ({self.error}): {self.message}"
        return "Not stopped: the call went through without an error."

    def _repr_html_(self) -> str:
        return f'<p class="mlops-attempt">{html.escape(self.summary())}</p>'


def attempt(
    func: Callable[..., Any],
    /,
    *args: Any,
    expect: type[Exception] | tuple[type[Exception], ...] = MlopsKitError,
    **kwargs: Any,
) -> Attempt:
    """Run ``func(*args, **kwargs)``, expecting it to be stopped by an ``expect`` error.

    Any other exception propagates: only the failure the lesson is about is caught.

    Examples
    --------
    >>> from mlops_kit.errors import ConfigError
    >>> def refuse():
    ...     raise ConfigError("The 'n' parameter must be positive. Got -1 instead.")
    >>> print(attempt(refuse, expect=ConfigError).summary())
    Stopped, as expected (ConfigError): The 'n' parameter must be positive. Got -1 instead.
    >>> attempt(len, "abc").stopped
    False
    """
    try:
        value = func(*args, **kwargs)
    except expect as exc:
        return Attempt(True, type(exc).__name__, str(exc))
    return Attempt(False, value=value)
