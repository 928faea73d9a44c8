"""A run folder: the files each stage writes, where the folder is, its audit events.

Every stage module reads and writes the run folder through these names, so no stage
imports another to learn a file name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._resources import repo_root
from ..errors import ArtefactError
from ._context import audit_log_for, run_context

__all__ = [
    "DATASET_FILE",
    "FIGURES_DIR",
    "FIGURES_FILE",
    "GATE_FILE",
    "METRICS_FILE",
    "MODEL_FILE",
    "PREDICTIONS_FILE",
    "REGISTRATION_FILE",
    "REPORT_FILE",
    "TRAINING_FILE",
    "TUNING_FILE",
    "audit_event",
    "require_file",
    "resolve_run_dir",
]

TUNING_FILE = "tuning.json"
GATE_FILE = "gate.json"
REGISTRATION_FILE = "registration.json"
DATASET_FILE = "dataset.json"
TRAINING_FILE = "training.json"
MODEL_FILE = "model.skops"
PREDICTIONS_FILE = "predictions.csv"
METRICS_FILE = "metrics.json"
FIGURES_DIR = "figures"
FIGURES_FILE = "figures.json"
REPORT_FILE = "report.html"


def resolve_run_dir(run_dir: str | os.PathLike[str]) -> Path:
    """The run folder; an empty string means ``runs/interactive`` in the workbook.

    Stage notebooks default to the empty string, so running them by hand in
    JupyterLab, in order, shares one folder wherever the kernel was started.
    """
    if str(run_dir):
        return Path(run_dir)
    return (repo_root() or Path.cwd()) / "runs" / "interactive"


def require_file(run_dir: Path, name: str, stage: str) -> Path:
    """``run_dir / name``, which an earlier stage wrote; :class:`ArtefactError` if missing."""
    path = run_dir / name
    if not path.is_file():
        raise ArtefactError(
            f"The {stage} stage needs '{name}' in the run folder {run_dir}, written by an "
            "earlier stage; it is missing. Run the stages in order (validate, train, "
            "evaluate, report)."
        )
    return path


def audit_event(folder: Path, event: str, **details: Any) -> None:
    """Append an event to the run's audit log, as the person running it."""
    context = run_context(folder)
    audit_log_for(folder).append(
        event, actor=context["trained_by"], run_id=context["run_id"], **details
    )
