"""A privacy budget: the epsilon spent by releases about the same people, added up.

The epsilons of releases about the same people add up (sequential composition), so a
:class:`PrivacyBudget` keeps the total, records each :class:`Spend` and refuses a
release that would overspend it (:class:`BudgetExceededError`).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, PrivacyError

if TYPE_CHECKING:
    import pandas as pd


#: Spending exactly what remains must succeed despite floating-point sums (0.1 * 10).
_SLACK = 1e-9


class BudgetExceededError(PrivacyError):
    """A release would spend more epsilon than the privacy budget has left.

    Attributes
    ----------
    budget : str
        The budget's name.
    total, spent, requested : float
    label : str
        The release that was refused.
    """

    def __init__(
        self, message: str, *, budget: str, total: float, spent: float, requested: float, label: str
    ) -> None:
        super().__init__(message, problems=(message,))
        self.budget = budget
        self.total = total
        self.spent = spent
        self.requested = requested
        self.label = label


def _positive(value: Any, name: str, where: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(float(value))
        or float(value) <= 0
    ):
        raise ConfigError(
            f"The '{name}' parameter of {where} must be a positive, finite number. "
            f"Got {value!r} instead."
        )
    return float(value)


def _label(label: Any, where: str) -> str:
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(
            f"The 'label' parameter of {where} must name the release (non-empty text), so the "
            f"budget records what was spent on what. Got {label!r} instead."
        )
    return " ".join(label.split())


@dataclass(frozen=True)
class Spend:
    """One release charged to a budget: what, how much epsilon, by which mechanism."""

    label: str
    epsilon: float
    mechanism: str = ""


class PrivacyBudget:
    """A total privacy loss (epsilon) shared by every release about the same people.

    Each :meth:`spend` records a release; one that would take the total spent above
    ``epsilon_total`` is refused with :class:`BudgetExceededError`, and nothing is spent.
    Spends are never undone: a released statistic stays released.

    Parameters
    ----------
    epsilon_total : float
        The budget, such as 1.0.
    name : str, default "privacy budget"
        How to name the budget in messages.

    Examples
    --------
    >>> budget = PrivacyBudget(1.0, name="contacts 2024")
    >>> budget.spend(0.6, "count of people needing housing support")
    Spend(label='count of people needing housing support', epsilon=0.6, mechanism='')
    >>> budget.remaining
    0.4
    >>> try:
    ...     budget.spend(0.5, "mean age")
    ... except BudgetExceededError as exc:
    ...     print(exc)
    The privacy budget 'contacts 2024' cannot pay for 'mean age': it asks for epsilon 0.5, but
    0.6 of the 1 is spent (count of people needing housing support: 0.6), so only 0.4 is left.
    Release it with epsilon of at most 0.4, or not at all.
    """

    def __init__(self, epsilon_total: float, *, name: str = "privacy budget") -> None:
        self._total = _positive(epsilon_total, "epsilon_total", "PrivacyBudget")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                f"The 'name' parameter of PrivacyBudget must be non-empty text. Got {name!r}."
            )
        self._name = name.strip()
        self._spends: list[Spend] = []

    @property
    def name(self) -> str:
        """The budget's name."""
        return self._name

    @property
    def epsilon_total(self) -> float:
        """The whole budget."""
        return self._total

    @property
    def spends(self) -> tuple[Spend, ...]:
        """Every release charged, in order."""
        return tuple(self._spends)

    @property
    def spent(self) -> float:
        """Epsilon spent so far."""
        return math.fsum(s.epsilon for s in self._spends)

    @property
    def remaining(self) -> float:
        """Epsilon left (never below 0)."""
        return max(0.0, round(self._total - self.spent, 12))

    def can_spend(self, epsilon: float) -> bool:
        """Whether a release of ``epsilon`` fits in what is left."""
        eps = _positive(epsilon, "epsilon", "PrivacyBudget.can_spend")
        return self.spent + eps <= self._total * (1 + _SLACK) + _SLACK

    def spend(self, epsilon: float, label: str, *, mechanism: str = "") -> Spend:
        """Charge a release to the budget, or refuse it if it would overspend.

        Raises
        ------
        BudgetExceededError
            Naming the budget, what is spent and on what, and the request.
        """
        eps = _positive(epsilon, "epsilon", "PrivacyBudget.spend")
        what = _label(label, "PrivacyBudget.spend")
        if not self.can_spend(eps):
            spent = self.spent
            detail = "; ".join(f"{s.label}: {s.epsilon:g}" for s in self._spends)
            message = (
                f"The privacy budget '{self._name}' cannot pay for '{what}': it asks for "
                f"epsilon {eps:g}, but {spent:g} of the {self._total:g} is spent"
                + (f" ({detail})" if detail else "")
                + f", so only {self.remaining:g} is left. Release it with epsilon of at most "
                f"{self.remaining:g}, or not at all."
            )
            raise BudgetExceededError(
                message,
                budget=self._name,
                total=self._total,
                spent=spent,
                requested=eps,
                label=what,
            )
        record = Spend(what, eps, mechanism)
        self._spends.append(record)
        return record

    def summary(self) -> str:
        """The budget in words."""
        n = len(self._spends)
        return (
            f"Privacy budget '{self._name}': {self.spent:g} of {self._total:g} spent on "
            f"{n} release{'s' if n != 1 else ''}; {self.remaining:g} left."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per release: label, epsilon, mechanism, and the running total."""
        import pandas as pd

        frame = pd.DataFrame(
            [(s.label, s.epsilon, s.mechanism) for s in self._spends],
            columns=["release", "epsilon", "mechanism"],
        )
        frame["spent so far"] = frame["epsilon"].cumsum()
        return frame

    def __repr__(self) -> str:
        return (
            f"PrivacyBudget({self._total!r}, name={self._name!r}, spent={self.spent:g}, "
            f"releases={len(self._spends)})"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th scope='row'>{html.escape(s.label)}</th><td>{s.epsilon:g}</td>"
            f"<td>{html.escape(s.mechanism)}</td></tr>"
            for s in self._spends
        )
        table = (
            "<table class='mlops-privacy-budget'><caption>Releases charged to the budget"
            "</caption><thead><tr><th scope='col'>release</th><th scope='col'>epsilon</th>"
            f"<th scope='col'>mechanism</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else ""
        )
        return f"<p class='mlops-privacy-budget-summary'>{html.escape(self.summary())}</p>{table}"
