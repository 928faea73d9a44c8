"""A flagged case, and the cases an explained model flags, ready for the review queue.

Part of :mod:`mlops_kit.review`; see the package docstring.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..explain import ModelExplanation, display_value

__all__ = ["ReviewCase", "flagged_cases"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ReviewCase:
    """A flagged case waiting for a caseworker.

    Attributes
    ----------
    case_id : str
        The case reference.
    score : float
        The model's score (probability of the adverse outcome).
    threshold : float
        The score at or above which the model flags a case.
    reasons : str
        The reason codes the caseworker reads.
    details : dict of str to str
        The case's feature values, by plain label, as the caseworker sees them.
    groups : dict of str to str
        Protected attributes, kept **only** to monitor override rates by group; never
        shown to the caseworker and never written to the audit log.
    added_at : str
        When the case joined the queue (UTC, ISO 8601).
    """

    case_id: str
    score: float
    threshold: float
    reasons: str
    details: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    added_at: str = field(default_factory=_now)

    def __post_init__(self) -> None:
        if not isinstance(self.case_id, str) or not self.case_id.strip():
            raise ConfigError(
                f"A review case needs a case reference (non-empty text). Got {self.case_id!r}."
            )
        for name in ("score", "threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"The {name} of case {self.case_id} must be a number.")
            if not (math.isfinite(value) and 0 <= value <= 1):
                raise ConfigError(
                    f"The {name} of case {self.case_id} must be between 0 and 1. Got {value!r}."
                )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def flagged_cases(
    explanation: ModelExplanation,
    *,
    threshold: float | None = None,
    max_cases: int | None = None,
    n_reasons: int = 3,
) -> list[ReviewCase]:
    """The cases an explained model flags, highest score first, each with its reason codes.

    Parameters
    ----------
    explanation : ModelExplanation
        Of a binary classifier.
    threshold : float, optional
        Flag at or above this score; default the explanation's threshold.
    max_cases : int, optional
        At most this many (the highest scores), for a team with limited capacity.
    n_reasons : int, default 3
        Reasons each way in each case's reason codes.

    Returns
    -------
    list of ReviewCase
        With the case's feature values by plain label (what the caseworker sees) and its
        protected groups (kept for monitoring only).

    Raises
    ------
    ConfigError
        A regression model, no threshold, or a bad ``max_cases``.
    """
    if explanation.task != "classification":
        raise ConfigError("Only a classifier's flags can be reviewed; this model is a regressor.")
    limit = explanation.threshold if threshold is None else threshold
    if limit is None or isinstance(limit, bool) or not 0 < float(limit) < 1:
        raise ConfigError(
            "flagged_cases needs the threshold at or above which a case is flagged, a number "
            f"in (0, 1), from the explanation or the 'threshold' parameter. Got {limit!r}."
        )
    if max_cases is not None and (
        isinstance(max_cases, bool) or not isinstance(max_cases, int) or max_cases < 1
    ):
        raise ConfigError(f"'max_cases' must be a whole number of at least 1. Got {max_cases!r}.")
    order = [int(i) for i in np.argsort(-explanation.scores, kind="stable")]
    flagged = [i for i in order if explanation.scores[i] >= float(limit)][:max_cases]
    cases = []
    for i in flagged:
        codes = explanation.reason_codes(i, n=n_reasons, threshold=float(limit))
        row = explanation.data.iloc[i]
        groups = {}
        if explanation.groups is not None:
            groups = {
                str(a): display_value(explanation.groups.iloc[i][a])
                for a in explanation.groups.columns
            }
        cases.append(
            ReviewCase(
                case_id=codes.case_id,
                score=round(float(explanation.scores[i]), 6),
                threshold=float(limit),
                reasons=codes.text,
                details={
                    explanation.labels[f]: display_value(row[f]) for f in explanation.features
                },
                groups=groups,
            )
        )
    return cases
