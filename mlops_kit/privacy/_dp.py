"""Differential privacy basics: Laplace noise for published counts and means, and a budget.

A statistic is *epsilon-differentially private* when adding, removing or changing one
person's row changes the chance of any published value by a factor of at most
``exp(epsilon)``: nobody can tell from the output whether a given person was in the data.
The Laplace mechanism gets there by adding noise drawn from a Laplace distribution with
scale ``b = sensitivity / epsilon``, where the *sensitivity* is the most one person can
change the statistic:

* a **count** changes by at most 1, so ``b = 1 / epsilon``;
* a **mean of values clipped to [lower, upper]** over ``n`` rows changes by at most
  ``(upper - lower) / n`` when one person's value changes; ``n`` is taken as public
  (already published, or fixed by the design), as in the textbook bounded mean.

The noise has mean 0 and variance ``2 b**2``; it is within ``b * ln(20)`` of zero 95% of
the time. Smaller epsilon means more privacy and more noise.

Every release spends privacy: the epsilons of the releases about the same people add up
(sequential composition), so a :class:`PrivacyBudget` keeps the total and refuses a
release that would overspend it.

Limits: this is for teaching and for small internal releases. NumPy's generator is not
a cryptographic source of randomness, and textbook floating-point Laplace noise leaks a
little through the lowest bits (Mironov, 2012). Before publishing official statistics,
use a vetted library such as OpenDP and follow the statistical disclosure guidance of
the Government Statistical Service.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, PrivacyError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BudgetExceededError",
    "NoisyStatistic",
    "PrivacyBudget",
    "Spend",
    "laplace_bounded_mean",
    "laplace_count",
]

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


@dataclass(frozen=True)
class NoisyStatistic:
    """A released statistic with its noise: the true value is never kept.

    Attributes
    ----------
    label : str
    mechanism : str
        ``"Laplace count"`` or ``"Laplace bounded mean"``.
    value : float
        What may be published.
    epsilon : float
        The privacy loss spent on it.
    sensitivity : float
        The most one person can change the true statistic.
    scale : float
        The Laplace noise scale ``b = sensitivity / epsilon``.
    """

    label: str
    mechanism: str
    value: float
    epsilon: float
    sensitivity: float
    scale: float

    @property
    def noise_sd(self) -> float:
        """The noise's standard deviation, ``sqrt(2) * b``."""
        return math.sqrt(2.0) * self.scale

    @property
    def margin95(self) -> float:
        """The noise is within this of zero 95% of the time: ``b * ln(20)``."""
        return self.scale * math.log(20.0)

    def describe(self) -> str:
        """The release in words.

        Examples
        --------
        >>> s = laplace_count(120, epsilon=0.5, rng=0, label="people needing housing help")
        >>> print(s.describe())
        people needing housing help: 120.6 (Laplace count, epsilon 0.5; the noise is within
        ±5.99 of the true value 95% of the time).
        """
        return (
            f"{self.label}: {self.value:.1f} ({self.mechanism}, epsilon {self.epsilon:g}; the "
            f"noise is within ±{self.margin95:.3g} of the true value 95% of the time)."
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field, for a table of releases."""
        return {
            "label": self.label,
            "mechanism": self.mechanism,
            "value": self.value,
            "epsilon": self.epsilon,
            "sensitivity": self.sensitivity,
            "scale": self.scale,
            "margin95": self.margin95,
        }

    def _repr_html_(self) -> str:
        return f"<p class='mlops-dp-release'>{html.escape(self.describe())}</p>"


def _generator(rng: Any, where: str) -> np.random.Generator:
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ConfigError(
        f"The 'rng' parameter of {where} must be a numpy Generator, a non-negative seed or "
        f"None. Got {rng!r} instead."
    )


def _charge(
    budget: PrivacyBudget | None, epsilon: float, label: str | None, mechanism: str, where: str
) -> str:
    if budget is None:
        return label if isinstance(label, str) and label.strip() else mechanism
    if not isinstance(budget, PrivacyBudget):
        raise ConfigError(
            f"The 'budget' parameter of {where} must be a PrivacyBudget or None. "
            f"Got {type(budget).__name__} instead."
        )
    what = _label(label, where)
    budget.spend(epsilon, what, mechanism=mechanism)
    return what


def _true_count(data: Any, where: str) -> int:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return len(data)
    if isinstance(data, int | np.integer) and not isinstance(data, bool):
        if data < 0:
            raise DataValidationError(f"A count given to {where} cannot be negative; got {data}.")
        return int(data)
    values = np.asarray(data)
    if values.dtype == bool:
        return int(values.sum())
    raise DataValidationError(
        f"{where} counts a DataFrame's rows, the True values of a boolean mask, or takes a "
        f"whole number that is already a count. Got {type(data).__name__}"
        + (f" of dtype {values.dtype}" if values.ndim else "")
        + " instead."
    )


def laplace_count(
    data: Any,
    *,
    epsilon: float,
    budget: PrivacyBudget | None = None,
    label: str | None = None,
    rng: np.random.Generator | int | None = None,
) -> NoisyStatistic:
    """A count with Laplace noise of scale ``1 / epsilon`` (the sensitivity of a count is 1).

    Parameters
    ----------
    data : DataFrame, boolean mask or int
        Rows to count, a condition to count (``contacts["support_need"] == "housing"``),
        or the true count itself.
    epsilon : float
        The privacy loss to spend; smaller is more private and noisier.
    budget : PrivacyBudget, optional
        Charged before anything is computed; a refusal releases nothing.
    label : str, optional
        What is released (required with a budget).
    rng : numpy Generator, int or None
        The source of noise; a seed makes a lesson reproducible. ``None`` draws fresh
        entropy, as a real release should.

    Returns
    -------
    NoisyStatistic

    Raises
    ------
    BudgetExceededError
        The budget cannot pay for ``epsilon``.

    Examples
    --------
    >>> laplace_count(120, epsilon=1.0, rng=0).value
    120.32...
    """
    where = "laplace_count"
    eps = _positive(epsilon, "epsilon", where)
    generator = _generator(rng, where)
    count = _true_count(data, where)
    what = _charge(budget, eps, label, "Laplace count", where)
    scale = 1.0 / eps
    return NoisyStatistic(
        label=what,
        mechanism="Laplace count",
        value=float(count + generator.laplace(0.0, scale)),
        epsilon=eps,
        sensitivity=1.0,
        scale=scale,
    )


def laplace_bounded_mean(
    values: Any,
    *,
    lower: float,
    upper: float,
    epsilon: float,
    budget: PrivacyBudget | None = None,
    label: str | None = None,
    rng: np.random.Generator | int | None = None,
) -> NoisyStatistic:
    """A mean of values clipped to ``[lower, upper]``, with Laplace noise.

    Clipping bounds what one person can contribute, so the sensitivity of the mean over
    ``n`` rows is ``(upper - lower) / n`` and the noise scale is that over ``epsilon``.
    Declare the bounds from knowledge (ages 16 to 100), never from the data: bounds read
    off the data leak its minimum and maximum. The row count ``n`` is treated as public.

    Parameters
    ----------
    values : array-like of numbers
        No missing values (decide how to treat them first).
    lower, upper : float
        The declared bounds; ``lower < upper``.
    epsilon, budget, label, rng
        As for :func:`laplace_count`.

    Returns
    -------
    NoisyStatistic

    Raises
    ------
    DataValidationError
        No values, missing or non-numeric values.
    ConfigError
        Bounds that are not finite or not in order.
    BudgetExceededError
        The budget cannot pay for ``epsilon``.

    Examples
    --------
    >>> s = laplace_bounded_mean([30, 40, 50, 60], lower=16, upper=100, epsilon=1.0, rng=0)
    >>> round(s.sensitivity, 2), round(s.scale, 2)
    (21.0, 21.0)
    """
    import pandas as pd

    where = "laplace_bounded_mean"
    eps = _positive(epsilon, "epsilon", where)
    generator = _generator(rng, where)
    for name, bound in (("lower", lower), ("upper", upper)):
        if (
            isinstance(bound, bool)
            or not isinstance(bound, int | float | np.integer | np.floating)
            or not math.isfinite(float(bound))
        ):
            raise ConfigError(
                f"The '{name}' parameter of {where} must be a finite number. Got {bound!r}."
            )
    if not float(lower) < float(upper):
        raise ConfigError(
            f"The bounds of {where} must satisfy lower < upper. Got lower={lower!r}, "
            f"upper={upper!r}."
        )
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    numbers = pd.to_numeric(series, errors="coerce")
    if len(numbers) == 0:
        raise DataValidationError(f"{where} needs at least one value; got none.")
    if numbers.isna().any():
        n_bad = int(numbers.isna().sum())
        raise DataValidationError(
            f"The values given to {where} must all be numbers; {n_bad} are missing or not "
            "numbers. Drop or impute them first, and say which you did."
        )
    clipped = numbers.to_numpy(dtype=float).clip(float(lower), float(upper))
    n = len(clipped)
    sensitivity = (float(upper) - float(lower)) / n
    what = _charge(budget, eps, label, "Laplace bounded mean", where)
    scale = sensitivity / eps
    return NoisyStatistic(
        label=what,
        mechanism="Laplace bounded mean",
        value=float(clipped.mean() + generator.laplace(0.0, scale)),
        epsilon=eps,
        sensitivity=sensitivity,
        scale=scale,
    )
