"""The pipeline config: one validated schema for the command line, notebooks and designs.

A config is a YAML file such as::

    data: ../benefit_claims.csv     # any tabular CSV (relative to this file)
    target: flagged                 # column to predict
    task: classification            # or regression
    positive_label: 1               # the class that counts as positive
    positive_is: adverse            # a positive prediction harms the person
    protected: [sex, ethnic_group]  # fairness analysis only, never features
    model: hgb                      # logistic | hgb | rf (regression: linear | hgb | rf)
    seed: 0

The keys are grouped by the pipeline stage that uses them (:class:`DataParams`,
:class:`TrainParams`, :class:`EvaluateParams`); each stage notebook's papermill
parameters are exactly its group's keys plus ``run_dir``. Every problem is reported
on one line naming the key, the rule and the value received.

This package is the kit's settings layer: the pydantic schema of every config section,
importing only pydantic, the standard library and :mod:`mlops_kit.errors`. Checking a
table against these keys is the data package's work (:func:`mlops_kit.data.check_table`).
"""

from __future__ import annotations

from ._common import (
    BUNDLED_DATASETS,
    BUNDLED_PREFIX,
    SECRET_SOURCES,
    as_settings,
    check_section,
    mask_secrets,
)
from ._documents import PHASES, DocumentsSettings, ImpactAssessment, Risk, Supplier
from ._monitoring import (
    COMPARISON_METRICS,
    ContinuousSettings,
    DriftSettings,
    PerformanceSettings,
)
from ._pipeline import (
    MODELS_FOR_TASK,
    RUNNER_KEYS,
    SIMULATION_KEYS,
    STAGE_PARAMS,
    TUNING_METRICS,
    DataParams,
    EvaluateParams,
    ExplainParams,
    GateParams,
    MonitoringSection,
    MonitorParams,
    PipelineConfig,
    RegisterParams,
    RegistrySection,
    SearchDimension,
    SplitParams,
    TrainParams,
    TuneParams,
    TuningSection,
    load_config,
    parse_overrides,
    validate_params,
)
from ._sections import (
    GATE_METRICS,
    MIN_ALLOW_REASON,
    MIN_OVERRIDE_REASON,
    ExplainSettings,
    PolicySection,
    PrivacyOverride,
    PrivacySettings,
    ReviewSettings,
)

__all__ = [
    "BUNDLED_DATASETS",
    "BUNDLED_PREFIX",
    "COMPARISON_METRICS",
    "GATE_METRICS",
    "MIN_ALLOW_REASON",
    "MIN_OVERRIDE_REASON",
    "MODELS_FOR_TASK",
    "PHASES",
    "RUNNER_KEYS",
    "SECRET_SOURCES",
    "SIMULATION_KEYS",
    "STAGE_PARAMS",
    "TUNING_METRICS",
    "ContinuousSettings",
    "DataParams",
    "DocumentsSettings",
    "DriftSettings",
    "EvaluateParams",
    "ExplainParams",
    "ExplainSettings",
    "GateParams",
    "ImpactAssessment",
    "MonitorParams",
    "MonitoringSection",
    "PerformanceSettings",
    "PipelineConfig",
    "PolicySection",
    "PrivacyOverride",
    "PrivacySettings",
    "RegisterParams",
    "RegistrySection",
    "ReviewSettings",
    "Risk",
    "SearchDimension",
    "SplitParams",
    "Supplier",
    "TrainParams",
    "TuneParams",
    "TuningSection",
    "as_settings",
    "check_section",
    "load_config",
    "mask_secrets",
    "parse_overrides",
    "validate_params",
]
