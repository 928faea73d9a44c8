"""A team's answers to the design form, validated when they are made.

:class:`DesignAnswers` holds the answers; a question left unanswered is ``None``. Most
answers are choices (``_design_options``); fourteen are free text, the sentences only the
team can write (:data:`FREE_TEXT`), and a few take several options at once
(:data:`MULTIPLE_CHOICE`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, did_you_mean
from ._scenarios import ROLE_CARDS

__all__ = ["FREE_TEXT", "MULTIPLE_CHOICE", "DesignAnswers"]

#: The answers a person writes in words (the rest are choices): at most fourteen.
FREE_TEXT = (
    "team",
    "members",
    "approvers",
    "owner",
    "contact_email",
    "description",
    "benefit",
    "previous_process",
    "appeals",
    "metrics_rationale",
    "out_of_scope_uses",
    "ethical_considerations",
    "risk",
    "risk_mitigation",
)


_TEXT_LIST = ("members", "approvers", "out_of_scope_uses", "ethical_considerations")


#: The choices that take several options at once (tick boxes in the form; YAML lists).
MULTIPLE_CHOICE = ("protected", "exclude", "quasi_identifiers", "triggers", "caveats")


@dataclass(frozen=True)
class DesignAnswers:
    """A team's answers to the design form; ``None`` (or empty) means not answered.

    Free text (:data:`FREE_TEXT`): the team's name and members, the approvers' names,
    the owning team, a contact address and the sentences of the transparency record.
    Every other field takes one of the options :func:`design_form_options` gives.
    ``roles`` maps a role card (a key of :data:`~mlops_kit.course.ROLE_CARDS`) to the
    member who holds it.

    Examples
    --------
    >>> a = DesignAnswers.from_dict({"team": "Team Heron", "protected": ["sex"]})
    >>> a.team, a.protected, a.model
    ('Team Heron', ('sex',), None)
    """

    # the team
    team: str | None = None
    members: tuple[str, ...] | None = None
    roles: Mapping[str, str] = field(default_factory=dict)
    # who signs off
    decisions_about_people: bool | None = None
    approvers: tuple[str, ...] | None = None
    approver_role: str | None = None
    senior_responsible_owner: str | None = None
    owner: str | None = None
    contact_email: str | None = None
    # the model and its gate
    positive_is: str | None = None
    model: str | None = None
    tuning_metric: str | None = None
    threshold: float | None = None
    min_score: float | None = None
    min_recall: float | None = None
    metrics_rationale: str | None = None
    # fairness
    protected: tuple[str, ...] | None = None
    four_fifths: bool | None = None
    max_equalized_odds_difference: float | None = None
    min_group_size: int | None = None
    no_groups_reason: str | None = None
    # monitoring and retraining
    psi_threshold: float | None = None
    label_delay: int | None = None
    triggers: tuple[str, ...] | None = None
    monitoring_owner: str | None = None
    review_cadence: str | None = None
    retraining: str | None = None
    maintenance: str | None = None
    # rollback
    rollback_when: str | None = None
    rollback_how: str | None = None
    rollback_who: str | None = None
    # privacy
    exclude: tuple[str, ...] | None = None
    quasi_identifiers: tuple[str, ...] | None = None
    k: int | None = None
    privacy_statement: str | None = None
    dpia: str | None = None
    equality_assessment: str | None = None
    data_sharing: str | None = None
    data_retention: str | None = None
    data_access: str | None = None
    # transparency
    description: str | None = None
    benefit: str | None = None
    previous_process: str | None = None
    alternatives_considered: str | None = None
    human_oversight: str | None = None
    required_training: str | None = None
    appeals: str | None = None
    out_of_scope_uses: tuple[str, ...] | None = None
    ethical_considerations: tuple[str, ...] | None = None
    caveats: tuple[str, ...] | None = None
    risk_name: str | None = None
    risk: str | None = None
    risk_mitigation: str | None = None

    def __post_init__(self) -> None:
        for name in (*_TEXT_LIST, *MULTIPLE_CHOICE):
            value = getattr(self, name)
            if isinstance(value, str):
                value = _split(value, "\n" if name in _TEXT_LIST[2:] else ",")
            if value is not None:
                value = tuple(" ".join(str(v).split()) for v in value if str(v).strip())
            object.__setattr__(self, name, value)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                value = " ".join(value.split()) or None
                object.__setattr__(self, f.name, value)
        unknown = [r for r in self.roles if r not in ROLE_CARDS]
        if unknown:
            raise ConfigError(
                f"The 'roles' answer must map role cards ({', '.join(ROLE_CARDS)}) to "
                f"members. Got the unknown role {unknown[0]!r}."
                f"{did_you_mean(unknown[0], ROLE_CARDS)}"
            )
        roles = {r: " ".join(str(m).split()) for r, m in self.roles.items() if str(m or "").strip()}
        object.__setattr__(self, "roles", roles)

    @classmethod
    def from_dict(cls, answers: Mapping[str, Any]) -> DesignAnswers:
        """Answers from a plain mapping (papermill parameters, JSON); unknown names are refused."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in answers if k not in names]
        if unknown:
            raise ConfigError(
                f"The design form has no question {unknown[0]!r}; the questions are "
                f"{', '.join(names)}.{did_you_mean(str(unknown[0]), names)}"
            )
        return cls(**dict(answers))

    def to_dict(self) -> dict[str, Any]:
        """The answered questions only, as plain data."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == {} or value == ():
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def merged(self, other: DesignAnswers) -> DesignAnswers:
        """These answers with ``other``'s answered questions on top."""
        return DesignAnswers.from_dict(self.to_dict() | other.to_dict())


def _split(text: str, sep: str) -> tuple[str, ...]:
    parts = text.split(sep) if sep == "," else text.splitlines()
    return tuple(p.strip(" -•*\t") for p in parts if p.strip(" -•*\t"))
