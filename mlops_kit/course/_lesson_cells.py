"""How a lesson marks its timed path in its own cells, and reading that path back.

The conventions (issue 12): the title cell states 2 to 4 learning objectives under
:data:`OBJECTIVES_LINE`; every section opens with a ``## `` markdown cell carrying one
cell tag of :data:`SECTION_TAGS` and a heading label that agrees with it
(:data:`LABELS`) and states its minutes; an activity states its minutes in a bold lead;
the lesson ends with :data:`FURTHER_READING`, listing :data:`REFERENCES` references.
The readers here turn a notebook's cells into sections with their words, activity minutes
and measured seconds, naming every breach of the conventions in words; the lesson's
timing (``_timing``) adds them up.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "FURTHER_READING",
    "LABELS",
    "OBJECTIVES_LINE",
    "REFERENCES",
    "SECTION_TAGS",
    "Section",
    "SectionPath",
    "cell_seconds",
    "read_notebook",
    "read_objectives",
    "read_sections",
    "section_problems",
]

SectionPath = Literal["core", "optional", "after-session"]


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


def read_notebook(notebook: str | os.PathLike[str] | Any) -> tuple[Any, str]:
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


def read_objectives(lesson: str, cells: list[Any]) -> tuple[tuple[str, ...], list[str]]:
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
class Section:
    """A section as it is read: its heading, path, stated minutes and what it holds."""

    title: str
    path: SectionPath
    stated: int | None
    words: int = 0
    activities: int = 0
    seconds: float = 0.0
    cells: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    opening: bool = False


def cell_seconds(cells: list[Any], executed: Any) -> tuple[dict[int, float], list[str]]:
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


def _further_reading(lesson: str, sections: list[Section]) -> list[str]:
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


def read_sections(lesson: str, cells: list[Any], structure: list[str]) -> list[Section]:
    """The opening and each tagged section of ``cells``; breaches are added to ``structure``."""
    sections = [Section("Opening", "core", None, opening=True)]
    for index, cell in enumerate(cells):
        source = _source(cell)
        tags = [t for t in _tags(cell) if t in LABELS]
        is_heading = cell.get("cell_type") == "markdown" and source.lstrip("\n").startswith("## ")
        structure.extend(_tag_problems(lesson, index, source, tags, is_heading))
        if is_heading and tags:
            tag = tags[0]
            title, stated, problems = _heading(lesson, cell, tag)
            structure.extend(problems)
            sections.append(Section(title, tag, stated))  # type: ignore[arg-type]
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
    return sections


def _tag_problems(
    lesson: str, index: int, source: str, tags: list[str], is_heading: bool
) -> list[str]:
    """What is wrong with one cell's section tags, one sentence each."""
    if tags and not is_heading:
        return [
            f"{lesson}, cell {index}: tagged '{tags[0]}' but it is not a markdown cell "
            "starting with '## '; only a section's heading cell carries a section tag."
        ]
    if not is_heading or len(tags) == 1:
        return []
    heading = source.lstrip("\n").splitlines()[0][3:].strip()
    if not tags:
        return [
            f"{lesson}, section '{heading}': its heading cell has no section tag; give it "
            "exactly one of the cell tags 'core', 'optional', 'after-session'."
        ]
    return [
        f"{lesson}, section '{heading}': its heading cell has the section tags "
        f"{', '.join(tags)}; it must have exactly one."
    ]


def section_problems(lesson: str, sections: list[Section]) -> list[str]:
    """What is wrong with a lesson's sections as a whole: no core path, no further reading."""
    problems = []
    tagged = [s for s in sections if not s.opening]
    if not tagged:
        problems.append(
            f"{lesson}: the lesson has no tagged sections; open each section with a '## ' "
            "markdown cell tagged 'core', 'optional' or 'after-session'."
        )
    elif not any(s.path == "core" for s in tagged):
        problems.append(f"{lesson}: no section is tagged 'core'; the lesson needs a core path.")
    problems.extend(_further_reading(lesson, sections))
    return problems
