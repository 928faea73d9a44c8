"""Exact SHAP values of histogram gradient boosting, read from scikit-learn's own trees.

Part of :mod:`mlops_kit.explain`; see the package docstring.

What it computes
    Path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized
    feature attribution for tree ensembles", Algorithm 2; the algorithm behind shap's
    ``feature_perturbation="tree_path_dependent"``) on the nodes of a fitted
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` or
    :class:`~sklearn.ensemble.HistGradientBoostingRegressor`. A row's SHAP values plus
    the base value are exactly the model's raw output: ``decision_function`` (log-odds)
    for a classifier, ``predict`` for a regressor.

Why not shap's own reader
    shap reads these trees as threshold splits only, so a categorical split ("these
    categories go left") is read wrongly (shap issue #3436). Rewriting each categorical
    split as threshold splits (the kit's first approach) is exact but copies a subtree
    under every run of codes that goes the same way, and copies nest: on the census
    "adult" table (41 countries) 100 trees of 31 leaves became about 870,000 nodes and
    1,000 rows took about two minutes. Here each split is decided as
    scikit-learn's predictor decides it, with the split's category bitset, so the trees
    keep their size (about 6,000 nodes) and 1,000 rows take under a second
    (``benchmarks/explain_speed.py``).

How a row goes down a split (as in scikit-learn's ``_predict_from_raw_data``)
    * A missing value (NaN) goes the split's missing-value side (``missing_go_to_left``).
    * Numeric split: ``value <= num_threshold`` goes left, otherwise right.
    * Categorical split: a negative code goes the missing-value side. Otherwise the
      predictor reads the code as an 8-bit integer (its integer part, modulo 256; on
      x86-64, 2**31 and above, infinity included, read as 0): a code in the split's left
      set goes left, a code seen in training but not in the left set goes right, and a
      code never seen in training goes the missing-value side. The model's own encoder
      (``model._preprocessor``) only ever gives codes 0 to k - 1 or NaN.

Node covers
    Each node's cover is its ``count``, the number of training rows that reached it, as
    shap uses when it reads these models itself; so on a model without categorical
    splits the values equal shap's. The base value is the model's baseline plus each
    tree's cover-weighted mean leaf value (shap's ``expected_value``).

Cost
    About (trees x leaves x depth squared) per row, compiled with numba into one kernel
    (the helpers are inlined into it). The compiled code is cached on disk
    (``cache=True``, in ``__pycache__`` or numba's user cache), so only the first call on
    a machine compiles (about 2 s); a later process loads the compiled code (about
    0.3 s). Importing numba takes a further 0.3 to 1 s, so the kit imports this module
    only inside the functions that need it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ..errors import ConfigError, DataValidationError
from ._trees import hgb_supported

__all__ = ["hgb_shap_values"]


# --- the compiled kernel ------------------------------------------------------------------------
# Every tree's nodes, end to end, as three tables with one row per node (columns named below).
LEFT, RIGHT, FEATURE, BITSET = 0, 1, 2, 3  # int64: children, feature, row of the left set
THRESHOLD, COVER, VALUE = 0, 1, 2  # float64: numeric threshold, training count, leaf value
LEAF, MISSING_LEFT, CATEGORICAL = 0, 1, 2  # bool
# Algorithm 2's path: the unique features split on from the root down to a node. For each,
# ZERO is the share of training rows that would follow the path were the feature unknown
# (child's cover / parent's cover), ONE is 1 if this row follows it (else 0), and WEIGHT
# holds the permutation weights of the subsets of the path's features. Feature indices
# live in their own int64 array beside these fractions.
ZERO, ONE, WEIGHT = 0, 1, 2


@njit(inline="always")
def _extend(
    features: np.ndarray,
    path: np.ndarray,
    s: int,
    depth: int,
    zero: float,
    one: float,
    feature: int,
) -> None:
    """Add a feature to the path that starts at ``s`` and has ``depth`` elements."""
    features[s + depth] = feature
    path[s + depth, ZERO] = zero
    path[s + depth, ONE] = one
    path[s + depth, WEIGHT] = 1.0 if depth == 0 else 0.0
    for i in range(depth - 1, -1, -1):
        path[s + i + 1, WEIGHT] += one * path[s + i, WEIGHT] * (i + 1) / (depth + 1)
        path[s + i, WEIGHT] = zero * path[s + i, WEIGHT] * (depth - i) / (depth + 1)


@njit(inline="always")
def _unwind(features: np.ndarray, path: np.ndarray, s: int, depth: int, k: int) -> None:
    """Take element ``k`` off the path (of ``depth + 1`` elements) that starts at ``s``."""
    one, zero = path[s + k, ONE], path[s + k, ZERO]
    next_one = path[s + depth, WEIGHT]
    for i in range(depth - 1, -1, -1):
        if one != 0.0:
            tmp = path[s + i, WEIGHT]
            path[s + i, WEIGHT] = next_one * (depth + 1) / ((i + 1) * one)
            next_one = tmp - path[s + i, WEIGHT] * zero * (depth - i) / (depth + 1)
        else:
            path[s + i, WEIGHT] = path[s + i, WEIGHT] * (depth + 1) / (zero * (depth - i))
    for i in range(k, depth):
        features[s + i] = features[s + i + 1]
        path[s + i, ZERO] = path[s + i + 1, ZERO]
        path[s + i, ONE] = path[s + i + 1, ONE]


@njit(inline="always")
def _unwound_sum(path: np.ndarray, s: int, depth: int, k: int) -> float:
    """The path's total permutation weight if element ``k`` were taken off."""
    one, zero = path[s + k, ONE], path[s + k, ZERO]
    next_one = path[s + depth, WEIGHT]
    total = 0.0
    if one != 0.0:
        for i in range(depth - 1, -1, -1):
            tmp = next_one / ((i + 1) * one)
            total += tmp
            next_one = path[s + i, WEIGHT] - tmp * zero * (depth - i)
    else:
        for i in range(depth - 1, -1, -1):
            total += path[s + i, WEIGHT] / (zero * (depth - i))
    return total * (depth + 1)


@njit(inline="always")
def _goes_left(
    v: float, flags: np.ndarray, threshold: float, left_set: np.ndarray, known: np.ndarray
) -> bool:
    """Whether value ``v`` goes left at a node, as scikit-learn's predictor decides.

    ``flags`` is the node's row of the bool table; ``left_set`` and ``known`` are the
    bitsets (eight 32-bit words) of its left categories and of its feature's known ones.
    """
    if np.isnan(v):
        return flags[MISSING_LEFT]
    if not flags[CATEGORICAL]:
        return v <= threshold
    if v < 0.0:
        return flags[MISSING_LEFT]
    # The predictor casts the value to an 8-bit code: its integer part, low 8 bits.
    code = (np.int64(v) & 255) if v < 2147483648.0 else 0
    if (left_set[code >> 5] >> (code & 31)) & 1:
        return True
    if (known[code >> 5] >> (code & 31)) & 1:
        return False
    return flags[MISSING_LEFT]


# numpy's error model: no zero check on each division (covers are never zero), as in C.
@njit(cache=True, error_model="numpy")
def _tree_shap(
    X: np.ndarray,
    roots: np.ndarray,
    links: np.ndarray,
    numbers: np.ndarray,
    flags: np.ndarray,
    left_sets: np.ndarray,
    known_sets: np.ndarray,
    max_depth: int,
) -> np.ndarray:
    """SHAP values (rows x features) of the sum of the trees, without the base value.

    ``links``, ``numbers`` and ``flags`` are the node tables; ``left_sets`` holds each
    categorical split's left set and ``known_sets`` each feature's known categories (row
    by feature index), as bitsets of eight words. The recursion of Algorithm 2 runs on an
    explicit stack. A node's path is stored at ``s = s_parent + depth + 1``, after its
    parent's; its children's paths start after its own, so when a sibling's turn comes
    their parent's path is still intact.
    """
    n_rows, n_features = X.shape
    phi = np.zeros((n_rows, n_features))
    size = (max_depth + 2) * (max_depth + 3) // 2 + 1
    features = np.empty(size, np.int64)
    path = np.empty((size, 3))
    # The stack: node, unique depth, parent's path start, and the fractions and feature
    # the node's parent adds to the path.
    n_stack = 2 * max_depth + 4
    stack_int = np.empty((n_stack, 4), np.int64)
    stack_float = np.empty((n_stack, 2))
    for r in range(n_rows):
        x = X[r]
        for t in range(roots.shape[0]):
            # The root's parent is a dummy path element (feature -1) at position 0.
            top = 0
            stack_int[0, 0], stack_int[0, 1] = roots[t], 0
            stack_int[0, 2], stack_int[0, 3] = 0, -1
            stack_float[0, 0], stack_float[0, 1] = 1.0, 1.0
            while top >= 0:
                node, depth = stack_int[top, 0], stack_int[top, 1]
                parent, parent_feature = stack_int[top, 2], stack_int[top, 3]
                zero, one = stack_float[top, 0], stack_float[top, 1]
                top -= 1
                s = parent + depth + 1
                for i in range(depth):
                    features[s + i] = features[parent + i]
                    path[s + i, ZERO] = path[parent + i, ZERO]
                    path[s + i, ONE] = path[parent + i, ONE]
                    path[s + i, WEIGHT] = path[parent + i, WEIGHT]
                _extend(features, path, s, depth, zero, one, parent_feature)
                if flags[node, LEAF]:
                    for i in range(1, depth + 1):
                        w = _unwound_sum(path, s, depth, i)
                        contribution = w * (path[s + i, ONE] - path[s + i, ZERO])
                        phi[r, features[s + i]] += contribution * numbers[node, VALUE]
                    continue
                f = links[node, FEATURE]
                left, right = links[node, LEFT], links[node, RIGHT]
                threshold, left_set = numbers[node, THRESHOLD], left_sets[links[node, BITSET]]
                if _goes_left(x[f], flags[node], threshold, left_set, known_sets[f]):
                    hot, cold = left, right
                else:
                    hot, cold = right, left
                incoming_zero, incoming_one = 1.0, 1.0
                # A feature already on the path is taken off and added again below.
                for k in range(depth + 1):
                    if features[s + k] == f:
                        incoming_zero, incoming_one = path[s + k, ZERO], path[s + k, ONE]
                        _unwind(features, path, s, depth, k)
                        depth -= 1
                        break
                cover = numbers[node, COVER]
                # The cold child waits on the stack; the hot one (this row's way) goes first.
                for child, child_one in ((cold, 0.0), (hot, incoming_one)):
                    top += 1
                    stack_int[top, 0], stack_int[top, 1] = child, depth + 1
                    stack_int[top, 2], stack_int[top, 3] = s, f
                    stack_float[top, 0] = numbers[child, COVER] / cover * incoming_zero
                    stack_float[top, 1] = child_one
    return phi


# --- reading the model ------------------------------------------------------------------------


def _mean_and_depth(nodes: np.ndarray) -> tuple[float, int]:
    """A tree's cover-weighted mean leaf value, and its depth (edges to the deepest leaf).

    As shap's ``compute_expectations``: a node's value is its children's values weighted
    by their covers. scikit-learn stores a node's children after it, so one backward pass
    sees every child before its parent.
    """
    leaf = nodes["is_leaf"].astype(bool).tolist()
    left = nodes["left"].astype(np.int64).tolist()
    right = nodes["right"].astype(np.int64).tolist()
    cover = nodes["count"].astype(np.float64).tolist()
    value = nodes["value"].astype(np.float64).tolist()
    depth = [0] * len(leaf)
    for i in range(len(leaf) - 1, -1, -1):
        if leaf[i]:
            continue
        lo, hi = left[i], right[i]
        if lo <= i or hi <= i:
            raise ConfigError(
                "hgb_shap_values reads trees whose nodes come before their children, as "
                f"scikit-learn stores them. Got node {i} with children {lo} and {hi} instead."
            )
        total = cover[lo] + cover[hi]
        value[i] = 0.0 if total == 0 else (cover[lo] * value[lo] + cover[hi] * value[hi]) / total
        depth[i] = max(depth[lo], depth[hi]) + 1
    return value[0], depth[0]


def _node_tables(
    model: Any, predictors: list[Any], n_features: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kernel's arguments between the rows and the depth: all trees' nodes end to end.

    Returns the roots, the int, float and bool node tables, the left sets of the
    categorical splits and each column's known categories (zeros for numeric columns).
    """
    sizes = [len(p.nodes) for p in predictors]
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    n_sets = [len(p.raw_left_cat_bitsets) for p in predictors]
    set_starts = np.concatenate([[0], np.cumsum(n_sets)[:-1]]).astype(np.int64)
    nodes = np.concatenate([p.nodes for p in predictors])
    leaf = nodes["is_leaf"].astype(bool)
    categorical = nodes["is_categorical"].astype(bool) & ~leaf
    # A leaf's children are itself, so that every index in the tables is valid.
    own, shift = np.arange(len(nodes)), np.repeat(roots, sizes)
    links = np.empty((len(nodes), 4), dtype=np.int64)
    links[:, LEFT] = np.where(leaf, own, nodes["left"].astype(np.int64) + shift)
    links[:, RIGHT] = np.where(leaf, own, nodes["right"].astype(np.int64) + shift)
    links[:, FEATURE] = np.where(leaf, 0, nodes["feature_idx"])
    links[:, BITSET] = np.where(
        categorical, nodes["bitset_idx"].astype(np.int64) + np.repeat(set_starts, sizes), 0
    )
    numbers = np.empty((len(nodes), 3))
    numbers[:, THRESHOLD] = nodes["num_threshold"]
    numbers[:, COVER] = nodes["count"]
    numbers[:, VALUE] = nodes["value"]
    flags = np.empty((len(nodes), 3), dtype=bool)
    flags[:, LEAF] = leaf
    flags[:, MISSING_LEFT] = nodes["missing_go_to_left"].astype(bool)
    flags[:, CATEGORICAL] = categorical
    # One zero row keeps the table valid when no split is categorical.
    left_sets = np.zeros((sum(n_sets) + 1, 8), dtype=np.int64)
    left_sets[: sum(n_sets)] = np.concatenate(
        [np.asarray(p.raw_left_cat_bitsets, dtype=np.uint32).reshape(-1, 8) for p in predictors]
    )
    known_bitsets, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    known_sets = np.zeros((n_features, 8), dtype=np.int64)
    for feature in np.flatnonzero(model._bin_mapper.is_categorical):
        known_sets[feature] = known_bitsets[f_idx_map[feature]]
    return roots, links, numbers, flags, left_sets, known_sets


def hgb_shap_values(model: Any, X: Any) -> tuple[np.ndarray, float]:
    """Exact path-dependent SHAP values of histogram gradient boosting, categories included.

    Parameters
    ----------
    model : HistGradientBoostingClassifier (binary) or HistGradientBoostingRegressor
        Fitted.
    X : array-like of shape (n_rows, n_features)
        Rows as the model's trees read them: ``model._preprocessor.transform(rows)`` when
        the model encodes categorical features itself (its trees then read the
        categorical columns first), otherwise the rows as given to the model.

    Returns
    -------
    values : ndarray of shape (n_rows, n_features)
        Each row's SHAP values, in the columns of ``X``.
    base_value : float
        The model's expected raw output over its training rows. ``base_value +
        values.sum(axis=1)`` is ``decision_function`` (classifier, log-odds) or
        ``predict`` (regressor) on the rows.

    Raises
    ------
    ConfigError
        The model is not one this function reads (see :func:`hgb_supported`).
    DataValidationError
        ``X`` is not a 2-D numeric table with the model's number of columns.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = np.c_[rng.integers(0, 4, 400), rng.normal(size=400)]
    >>> y = np.array([3.0, -1.0, 2.0, 0.0])[X[:, 0].astype(int)] + X[:, 1]
    >>> model = HistGradientBoostingRegressor(categorical_features=[0], max_iter=20).fit(X, y)
    >>> rows = model._preprocessor.transform(X[:5])
    >>> values, base = hgb_shap_values(model, rows)
    >>> values.shape
    (5, 2)
    >>> bool(np.allclose(base + values.sum(axis=1), model.predict(X[:5]), atol=1e-9))
    True
    """
    if not hgb_supported(model):
        raise ConfigError(
            "hgb_shap_values reads a fitted, binary HistGradientBoostingClassifier or a "
            f"HistGradientBoostingRegressor. Got {type(model).__name__} instead."
        )
    n_features = int(model.n_features_in_)
    try:
        rows = np.ascontiguousarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            "The 'X' parameter of hgb_shap_values must be numeric (categories as the "
            f"model's integer codes). Got values that are not numbers: {exc}"
        ) from None
    if rows.ndim != 2 or rows.shape[1] != n_features:
        raise DataValidationError(
            f"The 'X' parameter of hgb_shap_values must be a table of rows with the "
            f"{n_features} columns the model's trees read. Got shape {rows.shape} instead."
        )
    predictors = [iteration[0] for iteration in model._predictors]
    summaries = [_mean_and_depth(p.nodes) for p in predictors]
    roots, links, numbers, flags, left_sets, known_sets = _node_tables(
        model, predictors, n_features
    )
    max_depth = max(depth for _, depth in summaries)
    phi = _tree_shap(rows, roots, links, numbers, flags, left_sets, known_sets, max_depth)
    base = float(np.ravel(model._baseline_prediction)[0])
    base += float(sum(expected for expected, _ in summaries))
    return phi, base
