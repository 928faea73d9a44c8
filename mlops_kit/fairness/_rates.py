"""One table of every group's rates at a threshold, for choosing a metric without pandas.

A learner who is choosing between metrics should not have to write a ``groupby``
first: :func:`rates_by_group` gives each group's counts and rates side by side (the
flag rate and its complement, recall, precision, the base rate), so the question is
which column answers the question, and :func:`four_fifths_ratio` turns the chosen
column of rates into the four-fifths rule's ratio. The counts come from
:func:`group_confusion`, so every rate has fairlearn's definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._counts import _ratio, group_confusion

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RATE_COLUMNS", "four_fifths_ratio", "rates_by_group"]

#: The columns of :func:`rates_by_group`, each with what it means.
RATE_COLUMNS: dict[str, str] = {
    "rows": "how many rows (claims, cases) the group has",
    "actual_positives": "how many of them really were positive (y_true is 1)",
    "flagged": "how many the model flagged (score at or above the threshold)",
    "flag_rate": "the share of the group's rows that were flagged (the selection rate)",
    "not_flagged_rate": "the share of the group's rows that were not flagged",
    "recall": "the share of the group's real positives that were flagged",
    "precision": "the share of the group's flags that were right",
    "base_rate": "the share of the group's rows that really were positive",
}


def rates_by_group(
    frame: pd.DataFrame,
    group: str,
    *,
    threshold: float = 0.5,
    y_true: str = "y_true",
    y_score: str = "y_score",
) -> pd.DataFrame:
    """Each group's counts and rates at one threshold, side by side.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per case, with the true outcome (0/1), the model's score and the group.
    group : str
        The column that names each row's group, for example ``"ethnic_group"``.
    threshold : float, default 0.5
        A row is flagged when its score is at least this, in (0, 1).
    y_true, y_score : str
        The columns of the true outcome and of the score.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted, named as text), the columns of :data:`RATE_COLUMNS`.
        A rate whose denominator is empty (recall in a group with no real positives,
        precision with no flags) is 0, as in fairlearn.

    Raises
    ------
    DataValidationError
        A column that is missing, a missing group, or outcomes that are not 0/1.
    ConfigError
        A threshold outside (0, 1).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame(
    ...     {"y_true": [1, 0, 1, 0], "y_score": [0.9, 0.6, 0.2, 0.1], "g": ["a", "a", "b", "b"]}
    ... )
    >>> rates_by_group(frame, "g")[["flag_rate", "recall", "precision"]]
       flag_rate  recall  precision
    g
    a        1.0     1.0        0.5
    b        0.0     0.0        0.0
    """
    import pandas as pd

    _check_columns(frame, group=group, y_true=y_true, y_score=y_score)
    if isinstance(threshold, bool) or not 0 < float(threshold) < 1:
        raise ConfigError(
            f"The 'threshold' parameter of rates_by_group must be a float in (0, 1). "
            f"Got {threshold!r} instead."
        )
    flags = (frame[y_score].to_numpy(dtype=float) >= threshold).astype(np.int64)
    cells = group_confusion(frame[y_true], flags, frame[group].astype(str))
    tn, fp, fn, tp = (cells[c].to_numpy() for c in ("tn", "fp", "fn", "tp"))
    rows = tn + fp + fn + tp
    flag_rate = _ratio(tp + fp, rows)
    table = pd.DataFrame(
        {
            "rows": rows,
            "actual_positives": tp + fn,
            "flagged": tp + fp,
            "flag_rate": flag_rate,
            "not_flagged_rate": 1 - flag_rate,
            "recall": _ratio(tp, tp + fn, 0.0),
            "precision": _ratio(tp, tp + fp, 0.0),
            "base_rate": _ratio(tp + fn, rows),
        },
        index=pd.Index([str(g) for g in cells.index], name=group),
    )
    return table


def _check_columns(frame: Any, *, group: str, y_true: str, y_score: str) -> None:
    """Refuse anything but a DataFrame holding the three columns."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise DataValidationError(
            f"rates_by_group needs a DataFrame with one row per case. "
            f"Got {type(frame).__name__} instead."
        )
    for role, column in (("group", group), ("y_true", y_true), ("y_score", y_score)):
        if column not in frame.columns:
            raise DataValidationError(
                f"The {role!r} column of rates_by_group must be in the table. Got "
                f"{column!r}; the table has {', '.join(map(str, frame.columns))}.",
                column=str(column),
            )


def four_fifths_ratio(rates: Any) -> float:
    """The lowest group's rate divided by the highest group's: the four-fifths rule's ratio.

    Which rate to give is the judgement: when a flag harms the person (a fraud review),
    compare flag rates; the rates of *not* being flagged are all close to 1 and hide the
    disparity. A ratio below 0.8 is a warning sign that needs a person to look into it.

    Parameters
    ----------
    rates : pandas.Series, dict or sequence of float
        One rate per group, each in [0, 1], for example a column of
        :func:`rates_by_group`.

    Returns
    -------
    float
        In [0, 1]; NaN when every rate is 0 (nobody received the outcome).

    Raises
    ------
    DataValidationError
        Fewer than two rates, a missing rate, or a rate outside [0, 1].

    Examples
    --------
    >>> four_fifths_ratio({"a": 0.10, "b": 0.05})
    0.5
    """
    import pandas as pd

    if isinstance(rates, Mapping):
        rates = pd.Series(rates)
    if isinstance(rates, pd.DataFrame) or np.ndim(rates) != 1:
        raise DataValidationError(
            "four_fifths_ratio needs one column of rates, one per group, such as "
            f"rates_by_group(...)['flag_rate']. Got {type(rates).__name__} instead."
        )
    values = pd.to_numeric(pd.Series(rates), errors="coerce")
    if len(values) < 2 or values.isna().any() or not values.between(0, 1).all():
        raise DataValidationError(
            "four_fifths_ratio needs one rate in [0, 1] for each of at least two groups, "
            f"such as a column of rates_by_group. Got {list(values.round(4))} instead."
        )
    highest = float(values.max())
    return float(values.min()) / highest if highest > 0 else float("nan")
