"""The tune stage: search hyperparameters on the training rows (Optuna)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import atomic_write_json
from ..config import TuneParams, validate_params
from ..data import ColumnRoles, binary_target
from ._folder import TUNING_FILE, audit_event, resolve_run_dir
from ._stages import _load_verified, check_model_for_task, read_dataset_record, save_figures

if TYPE_CHECKING:
    from ..tune import TuningResult

__all__ = ["tune_stage"]


def tune_stage(run_dir: str | os.PathLike[str], **params: Any) -> TuningResult | None:
    """Tune the model's hyperparameters by cross-validation on the training rows.

    The rows are those the train stage will train on (the same split, seed and test
    size), so the held-out rows never influence the choice. Writes ``tuning.json``
    (best parameters, every trial, whether the search is reproducible) and the tuning
    figures. With ``tuning.n_trials: 0`` and no time budget nothing is tuned and the
    train stage uses the model family's defaults.

    Parameters
    ----------
    run_dir : path-like
        The run folder, holding ``dataset.json`` from the validate stage.
    **params
        The config keys of :class:`mlops_kit.config.TuneParams`.

    Returns
    -------
    TuningResult or None
        None when tuning is switched off.
    """
    from ..data import split_data
    from ..tune import tune

    p: TuneParams = validate_params(params, model=TuneParams, source="tune stage")
    folder = resolve_run_dir(run_dir)
    record = read_dataset_record(folder, stage="tune")
    task = record["task"]
    check_model_for_task(p.model, task)
    settings = p.tuning
    if settings.n_trials == 0 and settings.timeout is None:
        atomic_write_json(
            folder / TUNING_FILE,
            {
                "skipped": True,
                "reason": "tuning.n_trials is 0: the model family's defaults are used",
            },
        )
        return None
    roles = ColumnRoles.from_dict(record["profile"]["roles"])
    df = _load_verified(record)
    target = df[roles.target]
    y = (
        binary_target(target, record["profile"]["target"]["positive_label"])
        if task == "classification"
        else target.to_numpy(dtype=float)
    )
    split = split_data(
        df,
        method=p.split,
        test_size=p.test_size,
        time_column=roles.time_column,
        stratify=y if task == "classification" and p.split == "random" else None,
        seed=p.seed,
    )
    rows = split.train_index
    if p.split == "time":
        # Time-ordered cross-validation needs the training rows in time order.
        order = np.argsort(df[roles.time_column].to_numpy()[rows], kind="stable")
        rows = rows[order]
    result = tune(
        df.iloc[rows][list(roles.features)],
        y[rows],
        model=p.model,
        task=task,
        roles=roles,
        search_space=(
            {k: v.model_dump() for k, v in settings.search_space.items()}
            if settings.search_space
            else None
        ),
        metric=settings.metric,
        n_trials=settings.n_trials,
        timeout=settings.timeout,
        cv_folds=settings.cv_folds,
        time_ordered=p.split == "time",
        seed=p.seed,
        storage=settings.storage,
        study_name=settings.study_name,
        n_workers=settings.n_workers,
        pruning=settings.pruning,
    )
    atomic_write_json(folder / TUNING_FILE, {"skipped": False, **result.to_dict()})
    save_figures(
        folder,
        [
            ("tuning_history", result.history_figure()),
            ("tuning_importance", result.importance_figure()),
            ("tuning_slice", result.slice_figure()),
        ],
        section="tuning",
    )
    audit_event(
        folder,
        "tuned",
        metric=result.metric,
        best_value=result.best_value,
        best_params=result.best_params,
        n_trials=result.n_trials,
        n_pruned=result.n_pruned,
        reproducible=result.reproducible,
    )
    return result
