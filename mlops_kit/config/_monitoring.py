"""Config sections of monitoring and continuous training: when an alert is raised, how a
replay retrains."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ._common import STRICT as _STRICT
from ._common import check_section
from ._sections import PolicySection

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


Trigger = Literal["drift", "decay", "schedule", "new_labels", "fairness"]

#: Metrics a challenger can be compared on, by task; ``True`` means higher is better.
COMPARISON_METRICS: dict[str, dict[str, bool]] = {
    "classification": {
        "roc_auc": True,
        "pr_auc": True,
        "f1": True,
        "recall": True,
        "precision": True,
        "accuracy": True,
    },
    "regression": {"rmse": False, "mae": False, "r2": True},
}


class ContinuousSettings(BaseModel):
    """How continuous training replays the batches, when it retrains and what it promotes.

    The replay trains a first champion on ``initial_batches`` batches, then takes the
    batches one at a time. Labels arrive ``label_delay`` batches late, so performance
    can be judged only on batches whose labels have arrived. When a trigger fires, a
    challenger is trained on a window of labelled batches, tuned within
    ``tuning_trials``, gated by the governance policy on the most recent
    ``holdout_batches`` labelled batches (held out of its training) and compared with
    the champion on the same rows: it must beat the champion by ``margin``.
    """

    model_config = _STRICT

    batch_column: str | None = Field(
        None, description="Column naming each row's batch; default the config's time_column."
    )
    batch_period: Literal["as_is", "month", "quarter", "year"] = Field(
        "as_is",
        description="Group the batch column's dates into calendar periods (for weekly data "
        "whose weeks are too small to judge); as_is keeps its values.",
    )
    initial_batches: int = Field(
        6, ge=2, description="Batches the first champion is trained on (the last held out)."
    )
    window: Literal["sliding", "expanding"] = Field(
        "sliding",
        description="Challenger training window: the latest window_size labelled batches "
        "(sliding) or every labelled batch so far (expanding).",
    )
    window_size: int = Field(6, ge=1, description="Batches in a sliding window.")
    holdout_batches: int = Field(
        1, ge=1, description="Most recent labelled batches held out to gate and compare."
    )
    triggers: list[Trigger] = Field(
        default_factory=lambda: list[Trigger](["drift", "decay"]),
        description="What starts retraining: drift, decay, schedule, new_labels and/or "
        "fairness (a fairness alert on the champion's latest labelled batch).",
    )
    drift_min_features: int = Field(
        1, ge=1, description="Drifted features needed for the drift trigger to fire."
    )
    max_decay: float = Field(
        0.05,
        gt=0,
        description="Decay trigger: how far (in the metric's units) the champion's metric "
        "on the latest labelled batch may fall below its value when it was promoted.",
    )
    schedule_every: int = Field(
        6, ge=1, description="Schedule trigger: batches since the champion was trained."
    )
    new_labels_rows: int = Field(
        5000, ge=1, description="New-labels trigger: labelled rows the champion has not seen."
    )
    label_delay: int = Field(
        1, ge=0, description="Batches before a batch's labels arrive (0: at once)."
    )
    cooldown: int = Field(
        2, ge=0, description="Batches after a challenger is trained before another may be."
    )
    tuning_trials: int = Field(
        4, ge=0, le=200, description="Optuna trials per challenger (0: the default settings)."
    )
    tuning_cv_folds: int = Field(3, ge=2, le=10, description="Time-ordered folds per trial.")
    metric: str | None = Field(
        None, description="Metric compared; default roc_auc (classification) or rmse."
    )
    margin: float = Field(
        0.005,
        ge=0,
        description="How much better (in the metric's units) a challenger must be than the "
        "champion on the held-out batches to be promoted.",
    )
    fairness_guardrail: float | None = Field(
        0.1,
        ge=0,
        le=1,
        description="A challenger is not promoted when its four-fifths ratio for any "
        "protected attribute, on the held-out batches, is more than this below the "
        "champion's on the same rows (fairness must not fall); null switches it off.",
    )
    hold_on_fairness_alert: bool = Field(
        True,
        description="While the champion's latest labelled batch carries a fairness alert, "
        "hold automatic promotion: a winning challenger waits for a person's review.",
    )
    register_models: bool = Field(
        True,
        description="Register every model of the replay in the model registry and move its "
        "champion and challenger aliases there as the replay decides.",
    )
    model_name: str | None = Field(
        None,
        min_length=1,
        description="Registered model name for the replay's models; default the registry's "
        "model name (or the run name) followed by '-replay', so a replay never moves the "
        "aliases of the model in service.",
    )
    policy: dict[str, Any] = Field(
        default_factory=dict,
        description="Keys of the policy section that replace the config's for this replay "
        "only (for example high_impact: false, documented); default the config's policy.",
    )

    @field_validator("triggers")
    @classmethod
    def _triggers(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(
                "must name at least one of drift, decay, schedule, new_labels, fairness"
            )
        if len(set(value)) != len(value):
            raise ValueError("must not repeat a trigger")
        return value

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | None) -> str | None:
        known = [m for metrics in COMPARISON_METRICS.values() for m in metrics]
        if value is not None and value not in known:
            raise ValueError(f"must be one of {', '.join(known)}")
        return value

    @field_validator("policy")
    @classmethod
    def _policy(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_section(value, PolicySection, "continuous.policy")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ContinuousSettings:
        if self.window == "sliding" and self.window_size > self.initial_batches:
            raise ValueError(
                f"a sliding window of {self.window_size} batches needs initial_batches of at "
                f"least {self.window_size}; got {self.initial_batches}"
            )
        if self.holdout_batches >= self.initial_batches:
            raise ValueError(
                f"holdout_batches ({self.holdout_batches}) must be fewer than initial_batches "
                f"({self.initial_batches}), so the first champion has batches to train on"
            )
        return self

    def higher_is_better(self, task: str) -> bool:
        """Whether a larger value of the compared metric is better."""
        return COMPARISON_METRICS[task][self.primary_metric(task)]

    def primary_metric(self, task: str) -> str:
        """The compared metric for ``task``."""
        return self.metric or ("roc_auc" if task == "classification" else "rmse")
