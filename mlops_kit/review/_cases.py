"""Flagged cases from an explained model, ready for the review queue.

Part of :mod:`mlops_kit.review`; see the package docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConfigError
from ._queue import ReviewCase

if TYPE_CHECKING:
    from ..explain import ModelExplanation

__all__ = ["flagged_cases"]


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
    from ..explain import display_value

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
