"""The ``review`` section of a pipeline config: human review of flags, validated strictly.

Only pydantic is imported here, so :mod:`mlops_kit.config` can import this module.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


class ReviewSettings(BaseModel):
    """When the override rate of caseworkers' reviews raises an alert, and override rules."""

    model_config = _STRICT

    max_override_rate: float = Field(
        0.75,
        ge=0,
        le=1,
        description="Alert when caseworkers override more than this share of the flags "
        "(overall or a group's); set it from the precision the evaluation promised.",
    )
    min_override_rate: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Alert when they override less than this share (possible rubber-"
        "stamping); none: no floor.",
    )
    max_override_gap: float | None = Field(
        0.15,
        ge=0,
        le=1,
        description="Alert when a group's override rate is this much above all cases'; "
        "none: no such alert.",
    )
    min_decisions: int = Field(
        20, ge=1, description="Groups with fewer decisions are too few to judge."
    )
    min_reason_chars: int = Field(
        15, ge=1, description="Shortest written reason an override may have."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ReviewSettings:
        if self.min_override_rate is not None and self.min_override_rate >= self.max_override_rate:
            raise ValueError("min_override_rate must be below max_override_rate")
        return self
