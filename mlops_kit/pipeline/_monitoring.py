"""The monitor stage: data drift, prediction drift, performance and fairness of new data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, read_json
from .._wording import Wording
from ..config import MonitorParams, validate_params
from ..data import ColumnRoles, binary_target, load_batch
from ..errors import DataValidationError
from ._folder import (
    MODEL_FILE,
    PREDICTIONS_FILE,
    TRAINING_FILE,
    audit_event,
    require_file,
    resolve_run_dir,
)
from ._stages import _load_verified, read_dataset_record, save_figures

if TYPE_CHECKING:
    import pandas as pd

    from ..figures import DescribedFigure

__all__ = ["MONITORING_FILE", "monitor_stage"]

#: The monitor stage's record in the run folder.
MONITORING_FILE = "monitoring.json"


def _new_batch(
    path: str,
    record: dict[str, Any],
    roles: ColumnRoles,
    positive_label: Any,
    model: Any,
    threshold: float,
    *,
    classification: bool,
) -> pd.DataFrame:
    """A new batch's rows with the model's scores (or predictions), and its labels where
    they are known (missing ones stay NaN: labels can arrive late).

    The batch is read and prepared as the validated data was (its separator detected,
    infinite numbers and blank protected values treated by the recorded rules)."""
    import numpy as np

    from ..train import standardise_missing

    batch = load_batch(path, record)
    missing = [c for c in roles.features if c not in batch.columns]
    if missing:
        raise DataValidationError(
            f"The new batch {path} must have every feature the model was trained on; "
            f"missing: {', '.join(missing)}. It has: {', '.join(map(str, batch.columns))}."
        )
    if batch.empty:
        raise DataValidationError(f"The new batch {path} has no rows; nothing to monitor.")
    X = standardise_missing(batch[list(roles.features)])
    y_true = np.full(len(batch), np.nan)
    known = (
        batch[roles.target].notna().to_numpy()
        if roles.target in batch.columns
        else np.zeros(len(batch), dtype=bool)
    )
    if not classification:
        if known.any():
            y_true[known] = batch.loc[known, roles.target].to_numpy(dtype=float)
        return batch.assign(y_pred=model.predict(X), y_true=y_true)
    scores = model.predict_proba(X)[:, 1]
    batch = batch.assign(y_score=scores, y_pred=(scores >= threshold).astype(int))
    if known.any():
        y_true[known] = binary_target(batch.loc[known, roles.target], positive_label)
    return batch.assign(y_true=y_true)


def _regression_performance(
    scored: pd.DataFrame,
    *,
    period: str,
    reference_predictions: Any,
    min_labelled: int,
    psi_threshold: float,
    n_bins: int,
    min_rows: int,
) -> tuple[dict[str, Any], list[Any], str]:
    """RMSE, MAE and R² per period where labels are known, and prediction drift (PSI) in
    periods of at least ``min_rows`` rows (a PSI of a few rows is noise)."""
    import numpy as np

    from ..metrics import regression_metrics
    from ..monitor import Alert, AlertKind, Severity
    from ..monitor._stats import bin_counts, psi, quantile_edges

    ref = np.sort(np.asarray(reference_predictions, dtype=float))
    edges = quantile_edges(ref, n_bins)
    rows: list[dict[str, Any]] = []
    alerts: list[Any] = []
    for p, part in scored.groupby(period, sort=True):
        pred = part["y_pred"].to_numpy(dtype=float)
        known = part["y_true"].notna().to_numpy()
        value = (
            float(psi(bin_counts(ref, edges, 0), bin_counts(np.sort(pred), edges, 0)))
            if len(part) >= min_rows
            else None
        )
        row: dict[str, Any] = {
            "batch": str(p),
            "n": len(part),
            "n_labelled": int(known.sum()),
            "prediction_psi": value,
        }
        if known.sum() >= min_labelled:
            row["status"] = "labelled"
            truth = part["y_true"].to_numpy(dtype=float)[known]
            row |= regression_metrics(truth, pred[known])
        else:
            row["status"] = "labels pending" if not known.any() else "too few labelled rows"
        rows.append(row)
        if value is not None and value >= psi_threshold:
            alerts.append(
                Alert(
                    AlertKind.PREDICTION_DRIFT,
                    Severity.WARNING,
                    "prediction",
                    "PSI",
                    value,
                    psi_threshold,
                    f"The predictions in {p} moved: PSI {value:.3f} against the predictions "
                    f"on the training rows, at or above {psi_threshold:g}.",
                    str(p),
                )
            )
    labelled = [r for r in rows if r["status"] == "labelled"]
    pending = [r["batch"] for r in rows if r["status"] == "labels pending"]
    few = [r["batch"] for r in rows if r["status"] == "too few labelled rows"]
    summary = (
        "Forecast error per batch: "
        + (
            "; ".join(f"{r['batch']} RMSE {r['rmse']:.1f}, R² {r['r2']:.3f}" for r in labelled)
            if labelled
            else "no batch has enough labelled rows yet"
        )
        + (f". Labels pending: {', '.join(pending)}" if pending else "")
        + (
            f". Fewer than {min_labelled} labelled rows, not judged: {', '.join(few)}"
            if few
            else ""
        )
        + "."
    )
    return {"task": "regression", "batches": rows}, alerts, summary


def monitor_stage(run_dir: str | os.PathLike[str], **params: Any) -> dict[str, Any]:
    """Compare new data with the rows the model was trained on; raise alerts in words.

    Without ``new_batch`` the new data are the held-out rows, period by period (the
    time column), which is how the model would have fared in service. With it, the
    batch is scored by the run's model; its labels are used where they are known, and
    a batch without them still gets data and prediction drift.

    Writes ``monitoring.json`` (the drift report, the performance and fairness per
    period, every alert with what the pipeline will do about it) and figures; the
    audit log records the batch and the number of alerts.

    Parameters
    ----------
    run_dir : path-like
        The run folder, after the evaluate stage.
    **params
        The config keys of :class:`mlops_kit.config.MonitorParams`.
    """
    import pandas as pd

    from ..monitor import (
        distribution_figure,
        drift_figure,
        drift_report,
        performance_figure,
        performance_over_time,
    )
    from ..train import load_model, standardise_missing

    p: MonitorParams = validate_params(params, model=MonitorParams, source="monitor stage")
    folder = resolve_run_dir(run_dir)
    record = read_dataset_record(folder, stage="monitor")
    roles = ColumnRoles.from_dict(record["profile"]["roles"])
    df = _load_verified(record)
    held_out = pd.read_csv(require_file(folder, PREDICTIONS_FILE, "monitor"))
    reference = df.drop(index=held_out["row"].to_list())
    features = list(roles.features)
    classification = record["task"] == "classification"
    threshold = read_json(require_file(folder, TRAINING_FILE, "monitor")).get("threshold") or 0.5
    model = load_model(require_file(folder, MODEL_FILE, "monitor"))
    if p.new_batch is not None:
        label = Path(p.new_batch).name
        scored = _new_batch(
            p.new_batch,
            record,
            roles,
            record["profile"]["target"]["positive_label"],
            model,
            threshold,
            classification=classification,
        )
        current = scored
    else:
        label = "held-out rows"
        current = df.loc[held_out["row"]]
        scored = held_out
    drift = drift_report(
        reference[features],
        current[features],
        categorical=list(roles.categorical),
        settings=p.monitoring.drift,
        label=label,
    )
    figures: list[tuple[str, DescribedFigure]] = [("monitor_drift", drift_figure(drift))]
    if drift.drifted:  # the feature that moved most, before and after
        figures.append(
            ("monitor_distribution", distribution_figure(reference, current, drift.drifted[0]))
        )
    result: dict[str, Any] = {
        "batch": label,
        "reference_rows": len(reference),
        "current_rows": len(current),
        "drift": drift.to_dict(),
        "performance": None,
    }
    alerts = [a.to_dict() for a in drift.alerts]
    summary = [drift.summary()]
    if classification:
        period = roles.time_column if roles.time_column in scored.columns else None
        if period is None:
            scored = scored.assign(batch=label)
        settings = p.monitoring.performance.model_copy(
            update={
                "threshold": threshold,
                "positive_is": record["positive_is"],
                "rate_name": p.monitoring.performance.rate_name or Wording.from_record(record).rate,
            }
        )
        reference_scores = model.predict_proba(standardise_missing(reference[features]))[:, 1]
        performance = performance_over_time(
            scored,
            period=period or "batch",
            groups=[g for g in roles.protected if g in scored.columns],
            y_pred="y_pred",
            reference_scores=reference_scores,
            settings=settings,
        )
        result["performance"] = performance.to_dict()
        alerts += [a.to_dict() for a in performance.alerts]
        summary.append(performance.summary())
        figures.append(("monitor_performance", performance_figure(performance)))
    else:
        period = roles.time_column if roles.time_column in scored.columns else None
        if period is None:
            scored = scored.assign(batch=label)
        perf = p.monitoring.performance
        result["performance"], regression_alerts, text = _regression_performance(
            scored,
            period=period or "batch",
            reference_predictions=model.predict(standardise_missing(reference[features])),
            min_labelled=perf.min_labelled,
            psi_threshold=perf.score_psi_threshold,
            n_bins=perf.n_bins,
            min_rows=p.monitoring.drift.min_rows,
        )
        alerts += [a.to_dict() for a in regression_alerts]
        summary.append(text)
    result["alerts"] = alerts
    result["summary"] = summary
    atomic_write_json(folder / MONITORING_FILE, result)
    save_figures(folder, figures, section="monitoring")
    audit_event(
        folder,
        "monitored",
        batch=label,
        rows=len(current),
        drifted_features=list(drift.drifted),
        alerts=len(alerts),
    )
    return result
