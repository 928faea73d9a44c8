"""A Wardley map of the MLOps components, drawn from a small table.

A Wardley map places each component of a service on two axes: how **visible** it is to
the user (the user need at the top, compute at the bottom) and how **evolved** it is,
from genesis (new, uncertain, built once) through custom-built and product to
commodity (standard, bought as a utility). Lines show what each component needs. The
map helps a team decide what to build itself (the custom parts that carry its duty of
care, such as the governance gate) and what to buy or rent (storage, compute, standard
libraries).

The table (``data/course/wardley_components.csv``) has one row per component:
``component``, ``visibility`` and ``evolution`` (both from 0 to 1) and ``depends_on``
(the names of the components it needs, separated by semicolons). :func:`load_wardley`
reads and checks it; :func:`~mlops_kit.course.wardley_map` (``_wardley_map``) draws it with
a text description.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._resources import resource_path
from ..errors import DataValidationError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVOLUTION_STAGES",
    "WARDLEY_COLUMNS",
    "WardleyComponent",
    "evolution_stage",
    "load_wardley",
    "wardley_components",
    "wardley_table",
]

#: The columns a Wardley table must have.
WARDLEY_COLUMNS = ("component", "visibility", "evolution", "depends_on")
#: The four stages of evolution and where each starts on the 0..1 axis (the boundaries
#: used by Wardley's own maps and most mapping tools).
EVOLUTION_STAGES: tuple[tuple[str, float], ...] = (
    ("genesis", 0.0),
    ("custom-built", 0.174),
    ("product (+rental)", 0.4),
    ("commodity (+utility)", 0.7),
)
_DEFAULT_PATH = "data/course/wardley_components.csv"
_SEPARATOR = ";"


def evolution_stage(evolution: float) -> str:
    """The stage of evolution a position on the 0..1 axis falls in.

    Examples
    --------
    >>> evolution_stage(0.1), evolution_stage(0.3), evolution_stage(0.5), evolution_stage(0.95)
    ('genesis', 'custom-built', 'product (+rental)', 'commodity (+utility)')
    """
    stage = EVOLUTION_STAGES[0][0]
    for name, start in EVOLUTION_STAGES:
        if evolution >= start:
            stage = name
    return stage


@dataclass(frozen=True)
class WardleyComponent:
    """One component on a Wardley map.

    Attributes
    ----------
    name : str
    visibility : float
        From 0 (invisible to the user, such as compute) to 1 (the user need itself).
    evolution : float
        From 0 (genesis) to 1 (commodity).
    depends_on : tuple of str
        The names of the components it needs.
    """

    name: str
    visibility: float
    evolution: float
    depends_on: tuple[str, ...] = ()

    @property
    def stage(self) -> str:
        """Its stage of evolution, such as 'custom-built'."""
        return evolution_stage(self.evolution)


def _unit_interval(value: object, column: str, name: str, where: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not 0.0 <= number <= 1.0:  # also rejects NaN
        raise DataValidationError(
            f"The '{column}' of component {name!r} in {where} must be a number from 0 to 1. "
            f"Got {value!r} instead.",
            column=column,
        )
    return number


def wardley_components(
    table: pd.DataFrame, *, where: str = "the Wardley table"
) -> tuple[WardleyComponent, ...]:
    """Check a Wardley table and return its components, most visible first.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``component``, ``visibility``, ``evolution`` and ``depends_on`` (names
        separated by semicolons; empty when it needs nothing).
    where : str
        How to name the table in error messages (such as its file path).

    Returns
    -------
    tuple of WardleyComponent
        Sorted by visibility, highest first.

    Raises
    ------
    DataValidationError
        A column is missing, a name is empty or repeated, a position is not a number
        from 0 to 1, a dependency names no component, or a component needs one that is
        not below it (a need must be less visible than what needs it, which also rules
        out loops).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"component": ["service", "compute"], "visibility": [0.9, 0.1],
    ...                       "evolution": [0.3, 0.9], "depends_on": ["compute", ""]})
    >>> [(c.name, c.stage, c.depends_on) for c in wardley_components(table)]
    [('service', 'custom-built', ('compute',)), ('compute', 'commodity (+utility)', ())]
    """
    missing = [c for c in WARDLEY_COLUMNS if c not in table.columns]
    if missing:
        raise DataValidationError(
            f"{where[:1].upper()}{where[1:]} must have the columns {list(WARDLEY_COLUMNS)}. "
            f"Got columns {[str(c) for c in table.columns]} instead, without {missing}.",
            column=missing[0],
        )
    if table.empty:
        raise DataValidationError(f"{where[:1].upper()}{where[1:]} must have at least one row.")
    names = _names(table, where)
    components = []
    for name, (_, row) in zip(names, table.iterrows(), strict=True):
        raw = row["depends_on"]
        text = "" if raw is None or raw != raw else str(raw)
        needs = tuple(part.strip() for part in text.split(_SEPARATOR) if part.strip())
        components.append(
            WardleyComponent(
                name=name,
                visibility=_unit_interval(row["visibility"], "visibility", name, where),
                evolution=_unit_interval(row["evolution"], "evolution", name, where),
                depends_on=needs,
            )
        )
    _check_needs(components, where)
    return tuple(sorted(components, key=lambda c: -c.visibility))


def _names(table: pd.DataFrame, where: str) -> list[str]:
    """The components' names: each non-empty and given once."""
    names: list[str] = []
    for value in table["component"]:
        name = "" if value is None or value != value else str(value).strip()
        if not name:
            raise DataValidationError(
                f"Every 'component' in {where} must be a non-empty name. Got {value!r} instead.",
                column="component",
            )
        names.append(name)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataValidationError(
            f"Each 'component' in {where} must appear once. Got {repeated} more than once.",
            column="component",
        )
    return names


def _check_needs(components: list[WardleyComponent], where: str) -> None:
    """Every need names a component of the table that sits below what needs it."""
    by_name = {c.name: c for c in components}
    for component in components:
        for need in component.depends_on:
            if need not in by_name:
                raise DataValidationError(
                    f"The 'depends_on' of component {component.name!r} in {where} must name "
                    f"components of the table. Got the unknown component {need!r}."
                    + did_you_mean(need, by_name),
                    column="depends_on",
                )
            if by_name[need].visibility >= component.visibility:
                raise DataValidationError(
                    f"The 'depends_on' of component {component.name!r} in {where} must name "
                    "components below it (less visible: a need sits under what needs it). "
                    f"Got {need!r} at visibility {by_name[need].visibility:g}, not below "
                    f"{component.visibility:g}.",
                    column="depends_on",
                )


def load_wardley(path: str | os.PathLike[str] | None = None) -> tuple[WardleyComponent, ...]:
    """Read and check a Wardley table from a CSV file.

    Parameters
    ----------
    path : path-like, optional
        Default: the workbook's map of this pipeline's components,
        ``data/course/wardley_components.csv``.

    Returns
    -------
    tuple of WardleyComponent
        Most visible first (see :func:`wardley_components` for the checks).

    Raises
    ------
    DataValidationError
        The file is missing or breaks a rule of the table.

    Examples
    --------
    >>> components = load_wardley()
    >>> components[0].name, components[-1].name
    ('a fair, explained decision on a claim', 'compute')
    """
    import pandas as pd

    file = resource_path(_DEFAULT_PATH) if path is None else os.fspath(path)
    if not os.path.isfile(file):
        raise DataValidationError(
            f"The 'path' parameter of load_wardley must name an existing CSV file. "
            f"Got {os.fspath(file)!r}, which does not exist.",
            path=os.fspath(file),
        )
    table = pd.read_csv(file, dtype={"component": str, "depends_on": str})
    return wardley_components(table, where=f"'{os.fspath(file)}'")


def wardley_table(components: Sequence[WardleyComponent]) -> pd.DataFrame:
    """The components as a table (the CSV's columns plus the stage), to read or edit.

    Edit it and pass it back to :func:`~mlops_kit.course.wardley_map` (or
    :func:`wardley_components`) to redraw the map with components moved.
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "component": [c.name for c in components],
            "visibility": [c.visibility for c in components],
            "evolution": [c.evolution for c in components],
            "stage": [c.stage for c in components],
            "depends_on": [f"{_SEPARATOR} ".join(c.depends_on) for c in components],
        }
    )
