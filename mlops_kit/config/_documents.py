"""The ``transparency`` section of a pipeline config: what only a person can write.

A model card, a transparency record and a stakeholder summary are drafted from a
pipeline run: the numbers, the data, the model and the gate's decision are facts the run
recorded. What the model is *for*, who answers for it, how people can appeal and which
risks were weighed are not in any file the pipeline writes: a person writes them here.

Every key is optional and empty by default, so that a document drafted from a config
without them lists exactly what is still to be written (``.missing``). A model whose
card has empty required parts is registered but refused by the gate's check "model card
complete", and no one may approve or promote it until they are written.

"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ._common import STRICT as _STRICT

__all__ = [
    "PHASES",
    "DocumentsSettings",
    "ImpactAssessment",
    "Risk",
    "Supplier",
]


#: The phases of the Algorithmic Transparency Recording Standard (ATRS) record.
PHASES = ("pre-deployment", "beta", "production", "retired")
Phase = Literal["pre-deployment", "beta", "production", "retired"]

#: Where an impact assessment stands.
AssessmentStatus = Literal["completed", "in progress", "not started", "not required"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text_list(value: Any) -> Any:
    """Accept one string as a one-item list; drop blank items."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value if v != ""]
    return value


class Supplier(BaseModel):
    """An external supplier or developer of the tool (ATRS Tier 2, 1.4)."""

    model_config = _STRICT

    name: str = Field("", description="The supplier's name.")
    companies_house_number: str = Field("", description="Its Companies House number.")
    role: str = Field("", description="What the supplier did: built, hosts, maintains ...")
    procurement_procedure: str = Field(
        "", description="How it was procured, e.g. 'G-Cloud 14 call-off' or 'open tender'."
    )
    data_access_terms: str = Field(
        "", description="The terms of the supplier's access to government data."
    )

    _text = field_validator("*", mode="before")(_strip)


class ImpactAssessment(BaseModel):
    """An impact assessment: where it stands, when, a link and what it found."""

    model_config = _STRICT

    status: AssessmentStatus = Field(description="completed, in progress, not started, ...")
    date: dt.date | None = Field(None, description="When it was completed (YYYY-MM-DD).")
    link: str = Field("", description="Where it is published, if it is.")
    summary: str = Field("", description="What it found, in a sentence or two.")

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("must be a date written YYYY-MM-DD") from None
        return value

    @field_validator("link", "summary", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _strip(value)

    @model_validator(mode="after")
    def _dated_when_completed(self) -> ImpactAssessment:
        if self.status == "completed" and self.date is None:
            raise ValueError("a completed assessment needs its date (YYYY-MM-DD)")
        return self

    def describe(self) -> str:
        """One line: status, date, summary and link."""
        parts = [self.status.capitalize() + (f" on {self.date.isoformat()}" if self.date else "")]
        if self.summary:
            parts.append(self.summary)
        if self.link:
            parts.append(f"Published at {self.link}")
        return ". ".join(p.rstrip(".") for p in parts) + "."


class Risk(BaseModel):
    """A risk of using the tool and what is done about it (ATRS Tier 2, 5.2)."""

    model_config = _STRICT

    name: str = Field(description="A short name, e.g. 'Unequal flag rates'.")
    description: str = Field("", description="What could go wrong, and for whom.")
    mitigation: str = Field("", description="What is done to prevent or limit it.")

    _text = field_validator("*", mode="before")(_strip)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value


class DocumentsSettings(BaseModel):
    """The human-written parts of the model card, transparency record and summary.

    Every key is optional; an empty one shows up in the documents' ``.missing``.

    Examples
    --------
    >>> s = DocumentsSettings(owner="Claims Analytics Team", phase="beta")
    >>> s.owner, s.phase, s.out_of_scope_uses
    ('Claims Analytics Team', 'beta', [])
    >>> DocumentsSettings(contact_email="not an address")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for DocumentsSettings
    ...
    """

    model_config = _STRICT

    # --- who and where (model card: model details; ATRS: tier 1 and 1. owner) ---------
    tool_name: str = Field(
        "", description="The tool's public name; default the registered model name."
    )
    description: str = Field(
        "",
        description="Plain-English overview for the public: how the tool is used and why "
        "(ATRS tier 1 description).",
    )
    organisation: str = Field("", description="Organisation or department responsible.")
    team: str = Field("", description="Team responsible for the tool.")
    senior_responsible_owner: str = Field(
        "", description="Role title of the senior responsible owner (SRO)."
    )
    owner: str = Field("", description="Who owns and maintains the model (team or role).")
    contact_email: str = Field("", description="Address the public and reviewers can write to.")
    website: str = Field("", description="Page with more information (https://...).")
    licence: str = Field("", description="Licence of the model card and record.")
    function: str = Field("", description="Area of public service, e.g. 'Benefits and welfare'.")
    region: str = Field("", description="Where the tool is used, e.g. 'England'.")
    phase: Phase | None = Field(None, description="pre-deployment, beta, production or retired.")
    external_supplier_involved: bool | None = Field(
        None, description="Was an external supplier involved? (false: built in-house)."
    )
    external_supplier: Supplier | None = Field(
        None, description="Who, when external_supplier_involved is true."
    )

    # --- intended use (model card) ----------------------------------------------------
    primary_uses: str = Field("", description="What the model is for.")
    primary_users: str = Field(
        "", description="Who uses its outputs, e.g. planners or case officers."
    )
    out_of_scope_uses: list[str] = Field(
        default_factory=list, description="Uses it must not be put to."
    )

    # --- description and rationale (ATRS 2) --------------------------------------------
    scope: str = Field("", description="What the tool is designed for and not for (ATRS 2.2).")
    benefit: str = Field("", description="The benefit to the public and the service (2.3).")
    previous_process: str = Field("", description="How it was done before the tool (2.4).")
    alternatives_considered: str = Field(
        "", description="Alternatives considered and why they were not chosen (2.5)."
    )

    # --- decision-making process (ATRS 3) ----------------------------------------------
    process_integration: str = Field(
        "", description="Where the tool sits in the decision process (3.1)."
    )
    provided_information: str = Field(
        "", description="What users are shown besides the score, e.g. reason codes (3.2)."
    )
    frequency_and_scale: str = Field(
        "", description="How often it is used and on how many cases (3.3)."
    )
    human_oversight: str = Field(
        "", description="Human decisions and review: who decides, who can override (3.4)."
    )
    required_training: str = Field("", description="Training staff get before using it (3.5).")
    appeals: str = Field("", description="How a person can challenge a decision (3.6).")

    # --- tool and data (ATRS 4) -----------------------------------------------------------
    system_architecture: str = Field(
        "", description="Where it runs and what it connects to, beyond the pipeline (4.1)."
    )
    maintenance: str = Field(
        "", description="Who reviews and retrains it, how often, and what triggers it (4.3)."
    )
    metrics_rationale: str = Field(
        "", description="Why these metrics and thresholds fit the service's goals."
    )
    data_source: str = Field("", description="Where the data come from (system, owner).")
    data_collection: str = Field("", description="How and why the data were collected.")
    data_sharing: str = Field("", description="Data sharing agreements, or 'none'.")
    data_retention: str = Field("", description="How long data and predictions are kept.")
    data_access: str = Field("", description="Who can access the data, where it is stored.")

    # --- risks, ethics, caveats (model card; ATRS 5) ---------------------------------------
    factors_note: str = Field(
        "",
        description="Which groups were evaluated and why; required when the run evaluated "
        "no protected attributes (say why none apply).",
    )
    ethical_considerations: list[str] = Field(
        default_factory=list, description="Ethical considerations, one per item."
    )
    caveats: list[str] = Field(
        default_factory=list, description="Caveats and recommendations, one per item."
    )
    dpia: ImpactAssessment | None = Field(None, description="Data protection impact assessment.")
    equality_impact_assessment: ImpactAssessment | None = Field(
        None, description="Equality impact assessment (Public Sector Equality Duty)."
    )
    other_impact_assessments: dict[str, ImpactAssessment] = Field(
        default_factory=dict, description="Other assessments by name, e.g. an ethics review."
    )
    risks: list[Risk] = Field(
        default_factory=list, description="Risks with their mitigations (ATRS 5.2)."
    )

    _lists = field_validator(
        "out_of_scope_uses", "ethical_considerations", "caveats", mode="before"
    )(_text_list)

    @field_validator(
        "tool_name",
        "description",
        "organisation",
        "team",
        "senior_responsible_owner",
        "owner",
        "contact_email",
        "website",
        "licence",
        "function",
        "region",
        "primary_uses",
        "primary_users",
        "scope",
        "benefit",
        "previous_process",
        "alternatives_considered",
        "process_integration",
        "provided_information",
        "frequency_and_scale",
        "human_oversight",
        "required_training",
        "appeals",
        "system_architecture",
        "maintenance",
        "metrics_rationale",
        "data_source",
        "data_collection",
        "data_sharing",
        "data_retention",
        "data_access",
        "factors_note",
        mode="before",
    )
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _strip(value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError("must be an email address such as team@example.gov.uk")
        return value

    @field_validator("website")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be a web address starting https://")
        return value

    @model_validator(mode="after")
    def _supplier_consistent(self) -> DocumentsSettings:
        if self.external_supplier_involved is False and self.external_supplier is not None:
            raise ValueError(
                "external_supplier is given but external_supplier_involved is false; "
                "remove one of them"
            )
        return self
