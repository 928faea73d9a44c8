"""The pipeline's terms in plain words, shown as pop-outs for the novice track.

:data:`PIPELINE_GLOSSARY` explains each term the stages use; :func:`stage_glossary`
picks one stage's terms as a :class:`Glossary`, which a notebook shows as pop-outs
(HTML ``<details>``) that open with the keyboard.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ._runner import Stage
from ._tour import check_stage

__all__ = ["PIPELINE_GLOSSARY", "Glossary", "stage_glossary"]

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
