"""Exercises with automatic checks, specific feedback and hints.

In a notebook::

    from mlops_kit.exercises import check, hint, load_exercise_data

    predictions = load_exercise_data("choose_metrics")
    answer_q2 = None  # your answer here
    check("choose_metrics.q2", answer_q2)

:func:`exercise_terms` gives the terms an exercise uses, for the novice track's
pop-outs (``track_guide(track).terms(exercise_terms("choose_metrics"))``).

An empty answer (``None``) gives "Not answered yet" and the hint, never an error, so a
learner notebook runs from top to bottom before anything is answered.

Exercises
---------
``choose_metrics``
    Choose and compute the metrics a benefits fraud-and-error review team needs:
    precision and recall at the operating threshold, recall by ethnic group and the
    four-fifths rule on flag rates.
``search_space``
    Write a search space for the random forest as config, choose the metric to tune
    for the review team, read a study's best trial, pruned trials and saved model
    fits, and choose a storage for several worker processes.
``trace_model``
    Trace the model in use back to the run and data that produced it, find who signed
    it off and the audit entry that proves it, and check the audit log's hash chain.
``sample_size``
    Plan and read a champion/challenger experiment: the sample size per arm, the test
    for paired decisions (McNemar), what to do after an early peek, and the verdict.
``find_identifiers``
    Find the personal data in a raw extract of fake contacts: the direct identifiers
    (also inside free text), the near-unique reference, the k the table reaches on age
    band, sex and district, the people in groups too small to publish, the
    generalisation that reaches k = 5 and the l-diversity of what people need help with.
``reason_codes``
    Explain a flagged claim to the claimant: the feature that pushed its score up most,
    the reason they would be given (checked against SHAP), how far SHAP agrees with
    permutation importance, and whether the top reasons differ between ethnic groups.

To add an exercise, write a module ``_<name>.py`` here that builds an
:class:`Exercise` of :class:`Question` objects (see ``_choose_metrics.py``) and add it
to the tuple registered below; ``exercises/README.md`` has the whole recipe. A check
returns a :class:`Feedback`. Listing the exercises and their questions, and registering
one, are in ``_framework``.
"""

from . import (
    _choose_metrics,
    _drift_thresholds,
    _find_identifiers,
    _framework,
    _reason_codes,
    _sample_size,
    _search_space,
    _trace_model,
)
from ._feedback import Feedback
from ._framework import Exercise, Question, check, exercise_terms, hint, load_exercise_data

__all__ = [
    "Exercise",
    "Feedback",
    "Question",
    "check",
    "exercise_terms",
    "hint",
    "load_exercise_data",
]

for _exercise in (
    _choose_metrics.EXERCISE,
    _search_space.EXERCISE,
    _trace_model.EXERCISE,
    _sample_size.EXERCISE,
    _drift_thresholds.EXERCISE,
    _find_identifiers.EXERCISE,
    _reason_codes.EXERCISE,
):
    _framework.register_exercise(_exercise)
