"""Model pipelines, splits, cross-validation, fitting and safe model files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from mlops_kit.data import ColumnRoles, split_data
from mlops_kit.errors import ArtefactError, ConfigError, DataValidationError
from mlops_kit.train import (
    build_pipeline,
    load_model,
    save_model,
    standardise_missing,
    train_model,
)


@pytest.fixture(scope="module")
def small_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """Every fourth claim: 10,500 rows over all 24 months."""
    return claims.iloc[::4].reset_index(drop=True)


@pytest.mark.parametrize(
    ("task", "model"),
    [
        ("classification", "logistic"),
        ("classification", "hgb"),
        ("classification", "rf"),
        ("regression", "linear"),
        ("regression", "hgb"),
        ("regression", "rf"),
    ],
)
def test_every_model_fits_mixed_columns_with_gaps_and_unseen_categories(
    task: str, model: str, rng: np.random.Generator
) -> None:
    n = 400
    X = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "c": pd.array(rng.choice(["a", "b", "c"], n), dtype="string"),
        }
    )
    X.loc[::17, "x"] = np.nan
    X.loc[::13, "k"] = pd.NA
    X.loc[::11, "c"] = pd.NA
    is_a = (X["c"] == "a").fillna(False).to_numpy(dtype=float)
    y = (X["x"].fillna(0).to_numpy() + is_a > 0.5).astype(int)
    target = y if task == "classification" else X["x"].fillna(0).to_numpy() * 3
    roles = ColumnRoles(target="y", numeric=("x", "k"), categorical=("c",))
    fitted = build_pipeline(model, roles, task=task).fit(X, target)  # type: ignore[arg-type]
    unseen = X.head(3).assign(c=pd.array(["zzz", "a", pd.NA], dtype="string"))
    predictions = fitted.predict(unseen)
    assert predictions.shape == (3,)
    assert np.isfinite(predictions.astype(float)).all()


def test_model_must_fit_the_task() -> None:
    roles = ColumnRoles(target="y", numeric=("x",), categorical=())
    with pytest.raises(ConfigError, match=r"must be one of linear, hgb, rf for task 'regression'"):
        build_pipeline("logistic", roles, task="regression")


def test_standardise_missing_turns_pandas_na_into_nan() -> None:
    X = pd.DataFrame(
        {"s": pd.array(["a", None], dtype="string"), "i": pd.array([1, None], dtype="Int64")}
    )
    out = standardise_missing(X)
    assert out["s"].tolist()[0] == "a"
    assert np.isnan(out["s"].tolist()[1])
    assert out["i"].dtype == np.float64
    assert np.isnan(out["i"].iloc[1])


def test_random_split_is_stratified_and_seeded(small_claims: pd.DataFrame) -> None:
    y = small_claims["flagged"].to_numpy()
    a = split_data(small_claims, test_size=0.25, stratify=y, seed=1)
    b = split_data(small_claims, test_size=0.25, stratify=y, seed=1)
    c = split_data(small_claims, test_size=0.25, stratify=y, seed=2)
    np.testing.assert_array_equal(a.test_index, b.test_index)
    assert not np.array_equal(a.test_index, c.test_index)
    assert len(a.test_index) == round(0.25 * len(y))
    assert abs(y[a.test_index].mean() - y[a.train_index].mean()) < 0.005
    assert set(a.train_index).isdisjoint(a.test_index)


def test_time_split_tests_on_later_whole_periods(small_claims: pd.DataFrame) -> None:
    sp = split_data(small_claims, method="time", time_column="month", test_size=0.25)
    months = small_claims["month"].to_numpy()
    assert months[sp.train_index].max() < months[sp.test_index].min()
    assert sp.test_periods == ("2024-07", "2024-12")
    assert sp.train_periods == ("2023-01", "2024-06")
    assert "tested on the later 2024-07 to 2024-12" in sp.description


def test_time_split_needs_two_periods() -> None:
    df = pd.DataFrame({"t": ["2024-01"] * 5})
    with pytest.raises(DataValidationError, match=r"at least two periods in 't'"):
        split_data(df, method="time", time_column="t")
    with pytest.raises(ConfigError, match=r"needs time_column"):
        split_data(df, method="time")


def test_training_is_reproducible_and_honest_about_its_split(
    small_claims: pd.DataFrame, claims_profile
) -> None:
    roles = claims_profile.roles
    a = train_model(small_claims, roles, split="time", cv_folds=3, threshold=0.3, seed=4)
    b = train_model(small_claims, roles, split="time", cv_folds=3, threshold=0.3, seed=4)
    pd.testing.assert_frame_equal(a.predictions, b.predictions)
    assert a.cv is not None
    assert b.cv is not None
    assert a.cv.scores == b.cv.scores
    assert len(a.cv.scores) == 3
    assert "forward-chaining" in a.cv.scheme
    p = a.predictions
    # Predictions are for the held-out (later) rows only, with the protected columns.
    assert p["month"].min() == "2024-07"
    assert set(p.columns) >= {"row", "y_true", "y_pred", "y_score", *roles.protected}
    assert (p["y_pred"] == (p["y_score"] >= 0.3)).all()
    expected = small_claims["flagged"].to_numpy()[p["row"].to_numpy()]
    np.testing.assert_array_equal(p["y_true"].to_numpy(), expected)
    assert 0.65 < roc_auc_score(p["y_true"], p["y_score"]) < 0.95
    summary = a.to_dict()
    assert summary["split"]["n_test"] == len(p)
    assert summary["cv"]["metric"] == "roc_auc"


def test_text_target_is_coded_by_positive_label(rng: np.random.Generator) -> None:
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["income"] = np.where(df["x"] + rng.normal(0, 0.5, n) > 0, ">50K", "<=50K")
    roles = ColumnRoles(target="income", numeric=("x",), categorical=())
    result = train_model(df, roles, model="logistic", positive_label=">50K", cv_folds=0)
    truth = (df["income"].to_numpy() == ">50K").astype(int)[result.predictions["row"]]
    np.testing.assert_array_equal(result.predictions["y_true"].to_numpy(), truth)
    assert roc_auc_score(truth, result.predictions["y_score"]) > 0.8


def test_training_rows_with_one_class_are_refused() -> None:
    df = pd.DataFrame({"t": [1, 1, 1, 2, 2, 2], "x": range(6), "y": [0, 0, 0, 1, 1, 1]})
    roles = ColumnRoles(target="y", numeric=("x",), categorical=(), time_column="t")
    with pytest.raises(DataValidationError, match=r"training rows hold only one class of 'y'"):
        train_model(df, roles, split="time", test_size=0.5, cv_folds=0)


def test_saved_model_loads_and_predicts_the_same(
    small_claims: pd.DataFrame, claims_profile, tmp_path: Path
) -> None:
    roles = claims_profile.roles
    X = small_claims[list(roles.features)]
    for model in ("hgb", "logistic", "rf"):
        fitted = build_pipeline(model, roles).fit(X, small_claims["flagged"])
        path = save_model(fitted, tmp_path / f"{model}.skops")
        loaded = load_model(path)
        np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def _not_on_the_allow_list(X: pd.DataFrame) -> pd.DataFrame:
    return X


def test_loader_refuses_types_outside_its_allow_list(tmp_path: Path) -> None:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    foreign = make_pipeline(FunctionTransformer(_not_on_the_allow_list))
    foreign.fit(pd.DataFrame({"x": [1.0, 2.0]}))
    path = save_model(foreign, tmp_path / "foreign.skops")
    with pytest.raises(ArtefactError, match=r"outside the loader's allow-list: .*_not_on_the"):
        load_model(path)


def test_damaged_or_missing_model_files_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArtefactError, match=r"was not found"):
        load_model(tmp_path / "none.skops")
    damaged = tmp_path / "damaged.skops"
    damaged.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(ArtefactError, match=r"is not a readable skops file"):
        load_model(damaged)
