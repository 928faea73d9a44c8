"""The governance terms in plain words, for the novice track of the lessons."""

from __future__ import annotations

__all__ = ["GOVERNANCE_GLOSSARY"]

#: Each term of the documents a public body writes and publishes about a model.
GOVERNANCE_GLOSSARY: dict[str, str] = {
    "model card": "a short document saying what a model is for, how it was built and tested, "
    "how it performs for each group, and its limits (Mitchell et al., 2019).",
    "transparency record (ATRS)": "the record the Algorithmic Transparency Recording Standard "
    "asks a public body to publish for each algorithmic tool: tier 1 for the public, "
    "tier 2 with the detail.",
    "senior responsible owner": "the named person accountable for the tool and its use.",
    "DPIA": "Data Protection Impact Assessment: the assessment UK GDPR requires before "
    "processing that is likely to be high risk, such as profiling people who claim "
    "benefits.",
    "Data Ethics Framework": "the government's framework of three principles "
    "(transparency, accountability, fairness) and five actions that a team scores itself "
    "against, from 0 (not started) to 5 (fully met).",
    "override": "a named person with the authority deciding, in writing, to go ahead despite "
    "a check that refused; recorded in the audit log with the reason.",
}
