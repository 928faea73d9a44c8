"""The Data Ethics Framework self-assessment: scores validated, saved with a run, and its form.

The run folder is made by the real validate stage (the assessment needs only a run that
has started); the form is driven as a learner would, by choosing scores, typing notes and
clicking Save.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mlops_kit.data import dataset_info
from mlops_kit.errors import ArtefactError, DocumentationError
from mlops_kit.governance import (
    ETHICS_AREAS,
    ETHICS_SCALE,
    EthicsAssessment,
    assess_ethics,
    load_ethics_assessment,
)
from mlops_kit.governance._ethics import ethics_history
from mlops_kit.widgets import EthicsAssessmentForm

GOOD = {
    "transparency": 4,
    "accountability": 5,
    "fairness": 1,
    "public_benefit_and_user_need": 4,
    "diverse_expertise": 3,
    "comply_with_the_law": 4,
    "data_quality_and_limitations": 2,
    "wider_policy_implications": 3,
}
NOTES = {
    "fairness": "Fails the four-fifths rule by ethnic group; the EIA is in progress.",
    "data_quality_and_limitations": "Labels come from uneven past reviews; relabelling.",
    "accountability": "SRO named; every model version signed off.",
}


def find(widget: Any, css_class: str) -> list[Any]:
    """Every widget under ``widget`` (itself included) carrying ``css_class``."""
    found = [widget] if css_class in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css_class)
    return found


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder written by the real validate stage (once per module)."""
    from mlops_kit.pipeline import validate_stage
    from mlops_kit.pipeline._context import write_run_context

    workspace = tmp_path_factory.mktemp("ethics")
    folder = workspace / "runs" / "claims-7"
    write_run_context(
        folder,
        run_id="claims-7",
        trained_by="Ada Trainer",
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=None,
    )
    validate_stage(
        folder,
        data=str(dataset_info("benefit_claims").path),
        target="flagged",
        positive_is="adverse",
        protected=["sex", "ethnic_group"],
        exclude=["claim_id"],
        time_column="month",
    )
    return folder


@pytest.fixture
def run_dir(validated: Path, tmp_path: Path) -> Path:
    """A fresh copy of the validated run folder for each test."""
    folder = tmp_path / "runs" / validated.name
    shutil.copytree(validated, folder)
    return folder


def test_the_areas_are_the_frameworks_principles_and_actions() -> None:
    principles = [a.title for a in ETHICS_AREAS if a.kind == "principle"]
    actions = [a.title for a in ETHICS_AREAS if a.kind == "action"]
    assert principles == ["Transparency", "Accountability", "Fairness"]
    assert actions == [
        "Define and understand public benefit and user need",
        "Involve diverse expertise",
        "Comply with the law",
        "Review the quality and limitations of the data",
        "Evaluate and consider wider policy implications",
    ]
    assert sorted(ETHICS_SCALE) == [0, 1, 2, 3, 4, 5]
    assert all(a.question.endswith("?") for a in ETHICS_AREAS)


@pytest.mark.parametrize(
    ("score", "words"),
    [
        (3.5, "must be a whole number from 0 to 5. Got 3.5 instead."),
        ("3", "must be a whole number from 0 to 5. Got '3' instead."),
        (True, "must be a whole number from 0 to 5. Got True instead."),
        (6, "must be a whole number from 0 to 5. Got 6 instead."),
        (-1, "must be a whole number from 0 to 5. Got -1 instead."),
    ],
)
def test_a_score_must_be_a_whole_number_from_0_to_5(score: Any, words: str) -> None:
    with pytest.raises(DocumentationError) as info:
        assess_ethics({**GOOD, "diverse_expertise": score}, notes=NOTES, assessed_by="Sam Lee")
    assert info.value.problems == (
        f"The score of Involve diverse expertise ('diverse_expertise') {words}",
    )


def test_every_problem_is_listed_at_once() -> None:
    scores = {k: v for k, v in GOOD.items() if k != "transparency"} | {"fairnes": 2}
    notes = {"fairness": "too short", "accountabilty": "typo"}
    with pytest.raises(DocumentationError) as info:
        assess_ethics(scores, notes=notes, assessed_by="  ")
    problems = info.value.problems
    assert len(problems) == 6
    assert "breaks 6 rules" in str(info.value)
    assert any(
        "'fairnes' is not an area" in p and "Did you mean 'fairness'?" in p for p in problems
    )
    assert any("Notes are given for 'accountabilty'" in p for p in problems)
    assert "Transparency ('transparency') has no score; score every area 0 to 5." in problems
    assert (
        "Fairness is scored 1, so it needs a note of at least 15 characters saying what is "
        "missing and what will be done. Got 'too short' instead."
    ) in problems
    assert any(
        p.startswith("Review the quality and limitations of the data is scored 2") for p in problems
    )
    assert "The assessor must be named, so the scores are accountable. Got '  '." in problems


def test_a_high_score_needs_no_note_and_the_summary_names_the_weak_areas() -> None:
    assessment = assess_ethics(GOOD, notes=NOTES, assessed_by=" Sam Lee ", role="Data ethics lead")
    assert assessment.assessed_by == "Sam Lee"
    assert assessment.average == pytest.approx(sum(GOOD.values()) / 8)
    assert [s.key for s in assessment.needs_work] == ["fairness", "data_quality_and_limitations"]
    assert assessment.summary() == (
        "Data Ethics Framework self-assessment by Sam Lee (Data ethics lead): average 3.2 out "
        "of 5. 2 areas need further work (scored 2 or less): Fairness (1), Review the quality "
        "and limitations of the data (2)."
    )
    frame = assessment.to_frame()
    assert list(frame.index) == [a.title for a in ETHICS_AREAS]
    assert list(frame["score"]) == [GOOD[a.key] for a in ETHICS_AREAS]
    assert frame.loc["Fairness", "meaning"] == ETHICS_SCALE[1]
    assert frame.loc["Fairness", "notes"] == NOTES["fairness"]
    assert frame.loc["Transparency", "kind"] == "principle"


def test_html_summary_says_scores_in_words(run_dir: Path) -> None:
    html = assess_ethics(GOOD, notes=NOTES, assessed_by="Sam Lee")._repr_html_()
    assert "<caption>Data Ethics Framework self-assessment" in html
    assert html.count("<th scope='row'>") == 8
    assert html.count("<th scope='col'>") == 4
    assert "1 of 5: considered, but nothing done yet <strong>(needs further work)</strong>" in html
    assert html.count("(needs further work)") == 2


def test_save_and_load_round_trip_with_history(run_dir: Path) -> None:
    first = assess_ethics(GOOD, notes=NOTES, assessed_by="Sam Lee", role="Data ethics lead")
    path = first.save(run_dir)
    assert path == run_dir / "ethics_assessment.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["latest"]["run_id"] == "claims-7"
    assert saved["latest"]["scores"][2] == {
        "key": "fairness",
        "area": "Fairness",
        "kind": "principle",
        "score": 1,
        "meaning": ETHICS_SCALE[1],
        "notes": NOTES["fairness"],
    }
    assert saved["history"] == []
    loaded = load_ethics_assessment(run_dir)
    assert loaded is not None
    assert loaded.scores == first.scores
    assert (loaded.assessed_by, loaded.role, loaded.assessed_at) == (
        first.assessed_by,
        first.role,
        first.assessed_at,
    )
    assert loaded.run_id == "claims-7"
    # Revisiting the assessment keeps the earlier one.
    second = assess_ethics({**GOOD, "fairness": 3}, notes=NOTES, assessed_by="Sam Lee")
    second.save(run_dir)
    history = ethics_history(run_dir)
    assert [h.score("fairness").score for h in history] == [1, 3]
    latest = load_ethics_assessment(run_dir)
    assert latest is not None
    assert latest.score("fairness").score == 3
    assert not list(run_dir.glob(".*.tmp")), "no temporary files left"


def test_save_refuses_a_folder_that_is_not_this_run(run_dir: Path, tmp_path: Path) -> None:
    assessment = assess_ethics(GOOD, notes=NOTES, assessed_by="Sam Lee")
    with pytest.raises(ArtefactError, match="is not a run folder"):
        assessment.save(tmp_path)
    other = assess_ethics(GOOD, notes=NOTES, assessed_by="Sam Lee", run_id="claims-6")
    with pytest.raises(
        ArtefactError, match="belongs to run claims-6; it cannot be saved with run claims-7"
    ):
        other.save(run_dir)
    assert load_ethics_assessment(run_dir) is None


def test_a_damaged_file_is_named(run_dir: Path) -> None:
    (run_dir / "ethics_assessment.json").write_text('{"latest": {"scores": []}}', encoding="utf-8")
    with pytest.raises(ArtefactError, match="lacks 'assessed_by'"):
        load_ethics_assessment(run_dir)
    assert (
        EthicsAssessment.from_dict(
            assess_ethics(GOOD, notes=NOTES, assessed_by="Sam Lee").to_dict()
        )
        .score("fairness")
        .notes
        == NOTES["fairness"]
    )


# --------------------------------------------------------------------------- the form


def test_form_is_labelled_and_keyboard_ready(run_dir: Path) -> None:
    form = EthicsAssessmentForm(run_dir)
    assert "mlops-ethics-form" in form._dom_classes
    assert len(find(form, "mlops-ethics-area")) == 8
    assert len(find(form, "mlops-ethics-question")) == 8
    for area in ETHICS_AREAS:
        score, notes = form.score_dropdowns[area.key], form.notes_fields[area.key]
        assert score.description == f"Score for {area.title}"
        assert notes.description == f"Notes on {area.title}"
        assert score.value is None
        labels = [label for label, _ in score.options]
        assert labels[0] == "Choose a score"
        assert labels[1:] == [f"{n}: {words}" for n, words in ETHICS_SCALE.items()]
        assert [value for _, value in score.options] == [None, 0, 1, 2, 3, 4, 5]
        assert not score.disabled
    assert form.assessor_field.description == "Assessor's full name"
    assert form.save_button.description == "Save assessment"
    assert "Not saved yet" in only_text(form, "mlops-ethics-status")
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"] == "Data Ethics Framework self-assessment form: not saved yet."


def only_text(form: EthicsAssessmentForm, css: str) -> str:
    (widget,) = find(form, css)
    return str(widget.value)


def _fill(form: EthicsAssessmentForm, scores: dict[str, int], notes: dict[str, str]) -> None:
    for key, value in scores.items():
        form.score_dropdowns[key].value = value
    for key, text in notes.items():
        form.notes_fields[key].value = text


def test_form_refuses_in_words_then_saves_with_the_run(run_dir: Path) -> None:
    form = EthicsAssessmentForm(run_dir)
    _fill(form, GOOD, {})
    form.save_button.click()
    status = only_text(form, "mlops-ethics-status")
    assert status.startswith("<p>✗ Not saved: the assessment breaks 3 rules.")
    assert "Fairness is scored 1, so it needs a note" in status
    assert "The assessor must be named" in status
    assert form.result is None
    assert not (run_dir / "ethics_assessment.json").exists()
    _fill(form, {}, NOTES)
    form.assessor_field.value = "Sam Lee"
    form.role_field.value = "Data ethics lead"
    form.save_button.click()
    assert form.problems == ()
    assert form.saved_to == run_dir / "ethics_assessment.json"
    saved = load_ethics_assessment(run_dir)
    assert saved is not None
    assert form.result is not None
    assert saved.scores == form.result.scores
    assert {s.key: s.score for s in saved.scores} == GOOD
    assert saved.score("fairness").notes == NOTES["fairness"]
    status = only_text(form, "mlops-ethics-status")
    assert status.startswith("<p>✓ Saved to ethics_assessment.json in the run folder.")
    assert saved.summary() in status.replace("&#x27;", "'")
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"].endswith(saved.summary())
    assert "<caption>Data Ethics Framework self-assessment" in bundle["text/html"]


def test_form_reopens_the_latest_assessment(run_dir: Path) -> None:
    assess_ethics(GOOD, notes=NOTES, assessed_by="Sam Lee", role="Lead").save(run_dir)
    form = EthicsAssessmentForm(run_dir)
    assert {k: d.value for k, d in form.score_dropdowns.items()} == GOOD
    assert form.notes_fields["fairness"].value == NOTES["fairness"]
    assert form.assessor_field.value == "Sam Lee"
    assert "Opened the assessment saved on" in only_text(form, "mlops-ethics-status")
    form.score_dropdowns["fairness"].value = 4
    form.save_button.click()
    assert [h.score("fairness").score for h in ethics_history(run_dir)] == [1, 4]
