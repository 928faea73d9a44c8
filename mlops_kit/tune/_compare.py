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

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import MODELS_FOR_TASK, SearchDimension
from ..errors import ConfigError
from ._comparison import SEARCH_METHODS, SearchComparison
from ._space import (
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

__all__ = ["compare_search_methods", "grid_values"]


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
    grid = _grid(space, grid_points)
    n_trials = math.prod(len(values) for values in grid.values())
    _, _, direction = _METRICS[metric]
    y_arr = np.asarray(y)
    X = X.reset_index(drop=True)
    job = _Job(
        X=X,
        y=y_arr,
        model=model,
        task=task,
        roles=roles,
        space=space,
        metric=metric,
        folds=list(cv_splitter(task, folds=cv_folds, seed=seed).split(X, y_arr)),
        seed=seed,
        sampler_seed=seed,
        pruning=False,
        storage=_StorageSpec("memory", None, None),
        study_name="",
        n_trials=n_trials,
        deadline=None,
        stale=frozenset(),
        n_previous=0,
        n_workers=1,
        lock_path=None,
    )
    records: list[dict[str, Any]] = []
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        for method in chosen:
            records += _run_method(method, job, grid, direction, cv_folds=cv_folds)
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


def _grid(space: Mapping[str, SearchDimension], grid_points: int) -> dict[str, list[Any]]:
    """The grid's values of each parameter; refused above 100 points."""
    grid = {name: grid_values(dim, grid_points) for name, dim in space.items()}
    n_trials = math.prod(len(values) for values in grid.values())
    if n_trials > 100:
        raise ConfigError(
            f"The grid of compare_search_methods must have at most 100 points, to keep the "
            f"comparison small; {' x '.join(str(len(v)) for v in grid.values())} = {n_trials} "
            "points. Lower 'grid_points' or search fewer parameters."
        )
    return grid


def _run_method(
    method: str,
    job: _Job,
    grid: dict[str, list[Any]],
    direction: Direction,
    *,
    cv_folds: int,
) -> list[dict[str, Any]]:
    """One method's study on the shared folds and budget: a record of each trial."""
    import optuna

    seed, n_trials = job.seed, job.n_trials
    samplers = {
        "grid": lambda: optuna.samplers.GridSampler(grid, seed=seed),
        "random": lambda: optuna.samplers.RandomSampler(seed=seed),
        "tpe": lambda: _sampler(seed, 0, 0, n_trials),
        "tpe_pruned": lambda: _sampler(seed, 0, 0, n_trials),
    }
    pruning = method == "tpe_pruned"
    job = replace(job, pruning=pruning, study_name=method)
    study = optuna.create_study(
        direction=direction,
        sampler=samplers[method](),
        pruner=_pruner(pruning, cv_folds),
    )
    recorder = _Recorder(method, list(job.space), direction)
    # optimize (not ask and tell): the grid sampler stops the study itself once
    # every point has been tried, which only works inside optimize.
    study.optimize(_Objective(job, 0), n_trials=n_trials, callbacks=[recorder])
    return recorder.records
