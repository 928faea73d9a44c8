"""Part of :mod:`mlops_kit.governance`; see the package docstring."""

from __future__ import annotations

import enum
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ArtefactError, ConfigError

if TYPE_CHECKING:
    import pandas as pd


#: A written justification must be at least this many characters (after trimming).
MIN_JUSTIFICATION_LENGTH = 20

#: The name of the gate's check that the model card's required parts are written.
CARD_CHECK = "model card complete"

#: The four-fifths threshold, used when a run's fairness section does not state it.
_FOUR_FIFTHS = 0.8

#: How each metric the policy can limit is named in plain words.
_METRIC_WORDS = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1 score",
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC (area under the precision-recall curve)",
    "brier": "Brier score",
    "mse": "MSE (mean squared error)",
    "rmse": "RMSE (root mean squared error)",
    "mae": "MAE (mean absolute error)",
    "r2": "R² (share of variation explained)",
}

_APPROVE_HINT = (
    'mlops-kit approve --model <model-name> --version <version> --approver "<your name>" '
    '--justification "<why>" (in Python: mlops_kit.governance.approve(decision, '
    "approver=..., justification=...))"
)


class Decision(enum.StrEnum):
    """What the governance gate decided."""

    PROMOTE = "promote"
    REFUSE = "refuse"
    NEEDS_APPROVAL = "needs human approval"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _number(value: float | None) -> float | None:
    """A finite float, or None for anything that is not a usable number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _limit_text(limit: float) -> str:
    """A limit as a person would write it: 0.70, 0.1 -> 0.10, 900, 1.5."""
    if limit.is_integer() and abs(limit) >= 1:
        return f"{limit:,.0f}"
    if round(limit, 2) == limit:
        return f"{limit:.2f}"
    return f"{limit:g}"


def _value_text(value: float, limit: float | None = None, digits: int = 3) -> str:
    """A measured value, with enough digits not to look equal to a limit it differs from."""
    if abs(value) >= 10 and limit is None:
        return f"{value:,.1f}"
    shown = digits if abs(value) < 10 else 1
    if limit is not None:
        _, _, decimals = _limit_text(limit).partition(".")
        shown = max(shown, len(decimals))
    while (
        limit is not None
        and value != limit
        and shown < 8
        and round(value, shown) == round(limit, shown)
    ):
        shown += 1
    return f"{value:,.{shown}f}"


@dataclass(frozen=True)
class Check:
    """One rule of the policy applied to one run.

    Parameters
    ----------
    name : str
        What was checked, e.g. ``"roc_auc floor"`` or ``"four-fifths rule by sex"``.
    passed : bool or None
        True (pass), False (fail) or None (cannot be judged, e.g. too little data or a
        metric the run does not have).
    value, limit : float or None
        The measured value and the policy's limit, when there are numbers to show.
    explanation : str
        One plain sentence that a non-technical reader can follow.
    """

    name: str
    passed: bool | None
    value: float | None
    limit: float | None
    explanation: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(f"A check needs a non-empty name. Got {self.name!r} instead.")
        if self.passed not in (True, False, None):
            raise ConfigError(
                f"Check '{self.name}': 'passed' must be True, False or None. "
                f"Got {self.passed!r} instead."
            )
        if not isinstance(self.explanation, str) or not self.explanation.strip():
            raise ConfigError(f"Check '{self.name}' needs a plain-words explanation.")
        for key in ("value", "limit"):
            raw = getattr(self, key)
            if raw is not None and _number(raw) is None:
                raise ConfigError(
                    f"Check '{self.name}': '{key}' must be a finite number or None. "
                    f"Got {raw!r} instead."
                )
            object.__setattr__(self, key, None if raw is None else float(raw))

    @property
    def status(self) -> Literal["PASS", "FAIL", "CANNOT JUDGE"]:
        """The result written out: PASS, FAIL or CANNOT JUDGE."""
        if self.passed is None:
            return "CANNOT JUDGE"
        return "PASS" if self.passed else "FAIL"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "name": self.name,
            "passed": self.passed,
            "value": self.value,
            "limit": self.limit,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Check:
        """Rebuild a check from :meth:`to_dict`'s output."""
        keys = ("name", "passed", "value", "limit", "explanation")
        return cls(*(_field(data, key, "check") for key in keys))


def _field(data: Mapping[str, Any], key: str, what: str) -> Any:
    if not isinstance(data, Mapping):
        raise ArtefactError(
            f"A stored {what} must be a JSON object. Got {type(data).__name__} instead."
        )
    if key not in data:
        raise ArtefactError(
            f"A stored {what} must have the key '{key}'; found only: {', '.join(map(str, data))}."
        )
    return data[key]


@dataclass(frozen=True)
class GateDecision:
    """The governance gate's decision on one trained model, with every check explained.

    Attributes
    ----------
    decision : Decision
        Promote, refuse, or needs human approval.
    checks : tuple of Check
        Every rule applied, in the policy's order.
    reasons : tuple of str
        Why this decision, in plain words.
    high_impact : bool
        Whether the policy marks the use as high-impact.
    trained_by : str
        Who trained the model; they may not approve it.
    policy : dict
        The policy applied, with its defaults filled in.
    decided_at : str
        When the gate decided (UTC, ISO 8601).
    card_missing : tuple of str
        The required parts of the model card still empty when the gate decided (each
        naming the config key that fills it). While any is, the model may not be
        approved or promoted (:func:`approve` refuses).
    """

    decision: Decision
    checks: tuple[Check, ...]
    reasons: tuple[str, ...]
    high_impact: bool
    trained_by: str
    policy: dict[str, Any] = field(default_factory=dict)
    decided_at: str = field(default_factory=_now)
    card_missing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "decision", Decision(self.decision))
        except ValueError:
            allowed = ", ".join(repr(d.value) for d in Decision)
            raise ConfigError(
                f"A gate decision must be one of {allowed}. Got {self.decision!r} instead."
            ) from None
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "reasons", tuple(str(r) for r in self.reasons))
        if not all(isinstance(c, Check) for c in self.checks):
            raise ConfigError("A gate decision's checks must all be Check records.")
        trainer = _require_name(self.trained_by, "trained_by", "GateDecision")
        object.__setattr__(self, "trained_by", trainer)
        object.__setattr__(self, "high_impact", bool(self.high_impact))
        object.__setattr__(self, "policy", dict(self.policy))
        object.__setattr__(self, "card_missing", tuple(str(m) for m in self.card_missing))

    @property
    def failing_checks(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if c.passed is False)

    @property
    def unjudged_checks(self) -> tuple[Check, ...]:
        """The checks that could not be judged from the data."""
        return tuple(c for c in self.checks if c.passed is None)

    @property
    def needs_person(self) -> bool:
        """True unless the gate promoted the model on its own."""
        return self.decision is not Decision.PROMOTE

    def summary(self) -> str:
        """The decision and why, then each check with its result written out."""
        counts = {
            status: sum(c.status == status for c in self.checks)
            for status in ("PASS", "FAIL", "CANNOT JUDGE")
        }
        lines = [f"Gate decision: {self.decision.value}.", *self.reasons]
        if self.checks:
            lines.append(
                f"Checks: {counts['PASS']} passed, {counts['FAIL']} failed, "
                f"{counts['CANNOT JUDGE']} cannot be judged."
            )
            lines += [f"- {c.status}: {c.name}. {c.explanation}" for c in self.checks]
        else:
            lines.append("No checks applied.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; :meth:`from_dict` rebuilds the decision from it."""
        return {
            "decision": self.decision.value,
            "checks": [c.to_dict() for c in self.checks],
            "reasons": list(self.reasons),
            "high_impact": self.high_impact,
            "trained_by": self.trained_by,
            "policy": dict(self.policy),
            "decided_at": self.decided_at,
            "card_missing": list(self.card_missing),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateDecision:
        """Rebuild a decision from :meth:`to_dict`'s output (for example a stored JSON file)."""
        what = "gate decision"
        checks = _field(data, "checks", what)
        reasons = _field(data, "reasons", what)
        policy = _field(data, "policy", what)
        if not isinstance(checks, list | tuple) or not isinstance(reasons, list | tuple):
            raise ArtefactError(f"A stored {what} must hold lists of checks and reasons.")
        if not isinstance(policy, Mapping):
            raise ArtefactError(f"A stored {what} must hold its policy as a JSON object.")
        try:
            return cls(
                decision=_field(data, "decision", what),
                checks=tuple(Check.from_dict(c) for c in checks),
                reasons=tuple(reasons),
                high_impact=_field(data, "high_impact", what),
                trained_by=_field(data, "trained_by", what),
                policy=dict(policy),
                decided_at=_field(data, "decided_at", what),
                # Decisions stored before the card check existed have no such key.
                card_missing=tuple(data.get("card_missing") or ()),
            )
        except ConfigError as exc:
            raise ArtefactError(f"A stored {what} is damaged: {exc}") from None

    def to_frame(self) -> pd.DataFrame:
        """One row per check: name, result, value, limit and explanation."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "check": c.name,
                    "result": c.status,
                    "value": c.value,
                    "limit": c.limit,
                    "explanation": c.explanation,
                }
                for c in self.checks
            ],
            columns=["check", "result", "value", "limit", "explanation"],
        )

    def _repr_html_(self) -> str:
        esc = html.escape

        def value(check: Check) -> str:
            return "n/a" if check.value is None else esc(_value_text(check.value, check.limit))

        def limit(check: Check) -> str:
            return "n/a" if check.limit is None else esc(_limit_text(check.limit))

        rows = "".join(
            f'<tr><th scope="row">{esc(c.name)}</th><td>{c.status}</td>'
            f"<td>{value(c)}</td><td>{limit(c)}</td>"
            f"<td>{esc(c.explanation)}</td></tr>"
            for c in self.checks
        )
        reasons = "".join(f"<li>{esc(r)}</li>" for r in self.reasons)
        table = (
            "<table>"
            f"<caption>Governance gate checks for the model trained by {esc(self.trained_by)}"
            f" (decision: {esc(self.decision.value)})</caption>"
            '<thead><tr><th scope="col">Check</th><th scope="col">Result</th>'
            '<th scope="col">Value</th><th scope="col">Limit</th>'
            '<th scope="col">Explanation</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            if self.checks
            else "<p>No checks applied.</p>"
        )
        return (
            '<div class="mlops-kit-gate">'
            f"<p><strong>Gate decision: {esc(self.decision.value)}.</strong></p>"
            f"<ul>{reasons}</ul>{table}</div>"
        )


def _require_name(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"The '{key}' parameter of {where} must be a person's name (non-empty text). "
            f"Got {value!r} instead."
        )
    return value.strip()


def _same_person(a: str, b: str) -> bool:
    """Names compared ignoring case and extra spaces: 'Sam  Jones' is 'sam jones'."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
