"""A caseworker's final decision on a flagged case, and who may make one.

:class:`ReviewDecision` records the action (accept or override the flag), the named
reviewer, their reason and the audit entry that proves it; :func:`check_reviewer`
refuses an empty name or a service's name in place of a person's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["ACTIONS", "MIN_REASON_CHARS", "SERVICE_NAMES", "ReviewDecision", "check_reviewer"]


#: A caseworker's action on a flagged case.
Action = Literal["accept", "override"]


#: What a caseworker can do with a flagged case.
ACTIONS: tuple[Action, ...] = ("accept", "override")


#: The shortest written reason an override may have.
MIN_REASON_CHARS = 15


#: Names that are not people: a final decision needs a named person, not a service.
SERVICE_NAMES = frozenset(
    {"system", "model", "pipeline", "auto", "automatic", "automated", "mlops-kit", "batch", "bot"}
)


@dataclass(frozen=True)
class ReviewDecision:
    """A caseworker's final decision on a flagged case, with the audit entry that proves it.

    Attributes
    ----------
    case_id : str
    action : {"accept", "override"}
        Accept the model's flag, or override it.
    final_decision : {"flagged", "not flagged"}
        What happens to the case.
    reviewer : str
        The named person who decided.
    reason : str
        Their written reason (required for an override).
    decided_at : str
        UTC, ISO 8601.
    audit_seq : int
    audit_hash : str
        The audit entry recording the decision.
    """

    case_id: str
    action: Action
    final_decision: Literal["flagged", "not flagged"]
    reviewer: str
    reason: str
    decided_at: str
    audit_seq: int
    audit_hash: str

    @property
    def overridden(self) -> bool:
        """Whether the caseworker overrode the model."""
        return self.action == "override"

    def summary(self) -> str:
        """The decision in plain words."""
        verb = "accepted the model's flag on" if self.action == "accept" else "overrode the flag on"
        why = f' Reason: "{self.reason}".' if self.reason else ""
        return (
            f"{self.reviewer} {verb} case {self.case_id}: final decision {self.final_decision}."
            f"{why} Audit entry seq {self.audit_seq} (hash {self.audit_hash[:12]}...)."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def check_reviewer(reviewer: Any) -> list[str]:
    """The rules a reviewer's identity breaks (empty when it is a named person)."""
    name = reviewer.strip() if isinstance(reviewer, str) else ""
    if not name:
        return [
            "A final decision can only be recorded with the reviewer's name: enter who is "
            f"deciding. Got {reviewer!r}."
        ]
    if name.lower() in SERVICE_NAMES or len(name) < 2:
        return [f"The reviewer must be a named person, not a service or an initial. Got {name!r}."]
    return []
