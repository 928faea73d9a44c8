"""The override rate: how often caseworkers overrule the model, overall and by group.

Part of :mod:`mlops_kit.review`; see the package docstring.

The override rate is a monitoring signal in both directions. A high rate means the
people closest to the cases often disagree with the model: it is miscalibrated, has gone
stale, or is unfair to a group whose flags are overturned more often. A rate near zero
can mean the opposite problem, automation bias: reviews that rubber-stamp the model are
not the meaningful human involvement the law and the Algorithmic Transparency Recording
Standard expect. Groups with too few decisions are shown but not judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._override_report import ALERT_STATUSES, ALL, OverrideReport, ReviewAlert

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["OverrideReport", "ReviewAlert", "override_rates"]

#: Columns of a queue table that are not protected attributes.
QUEUE_COLUMNS = (
    "case_id",
    "score",
    "decided",
    "action",
    "final_decision",
    "reviewer",
    "reason",
    "decided_at",
)


def _status(rate: float, decided: int, overall: float | None, limits: dict[str, Any]) -> str:
    if decided < limits["min_decisions"]:
        return "too few to judge"
    if rate > limits["max_rate"]:
        return "above the limit"
    if limits["min_rate"] is not None and rate < limits["min_rate"]:
        return "below the floor"
    gap = limits["max_gap"]
    if overall is not None and gap is not None and rate - overall > gap:
        return "well above all cases"
    return "within limits"


def override_rates(
    queue: pd.DataFrame,
    *,
    max_rate: float = 0.75,
    min_rate: float | None = None,
    max_gap: float | None = 0.15,
    min_decisions: int = 20,
) -> OverrideReport:
    """Override rates overall and by each protected attribute, from a queue's table.

    Parameters
    ----------
    queue : pandas.DataFrame
        :meth:`ReviewQueue.to_frame`: ``case_id``, ``decided``, ``action``, then one
        column per protected attribute.
    max_rate : float, default 0.75
        Alert when caseworkers override more than this share of the flags (overall or of
        a group). Set it from the precision the evaluation promised: at precision 0.35
        about 65% of flags are expected to be overturned.
    min_rate : float, optional
        Alert when they override less than this share (possible rubber-stamping).
    max_gap : float or None, default 0.15
        Alert when a group's rate is more than this above the rate for all cases: its
        flags are overturned more often than others'.
    min_decisions : int, default 20
        Fewer decisions than this are "too few to judge" and raise no alert.

    Returns
    -------
    OverrideReport

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"case_id": list("abcd"), "decided": [True] * 4,
    ...                   "action": ["override", "accept", "accept", "override"],
    ...                   "sex": ["female", "female", "male", "male"]})
    >>> report = override_rates(q, max_rate=0.4, max_gap=None, min_decisions=2)
    >>> report.rate, [a.subject for a in report.alerts]
    (0.5, ['all cases', 'sex = female', 'sex = male'])
    """
    _check_arguments(queue, max_rate, min_rate, max_gap, min_decisions)
    import pandas as pd

    limits = {
        "max_rate": float(max_rate),
        "min_rate": min_rate,
        "max_gap": max_gap,
        "min_decisions": min_decisions,
    }
    decided = queue[queue["decided"].astype(bool)]
    over = (decided["action"] == "override").to_numpy()
    rows = _rows(queue, over, limits)
    table = pd.DataFrame(
        rows, columns=["attribute", "group", "decided", "overridden", "rate", "status"]
    )
    alerts = _alerts(rows, max_rate=max_rate, min_rate=min_rate, max_gap=max_gap)
    return OverrideReport(
        table=table,
        alerts=alerts,
        n_cases=len(queue),
        n_decided=len(decided),
        max_rate=float(max_rate),
        min_rate=None if min_rate is None else float(min_rate),
        max_gap=None if max_gap is None else float(max_gap),
        min_decisions=min_decisions,
    )


def _rows(queue: pd.DataFrame, over: np.ndarray, limits: dict[str, Any]) -> list[dict[str, Any]]:
    """The override rate of all decided cases, then of each group of each attribute."""
    decided = queue[queue["decided"].astype(bool)]
    rows: list[dict[str, Any]] = []

    def add(attribute: str, group: str, mask: np.ndarray, overall: float | None) -> None:
        n, k = int(mask.sum()), int(over[mask].sum())
        rate = k / n if n else float("nan")
        status = _status(rate, n, overall, limits)
        rows.append(
            {
                "attribute": attribute,
                "group": group,
                "decided": n,
                "overridden": k,
                "rate": rate,
                "status": status,
            }
        )

    add("all", ALL, np.ones(len(decided), dtype=bool), None)
    overall = rows[0]["rate"] if rows[0]["decided"] else None
    attributes = [c for c in queue.columns if c not in QUEUE_COLUMNS]
    for attribute in attributes:
        everyone = queue[attribute].astype(object).where(queue[attribute].notna(), "(missing)")
        groups = everyone[queue["decided"].astype(bool)].astype(str).to_numpy()
        for group in sorted({str(g) for g in everyone}):
            add(attribute, group, groups == group, overall)
    return rows


def _check_arguments(
    queue: pd.DataFrame,
    max_rate: float,
    min_rate: float | None,
    max_gap: float | None,
    min_decisions: int,
) -> None:
    """Refuse limits that are not shares, crossed limits, and a table without decisions."""
    for name, value in (("max_rate", max_rate), ("min_rate", min_rate), ("max_gap", max_gap)):
        if value is None and name != "max_rate":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ConfigError(
                f"The '{name}' parameter of override_rates must be a share between 0 and 1. "
                f"Got {value!r} instead."
            )
    if min_rate is not None and min_rate >= max_rate:
        raise ConfigError(
            f"'min_rate' ({min_rate}) must be below 'max_rate' ({max_rate}), or no rate "
            "could be within limits."
        )
    if isinstance(min_decisions, bool) or not isinstance(min_decisions, int) or min_decisions < 1:
        raise ConfigError(
            f"'min_decisions' must be a whole number of at least 1. Got {min_decisions!r}."
        )
    missing = [c for c in ("case_id", "decided", "action") if c not in queue.columns]
    if missing:
        raise DataValidationError(
            f"The queue table needs the column '{missing[0]}' (use ReviewQueue.to_frame()).",
            column=missing[0],
        )


def _alerts(
    rows: list[dict[str, Any]],
    *,
    max_rate: float,
    min_rate: float | None,
    max_gap: float | None,
) -> tuple[ReviewAlert, ...]:
    """An alert for every group whose status calls for one."""
    limit_of = {"high": float(max_rate), "low": float(min_rate or 0.0), "gap": float(max_gap or 0)}
    return tuple(
        ReviewAlert(
            attribute=str(r["attribute"]),
            group=str(r["group"]),
            kind=ALERT_STATUSES[r["status"]],
            rate=float(r["rate"]),
            limit=limit_of[ALERT_STATUSES[r["status"]]],
            decided=int(r["decided"]),
            overridden=int(r["overridden"]),
        )
        for r in rows
        if r["status"] in ALERT_STATUSES
    )
