"""Confusion counts per group, counted with NumPy, and the metrics built from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import ConfigError, DataValidationError
from ..metrics import as_binary

if TYPE_CHECKING:
    import pandas as pd


def _ratio(a: np.ndarray, b: np.ndarray, empty: float = np.nan) -> np.ndarray:
    """a / b elementwise, with ``empty`` where b is 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, empty), where=b > 0)


# Rates over an empty denominator (a group with no actual positives has no true positive
# rate) are 0, as in fairlearn, which takes them from scikit-learn's normalised
# confusion matrix; precision with nothing predicted positive is 0 (zero_division=0).
#: Metrics computed from confusion counts (tn, fp, fn, tp), named and defined as in fairlearn.
CONFUSION_METRICS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]] = {
    "count": lambda tn, fp, fn, tp: tn + fp + fn + tp,
    "selection_rate": lambda tn, fp, fn, tp: _ratio(tp + fp, tn + fp + fn + tp),
    "true_positive_rate": lambda tn, fp, fn, tp: _ratio(tp, tp + fn, 0.0),
    "false_positive_rate": lambda tn, fp, fn, tp: _ratio(fp, fp + tn, 0.0),
    "false_negative_rate": lambda tn, fp, fn, tp: _ratio(fn, fn + tp, 0.0),
    "true_negative_rate": lambda tn, fp, fn, tp: _ratio(tn, tn + fp, 0.0),
    "precision": lambda tn, fp, fn, tp: _ratio(tp, tp + fp, 0.0),
    "accuracy": lambda tn, fp, fn, tp: _ratio(tp + tn, tn + fp + fn + tp),
}


def _factorize(groups: Any) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted unique labels of a group column (missing -> error)."""
    import pandas as pd

    values = groups if isinstance(groups, pd.Series | np.ndarray) else np.asarray(groups)
    codes, uniques = pd.factorize(values, sort=True)  # categorical columns: codes reused
    missing = int((codes < 0).sum())
    if missing:
        raise DataValidationError(
            f"The sensitive feature has {missing} missing value(s); give every row a "
            "group (for example 'not recorded') before a fairness analysis."
        )
    return codes.astype(np.int64), np.asarray(uniques)


def _counts(y_true: Any, y_pred: Any, groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells, labels, codes): confusion counts of shape (groups, 4) counted with NumPy."""
    yt = as_binary(y_true, "y_true")
    yp = as_binary(y_pred, "y_pred")
    if len(yt) != len(yp):
        raise DataValidationError(
            f"y_true and y_pred must have the same length; got {len(yt)} and {len(yp)}."
        )
    codes, labels = _factorize(groups)
    if len(codes) != len(yt):
        raise DataValidationError(
            f"The sensitive feature must have one value per row ({len(yt)}); got {len(codes)}."
        )
    cells = np.bincount(codes * 4 + yt * 2 + yp, minlength=len(labels) * 4)
    return cells.reshape(len(labels), 4), labels, codes


def _metrics_from_counts(cells: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    tn, fp, fn, tp = (cells[..., i] for i in range(4))
    return {m: CONFUSION_METRICS[m](tn, fp, fn, tp) for m in names}


def group_confusion(y_true: Any, y_pred: Any, groups: Any) -> pd.DataFrame:
    """Confusion counts per group by counting with NumPy.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (sorted), columns ``tn``, ``fp``, ``fn``, ``tp``.

    Raises
    ------
    DataValidationError
        Labels that are not 0/1, lengths that differ, or a missing group.

    Examples
    --------
    >>> group_confusion([0, 1, 1, 0], [0, 1, 0, 1], ["a", "a", "b", "b"])
           tn  fp  fn  tp
    group
    a       1   0   0   1
    b       0   1   1   0
    """
    import pandas as pd

    cells, labels, _ = _counts(y_true, y_pred, groups)
    return pd.DataFrame(
        cells, index=pd.Index(labels, name="group"), columns=["tn", "fp", "fn", "tp"]
    )


def group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    *,
    metrics: Sequence[str] | Mapping[str, Callable[..., float]] = (
        "count",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "precision",
        "accuracy",
    ),
    method: Literal["auto", "fast", "fairlearn"] = "auto",
) -> pd.DataFrame:
    """Metrics for each group, like ``fairlearn.metrics.MetricFrame(...).by_group``.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
    sensitive_features : array-like
        One group label per row.
    metrics : sequence of names, or mapping of name to metric function
        Names from :data:`CONFUSION_METRICS` use the fast counting path; a mapping of
        functions ``f(y_true, y_pred)`` is handed to fairlearn's ``MetricFrame``.
    method : {"auto", "fast", "fairlearn"}, default "auto"
        Force one path (for example to compare them).

    Returns
    -------
    pandas.DataFrame
        One row per group, one column per metric.
    """
    import pandas as pd

    names = list(metrics)
    fast_ok = not isinstance(metrics, Mapping) and all(m in CONFUSION_METRICS for m in names)
    if method == "fast" and not fast_ok:
        unknown = [m for m in names if m not in CONFUSION_METRICS]
        raise ConfigError(
            f"The 'metrics' of group_metrics must be among {', '.join(CONFUSION_METRICS)} "
            f"for method='fast'. Got {unknown} instead."
        )
    if fast_ok and method != "fairlearn":
        cells, labels, _ = _counts(y_true, y_pred, sensitive_features)
        return pd.DataFrame(
            _metrics_from_counts(cells, names), index=pd.Index(labels, name="group")
        )

    from fairlearn import metrics as flm
    from sklearn.metrics import accuracy_score, precision_score

    library: dict[str, Callable[..., Any]] = {
        "count": flm.count,
        "selection_rate": flm.selection_rate,
        "true_positive_rate": flm.true_positive_rate,
        "false_positive_rate": flm.false_positive_rate,
        "false_negative_rate": flm.false_negative_rate,
        "true_negative_rate": flm.true_negative_rate,
        "precision": lambda t, p: precision_score(t, p, zero_division=0),
        "accuracy": accuracy_score,
    }
    functions = dict(metrics) if isinstance(metrics, Mapping) else {m: library[m] for m in names}
    frame = flm.MetricFrame(
        metrics=functions,
        y_true=np.asarray(y_true),
        y_pred=np.asarray(y_pred),
        sensitive_features=pd.Series(np.asarray(sensitive_features), name="group"),
    )
    by_group: pd.DataFrame = frame.by_group
    return by_group


DISPARITY_NAMES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
)


def _disparities(cells: np.ndarray) -> dict[str, float | None]:
    """fairlearn's between-groups differences and ratios, from counts of shape (groups, 4)."""
    r = _metrics_from_counts(cells, ("selection_rate", "true_positive_rate", "false_positive_rate"))

    def diff_ratio(values: np.ndarray) -> tuple[float | None, float | None]:
        values = values[~np.isnan(values)]
        if len(values) == 0:
            return None, None
        lo, hi = float(values.min()), float(values.max())
        return hi - lo, (lo / hi if hi > 0 else None)

    dp_d, dp_r = diff_ratio(r["selection_rate"])
    tpr_d, tpr_r = diff_ratio(r["true_positive_rate"])
    fpr_d, fpr_r = diff_ratio(r["false_positive_rate"])
    return dict(
        zip(
            DISPARITY_NAMES,
            (
                dp_d,
                dp_r,
                None if tpr_d is None or fpr_d is None else max(tpr_d, fpr_d),
                None if tpr_r is None or fpr_r is None else min(tpr_r, fpr_r),
            ),
            strict=True,
        )
    )


def sensitive_frame(sensitive_features: Any) -> pd.DataFrame:
    """The protected attributes as a DataFrame, one column each, from a DataFrame, a
    Series (one attribute) or a mapping of name to values."""
    import pandas as pd

    if isinstance(sensitive_features, pd.Series):
        return sensitive_features.to_frame()
    if isinstance(sensitive_features, Mapping):
        return pd.DataFrame(dict(sensitive_features))
    frame: pd.DataFrame = sensitive_features
    return frame
