"""A simulated caseworker, for lessons and tests: decisions from the known outcomes.

Part of :mod:`mlops_kit.review`; see the package docstring.

In the bundled data every claim's review outcome is known, so a caseworker can be
simulated: they find the truth with probability ``accuracy``, accept the flag when an
error is found and override it (with a written reason) when none is. Every decision goes
through :meth:`ReviewQueue.decide`, so the same rules and the same audit trail apply as
for a person. Never use it on real cases: its whole point is that a real decision needs
a real person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ..explain import ModelExplanation
from ._queue import ReviewDecision, ReviewQueue

__all__ = ["SIMULATED_REASONS", "simulate_reviews"]

#: The written reasons the simulated caseworker gives.
SIMULATED_REASONS = {
    "accept": "Review confirmed the flag: an error was found in the claim.",
    "override": "Review found no fraud or error: the claim's details were checked and are correct.",
}


def _truth(outcomes: Any) -> dict[str, int]:
    if isinstance(outcomes, ModelExplanation):
        if outcomes.y is None:
            raise DataValidationError(
                "The explanation holds no outcomes (y): explain the model with y=... to "
                "simulate reviews."
            )
        return {str(k): int(v) for k, v in zip(outcomes.data.index, outcomes.y, strict=True)}
    if isinstance(outcomes, Mapping) or hasattr(outcomes, "items"):
        return {str(k): int(v) for k, v in outcomes.items()}
    raise ConfigError(
        "The outcomes must be a ModelExplanation with y, or a mapping (or Series) from case "
        f"reference to 0/1. Got {type(outcomes).__name__} instead."
    )


def simulate_reviews(
    queue: ReviewQueue,
    outcomes: ModelExplanation | Mapping[str, int] | Any,
    *,
    reviewer: str = "Sam Caseworker (simulated)",
    accuracy: float = 0.95,
    n: int | None = None,
    seed: int = 0,
) -> list[ReviewDecision]:
    """Decide the pending cases as a caseworker who finds the truth ``accuracy`` of the time.

    Parameters
    ----------
    queue : ReviewQueue
    outcomes : ModelExplanation (with ``y``), or mapping from case reference to 0/1
        What a review of each case finds (1: fraud or error).
    reviewer : str
        The simulated caseworker's name, recorded as the audit actor.
    accuracy : float, default 0.95
        Probability that the review finds the truth.
    n : int, optional
        Decide at most this many pending cases (default all).
    seed : int, default 0

    Returns
    -------
    list of ReviewDecision

    Raises
    ------
    DataValidationError
        A pending case has no known outcome.
    """
    if (
        isinstance(accuracy, bool)
        or not isinstance(accuracy, int | float)
        or not (0 <= accuracy <= 1)
    ):
        raise ConfigError(f"'accuracy' must be a probability between 0 and 1. Got {accuracy!r}.")
    truth = _truth(outcomes)
    pending = queue.pending()[:n] if n is not None else queue.pending()
    unknown = [c.case_id for c in pending if c.case_id not in truth]
    if unknown:
        raise DataValidationError(
            f"No outcome is known for case {unknown[0]} (and {len(unknown) - 1} more), so its "
            "review cannot be simulated."
        )
    rng = np.random.default_rng(seed)
    decisions = []
    for case in pending:
        found_error = bool(truth[case.case_id])
        if rng.random() >= accuracy:
            found_error = not found_error
        action = "accept" if found_error else "override"
        decisions.append(
            queue.decide(
                case.case_id, action=action, reviewer=reviewer, reason=SIMULATED_REASONS[action]
            )
        )
    return decisions
