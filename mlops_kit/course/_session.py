"""The plan of the four-hour session, and whether each phase's core fits its slot.

:func:`session_plan` reads the plan (``data/course/session.yml``): the start, the length,
and each phase with its slot and its parts (:class:`SessionPhase`, :class:`SessionPart`).
:meth:`SessionPlan.check` compares it with each lesson's timed core path
(:func:`~mlops_kit.course.lesson_timing`, in ``_timing``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._resources import resource_path
from ..errors import ConfigError
from ._timing import LessonTiming, _html_table, _lesson_key

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SessionPart", "SessionPhase", "SessionPlan", "session_plan"]

_DEFAULT_PLAN = "data/course/session.yml"

PartKind = Literal["lesson", "jigsaw", "facilitator", "break"]


@dataclass(frozen=True)
class SessionPart:
    """One part of a phase: a lesson's core, a jigsaw, a facilitator's part or the break.

    ``minutes`` is the most the part may take; a jigsaw's ``lessons`` run side by side
    (each pair does the core of one), so each of them must fit ``minutes``.
    """

    kind: PartKind
    title: str
    minutes: int
    lessons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionPhase:
    """A phase of the session, its slot and its parts; ``in_session`` is False for extensions."""

    name: str
    slot_minutes: int
    parts: tuple[SessionPart, ...]
    in_session: bool = True

    @property
    def lessons(self) -> tuple[str, ...]:
        """The lessons of the phase, in order."""
        return tuple(lesson for part in self.parts for lesson in part.lessons)


@dataclass(frozen=True)
class SessionPlan:
    """The plan of the four-hour session (``data/course/session.yml``).

    Attributes
    ----------
    start
        The clock time the session starts, ``"09:30"``.
    total_minutes
        The session's length; the phases' slots must add up to it.
    phases
        The phases of the session in order, then the extension (not in the session).
    """

    start: str
    total_minutes: int
    phases: tuple[SessionPhase, ...]

    @property
    def session(self) -> tuple[SessionPhase, ...]:
        """The phases inside the session, without the extension."""
        return tuple(p for p in self.phases if p.in_session)

    @property
    def break_minutes(self) -> int:
        """The minutes of break inside the session."""
        return sum(part.minutes for p in self.session for part in p.parts if part.kind == "break")

    def lessons(self) -> tuple[str, ...]:
        """Every lesson the plan names, in order (the extension's last)."""
        return tuple(lesson for p in self.phases for lesson in p.lessons)

    def clock(self) -> dict[str, str]:
        """Each session phase's start and end, ``{"Engage": "09:30-10:00", ...}``."""
        start = datetime.strptime(self.start, "%H:%M")
        times: dict[str, str] = {}
        for phase in self.session:
            end = start + timedelta(minutes=phase.slot_minutes)
            times[phase.name] = f"{start:%H:%M}-{end:%H:%M}"
            start = end
        return times

    def check(self, timings: Mapping[str, LessonTiming]) -> list[str]:
        """Say where the lessons' core paths do not fit the plan; empty when all fit.

        Parameters
        ----------
        timings : mapping of lesson to LessonTiming
            Keyed by lesson number (``"03"``) or notebook name (``"03_metrics"``).
            A lesson's core counts as :attr:`LessonTiming.core_needed`: the larger of its
            stated core minutes and its estimate rounded to the minute.

        Returns
        -------
        list of str
            One sentence per problem: the slots not adding up to the session, a lesson
            missing, a lesson over its part's minutes, a jigsaw lesson over the jigsaw's
            minutes, a phase whose core (lesson cores, facilitator parts and the break)
            exceeds its slot.
        """
        cores = {_lesson_key(key): t.core_needed for key, t in timings.items()}
        problems: list[str] = []
        slots = sum(p.slot_minutes for p in self.session)
        if slots != self.total_minutes:
            problems.append(
                f"The session's phase slots add up to {slots} min; they must add up to "
                f"the session's {self.total_minutes} min."
            )
        if self.break_minutes == 0:
            problems.append("The session has no break; the plan needs one inside a phase.")
        planned = self.lessons()
        for lesson in planned:
            if lesson not in cores:
                problems.append(f"Lesson {lesson} is in the plan but has no timing to check.")
        for lesson in cores:
            if lesson not in planned:
                problems.append(f"Lesson {lesson} has a timing but is not in the session plan.")
        for phase in self.phases:
            used: list[str] = []
            total = 0
            for part in phase.parts:
                minutes = part.minutes
                if part.kind in ("lesson", "jigsaw"):
                    present = [(x, cores[x]) for x in part.lessons if x in cores]
                    for lesson, core in present:
                        if core > part.minutes:
                            what = "jigsaw" if part.kind == "jigsaw" else "part"
                            problems.append(
                                f"{phase.name}: lesson {lesson}'s core takes {core} min, "
                                f"over the {part.minutes} min of its {what} '{part.title}'."
                            )
                    minutes = max((core for _, core in present), default=0)
                total += minutes
                used.append(f"{part.title} {minutes}")
            if total > phase.slot_minutes:
                problems.append(
                    f"{phase.name}: its core takes {total} min ({', '.join(used)}), "
                    f"over its {phase.slot_minutes}-min slot."
                )
            planned_parts = sum(part.minutes for part in phase.parts)
            if planned_parts > phase.slot_minutes:
                problems.append(
                    f"{phase.name}: its parts are planned at {planned_parts} min, over its "
                    f"{phase.slot_minutes}-min slot."
                )
        return problems

    def to_frame(self) -> pd.DataFrame:
        """One row per part: phase, part, kind, lessons, minutes and clock times."""
        import pandas as pd

        rows = []
        start = datetime.strptime(self.start, "%H:%M")
        for phase in self.phases:
            at = start
            for part in phase.parts:
                end = at + timedelta(minutes=part.minutes)
                rows.append(
                    {
                        "phase": phase.name,
                        "part": part.title,
                        "kind": part.kind,
                        "lessons": ", ".join(part.lessons),
                        "minutes": part.minutes,
                        "start": f"{at:%H:%M}" if phase.in_session else "",
                        "end": f"{end:%H:%M}" if phase.in_session else "",
                    }
                )
                at = end
            if phase.in_session:
                start += timedelta(minutes=phase.slot_minutes)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the plan."""
        return {
            "start": self.start,
            "total_minutes": self.total_minutes,
            "phases": [
                {
                    "name": p.name,
                    "slot_minutes": p.slot_minutes,
                    "in_session": p.in_session,
                    "parts": [
                        {
                            "kind": part.kind,
                            "title": part.title,
                            "minutes": part.minutes,
                            "lessons": list(part.lessons),
                        }
                        for part in p.parts
                    ],
                }
                for p in self.phases
            ],
        }

    def _repr_html_(self) -> str:
        return _html_table(
            self.to_frame(), f"The session: {self.total_minutes} min from {self.start}"
        )


def _require(where: str, data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(
            f"The session plan's {where} needs '{key}' as {kind.__name__}. Got {value!r} instead."
        )
    return value


def _part(where: str, data: Any) -> SessionPart:
    if not isinstance(data, Mapping):
        raise ConfigError(f"The session plan's {where} must be a mapping. Got {data!r} instead.")
    kind = _require(where, data, "kind", str)
    if kind not in ("lesson", "jigsaw", "facilitator", "break"):
        raise ConfigError(
            f"The session plan's {where} has kind '{kind}'; it must be one of lesson, "
            "jigsaw, facilitator, break."
        )
    lessons = data.get("lessons", [])
    if "lesson" in data:
        lessons = [data["lesson"]]
    if not isinstance(lessons, list) or not all(isinstance(x, str) for x in lessons):
        raise ConfigError(
            f"The session plan's {where} lists lessons as strings ('03'). Got {lessons!r} instead."
        )
    if (kind in ("lesson", "jigsaw")) != bool(lessons):
        raise ConfigError(
            f"The session plan's {where} is a '{kind}' part: lesson and jigsaw parts name "
            f"their lessons and the others name none. Got {lessons!r}."
        )
    return SessionPart(
        kind=kind,
        title=str(data.get("title") or (f"lesson {lessons[0]}" if lessons else kind)),
        minutes=_require(where, data, "minutes", int),
        lessons=tuple(lessons),
    )


def session_plan(path: str | os.PathLike[str] | None = None) -> SessionPlan:
    """Read the session plan: start, length, phases with their slots and parts.

    Parameters
    ----------
    path : path, optional
        A plan file; by default the kit's ``data/course/session.yml``.

    Returns
    -------
    SessionPlan

    Raises
    ------
    ConfigError
        When the file does not have the plan's shape.

    Examples
    --------
    >>> plan = session_plan()
    >>> plan.clock()["Engage"], plan.total_minutes, plan.break_minutes
    ('09:30-10:00', 240, 10)
    """
    import yaml

    file = Path(path) if path is not None else resource_path(_DEFAULT_PLAN)
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise ConfigError(f"The session plan {file} must be a mapping. Got {data!r} instead.")
    start = str(_require("top level", data, "start", str))
    try:
        datetime.strptime(start, "%H:%M")
    except ValueError:
        raise ConfigError(
            f"The session plan's 'start' must be a clock time like '09:30'. Got {start!r}."
        ) from None
    phases = []
    for section, in_session in (("phases", True), ("extension", False)):
        for i, phase in enumerate(data.get(section) or []):
            where = f"{section}[{i}]"
            if not isinstance(phase, Mapping):
                raise ConfigError(f"The session plan's {where} must be a mapping. Got {phase!r}.")
            parts = phase.get("parts")
            if not isinstance(parts, list) or not parts:
                raise ConfigError(f"The session plan's {where} needs a list of 'parts'.")
            phases.append(
                SessionPhase(
                    name=str(_require(where, phase, "name", str)),
                    slot_minutes=_require(where, phase, "slot", int),
                    parts=tuple(_part(f"{where}.parts[{j}]", p) for j, p in enumerate(parts)),
                    in_session=in_session,
                )
            )
    return SessionPlan(
        start=start,
        total_minutes=_require("top level", data, "total_minutes", int),
        phases=tuple(phases),
    )
