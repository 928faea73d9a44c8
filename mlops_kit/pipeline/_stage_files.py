"""Which files each stage reads and writes in the run folder, and what it audits.

:data:`STAGE_FILES` is the pipeline's hand-off contract, stage by stage: the files a
stage needs, the files it always writes into the run folder, the audit events it may
append and its section in ``figures.json``. :func:`~mlops_kit.pipeline.pipeline_diagram`
draws it, and the run-folder tour (:func:`mlops_kit.course.run_tour`) reads a run back
with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError, did_you_mean
from ._explain import EXPLANATIONS_FILE
from ._folder import (
    DATASET_FILE,
    FIGURES_FILE,
    GATE_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PREDICTIONS_FILE,
    REGISTRATION_FILE,
    REPORT_FILE,
    TRAINING_FILE,
    TUNING_FILE,
)
from ._monitoring import MONITORING_FILE
from ._runner import STAGES, Stage

__all__ = ["DATA_FILE", "STAGE_FILES", "StageFiles", "check_stage"]

#: Stands for the data file named in the config, which lives outside the run folder.
DATA_FILE = "the data file"


@dataclass(frozen=True)
class StageFiles:
    """What one stage reads and writes in the run folder, and what it audits.

    Attributes
    ----------
    reads : tuple of str
        Files it needs (``DATA_FILE`` is the data file named in the config).
    writes : tuple of str
        Files it always writes into the run folder.
    events : tuple of str
        Audit events it may append (:class:`mlops_kit.audit.AuditEvent` values).
    figures : str or None
        Its section in ``figures.json``, if it draws figures.
    """

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    events: tuple[str, ...] = ()
    figures: str | None = None


_DOCUMENTS = tuple(
    f"{stem}.{ext}"
    for stem, exts in (
        ("model_card", ("md", "html")),
        ("transparency_record", ("md", "html", "json")),
        ("stakeholder_summary", ("md", "html")),
    )
    for ext in exts
)

#: Each stage's inputs, outputs and audit events, in pipeline order.
STAGE_FILES: dict[Stage, StageFiles] = {
    Stage.VALIDATE: StageFiles(
        reads=(DATA_FILE,),
        writes=(DATASET_FILE,),
        events=("data_loaded", "privacy_overridden"),
    ),
    Stage.TUNE: StageFiles(
        reads=(DATASET_FILE, DATA_FILE),
        writes=(TUNING_FILE,),
        events=("tuned",),
        figures="tuning",
    ),
    Stage.TRAIN: StageFiles(
        reads=(DATASET_FILE, TUNING_FILE, DATA_FILE),
        writes=(MODEL_FILE, TRAINING_FILE, PREDICTIONS_FILE),
        events=("trained",),
    ),
    Stage.EVALUATE: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, PREDICTIONS_FILE),
        writes=(METRICS_FILE, FIGURES_FILE),
        events=("evaluated",),
        figures="evaluation",
    ),
    Stage.EXPLAIN: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, MODEL_FILE, PREDICTIONS_FILE, DATA_FILE),
        writes=(EXPLANATIONS_FILE,),
        events=("explained",),
        figures="explanations",
    ),
    Stage.GATE: StageFiles(reads=(METRICS_FILE,), writes=(GATE_FILE,), events=("gate_decision",)),
    Stage.REGISTER: StageFiles(
        reads=(
            DATASET_FILE,
            TUNING_FILE,
            TRAINING_FILE,
            MODEL_FILE,
            METRICS_FILE,
            EXPLANATIONS_FILE,
            GATE_FILE,
        ),
        writes=(REGISTRATION_FILE, "manifest.json", *_DOCUMENTS),
        events=("registered", "alias_changed"),
    ),
    Stage.MONITOR: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, MODEL_FILE, PREDICTIONS_FILE, DATA_FILE),
        writes=(MONITORING_FILE,),
        events=("monitored",),
        figures="monitoring",
    ),
    Stage.REPORT: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, METRICS_FILE, FIGURES_FILE, GATE_FILE),
        writes=(REPORT_FILE,),
    ),
}


def check_stage(stage: Stage | str, where: str) -> Stage:
    """``stage`` as a :class:`Stage`, or a ConfigError naming ``where`` and the stages."""
    try:
        return Stage(stage)
    except ValueError:
        names = [s.value for s in STAGES]
        raise ConfigError(
            f"The 'stage' parameter of {where} must be one of {', '.join(names)}. "
            f"Got {stage!r} instead.{did_you_mean(str(stage), names)}"
        ) from None
