"""Group fairness, checked against fairlearn (numbers) and scipy (bootstrap intervals)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as flm
from scipy import stats
from scipy.special import ndtr, ndtri
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    precision_score,
    recall_score,
    zero_one_loss,
)

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.fairness import FairnessResult, _counts, _intervals, fairness_report, group_metrics
from mlops_kit.fairness._counts import CONFUSION_METRICS, group_confusion
from mlops_kit.fairness._result import GroupVerdict
from mlops_kit.figures import DescribedFigure

ATTRIBUTES = ["sex", "age_band", "ethnic_group", "disability"]
DISPARITIES = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
]


def _tpr(y_true: Any, y_pred: Any) -> float:
    """Share of actual positives predicted positive: scikit-learn's recall."""
    return float(recall_score(y_true, y_pred, zero_division=0))


def _fpr(y_true: Any, y_pred: Any) -> float:
    """Share of actual negatives predicted positive: recall with the negatives as the class."""
    return float(recall_score(1 - np.asarray(y_true), y_pred, zero_division=0))


def _fnr(y_true: Any, y_pred: Any) -> float:
    """Share of actual positives predicted negative: recall of the flipped predictions."""
    return float(recall_score(y_true, 1 - np.asarray(y_pred), zero_division=0))


def _tnr(y_true: Any, y_pred: Any) -> float:
    """Share of actual negatives predicted negative: recall of class 0 (specificity)."""
    return float(recall_score(y_true, y_pred, pos_label=0, zero_division=0))


#: The test's own choice of fairlearn and scikit-learn function for each rate, written
#: independently of the kit (mostly as a recall over the right class, not fairlearn's own
#: rate functions the kit uses). Rates over an empty denominator are 0, as in fairlearn.
EXPECTED_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "count": lambda t, p: len(t),
    "selection_rate": flm.mean_prediction,
    "true_positive_rate": _tpr,
    "false_positive_rate": _fpr,
    "false_negative_rate": _fnr,
    "true_negative_rate": _tnr,
    "precision": lambda t, p: precision_score(t, p, zero_division=0),
    "accuracy": lambda t, p: 1.0 - zero_one_loss(t, p),
}
METRIC_NAMES = list(EXPECTED_FUNCTIONS)


def metric_frame(y_true: Any, y_pred: Any, groups: Any) -> pd.DataFrame:
    """fairlearn's MetricFrame(...).by_group with the test's own metric functions."""
    frame = flm.MetricFrame(
        metrics=EXPECTED_FUNCTIONS,
        y_true=np.asarray(y_true),
        y_pred=np.asarray(y_pred),
        sensitive_features=np.asarray(groups),
    )
    by_group: pd.DataFrame = frame.by_group
    return by_group


def assert_same_table(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same groups, same metric columns, same numbers and NaN in the same places."""
    assert [str(g) for g in got.index] == [str(g) for g in expected.index]
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_allclose(
        got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-12, atol=0
    )


def build_groups(
    spec: dict[str, tuple[int, int, int]], seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth, flags and group labels with exact counts per group.

    ``spec`` maps each group to (rows, actual positives, flagged rows); flags fall on a
    seeded random subset of the group's rows, so they mix positives and negatives.
    """
    rng = np.random.default_rng(seed)
    y_true, y_pred, groups = [], [], []
    for name, (rows, positives, flagged) in spec.items():
        truth = np.zeros(rows, dtype=np.int64)
        truth[:positives] = 1
        flags = np.zeros(rows, dtype=np.int64)
        flags[rng.choice(rows, flagged, replace=False)] = 1
        y_true.append(truth)
        y_pred.append(flags)
        groups += [name] * rows
    return np.concatenate(y_true), np.concatenate(y_pred), np.array(groups)


def random_groups(seed: int, n: int = 6000, n_groups: int = 30) -> dict[str, np.ndarray]:
    """Many groups of uneven size and behaviour, each with both classes; g00 is never flagged."""
    rng = np.random.default_rng(seed)
    names = np.array([f"g{k:02d}" for k in range(n_groups)])
    codes = rng.choice(n_groups, n, p=rng.dirichlet(np.full(n_groups, 2.0)))
    codes[: 2 * n_groups] = np.repeat(np.arange(n_groups), 2)  # every group at least 2 rows
    y_true = (rng.random(n) < rng.uniform(0.1, 0.6, n_groups)[codes]).astype(np.int64)
    y_true[: 2 * n_groups : 2], y_true[1 : 2 * n_groups : 2] = 1, 0  # both classes per group
    tpr, fpr = rng.uniform(0.4, 0.9, n_groups), rng.uniform(0.05, 0.3, n_groups)
    y_pred = (rng.random(n) < np.where(y_true == 1, tpr[codes], fpr[codes])).astype(np.int64)
    y_pred[codes == 0] = 0  # a group with no predicted positives
    return {"y_true": y_true, "y_pred": y_pred, "groups": names[codes]}


# --- group_metrics: the fast path against fairlearn ------------------------------------------


@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_fast_path_equals_fairlearn_on_claims(
    attribute: str, claims_predictions: pd.DataFrame
) -> None:
    p = claims_predictions
    names = METRIC_NAMES
    fast = group_metrics(p["y_true"], p["y_pred"], p[attribute], metrics=names, method="fast")
    via_fairlearn = group_metrics(
        p["y_true"], p["y_pred"], p[attribute], metrics=names, method="fairlearn"
    )
    by_group = metric_frame(p["y_true"], p["y_pred"], p[attribute])
    assert_same_table(fast, by_group)
    assert_same_table(via_fairlearn, by_group)
    assert [str(g) for g in fast.index] == sorted(p[attribute].unique())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_fast_path_equals_fairlearn_on_many_random_groups(seed: int) -> None:
    data = random_groups(seed)
    y_true, y_pred, groups = data["y_true"], data["y_pred"], data["groups"]
    names = METRIC_NAMES
    fast = group_metrics(y_true, y_pred, groups, metrics=names, method="fast")
    assert len(fast) == 30
    assert_same_table(fast, metric_frame(y_true, y_pred, groups))
    assert_same_table(
        group_metrics(y_true, y_pred, groups, metrics=names, method="fairlearn"), fast
    )
    # The group with no predicted positives: selection rate, TPR, FPR and precision are 0.
    silent = fast.loc["g00"].to_dict()
    assert silent["count"] > 0
    for name in ("selection_rate", "true_positive_rate", "false_positive_rate", "precision"):
        assert silent[name] == 0.0, name


def test_default_and_auto_paths_are_the_fast_path() -> None:
    data = random_groups(5)
    args = (data["y_true"], data["y_pred"], data["groups"])
    default = group_metrics(*args)
    assert list(default.columns) == [
        "count",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "precision",
        "accuracy",
    ]
    assert_same_table(default, group_metrics(*args, metrics=list(default.columns), method="fast"))


def test_a_mapping_of_metric_functions_goes_to_metric_frame() -> None:
    data = random_groups(6)
    args = (data["y_true"], data["y_pred"], data["groups"])
    table = group_metrics(*args, metrics={"accuracy": accuracy_score})
    expected = flm.MetricFrame(
        metrics={"accuracy": accuracy_score},
        y_true=args[0],
        y_pred=args[1],
        sensitive_features=args[2],
    ).by_group
    assert_same_table(table, expected)


def test_fast_path_equals_fairlearn_for_groups_with_one_class() -> None:
    y_true, y_pred, groups = build_groups(
        {"mixed": (100, 30, 25), "no positives": (80, 0, 10), "all positive": (50, 50, 20)}
    )
    names = METRIC_NAMES
    fast = group_metrics(y_true, y_pred, groups, metrics=names, method="fast")
    assert_same_table(fast, metric_frame(y_true, y_pred, groups))
    via_fairlearn = group_metrics(y_true, y_pred, groups, metrics=names, method="fairlearn")
    assert_same_table(via_fairlearn, metric_frame(y_true, y_pred, groups))


def test_the_kit_offers_exactly_the_metrics_checked_here() -> None:
    # A metric added to the kit needs its own independent expectation above.
    assert sorted(CONFUSION_METRICS) == sorted(METRIC_NAMES)


# Twelve rows in three groups, interleaved so that no path can rely on the row order:
#   a: truth 1 1 0 0 0, predicted 1 0 1 0 0  ->  tp 1, fn 1, fp 1, tn 2
#   b: truth 1 1 1 0,   predicted 1 1 0 0    ->  tp 2, fn 1, fp 0, tn 1
#   c: truth 0 0 0,     predicted 0 1 0      ->  tp 0, fn 0, fp 1, tn 2 (no actual positive)
TINY_ROWS = [
    ("a", 1, 1),
    ("b", 1, 1),
    ("c", 0, 0),
    ("a", 1, 0),
    ("b", 1, 1),
    ("c", 0, 1),
    ("a", 0, 1),
    ("b", 1, 0),
    ("c", 0, 0),
    ("a", 0, 0),
    ("b", 0, 0),
    ("a", 0, 0),
]
#: The rates of TINY_ROWS worked out by hand from the counts above (no positives: rate 0).
TINY_BY_HAND = pd.DataFrame(
    {
        "count": [5, 4, 3],
        "selection_rate": [2 / 5, 2 / 4, 1 / 3],
        "true_positive_rate": [1 / 2, 2 / 3, 0.0],
        "false_positive_rate": [1 / 3, 0 / 1, 1 / 3],
        "false_negative_rate": [1 / 2, 1 / 3, 0.0],
        "true_negative_rate": [2 / 3, 1 / 1, 2 / 3],
        "precision": [1 / 2, 2 / 2, 0 / 1],
        "accuracy": [3 / 5, 3 / 4, 2 / 3],
    },
    index=pd.Index(["a", "b", "c"], name="group"),
)


@pytest.mark.parametrize("method", ["fast", "fairlearn"])
def test_group_rates_on_a_tiny_example_worked_by_hand(method: Literal["fast", "fairlearn"]) -> None:
    groups, y_true, y_pred = (list(column) for column in zip(*TINY_ROWS, strict=True))
    table = group_metrics(y_true, y_pred, groups, metrics=METRIC_NAMES, method=method)
    assert_same_table(table, TINY_BY_HAND)
    # The test's own MetricFrame agrees with the hand-worked table as well.
    assert_same_table(metric_frame(y_true, y_pred, groups), TINY_BY_HAND)
    counts = group_confusion(y_true, y_pred, groups)
    assert counts.to_dict("index") == {
        "a": {"tn": 2, "fp": 1, "fn": 1, "tp": 1},
        "b": {"tn": 1, "fp": 0, "fn": 1, "tp": 2},
        "c": {"tn": 2, "fp": 1, "fn": 0, "tp": 0},
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_group_confusion_equals_sklearn_per_group(seed: int) -> None:
    data = random_groups(seed, n=2000, n_groups=7)
    table = group_confusion(data["y_true"], data["y_pred"], data["groups"])
    assert table.index.name == "group"
    assert list(table.columns) == ["tn", "fp", "fn", "tp"]
    for name, row in table.iterrows():
        mask = data["groups"] == name
        cm = confusion_matrix(data["y_true"][mask], data["y_pred"][mask], labels=[0, 1])
        assert row.tolist() == cm.ravel().tolist()
    assert table.to_numpy().sum() == 2000


def test_unknown_metric_for_the_fast_path_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"method='fast'. Got \['roc_auc'\] instead"):
        group_metrics([0, 1], [0, 1], ["a", "b"], metrics=["roc_auc"], method="fast")


# --- fairness_report headline values against fairlearn -------------------------------------


def fairlearn_disparities(y_true: Any, y_pred: Any, groups: Any) -> dict[str, float]:
    kwargs = {"sensitive_features": np.asarray(groups)}
    return {
        "demographic_parity_difference": flm.demographic_parity_difference(
            y_true, y_pred, **kwargs
        ),
        "demographic_parity_ratio": flm.demographic_parity_ratio(y_true, y_pred, **kwargs),
        "equalized_odds_difference": flm.equalized_odds_difference(y_true, y_pred, **kwargs),
        "equalized_odds_ratio": flm.equalized_odds_ratio(y_true, y_pred, **kwargs),
    }


@pytest.fixture(scope="module")
def claims_reports(claims_predictions: pd.DataFrame) -> dict[str, dict[str, FairnessResult]]:
    """fairness_report on the held-out claims, for both outcome directions (the adverse one
    in the bundled claims config's words)."""
    p = claims_predictions
    return {
        "adverse": fairness_report(
            p["y_true"],
            p["y_pred"],
            p[ATTRIBUTES],
            positive_is="adverse",
            n_bootstrap=200,
            rate_name="flag rate",
            positive_words="flagged for review",
        ),
        "favourable": fairness_report(
            p["y_true"], p["y_pred"], p[ATTRIBUTES], positive_is="favourable", n_bootstrap=200
        ),
    }


@pytest.mark.parametrize("direction", ["adverse", "favourable"])
@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_headline_values_equal_fairlearn_on_the_judged_groups(
    attribute: str,
    direction: str,
    claims_predictions: pd.DataFrame,
    claims_reports: dict[str, dict[str, FairnessResult]],
) -> None:
    p = claims_predictions
    result = claims_reports[direction][attribute]
    judged = ~p[attribute].isin(result.insufficient_groups)
    expected = fairlearn_disparities(
        p.loc[judged, "y_true"], p.loc[judged, "y_pred"], p.loc[judged, attribute]
    )
    got = {name: getattr(result, name) for name in DISPARITIES}
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert result.four_fifths_ratio == result.demographic_parity_ratio
    # all_groups: fairlearn over every group, small ones included.
    everything = fairlearn_disparities(p["y_true"], p["y_pred"], p[attribute])
    assert result.all_groups == pytest.approx(everything, rel=1e-12, abs=1e-15)


def test_claims_age_band_16_17_is_insufficient_data(
    claims_predictions: pd.DataFrame, claims_reports: dict[str, dict[str, FairnessResult]]
) -> None:
    result = claims_reports["adverse"]["age_band"]
    assert result.insufficient_groups == ("16-17",)
    young = result.table.loc["16-17"].to_dict()
    assert young["verdict"] == GroupVerdict.INSUFFICIENT.value
    assert math.isnan(young["impact_ratio"])
    assert young["count"] == (claims_predictions["age_band"] == "16-17").sum()
    assert young["count"] < result.min_group_size
    # The headline leaves it out, so it differs from the figure over every group.
    assert result.demographic_parity_ratio != result.all_groups["demographic_parity_ratio"]
    for other in ("sex", "ethnic_group", "disability"):
        assert claims_reports["adverse"][other].insufficient_groups == ()


def test_report_table_columns_match_group_counts(
    claims_predictions: pd.DataFrame, claims_reports: dict[str, dict[str, FairnessResult]]
) -> None:
    p = claims_predictions
    table = claims_reports["adverse"]["ethnic_group"].to_frame()
    counts = p.groupby("ethnic_group")[["y_true", "y_pred"]].agg(["size", "sum"])
    assert table["count"].tolist() == counts[("y_true", "size")].tolist()
    assert table["positives"].tolist() == counts[("y_true", "sum")].tolist()
    assert table["predicted_positive"].tolist() == counts[("y_pred", "sum")].tolist()
    expected = metric_frame(p["y_true"], p["y_pred"], p["ethnic_group"])
    for col in ("selection_rate", "true_positive_rate", "false_positive_rate", "precision"):
        np.testing.assert_allclose(table[col], expected[col], rtol=1e-12)


# --- the four-fifths rule --------------------------------------------------------------------


def test_adverse_outcome_compares_flag_rates_not_unflagged_rates() -> None:
    # Flag rates 5% and 15%: the over-flagged group is flagged three times as often.
    y_true, flags, groups = build_groups({"high": (1000, 100, 150), "low": (1000, 100, 50)})
    result = fairness_report(
        y_true, flags, {"region": groups}, positive_is="adverse", n_bootstrap=0
    )["region"]
    assert result.four_fifths_ratio == pytest.approx(0.05 / 0.15)
    assert result.four_fifths_passed is False
    assert result.failing_groups == ("high",)
    assert result.reference_group == "low"
    assert result.table["verdict"].to_dict() == {"high": "fail", "low": "reference"}
    assert result.table.loc["high", "impact_ratio"] == pytest.approx(1 / 3)

    # The ratio of "not flagged" rates, 0.85 / 0.95 = 0.89, would have passed:
    not_flagged = 1 - result.table["selection_rate"]
    assert not_flagged.min() / not_flagged.max() == pytest.approx(0.85 / 0.95)
    assert not_flagged.min() / not_flagged.max() >= 0.8
    # and that is exactly what judging "not flagged" as the favourable outcome gives.
    flipped = fairness_report(
        y_true, 1 - flags, {"region": groups}, positive_is="favourable", n_bootstrap=0
    )["region"]
    assert flipped.four_fifths_ratio == pytest.approx(0.85 / 0.95)
    assert flipped.four_fifths_passed is True
    assert flipped.failing_groups == ()
    # Without the service's own words the rates and the verdict are named neutrally.
    assert result.rate_name == "positive rate"
    assert flipped.rate_name == "selection rate"
    assert "high is predicted positive more than 1.25 times as often as low" in result.summary()
    worded = fairness_report(
        y_true,
        flags,
        {"region": groups},
        positive_is="adverse",
        n_bootstrap=0,
        rate_name="flag rate",
        positive_words="flagged for review",
    )["region"]
    assert worded.rate_name == "flag rate"
    assert "Four-fifths rule on flag rates: ratio 0.33" in worded.summary()
    assert "high is flagged for review more than 1.25 times as often as low" in worded.summary()
    assert worded.to_dict()["positive_words"] == "flagged for review"


def test_adverse_reference_is_the_least_flagged_group() -> None:
    y_true, flags, groups = build_groups(
        {"a": (1000, 100, 60), "b": (1000, 100, 50), "c": (1000, 100, 150)}
    )
    result = fairness_report(y_true, flags, {"g": groups}, positive_is="adverse", n_bootstrap=0)[
        "g"
    ]
    assert result.reference_group == "b"
    assert result.failing_groups == ("c",)
    assert result.table["verdict"].to_dict() == {"a": "pass", "b": "reference", "c": "fail"}
    np.testing.assert_allclose(result.table["impact_ratio"], [0.05 / 0.06, 1.0, 0.05 / 0.15])


def test_favourable_reference_is_the_most_selected_group() -> None:
    y_true, granted, groups = build_groups(
        {"a": (400, 200, 200), "b": (400, 200, 180), "c": (400, 200, 120)}
    )
    result = fairness_report(
        y_true, granted, {"g": groups}, positive_is="favourable", n_bootstrap=0
    )["g"]
    assert result.reference_group == "a"
    assert result.failing_groups == ("c",)
    assert result.four_fifths_passed is False
    assert result.four_fifths_ratio == pytest.approx(0.6)
    assert result.table["verdict"].to_dict() == {"a": "reference", "b": "pass", "c": "fail"}
    np.testing.assert_allclose(result.table["impact_ratio"], [1.0, 0.9, 0.6])
    assert "c is selected less than 0.8 times as often as a" in result.summary()


@pytest.mark.parametrize("direction", ["favourable", "adverse"])
def test_a_ratio_of_exactly_four_fifths_passes(direction: str) -> None:
    y_true, flags, groups = build_groups({"a": (100, 20, 10), "b": (100, 20, 8)})
    result = fairness_report(
        y_true,
        flags,
        {"g": groups},
        positive_is=direction,  # type: ignore[arg-type]
        n_bootstrap=0,
    )["g"]
    assert result.four_fifths_ratio == pytest.approx(0.8)
    assert result.four_fifths_passed is True
    assert result.failing_groups == ()


INSUFFICIENT_SPEC = {
    "big": (500, 60, 50),  # flag rate 10%
    "edge": (30, 5, 3),  # exactly the minimum rows and positives: judged, 10%
    "few positives": (200, 3, 80),  # 40%, but only 3 positives
    "large": (500, 60, 45),  # 9%
    "small": (20, 6, 10),  # 50%, but only 20 rows
}


def test_small_groups_are_insufficient_and_left_out_of_the_headline() -> None:
    y_true, flags, groups = build_groups(INSUFFICIENT_SPEC)
    result = fairness_report(y_true, flags, {"g": groups}, positive_is="adverse", n_bootstrap=0)[
        "g"
    ]
    assert result.insufficient_groups == ("few positives", "small")
    verdicts = result.table["verdict"].to_dict()
    assert verdicts == {
        "big": "pass",
        "edge": "pass",
        "few positives": "insufficient data",
        "large": "reference",
        "small": "insufficient data",
    }
    assert result.table.loc[["few positives", "small"], "impact_ratio"].isna().all()
    # Judged groups only: 9% against 10%, a pass ...
    assert result.four_fifths_ratio == pytest.approx(0.9)
    assert result.four_fifths_passed is True
    judged = ~np.isin(groups, ["few positives", "small"])
    expected = fairlearn_disparities(y_true[judged], flags[judged], groups[judged])
    assert {k: getattr(result, k) for k in DISPARITIES} == pytest.approx(expected, rel=1e-12)
    # ... although over every group the ratio is 0.09 / 0.5.
    assert result.all_groups["demographic_parity_ratio"] == pytest.approx(0.18)
    assert result.all_groups == pytest.approx(fairlearn_disparities(y_true, flags, groups))
    summary = result.summary()
    assert "few positives (200 rows, 3 positives)" in summary
    assert "small (20 rows, 6 positives)" in summary


def test_lower_minimums_judge_every_group() -> None:
    y_true, flags, groups = build_groups(INSUFFICIENT_SPEC)
    result = fairness_report(
        y_true,
        flags,
        {"g": groups},
        positive_is="adverse",
        min_group_size=10,
        min_group_positives=3,
        n_bootstrap=0,
    )["g"]
    assert result.insufficient_groups == ()
    assert result.four_fifths_ratio == pytest.approx(0.18)
    assert result.four_fifths_passed is False
    assert set(result.failing_groups) == {"few positives", "small"}
    assert {k: getattr(result, k) for k in DISPARITIES} == result.all_groups


def test_fewer_than_two_judged_groups_cannot_be_judged() -> None:
    y_true, flags, groups = build_groups({"big": (500, 60, 50), "small": (20, 6, 10)})
    result = fairness_report(y_true, flags, {"g": groups}, n_bootstrap=100)["g"]
    assert result.four_fifths_passed is None
    assert result.four_fifths_ratio is None
    assert result.reference_group is None
    assert result.intervals == {}
    assert result.table["verdict"].to_dict() == {"big": "not judged", "small": "insufficient data"}
    assert "cannot be judged" in result.summary()
    json.dumps(result.to_dict(), allow_nan=False)


# --- bootstrap intervals ---------------------------------------------------------------------


def synthetic_rows(seed: int, n: int, n_groups: int = 3) -> tuple[np.ndarray, ...]:
    """Group codes, truth and predictions with group-dependent rates."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_groups, n)
    base = np.array([0.3, 0.35, 0.4, 0.25, 0.45])[:n_groups]
    tpr = np.array([0.7, 0.6, 0.8, 0.65, 0.75])[:n_groups]
    fpr = np.array([0.2, 0.1, 0.15, 0.12, 0.18])[:n_groups]
    y_true = (rng.random(n) < base[codes]).astype(np.int64)
    y_pred = (rng.random(n) < np.where(y_true == 1, tpr[codes], fpr[codes])).astype(np.int64)
    return codes, y_true, y_pred


def cells_of(codes: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, n_groups: int) -> Any:
    """Confusion counts of shape (..., groups, 4) for rows along the last axis."""
    index = codes * 4 + y_true * 2 + y_pred
    lead = index.shape[:-1]
    flat = index.reshape(-1, index.shape[-1])
    size = 4 * n_groups
    offset = flat + size * np.arange(flat.shape[0])[:, None]
    counts = np.bincount(offset.ravel(), minlength=size * flat.shape[0])
    return counts.reshape(*lead, n_groups, 4)


def fixed_pairs(cells: np.ndarray, adverse: bool = False) -> Any:
    """The pairs of groups the kit fixes on the observed counts (reference: group 0)."""
    return _intervals._Pairs.of(cells, reference=0, adverse=adverse)


@pytest.mark.parametrize("seed", [7, 11])
def test_bootstrap_intervals_agree_with_scipy_bca(seed: int) -> None:
    codes, y_true, y_pred = synthetic_rows(seed, 900)
    observed = cells_of(codes, y_true, y_pred, 3)
    pairs = fixed_pairs(observed)

    # Every value but the reference group's own impact ratio, which is always exactly 1
    # (scipy's BCa divides 0 by 0 on a constant).
    varying = [0, 1, 2, 3, 5, 6]

    def statistic(g: np.ndarray, t: np.ndarray, p: np.ndarray, axis: int = -1) -> np.ndarray:
        return _intervals._pair_stats(cells_of(g, t, p, 3), pairs)[varying]

    reference = stats.bootstrap(
        (codes, y_true, y_pred),
        statistic,
        paired=True,
        vectorized=True,
        method="BCa",
        n_resamples=4000,
        confidence_level=0.95,
        rng=np.random.default_rng(seed + 1000),
    ).confidence_interval
    ours = _intervals._bootstrap_intervals(
        observed,
        lambda c: _intervals._pair_stats(c, pairs),
        n_resamples=4000,
        confidence_level=0.95,
        seed=seed,
    )
    assert len(ours) == 4 + 3  # four headline figures, then each group's impact ratio
    assert ours[4] == (1.0, 1.0)  # the reference group against itself
    # Monte Carlo tolerance. The equalised odds ratio here divides two small false
    # positive rates, so its upper tail is heavy: over eight seeds each method's upper
    # bound ranged from 0.84 to 0.90. Every other bound agreed within 0.02.
    # Impact ratios (from position 4) are around 1.5, so they get a relative tolerance.
    tolerance: dict[int, dict[str, Any]] = {3: {"abs": 0.07}, 5: {"rel": 0.03}, 6: {"rel": 0.03}}
    for k, i in enumerate(varying):
        low, high = ours[i]
        assert low == pytest.approx(reference.low[k], **tolerance.get(i, {"abs": 0.02})), i
        assert high == pytest.approx(reference.high[k], **tolerance.get(i, {"abs": 0.02})), i


def test_fixed_pair_statistics_equal_the_headline_on_the_data() -> None:
    codes, y_true, y_pred = synthetic_rows(3, 2000, n_groups=4)
    observed = cells_of(codes, y_true, y_pred, 4)
    values = _intervals._pair_stats(observed, fixed_pairs(observed))
    headline = _counts._disparities(observed)
    for i, name in enumerate(DISPARITIES):
        assert values[i] == pytest.approx(headline[name], rel=1e-12), name


def spy_on_bootstrap(
    cells: np.ndarray, n_resamples: int, seed: int
) -> tuple[list[tuple[float | None, float | None]], list[tuple[np.ndarray, np.ndarray]]]:
    """Run _bootstrap_intervals, recording each call of the statistic (input, output)."""
    calls: list[tuple[np.ndarray, np.ndarray]] = []
    pairs = fixed_pairs(cells)

    def spy(c: np.ndarray) -> np.ndarray:
        out = _intervals._pair_stats(c, pairs)[:4]
        calls.append((np.array(c), out))
        return out

    intervals = _intervals._bootstrap_intervals(
        cells, spy, n_resamples=n_resamples, confidence_level=0.9, seed=seed
    )
    # Calls: the estimate, the resamples, the jackknife.
    assert len(calls) == 3
    assert calls[1][0].shape == (n_resamples, *cells.shape)
    return intervals, calls


def naive_row_jackknife(codes: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The four measures with each row left out in turn, recounted from the rows: (4, n)."""
    n_groups = int(codes.max()) + 1
    pairs = fixed_pairs(cells_of(codes, y_true, y_pred, n_groups))
    values = [
        _intervals._pair_stats(
            cells_of(np.delete(codes, i), np.delete(y_true, i), np.delete(y_pred, i), n_groups),
            pairs,
        )[:4]
        for i in range(len(codes))
    ]
    return np.stack(values, axis=1)


@pytest.fixture
def tiny_rows() -> tuple[np.ndarray, ...]:
    """60 rows in 3 groups; each group has positives, negatives and flags of both kinds."""
    codes, y_true, y_pred = synthetic_rows(0, 60)
    cells = cells_of(codes, y_true, y_pred, 3)
    assert (cells > 0).all()
    assert (cells == 1).any()  # leaving such a row out empties a cell
    return codes, y_true, y_pred


def test_cell_jackknife_equals_leave_one_row_out(tiny_rows: tuple[np.ndarray, ...]) -> None:
    codes, y_true, y_pred = tiny_rows
    cells = cells_of(codes, y_true, y_pred, 3)
    _, calls = spy_on_bootstrap(cells, n_resamples=500, seed=1)
    left_out, jack = calls[2]
    # Which cell each jackknife value removed a row from.
    removed = (cells.ravel()[None, :] - left_out.reshape(len(left_out), -1)).astype(int)
    assert (removed.sum(axis=1) == 1).all()
    cell_of_value = removed.argmax(axis=1)
    value_for_cell = dict(zip(cell_of_value.tolist(), range(len(cell_of_value)), strict=True))
    # Each row's own cell, and the jackknife value the shortcut gives that row.
    row_cell = codes * 4 + y_true * 2 + y_pred
    shortcut = jack[:, [value_for_cell[c] for c in row_cell]]
    naive = naive_row_jackknife(codes, y_true, y_pred)
    assert naive.shape == (4, 60)
    np.testing.assert_array_equal(shortcut, naive)


def test_bca_interval_equals_one_with_the_naive_row_jackknife(
    tiny_rows: tuple[np.ndarray, ...],
) -> None:
    """Same resamples, scipy's BCa formulas with a row-by-row jackknife: same interval."""
    codes, y_true, y_pred = tiny_rows
    cells = cells_of(codes, y_true, y_pred, 3)
    intervals, calls = spy_on_bootstrap(cells, n_resamples=2000, seed=4)
    theta, boot = calls[0][1], calls[1][1]
    naive = naive_row_jackknife(codes, y_true, y_pred)
    alpha = (1 - 0.9) / 2
    for i, name in enumerate(DISPARITIES):
        b = boot[i][np.isfinite(boot[i])]
        if len(b) < 0.95 * len(boot[i]):
            # Undefined in more than 5% of resamples on 60 rows: no interval is given.
            assert intervals[i] == (None, None), name
            continue
        z0 = ndtri((np.sum(b < theta[i]) + np.sum(b <= theta[i])) / (2 * len(b)))
        d = naive[i].mean() - naive[i]
        accel = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
        z = ndtri(np.array([alpha, 1 - alpha]))
        levels = ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
        expected = np.quantile(b, levels)
        assert intervals[i] == pytest.approx(tuple(expected), rel=1e-9, abs=1e-12), name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_interval_contains_the_estimate_in_a_typical_case(seed: int) -> None:
    codes, y_true, y_pred = synthetic_rows(seed, 4000, n_groups=4)
    labels = np.array(["w", "x", "y", "z"])[codes]
    result = fairness_report(y_true, y_pred, {"g": labels}, n_bootstrap=1000, seed=seed)["g"]
    assert result.n_bootstrap == 1000
    assert list(result.intervals) == DISPARITIES
    for name in DISPARITIES:
        low, high = result.intervals[name]
        assert low is not None
        assert high is not None
        assert low < getattr(result, name) < high, name


def test_claims_four_fifths_intervals_contain_the_ratio(
    claims_reports: dict[str, dict[str, FairnessResult]],
) -> None:
    """The interval the summary prints (of the four-fifths ratio) brackets the ratio."""
    for attribute in ATTRIBUTES:
        result = claims_reports["adverse"][attribute]
        for name in ("demographic_parity_difference", "demographic_parity_ratio"):
            low, high = result.intervals[name]
            assert low is not None
            assert high is not None
            assert low <= getattr(result, name) <= high, (attribute, name)


def test_every_claims_interval_contains_its_estimate_with_default_resamples(
    claims_predictions: pd.DataFrame,
) -> None:
    p = claims_predictions
    results = fairness_report(p["y_true"], p["y_pred"], p[ATTRIBUTES], positive_is="adverse")
    for attribute, result in results.items():
        assert result.n_bootstrap == 200
        for name in DISPARITIES:
            low, high = result.intervals[name]
            assert low is not None
            assert high is not None
            assert low <= getattr(result, name) <= high, (attribute, name)


def test_bootstrap_is_reproducible_by_seed() -> None:
    codes, y_true, y_pred = synthetic_rows(0, 3000, n_groups=4)
    labels = np.array(["w", "x", "y", "z"])[codes]

    def intervals(seed: int) -> dict[str, tuple[float | None, float | None]]:
        return fairness_report(y_true, y_pred, {"g": labels}, n_bootstrap=300, seed=seed)[
            "g"
        ].intervals

    first, again, other = intervals(1), intervals(1), intervals(2)
    assert first == again
    assert all(first[name] != other[name] for name in DISPARITIES)


def test_no_bootstrap_gives_no_intervals() -> None:
    codes, y_true, y_pred = synthetic_rows(0, 3000, n_groups=4)
    result = fairness_report(y_true, y_pred, {"g": codes.astype(str)}, n_bootstrap=0)["g"]
    assert result.intervals == {}
    assert result.n_bootstrap == 0
    assert result.to_dict()["confidence_intervals"] == {}
    assert "confidence interval" not in result.summary()
    assert result.four_fifths_passed is not None


# --- result objects: dictionary, summary, figure ---------------------------------------------


def test_to_dict_is_json_ready(claims_reports: dict[str, dict[str, FairnessResult]]) -> None:
    for direction, results in claims_reports.items():
        for attribute, result in results.items():
            out = json.loads(json.dumps(result.to_dict(), allow_nan=False))
            assert out["attribute"] == attribute
            assert out["positive_is"] == direction
            assert out["rate_compared"] == result.rate_name
            assert [g["group"] for g in out["groups"]] == list(result.table.index)
            assert out["four_fifths"]["ratio"] == pytest.approx(result.four_fifths_ratio)
            assert out["four_fifths"]["passed"] == result.four_fifths_passed
            assert out["four_fifths"]["threshold"] == 0.8
            assert out["four_fifths"]["reference_group"] == result.reference_group
            assert out["four_fifths"]["failing_groups"] == list(result.failing_groups)
            assert out["insufficient_groups"] == list(result.insufficient_groups)
            assert out["all_groups"] == pytest.approx(result.all_groups)
            assert set(out["confidence_intervals"]) == set(DISPARITIES)
            assert out["summary"] == result.summary()
    age = claims_reports["adverse"]["age_band"].to_dict()
    young = next(g for g in age["groups"] if g["group"] == "16-17")
    assert young["impact_ratio"] is None  # NaN becomes None
    assert young["verdict"] == "insufficient data"
    assert young["count"] == 22


def test_summary_names_the_rate_the_verdict_and_insufficient_groups(
    claims_reports: dict[str, dict[str, FairnessResult]],
) -> None:
    adverse = claims_reports["adverse"]["age_band"]
    text = adverse.summary()
    assert "flag rate" in text.lower()
    assert "selection rate" not in text.lower()
    verdict = "passes" if adverse.four_fifths_passed else "fails"
    assert f"so it {verdict}" in text
    assert f"ratio {adverse.four_fifths_ratio:.2f}" in text
    assert "16-17 (22 rows, 3 positives)" in text
    assert "confidence interval" in text

    failing = claims_reports["adverse"]["ethnic_group"]
    if failing.four_fifths_passed is False:
        assert "so it fails" in failing.summary()
        assert f"as often as {failing.reference_group}" in failing.summary()

    favourable = claims_reports["favourable"]["age_band"].summary()
    assert "selection rate" in favourable.lower()
    assert "flag rate" not in favourable.lower()


def test_plot_is_described_by_the_summary(
    claims_reports: dict[str, dict[str, FairnessResult]],
) -> None:
    result = claims_reports["adverse"]["age_band"]
    figure = result.plot()
    assert isinstance(figure, DescribedFigure)
    assert figure.description == result.summary()
    assert figure.title == "Flag rate by age_band"
    assert figure.to_png()[:8] == b"\x89PNG\r\n\x1a\n"
    html = result._repr_html_()
    assert "flag rate" in html
    assert "insufficient data" in html


def test_report_accepts_a_frame_a_series_or_a_mapping(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    args = (p["y_true"], p["y_pred"])
    from_frame = fairness_report(*args, p[["sex", "disability"]], n_bootstrap=0)
    from_series = fairness_report(*args, p["sex"], n_bootstrap=0)
    from_mapping = fairness_report(*args, {"sex": p["sex"].tolist()}, n_bootstrap=0)
    assert list(from_frame) == ["sex", "disability"]
    assert list(from_series) == list(from_mapping) == ["sex"]
    expected = from_frame["sex"].to_dict()
    assert from_series["sex"].to_dict() == expected
    assert from_mapping["sex"].to_dict() == expected


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_missing_group_values_are_refused(missing: Any) -> None:
    groups = pd.Series(["a", "b", missing, "a"], dtype=object)
    with pytest.raises(DataValidationError, match="1 missing value"):
        group_metrics([0, 1, 1, 0], [0, 1, 0, 0], groups)
    with pytest.raises(DataValidationError, match="1 missing value"):
        fairness_report([0, 1, 1, 0], [0, 1, 0, 0], {"g": groups})


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(DataValidationError, match="same length; got 4 and 3"):
        group_metrics([0, 1, 1, 0], [0, 1, 0], ["a", "b", "a", "b"])
    with pytest.raises(DataValidationError, match=r"one value per row \(4\); got 3"):
        group_metrics([0, 1, 1, 0], [0, 1, 0, 0], ["a", "b", "a"])
    with pytest.raises(DataValidationError, match="same length"):
        fairness_report([0, 1, 1, 0], [0, 1, 0], {"g": ["a", "b", "a"]})


def test_unknown_outcome_direction_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"'favourable' or 'adverse'\. Got 'bad' instead"):
        fairness_report([0, 1], [0, 1], {"g": ["a", "b"]}, positive_is="bad")  # type: ignore[arg-type]


# --- group labels of any type; labels that are not 0/1 ---------------------------------------


def test_integer_group_labels_are_judged_like_string_labels() -> None:
    codes, y_true, y_pred = synthetic_rows(0, 3000, n_groups=3)
    as_int = fairness_report(y_true, y_pred, {"g": codes}, n_bootstrap=0)["g"]
    as_str = fairness_report(y_true, y_pred, {"g": codes.astype(str)}, n_bootstrap=0)["g"]
    assert as_int.insufficient_groups == ()
    assert as_int.table["positives"].tolist() == as_str.table["positives"].tolist()
    assert as_int.to_dict() == as_str.to_dict()


@pytest.mark.parametrize(
    ("y_true", "y_pred"),
    [
        ([0, 2, 1, 0], [0, 1, 1, 0]),
        ([0, 1, 1, 0], [0.2, 0.9, 0.7, 0.4]),
        ([0, -1, 1, 0], [0, 1, 1, 0]),
    ],
    ids=["label-2", "scores-as-predictions", "label-minus-1"],
)
def test_non_binary_labels_are_refused_by_the_fairness_functions(
    y_true: list[float], y_pred: list[float]
) -> None:
    with pytest.raises(DataValidationError, match="only 0 and 1"):
        group_confusion(y_true, y_pred, ["a", "a", "b", "b"])
