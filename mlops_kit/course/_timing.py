"""The session's clock: how long each lesson's core path takes, and whether each phase fits.

A lesson marks its timed path in its own cells (the conventions of issue 12):

* the title cell states 2 to 4 learning objectives under the line
  ``**By the end of this lesson you will be able to:**``, one ``* `` bullet each;
* every markdown cell that opens a section starts with ``## `` and carries exactly one
  cell tag, ``core``, ``optional`` or ``after-session``; its heading ends with a label that
  agrees with the tag and states the planned minutes, ``(core, 6 min)``,
  ``(if time allows, 5 min)`` or ``(after the session, 10 min)``; the cells before the first
  section (title, parameters, imports) are the lesson's opening and count as core;
* an activity states its minutes in a bold lead at the start of a paragraph,
  ``**Discuss in your group (8 min).**``, and so does a facilitator's spoken part;
* the lesson ends with ``## Further reading (after the session, N min)``, 3 to 6 references.

:func:`lesson_timing` estimates each section from the content itself: reading at
:data:`WORDS_PER_MINUTE`, the stated activity minutes, and the measured run time of its code
cells in an executed copy (papermill's ``metadata.papermill.duration``). A section's stated
minutes must be at least its estimate rounded to the minute. :func:`session_plan` reads the
plan of the four-hour session (``data/course/session.yml``) and :meth:`SessionPlan.check`
says whether each phase's core fits its slot.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._resources import resource_path
from ..errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LABELS",
    "OBJECTIVES_LINE",
    "SECTION_TAGS",
    "WORDS_PER_MINUTE",
    "LessonTiming",
    "SectionTiming",
    "SessionPart",
    "SessionPhase",
    "SessionPlan",
    "lesson_timing",
    "session_plan",
]

SectionPath = Literal["core", "optional", "after-session"]

#: Reading speed used for the estimate, in words a minute.
WORDS_PER_MINUTE = 200
#: The line of the title cell that the learning objectives follow.
OBJECTIVES_LINE = "**By the end of this lesson you will be able to:**"
#: The cell tags that open a section, and the words of the visible label each needs.
LABELS: dict[str, str] = {
    "core": "core",
    "optional": "if time allows",
    "after-session": "after the session",
}
SECTION_TAGS: tuple[str, ...] = tuple(LABELS)
#: The title of the closing section every lesson has.
FURTHER_READING = "Further reading"
#: How many references the closing section lists.
REFERENCES = (3, 6)

_OBJECTIVES = (2, 4)
_ACTIVITY = re.compile(r"^\*\*[^*\n]*\((\d+) min\)[^*\n]*\*\*", re.MULTILINE)
_LABEL = re.compile(r"\s*\(([^()]*?),\s*(\d+)\s*min\)\s*$")
_WORD = re.compile(r"[^\W_]+(?:['\u2019.-][^\W_]+)*")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"<?https?://[^\s>)]+>?")
_HTML_TAG = re.compile(r"<[^>]+>")
_LIST_ITEM = re.compile(r"^(?:[*+-]|\d+[.)])\s+\S", re.MULTILINE)
_DEFAULT_PLAN = "data/course/session.yml"


def _nearest(minutes: float) -> int:
    """Round to the nearest whole minute, halves up (``round`` rounds 2.5 to 2)."""
    return math.floor(minutes + 0.5)


def _html_table(frame: pd.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# --------------------------------------------------------------------------------------
# One lesson
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionTiming:
    """One section of a lesson: its path, its stated minutes and the estimate.

    Attributes
    ----------
    title
        The heading without its label (``"Opening"`` for the cells before the first section).
    path
        ``"core"``, ``"optional"`` or ``"after-session"``.
    stated_minutes
        The minutes its label states; None for the opening and for a heading without a label.
    reading_minutes, activity_minutes, run_minutes
        Words of its markdown cells / :data:`WORDS_PER_MINUTE`, the sum of its activities'
        stated minutes, and the measured seconds of its code cells / 60.
    words
        The words counted for reading.
    """

    title: str
    path: SectionPath
    stated_minutes: int | None
    reading_minutes: float
    activity_minutes: int
    run_minutes: float
    words: int = 0

    @property
    def estimate_minutes(self) -> float:
        """Reading, activity and run minutes added up."""
        return self.reading_minutes + self.activity_minutes + self.run_minutes

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the section, with its estimate."""
        return {
            "title": self.title,
            "path": self.path,
            "stated_minutes": self.stated_minutes,
            "reading_minutes": round(self.reading_minutes, 2),
            "activity_minutes": self.activity_minutes,
            "run_minutes": round(self.run_minutes, 2),
            "estimate_minutes": round(self.estimate_minutes, 2),
            "words": self.words,
        }


@dataclass(frozen=True)
class LessonTiming:
    """The timed path of one lesson, as :func:`lesson_timing` read it.

    Attributes
    ----------
    lesson
        The notebook's name without ``.ipynb`` (``"03_metrics"``); :attr:`key` is its number.
    objectives
        The learning objectives of the title cell.
    sections
        The opening (cells before the first section, core) and then each section in order.
    measured
        True when run minutes come from an executed copy.
    """

    lesson: str
    objectives: tuple[str, ...]
    sections: tuple[SectionTiming, ...]
    measured: bool = False
    structure: tuple[str, ...] = field(default=(), repr=False)

    @property
    def key(self) -> str:
        """The lesson's number, ``"03"`` for ``03_metrics``."""
        return _lesson_key(self.lesson)

    @property
    def core(self) -> tuple[SectionTiming, ...]:
        """The core sections, the opening first."""
        return tuple(s for s in self.sections if s.path == "core")

    @property
    def core_minutes(self) -> int:
        """The stated minutes of the core path.

        The core sections' stated minutes, plus the opening's estimate rounded to the
        minute (the opening has no label to state it).
        """
        return sum(
            _nearest(s.estimate_minutes) if s.stated_minutes is None else s.stated_minutes
            for s in self.core
        )

    @property
    def core_estimate(self) -> float:
        """The estimated minutes of the core path (reading, activities and run)."""
        return sum(s.estimate_minutes for s in self.core)

    @property
    def core_needed(self) -> int:
        """The minutes the core path needs in the session plan.

        The larger of :attr:`core_minutes` and :attr:`core_estimate` rounded to the minute,
        so a lesson whose measured run time outgrew its labels still counts in full.
        """
        return max(self.core_minutes, _nearest(self.core_estimate))

    def minutes(self, path: SectionPath) -> int:
        """The stated minutes of every section on ``path`` (the opening by its estimate)."""
        return sum(
            _nearest(s.estimate_minutes) if s.stated_minutes is None else s.stated_minutes
            for s in self.sections
            if s.path == path
        )

    def problems(self) -> list[str]:
        """Every breach of the timing conventions, one sentence each; empty when none."""
        found = list(self.structure)
        for s in self.sections:
            if s.stated_minutes is None:
                continue
            estimate = _nearest(s.estimate_minutes)
            if s.stated_minutes < estimate:
                found.append(
                    f"{self.lesson}, section '{s.title}': its label states "
                    f"{s.stated_minutes} min but the estimate is {estimate} min "
                    f"(reading {s.reading_minutes:.1f}, activities {s.activity_minutes}, "
                    f"run {s.run_minutes:.1f}); the stated minutes must be at least the "
                    "estimate rounded to the minute."
                )
        return found

    def to_frame(self) -> pd.DataFrame:
        """One row per section: path, stated minutes and the estimate's parts."""
        import pandas as pd

        return pd.DataFrame([s.to_dict() for s in self.sections])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the lesson's timing and its problems."""
        return {
            "lesson": self.lesson,
            "objectives": list(self.objectives),
            "sections": [s.to_dict() for s in self.sections],
            "core_minutes": self.core_minutes,
            "core_estimate": round(self.core_estimate, 2),
            "core_needed": self.core_needed,
            "measured": self.measured,
            "problems": self.problems(),
        }

    def _repr_html_(self) -> str:
        caption = (
            f"{self.lesson}: core {self.core_minutes} min stated, "
            f"{self.core_estimate:.1f} min estimated"
            + (" (run time measured)" if self.measured else " (run time not measured)")
        )
        return _html_table(self.to_frame(), caption)


def _read_notebook(notebook: str | os.PathLike[str] | Any) -> tuple[Any, str]:
    """The notebook node and its name, from a path or a node."""
    import nbformat

    if isinstance(notebook, str | os.PathLike):
        path = Path(notebook)
        return nbformat.read(path, as_version=4), path.stem
    name = notebook.get("metadata", {}).get("papermill", {}).get("input_path") or "notebook"
    return notebook, Path(str(name)).stem


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _count_words(text: str) -> int:
    text = _LINK_TARGET.sub("]", text)
    text = _URL.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    return len(_WORD.findall(text))


def _objectives(lesson: str, cells: list[Any]) -> tuple[tuple[str, ...], list[str]]:
    """The objective bullets of the title cell, and what is wrong with them."""
    title = next((c for c in cells if c.get("cell_type") == "markdown"), None)
    if title is None:
        return (), [f"{lesson}: the lesson has no markdown title cell to hold its objectives."]
    lines = _source(title).splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == OBJECTIVES_LINE)
    except StopIteration:
        return (), [
            f"{lesson}, title cell: no line '{OBJECTIVES_LINE}'; the title cell must state "
            "2 to 4 learning objectives under it."
        ]
    bullets: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("* "):
            bullets.append(line[2:].strip())
        elif bullets and line.startswith((" ", "\t")) and line.strip():
            bullets[-1] = f"{bullets[-1]} {line.strip()}"  # a bullet wrapped onto a new line
        elif not line.strip() and not bullets:
            continue
        else:
            break
    problems = []
    low, high = _OBJECTIVES
    if not low <= len(bullets) <= high:
        problems.append(
            f"{lesson}, title cell: {len(bullets)} learning objective(s) follow "
            f"'{OBJECTIVES_LINE}'; there must be {low} to {high} lines starting with '* '."
        )
    return tuple(bullets), problems


def _heading(lesson: str, cell: Any, tag: str) -> tuple[str, int | None, list[str]]:
    """The title and stated minutes of a section cell tagged ``tag``, and its problems."""
    first = _source(cell).lstrip("\n").splitlines()[0] if _source(cell).strip() else ""
    text = first[3:].strip() if first.startswith("## ") else first.lstrip("#").strip()
    match = _LABEL.search(text)
    if match is None:
        return (
            text,
            None,
            [
                f"{lesson}, section '{text}': the heading has no label; it must end with "
                f"'({LABELS[tag]}, N min)' to agree with its tag '{tag}'."
            ],
        )
    title, label, minutes = text[: match.start()].strip(), match[1].strip(), int(match[2])
    if label != LABELS[tag]:
        return (
            title,
            minutes,
            [
                f"{lesson}, section '{title}': the label says '{label}' but the cell is "
                f"tagged '{tag}'; a '{tag}' section's label is '({LABELS[tag]}, N min)'."
            ],
        )
    return title, minutes, []


@dataclass
class _Section:
    title: str
    path: SectionPath
    stated: int | None
    words: int = 0
    activities: int = 0
    seconds: float = 0.0
    cells: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    opening: bool = False


def _durations(cells: list[Any], executed: Any) -> tuple[dict[int, float], list[str]]:
    """Seconds each code cell took in ``executed``, by index into ``cells``.

    Cells are matched by cell id, else by position (papermill's injected-parameters cell
    is left out of the positions, and its time goes to the cell before it).
    """
    run_cells = list(executed.get("cells", []))
    own = [c for c in run_cells if "injected-parameters" not in _tags(c)]
    by_id = {c.get("id"): i for i, c in enumerate(own) if c.get("id")}
    seconds: dict[int, float] = {}
    problems: list[str] = []
    matched: dict[int, int] = {}  # position in the executed copy -> index in ``cells``
    for index, cell in enumerate(cells):
        position = by_id.get(cell.get("id")) if cell.get("id") else None
        if position is not None and position not in matched:
            matched[position] = index
    found = set(matched.values())
    for index, cell in enumerate(cells):
        if index in found or index >= len(own) or index in matched:
            continue
        if own[index].get("cell_type") == cell.get("cell_type"):
            matched[index] = index
    if len(own) != len(cells) or len(matched) != len(cells):
        problems.append(
            f"the executed copy has {len(own)} cells of the lesson and {len(matched)} of its "
            f"{len(cells)} cells matched by id or position; run the lesson again and time "
            "that copy."
        )
    last: int | None = None
    own_index = 0
    for cell in run_cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if "injected-parameters" in _tags(cell):
            target = last
        else:
            target = matched.get(own_index)
            own_index += 1
            last = target if target is not None else last
        if target is None or duration is None or cell.get("cell_type") != "code":
            continue
        seconds[target] = seconds.get(target, 0.0) + float(duration)
    return seconds, problems


def lesson_timing(
    notebook: str | os.PathLike[str] | Any, *, executed: str | os.PathLike[str] | Any = None
) -> LessonTiming:
    """Read a lesson's objectives, sections and minutes, and estimate each section.

    Parameters
    ----------
    notebook : path or nbformat node
        The lesson as committed (no outputs needed).
    executed : path or nbformat node, optional
        An executed copy of the same lesson (papermill's output). Its cells'
        ``metadata.papermill.duration`` give the run minutes; cells are matched by cell
        id, else by position. Without it, every run minute is 0 (a static estimate).

    Returns
    -------
    LessonTiming
        The opening and sections with stated and estimated minutes;
        :meth:`LessonTiming.problems` lists every breach of the conventions.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [
    ...     nbformat.v4.new_markdown_cell(
    ...         "# Metrics\\n\\n" + OBJECTIVES_LINE + "\\n\\n* choose a metric\\n* read it"
    ...     ),
    ...     nbformat.v4.new_markdown_cell(
    ...         "## Precision (core, 4 min)\\n\\n**Try it (3 min).** Change the threshold."
    ...     ),
    ... ]
    >>> nb.cells[1].metadata["tags"] = ["core"]
    >>> timing = lesson_timing(nb)
    >>> timing.objectives
    ('choose a metric', 'read it')
    >>> [(s.title, s.stated_minutes, s.activity_minutes) for s in timing.sections]
    [('Opening', None, 0), ('Precision', 4, 3)]
    >>> timing.core_minutes
    4
    >>> timing.problems()[0]
    "notebook: the last section must be '## Further reading (after the session, N min)' ..."
    """
    nb, lesson = _read_notebook(notebook)
    cells = list(nb.get("cells", []))
    objectives, structure = _objectives(lesson, cells)

    sections = [_Section("Opening", "core", None, opening=True)]
    for index, cell in enumerate(cells):
        source = _source(cell)
        tags = [t for t in _tags(cell) if t in LABELS]
        is_heading = cell.get("cell_type") == "markdown" and source.lstrip("\n").startswith("## ")
        if tags and not is_heading:
            structure.append(
                f"{lesson}, cell {index}: tagged '{tags[0]}' but it is not a markdown cell "
                "starting with '## '; only a section's heading cell carries a section tag."
            )
        if is_heading and not tags:
            heading = source.lstrip("\n").splitlines()[0][3:].strip()
            structure.append(
                f"{lesson}, section '{heading}': its heading cell has no section tag; give it "
                "exactly one of the cell tags 'core', 'optional', 'after-session'."
            )
        if is_heading and len(tags) > 1:
            heading = source.lstrip("\n").splitlines()[0][3:].strip()
            structure.append(
                f"{lesson}, section '{heading}': its heading cell has the section tags "
                f"{', '.join(tags)}; it must have exactly one."
            )
        if is_heading and tags:
            tag = tags[0]
            title, stated, problems = _heading(lesson, cell, tag)
            structure.extend(problems)
            sections.append(_Section(title, tag, stated))  # type: ignore[arg-type]
        current = sections[-1]
        current.cells.append(index)
        if cell.get("cell_type") == "markdown":
            body = source
            if current.cells == [index] and not current.opening:
                first, _, rest = source.lstrip("\n").partition("\n")
                match = _LABEL.search(first)
                body = (first[: match.start()] if match else first) + "\n" + rest
            current.words += _count_words(body)
            current.activities += sum(int(m) for m in _ACTIVITY.findall(source))
            current.text.append(source)

    measured = executed is not None
    if measured:
        run, _ = _read_notebook(executed)
        seconds, problems = _durations(cells, run)
        structure.extend(f"{lesson}: {p}" for p in problems)
        for section in sections:
            section.seconds = sum(seconds.get(i, 0.0) for i in section.cells)

    if not sections[0].cells:
        sections = sections[1:]  # the lesson opens with a section
    tagged = [s for s in sections if not s.opening]
    if not tagged:
        structure.append(
            f"{lesson}: the lesson has no tagged sections; open each section with a '## ' "
            "markdown cell tagged 'core', 'optional' or 'after-session'."
        )
    elif not any(s.path == "core" for s in tagged):
        structure.append(f"{lesson}: no section is tagged 'core'; the lesson needs a core path.")
    structure.extend(_further_reading(lesson, sections))

    return LessonTiming(
        lesson=lesson,
        objectives=objectives,
        sections=tuple(
            SectionTiming(
                title=s.title,
                path=s.path,
                stated_minutes=s.stated,
                reading_minutes=s.words / WORDS_PER_MINUTE,
                activity_minutes=s.activities,
                run_minutes=s.seconds / 60,
                words=s.words,
            )
            for s in sections
        ),
        measured=measured,
        structure=tuple(structure),
    )


def _further_reading(lesson: str, sections: list[_Section]) -> list[str]:
    last = sections[-1] if sections else None
    if last is None or last.title != FURTHER_READING or last.path != "after-session":
        found = f"'{last.title}' ({last.path})" if last is not None else "no section"
        return [
            f"{lesson}: the last section must be '## {FURTHER_READING} "
            f"({LABELS['after-session']}, N min)' tagged 'after-session'; found {found}."
        ]
    items = len(_LIST_ITEM.findall("\n".join(last.text)))
    low, high = REFERENCES
    if not low <= items <= high:
        return [
            f"{lesson}, section '{FURTHER_READING}': it lists {items} reference(s); it must "
            f"list {low} to {high}, one list item each."
        ]
    return []


# --------------------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------------------

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


def _lesson_key(name: str) -> str:
    stem = Path(str(name)).stem
    match = re.match(r"\d+", stem)
    return match[0] if match else stem


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
