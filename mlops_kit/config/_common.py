"""What every config section shares: strict models, secret masking, one-line errors.

The whole settings layer (this package) imports only pydantic, PyYAML (lazily, to read a
file), the standard library and :mod:`mlops_kit.errors`: every other part of the kit
imports it, never the other way round.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .._resources import resource_path
from ..errors import ConfigError, did_you_mean

#: Every section is strict: unknown keys, wrong types and mutation are refused.
STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)

#: ``data: bundled:benefit_claims`` names a dataset shipped with the kit.
BUNDLED_PREFIX = "bundled:"
#: The datasets shipped with the kit (their files are ``data/<name>.csv``); the data
#: package's catalogue describes each and is checked against this list.
BUNDLED_DATASETS = ("benefit_claims", "hospital_admissions")


def bundled_path(name: str) -> Path:
    """The path of bundled dataset ``name`` (one of :data:`BUNDLED_DATASETS`)."""
    return resource_path(f"data/{name}.csv")


# A password or token written into a URL's query string.
_SECRET_QUERY = re.compile(
    r"(?i)(?<![a-z])(password|passwd|pwd|token|access_token|secret|api_?key)=([^&#]+)"
)
#: Where a driver or MLflow finds a password instead of the URL.
SECRET_SOURCES = (
    "PostgreSQL reads PGPASSWORD or ~/.pgpass; MySQL an option file "
    "(?read_default_file=~/.my.cnf); an MLflow server MLFLOW_TRACKING_USERNAME and "
    "MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
)


def mask_secrets(url: str) -> str:
    """``url`` with any password or token in it replaced by ``***``.

    Examples
    --------
    >>> mask_secrets("postgresql://optuna:s3cret@db.example.gov.uk/optuna")
    'postgresql://optuna:***@db.example.gov.uk/optuna'
    >>> mask_secrets("https://mlflow.example.gov.uk/?token=abc&x=1")
    'https://mlflow.example.gov.uk/?token=***&x=1'
    >>> mask_secrets("sqlite:///mlops.db")
    'sqlite:///mlops.db'
    """
    masked = re.sub(r"^([a-z][a-z0-9+.-]*://[^/@:]*):[^/@]*@", r"\1:***@", url, flags=re.I)
    return _SECRET_QUERY.sub(r"\1=***", masked)


def no_secret(value: str | None) -> str | None:
    if value is not None and mask_secrets(value) != value:
        raise ValueError(
            "must not hold a password or token: the config is written into the run's "
            "config.yml, its manifest and its MLflow run. Give the user name only and let "
            f"the driver find the password ({SECRET_SOURCES})"
        )
    return value


def split_commas(value: Any) -> Any:
    """Accept ``"sex,race"`` (handy on the command line) as ``["sex", "race"]``."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _valid_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _describe_input(value: Any) -> str:
    shown = mask_secrets(value) if isinstance(value, str) else value
    return f"{shown!r} ({type(value).__name__})"


def _section_at(model: type[BaseModel], path: Sequence[Any]) -> type[BaseModel] | None:
    """The (nested) section a key path points into, e.g. ``("tuning",)`` -> TuningSection."""
    current: Any = model
    parts = list(path)
    while parts:
        field = current.model_fields.get(str(parts.pop(0))) if current else None
        if field is None:
            return None
        annotation = field.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) is dict and parts:
            parts.pop(0)  # the mapping's own key, e.g. a hyperparameter's name
            annotation = typing.get_args(annotation)[1]
        elif args and typing.get_origin(annotation) is not dict:
            annotation = args[0] if len(args) == 1 else annotation
        if typing.get_origin(annotation) is dict and parts:
            parts.pop(0)
            annotation = typing.get_args(annotation)[1]
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        current = annotation
    return current


def _format_error(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    path = tuple(err.get("loc", ()))
    loc = ".".join(str(p) for p in path) or "config"
    kind = err.get("type", "")
    got = err.get("input")
    section = _section_at(model, path[:-1]) or model
    keys = _valid_keys(section)
    if kind == "extra_forbidden":
        hint = did_you_mean(str(path[-1]) if path else loc, keys)
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
    if kind == "value_error" and not rule.startswith(("must", "names")):
        rule = f"is invalid: {rule}"
    return f"Config key '{loc}' {rule}; got {_describe_input(got)}."


def check_section(params: Mapping[str, Any], model: type[BaseModel], source: str) -> Any:
    """Validate ``params`` against section ``model``; :class:`ConfigError` lists every
    problem on its own line, naming the key, the rule and the value received."""
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        problems = tuple(_format_error(e, model) for e in exc.errors())
        prefix = "" if source == "config" else f"{source}: "
        raise ConfigError("\n".join(prefix + p for p in problems), problems=problems) from None


def as_settings(given: Any, model: type[BaseModel], source: str) -> Any:
    """``given`` as a validated settings object (None: the defaults)."""
    if given is None:
        return model()
    if isinstance(given, model):
        return given
    if not isinstance(given, Mapping):
        raise ConfigError(
            f"The 'settings' parameter of {source} must be a {model.__name__} or a mapping "
            f"of its keys. Got {type(given).__name__} instead."
        )
    return check_section(given, model, f"{model.__name__} of {source}")
