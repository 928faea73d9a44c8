"""Hyperparameter tuning: search spaces, pruning, budgets, storages, workers, figures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit, cross_val_score

from mlops_kit.config import MODELS_FOR_TASK, SearchDimension
from mlops_kit.data import ColumnRoles
from mlops_kit.errors import ConfigError
from mlops_kit.train import build_pipeline
from mlops_kit.tune import (
    DEFAULT_SEARCH_SPACES,
    TuningResult,
    cv_splitter,
    default_search_space,
    journal_storage_url,
    tune,
)

PARAMS = ["params_C"]


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, ColumnRoles]:
    """600 seeded rows: three numbers (one irrelevant) and a category drive a 0/1 target."""
    rng = np.random.default_rng(7)
    n = 600
    X = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "x3": rng.normal(size=n),
            "c": rng.choice(["a", "b", "c"], n),
        }
    )
    logit = 1.2 * X["x1"] - 0.8 * X["x2"] + 0.7 * (X["c"] == "a")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    roles = ColumnRoles(target="y", numeric=("x1", "x2", "x3"), categorical=("c",))
    return X, y, roles


@pytest.fixture(scope="module")
def two_params() -> dict[str, dict]:
    """Logistic regression's C (matters a lot for log loss) and tol (barely matters)."""
    return {
        "C": {"type": "float", "low": 1e-4, "high": 100.0, "log": True},
        "tol": {"type": "float", "low": 1e-6, "high": 1e-3, "log": True},
    }


@pytest.fixture(scope="module")
def pruned_run(data, two_params) -> TuningResult:
    """20 trials optimising log loss with pruning: shared by several tests."""
    X, y, roles = data
    return tune(
        X,
        y,
        model="logistic",
        roles=roles,
        search_space=two_params,
        metric="neg_log_loss",
        n_trials=20,
        seed=3,
    )


# -- search spaces -------------------------------------------------------------------------


def test_every_model_family_has_a_default_space_of_real_estimator_parameters() -> None:
    roles = ColumnRoles(target="y", numeric=("x",), categorical=("c",))
    expected = {(task, model) for task, models in MODELS_FOR_TASK.items() for model in models}
    assert set(DEFAULT_SEARCH_SPACES) == expected
    for task, model in expected:
        space = default_search_space(model, task)
        estimator = build_pipeline(model, roles, task=task).named_steps["model"]  # type: ignore[arg-type]
        assert set(space) <= set(estimator.get_params()), (task, model)
        assert all(isinstance(dim, SearchDimension) for dim in space.values())
    hgb = default_search_space("hgb", "classification")
    assert hgb["learning_rate"].log
    assert (hgb["learning_rate"].low, hgb["learning_rate"].high) == (0.02, 0.3)


def test_best_params_lie_in_the_space_and_match_scikit_learns_cross_validation(data) -> None:
    X, y, roles = data
    result = tune(X, y, model="logistic", roles=roles, n_trials=8, seed=0)
    assert 1e-3 <= result.best_params["C"] <= 100
    assert result.n_trials == len(result.trials) == 8
    assert result.trials["number"].tolist() == list(range(8))
    assert result.n_complete + result.n_pruned == 8
    complete = result.trials[result.trials["state"] == "COMPLETE"]
    assert result.best_value == complete["value"].max()
    best_row = int(np.argmax(complete["value"].to_numpy()))
    assert result.best_trial == complete["number"].to_numpy()[best_row]
    # The best value is the cross-validated ROC AUC scikit-learn gives for those parameters.
    again = cross_val_score(
        build_pipeline("logistic", roles, params=result.best_params),
        X,
        y,
        cv=cv_splitter("classification", folds=3, seed=0),
        scoring="roc_auc",
    ).mean()
    assert result.best_value == pytest.approx(again, abs=1e-12)
    assert (result.metric, result.direction) == ("roc_auc", "maximize")


def test_pruning_stops_unpromising_trials_after_their_first_fold(pruned_run, data) -> None:
    t = pruned_run.trials
    assert pruned_run.n_pruned >= 5
    assert (t.loc[t["state"] == "PRUNED", "folds_done"] < 3).all()
    assert (t.loc[t["state"] == "COMPLETE", "folds_done"] == 3).all()
    # Negative log loss is maximised and reported in its natural (negative) sign.
    assert pruned_run.direction == "maximize"
    assert pruned_run.best_value < 0
    X, y, roles = data
    unpruned = tune(X, y, model="logistic", roles=roles, n_trials=6, pruning=False)
    assert unpruned.n_pruned == 0
    assert (unpruned.trials["folds_done"] == 3).all()


# -- reproducibility -----------------------------------------------------------------------


def test_one_worker_and_a_seed_reproduce_the_same_trials(data) -> None:
    X, y, roles = data
    first = tune(X, y, model="logistic", roles=roles, n_trials=12, seed=5)
    second = tune(X, y, model="logistic", roles=roles, n_trials=12, seed=5)
    columns = ["number", "value", "state", *PARAMS]
    pd.testing.assert_frame_equal(first.trials[columns], second.trials[columns])
    assert first.best_params == second.best_params
    assert first.reproducible
    assert first.reproducible_reason.startswith("Reproducible")
    other = tune(X, y, model="logistic", roles=roles, n_trials=12, seed=6)
    assert other.trials["params_C"].tolist() != first.trials["params_C"].tolist()


def test_a_time_budget_makes_a_run_unreproducible_and_says_why(data) -> None:
    X, y, roles = data
    result = tune(X, y, model="logistic", roles=roles, n_trials=3, timeout=120)
    assert result.n_trials == 3  # the trial budget ran out first
    assert not result.reproducible
    assert "time budget" in result.reproducible_reason


# -- workers and storages ------------------------------------------------------------------


def test_two_worker_processes_share_one_journal_study_without_losing_a_trial(
    data, tmp_path: Path
) -> None:
    import optuna
    from optuna.storages.journal import JournalFileBackend

    X, y, roles = data
    path = tmp_path / "study.log"
    result = tune(
        X,
        y,
        model="logistic",
        roles=roles,
        n_trials=16,
        n_workers=2,
        storage=journal_storage_url(path),
        study_name="shared",
    )
    assert result.n_trials == 16
    assert not result.reproducible
    assert "2 worker processes" in result.reproducible_reason
    # Read the study back from the file, as a second machine or a later session would.
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    trials = optuna.load_study(study_name="shared", storage=storage).get_trials()
    assert sorted(t.number for t in trials) == list(range(16))
    assert {t.state.name for t in trials} <= {"COMPLETE", "PRUNED"}
    pids = {t.user_attrs["pid"] for t in trials}
    assert len(pids) == 2
    assert os.getpid() not in pids
    assert set(result.trials["worker"]) == {0, 1}


def test_several_workers_without_storage_use_a_temporary_journal_and_remove_it(
    data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    X, y, roles = data
    result = tune(X, y, model="logistic", roles=roles, n_trials=4, n_workers=2)
    assert result.n_trials == 4
    assert result.storage is None
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_study_resumes_and_runs_only_the_rest_of_the_budget(data, tmp_path: Path) -> None:
    X, y, roles = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    first = tune(X, y, model="logistic", roles=roles, n_trials=6, storage=url)
    assert (first.n_trials, first.n_previous) == (6, 0)
    second = tune(X, y, model="logistic", roles=roles, n_trials=10, storage=url)
    assert (second.n_trials, second.n_previous) == (10, 6)
    assert second.trials["number"].tolist() == list(range(10))
    columns = ["number", "value", *PARAMS]
    pd.testing.assert_frame_equal(second.trials[columns].head(6), first.trials[columns])
    assert not second.reproducible
    assert "resumed from 6 trial(s)" in second.reproducible_reason
    # A study made for another metric is not silently continued.
    with pytest.raises(ConfigError, match=r"tuning\.study_name"):
        tune(
            X,
            y,
            model="logistic",
            roles=roles,
            metric="f1",
            storage=url,
            study_name=first.study_name,
        )


@pytest.mark.parametrize(
    "url",
    ["redis://localhost:6379", "study.db", "sqlite://", "mongodb://ana:s3cret@db.example/x", ""],
)
def test_an_unsupported_storage_url_is_refused_naming_the_key(data, url: str) -> None:
    X, y, roles = data
    with pytest.raises(ConfigError, match=r"tuning\.storage") as info:
        tune(X, y, model="logistic", roles=roles, storage=url)
    assert "journal://" in str(info.value)
    assert "s3cret" not in str(info.value)


def test_sqlite_with_several_workers_is_refused_before_it_locks(data, tmp_path: Path) -> None:
    X, y, roles = data
    with pytest.raises(ConfigError, match="database is locked"):
        tune(X, y, model="logistic", roles=roles, n_workers=2, storage=f"sqlite:///{tmp_path}/s.db")


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"metric": "rmse"}, "tuning.metric"),
        ({"metric": "accuracy"}, "tuning.metric"),
        ({"n_trials": None, "timeout": None}, "tuning.n_trials"),
        ({"n_trials": 0}, "tuning.n_trials"),
        (
            {
                "model": "hgb",
                "search_space": {"learning_rte": {"type": "float", "low": 0.1, "high": 1}},
            },
            "Did you mean 'learning_rate'",
        ),
        ({"search_space": {"C": {"type": "float", "low": 2, "high": 1}}}, "low < high"),
        ({"model": "linear"}, "model"),
    ],
)
def test_bad_settings_raise_a_config_error_naming_the_key(data, options: dict, key: str) -> None:
    X, y, roles = data
    settings = {"model": "logistic", **options}
    with pytest.raises(ConfigError, match=re.escape(key)):
        tune(X, y, roles=roles, **settings)


# -- regression and time order -------------------------------------------------------------


def test_time_ordered_rows_are_validated_on_later_rows_only(
    data, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, _, roles = data
    target = X["x1"].to_numpy() * 3 + np.random.default_rng(1).normal(size=len(X))
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    original = TimeSeriesSplit.split

    def spy(self, *args, **kwargs):
        for train, test in original(self, *args, **kwargs):
            seen.append((train, test))
            yield train, test

    monkeypatch.setattr(TimeSeriesSplit, "split", spy)
    result = tune(
        X, target, model="linear", task="regression", roles=roles, n_trials=4, time_ordered=True
    )
    assert len(seen) == 3
    assert all(train.max() < test.min() for train, test in seen)
    assert "forward-chaining" in result.cv_scheme
    # RMSE is minimised and reported positive, as scikit-learn's cross-validation gives it.
    assert (result.metric, result.direction) == ("rmse", "minimize")
    rmse = -cross_val_score(
        build_pipeline("linear", roles, task="regression", params=result.best_params),
        X,
        target,
        cv=TimeSeriesSplit(3),
        scoring="neg_root_mean_squared_error",
    ).mean()
    assert result.best_value == pytest.approx(rmse, rel=1e-12)


# -- the result ----------------------------------------------------------------------------


def test_result_is_json_ready_and_summarised_in_words(pruned_run) -> None:
    d = json.loads(json.dumps(pruned_run.to_dict()))
    assert len(d["trials"]) == pruned_run.n_trials == 20
    assert d["best_params"] == pruned_run.best_params
    assert d["trials"][0]["datetime_complete"]
    summary = pruned_run.summary()
    assert "20 trials" in summary
    assert f"{pruned_run.best_value:.4f}" in summary
    assert "<table>" in pruned_run._repr_html_()


def test_figures_describe_trials_best_value_and_the_most_important_parameter(pruned_run) -> None:
    import matplotlib.pyplot as plt

    history = pruned_run.history_figure()
    assert "20 trials" in history.description
    assert f"{pruned_run.best_value:.4f}" in history.description
    labels = history.figure.axes[0].get_legend_handles_labels()[1]
    assert any("pruned" in label for label in labels)

    top = next(iter(pruned_run.importances))
    assert top == max(pruned_run.importances, key=pruned_run.importances.__getitem__)
    assert top == "C"  # regularisation drives log loss; tol barely matters
    importance = pruned_run.importance_figure()
    assert f"{top} mattered most" in importance.description

    slices = pruned_run.slice_figure()
    assert "20 trials" in slices.description
    assert f"{pruned_run.best_value:.4f}" in slices.description
    assert [ax.get_xscale() for ax in slices.figure.axes[:2]] == ["log", "log"]
    assert plt.get_fignums() == []


def test_importance_of_a_single_parameter_says_there_is_nothing_to_compare(data) -> None:
    X, y, roles = data
    result = tune(X, y, model="logistic", roles=roles, n_trials=3)
    figure = result.importance_figure()
    assert "two parameters" in figure.description
    assert "1 parameter(s)" in figure.description


def test_progress_bar_and_trial_callback_see_every_trial(data, capsys) -> None:
    X, y, roles = data
    records: list[dict] = []
    tune(X, y, model="logistic", roles=roles, n_trials=4, progress=True, on_trial=records.append)
    assert [r["number"] for r in records] == [0, 1, 2, 3]
    assert "4/4" in capsys.readouterr().err


def test_importing_the_module_loads_neither_optuna_nor_scikit_learn() -> None:
    code = "import sys, mlops_kit.tune; print(sorted({'optuna', 'sklearn'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
