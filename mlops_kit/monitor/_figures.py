"""Monitoring figures, each with a text description (the conventions of mlops_kit.figures)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import DataValidationError
from ..figures import HATCHES, LINE_STYLES, MARKERS, PALETTE, DescribedFigure, new_axes
from . import _stats
from ._values import MEASURE_NAMES, METRIC_NAMES, MISSING, PENDING, column_kind, value_counts

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ._drift_result import DriftReport
    from ._performance import PerformanceReport


def drift_figure(report: DriftReport, *, ax: Axes | None = None) -> DescribedFigure:
    """Each feature's effect size as a bar, its floor as a mark; drifted bars hatched."""
    feats = sorted(report.features, key=lambda f: -(f.effect or 0.0) / f.floor)
    fig, ax = new_axes(ax, (7.0, 1.0 + 0.32 * len(feats)))
    y = np.arange(len(feats))
    effects = np.array([f.effect or 0.0 for f in feats])
    for i, f in enumerate(feats):
        ax.barh(
            i,
            effects[i],
            color=PALETTE[5] if f.drifted else PALETTE[0],
            edgecolor="black",
            hatch=HATCHES["fail"] if f.drifted else "",
        )
        ax.plot([f.floor, f.floor], [i - 0.4, i + 0.4], color="black", linestyle="--")
        ax.text(
            effects[i],
            i,
            f" {effects[i]:.3f} {f.status.value}",
            va="center",
            fontsize=8,
            fontweight="bold" if f.drifted else "normal",
        )
    ax.plot([], [], color="black", linestyle="--", label="floor (threshold)")
    ax.set_yticks(y, [f"{f.feature} ({MEASURE_NAMES[f.effect_measure]})" for f in feats])
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(effects.max()), max(f.floor for f in feats)) * 1.5)
    ax.set_xlabel("effect size (PSI for numeric, Jensen-Shannon distance for categorical)")
    where = f" in {report.label}" if report.label else ""
    title = f"Data drift per feature{where}"
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    top = feats[0]
    text = (
        f"Effect size of {len(feats)} features{where}, largest first, each against its "
        f"floor (dashed mark). Hatched bars labelled 'drifted' crossed both the floor and "
        f"the corrected significance level. "
    )
    if report.drifted:
        text += f"Drifted: {', '.join(report.drifted)}. "
    else:
        text += "No feature drifted. "
    text += (
        f"The largest is {top.feature}: {MEASURE_NAMES[top.effect_measure]} "
        f"{top.effect or 0.0:.3f} against a floor of {top.floor:g}."
    )
    return DescribedFigure(fig, title, text)


def distribution_figure(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    column: str,
    *,
    n_bins: int = 10,
    max_categories: int = 12,
    ax: Axes | None = None,
) -> DescribedFigure:
    """Shares of a feature's values before (reference) and after (current), side by side.

    Numeric features are binned on the reference's quantiles (missing values are a bin
    of their own); categorical ones show their most common categories.
    """
    for side, frame in (("reference", reference), ("current", current)):
        if column not in frame.columns:
            raise DataValidationError(
                f"Column '{column}' is missing from the {side} batch.", column=column
            )
    names, counts, keep = _shares_of(reference[column], current[column], n_bins, max_categories)
    shares = counts / counts.sum(axis=1, keepdims=True)
    shares, names = shares[:, keep], [names[i] for i in keep]
    fig, ax = new_axes(ax, (7.5, 4.0))
    x = np.arange(len(names))
    ax.bar(
        x - 0.2,
        shares[0],
        0.4,
        color="white",
        edgecolor=PALETTE[0],
        hatch=HATCHES["reference"],
        label=f"reference ({len(reference):,} rows)",
    )
    ax.bar(
        x + 0.2,
        shares[1],
        0.4,
        color=PALETTE[1],
        edgecolor="black",
        label=f"current ({len(current):,} rows)",
    )
    ax.set_xticks(x, names, rotation=45, ha="right", fontsize=8)
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of rows")
    title = f"Distribution of {column}: reference and current"
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    move = shares[1] - shares[0]
    order = np.argsort(-np.abs(move))[:2]
    changes = "; ".join(
        f"'{names[i]}' from {shares[0, i]:.1%} to {shares[1, i]:.1%}" for i in order
    )
    text = (
        f"Share of rows in each {'bin' if len(names) else 'category'} of {column}, reference "
        f"(dotted bars) beside current (solid bars). The largest changes: {changes}. "
        f"The PSI over these {len(names)} groups is {_stats.psi(counts[0], counts[1]):.3f}."
    )
    return DescribedFigure(fig, title, text)


def _shares_of(
    reference: pd.Series, current: pd.Series, n_bins: int, max_categories: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The groups a feature's values fall in, each side's counts, and the groups shown."""
    if column_kind(reference) == "numeric":
        r = reference.to_numpy(dtype=float, na_value=np.nan)
        c = current.to_numpy(dtype=float, na_value=np.nan)
        rs, cs = np.sort(r[~np.isnan(r)]), np.sort(c[~np.isnan(c)])
        edges = _stats.quantile_edges(rs, n_bins)
        counts = np.vstack(
            [
                _stats.bin_counts(rs, edges, int(np.isnan(r).sum())),
                _stats.bin_counts(cs, edges, int(np.isnan(c).sum())),
            ]
        )
        bounds = [f"{rs[0]:.3g}", *(f"{e:.3g}" for e in edges), f"{rs[-1]:.3g}"]
        names = [f"<{bounds[1]}" if len(edges) else "all values"]
        names += [f"{bounds[i]}-{bounds[i + 1]}" for i in range(1, len(edges))]
        if len(edges):
            names.append(f">={bounds[len(edges)]}")
        names.append(MISSING)
        keep = np.flatnonzero(counts.sum(axis=0) > 0)
    else:
        cr, cc = value_counts(reference), value_counts(current)
        names = list(cr) + [k for k in cc if k not in cr]
        counts = np.array([[cr.get(k, 0) for k in names], [cc.get(k, 0) for k in names]])
        keep = np.argsort(-counts.sum(axis=0), kind="stable")[:max_categories]
    return names, counts, keep


def performance_figure(
    report: PerformanceReport, metric: str = "roc_auc", *, ax: Axes | None = None
) -> DescribedFigure:
    """A metric per batch with its alert threshold; batches awaiting labels are marked."""
    t = report.table
    if metric not in t.columns:
        raise DataValidationError(
            f"The 'metric' parameter of performance_figure must be a column of the report "
            f"({', '.join(METRIC_NAMES)}, flag_rate, score_psi). Got {metric!r} instead."
        )
    floor: float | None = report.settings.min_metrics.get(metric)
    if metric == "score_psi":
        floor = report.settings.score_psi_threshold
    extra = {"score_psi": "PSI of the scores", "flag_rate": "share predicted positive"}
    name = {**METRIC_NAMES, **extra}.get(metric, metric.replace("_", " "))
    periods = [str(p) for p in t.index]
    x = np.arange(len(periods))
    v = t[metric].to_numpy(dtype=float)
    fig, ax = new_axes(ax, (7.5, 4.0))
    ax.plot(x, v, linestyle=LINE_STYLES[0], marker=MARKERS[0], color=PALETTE[0], label=name)
    pending = t["status"].to_numpy() == PENDING
    if floor is not None:
        ax.axhline(floor, color="black", linestyle="--", label=f"alert threshold {floor:g}")
        below = np.isfinite(v) & (v < floor if metric != "score_psi" else v >= floor)
        if below.any():
            ax.plot(
                x[below],
                v[below],
                linestyle="none",
                marker="X",
                markersize=10,
                color=PALETTE[5],
                label="alert",
            )
    top = np.nanmax(v) if np.isfinite(v).any() else 1.0
    for i in np.flatnonzero(pending):
        ax.text(
            x[i],
            top * 0.5 if metric == "score_psi" else 0.05,
            "labels pending",
            rotation=90,
            ha="center",
            va="bottom",
            fontsize=8,
        )
    step = max(1, len(periods) // 12)
    ax.set_xticks(x[::step], periods[::step], rotation=45, ha="right")
    if metric != "score_psi":
        ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    title = f"{name[:1].upper() + name[1:]} over time"
    ax.set_title(title)
    known = np.isfinite(v)
    text = f"{name[:1].upper() + name[1:]} for each batch from {periods[0]} to {periods[-1]}."
    if known.any():
        text += (
            f" It ranges from {np.nanmin(v):.3f} ({periods[int(np.nanargmin(v))]}) to "
            f"{np.nanmax(v):.3f} ({periods[int(np.nanargmax(v))]})."
        )
    if floor is not None:
        crossed = [periods[i] for i in np.flatnonzero(below)]
        side = "above" if metric == "score_psi" else "below"
        text += f" The dashed line is the alert threshold {floor:g}; " + (
            f"{side} it (marked X): {', '.join(crossed)}." if crossed else f"no batch is {side} it."
        )
    if pending.any():
        text += f" Labels pending, so no value yet: {', '.join(np.array(periods)[pending])}."
    return DescribedFigure(fig, title, text)
