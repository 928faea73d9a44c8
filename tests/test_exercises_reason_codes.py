"""Exercise 7 (reason_codes): checks, feedback, hints and notebooks.

Expected answers are computed here independently, with pandas and scipy, from the SHAP
values the learners get; the checks compute theirs with mlops_kit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau, pearsonr, spearmanr

from mlops_kit.errors import DataValidationError
from mlops_kit.exercises import check, hint, load_exercise_data
from mlops_kit.exercises._feedback import Status

from .exercise_support import (
    assert_clean_exercise,
    assert_track_material,
    execute_exercise,
    outputs_text,
)

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
NOTEBOOKS = [EXERCISES / "07_reason_codes.ipynb", EXERCISES / "solutions" / "07_reason_codes.ipynb"]


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    data = load_exercise_data("reason_codes")
    e = data.explanation
    shap = pd.DataFrame(e.shap_values, columns=list(e.features))
    row = shap.iloc[data.case]
    groups = e.groups["ethnic_group"].to_numpy()
    table = e.crosscheck.table
    return {
        "data": data,
        "shap": shap,
        "row": row,
        "ranked": list(row.sort_values(ascending=False).index),
        "by_group": shap["area_deprivation_decile"].abs().groupby(groups).mean(),
        "signed_by_group": shap["area_deprivation_decile"].groupby(groups).mean(),
        "table": table,
        "tops": {
            g: set(shap.abs().groupby(groups).mean().loc[g].sort_values().index[-3:])
            for g in np.unique(groups)
        },
    }


def _sentence(truth: dict[str, Any], *features: str) -> str:
    labels = truth["data"].explanation.labels
    named = " and the ".join(labels[f] for f in features)
    return f"Your claim was picked for a check mainly because of the {named}."


def test_the_case_is_a_flagged_claim_with_reasons_both_ways(truth: dict[str, Any]) -> None:
    data = truth["data"]
    e = data.explanation
    assert e.scores[data.case] >= e.threshold
    assert data.case in e.top_cases(20)
    assert truth["row"].min() < 0 < truth["row"].max()
    assert data.case_id == str(e.data.index[data.case])


def test_right_answers_are_accepted(truth: dict[str, Any]) -> None:
    ranked = truth["ranked"]
    labels = truth["data"].explanation.labels
    assert check("reason_codes.q1", ranked[0]).correct
    assert check("reason_codes.q1", labels[ranked[0]]).correct
    assert check("reason_codes.q2", _sentence(truth, ranked[0], ranked[1])).correct
    table = truth["table"]
    rho = spearmanr(table["shap"], table["permutation"]).statistic
    assert check("reason_codes.q3", rho).correct
    assert check("reason_codes.q3", round(float(rho), 3)).correct
    assert check("reason_codes.q4", truth["by_group"]).correct
    assert check("reason_codes.q4", truth["by_group"].to_dict()).correct
    differs = len({frozenset(t) for t in truth["tops"].values()}) > 1
    assert differs  # the proxy puts the deprivation decile in one group's top three
    assert check("reason_codes.q5", "yes").correct
    assert check("reason_codes.q5", "Yes").correct


def test_common_mistakes_get_their_own_feedback(truth: dict[str, Any]) -> None:
    ranked, row = truth["ranked"], truth["row"]
    e = truth["data"].explanation
    lowering = str(row.idxmin())
    q1 = check("reason_codes.q1", lowering)
    assert not q1.correct
    assert "pushed this case's score *down*" in q1.message
    second = check("reason_codes.q1", ranked[1])
    assert not second.correct
    assert "another feature raised it more" in second.message
    global_top = str(e.importance().index[0])
    if global_top != ranked[0] and row[global_top] > 0:
        assert "moves scores most across all claims" in check("reason_codes.q1", global_top).message
    assert "not features of the model" in check("reason_codes.q1", "ethnic group").message
    assert "I could not tell which feature" in check("reason_codes.q1", "the weather").message
    assert "give the one" in check("reason_codes.q1", "channel and region").message

    missing = check("reason_codes.q2", _sentence(truth, ranked[0], ranked[4]))
    assert not missing.correct
    assert f"does not mention the {e.labels[ranked[1]]}" in missing.message
    assert "second most" in missing.message
    swapped = check("reason_codes.q2", _sentence(truth, ranked[1], ranked[0]))
    assert "Put the strongest reason first" in swapped.message
    raw = check("reason_codes.q2", f"Flagged mainly because of {ranked[0]} and {ranked[1]} values.")
    assert "Write for the claimant" in raw.message or "does not mention" in raw.message
    weak = str(row.abs().idxmin())
    noise = check("reason_codes.q2", _sentence(truth, ranked[0], ranked[1], weak))
    assert f"the {e.labels[weak]} as a reason, but it hardly moved" in noise.message
    against = check("reason_codes.q2", _sentence(truth, ranked[0], ranked[1], lowering))
    assert "*lowered* the score" in against.message
    fair = _sentence(truth, ranked[0], ranked[1])[:-1] + (
        f"; the {e.labels[lowering]} lowered the score."
    )
    assert check("reason_codes.q2", fair).correct
    protected = check(
        "reason_codes.q2", _sentence(truth, ranked[0], ranked[1]) + " Your sex also counted."
    )
    assert "protected characteristic is never a reason" in protected.message
    assert "full sentence" in check("reason_codes.q2", "Earlier reviews.").message

    table = truth["table"]
    tau = kendalltau(table["shap"], table["permutation"]).statistic
    assert "Kendall's tau" in check("reason_codes.q3", tau).message
    pearson = pearsonr(table["shap"], table["permutation"]).statistic
    assert "Pearson's correlation" in check("reason_codes.q3", pearson).message

    signed = check("reason_codes.q4", truth["signed_by_group"])
    assert "mean *signed* SHAP values" in signed.message
    partial = dict(truth["by_group"])
    partial.pop("Group E")
    assert "Missing group: Group E" in check("reason_codes.q4", partial).message
    assert "Are the sets the same?" in check("reason_codes.q5", "no").message


@pytest.mark.parametrize("question_id", [f"reason_codes.q{i}" for i in range(1, 6)])
def test_unanswered_questions_say_so_with_the_hint(question_id: str) -> None:
    feedback = check(question_id, None)
    assert feedback.status is Status.UNANSWERED
    assert feedback.hint == hint(question_id)
    assert "Not answered yet" in str(feedback)


@pytest.mark.parametrize(
    ("question_id", "answer", "phrase"),
    [
        ("reason_codes.q1", 3, "the name of a feature as text"),
        ("reason_codes.q2", ["a", "list"], "a sentence, as text"),
        ("reason_codes.q3", "0.8", "Remove the quotes"),
        ("reason_codes.q4", [0.1, 0.2], "Give each value with its group's name"),
        ("reason_codes.q5", "maybe", "is not one of the options"),
    ],
)
def test_wrong_types_say_what_was_expected(question_id: str, answer: Any, phrase: str) -> None:
    feedback = check(question_id, answer)
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message


def test_the_checks_follow_the_data_given(truth: dict[str, Any]) -> None:
    """Another explanation (a logistic model) gives other right answers."""
    from mlops_kit.data import load_dataset, profile_dataset
    from mlops_kit.explain import explain_training
    from mlops_kit.train import train_model

    claims = load_dataset("benefit_claims")
    roles = profile_dataset(claims, "benefit_claims").roles
    result = train_model(claims, roles, model="logistic", split="time", cv_folds=0, threshold=0.3)
    other = explain_training(result, claims, roles, id_column="claim_id", max_rows=600)
    from mlops_kit.exercises._reason_codes import exercise_case

    case = exercise_case(other)
    top = str(other.to_frame().iloc[case].idxmax())
    assert check("reason_codes.q1", top, data=other).correct
    assert other.crosscheck is not None
    table = other.crosscheck.table
    rho = spearmanr(table["shap"], table["permutation"]).statistic
    assert check("reason_codes.q3", rho, data=other).correct
    with pytest.raises(DataValidationError, match="need the exercise's data"):
        check("reason_codes.q1", top, data=claims)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "reason_codes", 5)


def _execute(path: Path, tmp_path: Path, **parameters: Any) -> str:
    return outputs_text(execute_exercise(path, tmp_path, **parameters))


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_exercises_workshop_path.py).
    ["experienced"],
)
def test_learner_notebook_runs_unanswered(tmp_path: Path, track: str) -> None:
    text = _execute(EXERCISES / "07_reason_codes.ipynb", tmp_path, track=track)
    assert text.count("Not answered yet") >= 5
    assert hint("reason_codes.q1")[:40] in text
    assert "0 of 5 questions correct" in text
    assert ("The terms you will need" in text) == (track == "novice")
    assert_track_material(text, track)
