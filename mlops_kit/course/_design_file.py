"""A team's design file: its schema, reading it, and running its pipeline block.

A design file (``data/course/designs/<scenario>.design.yml``) has two parts:

``pipeline``
    A real pipeline config, validated by :class:`mlops_kit.config.PipelineConfig`, so a
    design can be run on the bundled data (:func:`run_design`).
``plan``
    What a config cannot hold (:class:`DesignPlan`): who approves and in which role, who
    reads the alerts, how often the tool is reviewed, the rollback plan, the privacy
    statement and who holds each role card.

:func:`load_design` reads and validates one (:class:`Design`). Only what the team wrote
counts as an answer: ``_filled`` says whether a value is one (not empty, not a TODO), for
the design check (``_design``) and the design in words (``_design_summary``).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..config import BUNDLED_PREFIX, PipelineConfig, validate_params
from ..errors import ConfigError, did_you_mean
from ..pipeline import RunResult, run_pipeline

__all__ = [
    "Design",
    "DesignPlan",
    "RoleHolders",
    "RollbackPlan",
    "load_design",
    "run_design",
]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


#: Text that is not an answer yet.
_PLACEHOLDER = re.compile(r"^(todo|tbc|tbd|n/?a|none|xxx*|\?+|-+)\b", re.IGNORECASE)


_NOT_NAMES = frozenset({"me", "someone", "anyone", "nobody", "admin", "user", "test", "team"})


class RollbackPlan(BaseModel):
    """When the tool is rolled back, how, and who decides."""

    model_config = _STRICT

    when: str = Field("", description="What would make the team roll back.")
    how: str = Field("", description="Which version or fallback takes over, and for which cases.")
    who: str = Field("", description="Who decides (a role), and where it is recorded.")


class RoleHolders(BaseModel):
    """Who in the team holds each role card."""

    model_config = _STRICT

    product_owner: str = ""
    data_scientist: str = ""
    caseworker_representative: str = ""
    information_governance_lead: str = ""
    senior_responsible_owner: str = ""


class DesignPlan(BaseModel):
    """The ``plan`` part of a design: what a pipeline config cannot hold."""

    model_config = _STRICT

    decisions_about_people: bool = Field(
        True, description="Does the tool affect decisions about individual people?"
    )
    approver_role: str = Field("", description="The role of whoever signs off a new version.")
    monitoring_owner: str = Field("", description="Who reads the alerts, and how quickly.")
    review_cadence: str = Field("", description="How often the tool as a whole is reviewed.")
    retraining: str = Field("", description="When and how a challenger is trained.")
    rollback: RollbackPlan = Field(default_factory=RollbackPlan, description="The way back.")
    privacy: str = Field(
        "", description="Lawful basis, data minimisation and who may see the data."
    )
    roles: RoleHolders = Field(default_factory=RoleHolders, description="Who holds each role.")


_TOP_KEYS = ("scenario", "title", "team", "pipeline", "plan")


@dataclass(frozen=True)
class Design:
    """A loaded design: the raw ``pipeline`` block, its validated config and the plan.

    ``pipeline`` is the block as written (a relative ``data`` path made absolute), so the
    check can tell what the team chose from what the kit would default.
    """

    path: Path
    scenario: str
    title: str
    team: str
    pipeline: Mapping[str, Any]
    config: PipelineConfig
    plan: DesignPlan

    def _repr_html_(self) -> str:
        esc = html.escape
        return (
            f"<p class='mlops-design'><strong>{esc(self.title or self.scenario)}</strong>"
            f" ({esc(self.team or 'no team named')}): {esc(self.path.name)}, a "
            f"{self.config.task} pipeline on {esc(Path(self.config.data).name)}.</p>"
        )


def _read(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        what = "is a folder" if path.is_dir() else "was not found"
        raise ConfigError(
            f"Design file '{path}' {what}; expected a YAML design file. Lesson 10 "
            "(10_elaborate_design.ipynb) writes a team's design into designs/ of its "
            "working folder: run it first, or give the path of your team's file."
        )
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"Design file '{path}' is not valid YAML{where}: {problem}.") from None
    if not isinstance(loaded, dict):
        raise ConfigError(
            f"Design file '{path}' must be a mapping with the keys pipeline and plan; "
            f"got {type(loaded).__name__}."
        )
    return {str(k): v for k, v in loaded.items()}


def load_design(path: str | os.PathLike[str]) -> Design:
    """Read and validate a design file.

    The ``pipeline`` block is validated as a pipeline config (a relative ``data`` path is
    relative to the design file; ``bundled:<name>`` names shipped data) and the ``plan``
    block as a :class:`DesignPlan`.

    Raises
    ------
    ConfigError
        The file is missing or not YAML, a top-level key is unknown, or the pipeline or
        plan block breaks its schema; the message names the key, the rule and the value.
    """
    file = Path(path)
    raw = _read(file)
    unknown = [k for k in raw if k not in _TOP_KEYS]
    if unknown:
        raise ConfigError(
            f"Design file '{file.name}' has the unknown key '{unknown[0]}': a design's keys "
            f"must be among {', '.join(_TOP_KEYS)}.{did_you_mean(unknown[0], _TOP_KEYS)}"
        )
    pipeline = raw.get("pipeline")
    if not isinstance(pipeline, dict):
        raise ConfigError(
            f"Design file '{file.name}' needs a 'pipeline' block: a mapping of pipeline "
            f"config keys. Got {pipeline!r} instead."
        )
    pipeline = dict(pipeline)
    for key in ("data", "new_batch"):
        value = pipeline.get(key)
        relative = isinstance(value, str) and not os.path.isabs(value)
        if relative and not str(value).startswith(BUNDLED_PREFIX):
            pipeline[key] = str((file.parent / str(value)).resolve())
    config = validate_params(pipeline, source=f"design '{file.name}', pipeline block")
    plan = validate_params(
        raw.get("plan") or {}, model=DesignPlan, source=f"design '{file.name}', plan block"
    )
    return Design(
        path=file.resolve(),
        scenario=str(raw.get("scenario") or file.name.split(".")[0]),
        title=str(raw.get("title") or ""),
        team=str(raw.get("team") or ""),
        pipeline=pipeline,
        config=config,
        plan=plan,
    )


def _filled(value: Any) -> bool:
    """Whether a value is an answer: not empty, not a TODO."""
    if value is None or value == {} or value == []:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and not _PLACEHOLDER.match(value.strip())
    if isinstance(value, list | tuple):
        return any(_filled(v) for v in value)
    return True


def _named(person: Any) -> bool:
    text = " ".join(str(person).split())
    return _filled(text) and len(text) >= 3 and text.casefold() not in _NOT_NAMES


def _section(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _merge(base: Mapping[str, Any], dotted: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in base.items()}
    for key, value in dotted.items():
        *sections, leaf = key.split(".")
        target = out
        for part in sections:
            existing = target.get(part)
            target[part] = dict(existing) if isinstance(existing, Mapping) else {}
            target = target[part]
        target[leaf] = value
    return out


def run_design(
    design: Design | str | os.PathLike[str],
    *,
    runs_dir: str | os.PathLike[str] = "runs",
    n_trials: int | None = 1,
    n_bootstrap: int | None = 0,
    explain_rows: int | None = 200,
    cv_folds: int | None = 0,
    model: str | None = None,
    register: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run a design's pipeline block with :func:`mlops_kit.run_pipeline`, on small budgets.

    The design is the pipeline config, so it runs as it is written, apart from the
    budgets given here (``None`` keeps the design's own value), which keep a classroom
    run to well under a minute.

    Parameters
    ----------
    design : Design or path-like
    runs_dir : path-like, default "runs"
        Where the run folder is created; the registry and audit log go in its parent.
    n_trials, n_bootstrap, explain_rows, cv_folds : int or None
        ``tuning.n_trials``, ``n_bootstrap``, ``explain.max_rows`` and ``cv_folds``.
    model : str, optional
        Another model family (for example ``"logistic"``, the fastest).
    register : bool, default True
        Run the register stage. As in any pipeline run, a model whose card has empty
        parts is still recorded, but the gate refuses it and it can be neither approved
        nor promoted until the design's ``transparency`` keys are written.
    progress : callable, optional
        Receives one line per stage.

    Raises
    ------
    ConfigError
        The design or the budgets break the config's schema.
    PipelineError
        A stage failed; the run folder is kept, marked failed.
    """
    if not isinstance(design, Design):
        design = load_design(design)
    budgets = {
        "tuning.n_trials": n_trials,
        "n_bootstrap": n_bootstrap,
        "explain.max_rows": explain_rows,
        "cv_folds": cv_folds,
        "model": model,
    }
    raw = _merge(design.pipeline, {k: v for k, v in budgets.items() if v is not None})
    config = validate_params(raw, source=f"run_design of '{design.path.name}'")
    return run_pipeline(config, runs_dir=runs_dir, register=register, progress=progress)
