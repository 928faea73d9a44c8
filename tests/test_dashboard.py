"""The facilitator dashboard: workspace_overview, run_details and PipelineDashboard.

One workspace for the module, built through the pipeline's own stages on a sixth of the
benefit claims: a run the gate promoted, a run it refused (both registered), a run the
runner marked failed at its validate stage, and a copy of the first run with a corrupt
metrics.json and no registration.json. Every number the dashboard shows is compared with
the run's own files and the registry.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.audit import default_audit_log
from mlops_kit.config import load_config
from mlops_kit.course import find_workspace, run_details, workspace_overview
from mlops_kit.course._overview import WORKSPACE_ENV
from mlops_kit.data import dataset_info
from mlops_kit.errors import ConfigError, PipelineError
from mlops_kit.pipeline import (
    STAGES,
    evaluate_stage,
    explain_stage,
    gate_stage,
    monitor_stage,
    register_stage,
    report_stage,
    run_pipeline,
    stage_parameters,
    train_stage,
    tune_stage,
    validate_stage,
)
from mlops_kit.pipeline._context import write_run_context
from mlops_kit.registry import Registry
from mlops_kit.widgets import PipelineDashboard

#: A policy every reasonable model passes: performance only, not high-impact.
LENIENT = {
    "high_impact": False,
    "min_metrics": {"roc_auc": 0.6},
    "four_fifths": False,
    "max_equalized_odds_difference": None,
}
_STAGES = {
    "validate": validate_stage,
    "tune": tune_stage,
    "train": train_stage,
    "evaluate": evaluate_stage,
    "explain": explain_stage,
    "gate": gate_stage,
    "register": register_stage,
    "monitor": monitor_stage,
}


def claims_sample(workspace: Path) -> Path:
    """A sixth of the bundled benefit claims, in the workspace (written once)."""
    path = workspace / "claims sample.csv"
    if not path.is_file():
        workspace.mkdir(parents=True, exist_ok=True)
        pd.read_csv(dataset_info("benefit_claims").path).iloc[::6].to_csv(path, index=False)
    return path


def make_run(
    workspace: Path,
    run_id: str,
    *,
    trained_by: str,
    started_at: str,
    policy: dict[str, Any] | None = None,
    model: str = "logistic",
) -> Path:
    """A complete run folder ``<workspace>/runs/<run_id>``: every stage, called by hand.

    Tuning and explanations are switched off (their stages record that), so a run takes
    a few seconds; the model is registered in the workspace's registry.
    """
    overrides: dict[str, Any] = {
        "data": str(claims_sample(workspace)),
        "model": model,
        "cv_folds": 0,
        "n_bootstrap": 0,
        "tuning.n_trials": 0,
        "explain.enabled": False,
    }
    overrides.update({f"policy.{key}": value for key, value in (policy or {}).items()})
    config = load_config(dataset_info("benefit_claims").config, overrides)
    run = workspace / "runs" / run_id
    write_run_context(
        run,
        run_id=run_id,
        trained_by=trained_by,
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=None,
        started_at=started_at,
    )
    for name, stage in _STAGES.items():
        stage(run, **stage_parameters(name, config))
    report_stage(run)
    return run


def copy_run(source: Path, run_id: str, *, started_at: str) -> Path:
    """A copy of a run folder under another id (its run.json rewritten)."""
    target = source.parent / run_id
    shutil.copytree(source, target)
    context = _json(target / "run.json")
    write_run_context(target, **{**context, "run_id": run_id, "started_at": started_at})
    return target


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dashboard")
    make_run(
        home,
        "promoted",
        trained_by="Ada Trainer",
        started_at="2026-01-05T09:00:00+00:00",
        policy=LENIENT,
    )
    make_run(home, "refused", trained_by="Bo Trainer", started_at="2026-01-06T09:00:00+00:00")
    # A run the runner marks failed: the target has a gap, so its validate stage stops.
    data = pd.read_csv(claims_sample(home))
    data.loc[data.index[10], "flagged"] = np.nan
    poisoned = home / "poisoned.csv"
    data.to_csv(poisoned, index=False)
    config = load_config(dataset_info("benefit_claims").config, {"data": str(poisoned)})
    with pytest.raises(PipelineError, match="Stage 'validate' failed"):
        run_pipeline(config, runs_dir=home / "runs", workspace=home, progress=None)
    # A damaged copy: metrics.json cut short, registration.json gone.
    damaged = copy_run(
        home / "runs" / "promoted", "damaged", started_at="2026-01-04T09:00:00+00:00"
    )
    (damaged / "metrics.json").write_text('{"task": "classification", "roc_', encoding="utf-8")
    (damaged / "registration.json").unlink()
    return home


def _failed_id(workspace: Path) -> str:
    (failed,) = [p.name for p in (workspace / "runs").iterdir() if (p / "status.json").is_file()]
    return failed


# --------------------------------------------------------------------------- the model


def test_every_run_is_listed_newest_first_with_its_status(workspace: Path) -> None:
    overview = workspace_overview(workspace)
    failed = _failed_id(workspace)
    # The failed run started today, after the runs dated January 2026 by hand.
    assert overview.run_ids == [failed, "refused", "promoted", "damaged"]
    assert overview["promoted"].status == "complete"
    assert overview["refused"].status == "complete"
    assert overview[failed].status == "failed at stage validate"
    assert "Target column 'flagged'" in (overview[failed].error or "")
    assert overview["promoted"].trained_by == "Ada Trainer"
    assert overview["refused"].trained_by == "Bo Trainer"
    assert overview["promoted"].data == "claims sample.csv"
    assert overview["promoted"].model == "logistic"
    assert overview["promoted"].started_at == "2026-01-05T09:00:00+00:00"
    summary = overview.summary()
    assert summary.startswith(f"4 run(s) in {workspace}: ")
    assert "1 failed" in summary
    assert "1 with missing or unreadable files" in summary


@pytest.mark.parametrize("run_id", ["promoted", "refused"])
def test_numbers_are_the_runs_own(workspace: Path, run_id: str) -> None:
    run = workspace_overview(workspace)[run_id]
    folder = workspace / "runs" / run_id
    metrics = _json(folder / "metrics.json")
    gate = _json(folder / "gate.json")
    registration = _json(folder / "registration.json")
    assert run.metrics == (
        ("ROC AUC", metrics["roc_auc"]),
        ("precision", metrics["precision"]),
        ("recall", metrics["recall"]),
    )
    assert run.decision == gate["decision"]
    assert run.reasons == tuple(gate["reasons"])
    ratios = {a: f["four_fifths"]["ratio"] for a, f in metrics["fairness"].items()}
    assert run.worst_ratio == min(ratios.values())
    assert run.worst_attribute == min(ratios, key=ratios.__getitem__)
    assert (run.model_name, run.version) == (registration["model_name"], registration["version"])
    assert run.report == str(folder / "report.html")
    assert run.problems == ()


def test_the_gate_and_the_registry_are_said_in_words(workspace: Path) -> None:
    overview = workspace_overview(workspace)
    promoted, refused = overview["promoted"], overview["refused"]
    assert (promoted.decision, refused.decision) == ("promote", "refuse")
    # Aliases are read from the registry now, not from registration.json.
    aliases = Registry(workspace=workspace).aliases("benefit-claims")
    assert aliases == {"champion": promoted.version}
    assert promoted.aliases == ("champion",)
    assert refused.aliases == ()
    assert promoted.version_words() == f"benefit-claims v{promoted.version} (champion)"
    assert refused.version_words() == f"benefit-claims v{refused.version} (no alias)"
    first = _json(workspace / "runs" / "refused" / "gate.json")["reasons"][0]
    assert first.startswith("Refused: ")
    assert refused.decision_words() == f"refuse: {first.removeprefix('Refused: ')}"
    assert "four-fifths rule by ethnic_group" in refused.decision_words()
    assert refused.fairness_words() == (
        f"{refused.worst_ratio:.2f} by {refused.worst_attribute} (below 0.8, fails)"
    )
    assert overview.registry == f"aliases read from sqlite:///{workspace}/mlops.db"


def test_the_audit_chain_is_checked_and_a_broken_entry_named(
    workspace: Path, tmp_path: Path
) -> None:
    overview = workspace_overview(workspace)
    entries = len(default_audit_log(workspace).entries())
    assert overview.audit == f"intact, {entries} entries"
    assert overview.audit_ok
    # A copy of the log with one entry edited: the dashboard names the entry.
    shutil.copytree(workspace / "audit", tmp_path / "audit")
    shutil.copytree(workspace / ".mlops", tmp_path / ".mlops")
    log = tmp_path / "audit" / "audit.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("Ada Trainer", "Somebody Else")
    log.write_text("".join(lines), encoding="utf-8")
    broken = workspace_overview(tmp_path)
    assert not broken.audit_ok
    assert broken.audit.startswith("BROKEN at entry seq 3 (altered): Entry seq 3 on line 3")
    assert broken.empty
    assert "No runs yet" in broken.summary()
    assert f"Audit log: {broken.audit}" in broken.summary()


def test_a_failed_run_and_a_damaged_folder_are_shown_not_fatal(workspace: Path) -> None:
    overview = workspace_overview(workspace)
    failed = overview[_failed_id(workspace)]
    # Nothing after the failed stage is expected, so nothing is reported missing.
    assert failed.problems == ()
    assert (failed.decision, failed.version, failed.metrics) == (None, None, ())
    assert failed.decision_words() == "not gated"
    damaged = overview["damaged"]
    assert damaged.status == "incomplete: files missing from stage register"
    assert damaged.metrics == ()
    assert damaged.worst_ratio is None
    assert damaged.version is None
    assert damaged.decision == "promote"  # gate.json is intact
    assert damaged.problems[0].startswith("metrics.json cannot be read (JSONDecodeError: ")
    assert "registration.json is missing (written by the register stage)." in damaged.problems
    details = run_details(damaged.run_dir, overview=overview)
    page = details.to_html()
    assert "Missing or unreadable files" in page
    assert "No metrics: metrics.json cannot be read (see the problems above)." in page
    failed_page = run_details(failed.run_dir).to_html()
    assert "No metrics: the evaluate stage has not written metrics.json." in failed_page
    assert "Not gated: the gate stage has not written gate.json." in failed_page
    assert "No report: the report stage has not written report.html." in failed_page
    # The other runs read as usual.
    assert overview["promoted"].metrics


def test_details_hold_metrics_checks_fairness_alerts_figures_and_report(
    workspace: Path,
) -> None:
    overview = workspace_overview(workspace)
    folder = workspace / "runs" / "refused"
    details = run_details(folder, overview=overview)
    metrics = _json(folder / "metrics.json")
    table = {name: value for name, value, _ in details.metrics}
    assert table["roc_auc"] == metrics["roc_auc"]
    assert table["accuracy"] == metrics["accuracy"]
    assert table["f1"] == metrics["f1"]
    gate = _json(folder / "gate.json")
    assert details.gate is not None
    assert [c.name for c in details.gate.checks] == [c["name"] for c in gate["checks"]]
    assert [c.passed for c in details.gate.checks] == [c["passed"] for c in gate["checks"]]
    by = {f["attribute"]: f for f in details.fairness}
    assert set(by) == set(metrics["fairness"])
    ethnic = metrics["fairness"]["ethnic_group"]
    assert [g["count"] for g in by["ethnic_group"]["groups"]] == [
        g["count"] for g in ethnic["groups"]
    ]
    assert by["ethnic_group"]["summary"] == ethnic["summary"]
    monitoring = _json(folder / "monitoring.json")
    assert len(details.alerts) == len(monitoring["alerts"]) > 0
    assert details.alerts[0].endswith(f"Action: {monitoring['alerts'][0]['action']}.")
    figures = _json(folder / "figures.json")
    assert [f["title"] for f in details.figures] == [f["title"] for f in figures]
    assert details.release[0].startswith("Gate: refuse. ")
    assert [s.stage for s in details.stages] == list(STAGES)
    page = details.to_html()
    # Each fairness figure is drawn with its description as its caption.
    fairness_figure = next(f for f in figures if f["name"] == "fairness_ethnic_group")
    assert f"alt='{fairness_figure['title']}'" in page
    assert fairness_figure["description"].replace("'", "&#x27;") in page
    assert str(folder / "report.html") in page
    # Without images, the descriptions stay.
    text_only = details.to_html(images=False)
    assert "data:image/png" not in text_only
    assert fairness_figure["description"].replace("'", "&#x27;") in text_only


def test_an_empty_workspace_says_how_to_make_a_run(tmp_path: Path) -> None:
    overview = workspace_overview(tmp_path)
    assert overview.empty
    assert overview.audit == "empty"
    assert "make pipeline" in overview.summary()
    assert overview.to_frame().empty
    # Reading never creates a registry, an audit log or a runs folder.
    assert list(tmp_path.iterdir()) == []


def test_bad_input_is_refused_naming_the_rule(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match=r"'workspace' parameter .* Got '.*nowhere'"):
        workspace_overview(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match=r"Got 'promted' instead\. Did you mean 'promoted'\?"):
        workspace_overview(workspace)["promted"]
    with pytest.raises(ConfigError, match="'run_dir' parameter of run_details"):
        run_details(tmp_path / "nowhere")
    # The environment variable names the workspace when the parameter does not.
    monkeypatch.setenv(WORKSPACE_ENV, str(workspace))
    assert find_workspace("") == workspace.resolve()
    assert find_workspace(None, default="elsewhere") == workspace.resolve()
    assert find_workspace(tmp_path) == tmp_path.resolve()
    monkeypatch.delenv(WORKSPACE_ENV)
    monkeypatch.chdir(tmp_path)
    assert find_workspace(None) == tmp_path.resolve()


# --------------------------------------------------------------------------- the view


def test_choosing_a_run_shows_its_details(workspace: Path) -> None:
    dashboard = PipelineDashboard(workspace)
    failed = _failed_id(workspace)
    assert [value for _, value in dashboard.run.options] == [
        failed,
        "refused",
        "promoted",
        "damaged",
    ]
    assert dashboard.run.value == failed  # the newest run first
    assert dashboard.details is not None
    assert (
        dashboard.echo == f"Showing run {failed}: failed at stage validate; gate not reached; none."
    )
    dashboard.run.value = "promoted"
    assert dashboard.details.overview.run_id == "promoted"
    roc = _json(workspace / "runs" / "promoted" / "metrics.json")["roc_auc"]
    assert dashboard.echo.startswith(
        f"Showing run promoted: complete; gate promote; ROC AUC {roc:.3f}"
    )
    assert "Run promoted" in dashboard._detail_view.value
    dashboard.select("damaged")
    assert dashboard.echo.endswith("; ✗ 2 problem(s) with its files.")
    with pytest.raises(ConfigError, match="Did you mean 'refused'"):
        dashboard.select("refsed")
    # The static snapshot says the same in text and HTML, without images.
    bundle = dashboard._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"].startswith("Pipeline dashboard. 4 run(s) in ")
    assert "Shown in detail: Run damaged" in data["text/plain"]
    assert "mlops-overview-table" in data["text/html"]
    assert "data:image/png" not in data["text/html"]


def test_refresh_shows_a_new_run_and_keeps_the_choice(workspace: Path, tmp_path: Path) -> None:
    home = tmp_path / "copy"
    shutil.copytree(workspace, home)
    dashboard = PipelineDashboard(home, images=False)
    dashboard.run.value = "refused"
    copy_run(home / "runs" / "refused", "added", started_at="2027-01-01T09:00:00+00:00")
    dashboard.refresh_button.click()
    assert dashboard.overview.run_ids[0] == "added"
    assert "added" in [value for _, value in dashboard.run.options]
    assert dashboard.run.value == "refused"
    assert dashboard.echo.startswith("✓ Read the workspace again at ")
    assert ": 5 run(s), 1 new: added. Showing run refused: complete" in dashboard.echo
    # A workspace that has gone is said in words; the last view stays.
    shutil.rmtree(home)
    dashboard.refresh_button.click()
    assert dashboard.echo.startswith("✗ The workspace could not be read again: ")
    assert dashboard.run.value == "refused"


def test_an_empty_workspace_shows_the_command_to_make_a_run(tmp_path: Path) -> None:
    dashboard = PipelineDashboard(tmp_path)
    assert dashboard.details is None
    assert dashboard.run.disabled
    assert dashboard.run.options == ()
    assert "make pipeline" in dashboard.echo
    assert "<code>make pipeline</code>" in dashboard._detail_view.value
