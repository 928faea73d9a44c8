"""Privacy: find personal data, pseudonymise it, check anonymity, publish with noise.

A public body may only train a model on personal data it has a lawful reason to use, and
must keep what it uses to the minimum (UK GDPR, Article 5: data minimisation). This
package gives the checks the pipeline and the privacy lesson need:

* **Find it.** :func:`scan_table` looks at every column's name and values for direct
  identifiers (names, email addresses, UK phone numbers, postcodes, National Insurance
  numbers, NHS numbers with their check digit, dates of birth, also inside free text) and
  for near-unique columns such as case references. Examples are always masked.
  :func:`check_data` is what the pipeline's data stage runs: after the data checks it
  refuses a table with any reported column that nobody excluded from training or
  reviewed, unless a named person overrides it in writing (the config's ``privacy``
  section, :class:`mlops_kit.config.PrivacySettings`).
* **Pseudonymise it.** :func:`pseudonymise` replaces identifiers with a keyed hash
  (HMAC-SHA-256): the same person gets the same pseudonym, so records still link, but
  without the key nobody can work back from the pseudonym, not even by hashing every
  possible NHS number. It refuses to run without a key of at least 32 bytes
  (:func:`make_key`); keep the key apart from the data. Pseudonymised data is still
  personal data.
* **Check anonymity before export.** :func:`k_anonymity` finds the groups of people who
  share the same quasi-identifiers (age, sex, area) and are fewer than *k*;
  :func:`l_diversity` checks each group has several values of a sensitive attribute;
  :func:`check_export` refuses a table below *k*. :func:`age_band`,
  :func:`truncate_postcode` and :func:`suppress_small_groups` generalise a table until
  it reaches *k*; :func:`explore_anonymity` tries one choice of generalisation at once.
* **Publish statistics with noise.** :func:`laplace_count` and :func:`laplace_bounded_mean`
  add Laplace noise calibrated to a privacy loss epsilon (differential privacy); a
  :class:`PrivacyBudget` adds up the epsilon spent and refuses to be overspent.

The bundled ``data/raw_contacts.csv`` (:func:`load_raw_contacts`) is a raw extract of
*fake* personal data for the lesson: every identifier in it comes from a range set aside
so that it can never belong to anyone. It is never used for training.

Modules: ``_identifiers`` (patterns and check digits), ``_findings`` (what a scan
found), ``_scan`` (the scan), ``_check`` (the pipeline's checks), ``_pseudonymise``,
``_anonymity`` (k-anonymity, suppression, export check), ``_l_diversity``,
``_generalise`` (age bands, postcodes, the explorer), ``_dp`` (Laplace mechanisms),
``_budget`` (the privacy budget), ``_contacts`` (loading the fake file).
"""

from ._anonymity import KAnonymity, check_export, k_anonymity, suppress_small_groups
from ._budget import BudgetExceededError, PrivacyBudget
from ._check import check_data
from ._contacts import (
    CONTACTS_QUASI_IDENTIFIERS,
    CONTACTS_SENSITIVE,
    generate_raw_contacts,
    load_raw_contacts,
    write_raw_contacts,
)
from ._dp import NoisyStatistic, laplace_bounded_mean, laplace_count
from ._findings import PrivacyScan
from ._generalise import (
    AGE_GENERALISATIONS,
    POSTCODE_LEVELS,
    AnonymityView,
    age_band,
    explore_anonymity,
    truncate_postcode,
)
from ._identifiers import IdentifierKind, nhs_check_digit_valid
from ._l_diversity import LDiversity, l_diversity
from ._pseudonymise import make_key, pseudonymise
from ._scan import scan_table

__all__ = [
    "AGE_GENERALISATIONS",
    "CONTACTS_QUASI_IDENTIFIERS",
    "CONTACTS_SENSITIVE",
    "POSTCODE_LEVELS",
    "AnonymityView",
    "BudgetExceededError",
    "IdentifierKind",
    "KAnonymity",
    "LDiversity",
    "NoisyStatistic",
    "PrivacyBudget",
    "PrivacyScan",
    "age_band",
    "check_data",
    "check_export",
    "explore_anonymity",
    "generate_raw_contacts",
    "k_anonymity",
    "l_diversity",
    "laplace_bounded_mean",
    "laplace_count",
    "load_raw_contacts",
    "make_key",
    "nhs_check_digit_valid",
    "pseudonymise",
    "scan_table",
    "suppress_small_groups",
    "truncate_postcode",
    "write_raw_contacts",
]
