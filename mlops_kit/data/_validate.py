"""Check a table against what the pipeline needs, and decide each column's role."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import ConfigError, DataValidationError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ColumnRoles",
    "TableProfile",
    "TargetInfo",
    "binary_target",
    "validate_table",
]

Task = Literal["classification", "regression"]

#: Share of distinct values above which a text column is treated as an identifier.
ID_UNIQUE_SHARE = 0.9
#: Share of parseable numbers above which a text column is suspected to be mistyped.
MOSTLY_NUMERIC_SHARE = 0.9
#: Share of missing values above which a column earns a warning.
MISSING_WARN_SHARE = 0.5
#: Columns of the held-out predictions file (``predictions.csv``): a protected or time
#: column of the same name would be overwritten there.
PREDICTION_COLUMNS = ("row", "y_true", "y_pred", "y_score")


@dataclass(frozen=True)
class ColumnRoles:
    """What the pipeline does with each column.

    Attributes
    ----------
    target : str
        The column to predict.
    numeric, categorical : tuple of str
        Feature columns, by how they are encoded.
    protected : tuple of str
        Columns kept out of the features and used for fairness analysis.
    time_column : str or None
        Column that orders rows in time (never a feature).
    excluded : tuple of (column, reason) pairs
        Columns left out of the features, each with the reason in plain words.
    """

    target: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    protected: tuple[str, ...] = ()
    time_column: str | None = None
    excluded: tuple[tuple[str, str], ...] = ()

    @property
    def features(self) -> tuple[str, ...]:
        """All feature columns: numeric then categorical."""
        return self.numeric + self.categorical

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        d = asdict(self)
        d["excluded"] = dict(self.excluded)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ColumnRoles:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            target=d["target"],
            numeric=tuple(d["numeric"]),
            categorical=tuple(d["categorical"]),
            protected=tuple(d.get("protected", ())),
            time_column=d.get("time_column"),
            excluded=tuple(dict(d.get("excluded", {})).items()),
        )


@dataclass(frozen=True)
class TargetInfo:
    """The target column as the pipeline understands it.

    For classification, ``positive_label`` is the class that counts as positive
    (coded 1); every other class is coded 0. ``counts`` maps each original class,
    as text, to its number of rows. For regression, ``summary`` holds its statistics.
    """

    name: str
    task: Task
    positive_label: Any = None
    counts: dict[str, int] = field(default_factory=dict)
    positive_rate: float | None = None
    summary: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TableProfile:
    """The result of :func:`validate_table`: roles, target and per-column facts."""

    source: str
    n_rows: int
    n_columns: int
    roles: ColumnRoles
    target: TargetInfo
    columns: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per column: role, type, missing values, distinct values, example."""
        import pandas as pd

        return pd.DataFrame(list(self.columns)).set_index("column")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "source": self.source,
            "n_rows": self.n_rows,
            "n_columns": self.n_columns,
            "roles": self.roles.to_dict(),
            "target": asdict(self.target),
            "columns": list(self.columns),
            "warnings": list(self.warnings),
        }

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        warn = f"<p><strong>Warnings</strong></p><ul>{items}</ul>" if items else ""
        t = self.target
        if t.task == "classification":
            what = (
                f"classification; positive class {t.positive_label!r} in "
                f"{(t.positive_rate or 0):.1%} of rows"
            )
        else:
            what = "regression"
        return (
            f"<p><strong>{html.escape(self.source)}</strong>: {self.n_rows:,} rows, "
            f"{self.n_columns} columns. Target <code>{html.escape(t.name)}</code> "
            f"({html.escape(what)}); {len(self.roles.features)} feature columns, "
            f"{len(self.roles.protected)} protected.</p>{warn}{self.to_frame().to_html()}"
        )


def _column_list(columns: Sequence[str], limit: int = 25) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _first_row(mask: np.ndarray, index: pd.Index) -> str:
    pos = int(np.flatnonzero(mask)[0])
    return f"row {index[pos]!r}"


def binary_target(y: pd.Series, positive_label: Any) -> np.ndarray:
    """Code a target as 1 for ``positive_label`` and 0 for every other class.

    The label is compared as given and, when nothing matches, as text, so ``1``
    matches ``"1"``.

    Examples
    --------
    >>> import pandas as pd
    >>> binary_target(pd.Series([">50K", "<=50K", ">50K"]), ">50K").tolist()
    [1, 0, 1]
    """
    hit = (y == positive_label).to_numpy()
    if not hit.any():
        hit = (y.astype(str) == str(positive_label)).to_numpy()
    return hit.astype(np.int64)


def _json_value(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _check_target(
    df: pd.DataFrame, target: str, task: Task, positive_label: Any, source: str
) -> TargetInfo:
    import pandas as pd

    y = df[target]
    missing = y.isna().to_numpy()
    if missing.any():
        raise DataValidationError(
            f"Target column '{target}' in {source} has {int(missing.sum())} missing "
            f"value(s), first at {_first_row(missing, df.index)}; every row needs a "
            "target value. Remove or fill those rows, or set the config key "
            "'missing_target: drop' to leave them out (the count is recorded).",
            column=target,
        )
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        values = y.to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataValidationError(
                f"Target column '{target}' in {source} has {int(bad.sum())} infinite "
                f"value(s), first at {_first_row(bad, df.index)}; the target must be finite.",
                column=target,
            )
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            not_numbers = y[pd.to_numeric(y, errors="coerce").isna()]
            sample = (not_numbers if len(not_numbers) else y).iloc[0]
            raise DataValidationError(
                f"Target column '{target}' in {source} must be numeric for regression; "
                f"found {y.dtype!s} values such as {_json_value(sample)!r}. Use task: "
                "classification for a class label.",
                column=target,
            )
        if y.nunique() < 2:
            raise DataValidationError(
                f"Target column '{target}' in {source} has a single value "
                f"({_json_value(y.iloc[0])!r}) in all {len(y)} rows; there is nothing to learn.",
                column=target,
            )
        return TargetInfo(
            name=target,
            task=task,
            summary={str(k): float(v) for k, v in y.describe().items() if k != "count"},
        )

    counts = y.value_counts(sort=True)
    classes = [_json_value(c) for c in counts.index]
    shown = ", ".join(repr(c) for c in classes[:10])
    if len(classes) < 2:
        raise DataValidationError(
            f"Target column '{target}' in {source} has one class ({shown}) in all "
            f"{len(y)} rows; classification needs at least two classes.",
            column=target,
        )
    if positive_label is None:
        defaults = [c for c in classes if c is True or (isinstance(c, int | float) and c == 1)]
        if len(classes) == 2 and defaults:
            positive_label = defaults[0]
        else:
            raise DataValidationError(
                f"Target column '{target}' in {source} has classes {shown}, and none is "
                "1 or True; set positive_label to the class that counts as positive.",
                column=target,
            )
    coded = binary_target(y, positive_label)
    if not coded.any():
        raise DataValidationError(
            f"positive_label {positive_label!r} does not occur in target column "
            f"'{target}' of {source}; its classes are {shown}.",
            column=target,
        )
    if coded.all():
        raise DataValidationError(
            f"Every row of target column '{target}' in {source} is the positive class "
            f"{positive_label!r}; classification needs rows of another class too.",
            column=target,
        )
    # Report the label as it appears in the data (so "1" given for 1 becomes 1).
    positive_label = _json_value(y[coded.astype(bool)].iloc[0])
    return TargetInfo(
        name=target,
        task=task,
        positive_label=positive_label,
        counts={str(k): int(v) for k, v in counts.items()},
        positive_rate=float(coded.mean()),
    )


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
                "example": None if example is None else str(_json_value(example)),
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

    Notes
    -----
    A table read from a file is first prepared by the config's rules (blank targets,
    blank protected values, infinite numbers: :func:`prepare_table`); the splits and
    folds the later stages will make are checked by :func:`check_split`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": list("abab"), "y": [0, 1, 0, 1]})
    >>> validate_table(df, target="y", protected=["g"]).roles.features
    ('x',)
    """
    import pandas as pd

    if df.empty:
        raise DataValidationError(f"{source} has no rows; at least one row is needed.")
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

    target_info = _check_target(df, target, task, positive_label, source)
    if time_column:
        t = df[time_column]
        if t.isna().any():
            mask = t.isna().to_numpy()
            raise DataValidationError(
                f"Time column '{time_column}' in {source} has {int(mask.sum())} missing "
                f"value(s), first at {_first_row(mask, df.index)}; every row needs a time.",
                column=time_column,
            )
        if not (pd.api.types.is_numeric_dtype(t) or _is_date_like(t)):
            raise DataValidationError(
                f"Time column '{time_column}' in {source} must hold numbers or ISO dates "
                f"(YYYY-MM or YYYY-MM-DD); found {_json_value(t.iloc[0])!r}.",
                column=time_column,
            )
    roles, warnings = _infer_roles(df, target, protected, features, exclude, time_column)
    if not roles.features:
        raise DataValidationError(
            f"No feature columns are left in {source} after setting aside the target, "
            f"protected, excluded, identifier and constant columns. Columns found: "
            f"{_column_list(columns)}."
        )
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
                f"Protected column '{c}' holds a single group ({_json_value(groups[0])!r}) in "
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
    return TableProfile(
        source=source,
        n_rows=n,
        n_columns=df.shape[1],
        roles=roles,
        target=target_info,
        columns=_column_facts(df, roles),
        warnings=tuple(warnings),
    )
