"""The session's clock: how long each lesson's core path takes.

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
minutes must be at least its estimate rounded to the minute. The cells are read by
``_lesson_cells``; the plan of the four-hour session, which each phase's core must fit, is
in ``_session``.
"""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._lesson_cells import (
    OBJECTIVES_LINE,
    SectionPath,
    cell_seconds,
    read_notebook,
    read_objectives,
    read_sections,
    section_problems,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OBJECTIVES_LINE",
    "WORDS_PER_MINUTE",
    "LessonTiming",
    "SectionTiming",
    "lesson_timing",
]

#: Reading speed used for the estimate, in words a minute.
WORDS_PER_MINUTE = 200


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
    nb, lesson = read_notebook(notebook)
    cells = list(nb.get("cells", []))
    objectives, structure = read_objectives(lesson, cells)
    sections = read_sections(lesson, cells, structure)
    measured = executed is not None
    if measured:
        run, _ = read_notebook(executed)
        seconds, problems = cell_seconds(cells, run)
        structure.extend(f"{lesson}: {p}" for p in problems)
        for section in sections:
            section.seconds = sum(seconds.get(i, 0.0) for i in section.cells)
    if not sections[0].cells:
        sections = sections[1:]  # the lesson opens with a section
    structure.extend(section_problems(lesson, sections))
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


def _lesson_key(name: str) -> str:
    stem = Path(str(name)).stem
    match = re.match(r"\d+", stem)
    return match[0] if match else stem
