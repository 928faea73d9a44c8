"""Monitoring: data drift per feature, prediction drift, performance and fairness over time.

The statistics are SciPy's and NumPy's (no Python loop over rows); a feature drifts only
when its corrected p-value *and* its effect size both say so, which keeps large batches
from raising false alarms. Alerts say what crossed which threshold and what the pipeline
will do about it. Importing this package loads neither SciPy, scikit-learn nor
matplotlib.
"""

from ..config import DriftSettings, PerformanceSettings
from ._alerts import ACTIONS, Alert, AlertKind, Severity
from ._drift import drift_report
from ._drift_result import DriftReport
from ._figures import distribution_figure, drift_figure, performance_figure
from ._months import batch_drift, drift_by_batch, score_months
from ._performance import PerformanceReport, performance_over_time

__all__ = [
    "ACTIONS",
    "Alert",
    "AlertKind",
    "DriftReport",
    "DriftSettings",
    "PerformanceReport",
    "PerformanceSettings",
    "Severity",
    "batch_drift",
    "distribution_figure",
    "drift_by_batch",
    "drift_figure",
    "drift_report",
    "performance_figure",
    "performance_over_time",
    "score_months",
]
