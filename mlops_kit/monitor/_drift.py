"""Data drift per feature between a reference and a current batch: the DriftReport."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..config import DriftSettings
from ..config import as_settings as _settings
from ..errors import DataValidationError, did_you_mean
from . import _stats
from ._drift_result import DriftReport, DriftStatus, FeatureDrift
from ._values import MEASURE_NAMES, MISSING, TEST_NAMES, column_kind, value_counts

if TYPE_CHECKING:
    import pandas as pd


# -- input checks ---------------------------------------------------------------------------


def _frame(value: Any, name: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise DataValidationError(
            f"The '{name}' parameter of drift_report must be a pandas DataFrame. "
            f"Got {type(value).__name__} instead."
        )
    if len(value) == 0:
        raise DataValidationError(
            f"The {name} batch is empty (0 rows): drift needs rows on both sides."
        )
    return value


def _columns(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str] | None,
    categorical: Sequence[str],
) -> dict[str, Literal["numeric", "categorical"]]:
    names = list(reference.columns) if columns is None else list(columns)
    if not names:
        raise DataValidationError("No columns to compare: 'columns' is empty.")
    kinds: dict[str, Literal["numeric", "categorical"]] = {}
    for col in names:
        for side, frame in (("reference", reference), ("current", current)):
            if col not in frame.columns:
                raise DataValidationError(
                    f"Column '{col}' is missing from the {side} batch; every compared column "
                    f"must be in both.{did_you_mean(str(col), map(str, frame.columns))}",
                    column=str(col),
                )
        if reference[col].isna().all():
            raise DataValidationError(
                f"Column '{col}' of the reference has no values (all {len(reference):,} are "
                "missing), so there is nothing to compare with: fix the reference or leave "
                "the column out of 'columns'.",
                column=str(col),
            )
        k_ref, k_cur = column_kind(reference[col]), column_kind(current[col])
        if col in categorical:
            kinds[col] = "categorical"
        elif k_ref != k_cur and not current[col].isna().all():
            raise DataValidationError(
                f"Column '{col}' must have the same type in both batches; it is {k_ref} "
                f"({reference[col].dtype}) in the reference and {k_cur} "
                f"({current[col].dtype}) in the current batch.",
                column=str(col),
            )
        else:
            kinds[col] = k_ref
    return kinds


# -- per-feature statistics -----------------------------------------------------------------


def _numeric(ref: pd.Series, cur: pd.Series, s: DriftSettings) -> tuple[dict[str, Any], list[str]]:
    r = ref.to_numpy(dtype=float, na_value=np.nan)
    c = cur.to_numpy(dtype=float, na_value=np.nan)
    r_miss, c_miss = np.isnan(r), np.isnan(c)
    r = np.sort(r[~r_miss])
    c = np.sort(c[~c_miss])
    edges = _stats.quantile_edges(r, s.n_bins)
    counts_r = _stats.bin_counts(r, edges, int(r_miss.sum()))
    counts_c = _stats.bin_counts(c, edges, int(c_miss.sum()))
    ks_stat: float | None = None
    if len(c):
        ks_stat, p = _stats.ks_from_sorted(r, c)
        test, statistic = "ks", ks_stat
    else:  # every current value is missing: compare missing against present
        chi = _stats.chi2_two_samples(np.vstack([counts_r, counts_c]), s.min_expected)
        test, statistic, p = "chi2", chi.statistic, chi.pvalue
    notes: list[str] = []
    if len(c):
        notes.append(f"median {np.median(r):.4g} in the reference, {np.median(c):.4g} now")
    share_r, share_c = r_miss.mean(), c_miss.mean()
    if abs(share_c - share_r) >= 0.01:
        notes.append(f"missing values {share_r:.1%} in the reference, {share_c:.1%} now")
    return (
        {
            "test": test,
            "statistic": statistic,
            "p_value": p,
            "psi": _stats.psi(counts_r, counts_c),
            "js": _stats.js_distance(counts_r, counts_c),
            "ks": ks_stat,
            "missing_reference": float(share_r),
            "missing_current": float(share_c),
        },
        notes,
    )


def _categorical(
    ref: pd.Series, cur: pd.Series, s: DriftSettings
) -> tuple[dict[str, Any], list[str], tuple[str, ...], int]:
    cr, cc = value_counts(ref), value_counts(cur)
    cats = list(cr) + [k for k in cc if k not in cr]
    table = np.array([[cr.get(k, 0) for k in cats], [cc.get(k, 0) for k in cats]], dtype=float)
    chi = _stats.chi2_two_samples(table, s.min_expected)
    new = tuple(k for k in cc if k not in cr)
    shares = table / table.sum(axis=1, keepdims=True)
    move = shares[1] - shares[0]
    j = int(np.argmax(np.abs(move)))
    notes = [f"largest change '{cats[j]}' from {shares[0, j]:.1%} to {shares[1, j]:.1%}"]
    if new:
        notes.append(f"new categories not in the reference: {', '.join(new[:5])}")
    return (
        {
            "test": "chi2",
            "statistic": chi.statistic,
            "p_value": chi.pvalue,
            "psi": _stats.psi(table[0], table[1]),
            "js": _stats.js_distance(table[0], table[1]),
            "ks": None,
            "missing_reference": float(cr.get(MISSING, 0) / len(ref)),
            "missing_current": float(cc.get(MISSING, 0) / len(cur)),
        },
        notes,
        new,
        chi.n_pooled,
    )


def _verdict(
    name: str, stats: Mapping[str, Any], measure: str, s: DriftSettings, notes: list[str]
) -> tuple[DriftStatus, str]:
    effect, floor, p = stats[measure], s.floor(measure), stats["p_adjusted"]
    label, test = MEASURE_NAMES[measure], TEST_NAMES[stats["test"]]
    big, significant = effect >= floor, p < s.alpha
    detail = f" ({'; '.join(notes)})" if notes else ""
    if big and significant:
        return DriftStatus.DRIFTED, (
            f"'{name}' drifted: {label} {effect:.3f} is at or above the floor {floor:g} and "
            f"the {test}'s corrected p-value {p:.2g} is below {s.alpha:g}{detail}."
        )
    if significant:
        return DriftStatus.STABLE, (
            f"'{name}' is stable: the {test} detects a shift (corrected p-value {p:.2g}) "
            f"but it is small, {label} {effect:.3f} below the floor {floor:g}{detail}."
        )
    if big:
        return DriftStatus.STABLE, (
            f"'{name}' is stable: {label} {effect:.3f} reaches the floor {floor:g} but the "
            f"{test}'s corrected p-value {p:.2g} is not below {s.alpha:g}, so the "
            f"difference could be chance{detail}."
        )
    return DriftStatus.STABLE, (
        f"'{name}' is stable: {label} {effect:.3f} (floor {floor:g}), corrected p-value "
        f"{p:.2g} (alpha {s.alpha:g})."
    )


def drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] = (),
    settings: DriftSettings | Mapping[str, Any] | None = None,
    label: str | None = None,
) -> DriftReport:
    """Data drift of each feature of ``current`` against ``reference``.

    Numeric features: two-sample Kolmogorov-Smirnov test, and PSI and Jensen-Shannon
    distance on the reference's quantile bins (missing values are a bin of their own).
    Categorical features: chi-square test of the two samples' 2 x k contingency table
    (rare categories pooled; categories new in the current batch count), PSI and
    Jensen-Shannon distance. P-values are corrected across features; a feature drifts
    only when the corrected p-value is below ``alpha`` and the effect size is at or
    above its floor (see :class:`DriftSettings`).

    Parameters
    ----------
    reference, current : pandas.DataFrame
        The batch the model was trained on (or a stable period) and the new batch.
    columns : sequence of str, optional
        Columns to compare; default every column of ``reference``.
    categorical : sequence of str, default ()
        Numeric columns to treat as categories (such as codes).
    settings : DriftSettings or mapping, optional
        Thresholds; default :class:`DriftSettings()`.
    label : str, optional
        Name of the current batch (such as "2024-03"), used in words and alerts.

    Returns
    -------
    DriftReport

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=2000), "g": rng.choice(["a", "b"], 2000)})
    >>> cur = pd.DataFrame({"x": rng.normal(1, 1, 2000), "g": rng.choice(["a", "b"], 2000)})
    >>> drift_report(ref, cur).drifted
    ('x',)
    """
    s: DriftSettings = _settings(settings, DriftSettings, "drift_report")
    reference, current = _frame(reference, "reference"), _frame(current, "current")
    kinds = _columns(reference, current, columns, categorical)
    small = min(len(reference), len(current)) < s.min_rows
    computed: list[tuple[str, dict[str, Any], list[str], tuple[str, ...], int]] = []
    for col, kind in kinds.items():
        if kind == "numeric":
            stats, notes = _numeric(reference[col], current[col], s)
            computed.append((col, stats, notes, (), 0))
        else:
            stats, notes, new, pooled = _categorical(reference[col], current[col], s)
            computed.append((col, stats, notes, new, pooled))
    judged = [i for i, c in enumerate(computed) if not small and c[1]["p_value"] is not None]
    adjusted = _stats.adjust_pvalues(
        np.array([computed[i][1]["p_value"] for i in judged]), s.correction
    )
    for i, p in zip(judged, adjusted, strict=True):
        computed[i][1]["p_adjusted"] = float(p)
    sizes = (len(reference), len(current))
    features = [_feature(c, kinds[c[0]], s, sizes) for c in computed]
    return DriftReport(tuple(features), s, len(reference), len(current), label)


def _feature(
    computed: tuple[str, dict[str, Any], list[str], tuple[str, ...], int],
    kind: Literal["numeric", "categorical"],
    s: DriftSettings,
    sizes: tuple[int, int],
) -> FeatureDrift:
    """One feature's drift: its statistics, the effect measure judged, status and verdict."""
    col, stats, notes, new, pooled = computed
    measure = s.numeric_effect if kind == "numeric" else s.categorical_effect
    if stats[measure] is None:  # no KS statistic when every current value is missing
        measure = "psi"
    if stats.get("p_adjusted") is None:
        stats["p_adjusted"] = None
        status, verdict = (
            DriftStatus.TOO_SMALL,
            (
                f"'{col}' is too small to judge: {sizes[0]:,} reference and "
                f"{sizes[1]:,} current rows, and each side needs {s.min_rows:,}."
            ),
        )
    else:
        status, verdict = _verdict(col, stats, measure, s, notes)
    return FeatureDrift(
        feature=str(col),
        kind=kind,
        effect_measure=measure,
        effect=stats[measure],
        floor=s.floor(measure),
        n_reference=sizes[0],
        n_current=sizes[1],
        status=status,
        verdict=verdict,
        new_categories=new,
        categories_pooled=pooled,
        **stats,
    )
