"""Load a data file prepared by the config's rules: once at validation, the same later.

:func:`load_table` is what the validate stage (and ``mlops-kit check``) does: read the
file (:func:`read_table`), prepare it (:func:`prepare_table`) and say how. Every later
stage loads the file through :func:`load_recorded`, which checks the file's SHA-256 and
repeats exactly the preparation ``dataset.json`` records, so tune, train, explain,
monitor and the registry's sample see the rows and values validate checked; a new
batch for monitoring goes through :func:`load_batch`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import sha256_file
from ..errors import DataValidationError
from ._formats import FileFormat
from ._prepare import prepare_table
from ._read import file_format, file_line, read_table
from ._rules import Preparation, TableRules

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PreparedTable", "load_batch", "load_recorded", "load_table"]


@dataclass(frozen=True)
class PreparedTable:
    """A data file read and prepared: the table, how it was stored, what was done.

    Attributes
    ----------
    data : pandas.DataFrame
        The prepared rows, with a default index (0, 1, ...).
    file : FileFormat
        How the file is stored (format, compression, delimiter).
    preparation : Preparation
        The rules applied and their counts.
    path : str
        The file, resolved.
    """

    data: pd.DataFrame = field(repr=False)
    file: FileFormat
    preparation: Preparation
    path: str

    def lines(self) -> list[str]:
        """The file's format and what preparing it did, one sentence each."""
        return [f"Read as {self.file.describe()}.", *self.preparation.lines()]

    def record(self) -> dict[str, Any]:
        """The ``file`` and ``preparation`` parts of ``dataset.json``."""
        return {"file": self.file.to_dict(), "preparation": self.preparation.to_dict()}


def _line_locator(path: Path, fmt: FileFormat) -> Callable[[int], int] | None:
    if fmt.kind != "csv":
        return None
    return lambda row: file_line(path, row, fmt=fmt)


def load_table(
    path: str | os.PathLike[str],
    rules: TableRules,
    *,
    source: str | None = None,
) -> PreparedTable:
    """Read a data file and prepare it by ``rules``: what the validate stage does.

    Parameters
    ----------
    path : path-like
        CSV (plain or compressed) or Parquet; see :func:`read_table`.
    rules : TableRules
        For a config: ``TableRules.from_params(config)``.
    source : str, optional
        How messages name the file; default its name in quotes.

    Returns
    -------
    PreparedTable

    Raises
    ------
    DataValidationError
        The file cannot be read (see :func:`read_table`), or a rule refuses it (see
        :func:`prepare_table`).
    """
    p = Path(path).expanduser()
    fmt = file_format(path, delimiter=rules.delimiter)
    df = read_table(path, fmt=fmt)
    prepared, preparation = prepare_table(
        df,
        rules,
        source=source or f"'{p.name}'",
        line_of=_line_locator(p, fmt),
        decimal_comma=None if fmt.kind == "csv" and fmt.delimiter != "," else (),
    )
    return PreparedTable(prepared, fmt, preparation, str(p.resolve()))


def _recorded_rules(
    record: Mapping[str, Any],
) -> tuple[TableRules, FileFormat | None, Preparation | None]:
    """The rules, file format and preparation facts of a ``dataset.json`` record.

    A record written before preparation was recorded gets the defaults it was made
    under: a comma-separated file, blank targets refused, nothing else changed.
    """
    recorded = record.get("preparation")
    file = record.get("file")
    fmt = FileFormat.from_dict(file) if file else None
    if recorded:
        return TableRules.from_dict(recorded["rules"]), fmt, Preparation.from_dict(recorded)
    roles = record["profile"]["roles"]
    rules = TableRules(
        target=roles["target"],
        protected=tuple(roles.get("protected", ())),
        time_column=roles.get("time_column"),
        delimiter=",",
    )
    return rules, fmt, None


def load_recorded(record: Mapping[str, Any], *, verify: bool = True) -> pd.DataFrame:
    """The prepared table a ``dataset.json`` record describes, exactly as validated.

    Re-reads the data file in the recorded format, refuses it if its SHA-256 changed
    since validation (``verify``), and repeats the recorded preparation; the counts
    must come out the same.

    Parameters
    ----------
    record : mapping
        The content of ``dataset.json`` (``path``, ``sha256``, ``file``,
        ``preparation``).
    verify : bool, default True
        Check the file's SHA-256 against the record first.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataValidationError
        The file has gone or changed since validation, or no longer prepares to the
        recorded counts.
    """
    path = str(record["path"])
    p = Path(path)
    if not p.is_file():
        raise DataValidationError(f"Data file '{path}' has gone since validation.", path=path)
    if verify:
        digest = sha256_file(p)
        if digest != record["sha256"]:
            raise DataValidationError(
                f"Data file '{path}' changed after it was validated (SHA-256 was "
                f"{record['sha256'][:12]}..., is now {digest[:12]}...); start a new run.",
                path=path,
            )
    rules, fmt, recorded = _recorded_rules(record)
    if fmt is None:
        fmt = file_format(p, delimiter=rules.delimiter)
    df = read_table(p, fmt=fmt)
    prepared, preparation = prepare_table(
        df,
        rules,
        source=f"'{p.name}'",
        line_of=_line_locator(p, fmt),
        decimal_comma=recorded.decimal_comma if recorded is not None else (),
    )
    if recorded is not None and preparation.facts() != recorded.facts():
        raise DataValidationError(
            f"Data file '{path}' prepares differently than when it was validated "
            f"(then {recorded.facts()}, now {preparation.facts()}); start a new run.",
            path=path,
        )
    return prepared


def load_batch(path: str | os.PathLike[str], record: Mapping[str, Any]) -> pd.DataFrame:
    """A new batch of data, read and prepared as the validated data was.

    The separator is detected (batches come from elsewhere); the recorded rules are
    applied, except that a blank target is kept: a batch's labels may arrive later.
    Columns the batch lacks are left to the caller to refuse.
    """
    rules, _, recorded = _recorded_rules(record)
    p = Path(path).expanduser()
    fmt = file_format(p)
    df = read_table(p, fmt=fmt)
    commas: Sequence[str] | None = recorded.decimal_comma if recorded is not None else ()
    if fmt.kind == "csv" and fmt.delimiter != ",":
        commas = None
    prepared, _ = prepare_table(
        df,
        replace(rules, delimiter=fmt.delimiter),
        source=f"'{p.name}'",
        line_of=_line_locator(p, fmt),
        decimal_comma=commas,
        labels_optional=True,
    )
    return prepared
