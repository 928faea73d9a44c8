"""The privacy terms in plain words, for the novice track of the privacy lesson."""

from __future__ import annotations

__all__ = ["PRIVACY_GLOSSARY"]

#: Each term of the privacy part of the governance and privacy lesson.
PRIVACY_GLOSSARY: dict[str, str] = {
    "personal data": "anything about a person who can be identified, directly or indirectly.",
    "direct identifier": "a value that points to one person on its own: a name, an email "
    "address, a phone number, a full postcode, a National Insurance or NHS number, a date "
    "of birth.",
    "near-unique column": "a different value on (almost) every row, such as a case "
    "reference. Anyone holding another table with the same reference can link the two.",
    "data minimisation": "keeping and using only the personal data a stated purpose needs "
    "(UK GDPR, Article 5).",
    "pseudonymisation": "replacing identifiers with codes (pseudonyms), so that records still "
    "link but the identifiers are not in view. With the key it can be undone, so the "
    "result is still personal data.",
    "quasi-identifiers": "values that are harmless alone but identifying together, such as "
    "age, sex and area.",
    "k-anonymity": "every combination of quasi-identifier values is shared by at least k "
    "people, so nobody can be singled out by them.",
    "generalisation": "making values coarser (age 47 becomes '40-49', a postcode its "
    "district) so that the groups grow.",
    "suppression": "removing the people in groups that are still too small; they are then "
    "missing from every analysis of the table.",
    "l-diversity": "every group of people sharing the quasi-identifiers also holds at least "
    "l different values of the sensitive attribute (here, what a person needs help with).",
    "differential privacy": "publishing a statistic with random noise, sized so that no one "
    "person's data changes the result by much.",
    "epsilon and the privacy budget": "epsilon measures the privacy a release loses: smaller "
    "is more private and noisier. The epsilons of releases about the same people add up "
    "to a budget agreed in advance.",
}
