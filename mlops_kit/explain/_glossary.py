"""The explanation terms in plain words, for the novice track of the explainability lesson."""

from __future__ import annotations

__all__ = ["EXPLAIN_GLOSSARY"]

#: Each term of the explainability lesson, for someone new to explaining models.
EXPLAIN_GLOSSARY: dict[str, str] = {
    "SHAP value": "how much one feature pushed one case's score above (positive) or below "
    "(negative) the score of an average case. The average plus all the pushes is exactly "
    "the model's output for that case, so nothing is left unexplained.",
    "log-odds": "the scale boosting and logistic models add their pushes on. A probability "
    "of 0.5 is 0 log-odds; each +1 multiplies the odds of a flag by about 2.7.",
    "explainer": "the method that computes the SHAP values: exact and fast for trees and "
    "linear models, only an estimate (sampled) for anything else.",
    "global explanation": "which features matter across many cases.",
    "local explanation": "why one case got its score.",
    "reason codes": "a local explanation in plain words, strongest reason first.",
    "permutation importance": "how much the model's accuracy drops when one feature's "
    "values are shuffled: a second, independent way to rank the features.",
    "proxy": "a feature that goes with a protected characteristic, so a model can treat "
    "groups differently without ever seeing the characteristic.",
}
