"""The Explore lesson's quiz: which part of the pipeline wrote each artefact."""

from __future__ import annotations

import re

from mlops_kit.continuous._result import TIMELINE_JSON
from mlops_kit.course import grade_matching
from mlops_kit.pipeline import STAGE_FILES, STAGES, Stage
from mlops_kit.widgets import PIPELINE_COMPONENT_OPTIONS, PIPELINE_COMPONENTS, MatchingQuiz

FILE = re.compile(r"[\w/]+\.(?:json|jsonl|csv|md|skops|html)")


def _files(prompt: str) -> list[str]:
    """The file names a prompt starts with, before its colon."""
    return FILE.findall(prompt.split(":", 1)[0])


def test_options_name_every_stage_and_every_answer() -> None:
    assert len(set(PIPELINE_COMPONENT_OPTIONS)) == len(PIPELINE_COMPONENT_OPTIONS)
    assert {f"{s.value} stage" for s in STAGES} <= set(PIPELINE_COMPONENT_OPTIONS)
    for item in PIPELINE_COMPONENTS:
        assert item.answer in PIPELINE_COMPONENT_OPTIONS
        assert set(item.feedback) <= set(PIPELINE_COMPONENT_OPTIONS)
        assert _files(item.prompt), f"each prompt names its artefact: {item.prompt}"


def test_each_stage_answer_is_the_stage_that_writes_the_file() -> None:
    """The quiz agrees with the pipeline's own record of who writes what."""
    by_stage = [i for i in PIPELINE_COMPONENTS if i.answer.endswith(" stage")]
    assert len(by_stage) >= 6
    for item in by_stage:
        stage = Stage(item.answer.removesuffix(" stage"))
        for name in _files(item.prompt):
            assert name in STAGE_FILES[stage].writes, (name, stage)
            writers = [s for s in STAGES if name in STAGE_FILES[s].writes]
            assert writers == [stage], (name, writers)
        # A tempting wrong stage is one that reads the file or acts on it, never its writer.
        for wrong in item.feedback:
            assert wrong != item.answer


def test_the_audit_log_and_replay_items_match_the_kit() -> None:
    audit = next(i for i in PIPELINE_COMPONENTS if "audit.jsonl" in i.prompt)
    assert audit.answer == "the stages, each appending its own entries"
    for stage, files in STAGE_FILES.items():
        if files.events:
            assert files.events[0] in audit.explanation, stage
    replay = next(i for i in PIPELINE_COMPONENTS if TIMELINE_JSON in i.prompt)
    assert replay.answer == "the continuous-training replay (simulate)"


def test_the_quiz_marks_right_wrong_and_tempting_answers_with_the_keyboard_widget() -> None:
    quiz = MatchingQuiz(PIPELINE_COMPONENTS, options=PIPELINE_COMPONENT_OPTIONS)
    assert [d.description for d in quiz.dropdowns] == [
        f"Answer {n}" for n in range(1, len(PIPELINE_COMPONENTS) + 1)
    ]
    for dropdown, item in zip(quiz.dropdowns, PIPELINE_COMPONENTS, strict=True):
        dropdown.value = item.answer
    quiz.check_button.click()
    assert quiz.result is not None
    assert quiz.result.summary() == f"{len(PIPELINE_COMPONENTS)} of 9 correct."
    gate = next(i for i in PIPELINE_COMPONENTS if i.prompt.startswith("gate.json"))
    marked = grade_matching({gate.prompt: "register stage"}, PIPELINE_COMPONENTS)
    first = next(m for m in marked.items if m.prompt == gate.prompt)
    assert not first.correct
    assert first.message == f"Not quite: {gate.feedback['register stage']}"
    assert marked.unanswered == len(PIPELINE_COMPONENTS) - 1
    assert "Quiz, 9 items:" in quiz._snapshot_text()
