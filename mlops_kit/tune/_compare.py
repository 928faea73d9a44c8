"""Grid, random and TPE search side by side, on the same folds, metric and trial budget.

:func:`compare_search_methods` runs each search method as an Optuna study with the
tuner's own objective (:class:`~mlops_kit.tune._workers._Objective`), so every method
scores its candidates on exactly the same cross-validation folds and metric and the
only difference is how the next candidate is chosen:

``grid``
    Optuna's :class:`~optuna.samplers.GridSampler` over ``grid_points`` values of each
    parameter (log-spaced on a log scale), every combination once, in a seeded
    random order. The grid's size is every method's trial budget.
``random``
    :class:`~optuna.samplers.RandomSampler`: each trial drawn independently from the
    whole search space.
``tpe``
    The tuner's TPE sampler: a few random trials, then each new trial proposed from a
    model of which regions scored well so far (Bayesian optimisation).
``tpe_pruned``
    TPE with the tuner's pruning: trials whose first folds are poor stop early, so
    the same number of trials costs fewer model fits.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import MODELS_FOR_TASK, SearchDimension
from ..errors import ConfigError
from ..plots import LINE_STYLES, MARKERS, PALETTE, DescribedFigure
from ._space import (
    _METRIC_WORDS,
    _METRICS,
    Direction,
    _metric_for,
    _resolve_search_space,
    cv_splitter,
    default_search_space,
)
from ._storage import _StorageSpec
from ._workers import _Job, _Objective, _pruner, _sampler

if TYPE_CHECKING:
    import optuna
    import pandas as pd

    from ..data import ColumnRoles

__all__ = ["SEARCH_METHODS", "SearchComparison", "compare_search_methods", "grid_values"]

#: The search methods :func:`compare_search_methods` knows, with their names in words.
SEARCH_METHODS: dict[str, str] = {
    "grid": "grid search",
    "random": "random search",
    "tpe": "TPE (Bayesian)",
    "tpe_pruned": "TPE with pruning",
}


def grid_values(dim: SearchDimension, points: int) -> list[Any]:
    """``points`` evenly spread values of a dimension (log-spaced on a log scale).

    Whole numbers for an ``int`` dimension (duplicates dropped, so a narrow range
    may give fewer), every choice of a categorical one.

    Examples
    --------
    >>> grid_values(SearchDimension(type="float", low=0.01, high=10, log=True), 4)
    [0.01, 0.1, 1.0, 10.0]
    >>> grid_values(SearchDimension(type="int", low=8, high=64, log=True), 4)
    [8, 16, 32, 64]
    >>> grid_values(SearchDimension(type="categorical", choices=["a", "b"]), 4)
    ['a', 'b']
    """
    if dim.type == "categorical":
        assert dim.choices is not None
        return list(dim.choices)
    assert dim.low is not None
    assert dim.high is not None
    spread = np.geomspace if dim.log else np.linspace
    raw = spread(dim.low, dim.high, points)
    if dim.type == "int":
        return sorted({int(v) for v in np.clip(np.round(raw), dim.low, dim.high)})
    # Four significant figures read well in tables, clipped so rounding stays in range.
    return [float(np.clip(float(f"{v:.4g}"), dim.low, dim.high)) for v in raw]


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


def _is_better(a: float, b: float, direction: Direction) -> bool:
    return a > b if direction == "maximize" else a < b


class _Recorder:
    """Records each finished trial of one method: fits and seconds so far, best so far."""

    def __init__(self, method: str, params: list[str], direction: Direction) -> None:
        self.method = method
        self.params = params
        self.direction: Direction = direction
        self.fits = 0
        self.best = math.nan
        self.start = time.perf_counter()
        self.records: list[dict[str, Any]] = []

    def __call__(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        """Called by :meth:`optuna.Study.optimize` after each trial."""
        seconds = time.perf_counter() - self.start
        self.fits += len(trial.intermediate_values)
        value = math.nan if trial.value is None else float(trial.value)
        if trial.state.name == "COMPLETE" and (
            math.isnan(self.best) or _is_better(value, self.best, self.direction)
        ):
            self.best = value
        self.records.append(
            {
                "method": self.method,
                "trial": trial.number,
                "state": trial.state.name,
                "folds_fitted": len(trial.intermediate_values),
                "fits": self.fits,
                "seconds": seconds,
                "score": value,
                "best_so_far": self.best,
                **{f"params_{k}": trial.params.get(k) for k in self.params},
            }
        )


def _check_methods(methods: Sequence[str]) -> list[str]:
    chosen = list(methods)
    unknown = [m for m in chosen if m not in SEARCH_METHODS]
    if not chosen or unknown or len(set(chosen)) != len(chosen):
        raise ConfigError(
            "The 'methods' parameter of compare_search_methods must list one or more of "
            f"{', '.join(SEARCH_METHODS)}, each once. Got {list(methods)!r} instead."
        )
    return chosen


def compare_search_methods(
    X: pd.DataFrame,
    y: Any,
    *,
    roles: ColumnRoles,
    model: str = "hgb",
    task: str = "classification",
    search_space: Mapping[str, SearchDimension | Mapping[str, Any]] | None = None,
    grid_points: int = 4,
    metric: str | None = None,
    cv_folds: int = 3,
    seed: int = 0,
    methods: Sequence[str] = tuple(SEARCH_METHODS),
) -> SearchComparison:
    """Run grid, random and TPE search with the same folds, metric and trial budget.

    Every method gets as many trials as the grid has points (``grid_points`` per
    parameter, multiplied together), runs in this process with one worker, and is
    timed from its own start. The folds are drawn once, so a candidate scores the
    same whichever method proposes it.

    Parameters
    ----------
    X : pandas.DataFrame
    y : array-like
        The coded target.
    roles : ColumnRoles
    model : str, default "hgb"
    task : {"classification", "regression"}, default "classification"
    search_space : mapping, optional
        Default: the first two parameters of the model family's default search space
        (:func:`default_search_space`), so the grid stays small.
    grid_points : int, default 4
        Values per parameter in the grid (2 to 10). With two parameters, 4 gives a
        budget of 16 trials per method.
    metric : str, optional
        As for :func:`tune`; default ``roc_auc`` (classification) or ``rmse``.
    cv_folds : int, default 3
    seed : int, default 0
        Seeds the folds, the models and every sampler.
    methods : sequence of str, default all of :data:`SEARCH_METHODS`

    Returns
    -------
    SearchComparison

    Raises
    ------
    ConfigError
        An unknown model, metric, method or parameter, a bad range, or a grid of more
        than 100 points.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mlops_kit.data import ColumnRoles
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(["a", "b"], 200)})
    >>> y = (X["x"] + rng.normal(size=200) > 0).astype(int).to_numpy()
    >>> roles = ColumnRoles(target="y", numeric=("x",), categorical=("c",))
    >>> found = compare_search_methods(X, y, roles=roles, model="logistic", grid_points=3)
    >>> found.to_frame()[["trials", "model_fits"]].loc["grid search"].tolist()
    [3, 9]
    """
    import optuna
    import pandas as pd

    if model not in MODELS_FOR_TASK.get(task, ()):
        raise ConfigError(
            f"The 'model' parameter of compare_search_methods must be one of "
            f"{', '.join(MODELS_FOR_TASK.get(task, ()))} for task '{task}'. Got {model!r} instead."
        )
    chosen = _check_methods(methods)
    metric = _metric_for(metric, task)
    if (
        isinstance(grid_points, bool)
        or not isinstance(grid_points, int)
        or not 2 <= grid_points <= 10
    ):
        raise ConfigError(
            "The 'grid_points' parameter of compare_search_methods must be a whole number "
            f"from 2 to 10. Got {grid_points!r} instead."
        )
    if search_space is None:
        search_space = dict(list(default_search_space(model, task).items())[:2])
    space = _resolve_search_space(search_space, model, task, roles)
    grid = {name: grid_values(dim, grid_points) for name, dim in space.items()}
    n_trials = math.prod(len(values) for values in grid.values())
    if n_trials > 100:
        raise ConfigError(
            f"The grid of compare_search_methods must have at most 100 points, to keep the "
            f"comparison small; {' x '.join(str(len(v)) for v in grid.values())} = {n_trials} "
            "points. Lower 'grid_points' or search fewer parameters."
        )
    _, _, direction = _METRICS[metric]
    y_arr = np.asarray(y)
    X = X.reset_index(drop=True)
    folds = list(cv_splitter(task, folds=cv_folds, seed=seed).split(X, y_arr))

    samplers = {
        "grid": lambda: optuna.samplers.GridSampler(grid, seed=seed),
        "random": lambda: optuna.samplers.RandomSampler(seed=seed),
        "tpe": lambda: _sampler(seed, 0, 0, n_trials),
        "tpe_pruned": lambda: _sampler(seed, 0, 0, n_trials),
    }
    records: list[dict[str, Any]] = []
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        for method in chosen:
            pruning = method == "tpe_pruned"
            job = _Job(
                X=X,
                y=y_arr,
                model=model,
                task=task,
                roles=roles,
                space=space,
                metric=metric,
                folds=folds,
                seed=seed,
                sampler_seed=seed,
                pruning=pruning,
                storage=_StorageSpec("memory", None, None),
                study_name=method,
                n_trials=n_trials,
                deadline=None,
                stale=frozenset(),
                n_previous=0,
                n_workers=1,
                lock_path=None,
            )
            study = optuna.create_study(
                direction=direction,
                sampler=samplers[method](),
                pruner=_pruner(pruning, cv_folds),
            )
            recorder = _Recorder(method, list(space), direction)
            # optimize (not ask and tell): the grid sampler stops the study itself once
            # every point has been tried, which only works inside optimize.
            study.optimize(
                _Objective(job, 0),
                n_trials=n_trials,
                callbacks=[recorder],
            )
            records += recorder.records
    finally:
        optuna.logging.set_verbosity(verbosity)
    return SearchComparison(
        trials=pd.DataFrame.from_records(records),
        model=model,
        metric=metric,
        direction=direction,
        n_trials=n_trials,
        cv_folds=cv_folds,
        grid=grid,
        search_space={k: v.model_dump() for k, v in space.items()},
    )
