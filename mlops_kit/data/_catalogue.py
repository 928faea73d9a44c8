"""The bundled datasets: where they live, their schemas, and checked loading."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._io import atomic_write_text
from .._resources import resource_path
from ..errors import DataValidationError
from ._generate import generate_benefit_claims
from ._hospital import generate_hospital_admissions
from ._profile import TableProfile
from ._read import file_line, read_table
from ._validate import validate_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BundledDataset",
    "bundled_csv_text",
    "dataset_info",
    "list_datasets",
    "load_dataset",
    "profile_dataset",
    "write_bundled_csv",
]


@dataclass(frozen=True)
class BundledDataset:
    """A dataset shipped with the kit: its schema, roles and generator."""

    name: str
    title: str
    task: Literal["classification", "regression"]
    target: str
    positive_label: Any
    positive_is: Literal["favourable", "adverse"]
    protected: tuple[str, ...]
    time_column: str
    exclude: tuple[str, ...]
    columns: tuple[str, ...]
    numeric: tuple[str, ...]
    generate: Callable[[], pd.DataFrame]

    @property
    def filename(self) -> str:
        """File name of the CSV in ``data/``."""
        return f"{self.name}.csv"

    @property
    def path(self) -> Path:
        """Path of the bundled CSV."""
        return resource_path(f"data/{self.filename}")

    @property
    def datasheet(self) -> Path:
        """Path of the dataset's datasheet (Markdown)."""
        return resource_path(f"data/{self.name}.datasheet.md")

    @property
    def config(self) -> Path:
        """Path of the ready pipeline config for this dataset."""
        return resource_path(f"data/configs/{self.name}.yml")

    @property
    def text(self) -> tuple[str, ...]:
        """The columns that hold text, in file order."""
        return tuple(c for c in self.columns if c not in self.numeric)


_BENEFIT_COLUMNS = (
    "claim_id",
    "month",
    "region",
    "benefit_type",
    "channel",
    "claim_amount",
    "household_size",
    "declared_income",
    "months_claiming",
    "changes_reported_12m",
    "documents_provided",
    "days_to_submit",
    "previous_flags",
    "area_deprivation_decile",
    "sex",
    "age_band",
    "ethnic_group",
    "disability",
    "flagged",
)
_BENEFIT_NUMERIC = (*_BENEFIT_COLUMNS[5:14], "flagged")
_ADMISSIONS_COLUMNS = (
    "week_start",
    "region",
    "population_thousands",
    "week_of_year",
    "mean_temperature_c",
    "respiratory_positivity_pct",
    "bank_holiday",
    "admissions_last_week",
    "admissions_2_weeks_ago",
    "admissions_4wk_mean",
    "emergency_admissions",
)
_ADMISSIONS_NUMERIC = _ADMISSIONS_COLUMNS[2:]

_DATASETS = {
    d.name: d
    for d in (
        BundledDataset(
            name="benefit_claims",
            title="Benefit claims reviewed for fraud or error (synthetic)",
            task="classification",
            target="flagged",
            positive_label=1,
            positive_is="adverse",
            protected=("sex", "age_band", "ethnic_group", "disability"),
            time_column="month",
            exclude=("claim_id",),
            columns=_BENEFIT_COLUMNS,
            numeric=_BENEFIT_NUMERIC,
            generate=generate_benefit_claims,
        ),
        BundledDataset(
            name="hospital_admissions",
            title="Weekly emergency hospital admissions by NHS region (synthetic)",
            task="regression",
            target="emergency_admissions",
            positive_label=None,
            positive_is="favourable",
            protected=("region",),
            time_column="week_start",
            exclude=(),
            columns=_ADMISSIONS_COLUMNS,
            numeric=_ADMISSIONS_NUMERIC,
            generate=generate_hospital_admissions,
        ),
    )
}


def list_datasets() -> list[str]:
    """Names of the bundled datasets.

    Examples
    --------
    >>> list_datasets()
    ['benefit_claims', 'hospital_admissions']
    """
    return sorted(_DATASETS)


def dataset_info(name: str) -> BundledDataset:
    """Return the description of bundled dataset ``name``."""
    try:
        return _DATASETS[name]
    except KeyError:
        raise DataValidationError(
            f"There is no bundled dataset called '{name}'; choose one of: "
            f"{', '.join(list_datasets())}."
        ) from None


def _check_schema(df: pd.DataFrame, info: BundledDataset, path: Path) -> None:
    """Check a table has the bundled dataset's columns, with the right types."""
    import pandas as pd

    source = f"'{path.name}'"
    for col in info.columns:
        if col not in df.columns:
            raise DataValidationError(
                f"Column '{col}' of the {info.name} schema is missing from {source}; "
                f"expected columns: {', '.join(info.columns)}.",
                column=col,
                path=str(path),
            )
    for col in info.numeric:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            continue
        as_number = pd.to_numeric(s, errors="coerce")
        bad = (as_number.isna() & s.notna()).to_numpy()
        pos = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        raise DataValidationError(
            f"Column '{col}' in {source} must be numeric; line {file_line(path, pos)} holds "
            f"{s.iloc[pos]!r} (type {type(s.iloc[pos]).__name__}).",
            column=col,
            path=str(path),
        )


def load_dataset(
    name: str, *, path: str | os.PathLike[str] | None = None, validate: bool = True
) -> pd.DataFrame:
    """Load a bundled dataset, checking its schema.

    Parameters
    ----------
    name : {"benefit_claims", "hospital_admissions"}
        Which dataset.
    path : path-like, optional
        Read this file instead of the bundled copy (it must follow the same schema).
    validate : bool, default True
        Also check the target (no missing or infinite values, at least two classes).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataValidationError
        The file is unreadable, or a column is missing or of the wrong type.
    """
    info = dataset_info(name)
    file = Path(path) if path is not None else info.path
    df = read_table(file, dtype=dict.fromkeys(info.text, "str"))
    _check_schema(df, info, file)
    if validate:
        profile_dataset(df, name, source=f"'{file.name}'")
    return df


def profile_dataset(df: pd.DataFrame, name: str, *, source: str | None = None) -> TableProfile:
    """Validate a table of bundled dataset ``name`` with that dataset's own roles.

    The target, positive label, protected attributes, excluded and time columns come
    from the dataset's description, so lessons need not repeat them.

    Examples
    --------
    >>> profile = profile_dataset(load_dataset("hospital_admissions"), "hospital_admissions")
    >>> profile.roles.target, profile.roles.time_column
    ('emergency_admissions', 'week_start')
    """
    info = dataset_info(name)
    return validate_table(
        df,
        target=info.target,
        task=info.task,
        positive_label=info.positive_label,
        protected=info.protected,
        exclude=info.exclude,
        time_column=info.time_column,
        source=source or info.filename,
    )


def bundled_csv_text(name: str) -> str:
    """The exact text of a bundled CSV, produced by its seeded generator."""
    df = dataset_info(name).generate()
    return str(df.to_csv(index=False, lineterminator="\n"))


def write_bundled_csv(name: str, out_dir: str | os.PathLike[str]) -> Path:
    """(Re)write a bundled CSV from its generator into ``out_dir``, atomically."""
    info = dataset_info(name)
    return atomic_write_text(Path(out_dir) / info.filename, bundled_csv_text(name))
