"""Which histogram-boosting models the kit explains exactly, categorical splits included.

Part of :mod:`mlops_kit.explain`; see the package docstring.

shap's :class:`~shap.TreeExplainer` reads a scikit-learn
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` node by node, but only as
threshold splits ("value <= t goes left"). A *categorical* split ("these categories go
left") is read as a threshold it does not have, so on a model with native categories,
such as the kit's, the SHAP values no longer add up to the model's output (shap issue
#3436; on the bundled claims model the sum was off by up to 2.4 log-odds). The kit
explains these models with its own path-dependent TreeSHAP, which decides each
categorical split by its category set (:mod:`._treeshap`); :func:`hgb_supported` says
which models it reads.
"""

from __future__ import annotations

from typing import Any

__all__ = ["hgb_supported"]


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
