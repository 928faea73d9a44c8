"""Read a CSV file with one clear error for each way it can be unusable."""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check_readable", "file_line", "read_csv", "read_header"]

_CHUNK = 1 << 20


def check_readable(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` is an existing, readable, non-empty file of UTF-8 text.

    Returns the resolved path. Raises :class:`DataValidationError` naming the file,
    the rule and what was found (for text that is not UTF-8: the line and the byte).
    """
    p = Path(path).expanduser()
    shown = str(path)
    if not p.exists():
        raise DataValidationError(
            f"Data file '{shown}' was not found (looked for {p.resolve()}).", path=shown
        )
    if p.is_dir():
        raise DataValidationError(
            f"Data file '{shown}' is a folder; expected a CSV file.", path=shown
        )
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise DataValidationError(
            f"Data file '{shown}' cannot be read: {exc.strerror or exc}.", path=shown
        ) from exc
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    size = 0
    with fh:
        while True:
            block = fh.read(_CHUNK)
            final = not block
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                # exc.start counts from the start of this block plus any bytes the decoder
                # held back from the previous one; good enough to point at the line.
                line = lines_before + block[: max(exc.start, 0)].count(b"\n") + 1
                bad = block[exc.start : exc.start + 1] if exc.start < len(block) else b""
                raise DataValidationError(
                    f"Data file '{shown}' is not UTF-8 text: byte {bad!r} on line {line} "
                    f"cannot be decoded. Save the file as UTF-8 (CSV UTF-8 in Excel) and retry.",
                    path=shown,
                ) from None
            if final:
                break
            lines_before += block.count(b"\n")
            size += len(block)
    if size == 0:
        raise DataValidationError(f"Data file '{shown}' is empty (0 bytes).", path=shown)
    return p.resolve()


def read_header(path: str | os.PathLike[str]) -> list[str]:
    """Return the column names on a CSV file's first line, after :func:`check_readable`.

    Raises :class:`DataValidationError` for a missing header, blank or duplicate names.
    """
    p = check_readable(path)
    with p.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    shown = str(path)
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


def read_csv(
    path: str | os.PathLike[str],
    *,
    dtype: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a CSV file into a DataFrame, refusing unusable files with a clear error.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8, with a header line; a byte-order mark is accepted).
    dtype : mapping, optional
        pandas dtypes for named columns (for example ``{"region": "string"}``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataValidationError
        The file is missing, a folder, unreadable, empty, not UTF-8, has a bad
        header (missing, blank or duplicate names), malformed rows, or no data rows.
    """
    import pandas as pd

    read_header(path)
    shown = str(path)
    try:
        df = pd.read_csv(path, encoding="utf-8-sig", dtype=dict(dtype) if dtype else None)
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


def file_line(path: str | os.PathLike[str], row: int) -> int:
    """The line of a CSV file on which data row ``row`` (0-based, as pandas counts) ends.

    Counts as pandas reads: blank lines are skipped and a quoted field may span
    several lines. Used to point error messages at the line to fix.
    """
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        seen = -1
        for record in reader:
            if not record:  # pandas skips blank lines
                continue
            seen += 1
            if seen == row:
                return reader.line_num
    raise ValueError(f"{path} has no data row {row}")
