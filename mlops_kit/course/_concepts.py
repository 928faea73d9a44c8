"""The Explain lesson's quizzes, as data: each MLOps component matched to its main benefit.

The last item is security: locked and hashed dependencies, models saved with skops
rather than pickle, least access to the registry and secrets kept out of configs.

The metric quiz reuses :data:`mlops_kit.widgets.METRIC_SCENARIOS`. Both are shown with
:class:`mlops_kit.widgets.MatchingQuiz`; :func:`answer_key` gives the marked answers, so
an executed notebook or a slide deck (where no one can press a button) still shows
every answer with its explanation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._quiz import QuizItem, QuizResult, grade_matching

__all__ = ["COMPONENT_BENEFITS", "COMPONENT_BENEFIT_OPTIONS", "answer_key"]

#: The options of the component quiz: one main benefit per component.
COMPONENT_BENEFIT_OPTIONS: tuple[str, ...] = (
    "keeps the model current as the world changes",
    "finds good settings within a fixed, recorded budget",
    "traces any model to its data, code, parameters and seed",
    "notices drift and decay before people are harmed",
    "proves a new model is better before it replaces the old",
    "stops a model that breaks the written limits",
    "shows who did what, in an order nobody can quietly rewrite",
    "gives reasons a caseworker or claimant can follow",
    "keeps personal data out of training",
    "stops tampered code or models, and leaked passwords, reaching the service",
)

_ALERT_NOT_ACTION = (
    "monitoring raises the alarm; acting on it (training and promoting a new model) is "
    "another component's job."
)

#: Each MLOps component of the pipeline, matched to its main benefit.
COMPONENT_BENEFITS: tuple[QuizItem, ...] = (
    QuizItem(
        prompt="Continuous training: retrain on new data, on a schedule or when an alert fires.",
        answer="keeps the model current as the world changes",
        explanation=(
            "Claims, prices and policies change, and a model trained once goes stale. "
            "Continuous training trains a challenger when a trigger fires, so the model in "
            "service reflects recent cases."
        ),
        feedback={
            "notices drift and decay before people are harmed": "that is what monitoring "
            "does. Continuous training is what happens next: a new model on new data.",
        },
    ),
    QuizItem(
        prompt="Automated hyperparameter tuning with Optuna, pruning and a trial budget.",
        answer="finds good settings within a fixed, recorded budget",
        explanation=(
            "Optuna searches the settings automatically, stops unpromising trials early, "
            "keeps to the budget and records every trial, so the choice is not one person's "
            "guess and can be repeated."
        ),
    ),
    QuizItem(
        prompt="Versioning and the model registry (MLflow): numbered, immutable model versions.",
        answer="traces any model to its data, code, parameters and seed",
        explanation=(
            "Every version records the data's hash, the code version, the parameters, the "
            "environment and the seed, so anyone can say which model made a decision and "
            "re-run it to get the same result."
        ),
        feedback={
            "shows who did what, in an order nobody can quietly rewrite": "that is the "
            "audit log. The registry holds the models and what made them; the log holds the "
            "story of who did what.",
        },
    ),
    QuizItem(
        prompt="Performance monitoring: drift statistics, decay and fairness per month, alerts.",
        answer="notices drift and decay before people are harmed",
        explanation=(
            "Monitoring compares new data and outcomes with what the model was trained on "
            "and raises an alert, with its action, when the data drift or performance or "
            "fairness falls."
        ),
        feedback={
            "keeps the model current as the world changes": _ALERT_NOT_ACTION,
        },
    ),
    QuizItem(
        prompt="A/B testing: champion and challenger on live-like traffic, a pre-registered rule.",
        answer="proves a new model is better before it replaces the old",
        explanation=(
            "A proper statistical test on real traffic, with a decision rule written "
            "before the data arrive, shows whether the challenger is really better, not "
            "just lucky on one test set."
        ),
        feedback={
            "stops a model that breaks the written limits": "the gate checks a model "
            "against fixed limits; an A/B test compares two models with each other.",
        },
    ),
    QuizItem(
        prompt="The governance gate: performance floors, fairness limits, a named approver.",
        answer="stops a model that breaks the written limits",
        explanation=(
            "The gate applies the written policy before any model is used: it refuses a "
            "model that breaks a floor or a fairness limit, and holds a high-impact one "
            "until a named person signs off."
        ),
        feedback={
            "proves a new model is better before it replaces the old": "being better "
            "than the old model is not enough: the gate asks whether it is within the "
            "limits at all, whatever it is compared with.",
        },
    ),
    QuizItem(
        prompt="The audit log: append-only entries in a hash chain, each naming its actor.",
        answer="shows who did what, in an order nobody can quietly rewrite",
        explanation=(
            "Each entry carries the hash of the one before, so removing, reordering or "
            "editing an entry is detected. It answers an auditor's 'who decided this, and "
            "when?'."
        ),
        feedback={
            "traces any model to its data, code, parameters and seed": "the registry "
            "does that for models; the audit log records every action, including sign-offs "
            "and refusals, in order.",
        },
    ),
    QuizItem(
        prompt="Explanations: SHAP values turned into plain-language reason codes.",
        answer="gives reasons a caseworker or claimant can follow",
        explanation=(
            "Reason codes say which facts about a case pushed its score up or down, so a "
            "caseworker can challenge the model and a claimant can be told why."
        ),
    ),
    QuizItem(
        prompt="Privacy checks: a personal-data scan, pseudonymisation and k-anonymity.",
        answer="keeps personal data out of training",
        explanation=(
            "The scan stops the pipeline when a column holds names, NI numbers or other "
            "identifiers, and pseudonymisation and k-anonymity make what must be kept "
            "harder to link back to a person."
        ),
    ),
    QuizItem(
        prompt=(
            "Security: hashed dependencies in uv.lock, models saved with skops (not pickle), "
            "least access to the registry, passwords only in the environment."
        ),
        answer="stops tampered code or models, and leaked passwords, reaching the service",
        explanation=(
            "The lock file's hashes refuse a package that changed; skops loads only the "
            "types on the kit's allow-list, where opening a pickle file can run any code; "
            "only the pipeline should write to the registry; and a password kept out of "
            "the config is never copied into a run folder, a manifest or MLflow."
        ),
        feedback={
            "keeps personal data out of training": "that is the privacy checks, which "
            "protect the people in the data. Security protects the pipeline itself: its "
            "code, its models, its registry and its passwords.",
        },
    ),
)


def answer_key(items: Sequence[QuizItem]) -> QuizResult:
    """Every item marked with its right answer and explanation.

    What a facilitator reveals after a quiz, and what an executed notebook or slide
    deck shows, since no one can press *Check answers* there.

    Examples
    --------
    >>> key = answer_key(COMPONENT_BENEFITS)
    >>> key.summary()
    '10 of 10 correct.'
    >>> key.items[0].message.startswith("Correct. Claims, prices")
    True
    """
    return grade_matching({item.prompt: item.answer for item in items}, items)
