"""Small helpers shared by the A/B testing modules."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, DataValidationError, did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: How each metric is named in plain words.
METRIC_WORDS = {
    "recall": "recall (share of actual positives the model flags)",
    "precision": "precision (share of flags that are right)",
    "accuracy": "accuracy",
    "flag_rate": "flag rate (share of cases flagged)",
    "false_positive_rate": "false positive rate (share of actual negatives flagged)",
    "roc_auc": "ROC AUC",
    "fairness_ratio": "fairness ratio (lowest group flag rate over highest)",
}


def check_probability(
    owner: str, name: str, value: Any, *, low: float = 0.0, high: float = 1.0
) -> float:
    """``value`` as a float strictly inside (low, high), or a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low < value < high:
        raise ConfigError(
            f"The '{name}' parameter of {owner} must be a number in ({low:g}, {high:g}). "
            f"Got {value!r} instead."
        )
    return float(value)


def check_count(owner: str, name: str, value: Any, *, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum``, or a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(
            f"The '{name}' parameter of {owner} must be a whole number of at least {minimum}. "
            f"Got {value!r} instead."
        )
    return int(value)


def pct(x: float | None, digits: int = 1) -> str:
    """A proportion as a percentage, or 'n/a'."""
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}%}"


def p_text(p: float | None) -> str:
    """A p-value as people write it."""
    if p is None or not math.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def html_block(title: str, summary: str, table_html: str = "") -> str:
    """A titled block with the summary in words and an optional table."""
    return (
        f'<div class="mlops-abtest"><h4>{html.escape(title)}</h4>'
        f"<p>{html.escape(summary)}</p>{table_html}</div>"
    )


def outcome_column(frame: pd.DataFrame, name: str, owner: str) -> np.ndarray:
    """The column ``name`` of the outcomes, or a DataValidationError naming it."""
    if name not in frame.columns:
        raise DataValidationError(
            f"The outcomes given to {owner} must have a column {name!r}. Got columns "
            f"{list(frame.columns)} instead.{did_you_mean(name, map(str, frame.columns))}",
            column=name,
        )
    return frame[name].to_numpy()
