"""The trace_model exercise's workspace: a registry and an audit log, as the pipeline leaves them.

:func:`prepare_workspace` runs the pipeline's own stages twice on the bundled benefit
claims (version 1 on the claims up to June 2024, version 2 to December 2024), both
trained by Alex Morgan and refused by the governance gate for failing the four-fifths
rule; a named approver overrides the refusal of version 1, which becomes the champion,
another declines version 2; then someone edits one audit entry by hand.
:func:`trace_workspace` prepares it once per Python session (:class:`TraceWorkspace`).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audit import AuditLog, default_audit_log
from ..config import load_config
from ..course import edit_entry
from ..data import dataset_info, load_dataset
from ..errors import DataValidationError
from ..pipeline import evaluate_stage, gate_stage, register_stage, train_stage, validate_stage
from ..pipeline._context import write_run_context
from ..registry import Registry, code_version
from ..widgets import sign_off

__all__ = ["MODEL_NAME", "TraceWorkspace", "prepare_workspace", "trace_workspace"]

#: The registered model the exercise is about.
MODEL_NAME = "claims-triage"


_TRAINER = "Alex Morgan"


_APPROVER = ("Priya Shah", "Head of Fraud and Error Policy")


_DECLINER = ("Jordan Ellis", "Deputy Director, Counter Fraud")


#: (run id, last month of data) of the two runs, oldest first.
_RUNS = (
    ("20250106-091500-claims-triage-3f2a", "2024-06"),
    ("20250203-101200-claims-triage-9c41", "2024-12"),
)


_POLICY = {
    "high_impact": True,
    "min_metrics": {"roc_auc": 0.7},
    "four_fifths": True,
    "max_equalized_odds_difference": 0.1,
}


_MLFLOW_NOTICE = re.compile(
    r"(Successfully registered model|Created version|Registered model .* already exists)"
)


@dataclass(frozen=True)
class TraceWorkspace:
    """The exercise's workspace: a model registry and an audit log, as the pipeline leaves them.

    Attributes
    ----------
    path : pathlib.Path
        The workspace folder (``mlops.db``, ``mlartifacts/``, ``runs/``, ``audit/``).
    model_name : str
        The registered model to trace.
    """

    path: Path
    model_name: str = MODEL_NAME

    @property
    def audit(self) -> AuditLog:
        """The workspace's audit log (``audit/audit.jsonl``)."""
        return default_audit_log(self.path)

    @property
    def registry(self) -> Registry:
        """The workspace's model registry (MLflow, ``mlops.db``), with its audit log."""
        return Registry(workspace=self.path, audit=self.audit)

    def _repr_html_(self) -> str:
        return (
            f"<p>Exercise workspace <code>{self.path}</code>: registered model "
            f"<code>{self.model_name}</code>, its registry <code>mlops.db</code>, run "
            "folders in <code>runs/</code> and the audit log <code>audit/audit.jsonl</code>."
            "</p>"
        )


def prepare_workspace(folder: str | os.PathLike[str]) -> TraceWorkspace:
    """Build the exercise's workspace in ``folder`` (about five seconds).

    Two runs of a logistic regression on a quarter of the bundled benefit claims,
    through the pipeline's own stages (validate, train, evaluate, gate, register),
    trained by Alex Morgan. The gate refuses both (four-fifths rule). Priya Shah
    overrides the refusal of version 1, which becomes the champion; Jordan Ellis
    declines version 2. Finally version 2's gate-decision entry is edited by hand to
    read "promote", which the audit log's verification catches.

    Raises
    ------
    DataValidationError
        ``folder`` already holds a workspace.
    """
    # The card's human-written parts: the bundled claims config's (fictional) wording.
    card = load_config(dataset_info("benefit_claims").config).transparency.model_dump(mode="json")

    root = Path(folder).resolve()
    if (root / "mlops.db").exists() or (root / "audit").exists():
        raise DataValidationError(
            f"prepare_workspace needs an empty folder; {root} already holds a workspace.",
            path=str(root),
        )
    (root / "data").mkdir(parents=True, exist_ok=True)
    claims = load_dataset("benefit_claims", validate=False).iloc[::4]
    workspace = TraceWorkspace(root)
    log = workspace.audit
    # MLflow announces each registration ("Created version '1' ..."); learners need not
    # see that, but anything else written to standard error is passed on.
    said = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
        for number, (run_id, last_month) in enumerate(_RUNS, start=1):
            _run_stages(workspace, claims, run_id=run_id, last_month=last_month, card=card)
            _sign_off(workspace, number)
    for line in said.getvalue().splitlines():
        if line.strip() and not _MLFLOW_NOTICE.match(line):
            print(line, file=sys.stderr)
    gates = [e for e in log.entries(event="gate_decision") if e.run_id == _RUNS[1][0]]
    edit_entry(log, gates[-1].seq, decision="promote")
    return workspace


def _run_stages(
    workspace: TraceWorkspace,
    claims: Any,
    *,
    run_id: str,
    last_month: str,
    card: dict[str, Any],
) -> None:
    """One run through the pipeline's stages on the claims up to ``last_month``."""
    root = workspace.path
    data = root / "data" / f"claims_to_{last_month}.csv"
    claims[claims["month"] <= last_month].to_csv(data, index=False)
    run_dir = root / "runs" / run_id
    write_run_context(
        run_dir,
        run_id=run_id,
        trained_by=_TRAINER,
        workspace=str(root),
        audit_log=str(workspace.audit.path),
        code_version=code_version(),
    )
    validate_stage(
        run_dir,
        data=str(data),
        target="flagged",
        positive_is="adverse",
        protected=["sex", "ethnic_group"],
        exclude=["claim_id"],
        time_column="month",
    )
    train_stage(run_dir, model="logistic", cv_folds=0, seed=0, split="time", threshold=0.3)
    evaluate_stage(run_dir, n_bootstrap=0)
    gate_stage(run_dir, policy=_POLICY, transparency=card)
    register_stage(run_dir, registry={"model_name": MODEL_NAME}, transparency=card)


def _sign_off(workspace: TraceWorkspace, number: int) -> None:
    """Version 1's refusal overridden by Priya Shah; version 2 declined by Jordan Ellis."""
    if number == 1:
        sign_off(
            workspace.registry,
            MODEL_NAME,
            1,
            approver=_APPROVER[0],
            role=_APPROVER[1],
            justification=(
                "Six-month pilot: a caseworker reviews every flag before any contact "
                "with the claimant, and fairness is re-checked every month."
            ),
        )
    else:
        sign_off(
            workspace.registry,
            MODEL_NAME,
            2,
            approver=_DECLINER[0],
            role=_DECLINER[1],
            justification=(
                "The four-fifths rule still fails by ethnic group; the pilot model "
                "stays in use until a fairer one passes the gate."
            ),
            decision="decline",
        )


@functools.lru_cache(maxsize=1)
def _prepared() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mlops-kit-trace-model-"))
    # The workspace lasts as long as the Python session (the notebook's kernel).
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return prepare_workspace(folder).path


def trace_workspace() -> TraceWorkspace:
    """The exercise's workspace, prepared once per Python session in a temporary folder.

    Each call returns a new :class:`TraceWorkspace` on the same folder; the checks
    read the registry and audit log as they are when an answer is checked.
    """
    return TraceWorkspace(_prepared())
