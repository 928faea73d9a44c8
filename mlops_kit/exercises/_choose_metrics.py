"""Exercise 1, "choose_metrics": the right metric for a fraud-and-error review team.

The scenario: a benefits fraud-and-error review team can investigate only a few
hundred claims a month, and every flag means a stressful interview for a claimant.
A model scores each claim; a score of 0.5 or more is a flag. Learners choose the
metric that fits the team's goal, compute precision and recall, choose the column of
recall in a prepared table of rates by ethnic group (``rates_by_group``, so no
``groupby`` is needed), and apply the four-fifths rule to flag rates (a flag is an
adverse outcome).

Every expected answer is computed from the exercise's table of predictions (with
scikit-learn through :mod:`mlops_kit.metrics` and fairlearn's definitions through
:mod:`mlops_kit.fairness`), never written down, so the checks stay right if the
bundled data or the model change.

Over 400 lines because each of the exercise's six questions has its own checker with the
common mistakes it recognises, and an exercise is one module (``exercises/README.md``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import load_dataset, profile_dataset
from ..errors import DataValidationError
from ..fairness import group_metrics
from ..metrics import METRIC_GLOSSARY, classification_metrics, confusion_counts
from ..train import train_model
from ._checks import (
    Mistake,
    as_text,
    check_choice,
    check_mapping,
    check_number,
    describe,
    join_words,
)
from ._feedback import AnswerTypeError, Feedback, correct, not_yet
from ._framework import Exercise, Question

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXERCISE", "GROUP", "THRESHOLD", "predictions_table"]

#: A claim is flagged when its score is at least this.
THRESHOLD = 0.5
#: The protected attribute the group questions use.
GROUP = "ethnic_group"
_GROUP_WORDS = GROUP.replace("_", " ")
_DATASET = "benefit_claims"
_COLUMNS = ("y_true", "y_score", "sex", "age_band", "ethnic_group", "disability", "month")


@functools.lru_cache(maxsize=1)
def _predictions() -> pd.DataFrame:
    claims = load_dataset(_DATASET, validate=False)
    profile = profile_dataset(claims, _DATASET)
    result = train_model(
        claims,
        profile.roles,
        model="logistic",
        split="time",
        cv_folds=0,
        threshold=THRESHOLD,
        seed=0,
    )
    return result.predictions.loc[:, list(_COLUMNS)].reset_index(drop=True)


def predictions_table() -> pd.DataFrame:
    """The exercise's fixed table of held-out predictions (a fresh copy each call).

    A logistic regression trained on the bundled benefit claims from January 2023 to
    June 2024 and scored on the later, unseen July to December 2024 (10,500 claims).
    Computed once per process, in about a second and a half.

    Returns
    -------
    pandas.DataFrame
        ``y_true`` (1 = fraud or error found on review), ``y_score`` (the model's
        probability of that), the protected columns ``sex``, ``age_band``,
        ``ethnic_group`` and ``disability``, and ``month``.
    """
    return _predictions().copy()


@dataclass(frozen=True)
class _Facts:
    """Everything the checks compare with, computed from one predictions table."""

    n: int
    counts: dict[str, int]
    overall: dict[str, float]
    overall_gt: dict[str, float]
    base_rate: float
    groups: pd.DataFrame  # per group: count, flag_rate, recall, precision, base_rate, ...


def _facts(data: Any) -> _Facts:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"The choose_metrics checks need a DataFrame of predictions. "
            f"Got {type(data).__name__} instead."
        )
    for col in ("y_true", "y_score", GROUP):
        if col not in data.columns:
            raise DataValidationError(
                f"The choose_metrics checks need a column '{col}'; the table has "
                f"{', '.join(map(str, data.columns))}.",
                column=col,
            )
    y = data["y_true"].to_numpy(dtype=np.int64)
    score = data["y_score"].to_numpy(dtype=float)
    flags = (score >= THRESHOLD).astype(np.int64)
    flags_gt = (score > THRESHOLD).astype(np.int64)
    groups = data[GROUP].astype(str).to_numpy()
    rates = ("count", "selection_rate", "true_positive_rate", "precision")
    by = group_metrics(y, flags, groups, metrics=rates)
    by_gt = group_metrics(y, flags_gt, groups, metrics=rates)
    table = pd.DataFrame(
        {
            "count": by["count"],
            "flag_rate": by["selection_rate"],
            "recall": by["true_positive_rate"],
            "precision": by["precision"],
            "base_rate": pd.Series(y, index=groups).groupby(level=0).mean(),
            "flag_rate_gt": by_gt["selection_rate"],
            "recall_gt": by_gt["true_positive_rate"],
        }
    )
    table.index = table.index.astype(str)
    overall = {k: float(v or 0.0) for k, v in classification_metrics(y, flags).items()}
    overall_gt = {k: float(v or 0.0) for k, v in classification_metrics(y, flags_gt).items()}
    overall["flag_rate"] = float(flags.mean())
    return _Facts(
        n=len(y),
        counts=confusion_counts(y, flags),
        overall=overall,
        overall_gt=overall_gt,
        base_rate=float(y.mean()),
        groups=table,
    )


def _if_differs(value: float, reference: float) -> float | None:
    """``value``, or None when it equals ``reference`` (the mistake is then invisible)."""
    return None if abs(value - reference) < 1e-12 else value


_GT_MESSAGE = (
    "That is what you get when a claim is flagged only if its score is strictly above "
    f"{THRESHOLD} (`>`). The rule is that a score of {THRESHOLD} or more is a flag: use `>=`."
)


def _common_overall(f: _Facts, what: str) -> list[Mistake]:
    """Mistakes shared by the precision and recall questions."""
    if what == "precision":
        only = "Precision looks only at the flagged claims."
        definition = "Precision is the share of the flagged claims that were right."
    else:
        only = "Recall looks only at the claims that really involved fraud or error."
        definition = (
            "Recall is the share of the claims that really involved fraud or error that "
            "were flagged."
        )
    return [
        Mistake(
            f.overall["accuracy"],
            "That is accuracy: the share of all claims, flagged or not, that the model got "
            f"right. {only}",
        ),
        Mistake(
            f.overall["flag_rate"],
            f"That is the flag rate: the share of all claims that are flagged. {definition}",
        ),
        Mistake(
            f.base_rate,
            "That is the share of claims that really involved fraud or error (the mean of "
            "`y_true`, the base rate). It does not depend on the model at all.",
        ),
        Mistake(
            f.overall["f1"],
            "That is F1, which combines precision and recall into one number. "
            f"The question asks for {what} on its own.",
        ),
    ]


# ---------------------------------------------------------------------------------------
# The checkers, one per question
# ---------------------------------------------------------------------------------------

_CHOICE_ALIASES = {
    "auc": "roc_auc",
    "auc_roc": "roc_auc",
    "roc": "roc_auc",
    "rocauc": "roc_auc",
    "roc_auc_score": "roc_auc",
    "f1_score": "f1",
    "f_1": "f1",
    "f_score": "f1",
    "sensitivity": "recall",
    "true_positive_rate": "recall",
    "tpr": "recall",
    "recall_score": "recall",
    "positive_predictive_value": "precision",
    "ppv": "precision",
    "precision_score": "precision",
    "accuracy_score": "accuracy",
}


def _check_q1(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    return check_choice(
        answer,
        right="precision",
        aliases=_CHOICE_ALIASES,
        options={
            "accuracy": (
                "Accuracy is misleading here. Only "
                f"{f.base_rate:.1%} of these claims were found to involve fraud or error, "
                f"so a model that flags nobody at all is {1 - f.base_rate:.1%} accurate. "
                "Accuracy says nothing about how many interviews are wasted."
            ),
            "precision": (
                "Right. Precision at the operating threshold is the share of flagged claims "
                "that really do involve fraud or error. Every false flag is a stressful "
                "interview for a claimant who did nothing wrong, and uses one of the team's "
                "few review slots. Report recall beside it so that missed cases stay visible."
            ),
            "recall": (
                "Recall is the share of the real fraud-or-error cases that the model catches. "
                "It matters, but it ignores false flags, and this team's limits are how "
                "many claims it can review and the harm of each needless interview. "
                "Which metric tells you how many of the flags are right?"
            ),
            "f1": (
                "F1 combines precision and recall into one number, so a fall in precision "
                "can be hidden by a rise in recall. The team's concern is the cost of each "
                "flag, which one metric measures directly."
            ),
            "roc_auc": (
                "ROC AUC summarises how well the scores rank claims over every possible "
                "threshold. It cannot tell the team what happens at the one threshold they "
                "actually use to decide who is interviewed."
            ),
        },
    )


def _check_q2(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    c, expected = f.counts, f.overall["precision"]
    flagged = c["tp"] + c["fp"]
    return check_number(
        answer,
        expected,
        what=f"precision at threshold {THRESHOLD}",
        correct_message=(
            f"Right: precision at {THRESHOLD} is {expected:.3f}. Of the {flagged:,} claims "
            f"flagged, {c['tp']:,} really involved fraud or error; the other {c['fp']:,} "
            "would be interviews of claimants who had done nothing wrong."
        ),
        mistakes=[
            Mistake(
                f.overall["recall"],
                "That is recall (the share of the real fraud-or-error cases that were "
                "flagged), not precision, which divides by the claims flagged. With "
                "`precision_score`, put the truth first: `precision_score(y_true, flags)`.",
            ),
            *_common_overall(f, "precision"),
            Mistake(
                1 - expected,
                "That is one minus precision: the share of flags that were false alarms "
                "(the false discovery rate). Precision is the share that were right.",
            ),
            Mistake(_if_differs(f.overall_gt["precision"], expected), _GT_MESSAGE),
        ],
    )


def _check_q3(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    c, expected = f.counts, f.overall["recall"]
    positives = c["tp"] + c["fn"]
    return check_number(
        answer,
        expected,
        what=f"recall at threshold {THRESHOLD}",
        correct_message=(
            f"Right: recall at {THRESHOLD} is {expected:.3f}. The model flags {c['tp']:,} of "
            f"the {positives:,} claims that really involved fraud or error and misses "
            f"{c['fn']:,}. Precision and recall pull against each other as the threshold "
            "moves: the team has to choose the balance that fits its capacity and the harm "
            "of a needless interview."
        ),
        mistakes=[
            Mistake(
                f.overall["precision"],
                "That is precision (the share of flagged claims that were right), not recall, "
                "which divides by the claims that really involved fraud or error "
                "(`y_true == 1`). With `recall_score`, put the truth first: "
                "`recall_score(y_true, flags)`.",
            ),
            *_common_overall(f, "recall"),
            Mistake(
                1 - expected,
                "That is one minus recall: the share of real fraud-or-error cases the model "
                "missed (the miss rate, or false negative rate). Recall is the share caught.",
            ),
            Mistake(_if_differs(f.overall_gt["recall"], expected), _GT_MESSAGE),
        ],
    )


def _as_dict(series: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in series.items()}


def _group_mistakes_differ(f: _Facts, col: str) -> dict[str, float] | None:
    """The per-group values of ``col`` with ``>``, or None when they equal ``>=``'s."""
    same = np.allclose(f.groups[col + "_gt"], f.groups[col], atol=1e-12, equal_nan=True)
    return None if same else _as_dict(f.groups[col + "_gt"])


def _check_q4(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    g = f.groups
    recall = g["recall"].dropna()
    lo, hi = str(recall.idxmin()), str(recall.idxmax())
    return check_mapping(
        answer,
        _as_dict(g["recall"]),
        what="recall",
        correct_message=(
            f"Right. Recall ranges from {recall[lo]:.3f} ({lo}) to {recall[hi]:.3f} ({hi}): "
            "the model misses a larger share of the real fraud-or-error cases in some "
            "groups than in others."
        ),
        mistakes=[
            Mistake(
                _as_dict(g["flag_rate"]),
                "Those are flag rates (selection rates): the share of all claims in each "
                "group that were flagged. Recall counts only the claims that really involved "
                "fraud or error (`y_true == 1`): the share of those that were flagged.",
            ),
            Mistake(
                _as_dict(g["precision"]),
                "Those are each group's precision (the share of its flags that were right). "
                "Recall divides by the claims that really involved fraud or error instead. "
                "With `recall_score`, put the truth first: `recall_score(y_true, flags)`.",
            ),
            Mistake(
                _as_dict(g["base_rate"]),
                "Those are each group's share of claims that really involved fraud or error "
                "(its base rate, the mean of `y_true`). They do not depend on the model.",
            ),
            Mistake(
                _as_dict(1 - g["recall"]),
                "Those are one minus recall: each group's share of real cases that were "
                "missed (the miss rate). Recall is the share that were caught.",
            ),
            Mistake(_group_mistakes_differ(f, "recall"), _GT_MESSAGE),
        ],
    )


def _check_q5(answer: Any, data: Any) -> Feedback:
    import pandas as pd

    f = _facts(data)
    g = f.groups
    names = [str(n) for n in g.index]
    expected = f"the name of one {_GROUP_WORDS} as a string, such as {names[0]!r}"
    if isinstance(answer, pd.Series | dict):
        raise AnswerTypeError(
            f"Expected {expected}; got {describe(answer)}. If it holds each group's recall, "
            "read the name of the group with the smallest value from it, or let "
            "`.idxmin()` on the Series (or on `pd.Series(your_dict)`) give it."
        )
    text = as_text(answer, expected=expected)
    by_lower = {n.lower(): n for n in names}
    if text.lower() not in by_lower:
        return not_yet(
            f"{text!r} is not an {_GROUP_WORDS} in the data; the groups are {join_words(names)}."
        )
    chosen = by_lower[text.lower()]
    recall = g["recall"].dropna()
    lowest = set(recall.index[np.isclose(recall, recall.min(), rtol=0, atol=1e-12)])
    if chosen in lowest:
        hi = str(recall.idxmax())
        return correct(
            f"Right: {chosen} has the lowest recall ({recall[chosen]:.3f}, against "
            f"{recall[hi]:.3f} for {hi}). The model misses more of the real fraud-or-error "
            "cases in this group, so scrutiny is uneven across groups: worth raising with "
            "the team before the model is used."
        )
    checks = [
        (
            recall.idxmax(),
            "That group has the highest recall, not the lowest. On a Series, "
            "`.idxmin()` gives the name of the smallest value and `.idxmax()` the largest.",
        ),
        (
            g["flag_rate"].idxmin(),
            "That group has the lowest flag rate, not the lowest "
            "recall. Recall looks only at the claims that really involved fraud or error.",
        ),
        (
            g["precision"].idxmin(),
            "That group has the lowest precision, not the lowest "
            "recall. Recall divides by the real fraud-or-error cases, not by the flags.",
        ),
        (
            g["count"].idxmin(),
            "That is the smallest group, not the one with the lowest "
            "recall. Compare the recall values from question 4.",
        ),
    ]
    for name, message in checks:
        if chosen == name:
            return not_yet(message)
    return not_yet(
        f"{chosen} does not have the lowest recall. Compare the recall values from question 4."
    )


def _ratio(rates: pd.Series) -> float:
    hi = float(rates.max())
    return float(rates.min()) / hi if hi > 0 else float("nan")


def _check_q6(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    g = f.groups
    flag_rate = g["flag_rate"]
    expected = _ratio(flag_rate)
    lo, hi = str(flag_rate.idxmin()), str(flag_rate.idxmax())
    impact = flag_rate.min() / flag_rate.where(flag_rate > 0)
    failing = [str(k) for k, v in impact.items() if v < 0.8]
    if failing:
        verb = "is" if len(failing) == 1 else "are"
        verdict = (
            f"The ratio is below 0.8, so the model fails the four-fifths rule: "
            f"{join_words(failing)} {verb} flagged more than 1.25 times as often as {lo}. "
            "A fail calls for a human review of the model and its data; on its own it is "
            "a warning sign, not proof of discrimination."
        )
    else:
        verdict = (
            "The ratio is at least 0.8, so the model passes the four-fifths rule on flag "
            "rates. Passing is not proof of fairness: compare recall and precision too."
        )
    not_flagged = _ratio(1 - flag_rate)
    return check_number(
        answer,
        expected,
        what="four-fifths ratio of flag rates",
        correct_message=(
            f"Right: the four-fifths ratio is {expected:.3f}. {lo} is flagged least "
            f"({flag_rate[lo]:.1%} of its claims) and {hi} most ({flag_rate[hi]:.1%}). " + verdict
        ),
        mistakes=[
            Mistake(
                not_flagged,
                "That ratio uses the rates of not being flagged (one minus the flag rate). "
                f"Those rates are all close to 1, so their ratio ({not_flagged:.2f}) looks "
                f"like a comfortable {'pass' if not_flagged >= 0.8 else 'result'} and hides "
                "the disparity. Being flagged is the adverse outcome here, so compare flag "
                "rates: the lowest divided by the highest.",
            ),
            Mistake(
                1 / expected if expected > 0 else None,
                "That is the highest flag rate divided by the lowest. The four-fifths ratio "
                "is the lowest divided by the highest, so it is never more than 1.",
            ),
            Mistake(
                _ratio(g["recall"].dropna()),
                "That is the ratio of recall between groups, which is about equal "
                "opportunity. The four-fifths rule compares how often each group is "
                "flagged at all: use flag rates, the share of all claims flagged.",
            ),
            Mistake(
                _ratio(g["base_rate"]),
                "That compares how often each group's claims really involved fraud or error "
                "(`y_true`), not how often the model flags them. Use the flags.",
            ),
            Mistake(
                float(flag_rate.max() - flag_rate.min()),
                "That is the difference between the highest and lowest flag rates (the "
                "demographic parity difference). The four-fifths rule uses their ratio: the "
                "lowest divided by the highest.",
            ),
            Mistake(_if_differs(_ratio(g["flag_rate_gt"]), expected), _GT_MESSAGE),
        ],
    )


EXERCISE = Exercise(
    id="choose_metrics",
    title="Choose the right metric: fraud-and-error review of benefit claims",
    load_data=predictions_table,
    terms=tuple(
        (t, METRIC_GLOSSARY[t]) for t in ("accuracy", "precision", "recall", "f1", "roc_auc")
    ),
    questions=(
        Question(
            id="choose_metrics.q1",
            prompt="Which metric should the review team watch most closely at the "
            "operating threshold: accuracy, precision, recall, f1 or roc_auc?",
            checker=_check_q1,
            hint="Think about what each flag costs: a stressful interview for the claimant "
            "and one of a few hundred review slots. Which metric tells you what share of "
            "the flags are right?",
        ),
        Question(
            id="choose_metrics.q2",
            prompt=f"Precision at threshold {THRESHOLD} (a score of {THRESHOLD} or more is "
            "a flag).",
            checker=_check_q2,
            hint=f'Flag a claim when its score is at least {THRESHOLD}: `flags = predictions["'
            f'y_score"] >= {THRESHOLD}`. Precision is the number of right flags divided by the '
            'number of flags: `precision_score(predictions["y_true"], flags)`. Give a '
            "proportion between 0 and 1.",
        ),
        Question(
            id="choose_metrics.q3",
            prompt=f"Recall at threshold {THRESHOLD}.",
            checker=_check_q3,
            hint="Recall is the share of the claims that really involved fraud or error "
            '(`y_true == 1`) that were flagged: `recall_score(predictions["y_true"], flags)`.',
        ),
        Question(
            id="choose_metrics.q4",
            prompt=f"Recall at threshold {THRESHOLD} for each {GROUP}, as a dict or Series.",
            checker=_check_q4,
            hint="Recall counts only the claims that really involved fraud or error "
            "(`y_true == 1`): the share of those that were flagged, in each group. One column "
            "of the table `rates_by_group(predictions, "
            f"'{GROUP}', threshold={THRESHOLD})` is exactly that: give the column, "
            "`by_group['...']`. A dict such as `{'Group A': 0.1, ...}` works too.",
        ),
        Question(
            id="choose_metrics.q5",
            prompt=f"The {GROUP} with the lowest recall, as a string.",
            checker=_check_q5,
            hint="Use your answer to question 4: read the smallest value of the recall "
            "column and give its group's name as text (on a Series, `.idxmin()` gives it).",
        ),
        Question(
            id="choose_metrics.q6",
            prompt=f"The four-fifths ratio of flag rates across {GROUP} at threshold "
            f"{THRESHOLD}: the lowest flag rate divided by the highest.",
            checker=_check_q6,
            hint=f"Each group's flag rate (the share of its claims with a score of at least "
            f"{THRESHOLD}) is a column of the table `by_group`; `four_fifths_ratio(column)` "
            "divides the lowest rate by the highest. Use the rate of being flagged, because "
            "being flagged is the harmful outcome.",
        ),
    ),
)
