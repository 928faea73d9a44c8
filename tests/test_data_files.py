"""The data files analysts actually have: separators, compression, Parquet, refusals.

Real foreign tables shipped with statsmodels stand in for analysts' files: births
(``cataneo2.csv``, 4,642 rows, comma-separated) rewritten as Excel's semicolon export,
compressed and as Parquet, and the 1996 American National Election Study
(``anes96.csv``, tab-separated with every header name in single quotes).
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import lzma
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mlops_kit.config import load_config
from mlops_kit.data import FileFormat, file_format, read_header, read_table
from mlops_kit.data._formats import check_readable
from mlops_kit.data._read import detect_delimiter
from mlops_kit.errors import DataValidationError
from mlops_kit.pipeline import preflight

STATSMODELS = Path(importlib.import_module("statsmodels").__file__ or "").parent
BIRTHS = STATSMODELS / "treatment" / "tests" / "results" / "cataneo2.csv"
ANES = STATSMODELS / "datasets" / "anes96" / "anes96.csv"


@pytest.fixture(scope="module")
def births() -> pd.DataFrame:
    """The births table as pandas reads the comma-separated original."""
    return pd.read_csv(BIRTHS)


def _same_table(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert got.shape == expected.shape
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


# --- separators ----------------------------------------------------------------------------


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_separator_is_detected_and_the_table_matches_the_original(
    tmp_path: Path, births: pd.DataFrame, sep: str, name: str
) -> None:
    path = tmp_path / "births.csv"
    births.to_csv(path, sep=sep, index=False)
    fmt = file_format(path)
    assert (fmt.kind, fmt.delimiter, fmt.delimiter_source) == ("csv", sep, "detected")
    assert fmt.describe() == f"CSV, {name}-separated (detected)"
    assert read_header(path) == list(births.columns)
    _same_table(read_table(path), births)


def test_excel_semicolon_export_with_bom_crlf_quotes_and_decimal_commas(tmp_path: Path) -> None:
    # What Excel writes in many locales: a BOM, CRLF line ends, ';' between fields,
    # decimal commas, and quoted text holding the separator and a line break.
    path = tmp_path / "excel.csv"
    text = (
        "\ufeffage;income;notes;label\r\n"
        '31;"1,5";"plain";yes\r\n'
        '45;2,25;"has; a semicolon";no\r\n'
        '52;3;"two\r\nlines";yes\r\n'
    )
    path.write_bytes(text.encode("utf-8"))
    assert file_format(path).delimiter == ";"
    df = read_table(path)
    assert list(df.columns) == ["age", "income", "notes", "label"]
    assert df["notes"].tolist() == ["plain", "has; a semicolon", "two\r\nlines"]
    assert len(df) == 3


def test_tab_separated_file_with_single_quoted_header_names(tmp_path: Path) -> None:
    fmt = file_format(ANES)
    assert (fmt.delimiter, fmt.quotechar) == ("\t", "'")
    assert "fields in single quotes" in fmt.describe()
    df = read_table(ANES)
    assert list(df.columns) == [
        "popul",
        "TVnews",
        "selfLR",
        "ClinLR",
        "DoleLR",
        "PID",
        "age",
        "educ",
        "income",
        "vote",
    ]
    assert df.shape == (944, 10)
    assert set(df["vote"]) == {0, 1}


def test_comma_inside_quoted_fields_does_not_fool_detection() -> None:
    sample = 'name,comment,score\n"Lee, Sam","a; b; c",3\n"Khan, Jo","d; e; f",4\n'
    assert detect_delimiter(sample) == (",", '"')


def test_header_with_a_semicolon_in_a_name_stays_comma_separated() -> None:
    # Split by ';' the header has two fields but every row has one: not consistent.
    assert detect_delimiter("id,weight;kg\n1,70\n2,81\n")[0] == ","


def test_one_column_file_reads_as_comma_separated(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("score\n1\n2\n", encoding="utf-8")
    assert file_format(path).delimiter == ","
    assert read_table(path)["score"].tolist() == [1, 2]


def test_configured_delimiter_is_used_and_recorded_as_config(
    tmp_path: Path, births: pd.DataFrame
) -> None:
    path = tmp_path / "births.csv"
    births.to_csv(path, sep="|", index=False)
    fmt = file_format(path, delimiter="|")
    assert (fmt.delimiter, fmt.delimiter_source) == ("|", "config")
    _same_table(read_table(path, delimiter="|"), births)


def test_unknown_delimiter_is_refused_naming_the_allowed_ones(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"delimiter for '.*t\.csv' must be one of") as e:
        file_format(path, delimiter=":")
    assert "':'" in str(e.value)


def test_file_format_round_trips_through_its_record() -> None:
    fmt = FileFormat("csv", "zip", member="b.csv", delimiter=";", delimiter_source="detected")
    assert FileFormat.from_dict(fmt.to_dict()) == fmt
    assert fmt.to_dict()["format"] == "csv"


# --- compression ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "opener", "compression"),
    [(".csv.gz", gzip.open, "gzip"), (".csv.bz2", bz2.open, "bz2"), (".csv.xz", lzma.open, "xz")],
)
def test_compressed_csv_is_read(
    tmp_path: Path, births: pd.DataFrame, suffix: str, opener: object, compression: str
) -> None:
    path = tmp_path / f"births{suffix}"
    with opener(path, "wb") as fh:  # type: ignore[operator]
        fh.write(BIRTHS.read_bytes())
    fmt = file_format(path)
    assert (fmt.kind, fmt.compression, fmt.delimiter) == ("csv", compression, ",")
    assert check_readable(path) == path.resolve()
    _same_table(read_table(path), births)


def test_semicolon_csv_compressed_with_gzip_is_detected(
    tmp_path: Path, births: pd.DataFrame
) -> None:
    path = tmp_path / "births.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        births.to_csv(fh, sep=";", index=False)
    assert file_format(path).describe() == "CSV, semicolon-separated (detected), gzip-compressed"
    _same_table(read_table(path), births)


def test_zip_holding_one_csv_is_read_ignoring_macos_leftovers(
    tmp_path: Path, births: pd.DataFrame
) -> None:
    path = tmp_path / "births.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(BIRTHS, "export/births.csv")
        archive.writestr("__MACOSX/export/._births.csv", b"\x00\x05\x16\x07")
    fmt = file_format(path)
    assert (fmt.compression, fmt.member) == ("zip", "export/births.csv")
    assert "in a zip archive (export/births.csv)" in fmt.describe()
    _same_table(read_table(path), births)


def test_zip_with_several_files_is_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2023.csv", "a,b\n1,2\n")
        archive.writestr("2024.csv", "a,b\n3,4\n")
    with pytest.raises(DataValidationError) as info:
        read_table(path)
    message = str(info.value)
    assert "'" + str(path) + "' is a zip archive holding 2 files (2023.csv, 2024.csv)" in message
    assert "exactly one CSV file" in message
    assert "unzip it" in message
    assert info.value.path == str(path)


def test_empty_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    zipfile.ZipFile(path, "w").close()
    with pytest.raises(DataValidationError, match=r"zip archive with no file in it"):
        read_table(path)


def test_non_utf8_text_inside_gzip_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write("name,value\nabc,1\ncafé,2\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match=r"not UTF-8 text: byte b'\\xe9' on line 3"):
        read_table(path)


def test_header_only_gzip_has_no_data_rows(tmp_path: Path) -> None:
    path = tmp_path / "header.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"a,b,flagged\n")
    with pytest.raises(DataValidationError, match=r"has a header but no data rows"):
        read_table(path)


def test_truncated_gzip_is_refused_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(BIRTHS.read_bytes())[:2000])
    with pytest.raises(DataValidationError, match=r"'.*cut\.csv\.gz' is a damaged or unreadable"):
        read_table(path)


def test_file_named_gz_that_is_not_compressed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv.gz"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"is named as gz but its content is not gz"):
        read_table(path)


def test_malformed_rows_in_a_semicolon_file_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a;b\n1;2\n3;4\n5;6;7;8\n9;10\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"not a well-formed CSV.*line 4"):
        read_table(path)


# --- Parquet -------------------------------------------------------------------------------


def test_parquet_is_read_with_its_header_from_the_schema(
    tmp_path: Path, births: pd.DataFrame
) -> None:
    path = tmp_path / "births.parquet"
    births.to_parquet(path)
    fmt = file_format(path)
    assert (fmt.kind, fmt.delimiter, fmt.describe()) == ("parquet", None, "Parquet")
    assert read_header(path) == list(births.columns)
    _same_table(read_table(path), births)


def test_parquet_with_a_named_index_keeps_it_as_a_column(tmp_path: Path) -> None:
    path = tmp_path / "indexed.parquet"
    pd.DataFrame({"case": [7, 8, 9], "x": [1.0, 2.0, 3.0]}).set_index("case").to_parquet(path)
    df = read_table(path)
    assert list(df.columns) == ["case", "x"]
    assert df.index.tolist() == [0, 1, 2]
    assert "case" in read_header(path)


def test_parquet_with_duplicate_names_is_refused(tmp_path: Path) -> None:
    pa = importlib.import_module("pyarrow")
    pq = importlib.import_module("pyarrow.parquet")
    path = tmp_path / "dup.parquet"
    table = pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4])], names=["score", "score"])
    pq.write_table(table, path)
    with pytest.raises(DataValidationError, match=r"names column 'score' twice") as info:
        read_header(path)
    assert info.value.column == "score"


def test_empty_parquet_has_no_data_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pd.DataFrame({"a": pd.Series([], dtype="int64")}).to_parquet(path)
    with pytest.raises(DataValidationError, match=r"has a header but no data rows"):
        read_table(path)


def test_damaged_parquet_is_refused(tmp_path: Path, births: pd.DataFrame) -> None:
    path = tmp_path / "cut.parquet"
    births.to_parquet(path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DataValidationError, match=r"'.*cut\.parquet' is a damaged or unreadable"):
        read_table(path)


# --- refusals ------------------------------------------------------------------------------


def _xlsx(path: Path) -> Path:
    """The parts of an Excel workbook that identify it (no spreadsheet library needed)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return path


@pytest.mark.parametrize("name", ["survey.xlsx", "survey.zip", "survey.csv"])
def test_excel_workbook_is_refused_with_what_to_do(tmp_path: Path, name: str) -> None:
    # Recognised by its content, whatever it is called.
    path = _xlsx(tmp_path / name)
    with pytest.raises(DataValidationError) as info:
        read_table(path)
    message = str(info.value)
    assert message.startswith(f"Data file '{path}' is an Excel workbook")
    assert "Save As > CSV UTF-8" in message
    assert "\n" not in message
    assert info.value.path == str(path)


@pytest.mark.parametrize(
    ("name", "content", "what", "todo"),
    [
        ("claims.json", b'[{"a": 1}]', "a JSON file", "convert it to CSV"),
        ("claims.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-style Excel", "CSV"),
        ("chart.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "a PNG image", "the table itself"),
        ("utf16.csv", "a,b\n1,2\n".encode("utf-16"), "UTF-16 text", "save it as CSV UTF-8"),
        ("page.csv", b"<!DOCTYPE html><html><table>", "HTML document", "CSV UTF-8"),
        ("claims.sav", b"$FL2@(#) SPSS DATA FILE", "an SPSS file", "export it from SPSS"),
    ],
)
def test_other_formats_are_refused_in_one_line(
    tmp_path: Path, name: str, content: bytes, what: str, todo: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataValidationError) as info:
        check_readable(path)
    message = str(info.value)
    assert message.startswith(f"Data file '{path}' is ")
    assert what in message
    assert todo in message
    assert "which the pipeline does not read" in message
    assert "\n" not in message


def test_binary_file_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_bytes(b"a,b\n" + bytes(range(256)))
    with pytest.raises(DataValidationError, match=r"is not a text file: it holds NUL bytes"):
        read_table(path)


def test_zip_holding_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("survey.xlsx", b"PK\x03\x04")
    with pytest.raises(DataValidationError, match=r"zip archive holding an Excel workbook"):
        read_table(path)


# --- the runner's preflight, before any run folder is written ------------------------------


@pytest.mark.parametrize("kind", ["semicolon", "gzip", "parquet", "zip"])
def test_preflight_reads_the_header_of_every_format(
    tmp_path: Path, births: pd.DataFrame, kind: str
) -> None:
    if kind == "semicolon":
        path = tmp_path / "births.csv"
        births.to_csv(path, sep=";", index=False)
    elif kind == "gzip":
        path = tmp_path / "births.csv.gz"
        path.write_bytes(gzip.compress(BIRTHS.read_bytes()))
    elif kind == "parquet":
        path = tmp_path / "births.parquet"
        births.to_parquet(path)
    else:
        path = tmp_path / "births.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.write(BIRTHS, "births.csv")
    config = load_config(data=str(path), target="lbweight", protected=["mrace"])
    preflight(config)  # no error: the columns are found
    bad = load_config(data=str(path), target="lbwieght")
    with pytest.raises(DataValidationError, match=r"names column 'lbwieght'.*'lbweight'"):
        preflight(bad)
    assert list(tmp_path.iterdir()) == [path]


def test_preflight_points_at_a_wrong_configured_delimiter(
    tmp_path: Path, births: pd.DataFrame
) -> None:
    path = tmp_path / "births.csv"
    births.to_csv(path, sep=";", index=False)
    config = load_config(data=str(path), target="lbweight", delimiter=",")
    with pytest.raises(DataValidationError) as info:
        preflight(config)
    message = str(info.value)
    assert "Config key 'target' names column 'lbweight', which is not in 'births.csv'" in message
    assert "set the config key 'delimiter' to ';'" in message


def test_preflight_refuses_an_excel_file_before_anything_is_written(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "survey.xlsx")
    with pytest.raises(DataValidationError, match=r"is an Excel workbook"):
        preflight(load_config(data=str(path), target="y"))
    assert list(tmp_path.iterdir()) == [path]
