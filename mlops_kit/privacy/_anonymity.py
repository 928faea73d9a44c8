"""k-anonymity, l-diversity, generalisation and the export check.

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
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from ..errors import ConfigError, DataValidationError, PrivacyError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AGE_GENERALISATIONS",
    "POSTCODE_LEVELS",
    "AnonymityView",
    "KAnonymity",
    "LDiversity",
    "age_band",
    "check_export",
    "explore_anonymity",
    "k_anonymity",
    "l_diversity",
    "suppress_small_groups",
    "truncate_postcode",
]

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


@dataclass(frozen=True)
class LDiversity:
    """The result of :func:`l_diversity`.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    sensitive : str
    l : int
        The smallest number of distinct sensitive values in any group.
    target : int
    n_groups : int
    offending : pandas.DataFrame
        Groups with fewer than ``target`` distinct sensitive values: the
        quasi-identifiers, ``rows`` and ``distinct``. The sensitive values themselves
        are never listed (that would disclose them).
    """

    quasi_identifiers: tuple[str, ...]
    sensitive: str
    l: int  # noqa: E741 - the standard name of the measure
    target: int
    n_groups: int
    offending: pd.DataFrame

    @property
    def passed(self) -> bool:
        """Whether every group has at least ``target`` distinct sensitive values."""
        return self.l >= self.target

    def summary(self) -> str:
        """The result in words."""
        on = ", ".join(self.quasi_identifiers)
        head = (
            f"l = {self.l} for '{self.sensitive}' on {on}: the least varied group has "
            f"{self.l} distinct value{'s' if self.l != 1 else ''}."
        )
        if self.passed:
            return f"{head} Every group has at least {self.target}."
        n = len(self.offending)
        return (
            f"{head} {n:,} of {self.n_groups:,} groups have fewer than {self.target}: anyone "
            f"who knows a person is in one of them learns their '{self.sensitive}' (or "
            "narrows it down)."
        )

    def to_frame(self) -> pd.DataFrame:
        """The offending groups (a copy)."""
        return self.offending.copy()

    def _repr_html_(self) -> str:
        cols = [*self.quasi_identifiers, "rows", "distinct"]
        head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in cols) + "</tr>"
            for _, r in self.offending.head(_SHOWN_GROUPS).iterrows()
        )
        table = (
            f"<table class='mlops-ldiv-groups'><caption>Groups with fewer than {self.target} "
            f"distinct values of {html.escape(self.sensitive)}</caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>"
            if len(self.offending)
            else ""
        )
        return f"<p class='mlops-ldiv-summary'>{html.escape(self.summary())}</p>{table}"


def l_diversity(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    sensitive: str,
    *,
    l: int = 2,  # noqa: E741 - the standard name of the measure
) -> LDiversity:
    """Distinct l-diversity: how many different sensitive values each group holds.

    Parameters
    ----------
    df : pandas.DataFrame
    quasi_identifiers : sequence of str
    sensitive : str
        The sensitive attribute, such as a health condition.
    l : int, default 2
        The number of distinct sensitive values wanted in every group.

    Returns
    -------
    LDiversity

    Examples
    --------
    >>> import pandas as pd
    >>> need = ["housing", "debt", "housing"] + ["mental health"] * 3
    >>> df = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "need": need})
    >>> result = l_diversity(df, ["area"], "need", l=2)
    >>> result.l, result.offending.to_dict("records")
    (1, [{'area': 'B', 'rows': 3, 'distinct': 1}])
    """
    where = "l_diversity"
    cols = _check_table(df, quasi_identifiers, where, "quasi_identifiers")
    if not isinstance(sensitive, str) or sensitive not in df.columns:
        names = [str(c) for c in df.columns]
        raise DataValidationError(
            f"The sensitive column {sensitive!r} given to {where} is not in the table; its "
            f"columns are {', '.join(names)}.{did_you_mean(str(sensitive), names)}",
            column=str(sensitive),
        )
    if sensitive in cols:
        raise ConfigError(
            f"The sensitive column '{sensitive}' of {where} cannot also be a quasi-identifier."
        )
    target = _check_threshold(l, "l", where, 1)
    keys = df[cols].astype("string").fillna(_MISSING)
    grouped = (
        df[sensitive]
        .astype("string")
        .fillna(_MISSING)
        .groupby([keys[c] for c in cols], sort=True, observed=True)
    )
    table = _group_stats(grouped)
    table = table.sort_values(["distinct", "rows", *cols], kind="stable", ignore_index=True)
    return LDiversity(
        quasi_identifiers=tuple(cols),
        sensitive=sensitive,
        l=int(table["distinct"].min()),
        target=target,
        n_groups=len(table),
        offending=table[table["distinct"] < target].reset_index(drop=True),
    )


def _group_stats(grouped: Any) -> pd.DataFrame:
    """Rows and distinct values per group, as columns next to the group's keys."""
    stats = grouped.agg(["size", "nunique"]).rename(columns={"size": "rows", "nunique": "distinct"})
    return stats.reset_index()


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


def age_band(ages: Any, width: int = 10, *, start: int = 0, top: int | None = None) -> pd.Series:
    """Exact ages as bands of ``width`` years (``"30-39"``), optionally bottom- and top-coded.

    Parameters
    ----------
    ages : array-like of numbers
        Ages in whole or part years, not negative; missing values stay missing.
    width : int, default 10
        Years per band.
    start : int, default 0
        Where the bands start. Above 0, every age below ``start + width`` goes into one
        first band, ``"under <start + width>"``: with ``start=20`` the 18- and
        19-year-olds join the 20s instead of forming a tiny band of their own.
    top : int, optional
        Every age at or above ``top`` goes into one last band, ``"<top>+"``: the oldest
        people are few, so their bands are the first to fall below k. It must be a whole
        number of bands above ``start``.

    Returns
    -------
    pandas.Series
        An ordered categorical of band labels, with the input's index.

    Raises
    ------
    DataValidationError
        An age is not a number or is negative.
    ConfigError
        ``width``, ``start`` or ``top`` is not a whole number in range.

    Examples
    --------
    >>> age_band([34, 71, 95], width=10).tolist()
    ['30-39', '70-79', '90-99']
    >>> age_band([18, 34, 71, 95], width=20, start=20, top=80).tolist()
    ['under 40', 'under 40', '60-79', '80+']
    """
    import pandas as pd

    where = "age_band"
    width = _check_threshold(width, "width", where, 1)
    start = _check_threshold(start, "start", where, 0)
    series = ages.copy() if isinstance(ages, pd.Series) else pd.Series(np.asarray(ages))
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        first = series[bad].iloc[0]
        raise DataValidationError(
            f"The ages given to {where} must be numbers; {int(bad.sum())} value(s) are not, "
            f"the first {first!r}."
        )
    if (values < 0).any():
        raise DataValidationError(
            f"The ages given to {where} cannot be negative; the smallest is {values.min():g}."
        )
    if top is not None:
        top = _check_threshold(top, "top", where, start + width)
        if (top - start) % width:
            raise ConfigError(
                f"The 'top' parameter of {where} must be start ({start}) plus a whole number "
                f"of bands of {width} years, so the bands meet. Got {top!r} instead."
            )
    highest = int(values.max()) if values.notna().any() else start
    last_edge = top if top is not None else max(start, (highest - start) // width * width + start)
    edges = list(range(start, last_edge + (0 if top is not None else 1), width))
    if not edges:
        edges = [start]
    labels = [f"{e}-{e + width - 1}" if width > 1 else f"{e}" for e in edges]
    if start > 0:
        labels[0] = f"under {start + width}"
    codes = np.floor((values - start) / width).clip(lower=0)
    if top is not None:
        labels.append(f"{top}+")
        codes = codes.clip(upper=len(labels) - 1)
    out = pd.Categorical.from_codes(
        codes.fillna(-1).astype(int).to_numpy(), categories=pd.Index(labels), ordered=True
    )
    return pd.Series(out, index=series.index, name=series.name)


PostcodeLevel = Literal["sector", "district", "area"]
_POSTCODE = r"^([A-Z]{1,2})(\d[A-Z\d]?) ?(\d)([A-Z]{2})$"


def truncate_postcode(postcodes: Any, level: PostcodeLevel = "district") -> pd.Series:
    """Full UK postcodes cut to a coarser level: sector, district or area.

    ``"SW1A 1AA"`` becomes ``"SW1A 1"`` (sector, a few thousand addresses), ``"SW1A"``
    (district, the outward code) or ``"SW"`` (area). Case and spacing are ignored;
    missing values stay missing.

    Raises
    ------
    DataValidationError
        A value is not a full postcode; the message counts them and shows the first,
        masked.

    Examples
    --------
    >>> truncate_postcode(["SW1A 1AA", "zz3 4ab", None]).tolist()
    ['SW1A', 'ZZ3', nan]
    >>> truncate_postcode(["SW1A 1AA"], level="sector").tolist()
    ['SW1A 1']
    """
    import pandas as pd

    from ._identifiers import mask_value

    where = "truncate_postcode"
    if level not in ("sector", "district", "area"):
        raise ConfigError(
            f"The 'level' parameter of {where} must be 'sector', 'district' or 'area'. "
            f"Got {level!r} instead."
        )
    series = postcodes.copy() if isinstance(postcodes, pd.Series) else pd.Series(postcodes)
    text = series.astype("string").str.upper().str.strip().str.replace(r"\s+", " ", regex=True)
    parts = text.str.extract(_POSTCODE)
    bad = parts[0].isna() & series.notna()
    if bad.any():
        raise DataValidationError(
            f"The values given to {where} must be full UK postcodes such as 'SW1A 1AA'; "
            f"{int(bad.sum())} are not, the first {mask_value(series[bad].iloc[0])!r} at "
            f"row {series.index[bad.to_numpy()][0]!r}."
        )
    if level == "area":
        out = parts[0]
    elif level == "district":
        out = parts[0] + parts[1]
    else:
        out = parts[0] + parts[1] + " " + parts[2]
    out = out.astype(object).where(series.notna().to_numpy(), np.nan)
    return pd.Series(out.to_numpy(), index=series.index, name=series.name)


# --- Generalise, then measure (the model of the k-anonymity explorer) ----------------

#: Ways to generalise an exact age: label -> (width, start, top), or None to keep it.
AGE_GENERALISATIONS: dict[str, tuple[int, int, int | None] | None] = {
    "exact age": None,
    "5-year bands": (5, 0, None),
    "10-year bands": (10, 0, None),
    "10-year bands, under 30 to 80+": (10, 20, 80),
    "10-year bands, under 30 to 70+": (10, 20, 70),
    "20-year bands, under 40 to 80+": (20, 20, 80),
}
#: Ways to generalise a full postcode, finest first; "full postcode" keeps it.
POSTCODE_LEVELS = ("full postcode", "sector", "district", "area")


@dataclass(frozen=True)
class AnonymityView:
    """What :func:`explore_anonymity` found for one choice of generalisation.

    Attributes
    ----------
    result : KAnonymity
        On the generalised (and, if asked, suppressed) table.
    diversity : LDiversity or None
        With a sensitive column.
    age, postcode : str
        The generalisations used, in words.
    suppressed_rows : int
        Rows removed because their group stayed below k (0 without suppression).
    n_rows : int
        Rows before suppression.
    """

    result: KAnonymity
    diversity: LDiversity | None
    age: str
    postcode: str
    suppressed_rows: int
    n_rows: int

    def summary(self) -> str:
        """The view in words."""
        parts = [f"Age as {self.age}; postcode as {self.postcode}.", self.result.summary()]
        if self.suppressed_rows:
            parts.append(
                f"Suppression removed {self.suppressed_rows:,} of {self.n_rows:,} rows "
                f"({self.suppressed_rows / self.n_rows:.1%}): people missing from any analysis "
                "of the export."
            )
        if self.diversity is not None:
            parts.append(self.diversity.summary())
        return " ".join(parts)

    def to_html(self) -> str:
        """The summary, the smallest groups and the l-diversity, as accessible HTML."""
        extra = ""
        if self.suppressed_rows:
            extra += (
                f"<p class='mlops-privacy-suppressed'>Suppression removed "
                f"{self.suppressed_rows:,} of {self.n_rows:,} rows.</p>"
            )
        if self.diversity is not None:
            extra += self.diversity._repr_html_()
        return (
            f"<p class='mlops-privacy-generalisation'>Age as {html.escape(self.age)}; postcode "
            f"as {html.escape(self.postcode)}.</p>{k_anonymity_html(self.result)}{extra}"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def explore_anonymity(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    k: int = 5,
    age: str = "exact age",
    postcode: str = "full postcode",
    age_column: str = "age",
    postcode_column: str = "postcode",
    suppress: bool = False,
    sensitive: str | None = None,
) -> AnonymityView:
    """Generalise a table's age and postcode, then measure its k (and l).

    Parameters
    ----------
    df : pandas.DataFrame
    quasi_identifiers : sequence of str
        Columns of ``df`` used together.
    k : int, default 5
    age : str
        A key of :data:`AGE_GENERALISATIONS`, applied to ``age_column`` when it is a
        quasi-identifier.
    postcode : str
        One of :data:`POSTCODE_LEVELS`, applied to ``postcode_column`` likewise.
    suppress : bool, default False
        Remove the rows of groups still smaller than ``k``, then measure again.
    sensitive : str, optional
        A sensitive column for l-diversity (l = 2).

    Examples
    --------
    >>> from mlops_kit.privacy import load_raw_contacts
    >>> view = explore_anonymity(load_raw_contacts(), ["age", "sex", "postcode"],
    ...                          age="10-year bands, under 30 to 70+", postcode="area")
    >>> view.result.k
    9
    """
    if age not in AGE_GENERALISATIONS:
        raise ConfigError(
            f"The 'age' parameter of explore_anonymity must be one of "
            f"{', '.join(repr(a) for a in AGE_GENERALISATIONS)}. Got {age!r} instead."
        )
    if postcode not in POSTCODE_LEVELS:
        raise ConfigError(
            f"The 'postcode' parameter of explore_anonymity must be one of "
            f"{', '.join(repr(p) for p in POSTCODE_LEVELS)}. Got {postcode!r} instead."
        )
    cols = _check_table(df, quasi_identifiers, "explore_anonymity", "quasi_identifiers")
    table = df.copy()
    rule = AGE_GENERALISATIONS[age]
    if rule is not None and age_column in cols:
        width, start, top = rule
        table[age_column] = age_band(table[age_column], width, start=start, top=top)
    if postcode != "full postcode" and postcode_column in cols:
        level = cast(PostcodeLevel, postcode)
        table[postcode_column] = truncate_postcode(table[postcode_column], level=level)
    suppressed = 0
    if suppress:
        # Validates the columns and k with the same messages as k_anonymity.
        k_anonymity(table, cols, k=k)
        table = suppress_small_groups(table, cols, k=k)
        suppressed = int(table.attrs["suppressed_rows"])
        if table.empty:
            raise DataValidationError(
                f"Suppressing every group smaller than {k} removes all {len(df):,} rows: "
                "generalise further (coarser bands or areas) first."
            )
    result = k_anonymity(table, cols, k=k)
    diversity = l_diversity(table, cols, sensitive, l=2) if sensitive else None
    return AnonymityView(
        result=result,
        diversity=diversity,
        age=age if age_column in cols else "not used",
        postcode=postcode if postcode_column in cols else "not used",
        suppressed_rows=suppressed,
        n_rows=len(df),
    )
