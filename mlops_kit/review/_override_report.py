"""What the override rate found: the rates by group, their status, and the alerts.

:class:`OverrideReport` is the result of ``override_rates`` (in ``_rate``); each
:class:`ReviewAlert` names a group whose rate is too high, too low, or well above all
cases'.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..figures import PALETTE, DescribedFigure, new_axes

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


#: How the report names every decided case together.
ALL = "all cases"


#: Statuses that raise an alert, and the alert's kind.
ALERT_STATUSES: dict[str, Literal["high", "low", "gap"]] = {
    "above the limit": "high",
    "below the floor": "low",
    "well above all cases": "gap",
}


@dataclass(frozen=True)
class ReviewAlert:
    """An override rate beyond its limit, in words, with what to do about it."""

    attribute: str
    group: str
    kind: Literal["high", "low", "gap"]
    rate: float
    limit: float
    decided: int
    overridden: int

    @property
    def subject(self) -> str:
        """Whose decisions: "all cases" or "ethnic_group = Group C"."""
        return ALL if self.attribute == "all" else f"{self.attribute} = {self.group}"

    @property
    def message(self) -> str:
        """What crossed which limit."""
        where = {
            "high": f"above the limit of {self.limit:.0%}",
            "low": f"below the floor of {self.limit:.0%}",
            "gap": f"more than {self.limit * 100:.0f} percentage points above the rate for "
            "all cases",
        }[self.kind]
        return (
            f"Caseworkers overrode {self.rate:.0%} of the model's flags for {self.subject} "
            f"({self.overridden} of {self.decided}), {where}."
        )

    @property
    def action(self) -> str:
        """What to do about it."""
        if self.kind == "low":
            return (
                "check that reviews are real decisions, not rubber-stamping (automation "
                "bias): give a sample of accepted cases a second, independent review"
            )
        if self.kind == "gap" or self.attribute != "all":
            return (
                "look at why this group's flags are overturned more often than others': "
                "check the model's errors and proxies for this group, and hold automatic "
                "promotion until it is understood"
            )
        return (
            "review the model's threshold and recent performance: a model its "
            "caseworkers often overrule is not helping them; retrain or recalibrate it"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "attribute": self.attribute,
            "group": self.group,
            "kind": self.kind,
            "rate": self.rate,
            "limit": self.limit,
            "decided": self.decided,
            "overridden": self.overridden,
            "message": self.message,
            "action": self.action,
        }

    def __str__(self) -> str:
        return f"ALERT: {self.message} Action: {self.action}."


@dataclass(frozen=True)
class OverrideReport:
    """Override rates overall and by protected group, with the alerts they raise.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (attribute, group), the first ``("all", "all cases")``: ``decided``,
        ``overridden``, ``rate`` (NaN with no decision) and ``status`` ("within limits",
        "above the limit", "below the floor" or "too few to judge").
    alerts : tuple of ReviewAlert
    n_cases, n_decided : int
        Cases in the queue and decisions made.
    max_rate : float
        Alert when a rate is above it.
    min_rate : float or None
        Alert when a rate is below it (automation bias); None: no floor.
    max_gap : float or None
        Alert when a group's rate is this much above the rate for all cases.
    min_decisions : int
        Fewer decisions than this are too few to judge.
    """

    table: pd.DataFrame = field(repr=False)
    alerts: tuple[ReviewAlert, ...]
    n_cases: int
    n_decided: int
    max_rate: float
    min_rate: float | None
    max_gap: float | None
    min_decisions: int

    @property
    def rate(self) -> float | None:
        """The overall override rate (None before any decision)."""
        value = float(self.table.iloc[0]["rate"])
        return None if math.isnan(value) else value

    @property
    def n_overridden(self) -> int:
        """Decisions that overrode the model."""
        return int(self.table.iloc[0]["overridden"])

    def summary(self) -> str:
        """The signal in a few sentences."""
        if self.n_decided == 0:
            return f"No decisions yet: {self.n_cases} case(s) wait for review."
        text = (
            f"{self.n_decided} of {self.n_cases} flagged cases decided; caseworkers overrode "
            f"{self.n_overridden} ({self.rate:.0%}). Alert above {self.max_rate:.0%}"
            + (f" or below {self.min_rate:.0%}" if self.min_rate is not None else "")
            + (
                f", or for a group more than {self.max_gap * 100:.0f} percentage points "
                "above all cases"
                if self.max_gap is not None
                else ""
            )
            + f"; groups with fewer than {self.min_decisions} decisions are not judged."
        )
        if not self.alerts:
            return text + " No alert."
        return text + " " + " ".join(str(a) for a in self.alerts)

    def to_frame(self) -> pd.DataFrame:
        """The rates table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        rows = []
        for r in self.table.to_dict("records"):
            rate = float(r["rate"])
            rows.append(
                {
                    "attribute": str(r["attribute"]),
                    "group": str(r["group"]),
                    "decided": int(r["decided"]),
                    "overridden": int(r["overridden"]),
                    "rate": None if math.isnan(rate) else rate,
                    "status": str(r["status"]),
                }
            )
        return {
            "n_cases": self.n_cases,
            "n_decided": self.n_decided,
            "n_overridden": self.n_overridden,
            "rate": self.rate,
            "max_rate": self.max_rate,
            "min_rate": self.min_rate,
            "max_gap": self.max_gap,
            "min_decisions": self.min_decisions,
            "rates": rows,
            "alerts": [a.to_dict() for a in self.alerts],
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        shown = self.table.assign(
            rate=[("-" if math.isnan(float(x)) else f"{float(x):.0%}") for x in self.table["rate"]]
        )
        return (
            f'<div class="mlops-override-report"><p>{html.escape(self.summary())}</p>'
            f"{shown.to_html(index=False)}</div>"
        )

    def plot(self, *, ax: Axes | None = None) -> DescribedFigure:
        """Each group's override rate as a bar with its status written on; limits dashed."""
        t = self.table
        fig, ax = new_axes(ax, (7.0, 1.0 + 0.4 * len(t)))
        labels = [
            ALL if a == "all" else f"{a}: {g}"
            for a, g in zip(t["attribute"], t["group"], strict=True)
        ]
        for i, r in enumerate(t.to_dict("records")):
            rate = 0.0 if math.isnan(float(r["rate"])) else float(r["rate"])
            status = str(r["status"])
            judged = status != "too few to judge"
            alert = status in ALERT_STATUSES
            ax.barh(
                i,
                rate,
                color=PALETTE[5] if alert else PALETTE[0] if judged else "white",
                edgecolor="black",
                hatch="///" if alert else "" if judged else "..",
                linestyle="-" if judged else "--",
            )
            ax.text(
                rate,
                i,
                f" {rate:.0%} ({r['overridden']} of {r['decided']}) {status}",
                va="center",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
        ax.axvline(self.max_rate, color="black", linestyle="--", label=f"limit {self.max_rate:.0%}")
        if self.min_rate is not None:
            ax.axvline(
                self.min_rate, color="black", linestyle=":", label=f"floor {self.min_rate:.0%}"
            )
        ax.set_yticks(np.arange(len(t)), labels, fontsize=8)
        ax.invert_yaxis()
        top = max([self.max_rate, *(x for x in t["rate"].to_numpy(float) if not math.isnan(x))])
        ax.set_xlim(0, min(1.0, top * 1.8) or 1.0)
        from matplotlib.ticker import PercentFormatter

        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("share of flags the caseworkers overrode")
        ax.legend(loc="lower right", fontsize=7)
        title = "Override rate of the model's flags"
        ax.set_title(title)
        text = (
            "Share of the model's flags that caseworkers overrode, overall and for each "
            "protected group; hatched bars crossed a limit, dotted outlines had too few "
            f"decisions to judge. {self.summary()}"
        )
        return DescribedFigure(fig, title, text)
