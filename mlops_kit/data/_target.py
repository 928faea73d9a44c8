"""The target column checked for training, and coded 0/1 for a classifier.

:func:`binary_target` codes the positive class as 1 and every other class as 0; the
target check refuses missing or infinite values, a single class or value, a
non-numeric regression target and a positive class that never (or always) occurs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..errors import DataValidationError
from ._profile import TargetInfo, Task

if TYPE_CHECKING:
    import pandas as pd


def first_row(mask: np.ndarray, index: pd.Index) -> str:
    pos = int(np.flatnonzero(mask)[0])
    return f"row {index[pos]!r}"


def binary_target(y: pd.Series, positive_label: Any) -> np.ndarray:
    """Code a target as 1 for ``positive_label`` and 0 for every other class.

    The label is compared as given and, when nothing matches, as text, so ``1``
    matches ``"1"``.

    Examples
    --------
    >>> import pandas as pd
    >>> binary_target(pd.Series([">50K", "<=50K", ">50K"]), ">50K").tolist()
    [1, 0, 1]
    """
    hit = (y == positive_label).to_numpy()
    if not hit.any():
        hit = (y.astype(str) == str(positive_label)).to_numpy()
    return hit.astype(np.int64)


def check_target(
    df: pd.DataFrame, target: str, task: Task, positive_label: Any, source: str
) -> TargetInfo:
    import pandas as pd

    y = df[target]
    missing = y.isna().to_numpy()
    if missing.any():
        raise DataValidationError(
            f"Target column '{target}' in {source} has {int(missing.sum())} missing "
            f"value(s), first at {first_row(missing, df.index)}; every row needs a "
            "target value. Remove or fill those rows, or set the config key "
            "'missing_target: drop' to leave them out (the count is recorded).",
            column=target,
        )
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        values = y.to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataValidationError(
                f"Target column '{target}' in {source} has {int(bad.sum())} infinite "
                f"value(s), first at {first_row(bad, df.index)}; the target must be finite.",
                column=target,
            )
    if task == "regression":
        return _regression_target(y, target, task, source)
    return _classification_target(y, target, task, positive_label, source)


def _regression_target(y: pd.Series, target: str, task: Task, source: str) -> TargetInfo:
    """A regression target: numeric, with more than one value."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        not_numbers = y[pd.to_numeric(y, errors="coerce").isna()]
        sample = (not_numbers if len(not_numbers) else y).iloc[0]
        raise DataValidationError(
            f"Target column '{target}' in {source} must be numeric for regression; "
            f"found {y.dtype!s} values such as {json_ready(sample)!r}. Use task: "
            "classification for a class label.",
            column=target,
        )
    if y.nunique() < 2:
        raise DataValidationError(
            f"Target column '{target}' in {source} has a single value "
            f"({json_ready(y.iloc[0])!r}) in all {len(y)} rows; there is nothing to learn.",
            column=target,
        )
    return TargetInfo(
        name=target,
        task=task,
        summary={str(k): float(v) for k, v in y.describe().items() if k != "count"},
    )


def _classification_target(
    y: pd.Series, target: str, task: Task, positive_label: Any, source: str
) -> TargetInfo:
    """A classification target: two classes or more, and a positive class in some rows only."""
    counts = y.value_counts(sort=True)
    classes = [json_ready(c) for c in counts.index]
    shown = ", ".join(repr(c) for c in classes[:10])
    if len(classes) < 2:
        raise DataValidationError(
            f"Target column '{target}' in {source} has one class ({shown}) in all "
            f"{len(y)} rows; classification needs at least two classes.",
            column=target,
        )
    if positive_label is None:
        defaults = [c for c in classes if c is True or (isinstance(c, int | float) and c == 1)]
        if len(classes) == 2 and defaults:
            positive_label = defaults[0]
        else:
            raise DataValidationError(
                f"Target column '{target}' in {source} has classes {shown}, and none is "
                "1 or True; set positive_label to the class that counts as positive.",
                column=target,
            )
    coded = binary_target(y, positive_label)
    if not coded.any():
        raise DataValidationError(
            f"positive_label {positive_label!r} does not occur in target column "
            f"'{target}' of {source}; its classes are {shown}.",
            column=target,
        )
    if coded.all():
        raise DataValidationError(
            f"Every row of target column '{target}' in {source} is the positive class "
            f"{positive_label!r}; classification needs rows of another class too.",
            column=target,
        )
    # Report the label as it appears in the data (so "1" given for 1 becomes 1).
    positive_label = json_ready(y[coded.astype(bool)].iloc[0])
    return TargetInfo(
        name=target,
        task=task,
        positive_label=positive_label,
        counts={str(k): int(v) for k, v in counts.items()},
        positive_rate=float(coded.mean()),
    )
