"""Preprocessing and model pipelines, splits, cross-validation and fitting.

Every model is a scikit-learn :class:`~sklearn.pipeline.Pipeline`: a
:class:`~sklearn.compose.ColumnTransformer` that imputes and encodes the columns,
then the estimator. Everything random takes the seed, so the same data, config and
seed give the same model.

Over 400 lines because saved models name ``mlops_kit.train.standardise_missing`` in their
allow-list, so the pipeline, its fitting and its files stay in this one module.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._io import atomic_path
from .config import MODELS_FOR_TASK
from .data import ColumnRoles, SplitResult, binary_target, split_data
from .errors import ArtefactError, ConfigError, DataValidationError

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

__all__ = [
    "TRUSTED_TYPES",
    "CVResult",
    "TrainingResult",
    "build_pipeline",
    "cross_validate_model",
    "load_model",
    "save_model",
    "standardise_missing",
    "train_model",
]

#: Types a saved model may contain beyond skops' own safe defaults. The loader's
#: allow-list: it comes from this code, never from the artefact being loaded.
TRUSTED_TYPES = (
    "mlops_kit.train.standardise_missing",
    "numpy.dtype",
    "functools.partial",
    "sklearn.utils.validation.check_array",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
)

Task = Literal["classification", "regression"]

#: The model families, in words, for reports and lessons.
MODEL_DESCRIPTIONS = {
    "logistic": "logistic regression on scaled numbers and one-hot encoded categories",
    "linear": "ridge (regularised linear) regression on scaled numbers and one-hot categories",
    "hgb": "histogram gradient boosting with native handling of categories and missing values",
    "rf": "random forest of 100 trees",
}


def standardise_missing(X: pd.DataFrame) -> pd.DataFrame:
    """Turn pandas' ``pd.NA`` into ``NaN`` and nullable columns into NumPy ones.

    scikit-learn's imputers and encoders understand ``NaN`` but not ``pd.NA``, which
    pandas' nullable dtypes (``"string"``, ``"Int64"``, ``"boolean"``) use.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"),
    ...                   "b": pd.array(["x", None], dtype="string")})
    >>> standardise_missing(X).dtypes.astype(str).tolist()
    ['float64', 'object']
    """
    import pandas as pd

    out = X.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype):
            values = s.astype(object)
            out[col] = values.where(s.notna(), np.nan)
        elif pd.api.types.is_extension_array_dtype(s.dtype):
            out[col] = s.astype("float64")
    return out


def build_pipeline(
    model: str,
    roles: ColumnRoles,
    *,
    task: Task = "classification",
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> Pipeline:
    """Build an unfitted preprocessing + model pipeline.

    Parameters
    ----------
    model : {"logistic", "hgb", "rf"} for classification, {"linear", "hgb", "rf"} for regression
        The model family.
    roles : ColumnRoles
        Which columns are numeric and categorical features.
    task : {"classification", "regression"}
    seed : int, default 0
        ``random_state`` of the estimator.
    params : dict, optional
        Estimator parameters that replace the defaults (for example from tuning).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``clean`` (missing values), ``prepare`` (a ColumnTransformer) and ``model``.

    Examples
    --------
    >>> from mlops_kit.data import ColumnRoles
    >>> roles = ColumnRoles(target="y", numeric=("x",), categorical=("c",))
    >>> [name for name, _ in build_pipeline("hgb", roles).steps]
    ['clean', 'prepare', 'model']
    """
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    allowed = MODELS_FOR_TASK[task]
    if model not in allowed:
        raise ConfigError(
            f"The 'model' parameter of build_pipeline must be one of {', '.join(allowed)} "
            f"for task '{task}'. Got {model!r} instead."
        )
    numeric, categorical = list(roles.numeric), list(roles.categorical)
    prepare = _preparation(model, numeric, categorical)
    is_category = [True] * len(categorical) + [False] * len(numeric)
    estimator = _estimator(model, task, seed=seed, is_category=is_category)
    if params:
        estimator.set_params(**params)
    return Pipeline(
        [
            ("clean", FunctionTransformer(standardise_missing, feature_names_out="one-to-one")),
            ("prepare", prepare),
            ("model", estimator),
        ]
    )


def _preparation(model: str, numeric: list[str], categorical: list[str]) -> Any:
    """The ColumnTransformer that imputes and encodes the features for ``model``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    if model in ("logistic", "linear"):
        return ColumnTransformer(
            [
                (
                    "numeric",
                    make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                    numeric,
                ),
                (
                    "categorical",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="(missing)"),
                        OneHotEncoder(
                            handle_unknown="infrequent_if_exist",
                            min_frequency=5,
                            sparse_output=False,
                        ),
                    ),
                    categorical,
                ),
            ],
            verbose_feature_names_out=False,
        )
    # Trees take categories as integer codes; unknown categories and gaps become NaN,
    # which both tree models handle natively.
    return ColumnTransformer(
        [
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                    max_categories=250,
                ),
                categorical,
            ),
            ("numeric", "passthrough", numeric),
        ],
        verbose_feature_names_out=False,
    )


def _estimator(model: str, task: Task, *, seed: int, is_category: list[bool]) -> Any:
    """The unfitted estimator of a model family and task, with the kit's defaults."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LogisticRegression, Ridge

    # Forests run on one thread: with several, scikit-learn adds the trees' predictions
    # in whatever order the threads finish, so scores differ in the last bit between
    # runs and a re-run would not reproduce its metrics exactly.
    estimators: dict[tuple[str, str], Any] = {
        ("classification", "logistic"): lambda: LogisticRegression(max_iter=2000),
        ("regression", "linear"): lambda: Ridge(alpha=1.0),
        ("classification", "hgb"): lambda: HistGradientBoostingClassifier(
            categorical_features=is_category, random_state=seed
        ),
        ("regression", "hgb"): lambda: HistGradientBoostingRegressor(
            categorical_features=is_category, random_state=seed
        ),
        ("classification", "rf"): lambda: RandomForestClassifier(
            n_estimators=100, min_samples_leaf=20, random_state=seed
        ),
        ("regression", "rf"): lambda: RandomForestRegressor(
            n_estimators=100, min_samples_leaf=5, random_state=seed
        ),
    }
    return estimators[(task, model)]()


@dataclass(frozen=True)
class CVResult:
    """Cross-validated scores of a model on the training rows."""

    metric: str
    scores: tuple[float, ...]
    scheme: str

    @property
    def mean(self) -> float:
        """Mean over folds."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """Standard deviation over folds."""
        return float(np.std(self.scores))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "metric": self.metric,
            "scheme": self.scheme,
            "scores": list(self.scores),
            "mean": self.mean,
            "std": self.std,
        }


def cross_validate_model(
    pipeline: Pipeline,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    task: Task = "classification",
    folds: int = 5,
    time_ordered: bool = False,
    seed: int = 0,
) -> CVResult:
    """Cross-validate ``pipeline`` on (X, y) with a scheme that fits the split.

    Classification is scored by ROC AUC, regression by RMSE. Rows in time order use
    :class:`~sklearn.model_selection.TimeSeriesSplit` (always validating on later
    rows); otherwise (stratified) shuffled K-fold.
    """
    from sklearn.model_selection import (
        KFold,
        StratifiedKFold,
        TimeSeriesSplit,
        cross_val_score,
    )

    if time_ordered:
        cv: Any = TimeSeriesSplit(n_splits=folds)
        scheme = f"{folds}-fold forward-chaining (time-ordered) cross-validation"
    elif task == "classification":
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        scheme = f"{folds}-fold stratified cross-validation"
    else:
        cv = KFold(n_splits=folds, shuffle=True, random_state=seed)
        scheme = f"{folds}-fold cross-validation"
    scoring = "roc_auc" if task == "classification" else "neg_root_mean_squared_error"
    scores = cross_val_score(pipeline, X, y, cv=cv, scoring=scoring)
    if task == "regression":
        scores = -scores
    return CVResult(
        metric="roc_auc" if task == "classification" else "rmse",
        scores=tuple(float(s) for s in scores),
        scheme=scheme,
    )


@dataclass(frozen=True)
class TrainingResult:
    """A fitted model with its split, cross-validation and held-out predictions.

    ``predictions`` has one row per test row: ``row`` (position in the input
    table), ``y_true`` and ``y_pred`` (1 = positive class for classification),
    ``y_score`` (classification: the model's probability of the positive class),
    then the protected and time columns.
    """

    model: str
    task: Task
    estimator: Pipeline = field(repr=False)
    split: SplitResult
    cv: CVResult | None
    predictions: pd.DataFrame = field(repr=False)
    threshold: float
    seed: int
    fit_seconds: float
    estimator_params: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no estimator, no predictions)."""
        return {
            "model": self.model,
            "model_description": MODEL_DESCRIPTIONS[self.model],
            "task": self.task,
            "seed": self.seed,
            "threshold": self.threshold if self.task == "classification" else None,
            "split": self.split.to_dict(),
            "cv": self.cv.to_dict() if self.cv else None,
            "fit_seconds": round(self.fit_seconds, 3),
            "estimator_params": {k: repr(v) for k, v in sorted(self.estimator_params.items())},
        }

    def _repr_html_(self) -> str:
        cv = ""
        if self.cv:
            cv = (
                f" Cross-validated {self.cv.metric.upper()} on the training rows: "
                f"{self.cv.mean:.3f} (standard deviation {self.cv.std:.3f}, {self.cv.scheme})."
            )
        return (
            f"<p>Trained a {html.escape(MODEL_DESCRIPTIONS[self.model])} in "
            f"{self.fit_seconds:.1f} s. {html.escape(self.split.description)}"
            f"{html.escape(cv)}</p>"
        )


def train_model(
    df: pd.DataFrame,
    roles: ColumnRoles,
    *,
    model: str = "hgb",
    task: Task = "classification",
    positive_label: Any = 1,
    split: Literal["random", "time"] = "random",
    test_size: float = 0.25,
    cv_folds: int = 5,
    threshold: float = 0.5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> TrainingResult:
    """Split, cross-validate, fit and predict the held-out rows.

    Parameters
    ----------
    df : pandas.DataFrame
        The validated table.
    roles : ColumnRoles
        Target, features, protected and time columns (from
        :func:`mlops_kit.data.validate_table`).
    model, task, seed, params
        As for :func:`build_pipeline`.
    positive_label
        For classification, the class coded 1.
    split, test_size
        As for :func:`split_data` (time splits use ``roles.time_column``).
    cv_folds : int, default 5
        Cross-validation folds on the training rows; 0 skips cross-validation.
    threshold : float, default 0.5
        Score at or above which a case is predicted positive.

    Returns
    -------
    TrainingResult
    """
    sp, y_all = _split(
        df,
        roles,
        task=task,
        positive_label=positive_label,
        split=split,
        test_size=test_size,
        seed=seed,
    )
    X_all = df.loc[:, list(roles.features)]
    X_train, y_train = X_all.iloc[sp.train_index], y_all[sp.train_index]
    X_test, y_test = X_all.iloc[sp.test_index], y_all[sp.test_index]
    if task == "classification" and len(np.unique(y_train)) < 2:
        raise DataValidationError(
            f"The training rows hold only one class of '{roles.target}'; choose a split that "
            "leaves both classes in training (for example a larger test_size or split: random).",
            column=roles.target,
        )
    pipeline = build_pipeline(model, roles, task=task, seed=seed, params=params)
    times = df[roles.time_column].to_numpy()[sp.train_index] if split == "time" else None
    cv = (
        _cross_validation(pipeline, X_train, y_train, times, task, cv_folds, seed)
        if cv_folds
        else None
    )
    start = time.perf_counter()
    pipeline.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start

    out = _predictions(pipeline, X_test, y_test, df, sp, roles, task=task, threshold=threshold)
    return TrainingResult(
        model=model,
        task=task,
        estimator=pipeline,
        split=sp,
        cv=cv,
        predictions=out,
        threshold=threshold,
        seed=seed,
        fit_seconds=fit_seconds,
        estimator_params=pipeline.named_steps["model"].get_params(),
    )


def _split(
    df: pd.DataFrame,
    roles: ColumnRoles,
    *,
    task: Task,
    positive_label: Any,
    split: Literal["random", "time"],
    test_size: float,
    seed: int,
) -> tuple[SplitResult, np.ndarray]:
    """The split into training and held-out rows, and the coded target of every row."""
    y_all = (
        binary_target(df[roles.target], positive_label)
        if task == "classification"
        else df[roles.target].to_numpy(dtype=float)
    )
    sp = split_data(
        df,
        method=split,
        test_size=test_size,
        time_column=roles.time_column,
        stratify=y_all if task == "classification" and split == "random" else None,
        seed=seed,
    )
    return sp, y_all


def _cross_validation(
    pipeline: Pipeline,
    X_train: pd.DataFrame,
    y_train: np.ndarray,
    times: np.ndarray | None,
    task: Task,
    folds: int,
    seed: int,
) -> CVResult:
    """Cross-validate on the training rows, in time order when ``times`` are given."""
    if times is not None:
        order = np.argsort(times, kind="stable")
        X_cv, y_cv = X_train.iloc[order], y_train[order]
    else:
        X_cv, y_cv = X_train, y_train
    return cross_validate_model(
        pipeline, X_cv, y_cv, task=task, folds=folds, time_ordered=times is not None, seed=seed
    )


def _predictions(
    pipeline: Pipeline,
    X_test: pd.DataFrame,
    y_test: np.ndarray,
    df: pd.DataFrame,
    sp: SplitResult,
    roles: ColumnRoles,
    *,
    task: Task,
    threshold: float,
) -> pd.DataFrame:
    """The held-out rows' predictions, with their protected and time columns."""
    import pandas as pd

    out = pd.DataFrame({"row": sp.test_index, "y_true": y_test})
    if task == "classification":
        y_score = pipeline.predict_proba(X_test)[:, 1]
        out["y_pred"] = (y_score >= threshold).astype(np.int64)
        out["y_score"] = y_score
    else:
        out["y_pred"] = pipeline.predict(X_test)
    extra = [*roles.protected, *([roles.time_column] if roles.time_column else [])]
    for col in extra:
        out[col] = df[col].to_numpy()[sp.test_index]
    return out


def save_model(estimator: Pipeline, path: str | os.PathLike[str]) -> Path:
    """Save a fitted pipeline in skops' safe format (no pickle), atomically."""
    import skops.io as sio

    with atomic_path(path, suffix=".skops") as tmp:
        sio.dump(estimator, tmp)
    return Path(path)


def load_model(path: str | os.PathLike[str]) -> Pipeline:
    """Load a pipeline saved by :func:`save_model`, allowing only :data:`TRUSTED_TYPES`.

    Raises
    ------
    ArtefactError
        The file is missing or not a skops file, or it holds a type outside the
        allow-list (it is then never instantiated).
    """
    import skops.io as sio

    shown = str(path)
    try:
        found = set(sio.get_untrusted_types(file=path))
    except FileNotFoundError:
        raise ArtefactError(f"Model file '{shown}' was not found.") from None
    except Exception as exc:  # zip or JSON errors from a damaged file
        raise ArtefactError(
            f"Model file '{shown}' is not a readable skops file ({type(exc).__name__}: {exc})."
        ) from None
    unexpected = sorted(found - set(TRUSTED_TYPES))
    if unexpected:
        raise ArtefactError(
            f"Model file '{shown}' contains types outside the loader's allow-list: "
            f"{', '.join(unexpected)}. It was not loaded."
        )
    model: Pipeline = sio.load(path, trusted=sorted(found))
    return model
