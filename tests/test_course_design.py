"""The Elaborate phase's design check: what it reports, the config's errors, and a real run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_kit.course import (
    ROLE_CARDS,
    check_design,
    design_path,
    governance_guidelines,
    load_design,
    role_card,
    run_design,
    scenario_brief,
    score_rubric,
)
from mlops_kit.course._design_check import DESIGN_CRITERIA, CheckStatus
from mlops_kit.course._scenarios import SCENARIOS, copy_template
from mlops_kit.errors import ConfigError


def _example(scenario: str = "benefit_claims_triage") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(design_path(scenario, example=True).read_text())
    return loaded


def _write(tmp_path: Path, design: dict[str, Any], name: str = "team.design.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(design, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_model_answer_passes_and_each_blank_template_does_not(scenario: str) -> None:
    complete = check_design(design_path(scenario, example=True))
    assert complete.passed, complete.to_frame()
    assert complete.score() == {"governance": 3, "fairness": 3, "monitoring": 3, "privacy": 3}
    blank = check_design(design_path(scenario))
    assert not blank.passed
    for criterion in ("approval", "monitoring", "rollback", "transparency"):
        assert blank.item(criterion).status is CheckStatus.MISSING, criterion
    assert [it.criterion for it in blank.items] == list(DESIGN_CRITERIA)
    # The rubric of the Evaluate lesson takes the levels as they are.
    assert score_rubric(blank.score()).level("governance") == 0


def _drop(design: dict[str, Any], *paths: str) -> dict[str, Any]:
    for path in paths:
        *parents, leaf = path.split(".")
        node = design
        for part in parents:
            node = node[part]
        node.pop(leaf)
    return design


# Removing what a criterion needs leaves the rest of the design passing.
REMOVALS = {
    "approval": ("pipeline.policy.high_impact",),
    "fairness": (
        "pipeline.protected",
        "pipeline.policy.four_fifths",
        "pipeline.policy.max_equalized_odds_difference",
    ),
    "monitoring": (
        "pipeline.monitoring",
        "pipeline.continuous",
        "plan.monitoring_owner",
        "plan.review_cadence",
    ),
    "rollback": ("plan.rollback",),
    "privacy": ("pipeline.exclude", "plan.privacy", "pipeline.transparency.dpia"),
}


@pytest.mark.parametrize("criterion", list(REMOVALS))
def test_removing_an_element_is_reported_missing_by_name(tmp_path: Path, criterion: str) -> None:
    design = _drop(_example(), *REMOVALS[criterion])
    result = check_design(_write(tmp_path, design))
    assert result.missing == (criterion,), result.to_frame()
    assert result.score()[
        {"approval": "governance", "rollback": "governance"}.get(criterion, criterion)
    ] <= (2 if criterion == "rollback" else 0)
    assert result.item(criterion).title in result._repr_html_()
    assert "✘ missing" in result._repr_html_()


def test_transparency_empties_are_named_and_a_partial_answer_is_weak(tmp_path: Path) -> None:
    design = _example()
    design["pipeline"]["transparency"]["appeals"] = ""
    design["pipeline"]["transparency"]["risks"] = []
    item = check_design(_write(tmp_path, design)).item("transparency")
    assert item.status is CheckStatus.WEAK
    assert "2 of 33 transparency parts are empty: appeals, risks" in item.message
    design["pipeline"].pop("transparency")
    assert check_design(_write(tmp_path, design)).item("transparency").status == "missing"


def test_approval_needs_named_people_and_todo_does_not_count(tmp_path: Path) -> None:
    design = _example()
    design["pipeline"]["policy"]["approvers"] = ["TODO", "me"]
    item = check_design(_write(tmp_path, design)).item("approval")
    assert item.status is CheckStatus.WEAK
    assert "policy.approvers" in item.message
    design["plan"]["approver_role"] = "TODO: decide"
    design["pipeline"]["policy"]["approvers"] = ["Alex Morgan"]
    assert check_design(_write(tmp_path, design)).item("approval").status == "weak"


def test_a_protected_column_left_out_makes_fairness_weak(tmp_path: Path) -> None:
    design = _example()
    design["pipeline"]["protected"] = ["sex", "age_band", "ethnic_group"]
    item = check_design(_write(tmp_path, design)).item("fairness")
    assert item.status is CheckStatus.WEAK
    assert "list disability under protected" in item.message


def test_forecast_without_protected_columns_needs_the_factors_note(tmp_path: Path) -> None:
    design = _example("hospital_admissions_forecast")
    assert check_design(_write(tmp_path, design)).item("fairness").status == "pass"
    design["pipeline"]["transparency"].pop("factors_note")
    item = check_design(_write(tmp_path, design)).item("fairness")
    assert item.status is CheckStatus.WEAK
    assert "factors_note" in item.message


def test_a_bad_key_in_the_pipeline_block_gives_the_configs_error(tmp_path: Path) -> None:
    design = _example()
    design["pipeline"]["modle"] = "rf"
    with pytest.raises(ConfigError, match=r"pipeline block: Unknown config key 'modle'") as err:
        load_design(_write(tmp_path, design))
    assert "Did you mean 'model'?" in str(err.value)
    design = _example()
    design["pipeline"]["design"] = {"rollback": "x"}  # design answers belong in plan
    with pytest.raises(ConfigError, match="Unknown config key 'design'"):
        check_design(_write(tmp_path, design))


def test_bad_plan_and_top_level_keys_are_named(tmp_path: Path) -> None:
    design = _example()
    design["plan"]["rollback"]["whom"] = "SRO"
    with pytest.raises(ConfigError, match=r"plan block: Unknown config key 'rollback.whom'"):
        load_design(_write(tmp_path, design))
    design = _example()
    design["plans"] = design.pop("plan")
    with pytest.raises(ConfigError, match=r"unknown key 'plans'.*Did you mean 'plan'"):
        load_design(_write(tmp_path, design))
    with pytest.raises(ConfigError, match="was not found"):
        load_design(tmp_path / "nowhere.yml")


def test_a_relative_data_path_is_relative_to_the_design_file(tmp_path: Path) -> None:
    import pandas as pd

    from mlops_kit.data import dataset_info

    folder = tmp_path / "team"
    folder.mkdir()
    pd.read_csv(dataset_info("hospital_admissions").path).to_csv(folder / "adm.csv", index=False)
    design = _example("hospital_admissions_forecast")
    design["pipeline"]["data"] = "adm.csv"
    loaded = load_design(_write(folder, design))
    assert loaded.config.data == str((folder / "adm.csv").resolve())


def test_material_is_shipped_and_copying_never_overwrites_a_teams_work(tmp_path: Path) -> None:
    for scenario in SCENARIOS:
        assert scenario_brief(scenario).startswith("# Scenario brief")
    for role in ROLE_CARDS:
        assert role_card(role).startswith("# Role card")
    for key in ("high_impact", "four_fifths", "plan.rollback", "exclude", "transparency"):
        assert key in governance_guidelines()
    with pytest.raises(ConfigError, match="Did you mean 'benefit_claims_triage'"):
        scenario_brief("benefit_claim_triage")
    copy = copy_template("housing_repairs_priority", tmp_path / "designs")
    copy.write_text(copy.read_text() + "# our edit\n")
    assert copy_template("housing_repairs_priority", tmp_path / "designs") == copy
    assert copy.read_text().endswith("# our edit\n")


@pytest.mark.slow
def test_run_design_runs_the_pipeline_and_writes_the_report(tmp_path: Path) -> None:
    result = run_design(
        design_path("benefit_claims_triage", example=True),
        runs_dir=tmp_path / "runs",
        model="logistic",
        n_trials=1,
        n_bootstrap=0,
        explain_rows=200,
    )
    assert result.run_dir.parent == tmp_path / "runs"
    assert result.report.is_file()
    status = json.loads((result.run_dir / "status.json").read_text())
    assert status["status"] == "succeeded"
    config = yaml.safe_load((result.run_dir / "config.yml").read_text())
    assert config["model"] == "logistic"
    assert config["tuning"]["n_trials"] == 1
    assert config["explain"]["max_rows"] == 200
    assert config["policy"]["approvers"] == ["Alex Morgan", "Priya Shah"]
    # The complete transparency section let the register stage record the model.
    registration = json.loads((result.run_dir / "registration.json").read_text())
    assert registration["model_name"] == "claims-design"
    assert registration["gate_decision"] in {"refuse", "needs human approval", "promote"}
