"""The facilitator guide states only what the workbook does.

A facilitator plans a session from ``docs/facilitator.md``; every fact it states that the
code can confirm is checked here against the code: the plan and its clock
(``data/course/session.yml``), each lesson's core minutes (the lessons' own section
labels), the pipeline's stages, the design checks, the role cards, the scenarios, the
polls, and every notebook and command it names.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from mlops_kit.course import ROLE_CARDS, lesson_timing, session_plan
from mlops_kit.course._design_check import DESIGN_CRITERIA
from mlops_kit.course._scenarios import SCENARIOS
from mlops_kit.course._self_check import SELF_CHECK_MOMENTS, self_check_poll_id
from mlops_kit.pipeline import STAGES, stage_notebook

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "facilitator.md"
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
DASH = "\N{EN DASH}"  # the guide writes spans of minutes and times as 0\N{EN DASH}10
NUMBERS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _section(guide: str, heading: str) -> str:
    assert f"\n## {heading}" in guide, f"the guide has no section '## {heading}'"
    return guide.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]


def _flat(text: str) -> str:
    """The text with every run of white space (line breaks too) as one space."""
    return " ".join(text.split())


def _table(text: str, first_header: str) -> list[list[str]]:
    """The body rows of the first Markdown table whose header starts with ``first_header``."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"| {first_header} |"):
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table with a '{first_header}' column")


def _minutes(span: str) -> tuple[int, int]:
    match = re.fullmatch(rf"(\d+){DASH}(\d+)", span)
    assert match, f"'{span}' is not a span of minutes like 0{DASH}10"
    return int(match[1]), int(match[2])


def test_the_plan_at_a_glance_is_the_session_plan(guide: str) -> None:
    plan = session_plan()
    clock = plan.clock()
    rows = _table(_section(guide, "The session at a glance"), "phase")
    stated = {row[0]: (int(row[1]), row[2].replace(DASH, "-")) for row in rows}
    expected = {p.name: (p.slot_minutes, clock[p.name]) for p in plan.session}
    assert stated.pop("total") == (240, "09:30-13:30")
    assert stated == expected
    assert sum(p.slot_minutes for p in plan.session) == 240
    assert plan.break_minutes == 10
    assert "one ten-minute break" in _section(guide, "The session at a glance")


def test_each_phase_section_fills_its_slot_minute_by_minute(guide: str) -> None:
    plan = session_plan()
    for number, phase in enumerate(plan.session, start=1):
        heading = f"Phase {number}, {phase.name}: {phase.slot_minutes} minutes"
        spans = [_minutes(row[0]) for row in _table(_section(guide, heading), "minutes")]
        assert spans[0][0] == 0, f"{phase.name}'s timetable does not start at 0"
        assert spans[-1][1] == phase.slot_minutes, (
            f"{phase.name}'s timetable ends at {spans[-1][1]}, not at its slot "
            f"({phase.slot_minutes} minutes)"
        )
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start == end, f"{phase.name}'s timetable has a gap or overlap at {end}"


def test_the_lesson_table_gives_each_lessons_own_minutes(guide: str) -> None:
    rows = _table(_section(guide, "The session at a glance"), "lesson")
    stated = {row[0].strip("`"): row for row in rows}
    assert sorted(stated) == [p.stem for p in LESSONS]
    plan = session_plan()
    phase_of = {lesson: p.name for p in plan.phases for lesson in p.lessons}
    for path in LESSONS:
        timing = lesson_timing(path)
        assert not timing.problems(), timing.problems()
        _, phase, core, optional, after = stated[path.stem]
        key = path.stem[:2]
        assert phase == phase_of[key], f"{path.stem}: phase {phase}, the plan says {phase_of[key]}"
        assert [int(core), int(optional), int(after)] == [
            timing.minutes("core"),
            timing.minutes("optional"),
            timing.minutes("after-session"),
        ], f"{path.stem}: the guide's minutes are not the lesson's own"


def test_stages_checks_roles_and_scenarios_are_the_codes(guide: str) -> None:
    explore = _flat(_section(guide, "Phase 2, Explore: 60 minutes"))
    assert f"the {NUMBERS[len(STAGES)]} stages" in explore
    listed = re.search(rf"\(({STAGES[0].value}[a-z,\s]+)[;)]", explore)
    assert listed is not None, "the Explore section does not list the stages in order"
    names = " ".join(listed[1].split()).replace(" and ", ", ")
    assert [s.strip() for s in names.split(",")] == [s.value for s in STAGES]
    for stage in (STAGES[0], STAGES[-1]):
        assert stage_notebook(stage).name in explore

    elaborate = _flat(_section(guide, "Phase 4, Elaborate: 75 minutes"))
    assert f"{NUMBERS[len(DESIGN_CRITERIA)]} criteria" in elaborate
    for title in DESIGN_CRITERIA.values():
        assert title.lower() in elaborate.lower(), f"the design check '{title}' is not named"
    assert f"{NUMBERS[len(SCENARIOS)]} scenario briefs" in elaborate
    for title, *_ in SCENARIOS.values():
        assert f"*{title}*" in elaborate, f"the scenario '{title}' is not named"

    before = _flat(_section(guide, "Before the session"))
    assert f"the {NUMBERS[len(ROLE_CARDS)]} role cards" in before
    for title in ROLE_CARDS.values():
        assert title in before, f"the role card '{title}' is not named"
    lesson_10 = (REPO / "notebooks" / "10_elaborate_design.ipynb").read_text(encoding="utf-8")
    size = re.search(r"teams of (\w+) or (\w+)", lesson_10)
    assert size is not None, "lesson 10 no longer states a team size"
    assert f"teams of {size[1]} or {size[2]}" in before


def _poll_ids(text: str) -> set[str]:
    return set(re.findall(r"""poll_id=\\?["']([a-z0-9-]+)\\?["']""", text))


def test_the_guides_polls_are_the_lessons_polls(guide: str) -> None:
    in_lessons: set[str] = set()
    for path in LESSONS:
        in_lessons |= _poll_ids(path.read_text(encoding="utf-8"))
    assert in_lessons, "no lesson has a poll"
    # The self-check saves into the poll folder too, one sub-folder per moment.
    in_lessons |= {self_check_poll_id(moment) for moment in SELF_CHECK_MOMENTS}
    folders = set(re.findall(r'"\$SHARED"/polls/([a-z0-9-]+)', guide))
    assert folders == in_lessons, (
        f"the guide creates poll folders {sorted(folders)}; the lessons save into "
        f"{sorted(in_lessons)}"
    )
    evaluate = _section(guide, "Phase 5, Evaluate: 30 minutes")
    lesson_11 = json.loads(
        (REPO / "notebooks" / "11_evaluate_reflect.ipynb").read_text(encoding="utf-8")
    )
    closing = _poll_ids(json.dumps(lesson_11))
    assert "closing poll" in evaluate
    assert closing, "the Evaluate lesson has no closing poll"


def test_every_notebook_and_make_target_the_guide_names_exists(guide: str) -> None:
    for name in sorted(set(re.findall(r"`((?:notebooks|exercises)/[\w/]+\.ipynb)`", guide))):
        assert (REPO / name).is_file(), f"the guide names {name}, which does not exist"
    for stem in sorted(set(re.findall(r"`(\d\d_[a-z_]+)`", guide))):
        found = list((REPO / "notebooks").glob(f"{stem}.ipynb")) + list(
            (REPO / "exercises").glob(f"{stem}.ipynb")
        )
        assert found, f"the guide names the lesson {stem}, which does not exist"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in sorted(set(re.findall(r"`make (\w+)", guide))):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), f"no `make {target}`"
    assert "being written" not in guide
    assert "WORKSPACE=notebooks" in _section(guide, "The facilitator dashboard")


def test_the_guide_has_a_facilitator_reflection(guide: str) -> None:
    reflection = _section(guide, "After the session: facilitator reflection")
    rows = _table(reflection, "question")
    assert len(rows) >= 6
    assert "self-check" in reflection
