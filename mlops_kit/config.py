"""The pipeline config: one validated schema for the command line, notebooks and designs.

A config is a YAML file such as::

    data: ../benefit_claims.csv     # any tabular CSV (relative to this file)
    target: flagged                 # column to predict
    task: classification            # or regression
    positive_label: 1               # the class that counts as positive
    positive_is: adverse            # a positive prediction harms the person
    protected: [sex, ethnic_group]  # fairness analysis only, never features
    model: hgb                      # logistic | hgb | rf (regression: linear | hgb | rf)
    seed: 0

The keys are grouped by the pipeline stage that uses them (:class:`DataParams`,
:class:`TrainParams`, :class:`EvaluateParams`); each stage notebook's papermill
parameters are exactly its group's keys plus ``run_dir``. Every problem is reported
on one line naming the key, the rule and the value received.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError, did_you_mean

__all__ = [
    "STAGE_PARAMS",
    "DataParams",
    "EvaluateParams",
    "PipelineConfig",
    "TrainParams",
    "load_config",
    "parse_overrides",
    "validate_params",
]

Task = Literal["classification", "regression"]
ModelName = Literal["logistic", "hgb", "rf", "linear"]
MODELS_FOR_TASK: dict[str, tuple[str, ...]] = {
    "classification": ("logistic", "hgb", "rf"),
    "regression": ("linear", "hgb", "rf"),
}

#: ``data: bundled:benefit_claims`` names a dataset shipped with the kit.
BUNDLED_PREFIX = "bundled:"

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


def _split_commas(value: Any) -> Any:
    """Accept ``"sex,race"`` (handy on the command line) as ``["sex", "race"]``."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


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

    _lists = field_validator("protected", "features", "exclude", mode="before")(_split_commas)

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
        from .data import dataset_info, list_datasets

        name = value.removeprefix(BUNDLED_PREFIX)
        if name not in list_datasets():
            raise ValueError(
                f"must name a bundled dataset after '{BUNDLED_PREFIX}' "
                f"({', '.join(BUNDLED_PREFIX + n for n in list_datasets())})"
            )
        return str(dataset_info(name).path)


class TrainParams(BaseModel):
    """Keys of the train stage: the model, the split and the decision threshold."""

    model_config = _STRICT

    model: ModelName = Field("hgb", description="Model family (see MODELS_FOR_TASK).")
    seed: int = Field(0, ge=0, description="Seed for the split, the model and the bootstrap.")
    split: Literal["random", "time"] = Field(
        "random", description="random, or time: train on earlier periods, test on later ones."
    )
    test_size: float = Field(0.25, gt=0, lt=1, description="Share of rows held out for testing.")
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


class PipelineConfig(EvaluateParams, TrainParams, DataParams):
    """The whole pipeline config: every stage's keys plus a run name."""

    model_config = _STRICT

    name: str | None = Field(None, description="Label for the run folder; default the data file.")

    @model_validator(mode="after")
    def _consistent(self) -> PipelineConfig:
        allowed = MODELS_FOR_TASK[self.task]
        if self.model not in allowed:
            raise ValueError(
                f"model '{self.model}' does not fit task '{self.task}'; "
                f"choose one of: {', '.join(allowed)}"
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
    "train": TrainParams,
    "evaluate": EvaluateParams,
    "report": BaseModel,
}


def _valid_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _describe_input(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _format_error(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ())) or "config"
    kind = err.get("type", "")
    got = err.get("input")
    keys = _valid_keys(model)
    if kind == "extra_forbidden":
        hint = did_you_mean(loc, keys)
        return (
            f"Unknown config key '{loc}' (got {got!r}): keys must be among the schema's. "
            f"Valid keys: {', '.join(keys)}.{hint}"
        )
    if kind == "missing":
        return f"Config key '{loc}' is required but missing."
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"Config key '{loc}' must be one of {expected}; got {_describe_input(got)}."
    if kind == "value_error" and loc == "config":
        message = str(err.get("ctx", {}).get("error", err.get("msg", "")))
        return f"Config is inconsistent: {message}."
    msg = str(err.get("msg", "is invalid"))
    msg = msg.removeprefix("Value error, ")
    rule = msg[0].lower() + msg[1:] if msg else "is invalid"
    rule = rule.replace("input should be", "must be")
    return f"Config key '{loc}' {rule}; got {_describe_input(got)}."


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
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        problems = tuple(_format_error(e, model) for e in exc.errors())
        prefix = "" if source == "config" else f"{source}: "
        raise ConfigError("\n".join(prefix + p for p in problems), problems=problems) from None


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
        data = raw.get("data")
        if (
            isinstance(data, str)
            and not data.startswith(BUNDLED_PREFIX)
            and not os.path.isabs(data)
        ):
            raw["data"] = str((file.parent / raw["data"]).resolve())
    extra = dict(overrides) if isinstance(overrides, Mapping) else parse_overrides(overrides)
    extra.update(values)
    data = extra.get("data")
    if isinstance(data, os.PathLike) or (
        isinstance(data, str) and not data.startswith(BUNDLED_PREFIX)
    ):
        extra["data"] = str(Path(data).resolve())
    raw.update(extra)
    config: PipelineConfig = validate_params(raw)
    return config
