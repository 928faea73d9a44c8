"""What the drift and performance modules and their figures share: value labels and names."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LABELLED",
    "MEASURE_NAMES",
    "METRIC_NAMES",
    "MISSING",
    "PARTLY",
    "PENDING",
    "TEST_NAMES",
    "column_kind",
    "value_counts",
]

#: The label of missing values in a categorical feature's counts.
MISSING = "(missing)"
MEASURE_NAMES = {"psi": "PSI", "js": "Jensen-Shannon distance", "ks": "KS statistic"}
TEST_NAMES = {"ks": "Kolmogorov-Smirnov test", "chi2": "chi-square test"}

#: A batch's labelling status, and the monitored metrics' names in words.
LABELLED, PARTLY, PENDING = "labelled", "partly labelled", "labels pending"
METRIC_NAMES = {
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "recall": "recall",
    "precision": "precision",
    "f1": "F1",
    "accuracy": "accuracy",
}


def column_kind(series: pd.Series) -> Literal["numeric", "categorical"]:
    """Whether drift treats ``series`` as numeric or categorical (booleans: categorical)."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "categorical"
    return "numeric"


def value_counts(series: pd.Series) -> dict[str, int]:
    """Counts of each value as text, missing values counted under :data:`MISSING`."""
    counts = series.value_counts(dropna=False)
    out: dict[str, int] = {}
    for key, n in zip(counts.index, counts.to_numpy(), strict=True):  # loop over categories
        label = MISSING if key is None or (isinstance(key, float) and math.isnan(key)) else key
        label = MISSING if label is not MISSING and _is_na(label) else str(label)
        out[label] = out.get(label, 0) + int(n)
    return out


def _is_na(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
