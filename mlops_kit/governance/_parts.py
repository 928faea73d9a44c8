"""The parts a document is built from: entries, tables, figures, sections, missing fields.

A document is a tree of :class:`Section` objects holding :class:`Entry` rows (a label
and a value, with where the value came from: the run or the config), :class:`Table`
objects and :class:`Figure` objects. :class:`MissingField` names a required entry still
empty. Only the standard library is imported.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import ArtefactError

Source = Literal["run", "config", "run and config"]


#: The section of the pipeline config that holds the human-written fields.
SETTINGS_SECTION = "transparency"


@dataclass(frozen=True)
class Entry:
    """One labelled value of a document.

    Attributes
    ----------
    label : str
        What the value is, e.g. "Out-of-scope uses".
    value : str or tuple of str
        Text, or a list of items; empty when nobody has written it yet.
    source : {"run", "config", "run and config"}
        Where the value came from: facts the pipeline recorded, or the config a person
        wrote.
    required : bool
        Whether the document is incomplete while the value is empty.
    config_key : str or None
        The config key a person fills in (e.g. ``transparency.owner``).
    """

    label: str
    value: str | tuple[str, ...]
    source: Source = "run"
    required: bool = False
    config_key: str | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing has been written."""
        if isinstance(self.value, str):
            return not self.value.strip()
        return not any(v.strip() for v in self.value)

    @property
    def is_list(self) -> bool:
        """Whether the value is a list of items."""
        return not isinstance(self.value, str)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "label": self.label,
            "value": self.value if isinstance(self.value, str) else list(self.value),
            "source": self.source,
            "required": self.required,
            "config_key": self.config_key,
        }


@dataclass(frozen=True)
class Table:
    """A table whose first column names each row (read out as a row header).

    Attributes
    ----------
    caption : str
    columns : tuple of str
        The column headings, the first one for the row names.
    rows : tuple of tuple of str
        Already formatted cells; the first cell of each row is its name.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        bad = [i for i, r in enumerate(self.rows) if len(r) != len(self.columns)]
        if bad:
            raise ArtefactError(
                f"Table '{self.caption}' must have {len(self.columns)} cells in every row; "
                f"row {bad[0]} has {len(self.rows[bad[0]])}."
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: caption, columns and rows."""
        return {
            "caption": self.caption,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


@dataclass(frozen=True)
class Figure:
    """A figure the run saved, with its text description (the image's alternative text).

    Attributes
    ----------
    title : str
    file : str
        Path of the PNG, relative to the run folder.
    description : str
        What the figure shows, for readers who cannot see it.
    path : Path
        Absolute path of the PNG.
    """

    title: str
    file: str
    description: str
    path: Path

    def data_uri(self) -> str:
        """The PNG as a data URI, so an HTML file carries its images."""
        return "data:image/png;base64," + base64.b64encode(self.path.read_bytes()).decode()


@dataclass(frozen=True)
class Section:
    """A titled part of a document.

    Attributes
    ----------
    title : str
    number : str
        The section's number in its standard, e.g. "1.3" (empty if none).
    intro : str
        A paragraph shown under the heading.
    entries, tables, figures, subsections : tuple
    """

    title: str
    number: str = ""
    intro: str = ""
    entries: tuple[Entry, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    subsections: tuple[Section, ...] = ()

    @property
    def heading(self) -> str:
        """The number and title, e.g. "1.3 Senior responsible owner"."""
        return f"{self.number} {self.title}".strip()

    @property
    def key(self) -> str:
        """A snake_case key for JSON, from the title."""
        return slug(self.title)


def slug(text: str) -> str:
    """``"Owner and responsibility"`` -> ``"owner_and_responsibility"``.

    Examples
    --------
    >>> slug("1.4 External supplier: name")
    'external_supplier_name'
    """
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return re.sub(r"^[0-9_]+", "", words)


@dataclass(frozen=True)
class MissingField:
    """A required entry that is still empty: where it sits and which key fills it."""

    path: str
    config_key: str | None

    def __str__(self) -> str:
        hint = f" (set {self.config_key})" if self.config_key else ""
        return f"{self.path}{hint}"
