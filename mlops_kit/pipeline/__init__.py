"""The automated pipeline: stage notebooks executed with papermill into run folders.

``run_pipeline`` (or ``mlops-kit run``) executes the stage notebooks in
``notebooks/pipeline/`` in order (validate, tune, train, evaluate, explain, gate,
register, monitor, report) into a new folder ``runs/<run-id>/``. Each stage notebook
calls one of the ``*_stage`` functions here, and stages hand off only through files in
the run folder.

``STAGE_FILES`` lists what each stage reads, writes and appends to the audit log;
``read_gate`` reads ``gate.json`` back as the gate's decision. ``pipeline_diagram``
draws the whole pipeline from the same stage list: what each stage writes and where a
person decides (``PERSON_DECISIONS``). Reading a run folder back for the lessons and
the facilitator dashboard (``run_tour``, ``workspace_overview``) is teaching material,
in :mod:`mlops_kit.course`.
"""

from ._context import run_context
from ._diagram import PERSON_DECISIONS, PersonDecision, PipelineDiagram, pipeline_diagram
from ._explain import EXPLANATIONS_FILE, explain_stage
from ._folder import resolve_run_dir
from ._monitoring import MONITORING_FILE, monitor_stage
from ._records import read_gate
from ._release import card_block, gate_stage, register_stage, release_summary
from ._reproduce import Reproduction, find_run_dir, reproduce
from ._runner import (
    STAGES,
    RunResult,
    RunStatus,
    Stage,
    execute_notebook,
    preflight,
    resolve_defaults,
    run_pipeline,
    stage_notebook,
    stage_parameters,
)
from ._stage_files import STAGE_FILES, StageFiles
from ._stages import (
    Evaluation,
    evaluate_stage,
    read_dataset_record,
    report_stage,
    train_stage,
    validate_stage,
)
from ._tuning import tune_stage

__all__ = [
    "EXPLANATIONS_FILE",
    "MONITORING_FILE",
    "PERSON_DECISIONS",
    "STAGES",
    "STAGE_FILES",
    "Evaluation",
    "PersonDecision",
    "PipelineDiagram",
    "Reproduction",
    "RunResult",
    "RunStatus",
    "Stage",
    "StageFiles",
    "card_block",
    "evaluate_stage",
    "execute_notebook",
    "explain_stage",
    "find_run_dir",
    "gate_stage",
    "monitor_stage",
    "pipeline_diagram",
    "preflight",
    "read_dataset_record",
    "read_gate",
    "register_stage",
    "release_summary",
    "report_stage",
    "reproduce",
    "resolve_defaults",
    "resolve_run_dir",
    "run_context",
    "run_pipeline",
    "stage_notebook",
    "stage_parameters",
    "train_stage",
    "tune_stage",
    "validate_stage",
]
