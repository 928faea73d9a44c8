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
  (:class:`DesignCheck`, whose ``score()`` gives the rubric's automatic levels) and
  :func:`run_design` runs it on the bundled data.
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
* Every lesson: :func:`keyed_path`, :func:`settings_key` and :func:`new_folder` decide
  where a lesson writes in its working folder, so that lessons run in order in one
  folder and again after a parameter changes without meeting each other's files.

Modules: ``_wardley`` (the Wardley map), ``_concepts`` (the Explain lesson's quiz), ``_design``
(the Elaborate lesson),
``_rubric``, ``_feedback``, ``_reflect`` and ``_report`` (the Evaluate lesson),
``_proposal`` and ``_proposal_evidence`` (the extension activities), ``_workspace``
(where lessons write).
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
    governance_guidelines,
    load_design,
    role_card,
    run_design,
    scenario_brief,
    scenarios,
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
    "LEVELS",
    "REFLECTION_QUESTIONS",
    "ROLE_CARDS",
    "RUBRIC",
    "SCENARIOS",
    "SKILLS",
    "SKILL_SCALE",
    "TRACKS",
    "AdoptionProposal",
    "CheckItem",
    "CheckStatus",
    "Design",
    "DesignCheck",
    "DesignPlan",
    "Evidence",
    "PeerFeedback",
    "ProposalCheck",
    "ProposalFiles",
    "ProposalPart",
    "ProposalSection",
    "ProposalTemplate",
    "RubricScore",
    "SelfAssessmentSummary",
    "SkillsSelfAssessment",
    "Track",
    "TrackNote",
    "WardleyComponent",
    "WrittenReport",
    "answer_key",
    "check_design",
    "check_proposal",
    "copy_template",
    "design_path",
    "draft_proposal",
    "evolution_stage",
    "export_proposal",
    "export_written_report",
    "feedback_frame",
    "governance_guidelines",
    "keyed_path",
    "load_design",
    "load_feedback",
    "load_rubric_example",
    "load_wardley",
    "new_folder",
    "peer_levels",
    "proposal_template",
    "read_written",
    "role_card",
    "rubric_frame",
    "run_design",
    "save_feedback",
    "scenario_brief",
    "scenarios",
    "score_rubric",
    "self_assessment_summary",
    "settings_key",
    "summary_fact_sheet",
    "track_guide",
    "wardley_components",
    "wardley_map",
    "wardley_table",
]
