"""What :func:`explain_model` returns: :class:`ModelExplanation`, read many ways.

Part of :mod:`mlops_kit.explain`; see the package docstring. ``_build`` makes one.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError
from ._crosscheck import CrossCheck
from ._explainer import (
    ExplainerChoice,
)
from ._global import SPACE_WORDS, bar_figure, beeswarm_figure, importance_table
from ._groups import GroupExplanation
from ._local import ReasonCodes, reason_codes, waterfall_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..figures import DescribedFigure

__all__ = ["ADDITIVITY_TOLERANCE", "ModelExplanation"]

#: How far base value + sum of SHAP values may be from the model's output (relative to
#: the output's scale) before an explanation is refused as wrong.
ADDITIVITY_TOLERANCE = 1e-4


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class ModelExplanation:
    """SHAP explanations of a model on some rows, in the original features, with checks.

    Build one with :func:`explain_model`. Compute once, then read it many ways: the
    global ranking (:meth:`importance`, :meth:`bar`, :meth:`beeswarm`), one case
    (:meth:`reason_codes`, :meth:`waterfall`), the cross-check against permutation
    importance (:attr:`crosscheck`), the comparison between protected groups
    (:meth:`group`), every figure for a report (:meth:`figures`) and a JSON summary
    (:meth:`to_dict`).

    Attributes
    ----------
    choice : ExplainerChoice
        Which explainer, why, and what the values add up to (``output_space``).
    features : tuple of str
        The model's feature columns.
    labels : dict of str to str
        Their plain labels.
    shap_values : numpy.ndarray
        SHAP values, shape (rows, features), read-only.
    base_value : float
        The average model output the values start from.
    outputs : numpy.ndarray
        The model's output per row in ``output_space``; ``base_value + shap_values.sum(1)``.
    scores : numpy.ndarray
        The probability of the positive class (classification) or the prediction.
    data : pandas.DataFrame
        The explained rows' feature values, indexed by their row labels.
    typical : dict of str to str
        A typical value of each feature in the background rows (median or most common).
    threshold : float or None
        Score at or above which a case is predicted positive (classification only).
    decision_words : tuple of str
        How reason codes name the two decisions, e.g. ("Predicted income = >50K", "Not
        predicted income = >50K"); the benefit-claims lessons say ("Flagged for review",
        "Not flagged").
    y : numpy.ndarray or None
        The true outcomes of the explained rows, when given.
    groups : pandas.DataFrame or None
        Their protected attributes, when given.
    crosscheck : CrossCheck or None
        Against permutation importance (needs ``y``).
    by_group : dict of str to GroupExplanation
        One per protected attribute.
    n_available, max_rows, seed, background_rows : int
        Rows given, the cap, the seed of the row and background samples, and the number
        of background rows.
    seconds : float
        Time taken by the SHAP computation.
    notes : tuple of str
        Anything a reader should know (rows capped, columns summed, explainer swapped).
    """

    choice: ExplainerChoice
    features: tuple[str, ...]
    labels: dict[str, str] = field(repr=False)
    shap_values: np.ndarray = field(repr=False)
    base_value: float
    outputs: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    typical: dict[str, str] = field(repr=False)
    threshold: float | None
    decision_words: tuple[str, str] = ("Predicted positive", "Not predicted positive")
    y: np.ndarray | None = field(default=None, repr=False)
    groups: pd.DataFrame | None = field(default=None, repr=False)
    crosscheck: CrossCheck | None = field(default=None, repr=False)
    by_group: dict[str, GroupExplanation] = field(default_factory=dict, repr=False)
    n_available: int = 0
    max_rows: int = 0
    seed: int = 0
    background_rows: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()

    # --- basic facts ----------------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        """The number of explained rows."""
        return int(self.shap_values.shape[0])

    @property
    def explainer(self) -> str:
        """``"tree"``, ``"linear"`` or ``"sampled"``."""
        return self.choice.kind

    @property
    def output_space(self) -> str:
        """What the SHAP values add up to: ``"log-odds"``, ``"probability"`` or ``"prediction"``."""
        return self.choice.output_space

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``."""
        return self.choice.task

    def additivity_error(self) -> float:
        """The largest gap between base value + sum of SHAP values and the model's output."""
        return float(np.max(np.abs(self.base_value + self.shap_values.sum(axis=1) - self.outputs)))

    def locate(self, row_id: Any) -> int:
        """The position of a row label (such as a claim reference) among the explained rows."""
        matches = np.flatnonzero(self.data.index.to_numpy() == row_id)
        if len(matches) == 0:
            shown = ", ".join(map(str, self.data.index[:3]))
            raise ConfigError(
                f"Row {row_id!r} is not among the {self.n_rows:,} explained rows (labels such "
                f"as {shown}). It may have been left out by the row cap of {self.max_rows:,}."
            )
        return int(matches[0])

    def top_cases(self, n: int = 3) -> list[int]:
        """Positions of the ``n`` highest-scoring cases, highest first."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ConfigError(f"'n' must be a whole number of at least 0. Got {n!r} instead.")
        return [int(i) for i in np.argsort(-self.scores, kind="stable")[:n]]

    # --- global ---------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The SHAP values as a table: one row per explained row, one column per feature."""
        import pandas as pd

        return pd.DataFrame(
            self.shap_values, index=self.data.index.copy(), columns=list(self.features)
        )

    def importance(self) -> pd.DataFrame:
        """Mean absolute SHAP value per feature, largest first (see :func:`importance_table`)."""
        return importance_table(self)

    def bar(self, *, max_features: int = 12, ax: Axes | None = None) -> DescribedFigure:
        """The global ranking as a described bar chart."""
        return bar_figure(self, max_features=max_features, ax=ax)

    def beeswarm(self, *, max_features: int = 10, ax: Axes | None = None) -> DescribedFigure:
        """Every case's SHAP value per feature, high and low values told apart by shape."""
        return beeswarm_figure(self, max_features=max_features, ax=ax)

    # --- one case -------------------------------------------------------------------------

    def reason_codes(self, i: int, *, n: int = 3, threshold: float | None = None) -> ReasonCodes:
        """Plain-language reasons for the case at position ``i``.

        Parameters
        ----------
        i : int
            Position among the explained rows (0 to ``n_rows - 1``); see :meth:`locate`.
        n : int, default 3
            At most this many reasons each way.
        threshold : float, optional
            The flagging threshold the reasons speak of; default :attr:`threshold`.
        """
        return reason_codes(self, i, n=n, threshold=threshold)

    def waterfall(self, i: int, *, max_display: int = 8, ax: Axes | None = None) -> DescribedFigure:
        """The case at position ``i`` from the average output to its own, feature by feature."""
        return waterfall_figure(self, i, max_display=max_display, ax=ax)

    # --- groups and figures ---------------------------------------------------------------

    def group(self, attribute: str) -> GroupExplanation:
        """The comparison between the groups of one protected attribute."""
        if attribute not in self.by_group:
            known = ", ".join(self.by_group) or "none (no groups were given)"
            raise ConfigError(
                f"There is no explanation by {attribute!r}. Attributes explained: {known}."
            )
        return self.by_group[attribute]

    def figures(self, *, n_cases: int = 3) -> list[DescribedFigure]:
        """Every figure for a report: the ranking, the beeswarm, the ``n_cases`` highest-scoring
        cases' waterfalls, the cross-check and one figure per protected attribute."""
        figures = [self.bar(), self.beeswarm()]
        figures += [self.waterfall(i) for i in self.top_cases(n_cases)]
        if self.crosscheck is not None:
            figures.append(self.crosscheck.plot())
        figures += [g.plot() for g in self.by_group.values()]
        return figures

    def summary(self) -> str:
        """The explanation in a few sentences."""
        top = self.importance().head(3)
        names = ", ".join(f"{r.label} ({r.share:.0%})" for r in top.itertuples())
        text = (
            f"Explained {self.n_rows:,} of {self.n_available:,} rows of a "
            f"{self.choice.estimator} with {self.choice.method} ({self.output_space}). "
            f"The features that move the scores most: {names}."
        )
        if self.crosscheck is not None:
            text += f" {self.crosscheck.verdict}"
        return text

    def to_dict(self, *, n_cases: int = 3, n_reasons: int = 3) -> dict[str, Any]:
        """A JSON-ready summary (for ``explanations.json``): no arrays of SHAP values.

        Keys: ``explainer`` (the choice and why), ``n_rows``, ``n_available``,
        ``max_rows``, ``seed``, ``background_rows``, ``seconds``, ``base_value``,
        ``additivity_error``, ``threshold``, ``importance`` (one entry per feature),
        ``cases`` (reason codes, ``n_reasons`` each way, of the ``n_cases``
        highest-scoring cases),
        ``crosscheck``, ``by_group``, ``summary`` and ``notes``.
        """

        def clean(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        importance = [
            {
                "feature": str(f),
                "label": r["label"],
                "mean_abs_shap": clean(r["mean_abs_shap"]),
                "share": clean(r["share"]),
                "mean_shap": clean(r["mean_shap"]),
                "rank": int(r["rank"]),
            }
            for f, r in self.importance().iterrows()
        ]
        return {
            "explainer": self.choice.to_dict(),
            "features": list(self.features),
            "labels": dict(self.labels),
            "n_rows": self.n_rows,
            "n_available": self.n_available,
            "max_rows": self.max_rows,
            "seed": self.seed,
            "background_rows": self.background_rows,
            "seconds": round(self.seconds, 3),
            "base_value": clean(self.base_value),
            "additivity_error": clean(self.additivity_error()),
            "threshold": self.threshold,
            "importance": importance,
            "cases": [self.reason_codes(i, n=n_reasons).to_dict() for i in self.top_cases(n_cases)],
            "crosscheck": self.crosscheck.to_dict() if self.crosscheck else None,
            "by_group": {k: g.to_dict() for k, g in self.by_group.items()},
            "summary": self.summary(),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        top = self.importance().head(5)
        rows = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(str(r.label))}</th>"
            f"<td style='text-align:right'>{r.mean_abs_shap:.3f}</td>"
            f"<td style='text-align:right'>{r.share:.0%}</td></tr>"
            for r in top.itertuples()
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f'<div class="mlops-explanation"><p>{html.escape(self.summary())}</p>'
            f"<p>{html.escape(self.choice.reason)}</p>"
            f"<table><caption style='text-align:left'>Top features by mean absolute SHAP "
            f"value ({html.escape(SPACE_WORDS[self.output_space])})</caption><thead><tr>"
            f"<th scope='col'>feature</th><th scope='col'>mean |SHAP|</th>"
            f"<th scope='col'>share</th></tr></thead><tbody>{rows}</tbody></table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )

    def __repr__(self) -> str:
        return (
            f"ModelExplanation({self.choice.estimator}, explainer={self.explainer!r}, "
            f"rows={self.n_rows}, features={len(self.features)})"
        )
