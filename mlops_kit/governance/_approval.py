"""Part of :mod:`mlops_kit.governance`; see the package docstring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ApprovalError, DocumentationError, GateFailedError
from ._decision import (
    _APPROVE_HINT,
    MIN_JUSTIFICATION_LENGTH,
    Decision,
    GateDecision,
    _field,
    _now,
    _plural,
    _require_name,
    _same_person,
)
from ._gate import ApprovalKind


def _justification_problem(justification: Any) -> str | None:
    if not isinstance(justification, str) or not justification.strip():
        return (
            "A written justification is required: explain why the model should be promoted "
            f"(at least {MIN_JUSTIFICATION_LENGTH} characters). Got "
            + ("an empty justification." if isinstance(justification, str) else "nothing.")
        )
    text = justification.strip()
    if len(text) < MIN_JUSTIFICATION_LENGTH:
        return (
            "A written justification must explain why the model should be promoted, in at "
            f"least {MIN_JUSTIFICATION_LENGTH} characters. Got {text!r} "
            f"({_plural(len(text), 'character')})."
        )
    return None


def _approval_problems(
    approver: Any, justification: Any, trained_by: str, allowed: Sequence[str]
) -> list[str]:
    problems: list[str] = []
    if not isinstance(approver, str) or not approver.strip():
        problems.append(
            "The approver must be a named person: 'approver' cannot be empty. "
            f"Got {approver!r} instead."
        )
    else:
        if _same_person(approver, trained_by):
            problems.append(
                "The approver must not be the person who trained the model (separation of "
                f"duties): the model was trained by {trained_by!r} and the approver given "
                f"is {approver.strip()!r}."
            )
        if allowed and not any(_same_person(approver, a) for a in allowed):
            problems.append(
                "The approver must be one of the people the policy allows to approve: "
                f"{', '.join(allowed)}. Got {approver.strip()!r}."
            )
    problem = _justification_problem(justification)
    if problem:
        problems.append(problem)
    return problems


def _raise(problems: list[str]) -> None:
    if problems:
        raise ApprovalError("\n".join(problems), problems=tuple(problems))


@dataclass(frozen=True)
class Approval:
    """A named person's sign-off on a gate decision: an approval or an override.

    Attributes
    ----------
    approver : str
        Who signed off. Never the person who trained the model.
    justification : str
        Why, in writing (at least ``MIN_JUSTIFICATION_LENGTH`` characters).
    trained_by : str
        Who trained the model.
    decision_seen : Decision
        The gate's decision the approver confirmed or overrode.
    kind : {"approval", "override"}
        "approval" when the gate asked for a person; "override" when it refused.
    decided_at : str
        When the approver signed off (UTC, ISO 8601).
    gate_decided_at : str or None
        When the gate made the decision signed off, linking the two records.
    checks_seen : tuple of str
        The checks that failed or could not be judged when the approver signed off.
    """

    approver: str
    justification: str
    trained_by: str
    decision_seen: Decision
    kind: ApprovalKind
    decided_at: str = field(default_factory=_now)
    gate_decided_at: str | None = None
    checks_seen: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_name(self.trained_by, "trained_by", "Approval")
        try:
            seen = Decision(self.decision_seen)
        except ValueError:
            raise ApprovalError(
                "An approval's decision_seen must be 'refuse' or 'needs human approval'. "
                f"Got {self.decision_seen!r} instead."
            ) from None
        if seen is Decision.PROMOTE:
            raise ApprovalError(
                "There is nothing to approve when the gate decided 'promote'. "
                "Got decision_seen='promote'."
            )
        expected = "override" if seen is Decision.REFUSE else "approval"
        if self.kind != expected:
            raise ApprovalError(
                f"A sign-off on a '{seen.value}' decision is an {expected!r}. "
                f"Got kind={self.kind!r} instead."
            )
        _raise(_approval_problems(self.approver, self.justification, self.trained_by, ()))
        object.__setattr__(self, "decision_seen", seen)
        object.__setattr__(self, "approver", self.approver.strip())
        object.__setattr__(self, "justification", self.justification.strip())
        object.__setattr__(self, "trained_by", self.trained_by.strip())
        object.__setattr__(self, "checks_seen", tuple(str(c) for c in self.checks_seen))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; :meth:`from_dict` rebuilds the approval from it."""
        return {
            "approver": self.approver,
            "justification": self.justification,
            "trained_by": self.trained_by,
            "decision_seen": self.decision_seen.value,
            "kind": self.kind,
            "decided_at": self.decided_at,
            "gate_decided_at": self.gate_decided_at,
            "checks_seen": list(self.checks_seen),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Approval:
        """Rebuild (and re-validate) an approval from :meth:`to_dict`'s output."""
        required = ("approver", "justification", "trained_by", "decision_seen", "kind")
        values = {key: _field(data, key, "approval") for key in (*required, "decided_at")}
        return cls(
            **values,
            gate_decided_at=data.get("gate_decided_at"),
            checks_seen=tuple(data.get("checks_seen") or ()),
        )


def approve(
    decision: GateDecision,
    *,
    approver: str,
    justification: str,
    approvers: Sequence[str] = (),
) -> Approval:
    """Record a named person's sign-off on a gate decision that needs one.

    Parameters
    ----------
    decision : GateDecision
        From :func:`evaluate_gate`; its decision must be "refuse" (this is then an
        override) or "needs human approval".
    approver : str
        The person signing off; not the person who trained the model (names are
        compared ignoring case and extra spaces).
    justification : str
        Why the model should be promoted, in writing (at least 20 characters).
    approvers : sequence of str, optional
        The people allowed to approve. Empty: the policy's own ``approvers`` list from
        the decision; if that is empty too, any named person other than the trainer.

    Returns
    -------
    Approval

    Raises
    ------
    ApprovalError
        Listing every rule broken, each naming what was received.
    DocumentationError
        The model card had empty required parts when the gate decided
        (``decision.card_missing``): no one may approve such a model.

    Examples
    --------
    >>> from mlops_kit.governance import evaluate_gate
    >>> gate = evaluate_gate({"roc_auc": 0.65}, {"min_metrics": {"roc_auc": 0.7}},
    ...                      trained_by="Sam Jones")
    >>> ok = approve(gate, approver="Priya Shah",
    ...              justification="Pilot only, every flag reviewed by a caseworker.")
    >>> ok.kind, ok.decision_seen.value
    ('override', 'refuse')
    >>> approve(gate, approver="sam jones", justification="Looks fine to me, honestly.")
    Traceback (most recent call last):
    ...
    mlops_kit.errors.ApprovalError: The approver must not be the person who trained ...
    """
    if not isinstance(decision, GateDecision):
        raise ApprovalError(
            "approve needs the GateDecision returned by evaluate_gate. "
            f"Got {type(decision).__name__} instead."
        )
    if decision.decision is Decision.PROMOTE:
        raise ApprovalError(
            "There is nothing to approve: the gate decided 'promote' for the model trained "
            f"by {decision.trained_by!r}, so it may be promoted without a sign-off. A sign-off "
            "is for decisions 'refuse' (an override) or 'needs human approval'."
        )
    if decision.card_missing:
        _refuse_incomplete_card(decision)
    if isinstance(approvers, str):
        approvers = [approvers]
    allowed = [str(a).strip() for a in approvers if str(a).strip()]
    if not allowed:
        allowed = [str(a).strip() for a in decision.policy.get("approvers") or () if str(a)]
    _raise(_approval_problems(approver, justification, decision.trained_by, allowed))
    return Approval(
        approver=approver.strip(),
        justification=justification.strip(),
        trained_by=decision.trained_by,
        decision_seen=decision.decision,
        kind="override" if decision.decision is Decision.REFUSE else "approval",
        gate_decided_at=decision.decided_at,
        checks_seen=tuple(c.name for c in (*decision.failing_checks, *decision.unjudged_checks)),
    )


def _refuse_incomplete_card(decision: GateDecision) -> None:
    """Raise: no one may sign off a model whose card had empty required parts."""
    missing = decision.card_missing
    lines = "\n".join(f"  - {m}" for m in missing)
    raise DocumentationError(
        f"The model trained by {decision.trained_by!r} cannot be approved: its model card "
        f"has {len(missing)} empty required part{'s' if len(missing) != 1 else ''}, and "
        "no one may sign off a model whose card is incomplete (not even by override). A "
        "person must write them in the config's 'transparency:' section and run the "
        f"pipeline again; the new version can then be approved:\n{lines}",
        problems=missing,
        document="model card",
    )


def require_promotion(decision: GateDecision, *, approval: Approval | None = None) -> GateDecision:
    """Return the decision if the model may be promoted; raise :class:`GateFailedError` if not.

    A model may be promoted when the gate decided "promote", or when ``approval`` is a
    named sign-off (from :func:`approve`) on this very decision.

    Raises
    ------
    GateFailedError
        Listing the failing or unjudged checks and how to get a named approval.
    ApprovalError
        ``approval`` was given for a different decision or model.

    Examples
    --------
    >>> from mlops_kit.governance import evaluate_gate
    >>> gate = evaluate_gate({"roc_auc": 0.65}, {"min_metrics": {"roc_auc": 0.7}},
    ...                      trained_by="Sam Jones")
    >>> require_promotion(gate)
    Traceback (most recent call last):
    ...
    mlops_kit.errors.GateFailedError: The governance gate did not promote this model ...
    """
    if decision.decision is Decision.PROMOTE:
        return decision
    if approval is not None:
        mismatch = []
        if approval.decision_seen is not decision.decision:
            mismatch.append(
                f"it signs off a '{approval.decision_seen.value}' decision, but this one is "
                f"'{decision.decision.value}'"
            )
        if not _same_person(approval.trained_by, decision.trained_by):
            mismatch.append(
                f"it is for a model trained by {approval.trained_by!r}, but this one was "
                f"trained by {decision.trained_by!r}"
            )
        if approval.gate_decided_at not in (None, decision.decided_at):
            mismatch.append(
                f"it signs off the gate decision of {approval.gate_decided_at}, but this one "
                f"was made at {decision.decided_at}"
            )
        if mismatch:
            raise ApprovalError(
                "The approval given does not belong to this gate decision: "
                + "; ".join(mismatch)
                + "."
            )
        return decision
    lines = [
        "The governance gate did not promote this model "
        f"(decision: {decision.decision.value}; trained by {decision.trained_by})."
    ]
    if decision.failing_checks:
        lines.append("Failing checks:")
        lines += [f"- {c.name}: {c.explanation}" for c in decision.failing_checks]
    if decision.unjudged_checks:
        lines.append("Checks that cannot be judged from the data:")
        lines += [f"- {c.name}: {c.explanation}" for c in decision.unjudged_checks]
    if decision.high_impact:
        lines.append("The use is high-impact, so a named person must always sign off.")
    verb = "override the refusal" if decision.decision is Decision.REFUSE else "approve it"
    lines.append(
        f"To {verb}, a named person who did not train the model must sign off with a written "
        f"justification: {_APPROVE_HINT}."
    )
    raise GateFailedError("\n".join(lines), decision=decision)
