"""Versioning and the model registry (MLflow, embedded SQLite), used as the pipeline uses it."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.audit import AuditLog
from mlops_kit.config import load_config
from mlops_kit.data import dataset_info
from mlops_kit.errors import ArtefactError
from mlops_kit.pipeline import evaluate_stage, gate_stage, train_stage, validate_stage
from mlops_kit.pipeline._context import write_run_context
from mlops_kit.registry import (
    Alias,
    ArtefactIntegrityError,
    Registry,
    code_version,
    default_tracking_uri,
)
from mlops_kit.registry._manifest import build_manifest

#: The bundled claims config's (fictional) transparency keys: a complete model card.
CARD = load_config(dataset_info("benefit_claims").config).transparency.model_dump(mode="json")
POLICY = {
    "high_impact": False,
    "min_metrics": {"roc_auc": 0.6},
    "four_fifths": False,
    "max_equalized_odds_difference": None,
}


def _make_run(
    workspace: Path,
    name: str,
    *,
    seed: int = 0,
    policy: dict[str, Any] | None = None,
    trained_by: str = "Ada Trainer",
) -> Path:
    """A finished run folder (validate, train, evaluate, gate) on a sample of the claims."""
    data = workspace / "claims.csv"
    if not data.exists():
        claims = pd.read_csv(dataset_info("benefit_claims").path).iloc[::8]
        claims.to_csv(data, index=False)
    run_dir = workspace / "runs" / name
    run_dir.mkdir(parents=True)
    write_run_context(
        run_dir,
        run_id=name,
        trained_by=trained_by,
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=code_version(),
    )
    validate_stage(
        run_dir,
        data=str(data),
        target="flagged",
        positive_is="adverse",
        protected=["sex"],
        exclude=["claim_id"],
        time_column="month",
    )
    train_stage(run_dir, model="logistic", cv_folds=0, seed=seed, split="time", threshold=0.3)
    evaluate_stage(run_dir, n_bootstrap=0)
    gate_stage(run_dir, policy=policy or POLICY, transparency=CARD)
    return run_dir


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def registered(workspace: Path) -> tuple[Registry, Path, Any]:
    run_dir = _make_run(workspace, "run-1")
    registry = Registry(workspace=workspace, audit=AuditLog(workspace / "audit" / "audit.jsonl"))
    version = registry.register_run(
        run_dir,
        model_name="claims",
        actor="Ada Trainer",
        alias=Alias.CHAMPION,
        alias_reason="the gate decided 'promote'",
    )
    return registry, run_dir, version


def test_default_store_is_an_embedded_sqlite_file(workspace: Path) -> None:
    assert default_tracking_uri(workspace) == f"sqlite:///{workspace.resolve()}/mlops.db"
    assert Registry(workspace=workspace).tracking_uri == default_tracking_uri(workspace)


def test_registration_records_the_artefact_hash_and_the_run(
    registered: tuple[Registry, Path, Any], workspace: Path
) -> None:
    registry, run_dir, version = registered
    assert version.version == 1
    assert version.aliases == ("champion",)
    assert version.run_id == "run-1"
    assert len(version.sha256) == 64
    assert version.gate_decision == "promote"
    assert (workspace / "mlops.db").is_file()
    recorded = registry.find_run("run-1")
    assert (
        recorded["tags"]["mlops.data_sha256"]
        == json.loads((run_dir / "dataset.json").read_text())["sha256"]
    )
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert recorded["metrics"]["roc_auc"] == pytest.approx(metrics["roc_auc"])
    assert version.data_sha256 == recorded["tags"]["mlops.data_sha256"]
    assert version.trained_by == "Ada Trainer"
    assert version.code_version == recorded["tags"]["mlops.code_version"]
    stored = registry.stored_file("claims", 1)
    assert stored.is_relative_to(workspace / "mlartifacts")
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == version.sha256
    with pytest.raises(ArtefactError, match=r"only on a local registry.*'http://127.0.0.1:1'"):
        Registry("http://127.0.0.1:1").stored_file("claims", 1)


def test_manifest_traces_code_data_environment_seed_and_config(
    registered: tuple[Registry, Path, Any],
) -> None:
    _, run_dir, _ = registered
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["run_id"] == "run-1"
    assert manifest["code_version"]["label"]
    assert manifest["packages"]["scikit-learn"] not in ("", "not installed")
    assert manifest["seeds"] == {"seed": 0}
    assert (
        manifest["data"]["sha256"] == json.loads((run_dir / "dataset.json").read_text())["sha256"]
    )
    assert manifest["trained_by"] == "Ada Trainer"
    assert build_manifest(run_dir)["data"] == manifest["data"]


def test_a_verified_load_predicts_like_the_trained_model(
    registered: tuple[Registry, Path, Any],
) -> None:
    from mlops_kit.train import load_model

    registry, run_dir, _ = registered
    model = registry.load("claims", alias="champion", actor="Bo Reviewer")
    local = load_model(run_dir / "model.skops")
    sample = pd.read_csv(run_dir.parent.parent / "claims.csv").head(200)
    features = json.loads((run_dir / "dataset.json").read_text())["profile"]["roles"]
    columns = features["numeric"] + features["categorical"]
    np.testing.assert_array_equal(
        model.predict_proba(sample[columns]), local.predict_proba(sample[columns])
    )
    entries = AuditLog(run_dir.parent.parent / "audit" / "audit.jsonl").entries()
    loads = [e for e in entries if e.event == "model_loaded"]
    assert loads[-1].details["hash_verified"] is True
    assert loads[-1].actor == "Bo Reviewer"


def test_one_flipped_byte_makes_loading_fail(tmp_path: Path) -> None:
    run_dir = _make_run(tmp_path, "run-t")
    registry = Registry(workspace=tmp_path)
    registry.register_run(run_dir, model_name="tamper", actor="Ada Trainer")
    stored = next((tmp_path / "mlartifacts").rglob("*.skops"))
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    with pytest.raises(ArtefactIntegrityError, match=r"failed its integrity check.*not loaded"):
        registry.load("tamper", version=1, actor="Bo Reviewer")


def test_versions_are_immutable_and_alias_moves_are_recorded(workspace: Path) -> None:
    audit = AuditLog(workspace / "audit" / "audit.jsonl")
    registry = Registry(workspace=workspace, audit=audit)
    first_hash = registry.get("claims", version=1).sha256
    run_dir = _make_run(workspace, "run-2", seed=1)
    second = registry.register_run(
        run_dir,
        model_name="claims",
        actor="Ada Trainer",
        alias="challenger",
        alias_reason="needs approval",
    )
    assert second.version == 2
    assert registry.get("claims", version=1).sha256 == first_hash, "version 1 is unchanged"
    registry.set_alias("claims", "champion", 2, actor="Cy Approver", reason="better recall")
    assert registry.get("claims", alias="champion").version == 2
    moves = [e for e in audit.entries() if e.event == "alias_changed"]
    assert moves[-1].details == {
        "model_name": "claims",
        "alias": "champion",
        "from_version": 1,
        "to_version": 2,
        "reason": "better recall",
    }
    assert moves[-1].actor == "Cy Approver"
    table = registry.versions("claims")
    assert list(table.index) == [1, 2]
    assert "champion" in str(table.loc[2, "aliases"])
    assert audit.verify().ok


def test_unknown_versions_and_aliases_are_clear_errors(
    registered: tuple[Registry, Path, Any],
) -> None:
    registry, _, _ = registered
    with pytest.raises(ArtefactError, match=r"has no model 'claims' version 99"):
        registry.get("claims", version=99)
    with pytest.raises(ArtefactError, match=r"has no model 'nope' alias 'champion'"):
        registry.get("nope", alias="champion")
    with pytest.raises(ValueError, match="'best' is not a valid Alias"):
        registry.get("claims", alias="best")


def test_approval_rules_and_override_of_a_refusal(tmp_path: Path) -> None:
    from mlops_kit.errors import ApprovalError

    strict = {**POLICY, "min_metrics": {"roc_auc": 0.99}}
    run_dir = _make_run(tmp_path, "run-r", policy=strict)
    assert json.loads((run_dir / "gate.json").read_text())["decision"] == "refuse"
    audit = AuditLog(tmp_path / "audit" / "audit.jsonl")
    registry = Registry(workspace=tmp_path, audit=audit)
    registry.register_run(run_dir, model_name="strict", actor="Ada Trainer")
    with pytest.raises(ApprovalError):
        registry.approve("strict", 1, approver="ada trainer", justification="x" * 40)
    with pytest.raises(ApprovalError):
        registry.approve("strict", 1, approver="Cy Approver", justification="   ")
    assert registry.get("strict", version=1).aliases == ()
    approval = registry.approve(
        "strict",
        1,
        approver="Cy Approver",
        justification="Pilot with every flag reviewed by a caseworker until retrained.",
    )
    assert approval.kind == "override"
    assert registry.get("strict", alias="champion").version == 1
    events = [e.event for e in audit.entries()]
    assert events[-2:] == ["overridden", "alias_changed"]


def test_a_decline_is_recorded_with_the_same_rules_and_moves_nothing(tmp_path: Path) -> None:
    from mlops_kit.errors import ApprovalError

    strict = {**POLICY, "min_metrics": {"roc_auc": 0.99}}
    run_dir = _make_run(tmp_path, "run-d", policy=strict)
    audit = AuditLog(tmp_path / "audit" / "audit.jsonl")
    registry = Registry(workspace=tmp_path, audit=audit)
    registry.register_run(run_dir, model_name="strict", actor="Ada Trainer")
    with pytest.raises(ApprovalError) as caught:
        registry.decline("strict", 1, reviewer="Ada Trainer", justification="no", role=" ")
    assert len(caught.value.problems) == 3  # the trainer, too short, an empty role
    assert [e.event for e in audit.entries()][-1] == "registered"
    why = "Four-fifths rule fails by ethnic group; retrain without the proxy feature."
    entry = registry.decline(
        "strict", 1, reviewer="Jo Reviewer", justification=why, role="Head of Policy"
    )
    assert (entry.event, entry.actor) == ("declined", "Jo Reviewer")
    assert entry.details == {
        "model_name": "strict",
        "version": 1,
        "justification": why,
        "decision_seen": "refuse",
        "trained_by": "Ada Trainer",
        "role": "Head of Policy",
    }
    assert registry.get("strict", version=1).aliases == ()
    assert json.loads(registry.get("strict", version=1).tags["mlops.declined"])["reviewer"] == (
        "Jo Reviewer"
    )
    approval = registry.approve(
        "strict", 1, approver="Cy Approver", justification=why, role="Director"
    )
    assert audit.entries()[-2].details["role"] == "Director"
    assert json.loads(registry.get("strict", version=1).tags["mlops.approval"])["role"] == (
        "Director"
    )
    assert approval.kind == "override"
    assert audit.verify().ok


def _register_in_process(args: tuple[str, str, int]) -> int:
    workspace, run_dir, _ = args
    registry = Registry(
        workspace=workspace, audit=AuditLog(Path(workspace) / "audit" / "audit.jsonl")
    )
    return registry.register_run(run_dir, model_name="shared", actor="Ada Trainer").version


@pytest.mark.slow
def test_two_processes_register_at_once_without_losing_anything(tmp_path: Path) -> None:
    runs = [_make_run(tmp_path, f"run-{i}", seed=i) for i in range(2)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        versions = pool.map(
            _register_in_process, [(str(tmp_path), str(r), i) for i, r in enumerate(runs)]
        )
    assert sorted(versions) == [1, 2]
    registry = Registry(workspace=tmp_path)
    assert list(registry.versions("shared").index) == [1, 2]
    audit = AuditLog(tmp_path / "audit" / "audit.jsonl")
    registered = [e for e in audit.entries() if e.event == "registered"]
    assert sorted(e.details["version"] for e in registered) == [1, 2]
    assert audit.verify().ok


def test_mlflow_is_left_as_it_was_found(registered: tuple[Registry, Path, Any]) -> None:
    import mlflow

    registry, _, _ = registered
    registry.get("claims", version=1)
    registry.load("claims", version=1, actor="Bo Reviewer")
    assert not mlflow.is_tracking_uri_set()
