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
from mlops_kit.tune import DEFAULT_SEARCH_SPACES, TuningResult, journal_storage_url, tune
from mlops_kit.tune._space import cv_splitter, default_search_space

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


def test_a_sampler_seed_changes_where_it_looks_but_not_the_folds(data) -> None:
    X, y, roles = data
    first = tune(X, y, model="logistic", roles=roles, n_trials=6, seed=5)
    moved = tune(X, y, model="logistic", roles=roles, n_trials=6, seed=5, sampler_seed=6)
    other = tune(X, y, model="logistic", roles=roles, n_trials=6, seed=6)
    startup = slice(0, 5)  # the random start-up trials depend on the sampler seed alone
    assert moved.trials["params_C"][startup].tolist() == other.trials["params_C"][startup].tolist()
    assert moved.trials["params_C"][startup].tolist() != first.trials["params_C"][startup].tolist()
    # Same parameters, other folds: other scores.
    assert moved.trials["value"][startup].tolist() != other.trials["value"][startup].tolist()


def test_trials_that_all_score_the_same_have_no_importances_and_do_not_crash() -> None:
    # A feature with one value: every model scores every fold at ROC AUC 0.5.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"flat": np.ones(240)})
    y = rng.integers(0, 2, 240)
    roles = ColumnRoles(target="y", numeric=("flat",), categorical=())
    result = tune(X, y, model="hgb", roles=roles, n_trials=4, cv_folds=2, pruning=False)
    assert set(result.trials["value"]) == {0.5}
    assert result.importances == {}


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


# -- the record and its reuse ----------------------------------------------------------------


def test_same_trials_compares_the_record_and_to_frame_indexes_it(data) -> None:
    X, y, roles = data
    first = tune(X, y, model="logistic", roles=roles, n_trials=5, seed=4)
    again = tune(X, y, model="logistic", roles=roles, n_trials=5, seed=4)
    other = tune(X, y, model="logistic", roles=roles, n_trials=5, seed=8)
    assert first.same_trials(again)
    assert not first.same_trials(other)
    assert not first.same_trials(tune(X, y, model="logistic", roles=roles, n_trials=4, seed=4))
    frame = first.to_frame()
    assert frame.index.name == "number"
    assert frame.index.tolist() == list(range(5))
    assert frame["value"].tolist() == first.trials["value"].tolist()


def test_search_space_table_shows_ranges_scales_and_the_estimators_defaults() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

    from mlops_kit.tune import search_space_table

    table = search_space_table("hgb")
    assert list(table.index) == list(DEFAULT_SEARCH_SPACES[("classification", "hgb")])
    defaults = HistGradientBoostingClassifier().get_params()
    assert table["default"].to_dict() == {k: defaults[k] for k in table.index}
    assert set(table["scale"]) == {"log"}
    custom = search_space_table(
        "rf",
        search_space={
            "max_features": {"type": "float", "low": 0.2, "high": 1.0},
            "criterion": {"type": "categorical", "choices": ["gini", "entropy"]},
        },
    )
    assert custom.loc["max_features", "scale"] == "linear"
    assert custom.loc["criterion", "choices"] == "gini, entropy"
    assert custom.loc["criterion", "scale"] == ""
    assert custom.loc["criterion", "default"] == RandomForestClassifier().criterion
    with pytest.raises(ConfigError, match="Did you mean 'max_depth'"):
        search_space_table("rf", search_space={"max_dept": {"type": "int", "low": 2, "high": 9}})
    with pytest.raises(ConfigError, match="'model' parameter of search_space_table"):
        search_space_table("linear")


# -- the lesson's helpers: a training sample, progress, the comparison ------------------------


def test_training_sample_keeps_training_rows_only_and_the_share_of_positives(claims) -> None:
    from mlops_kit.tune import training_sample

    everything = training_sample("benefit_claims", n_rows=None)
    before_test = claims[claims["month"] < "2024-07"]  # the bundled config's test period
    assert len(everything) == len(before_test)
    assert everything.y.mean() == pytest.approx(before_test["flagged"].mean(), abs=1e-12)
    assert list(everything.X.columns) == list(everything.roles.features)
    sample = training_sample("benefit_claims", n_rows=2000, seed=3)
    assert len(sample.X) == len(sample.y) == 2000
    assert sample.y.mean() == pytest.approx(everything.y.mean(), abs=1 / 2000)
    assert "2,000 rows drawn at random (seed 3)" in sample.description
    assert "2023-01 to 2024-06" in sample.description
    again = training_sample("benefit_claims", n_rows=2000, seed=3)
    pd.testing.assert_frame_equal(sample.X, again.X)
    assert training_sample("hospital_admissions", n_rows=None).task == "regression"


@pytest.mark.parametrize("n_rows", [50, 10**6, 2.5, True])
def test_training_sample_rejects_a_bad_size_naming_the_parameter(n_rows) -> None:
    from mlops_kit.tune import training_sample

    with pytest.raises(ConfigError, match="'n_rows' parameter of training_sample"):
        training_sample(n_rows=n_rows)


def test_trial_progress_follows_the_tuners_trials_and_ignores_pruned_scores(data) -> None:
    from mlops_kit.tune import trial_progress

    X, y, roles = data
    seen: list[dict] = []
    result = tune(
        X,
        y,
        model="logistic",
        roles=roles,
        metric="neg_log_loss",
        n_trials=12,
        on_trial=seen.append,
    )
    progress = trial_progress(seen, metric="neg_log_loss", n_trials=12)
    assert progress.n_finished == 12
    assert progress.n_pruned == result.n_pruned > 0
    assert (progress.best_value, progress.best_trial) == (result.best_value, result.best_trial)
    table = progress.to_frame()
    complete = result.trials["state"] == "COMPLETE"
    running_best = result.trials["value"].where(complete).cummax().ffill()
    np.testing.assert_allclose(table["best_so_far"], running_best)
    assert table["new_best"].sum() == running_best.dropna().diff().fillna(1).gt(0).sum()
    pruned = table[table["outcome"].str.startswith("pruned")]
    assert (pruned["outcome"] == "pruned after fold 1 of 3").all()
    assert len(pruned) == result.n_pruned
    reading = progress.reading()
    assert f"12 of 12 trials finished ({result.n_pruned} pruned)" in reading
    assert f"Best so far: {result.best_value:.4f} (trial {result.best_trial})." in reading
    html = progress.to_html()
    assert "<caption" in html
    assert "higher is better" in html
    assert html.count("<th scope='row'>") == 12
    assert "new best" in html  # marked in words, not colour


def test_trial_progress_minimises_rmse_and_checks_its_input() -> None:
    from mlops_kit.tune import trial_progress

    records = [
        {"number": 0, "value": 5.0, "state": "COMPLETE", "folds_done": 3},
        {"number": 1, "value": 1.0, "state": "PRUNED", "folds_done": 1},
        {"number": 2, "value": 4.0, "state": "COMPLETE", "folds_done": 3},
        {"number": 3, "value": 4.5, "state": "COMPLETE", "folds_done": 3},
    ]
    progress = trial_progress(records, metric="rmse")
    assert progress.to_frame()["best_so_far"].tolist() == [5.0, 5.0, 4.0, 4.0]
    assert (progress.best_value, progress.best_trial) == (4.0, 2)
    assert trial_progress([], metric="rmse").reading() == "No trial has finished yet."
    only_pruned = trial_progress(records[1:2], metric="rmse")
    assert "No trial has completed every fold yet." in only_pruned.reading()
    with pytest.raises(ConfigError, match="'metric' parameter of trial_progress"):
        trial_progress(records, metric="accuracy")
    with pytest.raises(ConfigError, match="record 0 lacks state"):
        trial_progress([{"number": 0, "value": 1.0}], metric="rmse")


def test_grid_values_are_spread_on_the_dimensions_scale_and_stay_in_range() -> None:
    from mlops_kit.tune._compare import grid_values

    log = grid_values(SearchDimension(type="float", low=0.02, high=0.3, log=True), 4)
    assert (log[0], log[-1]) == (0.02, 0.3)
    ratios = np.diff(np.log(log))
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-3)
    assert grid_values(SearchDimension(type="float", low=0.2, high=1.0), 5) == [
        0.2,
        0.4,
        0.6,
        0.8,
        1.0,
    ]
    assert grid_values(SearchDimension(type="int", low=1, high=3), 6) == [1, 2, 3]


@pytest.fixture(scope="module")
def comparison(data, two_params):
    from mlops_kit.tune import compare_search_methods

    X, y, roles = data
    return compare_search_methods(
        X, y, roles=roles, model="logistic", search_space=two_params, grid_points=3, seed=1
    )


def test_comparison_gives_every_method_the_same_budget_folds_and_metric(
    comparison, data, two_params
) -> None:
    import itertools

    X, y, roles = data
    t = comparison.trials
    assert comparison.methods == ["grid", "random", "tpe", "tpe_pruned"]
    assert comparison.n_trials == 9
    assert t.groupby("method").size().to_dict() == dict.fromkeys(comparison.methods, 9)
    # The grid tried every combination of its values exactly once.
    grid = t[t["method"] == "grid"]
    tried = set(zip(grid["params_C"], grid["params_tol"], strict=True))
    assert tried == set(itertools.product(comparison.grid["C"], comparison.grid["tol"]))
    # A grid point scores exactly what scikit-learn gives on the tuner's folds.
    row = grid.iloc[4]
    expected = cross_val_score(
        build_pipeline(
            "logistic", roles, seed=1, params={"C": row["params_C"], "tol": row["params_tol"]}
        ),
        X,
        y,
        cv=cv_splitter("classification", folds=3, seed=1),
        scoring="roc_auc",
    ).mean()
    assert row["score"] == pytest.approx(expected, abs=1e-12)
    # Only the pruned method stops trials early; fits add up fold by fold.
    for method, rows in t.groupby("method"):
        assert rows["fits"].tolist() == rows["folds_fitted"].cumsum().tolist()
        assert (rows["state"] == "PRUNED").any() == (method == "tpe_pruned")
        best = rows["best_so_far"].to_numpy()
        assert (np.diff(best) >= 0).all()
        assert best[-1] == rows.loc[rows["state"] == "COMPLETE", "score"].max()
        assert (np.diff(rows["seconds"]) >= 0).all()
    unpruned = t[t["method"] == "random"]
    assert (unpruned["folds_fitted"] == 3).all()


def test_comparison_table_figure_and_summary_say_the_same_in_words(comparison) -> None:
    table = comparison.to_frame()
    assert list(table.index) == [
        "grid search",
        "random search",
        "TPE (Bayesian)",
        "TPE with pruning",
    ]
    t = comparison.trials
    pruned = t[t["method"] == "tpe_pruned"]
    assert table.loc["TPE with pruning", "model_fits"] == pruned["folds_fitted"].sum() < 27
    assert table.loc["grid search", "model_fits"] == 27
    assert table.loc["grid search", "distinct_values"] == "C 3, tol 3"
    grid_best = table.loc["grid search", "best_score"]
    for name, row in table.iterrows():
        rows = t[t["method"] == {v: k for k, v in SEARCH_WORDS.items()}[name]]
        assert row["best_score"] == rows["best_so_far"].iloc[-1]
        reached = rows[rows["best_so_far"] >= grid_best]
        if len(reached):
            assert row["fits_to_grid_best"] == reached["fits"].iloc[0]
        else:
            assert pd.isna(row["fits_to_grid_best"])
    figure = comparison.figure()
    for name, row in table.iterrows():
        assert f"{name} reached its best, {row['best_score']:.4f}" in figure.description
    assert len(figure.figure.axes) == 2
    assert {line.get_linestyle() for line in figure.figure.axes[0].get_lines()} >= {"-", "--"}
    scores = table["best_score"].round(4)
    leaders = scores[scores == scores.max()].index.tolist()
    summary = comparison.summary()
    if len(leaders) == 1:
        assert summary.endswith(f"Best overall: {leaders[0]}.")
    else:
        verdict = summary.split("Level best, to four decimal places: ")[1]
        assert all(name in verdict for name in leaders)
    assert "<table" in comparison._repr_html_()


SEARCH_WORDS: dict[str, str] = {
    "grid": "grid search",
    "random": "random search",
    "tpe": "TPE (Bayesian)",
    "tpe_pruned": "TPE with pruning",
}


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        ({"grid_points": 1}, "'grid_points' parameter"),
        ({"grid_points": 11}, "'grid_points' parameter"),
        ({"methods": ["grid", "bayes"]}, "'methods' parameter"),
        ({"methods": []}, "'methods' parameter"),
        ({"model": "linear"}, "'model' parameter of compare_search_methods"),
        (
            {
                "model": "hgb",
                "search_space": {
                    k: DEFAULT_SEARCH_SPACES[("classification", "hgb")][k]
                    for k in ("learning_rate", "max_leaf_nodes", "max_iter", "min_samples_leaf")
                },
            },
            "at most 100 points",
        ),
    ],
)
def test_comparison_rejects_bad_settings_naming_them(data, options: dict, phrase: str) -> None:
    from mlops_kit.tune import compare_search_methods

    X, y, roles = data
    with pytest.raises(ConfigError, match=re.escape(phrase)):
        compare_search_methods(X, y, roles=roles, **{"model": "logistic", **options})
