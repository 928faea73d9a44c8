"""The rubric a team's pipeline design is scored against, and how its two parts combine.

The course's summative assessment is the team pipeline design, scored against six
criteria at four levels (0 to 3). Part of each level can be judged by a machine from
the design itself (lesson 10's design check says whether an approval step, a fairness
limit, monitoring, rollback and privacy controls are there); the rest needs people
(is it sound, is it explained well). :func:`score_rubric` combines the automatic and
the peer levels per criterion with one documented rule (:data:`COMBINING_RULE`).

Over 400 lines because the rubric itself (six criteria, each with its question and four
level descriptors) is data, kept beside the scoring that reads it.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._resources import resource_path
from ..errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMBINING_RULE",
    "LEVELS",
    "RUBRIC",
    "CriterionScore",
    "RubricCriterion",
    "RubricScore",
    "check_levels",
    "load_rubric_example",
    "rubric_frame",
    "score_rubric",
]

#: The four levels, in words, shared by every criterion.
LEVELS: dict[int, str] = {
    0: "missing",
    1: "mentioned",
    2: "specified",
    3: "specified and justified",
}

#: How :func:`score_rubric` combines the two parts of one criterion.
COMBINING_RULE = (
    "For each criterion: when both an automatic and a peer level are given, the final level "
    "is their mean rounded down (so 3 and 2 give 2: a design cannot earn a level that one "
    "side does not see); when only one is given, that one; when neither, the criterion is "
    "'not scored' and counts 0 towards the total."
)


@dataclass(frozen=True)
class RubricCriterion:
    """One row of the rubric: a key, a title, the question and a descriptor per level."""

    key: str
    title: str
    question: str
    levels: tuple[str, str, str, str]

    def descriptor(self, level: int) -> str:
        """What a design at ``level`` (0 to 3) looks like for this criterion."""
        return self.levels[level]


#: The rubric: six criteria, each with descriptors for levels 0 to 3.
RUBRIC: tuple[RubricCriterion, ...] = (
    RubricCriterion(
        "governance",
        "Governance and approval",
        "Who may promote a model, inside which ethical and legal limits, and is it recorded?",
        (
            "No approval step: models reach the service without a person deciding.",
            "An approval step is mentioned but nobody is named and the limits are vague.",
            "A named role signs off high-impact releases against written limits, "
            "and every decision goes to the audit log.",
            "As 2, plus a rollback plan and an escalation route, justified by the "
            "impact of the decisions on the public.",
        ),
    ),
    RubricCriterion(
        "fairness",
        "Fairness and equality",
        "Which groups are compared, with which metric and limit, and what happens on a breach?",
        (
            "No fairness check.",
            "Fairness is mentioned but no groups, metric or limit are given.",
            "Protected groups, a fairness metric (e.g. the four-fifths rule on the adverse "
            "outcome) and a limit that blocks promotion are given.",
            "As 2, plus a justification of the metric for this service (equality duty), "
            "small-group handling and a check after launch.",
        ),
    ),
    RubricCriterion(
        "monitoring",
        "Monitoring and continuous training",
        "How are drift and decay detected, and what triggers retraining or human review?",
        (
            "No monitoring: the model is trained once and left.",
            "Monitoring is mentioned without measures, thresholds or actions.",
            "Drift and performance measures with thresholds, alerts and a retraining "
            "trigger; a challenger is compared with the champion before it replaces it.",
            "As 2, plus late labels, false alarms and who acts on an alert are dealt "
            "with, with thresholds justified from past data.",
        ),
    ),
    RubricCriterion(
        "privacy",
        "Privacy and transparency",
        "Is personal data kept out, and could the public find out how the model is used?",
        (
            "Personal data is used without controls; nothing is published.",
            "Privacy or transparency is mentioned without concrete controls.",
            "A scan for direct identifiers, pseudonymisation or anonymisation, least "
            "access, and a model card or transparency record (ATRS).",
            "As 2, plus explanations a member of the public could follow and a reasoned "
            "choice of what to publish, with the re-identification risk assessed.",
        ),
    ),
    RubricCriterion(
        "technical",
        "Technical soundness",
        "Would the pipeline work: data, metric, tuning, versioning and reproducibility?",
        (
            "The design could not run or measures the wrong thing.",
            "The parts are named but the metric or the data split does not fit the use case.",
            "A metric that matches the agency's goal, a time-aware split, tuning with a "
            "budget, and every model traceable to its data, code and seed.",
            "As 2, plus the trade-offs are argued (for example precision against recall "
            "at the chosen threshold) and the design was run on data to show it works.",
        ),
    ),
    RubricCriterion(
        "communication",
        "Communication",
        "Could a non-technical stakeholder follow the design and its risks?",
        (
            "The design cannot be followed without the team in the room.",
            "Understandable to specialists only; risks are not stated.",
            "Plain language, the main risks and how they are controlled, for a "
            "non-technical audience.",
            "As 2, plus it invites challenge: open questions, limitations and what the "
            "team would do next are stated honestly.",
        ),
    ),
)

_BY_KEY = {c.key: c for c in RUBRIC}


def rubric_frame() -> pd.DataFrame:
    """The rubric as a table: one row per criterion, one column per level.

    Examples
    --------
    >>> frame = rubric_frame()
    >>> frame.shape, list(frame.columns[:2])
    ((6, 6), ['title', 'question'])
    """
    import pandas as pd

    rows = [
        {
            "criterion": c.key,
            "title": c.title,
            "question": c.question,
            **{f"{n}: {LEVELS[n]}": c.levels[n] for n in LEVELS},
        }
        for c in RUBRIC
    ]
    return pd.DataFrame(rows).set_index("criterion")


def _check_level(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a whole number from 0 to 3. Got {value!r} instead.")
    if isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"{where} must be a whole number from 0 to 3. Got {value!r} instead.")
    level = int(value)
    if not 0 <= level <= 3:
        raise ConfigError(f"{where} must be a whole number from 0 to 3. Got {value!r} instead.")
    return level


def check_levels(levels: Mapping[str, Any] | None, *, part: str, where: str) -> dict[str, int]:
    """Validate a mapping of criterion key to level 0..3; collect every problem.

    Parameters
    ----------
    levels : mapping of str to int, or None
        ``None`` means this part was not given (an empty dict).
    part : str
        The parameter's name, used in messages (``"auto"``, ``"peer"``, ``"scores"``).
    where : str
        The function or class, used in messages.

    Raises
    ------
    ConfigError
        Naming each unknown criterion (with a "did you mean" hint) and each level
        outside 0..3; ``problems`` lists them one by one.
    """
    if levels is None:
        return {}
    if not isinstance(levels, Mapping):
        raise ConfigError(
            f"The '{part}' parameter of {where} must be a mapping of criterion to level "
            f"(such as {{'governance': 2}}). Got {type(levels).__name__} instead."
        )
    problems: list[str] = []
    checked: dict[str, int] = {}
    for name, value in levels.items():
        if name not in _BY_KEY:
            problems.append(
                f"The '{part}' parameter of {where} names an unknown criterion {name!r}; "
                f"the criteria are {', '.join(_BY_KEY)}.{did_you_mean(str(name), _BY_KEY)}"
            )
            continue
        try:
            checked[name] = _check_level(
                value, f"The level of {name!r} in the '{part}' parameter of {where}"
            )
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems), problems=tuple(problems))
    return checked


def _combine(auto: int | None, peer: int | None) -> int | None:
    if auto is None:
        return peer
    if peer is None:
        return auto
    return math.floor((auto + peer) / 2)


@dataclass(frozen=True)
class CriterionScore:
    """One criterion's automatic, peer and final level (``None`` when not given)."""

    criterion: RubricCriterion
    auto: int | None
    peer: int | None
    level: int | None

    @property
    def descriptor(self) -> str:
        """The descriptor of the final level, or "not scored"."""
        return "not scored" if self.level is None else self.criterion.descriptor(self.level)


def _level_text(level: int | None, missing: str = "not scored") -> str:
    return missing if level is None else f"{level} ({LEVELS[level]})"


@dataclass(frozen=True)
class RubricScore:
    """A design's rubric score: every criterion's parts, final level and descriptor.

    Attributes
    ----------
    criteria : tuple of CriterionScore
        In rubric order, all six.
    rule : str
        The combining rule applied (:data:`COMBINING_RULE`).
    """

    criteria: tuple[CriterionScore, ...]
    rule: str = COMBINING_RULE

    @property
    def total(self) -> int:
        """The sum of the final levels; a criterion not scored counts 0."""
        return sum(c.level or 0 for c in self.criteria)

    @property
    def maximum(self) -> int:
        """The highest total possible (3 per criterion)."""
        return 3 * len(self.criteria)

    @property
    def not_scored(self) -> tuple[str, ...]:
        """The titles of criteria with neither an automatic nor a peer level."""
        return tuple(c.criterion.title for c in self.criteria if c.level is None)

    def level(self, key: str) -> int | None:
        """The final level of criterion ``key``."""
        for c in self.criteria:
            if c.criterion.key == key:
                return c.level
        raise ConfigError(
            f"The 'key' parameter of RubricScore.level must be one of {', '.join(_BY_KEY)}. "
            f"Got {key!r} instead.{did_you_mean(str(key), _BY_KEY)}"
        )

    def summary(self) -> str:
        """One sentence: the total and any criterion not scored."""
        text = f"Total {self.total} of {self.maximum}."
        if self.not_scored:
            text += f" Not scored yet: {', '.join(self.not_scored)}."
        return text

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: automatic, peer and final level, and what it means."""
        import pandas as pd

        rows = [
            {
                "criterion": c.criterion.key,
                "title": c.criterion.title,
                "automatic": c.auto,
                "peer": c.peer,
                "level": c.level,
                "in words": LEVELS[c.level] if c.level is not None else "not scored",
                "descriptor": c.descriptor,
            }
            for c in self.criteria
        ]
        frame = pd.DataFrame(rows).set_index("criterion")
        for column in ("automatic", "peer", "level"):
            frame[column] = frame[column].astype("Int64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the rule, the total and every criterion's levels."""
        return {
            "rule": self.rule,
            "total": self.total,
            "maximum": self.maximum,
            "criteria": {
                c.criterion.key: {"automatic": c.auto, "peer": c.peer, "level": c.level}
                for c in self.criteria
            },
        }

    def _repr_html_(self) -> str:
        head = "".join(
            f'<th scope="col">{h}</th>'
            for h in ("Criterion", "Automatic", "Peer", "Final level", "What it means")
        )
        body = "".join(
            f'<tr><th scope="row">{html.escape(c.criterion.title)}</th>'
            f"<td>{_level_text(c.auto, 'not given')}</td>"
            f"<td>{_level_text(c.peer, 'not given')}</td>"
            f"<td><strong>{_level_text(c.level)}</strong></td>"
            f"<td>{html.escape(c.descriptor)}</td></tr>"
            for c in self.criteria
        )
        return (
            '<table class="mlops-rubric-score">'
            f"<caption>Rubric score: {html.escape(self.summary())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p><small>{html.escape(self.rule)}</small></p>"
        )

    def __repr__(self) -> str:
        parts = ", ".join(f"{c.criterion.key}={_level_text(c.level)}" for c in self.criteria)
        return f"RubricScore({self.summary()} {parts})"


def score_rubric(
    auto: Mapping[str, int] | None = None, peer: Mapping[str, int] | None = None
) -> RubricScore:
    """Combine the automatic and the peer levels of a design into its rubric score.

    Parameters
    ----------
    auto : mapping of str to int, optional
        Criterion key to level 0..3 from a machine check of the design (lesson 10's
        design check supplies it). Criteria a machine cannot judge are left out.
    peer : mapping of str to int, optional
        Criterion key to level 0..3 from peers (see
        :func:`mlops_kit.course.peer_levels` to gather several reviewers).

    Returns
    -------
    RubricScore
        Every criterion's parts and final level, combined by :data:`COMBINING_RULE`.

    Raises
    ------
    ConfigError
        For an unknown criterion (with a "did you mean" hint) or a level that is not
        a whole number from 0 to 3; every problem in both parts is listed.

    Examples
    --------
    >>> score = score_rubric({"governance": 3, "fairness": 1}, {"governance": 2})
    >>> score.level("governance"), score.level("fairness"), score.level("communication")
    (2, 1, None)
    >>> score.total
    3
    >>> score_rubric({"fairnes": 2})
    Traceback (most recent call last):
    ...
    mlops_kit.errors.ConfigError: The 'auto' parameter of score_rubric names an unknown \
criterion 'fairnes'; the criteria are governance, fairness, monitoring, privacy, technical, \
communication. Did you mean 'fairness'?
    """
    problems: list[str] = []
    parts: dict[str, dict[str, int]] = {}
    for name, given in (("auto", auto), ("peer", peer)):
        try:
            parts[name] = check_levels(given, part=name, where="score_rubric")
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError("\n".join(problems), problems=tuple(problems))
    rows = tuple(
        CriterionScore(
            c,
            parts["auto"].get(c.key),
            parts["peer"].get(c.key),
            _combine(parts["auto"].get(c.key), parts["peer"].get(c.key)),
        )
        for c in RUBRIC
    )
    return RubricScore(rows)


def load_rubric_example(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read the worked example of the Evaluate lesson (``data/course/rubric_example.yml``).

    Returns
    -------
    dict
        ``team``, ``scenario``, ``design_summary`` (str), ``auto`` (criterion to
        level, validated) and ``peer_reviews`` (a list of dicts with ``reviewer``,
        ``scores``, ``strength`` and ``improvement``).
    """
    import yaml

    source = Path(path) if path is not None else resource_path("data/course/rubric_example.yml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    keys = {"team", "scenario", "design_summary", "auto", "peer_reviews"}
    if not isinstance(data, dict) or set(data) != keys:
        got = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise ConfigError(
            f"The rubric example {str(source)!r} must be a mapping with exactly the keys "
            f"{', '.join(sorted(keys))}. Got {got} instead."
        )
    data["auto"] = check_levels(data["auto"], part="auto", where=f"the rubric example {source}")
    return data
