"""What a personal-data scan found: each finding, how it was found, what was decided.

:class:`Finding` is one column that holds (or looks like it holds) a direct identifier
or singles people out; :class:`PrivacyScan` holds every finding of a table with what was
decided about each column (:class:`Resolution`) and any named person's override.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._identifiers import IdentifierKind

if TYPE_CHECKING:
    import pandas as pd


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
        >>> from mlops_kit.privacy import scan_table
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
