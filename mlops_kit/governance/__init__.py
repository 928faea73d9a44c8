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

**Transparency documents.** A public body must be able to say, in writing, what an
automated decision tool is for, how it was built and tested, who answers for it and how
people can challenge it. From a pipeline run folder the kit drafts three documents that
never disagree, because every fact in them is read from the run's own files:
:func:`model_card` (the nine sections of Mitchell et al.'s "Model Cards for Model
Reporting"), :func:`transparency_record` (the UK Algorithmic Transparency Recording
Standard: a tier 1 summary for the public and tier 2's five detailed sections) and
:func:`stakeholder_summary` (one page in plain English). What only a person can write
(intended use, out-of-scope uses, the senior responsible owner, appeals, impact
assessments, risks and mitigations) comes from the ``transparency`` section of the
config (:class:`DocumentsSettings`); each document's ``.missing`` names every required
part still empty. A model whose card has any is still registered (so a first run always
finishes), but the gate's check "model card complete" refuses it and no one may approve
or promote it until the parts are written (:func:`card_keys_missing` and
:func:`transparency_block` say so before a run, with a section ready to paste).
:func:`assess_ethics` records a Data Ethics Framework self-assessment (three principles
and five actions scored 0 to 5, with notes) saved with the run.
:data:`GOVERNANCE_GLOSSARY` explains the terms of these documents in plain words.

Importing this module loads only the standard library and ``mlops_kit.errors``
(:class:`DocumentsSettings`, which needs pydantic, loads on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ApprovalError, DocumentationError, GateFailedError
from ._approval import Approval, approve, require_promotion
from ._decision import MIN_JUSTIFICATION_LENGTH, Check, Decision, GateDecision
from ._document import Document, Entry, Figure, MissingField, Section, Table, require_complete
from ._ethics import (
    ETHICS_AREAS,
    ETHICS_SCALE,
    EthicsArea,
    EthicsAssessment,
    EthicsScore,
    assess_ethics,
    ethics_history,
    load_ethics_assessment,
)
from ._gate import evaluate_gate
from ._glossary import GOVERNANCE_GLOSSARY
from ._model_card import (
    CARD_HUMAN_KEYS,
    ModelCard,
    card_keys_missing,
    model_card,
    transparency_block,
)
from ._stakeholder import StakeholderSummary, stakeholder_summary
from ._transparency import ATRS_HUMAN_KEYS, TransparencyRecord, transparency_record

if TYPE_CHECKING:
    from ._documents_settings import DocumentsSettings, ImpactAssessment, Risk, Supplier

_SETTINGS = ("DocumentsSettings", "ImpactAssessment", "Risk", "Supplier")


def __getattr__(name: str) -> Any:
    """Load the pydantic settings models on first use, keeping this import light."""
    if name in _SETTINGS:
        from . import _documents_settings

        return getattr(_documents_settings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ATRS_HUMAN_KEYS",
    "CARD_HUMAN_KEYS",
    "ETHICS_AREAS",
    "ETHICS_SCALE",
    "GOVERNANCE_GLOSSARY",
    "MIN_JUSTIFICATION_LENGTH",
    "Approval",
    "ApprovalError",
    "Check",
    "Decision",
    "Document",
    "DocumentationError",
    "DocumentsSettings",
    "Entry",
    "EthicsArea",
    "EthicsAssessment",
    "EthicsScore",
    "Figure",
    "GateDecision",
    "GateFailedError",
    "ImpactAssessment",
    "MissingField",
    "ModelCard",
    "Risk",
    "Section",
    "StakeholderSummary",
    "Supplier",
    "Table",
    "TransparencyRecord",
    "approve",
    "assess_ethics",
    "card_keys_missing",
    "ethics_history",
    "evaluate_gate",
    "load_ethics_assessment",
    "model_card",
    "require_complete",
    "require_promotion",
    "stakeholder_summary",
    "transparency_block",
    "transparency_record",
]
