"""l-diversity: how many different sensitive values each group of quasi-identifiers holds.

A table can be k-anonymous and still disclose: a group of ten people who all need
mental-health support tells anyone who knows one of them that fact, whatever *k* says.
:func:`l_diversity` counts the distinct values of the sensitive attribute in each group.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, DataValidationError, did_you_mean
from ._anonymity import _MISSING, _SHOWN_GROUPS, _check_table, _check_threshold

if TYPE_CHECKING:
    import pandas as pd


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
