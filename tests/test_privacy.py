"""The privacy package: the fake raw file, the scan, the pipeline check, pseudonymisation,
k-anonymity and l-diversity, and differential privacy.

Expected values are computed here independently: check digits by the NHS's own rule in
plain Python, HMACs with ``hmac.new``, group sizes with pandas ``groupby``, and the
Laplace noise against ``scipy.stats.laplace``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scipy import stats

from mlops_kit.config import PrivacyOverride, PrivacySettings
from mlops_kit.data._contacts import raw_contacts_csv_text
from mlops_kit.errors import ConfigError, DataValidationError, PrivacyError
from mlops_kit.privacy import (
    BudgetExceededError,
    IdentifierKind,
    PrivacyBudget,
    age_band,
    check_export,
    explore_anonymity,
    generate_raw_contacts,
    k_anonymity,
    l_diversity,
    laplace_bounded_mean,
    laplace_count,
    load_raw_contacts,
    make_key,
    nhs_check_digit_valid,
    pseudonymise,
    scan_table,
    suppress_small_groups,
    truncate_postcode,
)
from mlops_kit.privacy._check import check_privacy
from mlops_kit.privacy._findings import FoundBy, Resolution
from mlops_kit.privacy._identifiers import mask_value
from mlops_kit.privacy._pseudonymise import MIN_KEY_BYTES

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
CONTACT_IDENTIFIERS = {
    "contact_id": IdentifierKind.NEAR_UNIQUE,
    "full_name": IdentifierKind.NAME,
    "email": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "postcode": IdentifierKind.POSTCODE,
    "ni_number": IdentifierKind.NI_NUMBER,
    "nhs_number": IdentifierKind.NHS_NUMBER,
    "date_of_birth": IdentifierKind.DATE_OF_BIRTH,
}


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    return load_raw_contacts()


def nhs_valid_reference(number: str) -> bool:
    """The NHS modulus-11 rule, written out in plain Python (independent of the kit)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10 or len(re.sub(r"[\s-]", "", number)) != 10:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


# --- The fake raw file ---------------------------------------------------------------------


def test_raw_contacts_csv_is_exactly_the_generator_output() -> None:
    expected = raw_contacts_csv_text()
    actual = (DATA / "raw_contacts.csv").read_bytes()
    assert actual == expected.encode("utf-8"), (
        "data/raw_contacts.csv differs from its seeded generator: regenerate it with "
        "write_raw_contacts('data'); never edit the CSV by hand."
    )


def test_generator_is_deterministic_and_seeded() -> None:
    first, again = generate_raw_contacts(n=50), generate_raw_contacts(n=50)
    pd.testing.assert_frame_equal(first, again)
    assert not generate_raw_contacts(n=50, seed=1)["full_name"].equals(first["full_name"])


def test_every_identifier_comes_from_a_reserved_or_invented_range(contacts: pd.DataFrame) -> None:
    assert len(contacts) == 1500
    domains = contacts["email"].str.split("@").str[1]
    assert set(domains) <= {"example.org", "example.com", "mail.invalid", "council.invalid"}
    drama = r"(07700 900|\+44 7700 900)\d{3}|(020 7946 0|0113 496 0|0161 496 0)\d{3}"
    assert contacts["phone"].str.fullmatch(drama).all()
    assert contacts["postcode"].str.fullmatch(r"Z[XYZ][123] \d[A-Z]{2}").all()
    assert not contacts["postcode"].str.startswith("ZZ99").any()
    assert contacts["ni_number"].str.replace(" ", "").str.fullmatch(r"QQ\d{6}[A-D]").all()
    assert contacts["nhs_number"].str.startswith("999 ").all()
    surnames = set(contacts["full_name"].str.split(" ").str[-1])
    assert surnames <= {
        "Sampleton", "Testwell", "Examplar", "Mockridge", "Placeholt", "Fictley",
        "Dummyworth", "Notreal", "Pretendon", "Madeupson", "Specimen", "Templeby", "Demoson",
        "Draftwood", "Trialby", "Syntheton", "Fakesley", "Inventor-Smythe", "Proxton",
        "Nullbury",
    }  # fmt: skip


def test_a_few_nhs_numbers_have_a_wrong_check_digit(contacts: pd.DataFrame) -> None:
    valid = contacts["nhs_number"].map(nhs_valid_reference)
    assert (~valid).sum() == 28  # the datasheet quotes this number
    assert (nhs_check_digit_valid(contacts["nhs_number"]) == valid.to_numpy()).all()


def test_dates_of_birth_agree_with_ages_at_the_extract_date(contacts: pd.DataFrame) -> None:
    dob = pd.to_datetime(contacts["date_of_birth"])
    extract = pd.Timestamp("2024-06-30")
    had_birthday = (dob.dt.month < 6) | ((dob.dt.month == 6) & (dob.dt.day <= 30))
    age = extract.year - dob.dt.year - (~had_birthday).astype(int)
    assert (age == contacts["age"]).all()


def test_datasheet_says_the_file_is_fake_and_never_for_training(contacts: pd.DataFrame) -> None:
    text = (DATA / "raw_contacts.datasheet.md").read_text(encoding="utf-8")
    opening = text[:600]
    assert "Every value in this file is fake" in opening
    assert "must never be used to train a model" in opening
    rows = re.findall(r"^\| `([A-Za-z0-9_]+)` \|", text, flags=re.MULTILINE)
    assert rows == list(contacts.columns)
    assert any(line.startswith("Contains personal data: no") for line in text.splitlines())
    assert "write_raw_contacts('data')" in text
    assert "raw_contacts.csv" in (DATA / "README.md").read_text(encoding="utf-8")


def test_load_raw_contacts_keeps_identifiers_as_text(contacts: pd.DataFrame) -> None:
    assert contacts["phone"].str.startswith("0").any()
    assert pd.api.types.is_string_dtype(contacts["nhs_number"])
    assert pd.api.types.is_integer_dtype(contacts["age"])


# --- Check digits, patterns, masking -------------------------------------------------------


def test_nhs_check_digit_on_known_valid_and_invalid_numbers() -> None:
    values = pd.Series(
        [
            "943 476 5919",  # the NHS's own example: valid
            "9434765919",
            "401-023-2137",  # valid
            "9434765918",  # last digit changed
            "1234567890",  # its check digit would be 10: no such NHS number
            "943476591",  # nine digits
            "94347659190",  # eleven digits
            "943 476 591X",
        ]
    )
    assert nhs_check_digit_valid(values).tolist() == [True, True, True] + [False] * 5


def test_nhs_check_digit_matches_the_plain_python_rule(rng: np.random.Generator) -> None:
    numbers = pd.Series([f"{v:010d}" for v in rng.integers(0, 10**10, 3000)])
    expected = numbers.map(nhs_valid_reference).to_numpy()
    assert (nhs_check_digit_valid(numbers) == expected).all()
    assert 0.05 < expected.mean() < 0.15  # about 1 in 11 random numbers passes


def test_mask_never_shows_more_than_the_first_and_last_character() -> None:
    for value in ("943 476 5919", "jane.doe@example.org", "QQ 12 34 56 C", "ZX1 3AB"):
        masked = mask_value(value)
        inner = [c for c in masked[1:-1] if c.isalnum()]
        assert inner == [], masked
        assert masked[0] == value[0]


# --- The scan ------------------------------------------------------------------------------


def test_scan_finds_every_identifier_column_of_the_raw_file(contacts: pd.DataFrame) -> None:
    scan = scan_table(contacts, source="raw_contacts.csv")
    found = {f.column: f.kind for f in scan.findings if f.column != "case_notes"}
    assert found == CONTACT_IDENTIFIERS
    notes = {f.kind for f in scan.findings if f.column == "case_notes"}
    assert notes == {IdentifierKind.EMAIL, IdentifierKind.PHONE}
    assert not scan.passed
    assert set(scan.identifier_columns) == {*CONTACT_IDENTIFIERS, "case_notes"}
    untouched = {"age", "sex", "household_size", "support_need", "contact_preference"}
    assert untouched.isdisjoint(scan.identifier_columns)
    assert "last_contact" not in scan.identifier_columns  # dates, but not birth dates


def test_scan_shares_and_notes_match_pandas(contacts: pd.DataFrame) -> None:
    scan = scan_table(contacts)
    by = {(f.column, f.kind): f for f in scan.findings}
    nhs = by["nhs_number", IdentifierKind.NHS_NUMBER]
    valid = contacts["nhs_number"].map(nhs_valid_reference)
    assert nhs.share == pytest.approx(valid.mean())
    assert nhs.found_by is FoundBy.NAME_AND_PATTERN
    assert f"{(~valid).sum()} of 1,500 look like NHS numbers but the check digit fails" in nhs.note
    ni = by["ni_number", IdentifierKind.NI_NUMBER]
    assert "0 of 1,500 follow HMRC's rules" in ni.note
    assert "1,500 of 1,500 use a prefix HMRC never issues" in ni.note
    notes = contacts["case_notes"].dropna()
    email = by["case_notes", IdentifierKind.EMAIL]
    assert email.found_by is FoundBy.FREE_TEXT
    assert email.share == pytest.approx(notes.str.contains("@").mean())
    phone = by["case_notes", IdentifierKind.PHONE]
    assert phone.share == pytest.approx(notes.str.contains("Call back on").mean())
    near = by["contact_id", IdentifierKind.NEAR_UNIQUE]
    assert near.share == contacts["contact_id"].nunique() / len(contacts) == 1.0


def test_scan_never_shows_a_full_identifier(contacts: pd.DataFrame) -> None:
    scan = scan_table(contacts)
    shown = scan.to_frame().to_string() + scan._repr_html_() + str(scan.audit_details())
    shown += scan.summary()
    for column in CONTACT_IDENTIFIERS:
        leaked = [v for v in contacts[column].unique() if v in shown]
        assert not leaked, f"{column}: {leaked[:3]}"
    with pytest.raises(PrivacyError) as info:
        check_privacy(contacts, source="raw_contacts.csv")
    message = str(info.value)
    assert not [v for v in contacts["email"] if v in message]
    assert not [v for v in contacts["nhs_number"] if v in message]


def test_scan_flags_only_claim_id_in_the_bundled_claims(claims: pd.DataFrame) -> None:
    scan = scan_table(claims)
    assert [(f.column, f.kind, f.found_by) for f in scan.findings] == [
        ("claim_id", IdentifierKind.NEAR_UNIQUE, FoundBy.DISTINCT_VALUES)
    ]
    assert "42,000 distinct values in 42,000 rows" in scan.findings[0].note


def test_scan_flags_nothing_in_the_bundled_admissions(admissions: pd.DataFrame) -> None:
    assert scan_table(admissions).findings == ()


def test_scan_is_vectorised_over_distinct_values(claims: pd.DataFrame) -> None:
    big = pd.concat([claims] * 3, ignore_index=True)  # 126,000 rows
    start = time.perf_counter()
    scan_table(big)
    assert time.perf_counter() - start < 10  # about 0.5 s: no Python loop over the rows


def _findings(df: pd.DataFrame, **kwargs: Any) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for f in scan_table(df, **kwargs).findings:
        out.setdefault(f.column, []).append((f.kind.value, f.found_by.value))
    return out


def test_scan_reads_column_names_and_values_on_a_small_table() -> None:
    n = 60
    df = pd.DataFrame(
        {
            "Surname": ["smith"] * n,  # values do not look like names; the name says so
            "region_name": ["North East", "South West"] * (n // 2),  # places, not people
            "dateOfBirth": pd.date_range("1950-01-01", periods=n, freq="200D"),
            "visit_date": np.repeat(pd.date_range("2024-01-01", periods=6).astype(str), 10),
            "weight_kg": np.linspace(50, 90, n),  # decimal measurements
            "case_no": np.arange(n)[::-1] * 3 + 11,  # a reference number
            "row": np.arange(n),  # a row counter
            "NI": ["AB 12 34 56 C", "JG103759A"] * (n // 2),  # valid HMRC numbers
            "comments": ["Seen in clinic."] * (n - 3) + ["NHS no 943 476 5919 given"] * 3,
            "email_opt_in": ["yes", "no"] * (n // 2),  # about an identifier, not one
            "postcode_district": ["ZX1", "ZY2", "ZZ3"] * (n // 3),  # a quasi-identifier
            "nhs_region": ["London", "Midlands"] * (n // 2),
        }
    )
    found = _findings(df)
    assert found["Surname"] == [("name", "column name")]
    assert "region_name" not in found
    assert found["dateOfBirth"] == [("date_of_birth", "column name and value pattern")]
    assert "visit_date" not in found
    assert "weight_kg" not in found
    assert found["case_no"] == [("near_unique", "distinct values")]
    assert found["row"] == [("near_unique", "distinct values")]
    assert found["NI"] == [("ni_number", "column name and value pattern")]
    assert found["comments"] == [("nhs_number", "value pattern inside free text")]
    assert set(found) == {"Surname", "dateOfBirth", "case_no", "row", "NI", "comments"}


def test_scan_reports_nhs_numbers_stored_as_integers() -> None:
    numbers = [9434765919, 4010232137] * 30
    found = _findings(pd.DataFrame({"x": numbers}))
    assert found["x"] == [("nhs_number", "value pattern")]


def test_ni_prefixes_follow_hmrc_rules() -> None:
    df = pd.DataFrame({"a": ["AB123456C"], "b": ["QQ123456C"], "c": ["BG123456A"]})
    notes = {f.column: f.note for f in scan_table(df).findings}
    assert notes["a"].startswith("1 of 1 follow HMRC's rules")
    assert "1 of 1 use a prefix HMRC never issues" in notes["b"]
    assert "1 of 1 use a prefix HMRC never issues" in notes["c"]  # BG is not allocated
    assert scan_table(pd.DataFrame({"d": ["AB123456E"]})).findings == ()  # suffix A-D only


def test_pseudonymised_columns_are_still_reported(contacts: pd.DataFrame) -> None:
    out = pseudonymise(contacts, key=make_key(), columns=["contact_id", "nhs_number"])
    by = {f.column: f for f in scan_table(out, columns=["contact_id", "nhs_number"]).findings}
    assert by["contact_id"].kind is IdentifierKind.NEAR_UNIQUE
    assert "look like pseudonyms, which are still personal data" in by["contact_id"].note
    assert by["nhs_number"].found_by is FoundBy.COLUMN_NAME
    assert "pseudonyms" in by["nhs_number"].note


@pytest.mark.parametrize(
    ("kwargs", "error", "phrase"),
    [
        ({"near_unique_share": 0.4}, ConfigError, "'near_unique_share' parameter of scan_table"),
        ({"min_share": 0}, ConfigError, "must be a number in (0, 1]"),
        ({"min_rows": 1}, ConfigError, "at least 2. Got 1"),
        ({"columns": ["emial"]}, DataValidationError, "Did you mean 'email'?"),
    ],
)
def test_scan_rejects_bad_parameters(kwargs: dict[str, Any], error: type, phrase: str) -> None:
    df = pd.DataFrame({"email": ["a@example.org"]})
    with pytest.raises(error) as info:
        scan_table(df, **kwargs)
    assert phrase in str(info.value)


def test_scan_needs_a_dataframe_with_unique_columns() -> None:
    with pytest.raises(DataValidationError, match=r"needs a pandas DataFrame\. Got list"):
        scan_table([1, 2])  # type: ignore[arg-type]
    twice = pd.DataFrame([[1, 2]], columns=["id", "id"])
    with pytest.raises(DataValidationError, match="unique column names; the table repeats id"):
        scan_table(twice)


# --- The check the pipeline runs --------------------------------------------------------------


def test_claims_pass_once_claim_id_is_excluded(claims: pd.DataFrame) -> None:
    scan = check_privacy(claims, source="benefit_claims.csv", exclude=["claim_id"])
    assert scan.passed
    assert scan.status("claim_id") == (
        Resolution.EXCLUDED,
        "listed in exclude: never used for training",
    )
    assert scan.audit_details()["unresolved"] == []


def test_unresolved_claim_id_stops_the_run_with_the_ways_out(claims: pd.DataFrame) -> None:
    with pytest.raises(PrivacyError) as info:
        check_privacy(claims, source="benefit_claims.csv")
    err = info.value
    assert isinstance(err, DataValidationError)
    assert err.columns == ("claim_id",)
    assert err.column == "claim_id"
    message = str(err)
    assert "The privacy check refused benefit_claims.csv: 1 column holds personal data" in message
    for way in ("`exclude:`", "pseudonymise", "privacy: allow:", "privacy: override:"):
        assert way in message


def test_raw_contacts_are_refused_naming_every_column(contacts: pd.DataFrame) -> None:
    with pytest.raises(PrivacyError) as info:
        check_privacy(contacts, source="raw_contacts.csv", exclude=["contact_id"])
    assert set(info.value.columns) == {*CONTACT_IDENTIFIERS, "case_notes"} - {"contact_id"}
    assert len(info.value.problems) == 9  # case_notes holds two kinds


def test_allow_records_a_reviewers_reason() -> None:
    df = pd.DataFrame({"site_code": [f"S{i:04d}" for i in range(100)], "y": [0, 1] * 50})
    with pytest.raises(PrivacyError, match="'site_code'"):
        check_privacy(df)
    reason = "Codes of hospital sites, not of people"
    scan = check_privacy(df, {"allow": {"site_code": reason}})
    assert scan.status("site_code") == (Resolution.ALLOWED, reason)
    with pytest.raises(DataValidationError, match="Did you mean 'site_code'"):
        check_privacy(df, {"allow": {"site_cod": reason}})


def test_an_override_needs_a_named_person_and_a_reason(contacts: pd.DataFrame) -> None:
    override = {"by": "Sam Jones, Data Protection Officer", "reason": "DPIA 2024-17 approves it"}
    scan = check_privacy(contacts, {"override": override}, run_by="Alex Analyst")
    assert scan.passed
    assert scan.unresolved
    assert scan.status("email")[0] is Resolution.OVERRIDDEN
    details = scan.audit_details()
    assert details["override"] == {"by": override["by"], "reason": override["reason"]}
    assert "overridden by Sam Jones" in scan.summary()
    for bad, phrase in [
        ({"by": "  ", "reason": override["reason"]}, "must name the person"),
        ({"by": "TBC", "reason": override["reason"]}, "not a placeholder"),
        ({"by": "Sam Jones", "reason": "because"}, "at least 20 characters"),
        ({"by": "Sam Jones"}, "privacy.override.reason: Field required"),
    ]:
        with pytest.raises(ConfigError) as info:
            check_privacy(contacts, {"override": bad})
        assert phrase in str(info.value)
    with pytest.raises(PrivacyError, match="separation of duties"):
        check_privacy(contacts, {"override": override}, run_by="sam jones, data protection officer")


def test_privacy_settings_are_strict() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PrivacySettings.model_validate({"alow": {}})
    with pytest.raises(ValidationError, match="at least 10 characters"):
        PrivacySettings.model_validate({"allow": {"x": "ok"}})
    with pytest.raises(ValidationError, match="greater than or equal to 2"):
        PrivacySettings.model_validate({"k": 1})
    settings = PrivacySettings.model_validate(
        {"override": {"by": " Sam   Jones ", "reason": "x" * 20}, "k": 10}
    )
    assert settings.override == PrivacyOverride(by="Sam Jones", reason="x" * 20)
    assert settings.k == 10


def test_settings_thresholds_reach_the_scan() -> None:
    df = pd.DataFrame({"ref": [f"R{i % 95}" for i in range(100)]})  # 95% distinct
    assert check_privacy(df, {"near_unique_share": 0.99}).findings == ()
    with pytest.raises(PrivacyError):
        check_privacy(df, {"near_unique_share": 0.9})


# --- Pseudonymisation ------------------------------------------------------------------------


def test_pseudonyms_are_hmac_sha256_of_the_normalised_value(contacts: pd.DataFrame) -> None:
    key = make_key()
    out = pseudonymise(contacts["nhs_number"], key=key)
    for raw, pseudonym in zip(contacts["nhs_number"].head(50), out.head(50), strict=True):
        message = raw.replace(" ", "").casefold().encode("utf-8")
        assert pseudonym == hmac.new(key, message, hashlib.sha256).hexdigest()
        assert pseudonym != hashlib.sha256(message).hexdigest()  # never an unkeyed hash


def test_pseudonyms_are_stable_for_one_key_and_differ_across_keys(contacts: pd.DataFrame) -> None:
    key, other = make_key(), make_key()
    first = pseudonymise(contacts["email"], key=key)
    assert first.equals(pseudonymise(contacts["email"], key=key))
    assert (first != pseudonymise(contacts["email"], key=other)).all()
    assert first.nunique() == contacts["email"].nunique()
    spaced = pseudonymise(pd.Series(["943 476 5919", "9434765919"]), key=key)
    assert spaced[0] == spaced[1]
    raw = pseudonymise(pd.Series(["943 476 5919", "9434765919"]), key=key, normalise=False)
    assert raw[0] != raw[1]


def test_pseudonymise_a_table_keeps_other_columns_and_missing_values(
    contacts: pd.DataFrame,
) -> None:
    key = "k" * MIN_KEY_BYTES
    out = pseudonymise(contacts, key=key, columns=["case_notes"])
    assert out["case_notes"].isna().equals(contacts["case_notes"].isna())
    assert out.drop(columns="case_notes").equals(contacts.drop(columns="case_notes"))
    assert contacts["case_notes"].dropna().iloc[0] in set(contacts["case_notes"])  # not mutated


@pytest.mark.parametrize(
    ("key", "phrase"),
    [
        (None, "never makes an unkeyed hash"),
        (b"short", "at least 32 bytes long (a short key can be guessed). Got 5 bytes"),
        ("x" * 31, "Got 31 bytes"),
        (12345, "must be bytes (from make_key()) or text. Got int"),
    ],
)
def test_pseudonymise_refuses_a_missing_or_weak_key(key: Any, phrase: str) -> None:
    with pytest.raises(ConfigError) as info:
        pseudonymise(pd.Series(["a"]), key=key)
    assert phrase in str(info.value)
    assert "make_key()" in str(info.value) or "Got int" in str(info.value)


def test_pseudonymise_table_errors() -> None:
    df = pd.DataFrame({"email": ["a@example.org"]})
    with pytest.raises(ConfigError, match="must list the DataFrame's columns"):
        pseudonymise(df, key=make_key())
    with pytest.raises(DataValidationError, match="Did you mean 'email'"):
        pseudonymise(df, key=make_key(), columns=["emails"])
    with pytest.raises(ConfigError, match="at least 32"):
        make_key(16)
    assert len(make_key()) == 32
    assert make_key() != make_key()


# --- k-anonymity and l-diversity -------------------------------------------------------------


@pytest.fixture(scope="module")
def generalised(contacts: pd.DataFrame) -> pd.DataFrame:
    return contacts.assign(
        age=age_band(contacts["age"], 10),
        postcode=truncate_postcode(contacts["postcode"], "district"),
    )


def test_k_matches_a_pandas_groupby(generalised: pd.DataFrame) -> None:
    cols = ["age", "sex", "postcode"]
    result = k_anonymity(generalised, cols, k=5)
    sizes = generalised.groupby(cols, observed=True).size()
    assert result.k == sizes.min()
    assert result.n_groups == len(sizes)
    small = sizes[sizes < 5]
    assert len(result.offending) == len(small)
    assert result.rows_at_risk == small.sum()
    assert result.offending["rows"].is_monotonic_increasing
    named = {tuple(r) for r in result.offending[cols].astype(str).itertuples(index=False)}
    assert named == {tuple(str(v) for v in key) for key in small.index}
    assert result.group_names(limit=1)[0].endswith(": 1 row")
    assert not result.passed
    assert "not 5-anonymous" in result.summary()


def test_missing_values_form_a_group_of_their_own() -> None:
    df = pd.DataFrame({"area": ["A"] * 6 + [None] * 2, "sex": ["f"] * 8})
    result = k_anonymity(df, ["area", "sex"], k=5)
    assert result.k == 2
    assert result.group_names() == ["area=(missing), sex=f: 2 rows"]


def test_l_diversity_matches_a_pandas_groupby(generalised: pd.DataFrame) -> None:
    cols = ["age", "sex", "postcode"]
    result = l_diversity(generalised, cols, "support_need", l=2)
    distinct = generalised.groupby(cols, observed=True)["support_need"].nunique()
    assert result.l == distinct.min()
    assert len(result.offending) == (distinct < 2).sum()
    assert "support_need" not in result.offending.columns  # the values are never listed
    assert set(result.offending.columns) == {*cols, "rows", "distinct"}


def test_check_export_refuses_below_k_and_names_the_groups(generalised: pd.DataFrame) -> None:
    cols = ["age", "sex", "postcode"]
    with pytest.raises(PrivacyError) as info:
        check_export(generalised, cols, k=5, source="the published table")
    message = str(info.value)
    assert "The export of the published table is refused" in message
    assert "and 45 more" in message  # 55 groups: ten are named
    assert len(info.value.problems) == 55
    assert info.value.columns == tuple(cols)
    assert check_export(generalised, cols, k=1).passed  # k is configurable


def test_suppression_removes_exactly_the_rows_at_risk(generalised: pd.DataFrame) -> None:
    cols = ["age", "sex", "postcode"]
    before = k_anonymity(generalised, cols, k=5)
    out = suppress_small_groups(generalised, cols, k=5)
    assert out.attrs["suppressed_rows"] == before.rows_at_risk == len(generalised) - len(out)
    assert k_anonymity(out, cols, k=5).passed
    assert check_export(out, cols, k=5).k >= 5


def test_explore_anonymity_reaches_k_five_with_the_documented_choice(
    contacts: pd.DataFrame,
) -> None:
    view = explore_anonymity(
        contacts,
        ["age", "sex", "postcode"],
        age="10-year bands, under 30 to 70+",
        postcode="area",
        sensitive="support_need",
    )
    manual = contacts.assign(
        age=age_band(contacts["age"], 10, start=20, top=70),
        postcode=truncate_postcode(contacts["postcode"], "area"),
    )
    sizes = manual.groupby(["age", "sex", "postcode"], observed=True).size()
    assert view.result.k == sizes.min() >= 5
    assert view.diversity is not None
    assert (
        view.diversity.l
        == manual.groupby(["age", "sex", "postcode"], observed=True)["support_need"].nunique().min()
    )
    cols = ["age", "sex", "postcode"]
    bands = "10-year bands"
    at_risk = explore_anonymity(contacts, cols, age=bands, postcode="district").result.rows_at_risk
    suppressed = explore_anonymity(contacts, cols, age=bands, postcode="district", suppress=True)
    assert suppressed.result.passed
    assert suppressed.suppressed_rows == at_risk
    assert f"Suppression removed {at_risk} of 1,500 rows" in suppressed.summary()
    with pytest.raises(DataValidationError, match="removes all 1,500 rows"):
        explore_anonymity(contacts, cols, suppress=True)  # exact age and full postcode
    with pytest.raises(ConfigError, match="'age' parameter of explore_anonymity"):
        explore_anonymity(contacts, ["age"], age="decades")


@pytest.mark.parametrize(
    ("call", "error", "phrase"),
    [
        (lambda df: k_anonymity(df, []), ConfigError, "non-empty list of column names"),
        (lambda df: k_anonymity(df, "age"), ConfigError, "non-empty list of column names"),
        (lambda df: k_anonymity(df, ["age", "age"]), ConfigError, "repeats a column"),
        (lambda df: k_anonymity(df, ["agee"]), DataValidationError, "Did you mean 'age'"),
        (lambda df: k_anonymity(df, ["age"], k=0), ConfigError, "at least 1. Got 0"),
        (lambda df: k_anonymity(df.head(0), ["age"]), DataValidationError, "the table is empty"),
        (lambda df: l_diversity(df, ["age"], "need"), DataValidationError, "sensitive column"),
        (lambda df: l_diversity(df, ["age"], "age"), ConfigError, "cannot also be"),
    ],
)
def test_anonymity_errors_name_the_rule(call: Any, error: type, phrase: str) -> None:
    df = pd.DataFrame({"age": [30, 40], "sex": ["f", "m"]})
    with pytest.raises(error) as info:
        call(df)
    assert phrase in str(info.value)


def test_age_bands() -> None:
    ages = pd.Series([0, 9, 10, 18, 34.5, 71, 95, None], index=list("abcdefgh"))
    bands = age_band(ages, 10)
    assert bands.tolist()[:7] == ["0-9", "0-9", "10-19", "10-19", "30-39", "70-79", "90-99"]
    assert pd.isna(bands["h"])
    assert list(bands.index) == list("abcdefgh")
    coded = age_band(ages, 10, start=20, top=80)
    assert coded.tolist()[:7] == [
        "under 30", "under 30", "under 30", "under 30", "30-39", "70-79", "80+",
    ]  # fmt: skip
    assert list(coded.cat.categories) == [
        "under 30", "30-39", "40-49", "50-59", "60-69", "70-79", "80+",
    ]  # fmt: skip
    assert coded.cat.ordered
    with pytest.raises(DataValidationError, match="cannot be negative"):
        age_band([-1, 20])
    with pytest.raises(DataValidationError, match="must be numbers; 1 value"):
        age_band(["thirty", 20])
    with pytest.raises(ConfigError, match="whole number of bands"):
        age_band([20], 10, top=85)
    with pytest.raises(ConfigError, match="'width' parameter of age_band"):
        age_band([20], 0)


def test_truncated_postcodes() -> None:
    codes = pd.Series(["SW1A 1AA", "zx2  7hq", "M1 1AE", None])
    assert truncate_postcode(codes, "district").tolist()[:3] == ["SW1A", "ZX2", "M1"]
    assert truncate_postcode(codes, "sector").tolist()[:3] == ["SW1A 1", "ZX2 7", "M1 1"]
    assert truncate_postcode(codes, "area").tolist()[:3] == ["SW", "ZX", "M"]
    assert pd.isna(truncate_postcode(codes)[3])
    with pytest.raises(DataValidationError) as info:
        truncate_postcode(["SW1A 1AA", "SW1A"])
    assert "1 are not, the first 'S**A' at row 1" in str(info.value)
    with pytest.raises(ConfigError, match="'sector', 'district' or 'area'"):
        truncate_postcode(["SW1A 1AA"], "street")  # type: ignore[arg-type]


# --- Differential privacy -----------------------------------------------------------------------


def test_laplace_count_noise_matches_theory() -> None:
    rng = np.random.default_rng(2024)
    epsilon, true = 0.5, 120
    noise = np.array(
        [laplace_count(true, epsilon=epsilon, rng=rng).value - true for _ in range(20_000)]
    )
    b = 1 / epsilon
    ks = stats.kstest(noise, stats.laplace(loc=0, scale=b).cdf)
    assert ks.pvalue > 0.001, ks
    standard_error = np.sqrt(2) * b / np.sqrt(len(noise))
    assert abs(noise.mean()) < 5 * standard_error
    assert noise.var() == pytest.approx(2 * b**2, rel=0.05)
    release = laplace_count(true, epsilon=epsilon, rng=0)
    assert release.scale == b
    assert release.sensitivity == 1
    assert release.margin95 == pytest.approx(b * np.log(20))
    inside = np.mean(np.abs(noise) <= release.margin95)
    assert inside == pytest.approx(0.95, abs=0.01)


def test_laplace_bounded_mean_clips_and_calibrates_to_the_bounds() -> None:
    values = np.array([10, 20, 30, 250])  # 250 is clipped to 100, 10 to 16
    release = laplace_bounded_mean(values, lower=16, upper=100, epsilon=1.0, rng=1)
    assert release.sensitivity == pytest.approx((100 - 16) / 4)
    assert release.scale == pytest.approx(release.sensitivity / 1.0)
    almost = laplace_bounded_mean(values, lower=16, upper=100, epsilon=1e9, rng=1)
    assert almost.value == pytest.approx(np.mean([16, 20, 30, 100]), abs=1e-6)
    rng = np.random.default_rng(7)
    clipped = np.clip(values, 16, 100).mean()
    noise = np.array(
        [
            laplace_bounded_mean(values, lower=16, upper=100, epsilon=2.0, rng=rng).value - clipped
            for _ in range(5_000)
        ]
    )
    ks = stats.kstest(noise, stats.laplace(scale=(84 / 4) / 2.0).cdf)
    assert ks.pvalue > 0.001, ks


def test_counts_accept_a_mask_a_table_or_a_number(contacts: pd.DataFrame) -> None:
    mask = contacts["support_need"] == "housing"
    a = laplace_count(mask, epsilon=1.0, rng=3).value
    b = laplace_count(int(mask.sum()), epsilon=1.0, rng=3).value
    c = laplace_count(contacts[mask], epsilon=1.0, rng=3).value
    assert a == b == c
    with pytest.raises(DataValidationError, match="counts a DataFrame's rows"):
        laplace_count(contacts["age"], epsilon=1.0)
    with pytest.raises(DataValidationError, match="cannot be negative"):
        laplace_count(-1, epsilon=1.0)


def test_the_budget_refuses_to_be_overspent() -> None:
    budget = PrivacyBudget(1.0, name="contacts 2024")
    laplace_count(100, epsilon=0.6, budget=budget, label="housing count", rng=0)
    assert budget.spent == pytest.approx(0.6)
    with pytest.raises(BudgetExceededError) as info:
        laplace_bounded_mean([30, 40], lower=16, upper=100, epsilon=0.5, budget=budget,
                             label="mean age", rng=0)  # fmt: skip
    err = info.value
    assert isinstance(err, PrivacyError)
    assert (err.budget, err.total, err.requested, err.label) == ("contacts 2024", 1.0, 0.5,
                                                                 "mean age")  # fmt: skip
    assert err.spent == pytest.approx(0.6)
    message = str(err)
    for part in ("'contacts 2024'", "'mean age'", "epsilon 0.5", "0.6 of the 1 is spent",
                 "housing count: 0.6", "only 0.4 is left"):  # fmt: skip
        assert part in message
    assert len(budget.spends) == 1  # the refused release spent nothing
    budget.spend(0.4, "mean age")  # exactly what is left is allowed
    assert budget.remaining == 0
    assert list(budget.to_frame()["release"]) == ["housing count", "mean age"]
    assert "1 of 1 spent on 2 releases; 0 left" in budget.summary()


def test_the_budget_adds_up_many_small_spends_exactly() -> None:
    budget = PrivacyBudget(1.0)
    for i in range(10):
        budget.spend(0.1, f"release {i}")
    assert not budget.can_spend(1e-6)
    with pytest.raises(BudgetExceededError):
        budget.spend(0.01, "one more")


@pytest.mark.parametrize(
    ("call", "phrase"),
    [
        (lambda: laplace_count(1, epsilon=0), "'epsilon' parameter of laplace_count"),
        (lambda: laplace_count(1, epsilon=float("inf")), "positive, finite number"),
        (lambda: laplace_count(1, epsilon=True), "Got True"),
        (lambda: laplace_count(1, epsilon=1, rng="seed"), "'rng' parameter"),  # type: ignore[arg-type]
        (lambda: laplace_count(1, epsilon=1, budget=PrivacyBudget(1)), "'label' parameter"),
        (
            lambda: laplace_bounded_mean([1], lower=5, upper=1, epsilon=1),
            "lower < upper. Got lower=5",
        ),
        (
            lambda: laplace_bounded_mean([1], lower=0, upper=float("nan"), epsilon=1),
            "'upper' parameter",
        ),
        (lambda: PrivacyBudget(-1), "'epsilon_total' parameter of PrivacyBudget"),
    ],
)
def test_dp_errors_name_the_parameter(call: Any, phrase: str) -> None:
    with pytest.raises(ConfigError) as info:
        call()
    assert phrase in str(info.value)


def test_bounded_mean_refuses_missing_values() -> None:
    with pytest.raises(DataValidationError, match="1 are missing or not numbers"):
        laplace_bounded_mean([1, None, 3], lower=0, upper=10, epsilon=1)
    with pytest.raises(DataValidationError, match="at least one value"):
        laplace_bounded_mean([], lower=0, upper=10, epsilon=1)


def test_laplace_noise_agrees_with_diffprivlib_when_installed() -> None:
    diffprivlib = pytest.importorskip(
        "diffprivlib", reason="diffprivlib is not a dependency; compared only when installed"
    )
    mech = diffprivlib.mechanisms.Laplace(epsilon=0.5, sensitivity=1.0, random_state=1)
    theirs = np.array([mech.randomise(0.0) for _ in range(5_000)])
    rng = np.random.default_rng(1)
    ours = np.array([laplace_count(0, epsilon=0.5, rng=rng).value for _ in range(5_000)])
    assert stats.ks_2samp(ours, theirs).pvalue > 0.001
