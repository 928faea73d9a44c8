"""Automated hyperparameter tuning with Optuna.

:func:`tune` searches a model family's hyperparameters with Optuna's TPE sampler,
scoring every trial by cross-validation on the training rows, and returns a
:class:`TuningResult`: the best parameters, every trial, whether the run can be
repeated exactly, and figures with text descriptions.

How a study runs
----------------
- **Search space.** Each model family has a default (:data:`DEFAULT_SEARCH_SPACES`);
  a config's ``tuning.search_space`` replaces it. The ranges apply to the estimator
  inside :func:`mlops_kit.train.build_pipeline`, so the best parameters can be passed
  straight to ``build_pipeline(..., params=result.best_params)``.
- **Pruning over folds.** After each fold a trial reports the running mean of its fold
  scores (step = number of folds done). Optuna's asynchronous successive halving
  keeps a trial going only while that running mean is in the best third of the trials
  that reached the same fold, so an unpromising trial stops after one fold and costs a
  third of a full one. Every trial is scored on the same folds, so running means are
  directly comparable.
- **Budget.** ``n_trials`` counts finished (complete or pruned) trials in the study,
  including any a stored study already holds; ``timeout`` (seconds) stops starting new
  trials once it has passed. With both, whichever comes first.
- **Storage.** ``None`` keeps the study in memory. ``sqlite:///file.db`` keeps it in a
  SQLite file, so the same call later resumes it. ``journal://path.log`` keeps it in
  Optuna's journal file, which several processes on one machine can share safely.
  ``postgresql://`` and ``mysql://`` URLs let several machines share one study.
- **Workers** are processes (``n_workers``): each runs trials against the shared
  storage. Optuna's own ``n_jobs`` runs trials in threads, which barely speeds up
  scikit-learn fits; processes do.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .config import MODELS_FOR_TASK, TUNING_METRICS, SearchDimension, validate_params
from .errors import ConfigError, MlopsKitError, did_you_mean
from .plots import PALETTE, DescribedFigure

if TYPE_CHECKING:
    import multiprocessing.synchronize

    import optuna
    import pandas as pd
    from matplotlib.axes import Axes

    from .data import ColumnRoles

__all__ = [
    "DEFAULT_SEARCH_SPACES",
    "TuningError",
    "TuningResult",
    "cv_splitter",
    "default_search_space",
    "journal_storage_url",
    "tune",
]

Task = Literal["classification", "regression"]
Direction = Literal["maximize", "minimize"]


_HGB: dict[str, dict[str, Any]] = {
    "learning_rate": {"type": "float", "low": 0.02, "high": 0.3, "log": True},
    "max_leaf_nodes": {"type": "int", "low": 8, "high": 64, "log": True},
    "min_samples_leaf": {"type": "int", "low": 10, "high": 200, "log": True},
    "l2_regularization": {"type": "float", "low": 0.01, "high": 100.0, "log": True},
    "max_iter": {"type": "int", "low": 50, "high": 400, "log": True},
}
_RF: dict[str, dict[str, Any]] = {
    "max_depth": {"type": "int", "low": 3, "high": 20},
    "min_samples_leaf": {"type": "int", "low": 1, "high": 50, "log": True},
    "max_features": {"type": "float", "low": 0.2, "high": 1.0},
}

#: Default search space of each (task, model family): the ranges of the estimator's
#: parameters inside :func:`mlops_kit.train.build_pipeline`, each in the shape of
#: :class:`mlops_kit.config.SearchDimension`. Log scales where a parameter acts by
#: orders of magnitude (regularisation strengths, learning rates, tree sizes).
DEFAULT_SEARCH_SPACES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("classification", "logistic"): {
        "C": {"type": "float", "low": 1e-3, "high": 100.0, "log": True},
    },
    ("regression", "linear"): {
        "alpha": {"type": "float", "low": 1e-3, "high": 1000.0, "log": True},
    },
    ("classification", "hgb"): {k: dict(v) for k, v in _HGB.items()},
    ("regression", "hgb"): {k: dict(v) for k, v in _HGB.items()},
    ("classification", "rf"): {k: dict(v) for k, v in _RF.items()},
    ("regression", "rf"): {k: dict(v) for k, v in _RF.items()},
}

# metric: (scikit-learn scorer, sign turning the scorer's value into the metric, direction)
_METRICS: dict[str, tuple[str, int, Direction]] = {
    "roc_auc": ("roc_auc", 1, "maximize"),
    "average_precision": ("average_precision", 1, "maximize"),
    "neg_log_loss": ("neg_log_loss", 1, "maximize"),
    "f1": ("f1", 1, "maximize"),
    "rmse": ("neg_root_mean_squared_error", -1, "minimize"),
    "mae": ("neg_mean_absolute_error", -1, "minimize"),
    "r2": ("r2", 1, "maximize"),
}
_METRIC_WORDS = {
    "roc_auc": "ROC AUC",
    "average_precision": "average precision",
    "neg_log_loss": "negative log loss",
    "f1": "F1",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
}
_STORAGE_RULE = (
    "must be None (in memory), sqlite:///<file> (resumable), journal://<file> (several "
    "worker processes on one machine) or a postgresql:// or mysql:// URL (several machines)"
)


class TuningError(MlopsKitError, RuntimeError):
    """Tuning could not finish: a worker process failed, or no trial completed."""


# ---------------------------------------------------------------------------------------
# Search spaces, metrics, storages
# ---------------------------------------------------------------------------------------


def default_search_space(model: str, task: str = "classification") -> dict[str, SearchDimension]:
    """The default search space of a model family, as validated dimensions.

    Examples
    --------
    >>> space = default_search_space("logistic")
    >>> space["C"].low, space["C"].high, space["C"].log
    (0.001, 100.0, True)
    """
    key = (task, model)
    if key not in DEFAULT_SEARCH_SPACES:
        allowed = MODELS_FOR_TASK.get(task, ())
        raise ConfigError(
            f"Config key 'model' must be one of {', '.join(allowed) or '(none)'} for task "
            f"'{task}'; got {model!r}."
        )
    return {name: SearchDimension(**dim) for name, dim in DEFAULT_SEARCH_SPACES[key].items()}


def _resolve_search_space(
    search_space: Mapping[str, SearchDimension | Mapping[str, Any]] | None,
    model: str,
    task: str,
    roles: ColumnRoles,
) -> dict[str, SearchDimension]:
    """Validate a search space and check that every name is a parameter of the estimator."""
    from .train import build_pipeline

    if search_space is None:
        return default_search_space(model, task)
    if not search_space:
        raise ConfigError("Config key 'tuning.search_space' must name at least one parameter.")
    space: dict[str, SearchDimension] = {}
    for name, dim in search_space.items():
        if isinstance(dim, SearchDimension):
            space[name] = dim
        else:
            space[name] = validate_params(
                dict(dim), model=SearchDimension, source=f"tuning.search_space.{name}"
            )
    estimator = build_pipeline(model, roles, task=task).named_steps["model"]  # type: ignore[arg-type]
    known = estimator.get_params(deep=False)
    for name in space:
        if name not in known:
            raise ConfigError(
                f"Config key 'tuning.search_space' names '{name}', which is not a parameter "
                f"of {type(estimator).__name__} (model '{model}'); parameters are: "
                f"{', '.join(sorted(known))}.{did_you_mean(name, known)}"
            )
    return space


def _metric_for(metric: str | None, task: str) -> str:
    allowed = TUNING_METRICS[task]
    chosen = allowed[0] if metric is None else metric
    if chosen not in allowed:
        raise ConfigError(
            f"Config key 'tuning.metric' must be one of {', '.join(allowed)} for task "
            f"'{task}'; got {metric!r}."
        )
    return chosen


def cv_splitter(
    task: str = "classification", *, folds: int = 3, time_ordered: bool = False, seed: int = 0
) -> Any:
    """The cross-validation splitter every trial uses.

    :class:`~sklearn.model_selection.TimeSeriesSplit` when the rows are in time order
    (always validating on later rows), otherwise shuffled
    :class:`~sklearn.model_selection.StratifiedKFold` (classification) or
    :class:`~sklearn.model_selection.KFold` (regression) seeded with ``seed``.

    Examples
    --------
    >>> cv_splitter("regression", folds=4, time_ordered=True)
    TimeSeriesSplit(gap=0, max_train_size=None, n_splits=4, test_size=None)
    """
    from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

    if time_ordered:
        return TimeSeriesSplit(n_splits=folds)
    if task == "classification":
        return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


def _cv_words(task: str, folds: int, time_ordered: bool) -> str:
    if time_ordered:
        return f"{folds}-fold forward-chaining (time-ordered) cross-validation"
    if task == "classification":
        return f"{folds}-fold stratified cross-validation"
    return f"{folds}-fold cross-validation"


def journal_storage_url(path: str | os.PathLike[str]) -> str:
    """The ``storage`` URL of an Optuna journal file at ``path`` (made absolute).

    Examples
    --------
    >>> journal_storage_url("/tmp/study.log")
    'journal:///tmp/study.log'
    """
    return "journal://" + Path(path).resolve().as_posix()


def _mask_password(url: str) -> str:
    """Hide the password in ``scheme://user:password@host/db``.

    Examples
    --------
    >>> _mask_password("postgresql://ana:s3cret@db.example/optuna")
    'postgresql://ana:***@db.example/optuna'
    """
    return re.sub(r"^([^:/]+://[^:/@]*):[^@]*@", r"\1:***@", url)


@dataclass(frozen=True)
class _StorageSpec:
    kind: Literal["memory", "journal", "sqlite", "server"]
    url: str | None  # normalised URL to open (journal and SQLite paths made absolute)
    path: str | None  # the file, for journal and SQLite storages

    @property
    def shown(self) -> str | None:
        return None if self.url is None else _mask_password(self.url)


def _parse_storage(storage: str | None) -> _StorageSpec:
    if storage is None:
        return _StorageSpec("memory", None, None)
    if not isinstance(storage, str):
        raise ConfigError(f"Config key 'tuning.storage' {_STORAGE_RULE}; got {storage!r}.")
    text = storage.strip()
    if text.startswith("journal://") and len(text) > len("journal://"):
        path = os.path.abspath(text[len("journal://") :])
        return _StorageSpec("journal", "journal://" + path, path)
    if text.startswith("sqlite:///") and text[len("sqlite:///") :] not in ("", ":memory:"):
        path = os.path.abspath(text[len("sqlite:///") :])
        return _StorageSpec("sqlite", "sqlite:///" + path, path)
    scheme = text.split("://", 1)[0].split("+", 1)[0].lower() if "://" in text else ""
    if scheme in ("postgresql", "mysql") and len(text) > len(text.split("://", 1)[0]) + 3:
        return _StorageSpec("server", text, None)
    raise ConfigError(
        f"Config key 'tuning.storage' {_STORAGE_RULE}; got {_mask_password(storage)!r}."
    )


def _open_storage(spec: _StorageSpec) -> Any:
    """An Optuna storage object for ``spec`` (None: in memory)."""
    import optuna

    if spec.kind == "memory" or spec.url is None:
        return None
    if spec.path is not None:
        Path(spec.path).parent.mkdir(parents=True, exist_ok=True)
    if spec.kind == "journal":
        from optuna.storages.journal import JournalFileBackend

        assert spec.path is not None
        return optuna.storages.JournalStorage(JournalFileBackend(spec.path))
    return optuna.storages.RDBStorage(spec.url)


def _close_storage(storage: Any) -> None:
    """Release a relational storage's connections (SQLite files stay open otherwise)."""
    if storage is None:
        return
    with contextlib.suppress(AttributeError):
        storage.remove_session()
    engine = getattr(storage, "engine", None)
    if engine is not None:
        engine.dispose()


def _lock_path(spec: _StorageSpec, study_name: str) -> str | None:
    """Where the budget lock lives: next to a study file, else in the temporary folder.

    None in memory: one process, nobody to race.
    """
    if spec.kind == "memory":
        return None
    if spec.path is not None:
        return f"{spec.path}.tune.lock"
    key = hashlib.sha256(f"{spec.url}\n{study_name}".encode()).hexdigest()[:20]
    return os.path.join(tempfile.gettempdir(), f"mlops-kit-tune-{key}.lock")


def _budget_lock(path: str | None) -> Any:
    """A lock every local worker takes while it checks the budget and starts a trial.

    Checking "fewer than n_trials finished or running" and then creating a trial must
    happen as one step, or two workers can both see room for the last trial and run one
    too many. The lock is a file, so it holds across processes on this machine; workers
    on other machines sharing a database study are not covered by it.
    """
    if path is None:
        return contextlib.nullcontext()
    from filelock import FileLock

    return FileLock(path)


def _pruner(pruning: bool, n_folds: int) -> Any:
    import optuna

    if not pruning or n_folds < 2:
        return optuna.pruners.NopPruner()
    # Steps are folds done (1, 2, ...); rung 0 ends after the first fold. With a
    # reduction factor of 3 a trial continues only if its first-fold score is among the
    # best third of those seen at that fold (with 5 or more folds there is a second
    # check after fold 3). The first trial is never pruned.
    return optuna.pruners.SuccessiveHalvingPruner(
        min_resource=1, reduction_factor=3, min_early_stopping_rate=0
    )


def _sampler_seed(seed: int, n_previous: int, worker: int) -> int:
    """The TPE seed: ``seed`` itself for a fresh study's only worker.

    Each worker, and each resumption of a stored study, gets its own stream drawn from
    ``seed``: with the same stream, a second worker (or a resumed run) would propose the
    very same random start-up trials again.
    """
    if n_previous == 0 and worker == 0:
        return seed
    return int(np.random.SeedSequence([seed, n_previous, worker]).generate_state(1)[0])


def _sampler(seed: int, n_previous: int, worker: int, n_trials: int | None) -> Any:
    """TPE, after a quarter of the trial budget (5 to 20 trials) drawn at random.

    The random start-up trials spread over the whole space before TPE narrows in;
    Optuna's default of 10 whatever the budget would leave TPE little to model from
    with 20 trials and explore too little with a hundred. A time budget gets 20.
    """
    import optuna

    startup = 20 if n_trials is None else min(20, max(5, n_trials // 4))
    return optuna.samplers.TPESampler(
        seed=_sampler_seed(seed, n_previous, worker), n_startup_trials=startup
    )


def _suggest(trial: optuna.Trial, name: str, dim: SearchDimension) -> Any:
    if dim.type == "categorical":
        assert dim.choices is not None
        return trial.suggest_categorical(name, dim.choices)
    assert dim.low is not None
    assert dim.high is not None
    if dim.type == "int":
        return trial.suggest_int(name, int(dim.low), int(dim.high), log=dim.log)
    return trial.suggest_float(name, float(dim.low), float(dim.high), log=dim.log)


# ---------------------------------------------------------------------------------------
# Running trials (the same code in the calling process and in worker processes)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """Everything a process needs to run trials; sent to each worker process."""

    X: pd.DataFrame = field(repr=False)
    y: np.ndarray = field(repr=False)
    model: str
    task: str
    roles: ColumnRoles
    space: dict[str, SearchDimension]
    metric: str
    folds: list[tuple[np.ndarray, np.ndarray]] = field(repr=False)
    seed: int
    pruning: bool
    storage: _StorageSpec
    study_name: str
    n_trials: int | None  # total finished trials the study should hold
    deadline: float | None  # time.time() after which no trial starts
    stale: frozenset[int]  # trials RUNNING before this call (crashed runs): not counted
    n_previous: int
    n_workers: int
    lock_path: str | None


class _Objective:
    """Cross-validates one trial's parameters, reporting the running mean after each fold."""

    def __init__(self, job: _Job, worker: int) -> None:
        from sklearn.metrics import get_scorer

        scorer_name, self.sign, _ = _METRICS[job.metric]
        self.scorer = get_scorer(scorer_name)
        self.job = job
        self.worker = worker

    def __call__(self, trial: optuna.Trial) -> float:
        import optuna
        from sklearn.base import clone

        from .train import build_pipeline

        job = self.job
        params = {name: _suggest(trial, name, dim) for name, dim in job.space.items()}
        trial.set_user_attr("worker", self.worker)
        trial.set_user_attr("pid", os.getpid())
        pipeline = build_pipeline(
            job.model,
            job.roles,
            task=job.task,  # type: ignore[arg-type]
            seed=job.seed,
            params=params,
        )
        scores: list[float] = []
        for step, (train, test) in enumerate(job.folds, start=1):
            fitted = clone(pipeline).fit(job.X.iloc[train], job.y[train])
            scores.append(self.sign * float(self.scorer(fitted, job.X.iloc[test], job.y[test])))
            running = float(np.mean(scores))
            trial.report(running, step)
            if step < len(job.folds) and trial.should_prune():
                trial.set_user_attr("fold_scores", scores)
                raise optuna.TrialPruned(
                    f"stopped after fold {step} of {len(job.folds)}: running mean {running:.4f}"
                )
        trial.set_user_attr("fold_scores", scores)
        return running


def _run_trials(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], float],
    job: _Job,
    lock: Any,
    on_finish: Callable[[optuna.trial.FrozenTrial], None] | None = None,
) -> int:
    """Ask, evaluate and tell trials until the budget is spent; return how many ran.

    The budget check and the creation of the next trial happen under ``lock`` and count
    trials still running elsewhere, so several workers stop at exactly ``n_trials``.
    (``optuna.study.MaxTrialsCallback`` counts only finished trials after each trial, so
    with several workers each one still running a trial when the count is reached adds
    one more.)
    """
    import optuna
    from optuna.trial import TrialState

    counted = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    ran = 0
    while True:
        if job.deadline is not None and time.time() >= job.deadline:
            break
        with lock:
            if job.n_trials is not None:
                used = sum(
                    t.number not in job.stale
                    for t in study.get_trials(deepcopy=False, states=counted)
                )
                if used >= job.n_trials:
                    break
            trial = study.ask()
        try:
            value = objective(trial)
        except optuna.TrialPruned:
            frozen = study.tell(trial, state=TrialState.PRUNED)
        except BaseException:
            study.tell(trial, state=TrialState.FAIL)
            raise
        else:
            frozen = study.tell(trial, value)
        ran += 1
        if on_finish is not None:
            on_finish(frozen)
    return ran


def _worker_main(
    job: _Job,
    worker: int,
    barrier: multiprocessing.synchronize.Barrier,
    errors: Any,
) -> None:
    """Entry point of a worker process: load the shared study and run trials."""
    storage = None
    try:
        import optuna
        import sklearn.ensemble  # noqa: F401  (loads OpenMP before the thread limit below)
        from threadpoolctl import (  # type: ignore[import-untyped]
            threadpool_info,
            threadpool_limits,
        )

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = _open_storage(job.storage)
        study = optuna.load_study(
            study_name=job.study_name,
            storage=storage,
            sampler=_sampler(job.seed, job.n_previous, worker, job.n_trials),
            pruner=_pruner(job.pruning, len(job.folds)),
        )
        objective = _Objective(job, worker)
        # Start together, so a worker that was slow to start does not find the budget spent.
        with contextlib.suppress(Exception):
            barrier.wait(timeout=120)
        # Share the cores: a worker's native thread pools get cores / workers threads.
        share = max(1, (os.cpu_count() or 1) // job.n_workers)
        current = max((int(p["num_threads"]) for p in threadpool_info()), default=share)
        with threadpool_limits(limits=min(share, current)):
            _run_trials(study, objective, job, _budget_lock(job.lock_path))
    except BaseException:
        errors.put((worker, traceback.format_exc()))
        barrier.abort()  # release the other workers if this one failed before the start
        raise SystemExit(1) from None
    finally:
        _close_storage(storage)


class _Progress:
    """A tqdm bar in the calling process, or one line per trial on standard error.

    The bar counts trials finished by every worker (Optuna's own bar lives inside
    ``study.optimize`` in the process running the trials, so it cannot see the others).
    Where tqdm is missing or warns (a notebook without ipywidgets), plain lines are shown.
    """

    def __init__(self, enabled: bool, total: int | None, metric: str) -> None:
        import warnings

        self.metric = _METRIC_WORDS[metric]
        self.enabled = enabled
        self.bar: Any = None
        if not enabled:
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                from tqdm.auto import tqdm  # type: ignore[import-untyped]

                self.bar = tqdm(total=total, unit="trial", desc="Tuning")
        except (ImportError, Warning):
            self.bar = None

    def update(self, trial: optuna.trial.FrozenTrial, best: float | None) -> None:
        if not self.enabled:
            return
        best_text = "n/a" if best is None else f"{best:.4f}"
        if self.bar is not None:
            self.bar.set_postfix_str(f"best {self.metric} {best_text}", refresh=False)
            self.bar.update(1)
        else:
            value = "n/a" if trial.value is None else f"{trial.value:.4f}"
            print(
                f"Trial {trial.number} {trial.state.name.lower()}: {self.metric} {value} "
                f"(best so far {best_text})",
                file=sys.stderr,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run_workers(
    job: _Job,
    study: optuna.Study,
    seen: set[int],
    report: Callable[[optuna.trial.FrozenTrial], None],
) -> None:
    """Run ``job.n_workers`` spawned processes and report their trials as they finish."""
    import multiprocessing

    from optuna.trial import TrialState

    ctx = multiprocessing.get_context("spawn")
    errors = ctx.SimpleQueue()
    barrier = ctx.Barrier(job.n_workers)
    processes = [
        ctx.Process(
            target=_worker_main,
            args=(job, k, barrier, errors),
            name=f"mlops-kit-tune-{k}",
            daemon=True,
        )
        for k in range(job.n_workers)
    ]
    finished = (TrialState.COMPLETE, TrialState.PRUNED)

    def poll() -> None:
        for t in study.get_trials(deepcopy=False, states=finished):
            if t.number not in seen:
                seen.add(t.number)
                report(t)

    try:
        for p in processes:
            p.start()
        while any(p.is_alive() for p in processes):
            next(p for p in processes if p.is_alive()).join(timeout=0.25)
            poll()
            if any(p.exitcode not in (None, 0) for p in processes):
                break  # one worker failed: stop the others (finally) and report it
        poll()
    finally:
        for p in processes:
            if p.is_alive():
                p.terminate()
            p.join()
    failures = []
    while not errors.empty():
        worker, text = errors.get()
        failures.append(f"Worker process {worker} failed:\n{text}")
    failures += [
        f"Worker process {k} ended with exit code {p.exitcode}."
        for k, p in enumerate(processes)
        if p.exitcode not in (0, None) and not any(f"process {k} " in f for f in failures)
    ]
    if failures:
        raise TuningError("\n".join(failures))


# ---------------------------------------------------------------------------------------
# The public entry point
# ---------------------------------------------------------------------------------------


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
    import optuna
    import pandas as pd
    from optuna.trial import TrialState

    start = time.perf_counter()
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
    folds = [(tr, te) for tr, te in splitter.split(X, y_arr)]

    temporary: str | None = None
    if spec.kind == "memory" and n_workers > 1:
        temporary = tempfile.mkdtemp(prefix="mlops-kit-tune-")
        run_spec = _parse_storage(journal_storage_url(Path(temporary) / "study.log"))
    else:
        run_spec = spec
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    opened = None
    try:
        opened = _open_storage(run_spec)
        study = optuna.create_study(
            storage=opened,
            study_name=name,
            direction=direction,
            pruner=_pruner(pruning, cv_folds),
            load_if_exists=True,
        )
        _check_study(study, name, spec, model=model, task=task, metric=metric)
        existing = study.get_trials(deepcopy=False)
        finished_states = (TrialState.COMPLETE, TrialState.PRUNED)
        n_previous = sum(t.state in finished_states for t in existing)
        stale = frozenset(t.number for t in existing if t.state == TrialState.RUNNING)
        study.sampler = _sampler(seed, n_previous, 0, n_trials)
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
            pruning=pruning,
            storage=run_spec,
            study_name=name,
            n_trials=n_trials,
            deadline=None if timeout is None else time.time() + timeout,
            stale=stale,
            n_previous=n_previous,
            n_workers=n_workers,
            lock_path=_lock_path(run_spec, name),
        )
        remaining = None if n_trials is None else max(0, n_trials - n_previous)
        bar = _Progress(progress, remaining, metric)
        seen = {t.number for t in existing if t.state in finished_states}
        best: list[float] = [
            t.value for t in existing if t.state == TrialState.COMPLETE and t.value is not None
        ]

        def report(trial: optuna.trial.FrozenTrial) -> None:
            if trial.state == TrialState.COMPLETE and trial.value is not None:
                best.append(trial.value)
            top = (max(best) if direction == "maximize" else min(best)) if best else None
            bar.update(trial, top)
            if on_trial is not None:
                on_trial(_trial_record(trial, space))

        try:
            if n_workers == 1:
                _run_trials(study, _Objective(job, 0), job, _budget_lock(job.lock_path), report)
            else:
                _run_workers(job, study, seen, report)
        finally:
            bar.close()
        trials = study.get_trials(deepcopy=False)
        importances = _importances(trials, space, direction, seed)
    finally:
        optuna.logging.set_verbosity(verbosity)
        _close_storage(opened)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)

    done = sorted((t for t in trials if t.state in finished_states), key=lambda t: t.number)
    complete = [t for t in done if t.state == TrialState.COMPLETE]
    if not complete:
        raise TuningError(
            f"No trial completed within the budget (n_trials={n_trials}, timeout={timeout}); "
            f"{len(done)} trial(s) finished, all pruned. Raise the budget."
        )
    pick = max if direction == "maximize" else min
    best_trial = pick(complete, key=lambda t: float(t.value))  # type: ignore[arg-type]
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
        reason = "Not reproducible: " + "; ".join(reasons) + "."
    else:
        reason = (
            f"Reproducible: one worker, seed {seed}, a budget of {n_trials} trials and a fresh "
            "study, so the same call gives the same trials and best parameters."
        )
    records = [_trial_record(t, space) for t in done]
    table = pd.DataFrame.from_records(records, columns=_columns(space))
    table["datetime_complete"] = pd.to_datetime(table["datetime_complete"])
    return TuningResult(
        best_params=dict(best_trial.params),
        best_value=float(best_trial.value),  # type: ignore[arg-type]
        metric=metric,
        direction=direction,
        n_trials=len(done),
        n_complete=len(complete),
        n_pruned=len(done) - len(complete),
        trials=table,
        reproducible=not reasons,
        reproducible_reason=reason,
        storage=spec.shown,
        study_name=name,
        seconds=time.perf_counter() - start,
        seed=seed,
        model=model,
        task=task,
        best_trial=best_trial.number,
        n_previous=n_previous,
        n_workers=n_workers,
        cv_scheme=_cv_words(task, cv_folds, time_ordered),
        search_space={k: v.model_dump() for k, v in space.items()},
        importances=importances,
    )


def _check_study(
    study: optuna.Study, name: str, spec: _StorageSpec, *, model: str, task: str, metric: str
) -> None:
    """Tag a new study with what it tunes; refuse a stored study made for something else."""
    wanted = {"model": model, "task": task, "metric": metric}
    found = study.user_attrs.get("mlops_kit")
    if found is None:
        study.set_user_attr("mlops_kit", wanted)
        return
    if found != wanted:
        raise ConfigError(
            f"Config key 'tuning.study_name' names study '{name}' in {spec.shown}, which tunes "
            f"model '{found.get('model')}' ({found.get('task')}) for metric "
            f"'{found.get('metric')}'; this run tunes model '{model}' ({task}) for '{metric}'. "
            "Choose another study_name or storage."
        )


def _distribution(dim: SearchDimension) -> Any:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if dim.type == "categorical":
        assert dim.choices is not None
        return CategoricalDistribution(dim.choices)
    assert dim.low is not None
    assert dim.high is not None
    if dim.type == "int":
        return IntDistribution(int(dim.low), int(dim.high), log=dim.log)
    return FloatDistribution(float(dim.low), float(dim.high), log=dim.log)


def _importances(
    trials: Sequence[optuna.trial.FrozenTrial],
    space: Mapping[str, SearchDimension],
    direction: Direction,
    seed: int,
) -> dict[str, float]:
    """Each parameter's share of the variation in the first-fold score (fANOVA).

    Every finished trial, complete or pruned, has a first-fold score, so all of them
    count. Importances from complete trials alone would hide what pruning removed: the
    trials that show how bad a parameter's poor values are. Returns {} with fewer than
    two such trials or parameters.
    """
    import optuna
    from optuna.importance import FanovaImportanceEvaluator
    from optuna.trial import TrialState

    if len(space) < 2:
        return {}
    current = {k: _distribution(d) for k, d in space.items()}
    usable = [
        t
        for t in trials
        if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
        and 1 in t.intermediate_values
        and all(t.distributions.get(k) == d for k, d in current.items())
    ]
    if len(usable) < 2:
        return {}
    first_fold = optuna.create_study(direction=direction)
    first_fold.add_trials(
        [
            optuna.trial.create_trial(
                params={k: t.params[k] for k in current},
                distributions=current,
                value=t.intermediate_values[1],
            )
            for t in usable
        ]
    )
    values = optuna.importance.get_param_importances(
        first_fold, evaluator=FanovaImportanceEvaluator(seed=seed), params=list(current)
    )
    return {k: float(v) for k, v in sorted(values.items(), key=lambda kv: -kv[1])}


def _columns(space: Mapping[str, Any]) -> list[str]:
    return [
        "number",
        "value",
        "state",
        "duration_seconds",
        "folds_done",
        "worker",
        "datetime_complete",
        *(f"params_{k}" for k in space),
    ]


def _trial_record(trial: optuna.trial.FrozenTrial, space: Mapping[str, Any]) -> dict[str, Any]:
    duration = trial.duration.total_seconds() if trial.duration is not None else math.nan
    record: dict[str, Any] = {
        "number": trial.number,
        "value": math.nan if trial.value is None else float(trial.value),
        "state": trial.state.name,
        "duration_seconds": duration,
        "folds_done": len(trial.intermediate_values),
        "worker": trial.user_attrs.get("worker"),
        "datetime_complete": trial.datetime_complete,
    }
    for k in space:
        record[f"params_{k}"] = trial.params.get(k)
    return record


# ---------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class TuningResult:
    """The outcome of :func:`tune`.

    ``trials`` has one row per finished trial: ``number``, ``value`` (the
    cross-validated metric; for a pruned trial the running mean when it stopped),
    ``state`` (``COMPLETE`` or ``PRUNED``), ``duration_seconds``, ``folds_done``,
    ``worker`` (which worker process ran it), ``datetime_complete`` and one
    ``params_<name>`` column per parameter. ``best_value`` is in the metric's natural
    sign (RMSE positive, negative log loss negative).

    ``importances`` maps each parameter to its share (summing to 1) of the variation
    in the first-fold score over every finished trial (Optuna's fANOVA); it is empty
    with fewer than two trials or parameters. The first-fold score is used because
    every trial has one: importances from complete trials alone would miss the trials
    pruning stopped, which are the ones showing which values are bad.
    """

    best_params: dict[str, Any]
    best_value: float
    metric: str
    direction: Direction
    n_trials: int
    n_complete: int
    n_pruned: int
    trials: pd.DataFrame = field(repr=False)
    reproducible: bool
    reproducible_reason: str
    storage: str | None
    study_name: str
    seconds: float
    seed: int
    model: str = ""
    task: str = "classification"
    best_trial: int = 0
    n_previous: int = 0
    n_workers: int = 1
    cv_scheme: str = ""
    search_space: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    importances: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def _metric_words(self) -> str:
        return _METRIC_WORDS.get(self.metric, self.metric)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (trials as a list of records)."""
        records = []
        for row in self.trials.to_dict(orient="records"):
            clean: dict[str, Any] = {}
            for k, v in row.items():
                if hasattr(v, "isoformat"):
                    v = None if v != v else v.isoformat()  # NaT != NaT
                elif isinstance(v, np.generic):
                    v = v.item()
                if isinstance(v, float) and not math.isfinite(v):
                    v = None
                clean[str(k)] = v
            records.append(clean)
        return {
            "model": self.model,
            "task": self.task,
            "metric": self.metric,
            "direction": self.direction,
            "best_params": {
                k: v.item() if isinstance(v, np.generic) else v for k, v in self.best_params.items()
            },
            "best_value": self.best_value,
            "best_trial": self.best_trial,
            "n_trials": self.n_trials,
            "n_complete": self.n_complete,
            "n_pruned": self.n_pruned,
            "n_previous": self.n_previous,
            "n_workers": self.n_workers,
            "cv_scheme": self.cv_scheme,
            "reproducible": self.reproducible,
            "reproducible_reason": self.reproducible_reason,
            "storage": self.storage,
            "study_name": self.study_name,
            "seconds": round(self.seconds, 3),
            "seed": self.seed,
            "search_space": self.search_space,
            "importances": self.importances,
            "summary": self.summary(),
            "trials": records,
        }

    def summary(self) -> str:
        """The result in plain words."""
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in self.best_params.items())
        previous = f", {self.n_previous} of them from an earlier run" if self.n_previous else ""
        workers = f" across {self.n_workers} worker processes" if self.n_workers > 1 else ""
        return (
            f"Tuned the {self.model} model with {self.n_trials} trials{previous} "
            f"({self.n_complete} complete, {self.n_pruned} stopped early by pruning) in "
            f"{self.seconds:.1f} s{workers}, scored by {self.cv_scheme}. The best "
            f"cross-validated {self._metric_words} was {self.best_value:.4f} (trial "
            f"{self.best_trial}), with {params}. {self.reproducible_reason}"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in self.best_params.items()
        )
        return (
            f"<p>{html.escape(self.summary())}</p>"
            f"<table><caption>Best parameters</caption><thead><tr><th>parameter</th>"
            f"<th>value</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    # -- figures ---------------------------------------------------------------------------

    def history_figure(self, *, ax: Axes | None = None) -> DescribedFigure:
        """Every trial's score, pruned trials marked apart, and the best so far as a step line."""
        from .plots import _new_axes

        fig, ax = _new_axes(ax, (6.5, 4.0))
        t = self.trials
        complete = t[t["state"] == "COMPLETE"]
        pruned = t[t["state"] == "PRUNED"]
        ax.scatter(
            complete["number"],
            complete["value"],
            marker="o",
            color=PALETTE[0],
            s=28,
            label="complete trial (all folds)",
            zorder=3,
        )
        if len(pruned):
            ax.scatter(
                pruned["number"],
                pruned["value"],
                marker="x",
                color=PALETTE[5],
                s=30,
                label="pruned trial (score when stopped)",
                zorder=3,
            )
        values = complete["value"].to_numpy(dtype=float)
        running = (
            np.maximum.accumulate(values)
            if self.direction == "maximize"
            else np.minimum.accumulate(values)
        )
        ax.step(
            complete["number"],
            running,
            where="post",
            color="black",
            linestyle="--",
            label="best so far",
        )
        ax.set_xlabel("trial number")
        ax.set_ylabel(f"cross-validated {self._metric_words}")
        ax.legend(loc="best", fontsize=8)
        title = "Tuning history"
        ax.set_title(title)
        first = float(values[0])
        better = "higher" if self.direction == "maximize" else "lower"
        text = (
            f"Cross-validated {self._metric_words} ({better} is better) of each of "
            f"{self.n_trials} trials: {self.n_complete} complete (circles) and "
            f"{self.n_pruned} pruned after their first folds (crosses, at the score they "
            f"had when stopped). The dashed step line is the best complete score so far: "
            f"it starts at {first:.4f} and reaches the best value, {self.best_value:.4f}, "
            f"at trial {self.best_trial}."
        )
        return DescribedFigure(fig, title, text)

    def importance_figure(self, *, ax: Axes | None = None) -> DescribedFigure:
        """How much each parameter mattered, as labelled bars.

        Importances are Optuna's fANOVA: each parameter's share of the variation in the
        first-fold score, over every finished trial (pruned ones included; see
        :attr:`importances`).
        """
        from .plots import _new_axes

        title = "Hyperparameter importance"
        if not self.importances:
            fig, ax = _new_axes(ax, (6.0, 2.0))
            reason = (
                f"Importance needs at least two finished trials and two parameters; this "
                f"study has {self.n_trials} finished trial(s) and "
                f"{len(self.search_space)} parameter(s), so there is nothing to compare."
            )
            ax.text(0.5, 0.5, reason, ha="center", va="center", wrap=True, fontsize=9)
            ax.set_axis_off()
            ax.set_title(title)
            return DescribedFigure(fig, title, reason)
        names = list(self.importances)
        shares = np.array([self.importances[n] for n in names])
        fig, ax = _new_axes(ax, (6.0, 1.0 + 0.45 * len(names)))
        y = np.arange(len(names))
        ax.barh(y, shares, color=PALETTE[0], edgecolor="black")
        for i, s in enumerate(shares):
            ax.text(s + 0.01, i, f"{s:.0%}", va="center", fontsize=9)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, min(1.15, float(shares.max()) + 0.15))
        ax.set_xlabel("share of importance")
        ax.set_title(title)
        listed = ", ".join(f"{n} {self.importances[n]:.0%}" for n in names[1:])
        text = (
            f"Share of the variation in the first-fold {self._metric_words} explained by each "
            f"parameter (Optuna's fANOVA over all {self.n_trials} trials, pruned ones "
            f"included, since every trial has a first-fold score). {names[0]} "
            f"mattered most ({shares[0]:.0%})" + (f", then {listed}." if listed else ".")
        )
        return DescribedFigure(fig, title, text)

    def slice_figure(self) -> DescribedFigure:
        """One panel per parameter: each trial's value of it against its score."""
        from matplotlib.figure import Figure

        names = list(self.search_space)
        cols = min(3, len(names))
        rows = math.ceil(len(names) / cols)
        fig = Figure(figsize=(3.2 * cols, 2.8 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        t = self.trials
        best = t[t["number"] == self.best_trial]
        parts = []
        for ax, name in zip(axes, names, strict=False):
            dim = self.search_space[name]
            col = f"params_{name}"
            choices = [str(c) for c in dim.get("choices") or ()]

            def position(values: pd.Series, choices: list[str] = choices) -> Any:
                # Categorical choices sit at 0, 1, 2, ... along the axis.
                return values.map(lambda v: choices.index(str(v))) if choices else values

            for state, marker, colour, label in (
                ("COMPLETE", "o", PALETTE[0], "complete"),
                ("PRUNED", "x", PALETTE[5], "pruned"),
            ):
                rows_ = t[t["state"] == state]
                ax.scatter(
                    position(rows_[col]),
                    rows_["value"],
                    marker=marker,
                    color=colour,
                    s=18,
                    label=label,
                )
            bx = position(best[col])
            if choices:
                ax.set_xticks(range(len(choices)), choices)
            ax.scatter(
                bx,
                best["value"],
                marker="*",
                s=160,
                color=PALETTE[2],
                edgecolor="black",
                label="best",
                zorder=4,
            )
            if dim.get("log"):
                ax.set_xscale("log")
            ax.set_xlabel(name + (" (log scale)" if dim.get("log") else ""))
            ax.set_ylabel(self._metric_words)
            value = self.best_params.get(name)
            where = (
                f"{dim['low']:g} to {dim['high']:g}{', log scale' if dim.get('log') else ''}"
                if dim["type"] != "categorical"
                else "choices " + ", ".join(str(c) for c in dim["choices"])
            )
            parts.append(f"{name} {_fmt(value)} (searched {where})")
        for ax in axes[len(names) :]:
            ax.set_axis_off()
        axes[0].legend(loc="best", fontsize=7)
        title = "Score against each hyperparameter"
        fig.suptitle(title)
        text = (
            f"One panel per hyperparameter: each of the {self.n_trials} trials' value of it "
            f"(across) against its cross-validated {self._metric_words} (up); circles are "
            f"complete trials, crosses pruned ones, the star the best trial "
            f"({self.best_value:.4f}), at " + "; ".join(parts) + "."
        )
        return DescribedFigure(fig, title, text)
