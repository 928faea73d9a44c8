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

import numpy as np

from ..errors import ConfigError
from ._trees import hgb_supported

if TYPE_CHECKING:
    import pandas as pd

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
        reason = f"{name} is a tree model: the tree explainer is exact and fast."
    elif kind == "linear":
        space = "log-odds" if classifier else "prediction"
        method = "shap.LinearExplainer against a background sample, one-hot columns summed"
        reason = f"{name} is a linear model: the linear explainer is exact."
    else:
        space = "probability" if classifier else "prediction"
        method = "shap.PermutationExplainer on the whole pipeline, background sample of 100"
        reason = (
            f"{name} has neither tree nor linear structure shap can read, so its SHAP "
            "values are estimated by sampling (slower, and estimates)."
            if explainer == "auto"
            else "The sampled explainer was asked for."
        )
    return ExplainerChoice(kind, name, task, space, method, reason)


# --- from encoded columns back to the original ones -----------------------------------------


class _NoMap(Exception):
    """The preprocessing's output columns cannot be traced to its input columns."""


def source_columns(pre: Any, features: list[str], n_out: int) -> list[str]:
    """For each column the preprocessing outputs, the input column it comes from.

    Steps before the last must keep their columns (such as the kit's ``clean`` step);
    the last may be a :class:`~sklearn.compose.ColumnTransformer`, whose blocks are
    traced one by one (see :func:`column_positions`).
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if pre is None:
        if n_out != len(features):
            raise _NoMap
        return list(features)
    steps = list(pre.steps) if isinstance(pre, Pipeline) else [("", pre)]
    names = list(features)
    for _, step in steps[:-1]:
        try:
            out = list(step.get_feature_names_out(names))
        except Exception as exc:  # a step that cannot name its columns
            raise _NoMap from exc
        if out != names:
            raise _NoMap
    last = steps[-1][1]
    if isinstance(last, ColumnTransformer):
        return [names[p] for p in column_positions(last, names, n_out)]
    try:
        out = list(last.get_feature_names_out(names))
    except Exception as exc:
        raise _NoMap from exc
    if out != names or n_out != len(names):
        raise _NoMap
    return names


def column_positions(transformer: Any, names: list[str], n_out: int) -> list[int]:
    """For each output column of a fitted ColumnTransformer, the position of its input column.

    A block of one input column maps all its outputs to it; a block with as many outputs
    as inputs (scaling, ordinal codes, passthrough) maps them in order; a one-hot block
    maps each output to the input column its name starts with.
    """
    given = getattr(transformer, "feature_names_in_", None)
    inputs = [str(c) for c in given] if given is not None else list(names)
    if len(inputs) != len(names):
        raise _NoMap
    result: list[int | None] = [None] * n_out
    for block, step, cols in transformer.transformers_:
        where = transformer.output_indices_[block]
        n = where.stop - where.start
        if step == "drop" or n == 0:
            continue
        if isinstance(cols, slice):
            selected = list(range(len(inputs)))[cols]
        else:
            arr = np.atleast_1d(np.asarray(cols))
            if arr.dtype.kind == "b":
                selected = [int(i) for i in np.flatnonzero(arr)]
            elif arr.dtype.kind in "iu":
                selected = [int(i) for i in arr]
            else:
                selected = [inputs.index(str(c)) for c in arr]
        if len(selected) == 1:
            mapped = selected * n
        elif n == len(selected):
            mapped = selected
        else:
            out_names = transformer.get_feature_names_out()[where]
            mapped = []
            for out_name in out_names:
                hits = [
                    i
                    for i in selected
                    if out_name == inputs[i]
                    or out_name.startswith((f"{inputs[i]}_", f"{block}__{inputs[i]}"))
                ]
                if not hits:
                    raise _NoMap
                mapped.append(max(hits, key=lambda i: len(inputs[i])))
        result[where] = mapped
    if any(r is None for r in result):
        raise _NoMap
    return [int(r) for r in result if r is not None]


def group_matrix(source: list[str], features: list[str]) -> np.ndarray:
    """A 0/1 matrix that sums encoded columns into their source features."""
    matrix = np.zeros((len(source), len(features)))
    position = {f: j for j, f in enumerate(features)}
    for i, s in enumerate(source):
        matrix[i, position[s]] = 1.0
    return matrix


# --- the sampled fallback: original columns as numbers, and back ----------------------------


class _Codec:
    """Original columns as a float matrix (categories as codes) and back, for shap's maskers."""

    def __init__(self, frames: list[pd.DataFrame], features: list[str]) -> None:
        import pandas as pd

        self.features = features
        self.categories: dict[str, np.ndarray] = {}
        for f in features:
            dtype = frames[0][f].dtype
            if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                continue
            values = pd.concat([fr[f] for fr in frames]).dropna().astype(object).unique()
            self.categories[f] = np.array(sorted(values, key=str), dtype=object)

    def encode(self, df: pd.DataFrame) -> np.ndarray:
        import pandas as pd

        out = np.empty((len(df), len(self.features)))
        for j, f in enumerate(self.features):
            if f in self.categories:
                codes = pd.Categorical(df[f].astype(object), categories=self.categories[f]).codes
                out[:, j] = np.where(codes < 0, np.nan, codes)
            else:
                out[:, j] = pd.to_numeric(df[f], errors="coerce").to_numpy(dtype=float)
        return out

    def decode(self, z: np.ndarray) -> pd.DataFrame:
        import pandas as pd

        columns: dict[str, Any] = {}
        for j, f in enumerate(self.features):
            if f in self.categories:
                codes = z[:, j]
                missing = np.isnan(codes)
                taken = self.categories[f][np.where(missing, 0, codes).astype(int)]
                columns[f] = np.where(missing, np.nan, taken)
            else:
                columns[f] = z[:, j]
        return pd.DataFrame(columns)


@dataclass(frozen=True)
class RawShap:
    """SHAP values in the original features, with what they add up to."""

    shap_values: np.ndarray
    base_value: float
    outputs: np.ndarray
    choice: ExplainerChoice
    notes: tuple[str, ...]


def _positive(values: Any, base: Any) -> tuple[np.ndarray, float]:
    """The positive class's values and base value from shap's output shapes."""
    v = np.asarray(values, dtype=float)
    b = np.asarray(base, dtype=float)
    if v.ndim == 3:
        v = v[:, :, 1]
        b = b[..., 1] if b.ndim and b.shape[-1] == 2 else b
    return v, float(np.ravel(b)[0])


def model_output(final: Any, Xt: Any, choice: ExplainerChoice) -> np.ndarray:
    """The final estimator's output on the encoded rows, in the explained space."""
    if choice.output_space == "log-odds":
        return np.asarray(final.decision_function(Xt), dtype=float).ravel()
    if choice.output_space == "probability":
        return np.asarray(final.predict_proba(Xt), dtype=float)[:, 1]
    return np.asarray(final.predict(Xt), dtype=float).ravel()


def compute_shap(
    model: Any,
    X: pd.DataFrame,
    background: pd.DataFrame,
    *,
    choice: ExplainerChoice,
    seed: int,
    sampled_background: int = 100,
) -> RawShap:
    """SHAP values of ``model`` on ``X`` (original feature columns), by ``choice``."""
    features = list(X.columns)
    pre, final = split_pipeline(model)
    notes: list[str] = []
    if choice.kind != "sampled":
        # What the final estimator is given (a DataFrame where it was fitted on one), and
        # the same as numbers for shap.
        given = pre.transform(X) if pre is not None else X
        Xt = np.asarray(given, dtype=float)
        try:
            source = source_columns(pre, features, Xt.shape[1])
        except _NoMap:
            notes.append(
                "The preprocessing's output columns could not be traced back to the input "
                f"columns, so the sampled explainer was used instead of the {choice.kind} one."
            )
            choice = ExplainerChoice(
                "sampled",
                choice.estimator,
                choice.task,
                "probability" if choice.task == "classification" else "prediction",
                "shap.PermutationExplainer on the whole pipeline, background sample of 100",
                "The preprocessing cannot be traced column by column.",
            )
        else:
            bg_given = pre.transform(background) if pre is not None else background
            bg = np.asarray(bg_given, dtype=float)
            inner = getattr(final, "_preprocessor", None) if hgb_supported(final) else None
            if inner is not None:
                # Histogram boosting with categorical features encodes them again inside
                # the model; its trees read that encoding's columns.
                generic = [f"x{k}" for k in range(Xt.shape[1])]
                Xin = np.asarray(inner.transform(given), dtype=float)
                positions = column_positions(inner, generic, Xin.shape[1])
                source = [source[k] for k in positions]
                bg = np.asarray(inner.transform(bg_given), dtype=float)
            else:
                Xin = Xt
            values_t, base = _tree_or_linear(final, Xin, bg, choice)
            values = values_t @ group_matrix(source, features)
            if len(set(source)) < len(source):
                notes.append(
                    "The SHAP values of the one-hot columns of each category were summed "
                    "back to their source column."
                )
            return RawShap(values, base, model_output(final, given, choice), choice, tuple(notes))
    return _sampled(model, X, background, choice, seed, sampled_background, tuple(notes))


def _tree_or_linear(
    final: Any, Xt: np.ndarray, bg: np.ndarray, choice: ExplainerChoice
) -> tuple[np.ndarray, float]:
    if choice.kind == "tree" and hgb_supported(final):
        # The kit's own path-dependent TreeSHAP reads scikit-learn's nodes and decides
        # each categorical split with its category set; covers are the training counts,
        # as shap uses for these models, so no background is needed (as for other trees).
        from ._treeshap import hgb_shap_values

        return hgb_shap_values(final, Xt)
    shap = import_shap()
    if choice.kind == "linear":
        masker = shap.maskers.Independent(bg, max_samples=len(bg))
        explainer = shap.LinearExplainer(final, masker)
        return _positive(explainer.shap_values(Xt), explainer.expected_value)
    explainer = shap.TreeExplainer(final, feature_perturbation="tree_path_dependent")
    values = explainer.shap_values(Xt, check_additivity=False)
    return _positive(values, explainer.expected_value)


def _sampled(
    model: Any,
    X: pd.DataFrame,
    background: pd.DataFrame,
    choice: ExplainerChoice,
    seed: int,
    n_background: int,
    notes: tuple[str, ...],
) -> RawShap:
    shap = import_shap()
    features = list(X.columns)
    codec = _Codec([X, background], features)
    rng = np.random.default_rng([seed, 2])
    take = rng.choice(len(background), size=min(n_background, len(background)), replace=False)
    bg = codec.encode(background.iloc[np.sort(take)])
    classifier = choice.task == "classification"

    def predict(z: np.ndarray) -> np.ndarray:
        frame = codec.decode(np.asarray(z, dtype=float))
        if classifier:
            return np.asarray(model.predict_proba(frame), dtype=float)[:, 1]
        return np.asarray(model.predict(frame), dtype=float).ravel()

    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    explainer = shap.PermutationExplainer(predict, masker, seed=seed)
    z = codec.encode(X)
    # 12 evaluations per feature: about six forward-and-backward (antithetic) orderings
    # of the features per row. Each ordering adds up exactly; more orderings cut the noise.
    result = explainer(z, max_evals=12 * len(features) + 1, silent=True)
    values, base = _positive(result.values, result.base_values)
    return RawShap(values, base, predict(z), choice, notes)
