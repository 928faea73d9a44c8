"""The run folder read back stage by stage: run_tour, summarise_stage, stage_glossary."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from mlops_kit.audit import AuditEvent, default_audit_log
from mlops_kit.config import load_config
from mlops_kit.course import PIPELINE_GLOSSARY, run_tour, stage_glossary, summarise_stage
from mlops_kit.data import dataset_info
from mlops_kit.errors import ConfigError
from mlops_kit.pipeline import (
    STAGE_FILES,
    STAGES,
    Stage,
    evaluate_stage,
    explain_stage,
    gate_stage,
    monitor_stage,
    register_stage,
    report_stage,
    stage_notebook,
    stage_parameters,
    train_stage,
    tune_stage,
    validate_stage,
)
from mlops_kit.pipeline._stage_files import DATA_FILE

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one run folder, runs/small, after all nine stages by hand."""
    home = tmp_path_factory.mktemp("tour")
    lines = (REPO / "data" / "benefit_claims.csv").read_text(encoding="utf-8").splitlines()
    data = home / "claims sample.csv"
    data.write_text("\n".join(lines[:1] + lines[1::4]) + "\n", encoding="utf-8")
    config = load_config(
        dataset_info("benefit_claims").config,
        {
            "data": str(data),
            "model": "logistic",
            "cv_folds": 0,
            "tuning.n_trials": 2,
            "tuning.cv_folds": 2,
            "n_bootstrap": 0,
            "explain.max_rows": 100,
            "explain.crosscheck": False,
        },
    )
    run = home / "runs" / "small"
    stages = {
        "validate": validate_stage,
        "tune": tune_stage,
        "train": train_stage,
        "evaluate": evaluate_stage,
        "explain": explain_stage,
        "gate": gate_stage,
        "register": register_stage,
        "monitor": monitor_stage,
    }
    for name, stage in stages.items():
        stage(run, **stage_parameters(name, config))
    report_stage(run)
    return home


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_finished_run_has_every_stage_file_and_audit_entry(workspace: Path) -> None:
    run = workspace / "runs" / "small"
    tour = run_tour(run)
    assert tour.complete
    assert tour.run_id == "small"
    assert tour.summary() == "Run small: 9 of 9 stages have written all their files."
    assert [s.stage for s in tour.stages] == list(STAGES)
    for summary in tour.stages:
        assert summary.written == STAGE_FILES[summary.stage].writes
        assert summary.notebook == stage_notebook(summary.stage).name
    # One audit entry per stage that audits, read from the workspace's log.
    events = [e.event for e in default_audit_log(workspace).entries(run_id="small")]
    assert dict(tour["validate"].audit) == {"data_loaded": 1}
    assert dict(tour["register"].audit) == {"registered": events.count("registered")}
    assert dict(tour["report"].audit) == {}
    for stage in STAGES:
        for event, count in tour[stage].audit:
            assert events.count(event) == count
    # Figures are counted from figures.json, by the stage's section.
    figures = _json(run / "figures.json")
    assert tour["evaluate"].figures == sum(f["section"] == "evaluation" for f in figures) > 0
    assert tour["tune"].figures == 3


def test_what_each_stage_decided_is_read_from_its_files(workspace: Path) -> None:
    run = workspace / "runs" / "small"
    tour = run_tour(run)
    data_sha = hashlib.sha256((workspace / "claims sample.csv").read_bytes()).hexdigest()
    assert f"SHA-256 starting {data_sha[:12]}" in tour["validate"].decided
    assert "10,500 rows" in tour["validate"].decided
    assert "'claim_id' near_unique, excluded from training" in tour["validate"].decided
    tuning = _json(run / "tuning.json")
    assert tour["tune"].decided == tuning["summary"]
    training = _json(run / "training.json")
    assert training["split"]["description"] in tour["train"].decided
    assert "with the tuned parameters C=" in tour["train"].decided
    # The evaluate stage's ROC AUC is the one scikit-learn gives on predictions.csv.
    preds = pd.read_csv(run / "predictions.csv")
    auc = roc_auc_score(preds["y_true"], preds["y_score"])
    assert f"ROC AUC {auc:.3f}" in tour["evaluate"].decided
    metrics = _json(run / "metrics.json")
    failed = sorted(a for a, r in metrics["fairness"].items() if not r["four_fifths"]["passed"])
    assert failed, "the bundled bias fails the four-fifths rule somewhere"
    assert f"failed for {', '.join(failed)}" in tour["evaluate"].decided
    assert tour["explain"].decided == _json(run / "explanations.json")["summary"]
    gate = _json(run / "gate.json")
    assert tour["gate"].decided.startswith(f"Decision: {gate['decision']}. ")
    assert all(reason in tour["gate"].decided for reason in gate["reasons"])
    registration = _json(run / "registration.json")
    assert f"benefit-claims version {registration['version']}" in tour["register"].decided
    assert registration["next_step"] in tour["register"].decided
    monitoring = _json(run / "monitoring.json")
    n_alerts = sum(a["severity"] == "alert" for a in monitoring["alerts"])
    assert f"{n_alerts} alert(s) calling for action" in tour["monitor"].decided
    for feature in monitoring["drift"]["drifted"]:
        assert feature in tour["monitor"].decided
    assert "Nothing is decided here." in tour["report"].decided


def test_a_stage_not_run_yet_is_named_with_its_missing_files(workspace: Path) -> None:
    partial = workspace / "runs" / "partial"
    partial.mkdir()
    shutil.copy(workspace / "runs" / "small" / "dataset.json", partial / "dataset.json")
    tour = run_tour(partial)
    assert not tour.complete
    assert tour["validate"].ran
    assert tour["validate"].audit == ()  # the copied file has no entry of this run
    train = tour["train"]
    assert train.missing == ("model.skops", "training.json", "predictions.csv")
    assert train.decided == "Not run yet: model.skops is not in the run folder."
    assert tour.summary().endswith(
        "not yet: tune, train, evaluate, explain, gate, register, monitor, report."
    )
    assert "Missing: model.skops, training.json, predictions.csv." in train.summary()


def test_switched_off_stages_are_said_in_words(workspace: Path) -> None:
    run = workspace / "runs" / "switched-off"
    run.mkdir()
    shutil.copy(workspace / "runs" / "small" / "dataset.json", run / "dataset.json")
    tune_stage(run, model="logistic", tuning={"n_trials": 0})
    assert summarise_stage(run, "tune").decided == (
        "Not tuned: tuning.n_trials is 0: the model family's defaults are used."
    )
    explain_stage(run, explain={"enabled": False})
    assert summarise_stage(run, Stage.EXPLAIN).decided == (
        "Explanations were switched off (explain.enabled)."
    )


def test_bad_arguments_are_refused_naming_the_rule(workspace: Path) -> None:
    run = workspace / "runs" / "small"
    rule = (
        r"'stage' parameter of summarise_stage must be one of validate, tune, .* "
        r"Got 'valdate' instead\. Did you mean 'validate'\?"
    )
    with pytest.raises(ConfigError, match=rule):
        summarise_stage(run, "valdate")
    with pytest.raises(ConfigError, match="'stage' parameter of RunTour"):
        run_tour(run)["deploy"]
    with pytest.raises(ConfigError, match=r"'run_dir' parameter of run_tour must be an existing"):
        run_tour(workspace / "runs" / "no such run")


def test_views_render_every_stage_and_escape_text(workspace: Path) -> None:
    tour = run_tour(workspace / "runs" / "small")
    frame = tour.to_frame()
    assert list(frame.index) == [s.value for s in STAGES]
    assert frame.loc["gate", "written"] == "gate.json"
    assert frame.loc["validate", "audit entries"] == "data_loaded x1"
    data = tour.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["stages"][5]["decided"] == tour["gate"].decided
    page = tour._repr_html_()
    assert page.count('<th scope="row"') == len(STAGES)
    assert 'class="mlops-run-tour"' in page
    assert "&#x27;claim_id&#x27; near_unique" in page  # quotes escaped, text kept whole
    summary = tour["gate"]
    assert "Stage 6 of 9: gate" in summary._repr_html_()
    assert repr(summary) == summary.summary()
    assert repr(tour).splitlines()[0] == tour.summary()


def test_stage_files_agree_with_the_stage_notebooks_and_audit_events() -> None:
    assert list(STAGE_FILES) == list(STAGES)
    known_events = {e.value for e in AuditEvent}
    for stage, files in STAGE_FILES.items():
        nb = nbformat.read(stage_notebook(stage), as_version=4)
        intro = nb.cells[0].source
        assert f"`{files.writes[0]}`" in intro, (stage, files.writes[0])
        assert set(files.events) <= known_events
        # A stage reads only what an earlier stage writes, or the data file.
        earlier = {n for s in STAGES[: STAGES.index(stage)] for n in STAGE_FILES[s].writes}
        assert set(files.reads) <= earlier | {DATA_FILE}, stage


def test_glossary_pop_outs_cover_every_stage() -> None:
    for stage in STAGES:
        glossary = stage_glossary(stage)
        assert glossary.terms, stage
        for term, meaning in glossary.terms:
            assert PIPELINE_GLOSSARY[term] == meaning
        page = glossary._repr_html_()
        assert page.count("<details><summary>") == len(glossary.terms)
        assert page.startswith('<div class="mlops-glossary">')
    text = repr(stage_glossary("validate"))
    assert text.splitlines()[0] == "Terms used by the validate stage (open one with Enter):"
    assert "- SHA-256 fingerprint: a 64-character code" in text
    assert "&lt;run id&gt;" in stage_glossary("validate")._repr_html_()
    with pytest.raises(ConfigError, match="'stage' parameter of stage_glossary"):
        stage_glossary("deploy")
