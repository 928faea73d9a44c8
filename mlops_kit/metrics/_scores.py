"""Classification and regression metric suites, threshold analysis, metrics over time.

Every value comes from scikit-learn's own metric functions, except where a whole
grid of thresholds is needed at once: there the counts come from one sort of the
scores, which gives the same numbers as calling scikit-learn at each threshold
(a test checks this) in a fraction of the time.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import DataValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLASSIFICATION_METRICS",
    "METRIC_GLOSSARY",
    "REGRESSION_METRICS",
    "MetricSuite",
    "as_binary",
    "classification_metrics",
    "confusion_counts",
    "evaluate_predictions",
    "metrics_by_period",
    "regression_metrics",
    "threshold_analysis",
]

CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier")
REGRESSION_METRICS = ("mse", "rmse", "mae", "r2")

#: Each metric in plain words, for lessons and reports.
METRIC_GLOSSARY: dict[str, str] = {
    "accuracy": "Share of all cases the model got right. Misleading when one class is rare: "
    "where 1 case in 10 is positive, a model that never predicts positive is 90% accurate.",
    "precision": "Of the cases the model predicted positive, the share that really were "
    "positive. Low precision means many positive predictions are false alarms.",
    "recall": "Of the truly positive cases, the share the model caught (also called "
    "sensitivity or true positive rate). Low recall means real cases are missed.",
    "f1": "The harmonic mean of precision and recall: high only when both are.",
    "roc_auc": "Area under the ROC curve: the chance that a randomly chosen positive case "
    "scores higher than a randomly chosen negative one (0.5 is guessing, 1 is perfect). "
    "It does not depend on the threshold.",
    "pr_auc": "Area under the precision-recall curve (average precision): like ROC AUC but "
    "focused on the positive class, so more telling when positives are rare.",
    "brier": "Mean squared gap between the predicted probability and what happened "
    "(0 is perfect). Checks that scores can be read as probabilities.",
    "mse": "Mean squared error: the average squared gap between prediction and truth. "
    "Punishes large misses heavily; in squared units.",
    "rmse": "Root mean squared error: the square root of MSE, in the target's own units.",
    "mae": "Mean absolute error: the average size of a miss, in the target's units.",
    "r2": "Coefficient of determination: the share of the target's variation the model "
    "explains (1 is perfect, 0 is no better than predicting the average).",
}


def as_binary(y: Any, name: str) -> np.ndarray:
    """``y`` as int64 0/1 labels; anything else is refused, naming the values found."""
    arr = np.asarray(y)
    if arr.dtype.kind in "biuf":
        bad = (arr != 0) & (arr != 1)  # one pass; np.unique would sort every label
        if not bad.any():
            return arr.astype(np.int64)
        values = np.unique(arr[bad])
    else:
        values = np.unique(arr.astype(str))
    shown = ", ".join(repr(v) for v in values[:5].tolist())
    raise DataValidationError(
        f"'{name}' must hold only 0 and 1 (1 = the positive class); got values {shown}."
    )


def confusion_counts(y_true: Any, y_pred: Any) -> dict[str, int]:
    """True/false negatives and positives, from scikit-learn's confusion matrix.

    Examples
    --------
    >>> confusion_counts([0, 1, 1, 0], [0, 1, 0, 1])
    {'tn': 1, 'fp': 1, 'fn': 1, 'tp': 1}
    """
    from sklearn.metrics import confusion_matrix

    tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}


def _none_if_nan(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def classification_metrics(
    y_true: Any, y_pred: Any, y_score: Any | None = None
) -> dict[str, float | None]:
    """The classification suite, each value from scikit-learn.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        Truth and predictions (1 = the positive class).
    y_score : array-like of float, optional
        Scores or probabilities of the positive class, for ROC AUC, PR AUC and
        the Brier score (Brier only when the scores lie in [0, 1]).

    Returns
    -------
    dict
        ``accuracy``, ``precision``, ``recall``, ``f1`` and, with scores, ``roc_auc``,
        ``pr_auc`` (average precision) and ``brier``. A value that is undefined on
        this data (such as ROC AUC with one class) is ``None``.

    Examples
    --------
    >>> m = classification_metrics([0, 0, 1, 1], [0, 1, 1, 1], [0.1, 0.6, 0.7, 0.9])
    >>> round(m["precision"], 3), m["recall"], m["roc_auc"]
    (0.667, 1.0, 1.0)
    """
    from sklearn import metrics as skm

    yt = as_binary(y_true, "y_true")
    yp = as_binary(y_pred, "y_pred")
    out: dict[str, float | None] = {
        "accuracy": float(skm.accuracy_score(yt, yp)),
        "precision": float(skm.precision_score(yt, yp, zero_division=0)),
        "recall": float(skm.recall_score(yt, yp, zero_division=0)),
        "f1": float(skm.f1_score(yt, yp, zero_division=0)),
    }
    if y_score is not None:
        ys = np.asarray(y_score, dtype=float)
        both = len(np.unique(yt)) == 2
        out["roc_auc"] = float(skm.roc_auc_score(yt, ys)) if both else None
        out["pr_auc"] = float(skm.average_precision_score(yt, ys)) if yt.any() else None
        in_unit = bool(ys.min() >= 0 and ys.max() <= 1)
        out["brier"] = float(skm.brier_score_loss(yt, ys)) if in_unit else None
    return out


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """MSE, RMSE, MAE and R², each from scikit-learn.

    Examples
    --------
    >>> regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])["mae"]
    0.6666666666666666
    """
    from sklearn import metrics as skm

    return {
        "mse": float(skm.mean_squared_error(y_true, y_pred)),
        "rmse": float(skm.root_mean_squared_error(y_true, y_pred)),
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "r2": float(skm.r2_score(y_true, y_pred)),
    }


def _labels_and_scores(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels and finite scores of the same length, or a clear error."""
    yt = as_binary(y_true, "y_true")
    ys = np.asarray(y_score, dtype=float)
    if yt.shape != ys.shape:
        raise DataValidationError(
            f"y_true and y_score must have the same length; got {len(yt)} and {len(ys)}."
        )
    bad = ~np.isfinite(ys)
    if bad.any():
        raise DataValidationError(
            f"y_score must hold finite numbers; {int(bad.sum())} value(s) are missing or "
            f"infinite, first at position {int(np.flatnonzero(bad)[0])}."
        )
    return yt, ys


def _counts_at_thresholds(
    y_true: np.ndarray, y_score: np.ndarray, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """tp and fp for ``score >= t`` at each t, from one sort of the scores."""
    order = np.argsort(y_score, kind="stable")
    scores = y_score[order]
    positives_below = np.concatenate([[0], np.cumsum(y_true[order])])
    below = np.searchsorted(scores, thresholds, side="left")
    n, n_pos = len(y_true), int(y_true.sum())
    tp = n_pos - positives_below[below]
    fp = (n - below) - tp
    return tp, fp, n, n_pos


def threshold_analysis(
    y_true: Any,
    y_score: Any,
    *,
    thresholds: Sequence[float] | np.ndarray | None = None,
    groups: Any | None = None,
) -> pd.DataFrame:
    """Precision, recall, F1 and flag rate at each threshold (score >= threshold).

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
    thresholds : sequence of float, optional
        Default 0.05, 0.10, ..., 0.95.
    groups : array-like, optional
        A protected attribute: adds one ``flag_rate[<group>]`` column per group.

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold``, ``tp``, ``fp``, ``fn``, ``tn``,
        ``precision``, ``recall``, ``f1``, ``flag_rate`` (share predicted
        positive). Precision with nothing flagged is 0, as scikit-learn's
        ``zero_division=0`` gives.

    Examples
    --------
    >>> t = threshold_analysis([0, 1, 1, 0], [0.2, 0.8, 0.4, 0.6], thresholds=[0.5])
    >>> t[["precision", "recall", "flag_rate"]].to_dict("records")
    [{'precision': 0.5, 'recall': 0.5, 'flag_rate': 0.5}]
    """
    import pandas as pd

    yt, ys = _labels_and_scores(y_true, y_score)
    ts = (
        np.round(np.arange(0.05, 0.951, 0.05), 2)
        if thresholds is None
        else np.asarray(thresholds, dtype=float)
    )
    tp, fp, n, n_pos = _counts_at_thresholds(yt, ys, ts)
    fn = n_pos - tp
    tn = (n - n_pos) - fp
    flagged = tp + fp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tp / np.maximum(flagged, 1), 0.0)
        recall = tp / n_pos if n_pos else np.zeros_like(ts)
        denom = precision + recall
        f1 = np.where(denom > 0, 2 * precision * recall / np.where(denom > 0, denom, 1), 0.0)
    table = pd.DataFrame(
        {
            "threshold": ts,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "flag_rate": flagged / n,
        }
    )
    if groups is not None:
        raw = pd.Series(np.asarray(groups, dtype=object))
        if len(raw) != len(yt):
            raise DataValidationError(
                f"groups must have one value per row ({len(yt)}); got {len(raw)}."
            )
        if raw.isna().any():
            raise DataValidationError(
                f"groups has {int(raw.isna().sum())} missing value(s); give every row a "
                "group (for example 'not recorded')."
            )
        g = raw.astype(str)
        for name in sorted(g.unique()):
            mask = (g == name).to_numpy()
            g_tp, g_fp, g_n, _ = _counts_at_thresholds(yt[mask], ys[mask], ts)
            table[f"flag_rate[{name}]"] = (g_tp + g_fp) / g_n
    return table


def metrics_by_period(
    y_true: Any,
    y_score: Any,
    periods: Any,
    *,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """ROC AUC, recall, precision and flag rate for each period (such as a month).

    Returns
    -------
    pandas.DataFrame
        Indexed by period (sorted), with columns ``n``, ``positive_rate``,
        ``roc_auc``, ``recall``, ``precision``, ``flag_rate``.
    """
    import pandas as pd
    from sklearn import metrics as skm

    yt, ys = _labels_and_scores(y_true, y_score)
    p = np.asarray(periods)
    rows = []
    for period in np.unique(p):
        m = p == period
        t, s = yt[m], ys[m]
        pred = (s >= threshold).astype(np.int64)
        rows.append(
            {
                "period": period,
                "n": int(m.sum()),
                "positive_rate": float(t.mean()),
                "roc_auc": float(skm.roc_auc_score(t, s)) if 0 < t.sum() < len(t) else np.nan,
                "recall": float(skm.recall_score(t, pred, zero_division=0)),
                "precision": float(skm.precision_score(t, pred, zero_division=0)),
                "flag_rate": float(pred.mean()),
            }
        )
    return pd.DataFrame(rows).set_index("period")


@dataclass(frozen=True)
class MetricSuite:
    """Metrics of one set of predictions, with the confusion matrix and thresholds."""

    task: Literal["classification", "regression"]
    n: int
    values: dict[str, float | None]
    confusion: dict[str, int] | None = None
    threshold: float | None = None
    thresholds: pd.DataFrame | None = field(default=None, repr=False)

    def __getitem__(self, name: str) -> float | None:
        return self.values[name]

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: value and meaning."""
        import pandas as pd

        return pd.DataFrame(
            {
                "value": list(self.values.values()),
                "meaning": [METRIC_GLOSSARY.get(k, "") for k in self.values],
            },
            index=pd.Index(list(self.values), name="metric"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Metrics by name plus ``confusion_matrix`` and ``threshold_analysis``."""
        out: dict[str, Any] = {"task": self.task, "n_test": self.n, **self.values}
        if self.task == "classification":
            out["threshold"] = self.threshold
            out["confusion_matrix"] = self.confusion
            if self.thresholds is not None:
                out["threshold_analysis"] = self.thresholds.to_dict("records")
        return out

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th scope='row'>{k}</th><td>{'n/a' if v is None else f'{v:.4g}'}</td>"
            f"<td>{html.escape(METRIC_GLOSSARY.get(k, ''))}</td></tr>"
            for k, v in self.values.items()
        )
        return (
            f"<table><caption>Metrics on {self.n:,} test rows</caption>"
            f"<thead><tr><th scope='col'>metric</th><th scope='col'>value</th>"
            f"<th scope='col'>meaning</th></tr></thead><tbody>{rows}</tbody></table>"
        )


def evaluate_predictions(
    predictions: pd.DataFrame,
    *,
    task: Literal["classification", "regression"] = "classification",
    threshold: float | None = None,
) -> MetricSuite:
    """All metrics of a predictions table (``y_true``, ``y_pred`` and ``y_score``).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"y_true": [0, 1, 1, 0], "y_pred": [0, 1, 0, 0],
    ...                   "y_score": [0.1, 0.9, 0.4, 0.3]})
    >>> evaluate_predictions(p, threshold=0.5)["recall"]
    0.5
    """
    n = len(predictions)
    if task == "regression":
        return MetricSuite(
            task, n, dict(regression_metrics(predictions["y_true"], predictions["y_pred"]))
        )
    score = predictions.get("y_score")
    values = classification_metrics(predictions["y_true"], predictions["y_pred"], score)
    table = threshold_analysis(predictions["y_true"], score) if score is not None else None
    return MetricSuite(
        task,
        n,
        values,
        confusion=confusion_counts(predictions["y_true"], predictions["y_pred"]),
        threshold=threshold,
        thresholds=table,
    )
