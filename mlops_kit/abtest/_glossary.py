"""The A/B testing terms in plain words, for the novice track of the lesson."""

from __future__ import annotations

#: Each term of the A/B testing lesson, explained for someone new to experiments.
AB_GLOSSARY: dict[str, str] = {
    "champion": "the model in use now, whose decisions the service acts on.",
    "challenger": "a new model that might replace the champion if it proves better.",
    "A/B test": "send some cases to the champion and some to the challenger, then compare "
    "what happened in each group (each group is an 'arm').",
    "primary metric": "the one number, chosen in advance, that decides whether the "
    "challenger is better (here recall: the share of real errors it catches).",
    "minimum detectable effect (MDE)": "the smallest improvement worth acting on; smaller "
    "improvements need more cases to see.",
    "significance level (alpha)": "the chance you accept of declaring a difference that is "
    "not there (a false positive); 0.05 means one experiment in twenty.",
    "power": "the chance of detecting a real improvement of the MDE; 80% is the usual aim.",
    "p-value": "how surprising the data would be if the two models were really equally "
    "good; small means surprising.",
    "guardrail": "a metric that must not get worse whatever the primary metric says, such "
    "as the fairness ratio between groups.",
    "peeking": "checking a fixed-horizon test before the planned sample is in and stopping "
    "as soon as it looks significant; it multiplies false positives.",
    "sequential test": "a test built to be looked at as often as you like without raising "
    "false positives above alpha.",
    "shadow mode": "the challenger scores the same cases as the champion but its decisions "
    "are never acted on; only the champion affects people.",
}
