"""Config sections read by one domain each: privacy, explanations, review and the gate's policy."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ._common import STRICT as _STRICT

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


class ExplainSettings(BaseModel):
    """How the pipeline explains its model: row caps, cases shown, labels and checks.

    Every key maps onto a keyword of :func:`mlops_kit.explain.explain_model` (the seed
    and the threshold come from the config's own ``seed`` and ``threshold``, the groups
    from ``protected``, and ``min_group_size`` from the config's key of that name).
    """

    model_config = _STRICT

    enabled: bool = Field(True, description="Run the explain stage (false: skip it).")
    max_rows: int = Field(
        1000,
        ge=1,
        le=100_000,
        description="Held-out rows explained at most (a seeded sample beyond it): about 2 s "
        "per 1,000 rows for boosting, 15 s for a 100-tree forest.",
    )
    max_rows_sampled: int = Field(
        100,
        ge=1,
        le=10_000,
        description="Row cap of the sampled fallback explainer (models neither tree nor linear).",
    )
    background_rows: int = Field(
        1000, ge=10, le=100_000, description="Training rows standing for the average case."
    )
    n_cases: int = Field(
        3, ge=0, le=50, description="Highest-scoring cases given reason codes and a waterfall."
    )
    n_reasons: int = Field(3, ge=1, le=10, description="Reasons each way per case.")
    explainer: Literal["auto", "tree", "linear", "sampled"] = Field(
        "auto", description="auto chooses by model family: tree, linear or sampled."
    )
    crosscheck: bool = Field(
        True, description="Cross-check the SHAP ranking against permutation importance."
    )
    n_repeats: int = Field(5, ge=1, le=50, description="Shuffles per feature in the cross-check.")
    top_k: int = Field(3, ge=1, le=20, description="Top reasons compared between groups.")
    feature_labels: dict[str, str] = Field(
        default_factory=dict,
        description="Plain labels for feature columns, e.g. {days_to_submit: days taken to "
        "submit the claim}; default the datasheet's for the bundled data, else the name.",
    )

    @field_validator("feature_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        empty = [k for k, v in value.items() if not v.strip()]
        if empty:
            raise ValueError(f"the label of '{empty[0]}' must not be empty")
        return value

    def explain_kwargs(self) -> dict[str, Any]:
        """The keywords of :func:`mlops_kit.explain.explain_model` these settings set.

        Examples
        --------
        >>> ExplainSettings(max_rows=500).explain_kwargs()["max_rows"]
        500
        """
        return {
            "max_rows": self.max_rows,
            "max_rows_sampled": self.max_rows_sampled,
            "background_rows": self.background_rows,
            "explainer": self.explainer,
            "crosscheck": self.crosscheck,
            "n_repeats": self.n_repeats,
            "top_k": self.top_k,
            "feature_labels": dict(self.feature_labels) or None,
        }


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


#: Metrics the gate can put a floor (``min_metrics``) or a ceiling (``max_metrics``) on.
GATE_METRICS = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "pr_auc",
    "brier",
    "mse",
    "rmse",
    "mae",
    "r2",
)


class PolicySection(BaseModel):
    """The governance policy the gate applies before a model may be promoted."""

    model_config = _STRICT

    high_impact: bool = Field(
        False, description="High-impact use: a named person must always approve promotion."
    )
    min_metrics: dict[str, float] = Field(
        default_factory=dict, description="Performance floors, e.g. {roc_auc: 0.7, recall: 0.3}."
    )
    max_metrics: dict[str, float] = Field(
        default_factory=dict, description="Ceilings for error metrics, e.g. {rmse: 900}."
    )
    four_fifths: bool = Field(
        True, description="Require the four-fifths rule (on the outcome's rates) to pass."
    )
    max_equalized_odds_difference: float | None = Field(
        0.1, ge=0, le=1, description="Largest equalised odds difference allowed (None: no limit)."
    )
    max_group_error_ratio: float | None = Field(
        1.25,
        ge=1,
        description="Regression: largest ratio of the worst group's error to the best "
        "group's allowed (None: no limit).",
    )
    group_error_metric: Literal["mae", "rmse"] = Field(
        "mae", description="Regression: the error compared between groups (mae or rmse)."
    )
    approvers: list[str] = Field(
        default_factory=list, description="People who may approve; empty: any named person."
    )

    @field_validator("min_metrics", "max_metrics")
    @classmethod
    def _known_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(GATE_METRICS))
        if unknown:
            raise ValueError(
                f"names unknown metric(s) {', '.join(unknown)}; "
                f"choose from {', '.join(GATE_METRICS)}"
            )
        return value
