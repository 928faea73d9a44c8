"""Audit entries: the events recorded, the canonical hash and the immutable entry record.

Part of :mod:`mlops_kit.audit`; see the package docstring.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .._io import _json_default
from ..errors import AuditError, did_you_mean

#: The ``prev_hash`` of the first entry: there is no entry before it.
GENESIS_HASH = "0" * 64

_HEX64 = re.compile(r"[0-9a-f]{64}")


class AuditEvent(enum.StrEnum):
    """What an audit entry records.

    ``DATA_LOADED`` (with the data's SHA-256), ``TUNED``, ``TRAINED``, ``EVALUATED``,
    ``GATE_DECISION`` (promote, refuse or needs approval), ``APPROVED`` and
    ``OVERRIDDEN`` (a named approver's sign-off), ``DECLINED`` (a named reviewer's
    written refusal to promote), ``REGISTERED`` (a model version),
    ``ALIAS_CHANGED`` (e.g. a new champion), ``MODEL_LOADED`` (after its hash was
    verified), ``MONITORED`` (drift and alerts on a batch), ``RUN_FAILED`` and
    ``RETRAIN_TRIGGERED`` (continuous training: a trigger fired on a batch) and
    ``PROMOTION_HELD`` (a winning challenger kept back for a person's review);
    ``REVIEW_ACCEPTED`` and ``REVIEW_OVERRIDDEN`` (a named caseworker's final decision on
    a case the model flagged, see :mod:`mlops_kit.review`).
    """

    DATA_LOADED = "data_loaded"
    TUNED = "tuned"
    TRAINED = "trained"
    EVALUATED = "evaluated"
    GATE_DECISION = "gate_decision"
    APPROVED = "approved"
    OVERRIDDEN = "overridden"
    DECLINED = "declined"
    REGISTERED = "registered"
    ALIAS_CHANGED = "alias_changed"
    MODEL_LOADED = "model_loaded"
    MONITORED = "monitored"
    RUN_FAILED = "run_failed"
    RETRAIN_TRIGGERED = "retrain_triggered"
    PROMOTION_HELD = "promotion_held"
    PRIVACY_OVERRIDDEN = "privacy_overridden"
    EXPLAINED = "explained"
    REVIEW_ACCEPTED = "review_accepted"
    REVIEW_OVERRIDDEN = "review_overridden"


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
