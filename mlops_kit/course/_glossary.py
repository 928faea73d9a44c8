"""The course's terms in plain words, shown as pop-outs for the novice track.

Each lesson's glossary lives here, beside the lessons that show it, not in the package
whose terms it explains: :data:`PIPELINE_GLOSSARY` (the stages of the automated
pipeline), :data:`TUNING_GLOSSARY`, :data:`MONITORING_GLOSSARY`, :data:`AB_GLOSSARY`,
:data:`PRIVACY_GLOSSARY`, :data:`GOVERNANCE_GLOSSARY`, :data:`EXPLAIN_GLOSSARY` and
:data:`REVIEW_GLOSSARY`. (The metric meanings, :data:`mlops_kit.metrics.METRIC_GLOSSARY`,
stay with the metrics: reports and model cards print them.)

:func:`stage_glossary` picks one stage's terms as a :class:`Glossary`, which a notebook
shows as pop-outs (HTML ``<details>``) that open with the keyboard.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..pipeline import Stage
from ..pipeline._stage_files import check_stage

__all__ = [
    "AB_GLOSSARY",
    "EXPLAIN_GLOSSARY",
    "GOVERNANCE_GLOSSARY",
    "MONITORING_GLOSSARY",
    "PIPELINE_GLOSSARY",
    "PRIVACY_GLOSSARY",
    "REVIEW_GLOSSARY",
    "TUNING_GLOSSARY",
    "Glossary",
    "stage_glossary",
]

#: The terms each stage uses, in plain words, for the novice track.
PIPELINE_GLOSSARY: dict[str, str] = {
    "run folder": "the folder runs/<run id>/ where one run of the pipeline keeps every file "
    "it writes; stages pass work to each other only through these files.",
    "SHA-256 fingerprint": "a 64-character code computed from a file's exact bytes. Change "
    "one byte and the code changes completely, so it proves which file was used.",
    "personal-data scan": "a check of every column for names, contact details, National "
    "Insurance or NHS numbers, dates of birth and columns that single people out.",
    "protected attribute": "a characteristic such as sex, age or ethnic group that the "
    "Equality Act 2010 protects. The model never uses it; it is kept to check fairness.",
    "hyperparameter": "a setting chosen before training (how deep a tree, how strong the "
    "regularisation), as opposed to what the model learns from the data.",
    "trial": "one try of one set of hyperparameters, scored by cross-validation.",
    "pruning": "stopping an unpromising trial after its first folds, to spend the budget on "
    "promising ones.",
    "cross-validation": "scoring a model by training it on part of the training rows and "
    "testing it on the rest, several times over.",
    "held-out rows": "rows kept aside and never used for training or tuning, to measure how "
    "the model does on cases it has not seen (here the latest months).",
    "threshold": "the score at or above which a case is flagged.",
    "four-fifths rule": "a group's rate of the outcome that matters (here being flagged) "
    "should be at least four-fifths of another group's, or the difference must be explained.",
    "SHAP value": "how much one feature pushed one case's score above or below an average "
    "case's. They add up to the case's score.",
    "reason code": "the main reasons for a case's score, in words a caseworker or the person "
    "concerned could follow.",
    "governance gate": "an automatic check of the evaluation against a written policy: "
    "performance floors, fairness limits, and whether a person must sign off.",
    "model registry": "the catalogue of trained models (here MLflow): each one a numbered, "
    "unchangeable version with its data, code and gate decision.",
    "alias": "a movable label on one version: champion is the model in use, challenger "
    "a candidate waiting for a decision.",
    "model card": "a short document saying what a model is for, how it was tested, its "
    "limits and who is responsible for it.",
    "data drift": "new cases that look different from the training data (for example many "
    "more online claims).",
    "alert": "a threshold crossed, with the action it calls for (retrain, human review).",
    "papermill": "a tool that runs a notebook from top to bottom with no one at the keyboard, "
    "with its parameters set from outside.",
    "audit log": "an append-only record of who did what and when; each entry carries the hash "
    "of the one before, so an edit anywhere is caught.",
    "continuous training": "retraining a challenger automatically when new data arrive or "
    "monitoring raises an alarm, and replacing the champion only when rules allow.",
}

_STAGE_TERMS: dict[Stage, tuple[str, ...]] = {
    Stage.VALIDATE: (
        "run folder",
        "SHA-256 fingerprint",
        "personal-data scan",
        "protected attribute",
    ),
    Stage.TUNE: ("hyperparameter", "trial", "cross-validation", "pruning"),
    Stage.TRAIN: ("held-out rows", "threshold"),
    Stage.EVALUATE: ("four-fifths rule", "threshold"),
    Stage.EXPLAIN: ("SHAP value", "reason code"),
    Stage.GATE: ("governance gate", "four-fifths rule"),
    Stage.REGISTER: ("model registry", "alias", "model card"),
    Stage.MONITOR: ("data drift", "alert"),
    Stage.REPORT: ("papermill", "audit log"),
}


_CODE = re.compile(r"`([^`]+)`")


def inline_html(text: str) -> str:
    """Escape text for HTML, showing `backticked` names as code."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


def popout_html(summary: str, body: str) -> str:
    """One pop-out: a ``<details>`` named by ``summary`` that opens with Enter or Space."""
    return (
        f"<details><summary><strong>{html.escape(summary)}</strong></summary>"
        f"<p>{inline_html(body)}</p></details>"
    )


@dataclass(frozen=True, repr=False)
class Glossary:
    """Terms and their meanings, shown as pop-outs (HTML ``<details>``).

    A pop-out opens with Enter or Space (or a click) and is read by screen readers as
    a collapsed section named after its term.

    Attributes
    ----------
    terms : tuple of (term, meaning)
    title : str
    """

    terms: tuple[tuple[str, str], ...]
    title: str = "Terms"

    def __repr__(self) -> str:
        lines = [f"{self.title}:"] + [f"- {term}: {meaning}" for term, meaning in self.terms]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = "".join(popout_html(term, meaning) for term, meaning in self.terms)
        return f'<div class="mlops-glossary"><p>{html.escape(self.title)}:</p>{items}</div>'


def stage_glossary(stage: Stage | str) -> Glossary:
    """The terms one stage uses, as pop-outs for the novice track.

    Examples
    --------
    >>> [term for term, _ in stage_glossary("gate").terms]
    ['governance gate', 'four-fifths rule']
    """
    which = check_stage(stage, "stage_glossary")
    return Glossary(
        terms=tuple((t, PIPELINE_GLOSSARY[t]) for t in _STAGE_TERMS[which]),
        title=f"Terms used by the {which.value} stage (open one with Enter)",
    )


#: The words of the tuning lesson, in plain English, for the novice track.
TUNING_GLOSSARY: dict[str, str] = {
    "hyperparameter": "A setting chosen before training that shapes how a model learns, "
    "such as how fast a boosted model learns (learning_rate) or how large its trees grow. "
    "Training learns the model's parameters from the data; hyperparameters are not learnt.",
    "search space": "The range of values allowed for each hyperparameter, written down as "
    "config so that it can be reviewed and repeated.",
    "trial": "One try of one set of hyperparameter values, scored by cross-validation on the "
    "training rows only.",
    "study": "All the trials of one tuning run, kept together with their scores: the record "
    "an auditor can read.",
    "cross-validation": "Scoring a setting by training on part of the training rows and "
    "testing on the rest, several times over different folds, then averaging.",
    "grid search": "Try every combination of a few fixed values of each hyperparameter.",
    "random search": "Draw each trial's values at random from the whole search space.",
    "TPE": "Tree-structured Parzen Estimator, a form of Bayesian optimisation: after a few "
    "random trials, propose new values where earlier trials scored well.",
    "pruning": "Stopping a trial early, after its first folds, when it is already clearly "
    "worse than other trials at the same point. It saves compute.",
    "budget": "How much tuning may cost: a number of trials, a time limit, or both.",
    "seed": "A number that fixes every random choice, so the same run gives the same trials.",
    "storage": "Where a study's trials are kept: in memory, in a file (SQLite or a journal "
    "file) or in a database server that several machines can share.",
}


#: Each term of the monitoring and continuous-training lesson, for someone new to it.
MONITORING_GLOSSARY: dict[str, str] = {
    "reference window": "the data the model was trained on, or a period known to be normal. "
    "Each new batch is compared with it.",
    "data drift": "the inputs of a new batch are distributed differently from the reference "
    "(for example, many more online claims).",
    "prediction drift": "the model's scores are distributed differently. It needs no labels, "
    "so it is the earliest warning you get.",
    "performance decay": "the model is less accurate on new batches. It can only be measured "
    "once the true outcomes (labels) arrive, which for reviews takes weeks.",
    "p-value": "how surprising a difference would be if there were really no difference at "
    "all. It says nothing about how big the difference is.",
    "effect size": "how big a difference is, on a fixed scale (here PSI or the "
    "Jensen-Shannon distance), whatever the size of the batch.",
    "multiple testing correction": "an adjustment of the p-values for testing many features "
    "at once, so that chance alone does not raise an alarm most months.",
    "alert": "a message naming what crossed which threshold and the action the pipeline "
    "takes: retrain, or send to a person for review.",
    "champion and challenger": "the model in use, and a newly trained candidate to replace "
    "it. The challenger is promoted only if the gate allows and it is better.",
    "cool-down": "the months after a retrain during which no new retrain is triggered, so "
    "the loop does not churn out a model every month.",
}


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
