"""Human review of automated decisions: a caseworker accepts or overrides each flag.

A model that flags benefit claims for investigation makes recommendations; a person makes
the decision. UK GDPR (Article 22) gives people the right not to be subject to a decision
based *solely* on automated processing when it has legal or similarly significant effects,
and the human involvement has to be meaningful: someone with the authority and the
information to disagree, who actually looks at the case. The Algorithmic Transparency
Recording Standard asks public bodies to describe exactly this oversight.

* **The queue** (:class:`ReviewQueue`): the cases the model flags
  (``flagged_cases``, highest score first, each with its reason codes) wait for a
  caseworker. The caseworker **accepts** the flag or **overrides** it; a final decision
  can only be recorded with the reviewer's name, an override needs a written reason, and a
  decision is never changed afterwards (an appeal is a new case). Every decision is
  written to the audit log (``review_accepted`` or ``review_overridden``) before it is
  recorded in the queue, and the queue keeps the audit entry's hash as proof.
* **The monitoring signal** (:class:`OverrideReport`): the override rate overall and by
  protected group. Too high, and the model is not helping (or is unfair to the group
  whose flags are overturned); too low, and reviews may be rubber-stamping it.
* **A simulated caseworker** (:func:`simulate_reviews`) for lessons, deciding from the
  bundled data's known outcomes through the same rules and audit trail.

Protected attributes are stored with each case only to monitor override rates by group:
they are never shown to the caseworker and never written to the audit log.
"""

from ._cases import ReviewCase
from ._decision import ReviewDecision
from ._override_report import OverrideReport, ReviewAlert
from ._queue import ReviewQueue
from ._simulate import simulate_reviews

__all__ = [
    "OverrideReport",
    "ReviewAlert",
    "ReviewCase",
    "ReviewDecision",
    "ReviewQueue",
    "simulate_reviews",
]
