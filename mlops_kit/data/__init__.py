"""Bundled synthetic datasets, their generators, and schema-checked loading.

Every data file is read by :func:`read_table` (CSV with its separator detected, plain or
compressed, or Parquet) and prepared by :func:`load_table` with the config's rules; later
pipeline stages repeat that preparation with :func:`load_recorded`.

Two datasets ship with the kit, both synthetic (no personal data):

``benefit_claims``
    42,000 claims over 24 months, target ``flagged`` (fraud or error found on
    review, an adverse outcome), with a proxy-driven historical bias and a channel
    change from January 2024.
``hospital_admissions``
    Weekly emergency admissions in seven NHS regions over three years, with winter
    seasonality and an outbreak wave.
"""

from ._catalogue import (
    BundledDataset,
    dataset_info,
    list_datasets,
    load_dataset,
    profile_dataset,
    write_bundled_csv,
)
from ._contacts import generate_raw_contacts, write_raw_contacts
from ._formats import DELIMITERS, FileFormat
from ._generate import generate_benefit_claims
from ._hospital import generate_hospital_admissions
from ._load import PreparedTable, load_batch, load_recorded, load_table
from ._profile import ColumnRoles, TableProfile
from ._read import file_format, read_csv, read_header, read_table
from ._rules import Preparation, TableRules
from ._split import SplitResult, split_data
from ._split_check import SplitSettings, check_split
from ._target import binary_target
from ._validate import check_table, validate_table

__all__ = [
    "DELIMITERS",
    "BundledDataset",
    "ColumnRoles",
    "FileFormat",
    "Preparation",
    "PreparedTable",
    "SplitResult",
    "SplitSettings",
    "TableProfile",
    "TableRules",
    "binary_target",
    "check_split",
    "check_table",
    "dataset_info",
    "file_format",
    "generate_benefit_claims",
    "generate_hospital_admissions",
    "generate_raw_contacts",
    "list_datasets",
    "load_batch",
    "load_dataset",
    "load_recorded",
    "load_table",
    "profile_dataset",
    "read_csv",
    "read_header",
    "read_table",
    "split_data",
    "validate_table",
    "write_bundled_csv",
    "write_raw_contacts",
]
