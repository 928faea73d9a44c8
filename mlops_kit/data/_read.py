"""Read a data file (CSV, compressed CSV or Parquet) with one clear error for each way
it can be unusable.

:mod:`._formats` recognises the file (and refuses what the pipeline does not read);
here a CSV file's separator is detected (:func:`detect_delimiter`), its header is
checked, and the rows are read into a DataFrame (:func:`read_table`).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataValidationError
from ._formats import (
    DELIMITERS,
    FileFormat,
    damaged,
    decompress_errors,
    identify,
    open_bytes,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "detect_delimiter",
    "file_format",
    "file_line",
    "read_csv",
    "read_header",
    "read_table",
]

#: Bytes of text the delimiter is detected from.
_SNIFF_CHARS = 1 << 16
_INDEX_COLUMN = re.compile(r"^__index_level_\d+__$")


def _text_sample(p: Path, fmt: FileFormat, shown: str) -> tuple[str, bool]:
    """The first characters of the CSV text (BOM removed) and whether that is all of it."""
    with open_bytes(p, fmt, shown) as raw:
        try:
            data = raw.read(_SNIFF_CHARS + 4)
        except decompress_errors() as exc:
            raise damaged(shown, f"{fmt.compression} file", exc) from None
    complete = len(data) <= _SNIFF_CHARS
    text = data[:_SNIFF_CHARS].decode("utf-8", errors="ignore")
    return text.removeprefix("\ufeff"), complete


def _records(sample: str, delimiter: str, quotechar: str, complete: bool) -> list[list[str]]:
    reader = csv.reader(
        io.StringIO(sample, newline=""), delimiter=delimiter, quotechar=quotechar, strict=False
    )
    rows: list[list[str]] = []
    try:
        for record in reader:
            if record:
                rows.append(record)
            if len(rows) > 500:
                break
    except csv.Error:
        pass
    if not complete and len(rows) > 1:
        rows.pop()  # the sample may end inside the last record
    return rows


def _quotechar(header: list[str]) -> str:
    """``"'"`` when every header name is wrapped in single quotes, else ``'"'``."""
    if len(header) >= 2 and all(
        len(h) >= 2 and h.startswith("'") and h.endswith("'") for h in header
    ):
        return "'"
    return '"'


def detect_delimiter(sample: str, *, complete: bool = True) -> tuple[str, str]:
    """The field separator and quote character of CSV text.

    Each candidate (comma, semicolon, tab, pipe) splits the text as a CSV reader does,
    honouring quoted fields; the one whose header has two or more fields and whose
    rows most often have as many fields as the header wins (ties: the order above).
    One column under every candidate: a comma.

    Examples
    --------
    >>> detect_delimiter('age;income;"city; town"\\r\\n31;"1,5";Leeds\\r\\n')
    (';', '"')
    >>> detect_delimiter("'a'\\t'b'\\n1\\t2\\n")
    ('\\t', "'")
    """
    best: tuple[float, int, int] | None = None
    chosen = (",", '"')
    for preference, delimiter in enumerate(DELIMITERS):
        rows = _records(sample, delimiter, '"', complete)
        if not rows:
            continue
        quote = _quotechar(rows[0])
        if quote != '"':
            rows = _records(sample, delimiter, quote, complete)
        width = len(rows[0])
        if width < 2:
            continue
        body = rows[1:]
        share = sum(len(r) == width for r in body) / len(body) if body else 1.0
        key = (share, width, -preference)
        if best is None or key > best:
            best, chosen = key, (delimiter, quote)
    return chosen


def file_format(path: str | os.PathLike[str], *, delimiter: str | None = None) -> FileFormat:
    """How ``path`` is stored: CSV (its separator detected unless given) or Parquet.

    Makes the checks of :func:`check_readable` first, so every unusable file is refused
    here.

    Parameters
    ----------
    path : path-like
    delimiter : {",", ";", "\\t", "|"}, optional
        The separator, when known (the config key ``delimiter``); default detected.

    Returns
    -------
    FileFormat
    """
    shown = str(path)
    if delimiter is not None and delimiter not in DELIMITERS:
        raise DataValidationError(
            f"The delimiter for '{shown}' must be one of "
            f"{', '.join(repr(d) for d in DELIMITERS)}; got {delimiter!r}.",
            path=shown,
        )
    p, fmt = identify(path)
    if fmt.kind == "parquet":
        return fmt
    sample, complete = _text_sample(p, fmt, shown)
    detected, quote = detect_delimiter(sample, complete=complete)
    if delimiter is None:
        return FileFormat("csv", fmt.compression, fmt.member, detected, "detected", quote)
    rows = _records(sample, delimiter, '"', complete)
    quote = _quotechar(rows[0]) if rows else '"'
    return FileFormat("csv", fmt.compression, fmt.member, delimiter, "config", quote)


def _pyarrow(shown: str) -> tuple[Any, tuple[type[BaseException], ...]]:
    """pyarrow's Parquet module and the errors reading a damaged file raises."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        raise DataValidationError(
            f"Data file '{shown}' is a Parquet file, and reading Parquet needs the pyarrow "
            "package, which is not installed; install pyarrow or save the table as CSV UTF-8.",
            path=shown,
        ) from None
    return pq, (pa.ArrowException, OSError, ValueError)


def _parquet_header(p: Path, shown: str) -> list[str]:
    pq, errors = _pyarrow(shown)
    try:
        schema = pq.read_schema(p)
    except errors as exc:
        raise damaged(shown, "Parquet file", exc) from None
    names = [n for n in schema.names if not _INDEX_COLUMN.match(n)]
    # A named range index is stored in pandas' metadata only; reading makes it a column.
    indexes = (schema.pandas_metadata or {}).get("index_columns", [])
    ranges = [i.get("name") for i in indexes if isinstance(i, dict) and i.get("name")]
    return [str(n) for n in ranges if n not in names] + names


def _check_names(header: list[str], shown: str) -> list[str]:
    if not header or all(not name.strip() for name in header):
        raise DataValidationError(
            f"Data file '{shown}' has no header line; the first line must name the columns.",
            path=shown,
        )
    blank = [i + 1 for i, name in enumerate(header) if not name.strip()]
    if blank:
        raise DataValidationError(
            f"Data file '{shown}' has a column with no name (position {blank[0]} of "
            f"{len(header)} in the header line); every column needs a name.",
            path=shown,
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataValidationError(
                f"Data file '{shown}' names column '{name}' twice in its header; "
                "column names must be unique.",
                path=shown,
                column=name,
            )
        seen.add(name)
    return header


def _header(p: Path, fmt: FileFormat, shown: str) -> list[str]:
    if fmt.kind == "parquet":
        return _check_names(_parquet_header(p, shown), shown)
    with open_bytes(p, fmt, shown) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, delimiter=fmt.delimiter or ",", quotechar=fmt.quotechar)
        try:
            header = next(reader, [])
        except csv.Error:
            header = []
    return _check_names(header, shown)


def read_header(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    fmt: FileFormat | None = None,
) -> list[str]:
    """Return the column names of a data file, after :func:`check_readable`.

    For CSV, the names on its first line (split by ``delimiter``, detected by default);
    for Parquet, the schema's names. Reads no data rows. ``fmt``: the file's format,
    when :func:`file_format` was already called.

    Raises :class:`DataValidationError` for a missing header, blank or duplicate names.
    """
    shown = str(path)
    fmt = fmt or file_format(path, delimiter=delimiter)
    return _header(Path(path).expanduser(), fmt, shown)


def _read_parquet(p: Path, shown: str) -> pd.DataFrame:
    import pandas as pd

    _, errors = _pyarrow(shown)
    try:
        df = pd.read_parquet(p)
    except errors as exc:
        raise damaged(shown, "Parquet file", exc) from None
    if any(name is not None for name in df.index.names):
        df = df.reset_index()  # a named index is a column the file holds
    return df.reset_index(drop=True)


def read_table(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    dtype: Mapping[str, str] | None = None,
    fmt: FileFormat | None = None,
) -> pd.DataFrame:
    """Read a data file into a DataFrame, refusing unusable files with a clear error.

    Parameters
    ----------
    path : str or path-like
        A CSV file (UTF-8, with a header line; a byte-order mark is accepted), plain or
        compressed (gzip, bz2, xz, or a zip holding one CSV), or a Parquet file.
    delimiter : {",", ";", "\\t", "|"}, optional
        The CSV field separator; default detected from the file (see :func:`file_format`).
    dtype : mapping, optional
        pandas dtypes for named columns (for example ``{"region": "string"}``).
    fmt : FileFormat, optional
        The file's format, when :func:`file_format` was already called.

    Returns
    -------
    pandas.DataFrame
        With a default index (row positions 0, 1, ...).

    Raises
    ------
    DataValidationError
        The file is missing, a folder, unreadable, empty, in a format the pipeline does
        not read, not UTF-8, has a bad header (missing, blank or duplicate names),
        malformed rows, or no data rows.
    """
    import pandas as pd

    shown = str(path)
    fmt = fmt or file_format(path, delimiter=delimiter)
    p = Path(path).expanduser()
    _header(p, fmt, shown)
    if fmt.kind == "parquet":
        df = _read_parquet(p, shown)
        if dtype:
            try:
                df = df.astype({k: v for k, v in dtype.items() if k in df.columns})
            except (ValueError, TypeError) as exc:
                raise DataValidationError(
                    f"Data file '{shown}' could not be read with the expected column types: {exc}",
                    path=shown,
                ) from None
    else:
        try:
            with open_bytes(p, fmt, shown) as raw:
                df = pd.read_csv(
                    raw,
                    sep=fmt.delimiter or ",",
                    quotechar=fmt.quotechar,
                    encoding="utf-8-sig",
                    dtype=dict(dtype) if dtype else None,
                    low_memory=False,
                )
        except pd.errors.ParserError as exc:
            raise DataValidationError(
                f"Data file '{shown}' is not a well-formed CSV: {exc}".rstrip(".") + ".",
                path=shown,
            ) from None
        except (ValueError, TypeError) as exc:
            raise DataValidationError(
                f"Data file '{shown}' could not be read with the expected column types: {exc}",
                path=shown,
            ) from None
    if df.empty:
        raise DataValidationError(
            f"Data file '{shown}' has a header but no data rows; at least one row is needed.",
            path=shown,
        )
    return df


#: The former name of :func:`read_table`, kept for code that reads CSV files by it.
read_csv = read_table


def file_line(path: str | os.PathLike[str], row: int, *, fmt: FileFormat | None = None) -> int:
    """The line of a CSV file on which data row ``row`` (0-based, as pandas counts) ends.

    Counts as pandas reads: blank lines are skipped and a quoted field may span
    several lines. Used to point error messages at the line to fix.
    """
    p = Path(path).expanduser()
    fmt = fmt or file_format(p)
    if fmt.kind != "csv":
        raise ValueError(f"{path} is not a CSV file; it has no lines")
    with open_bytes(p, fmt, str(path)) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, delimiter=fmt.delimiter or ",", quotechar=fmt.quotechar)
        next(reader, None)
        seen = -1
        for record in reader:
            if not record:  # pandas skips blank lines
                continue
            seen += 1
            if seen == row:
                return reader.line_num
    raise ValueError(f"{path} has no data row {row}")
