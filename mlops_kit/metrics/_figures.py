"""Figures of a model's performance: ROC and precision-recall curves, the confusion
matrix, the threshold trade-off, a metric over time, predicted against actual.

Each returns a :class:`~mlops_kit.figures.DescribedFigure` with a description written
from the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..figures import (
    LINE_STYLES,
    MARKERS,
    PALETTE,
    DescribedFigure,
    metric_label,
    new_axes,
    percent,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "confusion_matrix_figure",
    "metric_over_time_figure",
    "precision_recall_figure",
    "predicted_vs_actual_figure",
    "roc_figure",
    "threshold_figure",
]


def _mark_threshold(ax: Axes, x: float, y: float, threshold: float) -> None:
    """The chosen threshold's point on a curve: a large diamond, named in the legend."""
    ax.plot(
        x,
        y,
        marker="D",
        markersize=9,
        color=PALETTE[5],
        linestyle="none",
        label=f"threshold {threshold:g}",
    )


def roc_figure(
    y_true: Any, y_score: Any, *, threshold: float | None = None, ax: Axes | None = None
) -> DescribedFigure:
    """ROC curve (scikit-learn's ``RocCurveDisplay``), marking the chosen threshold."""
    from sklearn.metrics import RocCurveDisplay, roc_auc_score

    yt, ys = np.asarray(y_true), np.asarray(y_score, dtype=float)
    fig, ax = new_axes(ax)
    RocCurveDisplay.from_predictions(
        yt,
        ys,
        ax=ax,
        name="model",
        curve_kwargs={"color": PALETTE[0]},
        plot_chance_level=True,
        chance_level_kw={"linestyle": ":", "color": "grey", "label": "guessing (AUC 0.5)"},
    )
    auc = roc_auc_score(yt, ys)
    text = (
        f"ROC curve on {len(yt):,} test cases: area under the curve {auc:.3f} "
        "(0.5 is guessing, 1 is perfect). The curve shows the share of positive cases "
        "caught (true positive rate) against the share of negative cases wrongly predicted "
        "positive (false positive rate) as the threshold moves."
    )
    if threshold is not None:
        pred = ys >= threshold
        tpr = pred[yt == 1].mean() if (yt == 1).any() else 0.0
        fpr = pred[yt == 0].mean() if (yt == 0).any() else 0.0
        _mark_threshold(ax, fpr, tpr, threshold)
        text += (
            f" At the threshold {threshold:g} the model catches {percent(tpr)} of positive "
            f"cases and wrongly predicts {percent(fpr)} of negative ones positive."
        )
    ax.legend(loc="lower right")
    ax.set_title("ROC curve")
    return DescribedFigure(fig, "ROC curve", text)


def precision_recall_figure(
    y_true: Any, y_score: Any, *, threshold: float | None = None, ax: Axes | None = None
) -> DescribedFigure:
    """Precision-recall curve (scikit-learn's ``PrecisionRecallDisplay``)."""
    from sklearn.metrics import PrecisionRecallDisplay, average_precision_score

    yt, ys = np.asarray(y_true), np.asarray(y_score, dtype=float)
    fig, ax = new_axes(ax)
    base = yt.mean()
    PrecisionRecallDisplay.from_predictions(
        yt,
        ys,
        ax=ax,
        name="model",
        curve_kwargs={"color": PALETTE[0]},
        plot_chance_level=True,
        chance_level_kw={
            "linestyle": ":",
            "color": "grey",
            "label": f"guessing: share of positives ({percent(base)})",
        },
    )
    ap = average_precision_score(yt, ys)
    text = (
        f"Precision-recall curve on {len(yt):,} test cases: average precision {ap:.3f}, "
        f"against {percent(base)} for a model that guesses. Moving right catches more positive "
        "cases (recall) at the cost of more false alarms (lower precision)."
    )
    if threshold is not None:
        pred = ys >= threshold
        rec = pred[yt == 1].mean() if (yt == 1).any() else 0.0
        prec = yt[pred].mean() if pred.any() else 0.0
        _mark_threshold(ax, rec, prec, threshold)
        text += (
            f" At the threshold {threshold:g}: recall {percent(rec)}, precision {percent(prec)}."
        )
    ax.legend(loc="upper right")
    ax.set_title("Precision-recall curve")
    return DescribedFigure(fig, "Precision-recall curve", text)


def confusion_matrix_figure(
    y_true: Any,
    y_pred: Any,
    *,
    labels: tuple[str, str] = ("negative", "positive"),
    ax: Axes | None = None,
) -> DescribedFigure:
    """Confusion matrix with counts and row percentages written in every cell."""
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(np.asarray(y_true), np.asarray(y_pred), labels=[0, 1])
    fig, ax = new_axes(ax, (4.8, 4.0))
    ax.imshow(cm, cmap="Blues")
    row = cm.sum(axis=1, keepdims=True)
    share = np.divide(cm, row, out=np.zeros_like(cm, dtype=float), where=row > 0)
    for i in range(2):
        for j in range(2):
            dark = cm[i, j] > cm.max() / 2
            ax.text(
                j,
                i,
                f"{cm[i, j]:,}\n({share[i, j]:.0%} of row)",
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontsize=11,
            )
    ax.set_xticks([0, 1], [f"predicted {labels[0]}", f"predicted {labels[1]}"])
    ax.set_yticks([0, 1], [f"actually {labels[0]}", f"actually {labels[1]}"])
    ax.set_title("Confusion matrix")
    tn, fp, fn, tp = cm.ravel()
    text = (
        f"Confusion matrix of {cm.sum():,} test cases. Of {tp + fn:,} actually {labels[1]}, "
        f"{tp:,} were predicted {labels[1]} (true positives) and {fn:,} were missed (false "
        f"negatives). Of {tn + fp:,} actually {labels[0]}, {fp:,} were wrongly predicted "
        f"{labels[1]} (false positives) and {tn:,} correctly {labels[0]}."
    )
    return DescribedFigure(fig, "Confusion matrix", text)


def threshold_figure(
    table: pd.DataFrame, *, threshold: float | None = None, ax: Axes | None = None
) -> DescribedFigure:
    """Precision, recall, F1 and the share predicted positive against the threshold.

    ``table`` is the output of :func:`mlops_kit.metrics.threshold_analysis`.
    """
    fig, ax = new_axes(ax, (6.5, 4.0))
    series = [
        ("precision", "precision"),
        ("recall", "recall"),
        ("f1", "F1"),
        ("flag_rate", "share predicted positive"),
    ]
    nothing_positive = (table["tp"] + table["fp"]).to_numpy() == 0
    for k, (col, label) in enumerate(series):
        values = table[col].to_numpy(dtype=float).copy()
        if col == "precision":
            values[nothing_positive] = np.nan  # undefined when nothing is predicted positive
        ax.plot(
            table["threshold"],
            values,
            linestyle=LINE_STYLES[k],
            marker=MARKERS[k],
            markersize=4,
            color=PALETTE[k],
            label=label,
        )
    if threshold is not None:
        ax.axvline(threshold, color="black", linewidth=1, label=f"chosen threshold {threshold:g}")
    ax.set_xlabel("threshold (positive when the score is at or above)")
    ax.set_ylabel("value")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="best", fontsize=8)
    ax.set_title("Threshold trade-off")
    best = table.iloc[int(np.argmax(table["f1"].to_numpy()))]
    text = (
        f"Precision, recall, F1 and the share of cases predicted positive for thresholds "
        f"from {table['threshold'].min():g} to {table['threshold'].max():g}. Raising the "
        "threshold predicts fewer cases positive: precision rises while recall falls. F1 "
        "is highest, "
        f"{best['f1']:.2f}, at threshold {best['threshold']:g}, where recall is "
        f"{percent(best['recall'])}, precision {percent(best['precision'])} and "
        f"{percent(best['flag_rate'])} of cases are predicted positive."
    )
    if threshold is not None:
        near = table.iloc[int(np.argmin(np.abs(table["threshold"].to_numpy() - threshold)))]
        text += (
            f" At the chosen threshold {threshold:g}: recall {percent(near['recall'])}, precision "
            f"{percent(near['precision'])}, {percent(near['flag_rate'])} predicted positive."
        )
    return DescribedFigure(fig, "Threshold trade-off", text)


def metric_over_time_figure(
    table: pd.DataFrame,
    metrics: Sequence[str] = ("roc_auc", "recall"),
    *,
    marker_at: str | None = None,
    marker_label: str = "change",
    trained_until: str | None = None,
    ax: Axes | None = None,
) -> DescribedFigure:
    """Metrics per period (from :func:`mlops_kit.metrics.metrics_by_period`).

    ``marker_at`` draws a vertical line at a period (such as a policy change);
    ``trained_until`` shades the periods the model was trained on.
    """
    fig, ax = new_axes(ax, (7.5, 4.0))
    periods = [str(p) for p in table.index]
    x = np.arange(len(periods))
    for k, m in enumerate(metrics):
        ax.plot(
            x,
            table[m],
            linestyle=LINE_STYLES[k],
            marker=MARKERS[k],
            color=PALETTE[k],
            label=metric_label(m),
        )
    if trained_until is not None and trained_until in periods:
        end = periods.index(trained_until)
        ax.axvspan(-0.5, end + 0.5, color="grey", alpha=0.15, hatch="//", label="training period")
    if marker_at is not None and marker_at in periods:
        ax.axvline(
            periods.index(marker_at) - 0.5, color="black", linestyle="--", label=marker_label
        )
    step = max(1, len(periods) // 12)
    ax.set_xticks(x[::step], periods[::step], rotation=45, ha="right")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Model performance over time")
    parts = [
        f"{_capital(', '.join(metric_label(m) for m in metrics))} for each period from "
        f"{periods[0]} to {periods[-1]}."
    ]
    for m in metrics:
        v = table[m].to_numpy(dtype=float)
        if marker_at is not None and marker_at in periods:
            i = periods.index(marker_at)
            before, after = np.nanmean(v[:i]), np.nanmean(v[i:])
            parts.append(
                f"{_capital(metric_label(m))} averages {before:.2f} before "
                f"{marker_at} and {after:.2f} from {marker_at} on."
            )
        else:
            parts.append(f"{_capital(metric_label(m))} goes from {v[0]:.2f} to {v[-1]:.2f}.")
    return DescribedFigure(fig, "Model performance over time", " ".join(parts))


def predicted_vs_actual_figure(
    y_true: Any, y_pred: Any, *, unit: str = "", ax: Axes | None = None
) -> DescribedFigure:
    """Scatter of predictions against actual values, with the line of perfect prediction."""
    yt, yp = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    fig, ax = new_axes(ax, (5.0, 4.5))
    ax.scatter(yt, yp, s=12, alpha=0.6, color=PALETTE[0], marker="o", label="test case")
    lo, hi = float(min(yt.min(), yp.min())), float(max(yt.max(), yp.max()))
    ax.plot([lo, hi], [lo, hi], linestyle="--", color="black", label="perfect prediction")
    ax.set_xlabel(f"actual {unit}".strip())
    ax.set_ylabel(f"predicted {unit}".strip())
    ax.legend(loc="upper left")
    ax.set_title("Predicted against actual")
    err = yp - yt
    worst = int(np.argmax(np.abs(err)))
    text = (
        f"Predicted against actual values for {len(yt):,} test cases. Points on the dashed "
        f"line are predicted exactly. The typical miss is {np.mean(np.abs(err)):,.1f} "
        f"{unit}".rstrip()
        + f"; predictions are {'above' if err.mean() > 0 else 'below'} the truth on average by "
        f"{abs(err.mean()):,.1f}. The largest miss is {err[worst]:+,.1f} (actual {yt[worst]:,.0f})."
    )
    return DescribedFigure(fig, "Predicted against actual", text)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
