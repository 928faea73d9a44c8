"""Bundled synthetic datasets, their generators, and schema-checked loading.

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
from ._generate import generate_benefit_claims, generate_hospital_admissions
from ._read import check_readable, read_csv, read_header
from ._validate import ColumnRoles, TableProfile, TargetInfo, binary_target, validate_table

__all__ = [
    "BundledDataset",
    "ColumnRoles",
    "TableProfile",
    "TargetInfo",
    "binary_target",
    "bundled_csv_text",
    "check_readable",
    "dataset_info",
    "generate_benefit_claims",
    "generate_hospital_admissions",
    "list_datasets",
    "load_dataset",
    "profile_dataset",
    "read_csv",
    "read_header",
    "validate_table",
    "write_bundled_csv",
]
