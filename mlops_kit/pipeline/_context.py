"""The run's context: who runs it, where its audit log and registry live, its code version.

The runner writes ``run.json`` in the run folder before the first stage. A stage
notebook run by hand (papermill, no runner) has no ``run.json``; it then takes the
defaults below, so its work is still audited.

The *workspace* is the folder that holds ``runs/``: run folders live at
``<workspace>/runs/<run-id>``. By default it also holds the audit log
(``audit/audit.jsonl``) and the model registry (``mlops.db`` and ``mlartifacts/``).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from .._io import atomic_write_json, read_json

__all__ = ["RUN_CONTEXT_FILE", "audit_log_for", "current_user", "run_context", "write_run_context"]

RUN_CONTEXT_FILE = "run.json"


def current_user() -> str:
    """The login name of the person running the kit (the default ``trained_by``)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown user"


def default_workspace(run_dir: str | os.PathLike[str]) -> Path:
    """``<workspace>`` for a run folder at ``<workspace>/runs/<run-id>``."""
    return Path(run_dir).resolve().parent.parent


def write_run_context(run_dir: str | os.PathLike[str], **context: Any) -> Path:
    """Write ``run.json`` (run_id, trained_by, workspace, audit_log, code_version, ...)."""
    return atomic_write_json(Path(run_dir) / RUN_CONTEXT_FILE, context)


def run_context(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The run's context from ``run.json``, or the defaults when a stage runs by hand."""
    folder = Path(run_dir)
    path = folder / RUN_CONTEXT_FILE
    if path.is_file():
        context: dict[str, Any] = read_json(path)
        return context
    workspace = default_workspace(folder)
    return {
        "run_id": folder.resolve().name,
        "trained_by": current_user(),
        "workspace": str(workspace),
        "audit_log": str(workspace / "audit" / "audit.jsonl"),
        "code_version": None,
    }


def audit_log_for(run_dir: str | os.PathLike[str]) -> Any:
    """The audit log this run writes to (:class:`mlops_kit.audit.AuditLog`)."""
    from ..audit import AuditLog

    return AuditLog(run_context(run_dir)["audit_log"])
