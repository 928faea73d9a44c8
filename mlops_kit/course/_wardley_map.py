"""The Wardley map drawn: every component placed, its needs joined, described in words.

:func:`wardley_map` draws the components of a Wardley table (``_wardley``) on the two
axes, visibility to the user and evolution in four stages, with lines for what each
component needs and the user need marked by its own shape, so nothing rests on colour;
the figure's description lists every component's position, stage and needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import DataValidationError
from ..figures import PALETTE, DescribedFigure, new_axes
from ._wardley import EVOLUTION_STAGES, WardleyComponent, wardley_components, wardley_table

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["wardley_map"]


def _checked(
    components: Sequence[WardleyComponent] | pd.DataFrame, where: str
) -> tuple[WardleyComponent, ...]:
    import pandas as pd

    if isinstance(components, pd.DataFrame):
        return wardley_components(components)
    items = tuple(components)
    wrong = sorted({type(c).__name__ for c in items if not isinstance(c, WardleyComponent)})
    if not items or wrong:
        got = "nothing" if not items else ", ".join(wrong)
        raise DataValidationError(
            f"The 'components' parameter of {where} must be a table or a non-empty sequence "
            f"of WardleyComponent records (from load_wardley). Got {got} instead."
        )
    return wardley_components(wardley_table(items))


def _describe(components: tuple[WardleyComponent, ...], anchors: list[str]) -> str:
    bounds = ", ".join(f"{name} from {start:g}" for name, start in EVOLUTION_STAGES)
    parts = [
        f"A Wardley map of {len(components)} components. The vertical axis is visibility "
        "to the user, from the user need at the top to the least visible at the bottom; "
        f"the horizontal axis is evolution in four stages ({bounds}). Lines join each "
        "component to the components it needs.",
        f"User need: {', '.join(anchors)}.",
        "Components from most to least visible:",
    ]
    for number, c in enumerate(components, start=1):
        needs = f"needs {', '.join(c.depends_on)}" if c.depends_on else "needs nothing else"
        parts.append(
            f"{number}. {c.name}: visibility {c.visibility:.2f}, evolution "
            f"{c.evolution:.2f} ({c.stage}); {needs}."
        )
    counts = {name: sum(c.stage == name for c in components) for name, _ in EVOLUTION_STAGES}
    parts.append("By stage: " + ", ".join(f"{n} {name}" for name, n in counts.items()) + ".")
    return " ".join(parts)


def wardley_map(
    components: Sequence[WardleyComponent] | pd.DataFrame, *, ax: Axes | None = None
) -> DescribedFigure:
    """Draw a Wardley map, with a text description of every component's position.

    Parameters
    ----------
    components : sequence of WardleyComponent, or a table
        From :func:`load_wardley`, or a table with the CSV's columns (checked the same way).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    DescribedFigure
        The map: every component labelled by name, lines for the dependencies, the
        stages of evolution written along the horizontal axis, and the user need drawn
        with its own marker (a square) and named in the legend, so nothing rests on
        colour. The description lists each component's position, stage and needs.

    Examples
    --------
    >>> from mlops_kit.course import load_wardley
    >>> figure = wardley_map(load_wardley())
    >>> figure.title
    'Wardley map of the MLOps pipeline'
    >>> "compute: visibility 0.03, evolution 0.95 (commodity (+utility))" in figure.description
    True
    """
    items = _checked(components, "wardley_map")
    fig, ax = new_axes(ax, (11.0, 8.0))
    needed = {need for c in items for need in c.depends_on}
    anchors = [c.name for c in items if c.name not in needed]
    _draw_needs(ax, items)
    _draw_stages(ax)
    _draw_components(ax, items, anchors)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xticks([])
    ax.set_yticks([0.03, 0.97], ["invisible", "visible"])
    ax.set_xlabel("Evolution (stages from left to right)", labelpad=18)
    ax.set_ylabel("Visibility to the user (value chain)")
    ax.legend(loc="lower left", fontsize=8)
    title = "Wardley map of the MLOps pipeline"
    ax.set_title(title)
    return DescribedFigure(fig, title, _describe(items, anchors))


def _draw_needs(ax: Axes, items: tuple[WardleyComponent, ...]) -> None:
    """A grey line from each component to each component it needs."""
    by_name = {c.name: c for c in items}
    for c in items:
        for need in c.depends_on:
            other = by_name[need]
            ax.plot(
                [c.evolution, other.evolution],
                [c.visibility, other.visibility],
                color="grey",
                linewidth=0.8,
                zorder=1,
            )


def _draw_stages(ax: Axes) -> None:
    """The stages of evolution: dotted boundaries, each stage named under the axis."""
    for k, (name, start) in enumerate(EVOLUTION_STAGES):
        end = EVOLUTION_STAGES[k + 1][1] if k + 1 < len(EVOLUTION_STAGES) else 1.0
        if k:
            ax.axvline(start, color="black", linestyle=":", linewidth=0.8, zorder=0)
        ax.text(
            (start + end) / 2,
            -0.015,
            name,
            ha="center",
            va="top",
            fontsize=9,
            transform=ax.get_xaxis_transform(),
        )


def _draw_components(ax: Axes, items: tuple[WardleyComponent, ...], anchors: list[str]) -> None:
    """Each component as a circle (the user need as a square), labelled by name."""
    by_name = {c.name: c for c in items}
    plain = [c for c in items if c.name not in anchors]
    ax.scatter(
        [c.evolution for c in plain],
        [c.visibility for c in plain],
        s=45,
        marker="o",
        facecolor="white",
        edgecolor=PALETTE[0],
        linewidth=1.5,
        zorder=3,
        label="component",
    )
    ax.scatter(
        [by_name[a].evolution for a in anchors],
        [by_name[a].visibility for a in anchors],
        s=70,
        marker="s",
        facecolor=PALETTE[5],
        edgecolor="black",
        zorder=3,
        label="user need",
    )
    for c in items:
        right = c.evolution < 0.8
        ax.annotate(
            c.name,
            (c.evolution, c.visibility),
            xytext=(7 if right else -7, 0),
            textcoords="offset points",
            ha="left" if right else "right",
            va="center",
            fontsize=8.5,
            fontweight="bold" if c.name in anchors else "normal",
            zorder=4,
        )
