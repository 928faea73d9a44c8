"""The automated pipeline: stage notebooks executed with papermill into run folders.

``run_pipeline`` (or ``mlops-kit run``) executes the stage notebooks in
``notebooks/pipeline/`` in order (validate, tune, train, evaluate, explain, gate,
register, monitor, report) into a new folder ``runs/<run-id>/``. Each stage notebook
calls one of the ``*_stage`` functions here, and stages hand off only through files in
the run folder.

``run_tour`` and ``summarise_stage`` read a run folder back stage by stage: what each
stage read, wrote, appended to the audit log and decided (``STAGE_FILES`` lists the
files); ``stage_glossary`` explains each stage's terms for newcomers; ``read_gate``
reads ``gate.json`` back as the gate's decision. ``pipeline_diagram`` draws the whole
pipeline from the same stage list: what each stage writes and where a person decides
(``PERSON_DECISIONS``).

``workspace_overview`` and ``run_details`` read a whole workspace (every run folder, the
registry's aliases, the audit chain) for the facilitator dashboard, naming damaged files
instead of failing.
"""

from ._context import run_context
from ._diagram import PERSON_DECISIONS, PersonDecision, PipelineDiagram, pipeline_diagram
from ._explain import EXPLANATIONS_FILE, explain_stage
from ._glossary import PIPELINE_GLOSSARY, Glossary, stage_glossary
from ._monitoring import MONITORING_FILE, monitor_stage
from ._overview import (
    WORKSPACE_ENV,
    RunOverview,
    WorkspaceOverview,
    find_workspace,
    workspace_overview,
)
from ._overview_details import RunDetails, run_details
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
from ._stages import (
    Evaluation,
    evaluate_stage,
    read_dataset_record,
    report_stage,
    resolve_run_dir,
    train_stage,
    validate_stage,
)
from ._tour import STAGE_FILES, RunTour, StageFiles, StageSummary, run_tour, summarise_stage
from ._tuning import tune_stage

__all__ = [
    "EXPLANATIONS_FILE",
    "MONITORING_FILE",
    "PERSON_DECISIONS",
    "PIPELINE_GLOSSARY",
    "STAGES",
    "STAGE_FILES",
    "WORKSPACE_ENV",
    "Evaluation",
    "Glossary",
    "PersonDecision",
    "PipelineDiagram",
    "Reproduction",
    "RunDetails",
    "RunOverview",
    "RunResult",
    "RunStatus",
    "RunTour",
    "Stage",
    "StageFiles",
    "StageSummary",
    "WorkspaceOverview",
    "card_block",
    "evaluate_stage",
    "execute_notebook",
    "explain_stage",
    "find_run_dir",
    "find_workspace",
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
    "run_details",
    "run_pipeline",
    "run_tour",
    "stage_glossary",
    "stage_notebook",
    "stage_parameters",
    "summarise_stage",
    "train_stage",
    "tune_stage",
    "validate_stage",
    "workspace_overview",
]
