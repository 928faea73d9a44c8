"""Check, at validation, that the later stages can split and cross-validate the table.

Tuning and training split the rows (randomly, stratified by class, or by time) and
cross-validate on the training rows; evaluation scores the held-out rows. A class too
rare for the folds, a time column with one period or a feature with no value in the
training rows would make one of those stages fail long after validation. This module
makes the same split and the same folds (indices only, no model is fitted) and
refuses such a table with one line naming the key to change.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..config import TrainParams, TuneParams
from ..errors import DataValidationError
from ._split import SplitResult, split_data
from ._target import binary_target

if TYPE_CHECKING:
    import pandas as pd

    from ._profile import TableProfile

__all__ = ["SplitSettings", "check_split"]


@dataclass(frozen=True)
class SplitSettings:
    """The tune and train stages' keys that decide how rows are split.

    Attributes
    ----------
    split : {"random", "time"}
    test_size : float
    seed : int
    cv_folds : int
        The train stage's cross-validation folds (0: none).
    tuning_folds : int
        The tune stage's folds (0: tuning is off).
    """

    split: Literal["random", "time"] = "random"
    test_size: float = 0.25
    seed: int = 0
    cv_folds: int = 5
    tuning_folds: int = 3

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | Any) -> SplitSettings:
        """The settings of a config: a :class:`~mlops_kit.config.PipelineConfig` or a
        mapping such as a run's ``config.yml`` (missing keys take their defaults)."""
        if not isinstance(config, Mapping):
            config = config.model_dump()
        train_keys = {k: config[k] for k in TrainParams.model_fields if k in config}
        tune_keys = {k: config[k] for k in TuneParams.model_fields if k in config}
        train = TrainParams.model_validate(train_keys)
        tune = TuneParams.model_validate(tune_keys)
        tuning_on = tune.tuning.n_trials > 0 or tune.tuning.timeout is not None
        return cls(
            split=train.split,
            test_size=train.test_size,
            seed=train.seed,
            cv_folds=train.cv_folds,
            tuning_folds=tune.tuning.cv_folds if tuning_on else 0,
        )


def _class_name(value: int, positive_label: Any) -> str:
    return f"{positive_label!r}" if value == 1 else f"not {positive_label!r}"


def check_split(
    df: pd.DataFrame,
    profile: TableProfile,
    settings: SplitSettings = SplitSettings(),
    *,
    source: str = "the table",
) -> None:
    """Refuse a table the tune, train or evaluate stage could not split or score.

    Makes the split :func:`split_data` will make and the
    cross-validation folds tuning and training will use, and checks that the training
    rows hold both classes, every validation fold holds both classes, the held-out
    rows hold both classes, and every feature has a value in the training rows.

    Parameters
    ----------
    df : pandas.DataFrame
        The prepared table (as the later stages load it).
    profile : TableProfile
        Its validation (:func:`validate_table`).
    settings : SplitSettings
        The split and folds of the run's config.
    source : str
        How messages name the data.

    Raises
    ------
    DataValidationError
        One line naming the problem and the config key that would resolve it.
    """
    roles = profile.roles
    target = profile.target
    classification = target.task == "classification"
    y = (
        binary_target(df[roles.target], target.positive_label)
        if classification
        else df[roles.target].to_numpy(dtype=float)
    )
    time_split = settings.split == "time"
    if time_split and not roles.time_column:
        return  # the config refuses split: time without a time column
    if time_split and roles.time_column and df[roles.time_column].nunique() < 2:
        raise DataValidationError(
            f"Config key 'split' is 'time', but time column '{roles.time_column}' in "
            f"{source} holds a single period ({df[roles.time_column].iloc[0]!r}); a "
            "time-aware split needs at least two. Use split: random, or add data from "
            "other periods.",
            column=roles.time_column,
        )
    sp = _split(df, y, profile, settings, source)
    train, test = sp.train_index, sp.test_index
    where = "the earlier periods" if time_split else "the training rows"
    if classification:
        _check_classes(y, train, test, profile, time_split=time_split, source=source)
    # The folds tuning and training cross-validate with, on the training rows in the
    # order the stages use (time order for a time split).
    rows = train
    if time_split and roles.time_column:
        order = np.argsort(df[roles.time_column].to_numpy()[train], kind="stable")
        rows = train[order]
    for folds, key in ((settings.cv_folds, "cv_folds"), (settings.tuning_folds, "tuning.cv_folds")):
        if not folds:
            continue
        if len(rows) <= folds:
            raise DataValidationError(
                f"Config key '{key}' asks for {folds} cross-validation folds, but "
                f"{where} of {source} hold only {len(rows)} rows; lower {key} "
                "(cv_folds: 0 switches cross-validation off) or add rows.",
            )
        if classification:
            _check_folds(y[rows], folds, key, profile, settings, where=where, source=source)
    for col in roles.features:
        if df[col].iloc[train].notna().any():
            continue
        raise DataValidationError(
            f"Feature column '{col}' in {source} has no value in {where} "
            f"({len(train):,} rows), so the model cannot learn from it; leave it out "
            "(config key 'exclude' or 'features') or fill it.",
            column=col,
        )


def _split(
    df: pd.DataFrame, y: np.ndarray, profile: TableProfile, settings: SplitSettings, source: str
) -> SplitResult:
    """The split :func:`split_data` will make, or a sentence saying why it cannot."""
    roles, target = profile.roles, profile.target
    classification = target.task == "classification"
    time_split = settings.split == "time"
    try:
        return split_data(
            df,
            method=settings.split,
            test_size=settings.test_size,
            time_column=roles.time_column,
            stratify=y if classification and not time_split else None,
            seed=settings.seed,
        )
    except ValueError as exc:  # too few rows of a class to stratify, or to split at all
        counts = np.bincount(y.astype(np.int64), minlength=2) if classification else None
        if counts is not None and counts.min() < 2:
            rare = int(np.argmin(counts))
            raise DataValidationError(
                f"Target column '{roles.target}' in {source} has {int(counts[rare])} row(s) "
                f"of class {_class_name(rare, target.positive_label)}; a split into training "
                "and test rows needs at least 2 of each class (far more for useful "
                "metrics). Add rows of that class.",
                column=roles.target,
            ) from None
        raise DataValidationError(
            f"The rows of {source} cannot be split with test_size {settings.test_size}: {exc}",
        ) from None


def _check_classes(
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    profile: TableProfile,
    *,
    time_split: bool,
    source: str,
) -> None:
    """The training rows and the held-out rows both hold both classes."""
    name, positive_label = profile.roles.target, profile.target.positive_label
    for part, rows in (("training rows", train), ("held-out test rows", test)):
        present = np.bincount(y[rows], minlength=2)
        if present.min() == 0:
            missing = int(np.argmin(present))
            fix = (
                "Use split: random or another test_size" if time_split else "Use a larger test_size"
            )
            raise DataValidationError(
                f"The {part} of {source} hold no row of class "
                f"{_class_name(missing, positive_label)} in target column "
                f"'{name}' ({len(rows):,} rows); both classes are needed to train and "
                f"to score. {fix}, or add rows of that class.",
                column=name,
            )


def _check_folds(
    y_rows: np.ndarray,
    folds: int,
    key: str,
    profile: TableProfile,
    settings: SplitSettings,
    *,
    where: str,
    source: str,
) -> None:
    """Every fold's training and validation rows hold both classes."""
    from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit

    name, positive_label = profile.roles.target, profile.target.positive_label
    time_split = settings.split == "time"
    if time_split:
        splitter: Any = TimeSeriesSplit(n_splits=folds)
    else:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=settings.seed)
    with warnings.catch_warnings():
        # StratifiedKFold warns when a class has fewer rows than folds; the check
        # below says so in a sentence instead.
        warnings.simplefilter("ignore", UserWarning)
        splits = list(splitter.split(np.zeros(len(y_rows)), y_rows))
    for number, (fit_rows, check_rows) in enumerate(splits, start=1):
        for part, idx in (("validation", check_rows), ("training", fit_rows)):
            present = np.bincount(y_rows[idx], minlength=2)
            if present.min() > 0:
                continue
            missing = int(np.argmin(present))
            counts = np.bincount(y_rows, minlength=2)
            off = "cv_folds: 0" if key == "cv_folds" else "tuning.n_trials: 0"
            what = "cross-validation" if key == "cv_folds" else "tuning"
            instead = ", use split: random" if time_split else ""
            raise DataValidationError(
                f"Target column '{name}' in {source} has too few rows of class "
                f"{_class_name(missing, positive_label)} for {folds}-fold "
                f"cross-validation ({key}): {where} hold {int(counts[missing])}, and "
                f"fold {number}'s {part} rows hold none. Lower {key} ({off} switches "
                f"{what} off){instead}, or add rows of that class.",
                column=name,
            )
