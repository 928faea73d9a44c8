"""The personal-data scan of a table.

:func:`scan_table` looks at every column's name and values and reports each that holds a
direct identifier or singles people out (``_check.check_privacy`` adds what the config
says about them and refuses a table with any column left unresolved).

Over 400 lines because each kind of identifier has its own finder, sharing their helpers.

How each kind is found (all vectorised over the column):

* **by column name**: a text column whose name says it holds an identifier (``surname``,
  ``email``, ``mobile``, ``postcode``, ``nino``, ``nhs_number``, ``dob``...) is reported
  even when its values do not match the pattern: people read the name.
* **by value pattern**: at least ``min_share`` of the non-missing values match the kind's
  pattern in full (see :mod:`._identifiers`). NHS numbers count only when their check
  digit is right: a column whose ten-digit values mostly fail it is another kind of
  reference (it may still be near-unique), and in an NHS column the values that fail are
  counted in the finding's note as "looks like an NHS number but the check digit fails".
  Names need two to four capitalised words and enough distinct values (half the rows,
  or 50) to be people rather than places. Dates of birth are full dates spread over at
  least 20 years, all in the past.
* **inside free text**: at least ``text_share`` of a text column's values *contain* an
  email address, phone number, postcode, NI number or NHS number with a valid check digit
  (a caseworker's note such as "call back on 07700 900123").
* **by distinct values** (near-unique): a text column, or a whole-number column whose name
  marks a reference (``claim_id``, ``case_no``) or that counts rows 1, 2, 3..., with at
  least ``near_unique_share`` of its values distinct, over at least ``min_rows`` values.
  Decimal numbers and other counts and amounts are treated as measurements and are not
  tested: exact values can still identify someone in combination, which is what
  k-anonymity on quasi-identifiers checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, did_you_mean
from ._findings import Finding, FoundBy, PrivacyScan
from ._identifiers import (
    EMAIL,
    FULL_DATE,
    NAME_VALUE,
    NHS_SHAPE,
    NI_SHAPE,
    NI_VALID,
    PHONE,
    POSTCODE,
    TEXT_PATTERNS,
    IdentifierKind,
    compact,
    has_id_words,
    hinted_kind,
    mask_value,
    matches,
    nhs_check_digit_valid,
)

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["scan_table"]

#: Dates of birth span at least this many years (a service's own dates rarely do).
DOB_MIN_SPAN_YEARS = 20


def _share(hits: np.ndarray, weights: np.ndarray) -> float:
    """Share of rows whose (distinct) value is a hit; ``weights`` counts each value's rows."""
    total = weights.sum()
    return float(weights[hits].sum()) / total if total else 0.0


def _example(values: pd.Series, hits: np.ndarray | None = None) -> str:
    chosen = values[hits] if hits is not None and hits.any() else values
    return mask_value(chosen.iloc[0]) if len(chosen) else ""


def _pct(count: int, n: int) -> str:
    return f"{count:,} of {n:,}"


def _dob_span(values: pd.Series, hits: np.ndarray) -> tuple[float, int, int] | None:
    """(span in years, first year, last year) of the full dates among ``values``."""
    import pandas as pd

    dates = values[hits]
    iso = dates.str.match(r"\d{4}-")
    parsed = pd.concat(
        [
            pd.to_datetime(dates[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce"),
            pd.to_datetime(dates[~iso], format="%d/%m/%Y", errors="coerce"),
        ]
    ).dropna()
    if parsed.empty:
        return None
    first, last = parsed.min(), parsed.max()
    if first.year < 1880 or last > pd.Timestamp(datetime.now(UTC).date()):
        return None
    return (last - first).days / 365.25, int(first.year), int(last.year)


def _dates_of_birth(
    values: pd.Series, weights: np.ndarray, min_share: float
) -> tuple[bool, np.ndarray, str]:
    """Whether the values are dates of birth, the values counted as such, and a note."""
    dates = matches(values, FULL_DATE)
    span = _dob_span(values, dates) if _share(dates, weights) >= min_share else None
    is_dob = span is not None and span[0] >= DOB_MIN_SPAN_YEARS
    note = f"full dates from {span[1]} to {span[2]}" if span else ""
    return is_dob, dates if is_dob else np.zeros(len(values), dtype=bool), note


def _text_findings(
    column: str,
    values: pd.Series,
    weights: np.ndarray,
    hint: IdentifierKind | None,
    min_share: float,
) -> list[Finding]:
    """Direct identifiers among the distinct values of a text column (whole values).

    ``values`` holds each distinct value once and ``weights`` its number of rows, so a
    column of a few categories is scanned in a few steps whatever its length.
    """
    n = int(weights.sum())
    squeezed = compact(values)
    upper = values.str.upper().str.replace(r"\s+", " ", regex=True)
    found: list[Finding] = []
    pseudonyms = _share(matches(values, r"[0-9a-f]{64}"), weights) >= min_share

    def add(kind: IdentifierKind, hits: np.ndarray, note: str = "") -> None:
        share = _share(hits, weights)
        by_name = hint is kind
        if by_name and share < min_share:
            note = (
                "the values look like pseudonyms (64 hexadecimal characters), which are still "
                "personal data"
                if pseudonyms
                else f"named like one, though only {share:.0%} of the values match the pattern"
            )
        if share >= min_share or by_name:
            how = (
                FoundBy.NAME_AND_PATTERN
                if by_name and share >= min_share
                else FoundBy.COLUMN_NAME
                if by_name
                else FoundBy.VALUE_PATTERN
            )
            found.append(Finding(column, kind, how, share, _example(values, hits), note))

    add(IdentifierKind.EMAIL, matches(values, EMAIL))
    add(IdentifierKind.PHONE, matches(squeezed, PHONE) & values.str.contains(r"\d").to_numpy())
    add(IdentifierKind.POSTCODE, matches(upper, POSTCODE))

    ni_shape = matches(squeezed, NI_SHAPE)
    ni_valid = matches(squeezed, NI_VALID)
    if ni_shape.any() or hint is IdentifierKind.NI_NUMBER:
        example_only = int(weights[ni_shape & ~ni_valid].sum())
        note = (
            f"{_pct(int(weights[ni_valid].sum()), n)} follow HMRC's rules; "
            f"{_pct(example_only, n)} use a "
            "prefix HMRC never issues (test or example numbers, like QQ 12 34 56 C)"
        )
        add(IdentifierKind.NI_NUMBER, ni_shape, note)

    digits_only = values.str.fullmatch(r"[\d\s\-]+").fillna(False).to_numpy(dtype=bool)
    nhs_shape = matches(squeezed, NHS_SHAPE) & digits_only
    nhs_valid = nhs_check_digit_valid(values) & digits_only
    if nhs_shape.any() or hint is IdentifierKind.NHS_NUMBER:
        failed = int(weights[nhs_shape & ~nhs_valid].sum())
        note = (
            f"{_pct(int(weights[nhs_valid].sum()), n)} pass the modulus-11 check digit; "
            f"{_pct(failed, n)} look like NHS numbers but the check digit fails "
            "(typing errors or made-up numbers)"
        )
        add(IdentifierKind.NHS_NUMBER, nhs_valid, note)

    is_dob, dob_hits, note = _dates_of_birth(values, weights, min_share)
    if is_dob or hint is IdentifierKind.DATE_OF_BIRTH:
        add(IdentifierKind.DATE_OF_BIRTH, dob_hits, note)

    names = matches(values, NAME_VALUE)
    distinct = int(names.sum())
    person_like = distinct >= min(50, max(2, n // 2))
    note = f"{distinct:,} distinct names"
    add(IdentifierKind.NAME, names if person_like else np.zeros(len(values), dtype=bool), note)
    return found


def _free_text_findings(
    column: str, values: pd.Series, weights: np.ndarray, text_share: float
) -> list[Finding]:
    """Identifiers typed inside longer text, such as a caseworker's notes."""
    n = int(weights.sum())
    kinds = {
        "email": IdentifierKind.EMAIL,
        "phone": IdentifierKind.PHONE,
        "postcode": IdentifierKind.POSTCODE,
        "ni_number": IdentifierKind.NI_NUMBER,
        "nhs_number": IdentifierKind.NHS_NUMBER,
    }
    found = []
    for key, pattern in TEXT_PATTERNS.items():
        source = values.str.upper() if key in ("postcode", "ni_number") else values
        first = source.str.extract(f"({pattern})", expand=False)
        hits = first.notna().to_numpy()
        if key == "nhs_number" and hits.any():
            hits = hits & nhs_check_digit_valid(first.fillna(""))
        count = int(weights[hits].sum())
        if count and count / n >= text_share:
            found.append(
                Finding(
                    column,
                    kinds[key],
                    FoundBy.FREE_TEXT,
                    count / n,
                    mask_value(first[hits].iloc[0]),
                    f"found inside {_pct(count, n)} values of free text",
                )
            )
    return found


def _near_unique(
    column: str, values: pd.Series, n: int, share: float, min_rows: int, reason: str
) -> Finding | None:
    """``values`` holds each distinct value once; ``n`` counts the non-missing rows."""
    if n < min_rows:
        return None
    distinct = len(values)
    if distinct < share * n:
        return None
    return Finding(
        column,
        IdentifierKind.NEAR_UNIQUE,
        FoundBy.DISTINCT_VALUES,
        distinct / n,
        mask_value(values.iloc[0]),
        f"{distinct:,} distinct values in {n:,} rows{reason}: each value points to (almost) "
        "one person",
    )


def _scan_column(
    column: str,
    s: pd.Series,
    *,
    near_unique_share: float,
    min_share: float,
    text_share: float,
    min_rows: int,
) -> list[Finding]:
    import pandas as pd

    present = s.dropna()
    if present.empty or pd.api.types.is_bool_dtype(s):
        return []
    hint = hinted_kind(column)
    if pd.api.types.is_numeric_dtype(s):
        as_float = present.astype(float)
        if not np.all(np.isfinite(as_float)) or not np.all(as_float == np.round(as_float)):
            return []  # decimal measurements: not identifiers on their own
        whole = as_float.astype("int64")
        counts = whole.value_counts(sort=False)
        text = pd.Series(counts.index.astype(str).to_numpy(dtype=object))
        weights = counts.to_numpy()
        nhs = nhs_check_digit_valid(text)
        if _share(nhs, weights) >= min_share:
            how = (
                FoundBy.NAME_AND_PATTERN
                if hint is IdentifierKind.NHS_NUMBER
                else FoundBy.VALUE_PATTERN
            )
            share = _share(nhs, weights)
            note = "NHS numbers stored as whole numbers"
            return [
                Finding(column, IdentifierKind.NHS_NUMBER, how, share, _example(text, nhs), note)
            ]
        counter = whole.is_unique and (
            whole.is_monotonic_increasing or whole.is_monotonic_decreasing
        )
        if has_id_words(column) or counter:
            why = " (a reference number)" if has_id_words(column) else " (a row counter)"
            hit = _near_unique(column, text, len(whole), near_unique_share, min_rows, why)
            return [hit] if hit else []
        return []
    if pd.api.types.is_datetime64_any_dtype(s):
        values = present.dt.strftime("%Y-%m-%d")
    else:
        values = present.astype(str).str.strip()
        values = values[values != ""]
        if values.empty:
            return []
    counts = values.value_counts(sort=False)
    distinct = pd.Series(counts.index.astype(str).to_numpy(dtype=object))
    weights = counts.to_numpy()
    found = _text_findings(column, distinct, weights, hint, min_share)
    if not found:
        found = _free_text_findings(column, distinct, weights, text_share)
    if not found:
        why = " (a reference number)" if has_id_words(column) else ""
        if _share(matches(distinct, r"[0-9a-f]{64}"), weights) >= min_share:
            why = " (they look like pseudonyms, which are still personal data)"
        hit = _near_unique(column, distinct, len(values), near_unique_share, min_rows, why)
        found = [hit] if hit else []
    return found


def _check_share(value: Any, name: str, where: str, low: float = 0.0) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.floating)
        or not low < float(value) <= 1
    ):
        raise ConfigError(
            f"The '{name}' parameter of {where} must be a number in ({low:g}, 1]. "
            f"Got {value!r} instead."
        )
    return float(value)


def _chosen_columns(
    df: pd.DataFrame, columns: Sequence[str] | None, *, where: str, source: str
) -> list[str]:
    """The columns to scan (default all), refusing repeated names and unknown columns."""
    names = [str(c) for c in df.columns]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise DataValidationError(
            f"{where} needs unique column names; {source} repeats {', '.join(repeated)}.",
            column=repeated[0],
        )
    chosen = names if columns is None else [str(c) for c in columns]
    for c in chosen:
        if c not in names:
            raise DataValidationError(
                f"Column '{c}' given to {where} is not in {source}; its columns are "
                f"{', '.join(names)}.{did_you_mean(c, names)}",
                column=c,
            )
    return chosen


def scan_table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    near_unique_share: float = 0.9,
    min_share: float = 0.5,
    text_share: float = 0.01,
    min_rows: int = 50,
    source: str = "the table",
) -> PrivacyScan:
    """Scan a table's column names and values for direct identifiers and near-unique columns.

    Parameters
    ----------
    df : pandas.DataFrame
    columns : sequence of str, optional
        Scan only these columns; default all.
    near_unique_share : float, default 0.9
        A text or reference-number column with at least this share of distinct values
        is reported as near-unique.
    min_share : float, default 0.5
        Share of values that must match an identifier's pattern.
    text_share : float, default 0.01
        Share of a free-text column's values that must contain an identifier.
    min_rows : int, default 50
        A column with fewer non-missing values is not tested for near-uniqueness (in a
        small table every column looks unique).
    source : str
        How to name the table in messages.

    Returns
    -------
    PrivacyScan
        With no resolutions: see :func:`check_privacy`.

    Raises
    ------
    DataValidationError
        ``df`` is not a DataFrame, or ``columns`` names a column it lacks.
    ConfigError
        A share is outside its range.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nhs": ["943 476 5919", "401 023 2137"], "age": [34, 71]})
    >>> scan = scan_table(df)
    >>> [(f.column, f.kind.value, f.found_by.value, f.example) for f in scan.findings]
    [('nhs', 'nhs_number', 'column name and value pattern', '9** *** ***9')]
    """
    import pandas as pd

    where = "scan_table"
    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(
            f"{where} needs a pandas DataFrame. Got {type(df).__name__} instead."
        )
    near_unique_share = _check_share(near_unique_share, "near_unique_share", where, 0.5)
    min_share = _check_share(min_share, "min_share", where)
    text_share = _check_share(text_share, "text_share", where)
    if isinstance(min_rows, bool) or not isinstance(min_rows, int) or min_rows < 2:
        raise ConfigError(
            f"The 'min_rows' parameter of {where} must be a whole number of at least 2. "
            f"Got {min_rows!r} instead."
        )
    chosen = _chosen_columns(df, columns, where=where, source=source)
    findings: list[Finding] = []
    for c in chosen:
        findings += _scan_column(
            c,
            df[c],
            near_unique_share=near_unique_share,
            min_share=min_share,
            text_share=text_share,
            min_rows=min_rows,
        )
    return PrivacyScan(
        source=source, n_rows=len(df), columns=tuple(chosen), findings=tuple(findings)
    )
