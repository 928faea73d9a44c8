"""The course itself: the material of the session's phases, as data and small functions.

Every lesson checks its ``track`` parameter with :func:`track_guide`, whose
:class:`Track` gives the novice track glossary pop-outs and hints and the experienced
track its extension tasks (``_track``).

The lessons of the four-hour session (Engage, Explore, Explain, Elaborate, Evaluate)
draw on these, so that the notebooks hold narrative and calls only:

* Explain: :func:`load_wardley` reads the table of the pipeline's components
  (``data/course/wardley_components.csv``: how visible each is to the user, how
  evolved, what it needs), :func:`wardley_table` shows it and :func:`wardley_map` draws
  it as a Wardley map with a text description; :data:`COMPONENT_BENEFITS` is the quiz
  matching each component to its main benefit, and :func:`answer_key` marks a quiz's
  right answers for a static deck.
* Elaborate: :func:`scenarios`, :func:`scenario_brief`, :func:`role_card` and
  :func:`governance_guidelines` give the material (``data/course/designs/``,
  ``data/course/roles/``); :func:`design_path` names a scenario's design template,
  :func:`load_design` reads a design (a ``pipeline`` block that is a real pipeline
  config, and a ``plan``), :func:`check_design` judges it against the guidelines
  (:class:`DesignCheck`, whose ``score()`` gives the rubric's automatic levels),
  :func:`run_design` runs it on the bundled data and :func:`design_summary` puts it in
  words. A team fills it with the design form: :class:`DesignAnswers` (choices from
  :func:`design_form_options`, at most :data:`FREE_TEXT` in words) written into the file
  by :func:`write_design` and read back by :func:`read_answers`.
* Evaluate: :data:`RUBRIC` (six criteria, :data:`LEVELS` 0 to 3; :func:`rubric_frame`
  as a table) and :func:`score_rubric`, which combines a design's automatic levels (from lesson 10's
  design check) with its peer levels by :data:`COMBINING_RULE`; :class:`PeerFeedback`
  saved one file per reviewer into a shared folder by :func:`save_feedback`, gathered by
  :func:`load_feedback` (or :func:`feedback_frame`) and :func:`peer_levels`;
  :data:`REFLECTION_QUESTIONS`, the :data:`SKILLS` self-assessment and
  :func:`self_assessment_summary`; and :func:`export_written_report`, the written
  alternative to presenting.
* Extension activities: :func:`draft_proposal` drafts a departmental adoption proposal
  (:class:`AdoptionProposal`, sections from :func:`proposal_template`,
  ``data/course/proposal/sections.yml``) with its evidence read from a real run folder,
  :func:`check_proposal` lists the sections still to write, :func:`export_proposal`
  writes Markdown and HTML and :func:`read_written` reads a team's text back;
  :func:`summary_fact_sheet` lists the run's stakeholder-summary facts beside the files
  to check them in.
* Engage and Evaluate: the diagnostic self-check, the same :func:`self_check_questions`
  (``data/course/self_check.yml``) before the session and after it. Each learner's answers
  are saved by :func:`save_self_check` into the shared poll folder under a name or code
  (:class:`mlops_kit.widgets.SelfCheckForm` is the form); :func:`load_self_check` gathers
  them and :func:`self_check_change` gives the class's change (:class:`SelfCheckChange`).
* Every lesson: :func:`keyed_path` and :func:`new_folder` decide where a lesson writes in
  its working folder, so that lessons run in order in one folder and again after a
  parameter changes without meeting each other's files.
* Explore: :func:`run_tour` and :func:`summarise_stage` read a run folder back stage by
  stage: what each stage read, wrote, appended to the audit log and decided
  (:class:`RunTour`, :class:`StageSummary`; :data:`mlops_kit.pipeline.STAGE_FILES` lists
  the files). :func:`workspace_overview` and :func:`run_details` read a whole workspace
  (every run folder, the registry's aliases, the audit chain) for the facilitator
  dashboard (:class:`mlops_kit.widgets.PipelineDashboard`), naming damaged files instead
  of failing; :func:`find_workspace` finds it (``$MLOPS_WORKSPACE``).
* Versioning drill: :func:`flip_byte`, :func:`stored_model_file`, :func:`copy_audit_log`,
  :func:`edit_entry` and :func:`attempt` tamper on purpose (one flipped byte in a stored
  model, one edited audit entry) to show that both are caught (``_tamper``).
* The novice track's terms: :data:`PIPELINE_GLOSSARY` (and :func:`stage_glossary`, one
  stage's terms as a :class:`Glossary` of pop-outs), :data:`TUNING_GLOSSARY`,
  :data:`MONITORING_GLOSSARY`, :data:`AB_GLOSSARY`, :data:`PRIVACY_GLOSSARY`,
  :data:`GOVERNANCE_GLOSSARY`, :data:`EXPLAIN_GLOSSARY` and :data:`REVIEW_GLOSSARY`
  (``_glossary``). :data:`mlops_kit.metrics.METRIC_GLOSSARY` stays with the metrics,
  whose reports print it.
* Quizzes and polls, the models behind the widgets: :class:`QuizItem` and
  :func:`grade_matching` (a :class:`QuizResult`) mark a matching quiz (``_quiz``);
  :func:`save_poll_answer` saves one learner's answer as its own file in a shared folder
  and :func:`load_poll_answers` gathers them (``_polls``).
* The session's clock: :func:`lesson_timing` reads a lesson's objectives and its core,
  optional and after-session sections with their minutes and estimates each from its
  reading, activities and measured run time (:class:`LessonTiming`); :func:`session_plan`
  reads the plan of the four hours (``data/course/session.yml``), whose
  :meth:`SessionPlan.check` says whether each phase's core fits its slot.

The rest of the names below are what :mod:`mlops_kit.widgets` builds its views on (the
checks of a quiz, a poll, a self-check's moment and learner; the design form's questions;
the dashboard's hint for an empty workspace). Everything else is private to its module.

Modules: ``_wardley`` and ``_wardley_map`` (the Wardley map), ``_concepts`` (the Explain
lesson's quiz); for the Elaborate lesson ``_scenarios`` (the material), ``_design_file``
(a design file read and run), ``_design`` (the six guidelines), ``_design_check`` (its
result), ``_design_summary`` (a design in words), and for the design form
``_design_answers``, ``_design_options``, ``_design_form`` and ``_design_yaml``;
``_rubric``, ``_feedback``, ``_reflect`` and ``_report`` (the Evaluate lesson);
``_proposal``, ``_proposal_template``, ``_proposal_evidence`` and ``_proposal_files``
(the extension activities); ``_workspace`` (where lessons write); ``_self_check`` and
``_self_check_class`` (the self-check); ``_timing``, ``_lesson_cells`` and ``_session``
(the session's clock); ``_tour`` and ``_stage_words`` (a run folder read back),
``_overview``, ``_run_overview`` and ``_overview_details`` (a workspace read back);
``_tamper`` (the versioning drill), ``_glossary`` (the terms), ``_quiz`` and ``_polls``.
"""

from ._concepts import COMPONENT_BENEFIT_OPTIONS, COMPONENT_BENEFITS, answer_key
from ._design import check_design
from ._design_answers import FREE_TEXT, MULTIPLE_CHOICE, DesignAnswers
from ._design_check import DesignCheck
from ._design_file import Design, load_design, run_design
from ._design_form import read_answers, write_design
from ._design_options import design_form_options
from ._design_summary import design_summary
from ._feedback import PeerFeedback, feedback_frame, load_feedback, peer_levels, save_feedback
from ._glossary import (
    AB_GLOSSARY,
    EXPLAIN_GLOSSARY,
    GOVERNANCE_GLOSSARY,
    MONITORING_GLOSSARY,
    PIPELINE_GLOSSARY,
    PRIVACY_GLOSSARY,
    REVIEW_GLOSSARY,
    TUNING_GLOSSARY,
    Glossary,
    stage_glossary,
)
from ._overview import MAKE_A_RUN, WorkspaceOverview, find_workspace, workspace_overview
from ._overview_details import RunDetails, run_details
from ._polls import check_poll_id, load_poll_answers, save_poll_answer
from ._proposal import AdoptionProposal, draft_proposal
from ._proposal_evidence import summary_fact_sheet
from ._proposal_files import (
    ProposalCheck,
    ProposalFiles,
    check_proposal,
    export_proposal,
    read_written,
)
from ._proposal_template import ProposalTemplate, proposal_template
from ._quiz import QuizItem, QuizResult, check_items, grade_matching, with_symbol
from ._reflect import (
    REFLECTION_QUESTIONS,
    SKILL_SCALE,
    SKILLS,
    SelfAssessmentSummary,
    self_assessment_summary,
)
from ._report import WrittenReport, export_written_report
from ._rubric import (
    COMBINING_RULE,
    LEVELS,
    RUBRIC,
    RubricScore,
    load_rubric_example,
    rubric_frame,
    score_rubric,
)
from ._scenarios import (
    ROLE_CARDS,
    design_path,
    governance_guidelines,
    role_card,
    scenario_brief,
    scenarios,
)
from ._self_check import (
    NOT_SURE,
    SelfCheckQuestion,
    check_moment,
    learner_key,
    mark_self_check,
    save_self_check,
    self_check_questions,
)
from ._self_check_class import SelfCheckChange, load_self_check, self_check_change
from ._session import SessionPlan, session_plan
from ._tamper import (
    Attempt,
    ByteFlip,
    attempt,
    copy_audit_log,
    edit_entry,
    flip_byte,
    stored_model_file,
)
from ._timing import LessonTiming, lesson_timing
from ._tour import RunTour, StageSummary, run_tour, summarise_stage
from ._track import Track, TrackNote, track_guide
from ._wardley import WardleyComponent, load_wardley, wardley_table
from ._wardley_map import wardley_map
from ._workspace import keyed_path, new_folder

__all__ = [
    "AB_GLOSSARY",
    "COMBINING_RULE",
    "COMPONENT_BENEFITS",
    "COMPONENT_BENEFIT_OPTIONS",
    "EXPLAIN_GLOSSARY",
    "FREE_TEXT",
    "GOVERNANCE_GLOSSARY",
    "LEVELS",
    "MAKE_A_RUN",
    "MONITORING_GLOSSARY",
    "MULTIPLE_CHOICE",
    "NOT_SURE",
    "PIPELINE_GLOSSARY",
    "PRIVACY_GLOSSARY",
    "REFLECTION_QUESTIONS",
    "REVIEW_GLOSSARY",
    "ROLE_CARDS",
    "RUBRIC",
    "SKILLS",
    "SKILL_SCALE",
    "TUNING_GLOSSARY",
    "AdoptionProposal",
    "Attempt",
    "ByteFlip",
    "Design",
    "DesignAnswers",
    "DesignCheck",
    "Glossary",
    "LessonTiming",
    "PeerFeedback",
    "ProposalCheck",
    "ProposalFiles",
    "ProposalTemplate",
    "QuizItem",
    "QuizResult",
    "RubricScore",
    "RunDetails",
    "RunTour",
    "SelfAssessmentSummary",
    "SelfCheckChange",
    "SelfCheckQuestion",
    "SessionPlan",
    "StageSummary",
    "Track",
    "TrackNote",
    "WardleyComponent",
    "WorkspaceOverview",
    "WrittenReport",
    "answer_key",
    "attempt",
    "check_design",
    "check_items",
    "check_moment",
    "check_poll_id",
    "check_proposal",
    "copy_audit_log",
    "design_form_options",
    "design_path",
    "design_summary",
    "draft_proposal",
    "edit_entry",
    "export_proposal",
    "export_written_report",
    "feedback_frame",
    "find_workspace",
    "flip_byte",
    "governance_guidelines",
    "grade_matching",
    "keyed_path",
    "learner_key",
    "lesson_timing",
    "load_design",
    "load_feedback",
    "load_poll_answers",
    "load_rubric_example",
    "load_self_check",
    "load_wardley",
    "mark_self_check",
    "new_folder",
    "peer_levels",
    "proposal_template",
    "read_answers",
    "read_written",
    "role_card",
    "rubric_frame",
    "run_design",
    "run_details",
    "run_tour",
    "save_feedback",
    "save_poll_answer",
    "save_self_check",
    "scenario_brief",
    "scenarios",
    "score_rubric",
    "self_assessment_summary",
    "self_check_change",
    "self_check_questions",
    "session_plan",
    "stage_glossary",
    "stored_model_file",
    "summarise_stage",
    "summary_fact_sheet",
    "track_guide",
    "wardley_map",
    "wardley_table",
    "with_symbol",
    "workspace_overview",
    "write_design",
]
