"""The ``privacy`` section of a pipeline config: reviewed columns, an override, thresholds.

Only pydantic is imported here, so :mod:`mlops_kit.config` can import this module.

In a pipeline config::

    exclude: [claim_id]            # never trained on: an identifier here is resolved
    privacy:
      allow:                       # columns a reviewer checked: not personal data
        region_code: "ONS area codes of whole regions, not of people"
      override:                    # the only way past unresolved identifiers
        by: Sam Jones, Data Protection Officer
        reason: "DPIA 2024-17 approves training on the pseudonymised extract"
      k: 5                         # the smallest group an export may have
      quasi_identifiers: [age_band, sex, region]
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["MIN_ALLOW_REASON", "MIN_OVERRIDE_REASON", "PrivacyOverride", "PrivacySettings"]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)

#: An override's reason must say why, in at least this many characters (as for the gate).
MIN_OVERRIDE_REASON = 20
#: A reviewed column's reason must say why it is not personal data, in at least this many.
MIN_ALLOW_REASON = 10
#: Words that are not a person's name.
_PLACEHOLDERS = frozenset(
    {
        "me", "myself", "i", "tbc", "tbd", "todo", "n/a", "na", "none", "null", "unknown",
        "anonymous", "anon", "admin", "administrator", "user", "test", "x", "xx", "xxx",
        "someone", "nobody", "system", "root", "-", "?",
    }
)  # fmt: skip


class PrivacyOverride(BaseModel):
    """A named person's written decision to train despite unresolved identifiers.

    It is recorded with the run (in ``dataset.json`` and the audit log), so whoever
    reads the run later can see who decided and why.
    """

    model_config = _STRICT

    by: str = Field(description="The named person who takes responsibility (and their role).")
    reason: str = Field(
        description=f"Why training may go ahead, at least {MIN_OVERRIDE_REASON} characters "
        "(for example the DPIA or data-sharing agreement that allows it)."
    )

    @field_validator("by")
    @classmethod
    def _named(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text:
            raise ValueError("must name the person who overrides the check; got an empty name")
        if text.casefold() in _PLACEHOLDERS or len(text) < 2:
            raise ValueError(f"must be a person's name, not a placeholder; got {value!r}")
        return text

    @field_validator("reason")
    @classmethod
    def _reasoned(cls, value: str) -> str:
        text = " ".join(value.split())
        if len(text) < MIN_OVERRIDE_REASON:
            raise ValueError(
                f"must explain why in at least {MIN_OVERRIDE_REASON} characters; got {value!r} "
                f"({len(text)} characters)"
            )
        return text


class PrivacySettings(BaseModel):
    """How the data stage checks a table for personal data before anything is trained.

    The scan reports every column that looks like a direct identifier (a name, email
    address, phone number, postcode, National Insurance or NHS number, date of birth) or
    that singles people out (near-unique values). A reported column is *resolved* when
    the config's ``exclude`` lists it (it is never trained on) or ``allow`` gives the
    reason a reviewer judged it safe. Any column left unresolved stops the run, unless
    ``override`` names the person who decided otherwise and why.
    """

    model_config = _STRICT

    allow: dict[str, str] = Field(
        default_factory=dict,
        description="Columns a reviewer checked and judged not to be personal data, each "
        f"with the reason (at least {MIN_ALLOW_REASON} characters).",
    )
    override: PrivacyOverride | None = Field(
        None,
        description="Train even though columns are unresolved: who decides (by) and why "
        "(reason). Recorded with the run.",
    )
    near_unique_share: float = Field(
        0.9,
        gt=0.5,
        le=1.0,
        description="A text or reference-number column is near-unique when at least this "
        "share of its values are distinct.",
    )
    min_share: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="Share of a column's values that must match an identifier's pattern "
        "for the column to count as that identifier.",
    )
    text_share: float = Field(
        0.01,
        gt=0.0,
        le=1.0,
        description="Share of a free-text column's values that must contain an identifier "
        "(an email address, phone, postcode, NI or NHS number) for it to be reported.",
    )
    k: int = Field(
        5, ge=2, description="The smallest group size an exported table may have (k-anonymity)."
    )
    quasi_identifiers: list[str] = Field(
        default_factory=list,
        description="Columns that together could identify someone (age band, sex, area), "
        "checked for k-anonymity before a row-level table is exported.",
    )

    @field_validator("allow")
    @classmethod
    def _reasons(cls, value: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for column, reason in value.items():
            text = " ".join(reason.split())
            if len(text) < MIN_ALLOW_REASON:
                raise ValueError(
                    f"the reason for column '{column}' must say why it is not personal data, "
                    f"in at least {MIN_ALLOW_REASON} characters; got {reason!r}"
                )
            out[column] = text
        return out

    @field_validator("quasi_identifiers")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("must not repeat a column")
        return value
