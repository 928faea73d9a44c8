"""The public entry point: :func:`tune`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import MODELS_FOR_TASK, SearchDimension
from ..errors import ConfigError
from ._result import TuningResult, _columns, _trial_record
from ._space import (
    _METRICS,
    Direction,
    Task,
    _cv_words,
    _metric_for,
    _resolve_search_space,
    cv_splitter,
)
from ._storage import _parse_storage, _StorageSpec
from ._study import run_study
from ._workers import TuningError, _Job

if TYPE_CHECKING:
    import optuna
    import pandas as pd

    from ..data import ColumnRoles

__all__ = ["tune"]


def tune(
    X: pd.DataFrame,
    y: Any,
    *,
    model: str,
    task: Task = "classification",
    roles: ColumnRoles,
    search_space: Mapping[str, SearchDimension | Mapping[str, Any]] | None = None,
    metric: str | None = None,
    n_trials: int | None = 20,
    timeout: float | None = None,
    cv_folds: int = 3,
    time_ordered: bool = False,
    seed: int = 0,
    sampler_seed: int | None = None,
    storage: str | None = None,
    study_name: str | None = None,
    n_workers: int = 1,
    pruning: bool = True,
    progress: bool = False,
    on_trial: Callable[[dict[str, Any]], None] | None = None,
) -> TuningResult:
    """Tune a model family's hyperparameters by cross-validation with Optuna.

    Parameters
    ----------
    X : pandas.DataFrame
        The training rows' features (the columns in ``roles``).
    y : array-like
        The coded target: 0/1 for classification, numbers for regression.
    model : str
        The model family (:data:`mlops_kit.config.MODELS_FOR_TASK`).
    task : {"classification", "regression"}, default "classification"
    roles : ColumnRoles
        Which columns are numeric and categorical features.
    search_space : mapping of parameter name to SearchDimension (or its dict), optional
        Default :func:`default_search_space` of the model family.
    metric : str, optional
        One of :data:`mlops_kit.config.TUNING_METRICS` for the task; default ``roc_auc``
        (classification) or ``rmse`` (regression). ``rmse`` and ``mae`` are minimised,
        the others (including ``neg_log_loss``, the negative log loss) maximised.
    n_trials : int or None, default 20
        Finished (complete or pruned) trials the study should hold. A stored study that
        already holds some runs only the rest.
    timeout : float or None
        Seconds after which no new trial starts (trials under way finish).
    cv_folds : int, default 3
        Folds of the cross-validation inside each trial.
    time_ordered : bool, default False
        The rows are in time order: validate on later rows only
        (:class:`~sklearn.model_selection.TimeSeriesSplit`). Otherwise shuffled
        (stratified for classification) K-fold seeded with ``seed``.
    seed : int, default 0
        Seeds the folds, the model and the TPE sampler.
    sampler_seed : int, optional
        Seeds the TPE sampler alone (default ``seed``): to compare search runs that
        differ only in where they look, on the same folds and the same model seed.
    storage : str, optional
        ``None`` (in memory), ``sqlite:///file.db``, ``journal://path.log`` or a
        ``postgresql://`` / ``mysql://`` URL. Stored studies resume: the same call run
        again continues the study called ``study_name``.

        SQLite locks the whole database file for every write, so worker processes
        writing at once fail with "database is locked"; SQLite is therefore refused
        with ``n_workers > 1``. Use a journal file for several workers on one machine
        (appends under a file lock, safe across processes) or a database server for
        several machines.
    study_name : str, optional
        Default ``"<model>-<task>-<metric>"``.
    n_workers : int, default 1
        Worker processes sharing the study (spawned; each gets the data and runs trials
        against the storage, with ``cores / n_workers`` threads). Without a storage a
        temporary journal file is used and removed afterwards.
    pruning : bool, default True
        Stop unpromising trials after their first fold (successive halving).
    progress : bool, default False
        Show a progress bar (tqdm) counting finished trials, or log one line per trial
        where a bar cannot be shown.
    on_trial : callable, optional
        Called in this process with each finished trial's record (as in
        :attr:`TuningResult.trials`), e.g. to update a widget.

    Returns
    -------
    TuningResult

    Raises
    ------
    ConfigError
        An unknown model, metric or parameter, a bad range, budget or storage URL, or a
        stored study made for another model or metric.
    TuningError
        A worker process failed, or no trial completed within the budget.

    Notes
    -----
    Pruning uses Optuna's :class:`~optuna.pruners.SuccessiveHalvingPruner` (asynchronous
    successive halving) with folds as the resource: it needs no assumption about how
    scores are distributed, only their order among trials scored on the same folds,
    and being asynchronous it works unchanged with several workers. A pruned trial's
    value is its running mean when it stopped; only complete trials can be best.

    With one worker, no timeout and a fresh study the run is reproducible: the same
    call gives the same trials and best parameters. Several workers interleave by
    timing, a timeout depends on the machine's speed, and a resumed study depends on
    its history: :attr:`TuningResult.reproducible` is then False, with the reason.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mlops_kit.data import ColumnRoles
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    >>> y = (X["x"] + rng.normal(size=300) > 0).astype(int).to_numpy()
    >>> roles = ColumnRoles(target="y", numeric=("x",), categorical=("c",))
    >>> result = tune(X, y, model="logistic", roles=roles, n_trials=6)
    >>> result.n_trials, result.metric, result.direction, result.reproducible
    (6, 'roc_auc', 'maximize', True)
    >>> 0.001 <= result.best_params["C"] <= 100
    True
    """
    start = time.perf_counter()
    metric, spec = _check_arguments(
        model,
        task,
        metric,
        n_trials=n_trials,
        timeout=timeout,
        cv_folds=cv_folds,
        n_workers=n_workers,
        storage=storage,
    )
    space = _resolve_search_space(search_space, model, task, roles)
    _, _, direction = _METRICS[metric]
    name = study_name or f"{model}-{task}-{metric}"
    y_arr = np.asarray(y)
    if len(X) != len(y_arr):
        raise ConfigError(
            f"X and y must have the same number of rows; got {len(X):,} and {len(y_arr):,}."
        )
    X = X.reset_index(drop=True)
    splitter = cv_splitter(task, folds=cv_folds, time_ordered=time_ordered, seed=seed)
    job = _Job(
        X=X,
        y=y_arr,
        model=model,
        task=task,
        roles=roles,
        space=space,
        metric=metric,
        folds=[(tr, te) for tr, te in splitter.split(X, y_arr)],
        seed=seed,
        sampler_seed=seed if sampler_seed is None else sampler_seed,
        pruning=pruning,
        storage=spec,
        study_name=name,
        n_trials=n_trials,
        deadline=None,
        stale=frozenset(),
        n_previous=0,
        n_workers=n_workers,
        lock_path=None,
    )
    trials, importances, n_previous = run_study(
        job, direction, timeout=timeout, cv_folds=cv_folds, progress=progress, on_trial=on_trial
    )
    return _tuning_result(
        trials,
        job,
        direction,
        importances=importances,
        n_previous=n_previous,
        timeout=timeout,
        cv_folds=cv_folds,
        time_ordered=time_ordered,
        started=start,
    )


def _tuning_result(
    trials: list[optuna.trial.FrozenTrial],
    job: _Job,
    direction: Direction,
    *,
    importances: dict[str, float],
    n_previous: int,
    timeout: float | None,
    cv_folds: int,
    time_ordered: bool,
    started: float,
) -> TuningResult:
    """The result of a finished study: the best trial, every trial, reproducibility."""
    import pandas as pd
    from optuna.trial import TrialState

    n_trials, n_workers, seed, space = job.n_trials, job.n_workers, job.seed, job.space
    finished_states = (TrialState.COMPLETE, TrialState.PRUNED)
    done = sorted((t for t in trials if t.state in finished_states), key=lambda t: t.number)
    complete = [t for t in done if t.state == TrialState.COMPLETE]
    if not complete:
        raise TuningError(
            f"No trial completed within the budget (n_trials={n_trials}, timeout={timeout}); "
            f"{len(done)} trial(s) finished, all pruned. Raise the budget."
        )
    pick = max if direction == "maximize" else min
    best_trial = pick(complete, key=lambda t: float(t.value))  # type: ignore[arg-type]
    reproducible, reason = _reproducibility(
        n_workers=n_workers, timeout=timeout, n_previous=n_previous, seed=seed, n_trials=n_trials
    )
    records = [_trial_record(t, space) for t in done]
    table = pd.DataFrame.from_records(records, columns=_columns(space))
    table["datetime_complete"] = pd.to_datetime(table["datetime_complete"])
    return TuningResult(
        best_params=dict(best_trial.params),
        best_value=float(best_trial.value),  # type: ignore[arg-type]
        metric=job.metric,
        direction=direction,
        n_trials=len(done),
        n_complete=len(complete),
        n_pruned=len(done) - len(complete),
        trials=table,
        reproducible=reproducible,
        reproducible_reason=reason,
        storage=job.storage.shown,
        study_name=job.study_name,
        seconds=time.perf_counter() - started,
        seed=seed,
        model=job.model,
        task=job.task,
        best_trial=best_trial.number,
        n_previous=n_previous,
        n_workers=n_workers,
        cv_scheme=_cv_words(job.task, cv_folds, time_ordered),
        search_space={k: v.model_dump() for k, v in space.items()},
        importances=importances,
    )


def _check_arguments(
    model: str,
    task: Task,
    metric: str | None,
    *,
    n_trials: int | None,
    timeout: float | None,
    cv_folds: int,
    n_workers: int,
    storage: str | None,
) -> tuple[str, _StorageSpec]:
    """The metric to optimise and the parsed storage, after checking every argument."""
    if model not in MODELS_FOR_TASK.get(task, ()):
        raise ConfigError(
            f"Config key 'model' must be one of {', '.join(MODELS_FOR_TASK.get(task, ()))} "
            f"for task '{task}'; got {model!r}."
        )
    metric = _metric_for(metric, task)
    if n_trials is None and timeout is None:
        raise ConfigError(
            "Tuning needs a budget: config key 'tuning.n_trials' or 'tuning.timeout' must be "
            "set; got neither (the study would never stop)."
        )
    if n_trials is not None and (isinstance(n_trials, bool) or n_trials < 1):
        raise ConfigError(
            f"Config key 'tuning.n_trials' must be a whole number of at least 1 (a pipeline "
            f"skips tuning when it is 0); got {n_trials!r}."
        )
    if timeout is not None and not timeout > 0:
        raise ConfigError(f"Config key 'tuning.timeout' must be above 0 seconds; got {timeout!r}.")
    if not 2 <= cv_folds <= 20:
        raise ConfigError(f"Config key 'tuning.cv_folds' must be from 2 to 20; got {cv_folds!r}.")
    if n_workers < 1:
        raise ConfigError(f"Config key 'tuning.n_workers' must be at least 1; got {n_workers!r}.")
    spec = _parse_storage(storage)
    if spec.kind == "sqlite" and n_workers > 1:
        raise ConfigError(
            f"Config key 'tuning.storage' cannot be a SQLite file with {n_workers} workers: "
            "SQLite locks the whole file on every write and parallel workers fail with "
            "'database is locked'. Use journal://<file> for several workers on one machine, "
            f"or a PostgreSQL/MySQL server; got {spec.shown!r}."
        )
    return metric, spec


def _reproducibility(
    *, n_workers: int, timeout: float | None, n_previous: int, seed: int, n_trials: int | None
) -> tuple[bool, str]:
    """Whether the same call gives the same trials, and why, in one sentence."""
    reasons = []
    if n_workers > 1:
        reasons.append(
            f"{n_workers} worker processes ran trials at the same time, so which results each "
            "new trial learnt from depended on timing"
        )
    if timeout is not None:
        reasons.append(
            f"a time budget of {timeout:g} s ran as many trials as fitted in it, which depends "
            "on the machine's speed and load"
        )
    if n_previous:
        reasons.append(
            f"the study resumed from {n_previous} trial(s) already in the storage, so it "
            "depends on that history"
        )
    if reasons:
        return False, "Not reproducible: " + "; ".join(reasons) + "."
    return True, (
        f"Reproducible: one worker, seed {seed}, a budget of {n_trials} trials and a fresh "
        "study, so the same call gives the same trials and best parameters."
    )
