"""Running an Optuna study: its storage, sampler, pruner, workers, and importances.

:func:`run_study` opens (or resumes) the study in its storage, runs the trials in this
process or in worker processes until the budget is spent, and computes each
parameter's importance (fANOVA) from the finished trials.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import SearchDimension
from ._result import _trial_record
from ._space import Direction, _distribution
from ._storage import (
    _budget_lock,
    _check_study,
    _close_storage,
    _lock_path,
    _open_storage,
    _parse_storage,
    journal_storage_url,
)
from ._workers import _Job, _Objective, _Progress, _pruner, _run_trials, _run_workers, _sampler

if TYPE_CHECKING:
    import optuna

__all__ = ["run_study"]


def run_study(
    job: _Job,
    direction: Direction,
    *,
    timeout: float | None,
    cv_folds: int,
    progress: bool,
    on_trial: Callable[[dict[str, Any]], None] | None,
) -> tuple[list[optuna.trial.FrozenTrial], dict[str, float], int]:
    """Run ``job``'s study to its budget: every trial, the importances, earlier trials' count.

    An in-memory study with several workers runs in a temporary journal file, removed
    afterwards; Optuna's log is quietened to warnings while it runs.
    """
    import optuna
    from optuna.trial import TrialState

    spec = job.storage
    temporary: str | None = None
    if spec.kind == "memory" and job.n_workers > 1:
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
            study_name=job.study_name,
            direction=direction,
            pruner=_pruner(job.pruning, cv_folds),
            load_if_exists=True,
        )
        _check_study(study, job.study_name, spec, model=job.model, task=job.task, metric=job.metric)
        existing = study.get_trials(deepcopy=False)
        finished_states = (TrialState.COMPLETE, TrialState.PRUNED)
        n_previous = sum(t.state in finished_states for t in existing)
        stale = frozenset(t.number for t in existing if t.state == TrialState.RUNNING)
        study.sampler = _sampler(job.sampler_seed, n_previous, 0, job.n_trials)
        job = replace(
            job,
            storage=run_spec,
            deadline=None if timeout is None else time.time() + timeout,
            stale=stale,
            n_previous=n_previous,
            lock_path=_lock_path(run_spec, job.study_name),
        )
        remaining = None if job.n_trials is None else max(0, job.n_trials - n_previous)
        bar = _Progress(progress, remaining, job.metric)
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
                on_trial(_trial_record(trial, job.space))

        try:
            if job.n_workers == 1:
                _run_trials(study, _Objective(job, 0), job, _budget_lock(job.lock_path), report)
            else:
                _run_workers(job, study, seen, report)
        finally:
            bar.close()
        trials = study.get_trials(deepcopy=False)
        importances = _importances(trials, job.space, direction, job.seed)
    finally:
        optuna.logging.set_verbosity(verbosity)
        _close_storage(opened)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return trials, importances, n_previous


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
    two such trials or parameters, or when every trial scored the same (there is no
    variation to share out).
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
    if len(usable) < 2 or len({t.intermediate_values[1] for t in usable}) < 2:
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
