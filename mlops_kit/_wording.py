"""How a run's documents name its cases, its people and its positive prediction.

A report, a model card or a reason code must speak of the run's own data: an income
model's documents say "predicted income = >50K", not "flagged", and a hospital model's
say "patients", not "claimants". Everything here is derived from the config's target,
positive class and ``positive_is``; the optional ``wording`` section of the config
replaces any of it with the service's own words (the bundled benefit-claims config says
"claim", "claimant" and "flagged for review").

Only pydantic and the standard library are imported, so the config can use this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Wording", "WordingSettings"]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


class WordingSettings(BaseModel):
    """The ``wording`` section of a pipeline config: the service's own words (all optional).

    Examples
    --------
    >>> WordingSettings(case="claim", positive="flagged for review").case
    'claim'
    """

    model_config = _STRICT

    case: str = Field("case", description="What one row is, e.g. 'claim' or 'application'.")
    cases: str | None = Field(None, description="The plural of case; default case + 's'.")
    person: str = Field("person", description="Who a case is about, e.g. 'claimant'.")
    positive: str | None = Field(
        None,
        description="What a positive prediction does to a case, read after 'is', e.g. "
        "'flagged for review'; default 'predicted positive (<target> = <positive label>)'.",
    )
    negative: str | None = Field(
        None,
        description="The same for a negative prediction; default 'not ' + positive, or 'not "
        "predicted positive'.",
    )
    rate: str | None = Field(
        None,
        description="The share of a group predicted positive, compared by the four-fifths "
        "rule, e.g. 'flag rate'; default 'selection rate' (favourable) or 'positive "
        "rate' (adverse).",
    )

    @field_validator("case", "cases", "person", "positive", "negative", "rate")
    @classmethod
    def _words(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty (leave the key out for the default)")
        return None if value is None else " ".join(value.split())


@dataclass(frozen=True)
class Wording:
    """The words a run's documents use, resolved from the config.

    Attributes
    ----------
    case, cases, person : str
        What a row is (singular and plural) and who it is about.
    positive, negative : str
        What a positive or negative prediction does to a case, read after "is":
        ``f"{cases} scoring 0.5 or more are {positive}"``.
    rate : str
        The share of a group predicted positive (the four-fifths rule's rate).
    outcome : str
        The positive class itself, e.g. "income = >50K" (empty for regression).

    Examples
    --------
    >>> w = Wording.resolve(target="income", positive_label=">50K")
    >>> w.positive, w.negative, w.rate
    ('predicted positive (income = >50K)', 'not predicted positive', 'selection rate')
    >>> Wording.resolve(target="y", positive_label=1, positive_is="adverse").rate
    'positive rate'
    >>> claims = {"case": "claim", "person": "claimant", "positive": "flagged for review",
    ...           "negative": "not flagged", "rate": "flag rate"}
    >>> Wording.resolve(target="flagged", positive_label=1, settings=claims).cases
    'claims'
    """

    case: str = "case"
    cases: str = "cases"
    person: str = "person"
    positive: str = "predicted positive"
    negative: str = "not predicted positive"
    rate: str = "selection rate"
    outcome: str = ""

    @classmethod
    def resolve(
        cls,
        *,
        target: str,
        positive_label: Any = None,
        positive_is: str = "favourable",
        task: str = "classification",
        settings: WordingSettings | Mapping[str, Any] | None = None,
    ) -> Wording:
        """The words of a run, from its target, positive class and ``wording`` keys."""
        s = (
            settings
            if isinstance(settings, WordingSettings)
            else WordingSettings.model_validate(dict(settings or {}))
        )
        known = task == "classification" and positive_label is not None
        outcome = f"{target} = {positive_label}" if known else ""
        positive = s.positive or (
            f"predicted positive ({outcome})" if outcome else "predicted positive"
        )
        default_rate = "positive rate" if positive_is == "adverse" else "selection rate"
        return cls(
            case=s.case,
            cases=s.cases or f"{s.case}s",
            person=s.person,
            positive=positive,
            negative=s.negative
            or ("not predicted positive" if not s.positive else f"not {positive}"),
            rate=s.rate or default_rate,
            outcome=outcome,
        )

    @classmethod
    def from_record(cls, dataset: Mapping[str, Any]) -> Wording:
        """The words of a run from its ``dataset.json`` (the validate stage's record)."""
        target = dataset.get("profile", {}).get("target", {})
        return cls.resolve(
            target=str(target.get("name", "the target")),
            positive_label=target.get("positive_label"),
            positive_is=str(dataset.get("positive_is") or "favourable"),
            task=str(dataset.get("task") or "classification"),
            settings=dataset.get("wording") or {},
        )

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dictionary."""
        return asdict(self)
