"""k-anonymity, suppression and the export check.

Removing names is not enough. Age, sex and postcode district are harmless one by one,
but together they can single out the one 91-year-old man in a rural district; anyone
who knows him can then read his row. These columns are *quasi-identifiers*.

* A table is **k-anonymous** on its quasi-identifiers when every combination of their
  values that occurs is shared by at least *k* rows: each person hides in a group of at
  least *k*. The table's *k* is its smallest group. The ICO's anonymisation guidance and
  most statistical disclosure rules use thresholds such as 5 or 10.
* **l-diversity** asks more: within each group, the sensitive attribute (here, what the
  person needs help with) takes at least *l* different values. A group of ten people who
  all need mental-health support tells anyone who knows one of them that fact, whatever
  *k* says.
* **Generalisation** coarsens quasi-identifiers until groups grow (exact age to 10-year
  bands, full postcode to district or area); **suppression** removes the few rows still
  in small groups. Each step loses detail, so take the smallest that reaches *k*.

l-diversity is in ``_l_diversity``, generalisation and the explorer in ``_generalise``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, PrivacyError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KAnonymity", "check_export", "k_anonymity", "suppress_small_groups"]

#: Groups listed by name in messages; the rest are counted.
_SHOWN_GROUPS = 10
_MISSING = "(missing)"


def _check_table(df: Any, columns: Sequence[str], where: str, what: str) -> list[str]:
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise DataValidationError(f"{where} needs a pandas DataFrame. Got {type(df).__name__}.")
    if isinstance(columns, str) or not isinstance(columns, Sequence) or not columns:
        raise ConfigError(
            f"The '{what}' parameter of {where} must be a non-empty list of column names. "
            f"Got {columns!r} instead."
        )
    cols = [str(c) for c in columns]
    if len(set(cols)) != len(cols):
        raise ConfigError(f"The '{what}' parameter of {where} repeats a column: {cols}.")
    names = [str(c) for c in df.columns]
    for c in cols:
        if c not in names:
            raise DataValidationError(
                f"Column '{c}' in {what} is not in the table given to {where}; its columns "
                f"are {', '.join(names)}.{did_you_mean(c, names)}",
                column=c,
            )
    if df.empty:
        raise DataValidationError(f"{where} needs at least one row; the table is empty.")
    return cols


def _check_threshold(value: Any, name: str, where: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ConfigError(
            f"The '{name}' parameter of {where} must be a whole number of at least {low}. "
            f"Got {value!r} instead."
        )
    return int(value)


def _groups(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Every combination of quasi-identifier values with its number of rows, smallest first."""
    keys = df[cols].astype("string").fillna(_MISSING)
    sizes = keys.groupby(cols, sort=True, observed=True).size().rename("rows").reset_index()
    return sizes.sort_values(["rows", *cols], kind="stable", ignore_index=True)


def _group_name(row: Any, cols: list[str]) -> str:
    return ", ".join(f"{c}={row[c]}" for c in cols)


@dataclass(frozen=True)
class KAnonymity:
    """The result of :func:`k_anonymity`.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    k : int
        The table's k: the size of its smallest group.
    target : int
        The k asked for.
    n_rows, n_groups : int
    offending : pandas.DataFrame
        The groups smaller than ``target``: one row per group, the quasi-identifiers'
        values and ``rows``, smallest first.
    """

    quasi_identifiers: tuple[str, ...]
    k: int
    target: int
    n_rows: int
    n_groups: int
    offending: pd.DataFrame

    @property
    def passed(self) -> bool:
        """Whether every group has at least ``target`` rows."""
        return self.k >= self.target

    @property
    def rows_at_risk(self) -> int:
        """Rows in groups smaller than ``target``."""
        return int(self.offending["rows"].sum())

    def group_names(self, limit: int | None = _SHOWN_GROUPS) -> list[str]:
        """The offending groups in words, smallest first (``"age=91, sex=male: 1 row"``)."""
        cols = list(self.quasi_identifiers)
        rows = self.offending if limit is None else self.offending.head(limit)
        return [
            f"{_group_name(r, cols)}: {r['rows']} row{'s' if r['rows'] != 1 else ''}"
            for _, r in rows.iterrows()
        ]

    def summary(self) -> str:
        """The result in words.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"band": ["20-29"] * 5 + ["90+"], "sex": ["f"] * 6})
        >>> print(k_anonymity(df, ["band", "sex"], k=5).summary())
        k = 1 on band, sex: the smallest group has 1 row. 1 of 2 groups (1 of 6 rows) has
        fewer than 5 rows, so the table is not 5-anonymous.
        """
        on = ", ".join(self.quasi_identifiers)
        head = (
            f"k = {self.k} on {on}: the smallest group has {self.k} "
            f"row{'s' if self.k != 1 else ''}."
        )
        if self.passed:
            return (
                f"{head} Every one of the {self.n_groups:,} groups has at least "
                f"{self.target} rows, so the table is {self.target}-anonymous."
            )
        n_off = len(self.offending)
        verb = "has" if n_off == 1 else "have"
        return (
            f"{head} {n_off:,} of {self.n_groups:,} groups ({self.rows_at_risk:,} of "
            f"{self.n_rows:,} rows) {verb} fewer than {self.target} rows, so the table is "
            f"not {self.target}-anonymous."
        )

    def to_frame(self) -> pd.DataFrame:
        """The offending groups (a copy)."""
        return self.offending.copy()

    def _repr_html_(self) -> str:
        return k_anonymity_html(self)


def k_anonymity_html(result: KAnonymity, *, limit: int = _SHOWN_GROUPS) -> str:
    """The result as HTML: the summary and a captioned table of the smallest groups."""
    cols = list(result.quasi_identifiers)
    shown = result.offending.head(limit)
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in [*cols, "rows"])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in [*cols, "rows"]) + "</tr>"
        for _, r in shown.iterrows()
    )
    more = len(result.offending) - len(shown)
    table = (
        f"<table class='mlops-kanon-groups'><caption>Groups with fewer than {result.target} "
        f"rows, smallest first{f' (the first {limit}; {more} more)' if more > 0 else ''}"
        f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if len(shown)
        else ""
    )
    return f"<p class='mlops-kanon-summary'>{html.escape(result.summary())}</p>{table}"


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Sequence[str], *, k: int = 5) -> KAnonymity:
    """The table's k on ``quasi_identifiers``, and the groups smaller than ``k``.

    Missing values count as a value of their own (``"(missing)"``).

    Parameters
    ----------
    df : pandas.DataFrame
    quasi_identifiers : sequence of str
        Columns that could identify someone in combination.
    k : int, default 5
        The smallest group size wanted.

    Returns
    -------
    KAnonymity

    Raises
    ------
    DataValidationError
        A column is missing, or the table is empty.
    ConfigError
        ``quasi_identifiers`` is empty or repeats a column, or ``k`` is below 1.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"band": ["20-29"] * 5 + ["90+"], "sex": ["f"] * 6})
    >>> result = k_anonymity(df, ["band", "sex"], k=5)
    >>> result.k, result.passed, result.group_names()
    (1, False, ['band=90+, sex=f: 1 row'])
    """
    where = "k_anonymity"
    cols = _check_table(df, quasi_identifiers, where, "quasi_identifiers")
    target = _check_threshold(k, "k", where, 1)
    groups = _groups(df, cols)
    return KAnonymity(
        quasi_identifiers=tuple(cols),
        k=int(groups["rows"].min()),
        target=target,
        n_rows=len(df),
        n_groups=len(groups),
        offending=groups[groups["rows"] < target].reset_index(drop=True),
    )


def check_export(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    k: int = 5,
    source: str = "the table",
) -> KAnonymity:
    """Refuse to export a table that is not k-anonymous on ``quasi_identifiers``.

    Parameters
    ----------
    df : pandas.DataFrame
    quasi_identifiers : sequence of str
    k : int, default 5
        The smallest group an exported table may have (``privacy.k`` in a config).
    source : str
        How to name the table in the message.

    Returns
    -------
    KAnonymity
        When every group has at least ``k`` rows.

    Raises
    ------
    PrivacyError
        Naming the groups smaller than ``k`` (the first ten; the rest are counted) and
        the ways to reach ``k``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"band": ["20-29"] * 5 + ["90+"], "sex": ["f"] * 6})
    >>> try:
    ...     check_export(df, ["band", "sex"], k=5)
    ... except PrivacyError as exc:
    ...     print(exc.problems)
    ('band=90+, sex=f: 1 row',)
    """
    result = k_anonymity(df, quasi_identifiers, k=k)
    if result.passed:
        return result
    names = result.group_names()
    more = len(result.offending) - len(names)
    listed = "\n".join(f"  - {n}" for n in names) + (f"\n  - and {more:,} more" if more else "")
    raise PrivacyError(
        f"The export of {source} is refused: it must be {result.target}-anonymous on "
        f"{', '.join(result.quasi_identifiers)}. {result.summary()}\n"
        f"Groups below {result.target}, smallest first:\n{listed}\n"
        "To reach it, generalise the quasi-identifiers (age_band, truncate_postcode), drop "
        "one, or remove the remaining small groups with suppress_small_groups.",
        columns=result.quasi_identifiers,
        problems=tuple(result.group_names(limit=None)),
    )


def suppress_small_groups(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], *, k: int = 5
) -> pd.DataFrame:
    """The table without the rows in groups smaller than ``k`` (suppression).

    Use it only after generalising: every removed row is a person missing from the
    analysis, and removing them is itself a choice to report (the count is in
    ``result.attrs["suppressed_rows"]``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"band": ["20-29"] * 5 + ["90+"], "sex": ["f"] * 6})
    >>> out = suppress_small_groups(df, ["band", "sex"], k=5)
    >>> len(out), out.attrs["suppressed_rows"]
    (5, 1)
    """
    where = "suppress_small_groups"
    cols = _check_table(df, quasi_identifiers, where, "quasi_identifiers")
    target = _check_threshold(k, "k", where, 1)
    keys = df[cols].astype("string").fillna(_MISSING)
    sizes = keys.groupby(cols, observed=True)[cols[0]].transform("size")
    keep = (sizes >= target).to_numpy()
    out = df.loc[keep].copy()
    out.attrs["suppressed_rows"] = int((~keep).sum())
    return out
