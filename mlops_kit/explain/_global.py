"""Global explanations: which features move the model's scores, and in which direction.

Part of :mod:`mlops_kit.explain`; see the package docstring. The figures are drawn by the
kit with matplotlib (not shap's plots), so that every one carries a text description and
no meaning rests on colour alone: bars carry hatching and written values, and in the
beeswarm high and low values differ in marker shape as well as colour.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from ..figures import PALETTE, DescribedFigure, new_axes

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ._model import ModelExplanation

__all__ = ["bar_figure", "beeswarm_figure", "importance_table"]

SPACE_WORDS = {
    "log-odds": "log-odds",
    "probability": "probability",
    "prediction": "units of the prediction",
}


def wrap(text: str, width: int = 34) -> str:
    """Wrap a long label over lines for a tick label."""
    return "\n".join(textwrap.wrap(text, width)) or text


def importance_table(explanation: ModelExplanation) -> pd.DataFrame:
    """Mean absolute SHAP value per feature, largest first.

    Columns: ``label``, ``mean_abs_shap`` (how far the feature moves a score on
    average, either way), ``share`` (of the total over features), ``mean_shap`` (the
    average signed push: positive raises scores on average) and ``rank`` (1 = largest).
    """
    import pandas as pd

    values = explanation.shap_values
    mean_abs = np.abs(values).mean(axis=0)
    total = float(mean_abs.sum())
    table = pd.DataFrame(
        {
            "label": [explanation.labels[f] for f in explanation.features],
            "mean_abs_shap": mean_abs,
            "share": mean_abs / total if total > 0 else np.zeros_like(mean_abs),
            "mean_shap": values.mean(axis=0),
        },
        index=pd.Index(explanation.features, name="feature"),
    )
    table = table.sort_values("mean_abs_shap", ascending=False, kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[object, Axes]:
    return new_axes(ax, size)


def bar_figure(
    explanation: ModelExplanation, *, max_features: int = 12, ax: Axes | None = None
) -> DescribedFigure:
    """Mean absolute SHAP value per feature as hatched bars, each value written on."""
    table = importance_table(explanation).head(max_features)
    fig, ax = _axes(ax, (7.5, 1.0 + 0.42 * len(table)))
    y = np.arange(len(table))
    ax.barh(y, table["mean_abs_shap"], color=PALETTE[0], edgecolor="black", hatch="//")
    for i, (value, share) in enumerate(zip(table["mean_abs_shap"], table["share"], strict=True)):
        ax.text(value, i, f" {value:.3f} ({share:.0%})", va="center", fontsize=8)
    ax.set_yticks(y, [wrap(label) for label in table["label"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, float(table["mean_abs_shap"].max()) * 1.35 or 1.0)
    space = SPACE_WORDS[explanation.output_space]
    ax.set_xlabel(f"mean |SHAP value| ({space})")
    title = "What moves the model's scores overall"
    ax.set_title(title)
    top = list(table.itertuples())
    named = ", ".join(f"{r.label} ({r.mean_abs_shap:.3f}, {r.share:.0%})" for r in top[:3])
    share3 = float(table["share"].head(3).sum())
    last = top[-1]
    text = (
        f"Mean absolute SHAP value of each of {len(table)} features over "
        f"{explanation.n_rows:,} cases, in {space}: how far, on average, a feature moves a "
        f"case's score away from the average score, up or down. Largest first: {named}. "
        f"These {min(3, len(top))} account for {share3:.0%} of the total. The smallest is "
        f"{last.label} ({last.mean_abs_shap:.3f})."
    )
    return DescribedFigure(fig, title, text)  # type: ignore[arg-type]


def _direction(values: np.ndarray, shap: np.ndarray) -> str:
    """How a numeric feature's value relates to its SHAP values, in words."""
    from scipy.stats import spearmanr

    ok = ~np.isnan(values)
    if ok.sum() < 3 or np.ptp(values[ok]) == 0 or np.ptp(shap[ok]) == 0:
        return "has no consistent direction"
    rho = float(spearmanr(values[ok], shap[ok]).statistic)
    if rho >= 0.3:
        return f"higher values raise the score (rank correlation {rho:+.2f})"
    if rho <= -0.3:
        return f"higher values lower the score (rank correlation {rho:+.2f})"
    return f"has a mixed effect (rank correlation {rho:+.2f})"


def feature_effect(explanation: ModelExplanation, feature: str) -> str:
    """One sentence on how a feature's values move the score."""
    import pandas as pd

    j = explanation.features.index(feature)
    shap = explanation.shap_values[:, j]
    column = explanation.data[feature]
    label = explanation.labels[feature]
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        return f"{label}: {_direction(column.to_numpy(dtype=float), shap)}"
    means = pd.Series(shap).groupby(column.astype(str).to_numpy()).mean()
    if len(means) < 2:
        return f"{label}: one category only"
    hi, lo = str(means.idxmax()).replace("_", " "), str(means.idxmin()).replace("_", " ")
    return (
        f"{label}: '{hi}' raises the score most (mean {float(means.max()):+.2f}), "
        f"'{lo}' lowers it most (mean {float(means.min()):+.2f})"
    )


def beeswarm_figure(
    explanation: ModelExplanation,
    *,
    max_features: int = 10,
    max_points: int = 1000,
    ax: Axes | None = None,
) -> DescribedFigure:
    """Every case's SHAP value per feature; marker shape says whether the value is high or low.

    For a numeric feature an upward triangle is a value above the feature's median and a
    downward triangle one at or below it (a cross: missing). A categorical feature's
    points are circles; the description names the categories that push scores most.
    """
    import pandas as pd

    table = importance_table(explanation).head(max_features)
    features = list(table.index)
    n = explanation.n_rows
    rng = np.random.default_rng(explanation.seed)
    rows = np.sort(rng.choice(n, size=min(n, max_points), replace=False))
    fig, ax = _axes(ax, (7.5, 1.2 + 0.5 * len(features)))
    styles = {
        "high": ("^", PALETTE[5], "value above the median"),
        "low": ("v", PALETTE[0], "value at or below the median"),
        "category": ("o", "dimgrey", "category (see the description)"),
        "missing": ("x", "black", "missing value"),
    }
    used: set[str] = set()
    for i, feature in enumerate(features):
        shap = explanation.shap_values[rows, explanation.features.index(feature)]
        column = explanation.data[feature].iloc[rows]
        jitter = rng.uniform(-0.3, 0.3, size=len(rows))
        numeric = pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column
        )
        if numeric:
            values = column.to_numpy(dtype=float)
            median = np.nanmedian(values) if (~np.isnan(values)).any() else 0.0
            kinds = np.where(np.isnan(values), "missing", np.where(values > median, "high", "low"))
        else:
            kinds = np.full(len(rows), "category")
        for kind in ("low", "high", "category", "missing"):
            mask = kinds == kind
            if mask.any():
                marker, colour, _ = styles[kind]
                ax.scatter(
                    shap[mask], i + jitter[mask], s=10, marker=marker, color=colour, alpha=0.6
                )
                used.add(kind)
    for kind in ("high", "low", "category", "missing"):
        if kind in used:
            marker, colour, label = styles[kind]
            ax.scatter([], [], marker=marker, color=colour, label=label)
    ax.axvline(0, color="black", linewidth=1, linestyle="--")
    ax.set_yticks(np.arange(len(features)), [wrap(explanation.labels[f]) for f in features])
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()
    space = SPACE_WORDS[explanation.output_space]
    ax.set_xlabel(f"SHAP value ({space}): left lowers the score, right raises it")
    ax.legend(loc="lower right", fontsize=7)
    title = "How each feature's values move the score"
    ax.set_title(title)
    effects = "; ".join(feature_effect(explanation, f) for f in features[:5])
    text = (
        f"Each point is one of {len(rows):,} cases, placed by how much one feature moved its "
        f"score ({space}; right of the dashed line raises it, left lowers it), for the "
        f"{len(features)} features with the largest mean effect, largest at the top. Upward "
        "triangles are values above the feature's median, downward triangles values at or "
        f"below it, circles categories. For the top features: {effects}."
    )
    return DescribedFigure(fig, title, text)  # type: ignore[arg-type]
