"""The personal-data scan of a table, and the check the pipeline's data stage runs.

:func:`scan_table` looks at every column's name and values and reports each that holds a
direct identifier or singles people out; :func:`check_privacy` adds what the config says
about them (``exclude``, ``privacy.allow``, ``privacy.override``) and refuses a table with
any column left unresolved.

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

import enum
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, PrivacyError, did_you_mean
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

    from ._settings import PrivacySettings

__all__ = ["Finding", "FoundBy", "PrivacyScan", "Resolution", "check_privacy", "scan_table"]

#: Dates of birth span at least this many years (a service's own dates rarely do).
DOB_MIN_SPAN_YEARS = 20


class FoundBy(enum.StrEnum):
    """How the scan found an identifier."""

    COLUMN_NAME = "column name"
    VALUE_PATTERN = "value pattern"
    NAME_AND_PATTERN = "column name and value pattern"
    FREE_TEXT = "value pattern inside free text"
    DISTINCT_VALUES = "distinct values"


class Resolution(enum.StrEnum):
    """What has been decided about a reported column."""

    UNRESOLVED = "unresolved"
    EXCLUDED = "excluded from training"
    ALLOWED = "reviewed and allowed"
    OVERRIDDEN = "overridden"


@dataclass(frozen=True)
class Finding:
    """One column that holds (or looks as if it holds) personal data.

    Attributes
    ----------
    column : str
    kind : IdentifierKind
        What it looks like.
    found_by : FoundBy
        How the scan found it.
    share : float
        Share of the column's non-missing values that match (for near-unique columns,
        the share of distinct values; for a name-only finding, the share matching the
        kind's pattern, possibly 0).
    example : str
        A *masked* example value; a full identifier is never kept or shown.
    note : str
        Details in words (check digits, prefixes, counts).
    """

    column: str
    kind: IdentifierKind
    found_by: FoundBy
    share: float
    example: str
    note: str = ""

    def describe(self) -> str:
        """The finding in one line.

        Examples
        --------
        >>> Finding("nhs", IdentifierKind.NHS_NUMBER, FoundBy.VALUE_PATTERN, 0.98,
        ...         "9** *** ***9").describe()
        "'nhs': NHS number (found by value pattern, 98% of values; example 9** *** ***9)"
        """
        what = "distinct" if self.kind is IdentifierKind.NEAR_UNIQUE else "of values"
        return (
            f"'{self.column}': {self.kind.label} (found by {self.found_by.value}, "
            f"{self.share:.0%} {what}; example {self.example})"
        )


@dataclass(frozen=True)
class PrivacyScan:
    """The result of :func:`scan_table` or :func:`check_privacy`.

    Attributes
    ----------
    source : str
        What was scanned, for messages.
    n_rows : int
    columns : tuple of str
        Every column scanned.
    findings : tuple of Finding
        In column order.
    resolutions : dict of str to (Resolution, str)
        What was decided about a column, and why (from :func:`check_privacy`).
    override_by, override_reason : str or None
        The named person who overrode the check, and why.
    """

    source: str
    n_rows: int
    columns: tuple[str, ...]
    findings: tuple[Finding, ...]
    resolutions: Mapping[str, tuple[Resolution, str]] = field(default_factory=dict)
    override_by: str | None = None
    override_reason: str | None = None

    @property
    def identifier_columns(self) -> tuple[str, ...]:
        """The reported columns, in order, each once."""
        return tuple(dict.fromkeys(f.column for f in self.findings))

    def status(self, column: str) -> tuple[Resolution, str]:
        """What was decided about ``column``, and why."""
        if column in self.resolutions:
            return self.resolutions[column]
        if self.override_by is not None:
            return Resolution.OVERRIDDEN, f"by {self.override_by}: {self.override_reason}"
        return Resolution.UNRESOLVED, ""

    @property
    def unresolved(self) -> tuple[Finding, ...]:
        """Findings on columns nobody excluded, allowed or overrode."""
        return tuple(f for f in self.findings if f.column not in self.resolutions)

    @property
    def passed(self) -> bool:
        """Whether the table may be trained on: nothing unresolved, or an override."""
        return not self.unresolved or self.override_by is not None

    def summary(self) -> str:
        """The scan in one or two sentences.

        Examples
        --------
        >>> import pandas as pd
        >>> print(scan_table(pd.DataFrame({"email": ["a@example.org"], "n": [1]})).summary())
        1 of 2 columns in the table hold personal data: 'email' (email address). 1 column is
        unresolved.
        """
        if not self.findings:
            return (
                f"No column of {self.source} looks like personal data "
                f"({len(self.columns)} columns, {self.n_rows:,} rows scanned)."
            )
        cols = self.identifier_columns
        listed = ", ".join(
            f"'{c}' ({', '.join(f.kind.label for f in self.findings if f.column == c)})"
            for c in cols
        )
        text = (
            f"{len(cols)} of {len(self.columns)} columns in {self.source} hold personal "
            f"data: {listed}."
        )
        open_cols = tuple(dict.fromkeys(f.column for f in self.unresolved))
        if not open_cols:
            return text + " Every one is resolved."
        plural = "column is" if len(open_cols) == 1 else "columns are"
        if self.override_by is not None:
            return (
                f"{text} {len(open_cols)} {plural} unresolved, overridden by "
                f"{self.override_by}: {self.override_reason}"
            )
        return f"{text} {len(open_cols)} {plural} unresolved."

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: column, identifier, found by, share, example, status, note."""
        import pandas as pd

        rows = []
        for f in self.findings:
            status, why = self.status(f.column)
            rows.append(
                {
                    "column": f.column,
                    "identifier": f.kind.label,
                    "found by": f.found_by.value,
                    "share": f.share,
                    "example": f.example,
                    "status": status.value + (f": {why}" if why else ""),
                    "note": f.note,
                }
            )
        cols = ["column", "identifier", "found by", "share", "example", "status", "note"]
        return pd.DataFrame(rows, columns=cols)

    def audit_details(self) -> dict[str, Any]:
        """What the audit log should record: findings and decisions, never a value."""
        return {
            "source": self.source,
            "rows": self.n_rows,
            "passed": self.passed,
            "findings": [
                {
                    "column": f.column,
                    "kind": f.kind.value,
                    "found_by": f.found_by.value,
                    "share": round(f.share, 4),
                    "status": self.status(f.column)[0].value,
                    "reason": self.status(f.column)[1],
                }
                for f in self.findings
            ],
            "unresolved": list(dict.fromkeys(f.column for f in self.unresolved)),
            "override": (
                {"by": self.override_by, "reason": self.override_reason}
                if self.override_by is not None
                else None
            ),
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            + f"<th scope='row'>{html.escape(f.column)}</th>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    f.kind.label,
                    f.found_by.value,
                    f"{f.share:.0%}",
                    f.example,
                    " ".join(x for x in self.status(f.column) if x),
                    f.note,
                )
            )
            + "</tr>"
            for f in self.findings
        )
        head = "".join(
            f"<th scope='col'>{h}</th>"
            for h in ("column", "identifier", "found by", "share", "example", "status", "note")
        )
        verdict = (
            "<p><strong>Passed.</strong></p>"
            if self.passed
            else "<p><strong>Refused:</strong> unresolved personal data.</p>"
        )
        table = (
            f"<table class='mlops-privacy-scan'><caption>Personal-data scan of "
            f"{html.escape(self.source)} (examples are masked)</caption><thead><tr>{head}"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            if self.findings
            else ""
        )
        return (
            f"<div class='mlops-privacy-scan-result'><p>{html.escape(self.summary())}</p>"
            f"{verdict if self.findings else ''}{table}</div>"
        )


# --- The scan ---------------------------------------------------------------------------


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

    dates = matches(values, FULL_DATE)
    span = _dob_span(values, dates) if _share(dates, weights) >= min_share else None
    is_dob = span is not None and span[0] >= DOB_MIN_SPAN_YEARS
    if is_dob or hint is IdentifierKind.DATE_OF_BIRTH:
        note = f"full dates from {span[1]} to {span[2]}" if span else ""
        add(
            IdentifierKind.DATE_OF_BIRTH,
            dates if is_dob else np.zeros(len(values), dtype=bool),
            note,
        )

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


# --- The check the pipeline runs ----------------------------------------------------------

_HOW_TO_RESOLVE = (
    "Resolve each column before training on this table:\n"
    "  * drop it from the file, or list it under `exclude:` in the config so it is never "
    "used for training;\n"
    "  * if you need it to link records, pseudonymise it with a secret key kept apart from "
    "the data (mlops_kit.privacy.pseudonymise) and still exclude it: a pseudonym is still "
    "personal data;\n"
    "  * if a reviewer has checked that it is not personal data, list it under "
    "`privacy: allow: {COLUMN: REASON}`;\n"
    "  * or a named person overrides the check in writing: "
    "`privacy: override: {by: NAME, reason: TEXT}` (recorded with the run)."
)


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_privacy(
    df: pd.DataFrame,
    settings: PrivacySettings | Mapping[str, Any] | None = None,
    *,
    source: str = "the table",
    exclude: Sequence[str] = (),
    run_by: str | None = None,
) -> PrivacyScan:
    """Refuse a table that still holds unresolved personal data; return the scan otherwise.

    A reported column is resolved when ``exclude`` lists it (it is never trained on) or
    ``settings.allow`` gives a reviewer's reason. Anything else stops the run, unless
    ``settings.override`` names the person who decided to go ahead, and why.

    Parameters
    ----------
    df : pandas.DataFrame
    settings : PrivacySettings or mapping, optional
        The config's ``privacy`` section; default the defaults.
    source : str
        How to name the table in messages, such as the file name.
    exclude : sequence of str
        The config's ``exclude`` list: columns never used for training.
    run_by : str, optional
        Who runs the pipeline. An override must come from someone else.

    Returns
    -------
    PrivacyScan
        With each finding's resolution; ``passed`` is True.

    Raises
    ------
    PrivacyError
        Columns are unresolved and nobody overrode the check (the message lists each
        column, what it holds and how to resolve it), or the override comes from the
        person running the pipeline.
    DataValidationError
        ``allow`` names a column the table does not have.
    ConfigError
        The settings break their schema.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"email": ["a@example.org", "b@example.org"], "y": [0, 1]})
    >>> check_privacy(df, exclude=["email"]).status("email")
    (<Resolution.EXCLUDED: 'excluded from training'>, 'listed in exclude: never used for training')
    """
    from ._settings import PrivacySettings

    if settings is None:
        settings = PrivacySettings()
    elif not isinstance(settings, PrivacySettings):
        from pydantic import ValidationError

        try:
            settings = PrivacySettings.model_validate(dict(settings))
        except ValidationError as exc:
            problems = tuple(
                f"privacy.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(
                "The privacy settings break their schema:\n" + "\n".join(problems),
                problems=problems,
            ) from None
    names = [str(c) for c in df.columns]
    for column in settings.allow:
        if column not in names:
            raise DataValidationError(
                f"privacy.allow names column '{column}', which {source} does not have; its "
                f"columns are {', '.join(names)}.{did_you_mean(column, names)}",
                column=column,
            )
    scan = scan_table(
        df,
        near_unique_share=settings.near_unique_share,
        min_share=settings.min_share,
        text_share=settings.text_share,
        source=source,
    )
    resolutions: dict[str, tuple[Resolution, str]] = {}
    for column, reason in settings.allow.items():
        resolutions[column] = (Resolution.ALLOWED, reason)
    for column in exclude:
        resolutions[str(column)] = (
            Resolution.EXCLUDED,
            "listed in exclude: never used for training",
        )
    override = settings.override
    scan = replace(
        scan,
        resolutions=resolutions,
        override_by=override.by if override else None,
        override_reason=override.reason if override else None,
    )
    if override is not None and run_by is not None and _same_person(override.by, run_by):
        raise PrivacyError(
            f"The privacy override for {source} must come from someone other than the person "
            f"running the pipeline (separation of duties): both are {run_by!r}.",
            columns=tuple(f.column for f in scan.unresolved),
        )
    if scan.passed:
        return scan
    lines = tuple(f.describe() for f in scan.unresolved)
    columns = tuple(dict.fromkeys(f.column for f in scan.unresolved))
    noun = "column holds" if len(columns) == 1 else "columns hold"
    raise PrivacyError(
        f"The privacy check refused {source}: {len(columns)} {noun} personal data that "
        "nobody has resolved:\n"
        + "\n".join(f"  - {line}" for line in lines)
        + "\n"
        + _HOW_TO_RESOLVE,
        columns=columns,
        problems=lines,
    )
