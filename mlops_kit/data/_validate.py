"""Check a table against what the pipeline needs, and decide each column's role.

A table read from a file is first prepared by the config's rules (blank targets, blank
protected values, infinite numbers: ``prepare_table``, in ``_prepare``); the splits and
folds the later stages will make are checked by :func:`~mlops_kit.data.check_split`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..errors import ConfigError, DataValidationError, did_you_mean
from ._profile import ColumnRoles, TableProfile, TargetInfo, Task
from ._target import check_target, first_row

if TYPE_CHECKING:
    import pandas as pd

    from ..config import DataParams

__all__ = ["check_table", "validate_table"]


#: Share of distinct values above which a text column is treated as an identifier.
ID_UNIQUE_SHARE = 0.9
#: Share of parseable numbers above which a text column is suspected to be mistyped.
MOSTLY_NUMERIC_SHARE = 0.9
#: Share of missing values above which a column earns a warning.
MISSING_WARN_SHARE = 0.5
#: Columns of the held-out predictions file (``predictions.csv``): a protected or time
#: column of the same name would be overwritten there.
PREDICTION_COLUMNS = ("row", "y_true", "y_pred", "y_score")


def _column_list(columns: Sequence[str], limit: int = 25) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _is_date_like(s: pd.Series) -> bool:
    import pandas as pd

    sample = s.dropna().astype(str).head(200)
    if sample.empty or not sample.str.match(r"^\d{4}-\d{2}(-\d{2})?([ T].*)?$").all():
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="ISO8601")
    return bool(parsed.notna().all())


def _infer_roles(
    df: pd.DataFrame,
    target: str,
    protected: Sequence[str],
    features: Sequence[str] | None,
    exclude: Sequence[str],
    time_column: str | None,
) -> tuple[ColumnRoles, list[str]]:
    import pandas as pd

    excluded: dict[str, str] = dict.fromkeys(exclude, "excluded by the config")
    if time_column:
        excluded[time_column] = "time column: orders the rows, never a feature"
    for c in protected:
        excluded[c] = "protected attribute: kept for fairness analysis, not a feature"
    candidates = (
        list(features)
        if features is not None
        else [c for c in df.columns if c != target and c not in excluded]
    )
    numeric: list[str] = []
    categorical: list[str] = []
    warnings: list[str] = []
    n = len(df)
    for c in candidates:
        s = df[c]
        n_unique = int(s.nunique(dropna=True))
        explicit = features is not None
        if n_unique <= 1 and not explicit:
            excluded[c] = "constant: a single value carries no information"
            continue
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            is_row_counter = (
                pd.api.types.is_integer_dtype(s)
                and n_unique == n > 50
                and (s.is_monotonic_increasing or s.is_monotonic_decreasing)
            )
            if is_row_counter and not explicit:
                excluded[c] = "identifier: a different, ever-increasing whole number on each row"
                continue
            numeric.append(c)
            continue
        numbers = pd.to_numeric(s, errors="coerce")
        text_cells = (numbers.isna() & s.notna()).to_numpy()
        if text_cells.any() and numbers.notna().sum() >= MOSTLY_NUMERIC_SHARE * s.notna().sum():
            first = int(np.flatnonzero(text_cells)[0])
            warnings.append(
                f"Column '{c}' is mostly numbers but {int(text_cells.sum())} value(s) are "
                f"text, first {s.iloc[first]!r} at row {df.index[first]!r}; it is treated "
                "as categories. Clean those values (or leave the cells empty) to use it as numbers."
            )
        if not explicit and n > 50 and n_unique > ID_UNIQUE_SHARE * s.notna().sum():
            excluded[c] = f"identifier: {n_unique:,} distinct values in {n:,} rows"
            continue
        if not explicit and _is_date_like(s):
            excluded[c] = "date: use it as time_column, or derive features from it"
            continue
        categorical.append(c)
    for c, reason in excluded.items():
        if reason.startswith(("identifier", "date", "constant")):
            warnings.append(f"Column '{c}' is left out of the features ({reason}).")
    roles = ColumnRoles(
        target=target,
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        protected=tuple(protected),
        time_column=time_column,
        excluded=tuple(excluded.items()),
    )
    return roles, warnings


def _column_facts(df: pd.DataFrame, roles: ColumnRoles) -> tuple[dict[str, Any], ...]:
    role_of = dict.fromkeys(roles.numeric, "numeric feature")
    role_of |= dict.fromkeys(roles.categorical, "categorical feature")
    role_of |= dict.fromkeys(roles.protected, "protected")
    role_of |= {c: "left out" for c, _ in roles.excluded if c not in role_of}
    if roles.time_column:
        role_of[roles.time_column] = "time"
    role_of[roles.target] = "target"
    facts = []
    for c in df.columns:
        s = df[c]
        example = s.dropna().iloc[0] if s.notna().any() else None
        facts.append(
            {
                "column": str(c),
                "role": role_of.get(c, "unused"),
                "dtype": str(s.dtype),
                "missing": int(s.isna().sum()),
                "distinct": int(s.nunique(dropna=True)),
                "example": None if example is None else str(json_ready(example)),
            }
        )
    return tuple(facts)


def validate_table(
    df: pd.DataFrame,
    *,
    target: str,
    task: Task = "classification",
    positive_label: Any = None,
    protected: Sequence[str] = (),
    features: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    time_column: str | None = None,
    source: str = "the table",
) -> TableProfile:
    """Check a table for training and decide each column's role.

    Parameters
    ----------
    df : pandas.DataFrame
        The data, one row per case.
    target : str
        Column to predict.
    task : {"classification", "regression"}, default "classification"
        Binary classification or regression.
    positive_label : optional
        For classification, the class that counts as positive (default: 1 or True
        when the target has exactly two classes).
    protected : sequence of str, default ()
        Columns used only for fairness analysis.
    features : sequence of str, optional
        Feature columns; by default every other column that is not an identifier,
        a date or constant.
    exclude : sequence of str, default ()
        Columns never to use as features (for example case references).
    time_column : str, optional
        Column that orders rows in time (ISO dates, ``YYYY-MM`` or numbers).
    source : str, default "the table"
        How error messages name the data (for example the file name).

    Returns
    -------
    TableProfile

    Raises
    ------
    DataValidationError
        A named column is missing, the target is unusable (missing or infinite
        values, one class, not numeric for regression), the time column has gaps,
        a protected or time column is named like a predictions column (``row``,
        ``y_true``, ``y_pred``, ``y_score``), a feature is blank in every row, or no
        feature column remains.
    ConfigError
        A column is given two roles (for example target and protected).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": list("abab"), "y": [0, 1, 0, 1]})
    >>> validate_table(df, target="y", protected=["g"]).roles.features
    ('x',)
    """
    if df.empty:
        raise DataValidationError(f"{source} has no rows; at least one row is needed.")
    _check_named_columns(df, target, protected, features, exclude, time_column, source)
    target_info = check_target(df, target, task, positive_label, source)
    if time_column:
        _check_time_column(df, time_column, source)
    roles, warnings = _infer_roles(df, target, protected, features, exclude, time_column)
    warnings += _data_warnings(df, roles, target_info, source)
    return TableProfile(
        source=source,
        n_rows=len(df),
        n_columns=df.shape[1],
        roles=roles,
        target=target_info,
        columns=_column_facts(df, roles),
        warnings=tuple(warnings),
    )


def _check_named_columns(
    df: pd.DataFrame,
    target: str,
    protected: Sequence[str],
    features: Sequence[str] | None,
    exclude: Sequence[str],
    time_column: str | None,
    source: str,
) -> None:
    """Every column the config names exists, has one role, and is not a predictions name."""
    columns = [str(c) for c in df.columns]
    named: list[tuple[str, str]] = [(target, "the target")]
    named += [(c, "protected") for c in protected]
    named += [(c, "a feature") for c in features or ()]
    named += [(c, "excluded") for c in exclude]
    if time_column:
        named.append((time_column, "the time column"))
    for col, role in named:
        if col not in df.columns:
            raise DataValidationError(
                f"Column '{col}' ({role}) is not in {source}. Columns found: "
                f"{_column_list(columns)}.{did_you_mean(col, columns)}",
                column=col,
            )
    roles_given: dict[str, str] = {}
    for col, role in named:
        if col in roles_given and roles_given[col] != role:
            raise ConfigError(
                f"Column '{col}' is given two roles, {roles_given[col]} and {role}; "
                "each column may have one."
            )
        roles_given[col] = role
    for col in [*protected, *([time_column] if time_column else [])]:
        if col in PREDICTION_COLUMNS:
            raise DataValidationError(
                f"Column '{col}' ({roles_given[col]}) in {source} has a name the pipeline's "
                f"predictions file uses for its own columns ({', '.join(PREDICTION_COLUMNS)}); "
                "rename it in the data file.",
                column=col,
            )


def _check_time_column(df: pd.DataFrame, time_column: str, source: str) -> None:
    """The time column has a value in every row, and holds numbers or ISO dates."""
    import pandas as pd

    t = df[time_column]
    if t.isna().any():
        mask = t.isna().to_numpy()
        raise DataValidationError(
            f"Time column '{time_column}' in {source} has {int(mask.sum())} missing "
            f"value(s), first at {first_row(mask, df.index)}; every row needs a time.",
            column=time_column,
        )
    if not (pd.api.types.is_numeric_dtype(t) or _is_date_like(t)):
        raise DataValidationError(
            f"Time column '{time_column}' in {source} must hold numbers or ISO dates "
            f"(YYYY-MM or YYYY-MM-DD); found {json_ready(t.iloc[0])!r}.",
            column=time_column,
        )


def _data_warnings(
    df: pd.DataFrame, roles: ColumnRoles, target_info: TargetInfo, source: str
) -> list[str]:
    """Warnings about missing values, single-group protected columns and too little data.

    Raises when no feature is left or a feature is blank in every row.
    """
    if not roles.features:
        raise DataValidationError(
            f"No feature columns are left in {source} after setting aside the target, "
            f"protected, excluded, identifier and constant columns. Columns found: "
            f"{_column_list([str(c) for c in df.columns])}."
        )
    warnings: list[str] = []
    n = len(df)
    for c in roles.features:
        share = float(df[c].isna().mean())
        if share == 1:
            raise DataValidationError(
                f"Feature column '{c}' in {source} is blank in all {n:,} rows, so the model "
                "cannot learn from it; leave it out of 'features' or fill it.",
                column=c,
            )
        if share > MISSING_WARN_SHARE:
            warnings.append(f"Column '{c}' is {share:.0%} missing; its values will be imputed.")
    for c in roles.protected:
        groups = df[c].dropna().unique()
        if len(groups) == 1:
            warnings.append(
                f"Protected column '{c}' holds a single group ({json_ready(groups[0])!r}) in "
                "every row, so fairness between its groups cannot be judged."
            )
    if n < 100:
        warnings.append(f"Only {n} rows: metrics on so little data are unreliable.")
    rate = target_info.positive_rate
    if rate is not None and min(rate, 1 - rate) * n < 10:
        warnings.append(
            f"Only {round(min(rate, 1 - rate) * n)} rows of the rarer class; "
            "metrics such as recall will be unstable."
        )
    return warnings


def check_table(df: pd.DataFrame, params: DataParams, *, source: str) -> TableProfile:
    """Validate ``df`` against a config's data keys (target, task, roles, time column).

    Raises :class:`~mlops_kit.errors.DataValidationError` naming the column and the rule;
    ``source`` names the data in the message. :func:`mlops_kit.privacy.check_data` adds
    the personal-data scan.
    """
    return validate_table(
        df,
        target=params.target,
        task=params.task,
        positive_label=params.positive_label,
        protected=params.protected,
        features=params.features,
        exclude=params.exclude,
        time_column=params.time_column,
        source=source,
    )
