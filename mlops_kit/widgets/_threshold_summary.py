"""The threshold explorer's model: the metrics at one decision threshold, in words.

:func:`threshold_summary` is a plain function over
:func:`mlops_kit.metrics.threshold_analysis` that returns a frozen
:class:`ThresholdSummary`: precision, recall, F1 and each group's flag (or selection)
rate at the threshold, with a reading in words and an accessible table. The view,
:class:`~mlops_kit.widgets.ThresholdExplorer` (``_threshold``), calls it as its slider
moves.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from numbers import Real
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import ConfigError, DataValidationError
from ..metrics import threshold_analysis

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Direction", "ThresholdSummary", "threshold_summary"]

Direction = Literal["favourable", "adverse"]


def _fmt_threshold(t: float) -> str:
    """0.3 -> '0.30'; 0.305 -> '0.305'."""
    return f"{t:.2f}" if abs(t * 100 - round(t * 100)) < 1e-9 else f"{t:g}"


@dataclass(frozen=True)
class ThresholdSummary:
    """Metrics at one threshold (a case is flagged when its score is at or above it).

    Attributes
    ----------
    threshold : float
    precision, recall, f1 : float
        As scikit-learn computes them with ``zero_division=0``.
    flag_rate : float
        Share of all cases flagged (predicted positive).
    tp, fp, fn, tn : int
        Confusion counts.
    group_flag_rates : dict of str to float
        Share of each group's cases flagged; empty without groups.
    positive_is : {"favourable", "adverse"}
        Whether a positive prediction helps or harms the person; sets the words
        ("selection rate" or "flag rate") used in tables and sentences.
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    flag_rate: float
    tp: int
    fp: int
    fn: int
    tn: int
    group_flag_rates: dict[str, float] = field(default_factory=dict)
    positive_is: Direction = "favourable"

    @property
    def n(self) -> int:
        """Number of cases."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def rate_name(self) -> str:
        """'flag rate' when a positive prediction is adverse, else 'selection rate'."""
        return "flag rate" if self.positive_is == "adverse" else "selection rate"

    @property
    def share_name(self) -> str:
        """'share flagged' when a positive prediction is adverse, else 'share selected'."""
        return "share flagged" if self.positive_is == "adverse" else "share selected"

    def reading(self) -> str:
        """The summary in one plain-words sentence.

        Examples
        --------
        >>> s = threshold_summary([0, 1, 1, 0], [0.2, 0.8, 0.4, 0.6], 0.5,
        ...                       positive_is="adverse")
        >>> print(s.reading())
        At 0.50 the model flags 50.0% of cases; it catches 50% of the truly positive
        cases and 50% of its flags are right.
        """
        adverse = self.positive_is == "adverse"
        verb, noun = ("flags", "flags") if adverse else ("selects", "selections")
        at = f"At {_fmt_threshold(self.threshold)} the model"
        if self.tp + self.fp == 0:
            return f"{at} {verb} no cases, so it catches none of the truly positive cases."
        start = f"{at} {verb} {self.flag_rate:.1%} of cases"
        right = f"{self.precision:.0%} of its {noun} are right"
        if self.tp + self.fn == 0:
            return (
                f"{start}; there are no truly positive cases to catch, "
                f"so none of its {noun} are right."
            )
        return f"{start}; it catches {self.recall:.0%} of the truly positive cases and {right}."

    def to_dict(self) -> dict[str, Any]:
        """Every field, with the group rates as a nested dict."""
        return {
            "threshold": self.threshold,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "flag_rate": self.flag_rate,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "group_flag_rates": dict(self.group_flag_rates),
            "positive_is": self.positive_is,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: precision, recall, F1, the share flagged and each group's rate.

        Examples
        --------
        >>> s = threshold_summary([0, 1, 1, 0], [0.2, 0.8, 0.4, 0.6], 0.5,
        ...                       groups=["a", "a", "b", "b"])
        >>> s.to_frame()
                           value
        metric
        precision            0.5
        recall               0.5
        F1                   0.5
        share selected       0.5
        selection rate: a    0.5
        selection rate: b    0.5
        """
        import pandas as pd

        rows = self._rows()
        return pd.DataFrame(
            {"value": [v for _, v, _ in rows]},
            index=pd.Index([k for k, _, _ in rows], name="metric"),
        )

    def _rows(self) -> list[tuple[str, float, str]]:
        """(label, value, formatted value) for each row of the table."""
        rows = [
            ("precision", self.precision, f"{self.precision:.3f}"),
            ("recall", self.recall, f"{self.recall:.3f}"),
            ("F1", self.f1, f"{self.f1:.3f}"),
            (self.share_name, self.flag_rate, f"{self.flag_rate:.1%}"),
        ]
        rows += [
            (f"{self.rate_name}: {group}", rate, f"{rate:.1%}")
            for group, rate in self.group_flag_rates.items()
        ]
        return rows

    def to_html(self) -> str:
        """An accessible HTML table (with a caption and header cells) and the reading."""
        body = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:right'>{shown}</td></tr>"
            for label, _, shown in self._rows()
        )
        counts = (
            f"Of {self.n:,} cases: {self.tp:,} true positives, {self.fp:,} false positives, "
            f"{self.fn:,} false negatives (missed) and {self.tn:,} true negatives."
        )
        return (
            f"<table class='mlops-threshold-summary'>"
            f"<caption style='text-align:left'>Metrics at threshold "
            f"{_fmt_threshold(self.threshold)}</caption>"
            f"<thead><tr><th scope='col' style='text-align:left'>metric</th>"
            f"<th scope='col' style='text-align:right'>value</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
            f"<p>{html.escape(self.reading())}</p><p>{html.escape(counts)}</p>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _check_direction(positive_is: str, where: str) -> None:
    if positive_is not in ("favourable", "adverse"):
        raise ConfigError(
            f"The 'positive_is' parameter of {where} must be 'favourable' or 'adverse'. "
            f"Got {positive_is!r} instead."
        )


def _validated_inputs(
    y_true: Any, y_score: Any, groups: Any | None, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Arrays of equal, non-zero length; finite scores; groups without gaps."""
    yt = np.asarray(y_true).ravel()
    try:
        ys = np.asarray(y_score, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise DataValidationError(
            f"The 'y_score' parameter of {where} must hold numbers (scores or probabilities). "
            f"Got values that are not numbers instead ({exc})."
        ) from exc
    if len(yt) == 0:
        raise DataValidationError(
            f"The 'y_true' parameter of {where} must hold at least one case. Got none instead."
        )
    if len(ys) != len(yt):
        raise DataValidationError(
            f"The 'y_score' parameter of {where} must have one score per case of y_true "
            f"({len(yt):,}). Got {len(ys):,} instead."
        )
    if not np.isfinite(ys).all():
        raise DataValidationError(
            f"The 'y_score' parameter of {where} must hold finite numbers. "
            f"Got {int((~np.isfinite(ys)).sum()):,} missing or infinite value(s) instead."
        )
    if groups is None:
        return yt, ys, None
    import pandas as pd

    g = np.asarray(groups, dtype=object).ravel()
    if len(g) != len(yt):
        raise DataValidationError(
            f"The 'groups' parameter of {where} must have one group per case of y_true "
            f"({len(yt):,}). Got {len(g):,} instead."
        )
    missing = int(pd.isna(g).sum())
    if missing:
        raise DataValidationError(
            f"The 'groups' parameter of {where} must give every case a group (for example "
            f"'not recorded'). Got {missing:,} missing value(s) instead."
        )
    return yt, ys, g


def _check_threshold(value: Any, name: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise ConfigError(
            f"The '{name}' parameter of {where} must be a float in (0, 1). Got {value!r} instead."
        )
    return float(value)


def _summarise(
    yt: np.ndarray,
    ys: np.ndarray,
    threshold: float,
    groups: np.ndarray | None,
    positive_is: Direction,
) -> ThresholdSummary:
    """The summary from already validated arrays (the widget calls this on every move)."""
    row = threshold_analysis(yt, ys, thresholds=[threshold], groups=groups).iloc[0]
    rates = {
        str(col)[len("flag_rate[") : -1]: float(row[col])
        for col in row.index
        if str(col).startswith("flag_rate[")
    }
    return ThresholdSummary(
        threshold=threshold,
        precision=float(row["precision"]),
        recall=float(row["recall"]),
        f1=float(row["f1"]),
        flag_rate=float(row["flag_rate"]),
        tp=int(row["tp"]),
        fp=int(row["fp"]),
        fn=int(row["fn"]),
        tn=int(row["tn"]),
        group_flag_rates=rates,
        positive_is=positive_is,
    )


def threshold_summary(
    y_true: Any,
    y_score: Any,
    threshold: float,
    *,
    groups: Any | None = None,
    positive_is: Direction = "favourable",
) -> ThresholdSummary:
    """Precision, recall, F1 and flag rates when scores at or above ``threshold`` are flagged.

    Parameters
    ----------
    y_true : array-like of 0/1
        What really happened (1 = the positive class).
    y_score : array-like of float
        The model's scores or probabilities of the positive class.
    threshold : float
        Flag a case when its score is at or above this value; in (0, 1).
    groups : array-like, optional
        A protected attribute (one label per case): adds each group's flag rate.
    positive_is : {"favourable", "adverse"}, default "favourable"
        Whether a positive prediction helps (a grant) or harms (a fraud flag) the person.

    Returns
    -------
    ThresholdSummary

    Raises
    ------
    ConfigError
        When ``threshold`` is not in (0, 1) or ``positive_is`` is unknown.
    DataValidationError
        When the arrays differ in length, are empty, or hold values that are not allowed.

    Examples
    --------
    >>> s = threshold_summary([0, 1, 1, 0], [0.2, 0.8, 0.4, 0.6], 0.5,
    ...                       groups=["a", "a", "b", "b"])
    >>> s.precision, s.recall, s.tp, s.fp
    (0.5, 0.5, 1, 1)
    >>> s.group_flag_rates
    {'a': 0.5, 'b': 0.5}
    """
    where = "threshold_summary"
    t = _check_threshold(threshold, "threshold", where)
    _check_direction(positive_is, where)
    yt, ys, g = _validated_inputs(y_true, y_score, groups, where)
    return _summarise(yt, ys, t, g, positive_is)
