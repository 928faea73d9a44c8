"""The rules a data file is prepared by, and the record of what preparing it did.

:class:`TableRules` holds the config keys that decide how a file is read and prepared
(``missing_target``, ``missing_protected``, ``infinite_values``, the delimiter);
:class:`Preparation` records what ``prepare_table`` did, for ``dataset.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: The group a blank protected value joins (``missing_protected: group``).
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class TableRules:
    """How a data file is read and prepared: the config keys that decide it.

    Attributes
    ----------
    target : str
        The column to predict.
    protected : tuple of str
        Columns for fairness analysis.
    time_column : str or None
        The column that orders rows in time (never converted).
    delimiter : {",", ";", "\\t", "|"} or None
        The CSV field separator; None: detected.
    missing_target : {"refuse", "drop"}
    missing_protected : {"group", "refuse"}
    infinite_values : {"missing", "refuse"}
    """

    target: str
    protected: tuple[str, ...] = ()
    time_column: str | None = None
    delimiter: str | None = None
    missing_target: Literal["refuse", "drop"] = "refuse"
    missing_protected: Literal["group", "refuse"] = "group"
    infinite_values: Literal["missing", "refuse"] = "missing"

    @classmethod
    def from_params(cls, params: Any) -> TableRules:
        """The rules of a config (:class:`mlops_kit.config.DataParams` or the whole
        :class:`~mlops_kit.config.PipelineConfig`)."""
        return cls(
            target=params.target,
            protected=tuple(params.protected),
            time_column=params.time_column,
            delimiter=params.delimiter,
            missing_target=params.missing_target,
            missing_protected=params.missing_protected,
            infinite_values=params.infinite_values,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "target": self.target,
            "protected": list(self.protected),
            "time_column": self.time_column,
            "delimiter": self.delimiter,
            "missing_target": self.missing_target,
            "missing_protected": self.missing_protected,
            "infinite_values": self.infinite_values,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TableRules:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            target=d["target"],
            protected=tuple(d.get("protected", ())),
            time_column=d.get("time_column"),
            delimiter=d.get("delimiter"),
            missing_target=d.get("missing_target", "refuse"),
            missing_protected=d.get("missing_protected", "group"),
            infinite_values=d.get("infinite_values", "missing"),
        )


@dataclass(frozen=True)
class Preparation:
    """What preparing a table did: the rules and the counts they produced.

    Attributes
    ----------
    rules : TableRules
    rows_read : int
        Data rows in the file.
    dropped_missing_target : int
        Rows left out because their target was blank (``missing_target: drop``).
    not_recorded : dict of str to int
        Per protected column, blank values that became the group :data:`NOT_RECORDED`.
    infinite : dict of str to int
        Per numeric column, infinite (or too large) values that became missing.
    decimal_comma : tuple of str
        Text columns of numbers with a decimal comma, read as numbers.
    converted : dict of str to str
        Columns whose file type was converted (Parquet dates, categories, ...), and how.
    """

    rules: TableRules
    rows_read: int
    dropped_missing_target: int = 0
    not_recorded: dict[str, int] = field(default_factory=dict)
    infinite: dict[str, int] = field(default_factory=dict)
    decimal_comma: tuple[str, ...] = ()
    converted: dict[str, str] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Rows after preparation."""
        return self.rows_read - self.dropped_missing_target

    def facts(self) -> dict[str, Any]:
        """The counts alone (what a re-run must reproduce)."""
        d = self.to_dict()
        d.pop("rules")
        return d

    def lines(self) -> list[str]:
        """What was done, one sentence each (empty when the table needed nothing)."""
        out = []
        target = self.rules.target
        if self.dropped_missing_target:
            out.append(
                f"{self.dropped_missing_target:,} row(s) with a blank target '{target}' were "
                f"left out (missing_target: drop); {self.n_rows:,} of {self.rows_read:,} "
                "rows remain."
            )
        for col, n in self.not_recorded.items():
            out.append(
                f"Protected column '{col}': {n:,} blank value(s) form the group "
                f"'{NOT_RECORDED}' (missing_protected: group)."
            )
        for col, n in self.infinite.items():
            out.append(
                f"Column '{col}': {n:,} infinite value(s) treated as missing "
                "(infinite_values: missing)."
            )
        if self.decimal_comma:
            out.append(
                "Read as numbers written with a decimal comma: "
                + ", ".join(f"'{c}'" for c in self.decimal_comma)
                + "."
            )
        for col, how in self.converted.items():
            out.append(f"Column '{col}': {how}.")
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (the ``preparation`` part of ``dataset.json``)."""
        return {
            "rules": self.rules.to_dict(),
            "rows_read": self.rows_read,
            "rows": self.n_rows,
            "dropped_missing_target": self.dropped_missing_target,
            "not_recorded": dict(self.not_recorded),
            "infinite": dict(self.infinite),
            "decimal_comma": list(self.decimal_comma),
            "converted": dict(self.converted),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Preparation:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            rules=TableRules.from_dict(d["rules"]),
            rows_read=int(d["rows_read"]),
            dropped_missing_target=int(d.get("dropped_missing_target", 0)),
            not_recorded={str(k): int(v) for k, v in d.get("not_recorded", {}).items()},
            infinite={str(k): int(v) for k, v in d.get("infinite", {}).items()},
            decimal_comma=tuple(d.get("decimal_comma", ())),
            converted={str(k): str(v) for k, v in d.get("converted", {}).items()},
        )
