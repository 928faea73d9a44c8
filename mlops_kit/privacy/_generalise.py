"""Generalisation of quasi-identifiers, and the k-anonymity explorer's model.

:func:`age_band` turns exact ages into bands and :func:`truncate_postcode` cuts full
postcodes to sector, district or area; :func:`explore_anonymity` applies one choice of
each (:data:`AGE_GENERALISATIONS`, :data:`POSTCODE_LEVELS`), optionally suppresses the
groups still too small, and measures k (and l) on the result.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from ..errors import ConfigError, DataValidationError
from ._anonymity import (
    KAnonymity,
    _check_table,
    _check_threshold,
    k_anonymity,
    k_anonymity_html,
    suppress_small_groups,
)
from ._identifiers import mask_value
from ._l_diversity import LDiversity, l_diversity

if TYPE_CHECKING:
    import pandas as pd


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
