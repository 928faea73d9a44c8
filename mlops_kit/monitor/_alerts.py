"""Alerts: what crossed which threshold, and what the pipeline will do about it."""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass
from typing import Any


class Severity(enum.StrEnum):
    """How urgent an alert is."""

    WARNING = "warning"  # look at it; nothing is triggered
    ALERT = "alert"  # a threshold was crossed; the pipeline acts


class AlertKind(enum.StrEnum):
    """What an alert is about."""

    DATA_DRIFT = "data drift"
    TOO_SMALL = "too small to judge"
    PERFORMANCE = "performance"
    PREDICTION_DRIFT = "prediction drift"
    FAIRNESS = "fairness"


#: What the pipeline does for each kind of alert.
ACTIONS: dict[AlertKind, str] = {
    AlertKind.DATA_DRIFT: "retrain a challenger on recent data and compare it with the champion",
    AlertKind.TOO_SMALL: "wait for more rows before judging; nothing is retrained",
    AlertKind.PERFORMANCE: "retrain a challenger on recent labelled data and compare it with "
    "the champion",
    AlertKind.PREDICTION_DRIFT: "check the input data for drift and watch performance as "
    "labels arrive",
    AlertKind.FAIRNESS: "send the affected decisions to human review and hold automatic promotion",
}


@dataclass(frozen=True)
class Alert:
    """One crossed threshold, in words, with the action the pipeline takes."""

    kind: AlertKind
    severity: Severity
    subject: str
    measure: str
    value: float | None
    threshold: float | None
    message: str
    batch: str | None = None

    @property
    def action(self) -> str:
        """What the pipeline will do about it (a warning triggers nothing)."""
        if self.severity is Severity.WARNING and self.kind is not AlertKind.TOO_SMALL:
            return "watch the next batches; nothing is triggered yet"
        return ACTIONS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out = asdict(self)
        out["kind"] = self.kind.value
        out["severity"] = self.severity.value
        if self.value is not None and not math.isfinite(self.value):
            out["value"] = None
        out["action"] = self.action
        return out

    def __str__(self) -> str:
        where = f"[{self.batch}] " if self.batch else ""
        return f"{where}{self.severity.value.upper()}: {self.message} Action: {self.action}."
