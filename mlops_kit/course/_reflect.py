"""Reflection prompts and a self-assessment of skills, before and after the session.

Learners rate themselves on each skill the course teaches, from 1 ("I have not met
this") to 4 ("I could explain it to a colleague"), once at the start and once at the
end. :func:`self_assessment_summary` compares the two: what grew, and which skills
are still gaps to plan for (still at 2 or below afterwards).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GAP_AT_OR_BELOW",
    "REFLECTION_QUESTIONS",
    "SKILLS",
    "SKILL_SCALE",
    "SelfAssessmentSummary",
    "Skill",
    "SkillsSelfAssessment",
    "self_assessment_summary",
]

#: Questions for the end of the session, by key.
REFLECTION_QUESTIONS: dict[str, str] = {
    "surprise": "What surprised you most about automating training and evaluation?",
    "risk": (
        "Which risk to the public in your own service would an automated pipeline "
        "reduce, and which could it create?"
    ),
    "oversight": (
        "Where in your team's design must a named person decide, and why there and not elsewhere?"
    ),
    "feedback": "Which piece of peer feedback will you act on, and how?",
    "next_step": "What is one thing you will change in your own work in the next month?",
}

#: The self-assessment scale, in words.
SKILL_SCALE: dict[int, str] = {
    1: "I have not met this",
    2: "I could follow it with help",
    3: "I could do it on my own",
    4: "I could explain it to a colleague",
}

#: A skill rated at or below this after the session is a gap to plan for.
GAP_AT_OR_BELOW = 2


@dataclass(frozen=True)
class Skill:
    """A skill the course teaches, with what being able to do it means."""

    key: str
    title: str
    can_do: str


#: The skills of the self-assessment, one per component and concern of the course.
SKILLS: tuple[Skill, ...] = (
    Skill(
        "metrics",
        "Choosing metrics",
        "Pick metrics that match the agency's goal, and explain the accuracy trap.",
    ),
    Skill(
        "fairness",
        "Measuring fairness",
        "Compute flag rates by group and apply the four-fifths rule to the adverse outcome.",
    ),
    Skill(
        "tuning",
        "Automated tuning",
        "Run an Optuna study with a search space, pruning and a fixed budget.",
    ),
    Skill(
        "versioning",
        "Versioning and reproducibility",
        "Trace a model to its data, code, parameters and seed, and re-run it exactly.",
    ),
    Skill(
        "monitoring",
        "Monitoring and continuous training",
        "Set drift and decay thresholds that trigger retraining or human review.",
    ),
    Skill(
        "abtesting",
        "A/B testing",
        "Pre-register a decision rule and compare a challenger with the champion.",
    ),
    Skill(
        "governance",
        "Governance and privacy",
        "Design sign-off by a named person, keep personal data out and publish a record.",
    ),
    Skill(
        "explaining",
        "Explaining decisions",
        "Give reasons for one decision that a member of the public could follow.",
    ),
)
_SKILL_KEYS = tuple(s.key for s in SKILLS)


@dataclass(frozen=True)
class SkillsSelfAssessment:
    """A learner's ratings of every skill in :data:`SKILLS`, 1 to 4.

    Raises
    ------
    ConfigError
        Listing every unknown or missing skill and every rating outside 1..4.

    Examples
    --------
    >>> before = SkillsSelfAssessment({k: 1 for k in [s.key for s in SKILLS]})
    >>> before.ratings["metrics"]
    1
    """

    ratings: Mapping[str, int]

    def __post_init__(self) -> None:
        where = "SkillsSelfAssessment"
        if not isinstance(self.ratings, Mapping):
            raise ConfigError(
                f"The 'ratings' of {where} must be a mapping of skill to rating 1 to 4. "
                f"Got {type(self.ratings).__name__} instead."
            )
        problems: list[str] = []
        for key, value in self.ratings.items():
            if key not in _SKILL_KEYS:
                problems.append(
                    f"The 'ratings' of {where} name an unknown skill {key!r}; the skills are "
                    f"{', '.join(_SKILL_KEYS)}.{did_you_mean(str(key), _SKILL_KEYS)}"
                )
            elif isinstance(value, bool) or not isinstance(value, int) or value not in SKILL_SCALE:
                problems.append(
                    f"The rating of {key!r} in {where} must be a whole number from 1 to 4. "
                    f"Got {value!r} instead."
                )
        missing = [k for k in _SKILL_KEYS if k not in self.ratings]
        if missing:
            problems.append(f"The 'ratings' of {where} miss the skills: {', '.join(missing)}.")
        if problems:
            raise ConfigError("\n".join(problems), problems=tuple(problems))
        object.__setattr__(self, "ratings", {k: int(self.ratings[k]) for k in _SKILL_KEYS})


@dataclass(frozen=True)
class SelfAssessmentSummary:
    """Before and after ratings per skill, the change and the gaps still open."""

    before: SkillsSelfAssessment
    after: SkillsSelfAssessment

    @property
    def gaps(self) -> tuple[str, ...]:
        """Titles of the skills rated 2 or below after the session (:data:`GAP_AT_OR_BELOW`)."""
        return tuple(s.title for s in SKILLS if self.after.ratings[s.key] <= GAP_AT_OR_BELOW)

    @property
    def grew(self) -> tuple[str, ...]:
        """Titles of the skills rated higher after than before."""
        return tuple(
            s.title for s in SKILLS if self.after.ratings[s.key] > self.before.ratings[s.key]
        )

    def summary(self) -> str:
        """Two sentences in words: what grew, and the gaps to plan for."""
        grew = ", ".join(self.grew) or "none yet"
        gaps = ", ".join(self.gaps) or "none: every skill is at 3 or above"
        return f"Skills that grew: {grew}. Gaps to plan for: {gaps}."

    def to_frame(self) -> pd.DataFrame:
        """One row per skill: before, after, the change, and both ratings in words."""
        import pandas as pd

        rows = []
        for s in SKILLS:
            b, a = self.before.ratings[s.key], self.after.ratings[s.key]
            rows.append(
                {
                    "skill": s.title,
                    "before": b,
                    "after": a,
                    "change": a - b,
                    "after in words": SKILL_SCALE[a],
                    "gap": "yes, plan for it" if a <= GAP_AT_OR_BELOW else "no",
                }
            )
        return pd.DataFrame(rows).set_index("skill")

    def __repr__(self) -> str:
        return f"SelfAssessmentSummary({self.summary()})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of both assessments and the gaps."""
        return {
            "before": dict(self.before.ratings),
            "after": dict(self.after.ratings),
            "gaps": list(self.gaps),
        }

    def _repr_html_(self) -> str:
        frame = self.to_frame()
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in ["Skill", *frame.columns])
        body = "".join(
            f'<tr><th scope="row">{html.escape(str(skill))}</th>'
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            + "</tr>"
            for skill, row in zip(frame.index, frame.itertuples(index=False), strict=True)
        )
        return (
            '<table class="mlops-self-assessment">'
            f"<caption>Skills self-assessment, before and after. "
            f"{html.escape(self.summary())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def self_assessment_summary(
    before: SkillsSelfAssessment | Mapping[str, int],
    after: SkillsSelfAssessment | Mapping[str, int],
) -> SelfAssessmentSummary:
    """Compare a learner's skills before and after the session.

    Parameters
    ----------
    before, after : SkillsSelfAssessment or mapping of str to int
        Ratings 1 to 4 for every skill in :data:`SKILLS`.

    Examples
    --------
    >>> keys = [s.key for s in SKILLS]
    >>> after = {k: 3 for k in keys} | {"abtesting": 2}
    >>> result = self_assessment_summary({k: 1 for k in keys}, after)
    >>> result.gaps
    ('A/B testing',)
    """
    return SelfAssessmentSummary(
        before if isinstance(before, SkillsSelfAssessment) else SkillsSelfAssessment(before),
        after if isinstance(after, SkillsSelfAssessment) else SkillsSelfAssessment(after),
    )
