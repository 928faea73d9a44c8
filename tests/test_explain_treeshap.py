"""mlops_kit.explain._treeshap: exact TreeSHAP on scikit-learn's histogram-boosting trees.

The values are checked three independent ways: against shap's own TreeExplainer on models
without categorical splits (shap reads those exactly), against Shapley values computed
from their definition on tiny trees (every subset of features, the path-dependent value
function written out here), and against the model's own output (additivity). Missing
values, unknown categories and negative or out-of-range codes are routed as
scikit-learn's predictor routes them, which the brute force checks row by row.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.explain import explain_model
from mlops_kit.explain._explainer import import_shap
from mlops_kit.explain._treeshap import hgb_shap_values


def tree_rows(model: Any, X: Any) -> np.ndarray:
    """Rows as the model's trees read them (its own category encoding first, if any)."""
    inner = model._preprocessor
    return np.asarray(X if inner is None else inner.transform(X), dtype=float)


def raw_output(model: Any, X: Any) -> np.ndarray:
    """decision_function for a classifier, predict for a regressor."""
    if isinstance(model, HistGradientBoostingClassifier):
        return np.asarray(model.decision_function(X), dtype=float)
    return np.asarray(model.predict(X), dtype=float)


def mixed_table(rng: np.random.Generator, n: int, levels: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Two categorical columns (0 and 2, with gaps) and two numeric ones (1 with gaps)."""
    a = rng.integers(0, levels, n).astype(float)
    a[rng.random(n) < 0.1] = np.nan
    b = rng.integers(0, 4, n).astype(float)
    b[rng.random(n) < 0.05] = np.nan
    c = rng.normal(size=n)
    c[rng.random(n) < 0.1] = np.nan
    d = rng.normal(size=n)
    effect = rng.normal(0, 1.5, levels)
    signal = effect[np.nan_to_num(a, nan=0).astype(int)] * (np.nan_to_num(b, nan=2) - 1.5)
    signal += np.nan_to_num(c, nan=1.5) + 0.3 * d
    return np.c_[a, c, b, d], signal + rng.normal(size=n)


# --- brute force from the definition ----------------------------------------------------------


def _bit(words: np.ndarray, code: int) -> bool:
    return bool((int(words[code // 32]) >> (code % 32)) & 1)


def _goes_left(node: Any, value: float, left_sets: np.ndarray, known: np.ndarray) -> bool:
    """scikit-learn's rule, written out again: missing, negative or unknown codes go the
    missing side; the code is the value's integer part, as the predictor casts it."""
    missing_left = bool(node["missing_go_to_left"])
    if math.isnan(value):
        return missing_left
    if not node["is_categorical"]:
        return bool(value <= node["num_threshold"])
    if value < 0:
        return missing_left
    code = int(value) % 256
    if _bit(left_sets[int(node["bitset_idx"])], code):
        return True
    if _bit(known, code):
        return False
    return missing_left


def _conditional(predictor: Any, x: np.ndarray, known: Any, given: set[int], i: int = 0) -> float:
    """E[tree(x) | the features in ``given``], path-dependent: a split on a feature not
    given sends the row both ways, weighted by the share of training rows (covers)."""
    node = predictor.nodes[i]
    if node["is_leaf"]:
        return float(node["value"])
    left, right, feature = int(node["left"]), int(node["right"]), int(node["feature_idx"])
    if feature in given:
        goes = _goes_left(node, x[feature], predictor.raw_left_cat_bitsets, known(feature))
        return _conditional(predictor, x, known, given, left if goes else right)
    cover = float(node["count"])
    return sum(
        float(predictor.nodes[child]["count"])
        / cover
        * _conditional(predictor, x, known, given, child)
        for child in (left, right)
    )


def brute_force_shap(model: Any, x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Exact Shapley values of the path-dependent value function, from the definition.

    Returns the values, the base value (empty subset) and the value of the full subset,
    which must be the model's own raw output for the row.
    """
    bitsets, f_idx_map = model._bin_mapper.make_known_categories_bitsets()

    def known(feature: int) -> np.ndarray:
        return bitsets[int(f_idx_map[feature])] if len(bitsets) else np.zeros(8, np.uint32)

    m = len(x)
    baseline = float(np.ravel(model._baseline_prediction)[0])
    value = {
        subset: baseline
        + sum(_conditional(it[0], x, known, set(subset)) for it in model._predictors)
        for k in range(m + 1)
        for subset in itertools.combinations(range(m), k)
    }
    phi = np.zeros(m)
    for j in range(m):
        for subset, v in value.items():
            if j not in subset:
                weight = math.factorial(len(subset)) * math.factorial(m - len(subset) - 1)
                phi[j] += weight / math.factorial(m) * (value[tuple(sorted((*subset, j)))] - v)
    return phi, value[()], value[tuple(range(m))]


def splits_a_feature_twice_on_one_path(
    nodes: np.ndarray, i: int = 0, seen: frozenset[int] = frozenset()
) -> bool:
    """Whether some path of the tree splits on a categorical feature it split on above."""
    node = nodes[i]
    if node["is_leaf"]:
        return False
    feature = int(node["feature_idx"])
    if node["is_categorical"] and feature in seen:
        return True
    below = seen | {feature}
    return splits_a_feature_twice_on_one_path(
        nodes, int(node["left"]), below
    ) or splits_a_feature_twice_on_one_path(nodes, int(node["right"]), below)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_values_equal_shapley_values_from_the_definition_on_tiny_trees(task: str) -> None:
    rng = np.random.default_rng(7)
    X, signal = mixed_table(rng, 1500)
    if task == "classification":
        y: np.ndarray = (signal > np.median(signal)).astype(int)
        model: Any = HistGradientBoostingClassifier(
            categorical_features=[0, 2], max_iter=4, max_leaf_nodes=7, learning_rate=0.5
        ).fit(X, y)
    else:
        model = HistGradientBoostingRegressor(
            categorical_features=[0, 2], max_iter=4, max_leaf_nodes=7, learning_rate=0.5
        ).fit(X, signal)
    trees = [it[0].nodes for it in model._predictors]
    # The cases worth checking occur: categorical splits sending missing values either
    # way, and a categorical feature split again below itself (the path is unwound).
    categorical = np.concatenate([t[t["is_categorical"] == 1] for t in trees])
    assert set(categorical["missing_go_to_left"].tolist()) == {0, 1}
    assert any(splits_a_feature_twice_on_one_path(t) for t in trees)
    # Known codes, missing values, and categories never seen in training (7, 40 and -1 in
    # the first column, 9 in the third), which the model's encoder turns into NaN.
    probe = np.array(
        [
            [0, 0.1, 1, 0.3],
            [np.nan, np.nan, 3, -1.0],
            [6, 1.2, np.nan, 0.0],
            [7, 0.0, 2, 0.0],
            [40, -2.0, 0, 1.0],
            [-1, 0.5, 9, 0.0],
            [3, np.nan, 1, 2.0],
            [5, -0.3, 2, -0.5],
        ]
    )
    rows = tree_rows(model, probe)
    values, base = hgb_shap_values(model, rows)
    outputs = raw_output(model, probe)
    for row, x, got, output in zip(range(len(rows)), rows, values, outputs, strict=True):
        phi, empty, full = brute_force_shap(model, x)
        # The brute force routes each row exactly where scikit-learn's predictor does.
        assert full == pytest.approx(output, abs=1e-12), f"row {row}"
        np.testing.assert_allclose(got, phi, rtol=0, atol=1e-9, err_msg=f"row {row}")
        assert base == pytest.approx(empty, abs=1e-9)


def test_codes_the_encoder_never_gives_go_where_scikit_learns_predictor_sends_them() -> None:
    """Codes fed to the trees directly: fractions, negative codes, codes never seen in
    training, and codes of 256 and above. The trees read the categorical columns first:
    (a, b, c, d) here, a with codes 0 to 6 and b with codes 0 to 3."""
    rng = np.random.default_rng(3)
    X, signal = mixed_table(rng, 1500)
    model = HistGradientBoostingRegressor(
        categorical_features=[0, 2], max_iter=4, max_leaf_nodes=7, learning_rate=0.5
    ).fit(X, signal)
    split_on = {
        int(n["feature_idx"])
        for it in model._predictors
        for n in it[0].nodes
        if n["is_categorical"]
    }
    assert split_on == {0, 1}
    raw = np.array(
        [
            [2.7, 1.5, 0.0, 0.0],  # read as codes 2 and 1
            [258.0, 300.0, 1.0, 2.0],  # read modulo 256: 2, and 44 (never seen)
            [9.0, 5.0, 0.0, 0.0],  # never seen in training: the missing side
            [-0.5, -3.0, 0.0, 0.0],  # negative: the missing side
            [-0.0, 0.0, 0.0, 0.0],  # minus zero is code 0
            [6.0, 3.0, np.nan, 0.0],
        ]
    )
    bitsets, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    expected = float(np.ravel(model._baseline_prediction)[0]) + sum(
        it[0].predict(raw, bitsets, f_idx_map, 1) for it in model._predictors
    )
    values, base = hgb_shap_values(model, raw)
    np.testing.assert_allclose(base + values.sum(axis=1), expected, rtol=0, atol=1e-9)
    for x, got, output in zip(raw, values, expected, strict=True):
        phi, _, full = brute_force_shap(model, x)
        assert full == pytest.approx(output, abs=1e-12)
        np.testing.assert_allclose(got, phi, rtol=0, atol=1e-9)


# --- shap's own values where shap reads the model exactly -------------------------------------


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_values_equal_shaps_own_on_a_model_without_categorical_splits(task: str) -> None:
    rng = np.random.default_rng(11)
    n = 2000
    X = rng.normal(size=(n, 5))
    X[rng.random((n, 5)) < 0.08] = np.nan
    clean = np.nan_to_num(X, nan=0.5)
    signal = clean[:, 0] + clean[:, 1] * clean[:, 2] - np.abs(clean[:, 3]) + rng.normal(size=n)
    model: Any
    if task == "classification":
        model = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=31)
        model.fit(X, (signal > 0).astype(int))
    else:
        model = HistGradientBoostingRegressor(max_iter=40, max_leaf_nodes=31).fit(X, signal)
    assert model._preprocessor is None
    shap = import_shap()
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    expected = np.asarray(explainer.shap_values(X[:300]))
    values, base = hgb_shap_values(model, X[:300])
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-9)
    assert base == pytest.approx(float(np.ravel(explainer.expected_value)[0]), abs=1e-9)


# --- additivity, and the kit's explanation ------------------------------------------------------


def expected_raw_output(model: Any) -> float:
    """The baseline plus each tree's leaf values weighted by their training counts."""
    total = float(np.ravel(model._baseline_prediction)[0])
    for iteration in model._predictors:
        nodes = iteration[0].nodes
        leaves = nodes[nodes["is_leaf"] == 1]
        total += float(leaves["value"] @ leaves["count"].astype(float)) / float(nodes["count"][0])
    return total


def census_frame(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Text categories (one of 41 levels, with gaps), numbers, and a binary target."""
    levels = {"country": 41, "job": 12, "status": 5}
    data: dict[str, Any] = {}
    logit = np.zeros(n)
    for name, k in levels.items():
        codes = rng.integers(0, k, n)
        logit += rng.normal(0, 1.0, k)[codes]
        labels = np.array([f"{name} {i}" for i in range(k)], dtype=object)[codes]
        labels[rng.random(n) < 0.05] = None
        data[name] = labels
    data["age"] = rng.integers(18, 90, n).astype(float)
    data["hours"] = rng.normal(40, 10, n)
    logit += 0.03 * (data["age"] - 50) + 0.05 * (data["hours"] - 40)
    return pd.DataFrame(data), (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)


def census_pipeline(X: pd.DataFrame, y: np.ndarray, *, regression: bool = False) -> Pipeline:
    """Ordinal codes (unknown and missing as NaN), then native categorical splits."""
    categorical = ["country", "job", "status"]
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
    )
    prepare = ColumnTransformer(
        [("categorical", encode, categorical), ("numeric", "passthrough", ["age", "hours"])],
        verbose_feature_names_out=False,
    )
    mask = [True, True, True, False, False]
    boost = (
        HistGradientBoostingRegressor(categorical_features=mask, max_iter=30)
        if regression
        else HistGradientBoostingClassifier(categorical_features=mask, max_iter=30)
    )
    return Pipeline([("prepare", prepare), ("boost", boost)]).fit(X, y)


@pytest.fixture(scope="module")
def census() -> tuple[pd.DataFrame, np.ndarray]:
    return census_frame(np.random.default_rng(5), 4000)


@pytest.mark.parametrize("regression", [False, True])
def test_values_add_up_to_the_models_raw_output_with_unknown_and_missing_categories(
    census: tuple[pd.DataFrame, np.ndarray], regression: bool
) -> None:
    X, y = census
    pipe = census_pipeline(X, y, regression=regression)
    model = pipe[-1]
    rows = X.iloc[:400].copy()
    # Categories never seen in training, and gaps, arrive through the model's own encoder.
    rows.loc[rows.index[:20], "country"] = "atlantis"
    rows.loc[rows.index[20:40], "job"] = None
    encoded = pipe[:-1].transform(rows)
    values, base = hgb_shap_values(model, tree_rows(model, encoded))
    error = np.abs(base + values.sum(axis=1) - raw_output(model, encoded))
    assert error.max() < 1e-9
    # The base value is the expected raw output over the training rows (counts as weights).
    assert base == pytest.approx(expected_raw_output(model), abs=1e-9)


def test_explain_model_uses_it_for_histogram_boosting_in_the_original_columns(
    census: tuple[pd.DataFrame, np.ndarray],
) -> None:
    X, y = census
    pipe = census_pipeline(X, y)
    model = pipe[-1]
    explanation = explain_model(pipe, X, max_rows=300, seed=2)
    assert explanation.explainer == "tree"
    assert explanation.output_space == "log-odds"
    assert explanation.shap_values.shape == (300, 5)
    rows = explanation.data[list(X.columns)]
    encoded = pipe[:-1].transform(rows)
    # The model's own encoder puts the categorical columns first; here they already are,
    # so the trees' columns are the pipeline's columns in order.
    values, base = hgb_shap_values(model, tree_rows(model, encoded))
    np.testing.assert_allclose(explanation.shap_values, values, rtol=0, atol=1e-12)
    assert explanation.base_value == pytest.approx(base, abs=1e-12)
    assert explanation.additivity_error() < 1e-6
    np.testing.assert_allclose(
        explanation.base_value + explanation.shap_values.sum(axis=1),
        model.decision_function(encoded),
        rtol=0,
        atol=1e-9,
    )


def test_explain_model_puts_values_back_in_the_columns_the_model_reordered() -> None:
    """A categorical column that is not first: the model's encoder moves it first, and the
    explanation moves its values back."""
    rng = np.random.default_rng(2)
    n = 1500
    X = pd.DataFrame({"amount": rng.normal(size=n), "kind": rng.integers(0, 5, n).astype(float)})
    y = X["amount"] + np.array([2.0, -1.0, 0.0, 1.0, -2.0])[X["kind"].astype(int)]
    model = HistGradientBoostingRegressor(categorical_features=["kind"], max_iter=20)
    model.fit(X, y)
    explanation = explain_model(model, X, max_rows=200)
    values, base = hgb_shap_values(model, tree_rows(model, explanation.data[["amount", "kind"]]))
    assert explanation.base_value == pytest.approx(base, abs=1e-12)
    # The trees read (kind, amount); the explanation is in (amount, kind).
    np.testing.assert_allclose(explanation.shap_values, values[:, ::-1], rtol=0, atol=1e-12)
    assert explanation.additivity_error() < 1e-9


# --- errors and imports -------------------------------------------------------------------------


def test_refuses_other_models_and_tables_of_the_wrong_shape() -> None:
    X = np.c_[np.arange(60.0) % 3, np.linspace(0, 1, 60)]
    forest = RandomForestRegressor(n_estimators=2).fit(X, X[:, 1])
    with pytest.raises(ConfigError, match="Got RandomForestRegressor instead"):
        hgb_shap_values(forest, X)
    three = HistGradientBoostingClassifier(max_iter=2).fit(X, np.arange(60) % 3)
    with pytest.raises(ConfigError, match="binary HistGradientBoostingClassifier"):
        hgb_shap_values(three, X)
    model = HistGradientBoostingRegressor(max_iter=2).fit(X, X[:, 1])
    with pytest.raises(DataValidationError, match=r"the 2 columns .* Got shape \(60, 1\)"):
        hgb_shap_values(model, X[:, :1])
    with pytest.raises(DataValidationError, match="must be numeric"):
        hgb_shap_values(model, np.array([["a", "b"]], dtype=object))


def test_importing_the_kit_does_not_import_numba() -> None:
    code = "import sys, mlops_kit, mlops_kit.explain; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
