"""Loading the fake raw contacts extract (``data/raw_contacts.csv``) for the privacy lesson.

The generator lives with the other bundled datasets' generators, in
:mod:`mlops_kit.data._contacts`. The file is not one of the pipeline's datasets
(:func:`mlops_kit.data.list_datasets`): it has no target and must never be trained on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .._resources import resource_path
from ..data import generate_raw_contacts, read_csv, read_header, write_raw_contacts

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONTACTS_QUASI_IDENTIFIERS",
    "CONTACTS_SENSITIVE",
    "generate_raw_contacts",
    "load_raw_contacts",
    "write_raw_contacts",
]

#: The columns that could identify someone in combination (before generalising).
CONTACTS_QUASI_IDENTIFIERS = ("age", "sex", "postcode")
#: The sensitive attribute: what the person needs help with.
CONTACTS_SENSITIVE = "support_need"
#: Columns read as numbers; every other column is text (phone numbers keep their 0).
_NUMERIC = ("age", "household_size")


def load_raw_contacts(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The fake raw contacts extract: 1,500 rows of made-up personal data.

    Every text column is read as text, so phone and NHS numbers keep their leading
    zeros and spaces. See ``data/raw_contacts.datasheet.md``.

    Parameters
    ----------
    path : path-like, optional
        Read this copy instead of the bundled file.

    Examples
    --------
    >>> contacts = load_raw_contacts()
    >>> contacts.shape
    (1500, 15)
    >>> contacts["phone"].str.startswith(("07700 900", "+44 7700 900", "020 7946 0",
    ...                                   "0113 496 0", "0161 496 0")).all()
    np.True_
    """
    file = Path(path) if path is not None else resource_path("data/raw_contacts.csv")
    header = read_header(file)
    dtype = {c: ("int64" if c in _NUMERIC else "str") for c in header}
    return read_csv(file, dtype=dtype)
