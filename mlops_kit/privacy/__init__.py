"""Privacy: find personal data, pseudonymise it, check anonymity, publish with noise.

A public body may only train a model on personal data it has a lawful reason to use, and
must keep what it uses to the minimum (UK GDPR, Article 5: data minimisation). This
package gives the checks the pipeline and the privacy lesson need:

* **Find it.** :func:`scan_table` looks at every column's name and values for direct
  identifiers (names, email addresses, UK phone numbers, postcodes, National Insurance
  numbers, NHS numbers with their check digit, dates of birth, also inside free text) and
  for near-unique columns such as case references. Examples are always masked.
  :func:`check_privacy` is what the pipeline's data stage runs: it refuses a table with
  any reported column that nobody excluded from training or reviewed, unless a named
  person overrides it in writing (:class:`PrivacySettings`).
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

Modules: ``_identifiers`` (patterns and check digits), ``_scan`` (the scan and the
pipeline check), ``_pseudonymise``, ``_anonymity`` (k-anonymity, l-diversity,
generalisation, export check), ``_dp`` (Laplace mechanisms and the budget),
``_settings`` (the ``privacy`` config section), ``_contacts`` (loading the fake file),
``_glossary`` (:data:`PRIVACY_GLOSSARY`, the terms in plain words).
"""

from ._anonymity import (
    AGE_GENERALISATIONS,
    POSTCODE_LEVELS,
    AnonymityView,
    KAnonymity,
    LDiversity,
    age_band,
    check_export,
    explore_anonymity,
    k_anonymity,
    l_diversity,
    suppress_small_groups,
    truncate_postcode,
)
from ._contacts import (
    CONTACTS_QUASI_IDENTIFIERS,
    CONTACTS_SENSITIVE,
    generate_raw_contacts,
    load_raw_contacts,
    write_raw_contacts,
)
from ._dp import (
    BudgetExceededError,
    NoisyStatistic,
    PrivacyBudget,
    Spend,
    laplace_bounded_mean,
    laplace_count,
)
from ._glossary import PRIVACY_GLOSSARY
from ._identifiers import IdentifierKind, mask_value, nhs_check_digit_valid
from ._pseudonymise import MIN_KEY_BYTES, make_key, pseudonymise
from ._scan import Finding, FoundBy, PrivacyScan, Resolution, check_privacy, scan_table
from ._settings import PrivacyOverride, PrivacySettings

__all__ = [
    "AGE_GENERALISATIONS",
    "CONTACTS_QUASI_IDENTIFIERS",
    "CONTACTS_SENSITIVE",
    "MIN_KEY_BYTES",
    "POSTCODE_LEVELS",
    "PRIVACY_GLOSSARY",
    "AnonymityView",
    "BudgetExceededError",
    "Finding",
    "FoundBy",
    "IdentifierKind",
    "KAnonymity",
    "LDiversity",
    "NoisyStatistic",
    "PrivacyBudget",
    "PrivacyOverride",
    "PrivacyScan",
    "PrivacySettings",
    "Resolution",
    "Spend",
    "age_band",
    "check_export",
    "check_privacy",
    "explore_anonymity",
    "generate_raw_contacts",
    "k_anonymity",
    "l_diversity",
    "laplace_bounded_mean",
    "laplace_count",
    "load_raw_contacts",
    "make_key",
    "mask_value",
    "nhs_check_digit_valid",
    "pseudonymise",
    "scan_table",
    "suppress_small_groups",
    "truncate_postcode",
    "write_raw_contacts",
]
