"""Building an explanation: :func:`explain_model` and :func:`explain_training`.

The rows are checked, sampled (seeded) down to the cap, explained against a background
sample, checked for additivity, cross-checked against permutation importance and
compared between protected groups; the result is a :class:`ModelExplanation`.

Over 400 lines because :func:`explain_model`'s checks and steps are helpers only it uses.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, MlopsKitError, did_you_mean
from ._compute import RawShap, compute_shap
from ._crosscheck import CrossCheck, permutation_crosscheck
from ._explainer import ExplainerChoice, check_fitted_binary, choose_explainer, split_pipeline
from ._groups import GroupExplanation, explain_by_group
from ._labels import resolve_labels
from ._local import display_value
from ._model import ADDITIVITY_TOLERANCE, ModelExplanation, _read_only

if TYPE_CHECKING:
    import pandas as pd

    from ..data import ColumnRoles
    from ..train import TrainingResult

__all__ = ["explain_model", "explain_training"]


def _whole(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ConfigError(
            f"The '{name}' parameter of explain_model must be a whole number of at least "
            f"{low}. Got {value!r} instead."
        )
    return int(value)


def _model_features(model: Any, X: pd.DataFrame) -> list[str]:
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(split_pipeline(model)[0], "feature_names_in_", None)
    features = [str(c) for c in (names if names is not None else X.columns)]
    missing = [c for c in features if c not in X.columns]
    if missing:
        raise DataValidationError(
            f"X lacks the model's feature column '{missing[0]}' (the model was fitted on "
            f"{', '.join(features)}). Got columns {', '.join(map(str, X.columns))}."
            + did_you_mean(missing[0], map(str, X.columns)),
            column=missing[0],
        )
    return features


def _groups_frame(groups: Any, X: pd.DataFrame, n: int) -> pd.DataFrame | None:
    import pandas as pd

    if groups is None:
        return None
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, pd.Series):
        frame = groups.to_frame(name=groups.name if groups.name is not None else "group")
    elif isinstance(groups, pd.DataFrame):
        frame = groups
    elif isinstance(groups, Sequence) and all(isinstance(g, str) for g in groups):
        missing = [g for g in groups if g not in X.columns]
        if missing:
            raise DataValidationError(
                f"The group column '{missing[0]}' is not a column of X (columns: "
                f"{', '.join(map(str, X.columns))}).",
                column=missing[0],
            )
        frame = X[list(groups)]
    else:
        raise ConfigError(
            "The 'groups' parameter of explain_model must be column names of X, a Series or "
            f"a DataFrame of protected attributes. Got {type(groups).__name__} instead."
        )
    if len(frame) != n:
        raise DataValidationError(
            f"The groups must have one row per row of X ({n:,}). Got {len(frame):,} instead."
        )
    return frame.reset_index(drop=True)


def _typical(background: pd.DataFrame, features: list[str]) -> dict[str, str]:
    import pandas as pd

    out = {}
    for f in features:
        s = background[f]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            v = pd.to_numeric(s, errors="coerce").median()
            out[f] = display_value(float(v)) if not pd.isna(v) else "not recorded"
        else:
            mode = s.dropna().mode()
            out[f] = display_value(mode.iloc[0]) if len(mode) else "not recorded"
    return out


def explain_model(
    model: Any,
    X: pd.DataFrame,
    *,
    y: Any = None,
    groups: Any = None,
    background: pd.DataFrame | None = None,
    max_rows: int = 1000,
    max_rows_sampled: int = 100,
    background_rows: int = 1000,
    seed: int = 0,
    feature_labels: Mapping[str, str] | None = None,
    explainer: str = "auto",
    threshold: float | None = None,
    decision_words: tuple[str, str] = ("Predicted positive", "Not predicted positive"),
    crosscheck: bool = True,
    n_repeats: int = 5,
    top_k: int = 3,
    min_group_size: int = 30,
) -> ModelExplanation:
    """Explain a fitted model on some rows: SHAP values in the original features, checked.

    Parameters
    ----------
    model : fitted scikit-learn Pipeline or estimator
        Binary classifier or regressor, such as ``TrainingResult.estimator``.
    X : pandas.DataFrame
        Rows to explain, with at least the model's feature columns (others are ignored).
        Its index labels the cases (set it to a case reference to see it in the reasons).
    y : array-like, optional
        True outcomes of the rows (0/1); with it, the SHAP ranking is cross-checked
        against permutation importance.
    groups : column name(s) of X, Series or DataFrame, optional
        Protected attributes of the rows, one column each; each gets a
        :class:`GroupExplanation`. Never used by the model.
    background : pandas.DataFrame, optional
        Rows that stand for "the average case" (default ``X``); the training rows are a
        good choice. A seeded sample of ``background_rows`` is used.
    max_rows : int, default 1000
        Row cap: a larger ``X`` is sampled (seeded) down to it, so the explanation stays
        fast (about 2 s per 1,000 rows for boosting, 15 s for a 100-tree forest).
    max_rows_sampled : int, default 100
        The lower cap of the sampled fallback, which costs hundreds of model calls a row.
    background_rows : int, default 1000
        Background sample size (the sampled fallback uses 100 of them).
    seed : int, default 0
        Seed of the row sample, the background sample, the sampled explainer and the
        permutations.
    feature_labels : mapping, optional
        Plain labels for features (default: the datasheet's, or the column name).
    explainer : {"auto", "tree", "linear", "sampled"}, default "auto"
    threshold : float, optional
        Score at or above which a case is predicted positive (classification), for the
        reason codes.
    decision_words : tuple of two str
        How reason codes name a case at or above the threshold and one below it; the
        pipeline passes the run's own words (:class:`mlops_kit._wording.Wording`).
    crosscheck : bool, default True
        Compute permutation importance when ``y`` is given.
    n_repeats, top_k, min_group_size : int
        For the cross-check (shuffles per feature) and the group comparison.

    Returns
    -------
    ModelExplanation

    Raises
    ------
    ConfigError
        An unfitted model, a non-binary classifier, a bad parameter (such as
        ``max_rows=0``) or an unknown explainer.
    DataValidationError
        X is not a DataFrame, is empty or lacks a feature column; y or groups have the
        wrong length.
    MlopsKitError
        The SHAP values do not add up to the model's output (never expected; the
        explanation is refused rather than shown wrong).
    """
    check_fitted_binary(model, "explain_model")
    _check_rows(X)
    max_rows = _whole("max_rows", max_rows)
    max_rows_sampled = _whole("max_rows_sampled", max_rows_sampled)
    background_rows = _whole("background_rows", background_rows, low=10)
    seed = _whole("seed", seed, low=0)
    _check_threshold(threshold)
    features = _model_features(model, X)
    labels = resolve_labels(features, feature_labels)
    choice = choose_explainer(model, explainer=explainer)
    if choice.task == "regression":
        threshold = None
    yy = _outcomes(y, len(X))
    group_frame = _groups_frame(groups, X, len(X))
    bg_source = X if background is None else background
    _check_background(model, bg_source)

    cap = max_rows if choice.kind != "sampled" else min(max_rows, max_rows_sampled)
    positions, notes = _sample(len(X), cap, seed)
    rows = X.iloc[positions][features]
    bg = _background_sample(bg_source, features, background_rows, seed)
    start = time.perf_counter()
    raw = compute_shap(model, rows, bg, choice=choice, seed=seed)
    seconds = time.perf_counter() - start
    notes += list(raw.notes)
    _check_additivity(raw)
    y_rows = None if yy is None else yy[positions]
    group_rows = None if group_frame is None else group_frame.iloc[positions].reset_index(drop=True)
    values_frame = _values_frame(raw, features)
    cross = None
    if crosscheck and y_rows is not None:
        cross = _crosscheck(
            model, rows, y_rows, values_frame, labels, raw.choice, n_repeats, top_k, seed
        )
    by_group: dict[str, GroupExplanation] = {}
    if group_rows is not None:
        by_group = _by_group(values_frame, group_rows, labels, top_k, min_group_size)
    return ModelExplanation(
        choice=raw.choice,
        features=tuple(features),
        labels=labels,
        shap_values=_read_only(raw.shap_values),
        base_value=float(raw.base_value),
        outputs=_read_only(raw.outputs),
        scores=_read_only(_scores(model, rows, raw.choice)),
        data=rows.copy(),
        typical=_typical(bg, features),
        threshold=None if threshold is None else float(threshold),
        decision_words=decision_words,
        y=None if y_rows is None else _read_only(y_rows),
        groups=group_rows,
        crosscheck=cross,
        by_group=by_group,
        n_available=len(X),
        max_rows=cap,
        seed=seed,
        background_rows=len(bg),
        seconds=seconds,
        notes=tuple(notes),
    )


def _check_rows(X: Any) -> None:
    """Refuse rows that are not a non-empty DataFrame."""
    import pandas as pd

    if not isinstance(X, pd.DataFrame):
        raise DataValidationError(
            "The 'X' parameter of explain_model must be a pandas DataFrame with the model's "
            f"feature columns. Got {type(X).__name__} instead."
        )
    if len(X) == 0:
        raise DataValidationError("X has no rows to explain.")


def _check_threshold(threshold: Any) -> None:
    """Refuse a threshold outside (0, 1)."""
    if threshold is not None and not (isinstance(threshold, float | int) and 0 < threshold < 1):
        raise ConfigError(
            f"The 'threshold' parameter of explain_model must be a number in (0, 1). "
            f"Got {threshold!r} instead."
        )


def _outcomes(y: Any, n: int) -> np.ndarray | None:
    """The true outcomes as an array of one value per row, or None."""
    yy = None if y is None else np.asarray(y)
    if yy is not None and len(yy) != n:
        raise DataValidationError(
            f"y must have one value per row of X ({n:,}). Got {len(yy):,} instead."
        )
    return yy


def _check_background(model: Any, bg_source: Any) -> None:
    """Refuse a background that is not a non-empty DataFrame with the model's features."""
    import pandas as pd

    if not isinstance(bg_source, pd.DataFrame) or len(bg_source) == 0:
        raise DataValidationError("The background must be a non-empty DataFrame.")
    _model_features(model, bg_source)


def _background_sample(
    bg_source: pd.DataFrame, features: list[str], background_rows: int, seed: int
) -> pd.DataFrame:
    """A seeded sample of the background rows, in their original order."""
    bg_rng = np.random.default_rng([seed, 3])
    bg_take = np.sort(
        bg_rng.choice(len(bg_source), size=min(background_rows, len(bg_source)), replace=False)
    )
    return bg_source.iloc[bg_take][features]


def _values_frame(raw: RawShap, features: list[str]) -> pd.DataFrame:
    """The SHAP values as a table, one column per feature."""
    import pandas as pd

    return pd.DataFrame(raw.shap_values, columns=features)


def _sample(n: int, cap: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """The positions of the rows to explain: all, or a seeded sample of ``cap``."""
    rng = np.random.default_rng([seed, 1])
    positions = np.arange(n)
    notes: list[str] = []
    if n > cap:
        positions = np.sort(rng.choice(n, size=cap, replace=False))
        notes.append(f"{cap:,} of {n:,} rows were explained (a seeded sample; the cap).")
    return positions, notes


def _check_additivity(raw: RawShap) -> None:
    """Refuse SHAP values that do not add up to the model's output."""
    error = float(np.max(np.abs(raw.base_value + raw.shap_values.sum(axis=1) - raw.outputs)))
    scale = max(1.0, float(np.max(np.abs(raw.outputs))))
    if not error <= ADDITIVITY_TOLERANCE * scale:
        raise MlopsKitError(
            f"The SHAP values of this {raw.choice.estimator} do not add up to its output: "
            f"base value plus contributions is off by up to {error:.3g} "
            f"({raw.choice.method}). The explanation was not used; please report it."
        )


def _scores(model: Any, rows: pd.DataFrame, choice: ExplainerChoice) -> np.ndarray:
    """The model's score of each row: the positive class's probability, or the prediction."""
    if choice.task == "classification":
        return np.asarray(model.predict_proba(rows), dtype=float)[:, 1]
    return np.asarray(model.predict(rows), dtype=float).ravel()


def _crosscheck(
    model: Any,
    rows: pd.DataFrame,
    y_rows: np.ndarray,
    values_frame: pd.DataFrame,
    labels: dict[str, str],
    choice: ExplainerChoice,
    n_repeats: int,
    top_k: int,
    seed: int,
) -> CrossCheck:
    """The SHAP ranking cross-checked against permutation importance."""
    return permutation_crosscheck(
        model,
        rows,
        y_rows,
        values_frame.abs().mean(),
        labels=labels,
        task=choice.task,
        n_repeats=_whole("n_repeats", n_repeats),
        seed=seed,
        top_k=_whole("top_k", top_k),
    )


def _by_group(
    values_frame: pd.DataFrame,
    group_rows: pd.DataFrame,
    labels: dict[str, str],
    top_k: int,
    min_group_size: int,
) -> dict[str, GroupExplanation]:
    """The explanations compared between the groups of each protected attribute."""
    return {
        str(column): explain_by_group(
            values_frame,
            group_rows[column].rename(str(column)),
            labels=labels,
            top_k=_whole("top_k", top_k),
            min_group_size=_whole("min_group_size", min_group_size),
        )
        for column in group_rows.columns
    }


def explain_training(
    result: TrainingResult,
    data: pd.DataFrame,
    roles: ColumnRoles,
    *,
    id_column: str | None = None,
    **kwargs: Any,
) -> ModelExplanation:
    """Explain a model from :func:`mlops_kit.train.train_model` on its held-out rows.

    The held-out (test) rows are explained, the training rows are the background, their
    true outcomes are ``y``, the protected columns are the groups, and the training
    threshold is the threshold; any keyword of :func:`explain_model` can be given to
    change them.

    Parameters
    ----------
    result : TrainingResult
    data : pandas.DataFrame
        The table the model was trained on.
    roles : ColumnRoles
        Its column roles (features, target, protected).
    id_column : str, optional
        A column of case references (such as ``"claim_id"``) to label the cases with.
    **kwargs
        Passed to :func:`explain_model`.
    """
    if id_column is not None and id_column not in data.columns:
        raise DataValidationError(
            f"The id column '{id_column}' is not a column of the data.", column=id_column
        )
    table = data.iloc[result.split.test_index]
    if id_column is not None:
        table = table.set_index(id_column, drop=False)
    kwargs.setdefault("y", result.predictions["y_true"].to_numpy())
    kwargs.setdefault("groups", list(roles.protected) or None)
    kwargs.setdefault("threshold", result.threshold if result.task == "classification" else None)
    kwargs.setdefault("seed", result.seed)
    kwargs.setdefault("background", data.iloc[result.split.train_index])
    return explain_model(result.estimator, table, **kwargs)
