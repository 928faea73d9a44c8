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
(sequential composition), so a :class:`PrivacyBudget` (in ``_budget``) keeps the total
and refuses a release that would overspend it.

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
from typing import Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._budget import PrivacyBudget, _label, _positive

__all__ = ["NoisyStatistic", "laplace_bounded_mean", "laplace_count"]


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
    where = "laplace_bounded_mean"
    eps = _positive(epsilon, "epsilon", where)
    generator = _generator(rng, where)
    _check_bounds(lower, upper, where)
    clipped = _numbers(values, where).clip(float(lower), float(upper))
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


def _check_bounds(lower: Any, upper: Any, where: str) -> None:
    """Refuse bounds that are not finite numbers with ``lower < upper``."""
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


def _numbers(values: Any, where: str) -> np.ndarray:
    """The values as floats, refusing none, missing or non-numeric values."""
    import pandas as pd

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
    return numbers.to_numpy(dtype=float)
