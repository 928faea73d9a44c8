"""The fairness figure: each group's rate of the outcome with its four-fifths verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..figures import HATCHES, PALETTE, DescribedFigure, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ._result import FairnessResult

__all__ = ["group_rates_figure"]


def group_rates_figure(result: FairnessResult, *, ax: Axes | None = None) -> DescribedFigure:
    """Each group's rate of positive predictions, with its four-fifths verdict written on."""
    t = result.table
    fig, ax = new_axes(ax, (6.5, 0.9 + 0.5 * len(t)))
    y = np.arange(len(t))
    rates = t["selection_rate"].to_numpy(dtype=float)
    for i, (_, row) in enumerate(t.iterrows()):
        verdict = str(row["verdict"])
        insufficient = verdict == "insufficient data"
        ax.barh(
            i,
            rates[i],
            color="white" if insufficient else PALETTE[0],
            edgecolor="black",
            hatch=HATCHES.get(verdict, ""),
            linestyle="--" if insufficient else "-",
        )
        ax.text(rates[i] + 0.003, i, f" {rates[i]:.1%}  {verdict}", va="center", fontsize=9)
    ax.set_yticks(y, [str(i) for i in t.index])
    ax.invert_yaxis()
    ref = result.reference_group
    if ref is not None:
        ref_rate = float(t["selection_rate"].to_numpy()[t.index.get_loc(ref)])
        limit = ref_rate / 0.8 if result.positive_is == "adverse" else ref_rate * 0.8
        ax.axvline(
            limit,
            color="black",
            linestyle="--",
            linewidth=1,
            label=f"four-fifths limit ({limit:.1%})",
        )
        ax.legend(loc="lower right", fontsize=8)
    from matplotlib.ticker import PercentFormatter

    ax.set_xlim(0, max(float(np.nanmax(rates)) * 1.45, 0.05))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(result.rate_name)
    title = f"{result.rate_name.capitalize()} by {result.attribute}"
    ax.set_title(title)
    return DescribedFigure(fig, title, result.summary())
