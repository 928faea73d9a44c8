"""Prepare a table read from a file by the config's rules, the same way for every stage.

The validate stage prepares the table and records what it did in ``dataset.json``;
every later stage repeats exactly that preparation (:mod:`._load`), so each sees the
rows and values validate checked.

The rules (config keys of :class:`mlops_kit.config.DataParams`):

``missing_target``
    ``"refuse"`` (default): a blank target stops the run, naming the count and the
    first row; ``"drop"``: those rows are left out and counted.
``missing_protected``
    ``"group"`` (default): a blank protected value becomes the group
    :data:`NOT_RECORDED`, counted and judged like any other group; ``"refuse"``: it
    stops the run, naming the column, the count and the first row.
``infinite_values``
    ``"missing"`` (default): ``inf``, ``-inf`` and numbers too large for the models
    (beyond ±3.4e38) in numeric columns other than the target become missing values,
    counted per column; ``"refuse"``: they stop the run, naming the column.

Two more steps need no rule: in a file separated by semicolons, tabs or pipes, a text
column holding only numbers written with a decimal comma (``"3,5"``, ``"1.234,5"``)
becomes numeric; and Parquet's own types (dates, categories, nullable integers,
decimals) become the values a CSV file would give.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataValidationError
from ._rules import NOT_RECORDED, Preparation, TableRules

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_MAGNITUDE", "prepare_table"]

#: Largest magnitude the models take: scikit-learn's trees work in 32-bit floats.
MAX_MAGNITUDE = float(np.finfo(np.float32).max)

_DECIMAL_COMMA = re.compile(r"^[-+]?(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d+)?$")


def _where(mask: np.ndarray, index: pd.Index, line_of: Callable[[int], int] | None) -> str:
    pos = int(np.flatnonzero(mask)[0])
    label = index[pos]
    label = label.item() if hasattr(label, "item") else label
    text = f"row {label!r}"
    if line_of is not None:
        with contextlib.suppress(ValueError, TypeError):
            text += f" (line {line_of(int(label))} of the file)"
    return text


def _is_text(s: pd.Series) -> bool:
    import pandas as pd

    return s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def _iso_text(s: pd.Series) -> pd.Series:
    """Date-times as the ISO text a CSV file holds (dates alone when there is no time)."""
    values = s.dt.tz_convert("UTC").dt.tz_localize(None) if s.dt.tz is not None else s
    has_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
    text = values.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
    return text.where(values.notna(), np.nan).astype(object)


def _file_types(df: pd.DataFrame, source: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Parquet's own types as the values a CSV file would give; nested values refused."""
    import decimal

    import pandas as pd

    converted: dict[str, str] = {}
    out = df
    for col in df.columns:
        s = df[col]
        name = str(col)
        new: pd.Series | None = None
        if isinstance(s.dtype, pd.CategoricalDtype):
            new = s.astype(s.cat.categories.dtype) if len(s.cat.categories) else s.astype(object)
            converted[name] = "categories read as their values"
            s = new
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            new = _iso_text(s)
            converted[name] = "date-times written as ISO text (YYYY-MM-DD), as in a CSV file"
        elif pd.api.types.is_timedelta64_dtype(s.dtype):
            new = s.dt.total_seconds()
            converted[name] = "durations written as seconds"
        elif pd.api.types.is_extension_array_dtype(s.dtype) and not isinstance(
            s.dtype, pd.StringDtype
        ):
            if pd.api.types.is_bool_dtype(s.dtype):
                new = (
                    s.astype(object).where(s.notna(), np.nan) if s.isna().any() else s.astype(bool)
                )
            elif pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
                new = s.astype("int64")
            elif pd.api.types.is_numeric_dtype(s.dtype):
                new = s.astype("float64")
        elif s.dtype == object:
            sample = s.dropna()
            first = sample.iloc[0] if len(sample) else None
            if isinstance(first, list | dict | tuple | np.ndarray):
                raise DataValidationError(
                    f"Column '{name}' in {source} holds {type(first).__name__} values (a "
                    "nested type), which the pipeline cannot use; flatten it into columns "
                    "or leave it out of the file.",
                    column=name,
                )
            if isinstance(first, decimal.Decimal):
                new = pd.to_numeric(s.astype(object).astype(float))
                converted[name] = "decimal numbers read as floating-point numbers"
            elif isinstance(first, bytes):
                new = s.map(lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
                converted[name] = "bytes read as UTF-8 text"
        if new is not None:
            if out is df:
                out = df.copy()
            out[col] = new
    return out, converted


def _decimal_comma_columns(df: pd.DataFrame, skip: set[str]) -> list[str]:
    found = []
    for col in df.columns:
        if str(col) in skip or not _is_text(df[col]):
            continue
        values = df[col].dropna().astype(str).str.strip()
        if values.empty or not values.str.contains(",", regex=False).any():
            continue
        if values.str.match(_DECIMAL_COMMA).all() and values.str.contains(r"\d").all():
            found.append(str(col))
    return found


def _from_decimal_comma(s: pd.Series) -> pd.Series:
    import pandas as pd

    text = s.astype(object).where(s.notna(), None)
    cleaned = text.map(
        lambda v: None if v is None else str(v).strip().replace(".", "").replace(",", ".")
    )
    return pd.to_numeric(cleaned, errors="coerce")


def _group_text(s: pd.Series) -> pd.Series:
    """A protected column as text, whole numbers without a decimal point (2.0 -> "2")."""
    import pandas as pd

    def text(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return np.nan
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v)

    return s.astype(object).map(text).astype(object)


def prepare_table(
    df: pd.DataFrame,
    rules: TableRules,
    *,
    source: str = "the table",
    line_of: Callable[[int], int] | None = None,
    decimal_comma: Sequence[str] | None = (),
    labels_optional: bool = False,
) -> tuple[pd.DataFrame, Preparation]:
    """Prepare a table by ``rules``: blank targets, blank protected values, infinities.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read from its file (:func:`read_table`).
    rules : TableRules
        The target, the protected columns and what to do with problem values.
    source : str, default "the table"
        How messages name the data (for example the file name in quotes).
    line_of : callable, optional
        Maps a row label to its line in the file, for messages.
    decimal_comma : sequence of str or None, default ()
        Text columns to read as numbers written with a decimal comma; None: find them
        (done for files separated by a semicolon, tab or pipe).
    labels_optional : bool, default False
        A new batch whose labels may not have arrived yet: blank targets are kept.

    Returns
    -------
    (pandas.DataFrame, Preparation)
        The prepared rows (with a default index) and what was done.

    Raises
    ------
    DataValidationError
        A blank target (``missing_target: refuse``), a blank protected value
        (``missing_protected: refuse``) or an infinite number
        (``infinite_values: refuse``), naming the column, the count and the first row;
        or every row has a blank target.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, np.inf, 3.0], "sex": ["F", None, "M"],
    ...                    "y": [0, 1, None]})
    >>> rules = TableRules(target="y", protected=("sex",), missing_target="drop")
    >>> prepared, prep = prepare_table(df, rules)
    >>> prepared["sex"].tolist(), prep.dropped_missing_target, prep.infinite
    (['F', 'not recorded'], 1, {'x': 1})
    """
    rows_read = len(df)
    out, converted = _file_types(df, source)
    out, commas = _decimal_commas(df, out, rules, decimal_comma)
    dropped = 0
    if rules.target in out.columns and not labels_optional:
        out, dropped = _blank_targets(df, out, rules.target, rules, source, line_of)
    out, infinite = _infinities(df, out, rules, source, line_of)
    out, not_recorded = _blank_protected(df, out, rules, source, line_of)
    out = out.reset_index(drop=True)
    return out, Preparation(
        rules=rules,
        rows_read=rows_read,
        dropped_missing_target=dropped,
        not_recorded=not_recorded,
        infinite=infinite,
        decimal_comma=commas,
        converted=converted,
    )


def _decimal_commas(
    df: pd.DataFrame, out: pd.DataFrame, rules: TableRules, decimal_comma: Sequence[str] | None
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Text columns of numbers written with a decimal comma, made numeric."""
    skip = {*rules.protected, *([rules.time_column] if rules.time_column else [])}
    if decimal_comma is None:
        decimal_comma = _decimal_comma_columns(out, skip)
    commas = tuple(c for c in decimal_comma if c in out.columns and _is_text(out[c]))
    if commas:
        out = out.copy() if out is df else out
        for col in commas:
            out[col] = _from_decimal_comma(out[col])
    return out, commas


def _blank_targets(
    df: pd.DataFrame,
    out: pd.DataFrame,
    target: str,
    rules: TableRules,
    source: str,
    line_of: Callable[[int], int] | None,
) -> tuple[pd.DataFrame, int]:
    """The rows with a blank target refused, or dropped and counted (``missing_target``)."""
    import pandas as pd

    blank = out[target].isna().to_numpy()
    if blank.any() and rules.missing_target == "refuse":
        raise DataValidationError(
            f"Target column '{target}' in {source} has {int(blank.sum())} missing "
            f"value(s), first at {_where(blank, out.index, line_of)}; every row needs a "
            "target value. Remove or fill those rows, or set the config key "
            "'missing_target: drop' to leave them out (the count is recorded).",
            column=target,
        )
    if blank.all():
        raise DataValidationError(
            f"Target column '{target}' in {source} is blank in all {len(df)} rows; "
            "there is nothing to learn from.",
            column=target,
        )
    if not blank.any():
        return out, 0
    out = out.loc[~blank].copy()
    # Blanks made pandas read whole-number labels as floats (1.0); without them
    # the labels are what a file with no blank would give (1).
    kept = out[target]
    if pd.api.types.is_float_dtype(kept):
        values = kept.to_numpy(dtype=float)
        if bool((np.isfinite(values) & (values == np.round(values))).all()):
            out[target] = kept.astype("int64")
    elif kept.dtype == object and all(isinstance(v, bool) for v in kept):
        out[target] = kept.astype(bool)  # True/False with blanks: now plain bool
    return out, int(blank.sum())


def _infinities(
    df: pd.DataFrame,
    out: pd.DataFrame,
    rules: TableRules,
    source: str,
    line_of: Callable[[int], int] | None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Infinite numbers refused, or made missing and counted per column (``infinite_values``)."""
    import pandas as pd

    infinite: dict[str, int] = {}
    for col in out.columns:
        s = out[col]
        if (
            col == rules.target
            or pd.api.types.is_bool_dtype(s)
            or not pd.api.types.is_numeric_dtype(s)
        ):
            continue
        values = s.to_numpy(dtype=float, na_value=np.nan)
        bad = np.abs(values) > MAX_MAGNITUDE  # inf, -inf and beyond float32
        if not bad.any():
            continue
        if rules.infinite_values == "refuse":
            raise DataValidationError(
                f"Column '{col}' in {source} has {int(bad.sum())} infinite value(s) (inf, "
                f"-inf, or beyond ±{MAX_MAGNITUDE:.1e}, which the models cannot take), first "
                f"at {_where(bad, out.index, line_of)}; infinite_values is 'refuse'. Fix "
                "them, or set the config key 'infinite_values: missing' to treat them as "
                "missing values (counted per column).",
                column=str(col),
            )
        out = out.copy() if out is df else out
        out[col] = s.astype("float64").mask(bad)
        infinite[str(col)] = int(bad.sum())
    return out, infinite


def _blank_protected(
    df: pd.DataFrame,
    out: pd.DataFrame,
    rules: TableRules,
    source: str,
    line_of: Callable[[int], int] | None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Blank protected values refused, or made the group "not recorded" and counted."""
    not_recorded: dict[str, int] = {}
    for col in [c for c in rules.protected if c in out.columns]:
        blank = out[col].isna().to_numpy()
        if not blank.any():
            continue
        if rules.missing_protected == "refuse":
            raise DataValidationError(
                f"Protected column '{col}' in {source} has {int(blank.sum())} blank "
                f"value(s), first at {_where(blank, out.index, line_of)}; "
                "missing_protected is 'refuse'. Fill them, or set the config key "
                f"'missing_protected: group' to judge them as a group '{NOT_RECORDED}'.",
                column=col,
            )
        out = out.copy() if out is df else out
        out[col] = _group_text(out[col]).where(~blank, NOT_RECORDED)
        not_recorded[col] = int(blank.sum())
    return out, not_recorded
