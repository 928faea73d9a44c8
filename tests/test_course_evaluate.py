"""The Evaluate lesson's kit: rubric, peer feedback (record, folder, form), self-assessment
and the written report. Widgets are driven as a learner would: set values, click Save."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops_kit.course import (
    COMBINING_RULE,
    REFLECTION_QUESTIONS,
    RUBRIC,
    SKILLS,
    PeerFeedback,
    RubricScore,
    export_written_report,
    load_feedback,
    load_rubric_example,
    peer_levels,
    rubric_frame,
    save_feedback,
    score_rubric,
    self_assessment_summary,
)
from mlops_kit.course._feedback import FEEDBACK_COLUMNS
from mlops_kit.course._reflect import SkillsSelfAssessment
from mlops_kit.errors import ConfigError
from mlops_kit.widgets import PeerFeedbackForm

KEYS = [c.key for c in RUBRIC]


def scores(**overrides: int) -> dict[str, int]:
    return dict.fromkeys(KEYS, 2) | overrides


def record(team: str = "Team Otter", reviewer: str = "Sam Lee", **levels: int) -> PeerFeedback:
    return PeerFeedback(
        team=team,
        reviewer=reviewer,
        scores=scores(**levels),
        strength="The fairness limit blocks promotion.",
        improvement="Name the person who signs off.",
    )


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# --------------------------------------------------------------------------- rubric


def test_the_rubric_has_six_criteria_each_with_four_distinct_levels() -> None:
    assert KEYS == ["governance", "fairness", "monitoring", "privacy", "technical", "communication"]
    for criterion in RUBRIC:
        assert len(set(criterion.levels)) == 4, criterion.key
    assert rubric_frame().shape == (6, 6)


def test_score_rubric_combines_each_criterion_by_the_documented_rule() -> None:
    score = score_rubric(
        {"governance": 3, "fairness": 1, "monitoring": 3, "privacy": 0},
        {"governance": 2, "fairness": 1, "monitoring": 0, "technical": 3},
    )
    # mean rounded down when both, the one given when one, nothing when neither
    assert [score.level(k) for k in KEYS] == [2, 1, 1, 0, 3, None]
    assert score.total == 7
    assert score.maximum == 18
    assert score.not_scored == ("Communication",)
    assert score.summary() == "Total 7 of 18. Not scored yet: Communication."
    frame = score.to_frame()
    assert frame.loc["governance", "automatic"] == 3
    assert frame.loc["governance", "peer"] == 2
    assert frame.loc["privacy", "in words"] == "missing"
    assert frame["level"].isna().tolist() == [False] * 5 + [True]
    assert frame.loc["technical", "descriptor"] == RUBRIC[4].levels[3]
    assert score.rule == COMBINING_RULE
    page = score._repr_html_()
    assert "<caption>Rubric score: Total 7 of 18." in page
    assert 'scope="col"' in page
    assert score.to_dict()["criteria"]["fairness"] == {"automatic": 1, "peer": 1, "level": 1}


def test_score_rubric_with_nothing_scores_nothing() -> None:
    score = score_rubric(None, None)
    assert score.total == 0
    assert len(score.not_scored) == 6


@pytest.mark.parametrize("level", [4, -1, 1.5, "2", True, None])
def test_score_rubric_refuses_a_level_outside_0_to_3(level: Any) -> None:
    with pytest.raises(ConfigError, match=r"'fairness' in the 'peer' parameter.*0 to 3"):
        score_rubric(peer={"fairness": level})


def test_score_rubric_names_unknown_criteria_with_a_hint_and_lists_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        score_rubric({"governence": 2}, {"privacy": 7, "comms": 1})
    problems = info.value.problems
    assert len(problems) == 3
    assert "unknown criterion 'governence'" in problems[0]
    assert "Did you mean 'governance'?" in problems[0]
    assert "Got 7 instead" in problems[1]
    with pytest.raises(ConfigError, match="must be a mapping of criterion to level"):
        score_rubric([("governance", 2)])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="Did you mean 'technical'"):
        score_rubric(auto={"governance": 1}).level("technicl")


def test_the_bundled_example_loads_and_scores(tmp_path: Path) -> None:
    example = load_rubric_example()
    assert example["auto"] == {"governance": 2, "fairness": 3, "monitoring": 2, "privacy": 1}
    reviews = [PeerFeedback(team=example["team"], **r) for r in example["peer_reviews"]]
    assert len(reviews) == 2
    broken = tmp_path / "broken.yml"
    broken.write_text("team: x\nauto: {fairness: 9}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="exactly the keys"):
        load_rubric_example(broken)


# --------------------------------------------------------------------------- feedback


def test_peer_feedback_refuses_bad_input_listing_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        PeerFeedback(
            team=" ",
            reviewer="Sam",
            scores={"governance": 5, "fairnes": 1},
            strength="ok",
            improvement="Say who acts on a drift alert.",
        )
    text = str(info.value)
    assert "'team' of PeerFeedback must be a non-empty name" in text
    assert "'strength' of PeerFeedback must be a sentence of at least 15" in text
    assert "Did you mean 'fairness'?" in text
    assert "'governance' in the 'scores' parameter" in text
    with pytest.raises(ConfigError, match="Missing: fairness, monitoring, privacy"):
        PeerFeedback("T", "R", {"governance": 1}, "x" * 20, "y" * 20)


def test_feedback_round_trips_through_the_shared_folder(tmp_path: Path) -> None:
    folder = tmp_path / "feedback"
    a = save_feedback(record(reviewer="Sam Lee", fairness=3, monitoring=1), folder)
    b = save_feedback(record(reviewer="Ash Khan", fairness=2, monitoring=0), folder)
    c = save_feedback(record(team="Team Heron", reviewer="Sam Lee", privacy=0), folder)
    assert len({a, b, c}) == 3
    # flat in the shared folder: a sticky-bit folder needs no per-team sub-folders
    assert {a.parent, b.parent, c.parent} == {folder}
    assert json.loads(a.read_text(encoding="utf-8"))["scores"]["fairness"] == 3
    (a.parent / "half-copied.json").write_text('{"team": "Team Otter", ', encoding="utf-8")
    (a.parent / f".{a.name}.abc.tmp").write_text("in progress", encoding="utf-8")

    frame = load_feedback(folder)
    assert list(frame.columns) == list(FEEDBACK_COLUMNS)
    assert len(frame) == 3
    assert frame.attrs["skipped"] == 1
    assert sorted(frame["reviewer"]) == ["Ash Khan", "Sam Lee", "Sam Lee"]
    otter = load_feedback(folder, team="Team Otter")
    assert set(otter["team"]) == {"Team Otter"}
    assert len(otter) == 2
    # median of (3, 2) is 2.5, rounded down; of (1, 0) is 0.5, rounded down
    levels = peer_levels(frame, team="Team Otter")
    assert levels == dict.fromkeys(KEYS, 2) | {"fairness": 2, "monitoring": 0}
    assert peer_levels(frame, team="Team Nobody") == {}
    assert load_feedback(tmp_path / "missing").empty


def test_saving_again_replaces_only_your_own_feedback(tmp_path: Path) -> None:
    first = save_feedback(record(reviewer="Sam Lee", governance=1), tmp_path)
    # The same person (spacing and case aside) updates their own file...
    again = save_feedback(record(reviewer="sam  LEE", governance=3), tmp_path)
    assert again == first
    assert load_feedback(tmp_path)["governance"].tolist() == [3]
    # ...but a file holding someone else's feedback is never overwritten.
    other = record(reviewer="Ash Khan")
    other.path_in(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    other.path_in(tmp_path).write_text(json.dumps({"team": "Team Otter", "reviewer": "Jo"}))
    with pytest.raises(ConfigError, match="will not overwrite"):
        save_feedback(other, tmp_path)
    assert json.loads(other.path_in(tmp_path).read_text())["reviewer"] == "Jo"
    with pytest.raises(ConfigError, match="must be a PeerFeedback"):
        save_feedback({"team": "x"}, tmp_path)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the form


def test_the_form_refuses_an_incomplete_review_in_words(tmp_path: Path) -> None:
    form = PeerFeedbackForm(["Team Otter", "Team Heron"], folder=tmp_path)
    form.reviewer_field.value = "Sam Lee"
    form.level_dropdowns["governance"].value = 2
    form.strength_field.value = "short"
    form.save_button.click()
    assert form.result is None
    assert not list(tmp_path.rglob("*.json"))
    status = text_of(form.children[-1].value)
    assert "Not saved" in status
    assert "Choose the team you reviewed." in form.problems
    assert any(p.startswith("Choose a level for: Fairness and equality") for p in form.problems)
    assert any("'strength'" in p for p in form.problems)
    assert "Choose a level for" in status


def test_the_form_saves_a_complete_review_that_load_feedback_reads(tmp_path: Path) -> None:
    form = PeerFeedbackForm(["Team Otter", "Team Heron"], folder=tmp_path)
    assert "mlops-feedback-form" in form._dom_classes
    labels = [d.description for d in form.level_dropdowns.values()]
    assert labels[0] == "Level for Governance and approval"
    assert form.level_dropdowns["privacy"].options[1] == ("0: missing", 0)
    form.team_dropdown.value = "Team Heron"
    form.reviewer_field.value = "Ash Khan"
    for key, level in zip(KEYS, [3, 2, 1, 0, 2, 3], strict=True):
        form.level_dropdowns[key].value = level
    form.strength_field.value = "Drift thresholds come from past months."
    form.improvement_field.value = "Say what the public will be told."
    form.save_button.click()
    assert form.problems == ()
    assert form.result is not None
    assert form.result.total == 11
    assert "✓ Saved your feedback on Team Heron: 11 of 18" in text_of(form.children[-1].value)
    frame = load_feedback(tmp_path)
    assert frame.loc[0, "reviewer"] == "Ash Khan"
    assert frame.loc[0, "privacy"] == 0
    assert form.saved_to == Path(str(frame.loc[0, "file"]))
    bundle = form._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "Last saved: Ash Khan on Team Heron." in data["text/plain"]
    with pytest.raises(ConfigError, match="one or more different"):
        PeerFeedbackForm(["A", "A"], folder=tmp_path)


# --------------------------------------------------------------------------- self-assessment


def test_self_assessment_shows_growth_and_the_gaps_left() -> None:
    keys = [s.key for s in SKILLS]
    before = dict.fromkeys(keys, 1) | {"metrics": 3}
    after = dict.fromkeys(keys, 3) | {"abtesting": 2, "metrics": 3}
    result = self_assessment_summary(before, SkillsSelfAssessment(after))
    assert result.gaps == ("A/B testing",)
    assert "Choosing metrics" not in result.grew
    assert len(result.grew) == len(keys) - 1
    frame = result.to_frame()
    assert frame.loc["A/B testing", "change"] == 1
    assert frame.loc["A/B testing", "after in words"] == "I could follow it with help"
    assert "<caption>Skills self-assessment" in result._repr_html_()
    with pytest.raises(ConfigError) as info:
        SkillsSelfAssessment({"metric": 2, "tuning": 5})
    assert "Did you mean 'metrics'?" in str(info.value)
    assert "from 1 to 4" in str(info.value)
    assert "miss the skills" in str(info.value)


# --------------------------------------------------------------------------- the report


def test_the_written_report_is_accessible_markdown_and_html(tmp_path: Path) -> None:
    feedback = [record(reviewer="Sam Lee"), record(reviewer="Ash | Khan", technical=3)]
    feedback.append(record(team="Team Heron", reviewer="Jo Bloggs"))
    rubric = score_rubric({"governance": 3}, peer_levels(_frame(feedback), team="Team Otter"))
    keys = [s.key for s in SKILLS]
    report = export_written_report(
        "Team  Otter",
        "We retrain monthly.\n\nA named person signs off <every> release.",
        rubric,
        feedback,
        {"surprise": "How much the audit log records.", "risk": ""},
        path=tmp_path / "reports" / "otter.md",
        self_assessment=self_assessment_summary(dict.fromkeys(keys, 1), dict.fromkeys(keys, 2)),
    )
    md = report.markdown.read_text(encoding="utf-8")
    page = report.html.read_text(encoding="utf-8")
    assert report.html == tmp_path / "reports" / "otter.html"
    assert md.startswith("# Pipeline design report: Team Otter\n")
    assert [line for line in md.splitlines() if line.startswith("## ")] == [
        "## Our design",
        "## Rubric score",
        "## Peer feedback",
        "## Reflections",
        "## Skills self-assessment",
    ]
    assert "Table 1: Rubric score. Total" in md
    assert "| Communication | not given | 2 (specified) | 2 (specified) |" in md
    assert "| Governance and approval | 3 (specified and justified) | 2 (specified) |" in md
    assert "Ash \\| Khan" in md
    assert "Jo Bloggs" not in md
    assert md.count(REFLECTION_QUESTIONS["risk"]) == 1
    assert md.count("Not answered yet.") == len(REFLECTION_QUESTIONS) - 1
    # the HTML: language, one h1, captions on every table, scoped headers, text escaped
    assert '<html lang="en-GB">' in page
    assert page.count("<h1>") == 1
    assert page.count("<table>") == page.count("<caption>") == 4
    assert 'scope="col"' in page
    assert 'scope="row"' in page
    assert "&lt;every&gt;" in page
    assert "<every>" not in page
    assert not list((tmp_path / "reports").glob(".*"))  # no temporary files left


def test_the_written_report_refuses_bad_input(tmp_path: Path) -> None:
    rubric = score_rubric({"governance": 1})
    with pytest.raises(ConfigError, match=r"ending '\.md'"):
        export_written_report("T", "x", rubric, [], {}, path=tmp_path / "r.html")
    with pytest.raises(ConfigError, match="Did you mean 'surprise'"):
        export_written_report("T", "x", rubric, [], {"suprise": "a"}, path=tmp_path / "r.md")
    with pytest.raises(ConfigError, match="must be a RubricScore"):
        export_written_report("T", "x", {"governance": 1}, [], {}, path=tmp_path / "r.md")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="non-empty name"):
        export_written_report(" ", "x", rubric, [], {}, path=tmp_path / "r.md")
    assert not list(tmp_path.iterdir())
    assert isinstance(rubric, RubricScore)


def _frame(records: list[PeerFeedback]) -> pd.DataFrame:
    return pd.DataFrame([{"team": r.team, "reviewer": r.reviewer, **r.scores} for r in records])
