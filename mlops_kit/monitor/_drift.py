"""Data drift per feature between a reference and a current batch: the DriftReport."""

from __future__ import annotations

import enum
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import DataValidationError, did_you_mean
from . import _stats
from ._alerts import Alert, AlertKind, Severity
from ._settings import DriftSettings, _settings

if TYPE_CHECKING:
    import pandas as pd

    from ..plots import DescribedFigure

MISSING = "(missing)"
MEASURE_NAMES = {"psi": "PSI", "js": "Jensen-Shannon distance", "ks": "KS statistic"}
TEST_NAMES = {"ks": "Kolmogorov-Smirnov test", "chi2": "chi-square test"}


class DriftStatus(enum.StrEnum):
    """The verdict on one feature."""

    DRIFTED = "drifted"
    STABLE = "stable"
    TOO_SMALL = "too small to judge"


@dataclass(frozen=True)
class FeatureDrift:
    """The drift statistics and verdict of one feature."""

    feature: str
    kind: Literal["numeric", "categorical"]
    test: Literal["ks", "chi2"]
    statistic: float | None
    p_value: float | None
    p_adjusted: float | None
    effect_measure: str
    effect: float | None
    floor: float
    psi: float | None
    js: float | None
    ks: float | None
    n_reference: int
    n_current: int
    missing_reference: float
    missing_current: float
    status: DriftStatus
    verdict: str
    new_categories: tuple[str, ...] = ()
    categories_pooled: int = 0

    @property
    def drifted(self) -> bool:
        """Whether the feature drifted (both the test and the effect size say so)."""
        return self.status is DriftStatus.DRIFTED


@dataclass(frozen=True)
class DriftReport:
    """Drift of each feature of a current batch against a reference batch."""

    features: tuple[FeatureDrift, ...]
    settings: DriftSettings = field(repr=False)
    n_reference: int
    n_current: int
    label: str | None = None

    @property
    def drifted(self) -> tuple[str, ...]:
        """Names of the drifted features, largest effect (relative to its floor) first."""
        hits = [f for f in self.features if f.drifted]
        hits.sort(key=lambda f: -(f.effect or 0.0) / f.floor)
        return tuple(f.feature for f in hits)

    @property
    def too_small(self) -> tuple[str, ...]:
        """Features too small to judge."""
        return tuple(f.feature for f in self.features if f.status is DriftStatus.TOO_SMALL)

    def __getitem__(self, feature: str) -> FeatureDrift:
        for f in self.features:
            if f.feature == feature:
                return f
        names = [f.feature for f in self.features]
        raise KeyError(f"No feature '{feature}' in this report.{did_you_mean(feature, names)}")

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """One alert per drifted feature, and a warning when the batch is too small."""
        out = [
            Alert(
                AlertKind.DATA_DRIFT,
                Severity.ALERT,
                f.feature,
                f.effect_measure,
                f.effect,
                f.floor,
                f.verdict,
                self.label,
            )
            for f in (self[name] for name in self.drifted)
        ]
        if self.too_small:
            rows = min(self.n_reference, self.n_current)
            out.append(
                Alert(
                    AlertKind.TOO_SMALL,
                    Severity.WARNING,
                    ", ".join(self.too_small),
                    "rows",
                    float(rows),
                    float(self.settings.min_rows),
                    f"{len(self.too_small)} feature(s) could not be judged: the batches have "
                    f"{self.n_reference:,} reference and {self.n_current:,} current rows, and "
                    f"each needs at least {self.settings.min_rows:,}.",
                    self.label,
                )
            )
        return tuple(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per feature: statistics, corrected p-value, effect size and verdict."""
        import pandas as pd

        rows = [_record(f) for f in self.features]
        frame = pd.DataFrame(rows).set_index("feature")
        return frame.drop(columns=["new_categories"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: settings, counts, features, alerts and summary."""
        return {
            "label": self.label,
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "settings": self.settings.model_dump(),
            "drifted": list(self.drifted),
            "too_small": list(self.too_small),
            "features": [_record(f) for f in self.features],
            "alerts": [a.to_dict() for a in self.alerts],
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """The report in plain words."""
        s = self.settings
        n = len(self.features)
        where = f" in {self.label}" if self.label else ""
        head = (
            f"Compared {self.n_current:,} current rows{where} with {self.n_reference:,} "
            f"reference rows on {n} feature(s). A feature drifts when its {s.correction} "
            f"corrected p-value is below {s.alpha:g} and its effect size is at or above "
            "its floor."
        )
        if self.drifted:
            body = f" {len(self.drifted)} of {n} drifted: " + " ".join(
                self[name].verdict for name in self.drifted
            )
        else:
            body = f" No feature drifted (0 of {n})."
        if self.too_small:
            body += f" Too small to judge: {', '.join(self.too_small)}."
        return head + body

    def plot(self, ax: Any = None) -> DescribedFigure:
        """Bar chart of each feature's effect size against its floor."""
        from ._figures import drift_figure

        return drift_figure(self, ax=ax)

    def _repr_html_(self) -> str:
        frame = self.to_frame()[
            ["kind", "test", "p_adjusted", "effect_measure", "effect", "floor", "status"]
        ]
        alerts = "".join(f"<li>{html.escape(str(a))}</li>" for a in self.alerts)
        where = html.escape(f" in {self.label}") if self.label else ""
        return (
            f"<div class='mlops-drift-report'><h4>Data drift{where}</h4>"
            f"<p>{html.escape(self.summary())}</p>"
            + (f"<ul class='mlops-alerts'>{alerts}</ul>" if alerts else "")
            + frame.to_html(float_format=lambda v: f"{v:.3g}", na_rep="n/a")
            + "</div>"
        )


def _clean(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, tuple):
        return list(v)
    return v


def _record(f: FeatureDrift) -> dict[str, Any]:
    out = {k: _clean(getattr(f, k)) for k in f.__dataclass_fields__}
    out["drifted"] = f.drifted
    return out


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


def _kind(series: pd.Series) -> Literal["numeric", "categorical"]:
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "categorical"
    return "numeric"


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
        k_ref, k_cur = _kind(reference[col]), _kind(current[col])
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


def _value_counts(series: pd.Series) -> dict[str, int]:
    counts = series.value_counts(dropna=False)
    out: dict[str, int] = {}
    for key, n in zip(counts.index, counts.to_numpy(), strict=True):  # loop over categories
        label = MISSING if key is None or (isinstance(key, float) and math.isnan(key)) else key
        label = MISSING if label is not MISSING and _is_na(label) else str(label)
        out[label] = out.get(label, 0) + int(n)
    return out


def _is_na(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _categorical(
    ref: pd.Series, cur: pd.Series, s: DriftSettings
) -> tuple[dict[str, Any], list[str], tuple[str, ...], int]:
    cr, cc = _value_counts(ref), _value_counts(cur)
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
    features = []
    for col, stats, notes, new, pooled in computed:
        kind = kinds[col]
        measure = s.numeric_effect if kind == "numeric" else s.categorical_effect
        if stats[measure] is None:  # no KS statistic when every current value is missing
            measure = "psi"
        if stats.get("p_adjusted") is None:
            stats["p_adjusted"] = None
            status, verdict = (
                DriftStatus.TOO_SMALL,
                (
                    f"'{col}' is too small to judge: {len(reference):,} reference and "
                    f"{len(current):,} current rows, and each side needs {s.min_rows:,}."
                ),
            )
        else:
            status, verdict = _verdict(col, stats, measure, s, notes)
        features.append(
            FeatureDrift(
                feature=str(col),
                kind=kind,
                effect_measure=measure,
                effect=stats[measure],
                floor=s.floor(measure),
                n_reference=len(reference),
                n_current=len(current),
                status=status,
                verdict=verdict,
                new_categories=new,
                categories_pooled=pooled,
                **stats,
            )
        )
    return DriftReport(tuple(features), s, len(reference), len(current), label)
