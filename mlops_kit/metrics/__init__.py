"""Classification and regression metric suites, threshold analysis, metrics over time,
and the figures of a model's performance.

Every value comes from scikit-learn's own metric functions, except where a whole
grid of thresholds is needed at once: there the counts come from one sort of the
scores, which gives the same numbers as calling scikit-learn at each threshold
(a test checks this) in a fraction of the time.
"""

from ._figures import (
    confusion_matrix_figure,
    metric_over_time_figure,
    precision_recall_figure,
    predicted_vs_actual_figure,
    roc_figure,
    threshold_figure,
)
from ._scores import (
    METRIC_GLOSSARY,
    MetricSuite,
    as_binary,
    classification_metrics,
    confusion_counts,
    evaluate_predictions,
    metrics_by_period,
    regression_metrics,
    threshold_analysis,
)

__all__ = [
    "METRIC_GLOSSARY",
    "MetricSuite",
    "as_binary",
    "classification_metrics",
    "confusion_counts",
    "confusion_matrix_figure",
    "evaluate_predictions",
    "metric_over_time_figure",
    "metrics_by_period",
    "precision_recall_figure",
    "predicted_vs_actual_figure",
    "regression_metrics",
    "roc_figure",
    "threshold_analysis",
    "threshold_figure",
]
