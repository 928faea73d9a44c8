"""The bundled datasets, their datasheets, checked loading and table validation.

The story facts below are what facilitators and lessons rely on: if a generator change
breaks one, the course's narrative breaks with it, so these tests fail first.
"""

from __future__ import annotations

import errno
import pathlib
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.data import (
    dataset_info,
    list_datasets,
    load_dataset,
    profile_dataset,
    read_csv,
    validate_table,
    write_bundled_csv,
)
from mlops_kit.data._catalogue import bundled_csv_text
from mlops_kit.errors import ConfigError, DataValidationError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
DATASETS = ("benefit_claims", "hospital_admissions")

# The sections of "Datasheets for Datasets" (Gebru et al.) that every datasheet answers.
DATASHEET_SECTIONS = (
    "Motivation",
    "Composition",
    "Collection process",
    "Preprocessing, cleaning and labelling",
    "Uses",
    "Distribution",
    "Maintenance",
)


def _first_difference(expected: str, actual: str) -> str:
    """Describe where two texts first differ, line by line."""
    exp, act = expected.splitlines(keepends=True), actual.splitlines(keepends=True)
    for number, (e, a) in enumerate(zip(exp, act, strict=False), start=1):
        if e != a:
            return f"line {number}: generator gives {e!r}, file has {a!r}"
    return f"the generator gives {len(exp)} lines, the file has {len(act)}"


# --- The bundled files are their generators' output ---------------------------------


def test_list_datasets_names_both_bundled_datasets() -> None:
    assert list_datasets() == list(DATASETS)


@pytest.mark.parametrize("name", DATASETS)
def test_bundled_csv_is_exactly_the_generator_output(name: str) -> None:
    expected = bundled_csv_text(name)
    actual = (DATA / f"{name}.csv").read_bytes()
    assert actual == expected.encode("utf-8"), (
        f"data/{name}.csv differs from its seeded generator at "
        f"{_first_difference(expected, actual.decode('utf-8', 'replace'))}. "
        "Run `make data` after changing mlops_kit/data/_generate.py; never edit the CSV by hand."
    )


def test_write_bundled_csv_regenerates_identical_files(tmp_path: Path) -> None:
    for name in DATASETS:
        written = write_bundled_csv(name, tmp_path)
        assert written == tmp_path / f"{name}.csv"
        assert written.read_bytes() == (DATA / f"{name}.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.csv" for n in DATASETS]


@pytest.mark.parametrize("name", DATASETS)
def test_bundled_paths_point_at_the_repository_files(name: str) -> None:
    info = dataset_info(name)
    assert info.path == DATA / f"{name}.csv"
    assert info.config == DATA / "configs" / f"{name}.yml"
    assert info.datasheet == DATA / f"{name}.datasheet.md"


def test_dataset_info_columns_are_in_file_order() -> None:
    header = (DATA / "benefit_claims.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert dataset_info("benefit_claims").columns == tuple(header.split(","))


@pytest.mark.parametrize("name", DATASETS)
def test_dataset_info_lists_every_column_of_the_file(name: str) -> None:
    header = (DATA / f"{name}.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert sorted(dataset_info(name).columns) == sorted(header)


# --- Story facts: benefit claims ------------------------------------------------------

PROTECTED = ["sex", "age_band", "ethnic_group", "disability"]


def test_claims_size_months_and_protected_columns(claims: pd.DataFrame) -> None:
    assert len(claims) >= 40_000
    assert claims["month"].nunique() == 24
    assert claims["month"].min() == "2023-01"
    assert claims["month"].max() == "2024-12"
    assert claims.groupby("month").size().eq(1750).all()
    assert set(PROTECTED) <= set(claims.columns)
    assert list(dataset_info("benefit_claims").protected) == PROTECTED
    assert claims["claim_id"].is_unique


def test_claims_target_rate_is_between_ten_and_twenty_percent(claims: pd.DataFrame) -> None:
    assert set(claims["flagged"].unique()) == {0, 1}
    assert 0.10 <= claims["flagged"].mean() <= 0.20


def test_claims_groups_b_and_c_are_flagged_more_than_group_a(claims: pd.DataFrame) -> None:
    rates = claims.groupby("ethnic_group")["flagged"].mean()
    assert rates["Group B"] > rates["Group A"] + 0.02, rates.to_dict()
    assert rates["Group C"] > rates["Group A"] + 0.02, rates.to_dict()


def test_claims_deprivation_is_a_proxy_for_group(claims: pd.DataFrame) -> None:
    """Groups B and C live in deciles 1-3 more often, and those deciles are flagged more."""
    deprived = claims["area_deprivation_decile"].le(3)
    share = deprived.groupby(claims["ethnic_group"]).mean()
    assert share["Group B"] > 2 * share["Group A"]
    assert share["Group C"] > 2 * share["Group A"]
    rate = claims["flagged"].groupby(deprived).mean()
    assert rate[True] > rate[False] + 0.05


def test_claims_ethnic_groups_are_abstract_labels(claims: pd.DataFrame) -> None:
    assert sorted(claims["ethnic_group"].unique()) == [f"Group {g}" for g in "ABCDE"]


def test_claims_online_share_after_the_channel_change(claims: pd.DataFrame) -> None:
    online = claims["channel"].eq("online")
    share_2023 = online[claims["month"].str.startswith("2023")].mean()
    share_late_2024 = online[claims["month"] > "2024-06"].mean()
    assert share_late_2024 > share_2023 + 0.3, (share_2023, share_late_2024)
    assert share_late_2024 > 0.7


def test_claims_new_error_pattern_arrives_with_the_online_form(claims: pd.DataFrame) -> None:
    """Income left at the online form's pre-filled zero in households of 3 or more."""
    pattern = (
        claims["channel"].eq("online")
        & claims["declared_income"].eq(0)
        & claims["household_size"].ge(3)
    )
    rate_2023 = claims.loc[pattern & claims["month"].str.startswith("2023"), "flagged"].mean()
    rate_late_2024 = claims.loc[pattern & (claims["month"] > "2024-06"), "flagged"].mean()
    assert rate_late_2024 > 2 * rate_2023, (rate_2023, rate_late_2024)


def test_claims_days_to_submit_is_missing_only_on_some_paper_claims(
    claims: pd.DataFrame,
) -> None:
    missing = claims["days_to_submit"].isna()
    assert 0 < missing.sum() < 0.2 * claims["channel"].eq("paper").sum()
    assert set(claims.loc[missing, "channel"]) == {"paper"}
    others = claims.drop(columns="days_to_submit")
    assert not others.isna().any().any()


def test_claims_16_17_age_band_is_too_small_to_judge(claims: pd.DataFrame) -> None:
    counts = claims["age_band"].value_counts()
    assert counts["16-17"] < 0.005 * len(claims)
    # Fewer than min_group_size (30) claims in a six-month test period, like the test split.
    late = claims[claims["month"] > "2024-06"]
    assert late["age_band"].eq("16-17").sum() < 30


def test_claims_model_trained_on_2023_decays_on_late_2024(claims: pd.DataFrame) -> None:
    """A model trained once on 2023 is clearly worse after the channel change."""
    from sklearn.metrics import roc_auc_score

    from mlops_kit.train import build_pipeline

    info = dataset_info("benefit_claims")
    train = claims[claims["month"].between("2023-01", "2023-09")]
    held_out = claims[claims["month"].between("2023-10", "2023-12")]
    late_2024 = claims[claims["month"].between("2024-07", "2024-12")]
    roles = profile_dataset(train, "benefit_claims", source="claims from 2023").roles
    assert not set(roles.features) & {*info.protected, *info.exclude, info.time_column}
    features = list(roles.features)
    model = build_pipeline("hgb", roles, seed=0).fit(train[features], train[info.target])

    def auc(df: pd.DataFrame) -> float:
        return float(roc_auc_score(df[info.target], model.predict_proba(df[features])[:, 1]))

    auc_2023, auc_2024 = auc(held_out), auc(late_2024)
    assert auc_2023 >= 0.75
    assert auc_2023 - auc_2024 >= 0.04, (auc_2023, auc_2024)


# --- Story facts: hospital admissions -------------------------------------------------


def test_admissions_regions_weeks_and_no_gaps(admissions: pd.DataFrame) -> None:
    assert admissions["region"].nunique() == 7
    assert admissions["week_start"].nunique() == 156
    assert len(admissions) == 7 * 156
    assert not admissions.duplicated(["week_start", "region"]).any()
    assert admissions["week_start"].min() == "2021-01-04"
    weeks = pd.to_datetime(admissions["week_start"].drop_duplicates())
    assert weeks.diff().dropna().eq(pd.Timedelta(days=7)).all()
    assert weeks.dt.day_of_week.eq(0).all()  # every week starts on a Monday
    assert not admissions.isna().any().any()


def test_admissions_winter_weeks_are_busier_than_summer(admissions: pd.DataFrame) -> None:
    month = pd.to_datetime(admissions["week_start"]).dt.month
    winter = admissions.loc[month.isin([12, 1, 2]), "emergency_admissions"].mean()
    summer = admissions.loc[month.isin([6, 7, 8]), "emergency_admissions"].mean()
    assert winter > 1.1 * summer, (winter, summer)


def test_admissions_respiratory_positivity_peaks_in_autumn_2022(
    admissions: pd.DataFrame,
) -> None:
    weekly = admissions.groupby("week_start")["respiratory_positivity_pct"].mean()
    peak = pd.Timestamp(str(weekly.idxmax()))
    assert pd.Timestamp("2022-09-01") <= peak <= pd.Timestamp("2022-12-31"), peak
    assert weekly.max() > 2.5 * weekly.median()


def test_admissions_outbreak_reaches_london_first(admissions: pd.DataFrame) -> None:
    high = admissions[admissions["respiratory_positivity_pct"] > 20]
    first = high.groupby("region")["week_start"].min()
    assert set(first.index) == set(admissions["region"])
    assert first["London"] == first.min()
    assert (first.drop("London") >= first["London"]).all()
    assert first.max() > first["London"]


@pytest.mark.parametrize(
    ("column", "lags"),
    [
        ("admissions_last_week", [1]),
        ("admissions_2_weeks_ago", [2]),
        ("admissions_4wk_mean", [1, 2, 3, 4]),
    ],
)
def test_admissions_lag_columns_hold_the_same_regions_earlier_weeks(
    admissions: pd.DataFrame, column: str, lags: list[int]
) -> None:
    ordered = admissions.sort_values(["region", "week_start"])
    target = ordered.groupby("region")["emergency_admissions"]
    expected = pd.concat([target.shift(lag) for lag in lags], axis=1).mean(axis=1, skipna=False)
    known = expected.notna()
    assert known.sum() == len(ordered) - 7 * max(lags)
    np.testing.assert_allclose(
        ordered.loc[known, column].to_numpy(dtype=float),
        expected[known].to_numpy(dtype=float),
        atol=0.05 + 1e-9,  # the four-week mean is rounded to one decimal place
    )


def test_admissions_last_week_equals_previous_row_of_same_region(
    admissions: pd.DataFrame,
) -> None:
    for region, rows in admissions.groupby("region"):
        rows = rows.sort_values("week_start")
        previous = rows["emergency_admissions"].to_numpy()[:-1]
        assert (rows["admissions_last_week"].to_numpy()[1:] == previous).all(), region


# --- Datasheets -----------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_datasheet_has_every_section_licence_and_personal_data_line(name: str) -> None:
    text = (DATA / f"{name}.datasheet.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} +(.+?) *$", text, flags=re.MULTILINE)
    missing = [s for s in DATASHEET_SECTIONS if s not in headings]
    assert not missing, f"{name}.datasheet.md lacks the section(s) {missing}; found {headings}"
    lines = [line.strip() for line in text.splitlines()]
    assert "Contains personal data: no" in lines
    licence = [line for line in lines if line.startswith("Licence:")]
    assert licence, f"{name}.datasheet.md has no 'Licence:' line"
    assert "CC0 1.0" in licence[0]
    assert "synthetic" in text


@pytest.mark.parametrize("name", DATASETS)
def test_datasheet_column_dictionary_lists_every_column(name: str) -> None:
    text = (DATA / f"{name}.datasheet.md").read_text(encoding="utf-8")
    header = (DATA / f"{name}.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    rows = re.findall(r"^\| `([A-Za-z0-9_]+)` \|", text, flags=re.MULTILINE)
    missing = [c for c in header if c not in rows]
    assert not missing, f"the column dictionary of {name}.datasheet.md lacks {missing}"
    assert not set(rows) - set(header), "the dictionary lists columns the CSV does not have"


def test_datasheets_say_how_to_regenerate() -> None:
    for name in DATASETS:
        text = (DATA / f"{name}.datasheet.md").read_text(encoding="utf-8")
        assert "make data" in text
        assert "mlops-kit data generate --out data" in text


def test_data_readme_indexes_the_folder() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and path.name != "README.md":
            assert path.relative_to(DATA).as_posix() in text, f"data/README.md omits {path.name}"


# --- Loading errors -------------------------------------------------------------------


def _claims_copy(rows: int = 200) -> pd.DataFrame:
    """The first rows of the bundled claims, every column as text (as in the file)."""
    return pd.read_csv(DATA / "benefit_claims.csv", nrows=rows, dtype=str, keep_default_na=False)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DataValidationError, match=r"'.*nowhere\.csv' was not found") as info:
        read_csv(path)
    assert info.value.path == str(path)
    assert info.value.column is None


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "claims.csv"
    folder.mkdir()
    with pytest.raises(DataValidationError, match=r"is a folder; expected a CSV file") as info:
        read_csv(folder)
    assert info.value.path == str(folder)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataValidationError, match=r"'.*empty\.csv' is empty \(0 bytes\)") as info:
        read_csv(path)
    assert info.value.path == str(path)


def test_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("a,b,flagged\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"has a header but no data rows") as info:
        read_csv(path)
    assert info.value.path == str(path)


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,value\nabc,1\ncafé,2\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match=r"not UTF-8 text.*line 3") as info:
        read_csv(path)
    assert "xe9" in str(info.value)  # the offending byte
    assert "UTF-8" in str(info.value)
    assert info.value.path == str(path)


def test_duplicate_column_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,score,score\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"names column 'score' twice") as info:
        read_csv(path)
    assert info.value.column == "score"
    assert info.value.path == str(path)


def test_blank_column_name(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("id, ,score\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column with no name \(position 2 of 3") as info:
        read_csv(path)
    assert info.value.path == str(path)


def test_malformed_csv_with_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n7,8\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"is not a well-formed CSV.*line 3") as info:
        read_csv(path)
    assert info.value.path == str(path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom chmod does not stop reading: refuse the open instead.
    path = tmp_path / "locked.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    real_open = pathlib.Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.resolve() == path.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refusing_open)
    with pytest.raises(
        DataValidationError, match=r"'.*locked\.csv' cannot be read: Permission denied"
    ) as info:
        read_csv(path)
    assert info.value.path == str(path)


def test_load_dataset_reads_a_valid_copy(tmp_path: Path) -> None:
    path = tmp_path / "claims copy.csv"
    _claims_copy().to_csv(path, index=False)
    df = load_dataset("benefit_claims", path=path)
    assert df.shape == (200, 19)
    assert df["flagged"].dtype.kind == "i"


def test_load_dataset_copy_with_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "no_amount.csv"
    _claims_copy().drop(columns="claim_amount").to_csv(path, index=False)
    with pytest.raises(
        DataValidationError,
        match=r"Column 'claim_amount' of the benefit_claims schema is missing from "
        r"'no_amount\.csv'; expected columns: claim_id, .*flagged",
    ) as info:
        load_dataset("benefit_claims", path=path)
    assert info.value.column == "claim_amount"


def test_load_dataset_copy_with_text_in_a_numeric_column(tmp_path: Path) -> None:
    df = _claims_copy()
    df.loc[6, "household_size"] = "three"  # data row 7 is line 8 of the file
    path = tmp_path / "typo.csv"
    df.to_csv(path, index=False)
    assert path.read_text(encoding="utf-8").splitlines()[7].split(",")[6] == "three"
    with pytest.raises(
        DataValidationError,
        match=r"Column 'household_size' in 'typo\.csv' must be numeric; line 8 holds 'three'",
    ) as info:
        load_dataset("benefit_claims", path=path)
    assert info.value.column == "household_size"


def test_load_dataset_schema_errors_carry_the_path(tmp_path: Path) -> None:
    path = tmp_path / "no_amount.csv"
    _claims_copy().drop(columns="claim_amount").to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        load_dataset("benefit_claims", path=path)
    assert info.value.path == str(path)


def test_load_dataset_line_number_counts_blank_lines(tmp_path: Path) -> None:
    df = _claims_copy(rows=10)
    df.loc[4, "claim_amount"] = "unknown"
    lines = df.to_csv(index=False, lineterminator="\n").splitlines(keepends=True)
    lines.insert(2, "\n")  # a blank line after the first data row
    path = tmp_path / "gap.csv"
    path.write_text("".join(lines), encoding="utf-8")
    bad_line = next(i for i, line in enumerate(lines, start=1) if ",unknown," in line)
    with pytest.raises(DataValidationError, match=rf"line {bad_line} holds 'unknown'"):
        load_dataset("benefit_claims", path=path)


def test_load_dataset_unknown_name() -> None:
    with pytest.raises(
        DataValidationError, match=r"no bundled dataset called 'claims'.*benefit_claims"
    ):
        load_dataset("claims")


def test_load_dataset_reads_another_path_and_names_a_missing_one(tmp_path: Path) -> None:
    shutil.copy(DATA / "hospital_admissions.csv", tmp_path / "weekly.csv")
    df = load_dataset("hospital_admissions", path=tmp_path / "weekly.csv")
    assert len(df) == 7 * 156
    with pytest.raises(DataValidationError, match=r"was not found") as info:
        load_dataset("hospital_admissions", path=tmp_path / "weekly-2.csv")
    assert info.value.path == str(tmp_path / "weekly-2.csv")


# --- validate_table: the target and the roles -----------------------------------------


@pytest.fixture
def table(rng: np.random.Generator) -> pd.DataFrame:
    """A small valid classification table: two features, a protected column, a target."""
    n = 120
    return pd.DataFrame(
        {
            "hours": rng.normal(38, 5, n).round(1),
            "sector": rng.choice(["public", "private"], n),
            "sex": rng.choice(["F", "M"], n),
            "flagged": np.tile([0, 1, 0, 0], n // 4),
        }
    )


def test_validate_table_accepts_a_valid_table(table: pd.DataFrame) -> None:
    profile = validate_table(table, target="flagged", protected=["sex"], source="t.csv")
    assert profile.roles.features == ("hours", "sector")
    assert profile.target.positive_label == 1
    assert profile.target.positive_rate == pytest.approx(0.25)
    assert profile.n_rows == 120


def test_validate_table_missing_target_suggests_a_near_miss(table: pd.DataFrame) -> None:
    with pytest.raises(
        DataValidationError,
        match=r"Column 'flaged' \(the target\) is not in t\.csv\. Columns found: hours, "
        r"sector, sex, flagged\. Did you mean 'flagged'\?",
    ) as info:
        validate_table(table, target="flaged", source="t.csv")
    assert info.value.column == "flaged"


def test_validate_table_nan_in_target_names_count_and_first_row(table: pd.DataFrame) -> None:
    df = table.astype({"flagged": float})
    df.loc[[7, 30, 31], "flagged"] = np.nan
    with pytest.raises(
        DataValidationError, match=r"has 3 missing value\(s\), first at row 7"
    ) as info:
        validate_table(df, target="flagged")
    assert info.value.column == "flagged"


def test_validate_table_inf_in_regression_target(table: pd.DataFrame) -> None:
    df = table.assign(hours_next=table["hours"] + 1.0)
    df.loc[11, "hours_next"] = np.inf
    with pytest.raises(
        DataValidationError,
        match=r"1 infinite value\(s\), first at row 11; the target must be finite",
    ) as info:
        validate_table(df, target="hours_next", task="regression")
    assert info.value.column == "hours_next"


def test_validate_table_target_with_one_class(table: pd.DataFrame) -> None:
    df = table.assign(flagged=0)
    with pytest.raises(
        DataValidationError, match=r"has one class \(0\) in all 120 rows; .*at least two classes"
    ) as info:
        validate_table(df, target="flagged")
    assert info.value.column == "flagged"


def test_validate_table_text_target_needs_positive_label(table: pd.DataFrame) -> None:
    df = table.assign(flagged=np.where(table["flagged"] == 1, "yes", "no"))
    with pytest.raises(DataValidationError, match=r"set positive_label to the class") as info:
        validate_table(df, target="flagged")
    assert info.value.column == "flagged"
    assert validate_table(df, target="flagged", positive_label="yes").target.positive_rate == (
        pytest.approx(0.25)
    )


def test_validate_table_positive_label_that_does_not_occur(table: pd.DataFrame) -> None:
    df = table.assign(flagged=np.where(table["flagged"] == 1, "yes", "no"))
    with pytest.raises(
        DataValidationError,
        match=r"positive_label 'Yes' does not occur in target column 'flagged'.*'no', 'yes'",
    ) as info:
        validate_table(df, target="flagged", positive_label="Yes")
    assert info.value.column == "flagged"


def test_validate_table_text_regression_target(table: pd.DataFrame) -> None:
    with pytest.raises(
        DataValidationError,
        match=r"'sector' .* must be numeric for regression; found str values such as '",
    ) as info:
        validate_table(table, target="sector", task="regression")
    assert info.value.column == "sector"


@pytest.mark.parametrize("values", [["12", "15"], [True, False]], ids=["numeric-text", "bool"])
def test_validate_table_regression_target_of_number_like_values(
    table: pd.DataFrame, values: list[Any]
) -> None:
    df = table.assign(hours_next=np.resize(np.array(values, dtype=object), len(table)))
    if isinstance(values[0], bool):
        df["hours_next"] = df["hours_next"].astype(bool)
    with pytest.raises(DataValidationError, match=r"must be numeric for regression"):
        validate_table(df, target="hours_next", task="regression")


def test_validate_table_no_feature_columns_left(table: pd.DataFrame) -> None:
    df = table[["sex", "flagged"]].assign(ref=[f"R{i:04d}" for i in range(len(table))])
    with pytest.raises(
        DataValidationError, match=r"No feature columns are left in t\.csv.*Columns found: sex"
    ):
        validate_table(df, target="flagged", protected=["sex"], source="t.csv")


def test_validate_table_column_with_two_roles(table: pd.DataFrame) -> None:
    with pytest.raises(
        ConfigError, match=r"Column 'sex' is given two roles, protected and excluded"
    ):
        validate_table(table, target="flagged", protected=["sex"], exclude=["sex"])
    with pytest.raises(
        ConfigError, match=r"'flagged' is given two roles, the target and protected"
    ):
        validate_table(table, target="flagged", protected=["flagged"])


def test_validate_table_infers_roles_and_records_why_columns_are_left_out(
    rng: np.random.Generator,
) -> None:
    n = 200
    df = pd.DataFrame(
        {
            "row_number": np.arange(1, n + 1),
            "case_ref": [f"CASE-{i:05d}" for i in rng.permutation(n)],
            "visit_date": np.repeat(
                pd.date_range("2024-01-01", periods=20).strftime("%Y-%m-%d"), 10
            ),
            "office": "Leeds",
            "age": rng.integers(18, 90, n),
            "team": rng.choice(["north", "south", "east"], n),
            "outcome": np.tile([0, 1], n // 2),
        }
    )
    profile = validate_table(df, target="outcome")
    excluded = dict(profile.roles.excluded)
    assert profile.roles.numeric == ("age",)
    assert profile.roles.categorical == ("team",)
    assert excluded["row_number"].startswith("identifier: a different, ever-increasing")
    assert excluded["case_ref"] == "identifier: 200 distinct values in 200 rows"
    assert excluded["visit_date"].startswith("date:")
    assert excluded["office"].startswith("constant:")
    for column in ("row_number", "case_ref", "visit_date", "office"):
        assert any(w.startswith(f"Column '{column}' is left out") for w in profile.warnings)
    roles_in_facts = {f["column"]: f["role"] for f in profile.columns}
    assert roles_in_facts["case_ref"] == "left out"
    assert roles_in_facts["outcome"] == "target"


def test_validate_table_warns_about_a_mostly_numeric_text_column(
    rng: np.random.Generator,
) -> None:
    n = 200
    income_band = rng.integers(1, 6, n).astype(str).astype(object)
    income_band[17] = "unknown"
    income_band[90] = "n/a"
    df = pd.DataFrame({"income_band": income_band, "outcome": np.tile([0, 1], n // 2)})
    profile = validate_table(df, target="outcome")
    assert profile.roles.categorical == ("income_band",)
    (warning,) = [w for w in profile.warnings if "mostly numbers" in w]
    assert "Column 'income_band' is mostly numbers but 2 value(s) are text" in warning
    assert "first 'unknown' at row 17" in warning


def test_validate_table_bundled_roles(claims_profile: Any) -> None:
    roles = claims_profile.roles
    assert roles.target == "flagged"
    assert roles.time_column == "month"
    assert set(roles.protected) == set(PROTECTED)
    assert not set(roles.features) & {*PROTECTED, "claim_id", "month", "flagged"}
    assert "area_deprivation_decile" in roles.features  # the proxy stays a feature
    assert dict(roles.excluded)["claim_id"] == "excluded by the config"
