"""The runner: executes the stage notebooks with papermill into a new run folder.

Over 400 lines because a run's whole life is here: the run folder, its context,
executing each stage with papermill, marking a failure and the closing summary.
"""

from __future__ import annotations

import enum
import os
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .._io import atomic_write_json, atomic_write_text, read_json
from .._resources import resource_path
from ..config import STAGE_PARAMS, PipelineConfig
from ..data import DELIMITERS, file_format, read_header
from ..errors import (
    ConfigError,
    DataValidationError,
    MlopsKitError,
    PipelineError,
    did_you_mean,
)
from ..registry import code_version
from ._context import current_user, run_context, write_run_context
from ._release import default_model_name

__all__ = [
    "STAGES",
    "RunResult",
    "RunStatus",
    "Stage",
    "execute_notebook",
    "preflight",
    "run_pipeline",
    "stage_notebook",
]


class Stage(enum.StrEnum):
    """The pipeline's stages, in order."""

    VALIDATE = "validate"
    TUNE = "tune"
    TRAIN = "train"
    EVALUATE = "evaluate"
    EXPLAIN = "explain"
    GATE = "gate"
    REGISTER = "register"
    MONITOR = "monitor"
    REPORT = "report"


class RunStatus(enum.StrEnum):
    """The state of a run folder, kept in its ``status.json``."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


#: The pipeline's stages in the order they run.
STAGES: tuple[Stage, ...] = tuple(Stage)
_NOTEBOOK_NAMES = {
    Stage.VALIDATE: "10_validate.ipynb",
    Stage.TUNE: "15_tune.ipynb",
    Stage.TRAIN: "20_train.ipynb",
    Stage.EVALUATE: "30_evaluate.ipynb",
    Stage.EXPLAIN: "35_explain.ipynb",
    Stage.GATE: "40_gate.ipynb",
    Stage.REGISTER: "50_register.ipynb",
    Stage.MONITOR: "60_monitor.ipynb",
    Stage.REPORT: "90_report.ipynb",
}


def stage_notebook(stage: Stage | str) -> Path:
    """Path of a stage's source notebook in ``notebooks/pipeline/``."""
    return resource_path(f"notebooks/pipeline/{_NOTEBOOK_NAMES[Stage(stage)]}")


def stage_parameters(stage: Stage | str, config: PipelineConfig) -> dict[str, Any]:
    """The papermill parameters of one stage: its config keys plus nothing else."""
    keys = STAGE_PARAMS[Stage(stage).value].model_fields
    out = {}
    for key in keys:
        value = getattr(config, key)
        # Sections (tuning, policy, registry, ...) travel to the notebook as plain dicts
        # of JSON types (a date in the transparency keys becomes "YYYY-MM-DD").
        out[key] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return out


def resolve_defaults(config: PipelineConfig, workspace: Path) -> PipelineConfig:
    """Fill in the keys whose defaults depend on where and by whom the run happens.

    ``trained_by`` (the login name), ``audit_log`` and ``registry.tracking_uri`` (in the
    workspace), ``registry.model_name`` (from the run name or data file), so that the
    config recorded with the run says exactly where everything went.
    """
    from ..registry import default_tracking_uri

    registry = config.registry.model_copy(
        update={
            "tracking_uri": config.registry.tracking_uri or default_tracking_uri(workspace),
            "model_name": config.registry.model_name
            or default_model_name(config.name or Path(config.data).stem),
        }
    )
    return config.model_copy(
        update={
            "trained_by": config.trained_by or current_user(),
            "audit_log": str(
                Path(config.audit_log or workspace / "audit" / "audit.jsonl").resolve()
            ),
            "registry": registry,
        }
    )


@dataclass(frozen=True)
class RunResult:
    """What a pipeline run produced."""

    run_id: str
    run_dir: Path
    status: RunStatus
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def report(self) -> Path:
        """The run's HTML report."""
        return self.run_dir / "report.html"

    @property
    def metrics(self) -> dict[str, Any]:
        """The content of the run's ``metrics.json``."""
        data: dict[str, Any] = read_json(self.run_dir / "metrics.json")
        return data


def preflight(config: PipelineConfig) -> None:
    """Check, before anything is written, that the data file can be used.

    The file must be in a format the pipeline reads (CSV text in UTF-8, plain or
    compressed, or Parquet), with a header that names every column the config
    mentions (split by the config's ``delimiter``, or the one detected). Deeper checks
    (target values, types, the data rules) belong to the validate stage.
    """
    fmt = file_format(config.data, delimiter=config.delimiter)
    header = read_header(config.data, fmt=fmt)
    named = [("target", config.target)]
    named += [("protected", c) for c in config.protected]
    named += [("features", c) for c in config.features or ()]
    named += [("exclude", c) for c in config.exclude]
    if config.time_column:
        named.append(("time_column", config.time_column))
    missing = [(key, col) for key, col in named if col not in header]
    if missing:
        key, col = missing[0]
        hint = did_you_mean(col, header)
        others = [d for d in DELIMITERS if d != fmt.delimiter and d in header[0]]
        if len(header) == 1 and fmt.kind == "csv" and others:
            sep = DELIMITERS.get(fmt.delimiter or ",")
            hint += (
                f" Split by {sep}s ({fmt.delimiter_source}), the header is one column that "
                f"holds {DELIMITERS[others[0]]}s: set the config key 'delimiter' to "
                f"{others[0]!r}."
            )
        raise DataValidationError(
            f"Config key '{key}' names column '{col}', which is not in "
            f"'{Path(config.data).name}'. Columns found: {', '.join(header[:30])}.{hint}",
            column=col,
            path=config.data,
        )


def execute_notebook(
    notebook: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    parameters: dict[str, Any] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Any:
    """Execute a notebook with papermill in this process, as the pipeline does.

    Uses the ``python3`` kernel (this environment's Python) and encrypts the kernel's
    traffic where the kernel supports it: ipykernel 7.3 and later warn at every
    start when it is unencrypted TCP. On Linux each kernel is forked from a server that
    has imported the stack once (:mod:`mlops_kit.pipeline._kernels`; switched off with
    ``MLOPS_KIT_FORK_KERNELS=0``), still a fresh kernel per notebook. Returns the executed
    notebook.

    Raises
    ------
    papermill.PapermillExecutionError
        A cell raised; ``output`` still holds the notebook with the error shown.
    """
    import papermill as pm
    from traitlets.config import Config

    from ._kernels import ForkingKernelManager, forked_kernels

    config = Config()
    config.KernelManager.transport_encryption = "auto"
    forked = {"kernel_manager_class": ForkingKernelManager} if forked_kernels() else {}
    return pm.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters or {},
        kernel_name="python3",
        progress_bar=False,
        cwd=None if cwd is None else str(cwd),
        config=config,
        **forked,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "run"


def _new_run_dir(runs_dir: Path, label: str) -> tuple[str, Path]:
    runs_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(20):
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        run_id = f"{stamp}-{_slug(label)}-{secrets.token_hex(2)}"
        path = runs_dir / run_id
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return run_id, path
    raise MlopsKitError(f"Could not create a new run folder in {runs_dir}.")


def _config_yaml(config: PipelineConfig) -> str:
    import yaml

    header = (
        "# The validated config of this run: `mlops-kit run --config` this file to repeat it.\n"
    )
    return header + yaml.safe_dump(config.model_dump(), sort_keys=False, allow_unicode=True)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_pipeline(
    config: PipelineConfig,
    *,
    runs_dir: str | os.PathLike[str] = "runs",
    workspace: str | os.PathLike[str] | None = None,
    register: bool = True,
    progress: Callable[[str], None] | None = _stderr,
) -> RunResult:
    """Run every stage notebook with papermill into a new folder ``runs_dir/<run-id>``.

    Parameters
    ----------
    config : PipelineConfig
        A validated config (see :func:`mlops_kit.config.load_config`).
    runs_dir : path-like, default "runs"
        Where run folders are created.
    workspace : path-like, optional
        Folder of the default audit log and model registry; default the folder that
        holds ``runs_dir``.
    register : bool, default True
        Record the model in the registry (the register stage); reproductions skip it.
    progress : callable or None
        Receives one line per stage as it starts and ends (default: standard error).

    Returns
    -------
    RunResult

    Raises
    ------
    ConfigError, DataValidationError
        Before anything is written, when the config or the data file is unusable.
    PipelineError
        When a stage fails. The run folder stays, marked failed in ``status.json``,
        with the executed notebook showing the error; other runs are untouched.
    """
    if not isinstance(config, PipelineConfig):
        raise ConfigError(
            f"run_pipeline needs a PipelineConfig (from load_config); got {type(config).__name__}."
        )
    preflight(config)
    stages = [s for s in STAGES if register or s is not Stage.REGISTER]
    notebooks = {stage: stage_notebook(stage) for stage in stages}
    runs = Path(runs_dir).resolve()
    home = Path(workspace).resolve() if workspace is not None else runs.parent
    config = resolve_defaults(config, home)
    label = config.name or Path(config.data).stem
    run_id, run_dir = _new_run_dir(runs, label)
    atomic_write_text(run_dir / "config.yml", _config_yaml(config))
    write_run_context(
        run_dir,
        run_id=run_id,
        trained_by=config.trained_by,
        workspace=str(home),
        audit_log=config.audit_log,
        code_version=code_version(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    status: dict[str, Any] = {
        "run_id": run_id,
        "status": RunStatus.RUNNING.value,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "finished_at": None,
        "stages": [],
        "error": None,
    }
    atomic_write_json(run_dir / "status.json", status)
    say = progress or (lambda _message: None)
    seconds: dict[str, float] = {}
    (run_dir / "notebooks").mkdir()
    for number, stage in enumerate(stages, start=1):
        out_nb = run_dir / "notebooks" / notebooks[stage].name
        say(f"[{number}/{len(stages)}] {stage.value} ...")
        start = time.perf_counter()
        try:
            execute_notebook(
                notebooks[stage],
                out_nb,
                parameters={"run_dir": str(run_dir), **stage_parameters(stage, config)},
                cwd=run_dir,
            )
        except BaseException as exc:
            message = _failure_message(exc)
            status["status"] = RunStatus.FAILED.value
            status["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            status["stages"].append(
                {
                    "stage": stage.value,
                    "status": "failed",
                    "seconds": round(time.perf_counter() - start, 2),
                }
            )
            status["error"] = {
                "stage": stage.value,
                "message": message,
                "notebook": str(out_nb.relative_to(run_dir)),
            }
            atomic_write_json(run_dir / "status.json", status)
            _audit_failure(run_dir, stage.value, message)
            say(f"[{number}/{len(stages)}] {stage.value} FAILED")
            if not isinstance(exc, Exception):
                raise
            raise PipelineError(
                f"Stage '{stage.value}' failed: {message} "
                f"(details in {out_nb}; run folder marked failed)",
                stage=stage.value,
                run_dir=str(run_dir),
            ) from None
        took = time.perf_counter() - start
        seconds[stage.value] = round(took, 2)
        status["stages"].append(
            {"stage": stage.value, "status": "succeeded", "seconds": seconds[stage.value]}
        )
        atomic_write_json(run_dir / "status.json", status)
        say(f"[{number}/{len(stages)}] {stage.value} done in {took:.1f} s")
    status["status"] = RunStatus.SUCCEEDED.value
    status["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    atomic_write_json(run_dir / "status.json", status)
    return RunResult(run_id, run_dir, RunStatus.SUCCEEDED, seconds)


def _audit_failure(run_dir: Path, stage: str, message: str) -> None:
    """Record a failed run in the audit log; a broken log must not hide the failure."""
    from ..audit import AuditLog

    context = run_context(run_dir)
    try:
        AuditLog(context["audit_log"]).append(
            "run_failed",
            actor=context["trained_by"],
            run_id=context["run_id"],
            stage=stage,
            message=message,
        )
    except MlopsKitError as exc:
        message = f"could not record the failure in the audit log: {exc}"
        print(f"warning: {message}", file=sys.stderr)


def _failure_message(exc: BaseException) -> str:
    """The error a stage raised (its whole message, such as every empty part of a model
    card, up to 40 lines), not a traceback."""
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        lines = [line.rstrip() for line in str(evalue or "").strip().splitlines()][:40]
        return f"{ename}: {chr(10).join(lines)}".strip()
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by the user"
    # No structured error (for example the kernel could not format it): take the last
    # "SomethingError: message" line of the text, else its last line.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in reversed(lines):
        if _ERROR_LINE.match(line):
            return line
    return f"{type(exc).__name__}: {lines[-1] if lines else 'no details'}"


_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b.*:")
