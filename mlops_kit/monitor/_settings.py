"""Thresholds of the monitor, validated with errors that name the key, the rule and the value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)

Correction = Literal["benjamini-hochberg", "bonferroni", "none"]


class DriftSettings(BaseModel):
    """When a feature counts as drifted.

    A feature drifts only when *both* hold: its test's p-value, corrected for testing
    many features at once, is below ``alpha``, *and* its effect size is at or above the
    floor for that measure. On large batches the p-value alone flags almost every column
    (tiny, harmless shifts are "significant"); the floor asks whether the shift is big
    enough to matter. Batches with fewer than ``min_rows`` rows are "too small to judge".

    The defaults are the usual rules of thumb: PSI 0.1 ("moderate shift"; 0.25 is
    "major"), a Jensen-Shannon distance of 0.1 (Evidently's default) and a
    Kolmogorov-Smirnov statistic of 0.1 (a 10-point gap between the two cumulative
    distributions).
    """

    model_config = _STRICT

    alpha: float = Field(
        0.05, gt=0, lt=1, description="Significance level of the corrected p-values."
    )
    correction: Correction = Field(
        "benjamini-hochberg",
        description="Correction for testing many features: benjamini-hochberg (false "
        "discovery rate), bonferroni (family-wise error) or none.",
    )
    psi_threshold: float = Field(
        0.1, gt=0, description="Floor of the population stability index (PSI)."
    )
    js_threshold: float = Field(
        0.1, gt=0, le=1, description="Floor of the Jensen-Shannon distance (base 2, 0 to 1)."
    )
    ks_threshold: float = Field(
        0.1, gt=0, le=1, description="Floor of the Kolmogorov-Smirnov statistic (0 to 1)."
    )
    numeric_effect: Literal["psi", "ks", "js"] = Field(
        "psi", description="Effect size judged for numeric features."
    )
    categorical_effect: Literal["js", "psi"] = Field(
        "js", description="Effect size judged for categorical features."
    )
    n_bins: int = Field(
        10, ge=2, le=100, description="Quantile bins of the reference for numeric features."
    )
    min_rows: int = Field(
        200, ge=1, description="Batches (reference or current) with fewer rows are too small."
    )
    min_expected: float = Field(
        5.0,
        gt=0,
        description="Chi-square: categories whose expected count is below this are pooled.",
    )

    def floor(self, measure: str) -> float:
        """The floor of an effect-size measure (``psi``, ``js`` or ``ks``)."""
        return float(getattr(self, f"{measure}_threshold"))


class PerformanceSettings(BaseModel):
    """When a batch's performance, prediction drift or fairness raises an alert."""

    model_config = _STRICT

    min_metrics: dict[str, float] = Field(
        default_factory=lambda: {"roc_auc": 0.7},
        description="Performance floors per metric, e.g. {roc_auc: 0.7, recall: 0.3}.",
    )
    four_fifths_limit: float = Field(
        0.8, gt=0, le=1, description="Lowest fairness ratio (of flag or selection rates)."
    )
    score_psi_threshold: float = Field(
        0.1, gt=0, description="PSI of the score distribution against the reference."
    )
    min_labelled: int = Field(
        50, ge=1, description="Batches with fewer labelled rows report labels pending."
    )
    min_group_size: int = Field(
        100,
        ge=1,
        description="Groups with fewer rows in a batch are not judged (a monthly batch's "
        "small groups give noisy rates).",
    )
    fairness_alpha: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="A ratio below the limit raises an alert only when the groups' rates "
        "differ between the judged groups by more than chance (chi-square p below this); "
        "otherwise it is a warning to watch.",
    )
    threshold: float = Field(
        0.5, gt=0, lt=1, description="Score at or above which a case is predicted positive."
    )
    positive_is: Literal["favourable", "adverse"] = Field(
        "adverse", description="Whether a positive prediction helps or harms the person."
    )
    rate_name: str | None = Field(
        None,
        description="What alerts call the rate compared between groups; default the "
        "config's wording (selection rate, or positive rate for an adverse outcome).",
    )
    n_bins: int = Field(10, ge=2, le=100, description="Quantile bins of the reference scores.")

    @field_validator("min_metrics")
    @classmethod
    def _known_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        known = ("roc_auc", "pr_auc", "recall", "precision", "f1", "accuracy")
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise ValueError(
                f"names unknown metric(s) {', '.join(unknown)}; choose from {', '.join(known)}"
            )
        return value


def _settings(given: Any, model: type[BaseModel], source: str) -> Any:
    """``given`` as a validated settings object (None: the defaults)."""
    if given is None:
        return model()
    if isinstance(given, model):
        return given
    if not isinstance(given, Mapping):
        from ..errors import ConfigError

        raise ConfigError(
            f"The 'settings' parameter of {source} must be a {model.__name__} or a mapping "
            f"of its keys. Got {type(given).__name__} instead."
        )
    from ..config import validate_params

    return validate_params(given, model=model, source=f"{model.__name__} of {source}")
