"""The fairness report of a classifier: per-group rates, the four-fifths rule, disparities.

:func:`fairness_report` computes, for each protected attribute, every group's
confusion-matrix rates from one pass of counts, the four-fifths rule on the compared
rate (which way depends on whether a positive prediction is adverse), fairlearn's
disparity measures over the groups with enough data, and bootstrap intervals for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError
from ._counts import (
    DISPARITY_NAMES,
    _counts,
    _disparities,
    _metrics_from_counts,
    _ratio,
    sensitive_frame,
)
from ._intervals import _bootstrap_intervals, _pair_stats, _Pairs
from ._result import FOUR_FIFTHS, Direction, FairnessResult, GroupVerdict

if TYPE_CHECKING:
    import pandas as pd


def _attribute_result(
    attribute: str,
    y_true: Any,
    y_pred: Any,
    groups: Any,
    *,
    positive_is: Direction,
    min_group_size: int,
    min_group_positives: int,
    n_bootstrap: int,
    confidence_level: float,
    seed: int,
    words: tuple[str, str] = ("", ""),
) -> FairnessResult:
    import pandas as pd

    cells, labels, _ = _counts(y_true, y_pred, groups)
    names = [str(g) for g in labels]
    columns = (
        "count",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "precision",
        "accuracy",
    )
    table = pd.DataFrame(_metrics_from_counts(cells, columns), index=pd.Index(names, name="group"))
    table.insert(1, "positives", cells[:, 3] + cells[:, 2])
    table.insert(2, "predicted_positive", cells[:, 3] + cells[:, 1])
    enough = (table["count"] >= min_group_size).to_numpy() & (
        table["positives"] >= min_group_positives
    ).to_numpy()
    judged = np.flatnonzero(enough)
    reference, passed, impact, verdicts = _four_fifths(
        table["selection_rate"].to_numpy(), enough, judged, positive_is
    )
    table["impact_ratio"] = impact
    table["verdict"] = verdicts
    headline = _disparities(cells[judged]) if len(judged) >= 2 else dict.fromkeys(DISPARITY_NAMES)
    intervals: dict[str, tuple[float | None, float | None]] = {}
    pairs: dict[str, tuple[str, str]] = {}
    table["impact_ratio_low"] = np.nan
    table["impact_ratio_high"] = np.nan
    if len(judged) >= 2 and reference is not None:
        intervals, pairs = _pairs_and_intervals(
            table,
            cells,
            judged,
            names,
            reference,
            adverse=positive_is == "adverse",
            n_bootstrap=n_bootstrap,
            confidence_level=confidence_level,
            seed=seed,
        )
    return FairnessResult(
        attribute=attribute,
        positive_is=positive_is,
        table=table,
        four_fifths_passed=passed,
        reference_group=None if reference is None else names[reference],
        failing_groups=tuple(table.index[table["verdict"] == GroupVerdict.FAIL.value]),
        insufficient_groups=tuple(table.index[~enough]),
        all_groups=_disparities(cells),
        intervals=intervals,
        pairs=pairs,
        confidence_level=confidence_level,
        n_bootstrap=n_bootstrap,
        words=words,
        min_group_size=min_group_size,
        min_group_positives=min_group_positives,
        **headline,
    )


def _four_fifths(
    sel: np.ndarray, enough: np.ndarray, judged: np.ndarray, positive_is: Direction
) -> tuple[int | None, bool | None, np.ndarray, np.ndarray]:
    """The reference group, whether the four-fifths rule passed, each impact ratio and verdict."""
    reference: int | None = None
    passed: bool | None = None
    impact = np.full(len(sel), np.nan)
    verdicts = np.where(enough, GroupVerdict.NOT_JUDGED.value, GroupVerdict.INSUFFICIENT.value)
    if len(judged) >= 2 and sel[judged].max() > 0:
        adverse = positive_is == "adverse"
        # Adverse: each group's flag rate against the least-flagged group's (min / rate).
        # Favourable: each group's selection rate against the most-selected group's.
        reference = int(
            judged[np.argmin(sel[judged])] if adverse else judged[np.argmax(sel[judged])]
        )
        ref_rate = np.full(len(sel), sel[reference])
        impact = _ratio(ref_rate, sel, 1.0) if adverse else _ratio(sel, ref_rate)
        impact[~enough] = np.nan
        # Rounded so that a ratio of exactly 0.8 (0.08 / 0.10 = 0.7999...) passes.
        fails = enough & (np.round(impact, 12) < FOUR_FIFTHS)
        verdicts = np.where(fails, GroupVerdict.FAIL.value, GroupVerdict.PASS.value)
        verdicts = np.where(enough, verdicts, GroupVerdict.INSUFFICIENT.value)
        verdicts[reference] = GroupVerdict.REFERENCE.value
        passed = not bool(fails.any())
    return reference, passed, impact, verdicts


def _pairs_and_intervals(
    table: pd.DataFrame,
    cells: np.ndarray,
    judged: np.ndarray,
    names: list[str],
    reference: int,
    *,
    adverse: bool,
    n_bootstrap: int,
    confidence_level: float,
    seed: int,
) -> tuple[dict[str, tuple[float | None, float | None]], dict[str, tuple[str, str]]]:
    """The pair of groups behind each disparity measure, and bootstrap intervals for them;
    the impact ratios' intervals are filled into ``table`` in place."""
    intervals: dict[str, tuple[float | None, float | None]] = {}
    fixed = _Pairs.of(
        cells[judged],
        reference=int(np.flatnonzero(judged == reference)[0]),
        adverse=adverse,
    )
    judged_names = [names[i] for i in judged]
    pairs = {
        "demographic_parity": (
            judged_names[fixed.selection[0]],
            judged_names[fixed.selection[1]],
        ),
        "equalized_odds_difference": (
            judged_names[fixed.odds_difference[1]],
            judged_names[fixed.odds_difference[2]],
        ),
        "equalized_odds_ratio": (
            judged_names[fixed.odds_ratio[1]],
            judged_names[fixed.odds_ratio[2]],
        ),
    }
    if n_bootstrap:
        bounds = _bootstrap_intervals(
            cells[judged],
            lambda c: _pair_stats(c, fixed),
            n_resamples=n_bootstrap,
            confidence_level=confidence_level,
            seed=seed,
        )
        intervals = dict(zip(DISPARITY_NAMES, bounds[:4], strict=True))
        for k, column in enumerate(("impact_ratio_low", "impact_ratio_high")):
            values = np.full(len(table), np.nan)
            values[judged] = [np.nan if b[k] is None else b[k] for b in bounds[4:]]
            table[column] = values
    return intervals, pairs


def fairness_report(
    y_true: Any,
    y_pred: Any,
    sensitive_features: pd.DataFrame | pd.Series | Mapping[str, Any],
    *,
    positive_is: Direction = "favourable",
    min_group_size: int = 30,
    min_group_positives: int = 5,
    n_bootstrap: int = 200,
    confidence_level: float = 0.95,
    seed: int = 0,
    rate_name: str | None = None,
    positive_words: str | None = None,
) -> dict[str, FairnessResult]:
    """Fairness of binary predictions across each protected attribute.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        Truth and predictions; 1 is the positive class.
    sensitive_features : DataFrame, Series or mapping of name to array
        One column per protected attribute.
    positive_is : {"favourable", "adverse"}, default "favourable"
        Whether a positive prediction helps the person (a grant) or harms them (a
        fraud flag). Decides which group is the reference for the four-fifths rule.
    min_group_size, min_group_positives : int, default 30 and 5
        Smaller groups are "insufficient data", not pass or fail.
    n_bootstrap : int, default 200
        Bootstrap resamples for confidence intervals (0: none).
    confidence_level : float, default 0.95
    seed : int, default 0
        Seed of the bootstrap.
    rate_name, positive_words : str, optional
        The service's words for the compared rate ("flag rate") and for what a positive
        prediction does to a case, read after "is" ("flagged for review"). Default
        "selection rate" (favourable) or "positive rate" (adverse), and "predicted
        positive".

    Returns
    -------
    dict of str to FairnessResult
        One result per attribute, in the order given.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1, 0] * 60)
    >>> flags = np.array([1] * 40 + [0] * 20 + [1] * 10 + [0] * 50)
    >>> g = np.array(["a"] * 60 + ["b"] * 60)
    >>> r = fairness_report(y, flags, {"group": g}, positive_is="adverse", n_bootstrap=0)
    >>> round(r["group"].four_fifths_ratio, 2), r["group"].failing_groups
    (0.25, ('a',))
    """

    if positive_is not in ("favourable", "adverse"):
        raise ConfigError(
            "The 'positive_is' parameter of fairness_report must be 'favourable' or "
            f"'adverse'. Got {positive_is!r} instead."
        )
    yt = np.asarray(y_true).astype(np.int64)
    yp = np.asarray(y_pred).astype(np.int64)
    frame = sensitive_frame(sensitive_features)
    return {
        str(col): _attribute_result(
            str(col),
            yt,
            yp,
            frame[col].to_numpy(),
            positive_is=positive_is,
            min_group_size=min_group_size,
            min_group_positives=min_group_positives,
            n_bootstrap=n_bootstrap,
            confidence_level=confidence_level,
            seed=seed,
            words=(rate_name or "", positive_words or ""),
        )
        for col in frame.columns
    }
