"""The rows a lesson tunes on: a seeded sample of a bundled dataset's training rows."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import load_config
from ..data import (
    ColumnRoles,
    SplitResult,
    binary_target,
    dataset_info,
    load_dataset,
    profile_dataset,
    split_data,
)
from ..errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["TuningData", "training_sample"]


@dataclass(frozen=True)
class TuningData:
    """Features, coded target and column roles of the rows to tune on.

    Attributes
    ----------
    X : pandas.DataFrame
        The feature columns of ``roles``, indexed 0 to n - 1.
    y : numpy.ndarray
        The coded target: 0/1 for classification, numbers for regression.
    roles : ColumnRoles
    task : {"classification", "regression"}
    dataset : str
        The bundled dataset the rows come from.
    description : str
        Where the rows come from, in words.
    """

    X: pd.DataFrame = field(repr=False)
    y: np.ndarray = field(repr=False)
    roles: ColumnRoles = field(repr=False)
    task: str
    dataset: str
    description: str

    def __len__(self) -> int:
        return len(self.y)

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.description)}</p>"


def _check_rows(n_rows: Any, available: int) -> int | None:
    if n_rows is None:
        return None
    if isinstance(n_rows, bool) or not isinstance(n_rows, int | np.integer) or n_rows < 100:
        raise ConfigError(
            "The 'n_rows' parameter of training_sample must be a whole number of at least "
            f"100, or None for every training row. Got {n_rows!r} instead."
        )
    if n_rows > available:
        raise ConfigError(
            f"The 'n_rows' parameter of training_sample must be at most {available:,}, the "
            f"number of training rows. Got {n_rows:,} instead."
        )
    return int(n_rows)


def training_sample(
    dataset: str = "benefit_claims", *, n_rows: int | None = 5000, seed: int = 0
) -> TuningData:
    """A seeded sample of a bundled dataset's training rows, ready for :func:`tune`.

    The training rows are those of the dataset's bundled pipeline config (for the
    benefit claims, the months before the test period), so the rows the pipeline
    later tests on never influence tuning. A classification sample keeps the share
    of positives (stratified); the sample keeps the rows' time order.

    Parameters
    ----------
    dataset : str, default "benefit_claims"
        A bundled dataset (:func:`mlops_kit.data.list_datasets`).
    n_rows : int or None, default 5000
        How many training rows to draw (at least 100); None keeps them all. A few
        thousand rows keep a lesson's trials to a fraction of a second each.
    seed : int, default 0
        Seeds the sample.

    Returns
    -------
    TuningData

    Raises
    ------
    ConfigError
        When ``n_rows`` is not a whole number from 100 to the number of training rows.
    DataValidationError
        When ``dataset`` is not a bundled dataset.
    """
    from sklearn.model_selection import train_test_split

    info = dataset_info(dataset)
    config = load_config(info.config)
    df = load_dataset(dataset)
    roles = profile_dataset(df, dataset).roles
    target = df[roles.target]
    if config.task == "classification":
        coded = binary_target(target, config.positive_label)
    else:
        coded = target.to_numpy(dtype=float)
    split = split_data(
        df,
        method=config.split,
        test_size=config.test_size,
        time_column=config.time_column,
        stratify=coded if config.task == "classification" and config.split == "random" else None,
        seed=config.seed,
    )
    rows = split.train_index
    n = _check_rows(n_rows, len(rows))
    if n is not None and n < len(rows):
        stratify = coded[rows] if config.task == "classification" else None
        rows, _ = train_test_split(rows, train_size=n, random_state=seed, stratify=stratify)
        rows = np.sort(rows)
    X = df.iloc[rows][list(roles.features)].reset_index(drop=True)
    y = coded[rows]
    description = _describe(dataset, rows, split, y, roles, task=config.task, drew=n, seed=seed)
    return TuningData(
        X=X,
        y=y,
        roles=roles,
        task=config.task,
        dataset=dataset,
        description=description,
    )


def _describe(
    dataset: str,
    rows: np.ndarray,
    split: SplitResult,
    y: np.ndarray,
    roles: ColumnRoles,
    *,
    task: str,
    drew: int | None,
    seed: int,
) -> str:
    """Which rows the sample holds, and its target and features, in one sentence."""
    where = (
        f"from {split.train_periods[0]} to {split.train_periods[1]}"
        if split.train_periods is not None
        else "of the random training split"
    )
    drawn = (
        f"{len(rows):,} rows drawn at random (seed {seed}) from the {len(split.train_index):,} "
        f"training rows {where}"
        if drew is not None and drew < len(split.train_index)
        else f"all {len(rows):,} training rows {where}"
    )
    if task == "classification":
        share = f"; {float(np.mean(y)):.1%} of them are positive ({roles.target} = 1)"
    else:
        share = f"; {roles.target} averages {float(np.mean(y)):,.1f}"
    return (
        f"{dataset}: {drawn}{share}. {len(roles.features)} feature columns "
        f"({len(roles.numeric)} numeric, {len(roles.categorical)} categorical); the test "
        "rows are kept out of tuning."
    )
