"""What a regression fairness report found, and its figure.

:class:`RegressionFairnessResult` holds one attribute's per-group errors, the worst
group's error against the best group's (:class:`ErrorGap`) and each group's status
(:class:`GroupErrorStatus`); :func:`group_errors_figure` draws it with its description.
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..figures import PALETTE, DescribedFigure, new_axes
from ._error_intervals import ERROR_METRICS, ErrorMetric

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


Interval = tuple[float | None, float | None]


#: How each error metric is written in sentences.
ERROR_WORDS = {"mae": "mean absolute error (MAE)", "rmse": "root mean squared error (RMSE)"}


class GroupErrorStatus(enum.StrEnum):
    """Where a group stands in the comparison of errors."""

    WORST = "worst"
    BEST = "best"
    COMPARED = "compared"
    INSUFFICIENT = "insufficient data"
    NOT_COMPARED = "not compared"


@dataclass(frozen=True)
class ErrorGap:
    """The worst group's error against the best group's, in one error metric.

    ``ratio_interval`` and ``difference_interval`` are bootstrap intervals for this
    pair of groups, fixed on the data; (None, None) when not computed or undefined.
    """

    metric: ErrorMetric
    worst_group: str | None = None
    best_group: str | None = None
    worst: float | None = None
    best: float | None = None
    ratio: float | None = None
    difference: float | None = None
    ratio_interval: Interval = (None, None)
    difference_interval: Interval = (None, None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (no NaN or infinity)."""
        return {
            "metric": self.metric,
            "worst_group": self.worst_group,
            "best_group": self.best_group,
            "worst": json_ready(self.worst),
            "best": json_ready(self.best),
            "ratio": json_ready(self.ratio),
            "ratio_interval": [json_ready(v) for v in self.ratio_interval],
            "difference": json_ready(self.difference),
            "difference_interval": [json_ready(v) for v in self.difference_interval],
        }


@dataclass(frozen=True)
class RegressionFairnessResult:
    """Errors of a regression model across the groups of one attribute.

    ``table`` has one row per group: ``count``, ``mae``, ``rmse``, ``mean_predicted``,
    ``mean_actual`` and ``mean_error`` (prediction minus actual), exactly as
    fairlearn's ``MetricFrame`` reports them; then, in ``error_metric``, the
    bootstrap interval of the group's error (``error_low``, ``error_high``), its error
    over the best group's (``error_ratio`` with ``error_ratio_low`` and
    ``error_ratio_high``) and its ``status`` (:class:`GroupErrorStatus`).

    ``gaps`` holds the headline comparison for both MAE and RMSE over the groups with
    enough data, so a policy can judge either; ``all_groups`` the same ratio and
    difference over every group, as ``MetricFrame.difference()`` and
    ``1 / MetricFrame.ratio()`` give them.
    """

    attribute: str
    error_metric: ErrorMetric
    table: pd.DataFrame = field(repr=False)
    gaps: dict[ErrorMetric, ErrorGap]
    insufficient_groups: tuple[str, ...]
    all_groups: dict[str, float | None]
    confidence_level: float = 0.95
    n_bootstrap: int = 0
    min_group_size: int = 30

    @property
    def gap(self) -> ErrorGap:
        """The headline comparison in ``error_metric``."""
        return self.gaps[self.error_metric]

    @property
    def error_ratio(self) -> float | None:
        """Worst group's error over the best group's (``error_metric``), or None."""
        return self.gap.ratio

    @property
    def error_difference(self) -> float | None:
        """Worst group's error minus the best group's (``error_metric``), or None."""
        return self.gap.difference

    @property
    def worst_group(self) -> str | None:
        return self.gap.worst_group

    @property
    def best_group(self) -> str | None:
        return self.gap.best_group

    def summary(self) -> str:
        """The result in plain words, for the report and a screen reader."""
        t = self.table
        judged = t[t["status"] != GroupErrorStatus.INSUFFICIENT.value]
        words = ERROR_WORDS[self.error_metric]
        gap = self.gap
        parts: list[str] = []
        if gap.worst_group is None or gap.worst is None or gap.best is None:
            parts.append(
                f"The groups' errors by {self.attribute} cannot be compared: fewer than two "
                f"groups have at least {self.min_group_size} rows."
            )
        else:
            parts.append(
                f"{_capital(words)} by {self.attribute} ranges from {_num(gap.best)} "
                f"({gap.best_group}) to {_num(gap.worst)} ({gap.worst_group}) over the "
                f"{len(judged)} groups with enough data"
            )
            level = f"{self.confidence_level:.0%} confidence interval"
            if gap.ratio is None:
                parts[-1] += (
                    f"; the best group's error is 0, so their ratio is undefined and the "
                    f"difference is {_num(gap.difference)}."
                )
            else:
                lo, hi = gap.ratio_interval
                ci = f" ({level} {lo:.2f} to {hi:.2f})" if lo is not None and hi is not None else ""
                dlo, dhi = gap.difference_interval
                dci = (
                    f" ({level} {_num(dlo, gap.difference)} to {_num(dhi, gap.difference)})"
                    if dlo is not None and dhi is not None
                    else ""
                )
                parts[-1] += (
                    f": the worst group's error is {gap.ratio:.2f} times the best group's{ci}, "
                    f"{_num(gap.difference)} higher{dci}."
                )
                if lo is not None and lo <= 1:
                    parts.append(
                        "The ratio's interval reaches 1, so with this much data the two "
                        "groups' errors may not truly differ."
                    )
            other = self.gaps[next(m for m in ERROR_METRICS if m != self.error_metric)]
            if other.ratio is not None:
                parts.append(
                    f"By {ERROR_WORDS[other.metric]}, {_possessive(other.worst_group)} error is "
                    f"{other.ratio:.2f} times {_possessive(other.best_group)}."
                )
        if len(judged):
            bias = judged["mean_error"]
            low, high = str(bias.idxmin()), str(bias.idxmax())
            like = float(bias.abs().max())
            parts.append(
                f"The mean error (prediction minus actual) ranges from "
                f"{_signed(bias.min(), like)} ({low}) to {_signed(bias.max(), like)} ({high}); "
                "a negative mean error means predictions too low on average, a positive one "
                "too high."
            )
        if self.insufficient_groups:
            counts = t["count"].to_dict()
            sizes = ", ".join(f"{g} ({int(counts[g])} rows)" for g in self.insufficient_groups)
            parts.append(
                f"Not compared, too little data (under {self.min_group_size} rows): {sizes}."
            )
        return " ".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """Per-group table: errors, bias, error ratio and its interval, status."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN and infinity become None).

        ``groups`` lists the per-group rows (the shape every reader of
        ``metrics.json`` expects); ``group_error`` the headline comparison for each
        error metric; ``error_ratio`` and the keys after it repeat ``error_metric``'s.
        """
        groups = [
            {"group": str(name), **{k: json_ready(v) for k, v in row.items()}}
            for name, row in self.table.iterrows()
        ]
        gap = self.gap
        return {
            "attribute": self.attribute,
            "task": "regression",
            "error_metric": self.error_metric,
            "groups": groups,
            "group_error": {m: g.to_dict() for m, g in self.gaps.items()},
            "error_ratio": json_ready(gap.ratio),
            "error_difference": json_ready(gap.difference),
            "worst_group": gap.worst_group,
            "best_group": gap.best_group,
            "confidence_intervals": {
                "error_ratio": [json_ready(v) for v in gap.ratio_interval],
                "error_difference": [json_ready(v) for v in gap.difference_interval],
            },
            "insufficient_groups": list(self.insufficient_groups),
            "min_group_size": self.min_group_size,
            "confidence_level": self.confidence_level,
            "n_bootstrap": self.n_bootstrap,
            "all_groups": {k: json_ready(v) for k, v in self.all_groups.items()},
            "summary": self.summary(),
        }

    def plot(self, ax: Axes | None = None, *, limit: float | None = None) -> DescribedFigure:
        """Bar chart of each group's error, with its interval and status written on.

        ``limit`` (a policy's largest allowed error ratio) draws the error it allows:
        the best group's error times ``limit``.
        """
        return group_errors_figure(self, ax=ax, limit=limit)

    def _repr_html_(self) -> str:
        columns = ["count", "mae", "rmse", "mean_predicted", "mean_actual", "mean_error"]
        columns += ["error_ratio", "status"]
        return (
            f"<h4>Errors by {html.escape(self.attribute)}</h4>"
            f"<p>{html.escape(self.summary())}</p>"
            + self.table[columns].to_html(float_format=lambda v: f"{v:,.3f}", na_rep="n/a")
        )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _num(x: float | None, like: float | None = None) -> str:
    """A figure in the target's units, with digits suited to its size (or ``like``'s)."""
    if x is None:
        return "n/a"
    size = abs(x if like is None else like)
    if size >= 1000:
        return f"{x:,.0f}"
    if size >= 100:
        return f"{x:.1f}"
    if size >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _possessive(name: str | None) -> str:
    """``London's``, ``Midlands'``."""
    text = str(name)
    return f"{text}'" if text.endswith("s") else f"{text}'s"


def _signed(x: float, like: float | None = None) -> str:
    return ("+" if x > 0 else "") + _num(float(x), like)


#: Bar patterns by status: meaning never rests on colour alone.
STATUS_HATCHES = {"worst": "///", "best": "...", "compared": "", "not compared": ""}


def group_errors_figure(
    result: RegressionFairnessResult, *, limit: float | None = None, ax: Axes | None = None
) -> DescribedFigure:
    """Each group's error as a bar, its interval as a whisker, its figures written on."""
    t = result.table
    metric = result.error_metric
    fig, ax = new_axes(ax, (7.0, 1.0 + 0.5 * len(t)))
    errors = t[metric].to_numpy(dtype=float)
    low = t["error_low"].to_numpy(dtype=float)
    high = t["error_high"].to_numpy(dtype=float)
    top = float(np.nanmax(np.concatenate([errors, high]))) if len(t) else 1.0
    for i, (_, row) in enumerate(t.iterrows()):
        status = str(row["status"])
        insufficient = status == GroupErrorStatus.INSUFFICIENT.value
        ax.barh(
            i,
            errors[i],
            color="white" if insufficient else PALETTE[0],
            edgecolor="black",
            hatch=STATUS_HATCHES.get(status, ""),
            linestyle="--" if insufficient else "-",
        )
        if np.isfinite(low[i]) and np.isfinite(high[i]):
            ax.errorbar(
                errors[i],
                i,
                xerr=[[errors[i] - low[i]], [high[i] - errors[i]]],
                color="black",
                capsize=4,
                linewidth=1,
            )
        ratio = row["error_ratio"]
        shown = f" {_num(errors[i])}"
        if np.isfinite(ratio) and status != GroupErrorStatus.BEST.value:
            shown += f" ({ratio:.2f}x best)"
        ax.text(
            max(errors[i], high[i] if np.isfinite(high[i]) else 0) + 0.01 * top,
            i,
            f"{shown}  {status}",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(np.arange(len(t)), [str(i) for i in t.index])
    ax.invert_yaxis()
    described = result.summary()
    best = result.gap.best
    if limit is not None and best is not None and best > 0:
        allowed = best * limit
        ax.axvline(
            allowed,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"policy limit: {limit:g} x best ({_num(allowed)})",
        )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, frameon=False)
        top = max(top, allowed)
        described += (
            f" The dashed line marks the policy's limit: an error {limit:g} times the best "
            f"group's ({_num(allowed)})."
        )
    ax.set_xlim(0, top * 1.6 if top > 0 else 1.0)
    words = ERROR_WORDS[metric]
    ax.set_xlabel(words + (" with its bootstrap interval" if result.n_bootstrap else ""))
    title = f"{_capital(words.split(' (')[0])} by {result.attribute}"
    ax.set_title(title)
    return DescribedFigure(fig, title, described)
