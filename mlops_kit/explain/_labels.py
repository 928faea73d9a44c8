"""Plain labels for feature names, and the words a sentence uses to name a feature.

Part of :mod:`mlops_kit.explain`; see the package docstring.

A reason given to a caseworker or a member of the public must use words they know:
"the number of requested documents provided", never ``documents_provided``. The labels
of the bundled datasets come from their datasheets' column dictionaries; any other
column gets its name with underscores turned into spaces, and a caller can pass their
own mapping for their own data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ..errors import ConfigError, did_you_mean

__all__ = [
    "CLAIMS_KEYWORDS",
    "DATASET_LABELS",
    "PROTECTED_WORDS",
    "default_label",
    "features_named",
    "protected_words_in",
    "resolve_labels",
]

#: Labels for the bundled datasets' feature columns (from their datasheets), written
#: as noun phrases that read well after "the": "the monthly amount claimed (£940)".
DATASET_LABELS: dict[str, str] = {
    # benefit_claims
    "region": "region",
    "benefit_type": "type of benefit",
    "channel": "way the claim was made",
    "claim_amount": "monthly amount claimed",
    "household_size": "number of people in the household",
    "declared_income": "declared monthly household income",
    "months_claiming": "number of months already receiving support",
    "changes_reported_12m": "number of changes of circumstances reported in the last 12 months",
    "documents_provided": "number of the 4 requested documents provided",
    "days_to_submit": "number of days taken to submit the claim",
    "previous_flags": "number of earlier reviews that found fraud or error",
    "area_deprivation_decile": "deprivation decile of the neighbourhood, 1 being the most deprived",
    # hospital_admissions
    "population_thousands": "population in thousands",
    "week_of_year": "week of the year",
    "mean_temperature_c": "mean temperature in degrees Celsius",
    "respiratory_positivity_pct": "percentage of respiratory tests that were positive",
    "bank_holiday": "bank holiday in the week",
    "admissions_last_week": "admissions last week",
    "admissions_2_weeks_ago": "admissions two weeks ago",
    "admissions_4wk_mean": "mean weekly admissions over the last four weeks",
}

#: Everyday words that name each benefit-claims feature in a sentence, besides its
#: column name and label. Used to check a learner's reason against SHAP; matching is by
#: whole word (plurals and "-ed"/"-ing" endings allowed), case-insensitive.
CLAIMS_KEYWORDS: dict[str, tuple[str, ...]] = {
    "region": (
        "region",
        "north east",
        "north west",
        "yorkshire",
        "east midlands",
        "west midlands",
        "east of england",
        "london",
        "south east",
        "south west",
    ),
    "benefit_type": (
        "type of benefit",
        "benefit type",
        "kind of benefit",
        "housing support",
        "jobseeker",
        "jobseeker support",
        "disability support",
        "child support",
        "carer support",
    ),
    "channel": (
        "channel",
        "online",
        "phone",
        "telephone",
        "paper",
        "paper form",
        "in person",
        "in-person",
        "how the claim was made",
        "way the claim was made",
    ),
    "claim_amount": ("amount", "how much", "sum claimed", "claimed amount"),
    "household_size": (
        "household size",
        "size of the household",
        "people in the household",
        "people in your household",
        "household members",
        "members of the household",
    ),
    "declared_income": ("income", "earnings", "earn", "wage", "salary"),
    "months_claiming": (
        "months claiming",
        "months of support",
        "receiving support",
        "how long",
        "length of the claim",
        "time on benefit",
    ),
    "changes_reported_12m": ("change of circumstance", "changes of circumstance", "change"),
    "documents_provided": ("document", "paperwork", "evidence", "proof", "supporting document"),
    "days_to_submit": ("day", "submit", "submitted", "submission", "quickly", "speed"),
    "previous_flags": (
        "previous flag",
        "earlier review",
        "previous review",
        "past review",
        "flagged before",
        "earlier finding",
        "previous finding",
        "past finding",
        "history",
        "prior review",
    ),
    "area_deprivation_decile": ("deprivation", "deprived", "neighbourhood", "area", "decile"),
}

#: Words that name a protected characteristic. A reason must never cite one: the model
#: does not use them, and a decision based on them would be unlawful discrimination.
PROTECTED_WORDS: tuple[str, ...] = (
    "ethnic",
    "ethnicity",
    "ethnic group",
    "race",
    "sex",
    "gender",
    "age",
    "age band",
    "disabled",
    "disability",
)


def default_label(column: str) -> str:
    """The plain label of a column: the datasheet's, or the name with spaces for underscores.

    Examples
    --------
    >>> default_label("previous_flags"), default_label("waiting_time_days")
    ('number of earlier reviews that found fraud or error', 'waiting time days')
    """
    return DATASET_LABELS.get(column, column.replace("_", " ").strip())


def resolve_labels(
    features: Sequence[str], feature_labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A label for every feature: the caller's where given, otherwise the default.

    Parameters
    ----------
    features : sequence of str
        The model's feature columns.
    feature_labels : mapping of str to str, optional
        The caller's labels, for some or all features.

    Returns
    -------
    dict of str to str

    Raises
    ------
    ConfigError
        A label is given for a column that is not a feature, or is empty.

    Examples
    --------
    >>> resolve_labels(["channel", "x_1"], {"x_1": "first measurement"})
    {'channel': 'way the claim was made', 'x_1': 'first measurement'}
    """
    given = dict(feature_labels or {})
    unknown = [key for key in given if key not in features]
    if unknown:
        raise ConfigError(
            "The 'feature_labels' parameter may only label the model's features "
            f"({', '.join(features)}). Got a label for {unknown[0]!r}."
            + did_you_mean(str(unknown[0]), features)
        )
    for key, label in given.items():
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(
                f"The label of feature '{key}' in 'feature_labels' must be non-empty text. "
                f"Got {label!r} instead."
            )
    return {f: given[f].strip() if f in given else default_label(f) for f in features}


def _pattern(phrase: str) -> re.Pattern[str]:
    words = r"[\s_-]+".join(re.escape(w) for w in re.split(r"[\s_-]+", phrase.strip().lower()))
    return re.compile(rf"\b{words}(?:s|es|ed|ing)?\b")


def features_named(
    text: str,
    features: Iterable[str],
    *,
    labels: Mapping[str, str] | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """The features a sentence names, in the order they first appear.

    A feature is named by its column name (``previous_flags`` or "previous flags"), its
    label, or one of its everyday words (:data:`CLAIMS_KEYWORDS` by default). Where two
    features' words overlap in the same place, the longer phrase wins ("disability
    support" is a type of benefit, not the disability column).

    Examples
    --------
    >>> features_named(
    ...     "Flagged because no documents were sent and two earlier reviews found errors.",
    ...     ["documents_provided", "previous_flags", "channel"],
    ... )
    ['documents_provided', 'previous_flags']
    """
    lower = text.lower()
    words = dict(CLAIMS_KEYWORDS if keywords is None else keywords)
    found: list[tuple[int, int, str]] = []  # (start, -length, feature)
    for feature in features:
        phrases = {feature, feature.replace("_", " "), *words.get(feature, ())}
        if labels and feature in labels:
            phrases.add(labels[feature])
        for phrase in phrases:
            for match in _pattern(phrase).finditer(lower):
                found.append((match.start(), -(match.end() - match.start()), feature))
    kept: list[tuple[int, int, str]] = []
    # Longest phrases first, so that a shorter phrase inside one already kept is skipped.
    for start, neg_len, feature in sorted(found, key=lambda t: (t[1], t[0])):
        end = start - neg_len
        if not any(start < e and s < end for s, e, _ in kept):
            kept.append((start, end, feature))
    order: list[str] = []
    for _, _, feature in sorted(kept):
        if feature not in order:
            order.append(feature)
    return order


def protected_words_in(text: str) -> list[str]:
    """The protected-characteristic words a sentence uses (outside "disability support").

    Examples
    --------
    >>> protected_words_in("A disability support claim by a young man of Group B ethnicity")
    ['ethnicity']
    """
    lower = re.sub(r"disability[\s_-]+support", " ", text.lower())
    hits: list[str] = []
    for word in PROTECTED_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", lower) and word not in hits:
            hits.append(word)
    return [w for w in hits if not any(w != o and w in o and o in hits for o in hits)]
