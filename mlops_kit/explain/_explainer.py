"""Choosing the explainer for a model, and computing SHAP values in the original features.

Part of :mod:`mlops_kit.explain`; see the package docstring.

The kit's models are scikit-learn pipelines: preprocessing (missing values, encoding)
then an estimator. A person understands the *original* columns ("channel = paper"),
not the encoded matrix ("channel_paper = 1.0"), so every explanation is given in the
original columns:

* **tree** (histogram gradient boosting, random forests, other scikit-learn trees):
  :class:`shap.TreeExplainer` on the encoded matrix, whose columns are the original
  ones (categories as integer codes), path-dependent (exact and fast). Histogram
  boosting is explained by the kit's own path-dependent TreeSHAP, which decides each
  categorical split by its category set, as scikit-learn does (:mod:`._treeshap`).
* **linear** (logistic regression, ridge, other ``sklearn.linear_model`` models):
  :class:`shap.LinearExplainer` on the encoded matrix against a background sample; the
  SHAP values of the one-hot columns of a category are summed back to their source
  column. For a linear model that sum is exactly the Shapley value of the whole column.
* **sampled** (anything else, or preprocessing whose output columns cannot be traced
  to the input): :class:`shap.PermutationExplainer` on the *whole* pipeline, with the
  original columns masked by a seeded background sample of 100 rows. It is the slowest
  (every row costs hundreds of model calls) and its values are estimates; its row cap
  is lower.

What is explained ("the explained space")
    Log-odds for boosting and linear classifiers (their raw output), the probability of
    the positive class for forests and the sampled fallback, and the prediction itself
    for regression. In every case the base value plus the sum of a row's SHAP values is
    the model's output for that row in that space (checked by :func:`explain_model`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ConfigError
from ._trees import hgb_supported

if TYPE_CHECKING:
    pass

__all__ = ["EXPLAINERS", "ExplainerChoice", "choose_explainer"]

ExplainerKind = Literal["tree", "linear", "sampled"]
OutputSpace = Literal["log-odds", "probability", "prediction"]
#: The explainers, and ``"auto"`` (choose by model family).
EXPLAINERS = ("auto", "tree", "linear", "sampled")

#: scikit-learn tree models shap reads directly (besides histogram boosting).
_SHAP_TREES = (
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
)
#: Among them, classifiers whose raw output is a probability (an average of leaf shares).
_PROBABILITY_TREES = (
    "RandomForestClassifier",
    "ExtraTreesClassifier",
    "DecisionTreeClassifier",
)


def import_shap() -> Any:
    """Import shap, hiding only the deprecation notice matplotlib gives when it loads.

    shap 0.51 calls ``Colormap.set_bad`` and friends while importing its plotting module;
    the kit draws its own figures and never uses those colour maps.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="The set_(bad|over|under) function will be deprecated",
            category=PendingDeprecationWarning,
        )
        import shap  # type: ignore[import-untyped]
    return shap


@dataclass(frozen=True)
class ExplainerChoice:
    """Which explainer a model gets, and why, in words.

    Attributes
    ----------
    kind : {"tree", "linear", "sampled"}
    estimator : str
        The class name of the model (the pipeline's last step).
    task : {"classification", "regression"}
    output_space : {"log-odds", "probability", "prediction"}
        What the SHAP values add up to.
    method : str
        The shap explainer and how it is used.
    reason : str
        Why this explainer, in one sentence.
    """

    kind: ExplainerKind
    estimator: str
    task: Literal["classification", "regression"]
    output_space: OutputSpace
    method: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return dict(self.__dict__)


def split_pipeline(model: Any) -> tuple[Any | None, Any]:
    """(preprocessing or None, final estimator) of a pipeline or a bare estimator."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        pre = model[:-1] if len(model.steps) > 1 else None
        return pre, model.steps[-1][1]
    return None, model


def check_fitted_binary(model: Any, where: str) -> None:
    """Raise ConfigError unless ``model`` is fitted and, for a classifier, binary."""
    from sklearn.base import is_classifier
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not hasattr(model, "predict"):
        raise ConfigError(
            f"The 'model' parameter of {where} must be a fitted scikit-learn estimator or "
            f"pipeline with a predict method. Got {type(model).__name__} instead."
        )
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ConfigError(
            f"The 'model' parameter of {where} must be fitted before it can be explained "
            f"(call .fit first, or use mlops_kit.train.train_model). Got an unfitted "
            f"{type(model).__name__} instead."
        ) from None
    final = split_pipeline(model)[1]
    if is_classifier(final) and len(getattr(final, "classes_", ())) != 2:
        raise ConfigError(
            f"{where} explains binary classifiers and regressors. Got a classifier with "
            f"{len(getattr(final, 'classes_', ()))} classes instead."
        )


def choose_explainer(model: Any, *, explainer: str = "auto") -> ExplainerChoice:
    """The explainer for a fitted model: tree, linear or the sampled fallback.

    Parameters
    ----------
    model : scikit-learn estimator or Pipeline
        Fitted. For a pipeline the choice follows its last step.
    explainer : {"auto", "tree", "linear", "sampled"}, default "auto"
        ``"auto"`` chooses by model family; the others force an explainer (``"tree"``
        and ``"linear"`` only where they apply).

    Returns
    -------
    ExplainerChoice

    Raises
    ------
    ConfigError
        An unfitted model, a classifier with more than two classes, an unknown
        ``explainer``, or one that does not apply to the model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = np.arange(20.0).reshape(10, 2), np.tile([0, 1], 5)
    >>> choose_explainer(LogisticRegression().fit(X, y)).kind
    'linear'
    """
    from sklearn.base import is_classifier

    if explainer not in EXPLAINERS:
        raise ConfigError(
            f"The 'explainer' parameter must be one of {', '.join(EXPLAINERS)}. "
            f"Got {explainer!r} instead."
        )
    check_fitted_binary(model, "choose_explainer")
    final = split_pipeline(model)[1]
    name = type(final).__name__
    classifier = is_classifier(final)
    task: Literal["classification", "regression"] = "classification" if classifier else "regression"
    is_tree = hgb_supported(final) or (
        name in _SHAP_TREES and type(final).__module__.startswith("sklearn.")
    )
    is_linear = type(final).__module__.startswith("sklearn.linear_model") and hasattr(
        final, "coef_"
    )
    if explainer == "tree" and not is_tree:
        raise ConfigError(
            f"The tree explainer reads scikit-learn tree models (histogram boosting, "
            f"forests, decision trees, gradient boosting). Got {name} instead; use "
            "explainer='auto'."
        )
    if explainer == "linear" and not is_linear:
        raise ConfigError(
            f"The linear explainer reads models from sklearn.linear_model. Got {name} "
            "instead; use explainer='auto'."
        )
    kind: ExplainerKind
    if explainer == "sampled" or not (is_tree or is_linear):
        kind = "sampled"
    else:
        kind = "tree" if is_tree and explainer != "linear" else "linear"
    space, method, reason = _described(kind, final, classifier=classifier, asked=explainer)
    return ExplainerChoice(kind, name, task, space, method, reason)


def _described(
    kind: ExplainerKind, final: Any, *, classifier: bool, asked: str
) -> tuple[OutputSpace, str, str]:
    """The output space an explainer works in, its method and why it was chosen, in words."""
    name = type(final).__name__
    if kind == "tree":
        space: OutputSpace = (
            "prediction"
            if not classifier
            else "probability"
            if name in _PROBABILITY_TREES
            else "log-odds"
        )
        method = (
            "path-dependent TreeSHAP on scikit-learn's own trees, categorical splits "
            "decided by their category sets"
            if hgb_supported(final)
            else "shap.TreeExplainer, path-dependent"
        )
        return space, method, f"{name} is a tree model: the tree explainer is exact and fast."
    if kind == "linear":
        method = "shap.LinearExplainer against a background sample, one-hot columns summed"
        space = "log-odds" if classifier else "prediction"
        return space, method, f"{name} is a linear model: the linear explainer is exact."
    space = "probability" if classifier else "prediction"
    method = "shap.PermutationExplainer on the whole pipeline, background sample of 100"
    reason = (
        f"{name} has neither tree nor linear structure shap can read, so its SHAP "
        "values are estimated by sampling (slower, and estimates)."
        if asked == "auto"
        else "The sampled explainer was asked for."
    )
    return space, method, reason
