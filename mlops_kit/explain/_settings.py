"""The ``explain`` section of a pipeline config: how the explain stage works, validated strictly.

Only pydantic is imported here, so :mod:`mlops_kit.config` can import this module.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


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
