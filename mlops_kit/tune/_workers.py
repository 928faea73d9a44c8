"""Running trials: the objective, the budget loop, worker processes and the progress bar.

The same code runs trials in the calling process (one worker) and in spawned worker
processes sharing a stored study (several workers).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import SearchDimension
from ..errors import MlopsKitError
from ..train import build_pipeline
from ._space import _METRIC_WORDS, _METRICS, _suggest
from ._storage import _budget_lock, _close_storage, _open_storage, _StorageSpec

if TYPE_CHECKING:
    import multiprocessing.synchronize

    import optuna
    import pandas as pd

    from ..data import ColumnRoles

__all__ = ["TuningError"]


class TuningError(MlopsKitError, RuntimeError):
    """Tuning could not finish: a worker process failed, or no trial completed."""


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
    seed: int  # folds and model
    sampler_seed: int  # the TPE sampler
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
            sampler=_sampler(job.sampler_seed, job.n_previous, worker, job.n_trials),
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
