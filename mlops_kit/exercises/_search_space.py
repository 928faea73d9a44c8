"""Exercise 2, "search_space": tuning as config, the metric to optimise, and a study's record.

The scenario continues exercise 1: the benefits fraud-and-error review team's model is
tuned automatically. Learners write a search space for the random forest as config
(checked against the estimator's own parameter rules and the kit's default scales),
choose the metric the tuner should optimise for the team, read the best trial, the
number of pruned trials and the model fits pruning saved off a study's record of
every trial, and choose a storage for several worker processes.

Every expected answer is computed: the search space is checked by scikit-learn itself
(each end of each range is set on the estimator and fitted on a few rows) and against
:data:`mlops_kit.tune.DEFAULT_SEARCH_SPACES`; the study answers come from the trials
table the learner is given (or any other passed as ``data``). Question 1's checks are in
``_search_space_q1``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import TUNING_METRICS
from ..course import TUNING_GLOSSARY
from ..errors import DataValidationError
from ..tune import tune
from ._checks import Mistake, check_choice, check_number
from ._feedback import Feedback
from ._framework import Exercise, Question
from ._search_space_q1 import _TASK, MODEL, REQUIRED, check_q1, exercise_sample

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXERCISE", "MODEL", "REQUIRED", "study_trials"]

# The study learners read: settings fixed here, results computed when first needed.
_STUDY = {
    "model": "hgb",
    "metric": "average_precision",
    "n_trials": 20,
    "cv_folds": 5,
    "seed": 2,
}


@functools.lru_cache(maxsize=1)
def _study() -> pd.DataFrame:
    data = exercise_sample()
    result = tune(data.X, data.y, roles=data.roles, task=_TASK, **_STUDY)  # type: ignore[arg-type]
    return result.trials


def study_trials() -> pd.DataFrame:
    """The record of every trial of the exercise's study (a fresh copy each call).

    A histogram gradient boosting model tuned with TPE and pruning for average
    precision, 20 trials of 5-fold cross-validation on 4,000 training claims
    (one worker, a fixed seed: the same table every time). Computed once per
    process, in a few seconds.

    Returns
    -------
    pandas.DataFrame
        One row per trial: ``number``, ``value``, ``state`` (``COMPLETE`` or
        ``PRUNED``), ``duration_seconds``, ``folds_done``, ``worker``,
        ``datetime_complete`` and one ``params_<name>`` column per hyperparameter.
    """
    return _study().copy()


# ---------------------------------------------------------------------------------------
# Question 2: the metric to optimise
# ---------------------------------------------------------------------------------------

_METRIC_ALIASES = {
    "ap": "average_precision",
    "pr_auc": "average_precision",
    "auc_pr": "average_precision",
    "average_precision_score": "average_precision",
    "precision_recall_auc": "average_precision",
    "auc": "roc_auc",
    "roc": "roc_auc",
    "auc_roc": "roc_auc",
    "roc_auc_score": "roc_auc",
    "log_loss": "neg_log_loss",
    "logloss": "neg_log_loss",
    "f1_score": "f1",
    "accuracy_score": "accuracy",
}


def _check_q2(answer: Any, data: Any) -> Feedback:
    base_rate = float(np.mean(exercise_sample().y))
    offered = ", ".join(TUNING_METRICS[_TASK])
    return check_choice(
        answer,
        right="average_precision",
        aliases=_METRIC_ALIASES,
        options={
            "accuracy": (
                f"Only {base_rate:.1%} of the training claims involve fraud or error, so a "
                f"model that flags nobody is {1 - base_rate:.1%} accurate. Tuning for accuracy "
                "would reward exactly that; the kit does not even offer it "
                f"(its metrics are {offered})."
            ),
            "roc_auc": (
                "ROC AUC is threshold-free, which is right for tuning, but it weighs the "
                "order of the whole list equally: the thousands of claims at the bottom that "
                f"nobody will ever review count as much as the top. With {base_rate:.1%} of "
                "claims positive, which metric concentrates on how many of the top-ranked "
                "claims are real cases?"
            ),
            "average_precision": (
                "Right. Average precision (the area under the precision-recall curve) "
                "rewards a model whose highest-scored claims are most often real fraud or "
                "error, which is where the team's few review slots go, and it is not "
                f"flattered by the many easy negatives ({1 - base_rate:.1%} of claims). It is "
                "threshold-free, so the threshold can still be set afterwards."
            ),
            "neg_log_loss": (
                "Log loss rewards well-calibrated probabilities over the whole list. That "
                "matters if caseworkers read the scores as probabilities; the team's "
                "question is whether the top of the list holds real cases."
            ),
            "f1": (
                "F1 needs a threshold, and during tuning the scorer uses 0.5, not the "
                "threshold the team will set later. Tune for a threshold-free ranking "
                "metric and choose the threshold afterwards."
            ),
        },
    )


# ---------------------------------------------------------------------------------------
# Questions 3 to 5: reading the study's record
# ---------------------------------------------------------------------------------------


def _trials(data: Any) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"The search_space checks need the study's trials as a DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    for col in ("number", "value", "state", "folds_done"):
        if col not in data.columns:
            raise DataValidationError(
                f"The search_space checks need a column '{col}'; the table has "
                f"{', '.join(map(str, data.columns))}.",
                column=col,
            )
    return data


def _number_of(rows: pd.DataFrame, by: str) -> int:
    """The trial number of the row with the highest (``"max"``) or lowest value."""
    values = rows["value"].to_numpy(dtype=float)
    position = int(np.nanargmax(values) if by == "max" else np.nanargmin(values))
    return int(rows["number"].to_numpy()[position])


def _check_q3(answer: Any, data: Any) -> Feedback:
    t = _trials(data)
    complete = t[t["state"] == "COMPLETE"]
    expected = _number_of(complete, "max")
    best = float(complete["value"].max())
    top_any = _number_of(t, "max")
    top_value = float(t["value"].max())
    return check_number(
        answer,
        expected,
        what="number of the best trial",
        lower=0,
        upper=float(t["number"].max()),
        correct_message=(
            f"Right: trial {expected} has the best cross-validated average precision of the "
            f"{len(complete)} complete trials, {best:.4f}. Its parameters are the ones the "
            "pipeline would train with."
        ),
        mistakes=[
            Mistake(
                top_any if top_any != expected else None,
                f"Trial {top_any} has the highest value in the table ({top_value:.4f}), but it "
                "was pruned: its value is the mean of only the folds it finished, not a full "
                "cross-validated score, so it cannot be compared with complete trials. Keep "
                "only the rows whose state is COMPLETE.",
            ),
            Mistake(
                _number_of(complete, "min"),
                "That is the complete trial with the lowest average precision. Higher is "
                "better for this metric: use `.idxmax()`, not `.idxmin()`.",
            ),
            Mistake(
                int(t["number"].max()),
                "That is the last trial, not the best. Later trials are often better, but "
                "not always: compare the values.",
            ),
            Mistake(
                best,
                "That is the best score itself. The question asks for the `number` of the "
                "trial that scored it.",
            ),
        ],
    )


def _folds(t: pd.DataFrame) -> int:
    return int(t.loc[t["state"] == "COMPLETE", "folds_done"].max())


def _check_q4(answer: Any, data: Any) -> Feedback:
    t = _trials(data)
    pruned = int((t["state"] == "PRUNED").sum())
    complete = int((t["state"] == "COMPLETE").sum())
    return check_number(
        answer,
        pruned,
        what="number of pruned trials",
        lower=0,
        upper=len(t),
        correct_message=(
            f"Right: {pruned} of the {len(t)} trials were pruned, stopped after their first "
            f"folds because they were already behind; {complete} ran all {_folds(t)} folds."
        ),
        mistakes=[
            Mistake(
                complete,
                "That is the number of complete trials. Count the rows whose state is PRUNED.",
            ),
            Mistake(
                len(t),
                "That is every trial in the study. Count only the rows whose state is PRUNED.",
            ),
            Mistake(
                pruned / len(t),
                "That is the share of trials pruned. The question asks how many.",
            ),
        ],
    )


def _check_q5(answer: Any, data: Any) -> Feedback:
    t = _trials(data)
    folds = _folds(t)
    pruned = t[t["state"] == "PRUNED"]
    done = int(pruned["folds_done"].sum())
    saved = len(pruned) * folds - done
    total = int(t["folds_done"].sum())
    return check_number(
        answer,
        saved,
        what="number of model fits pruning saved",
        lower=0,
        upper=len(t) * folds,
        correct_message=(
            f"Right: the {len(pruned)} pruned trials skipped {saved} of their "
            f"{len(pruned) * folds} fits. The study fitted {total} models instead of "
            f"{len(t) * folds}, {saved / (len(t) * folds):.0%} less compute for the same "
            "number of trials."
        ),
        mistakes=[
            Mistake(
                len(pruned),
                "That counts pruned trials, not model fits. Each trial fits one model per "
                f"fold ({folds} folds); a pruned trial skips the folds it did not reach.",
            ),
            Mistake(
                done,
                "That is the number of fits the pruned trials did run. The question asks "
                f"for the ones they skipped: {folds} minus `folds_done`, for each pruned trial.",
            ),
            Mistake(
                len(pruned) * folds,
                "That assumes the pruned trials fitted nothing, but each ran at least one "
                "fold before it was stopped. Subtract the folds they did run (`folds_done`).",
            ),
            Mistake(
                total,
                "That is every fit the study ran. The question asks for the fits pruning "
                "saved: the folds the pruned trials did not reach.",
            ),
        ],
    )


# ---------------------------------------------------------------------------------------
# Question 6: storage for several workers
# ---------------------------------------------------------------------------------------

_SERVER = (
    "A database server works for several workers, and it is the right choice when "
    "several machines share a study. On one machine it is a server to run, secure and "
    "back up for no gain: a file the workers share is enough."
)


def _check_q6(answer: Any, data: Any) -> Feedback:
    if isinstance(answer, str) and "://" in answer:
        answer = answer.split("://", 1)[0].split("+", 1)[0]
    return check_choice(
        answer,
        right="journal",
        aliases={
            "in_memory": "memory",
            "none": "memory",
            "inmemory": "memory",
            "journal_file": "journal",
            "journalstorage": "journal",
            "journal_storage": "journal",
            "journalfilestorage": "journal",
            "sqlite3": "sqlite",
            "postgres": "postgresql",
        },
        options={
            "memory": (
                "A study in memory lives inside one process: other worker processes cannot "
                "reach it, and it is gone when the process ends, so it cannot be resumed."
            ),
            "sqlite": (
                "SQLite locks the whole file on every write, so worker processes writing at "
                "once fail with 'database is locked'. The kit refuses SQLite with more than "
                "one worker for that reason."
            ),
            "journal": (
                "Right. Optuna's journal file appends each change under a file lock, so "
                "several processes on one machine can share it safely, and a later run "
                "resumes the study from it. In the pipeline config: "
                "`tuning.storage: journal:///path/study.log`."
            ),
            "postgresql": _SERVER,
            "mysql": _SERVER,
        },
    )


EXERCISE = Exercise(
    id="search_space",
    title="Tuning as config: a search space, a metric and a study's record",
    load_data=study_trials,
    terms=tuple(TUNING_GLOSSARY.items()),
    questions=(
        Question(
            id="search_space.q1",
            prompt="A search space for the random forest (rf) as a dict, with at least "
            "min_samples_leaf and max_features.",
            checker=check_q1,
            hint="Each entry looks like {'type': 'int', 'low': 1, 'high': 50, 'log': True}. "
            "`RandomForestClassifier().get_params()` lists the parameter names. "
            "min_samples_leaf is a whole number of claims per leaf; max_features is a share "
            "of the features (above 0, at most 1). Use a log scale for a range that spans "
            "orders of magnitude.",
        ),
        Question(
            id="search_space.q2",
            prompt="The metric the tuner should optimise for the review team: accuracy, "
            "roc_auc, average_precision, neg_log_loss or f1.",
            checker=_check_q2,
            hint="The team reviews the highest-scored claims first and never reaches most of "
            "the list, and few claims are positive. Which threshold-free metric looks at how "
            "many of the top-ranked claims are real cases?",
        ),
        Question(
            id="search_space.q3",
            prompt="The number of the study's best trial.",
            checker=_check_q3,
            hint='Keep the complete trials, `trials[trials["state"] == "COMPLETE"]`, then '
            'find the row with the highest `value` (`.idxmax()`) and read its "number".',
        ),
        Question(
            id="search_space.q4",
            prompt="How many of the study's trials were pruned.",
            checker=_check_q4,
            hint='Count the rows whose state is PRUNED: `(trials["state"] == "PRUNED").sum()`.',
        ),
        Question(
            id="search_space.q5",
            prompt="How many model fits pruning saved.",
            checker=_check_q5,
            hint="A complete trial fits one model per fold (its `folds_done`). For each pruned "
            "trial, the fits saved are the folds it did not reach: the number of folds minus "
            "its `folds_done`. Add them up.",
        ),
        Question(
            id="search_space.q6",
            prompt="The storage for four worker processes on one machine sharing a study that "
            "must survive a restart: memory, sqlite, journal, postgresql or mysql.",
            checker=_check_q6,
            hint="The workers are separate processes writing at the same time, on one "
            "machine. Which storage is a file they can all append to safely?",
        ),
    ),
)
