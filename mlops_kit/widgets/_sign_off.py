"""Sign-off: a named person decides on a model version the gate would not promote.

The model is :func:`sign_off`, a plain function that applies the governance rules
(:func:`mlops_kit.governance.approve`: a named approver, not the person who trained the
model, with a written justification), records the sign-off through the registry and
returns a frozen :class:`SignOff` naming the audit entry that proves it. The view is
:class:`~mlops_kit.widgets.ApprovalForm` (``_approval``).

Two decisions are possible:

* **approve** (an *approval* when the gate asked for a person, an *override* when it
  refused): :meth:`mlops_kit.registry.Registry.approve` records it in the audit log and
  moves the ``champion`` alias to the version;
* **decline**: :meth:`mlops_kit.registry.Registry.decline` records the refusal to
  promote it in the audit log (event ``declined``) with the same rules, so that saying
  no is as accountable as saying yes; the version stays where it is.

The approver's role is recorded with either decision, as its own audit detail.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal

from ..audit import AuditEntry, AuditLog
from ..errors import ApprovalError, ConfigError, MlopsKitError
from ..governance import GateDecision, approve

__all__ = ["DECISIONS", "SignOff", "sign_off"]

#: The decisions an approver can make.
DECISIONS = ("approve", "decline")


SignOffKind = Literal["approval", "override", "decline"]


@dataclass(frozen=True)
class SignOff:
    """A recorded sign-off: who decided what about which version, and the proof.

    Attributes
    ----------
    model_name : str
    version : int
    kind : {"approval", "override", "decline"}
        "override" when the approver promoted a version the gate refused.
    approver, role : str
        Who signed off, and in what capacity.
    justification : str
        Why, as the approver wrote it.
    trained_by : str
        Who trained the model (never the approver).
    decision_seen : str
        The gate's decision: "refuse" or "needs human approval".
    audit_seq : int
        The sequence number of the audit entry that records the sign-off.
    audit_hash : str
        That entry's SHA-256: the proof, checked by ``mlops-kit audit verify``.
    recorded_at : str
        When the entry was written (UTC, ISO 8601).
    alias : str or None
        The alias moved ("champion"), or None for a decline.
    alias_from : int or None
        The version the alias pointed at before (None: no version).
    """

    model_name: str
    version: int
    kind: SignOffKind
    approver: str
    role: str
    justification: str
    trained_by: str
    decision_seen: str
    audit_seq: int
    audit_hash: str
    recorded_at: str
    alias: str | None = None
    alias_from: int | None = None

    def summary(self) -> str:
        """The sign-off in plain words."""
        who = f"{self.approver} ({self.role})"
        what = f"{self.model_name} version {self.version}, trained by {self.trained_by}"
        proof = f"Audit entry seq {self.audit_seq} (hash {self.audit_hash[:12]}...) records it."
        if self.kind == "decline":
            return (
                f"Decline recorded: {who} declined to promote {what} (the gate decided "
                f"'{self.decision_seen}'). {proof} No alias moved."
            )
        verb = "overrode the gate's refusal of" if self.kind == "override" else "approved"
        before = "no version" if self.alias_from is None else f"version {self.alias_from}"
        return (
            f"{self.kind.capitalize()} recorded: {who} {verb} {what}. {proof} "
            f"The {self.alias} alias moved from {before} to version {self.version}."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return dict(self.__dict__)

    def _repr_html_(self) -> str:
        return f'<p class="mlops-sign-off">{html.escape(self.summary())}</p>'


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _audit_log(registry: Any) -> AuditLog:
    log = getattr(registry, "audit", None)
    if not isinstance(log, AuditLog):
        raise ConfigError(
            "A sign-off must be recorded in an audit log, but this registry has none. "
            "Create it with Registry(..., audit=default_audit_log(workspace)). "
            f"Got audit={log!r}."
        )
    return log


def _last(entries: list[AuditEntry], **details: Any) -> AuditEntry | None:
    found = [e for e in entries if all(e.details.get(k) == v for k, v in details.items())]
    return found[-1] if found else None


def sign_off(
    registry: Any,
    model_name: str,
    version: int,
    *,
    approver: str,
    role: str,
    justification: str,
    decision: str = "approve",
) -> SignOff:
    """Record a named person's decision on a version the gate did not promote.

    Parameters
    ----------
    registry : mlops_kit.registry.Registry
        With an audit log (``Registry(..., audit=AuditLog(...))``).
    model_name : str
    version : int
        A registered version whose gate decision was "refuse" or "needs human approval".
    approver : str
        The person signing off: named, and not the person who trained the model.
    role : str
        Their role, for example "Head of Benefit Fraud Policy"; never empty.
    justification : str
        Why, in writing (at least 20 characters).
    decision : {"approve", "decline"}, default "approve"
        Approve (or override a refusal) and make the version the champion, or decline
        to promote it.

    Returns
    -------
    SignOff
        With the audit entry that records it.

    Raises
    ------
    ApprovalError
        Listing every rule broken (empty name or role, the trainer signing off, a
        missing or short justification, a version the gate already promoted).
    ConfigError
        An unknown ``decision``, or a registry without an audit log.
    ArtefactError
        No such version, or it has no recorded gate decision.
    """
    if decision not in DECISIONS:
        raise ConfigError(
            f"The 'decision' parameter of sign_off must be one of {', '.join(DECISIONS)}. "
            f"Got {decision!r} instead."
        )
    log = _audit_log(registry)
    gate = registry.gate_decision(model_name, version)
    _check_rules(gate, approver=approver, role=role, justification=justification)
    name, role_text, why = _text(approver), _text(role), _text(justification)
    if decision == "decline":
        entry = registry.decline(
            model_name, version, reviewer=name, justification=why, role=role_text
        )
        return SignOff(
            model_name=model_name,
            version=version,
            kind="decline",
            approver=name,
            role=role_text,
            justification=why,
            trained_by=gate.trained_by,
            decision_seen=gate.decision.value,
            audit_seq=entry.seq,
            audit_hash=entry.hash,
            recorded_at=entry.timestamp,
        )
    return _approve(registry, log, gate, model_name, version, name, role_text, why)


def _check_rules(gate: GateDecision, *, approver: Any, role: Any, justification: Any) -> None:
    """Every governance rule the sign-off breaks, raised together as one ApprovalError."""
    problems: list[str] = []
    try:
        # The governance rules, without side effects: approve() only checks and returns.
        approve(gate, approver=approver, justification=justification)
    except ApprovalError as exc:
        problems += list(exc.problems)
    if not _text(role):
        problems.append(
            "The approver's role must be given, so that readers of the record know in what "
            f"capacity they signed off (for example 'Head of Benefit Policy'). Got {role!r}."
        )
    if problems:
        raise ApprovalError("\n".join(problems), problems=tuple(problems))


def _approve(
    registry: Any,
    log: AuditLog,
    gate: GateDecision,
    model_name: str,
    version: int,
    name: str,
    role_text: str,
    why: str,
) -> SignOff:
    """Approve (or override) through the registry; the sign-off with the entry that proves it."""
    approval = registry.approve(
        model_name, version, approver=name, justification=why, role=role_text
    )
    entries = log.entries()
    event = "overridden" if approval.kind == "override" else "approved"
    recorded = _last(
        [e for e in entries if e.event == event and e.actor == approval.approver],
        model_name=model_name,
        version=version,
    )
    moved = _last(
        [e for e in entries if e.event == "alias_changed"],
        model_name=model_name,
        alias="champion",
        to_version=version,
    )
    if recorded is None or moved is None:
        raise MlopsKitError(
            f"The registry approved {model_name} version {version}, but its audit log "
            f"{log.path} does not show the sign-off and the alias move. Run "
            "`mlops-kit audit verify` and tell whoever runs the registry."
        )
    return SignOff(
        model_name=model_name,
        version=version,
        kind=approval.kind,
        approver=approval.approver,
        role=role_text,
        justification=why,
        trained_by=approval.trained_by,
        decision_seen=gate.decision.value,
        audit_seq=recorded.seq,
        audit_hash=recorded.hash,
        recorded_at=recorded.timestamp,
        alias="champion",
        alias_from=moved.details.get("from_version"),
    )
