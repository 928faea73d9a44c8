"""The figures' base: a figure returned with a text description a screen reader can read.

Every function returns a :class:`DescribedFigure`: the figure, a short title (used as
the image's alternative text) and a description written from the data (shown
under the figure in notebooks and reports). Figures are drawn on
:class:`matplotlib.figure.Figure` objects, never through ``pyplot``, so nothing
global changes and they work headless. Meaning never rests on colour alone: lines
differ in style and marker, bars carry patterns and written labels, and the
palette is Okabe and Ito's, which stays distinct with colour-blindness.

Each domain draws its own figures on this base (metric figures in
:mod:`mlops_kit.metrics`, fairness in :mod:`mlops_kit.fairness`, drift in
:mod:`mlops_kit.monitor`, and so on).
"""

from __future__ import annotations

import base64
import html
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._io import atomic_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "HATCHES",
    "LINE_STYLES",
    "MARKERS",
    "PALETTE",
    "DescribedFigure",
    "metric_label",
    "new_axes",
    "percent",
    "sentence",
]

#: Okabe-Ito colours: distinguishable with the common forms of colour-blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Line styles, so lines differ in more than colour.
LINE_STYLES = ("-", "--", ":", "-.")
#: Markers, so series differ in more than colour.
MARKERS = ("o", "s", "^", "D", "v", "P")
#: How metric names are written in figures and their descriptions.
METRIC_LABELS = {
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "f1": "F1",
    "flag_rate": "share predicted positive",
    "positive_rate": "share positive",
}
#: Bar patterns by verdict, so a failing bar is seen without colour.
HATCHES = {"fail": "///", "pass": "", "reference": "...", "insufficient data": "", "not judged": ""}


@dataclass(frozen=True)
class DescribedFigure:
    """A figure with its title and a text description.

    Displaying it in a notebook shows the image with the title as alternative
    text and the description beneath; its plain-text form is the description,
    so executed notebooks and screen readers keep the meaning.
    """

    figure: Figure = field(repr=False)
    title: str
    description: str

    def to_png(self, *, dpi: int = 110) -> bytes:
        """The figure as PNG bytes."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        return buf.getvalue()

    def save(self, path: str | os.PathLike[str], *, dpi: int = 110) -> Path:
        """Write the figure as a PNG file, atomically, and return its path."""
        with atomic_path(path, suffix=".png") as tmp:
            tmp.write_bytes(self.to_png(dpi=dpi))
        return Path(path)

    def to_html(self, *, dpi: int = 110) -> str:
        """An HTML ``<figure>`` with the image inlined and the description as caption."""
        data = base64.b64encode(self.to_png(dpi=dpi)).decode("ascii")
        return (
            f'<figure class="mlops-figure" style="margin:0 0 1em 0">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.title)}" '
            f'style="max-width:100%">'
            f"<figcaption><strong>{html.escape(sentence(self.title))}</strong> "
            f"{html.escape(self.description)}</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"Figure: {self.title}\n{self.description}"


def new_axes(ax: Axes | None, size: tuple[float, float] = (6.0, 4.0)) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure (not pyplot's) with one axes of ``size`` inches."""
    if ax is not None:
        fig = ax.figure
        return fig, ax  # type: ignore[return-value]
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def metric_label(metric: str) -> str:
    """How ``metric`` is written in figures and their descriptions."""
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def sentence(title: str) -> str:
    """A title ending as a sentence: a full stop unless it already ends in punctuation."""
    return title if title.rstrip().endswith((".", "?", "!", ":")) else f"{title}."


def percent(x: float) -> str:
    """``x`` as a percentage: whole when it is one, else to one decimal place."""
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 0.05 else f"{x:.1%}"
