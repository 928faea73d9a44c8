"""What validating a table found: each column's role, the target, per-column facts.

:class:`TableProfile` is the result of ``validate_table``; :class:`ColumnRoles` says what
the pipeline does with each column and :class:`TargetInfo` how it reads the target.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd


Task = Literal["classification", "regression"]


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
