"""The design form of the Elaborate phase: answers into a design file, checked and run,
then lessons 10 and 11 on one team's design file.

The widget is driven as a team would: set each control's value, click a button."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
import yaml

from mlops_kit.course import (
    FREE_TEXT,
    DesignAnswers,
    check_design,
    design_form_options,
    design_path,
    design_summary,
    load_design,
    read_answers,
    run_design,
    write_design,
)
from mlops_kit.course._design_check import CheckStatus
from mlops_kit.course._design_form import design_updates
from mlops_kit.course._scenarios import SCENARIOS
from mlops_kit.errors import ConfigError
from mlops_kit.widgets import DesignForm

#: What a team of four writes in words for the housing-repairs scenario.
WORDS: dict[str, Any] = {
    "team": "Team Heron",
    "members": "Ash Khan, Jo Bloggs, Sam Lee, Priya Shah",
    "approvers": "Sam Okafor",
    "owner": "Housing Data Team",
    "contact_email": "housing-data@example.gov.uk",
    "description": "The council uses this tool to decide the order in which surveyors inspect "
    "repair requests, so that homes most likely to hide a serious hazard come first.",
    "benefit": "Serious hazards are found and fixed sooner.",
    "previous_process": "First come, first served.",
    "appeals": "Tenants can ask for an urgent inspection at any time through the repairs line.",
    "metrics_rationale": "A missed hazard is the worst error, so recall has a floor.",
    "out_of_scope_uses": "Refusing a repair without an officer's review.\nJudging a tenant.",
    "ethical_considerations": "Tenants who report late may be ranked low.",
    "risk": "Officers stop moving urgent requests up by hand.",
    "risk_mitigation": "Training, and monthly checks of override rates.",
}
#: Choices that differ from the first option offered.
CHOICES: dict[str, Any] = {
    "decisions_about_people": True,
    "positive_is": "favourable",
    "model": "logistic",
    "threshold": 0.2,
    "min_score": 0.7,
    "min_recall": 0.5,
    "protected": ("sex", "age_band", "ethnic_group", "disability"),
    "four_fifths": True,
    "max_equalized_odds_difference": 0.1,
    "triggers": ("drift", "decay", "fairness"),
    "exclude": ("claim_id",),
    "quasi_identifiers": ("region", "age_band", "sex"),
}
SCENARIO = "housing_repairs_priority"


def _fill(form: DesignForm, *, only: tuple[str, ...] | None = None) -> None:
    """Answer every question of the form (or only those named), as a team would."""
    for name, control in form.controls.items():
        if only is not None and name not in only:
            continue
        if name.startswith("roles."):
            continue
        if name in WORDS:
            control.value = WORDS[name]
        elif name in CHOICES:
            control.value = CHOICES[name]
        elif isinstance(control, widgets.Dropdown):
            control.value = control.options[1][1]  # the first real option
        else:  # tick boxes
            control.value = (control.boxes[0].description,)
    if only is None:
        members = [m.strip() for m in WORDS["members"].split(",")]
        for i, role in enumerate(r for r in form.controls if r.startswith("roles.")):
            form.controls[role].value = members[i % len(members)]


# --------------------------------------------------------------------------- the form


def test_the_form_asks_choices_with_dropdowns_and_few_questions_in_words(tmp_path: Path) -> None:
    form = DesignForm(tmp_path / "ours.design.yml", scenario=SCENARIO)
    assert len(FREE_TEXT) <= 15
    words = {n for n, c in form.controls.items() if isinstance(c, widgets.Text | widgets.Textarea)}
    assert words == set(FREE_TEXT)
    options = design_form_options(SCENARIO)
    for name, control in form.controls.items():
        if name in FREE_TEXT:
            continue
        # every other answer is a choice: a drop-down, or tick boxes for several columns
        assert isinstance(control, widgets.Dropdown) or hasattr(control, "boxes"), name
    # the protected characteristics are offered from the data's own columns
    ticks = [b.description for b in form.controls["protected"].boxes]
    assert {"sex", "age_band", "ethnic_group", "disability"} <= set(ticks)
    assert "flagged" not in ticks  # the target is not a feature to protect
    assert [v for _, v in options["model"]] == ["logistic", "hgb", "rf"]
    # the template's own choices are where the form starts
    assert form.controls["model"].value == "hgb"
    assert form.controls["threshold"].value == 0.3
    assert form.value.team is None
    assert "Your team's name: not answered" in form._snapshot_text()


def test_a_filled_form_writes_a_design_that_passes_and_keeps_the_templates_comments(
    tmp_path: Path,
) -> None:
    path = tmp_path / "designs" / "ours.design.yml"
    form = DesignForm(path, scenario=SCENARIO)
    _fill(form)
    form.check_button.click()
    assert form.saved_to == path
    assert form.problems == ()
    check = form.result
    assert check is not None
    assert check.passed, check.to_frame()
    assert check.score() == {"governance": 3, "fairness": 3, "monitoring": 3, "privacy": 3}
    status = form.children[-1].value
    assert (
        "6 of 6 parts of Prioritising urgent housing-repair inspections (Team Heron) pass" in status
    )
    assert "Rollback plan: pass." in status
    text = path.read_text(encoding="utf-8")
    # comments and keys the form does not cover are kept as the template has them
    assert "# STAND-IN DATA: the bundled benefit claims play the part of repair requests" in text
    assert (
        "target: flagged                 # read as: the inspection found a serious hazard" in text
    )
    assert "organisation: Riverside Borough Council (fictional)" in text
    assert "# four_fifths: TODO" not in text  # the commented-out key became the answer
    raw = yaml.safe_load(text)
    assert raw["team"] == "Team Heron"
    assert raw["pipeline"]["policy"]["approvers"] == ["Sam Okafor"]
    assert raw["pipeline"]["policy"]["min_metrics"] == {"roc_auc": 0.7, "recall": 0.5}
    assert raw["pipeline"]["monitoring"]["performance"]["threshold"] == 0.2
    assert raw["pipeline"]["transparency"]["out_of_scope_uses"] == [
        "Refusing a repair without an officer's review.",
        "Judging a tenant.",
    ]
    assert raw["plan"]["roles"]["product_owner"] == "Ash Khan"
    assert not list(path.parent.glob(".*"))  # no temporary file left behind
    # the form reads back what it wrote, and saving again changes nothing
    again = DesignForm(path)
    assert again.value == form.value
    again.save_button.click()
    assert path.read_text(encoding="utf-8") == text


def test_a_partly_filled_form_names_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "ours.design.yml"
    form = DesignForm(path, scenario=SCENARIO)
    _fill(form, only=("team", "approvers", "approver_role", "decisions_about_people"))
    check = form.check()
    assert check is not None
    assert not check.passed
    assert check.item("approval").status is CheckStatus.PASS
    assert set(check.missing) >= {"monitoring", "rollback", "transparency"}
    status = form.children[-1].value
    assert "missing: " in status
    assert "rollback" in status
    assert "say when you would roll back (plan.rollback.when)" in status
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["plan"]["rollback"]["when"] == ""


def test_the_form_edits_a_hand_written_file_and_keeps_what_it_does_not_cover(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ours.design.yml"
    path.write_text(
        design_path(SCENARIO, example=True).read_text(encoding="utf-8"), encoding="utf-8"
    )
    before = yaml.safe_load(path.read_text(encoding="utf-8"))
    form = DesignForm(path)
    # what matches the form's options is shown; hand-written sentences stay unanswered
    assert form.controls["team"].value == "Example team (model answer)"
    assert form.controls["protected"].value == ("sex", "age_band", "ethnic_group", "disability")
    assert form.controls["approvers"].value == "Sam Okafor"
    assert form.controls["rollback_how"].value is None
    form.controls["team"].value = "Team Otter"
    form.controls["psi_threshold"].value = 0.2
    assert form.save() == path
    after = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert after["team"] == "Team Otter"
    assert after["pipeline"]["monitoring"]["drift"]["psi_threshold"] == 0.2
    assert after["plan"]["rollback"] == before["plan"]["rollback"]  # written by hand, kept
    assert after["pipeline"]["registry"] == before["pipeline"]["registry"]
    assert (
        after["pipeline"]["monitoring"]["performance"]
        == before["pipeline"]["monitoring"]["performance"]
    )
    assert check_design(path).passed


def test_a_refused_answer_leaves_the_file_unchanged_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "ours.design.yml"
    form = DesignForm(path, scenario=SCENARIO)
    form.controls["team"].value = "Team Heron"
    assert form.save() == path
    text = path.read_text(encoding="utf-8")
    form.controls["contact_email"].value = "not an address"
    assert form.save() is None
    assert form.check() is None
    assert "contact_email" in form.problems[0]
    assert "ours.design.yml" in form.problems[0]
    assert "Not saved." in form.children[-1].value
    assert path.read_text(encoding="utf-8") == text
    assert not list(tmp_path.glob(".*"))


def test_a_new_file_needs_its_scenario() -> None:
    with pytest.raises(ConfigError, match="needs the 'scenario'"):
        DesignForm("nowhere/ours.design.yml")
    with pytest.raises(ConfigError, match="needs the 'scenario'"):
        write_design(DesignAnswers(team="x"), "nowhere/ours.design.yml")


# --------------------------------------------------------------------------- the model


def test_answers_are_validated_and_normalised() -> None:
    answers = DesignAnswers.from_dict(
        {"team": "  Team   Heron ", "approvers": "Sam Okafor, Alex Morgan,", "roles": {}}
    )
    assert answers.team == "Team Heron"
    assert answers.approvers == ("Sam Okafor", "Alex Morgan")
    assert DesignAnswers(team="   ").team is None
    with pytest.raises(ConfigError, match=r"no question 'temm'.*Did you mean 'team'"):
        DesignAnswers.from_dict({"temm": "x"})
    with pytest.raises(ConfigError, match="unknown role 'owner'"):
        DesignAnswers(roles={"owner": "Ash Khan"})


def test_design_updates_sets_both_keys_of_one_answer_and_skips_unanswered_ones() -> None:
    updates = design_updates(
        DesignAnswers(decisions_about_people=True, protected=("sex",), threshold=0.2)
    )
    assert updates["plan.decisions_about_people"] is True
    assert updates["pipeline.policy.high_impact"] is True
    # monitoring is the team's decision: the threshold reaches it only once it is set up
    assert not any(k.startswith("pipeline.monitoring") for k in updates)
    monitored = design_updates(DesignAnswers(threshold=0.2, psi_threshold=0.1))
    assert monitored["pipeline.monitoring.performance.threshold"] == 0.2
    assert "sex" in updates["pipeline.transparency.factors_note"]
    assert "team" not in updates
    # a regression design has no flags, so no threshold or protected groups are written
    assert design_updates(DesignAnswers(threshold=0.2, protected=("x",)), task="regression") == {}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_template_itself_reads_back_and_writes_unchanged(tmp_path: Path, scenario: str) -> None:
    start = read_answers(design_path(scenario))
    assert start.team is None
    path = write_design(start, tmp_path / "t.design.yml", scenario=scenario)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == yaml.safe_load(
        design_path(scenario).read_text(encoding="utf-8")
    )


def test_the_forecast_form_writes_why_no_groups_are_compared(tmp_path: Path) -> None:
    scenario = "hospital_admissions_forecast"
    form = DesignForm(tmp_path / "f.design.yml", scenario=scenario)
    assert "protected" not in form.controls
    assert "threshold" not in form.controls
    form.controls["no_groups_reason"].value = form.controls["no_groups_reason"].options[1][1]
    form.controls["team"].value = "Team Otter"
    check = form.check()
    assert check is not None
    assert check.item("fairness").status is CheckStatus.PASS
    assert load_design(form.path).team == "Team Otter"


def test_a_form_written_design_runs_and_is_summarised_in_its_own_words(tmp_path: Path) -> None:
    path = tmp_path / "ours.design.yml"
    form = DesignForm(path, scenario=SCENARIO)
    _fill(form)
    check = form.check()
    assert check is not None
    assert check.passed
    summary = design_summary(path, check=check)
    assert summary["Scenario"].startswith(
        "Prioritising urgent housing-repair inspections, designed by Team Heron"
    )
    assert "Sam Okafor" in summary["Who signs off"]
    assert summary["Design check"] == check.summary()
    result = run_design(
        path, runs_dir=tmp_path / "runs", n_trials=0, explain_rows=50, model="logistic"
    )
    config = yaml.safe_load((result.run_dir / "config.yml").read_text(encoding="utf-8"))
    assert config["positive_is"] == "favourable"
    assert config["policy"]["approvers"] == ["Sam Okafor"]
    gate = json.loads((result.run_dir / "gate.json").read_text(encoding="utf-8"))
    # the team's own policy is applied: the four-fifths rule is among the gate's checks
    assert any("four-fifths" in c["name"] for c in gate["checks"]), gate["checks"]


# --------------------------------------------------------------------------- lessons 10 then 11

# Lesson 10 writing a team's answers into its design file and lesson 11 scoring and
# reporting that design are tested where the workshop walk runs them, one after the
# other in one folder (test_workshop_path.py, lessons 10 and 11).


@pytest.mark.notebook
def test_lesson_11_without_a_design_file_names_the_path_it_looked_for(tmp_path: Path) -> None:
    from papermill.exceptions import PapermillExecutionError

    from mlops_kit.pipeline import execute_notebook

    from .test_notebooks import REPO

    with pytest.raises(PapermillExecutionError) as err:
        execute_notebook(
            REPO / "notebooks" / "11_evaluate_reflect.ipynb",
            tmp_path / "11.ipynb",
            parameters={},
            cwd=tmp_path,
        )
    assert "designs/benefit_claims_triage.design.yml' was not found" in str(err.value)
    assert "Lesson 10 (10_elaborate_design.ipynb)" in str(err.value)
