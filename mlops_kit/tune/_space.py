"""Search spaces, metrics and cross-validation folds: what a study searches and how it scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from ..config import MODELS_FOR_TASK, TUNING_METRICS, SearchDimension, validate_params
from ..data import ColumnRoles
from ..errors import ConfigError, did_you_mean
from ..train import build_pipeline

if TYPE_CHECKING:
    import optuna
    import pandas as pd


__all__ = [
    "DEFAULT_SEARCH_SPACES",
    "cv_splitter",
    "default_search_space",
    "search_space_table",
]

Task = Literal["classification", "regression"]
Direction = Literal["maximize", "minimize"]


_HGB: dict[str, dict[str, Any]] = {
    "learning_rate": {"type": "float", "low": 0.02, "high": 0.3, "log": True},
    "max_leaf_nodes": {"type": "int", "low": 8, "high": 64, "log": True},
    "min_samples_leaf": {"type": "int", "low": 10, "high": 200, "log": True},
    "l2_regularization": {"type": "float", "low": 0.01, "high": 100.0, "log": True},
    "max_iter": {"type": "int", "low": 50, "high": 400, "log": True},
}
_RF: dict[str, dict[str, Any]] = {
    "max_depth": {"type": "int", "low": 3, "high": 20},
    "min_samples_leaf": {"type": "int", "low": 1, "high": 50, "log": True},
    "max_features": {"type": "float", "low": 0.2, "high": 1.0},
}

#: Default search space of each (task, model family): the ranges of the estimator's
#: parameters inside :func:`mlops_kit.train.build_pipeline`, each in the shape of
#: :class:`mlops_kit.config.SearchDimension`. Log scales where a parameter acts by
#: orders of magnitude (regularisation strengths, learning rates, tree sizes).
DEFAULT_SEARCH_SPACES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("classification", "logistic"): {
        "C": {"type": "float", "low": 1e-3, "high": 100.0, "log": True},
    },
    ("regression", "linear"): {
        "alpha": {"type": "float", "low": 1e-3, "high": 1000.0, "log": True},
    },
    ("classification", "hgb"): {k: dict(v) for k, v in _HGB.items()},
    ("regression", "hgb"): {k: dict(v) for k, v in _HGB.items()},
    ("classification", "rf"): {k: dict(v) for k, v in _RF.items()},
    ("regression", "rf"): {k: dict(v) for k, v in _RF.items()},
}

# metric: (scikit-learn scorer, sign turning the scorer's value into the metric, direction)
_METRICS: dict[str, tuple[str, int, Direction]] = {
    "roc_auc": ("roc_auc", 1, "maximize"),
    "average_precision": ("average_precision", 1, "maximize"),
    "neg_log_loss": ("neg_log_loss", 1, "maximize"),
    "f1": ("f1", 1, "maximize"),
    "rmse": ("neg_root_mean_squared_error", -1, "minimize"),
    "mae": ("neg_mean_absolute_error", -1, "minimize"),
    "r2": ("r2", 1, "maximize"),
}
_METRIC_WORDS = {
    "roc_auc": "ROC AUC",
    "average_precision": "average precision",
    "neg_log_loss": "negative log loss",
    "f1": "F1",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
}


def default_search_space(model: str, task: str = "classification") -> dict[str, SearchDimension]:
    """The default search space of a model family, as validated dimensions.

    Examples
    --------
    >>> space = default_search_space("logistic")
    >>> space["C"].low, space["C"].high, space["C"].log
    (0.001, 100.0, True)
    """
    key = (task, model)
    if key not in DEFAULT_SEARCH_SPACES:
        allowed = MODELS_FOR_TASK.get(task, ())
        raise ConfigError(
            f"Config key 'model' must be one of {', '.join(allowed) or '(none)'} for task "
            f"'{task}'; got {model!r}."
        )
    return {name: SearchDimension(**dim) for name, dim in DEFAULT_SEARCH_SPACES[key].items()}


def _resolve_search_space(
    search_space: Mapping[str, SearchDimension | Mapping[str, Any]] | None,
    model: str,
    task: str,
    roles: ColumnRoles,
) -> dict[str, SearchDimension]:
    """Validate a search space and check that every name is a parameter of the estimator."""
    if search_space is None:
        return default_search_space(model, task)
    if not search_space:
        raise ConfigError("Config key 'tuning.search_space' must name at least one parameter.")
    space: dict[str, SearchDimension] = {}
    for name, dim in search_space.items():
        if isinstance(dim, SearchDimension):
            space[name] = dim
        else:
            space[name] = validate_params(
                dict(dim), model=SearchDimension, source=f"tuning.search_space.{name}"
            )
    estimator = build_pipeline(model, roles, task=task).named_steps["model"]  # type: ignore[arg-type]
    known = estimator.get_params(deep=False)
    for name in space:
        if name not in known:
            raise ConfigError(
                f"Config key 'tuning.search_space' names '{name}', which is not a parameter "
                f"of {type(estimator).__name__} (model '{model}'); parameters are: "
                f"{', '.join(sorted(known))}.{did_you_mean(name, known)}"
            )
    return space


def search_space_table(
    model: str,
    task: str = "classification",
    *,
    search_space: Mapping[str, SearchDimension | Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """A search space as a table, next to each parameter's default value.

    Parameters
    ----------
    model : str
        The model family.
    task : {"classification", "regression"}, default "classification"
    search_space : mapping, optional
        Default: the model family's default search space.

    Returns
    -------
    pandas.DataFrame
        One row per parameter (the index): ``type``, ``low``, ``high``, ``scale``
        (``log`` or ``linear``; empty for categories), ``choices`` and ``default``,
        the estimator's value when nothing is tuned.

    Raises
    ------
    ConfigError
        An unknown model, a bad range, or a name that is not a parameter of the
        model family's estimator.

    Examples
    --------
    >>> search_space_table("logistic")[["low", "high", "scale", "default"]]
                low   high scale  default
    parameter
    C         0.001  100.0   log      1.0
    """
    import pandas as pd

    if model not in MODELS_FOR_TASK.get(task, ()):
        raise ConfigError(
            f"The 'model' parameter of search_space_table must be one of "
            f"{', '.join(MODELS_FOR_TASK.get(task, ()))} for task '{task}'. Got {model!r} instead."
        )
    roles = ColumnRoles(target="y", numeric=("x",), categorical=())
    space = _resolve_search_space(search_space, model, task, roles)
    defaults = build_pipeline(model, roles, task=task).named_steps["model"].get_params()  # type: ignore[arg-type]
    rows = [
        {
            "parameter": name,
            "type": dim.type,
            "low": dim.low,
            "high": dim.high,
            "scale": "" if dim.type == "categorical" else ("log" if dim.log else "linear"),
            "choices": ", ".join(map(str, dim.choices)) if dim.choices else "",
            "default": defaults[name],
        }
        for name, dim in space.items()
    ]
    return pd.DataFrame(rows).set_index("parameter")


def _metric_for(metric: str | None, task: str) -> str:
    allowed = TUNING_METRICS[task]
    chosen = allowed[0] if metric is None else metric
    if chosen not in allowed:
        raise ConfigError(
            f"Config key 'tuning.metric' must be one of {', '.join(allowed)} for task "
            f"'{task}'; got {metric!r}."
        )
    return chosen


def cv_splitter(
    task: str = "classification", *, folds: int = 3, time_ordered: bool = False, seed: int = 0
) -> Any:
    """The cross-validation splitter every trial uses.

    :class:`~sklearn.model_selection.TimeSeriesSplit` when the rows are in time order
    (always validating on later rows), otherwise shuffled
    :class:`~sklearn.model_selection.StratifiedKFold` (classification) or
    :class:`~sklearn.model_selection.KFold` (regression) seeded with ``seed``.

    Examples
    --------
    >>> cv_splitter("regression", folds=4, time_ordered=True)
    TimeSeriesSplit(gap=0, max_train_size=None, n_splits=4, test_size=None)
    """
    from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

    if time_ordered:
        return TimeSeriesSplit(n_splits=folds)
    if task == "classification":
        return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


def _cv_words(task: str, folds: int, time_ordered: bool) -> str:
    if time_ordered:
        return f"{folds}-fold forward-chaining (time-ordered) cross-validation"
    if task == "classification":
        return f"{folds}-fold stratified cross-validation"
    return f"{folds}-fold cross-validation"


def _suggest(trial: optuna.Trial, name: str, dim: SearchDimension) -> Any:
    if dim.type == "categorical":
        assert dim.choices is not None
        return trial.suggest_categorical(name, dim.choices)
    assert dim.low is not None
    assert dim.high is not None
    if dim.type == "int":
        return trial.suggest_int(name, int(dim.low), int(dim.high), log=dim.log)
    return trial.suggest_float(name, float(dim.low), float(dim.high), log=dim.log)


def _distribution(dim: SearchDimension) -> Any:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if dim.type == "categorical":
        assert dim.choices is not None
        return CategoricalDistribution(dim.choices)
    assert dim.low is not None
    assert dim.high is not None
    if dim.type == "int":
        return IntDistribution(int(dim.low), int(dim.high), log=dim.log)
    return FloatDistribution(float(dim.low), float(dim.high), log=dim.log)
