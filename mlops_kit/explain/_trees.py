"""Histogram gradient boosting as trees shap can read exactly, categorical splits included.

Part of :mod:`mlops_kit.explain`; see the package docstring.

Why this module exists
    shap's :class:`~shap.TreeExplainer` reads a scikit-learn
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` node by node, but only as
    threshold splits ("value <= t goes left"). A *categorical* split ("these categories
    go left") is read as a threshold it does not have, so on a model with native
    categories, such as the kit's, the SHAP values no longer add up to the model's
    output (shap issue #3436; on the bundled claims model the sum is off by up to 2.4
    log-odds). Here each categorical split is rewritten as an equivalent small tree of
    threshold splits over the integer category codes, with a copy of the left or right
    subtree under each run of codes that goes the same way. The rewritten ensemble gives
    exactly the model's raw output for every row (checked after every explanation), and
    shap explains it with its fast path-dependent algorithm.

How missing and unknown categories go
    As in scikit-learn's predictor: a missing value, a negative code and a code the model
    never saw in training go the split's missing-value side; a known code not in the
    split's left set goes right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ConfigError

__all__ = ["hgb_supported", "hgb_to_shap_trees"]

_N_CODES = 256  # scikit-learn's bitsets hold category codes 0 to 255


def _bitset(words: Any) -> np.ndarray:
    """The 256 booleans of a scikit-learn bitset (8 little-endian 32-bit words)."""
    w = np.asarray(words, dtype=np.uint32)
    return (((w[:, None] >> np.arange(32, dtype=np.uint32)) & 1).astype(bool)).ravel()


def hgb_supported(model: Any) -> bool:
    """Whether ``model`` is a fitted binary or regression histogram-boosting model we can read."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if not isinstance(model, HistGradientBoostingClassifier | HistGradientBoostingRegressor):
        return False
    predictors = getattr(model, "_predictors", None)
    mapper = getattr(model, "_bin_mapper", None)
    if not predictors or mapper is None or not hasattr(mapper, "make_known_categories_bitsets"):
        return False
    # With categorical features the model encodes its input again (a ColumnTransformer
    # that puts the categories first); the trees read that encoding's columns.
    inner = getattr(model, "_preprocessor", None)
    if inner is not None and not hasattr(inner, "output_indices_"):
        return False
    return len(predictors[0]) == 1


class _TreeBuilder:
    """Flattened arrays of one rewritten tree, in shap's dictionary format."""

    def __init__(self, nodes: np.ndarray, left_bitsets: np.ndarray, known: Any) -> None:
        self.nodes, self.left_bitsets, self.known = nodes, left_bitsets, known
        self.left: list[int] = []
        self.right: list[int] = []
        self.default: list[int] = []
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.value: list[float] = []
        self.cover: list[float] = []

    def _new(self, feature: int, value: float, cover: float) -> int:
        for array in (self.left, self.right, self.default):
            array.append(-1)
        self.feature.append(feature)
        self.threshold.append(0.0)
        self.value.append(value)
        self.cover.append(cover)
        return len(self.feature) - 1

    def _split(
        self, k: int, feature: int, threshold: float, left: int, right: int, default: int
    ) -> None:
        self.feature[k], self.threshold[k] = feature, threshold
        self.left[k], self.right[k], self.default[k] = left, right, default

    def build(self, i: int) -> int:
        node = self.nodes[i]
        value, cover = float(node["value"]), float(node["count"])
        if node["is_leaf"]:
            return self._new(-2, value, cover)
        feature = int(node["feature_idx"])
        missing_left = bool(node["missing_go_to_left"])
        if not node["is_categorical"]:
            k = self._new(feature, value, cover)
            left, right = self.build(int(node["left"])), self.build(int(node["right"]))
            default = left if missing_left else right
            self._split(k, feature, float(node["num_threshold"]), left, right, default)
            return k
        return self._categorical(node, feature, missing_left)

    def _categorical(self, node: np.ndarray, feature: int, missing_left: bool) -> int:
        goes_left = _bitset(self.left_bitsets[int(node["bitset_idx"])])
        known = self.known(feature)
        missing_side = "L" if missing_left else "R"
        # The side each stretch of the number line goes: negatives, each code, then above.
        sides = [missing_side]
        sides += [
            "L" if goes_left[c] else "R" if known[c] else missing_side for c in range(_N_CODES)
        ]
        sides.append(missing_side)
        uppers = [-0.5, *(c + 0.5 for c in range(_N_CODES)), np.inf]
        runs: list[tuple[float, str]] = []  # (upper end of the run, side)
        for side, upper in zip(sides, uppers, strict=True):
            if runs and runs[-1][1] == side:
                runs[-1] = (upper, side)
            else:
                runs.append((upper, side))
        value, cover = float(node["value"]), float(node["count"])

        def subtree(side: str) -> int:
            return self.build(int(node["left"] if side == "L" else node["right"]))

        def balanced(lo: int, hi: int) -> int:
            if hi - lo == 1:
                return subtree(runs[lo][1])
            mid = (lo + hi) // 2
            k = self._new(feature, value, cover)
            left, right = balanced(lo, mid), balanced(mid, hi)
            # A missing value must end under a run that goes the missing-value side; the
            # first run (negative codes) always does, and it is on the left of every split.
            has_missing = any(side == missing_side for _, side in runs[lo:mid])
            self._split(k, feature, runs[mid - 1][0], left, right, left if has_missing else right)
            return k

        return balanced(0, len(runs))

    def to_dict(self) -> dict[str, np.ndarray]:
        return {
            "children_left": np.array(self.left, dtype=np.int32),
            "children_right": np.array(self.right, dtype=np.int32),
            "children_default": np.array(self.default, dtype=np.int32),
            "features": np.array(self.feature, dtype=np.int32),
            "thresholds": np.array(self.threshold, dtype=np.float64),
            "values": np.array(self.value, dtype=np.float64)[:, None],
            "node_sample_weight": np.array(self.cover, dtype=np.float64),
        }


def hgb_to_shap_trees(model: Any) -> dict[str, Any]:
    """A fitted histogram-boosting model as a shap tree-ensemble dictionary.

    Parameters
    ----------
    model : HistGradientBoostingClassifier (binary) or HistGradientBoostingRegressor
        Fitted. If it encodes categorical features itself (``model._preprocessor``),
        the trees read the encoded columns: transform the rows with it first.

    Returns
    -------
    dict
        ``{"trees": [...], "base_offset": ..., "tree_output": "raw_value", ...}``, the
        format :class:`shap.TreeExplainer` accepts. Its raw output is the model's
        ``decision_function`` (classification, in log-odds) or ``predict`` (regression).
        Node covers are placeholders: pass background data with
        ``feature_perturbation="tree_path_dependent"`` so shap recounts them.

    Raises
    ------
    ConfigError
        The model is not one this function can read (see :func:`hgb_supported`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = np.c_[rng.integers(0, 4, 400), rng.normal(size=400)]
    >>> y = np.array([3.0, -1.0, 2.0, 0.0])[X[:, 0].astype(int)] + X[:, 1]
    >>> model = HistGradientBoostingRegressor(categorical_features=[0], max_iter=20).fit(X, y)
    >>> trees = hgb_to_shap_trees(model)
    >>> len(trees["trees"]), trees["tree_output"]
    (20, 'raw_value')
    """
    if not hgb_supported(model):
        raise ConfigError(
            "hgb_to_shap_trees reads a fitted, binary HistGradientBoostingClassifier or a "
            "HistGradientBoostingRegressor. "
            f"Got {type(model).__name__} instead."
        )
    known_bitsets, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    known_cache: dict[int, np.ndarray] = {}

    def known(feature: int) -> np.ndarray:
        if feature not in known_cache:
            known_cache[feature] = _bitset(known_bitsets[int(f_idx_map[feature])])
        return known_cache[feature]

    trees = []
    for iteration in model._predictors:
        predictor = iteration[0]
        builder = _TreeBuilder(predictor.nodes, predictor.raw_left_cat_bitsets, known)
        builder.build(0)
        trees.append(builder.to_dict())
    from sklearn.ensemble import HistGradientBoostingClassifier

    classifier = isinstance(model, HistGradientBoostingClassifier)
    return {
        "trees": trees,
        "base_offset": float(np.ravel(model._baseline_prediction)[0]),
        "tree_output": "raw_value",
        "objective": "binary_crossentropy" if classifier else "squared_error",
        "input_dtype": np.float64,
        "internal_dtype": np.float64,
    }
