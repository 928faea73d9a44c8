"""The human-review terms in plain words, for the novice track of the lessons."""

from __future__ import annotations

__all__ = ["REVIEW_GLOSSARY"]

#: Each term of human review of a model's flags.
REVIEW_GLOSSARY: dict[str, str] = {
    "review queue": "the list of flagged cases waiting for a person to decide on them.",
    "accept and override": "a caseworker accepts a flag (the case is investigated) or "
    "overrides it (it is not); an override needs a written reason.",
    "override rate": "the share of the model's flags that caseworkers overturn, watched over "
    "time and for each group as a monitoring signal.",
    "automation bias": "the habit of trusting a system's output without checking it; reviews "
    "that almost never overturn a flag may be rubber-stamping the model.",
}
