"""Exercise 6, "find_identifiers": find the personal data in a raw extract before anyone uses it.

The scenario: a council's support team hands the data science team a raw extract of
1,500 contacts (``data/raw_contacts.csv``; every value in it is fake) and asks for a model
and a published summary. Learners find the columns that hold direct identifiers
(including the ones hidden inside free-text notes), the reference number that only its
distinct values give away, the k the table reaches on age band, sex and postcode district,
how many people sit in groups too small to publish, the generalisation that reaches k = 5
while keeping the most detail, and the l-diversity of what it needs help with.

Every expected answer is computed when an answer is checked, with
:func:`mlops_kit.privacy.scan_table`, :func:`~mlops_kit.privacy.k_anonymity` and
:func:`~mlops_kit.privacy.l_diversity`, on the exercise's table (or any other table
passed as ``data``).

Over 400 lines because each of the exercise's six questions has its own checker with the
common mistakes it recognises, and an exercise is one module (``exercises/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import DataValidationError, did_you_mean
from ..privacy import IdentifierKind, explore_anonymity, load_raw_contacts, scan_table
from ._checks import Mistake, check_choice, check_number, describe, join_words
from ._feedback import AnswerTypeError, Feedback, correct, not_yet
from ._framework import Exercise, Question

if TYPE_CHECKING:
    import pandas as pd

    from ..privacy import AnonymityView, PrivacyScan

__all__ = ["EXERCISE", "GENERALISATIONS", "QUASI_IDENTIFIERS", "SENSITIVE", "K", "contacts_table"]

#: The quasi-identifiers of questions 3 and 4 (age and postcode generalised as below).
QUASI_IDENTIFIERS = ("age", "sex", "postcode")
#: Questions 3 and 4: age in 10-year bands and postcode district.
Q3_AGE, Q3_POSTCODE = "10-year bands", "district"
#: The smallest group the team may publish.
K = 5
#: The sensitive attribute of question 6.
SENSITIVE = "support_need"
#: Question 5's choices: (age generalisation, postcode level, keep sex?).
GENERALISATIONS: dict[str, tuple[str, str, bool]] = {
    "A": ("10-year bands", "district", True),
    "B": ("10-year bands, under 30 to 80+", "area", True),
    "C": ("10-year bands, under 30 to 70+", "area", True),
    "D": ("20-year bands, under 40 to 80+", "area", True),
    "E": ("10-year bands, under 30 to 80+", "area", False),
}


@cache
def _contacts() -> pd.DataFrame:
    return load_raw_contacts()


def contacts_table() -> pd.DataFrame:
    """The exercise's data: the fake raw contacts extract (a fresh copy)."""
    return _contacts().copy()


def _table(data: Any) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            "The find_identifiers checks need the contacts table as a DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    return data


def _scan(data: Any) -> PrivacyScan:
    return scan_table(_table(data), source="the contacts extract")


def _view(data: Any, age: str, postcode: str, sex: bool = True) -> AnonymityView:
    cols = [c for c in QUASI_IDENTIFIERS if sex or c != "sex"]
    return explore_anonymity(_table(data), cols, k=K, age=age, postcode=postcode)


def _as_columns(answer: Any) -> list[str]:
    """A list of column names from a list, tuple, set, pandas Index or Series, or text."""
    import pandas as pd

    if isinstance(answer, str):
        items: Iterable[Any] = [p for p in answer.replace(";", ",").split(",") if p.strip()]
    elif isinstance(answer, list | tuple | set | frozenset | pd.Index | pd.Series):
        items = list(answer)
    else:
        raise AnswerTypeError(
            "Expected the column names as a list of strings, such as ['email', 'phone']; "
            f"got {describe(answer)}."
        )
    names = []
    for item in items:
        if not isinstance(item, str):
            raise AnswerTypeError(
                f"Expected every column name as a string; got {describe(item)} in the list."
            )
        names.append(item.strip().strip("'\""))
    return names


def _quoted(names: Iterable[str]) -> str:
    return join_words([f"'{n}'" for n in names])


def _check_q1(answer: Any, data: Any) -> Feedback:
    table = _table(data)
    scan = _scan(table)
    columns = [str(c) for c in table.columns]
    given = _as_columns(answer)
    unknown = [g for g in given if g not in columns]
    if unknown:
        hints = "".join(did_you_mean(u, columns) for u in unknown)
        return not_yet(
            f"{_quoted(unknown)} {'is not a column' if len(unknown) == 1 else 'are not columns'} "
            f"of the table.{hints} The columns are {', '.join(columns)}."
        )
    direct = [f for f in scan.findings if f.kind is not IdentifierKind.NEAR_UNIQUE]
    expected = list(dict.fromkeys(f.column for f in direct))
    near_unique = [f.column for f in scan.findings if f.kind is IdentifierKind.NEAR_UNIQUE]
    chosen = set(given)
    missing = [c for c in expected if c not in chosen]
    extra = [c for c in given if c not in expected]
    if not missing and not extra:
        return correct(
            f"Right: {len(expected)} columns hold direct identifiers: {_quoted(expected)}. "
            "Most announce themselves by their names, but the free-text notes do not: "
            "caseworkers typed phone numbers and email addresses into some of them."
        )
    parts: list[str] = []
    in_text = [f.column for f in direct if f.found_by.value.endswith("free text")]
    hidden = [c for c in missing if c in in_text]
    if hidden:
        parts.append(
            f"You missed {_quoted(hidden)}: it is free text, but some notes contain phone "
            "numbers and email addresses typed in by caseworkers. Look inside the values, "
            "not only at the column names."
        )
    other_missing = [c for c in missing if c not in hidden]
    if other_missing:
        parts.append(
            f"You missed {_quoted(other_missing)}. Look at the values of every column as "
            "well as its name: scan_table shows what each holds."
        )
    quasi = [c for c in extra if c in ("age", "sex")]
    if quasi:
        verb = "is a quasi-identifier" if len(quasi) == 1 else "are quasi-identifiers"
        parts.append(
            f"{_quoted(quasi)} {verb}: harmless alone, identifying in combination (questions "
            "3 to 5), but not a direct identifier."
        )
    unique = [c for c in extra if c in near_unique]
    if unique:
        parts.append(
            f"{_quoted(unique)} is not a name, contact detail or official number, but it "
            "does single people out: that is question 2. Leave it out here."
        )
    others = [c for c in extra if c not in quasi and c not in unique]
    if others:
        sensitive = [c for c in others if c == SENSITIVE]
        parts.append(
            f"{_quoted(others)} {'does' if len(others) == 1 else 'do'} not identify anyone"
            + (
                f"; '{SENSITIVE}' is sensitive (it says what help a person needs), which is "
                "why it must not be linkable to them, but it is not an identifier"
                if sensitive
                else ""
            )
            + "."
        )
    return not_yet(" ".join(parts))


def _check_q2(answer: Any, data: Any) -> Feedback:
    table = _table(data)
    scan = _scan(table)
    near = [f for f in scan.findings if f.kind is IdentifierKind.NEAR_UNIQUE]
    if not near:
        raise DataValidationError("No column of this table is near-unique.")
    right = near[0].column
    kinds = {f.column: f.kind.label for f in scan.findings}
    options: dict[str, str] = {}
    for column in (str(c) for c in table.columns):
        distinct = int(table[column].nunique())
        present = int(table[column].notna().sum())
        share = distinct / max(1, present)
        if column == right:
            options[column] = (
                f"Right: '{column}' matches none of the identifier patterns, yet "
                f"{near[0].share:.0%} of its values are distinct, so each points to one "
                "person. Anyone holding another table with the same reference can link the "
                "two. Exclude it from training: a reference number carries no information "
                "about the outcome, only about who."
            )
        elif column in kinds:
            options[column] = (
                f"'{column}' is near-unique too ({share:.0%} distinct), but the scan already "
                f"finds it by its pattern ({kinds[column]}). Which column would only the "
                "distinct-values test catch?"
            )
        else:
            options[column] = (
                f"'{column}' has {distinct:,} different values in {present:,} rows: it does not "
                "single people out on its own."
            )
    return check_choice(answer, right=right, options=options)


def _check_q3(answer: Any, data: Any) -> Feedback:
    view = _view(data, Q3_AGE, Q3_POSTCODE)
    result = view.result
    exact = _view(data, "exact age", Q3_POSTCODE).result
    return check_number(
        answer,
        result.k,
        what="k of the table",
        lower=0,
        upper=len(_table(data)),
        tol=0.5,
        correct_message=(
            f"Right. {result.summary()} Age band, sex and district are each harmless, but "
            "together they single people out."
        ),
        mistakes=[
            Mistake(
                len(result.offending),
                "That is the number of groups smaller than 5, not k. k is the size of the "
                "smallest group: `k_anonymity(...).k`.",
            ),
            Mistake(
                result.n_groups,
                "That is the number of groups (combinations of the three values), not k. k is "
                "the size of the smallest group.",
            ),
            Mistake(
                result.rows_at_risk,
                "That is the number of people in groups smaller than 5 (question 4), not k. "
                "k is the size of the smallest group.",
            ),
            Mistake(
                exact.k,
                "That is k with exact ages. Put age in 10-year bands first: "
                "`age_band(contacts['age'], 10)`.",
            ),
        ],
    )


def _check_q4(answer: Any, data: Any) -> Feedback:
    result = _view(data, Q3_AGE, Q3_POSTCODE).result
    n = len(_table(data))
    return check_number(
        answer,
        result.rows_at_risk,
        what="number of people in groups smaller than 5",
        lower=0,
        upper=n,
        tol=0.5,
        correct_message=(
            f"Right: {result.rows_at_risk:,} of {n:,} people are in groups smaller than "
            f"{K}. In a published row-level table, anyone who knows one of them well enough "
            "could find their row."
        ),
        mistakes=[
            Mistake(
                len(result.offending),
                "That counts the groups smaller than 5. The question asks for the people in "
                "them: add up their 'rows'.",
            ),
            Mistake(
                n - result.rows_at_risk,
                "That is the number of people in groups of 5 or more: the safe ones. Count "
                "the people in the groups that are too small.",
            ),
            Mistake(
                result.n_groups,
                "That is the number of groups. Add up the 'rows' of the groups smaller than 5.",
            ),
        ],
    )


def _right_generalisation(data: Any) -> tuple[str, dict[str, AnonymityView]]:
    views = {key: _view(data, age, pc, sex) for key, (age, pc, sex) in GENERALISATIONS.items()}
    passing = {key: v for key, v in views.items() if v.result.passed}
    if not passing:
        raise DataValidationError(f"None of the generalisations reaches k = {K} on this table.")
    best = max(passing, key=lambda key: (passing[key].result.n_groups, key))
    return best, views


def _check_q5(answer: Any, data: Any) -> Feedback:
    right, views = _right_generalisation(data)
    best = views[right].result
    options: dict[str, str] = {}
    for key, view in views.items():
        r = view.result
        age, postcode, sex = GENERALISATIONS[key]
        sex_words = "" if sex else " and without sex"
        if key == right:
            options[key] = (
                f"Right: {key} ({age}, postcode {postcode}{sex_words}) gives k = {r.k} with "
                f"{r.n_groups} groups: it reaches {K} and keeps the most detail of the options "
                "that do. The top band is where the few oldest people hide."
            )
        elif not r.passed:
            small = r.group_names(limit=1)[0]
            options[key] = (
                f"{key} gives k = {r.k}, so it does not reach {K}: the smallest group is "
                f"{small}. Look for the option whose smallest group has at least {K} people."
            )
        else:
            lost = "drops sex altogether" if not sex else "uses coarser bands"
            options[key] = (
                f"{key} reaches k = {r.k}, but it {lost} and keeps only {r.n_groups} groups. "
                f"{right} reaches {K} with {best.n_groups}: take the smallest step that works, "
                "because every generalisation loses detail the analysis may need."
            )
    if isinstance(answer, str):
        answer = answer.strip().removeprefix("option").strip()
    return check_choice(
        answer, right=right.lower(), options={k.lower(): v for k, v in options.items()}
    )


def _check_q6(answer: Any, data: Any) -> Feedback:
    right, _ = _right_generalisation(data)
    age, postcode, sex = GENERALISATIONS[right]
    cols = [c for c in QUASI_IDENTIFIERS if sex or c != "sex"]
    table = _table(data)
    view = explore_anonymity(table, cols, k=K, age=age, postcode=postcode, sensitive=SENSITIVE)
    assert view.diversity is not None
    ell = view.diversity.l
    return check_number(
        answer,
        ell,
        what="l-diversity",
        lower=0,
        upper=len(table),
        tol=0.5,
        correct_message=(
            f"Right. {view.diversity.summary()} k protects against being found; l protects "
            "what is learned once someone is found."
        ),
        mistakes=[
            Mistake(
                view.result.k,
                "That is k, the size of the smallest group. l counts the *different* support "
                "needs in the least varied group: `l_diversity(...).l`.",
            ),
            Mistake(
                int(table[SENSITIVE].nunique()),
                "That is the number of different support needs in the whole table. l is the "
                "smallest number within any one group.",
            ),
        ],
    )


#: The terms the exercise uses, in plain words, for the novice track.
TERMS: tuple[tuple[str, str], ...] = (
    (
        "Direct identifier",
        "a value that points to one person on its own: a name, an email address, a "
        "phone number, a full postcode (about 15 addresses), a National Insurance or "
        "NHS number, a date of birth.",
    ),
    (
        "Near-unique column",
        "a column with a different value on (almost) every row, such as a case "
        "reference. It identifies nobody by itself, but anyone with another table "
        "holding the same reference can link the two.",
    ),
    (
        "Quasi-identifiers",
        "values that are harmless alone but identifying together, such as age, sex "
        "and postcode district.",
    ),
    (
        "k-anonymity",
        "every combination of quasi-identifier values is shared by at least k people."
        " The table's k is the size of its smallest group.",
    ),
    (
        "Generalisation",
        'making a value coarser (age 47 becomes "40-49"; postcode ZX1 3AB becomes its'
        " district ZX1 or its area ZX) so that groups grow.",
    ),
    (
        "l-diversity",
        "every group also holds at least l different values of the sensitive "
        "attribute (here, what a person needs help with).",
    ),
)


EXERCISE = Exercise(
    id="find_identifiers",
    title="Find the identifiers: personal data in a raw extract",
    load_data=contacts_table,
    terms=TERMS,
    questions=(
        Question(
            id="find_identifiers.q1",
            prompt="Which columns hold a direct identifier (a name, email address, phone "
            "number, postcode, NI or NHS number, or date of birth), whole or inside text?",
            checker=_check_q1,
            hint="Run `scan_table(contacts)` and read its findings, or look at "
            "`contacts.head()` column by column. Give a list of column names, such as "
            "`['full_name', 'email']`, and do not forget free-text columns.",
        ),
        Question(
            id="find_identifiers.q2",
            prompt="Which column matches no identifier pattern but singles people out all "
            "the same?",
            checker=_check_q2,
            hint="Compare `contacts.nunique()` with the number of rows: which column has a "
            "different value on (almost) every row, yet is not a name, contact detail, "
            "official number or date? Give its name as text.",
        ),
        Question(
            id="find_identifiers.q3",
            prompt="What k does the table reach on age (10-year bands), sex and postcode district?",
            checker=_check_q3,
            hint="Make a copy with `age_band(contacts['age'], 10)` and "
            "`truncate_postcode(contacts['postcode'], 'district')`, then read "
            "`k_anonymity(copy, ['age', 'sex', 'postcode']).k`, or call "
            "`explore_anonymity(contacts, ['age', 'sex', 'postcode'], age='10-year bands', "
            "postcode='district')`.",
        ),
        Question(
            id="find_identifiers.q4",
            prompt="On the same quasi-identifiers, how many people are in groups smaller than 5?",
            checker=_check_q4,
            hint="The result of k_anonymity lists the groups smaller than k in `offending`, "
            "with each group's number of people in 'rows'; `rows_at_risk` adds them up.",
        ),
        Question(
            id="find_identifiers.q5",
            prompt="Which generalisation, A to E, reaches k = 5 while keeping the most "
            "detail (the most groups)?",
            checker=_check_q5,
            hint="Run `explore_anonymity` once per option, with the age and postcode "
            "choices shown in the table (and without 'sex' for E). Keep the options whose "
            "k is at least 5, then pick the one with the most groups (`n_groups`).",
        ),
        Question(
            id="find_identifiers.q6",
            prompt="After that generalisation, what is the l-diversity of support_need?",
            checker=_check_q6,
            hint="Call `explore_anonymity(...)` with your answer to question 5's choices and "
            "`sensitive='support_need'`, then read `.diversity.l`: the fewest different "
            "support needs in any one group.",
        ),
    ),
)
