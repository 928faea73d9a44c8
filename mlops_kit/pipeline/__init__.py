"""The automated pipeline: stage notebooks executed with papermill into run folders.

``run_pipeline`` (or ``mlops-kit run``) executes the stage notebooks in
``notebooks/pipeline/`` in order (validate, train, evaluate, report) into a new
folder ``runs/<run-id>/``. Each stage notebook calls one of the ``*_stage``
functions here, and stages hand off only through files in the run folder.
"""

from ._runner import (
    STAGES,
    RunResult,
    RunStatus,
    Stage,
    execute_notebook,
    preflight,
    run_pipeline,
    stage_notebook,
    stage_parameters,
)
from ._stages import (
    Evaluation,
    evaluate_stage,
    read_dataset_record,
    report_stage,
    resolve_run_dir,
    train_stage,
    validate_stage,
)

__all__ = [
    "STAGES",
    "Evaluation",
    "RunResult",
    "RunStatus",
    "Stage",
    "evaluate_stage",
    "execute_notebook",
    "preflight",
    "read_dataset_record",
    "report_stage",
    "resolve_run_dir",
    "run_pipeline",
    "stage_notebook",
    "stage_parameters",
    "train_stage",
    "validate_stage",
]
