"""The Data Ethics Framework's areas, the scale an assessment scores them on, one score.

The UK government's Data Ethics Framework (2020) has three overarching principles
(transparency, accountability and fairness) and five specific actions; each is an
:class:`EthicsArea` with the question it asks (paraphrased: read the framework in full
before scoring). :data:`ETHICS_SCALE` says what each score from 0 to 5 means;
:class:`EthicsScore` is one area's score with the assessor's notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The framework's name and edition, as saved with an assessment.
FRAMEWORK = "Data Ethics Framework (UK government, 2020)"


#: Scores at or below this need a note saying what is missing and what will be done.
LOW_SCORE = 2


#: The shortest note accepted for a low score.
MIN_NOTE_LENGTH = 15


@dataclass(frozen=True)
class EthicsArea:
    """A principle or an action of the framework, with the question it asks."""

    key: str
    title: str
    kind: Literal["principle", "action"]
    question: str


#: The framework's three principles and five actions, in its order.
ETHICS_AREAS: tuple[EthicsArea, ...] = (
    EthicsArea(
        "transparency",
        "Transparency",
        "principle",
        "Are the project's actions, processes and data open to inspection, with information "
        "about it published in a complete, open, understandable, easy-to-find and free form?",
    ),
    EthicsArea(
        "accountability",
        "Accountability",
        "principle",
        "Are there effective governance and oversight, with named people answerable for the "
        "project and its outcomes, and a way for the public to hold them to account?",
    ),
    EthicsArea(
        "fairness",
        "Fairness",
        "principle",
        "Has the project removed its potential for unintended discriminatory effects on "
        "individuals and social groups, and for bias that could harm people?",
    ),
    EthicsArea(
        "public_benefit_and_user_need",
        "Define and understand public benefit and user need",
        "action",
        "Is it clear what public benefit the project brings, which user need it meets, and "
        "what harm could follow if it went wrong?",
    ),
    EthicsArea(
        "diverse_expertise",
        "Involve diverse expertise",
        "action",
        "Did people with different skills, backgrounds and lived experience (policy, legal, "
        "operational, data, the people affected) shape the project?",
    ),
    EthicsArea(
        "comply_with_the_law",
        "Comply with the law",
        "action",
        "Has legal advice confirmed a lawful basis, data protection (UK GDPR, a DPIA), "
        "equality duties and any sector law are met?",
    ),
    EthicsArea(
        "data_quality_and_limitations",
        "Review the quality and limitations of the data",
        "action",
        "Are the data's source, accuracy, completeness, representativeness and biases "
        "understood and recorded, along with what they mean for the model?",
    ),
    EthicsArea(
        "wider_policy_implications",
        "Evaluate and consider wider policy implications",
        "action",
        "Have the project's wider effects on policy, services, public trust and other "
        "organisations been considered, with a plan to review them over time?",
    ),
)


#: The areas by key.
AREAS_BY_KEY = {a.key: a for a in ETHICS_AREAS}


#: What each score means.
ETHICS_SCALE: dict[int, str] = {
    0: "not started: not yet considered",
    1: "considered, but nothing done yet",
    2: "started: some steps taken, with major gaps",
    3: "partly met: the main steps taken, some gaps",
    4: "largely met: done and recorded, minor gaps",
    5: "fully met: done, recorded and reviewed regularly",
}


@dataclass(frozen=True)
class EthicsScore:
    """One area's score (0 to 5) and the assessor's notes."""

    key: str
    score: int
    notes: str = ""

    @property
    def area(self) -> EthicsArea:
        return AREAS_BY_KEY[self.key]

    @property
    def meaning(self) -> str:
        """The score in words."""
        return ETHICS_SCALE[self.score]

    @property
    def needs_work(self) -> bool:
        """Whether the score is low enough to need further work (2 or less)."""
        return self.score <= LOW_SCORE
