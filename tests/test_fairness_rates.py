"""rates_by_group and four_fifths_ratio, checked against scikit-learn group by group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_score, recall_score

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.fairness import four_fifths_ratio, rates_by_group
from mlops_kit.fairness._rates import RATE_COLUMNS


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3_000
    group = rng.choice(["Group A", "Group B", "Group C"], size=n, p=[0.6, 0.3, 0.1])
    y_true = rng.binomial(1, np.where(group == "Group C", 0.3, 0.15))
    y_score = np.clip(0.35 * y_true + rng.uniform(0, 0.7, size=n), 0, 1)
    return pd.DataFrame({"y_true": y_true, "y_score": y_score, "ethnic_group": group})


def test_each_column_is_the_groups_rate_as_scikit_learn_computes_it(cases: pd.DataFrame) -> None:
    table = rates_by_group(cases, "ethnic_group", threshold=0.5)
    assert list(table.columns) == list(RATE_COLUMNS)
    assert list(table.index) == ["Group A", "Group B", "Group C"]
    assert table.index.name == "ethnic_group"
    for name, rows in cases.groupby("ethnic_group"):
        flags = (rows["y_score"] >= 0.5).astype(int)
        got = table.loc[name]
        assert got["rows"] == len(rows)
        assert got["actual_positives"] == rows["y_true"].sum()
        assert got["flagged"] == flags.sum()
        assert got["flag_rate"] == pytest.approx(flags.mean())
        assert got["not_flagged_rate"] == pytest.approx(1 - flags.mean())
        assert got["recall"] == pytest.approx(recall_score(rows["y_true"], flags))
        assert got["precision"] == pytest.approx(precision_score(rows["y_true"], flags))
        assert got["base_rate"] == pytest.approx(rows["y_true"].mean())


def test_a_score_equal_to_the_threshold_is_a_flag_and_empty_rates_are_zero() -> None:
    frame = pd.DataFrame(
        {"y_true": [0, 0, 1, 0], "y_score": [0.3, 0.1, 0.2, 0.2], "g": ["a", "a", "b", "b"]}
    )
    table = rates_by_group(frame, "g", threshold=0.3)
    assert table.loc["a", "flagged"] == 1
    # Group a has no real positives, group b no flags: recall and precision are 0 there.
    assert table.loc["a", "recall"] == 0.0
    assert table.loc["b", "precision"] == 0.0


def test_four_fifths_ratio_is_the_lowest_rate_over_the_highest(cases: pd.DataFrame) -> None:
    table = rates_by_group(cases, "ethnic_group", threshold=0.5)
    flag_rate = table["flag_rate"]
    assert four_fifths_ratio(flag_rate) == pytest.approx(flag_rate.min() / flag_rate.max())
    assert four_fifths_ratio(flag_rate.to_dict()) == four_fifths_ratio(flag_rate)
    # The rates of not being flagged hide the disparity: their ratio is nearer 1.
    assert four_fifths_ratio(table["not_flagged_rate"]) > four_fifths_ratio(flag_rate)
    assert np.isnan(four_fifths_ratio([0.0, 0.0]))


@pytest.mark.parametrize(
    ("rates", "phrase"),
    [
        (0.5, "Got float instead"),
        (pd.DataFrame({"flag_rate": [0.1, 0.2]}), "Got DataFrame instead"),
        ([0.5], "at least two groups"),
        ([0.2, 1.5], "Got [0.2, 1.5] instead"),
        ([0.2, None], "in [0, 1]"),
    ],
)
def test_four_fifths_ratio_refuses_what_is_not_one_rate_per_group(
    rates: object, phrase: str
) -> None:
    with pytest.raises(DataValidationError) as caught:
        four_fifths_ratio(rates)
    assert phrase in str(caught.value)


def test_rates_by_group_says_what_is_wrong_with_its_input(cases: pd.DataFrame) -> None:
    with pytest.raises(DataValidationError, match=r"The 'group' column .* Got 'sex'"):
        rates_by_group(cases, "sex")
    with pytest.raises(DataValidationError, match="Got list instead"):
        rates_by_group([1, 2], "ethnic_group")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"must be a float in \(0, 1\). Got 1.5 instead"):
        rates_by_group(cases, "ethnic_group", threshold=1.5)
