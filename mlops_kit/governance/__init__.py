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
it, with a written justification (an *override*). For code, ``require_promotion``
(in ``_approval``) is the gate's stop sign: it raises
:class:`~mlops_kit.errors.GateFailedError` unless the model was promoted or approved.

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

Modules: ``_decision`` (the decision records), ``_checks`` and ``_gate`` (the gate),
``_approval`` (sign-offs), ``_ethics_framework`` and ``_ethics`` (the self-assessment),
``_parts``, ``_document`` and ``_run_facts`` (what every document shares),
``_run_text``, ``_card_sections``, ``_card_analyses`` and ``_model_card`` (the card),
``_transparency`` and ``_transparency_tool`` (the ATRS record), ``_stakeholder``.
"""

from __future__ import annotations

from ..config import DocumentsSettings
from ._approval import Approval, approve
from ._decision import Decision, GateDecision
from ._ethics import EthicsAssessment, assess_ethics, load_ethics_assessment
from ._ethics_framework import ETHICS_AREAS, ETHICS_SCALE
from ._gate import evaluate_gate
from ._model_card import (
    CARD_HUMAN_KEYS,
    ModelCard,
    card_keys_missing,
    model_card,
    transparency_block,
)
from ._run_facts import RunFacts
from ._stakeholder import StakeholderSummary, stakeholder_summary
from ._transparency import ATRS_HUMAN_KEYS, TransparencyRecord, transparency_record

__all__ = [
    "ATRS_HUMAN_KEYS",
    "CARD_HUMAN_KEYS",
    "ETHICS_AREAS",
    "ETHICS_SCALE",
    "Approval",
    "Decision",
    "DocumentsSettings",
    "EthicsAssessment",
    "GateDecision",
    "ModelCard",
    "RunFacts",
    "StakeholderSummary",
    "TransparencyRecord",
    "approve",
    "assess_ethics",
    "card_keys_missing",
    "evaluate_gate",
    "load_ethics_assessment",
    "model_card",
    "stakeholder_summary",
    "transparency_block",
    "transparency_record",
]
