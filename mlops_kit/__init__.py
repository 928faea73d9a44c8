"""mlops_kit: the helper package of the MLOps workbook.

Importing it is instant and has no side effects: every name below is loaded from its
module on first use, so heavy libraries (scikit-learn, fairlearn, papermill, ...)
load only inside the functions that need them.

The verbs the lessons use::

    import mlops_kit as mk
    claims = mk.load_dataset("benefit_claims")
    config = mk.load_config("data/configs/benefit_claims.yml", ["model=rf"])
    result = mk.run_pipeline(config)

Modules: ``data``, ``config``, ``train``, ``metrics``, ``fairness``, ``figures``,
``tune``, ``registry``, ``governance``, ``audit``, ``monitor``, ``continuous``,
``abtest``, ``privacy``, ``explain``, ``review``, ``pipeline``, ``widgets``, ``exercises``,
``course``, ``cli``, ``errors``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .audit import AuditLog
    from .config import PipelineConfig, load_config
    from .data import list_datasets, load_dataset, profile_dataset, split_data, validate_table
    from .errors import (
        ApprovalError,
        ArtefactError,
        AuditError,
        ConfigError,
        DataValidationError,
        GateFailedError,
        MlopsKitError,
        PipelineError,
    )
    from .fairness import fairness_report, group_metrics
    from .governance import approve, evaluate_gate
    from .metrics import (
        classification_metrics,
        evaluate_predictions,
        metrics_by_period,
        regression_metrics,
        threshold_analysis,
    )
    from .pipeline import reproduce, run_pipeline
    from .registry import Registry
    from .train import build_pipeline, train_model

_EXPORTS = {
    "load_dataset": "data",
    "profile_dataset": "data",
    "list_datasets": "data",
    "validate_table": "data",
    "load_config": "config",
    "PipelineConfig": "config",
    "build_pipeline": "train",
    "split_data": "data",
    "train_model": "train",
    "classification_metrics": "metrics",
    "regression_metrics": "metrics",
    "evaluate_predictions": "metrics",
    "threshold_analysis": "metrics",
    "metrics_by_period": "metrics",
    "fairness_report": "fairness",
    "group_metrics": "fairness",
    "run_pipeline": "pipeline",
    "reproduce": "pipeline",
    "evaluate_gate": "governance",
    "approve": "governance",
    "Registry": "registry",
    "AuditLog": "audit",
    "MlopsKitError": "errors",
    "ConfigError": "errors",
    "DataValidationError": "errors",
    "ArtefactError": "errors",
    "PipelineError": "errors",
    "ApprovalError": "errors",
    "AuditError": "errors",
    "GateFailedError": "errors",
}
_SUBMODULES = (
    "abtest",
    "audit",
    "cli",
    "config",
    "continuous",
    "course",
    "data",
    "errors",
    "exercises",
    "explain",
    "fairness",
    "figures",
    "governance",
    "metrics",
    "monitor",
    "pipeline",
    "privacy",
    "registry",
    "review",
    "train",
    "tune",
    "widgets",
)

__all__ = [
    "ApprovalError",
    "ArtefactError",
    "AuditError",
    "AuditLog",
    "ConfigError",
    "DataValidationError",
    "GateFailedError",
    "MlopsKitError",
    "PipelineConfig",
    "PipelineError",
    "Registry",
    "__version__",
    "approve",
    "build_pipeline",
    "classification_metrics",
    "evaluate_gate",
    "evaluate_predictions",
    "fairness_report",
    "group_metrics",
    "list_datasets",
    "load_config",
    "load_dataset",
    "metrics_by_period",
    "profile_dataset",
    "regression_metrics",
    "reproduce",
    "run_pipeline",
    "split_data",
    "threshold_analysis",
    "train_model",
    "validate_table",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("mlops-kit")
        except PackageNotFoundError:
            return "0+unknown"
    raise AttributeError(f"module 'mlops_kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS, *_SUBMODULES, "__version__"])
