"""Interactive views for the lessons, built on ipywidgets.

Each view is a thin ``VBox`` over a plain, tested function, which a notebook can
also call directly so that it runs unattended (papermill fires no widget events):

* :class:`ThresholdExplorer` over ``threshold_summary`` (``_threshold_summary``): move a
  slider and see precision, recall, F1 and each group's flag rate at that threshold
  (its ``result`` is a :class:`ThresholdSummary`).
* :class:`MatchingQuiz` over :func:`mlops_kit.course.grade_matching`: match items with
  dropdowns (the keyboard alternative to drag and drop), with :data:`METRIC_SCENARIOS`
  for the metrics lesson and :data:`PIPELINE_COMPONENTS` (which part of the pipeline
  wrote each artefact) for the Explore lesson.
* :class:`PollWidget` over :func:`mlops_kit.course.save_poll_answer`: learners answer
  into a shared folder; a facilitator gathers the answers with
  :func:`load_poll_answers` and charts them with :func:`poll_chart`.
* :class:`ApprovalForm` over :func:`sign_off`: a named approver approves, overrides
  or declines a model version the gate did not promote; the audit entry is shown.
* :class:`TuningWidget` over :func:`mlops_kit.tune.tune` and
  :func:`mlops_kit.tune.trial_progress`: pick a model family and a budget, run a
  study and watch the trials arrive; :data:`TUNING_SCENARIOS` for the tuning quiz.
* :class:`ABTestSimulator` over :func:`simulate_design`: set traffic, baseline, effect,
  split, alpha and looks, and see power and false positives, or the peeking problem.
* :class:`DriftExplorer` over :func:`mlops_kit.monitor.batch_drift`: choose a month of
  the claims and a reference window, and read which features drifted and why, the
  alerts and the drift figure.
* :class:`KAnonymityExplorer` over :func:`mlops_kit.privacy.explore_anonymity` and
  :class:`PrivacyBudgetWidget` over ``publish`` (``_privacy_budget``): tick quasi-identifiers and
  generalise them until the table reaches k, naming the groups too small; publish noisy
  statistics from a privacy budget that refuses to be overspent.
* :class:`EthicsAssessmentForm` over :func:`mlops_kit.governance.assess_ethics`: score
  the Data Ethics Framework's principles and actions 0 to 5 with notes, and save the
  self-assessment with the pipeline run.
* :class:`CaseExplorer` over :meth:`mlops_kit.explain.ModelExplanation.reason_codes`:
  pick a case and read its reason codes and waterfall; :class:`ReviewDesk` over
  :meth:`mlops_kit.review.ReviewQueue.decide`: play the caseworker who accepts or
  overrides each flagged case, by name and with a written reason.
* :class:`DesignForm` over :class:`mlops_kit.course.DesignAnswers` and
  :func:`mlops_kit.course.write_design`: fill a team's design file with drop-downs and
  tick boxes (and a few sentences in words), then check it against the guidelines.
* :class:`PeerFeedbackForm` over :class:`mlops_kit.course.PeerFeedback` and
  :func:`mlops_kit.course.save_feedback`: score another team's design against the
  rubric (0 to 3 per criterion, in words), with one strength and one improvement, by name.
* :class:`SelfCheckForm` over :func:`mlops_kit.course.save_self_check`: the diagnostic
  self-check before the session and after it, under a name or code, saved per learner
  into the shared poll folder; the facilitator's :func:`mlops_kit.course.self_check_change`
  gives the class's change.
* :class:`PipelineDashboard` over :func:`mlops_kit.course.workspace_overview` and
  :func:`mlops_kit.course.run_details`: the facilitator dashboard (``make dashboard``
  serves it with Voila): every run of a workspace, one run in detail, and Refresh.

Every view works with the keyboard alone, labels its controls for screen readers,
gives feedback in words (never colour alone), and carries CSS classes starting
``mlops-`` for browser tests. The quiz and poll models live in :mod:`mlops_kit.course`;
the ones the lessons and the facilitator guide use beside the views
(:func:`save_poll_answer`, :func:`load_poll_answers` and the :class:`QuizResult` a quiz
or the self-check gives) are re-exported here. The lessons' quizzes are in
``_quiz_items``; saving from a form goes through one helper, ``_saving``.

Examples
--------
>>> from mlops_kit.widgets import MatchingQuiz, METRIC_OPTIONS, METRIC_SCENARIOS
>>> quiz = MatchingQuiz(METRIC_SCENARIOS, options=METRIC_OPTIONS)
>>> quiz.check().summary()
'0 of 6 correct. 6 not answered yet.'
"""

from ..course import QuizResult, load_poll_answers, save_poll_answer
from ._abtest import ABTestSimulator
from ._abtest_simulation import DesignSimulation, simulate_design
from ._approval import ApprovalForm
from ._dashboard import PipelineDashboard
from ._design_form import DesignForm
from ._drift import DriftExplorer
from ._ethics import EthicsAssessmentForm
from ._feedback import PeerFeedbackForm
from ._poll import PollWidget, poll_chart
from ._privacy import KAnonymityExplorer
from ._privacy_budget import PrivacyBudgetWidget
from ._quiz import MatchingQuiz
from ._quiz_items import (
    METRIC_OPTIONS,
    METRIC_SCENARIOS,
    PIPELINE_COMPONENT_OPTIONS,
    PIPELINE_COMPONENTS,
    TUNING_OPTIONS,
    TUNING_SCENARIOS,
)
from ._review import CaseExplorer, ReviewDesk
from ._self_check import SelfCheckForm
from ._sign_off import SignOff, sign_off
from ._threshold import ThresholdExplorer
from ._threshold_summary import ThresholdSummary
from ._tuning import TuningWidget

__all__ = [
    "METRIC_OPTIONS",
    "METRIC_SCENARIOS",
    "PIPELINE_COMPONENTS",
    "PIPELINE_COMPONENT_OPTIONS",
    "TUNING_OPTIONS",
    "TUNING_SCENARIOS",
    "ABTestSimulator",
    "ApprovalForm",
    "CaseExplorer",
    "DesignForm",
    "DesignSimulation",
    "DriftExplorer",
    "EthicsAssessmentForm",
    "KAnonymityExplorer",
    "MatchingQuiz",
    "PeerFeedbackForm",
    "PipelineDashboard",
    "PollWidget",
    "PrivacyBudgetWidget",
    "QuizResult",
    "ReviewDesk",
    "SelfCheckForm",
    "SignOff",
    "ThresholdExplorer",
    "ThresholdSummary",
    "TuningWidget",
    "load_poll_answers",
    "poll_chart",
    "save_poll_answer",
    "sign_off",
    "simulate_design",
]
