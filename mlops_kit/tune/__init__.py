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

For the lesson
--------------
:func:`training_sample` draws a seeded sample of a bundled dataset's training rows;
:func:`compare_search_methods` runs grid, random and TPE search on the same folds,
metric and trial budget; :func:`trial_progress` turns the trials :func:`tune` reports
to its ``on_trial`` hook into a table with the best score so far (the model behind
:class:`mlops_kit.widgets.TuningWidget`); :func:`search_space_table` shows a search
space next to the estimator's defaults.

Modules: ``_space`` (search spaces, metrics, folds), ``_storage`` (storage URLs and
the budget lock), ``_workers`` (the objective, the budget loop, worker processes),
``_study`` (running a study), ``_tune`` (:func:`tune`), ``_result``
(:class:`TuningResult` and its figures), ``_progress``, ``_data``, ``_compare`` and
``_comparison`` (:class:`SearchComparison`).
"""

from __future__ import annotations

from ._compare import compare_search_methods
from ._comparison import SearchComparison
from ._data import TuningData, training_sample
from ._progress import TuningProgress, trial_progress
from ._result import TuningResult
from ._space import DEFAULT_SEARCH_SPACES, search_space_table
from ._storage import journal_storage_url
from ._tune import tune

__all__ = [
    "DEFAULT_SEARCH_SPACES",
    "SearchComparison",
    "TuningData",
    "TuningProgress",
    "TuningResult",
    "compare_search_methods",
    "journal_storage_url",
    "search_space_table",
    "training_sample",
    "trial_progress",
    "tune",
]
