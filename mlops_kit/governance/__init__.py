"""The governance gate in front of the model registry, and named approvals.

A policy (the ``policy`` section of the pipeline config, see
:class:`mlops_kit.config.PolicySection`) states performance floors and ceilings,
fairness limits and whether the use is high-impact. :func:`evaluate_gate` applies it
to a run's ``metrics.json`` and decides:

* **refuse** when any check fails;
* **needs human approval** when no check fails but one cannot be judged from the data
  (a missing metric, too few people in a group), or when the use is high-impact;
* **promote** otherwise.

Every check is explained in one plain sentence. A refused model can still be promoted,
but only through :func:`approve`: a named approver who is not the person who trained
it, with a written justification (an *override*). :func:`require_promotion` is the
gate's stop sign for code: it raises :class:`GateFailedError` unless the model was
promoted or approved.

Importing this module loads only the standard library and ``mlops_kit.errors``.
"""

from __future__ import annotations

from ..errors import ApprovalError, GateFailedError
from ._approval import Approval, approve, require_promotion
from ._decision import MIN_JUSTIFICATION_LENGTH, Check, Decision, GateDecision
from ._gate import evaluate_gate

__all__ = [
    "MIN_JUSTIFICATION_LENGTH",
    "Approval",
    "ApprovalError",
    "Check",
    "Decision",
    "GateDecision",
    "GateFailedError",
    "approve",
    "evaluate_gate",
    "require_promotion",
]
