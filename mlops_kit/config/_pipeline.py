"""The pipeline config: each stage's keys, the whole config, and how a file is read.

The keys are grouped by the pipeline stage that uses them (:class:`DataParams`,
:class:`TrainParams`, :class:`EvaluateParams`, ...); :class:`PipelineConfig` is all of
them with the run's own keys, and :func:`load_config` reads, overrides and validates it.

Over 400 lines because the schema is written once, field by field with its description
(the config reference in ``docs/analyst.md`` is generated from it), and kept together so
that a reader sees every key of a config in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from .._wording import WordingSettings
from ..errors import ConfigError
from ._common import (
    BUNDLED_DATASETS,
    BUNDLED_PREFIX,
    bundled_path,
    check_section,
    no_secret,
    split_commas,
)
from ._common import STRICT as _STRICT
from ._documents import DocumentsSettings
from ._monitoring import ContinuousSettings, DriftSettings, PerformanceSettings
from ._sections import ExplainSettings, PolicySection, PrivacySettings

Task = Literal["classification", "regression"]
ModelName = Literal["logistic", "hgb", "rf", "linear"]
#: The model families each task may use (the config key ``model``).
MODELS_FOR_TASK: dict[str, tuple[str, ...]] = {
    "classification": ("logistic", "hgb", "rf"),
    "regression": ("linear", "hgb", "rf"),
}


class DataParams(BaseModel):
    """Keys of the validate-data stage: where the data is and what each column is for."""

    model_config = _STRICT

    data: str = Field(
        description="Path of the CSV file (relative paths: see load_config), or "
        "bundled:<name> for a dataset shipped with the kit."
    )
    target: str = Field(description="Column to predict.")
    task: Task = Field("classification", description="classification (binary) or regression.")
    positive_label: str | int | float | bool | None = Field(
        None, description="Class that counts as positive; default 1 or True."
    )
    positive_is: Literal["favourable", "adverse"] = Field(
        "favourable",
        description="Whether a positive prediction helps (favourable) or harms (adverse) "
        "the person; the four-fifths rule is applied to the rates of that outcome.",
    )
    protected: list[str] = Field(
        default_factory=list, description="Columns for fairness analysis; never features."
    )
    features: list[str] | None = Field(
        None, description="Feature columns; default every other usable column."
    )
    exclude: list[str] = Field(
        default_factory=list, description="Columns never used as features, e.g. case IDs."
    )
    time_column: str | None = Field(
        None, description="Column ordering rows in time; needed by split: time."
    )
    delimiter: Literal[",", ";", "\t", "|"] | None = Field(
        None,
        description="Field separator of a CSV file; default detected from the file (comma, "
        "semicolon, tab or pipe) and recorded.",
    )
    missing_target: Literal["refuse", "drop"] = Field(
        "refuse",
        description="Rows with a blank target: refuse the table (default), or drop them and "
        "record how many.",
    )
    missing_protected: Literal["group", "refuse"] = Field(
        "group",
        description="Blank protected values: a group 'not recorded', counted and judged like "
        "any other (default), or refuse the table.",
    )
    infinite_values: Literal["missing", "refuse"] = Field(
        "missing",
        description="inf and -inf in numeric feature columns: treated as missing values and "
        "counted per column (default), or refuse the table naming the column.",
    )
    wording: WordingSettings = Field(
        default_factory=WordingSettings,
        description="The service's own words for a case, the person it is about and a "
        "positive prediction (e.g. claim, claimant, flagged for review); default words "
        "derived from the target and positive class.",
    )
    privacy: PrivacySettings = Field(
        default_factory=PrivacySettings,
        description="The personal-data scan before training: columns allowed with a "
        "reason, a named person's override, and the k-anonymity export settings.",
    )

    _lists = field_validator("protected", "features", "exclude", mode="before")(split_commas)

    @field_validator("data", "target")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("data")
    @classmethod
    def _bundled(cls, value: str) -> str:
        """``bundled:<name>`` names a dataset shipped with the kit."""
        if not value.startswith(BUNDLED_PREFIX):
            return value
        name = value.removeprefix(BUNDLED_PREFIX)
        if name not in BUNDLED_DATASETS:
            raise ValueError(
                f"must name a bundled dataset after '{BUNDLED_PREFIX}' "
                f"({', '.join(BUNDLED_PREFIX + n for n in BUNDLED_DATASETS)})"
            )
        return str(bundled_path(name))


class SplitParams(BaseModel):
    """Keys shared by the tune and train stages: the model family and the split."""

    model_config = _STRICT

    model: ModelName = Field("hgb", description="Model family (see MODELS_FOR_TASK).")
    seed: int = Field(0, ge=0, description="Seed for the split, the model and the bootstrap.")
    split: Literal["random", "time"] = Field(
        "random", description="random, or time: train on earlier periods, test on later ones."
    )
    test_size: float = Field(0.25, gt=0, lt=1, description="Share of rows held out for testing.")


class TrainParams(SplitParams):
    """Keys of the train stage: the split, cross-validation and the decision threshold."""

    model_config = _STRICT

    cv_folds: int = Field(
        5, ge=0, le=20, description="Cross-validation folds on the training rows (0: none)."
    )
    threshold: float = Field(
        0.5, gt=0, lt=1, description="Score at or above which a case is predicted positive."
    )

    @field_validator("cv_folds")
    @classmethod
    def _not_one_fold(cls, value: int) -> int:
        if value == 1:
            raise ValueError("must be 0 (no cross-validation) or from 2 to 20")
        return value


class EvaluateParams(BaseModel):
    """Keys of the evaluate stage: how fairness is judged."""

    model_config = _STRICT

    min_group_size: int = Field(
        30, ge=1, description="Groups with fewer rows are reported as insufficient data."
    )
    min_group_positives: int = Field(
        5, ge=0, description="Groups with fewer actual positives are insufficient data."
    )
    n_bootstrap: int = Field(
        200, ge=0, le=10_000, description="Bootstrap resamples for confidence intervals (0: none)."
    )
    confidence_level: float = Field(
        0.95, gt=0.5, lt=1, description="Level of the bootstrap confidence intervals."
    )


#: The metrics tuning may optimise, by task (the config key ``tuning.metric``).
TUNING_METRICS: dict[str, tuple[str, ...]] = {
    "classification": ("roc_auc", "average_precision", "neg_log_loss", "f1"),
    "regression": ("rmse", "mae", "r2"),
}


class SearchDimension(BaseModel):
    """The range searched for one hyperparameter.

    ``float`` and ``int`` take ``low`` and ``high`` (and ``log`` for a log scale);
    ``categorical`` takes ``choices``.
    """

    model_config = _STRICT

    type: Literal["float", "int", "categorical"]
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: list[str | int | float | bool | None] | None = None

    @model_validator(mode="after")
    def _complete(self) -> SearchDimension:
        if self.type == "categorical":
            if not self.choices:
                raise ValueError("a categorical dimension needs a non-empty list of choices")
            return self
        if self.low is None or self.high is None or not self.low < self.high:
            raise ValueError(f"a {self.type} dimension needs low < high")
        if self.log and self.low <= 0:
            raise ValueError("a log-scale dimension needs low > 0")
        if self.type == "int" and not (
            float(self.low).is_integer() and float(self.high).is_integer()
        ):
            raise ValueError("an int dimension needs whole-number low and high")
        return self


class TuningSection(BaseModel):
    """How hyperparameters are tuned (Optuna): budget, metric, pruning, storage."""

    model_config = _STRICT

    n_trials: int = Field(20, ge=0, le=10_000, description="Trials in the budget (0: no tuning).")
    timeout: float | None = Field(
        None, gt=0, description="Seconds in the budget; a time budget makes a run unreproducible."
    )
    metric: str | None = Field(
        None, description="Metric to optimise; default roc_auc (classification) or rmse."
    )
    cv_folds: int = Field(3, ge=2, le=10, description="Cross-validation folds per trial.")
    n_workers: int = Field(1, ge=1, le=64, description="Worker processes sharing the study.")
    storage: str | None = Field(
        None,
        description="None (in memory), a sqlite:/// URL (resumable), journal:///path (safe for "
        "several local workers) or a PostgreSQL/MySQL URL (several machines).",
    )
    study_name: str | None = Field(None, description="Name of the study in the storage.")

    _storage_without_secret = field_validator("storage")(no_secret)
    pruning: bool = Field(True, description="Stop unpromising trials early (successive halving).")
    search_space: dict[str, SearchDimension] | None = Field(
        None, description="Hyperparameter ranges; default the model family's own."
    )

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str | None) -> str | None:
        known = [m for ms in TUNING_METRICS.values() for m in ms]
        if value is not None and value not in known:
            raise ValueError(f"must be one of {', '.join(known)}")
        return value


class TuneParams(SplitParams):
    """Keys of the tune stage: the model family and split, and the tuning section."""

    model_config = _STRICT

    tuning: TuningSection = Field(default_factory=TuningSection, description="Tuning settings.")


class GateParams(BaseModel):
    """Keys of the gate stage."""

    model_config = _STRICT

    policy: PolicySection = Field(default_factory=PolicySection, description="Governance policy.")
    transparency: DocumentsSettings = Field(
        default_factory=DocumentsSettings,
        description="What only a person can write in the model card; the gate refuses a "
        "model whose card has an empty required part.",
    )


class RegistrySection(BaseModel):
    """Where models and runs are recorded (MLflow)."""

    model_config = _STRICT

    tracking_uri: str | None = Field(
        None,
        description="MLflow tracking URI; default a SQLite file mlops.db in the working folder.",
    )
    model_name: str | None = Field(None, description="Registered model name; default the run name.")

    _uri_without_secret = field_validator("tracking_uri")(no_secret)


class RegisterParams(BaseModel):
    """Keys of the register stage."""

    model_config = _STRICT

    registry: RegistrySection = Field(
        default_factory=RegistrySection, description="Model registry settings."
    )
    transparency: DocumentsSettings = Field(
        default_factory=DocumentsSettings,
        description="What only a person can write in the model card, the transparency "
        "record and the stakeholder summary; a model whose card is incomplete is "
        "registered but can be neither approved nor promoted.",
    )


class ExplainParams(BaseModel):
    """Keys of the explain stage."""

    model_config = _STRICT

    explain: ExplainSettings = Field(
        default_factory=ExplainSettings,
        description="SHAP explanations of the held-out rows: rows explained, reason codes, "
        "the cross-check and the explanations by protected group.",
    )


class MonitoringSection(BaseModel):
    """When data drift, performance decay or a fairness fall raises an alert."""

    model_config = _STRICT

    drift: DriftSettings = Field(
        default_factory=DriftSettings, description="When a feature counts as drifted."
    )
    performance: PerformanceSettings = Field(
        default_factory=PerformanceSettings,
        description="Metric floors, fairness limit and prediction drift over time.",
    )


class MonitorParams(BaseModel):
    """Keys of monitoring (the monitor stage and continuous training)."""

    model_config = _STRICT

    monitoring: MonitoringSection = Field(
        default_factory=MonitoringSection, description="Monitoring thresholds."
    )
    new_batch: str | None = Field(
        None,
        description="A new batch of data (CSV) to monitor against the training rows; "
        "default the held-out rows, period by period.",
    )


class PipelineConfig(
    MonitorParams,
    RegisterParams,
    GateParams,
    ExplainParams,
    TuneParams,
    EvaluateParams,
    TrainParams,
    DataParams,
):
    """The whole pipeline config: every stage's keys plus the run's own keys."""

    model_config = _STRICT

    name: str | None = Field(None, description="Label for the run folder; default the data file.")
    trained_by: str | None = Field(
        None, description="Who runs the training (recorded; may not approve it); default the login."
    )
    audit_log: str | None = Field(
        None, description="Audit log file; default audit/audit.jsonl in the working folder."
    )
    continuous: ContinuousSettings = Field(
        default_factory=ContinuousSettings,
        description="Continuous training: how mlops-kit simulate replays the batches.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PipelineConfig:
        allowed = MODELS_FOR_TASK[self.task]
        if self.model not in allowed:
            raise ValueError(
                f"model '{self.model}' does not fit task '{self.task}'; "
                f"choose one of: {', '.join(allowed)}"
            )
        metric = self.tuning.metric
        if metric is not None and metric not in TUNING_METRICS[self.task]:
            raise ValueError(
                f"tuning metric '{metric}' does not fit task '{self.task}'; choose one of: "
                f"{', '.join(TUNING_METRICS[self.task])}"
            )
        if self.split == "time" and not self.time_column:
            raise ValueError("split 'time' needs time_column, the column that orders rows")
        if self.task == "regression" and self.positive_is == "adverse":
            raise ValueError("positive_is applies to classification only; remove it")
        for key in ("protected", "exclude"):
            if self.target in getattr(self, key):
                raise ValueError(f"target '{self.target}' cannot also be in {key}")
        overlap = set(self.protected) & set(self.features or ())
        if overlap:
            raise ValueError(f"protected columns cannot be features: {', '.join(sorted(overlap))}")
        return self


#: Config keys each stage notebook takes as papermill parameters (besides run_dir).
STAGE_PARAMS: dict[str, type[BaseModel]] = {
    "validate": DataParams,
    "tune": TuneParams,
    "train": TrainParams,
    "evaluate": EvaluateParams,
    "explain": ExplainParams,
    "gate": GateParams,
    "register": RegisterParams,
    "monitor": MonitorParams,
    "report": BaseModel,
}
#: Keys holding file paths: relative to the config file they are written in.
_PATH_KEYS = ("data", "new_batch")
#: Keys the runner uses itself rather than passing to a stage notebook.
RUNNER_KEYS = ("name", "trained_by", "audit_log")
#: Keys only continuous training (``mlops-kit simulate``) uses.
SIMULATION_KEYS = ("continuous",)


def validate_params(
    params: Mapping[str, Any], *, model: type[BaseModel] = PipelineConfig, source: str = "config"
) -> Any:
    """Validate ``params`` against ``model`` and return the validated object.

    Raises
    ------
    ConfigError
        With one line per problem, naming the key, the rule and the value received.

    Examples
    --------
    >>> validate_params({"data": "x.csv", "target": "y", "modle": "rf"})
    Traceback (most recent call last):
    ...
    mlops_kit.errors.ConfigError: Unknown config key 'modle' (got 'rf'): ... Did you mean 'model'?
    """
    return check_section(params, model, source)


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` strings; values are read as YAML (``seed=3`` is an int).

    Examples
    --------
    >>> parse_overrides(["seed=3", "model=rf", "protected=[sex, age_band]"])
    {'seed': 3, 'model': 'rf', 'protected': ['sex', 'age_band']}
    """
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"Override '{item}' must look like key=value (for example seed=1).")
        try:
            out[key] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            out[key] = raw
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    shown = str(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "was not found"
        raise ConfigError(f"Config file '{shown}' {what}; expected a YAML file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Config file '{shown}' is not UTF-8 text ({exc.reason}).") from None
    except OSError as exc:
        raise ConfigError(f"Config file '{shown}' cannot be read: {exc.strerror}.") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"Config file '{shown}' is not valid YAML{where}: {problem}.") from None
    if loaded is None:
        raise ConfigError(f"Config file '{shown}' is empty; it needs at least data and target.")
    if not isinstance(loaded, dict):
        raise ConfigError(
            f"Config file '{shown}' must be a mapping of key: value lines; "
            f"got a {type(loaded).__name__}."
        )
    return {str(k): v for k, v in loaded.items()}


def load_config(
    path: str | os.PathLike[str] | None = None,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    **values: Any,
) -> PipelineConfig:
    """Read, override and validate a pipeline config.

    Parameters
    ----------
    path : path-like, optional
        A YAML config file. A relative ``data`` path in it is relative to the file.
    overrides : sequence of "key=value" strings, or a mapping
        Applied on top of the file, as ``--set`` does on the command line; a relative
        ``data`` path given here is relative to the current folder.
    **values
        More keys, applied last (handy in notebooks).

    Returns
    -------
    PipelineConfig
        With ``data`` made absolute.

    Raises
    ------
    ConfigError
        The file is missing, unreadable or not YAML, a key is unknown or mistyped,
        or the keys are inconsistent (for example a regression model for a
        classification task).

    A dotted override such as ``tuning.n_trials=5`` changes one key of a section.

    Examples
    --------
    >>> cfg = load_config(data="claims.csv", target="flagged", model="rf")
    >>> cfg.model, cfg.seed, cfg.task
    ('rf', 0, 'classification')
    """
    raw: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        raw = _read_yaml(file)
        for key in _PATH_KEYS:
            value = raw.get(key)
            if (
                isinstance(value, str)
                and not value.startswith(BUNDLED_PREFIX)
                and not os.path.isabs(value)
            ):
                raw[key] = str((file.parent / value).resolve())
    extra = dict(overrides) if isinstance(overrides, Mapping) else parse_overrides(overrides)
    extra.update(values)
    # "tuning.n_trials" sets one key inside a section, keeping the section's other keys.
    for key in [k for k in extra if "." in k]:
        value = extra.pop(key)
        *sections, leaf = key.split(".")
        target = raw
        for part in sections:
            existing = target.get(part)
            target[part] = dict(existing) if isinstance(existing, Mapping) else {}
            target = target[part]
        target[leaf] = value
    for key in _PATH_KEYS:
        value = extra.get(key)
        if isinstance(value, os.PathLike) or (
            isinstance(value, str) and not value.startswith(BUNDLED_PREFIX)
        ):
            extra[key] = str(Path(value).resolve())
    raw.update(extra)
    config: PipelineConfig = validate_params(raw)
    return config
