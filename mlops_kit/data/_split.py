"""The train/test split every stage makes: random (stratified) or by time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import ConfigError, DataValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SplitResult", "split_data"]


@dataclass(frozen=True)
class SplitResult:
    """Which rows train and which test the model, and how they were chosen."""

    method: Literal["random", "time"]
    train_index: np.ndarray = field(repr=False)
    test_index: np.ndarray = field(repr=False)
    train_periods: tuple[str, str] | None = None
    test_periods: tuple[str, str] | None = None

    @property
    def description(self) -> str:
        """The split in one sentence."""
        n_train, n_test = len(self.train_index), len(self.test_index)
        if self.method == "time" and self.train_periods and self.test_periods:
            return (
                f"Time-aware split: trained on {self.train_periods[0]} to "
                f"{self.train_periods[1]} ({n_train:,} rows), tested on the later "
                f"{self.test_periods[0]} to {self.test_periods[1]} ({n_test:,} rows)."
            )
        return f"Random split: {n_train:,} training rows, {n_test:,} test rows."

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the row indices)."""
        return {
            "method": self.method,
            "n_train": len(self.train_index),
            "n_test": len(self.test_index),
            "train_periods": list(self.train_periods) if self.train_periods else None,
            "test_periods": list(self.test_periods) if self.test_periods else None,
            "description": self.description,
        }


def split_data(
    df: pd.DataFrame,
    *,
    method: Literal["random", "time"] = "random",
    test_size: float = 0.25,
    time_column: str | None = None,
    stratify: np.ndarray | None = None,
    seed: int = 0,
) -> SplitResult:
    """Split rows into training and test sets.

    Parameters
    ----------
    df : pandas.DataFrame
    method : {"random", "time"}, default "random"
        ``"time"`` trains on earlier periods and tests on the latest ones, never
        splitting a period, so the test set is the future the model has not seen.
    test_size : float, default 0.25
        Share of rows to test on (for ``"time"``, the nearest whole-period share).
    time_column : str, optional
        Required for ``"time"``: values that sort in time order (ISO dates or numbers).
    stratify : array, optional
        Class labels to keep in proportion in a random split.
    seed : int, default 0

    Returns
    -------
    SplitResult

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"month": ["2024-01"] * 3 + ["2024-02"] * 3 + ["2024-03"] * 2})
    >>> split_data(df, method="time", time_column="month", test_size=0.25).test_periods
    ('2024-03', '2024-03')
    """
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(df))
    if method == "random":
        train, test = train_test_split(
            positions, test_size=test_size, random_state=seed, stratify=stratify
        )
        return SplitResult("random", np.sort(train), np.sort(test))
    if time_column is None:
        raise ConfigError("split 'time' needs time_column, the column that orders rows.")
    times = df[time_column].to_numpy()
    periods, counts = np.unique(times, return_counts=True)
    if len(periods) < 2:
        raise DataValidationError(
            f"A time-aware split needs at least two periods in '{time_column}'; "
            f"found only {periods[0]!r}.",
            column=time_column,
        )
    # Share of rows in the last k periods, for k = 1 .. len-1; take the closest to test_size.
    tail_share = np.cumsum(counts[::-1])[:-1] / counts.sum()
    k = int(np.argmin(np.abs(tail_share - test_size))) + 1
    cutoff = periods[len(periods) - k]
    is_test = times >= cutoff
    return SplitResult(
        "time",
        positions[~is_test],
        positions[is_test],
        train_periods=(str(periods[0]), str(periods[len(periods) - k - 1])),
        test_periods=(str(cutoff), str(periods[-1])),
    )
