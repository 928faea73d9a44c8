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
    bundled_csv_text,
    dataset_info,
    list_datasets,
    load_dataset,
    profile_dataset,
    write_bundled_csv,
)
from ._formats import DELIMITERS, FileFormat, check_readable
from ._generate import generate_benefit_claims, generate_hospital_admissions
from ._load import PreparedTable, load_batch, load_recorded, load_table
from ._prepare import NOT_RECORDED, Preparation, TableRules, prepare_table
from ._read import detect_delimiter, file_format, read_csv, read_header, read_table
from ._split_check import SplitSettings, check_split
from ._validate import ColumnRoles, TableProfile, TargetInfo, binary_target, validate_table

__all__ = [
    "DELIMITERS",
    "NOT_RECORDED",
    "BundledDataset",
    "ColumnRoles",
    "FileFormat",
    "Preparation",
    "PreparedTable",
    "SplitSettings",
    "TableProfile",
    "TableRules",
    "TargetInfo",
    "binary_target",
    "bundled_csv_text",
    "check_readable",
    "check_split",
    "dataset_info",
    "detect_delimiter",
    "file_format",
    "generate_benefit_claims",
    "generate_hospital_admissions",
    "list_datasets",
    "load_batch",
    "load_dataset",
    "load_recorded",
    "load_table",
    "prepare_table",
    "profile_dataset",
    "read_csv",
    "read_header",
    "read_table",
    "validate_table",
    "write_bundled_csv",
]
