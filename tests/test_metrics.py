"""Metric suites, threshold analysis and metrics over time, checked against scikit-learn."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from mlops_kit.errors import DataValidationError
from mlops_kit.metrics import (
    METRIC_GLOSSARY,
    MetricSuite,
    classification_metrics,
    confusion_counts,
    evaluate_predictions,
    metrics_by_period,
    regression_metrics,
    threshold_analysis,
)
from mlops_kit.metrics._scores import CLASSIFICATION_METRICS, REGRESSION_METRICS

SEEDS = [0, 1, 2, 3, 4]


def random_classification(seed: int, n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth, scores that carry some signal, and predictions at 0.5.

    Scores are rounded to two decimals so that many rows share a score (ties).
    """
    rng = np.random.default_rng(seed)
    y_true = (rng.random(n) < rng.uniform(0.1, 0.5)).astype(np.int64)
    logit = rng.normal(size=n) + 1.5 * y_true - 1.0
    y_score = np.round(1 / (1 + np.exp(-logit)), 2)
    y_pred = (y_score >= 0.5).astype(np.int64)
    return y_true, y_pred, y_score


def sklearn_suite(y_true, y_pred, y_score) -> dict[str, float]:
    """The classification suite computed directly with scikit-learn."""
    return {
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "precision": skm.precision_score(y_true, y_pred, zero_division=0),
        "recall": skm.recall_score(y_true, y_pred),
        "f1": skm.f1_score(y_true, y_pred),
        "roc_auc": skm.roc_auc_score(y_true, y_score),
        "pr_auc": skm.average_precision_score(y_true, y_score),
        "brier": skm.brier_score_loss(y_true, y_score),
    }


# --- classification_metrics ---------------------------------------------------------------


def test_classification_metrics_equal_sklearn_on_claims(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    got = classification_metrics(p["y_true"], p["y_pred"], p["y_score"])
    expected = sklearn_suite(p["y_true"], p["y_pred"], p["y_score"])
    assert list(got) == list(CLASSIFICATION_METRICS)
    assert got == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_classification_metrics_equal_sklearn_on_random_data(seed: int) -> None:
    y_true, y_pred, y_score = random_classification(seed)
    got = classification_metrics(y_true, y_pred, y_score)
    assert got == pytest.approx(sklearn_suite(y_true, y_pred, y_score), rel=1e-12, abs=0)


def test_classification_metrics_accept_lists_and_booleans() -> None:
    got = classification_metrics([False, True, True, False], [False, True, False, False])
    assert got == {"accuracy": 0.75, "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}


# Eight rows worked by hand. Truth has 3 positives and 5 negatives; the predictions give
# tp 2, fn 1, fp 2, tn 3, so precision (2/4) and recall (2/3) differ, and so do the
# positive class's F1 (4/7) and the negative class's (2/3): a wrapper that swapped y_true
# and y_pred, scored class 0 (pos_label=0) or averaged over both classes would not give
# these numbers.
HAND_TRUE = [1, 1, 1, 0, 0, 0, 0, 0]
HAND_PRED = [1, 1, 0, 1, 1, 0, 0, 0]
HAND_SCORE = [0.9, 0.6, 0.3, 0.8, 0.5, 0.4, 0.2, 0.1]


def test_classification_metrics_on_eight_rows_worked_by_hand() -> None:
    got = classification_metrics(HAND_TRUE, HAND_PRED, HAND_SCORE)
    assert got == pytest.approx(
        {
            "accuracy": 5 / 8,  # tp + tn = 5 right of 8
            "precision": 2 / 4,  # tp / (tp + fp)
            "recall": 2 / 3,  # tp / (tp + fn)
            "f1": 4 / 7,  # 2 tp / (2 tp + fp + fn)
            # Of the 3 x 5 positive-negative pairs, the positive scores higher in 5 + 4 + 2.
            "roc_auc": 11 / 15,
            # Ranked by score the positives come 1st, 3rd and 6th: mean of 1/1, 2/3, 3/6.
            "pr_auc": (1 + 2 / 3 + 3 / 6) / 3,
            # Squared gaps 0.01 0.16 0.49 for the positives, 0.64 0.25 0.16 0.04 0.01.
            "brier": 1.76 / 8,
        },
        rel=1e-12,
    )


def test_confusion_counts_on_eight_rows_worked_by_hand() -> None:
    # Asymmetric on purpose: swapping truth and predictions would swap fp and fn.
    assert confusion_counts(HAND_TRUE, HAND_PRED) == {"tn": 3, "fp": 2, "fn": 1, "tp": 2}


def test_without_scores_only_the_threshold_metrics_are_reported() -> None:
    y_true, y_pred, _ = random_classification(0)
    assert list(classification_metrics(y_true, y_pred)) == ["accuracy", "precision", "recall", "f1"]


def test_one_class_in_y_true_leaves_roc_auc_undefined() -> None:
    y_true = np.zeros(50, dtype=int)
    y_score = np.linspace(0, 1, 50)
    y_pred = (y_score >= 0.5).astype(int)
    got = classification_metrics(y_true, y_pred, y_score)
    assert got["roc_auc"] is None
    assert got["pr_auc"] is None  # no positives: average precision is undefined too
    assert got["precision"] == 0.0  # zero_division=0, as scikit-learn with that setting
    assert got["recall"] == 0.0
    assert got["brier"] == pytest.approx(skm.brier_score_loss(y_true, y_score))


def test_only_positives_leaves_roc_auc_undefined_but_pr_auc_defined() -> None:
    y_true = np.ones(20, dtype=int)
    y_score = np.linspace(0.05, 0.95, 20)
    got = classification_metrics(y_true, (y_score >= 0.5).astype(int), y_score)
    assert got["roc_auc"] is None
    assert got["pr_auc"] == pytest.approx(skm.average_precision_score(y_true, y_score))


def test_scores_outside_unit_interval_leave_brier_undefined() -> None:
    y_true, y_pred, y_score = random_classification(3)
    logits = np.log(np.clip(y_score, 0.01, 0.99) / (1 - np.clip(y_score, 0.01, 0.99)))
    got = classification_metrics(y_true, y_pred, logits)
    assert got["brier"] is None
    # The ranking metrics do not need probabilities and are still reported.
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(y_true, logits), rel=1e-12)
    assert got["pr_auc"] == pytest.approx(skm.average_precision_score(y_true, logits), rel=1e-12)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "name", "shown"),
    [
        ([0, 1, 2, 1], [0, 1, 1, 1], "y_true", "2"),
        ([-1, 1, 1, -1], [0, 1, 1, 0], "y_true", "-1"),
        (["no", "yes", "yes"], [0, 1, 1], "y_true", "'yes'"),
        ([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.1], "y_pred", "0.9"),
        ([0, 1, 1, 0], [0, 1, np.nan, 0], "y_pred", "nan"),
    ],
)
def test_non_binary_labels_are_refused_with_the_problem_named(
    y_true: list[object], y_pred: list[float], name: str, shown: str
) -> None:
    with pytest.raises(DataValidationError, match="only 0 and 1") as info:
        classification_metrics(y_true, y_pred)
    message = str(info.value)
    assert f"'{name}'" in message
    assert shown in message


def test_threshold_analysis_and_periods_refuse_non_binary_truth() -> None:
    with pytest.raises(DataValidationError, match="'y_true' must hold only 0 and 1"):
        threshold_analysis([0, 1, 2], [0.1, 0.5, 0.9])
    with pytest.raises(DataValidationError, match="'y_true' must hold only 0 and 1"):
        metrics_by_period([0, 1, 2], [0.1, 0.5, 0.9], ["a", "a", "b"])


def test_confusion_counts_equal_sklearn_confusion_matrix() -> None:
    y_true, y_pred, _ = random_classification(5)
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred).ravel()
    assert confusion_counts(y_true, y_pred) == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    # Labels are fixed to [0, 1], so a single class still gives all four cells.
    assert confusion_counts([0, 0, 0], [0, 0, 0]) == {"tn": 3, "fp": 0, "fn": 0, "tp": 0}


# --- regression_metrics -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_equal_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y_true = rng.gamma(2.0, 300.0, 400)
    y_pred = y_true * rng.uniform(0.7, 1.3) + rng.normal(0, 150, 400)
    got = regression_metrics(y_true, y_pred)
    expected = {
        "mse": skm.mean_squared_error(y_true, y_pred),
        "rmse": skm.root_mean_squared_error(y_true, y_pred),
        "mae": skm.mean_absolute_error(y_true, y_pred),
        "r2": skm.r2_score(y_true, y_pred),
    }
    assert list(got) == list(REGRESSION_METRICS)
    assert got == pytest.approx(expected, rel=1e-12, abs=0)
    assert got["rmse"] == pytest.approx(math.sqrt(got["mse"]), rel=1e-12)


def test_regression_metrics_worked_by_hand() -> None:
    # Misses 0, 2, 0, -1; the truth's mean is 3, so its total sum of squares is 14.
    # Swapping truth and prediction would give R² 1 - 5/8.75 instead of 1 - 5/14.
    got = regression_metrics([1.0, 2.0, 3.0, 6.0], [1.0, 4.0, 3.0, 5.0])
    assert got == pytest.approx(
        {"mse": 5 / 4, "rmse": math.sqrt(5 / 4), "mae": 3 / 4, "r2": 1 - 5 / 14}, rel=1e-12
    )


def test_regression_metrics_of_a_perfect_and_a_mean_prediction() -> None:
    y = np.array([1.0, 2.0, 3.0, 6.0])
    assert regression_metrics(y, y) == {"mse": 0.0, "rmse": 0.0, "mae": 0.0, "r2": 1.0}
    assert regression_metrics(y, np.full(4, y.mean()))["r2"] == pytest.approx(0.0, abs=1e-15)


# --- threshold_analysis -------------------------------------------------------------------


def sklearn_at_threshold(y_true, y_score, t: float) -> dict[str, float]:
    flags = (np.asarray(y_score) >= t).astype(int)
    return {
        "precision": skm.precision_score(y_true, flags, zero_division=0),
        "recall": skm.recall_score(y_true, flags, zero_division=0),
        "f1": skm.f1_score(y_true, flags, zero_division=0),
        "flag_rate": flags.mean(),
    }


def check_threshold_table(table: pd.DataFrame, y_true, y_score, thresholds) -> None:
    assert table["threshold"].tolist() == pytest.approx(list(thresholds))
    n = len(y_true)
    for row in table.to_dict("records"):
        t = row["threshold"]
        expected = sklearn_at_threshold(y_true, y_score, t)
        got = {k: row[k] for k in expected}
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-15), f"threshold {t}"
        flags = (np.asarray(y_score) >= t).astype(int)
        tn, fp, fn, tp = skm.confusion_matrix(y_true, flags, labels=[0, 1]).ravel()
        assert (row["tn"], row["fp"], row["fn"], row["tp"]) == (tn, fp, fn, tp), f"threshold {t}"
        assert row["tp"] + row["fp"] + row["fn"] + row["tn"] == n


# Eight rows (4 positives, 4 negatives, two ties) in no particular order, and the
# counts at each threshold worked out by hand: a row is flagged when score >= threshold.
EIGHT = pd.DataFrame(
    {
        "y_true": [0, 1, 1, 0, 1, 0, 1, 0],
        "y_score": [0.30, 0.95, 0.80, 0.80, 0.30, 0.10, 0.60, 0.45],
    }
)
EIGHT_BY_HAND = [
    # threshold, tp, fp, fn, tn, precision, recall, f1, flag_rate
    (0.99, 0, 0, 4, 4, 0.0, 0.0, 0.0, 0 / 8),  # nothing flagged: precision 0 by convention
    (0.80, 2, 1, 2, 3, 2 / 3, 2 / 4, 4 / 7, 3 / 8),  # the tie at 0.80: both rows flagged
    (0.50, 3, 1, 1, 3, 3 / 4, 3 / 4, 3 / 4, 4 / 8),
    (0.30, 4, 3, 0, 1, 4 / 7, 4 / 4, 8 / 11, 7 / 8),  # the tie at 0.30: both rows flagged
    (0.00, 4, 4, 0, 0, 4 / 8, 4 / 4, 2 / 3, 8 / 8),
]
THRESHOLD_COLUMNS = ["threshold", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "flag_rate"]


def assert_rows_by_hand(records: Sequence[Mapping[Any, Any]], thresholds: list[float]) -> None:
    """The rows of ``records`` at ``thresholds`` equal EIGHT_BY_HAND's."""
    by_threshold = {round(r["threshold"], 2): r for r in records}
    for expected in (e for e in EIGHT_BY_HAND if e[0] in thresholds):
        row = by_threshold[expected[0]]
        got = [row[c] for c in THRESHOLD_COLUMNS]
        assert got[1:5] == list(expected[1:5]), f"counts at {expected[0]}"
        assert got == pytest.approx(list(expected), rel=1e-12, abs=0), f"threshold {expected[0]}"


def test_threshold_analysis_on_eight_rows_worked_by_hand() -> None:
    thresholds = [row[0] for row in EIGHT_BY_HAND]
    table = threshold_analysis(EIGHT["y_true"], EIGHT["y_score"], thresholds=thresholds)
    assert table.columns.tolist() == THRESHOLD_COLUMNS
    assert table["threshold"].tolist() == thresholds  # in the order asked for
    assert_rows_by_hand(table.to_dict("records"), thresholds)


@pytest.mark.parametrize("seed", SEEDS)
def test_threshold_analysis_agrees_with_sklearn_roc_and_precision_recall_curves(
    seed: int,
) -> None:
    # scikit-learn's curves flag score >= threshold at each distinct score, as the kit does.
    y_true, _, y_score = random_classification(seed)
    n_pos, n_neg = int(y_true.sum()), int((1 - y_true).sum())
    fpr, tpr, roc_thresholds = skm.roc_curve(y_true, y_score, drop_intermediate=False)
    finite = np.isfinite(roc_thresholds)  # the first threshold flags nothing
    table = threshold_analysis(y_true, y_score, thresholds=roc_thresholds[finite])
    np.testing.assert_array_equal(table["tp"], np.round(tpr[finite] * n_pos).astype(int))
    np.testing.assert_array_equal(table["fp"], np.round(fpr[finite] * n_neg).astype(int))
    precision, recall, pr_thresholds = skm.precision_recall_curve(y_true, y_score)
    table = threshold_analysis(y_true, y_score, thresholds=pr_thresholds)
    np.testing.assert_allclose(table["precision"], precision[:-1], rtol=1e-12, atol=0)
    np.testing.assert_allclose(table["recall"], recall[:-1], rtol=1e-12, atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_threshold_analysis_equals_sklearn_at_every_threshold(seed: int) -> None:
    y_true, _, y_score = random_classification(seed)
    rng = np.random.default_rng(seed + 100)
    # Thresholds exactly equal to observed scores (ties, flagged by >=), unsorted,
    # below every score (all flagged) and above every score (nothing flagged).
    on_scores = rng.choice(np.unique(y_score), 8, replace=False)
    thresholds = np.concatenate([on_scores, [0.0, y_score.max() + 0.01, 1.5, 0.333]])
    assert len(np.unique(y_score)) < len(y_score)  # the data really has ties
    table = threshold_analysis(y_true, y_score, thresholds=thresholds)
    check_threshold_table(table, y_true, y_score, thresholds)


def test_threshold_analysis_default_grid_on_claims(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    table = threshold_analysis(p["y_true"], p["y_score"])
    grid = [round(0.05 * k, 2) for k in range(1, 20)]
    assert table["threshold"].tolist() == grid
    check_threshold_table(table, p["y_true"].to_numpy(), p["y_score"].to_numpy(), grid)
    # At the model's own threshold the table agrees with its predictions.
    at_03 = table.set_index("threshold").loc[0.3]
    assert at_03[["tn", "fp", "fn", "tp"]].to_dict() == confusion_counts(p["y_true"], p["y_pred"])


def test_threshold_above_every_score_flags_nothing_and_precision_is_zero() -> None:
    y_true = np.array([0, 1, 1, 0, 1])
    y_score = np.array([0.1, 0.4, 0.8, 0.3, 0.8])
    row = threshold_analysis(y_true, y_score, thresholds=[0.9]).iloc[0]
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (0, 0, 3, 2)
    assert row["precision"] == 0.0 == skm.precision_score(y_true, y_score >= 0.9, zero_division=0)
    assert row["recall"] == 0.0
    assert row["f1"] == 0.0
    assert row["flag_rate"] == 0.0
    # A threshold equal to the top score flags both tied rows.
    tie = threshold_analysis(y_true, y_score, thresholds=[0.8]).iloc[0]
    assert (tie["tp"], tie["fp"], tie["flag_rate"]) == (2, 0, 0.4)


def test_threshold_analysis_without_positives_has_zero_recall() -> None:
    y_score = np.array([0.2, 0.6, 0.9])
    table = threshold_analysis([0, 0, 0], y_score, thresholds=[0.5])
    row = table.iloc[0].to_dict()
    assert [row[k] for k in ("precision", "recall", "f1", "flag_rate")] == [
        0.0,
        0.0,
        0.0,
        pytest.approx(2 / 3),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_threshold_analysis_group_flag_rates_equal_pandas_groupby(seed: int) -> None:
    y_true, _, y_score = random_classification(seed)
    rng = np.random.default_rng(seed)
    groups = rng.choice(["north", "south", "east", "wales"], len(y_true), p=[0.4, 0.3, 0.2, 0.1])
    thresholds = [0.1, 0.25, 0.5, float(y_score[0]), 0.9]
    table = threshold_analysis(y_true, y_score, thresholds=thresholds, groups=groups)
    columns = [c for c in table.columns if c.startswith("flag_rate[")]
    assert columns == [f"flag_rate[{g}]" for g in sorted(set(groups))]
    for i, t in enumerate(thresholds):
        expected = pd.Series(y_score >= t).groupby(groups).mean()
        for g, rate in expected.items():
            assert table.loc[i, f"flag_rate[{g}]"] == pytest.approx(rate, rel=1e-12, abs=0)


def test_threshold_analysis_group_flag_rates_on_claims(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    table = threshold_analysis(p["y_true"], p["y_score"], thresholds=[0.3], groups=p["age_band"])
    expected = (p["y_score"] >= 0.3).groupby(p["age_band"]).mean()
    row = {str(k): v for k, v in table.iloc[0].items()}
    got = {k[len("flag_rate[") : -1]: v for k, v in row.items() if k.startswith("flag_rate[")}
    assert got == pytest.approx(expected.to_dict(), rel=1e-12)
    assert expected.index.tolist() == list(got)


# --- metrics_by_period --------------------------------------------------------------------


def test_metrics_by_period_equal_sklearn_per_month(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    table = metrics_by_period(p["y_true"], p["y_score"], p["month"], threshold=0.3)
    months = sorted(p["month"].unique())
    assert table.index.name == "period"
    assert table.index.tolist() == months
    assert table.columns.tolist() == [
        "n",
        "positive_rate",
        "roc_auc",
        "recall",
        "precision",
        "flag_rate",
    ]
    for month in months:
        part = p[p["month"] == month]
        flags = (part["y_score"] >= 0.3).astype(int)
        assert flags.equals(part["y_pred"])  # the fixture's predictions use the same threshold
        expected = {
            "n": len(part),
            "positive_rate": part["y_true"].mean(),
            "roc_auc": skm.roc_auc_score(part["y_true"], part["y_score"]),
            "recall": skm.recall_score(part["y_true"], flags, zero_division=0),
            "precision": skm.precision_score(part["y_true"], flags, zero_division=0),
            "flag_rate": flags.mean(),
        }
        assert table.loc[month].to_dict() == pytest.approx(expected, rel=1e-12), month


def test_metrics_by_period_with_one_class_in_a_period() -> None:
    y_true = np.array([0, 1, 0, 1, 0, 0, 0, 0])
    y_score = np.array([0.1, 0.9, 0.4, 0.6, 0.7, 0.2, 0.1, 0.3])
    periods = np.array(["2024-01"] * 4 + ["2024-02"] * 4)
    table = metrics_by_period(y_true, y_score, periods)
    first, second = table.loc["2024-01"].to_dict(), table.loc["2024-02"].to_dict()
    assert first["roc_auc"] == 1.0
    assert math.isnan(second["roc_auc"])
    assert [second[k] for k in ("recall", "precision", "flag_rate")] == [0.0, 0.0, 0.25]


# --- evaluate_predictions and MetricSuite ---------------------------------------------------


def test_evaluate_predictions_classification_to_dict(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    suite = evaluate_predictions(p, threshold=0.3)
    assert isinstance(suite, MetricSuite)
    assert suite.n == len(p)
    out = suite.to_dict()
    expected = sklearn_suite(p["y_true"], p["y_pred"], p["y_score"])
    assert {k: out[k] for k in CLASSIFICATION_METRICS} == pytest.approx(expected, rel=1e-12)
    assert suite["roc_auc"] == out["roc_auc"]
    assert out["task"] == "classification"
    assert out["n_test"] == len(p)
    assert out["threshold"] == 0.3
    tn, fp, fn, tp = skm.confusion_matrix(p["y_true"], p["y_pred"]).ravel()
    assert out["confusion_matrix"] == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    records = out["threshold_analysis"]
    grid = [round(0.05 * k, 2) for k in range(1, 20)]
    assert [list(r) for r in records] == [THRESHOLD_COLUMNS] * len(grid)
    # Each row against scikit-learn called directly at that threshold.
    check_threshold_table(
        pd.DataFrame(records), p["y_true"].to_numpy(), p["y_score"].to_numpy(), grid
    )
    json.dumps(out, allow_nan=False)  # ready to write to a run folder


def test_evaluate_predictions_on_eight_rows_worked_by_hand() -> None:
    predictions = EIGHT.assign(y_pred=(EIGHT["y_score"] >= 0.5).astype(int))
    out = evaluate_predictions(predictions, threshold=0.5).to_dict()
    assert out["confusion_matrix"] == {"tn": 3, "fp": 1, "fn": 1, "tp": 3}
    assert (out["precision"], out["recall"], out["accuracy"]) == (0.75, 0.75, 0.75)
    # The default grid (0.05, 0.10, ..., 0.95) holds 0.30, 0.50 and 0.80 of the table above.
    records = out["threshold_analysis"]
    assert len(records) == 19
    assert_rows_by_hand(records, [0.3, 0.5, 0.8])


def test_evaluate_predictions_regression_to_dict() -> None:
    rng = np.random.default_rng(7)
    y = rng.normal(100, 20, 300)
    predictions = pd.DataFrame({"y_true": y, "y_pred": y + rng.normal(0, 5, 300)})
    suite = evaluate_predictions(predictions, task="regression")
    out = suite.to_dict()
    assert out == {
        "task": "regression",
        "n_test": 300,
        **regression_metrics(predictions["y_true"], predictions["y_pred"]),
    }
    assert out["r2"] == pytest.approx(skm.r2_score(y, predictions["y_pred"]), rel=1e-12)
    assert suite.confusion is None
    assert suite.thresholds is None


def test_evaluate_predictions_without_scores() -> None:
    p = pd.DataFrame({"y_true": [0, 1, 1, 0], "y_pred": [0, 1, 0, 0]})
    out = evaluate_predictions(p).to_dict()
    assert "roc_auc" not in out
    assert "threshold_analysis" not in out
    assert out["confusion_matrix"] == {"tn": 2, "fp": 0, "fn": 1, "tp": 1}


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_to_frame_gives_a_meaning_for_every_metric(
    task: str, claims_predictions: pd.DataFrame
) -> None:
    p = claims_predictions
    if task == "regression":
        p = p.assign(y_true=p["y_score"] * 10, y_pred=p["y_score"] * 9)
    frame = evaluate_predictions(p, task=task).to_frame()  # type: ignore[arg-type]
    names = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
    assert frame.index.name == "metric"
    assert frame.index.tolist() == list(names)
    assert frame.columns.tolist() == ["value", "meaning"]
    assert all(isinstance(m, str) and len(m) > 20 for m in frame["meaning"])
    assert frame["meaning"].tolist() == [METRIC_GLOSSARY[k] for k in names]


def test_metric_suite_html_shows_every_metric_and_undefined_values() -> None:
    suite = MetricSuite("classification", 3, {"accuracy": 0.5, "roc_auc": None})
    html = suite._repr_html_()
    assert "Metrics on 3 test rows" in html
    assert "<th scope='row'>accuracy</th><td>0.5</td>" in html
    assert "<th scope='row'>roc_auc</th><td>n/a</td>" in html
