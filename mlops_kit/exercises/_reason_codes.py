"""Exercise 7, "reason_codes": explain one decision to a citizen, and check it against SHAP.

The scenario continues the explainability lesson: a claimant whose benefit claim was
flagged for investigation asks why. Learners find the feature that pushed the claim's
score up most, write the reason the claimant would be given (the check compares the
features the sentence names with the case's SHAP values), measure how far SHAP agrees
with permutation importance, and compare the explanations between ethnic groups.

Every expected answer is computed when an answer is checked, from the exercise's
:class:`~mlops_kit.explain.ModelExplanation` (or another one passed as ``data``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np

from ..data import load_dataset, profile_dataset
from ..errors import DataValidationError
from ..explain import (
    MIN_SHARE,
    ModelExplanation,
    explain_training,
    features_named,
    protected_words_in,
)
from ..train import train_model
from ._checks import Mistake, as_text, check_choice, check_mapping, check_number, join_words
from ._feedback import Feedback, correct, not_yet
from ._framework import Exercise, Question

__all__ = ["ATTRIBUTE", "EXERCISE", "FEATURE", "ReasonCodesData", "exercise_case", "load_data"]

#: Question 4 and 5 compare the groups of this protected attribute ...
ATTRIBUTE = "ethnic_group"
#: ... on this feature (a proxy for it in the bundled data).
FEATURE = "area_deprivation_decile"
#: Words that say a factor counted in the claimant's favour.
_FAVOUR = re.compile(
    r"\b(lower\w*|reduc\w*|decreas\w*|against|favour\w*|in your favor|helped|counted for)\b"
)


@dataclass(frozen=True)
class ReasonCodesData:
    """The exercise's data: an explained claims model and the case the claimant asks about.

    Attributes
    ----------
    explanation : ModelExplanation
        SHAP values of the kit's boosting model on 1,000 held-out claims (seed 0), with
        their outcomes, protected groups and the cross-check.
    case : int
        The position of the claimant's case among the explained rows.
    """

    explanation: ModelExplanation
    case: int

    @property
    def case_id(self) -> str:
        """The claim reference of the case."""
        return str(self.explanation.data.index[self.case])


def exercise_case(explanation: ModelExplanation) -> int:
    """The case the exercise asks about: among the 20 highest-scoring flagged cases, the one
    with the strongest factor that *lowered* its score (so both directions matter)."""
    top = explanation.top_cases(20)
    return int(min(top, key=lambda i: float(explanation.shap_values[i].min())))


@cache
def _explained() -> ModelExplanation:
    claims = load_dataset("benefit_claims")
    roles = profile_dataset(claims, "benefit_claims").roles
    result = train_model(claims, roles, model="hgb", split="time", cv_folds=0, threshold=0.3)
    return explain_training(
        result,
        claims,
        roles,
        id_column="claim_id",
        max_rows=1000,
        seed=0,
        decision_words=("Flagged for review", "Not flagged"),
    )


def load_data() -> ReasonCodesData:
    """The exercise's data (computed once, about 4 s; a fresh copy of the tables each call)."""
    explanation = _explained()
    groups = None if explanation.groups is None else explanation.groups.copy()
    copy = replace(explanation, data=explanation.data.copy(), groups=groups)
    return ReasonCodesData(copy, exercise_case(copy))


def _data(data: Any) -> ReasonCodesData:
    if isinstance(data, ReasonCodesData):
        return data
    if isinstance(data, ModelExplanation):
        return ReasonCodesData(data, exercise_case(data))
    raise DataValidationError(
        "The reason_codes checks need the exercise's data or a ModelExplanation. "
        f"Got {type(data).__name__} instead."
    )


def _named(text: str, e: ModelExplanation) -> list[str]:
    return features_named(text, e.features, labels=e.labels)


def _label(e: ModelExplanation, feature: str) -> str:
    return e.labels[feature]


def _check_q1(answer: Any, data: Any) -> Feedback:
    d = _data(data)
    e = d.explanation
    text = as_text(answer, expected="the name of a feature as text, such as 'channel'")
    values = dict(zip(e.features, e.shap_values[d.case], strict=True))
    right = max(values, key=lambda f: values[f])
    if protected_words_in(text) and not _named(text, e):
        return not_yet(
            "Protected characteristics such as sex or ethnic group are not features of the "
            "model at all: they cannot have pushed the score. Name one of the model's features."
        )
    named = _named(text, e)
    if not named:
        return not_yet(
            f"I could not tell which feature {text!r} means. Give a column name, such as "
            f"'{right if right != 'previous_flags' else 'channel'}', or its plain label."
        )
    if len(named) > 1:
        return not_yet(
            f"That names {len(named)} features ({join_words(named)}); give the one that "
            "pushed the score up most."
        )
    chosen = named[0]
    if chosen == right:
        return correct(
            f"Right: the {_label(e, right)} pushed case {d.case_id}'s score up most, by "
            f"{values[right]:+.3f} log-odds. That is the first reason the claimant is given."
        )
    top_overall = str(e.importance().index[0])
    if values[chosen] < 0:
        return not_yet(
            f"The {_label(e, chosen)} pushed this case's score *down* ({values[chosen]:+.3f}): "
            "it counted in the claimant's favour. Look for the largest positive SHAP value."
        )
    if chosen == top_overall:
        return not_yet(
            f"The {_label(e, chosen)} moves scores most across all claims, and it raised this "
            f"one too ({values[chosen]:+.3f}), but another feature raised it more. A reason "
            "for one decision comes from that case's own SHAP values, not the global ranking."
        )
    return not_yet(
        f"The {_label(e, chosen)} raised the score by {values[chosen]:+.3f}, but another "
        "feature raised it more. Sort the case's SHAP values from largest to smallest."
    )


def _check_q2(answer: Any, data: Any) -> Feedback:
    d = _data(data)
    e = d.explanation
    text = as_text(answer, expected="a sentence, as text")
    if len(text.split()) < 6:
        return not_yet("Write a full sentence a claimant could read, of at least six words.")
    protected = protected_words_in(text)
    if protected:
        return not_yet(
            f"Your sentence mentions {join_words(protected)}: a protected characteristic is "
            "never a reason. The model does not use it, and a decision based on it would be "
            "unlawful discrimination. Remove it."
        )
    raw = [f for f in e.features if "_" in f and re.search(rf"\b{re.escape(f)}\b", text)]
    if raw:
        return not_yet(
            f"Write for the claimant, not for a data scientist: say '{_label(e, raw[0])}' "
            f"rather than the column name {raw[0]!r}."
        )
    values = e.shap_values[d.case]
    contributions = dict(zip(e.features, values, strict=True))
    codes = e.reason_codes(d.case)
    top_two = codes.features_raising[:2]
    named = _named(text, e)
    missing = [f for f in top_two if f not in named]
    if missing:
        which = "most" if missing[0] == top_two[0] else "second most"
        return not_yet(
            f"Your sentence does not mention the {_label(e, missing[0])}, which raised the "
            f"score the {which} ({contributions[missing[0]]:+.3f}). I recognised: "
            f"{join_words([_label(e, f) for f in named]) or 'no feature'}."
        )
    floor = MIN_SHARE * float(np.abs(values).sum())
    weak = [f for f in named if abs(contributions[f]) <= floor]
    if weak:
        return not_yet(
            f"You give the {_label(e, weak[0])} as a reason, but it hardly moved this "
            f"case's score ({contributions[weak[0]]:+.3f}). Give the claimant the reasons "
            "that mattered."
        )
    against = [f for f in named if contributions[f] < 0]
    if against and not _FAVOUR.search(text.lower()):
        return not_yet(
            f"The {_label(e, against[0])} *lowered* the score ({contributions[against[0]]:+.3f}). "
            "If you mention it, say that it counted in the claimant's favour (for example "
            "'the factors that lowered the score were ...')."
        )
    first_raising = next(f for f in named if contributions[f] > 0)
    if first_raising != top_two[0]:
        return not_yet(
            f"Put the strongest reason first: the {_label(e, top_two[0])} raised the score "
            f"most ({contributions[top_two[0]]:+.3f}), more than the "
            f"{_label(e, first_raising)}."
        )
    return correct(
        "Right: your sentence names the factors that raised the score most, strongest "
        f"first, in words a claimant can follow. The kit's own reason codes say: {codes.text}"
    )


def _check_q3(answer: Any, data: Any) -> Feedback:
    from scipy.stats import kendalltau, pearsonr, spearmanr

    e = _data(data).explanation
    cross = e.crosscheck
    if cross is None:
        raise DataValidationError("This explanation has no cross-check (it was made without y).")
    shap, perm = cross.table["shap"].to_numpy(), cross.table["permutation"].to_numpy()
    expected = float(spearmanr(shap, perm).statistic)
    signed = e.importance().loc[list(cross.table.index), "mean_shap"].to_numpy()
    return check_number(
        answer,
        expected,
        what="Spearman rank correlation",
        lower=-1.0,
        upper=1.0,
        correct_message=(f"Right: Spearman's rank correlation is {expected:.3f}. {cross.verdict}"),
        mistakes=[
            Mistake(
                float(kendalltau(shap, perm).statistic),
                "That is Kendall's tau, another rank correlation; the question asks for "
                "Spearman's (scipy.stats.spearmanr).",
            ),
            Mistake(
                float(pearsonr(shap, perm).statistic),
                "That is Pearson's correlation of the importances themselves. Rankings are "
                "compared by rank correlation: use scipy.stats.spearmanr.",
            ),
            Mistake(
                float(spearmanr(signed, perm).statistic),
                "That uses the mean *signed* SHAP value, where pushes up and down cancel out. "
                "Importance is the mean *absolute* SHAP value (the 'shap' column).",
            ),
        ],
    )


def _check_q4(answer: Any, data: Any) -> Feedback:
    import pandas as pd

    e = _data(data).explanation
    if e.groups is None or ATTRIBUTE not in e.groups.columns:
        raise DataValidationError(f"This explanation has no '{ATTRIBUTE}' groups.")
    shap = pd.DataFrame(e.shap_values, columns=list(e.features))
    groups = e.groups[ATTRIBUTE].astype(str).to_numpy()
    expected = {str(k): float(v) for k, v in shap[FEATURE].abs().groupby(groups).mean().items()}
    signed = {str(k): float(v) for k, v in shap[FEATURE].groupby(groups).mean().items()}
    total = shap.abs().sum(axis=1)
    share = (shap[FEATURE].abs() / total).groupby(groups).mean()
    high = max(expected, key=lambda g: expected[g])
    low = min(expected, key=lambda g: expected[g])
    return check_mapping(
        answer,
        expected,
        what=f"mean absolute SHAP value of {FEATURE}",
        correct_message=(
            f"Right: the deprivation decile moves scores most for {high} "
            f"({expected[high]:.3f}) and least for {low} ({expected[low]:.3f}). It is not a "
            "protected characteristic, but in these data it goes with ethnic group: a proxy."
        ),
        mistakes=[
            Mistake(
                signed,
                "Those are mean *signed* SHAP values, where pushes up and down cancel out. "
                "Take the absolute value first: `.abs()` before `.mean()`.",
            ),
            Mistake(
                {str(k): float(v) for k, v in share.items()},
                "Those are shares of each case's total push. The question asks for the mean "
                "absolute SHAP value itself.",
            ),
        ],
    )


def _check_q5(answer: Any, data: Any) -> Feedback:
    e = _data(data).explanation
    result = e.group(ATTRIBUTE)
    differs = result.differs
    if differs is None:
        raise DataValidationError(f"Fewer than two groups of {ATTRIBUTE} can be judged.")
    right = "yes" if differs else "no"
    verdict = result.verdict
    return check_choice(
        answer,
        right=right,
        aliases={"true": "yes", "y": "yes", "false": "no", "n": "no", "differ": "yes"},
        options={
            "yes": (
                f"Right. {verdict}"
                if right == "yes"
                else f"Not on these data: the top {result.top_k} sets are the same. {verdict}"
            ),
            "no": (
                f"Right. {verdict}"
                if right == "no"
                else "Look again at each group's top three, not only the first one: "
                f"`explanation.group('{ATTRIBUTE}').top`. Are the sets the same?"
            ),
        },
    )


#: The terms the exercise uses, in plain words, for the novice track.
TERMS: tuple[tuple[str, str], ...] = (
    (
        "SHAP value",
        "how much one feature pushed one claim's score above (positive) or below "
        "(negative) the average claim's. For this model they are in log-odds.",
    ),
    (
        "Reason codes",
        "the reasons a person is given for a decision about them, strongest first, in"
        " words they understand.",
    ),
    (
        "Permutation importance",
        "how much the model's accuracy drops when a feature's values are shuffled: a "
        "second way to rank features.",
    ),
    (
        "Spearman's rank correlation",
        "how alike two rankings are, from -1 (opposite) through 0 (unrelated) to 1 "
        "(the same order).",
    ),
    ("Proxy", "a feature that goes with a protected characteristic."),
)


EXERCISE = Exercise(
    id="reason_codes",
    title="Reason codes: explain a decision to a citizen, and check it against SHAP",
    load_data=load_data,
    terms=TERMS,
    questions=(
        Question(
            id="reason_codes.q1",
            prompt="Which feature pushed the claimant's score up the most?",
            checker=_check_q1,
            hint="Take the case's row of SHAP values, `explanation.to_frame().iloc[case]`, and "
            "find the largest positive value (`.idxmax()`); give the feature's name as text.",
        ),
        Question(
            id="reason_codes.q2",
            prompt="Write the reason the claimant would be given, in one or two sentences.",
            checker=_check_q2,
            hint="Start from the case's SHAP values, largest first. Name the two features that "
            "raised the score most, strongest first, in plain words (see `explanation.labels`), "
            "for example 'Your claim was flagged mainly because ... and ...'.",
        ),
        Question(
            id="reason_codes.q3",
            prompt="Spearman's rank correlation of SHAP importance and permutation importance.",
            checker=_check_q3,
            hint="`table = explanation.crosscheck.table` has a 'shap' and a 'permutation' "
            "column; compute `scipy.stats.spearmanr(table['shap'], table['permutation'])`.",
        ),
        Question(
            id="reason_codes.q4",
            prompt=f"Mean absolute SHAP value of {FEATURE} in each {ATTRIBUTE}.",
            checker=_check_q4,
            hint="Put the SHAP values in a table (`explanation.to_frame()`), take the absolute "
            f"value of the '{FEATURE}' column and average it by "
            f"`explanation.groups['{ATTRIBUTE}']` with `.groupby(...).mean()`; use "
            "`.to_numpy()` on the groups so the indexes do not have to match.",
        ),
        Question(
            id="reason_codes.q5",
            prompt=f"Do the top three reasons differ between {ATTRIBUTE} groups? 'yes' or 'no'.",
            checker=_check_q5,
            hint=f"`explanation.group('{ATTRIBUTE}').top` lists each group's top three "
            "features. Are they the same three for every group?",
        ),
    ),
)
