"""Drift of a time-ordered table batch by batch (such as the claims month by month)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..data import profile_dataset
from ..errors import DataValidationError, did_you_mean
from ..train import build_pipeline, standardise_missing
from ._drift import drift_report
from ._drift_result import DriftReport

if TYPE_CHECKING:
    import pandas as pd

    from ..config import DriftSettings

#: Columns of the bundled claims that are never features: an id, the month, the target.
CLAIMS_NOT_FEATURES = ("claim_id", "month", "flagged")


def _batches(data: pd.DataFrame, time_column: str) -> list[str]:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"The 'data' parameter must be a pandas DataFrame. Got {type(data).__name__} instead."
        )
    if time_column not in data.columns:
        raise DataValidationError(
            f"The time column '{time_column}' is not in the data."
            f"{did_you_mean(time_column, map(str, data.columns))}",
            column=time_column,
        )
    return sorted(data[time_column].dropna().astype(str).unique())


def _window(batches: list[str], reference: tuple[str, str], time_column: str) -> list[str]:
    if (
        not isinstance(reference, Sequence)
        or isinstance(reference, str)
        or len(reference) != 2
        or str(reference[0]) > str(reference[1])
    ):
        raise DataValidationError(
            "The 'reference' parameter must be a (first, last) pair of batches with first "
            f"not after last, such as ('2023-01', '2023-06'). Got {reference!r} instead."
        )
    first, last = str(reference[0]), str(reference[1])
    inside = [b for b in batches if first <= b <= last]
    if not inside:
        raise DataValidationError(
            f"The reference window {first} to {last} holds no batch of '{time_column}'; "
            f"the data run from {batches[0]} to {batches[-1]}."
        )
    return inside


def batch_drift(
    data: pd.DataFrame,
    batch: str,
    *,
    reference: tuple[str, str] = ("2023-01", "2023-06"),
    time_column: str = "month",
    exclude: Sequence[str] = CLAIMS_NOT_FEATURES,
    settings: DriftSettings | Mapping[str, Any] | None = None,
    max_rows: int | None = None,
) -> DriftReport:
    """Drift of one batch of a time-ordered table against a window of earlier batches.

    Parameters
    ----------
    data : pandas.DataFrame
        The whole table, one row per case, with a time column (the bundled claims).
    batch : str
        The batch to judge, such as ``"2024-03"``.
    reference : (str, str), default ("2023-01", "2023-06")
        First and last batch of the reference window (inclusive).
    time_column : str, default "month"
    exclude : sequence of str
        Columns that are not features (ids, the time column, the target).
    settings : DriftSettings or mapping, optional
        Thresholds of :func:`drift_report`.
    max_rows : int, optional
        Judge only the batch's first ``max_rows`` rows (to see a batch too small to judge).

    Returns
    -------
    DriftReport
        Labelled with the batch.

    Examples
    --------
    >>> from mlops_kit.data import load_dataset
    >>> claims = load_dataset("benefit_claims")
    >>> batch_drift(claims, "2023-09").drifted, batch_drift(claims, "2024-03").drifted
    ((), ('channel',))
    """
    batches = _batches(data, time_column)
    inside = _window(batches, reference, time_column)
    if str(batch) not in batches:
        raise DataValidationError(
            f"Batch {batch!r} is not in '{time_column}'; the data run from {batches[0]} to "
            f"{batches[-1]}.{did_you_mean(str(batch), batches)}"
        )
    if max_rows is not None and (isinstance(max_rows, bool) or int(max_rows) < 1):
        raise DataValidationError(
            f"The 'max_rows' parameter must be a whole number of at least 1 or None. "
            f"Got {max_rows!r} instead."
        )
    times = data[time_column].astype(str)
    features = [c for c in data.columns if c not in exclude and c != time_column]
    current = data.loc[times == str(batch), features]
    if max_rows is not None:
        current = current.head(int(max_rows))
    return drift_report(
        data.loc[times.isin(inside), features],
        current,
        settings=settings,
        label=str(batch),
    )


def drift_by_batch(
    data: pd.DataFrame,
    *,
    reference: tuple[str, str] = ("2023-01", "2023-06"),
    time_column: str = "month",
    exclude: Sequence[str] = CLAIMS_NOT_FEATURES,
    settings: DriftSettings | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """One row per batch after the reference window: what drifted, and the largest effect.

    Columns: ``batch``, ``n_rows``, ``n_drifted``, ``drifted`` (the drifted features,
    largest effect first, joined with ", "), ``largest`` (the feature with the largest
    effect relative to its floor), ``effect`` and ``floor`` of that feature, and
    ``alarm`` (whether any feature drifted).

    Examples
    --------
    >>> from mlops_kit.data import load_dataset
    >>> table = drift_by_batch(load_dataset("benefit_claims"))
    >>> table.loc[table["alarm"], "batch"].iloc[0]
    '2024-02'
    """
    import pandas as pd

    batches = _batches(data, time_column)
    inside = _window(batches, reference, time_column)
    rows = []
    for batch in (b for b in batches if b > inside[-1]):  # loop over batches, not rows
        report = batch_drift(
            data,
            batch,
            reference=reference,
            time_column=time_column,
            exclude=exclude,
            settings=settings,
        )
        top = max(report.features, key=lambda f: (f.effect or 0.0) / f.floor)
        rows.append(
            {
                "batch": batch,
                "n_rows": report.n_current,
                "n_drifted": len(report.drifted),
                "drifted": ", ".join(report.drifted),
                "largest": top.feature,
                "effect": top.effect,
                "floor": top.floor,
                "alarm": bool(report.drifted),
            }
        )
    return pd.DataFrame(rows)


def score_months(
    data: pd.DataFrame,
    *,
    train: tuple[str, str] = ("2023-01", "2023-06"),
    label_delay: int = 1,
    model: str = "logistic",
    seed: int = 0,
) -> pd.DataFrame:
    """Score every later month of the bundled claims with a model never retrained.

    A model of the bundled roles (the protected attributes are never features) is
    trained once on the ``train`` window and scores each later month, as a model left in
    service would. Review outcomes arrive late: the last ``label_delay`` months have no
    label yet (``y_true`` is missing), which is what :func:`performance_over_time` must
    cope with.

    Parameters
    ----------
    data : pandas.DataFrame
        The bundled benefit claims (``load_dataset("benefit_claims")``).
    train : (str, str), default ("2023-01", "2023-06")
        First and last month the model learns from.
    label_delay : int, default 1
        Months at the end whose labels have not arrived.
    model : {"logistic", "hgb", "rf"}, default "logistic"
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        The months after ``train`` with ``y_score``, ``y_true`` (missing while pending)
        and every original column; ``attrs["reference_scores"]`` holds the scores of the
        training months (the reference of prediction drift).
    """
    import numpy as np

    batches = _batches(data, "month")
    inside = _window(batches, train, "month")
    if isinstance(label_delay, bool) or not 0 <= int(label_delay) < len(batches):
        raise DataValidationError(
            f"The 'label_delay' parameter of score_months must be a whole number from 0 to "
            f"{len(batches) - 1}. Got {label_delay!r} instead."
        )
    roles = profile_dataset(data, "benefit_claims").roles
    months = data["month"].astype(str)
    fit_rows = months.isin(inside).to_numpy()
    X = standardise_missing(data[list(roles.features)])
    y = data[roles.target].to_numpy()
    pipeline = build_pipeline(model, roles, seed=seed).fit(X[fit_rows], y[fit_rows])
    later = (months > inside[-1]).to_numpy()
    scores = pipeline.predict_proba(X)[:, 1]
    out = data.loc[later].assign(y_score=scores[later], y_true=y[later].astype(float))
    pending = batches[len(batches) - int(label_delay) :] if label_delay else []
    out.loc[out["month"].astype(str).isin(pending), "y_true"] = np.nan
    out.attrs["reference_scores"] = scores[fit_rows]
    return out
