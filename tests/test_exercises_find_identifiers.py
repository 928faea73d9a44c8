"""Exercise 6 (find_identifiers): checks, feedback, hints and both notebooks.

Expected answers are computed here independently with pandas (regular expressions, group
sizes and distinct counts) from the same fake contacts extract the learners get; the
checks compute theirs with mlops_kit.privacy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.errors import DataValidationError
from mlops_kit.exercises import check, hint, load_exercise_data
from mlops_kit.exercises._feedback import Status
from mlops_kit.exercises._framework import list_exercises, questions

from .exercise_support import (
    assert_clean_exercise,
    assert_track_material,
    execute_exercise,
    outputs_text,
)

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
IDS = [f"find_identifiers.q{i}" for i in range(1, 7)]
# (age bands: width, start, top), postcode level, keep sex: question 5's options.
OPTIONS = {
    "A": ((10, 0, None), "district", True),
    "B": ((10, 20, 80), "area", True),
    "C": ((10, 20, 70), "area", True),
    "D": ((20, 20, 80), "area", True),
    "E": ((10, 20, 80), "area", False),
}


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    return load_exercise_data("find_identifiers")


def bands(age: pd.Series, width: int, start: int, top: int | None) -> pd.Series:
    """Age bands computed with plain pandas arithmetic (independent of age_band)."""
    lower = ((age - start).clip(lower=0) // width) * width + start
    if top is not None:
        lower = lower.where(age < top, top)
    return lower.astype(str)


def district(postcode: pd.Series) -> pd.Series:
    return postcode.str.split(" ").str[0]


def area(postcode: pd.Series) -> pd.Series:
    return postcode.str.extract(r"^([A-Z]+)", expand=False)


@pytest.fixture(scope="module")
def truth(contacts: pd.DataFrame) -> dict[str, Any]:
    text = contacts.select_dtypes(exclude="number").astype("string")
    looks = {
        "email": text.apply(lambda s: s.str.contains(r"\w@\w", na=False).mean()),
        "phone": text.apply(lambda s: s.str.contains(r"(?:^|\s)(?:0|\+44 )\d{2,4} ?\d{3}", na=False).mean()),  # noqa: E501
        "nhs": text.apply(lambda s: s.str.fullmatch(r"\d{3} \d{3} \d{4}", na=False).mean()),
        "ni": text.apply(lambda s: s.str.fullmatch(r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]", na=False).mean()),  # noqa: E501
        "postcode": text.apply(lambda s: s.str.fullmatch(r"[A-Z]{1,2}\d \d[A-Z]{2}", na=False).mean()),  # noqa: E501
        "date": text.apply(lambda s: s.str.fullmatch(r"\d{4}-\d{2}-\d{2}", na=False).mean()),
    }  # fmt: skip
    direct = {c for kind in ("email", "phone", "nhs", "ni", "postcode") for c in text.columns
              if looks[kind][c] > 0.01}  # fmt: skip
    dates = [c for c in text.columns if looks["date"][c] > 0.5]
    spans = {c: pd.to_datetime(contacts[c]).dt.year.agg(np.ptp) for c in dates}
    direct |= {c for c, span in spans.items() if span >= 20}
    names = text.apply(lambda s: s.str.fullmatch(r"[A-Z][a-z]+ [A-Z][A-Za-z-]+", na=False))
    direct |= {c for c in text.columns if names[c].mean() > 0.5 and text[c].nunique() > 50}
    share = contacts.nunique() / contacts.notna().sum()
    near = [c for c in contacts.columns if share[c] >= 0.9 and c not in direct]

    def groups(age: tuple[int, int, int | None], place: str, sex: bool) -> pd.Series:
        keys = [bands(contacts["age"], *age), (district if place == "district" else area)(
            contacts["postcode"])] + ([contacts["sex"]] if sex else [])  # fmt: skip
        return contacts.groupby(keys).size()

    q3_sizes = groups((10, 0, None), "district", True)
    sizes = {key: groups(*option) for key, option in OPTIONS.items()}
    passing = {key: s for key, s in sizes.items() if s.min() >= 5}
    q5 = max(passing, key=lambda key: len(passing[key]))
    age, _, sex = OPTIONS[q5]  # every passing option uses the postcode area
    keys = [bands(contacts["age"], *age), area(contacts["postcode"])] + (
        [contacts["sex"]] if sex else []
    )
    ell = int(contacts.groupby(keys)["support_need"].nunique().min())
    return {
        "q1": sorted(direct),
        "q2": near,
        "q3": int(q3_sizes.min()),
        "q3_groups": len(q3_sizes),
        "q3_small_groups": int((q3_sizes < 5).sum()),
        "q4": int(q3_sizes[q3_sizes < 5].sum()),
        "q5": q5,
        "q5_k": {key: int(s.min()) for key, s in sizes.items()},
        "q6": ell,
        "q6_k": int(passing[q5].min()),
    }


def test_exercise_is_registered_with_six_questions() -> None:
    assert "find_identifiers" in list_exercises()
    assert [q.id for q in questions("find_identifiers")] == IDS


def test_right_answers_are_accepted(truth: dict[str, Any]) -> None:
    assert truth["q1"] == sorted(
        ["full_name", "email", "phone", "postcode", "ni_number", "nhs_number",
         "date_of_birth", "case_notes"]
    )  # fmt: skip
    assert check("find_identifiers.q1", truth["q1"]).correct
    assert check("find_identifiers.q1", tuple(reversed(truth["q1"]))).correct
    assert check("find_identifiers.q1", ", ".join(truth["q1"])).correct
    assert check("find_identifiers.q1", pd.Index(truth["q1"])).correct
    assert truth["q2"] == ["contact_id"]
    assert check("find_identifiers.q2", "contact_id").correct
    assert check("find_identifiers.q2", " Contact_ID ").correct
    assert check("find_identifiers.q3", truth["q3"]).correct
    assert check("find_identifiers.q3", np.int64(truth["q3"])).correct
    assert check("find_identifiers.q4", truth["q4"]).correct
    assert truth["q5"] == "C"
    assert check("find_identifiers.q5", "C").correct
    assert check("find_identifiers.q5", "c").correct
    assert check("find_identifiers.q5", "option C").correct
    assert check("find_identifiers.q6", truth["q6"]).correct


def test_the_story_numbers_of_the_datasheet(truth: dict[str, Any]) -> None:
    """data/raw_contacts.datasheet.md quotes these; a generator change must update it."""
    assert (truth["q3"], truth["q3_groups"], truth["q3_small_groups"], truth["q4"]) == (
        1, 145, 55, 120,
    )  # fmt: skip
    assert truth["q5_k"]["C"] == 9
    assert truth["q5_k"]["B"] < 5 <= truth["q5_k"]["E"]


def test_q1_mistakes_get_their_own_feedback(truth: dict[str, Any]) -> None:
    without_notes = [c for c in truth["q1"] if c != "case_notes"]
    feedback = check("find_identifiers.q1", without_notes)
    assert not feedback.correct
    assert feedback.message.startswith("You missed 'case_notes': it is free text")
    quasi = check("find_identifiers.q1", [*truth["q1"], "age", "sex"])
    assert "'age' and 'sex' are quasi-identifiers" in quasi.message
    unique = check("find_identifiers.q1", [*truth["q1"], "contact_id"])
    assert "that is question 2" in unique.message
    sensitive = check("find_identifiers.q1", [*truth["q1"], "support_need"])
    assert "'support_need' is sensitive" in sensitive.message
    typo = check("find_identifiers.q1", ["emial"])
    assert "'emial' is not a column of the table. Did you mean 'email'?" in typo.message
    assert check("find_identifiers.q1", ["email"]).hint == hint("find_identifiers.q1")


def test_q2_to_q6_mistakes_get_their_own_feedback(truth: dict[str, Any]) -> None:
    email = check("find_identifiers.q2", "email")
    assert "near-unique too (100% distinct), but the scan already finds it" in email.message
    assert (
        "'sex' has 2 different values in 1,500 rows" in check("find_identifiers.q2", "sex").message
    )
    assert (
        "number of groups smaller than 5, not k"
        in check("find_identifiers.q3", truth["q3_small_groups"]).message
    )
    assert (
        "the number of groups (combinations"
        in check("find_identifiers.q3", truth["q3_groups"]).message
    )
    assert "(question 4), not k" in check("find_identifiers.q3", truth["q4"]).message
    assert (
        "counts the groups smaller than 5"
        in check("find_identifiers.q4", truth["q3_small_groups"]).message
    )
    assert "the safe ones" in check("find_identifiers.q4", 1500 - truth["q4"]).message
    b = check("find_identifiers.q5", "B")
    assert f"B gives k = {truth['q5_k']['B']}, so it does not reach 5" in b.message
    assert "age=80+, sex=female, postcode=ZZ" in b.message
    e = check("find_identifiers.q5", "E")
    assert "drops sex altogether" in e.message
    assert "is not one of the options" in check("find_identifiers.q5", "F").message
    assert (
        "That is k, the size of the smallest group"
        in check("find_identifiers.q6", truth["q6_k"]).message
    )
    assert "support needs in the whole table" in check("find_identifiers.q6", 6).message


@pytest.mark.parametrize("question_id", IDS)
def test_unanswered_questions_say_so_with_the_hint(question_id: str) -> None:
    feedback = check(question_id, None)
    assert feedback.status is Status.UNANSWERED
    assert feedback.hint == hint(question_id)
    assert "Not answered yet" in str(feedback)


@pytest.mark.parametrize(
    ("question_id", "answer", "phrase"),
    [
        ("find_identifiers.q1", 3, "Expected the column names as a list of strings"),
        ("find_identifiers.q1", ["email", 3], "Expected every column name as a string"),
        ("find_identifiers.q2", ["contact_id"], "as a string"),
        ("find_identifiers.q3", "1", "Remove the quotes"),
        ("find_identifiers.q4", [120], "got a list"),
        ("find_identifiers.q6", 3000, "Expected a number between 0 and 1,500"),
    ],
)
def test_wrong_types_say_what_was_expected(question_id: str, answer: Any, phrase: str) -> None:
    feedback = check(question_id, answer)
    assert feedback.status is Status.INCORRECT
    assert phrase in feedback.message.replace("1500", "1,500")


def test_checks_follow_the_data_given(contacts: pd.DataFrame) -> None:
    """On the working-age half of the file, the answers change and the checks follow."""
    younger = contacts[contacts["age"] < 60].reset_index(drop=True)
    sizes = younger.groupby(
        [bands(younger["age"], 10, 0, None), district(younger["postcode"]), younger["sex"]]
    ).size()
    assert check("find_identifiers.q4", int(sizes[sizes < 5].sum()), data=younger).correct
    no_notes = contacts.drop(columns="case_notes")
    assert check(
        "find_identifiers.q1",
        ["full_name", "email", "phone", "postcode", "ni_number", "nhs_number", "date_of_birth"],
        data=no_notes,
    ).correct
    with pytest.raises(DataValidationError, match="as a DataFrame"):
        check("find_identifiers.q3", 1, data=[1, 2])


# --- the notebooks ------------------------------------------------------------------------------

NOTEBOOKS = [
    EXERCISES / "06_find_identifiers.ipynb",
    EXERCISES / "solutions" / "06_find_identifiers.ipynb",
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name + "/" + p.name)
def test_notebooks_are_clean_and_parameterised(path: Path) -> None:
    assert_clean_exercise(path, "find_identifiers", 6)


@pytest.mark.notebook
@pytest.mark.parametrize(
    "track",
    # The novice track runs in the workshop walk (test_exercises_workshop_path.py).
    ["experienced"],
)
def test_learner_notebook_runs_unanswered(tmp_path: Path, track: str) -> None:
    nb = execute_exercise(EXERCISES / "06_find_identifiers.ipynb", tmp_path, track=track)
    text = outputs_text(nb)
    assert text.count("Not answered yet") >= 6
    assert hint("find_identifiers.q1")[:40] in text
    assert "0 of 6 questions correct" in text
    assert ("The terms you will need" in text) == (track == "novice")
    assert_track_material(text, track)
