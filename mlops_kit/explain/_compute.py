"""Computing SHAP values in a model's original feature columns, by the chosen explainer.

The tree and linear explainers work on the encoded matrix the final estimator sees;
their values are summed back from encoded columns to the input columns they come from
(one-hot columns to their category's column). The sampled fallback encodes the original
columns as numbers for shap's permutation explainer and decodes them for the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._explainer import ExplainerChoice, import_shap, split_pipeline
from ._trees import hgb_supported

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RawShap", "compute_shap"]


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
        # Imported here because it compiles its loops with numba, a heavy import.
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
