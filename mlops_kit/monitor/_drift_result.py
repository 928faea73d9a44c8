"""What a drift report found: each feature's statistics, status and verdict, and alerts.

:class:`DriftReport` holds a :class:`FeatureDrift` per feature (its test, p-value
corrected for multiple testing, effect size and :class:`DriftStatus`), the alerts they
raise and a described figure. ``drift_report`` (in ``_drift``) computes it.
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._io import json_ready
from ..config import DriftSettings
from ..errors import did_you_mean
from ._alerts import Alert, AlertKind, Severity
from ._figures import drift_figure

if TYPE_CHECKING:
    import pandas as pd

    from ..figures import DescribedFigure


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


def _record(f: FeatureDrift) -> dict[str, Any]:
    out = {k: json_ready(getattr(f, k)) for k in f.__dataclass_fields__}
    out["drifted"] = f.drifted
    return out
