"""What comparing search methods found: every trial of each method, summed up and drawn.

:class:`SearchComparison` holds the trials of grid, random and TPE search run on the same
folds, metric and budget, with a table of each method's best score and cost and a
figure of the best score so far against model fits and seconds.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..figures import LINE_STYLES, MARKERS, PALETTE, DescribedFigure
from ._space import _METRIC_WORDS, Direction

if TYPE_CHECKING:
    import pandas as pd


#: The search methods :func:`compare_search_methods` knows, with their names in words.
SEARCH_METHODS: dict[str, str] = {
    "grid": "grid search",
    "random": "random search",
    "tpe": "TPE (Bayesian)",
    "tpe_pruned": "TPE with pruning",
}


@dataclass(frozen=True)
class SearchComparison:
    """Grid, random and TPE search run with the same folds, metric and trial budget.

    Attributes
    ----------
    trials : pandas.DataFrame
        One row per trial per method (tidy): ``method``, ``trial``, ``state``
        (``COMPLETE`` or ``PRUNED``), ``folds_fitted``, ``fits`` (model fits so far
        by that method), ``seconds`` (since that method started), ``score`` (the
        cross-validated metric; a pruned trial's running mean when it stopped),
        ``best_so_far`` (best complete score so far) and one ``params_<name>``
        column per parameter.
    grid : dict of str to list
        The values the grid tried for each parameter.
    """

    trials: pd.DataFrame = field(repr=False)
    model: str
    metric: str
    direction: Direction
    n_trials: int
    cv_folds: int
    grid: dict[str, list[Any]]
    search_space: dict[str, dict[str, Any]] = field(repr=False)

    @property
    def methods(self) -> list[str]:
        """The methods compared, in the order they ran."""
        return list(dict.fromkeys(self.trials["method"]))

    @property
    def _metric_words(self) -> str:
        return _METRIC_WORDS.get(self.metric, self.metric)

    def to_frame(self) -> pd.DataFrame:
        """One row per method: trials, pruned, model fits, seconds, best score and more.

        ``fits_to_grid_best`` is how many model fits a method needed before its best
        score first matched or beat the grid's final best (missing if it never did);
        ``distinct_values`` how many different values of each parameter it tried.
        """
        import pandas as pd

        grid_best = self._best("grid") if "grid" in self.methods else math.nan
        rows = []
        for method in self.methods:
            t = self.trials[self.trials["method"] == method]
            best = float(t["best_so_far"].iloc[-1])  # NaN if no trial completed
            hit = t[(t["state"] == "COMPLETE") & (t["score"] == best)]
            reached = (
                t[t["best_so_far"] >= grid_best - 1e-12]
                if self.direction == "maximize"
                else t[t["best_so_far"] <= grid_best + 1e-12]
            )
            distinct = ", ".join(
                f"{name} {t[f'params_{name}'].nunique()}" for name in self.search_space
            )
            rows.append(
                {
                    "method": SEARCH_METHODS[method],
                    "trials": len(t),
                    "pruned": int((t["state"] == "PRUNED").sum()),
                    "model_fits": int(t["fits"].iloc[-1]),
                    "seconds": round(float(t["seconds"].iloc[-1]), 2),
                    "best_score": best,
                    "best_trial": int(hit["trial"].iloc[0]) if len(hit) else None,
                    "fits_to_grid_best": (
                        int(reached["fits"].iloc[0])
                        if len(reached) and not math.isnan(grid_best)
                        else None
                    ),
                    "distinct_values": distinct,
                }
            )
        table = pd.DataFrame(rows).set_index("method")
        # Whole numbers that may be missing (never reached, nothing completed).
        return table.astype({"best_trial": "Int64", "fits_to_grid_best": "Int64"})

    def _best(self, method: str) -> float:
        t = self.trials[self.trials["method"] == method]
        return float(t["best_so_far"].iloc[-1])

    def summary(self) -> str:
        """The comparison in plain words."""
        table = self.to_frame()
        parts = []
        for method in self.methods:
            row = table.loc[SEARCH_METHODS[method]]
            pruned = f", {row['pruned']} trials pruned" if row["pruned"] else ""
            parts.append(
                f"{SEARCH_METHODS[method]} {row['best_score']:.4f} "
                f"({row['model_fits']} model fits, {row['seconds']:.1f} s{pruned})"
            )
        scores = table["best_score"].round(4)
        top = scores.max() if self.direction == "maximize" else scores.min()
        leaders = [str(name) for name, score in scores.items() if score == top]
        verdict = (
            f"Best overall: {leaders[0]}."
            if len(leaders) == 1
            else f"Level best, to four decimal places: {_join_words(leaders)}."
        )
        better = "higher" if self.direction == "maximize" else "lower"
        return (
            f"Each method ran {self.n_trials} trials of the {self.model} model, scored by "
            f"{self.cv_folds}-fold cross-validated {self._metric_words} ({better} is better) "
            f"on the same folds. Best scores: " + "; ".join(parts) + f". {verdict}"
        )

    def to_html(self) -> str:
        """The summary, and the table with a caption and header cells."""
        import pandas as pd

        table = self.to_frame()
        heads = {
            "trials": "trials",
            "pruned": "pruned",
            "model_fits": "model fits",
            "seconds": "seconds",
            "best_score": f"best {self._metric_words}",
            "best_trial": "best trial",
            "fits_to_grid_best": "fits to match the grid's best",
            "distinct_values": "different values tried",
        }

        def shown(column: str, value: Any) -> str:
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                return "not reached" if column == "fits_to_grid_best" else "none"
            if column == "best_score":
                return f"{value:.4f}"
            if column == "seconds":
                return f"{value:.1f}"
            return html.escape(str(value))

        head = "<th scope='col'>method</th>" + "".join(
            f"<th scope='col'>{html.escape(h)}</th>" for h in heads.values()
        )
        body = "".join(
            f"<tr><th scope='row'>{html.escape(str(name))}</th>"
            + "".join(f"<td>{shown(c, row[c])}</td>" for c in heads)
            + "</tr>"
            for name, row in table.iterrows()
        )
        return (
            f"<p>{html.escape(self.summary())}</p>"
            "<table class='mlops-search-comparison'><caption style='text-align:left'>"
            f"Grid, random and TPE search: {self.n_trials} trials each, the same "
            f"{self.cv_folds} folds</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def figure(self) -> DescribedFigure:
        """Best score so far against model fits (left) and seconds (right), per method."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10.0, 4.0), layout="constrained")
        by_fits, by_time = fig.subplots(1, 2, sharey=True)
        table = self.to_frame()
        described = []
        for k, method in enumerate(self.methods):
            t = self.trials[(self.trials["method"] == method) & self.trials["best_so_far"].notna()]
            style = {
                "color": PALETTE[k % len(PALETTE)],
                "linestyle": LINE_STYLES[k % len(LINE_STYLES)],
                "marker": MARKERS[k % len(MARKERS)],
                "markersize": 4,
                "label": SEARCH_METHODS[method],
            }
            by_fits.step(t["fits"], t["best_so_far"], where="post", **style)
            by_time.step(t["seconds"], t["best_so_far"], where="post", **style)
            row = table.loc[SEARCH_METHODS[method]]
            when = t[t["best_so_far"] == row["best_score"]].iloc[0]
            described.append(
                f"{SEARCH_METHODS[method]} reached its best, {row['best_score']:.4f}, after "
                f"{int(when['fits'])} model fits ({float(when['seconds']):.1f} s) and used "
                f"{row['model_fits']} fits in all"
                + (f", {row['pruned']} trials being pruned" if row["pruned"] else "")
            )
        by_fits.set_xlabel("model fits so far (folds fitted)")
        by_time.set_xlabel("seconds so far")
        by_fits.set_ylabel(f"best cross-validated {self._metric_words} so far")
        by_fits.legend(loc="lower right", fontsize=8)
        title = "Best score so far: grid, random and TPE search"
        fig.suptitle(title)
        better = "higher" if self.direction == "maximize" else "lower"
        text = (
            f"Step lines of the best cross-validated {self._metric_words} ({better} is better) "
            f"found so far by each search method, against the number of model fits (left) "
            f"and seconds (right); each method ran {self.n_trials} trials on the same "
            f"{self.cv_folds} folds, and the lines differ in colour, dash pattern and "
            f"marker. " + "; ".join(described) + "."
        )
        return DescribedFigure(fig, title, text)


def _join_words(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as ``"a, b and c"``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
