"""Exercise 5, "drift_thresholds": thresholds that catch the change without false alarms.

The scenario continues the monitoring lesson: the benefits compliance team monitors the
claims month by month against the first six months of 2023. Learners pick a
Jensen-Shannon floor that catches the channel change of 2024 without false alarms in the
stable months of 2023 (for a tool with no multiple-testing correction), count the false
alarms a p-value alone would raise, name the feature that drifted first, and read a
batch too small to judge.

Every expected answer is computed when an answer is checked, by running
:func:`mlops_kit.monitor.drift_by_batch` and :func:`mlops_kit.monitor.batch_drift` on the
exercise's table (or any other table passed as ``data``).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ..data import load_dataset
from ..errors import DataValidationError
from ..monitor import batch_drift, drift_by_batch
from ..monitor._months import CLAIMS_NOT_FEATURES
from ._checks import Mistake, as_number, check_choice, check_number
from ._feedback import Feedback, correct, not_yet
from ._framework import Exercise, Question

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CATCH_BY",
    "EXERCISE",
    "REFERENCE",
    "SMALL_BATCH",
    "SMALL_ROWS",
    "STABLE",
    "claims_table",
]

#: The reference window every question compares with.
REFERENCE = ("2023-01", "2023-06")
#: The stable months (no change built into the data) in which no alarm may ring.
STABLE = ("2023-07", "2023-12")
#: The change must be caught by this month.
CATCH_BY = "2024-03"
#: Question 4: the first SMALL_ROWS claims of SMALL_BATCH.
SMALL_BATCH, SMALL_ROWS = "2024-12", 150
#: Question 1's tool: no correction for testing many features, alpha 0.05.
ALPHA = 0.05
UNCORRECTED: dict[str, Any] = {"correction": "none", "alpha": ALPHA}
#: "No effect-size floor": floors so small that only the p-value decides.
NO_FLOOR: dict[str, Any] = {"js_threshold": 1e-9, "psi_threshold": 1e-9, "ks_threshold": 1e-9}


@cache
def _claims() -> pd.DataFrame:
    return load_dataset("benefit_claims")


def claims_table() -> pd.DataFrame:
    """The exercise's data: the bundled benefit claims (a fresh copy)."""
    return _claims().copy()


def _table(data: Any) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            "The drift_thresholds checks need the claims table as a DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    if "month" not in data.columns:
        raise DataValidationError(
            "The drift_thresholds checks need a column 'month'; the table has "
            f"{', '.join(map(str, data.columns))}.",
            column="month",
        )
    return data


def _by_batch(data: Any, settings: dict[str, Any] | None = None) -> pd.DataFrame:
    return drift_by_batch(_table(data), reference=REFERENCE, settings=settings)


def _stable(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["batch"].between(*STABLE)]


def _first(table: pd.DataFrame, feature: str) -> str | None:
    hits = table.loc[table["drifted"].str.split(", ").apply(lambda d: feature in d), "batch"]
    return str(hits.iloc[0]) if len(hits) else None


def _check_q1(answer: Any, data: Any) -> Feedback:
    floor = as_number(answer, expected="a Jensen-Shannon floor between 0 and 1")
    if not 0 < floor <= 1:
        return not_yet(
            f"A Jensen-Shannon distance (base 2) runs from 0 to 1, so its floor must be "
            f"above 0 and at most 1. Got {floor:g}."
        )
    table = _by_batch(data, {**UNCORRECTED, "js_threshold": floor})
    false = _stable(table)
    false = false[false["alarm"]]
    if len(false):
        where = "; ".join(f"{r.drifted} in {r.batch}" for r in false.itertuples())
        return not_yet(
            f"With a floor of {floor:g} the stable months raise {len(false)} false alarm(s): "
            f"{where}. Nothing changed in 2023; these are chance wobbles that an uncorrected "
            "p-value lets through. Raise the floor."
        )
    first = _first(table, "channel")
    if first is None or first > CATCH_BY:
        when = f"only in {first}" if first else "never"
        return not_yet(
            f"With a floor of {floor:g} there is no false alarm, but the channel change is "
            f"caught {when}, after {CATCH_BY}: months of claims would be scored by a model "
            "that no longer fits them. Lower the floor."
        )
    return correct(
        f"Right: with a floor of {floor:g} no stable month raises an alarm, and 'channel' "
        f"drifts first in {first}. Any floor in the gap between the largest chance wobble "
        "of 2023 and the channel's shift early in 2024 works; the wider that gap, the "
        "easier monitoring is."
    )


def _check_q2(answer: Any, data: Any) -> Feedback:
    table = _by_batch(data, {**UNCORRECTED, **NO_FLOOR})
    expected = int(_stable(table)["n_drifted"].sum())
    corrected = _by_batch(data, NO_FLOOR)
    n_features = len([c for c in _table(data).columns if c not in CLAIMS_NOT_FEATURES])
    n_months = len(_stable(table))
    chance = n_features * n_months * ALPHA
    return check_number(
        answer,
        expected,
        what="number of false alarms",
        lower=0,
        upper=10**4,
        tol=0.5,
        correct_message=(
            f"Right: {expected} feature-months ring an alarm in a half-year in which nothing "
            f"changed. Chance alone predicts about {chance:.1f} ({n_features} features x "
            f"{n_months} months x {ALPHA:g}); a monitor that raises them every "
            "half-year is soon ignored."
        ),
        mistakes=[
            Mistake(
                int(_stable(corrected)["n_drifted"].sum()),
                "That is the count with the Benjamini-Hochberg correction left on (the "
                "default). The question's tool has no correction: pass "
                "settings={'correction': 'none', ...}.",
            ),
            Mistake(
                chance,
                "That is what chance predicts (features x months x alpha), not what happened "
                "in the data. Run drift_by_batch and add up n_drifted over July to December "
                "2023.",
            ),
            Mistake(
                int(_stable(table)["alarm"].sum()),
                "That counts months with at least one alarm. Count the alarms themselves: a "
                "month in which two features ring counts twice (add up n_drifted).",
            ),
        ],
    )


def _check_q3(answer: Any, data: Any) -> Feedback:
    table = _by_batch(data)
    alarms = table[table["alarm"]]
    if alarms.empty:
        raise DataValidationError("No month drifts in this table, so nothing drifted first.")
    month = str(alarms["batch"].iloc[0])
    right = str(alarms["drifted"].iloc[0]).split(", ")[0]
    features = [c for c in _table(data).columns if c not in CLAIMS_NOT_FEATURES]
    options: dict[str, str] = {}
    for feature in features:
        first = _first(table, feature)
        if feature == right:
            options[feature] = (
                f"Right: '{feature}' drifts first, in {month}, as claims move to the new "
                "online form. Everything else the change touches follows from it."
            )
        elif first is not None:
            options[feature] = (
                f"'{feature}' drifts too, but later: first in {first}. Which feature rang the "
                f"first alarm, in {month}?"
            )
        else:
            options[feature] = (
                f"'{feature}' never drifts against the reference window. Look at the 'drifted' "
                f"column of the first month with an alarm ({month})."
            )
    return check_choice(answer, right=right, options=options)


def _check_q4(answer: Any, data: Any) -> Feedback:
    report = batch_drift(_table(data), SMALL_BATCH, reference=REFERENCE, max_rows=SMALL_ROWS)
    full = batch_drift(_table(data), SMALL_BATCH, reference=REFERENCE)
    later = (
        f"the whole month ({full.n_current:,} rows) shows drift in {', '.join(full.drifted)}"
        if full.drifted
        else f"the whole month ({full.n_current:,} rows) can be judged"
    )
    right = "wait" if report.too_small else "retrain" if report.drifted else "stable"
    need = report.settings.min_rows
    small = (
        f"The report judged {len(report.too_small)} feature(s) 'too small to judge': "
        f"{report.n_current:,} rows, and each batch needs {need:,}."
    )
    return check_choice(
        answer,
        right=right,
        aliases={
            "wait_for_more_rows": "wait",
            "wait_for_more_data": "wait",
            "too_small": "wait",
            "too_small_to_judge": "wait",
            "no_drift": "stable",
            "no_alarm": "stable",
            "drift": "retrain",
            "drifted": "retrain",
        },
        options={
            "stable": (
                f"No feature is marked drifted, but that is not the same as stable. {small} "
                "No verdict is not a clean bill of health."
                if right != "stable"
                else "Right: the batch is large enough and nothing drifted."
            ),
            "retrain": (
                f"{small} Nothing can be said about drift yet, so nothing should be retrained "
                "on it."
                if right != "retrain"
                else "Right: the batch is large enough and features drifted."
            ),
            "wait": (
                f"Right. {small} The alert's action is to wait for more rows: {later}."
                if right == "wait"
                else "This batch is large enough to judge: read its verdicts."
            ),
        },
    )


#: The terms the exercise uses, in plain words, for the novice track.
TERMS: tuple[tuple[str, str], ...] = (
    (
        "Jensen-Shannon distance (js_threshold)",
        "how different two distributions of a category (such as the channel: online, "
        "phone, paper) are, from 0 (identical) to 1. It is the effect size for "
        "categorical features; the default floor is 0.1.",
    ),
    (
        "PSI (psi_threshold)",
        "the population stability index, the effect size for numeric features (default floor 0.1).",
    ),
    (
        "Correction (correction)",
        'with many features tested at once, some look "significant" by chance. '
        '"benjamini-hochberg" (the default) corrects the p-values for it; "none" does'
        " not.",
    ),
    ("A false alarm", "a feature flagged as drifted in a month when nothing changed."),
)


EXERCISE = Exercise(
    id="drift_thresholds",
    title="Drift thresholds: catch the change without false alarms",
    load_data=claims_table,
    terms=TERMS,
    questions=(
        Question(
            id="drift_thresholds.q1",
            prompt=f"A Jensen-Shannon floor that raises no alarm in {STABLE[0]} to {STABLE[1]} "
            f"and catches the channel change by {CATCH_BY} (no correction, alpha 0.05).",
            checker=_check_q1,
            hint="Try floors with `drift_by_batch(claims, settings={'correction': 'none', "
            "'js_threshold': ...})` and look at the 'alarm' and 'drifted' columns: the 2023 "
            "rows must have no alarm, and 'channel' must appear by 2024-03. Try values "
            "between 0.01 and 0.3.",
        ),
        Question(
            id="drift_thresholds.q2",
            prompt=f"False alarms (feature-months) in {STABLE[0]} to {STABLE[1]} from the "
            "p-value alone: no correction, alpha 0.05, no effect-size floor.",
            checker=_check_q2,
            hint="Run `drift_by_batch(claims, settings={'correction': 'none', "
            "'js_threshold': 1e-9, 'psi_threshold': 1e-9})` and add up the 'n_drifted' column "
            "over the rows from 2023-07 to 2023-12.",
        ),
        Question(
            id="drift_thresholds.q3",
            prompt="Which feature drifts first with the default settings?",
            checker=_check_q3,
            hint="Run `drift_by_batch(claims)` with the defaults and read the 'drifted' "
            "column of the first row whose 'alarm' is True; give the feature's name as text.",
        ),
        Question(
            id="drift_thresholds.q4",
            prompt=f"The first {SMALL_ROWS} claims of {SMALL_BATCH} show no drifted feature: "
            "'stable', 'retrain' or 'wait'?",
            checker=_check_q4,
            hint=f"Run `batch_drift(claims, '{SMALL_BATCH}', max_rows={SMALL_ROWS})` and read "
            "its `too_small` and `alerts`: is there a verdict at all?",
        ),
    ),
)
