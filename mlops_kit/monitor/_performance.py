"""Performance, prediction drift and fairness over time, when labels arrive late."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..config import PerformanceSettings
from ..config import as_settings as _settings
from ..errors import DataValidationError, did_you_mean
from ..metrics import as_binary, classification_metrics
from . import _stats
from ._alerts import Alert, AlertKind, Severity
from ._figures import performance_figure
from ._values import LABELLED, METRIC_NAMES, PARTLY, PENDING

if TYPE_CHECKING:
    import pandas as pd

    from ..figures import DescribedFigure


@dataclass(frozen=True)
class PerformanceReport:
    """Per-batch metrics, prediction drift and fairness, with the alerts they raise.

    ``table`` has one row per batch; metrics are NaN where labels are pending.
    ``fairness`` has one row per batch, attribute and group.
    """

    table: pd.DataFrame = field(repr=False)
    fairness: pd.DataFrame = field(repr=False)
    alerts: tuple[Alert, ...]
    settings: PerformanceSettings = field(repr=False)

    @property
    def pending(self) -> tuple[str, ...]:
        """Batches whose labels have not arrived (too few labelled rows to judge)."""
        return tuple(str(p) for p in self.table.index[self.table["status"] == PENDING])

    def to_frame(self) -> pd.DataFrame:
        """The per-batch table."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""

        batches = [
            {"batch": str(i), **{k: json_ready(v) for k, v in row.items()}}
            for i, row in self.table.iterrows()
        ]
        fairness = [
            {k: json_ready(v) for k, v in r.items()} for r in self.fairness.to_dict("records")
        ]
        return {
            "settings": self.settings.model_dump(),
            "batches": batches,
            "fairness": fairness,
            "alerts": [a.to_dict() for a in self.alerts],
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """The report in plain words."""
        t = self.table
        parts = [f"{len(t)} batch(es) from {t.index[0]} to {t.index[-1]}."]
        if self.pending:
            parts.append(
                f"Labels pending for {', '.join(self.pending)}: only prediction drift and "
                "fairness of the predictions are checked there."
            )
        for metric, floor in self.settings.min_metrics.items():
            v = t[metric].dropna()
            if len(v):
                parts.append(
                    f"{METRIC_NAMES[metric]} ranges from {v.min():.3f} ({v.idxmin()}) to "
                    f"{v.max():.3f} ({v.idxmax()}); floor {floor:g}."
                )
        if self.alerts:
            parts.append(f"{len(self.alerts)} alert(s): " + " ".join(str(a) for a in self.alerts))
        else:
            parts.append("No alerts.")
        return " ".join(parts)

    def plot(self, metric: str = "roc_auc", ax: Any = None) -> DescribedFigure:
        """A metric over time with its alert threshold."""
        return performance_figure(self, metric, ax=ax)

    def _repr_html_(self) -> str:
        alerts = "".join(f"<li>{html.escape(str(a))}</li>" for a in self.alerts)
        return (
            "<div class='mlops-performance-report'><h4>Performance over time</h4>"
            f"<p>{html.escape(self.summary())}</p>"
            + (f"<ul class='mlops-alerts'>{alerts}</ul>" if alerts else "")
            + self.table.to_html(float_format=lambda v: f"{v:.3f}", na_rep="pending")
            + "</div>"
        )


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise DataValidationError(
            f"The scored batches need a '{name}' column ({role}); it is missing."
            f"{did_you_mean(name, map(str, frame.columns))}",
            column=name,
        )
    return frame[name]


def _flag_rates(
    flags: np.ndarray, groups: np.ndarray, s: PerformanceSettings
) -> tuple[pd.DataFrame, float | None]:
    """Flag (or selection) rate per group, each group's ratio and the headline ratio."""
    import pandas as pd

    codes, labels = pd.factorize(pd.Series(groups).astype(str), sort=True)
    n = np.bincount(codes, minlength=len(labels))
    pos = np.bincount(codes, weights=flags, minlength=len(labels))
    rate = pos / np.maximum(n, 1)
    judged = n >= s.min_group_size
    ratio = np.full(len(labels), np.nan)
    headline: float | None = None
    if judged.sum() >= 2 and rate[judged].max() > 0:
        lo, hi = rate[judged].min(), rate[judged].max()
        headline = float(lo / hi)
        adverse = s.positive_is == "adverse"
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(rate > 0, lo / rate, 1.0) if adverse else rate / hi
        ratio[~judged] = np.nan
    table = pd.DataFrame(
        {"group": np.asarray(labels, dtype=str), "n": n, "flag_rate": rate, "ratio": ratio}
    )
    table["verdict"] = np.where(
        ~judged,
        "insufficient data",
        np.where(np.round(ratio, 12) < s.four_fifths_limit, "fail", "pass"),
    )
    return table, headline


def _rates_differ_p(judged: pd.DataFrame) -> float:
    """Chi-square p-value that the judged groups' flag rates are equal (groups x flagged)."""
    from scipy.stats import chi2_contingency

    flagged = np.rint(judged["flag_rate"].to_numpy() * judged["n"].to_numpy())
    counts = np.column_stack([flagged, judged["n"].to_numpy() - flagged])
    counts = counts[:, counts.sum(axis=0) > 0]
    if counts.shape[1] < 2:
        return 1.0
    return float(chi2_contingency(counts, correction=False).pvalue)


def performance_over_time(
    scored: pd.DataFrame,
    *,
    period: str = "month",
    y_true: str = "y_true",
    y_score: str = "y_score",
    y_pred: str | None = None,
    groups: Sequence[str] = (),
    reference_scores: Any | None = None,
    settings: PerformanceSettings | Mapping[str, Any] | None = None,
) -> PerformanceReport:
    """Metrics, prediction drift and fairness of each batch of scored cases.

    Labels may arrive late: rows whose ``y_true`` is missing are left out of the metrics,
    and a batch with fewer than ``min_labelled`` labelled rows reports "labels pending".
    Prediction drift (PSI of the scores against ``reference_scores``) and the fairness of
    the flags (the four-fifths rule on flag rates, or selection rates when a positive
    prediction is favourable) need no labels and are checked for every batch.

    Parameters
    ----------
    scored : pandas.DataFrame
        One row per scored case with the columns named below.
    period : str, default "month"
        Column naming each row's batch; batches are reported in sorted order.
    y_true, y_score : str
        Columns of the outcome (0/1, missing while pending) and the score.
    y_pred : str, optional
        Column of the 0/1 decision; default ``score >= settings.threshold``.
    groups : sequence of str
        Protected attributes for the fairness ratio over time.
    reference_scores : array-like, optional
        Scores of the reference period; default the first batch's scores.
    settings : PerformanceSettings or mapping, optional

    Returns
    -------
    PerformanceReport
    """
    import pandas as pd

    s: PerformanceSettings = _settings(settings, PerformanceSettings, "performance_over_time")
    batch, truth_arr, score, flags = _columns(scored, period, y_true, y_score, y_pred, s)
    labelled = ~np.isnan(truth_arr)
    if labelled.any():
        as_binary(truth_arr[labelled], y_true)
    attrs = {g: _column(scored, g, "a protected attribute").to_numpy() for g in groups}
    periods = np.unique(batch)
    ref = np.sort(
        np.asarray(reference_scores, dtype=float)
        if reference_scores is not None
        else score[batch == periods[0]]
    )
    edges = _stats.quantile_edges(ref, s.n_bins)
    ref_counts = _stats.bin_counts(ref, edges, 0)
    rows, fair_rows, alerts = [], [], []
    for p in periods:  # a loop over batches; each batch is vectorised
        row, found, tables = _batch(
            p,
            batch == p,
            labelled=labelled,
            truth=truth_arr,
            flags=flags,
            score=score,
            attrs=attrs,
            reference=(ref_counts, edges),
            s=s,
        )
        rows.append(row)
        alerts += found
        fair_rows += tables
    fairness = (
        pd.concat(fair_rows, ignore_index=True)[
            ["period", "attribute", "group", "n", "flag_rate", "ratio", "verdict"]
        ]
        if fair_rows
        else pd.DataFrame(columns=["period", "attribute", "group", "n", "flag_rate", "ratio"])
    )
    return PerformanceReport(pd.DataFrame(rows).set_index("period"), fairness, tuple(alerts), s)


def _columns(
    scored: pd.DataFrame,
    period: str,
    y_true: str,
    y_score: str,
    y_pred: str | None,
    s: PerformanceSettings,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each row's batch, outcome (NaN while pending), score and 0/1 decision, checked."""
    import pandas as pd

    if not isinstance(scored, pd.DataFrame):
        raise DataValidationError(
            "The 'scored' parameter of performance_over_time must be a pandas DataFrame. "
            f"Got {type(scored).__name__} instead."
        )
    if len(scored) == 0:
        raise DataValidationError("The scored batches are empty (0 rows).")
    batch = _column(scored, period, "the batch of each row").astype(str).to_numpy()
    truth = pd.to_numeric(_column(scored, y_true, "the outcome, missing while pending"))
    truth_arr = truth.to_numpy(dtype=float, na_value=np.nan)
    score = _column(scored, y_score, "the model's score").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(score).any():
        raise DataValidationError(
            f"Column '{y_score}' has {int(np.isnan(score).sum())} missing score(s); every "
            "scored case needs a score.",
            column=y_score,
        )
    flags = (
        as_binary(_column(scored, y_pred, "the decision"), y_pred)
        if y_pred is not None
        else (score >= s.threshold).astype(np.int64)
    )
    return batch, truth_arr, score, flags


def _batch(
    p: Any,
    m: np.ndarray,
    *,
    labelled: np.ndarray,
    truth: np.ndarray,
    flags: np.ndarray,
    score: np.ndarray,
    attrs: Mapping[str, np.ndarray],
    reference: tuple[np.ndarray, np.ndarray],
    s: PerformanceSettings,
) -> tuple[dict[str, Any], list[Alert], list[pd.DataFrame]]:
    """One batch's row of the report, its alerts and its flag rates by group."""
    ref_counts, edges = reference
    lab = m & labelled
    n_lab = int(lab.sum())
    status = PENDING if n_lab < s.min_labelled else LABELLED if n_lab == m.sum() else PARTLY
    row: dict[str, Any] = {"period": p, "n": int(m.sum()), "n_labelled": n_lab}
    row["status"] = status
    row["flag_rate"] = float(flags[m].mean())
    row["score_psi"] = _stats.psi(ref_counts, _stats.bin_counts(np.sort(score[m]), edges, 0))
    values = (
        classification_metrics(truth[lab].astype(np.int64), flags[lab], score[lab])
        if status != PENDING
        else {}
    )
    for metric in METRIC_NAMES:
        v = values.get(metric)
        row[metric] = np.nan if v is None else float(v)
    alerts = []
    if row["score_psi"] >= s.score_psi_threshold:
        alerts.append(
            Alert(
                AlertKind.PREDICTION_DRIFT,
                Severity.WARNING,
                "score",
                "PSI",
                row["score_psi"],
                s.score_psi_threshold,
                f"The score distribution in {p} moved: PSI {row['score_psi']:.3f} against "
                f"the reference scores, at or above {s.score_psi_threshold:g}.",
                str(p),
            )
        )
    for metric, floor in s.min_metrics.items():
        v = row[metric]
        if status != PENDING and math.isfinite(v) and v < floor:
            alerts.append(
                Alert(
                    AlertKind.PERFORMANCE,
                    Severity.ALERT,
                    metric,
                    METRIC_NAMES[metric],
                    v,
                    floor,
                    f"{METRIC_NAMES[metric]} in {p} is {v:.3f}, below the floor {floor:g} "
                    f"(on {n_lab:,} labelled cases).",
                    str(p),
                )
            )
    tables = []
    for attr, values_g in attrs.items():
        table, ratio = _flag_rates(flags[m].astype(float), values_g[m], s)
        row[f"fairness_ratio[{attr}]"] = np.nan if ratio is None else ratio
        tables.append(table.assign(period=p, attribute=attr))
        if ratio is not None and round(ratio, 12) < s.four_fifths_limit:
            alerts.append(_fairness_alert(p, attr, table, ratio, s))
    return row, alerts, tables


def _fairness_alert(
    p: Any, attr: str, table: pd.DataFrame, ratio: float, s: PerformanceSettings
) -> Alert:
    """The alert for a batch whose groups' rates break the four-fifths limit."""
    judged = table[table["verdict"] != "insufficient data"]
    by_rate = judged.sort_values("flag_rate")
    lo, hi = by_rate.iloc[0], by_rate.iloc[-1]
    rate = s.rate_name or ("positive rate" if s.positive_is == "adverse" else "selection rate")
    p_value = _rates_differ_p(judged)
    real = p_value < s.fairness_alpha
    return Alert(
        AlertKind.FAIRNESS,
        Severity.ALERT if real else Severity.WARNING,
        attr,
        f"four-fifths ratio of {rate}s",
        ratio,
        s.four_fifths_limit,
        f"Fairness by {attr} in {p}: the ratio of {rate}s is {ratio:.2f}, below "
        f"the policy's limit {s.four_fifths_limit:g} ({hi['group']} "
        f"{hi['flag_rate']:.1%} against {lo['group']} {lo['flag_rate']:.1%}); "
        + (
            f"the groups' rates differ by more than chance (chi-square p "
            f"{p_value:.2g} < {s.fairness_alpha:g})."
            if real
            else f"but with these group sizes the difference could be chance "
            f"(chi-square p {p_value:.2g} >= {s.fairness_alpha:g}): watch the "
            "next batches."
        ),
        str(p),
    )
