"""Fairness of regression models: errors by group, checked against fairlearn and scipy.

The per-group figures are compared with fairlearn's ``MetricFrame`` (with scikit-learn's
metric functions) on data the kit did not make: scikit-learn's diabetes table and
statsmodels' birth-weight table (Cattaneo 2010). The bootstrap intervals are compared
with scipy's BCa intervals and checked for coverage on simulated data; the gate's
decisions and sentences, and one pipeline run through the command line, close the file.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from fairlearn.metrics import MetricFrame, count, mean_prediction
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, root_mean_squared_error

from mlops_kit.data import dataset_info
from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.fairness import (
    RegressionFairnessResult,
    _error_intervals,
    regression_fairness_report,
)
from mlops_kit.fairness._error_intervals import ERROR_METRICS
from mlops_kit.fairness._regression_result import GroupErrorStatus
from mlops_kit.figures import DescribedFigure
from mlops_kit.governance import Decision, evaluate_gate

from .cli_support import mlops_kit

TRAINER = "Sam Jones"
CATANEO = (
    Path(sys.executable).parents[1]
    / "lib/python3.11/site-packages/statsmodels/treatment/tests/results/cataneo2.csv"
)
#: The per-group columns that must equal fairlearn's MetricFrame.
FIGURES = ["count", "mae", "rmse", "mean_predicted", "mean_actual", "mean_error"]


def metric_frame(y_true: Any, y_pred: Any, groups: Any) -> MetricFrame:
    """fairlearn's MetricFrame with scikit-learn's and fairlearn's own metric functions."""
    return MetricFrame(
        metrics={
            "count": count,
            "mae": mean_absolute_error,
            "rmse": root_mean_squared_error,
            "mean_predicted": mean_prediction,
            "mean_actual": lambda t, p: float(np.mean(t)),
            "mean_error": lambda t, p: float(np.mean(np.asarray(p) - np.asarray(t))),
        },
        y_true=np.asarray(y_true),
        y_pred=np.asarray(y_pred),
        sensitive_features=np.asarray(groups),
    )


def assert_equals_metric_frame(result: RegressionFairnessResult, frame: MetricFrame) -> None:
    expected = frame.by_group
    got = result.to_frame()
    assert list(got.index) == [str(g) for g in expected.index]
    np.testing.assert_allclose(
        got[FIGURES].to_numpy(dtype=float), expected[FIGURES].to_numpy(dtype=float), rtol=1e-12
    )


@pytest.fixture(scope="module")
def diabetes() -> pd.DataFrame:
    """scikit-learn's diabetes table with a linear model's in-sample predictions."""
    frame = load_diabetes(scaled=False, as_frame=True).frame
    features = frame.drop(columns=["target", "sex"])
    model = LinearRegression().fit(features, frame["target"])
    return frame.assign(prediction=model.predict(features))


@pytest.fixture(scope="module")
def births() -> pd.DataFrame:
    """statsmodels' birth weights (Cattaneo 2010) with a linear model's predictions."""
    frame = pd.read_csv(CATANEO)
    features = frame[["mage", "medu", "fage", "fedu", "nprenatal", "mbsmoke_", "fbaby_"]]
    model = LinearRegression().fit(features, frame["bweight"])
    return frame.assign(prediction=model.predict(features))


# --- the numbers, against fairlearn ----------------------------------------------------------


def test_diabetes_figures_by_sex_equal_metric_frame(diabetes: pd.DataFrame) -> None:
    y, pred, sex = diabetes["target"], diabetes["prediction"], diabetes["sex"]
    result = regression_fairness_report(y, pred, diabetes[["sex"]], n_bootstrap=0)["sex"]
    frame = metric_frame(y, pred, sex)
    assert_equals_metric_frame(result, frame)
    # Both groups are large: the headline figures are MetricFrame's over all groups.
    for metric in ERROR_METRICS:
        gap = result.gaps[metric]
        assert gap.difference == pytest.approx(frame.difference()[metric], rel=1e-12)
        assert gap.ratio == pytest.approx(1 / frame.ratio()[metric], rel=1e-12)
        assert gap.worst == pytest.approx(frame.group_max()[metric], rel=1e-12)
        assert gap.best == pytest.approx(frame.group_min()[metric], rel=1e-12)
    assert result.all_groups["mae_ratio"] == pytest.approx(1 / frame.ratio()["mae"])
    # The worst group by MAE is the one MetricFrame reports largest.
    assert result.worst_group == str(frame.by_group["mae"].idxmax())


def test_birth_weight_figures_by_mothers_race_equal_metric_frame(births: pd.DataFrame) -> None:
    y, pred = births["bweight"], births["prediction"]
    result = regression_fairness_report(
        y, pred, births["mrace"], error_metric="rmse", n_bootstrap=0
    )["mrace"]
    frame = metric_frame(y, pred, births["mrace"])
    assert_equals_metric_frame(result, frame)
    assert result.error_metric == "rmse"
    assert result.error_ratio == pytest.approx(1 / frame.ratio()["rmse"], rel=1e-12)
    assert result.error_difference == pytest.approx(frame.difference()["rmse"], rel=1e-12)
    assert {result.worst_group, result.best_group} == {"0", "1"}


def test_small_groups_are_insufficient_and_left_out_of_the_headline(
    births: pd.DataFrame,
) -> None:
    """Birth order has groups of 1 to 2,033 babies; the headline covers those of 30 or more."""
    y, pred, order = births["bweight"], births["prediction"], births["order"]
    result = regression_fairness_report(y, pred, {"order": order}, n_bootstrap=0)["order"]
    # Every group, small or large, has MetricFrame's figures, in numeric order.
    assert_equals_metric_frame(result, metric_frame(y, pred, order))
    sizes = order.value_counts()
    small = sorted(sizes[sizes < 30].index)
    assert result.insufficient_groups == tuple(str(g) for g in small)
    table = result.to_frame()
    assert (table.loc[[str(g) for g in small], "status"] == "insufficient data").all()
    assert table.loc[[str(g) for g in small], "error_ratio"].isna().all()
    # The headline figures are MetricFrame's over the judged groups' rows only.
    judged = ~order.isin(small)
    frame = metric_frame(y[judged], pred[judged], order[judged])
    assert result.error_ratio == pytest.approx(1 / frame.ratio()["mae"], rel=1e-12)
    assert result.error_difference == pytest.approx(frame.difference()["mae"], rel=1e-12)
    # ... while all_groups is MetricFrame over every group, the small ones included.
    everyone = metric_frame(y, pred, order)
    assert result.all_groups["mae_difference"] == pytest.approx(everyone.difference()["mae"])
    assert result.all_groups["mae_difference"] > result.error_difference  # type: ignore[operator]
    assert "Not compared, too little data (under 30 rows): 0 (4 rows)" in result.summary()
    statuses = set(table["status"])
    assert statuses == {"worst", "best", "compared", "insufficient data"}


def test_fewer_than_two_large_groups_cannot_be_compared() -> None:
    y = np.arange(50.0)
    groups = np.array(["big"] * 40 + ["small"] * 10)
    result = regression_fairness_report(y, y + 1.0, {"g": groups}, n_bootstrap=100)["g"]
    assert result.error_ratio is None
    assert result.worst_group is None
    assert result.insufficient_groups == ("small",)
    assert list(result.to_frame()["status"]) == ["not compared", "insufficient data"]
    assert "cannot be compared: fewer than two groups have at least 30 rows" in result.summary()
    data = result.to_dict()
    assert data["group_error"]["mae"]["ratio_interval"] == [None, None]
    json.dumps(data, allow_nan=False)


def test_lower_minimum_compares_every_group() -> None:
    y = np.arange(50.0)
    groups = np.array(["big"] * 40 + ["small"] * 10)
    pred = y + np.where(groups == "big", 1.0, 3.0)
    result = regression_fairness_report(y, pred, {"g": groups}, min_group_size=10, n_bootstrap=0)
    assert result["g"].error_ratio == pytest.approx(3.0)
    assert result["g"].worst_group == "small"


def test_worked_example_names_worst_and_best_and_bias() -> None:
    y = np.arange(80.0)
    pred = y + np.tile([1.0, -1.0], 40) * np.repeat([2.0, 3.0], 40) + np.repeat([0.0, 1.5], 40)
    result = regression_fairness_report(y, pred, {"site": np.repeat(["a", "b"], 40)})["site"]
    table = result.to_frame()
    assert table.loc["a", "mean_error"] == pytest.approx(0.0)
    assert table.loc["b", "mean_error"] == pytest.approx(1.5)
    assert list(table["status"]) == [GroupErrorStatus.BEST, GroupErrorStatus.WORST]
    text = result.summary()
    assert "ranges from 2.00 (a) to 3.00 (b)" in text
    assert "the worst group's error is 1.50 times the best group's (95% confidence" in text
    assert "ranges from 0.00 (a) to +1.50 (b)" in text


# --- bootstrap intervals ---------------------------------------------------------------------


def two_groups(seed: int, n: tuple[int, int] = (150, 150), scale: tuple[float, float] = (1, 1.3)):
    """Actual values, predictions and groups whose errors differ only in spread."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(["a", "b"], n)
    spread = np.repeat(scale, n)
    y = rng.normal(100, 10, len(groups))
    return y, y + rng.normal(0, 1, len(groups)) * spread, groups


@pytest.mark.parametrize("seed", [3, 8])
def test_intervals_agree_with_scipy_bca(seed: int) -> None:
    """Same statistics, scipy's two-sample BCa: resampling within groups, as ours does."""
    y, pred, groups = two_groups(seed, n=(120, 90))
    worst, best = (np.abs(pred - y)[groups == g] for g in ("b", "a"))
    pairs = _error_intervals._ErrorPairs(
        worst={"mae": 0, "rmse": 0}, best={"mae": 1, "rmse": 1}, primary="mae"
    )
    ours = _error_intervals._error_intervals(
        [worst, best], pairs, n_resamples=6000, confidence_level=0.9, seed=seed
    )
    statistics = {
        0: lambda w, b, axis: w.mean(axis) / b.mean(axis),
        1: lambda w, b, axis: w.mean(axis) - b.mean(axis),
        2: lambda w, b, axis: np.sqrt((w**2).mean(axis) / (b**2).mean(axis)),
        3: lambda w, b, axis: np.sqrt((w**2).mean(axis)) - np.sqrt((b**2).mean(axis)),
    }
    for i, statistic in statistics.items():
        reference = stats.bootstrap(
            (worst, best),
            statistic,
            paired=False,
            vectorized=True,
            method="BCa",
            n_resamples=6000,
            confidence_level=0.9,
            rng=np.random.default_rng(seed + 100),
        ).confidence_interval
        width = reference.high - reference.low
        # Monte Carlo tolerance: 4% of the interval's width.
        assert ours[i][0] == pytest.approx(reference.low, abs=0.04 * width), i
        assert ours[i][1] == pytest.approx(reference.high, abs=0.04 * width), i


def test_jackknife_equals_leaving_each_row_out() -> None:
    y, pred, groups = two_groups(1, n=(25, 30))
    errors = [np.abs(pred - y)[groups == g] for g in ("a", "b")]
    pairs = _error_intervals._ErrorPairs(
        worst={"mae": 1, "rmse": 1}, best={"mae": 0, "rmse": 0}, primary="rmse"
    )
    fast = _error_intervals._jackknife(errors, pairs)
    for g, e in enumerate(errors):
        for i in range(len(e)):
            left = [np.delete(x, i) if k == g else x for k, x in enumerate(errors)]
            naive = pairs.stats(
                np.array([x.mean() for x in left]), np.array([(x**2).mean() for x in left])
            )
            np.testing.assert_allclose(fast[g][:, i], naive, rtol=1e-10)


def test_intervals_cover_the_true_ratio_about_as_often_as_promised() -> None:
    """Errors N(0, 1) and N(0, 1.3): the true MAE and RMSE ratios are both 1.3.

    The intervals alone (the report adds MetricFrame's table, about 0.1 s a call).
    """
    covered: dict[str, int] = {"mae": 0, "rmse": 0}
    trials = 300
    for seed in range(trials):
        y, pred, groups = two_groups(seed)
        errors = [np.abs(pred - y)[groups == g] for g in ("a", "b")]
        means = [e.mean() for e in errors], [np.sqrt((e**2).mean()) for e in errors]
        ends = {
            m: (int(np.argmax(v)), int(np.argmin(v)))
            for m, v in zip(ERROR_METRICS, means, strict=True)
        }
        pairs = _error_intervals._ErrorPairs(
            worst={m: w for m, (w, _) in ends.items()},
            best={m: b for m, (_, b) in ends.items()},
            primary="mae",
        )
        bounds = _error_intervals._error_intervals(
            errors, pairs, n_resamples=400, confidence_level=0.9, seed=seed
        )
        for k, metric in enumerate(ERROR_METRICS):
            low, high = bounds[2 * k]
            assert low is not None
            assert high is not None
            truth = 1.3 if ends[metric][0] == 1 else 1 / 1.3
            covered[metric] += low <= truth <= high
    # 90% intervals: 270 of 300 expected; the binomial's 99.9% range is about 254 to 284.
    for name, hits in covered.items():
        assert 250 <= hits <= 288, (name, hits)


def test_intervals_contain_the_estimates_and_the_best_group_is_exactly_one(
    births: pd.DataFrame,
) -> None:
    result = regression_fairness_report(
        births["bweight"], births["prediction"], births[["prenatal"]], n_bootstrap=300, seed=2
    )["prenatal"]
    table = result.to_frame()
    for metric in ERROR_METRICS:
        gap = result.gaps[metric]
        assert gap.ratio_interval[0] <= gap.ratio <= gap.ratio_interval[1]  # type: ignore[operator]
        low, high = gap.difference_interval
        assert low <= gap.difference <= high  # type: ignore[operator]
    judged = table[table["status"] != "insufficient data"]
    assert (judged["error_low"] <= judged["mae"]).all()
    assert (judged["mae"] <= judged["error_high"]).all()
    best = table[table["status"] == "best"].iloc[0]
    assert (best["error_ratio"], best["error_ratio_low"], best["error_ratio_high"]) == (1, 1, 1)


def test_bootstrap_is_reproducible_by_seed_and_off_at_zero() -> None:
    y, pred, groups = two_groups(5)

    def interval(seed: int, n: int) -> Any:
        return regression_fairness_report(y, pred, {"g": groups}, n_bootstrap=n, seed=seed)[
            "g"
        ].gap.ratio_interval

    assert interval(1, 200) == interval(1, 200)
    assert interval(1, 200) != interval(2, 200)
    assert interval(1, 0) == (None, None)


# --- result object ---------------------------------------------------------------------------


def test_to_dict_is_json_clean_and_keeps_the_groups_list(diabetes: pd.DataFrame) -> None:
    result = regression_fairness_report(
        diabetes["target"], diabetes["prediction"], diabetes[["sex"]], n_bootstrap=50
    )["sex"]
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert [g["group"] for g in data["groups"]] == ["1.0", "2.0"]
    assert {"count", "mae", "mean_actual", "mean_predicted", "mean_error"} <= set(data["groups"][0])
    assert isinstance(data["groups"][0]["count"], int)
    assert data["group_error"]["mae"]["ratio"] == pytest.approx(result.error_ratio)
    assert data["error_ratio"] == data["group_error"]["mae"]["ratio"]
    assert data["summary"] == result.summary()


def test_a_group_with_no_error_leaves_the_ratio_undefined_not_infinite() -> None:
    y = np.arange(60.0)
    pred = y + np.r_[np.zeros(30), np.ones(30)]
    result = regression_fairness_report(
        y, pred, {"g": np.repeat(["exact", "off"], 30)}, n_bootstrap=50
    )["g"]
    assert result.error_ratio is None
    assert result.error_difference == pytest.approx(1.0)
    assert "the best group's error is 0, so their ratio is undefined" in result.summary()
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    gate = evaluate_gate({"fairness": {"g": data}}, None, trained_by=TRAINER)
    (check,) = gate.checks
    assert check.passed is None
    assert "exact's error is 0, so there is no ratio to compare" in check.explanation


def test_plot_writes_values_patterns_and_a_description() -> None:
    y, pred, groups = two_groups(0, n=(60, 60))
    groups = np.r_[groups, ["c"] * 5]
    y, pred = np.r_[y, np.zeros(5)], np.r_[pred, np.ones(5)]
    result = regression_fairness_report(y, pred, {"g": groups}, n_bootstrap=100)["g"]
    figure = result.plot(limit=1.25)
    assert isinstance(figure, DescribedFigure)
    assert figure.title == "Mean absolute error by g"
    assert figure.description.startswith(result.summary())
    assert "The dashed line marks the policy's limit" in figure.description
    ax = figure.figure.axes[0]
    assert sorted(p.get_hatch() or "" for p in ax.patches) == ["", "...", "///"]
    texts = " ".join(t.get_text() for t in ax.texts)
    for status in ("worst", "best", "insufficient data"):
        assert status in texts
    assert f"{result.gap.ratio:.2f}x best" in texts
    assert "<h4>Errors by g</h4>" in result._repr_html_()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"error_metric": "mape"}, r"'error_metric' must be 'mae' or 'rmse'. Got 'mape'"),
        ({"min_group_size": 0}, r"'min_group_size' must be at least 1. Got 0"),
        ({"n_bootstrap": -1}, r"'n_bootstrap' must be 0 \(none\) or more. Got -1"),
        ({"confidence_level": 95}, r"'confidence_level' must be in \(0, 1\). Got 95"),
    ],
)
def test_bad_options_name_the_option_the_rule_and_the_value(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        regression_fairness_report([1.0, 2.0], [1.0, 2.0], {"g": ["a", "b"]}, **options)


def test_bad_data_is_refused() -> None:
    with pytest.raises(DataValidationError, match=r"'y_pred' .* must be numbers"):
        regression_fairness_report([1.0, 2.0], ["x", "y"], {"g": ["a", "b"]})
    with pytest.raises(DataValidationError, match=r"1 value\(s\) are missing or infinite"):
        regression_fairness_report([1.0, np.nan], [1.0, 2.0], {"g": ["a", "b"]})
    with pytest.raises(DataValidationError, match=r"same length\. Got 2 and 3 instead"):
        regression_fairness_report([1.0, 2.0], [1.0, 2.0, 3.0], {"g": ["a", "b"]})
    with pytest.raises(DataValidationError, match="missing value"):
        regression_fairness_report([1.0, 2.0], [1.0, 2.0], {"g": ["a", None]})


# --- the gate --------------------------------------------------------------------------------


def gated(errors: dict[str, tuple[int, float]], policy: dict[str, Any] | None = None, **kw: Any):
    """The gate on a run whose groups miss by exactly the given amount (rows, miss)."""
    groups = np.repeat(list(errors), [n for n, _ in errors.values()])
    miss = np.repeat([e for _, e in errors.values()], [n for n, _ in errors.values()])
    y = np.arange(len(groups), dtype=float)
    pred = y + miss * np.tile([1.0, -1.0], len(groups) // 2 + 1)[: len(groups)]
    section = regression_fairness_report(y, pred, {"site": groups}, **kw)["site"].to_dict()
    metrics = {"task": "regression", "fairness": {"site": section}}
    return evaluate_gate(metrics, policy, trained_by=TRAINER)


def test_gate_passes_errors_within_the_limit() -> None:
    gate = gated({"north": (40, 2.5), "south": (40, 3.0)}, n_bootstrap=0)
    (check,) = gate.checks
    assert check.name == "group error ratio by site"
    assert (check.passed, check.value, check.limit) == (True, pytest.approx(1.2), 1.25)
    assert check.explanation == (
        "By site, the MAE (mean absolute error) of south is 1.200 times that of north "
        "(3.000 against 2.500), within the limit of 1.25 set by the policy."
    )
    assert gate.decision is Decision.PROMOTE
    assert not any("fairness limits were not applied" in r for r in gate.reasons)


def test_gate_refuses_errors_beyond_the_limit_and_names_the_groups() -> None:
    gate = gated({"north": (40, 2.0), "south": (40, 3.0), "tiny": (5, 9.0)}, n_bootstrap=200)
    (check,) = gate.checks
    assert check.passed is False
    assert check.value == pytest.approx(1.5)
    assert check.explanation.startswith(
        "By site, the MAE (mean absolute error) of south is 1.500 times that of north "
        "(3.000 against 2.000; 95% confidence interval "
    )
    assert check.explanation.endswith(
        "), above the limit of 1.25 set by the policy. Not judged for lack of data: tiny."
    )
    assert gate.decision is Decision.REFUSE


def test_gate_cannot_judge_with_fewer_than_two_large_groups() -> None:
    gate = gated({"north": (40, 2.0), "tiny": (5, 9.0)}, n_bootstrap=0)
    (check,) = gate.checks
    assert check.passed is None
    assert check.explanation == (
        "The ratio of the worst group's MAE (mean absolute error) to the best group's by "
        "site cannot be judged: fewer than two groups have enough data (at least 30 rows "
        "each); too little data: tiny (5 rows). A person must decide whether the model's "
        "errors fall fairly on these groups."
    )
    assert gate.decision is Decision.NEEDS_APPROVAL


def test_gate_judges_the_policy_metric_and_limit() -> None:
    policy = {"group_error_metric": "rmse", "max_group_error_ratio": 1.6}
    gate = gated({"north": (40, 2.0), "south": (40, 3.0)}, policy, n_bootstrap=0)
    (check,) = gate.checks
    assert check.passed is True
    assert check.limit == 1.6
    assert "the RMSE (root mean squared error) of south is 1.500 times" in check.explanation
    at_limit = gated({"north": (40, 2.0), "south": (40, 3.0)}, {"max_group_error_ratio": 1.5})
    assert at_limit.checks[0].passed is True


def test_gate_without_a_limit_applies_no_check_and_says_so() -> None:
    gate = gated({"north": (40, 2.0), "south": (40, 3.0)}, {"max_group_error_ratio": None})
    assert gate.checks == ()
    assert any("fairness limits were not applied" in r for r in gate.reasons)
    off = {
        "max_group_error_ratio": None,
        "four_fifths": False,
        "max_equalized_odds_difference": None,
    }
    quiet = gated({"north": (40, 2.0), "south": (40, 3.0)}, off)
    assert not any("fairness limits" in r for r in quiet.reasons)


# --- the pipeline, end to end ----------------------------------------------------------------


@pytest.mark.slow
def test_a_regression_run_reports_and_gates_errors_by_group(tmp_path: Path) -> None:
    """The diabetes table through `mlops-kit run`, with sex as the protected column."""
    data = load_diabetes(scaled=False, as_frame=True).frame
    data["sex"] = data["sex"].map({1.0: "one", 2.0: "two"})
    data.to_csv(tmp_path / "diabetes.csv", index=False)
    bundled = yaml.safe_load(dataset_info("hospital_admissions").config.read_text())
    config = {
        "data": "diabetes.csv",
        "target": "target",
        "task": "regression",
        "protected": ["sex"],
        "model": "linear",
        "split": "random",
        "test_size": 0.3,
        "cv_folds": 2,
        "n_bootstrap": 100,
        "name": "diabetes-progression",
        "tuning": {"cv_folds": 2},
        "explain": {"max_rows": 50, "background_rows": 20, "crosscheck": False},
        "policy": {"max_group_error_ratio": 1.25, "group_error_metric": "mae"},
        "transparency": bundled["transparency"],
    }
    (tmp_path / "diabetes.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    proc = mlops_kit("run", "--config", "diabetes.yml", "--set", "tuning.n_trials=2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(proc.stdout.strip().splitlines()[-1])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    section = metrics["fairness"]["sex"]
    predictions = pd.read_csv(run_dir / "predictions.csv")
    frame = metric_frame(predictions["y_true"], predictions["y_pred"], predictions["sex"])
    groups = {g["group"]: g for g in section["groups"]}
    assert set(groups) == {"one", "two"}
    for name, row in frame.by_group.iterrows():
        for column in FIGURES:
            assert groups[str(name)][column] == pytest.approx(row[column], rel=1e-9)
    assert section["group_error"]["mae"]["ratio"] == pytest.approx(1 / frame.ratio()["mae"])
    low, high = section["confidence_intervals"]["error_ratio"]
    assert low <= section["error_ratio"] <= high
    gate = json.loads((run_dir / "gate.json").read_text())
    check = next(c for c in gate["checks"] if c["name"] == "group error ratio by sex")
    assert check["value"] == pytest.approx(section["error_ratio"])
    assert check["passed"] is (round(check["value"], 12) <= 1.25)
    assert "set by the policy" in check["explanation"]
    assert math.isclose(check["limit"], 1.25)
    figures = json.loads((run_dir / "figures.json").read_text())
    assert any(f["name"] == "fairness_sex" for f in figures)
    report = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "MAE ratio (worst over best)" in report
    assert section["summary"].split(":")[0] in report
