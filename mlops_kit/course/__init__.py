"""The course itself: the material of the session's phases, as data and small functions.

Every lesson checks its ``track`` parameter with :func:`track_guide`, whose
:class:`Track` gives the novice track glossary pop-outs and hints and the experienced
track its extension tasks (``_track``).

The lessons of the four-hour session (Engage, Explore, Explain, Elaborate, Evaluate)
draw on these, so that the notebooks hold narrative and calls only:

* Explain: :func:`load_wardley` reads the table of the pipeline's components
  (``data/course/wardley_components.csv``: how visible each is to the user, how
  evolved, what it needs) and :func:`wardley_map` draws it as a Wardley map with a text
  description; :data:`COMPONENT_BENEFITS` is the quiz matching each component to its
  main benefit, and :func:`answer_key` marks a quiz's right answers for a static deck.
* Elaborate: :func:`scenarios`, :func:`scenario_brief`, :func:`role_card` and
  :func:`governance_guidelines` give the material (``data/course/designs/``,
  ``data/course/roles/``); :func:`copy_template` copies a scenario's design template for
  a team to fill in, :func:`load_design` reads it (a ``pipeline`` block that is a real
  pipeline config, and a ``plan``), :func:`check_design` judges it against the guidelines
  (:class:`DesignCheck`, whose ``score()`` gives the rubric's automatic levels),
  :func:`run_design` runs it on the bundled data and :func:`design_summary` puts it in
  words. A team fills it with the design form: :class:`DesignAnswers` (choices from
  :func:`design_form_options`, at most :data:`FREE_TEXT` in words) written into the file
  by :func:`write_design` and read back by :func:`read_answers` (``_design_form``).
* Evaluate: :data:`RUBRIC` (six criteria, levels 0 to 3) and :func:`score_rubric`,
  which combines a design's automatic levels (from lesson 10's design check) with its
  peer levels by :data:`COMBINING_RULE`; :class:`PeerFeedback` saved one file per
  reviewer into a shared folder by :func:`save_feedback`, gathered by
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
* Every lesson: :func:`keyed_path`, :func:`settings_key` and :func:`new_folder` decide
  where a lesson writes in its working folder, so that lessons run in order in one
  folder and again after a parameter changes without meeting each other's files.
* The session's clock: :func:`lesson_timing` reads a lesson's objectives and its core,
  optional and after-session sections with their minutes and estimates each from its
  reading, activities and measured run time (:class:`LessonTiming`); :func:`session_plan`
  reads the plan of the four hours (``data/course/session.yml``), whose
  :meth:`SessionPlan.check` says whether each phase's core fits its slot.

Modules: ``_wardley`` (the Wardley map), ``_concepts`` (the Explain lesson's quiz), ``_design``
(the Elaborate lesson),
``_rubric``, ``_feedback``, ``_reflect`` and ``_report`` (the Evaluate lesson),
``_proposal`` and ``_proposal_evidence`` (the extension activities), ``_workspace``
(where lessons write), ``_self_check`` (the self-check), ``_timing`` (the session's clock).
"""

from ._concepts import COMPONENT_BENEFIT_OPTIONS, COMPONENT_BENEFITS, answer_key
from ._design import (
    DESIGN_CRITERIA,
    ROLE_CARDS,
    SCENARIOS,
    CheckItem,
    CheckStatus,
    Design,
    DesignCheck,
    DesignPlan,
    check_design,
    copy_template,
    design_path,
    design_summary,
    governance_guidelines,
    load_design,
    role_card,
    run_design,
    scenario_brief,
    scenarios,
)
from ._design_form import (
    FREE_TEXT,
    DesignAnswers,
    design_form_options,
    design_updates,
    read_answers,
    write_design,
)
from ._feedback import (
    FEEDBACK_COLUMNS,
    PeerFeedback,
    feedback_frame,
    load_feedback,
    peer_levels,
    save_feedback,
)
from ._proposal import (
    AdoptionProposal,
    Evidence,
    ProposalCheck,
    ProposalFiles,
    ProposalPart,
    ProposalSection,
    ProposalTemplate,
    check_proposal,
    draft_proposal,
    export_proposal,
    proposal_template,
    read_written,
    summary_fact_sheet,
)
from ._reflect import (
    REFLECTION_QUESTIONS,
    SKILL_SCALE,
    SKILLS,
    SelfAssessmentSummary,
    SkillsSelfAssessment,
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
from ._self_check import (
    NOT_SURE,
    SELF_CHECK_MOMENTS,
    SelfCheckChange,
    SelfCheckQuestion,
    load_self_check,
    mark_self_check,
    save_self_check,
    self_check_change,
    self_check_questions,
)
from ._timing import (
    LessonTiming,
    SectionTiming,
    SessionPart,
    SessionPhase,
    SessionPlan,
    lesson_timing,
    session_plan,
)
from ._track import TRACKS, Track, TrackNote, track_guide
from ._wardley import (
    EVOLUTION_STAGES,
    WardleyComponent,
    evolution_stage,
    load_wardley,
    wardley_components,
    wardley_map,
    wardley_table,
)
from ._workspace import keyed_path, new_folder, settings_key

__all__ = [
    "COMBINING_RULE",
    "COMPONENT_BENEFITS",
    "COMPONENT_BENEFIT_OPTIONS",
    "DESIGN_CRITERIA",
    "EVOLUTION_STAGES",
    "FEEDBACK_COLUMNS",
    "FREE_TEXT",
    "LEVELS",
    "NOT_SURE",
    "REFLECTION_QUESTIONS",
    "ROLE_CARDS",
    "RUBRIC",
    "SCENARIOS",
    "SELF_CHECK_MOMENTS",
    "SKILLS",
    "SKILL_SCALE",
    "TRACKS",
    "AdoptionProposal",
    "CheckItem",
    "CheckStatus",
    "Design",
    "DesignAnswers",
    "DesignCheck",
    "DesignPlan",
    "Evidence",
    "LessonTiming",
    "PeerFeedback",
    "ProposalCheck",
    "ProposalFiles",
    "ProposalPart",
    "ProposalSection",
    "ProposalTemplate",
    "RubricScore",
    "SectionTiming",
    "SelfAssessmentSummary",
    "SelfCheckChange",
    "SelfCheckQuestion",
    "SessionPart",
    "SessionPhase",
    "SessionPlan",
    "SkillsSelfAssessment",
    "Track",
    "TrackNote",
    "WardleyComponent",
    "WrittenReport",
    "answer_key",
    "check_design",
    "check_proposal",
    "copy_template",
    "design_form_options",
    "design_path",
    "design_summary",
    "design_updates",
    "draft_proposal",
    "evolution_stage",
    "export_proposal",
    "export_written_report",
    "feedback_frame",
    "governance_guidelines",
    "keyed_path",
    "lesson_timing",
    "load_design",
    "load_feedback",
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
    "save_feedback",
    "save_self_check",
    "scenario_brief",
    "scenarios",
    "score_rubric",
    "self_assessment_summary",
    "self_check_change",
    "self_check_questions",
    "session_plan",
    "settings_key",
    "summary_fact_sheet",
    "track_guide",
    "wardley_components",
    "wardley_map",
    "wardley_table",
    "write_design",
]
