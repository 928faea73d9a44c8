"""The session's clock: lesson timings from the cells themselves, and the plan they must fit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from mlops_kit.course import LessonTiming, SessionPlan, lesson_timing, session_plan
from mlops_kit.course._timing import OBJECTIVES_LINE, SectionTiming
from mlops_kit.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))

TITLE = f"# A lesson\n\nWhy it matters.\n\n{OBJECTIVES_LINE}\n\n* do one thing\n* do another\n"
READING = (
    "## Further reading (after the session, 5 min)\n\n"
    "* [One](https://example.org/one): why.\n"
    "* [Two](https://example.org/two): why.\n"
    "* Three, a case study: what went wrong.\n"
)


def _md(source: str, *tags: str) -> Any:
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _code(source: str = "x = 1", *tags: str) -> Any:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _notebook(*cells: Any, title: str = TITLE, reading: str | None = READING) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.cells = [_md(title), _code("track = 'novice'", "parameters"), *cells]
    if reading is not None:
        nb.cells.append(_md(reading, "after-session"))
    return nb


def _words(n: int) -> str:
    return " ".join(["word"] * n)


def _section(timing: LessonTiming, title: str) -> SectionTiming:
    return next(s for s in timing.sections if s.title == title)


# --------------------------------------------------------------------------------------
# The estimate
# --------------------------------------------------------------------------------------


def test_reading_counts_the_words_of_a_sections_markdown_without_its_label() -> None:
    nb = _notebook(
        _md(f"## Precision and recall (core, 2 min)\n\n{_words(150)}", "core"),
        _code(),
        _md(f"### A sub-heading\n\n{_words(100)} [a link](https://example.org/a-b-c)"),
    )
    timing = lesson_timing(nb)
    section = _section(timing, "Precision and recall")
    # 3 heading words + 150 + 2 sub-heading words + 100 + 2 link words; the label's
    # "core, 2 min" and the link's address are not read.
    assert section.words == 3 + 150 + 2 + 100 + 2
    assert section.reading_minutes == pytest.approx(257 / 200)
    assert section.path == "core"
    assert section.stated_minutes == 2
    assert section.run_minutes == 0
    assert section.estimate_minutes == pytest.approx(257 / 200)
    assert timing.measured is False
    # The opening (title and parameters) is core and counted too.
    opening = timing.sections[0]
    assert (opening.title, opening.path, opening.stated_minutes) == ("Opening", "core", None)
    # "A lesson", "Why it matters", the objectives line and the two bullets.
    assert opening.words == 2 + 3 + 11 + 5
    assert timing.problems() == []


def test_activities_are_the_bold_leads_that_start_a_paragraph() -> None:
    nb = _notebook(
        _md(
            "## Talk it through (core, 12 min)\n\n"
            "**Discuss in your group (8 min).** Who is affected?\n\n"
            "Then, as **Try it (9 min).** in the middle of a line, this is not an activity.\n\n"
            "**Try it (3 min).** Move the slider.\n\n"
            "A plain (5 min) is not one either.",
            "core",
        ),
        _md("**Report back (1 min).** One sentence each."),
        _md("## Depth (if time allows, 4 min)\n\n**Explore (4 min).** More.", "optional"),
    )
    timing = lesson_timing(nb)
    assert _section(timing, "Talk it through").activity_minutes == 8 + 3 + 1
    assert _section(timing, "Depth").activity_minutes == 4
    assert _section(timing, "Depth").path == "optional"
    assert _section(timing, "Further reading").path == "after-session"
    assert timing.problems() == []


def _executed(nb: Any, seconds: dict[int, float], *, keep_ids: bool = True) -> Any:
    """A copy of ``nb`` as papermill leaves it, with an injected-parameters cell."""
    run = copy.deepcopy(nb)
    for index, cell in enumerate(run.cells):
        cell.metadata["papermill"] = {"duration": seconds.get(index)}
        if not keep_ids:
            cell["id"] = f"other-{index}"
    injected = _code("track = 'experienced'", "injected-parameters")
    injected.metadata["papermill"] = {"duration": 30.0}
    run.cells.insert(2, injected)  # after the parameters cell, as papermill does
    return run


@pytest.mark.parametrize("keep_ids", [True, False], ids=["by-id", "by-position"])
def test_run_minutes_come_from_the_executed_copys_cell_durations(
    tmp_path: Path, keep_ids: bool
) -> None:
    nb = _notebook(
        _code("import mlops_kit"),
        _md("## Train (core, 3 min)\n\nTrain the model.", "core"),
        _code("train()"),
        _md("Read the table."),
        _code("table"),
        _md("## Compare (if time allows, 2 min)\n\nCompare.", "optional"),
        _code("compare()"),
    )
    seconds = {1: 0.5, 2: 5.5, 4: 90.0, 6: 30.0, 8: 60.0}
    run = _executed(nb, seconds, keep_ids=keep_ids)
    run.cells[6].metadata["papermill"]["duration"] = 999.0  # a markdown cell never counts
    path = tmp_path / "executed.ipynb"
    nbformat.write(run, path)
    for executed in (run, path):
        timing = lesson_timing(nb, executed=executed)
        assert timing.measured is True
        # The opening: parameters, papermill's injected cell and the imports.
        assert timing.sections[0].run_minutes == pytest.approx((0.5 + 30.0 + 5.5) / 60)
        assert _section(timing, "Train").run_minutes == pytest.approx(120 / 60)
        assert _section(timing, "Compare").run_minutes == pytest.approx(1.0)
        assert timing.core_estimate == pytest.approx(
            sum(s.estimate_minutes for s in timing.sections if s.path == "core")
        )
        assert timing.problems() == []


def test_an_executed_copy_of_another_notebook_is_a_problem() -> None:
    nb = _notebook(_md("## Train (core, 3 min)\n\nTrain.", "core"), _code("train()"))
    other = _notebook(_md("## Other (core, 3 min)", "core"))
    run = _executed(other, {}, keep_ids=False)
    problems = lesson_timing(nb, executed=run).problems()
    assert len(problems) == 1
    assert problems[0].startswith(
        "notebook: the executed copy has 4 cells of the lesson and 3 of its 5 cells matched "
        "by id or position; run the lesson again and time that copy."
    )


def test_a_cell_added_since_the_run_takes_no_other_cells_time() -> None:
    nb = _notebook(_md("## Train (core, 3 min)\n\nTrain.", "core"), _code("train()"))
    run = _executed(nb, {3: 60.0})
    nb.cells.insert(2, _md("A paragraph written after the run."))
    timing = lesson_timing(nb, executed=run)
    # Matched by id, the training cell keeps its minute; the new cell's position is taken.
    assert _section(timing, "Train").run_minutes == pytest.approx(1.0)
    assert timing.problems() == [
        "notebook: the executed copy has 5 cells of the lesson and 5 of its 6 cells matched "
        "by id or position; run the lesson again and time that copy."
    ]


def test_core_minutes_are_the_stated_minutes_plus_the_openings_estimate() -> None:
    title = TITLE + "\n" + _words(300)  # an opening of about 1.6 min of reading
    nb = _notebook(
        _md("## One (core, 4 min)\n\nText.", "core"),
        _md("## Two (core, 3 min)\n\nText.", "core"),
        _md("## Depth (if time allows, 7 min)\n\nText.", "optional"),
        title=title,
    )
    timing = lesson_timing(nb)
    assert timing.sections[0].estimate_minutes == pytest.approx(321 / 200)
    assert timing.core_minutes == 4 + 3 + 2
    assert timing.minutes("optional") == 7
    assert timing.minutes("after-session") == 5
    assert [s.title for s in timing.core] == ["Opening", "One", "Two"]
    frame = timing.to_frame()
    assert list(frame["title"]) == ["Opening", "One", "Two", "Depth", "Further reading"]
    assert list(frame["stated_minutes"].iloc[1:]) == [4, 3, 7, 5]
    data = timing.to_dict()
    assert (data["core_minutes"], data["core_needed"]) == (9, 9)
    assert data["objectives"] == ["do one thing", "do another"]
    assert data["problems"] == []
    assert "core 9 min stated" in timing._repr_html_()


# --------------------------------------------------------------------------------------
# Every breach of the conventions, with a message that names lesson, section and rule
# --------------------------------------------------------------------------------------


def _problems(*cells: Any, **kwargs: Any) -> list[str]:
    nb = _notebook(*cells, **kwargs)
    nb.metadata["papermill"] = {"input_path": "notebooks/07_lesson.ipynb"}
    return lesson_timing(nb).problems()


CORE = _md("## Core (core, 2 min)\n\nText.", "core")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "# A lesson\n\nNo objectives here.",
            "07_lesson, title cell: no line '**By the end of this lesson you will be able "
            "to:**'; the title cell must state 2 to 4 learning objectives under it.",
        ),
        (
            f"# A lesson\n\n{OBJECTIVES_LINE}\n\n* only one\n\nThen prose.",
            "07_lesson, title cell: 1 learning objective(s) follow",
        ),
        (
            f"# A lesson\n\n{OBJECTIVES_LINE}\n" + "".join(f"* aim {i}\n" for i in range(5)),
            "07_lesson, title cell: 5 learning objective(s) follow '**By the end of this "
            "lesson you will be able to:**'; there must be 2 to 4 lines starting with '* '.",
        ),
    ],
    ids=["missing", "too-few", "too-many"],
)
def test_objectives_must_be_two_to_four_bullets(title: str, expected: str) -> None:
    problems = _problems(CORE, title=title)
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_objectives_may_wrap_onto_indented_lines() -> None:
    title = f"# A lesson\n\n{OBJECTIVES_LINE}\n* one long\n  objective\n* two\n\nMore prose.\n"
    timing = lesson_timing(_notebook(CORE, title=title))
    assert timing.objectives == ("one long objective", "two")
    assert timing.problems() == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            [CORE, _md("## No tag here (core, 2 min)\n\nText.")],
            "07_lesson, section 'No tag here (core, 2 min)': its heading cell has no section "
            "tag; give it exactly one of the cell tags 'core', 'optional', 'after-session'.",
        ),
        (
            [CORE, _md("## Two tags (core, 2 min)", "core", "optional")],
            "07_lesson, section 'Two tags (core, 2 min)': its heading cell has the section "
            "tags core, optional; it must have exactly one.",
        ),
        (
            [CORE, _code("x = 2", "optional")],
            "07_lesson, cell 3: tagged 'optional' but it is not a markdown cell starting "
            "with '## '; only a section's heading cell carries a section tag.",
        ),
        (
            [CORE, _md("### A sub-heading (core, 2 min)", "core")],
            "07_lesson, cell 3: tagged 'core' but it is not a markdown cell starting with",
        ),
        (
            [CORE, _md("## Depth (core, 4 min)\n\nText.", "optional")],
            "07_lesson, section 'Depth': the label says 'core' but the cell is tagged "
            "'optional'; a 'optional' section's label is '(if time allows, N min)'.",
        ),
        (
            [CORE, _md("## Depth\n\nText.", "optional")],
            "07_lesson, section 'Depth': the heading has no label; it must end with "
            "'(if time allows, N min)' to agree with its tag 'optional'.",
        ),
        (
            [CORE, _md(f"## Long (core, 1 min)\n\n**Try it (2 min).** {_words(100)}", "core")],
            "07_lesson, section 'Long': its label states 1 min but the estimate is 3 min "
            "(reading 0.5, activities 2, run 0.0); the stated minutes must be at least the "
            "estimate rounded to the minute.",
        ),
        (
            [_md("## Depth (if time allows, 2 min)\n\nText.", "optional")],
            "07_lesson: no section is tagged 'core'; the lesson needs a core path.",
        ),
        (
            [_md("Just prose, no sections.")],
            "07_lesson: the lesson has no tagged sections; open each section with a '## ' "
            "markdown cell tagged 'core', 'optional' or 'after-session'.",
        ),
    ],
    ids=[
        "untagged",
        "two-tags",
        "tagged-code",
        "tagged-subheading",
        "label-disagrees",
        "no-label",
        "under-stated",
        "no-core",
        "no-sections",
    ],
)
def test_each_section_rule_has_a_problem_that_names_it(cells: list[Any], expected: str) -> None:
    no_sections = "no tagged sections" in expected
    problems = _problems(*cells, reading=None if no_sections else READING)
    problems = [p for p in problems if "Further reading" not in p]
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected)


def test_an_estimate_rounding_down_to_the_stated_minutes_is_no_problem() -> None:
    # 2.4 min (80 words and 2 activity minutes) rounds to 2, so 2 is enough; 2.51 is not.
    ok = _md(f"## Ok (core, 2 min)\n\n**Try it (2 min).** {_words(75)}", "core")
    assert lesson_timing(_notebook(ok)).problems() == []
    over = _md(f"## Over (core, 2 min)\n\n**Try it (2 min).** {_words(97)}", "core")
    assert (
        lesson_timing(_notebook(over))
        .problems()[0]
        .startswith("notebook, section 'Over': its label states 2 min but the estimate is 3 min")
    )


def test_the_lesson_must_end_with_three_to_six_further_reading_references() -> None:
    last = "notebook: the last section must be '## Further reading (after the session, N min)'"
    assert lesson_timing(_notebook(CORE, reading=None)).problems() == [
        f"{last} tagged 'after-session'; found 'Core' (core)."
    ]
    optional = READING.replace("after the session", "if time allows")
    assert lesson_timing(_notebook(CORE, reading=optional)).problems() == [
        "notebook, section 'Further reading': the label says 'if time allows' but the cell "
        "is tagged 'after-session'; a 'after-session' section's label is '(after the "
        "session, N min)'."
    ]
    untagged = _notebook(CORE, reading=None)
    untagged.cells.append(_md(READING.replace("after-session", ""), "optional"))
    assert lesson_timing(untagged).problems()[-1] == (
        f"{last} tagged 'after-session'; found 'Further reading' (optional)."
    )
    two = READING.rsplit("* Three", 1)[0]
    assert lesson_timing(_notebook(CORE, reading=two)).problems() == [
        "notebook, section 'Further reading': it lists 2 reference(s); it must list 3 to 6, "
        "one list item each."
    ]
    seven = READING + "".join(f"* Ref {i}: why.\n" for i in range(4))
    assert "it lists 7 reference(s)" in lesson_timing(_notebook(CORE, reading=seven)).problems()[0]


def test_a_lesson_read_from_a_file_is_named_after_it(tmp_path: Path) -> None:
    path = tmp_path / "03_metrics.ipynb"
    nbformat.write(_notebook(_md("## Untagged (core, 1 min)")), path)
    timing = lesson_timing(path)
    assert (timing.lesson, timing.key) == ("03_metrics", "03")
    assert timing.problems()[0].startswith("03_metrics, section 'Untagged (core, 1 min)'")


# --------------------------------------------------------------------------------------
# The session plan
# --------------------------------------------------------------------------------------


def test_the_plan_is_five_phases_in_240_minutes_with_one_break() -> None:
    plan = session_plan()
    assert plan.start == "09:30"
    assert plan.total_minutes == 240
    assert [(p.name, p.slot_minutes) for p in plan.session] == [
        ("Engage", 30),
        ("Explore", 60),
        ("Explain", 45),
        ("Elaborate", 75),
        ("Evaluate", 30),
    ]
    assert sum(p.slot_minutes for p in plan.session) == 240
    assert plan.break_minutes == 10
    elaborate = plan.session[3]
    assert [(p.kind, p.minutes) for p in elaborate.parts] == [("lesson", 65), ("break", 10)]
    explain = plan.session[2]
    assert [(p.kind, p.lessons, p.minutes) for p in explain.parts] == [
        ("lesson", ("02",), 20),
        ("jigsaw", ("03", "04", "05", "06", "07", "08", "09"), 15),
        ("facilitator", (), 10),
    ]
    assert explain.parts[2].title == "Report back"
    (extension,) = [p for p in plan.phases if not p.in_session]
    assert (extension.slot_minutes, extension.lessons) == (90, ("12",))
    assert plan.lessons() == tuple(f"{i:02d}" for i in range(13))
    assert plan.clock() == {
        "Engage": "09:30-10:00",
        "Explore": "10:00-11:00",
        "Explain": "11:00-11:45",
        "Elaborate": "11:45-13:00",
        "Evaluate": "13:00-13:30",
    }
    frame = plan.to_frame()
    assert len(frame) == 9
    row = frame[frame["kind"] == "break"].iloc[0]
    assert (row["phase"], row["start"], row["end"]) == ("Elaborate", "12:50", "13:00")
    assert plan.to_dict()["phases"][2]["parts"][1]["lessons"][-1] == "09"


def _timing(key: str, core: int, *, estimate: float | None = None) -> LessonTiming:
    return LessonTiming(
        lesson=f"{key}_lesson",
        objectives=("a", "b"),
        sections=(
            SectionTiming("Opening", "core", None, 0.0, 0, 0.0),
            SectionTiming("Core", "core", core, estimate or 0.0, 0, 0.0),
            SectionTiming("Depth", "optional", 30, 1.0, 0, 0.0),
        ),
    )


def _fitting() -> dict[str, LessonTiming]:
    minutes = {"00": 30, "01": 60, "02": 20, "10": 65, "11": 30, "12": 90}
    return {key: _timing(key, minutes.get(key, 15)) for key in (f"{i:02d}" for i in range(13))}


def test_check_passes_when_every_core_fits_its_part() -> None:
    plan = session_plan()
    assert plan.check(_fitting()) == []
    # Keys may be notebook names too.
    assert plan.check({f"{k}_lesson": t for k, t in _fitting().items()}) == []


def test_check_names_the_jigsaw_lesson_and_the_phase_over_time() -> None:
    timings = _fitting()
    timings["05"] = _timing("05", 17)
    assert session_plan().check(timings) == [
        "Explain: lesson 05's core takes 17 min, over the 15 min of its jigsaw 'Jigsaw (each "
        "pair does the core of one lesson)'.",
        "Explain: its core takes 47 min (Concepts, Wardley map, security and quizzes 20, "
        "Jigsaw (each pair does the core of one lesson) 17, Report back 10), over its "
        "45-min slot.",
    ]


def test_check_uses_the_estimate_when_it_is_above_the_stated_minutes() -> None:
    timings = _fitting()
    timings["10"] = _timing("10", 60, estimate=66.6)
    assert session_plan().check(timings) == [
        "Elaborate: lesson 10's core takes 67 min, over the 65 min of its part "
        "'Teams design their pipeline'.",
        "Elaborate: its core takes 77 min (Teams design their pipeline 67, Break 10), over "
        "its 75-min slot.",
    ]


def test_check_names_missing_and_unplanned_lessons() -> None:
    timings = _fitting()
    del timings["07"]
    timings["13"] = _timing("13", 5)
    assert session_plan().check(timings) == [
        "Lesson 07 is in the plan but has no timing to check.",
        "Lesson 13 has a timing but is not in the session plan.",
    ]


def test_check_names_slots_that_do_not_add_up_and_parts_over_their_slot(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "data" / "course" / "session.yml").read_text(encoding="utf-8"))
    data["phases"][0]["slot"] = 25
    path = tmp_path / "session.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    plan = session_plan(path)
    assert plan.clock()["Explore"] == "09:55-10:55"
    timings = _fitting()
    timings["00"] = _timing("00", 25)
    assert plan.check(timings) == [
        "The session's phase slots add up to 235 min; they must add up to the session's 240 min.",
        "Engage: its parts are planned at 30 min, over its 25-min slot.",
    ]
    data["phases"][3]["parts"].pop()
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "The session has no break; the plan needs one inside a phase." in session_plan(
        path
    ).check(timings)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(start="half nine"), "'start' must be a clock time like '09:30'"),
        (lambda d: d.pop("total_minutes"), "top level needs 'total_minutes' as int"),
        (
            lambda d: d["phases"][0]["parts"][0].update(kind="lecture"),
            "phases[0].parts[0] has kind 'lecture'; it must be one of",
        ),
        (
            lambda d: d["phases"][2]["parts"][2].update(lesson="02"),
            "phases[2].parts[2] is a 'facilitator' part",
        ),
        (lambda d: d["phases"][1].update(parts=[]), "phases[1] needs a list of 'parts'"),
    ],
    ids=["start", "total", "kind", "facilitator-lesson", "no-parts"],
)
def test_a_malformed_plan_says_what_is_wrong(tmp_path: Path, change: Any, message: str) -> None:
    data = yaml.safe_load((REPO / "data" / "course" / "session.yml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "session.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="The session plan"):
        session_plan(path)
    with pytest.raises(ConfigError) as error:
        session_plan(path)
    assert message in str(error.value)


# --------------------------------------------------------------------------------------
# The real lessons
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_follows_the_timing_conventions(notebook: Path) -> None:
    timing = lesson_timing(notebook)
    assert timing.problems() == []
    assert 2 <= len(timing.objectives) <= 4
    assert timing.sections[-1].title == "Further reading"


def test_the_lessons_core_paths_fit_the_session_without_run_time() -> None:
    """A static check (run time 0); test_workshop_path.py adds the measured run time."""
    plan = session_plan()
    timings = {p.stem: lesson_timing(p) for p in LESSONS}
    assert plan.check(timings) == []
    assert isinstance(plan, SessionPlan)
