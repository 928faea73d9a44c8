"""The automated pipeline, run the way analysts and facilitators run it."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import typing
from html import unescape
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest
import yaml
from fairlearn.metrics import demographic_parity_ratio, equalized_odds_difference
from pydantic import BaseModel
from sklearn import metrics as skm

from mlops_kit.config import STAGE_PARAMS, load_config, validate_params
from mlops_kit.data import dataset_info
from mlops_kit.errors import ArtefactError, ConfigError, DataValidationError, PipelineError
from mlops_kit.pipeline import (
    STAGES,
    preflight,
    run_pipeline,
    stage_notebook,
    train_stage,
    validate_stage,
)

FAST = {"cv_folds": 2, "n_bootstrap": 50, "tuning.n_trials": 4, "tuning.cv_folds": 2}
RUN_FILES = {
    "run.json",
    "monitoring.json",
    "tuning.json",
    "gate.json",
    "registration.json",
    "manifest.json",
    "config.yml",
    "status.json",
    "dataset.json",
    "training.json",
    "model.skops",
    "predictions.csv",
    "metrics.json",
    "figures.json",
    "report.html",
}


def _digest_tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _hand_run(workspace: Path, run_id: str) -> Path:
    """A run folder for stages called one by one, trained by Ada Trainer, with its audit
    log and registry in ``workspace``."""
    from mlops_kit.pipeline._context import write_run_context
    from mlops_kit.registry import code_version

    run_dir = workspace / "runs" / run_id
    run_dir.mkdir(parents=True)
    write_run_context(
        run_dir,
        run_id=run_id,
        trained_by="Ada Trainer",
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=code_version(),
    )
    return run_dir


@pytest.fixture(scope="module")
def claims_run(bundled_run: Path) -> Path:
    """The session's one run of the bundled benefit-claims config, as `make pipeline` runs
    it with the suite's small budgets (``bundled_run`` in conftest.py): read-only."""
    return bundled_run


@pytest.fixture(scope="module")
def admissions_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the bundled hospital-admissions config (a regression), in its own
    workspace: the regression test reads it and the reproduction test copies it."""
    config = load_config(
        dataset_info("hospital_admissions").config, {"cv_folds": 2, "tuning.n_trials": 3}
    )
    runs = tmp_path_factory.mktemp("admissions") / "runs"
    return run_pipeline(config, runs_dir=runs, progress=None).run_dir


def test_run_folder_holds_every_artefact(claims_run: Path) -> None:
    messages = (claims_run.parent.parent / "stderr.txt").read_text().splitlines()
    assert messages[0] == f"[1/{len(STAGES)}] validate ..."
    assert messages[-1].startswith(f"[{len(STAGES)}/{len(STAGES)}] report done in ")
    names = {p.name for p in claims_run.iterdir() if p.is_file()}
    assert names >= RUN_FILES
    executed = sorted(p.name for p in (claims_run / "notebooks").glob("*.ipynb"))
    assert executed == [stage_notebook(s).name for s in STAGES]
    status = json.loads((claims_run / "status.json").read_text())
    assert status["status"] == "succeeded"
    assert [s["stage"] for s in status["stages"]] == [s.value for s in STAGES]
    # Executed notebooks keep static results (tables, figures) for readers.
    evaluate = nbformat.read(claims_run / "notebooks" / "30_evaluate.ipynb", as_version=4)
    html = [
        o for c in evaluate.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})
    ]
    assert any("Flag rate by ethnic_group" in o["data"]["text/html"] for o in html)
    # The config of the run is recorded, with where and by whom, and can be loaded again.
    again = load_config(claims_run / "config.yml")
    assert again.model == "hgb"
    assert again.cv_folds == 2
    assert again.trained_by
    assert again.audit_log == str(claims_run.parent.parent / "audit" / "audit.jsonl")
    assert again.registry.tracking_uri == f"sqlite:///{claims_run.parent.parent}/mlops.db"


def test_the_gate_refuses_the_biased_model_but_it_is_registered_and_audited(
    claims_run: Path,
) -> None:
    from mlops_kit.audit import AuditLog
    from mlops_kit.registry import Registry

    gate = json.loads((claims_run / "gate.json").read_text())
    assert gate["decision"] == "refuse"
    failing = [c["name"] for c in gate["checks"] if c["passed"] is False]
    assert any("four-fifths" in name and "ethnic_group" in name for name in failing)
    registration = json.loads((claims_run / "registration.json").read_text())
    assert registration["model_name"] == "benefit-claims"
    assert registration["version"] == 1
    assert registration["alias"] is None, "a refused model gets no alias"
    assert "mlops-kit approve --model benefit-claims --version 1" in registration["next_step"]
    workspace = claims_run.parent.parent
    version = Registry(workspace=workspace).get("benefit-claims", version=1)
    assert version.sha256 == registration["artefact_sha256"]
    assert version.gate_decision == "refuse"
    audit = AuditLog(workspace / "audit" / "audit.jsonl")
    assert audit.verify().ok
    events = [e.event for e in audit.entries(run_id=claims_run.name)]
    assert events == [
        "data_loaded",
        "tuned",
        "trained",
        "evaluated",
        "explained",
        "gate_decision",
        "registered",
        "monitored",
    ]
    tuning = json.loads((claims_run / "tuning.json").read_text())
    assert tuning["n_trials"] == 4
    assert tuning["reproducible"] is True
    training = json.loads((claims_run / "training.json").read_text())
    assert training["tuned_params"] == tuning["best_params"]
    manifest = json.loads((claims_run / "manifest.json").read_text())
    assert (
        manifest["data"]["sha256"]
        == json.loads((claims_run / "dataset.json").read_text())["sha256"]
    )
    assert manifest["config"]["tuning"]["n_trials"] == 4


@pytest.mark.slow
def test_a_recorded_run_reproduces_exactly(
    admissions_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the command line (`mlops-kit reproduce RUN`), as an auditor would: the
    bundled admissions run (tuned boosting, bootstrap intervals), copied so that the
    re-run's folder goes beside the copy."""
    from mlops_kit.cli import main

    runs = tmp_path / "runs"
    original = shutil.copytree(admissions_run, runs / admissions_run.name)
    before = {p.name for p in runs.iterdir()}
    code = main(["reproduce", original.name, "--runs-dir", str(runs), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    (rerun,) = {p.name for p in runs.iterdir()} - before
    compared = int(re.search(r"all (\d+) metrics", out).group(1))  # type: ignore[union-attr]
    assert compared > 100
    assert out.startswith(f"Reproduced exactly: all {compared} metrics of run {original.name}")
    rerun_dir = runs / rerun
    assert not (rerun_dir / "registration.json").exists(), "a reproduction is not registered"
    assert out.strip().splitlines()[-1] == str(rerun_dir)


def test_metrics_file_equals_scikit_learn_and_fairlearn_on_the_predictions(
    claims_run: Path,
) -> None:
    metrics = json.loads((claims_run / "metrics.json").read_text())
    p = pd.read_csv(claims_run / "predictions.csv")
    assert {"y_true", "y_pred", "y_score", "sex", "age_band", "ethnic_group"} <= set(p.columns)
    assert metrics["n_test"] == len(p) == 10_500
    assert metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(p.y_true, p.y_score))
    assert metrics["recall"] == pytest.approx(skm.recall_score(p.y_true, p.y_pred))
    assert metrics["precision"] == pytest.approx(skm.precision_score(p.y_true, p.y_pred))
    assert metrics["pr_auc"] == pytest.approx(skm.average_precision_score(p.y_true, p.y_score))
    assert metrics["brier"] == pytest.approx(skm.brier_score_loss(p.y_true, p.y_score))
    tn, fp, fn, tp = skm.confusion_matrix(p.y_true, p.y_pred).ravel()
    assert metrics["confusion_matrix"] == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    assert (p.y_pred == (p.y_score >= 0.3)).all()

    fairness = metrics["fairness"]
    assert set(fairness) == {"sex", "age_band", "ethnic_group", "disability"}
    eth = fairness["ethnic_group"]
    assert eth["rate_compared"] == "flag rate"
    assert eth["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(p.y_true, p.y_pred, sensitive_features=p.ethnic_group)
    )
    assert eth["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(p.y_true, p.y_pred, sensitive_features=p.ethnic_group)
    )
    # The built-in proxy bias shows: groups B and C are flagged too often.
    assert eth["four_fifths"]["passed"] is False
    assert eth["four_fifths"]["reference_group"] == "Group A"
    assert {"Group B", "Group C"} <= set(eth["four_fifths"]["failing_groups"])
    low, high = eth["confidence_intervals"]["demographic_parity_ratio"]
    assert low < eth["demographic_parity_ratio"] < high
    # The tiny 16-17 age band is not judged.
    age = fairness["age_band"]
    assert age["insufficient_groups"] == ["16-17"]
    verdicts = {g["group"]: g["verdict"] for g in age["groups"]}
    assert verdicts["16-17"] == "insufficient data"
    assert len(metrics["by_period"]) == 6


def test_report_is_self_contained_and_describes_every_figure(claims_run: Path) -> None:
    html = (claims_run / "report.html").read_text(encoding="utf-8")
    figures = json.loads((claims_run / "figures.json").read_text())
    assert {f["name"] for f in figures} >= {"roc", "confusion_matrix", "fairness_ethnic_group"}
    for fig in figures:
        assert (claims_run / fig["file"]).stat().st_size > 1000
        assert len(fig["description"]) > 60
        assert f'alt="{fig["title"]}"' in unescape(html)
        assert fig["description"].split(".")[0] in unescape(html)
    assert html.count("<img ") == len(figures)
    assert 'src="data:image/png;base64,' in html
    assert "http" not in html.split("<body>")[0], "the report must not fetch anything"
    for section in (
        "Summary",
        "Data",
        "Model and training",
        "Hyperparameter tuning",
        "Fairness",
        "Governance gate",
        "Model registry",
        "Reproducibility",
    ):
        assert f">{section}<" in html
    assert "Four-fifths rule by ethnic_group: FAILS." in html
    assert '<html lang="en-GB">' in html


@pytest.mark.slow
def test_pipeline_runs_on_a_csv_it_has_never_seen(unseen_csv: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "survey.yml"
    # An analyst's own data needs its own card; the claims card's wording stands in here.
    card = yaml.safe_load(dataset_info("benefit_claims").config.read_text())["transparency"]
    config_file.write_text(
        f"data: {unseen_csv.name}\ntarget: income band\npositive_label: '>50K'\n"
        "protected: [sex]\nmodel: logistic\nseed: 3\ncv_folds: 3\nn_bootstrap: 0\n"
        "tuning: {n_trials: 3, cv_folds: 2}\n" + yaml.safe_dump({"transparency": card}),
        encoding="utf-8",
    )
    (tmp_path / unseen_csv.name).write_bytes(unseen_csv.read_bytes())
    result = run_pipeline(load_config(config_file), runs_dir=tmp_path / "runs", progress=None)
    metrics = result.metrics
    p = pd.read_csv(result.run_dir / "predictions.csv")
    assert metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(p.y_true, p.y_score))
    assert metrics["roc_auc"] > 0.6
    assert set(metrics["fairness"]) == {"sex"}
    dataset = json.loads((result.run_dir / "dataset.json").read_text())
    excluded = dataset["profile"]["roles"]["excluded"]
    assert excluded["Person Ref"].startswith("identifier")
    assert dataset["profile"]["target"]["positive_label"] == ">50K"
    assert result.report.is_file()


@pytest.mark.slow
def test_regression_pipeline_on_the_admissions_data(admissions_run: Path) -> None:
    metrics = json.loads((admissions_run / "metrics.json").read_text())
    p = pd.read_csv(admissions_run / "predictions.csv")
    assert metrics["task"] == "regression"
    assert metrics["rmse"] == pytest.approx(skm.root_mean_squared_error(p.y_true, p.y_pred))
    assert metrics["mae"] == pytest.approx(skm.mean_absolute_error(p.y_true, p.y_pred))
    assert metrics["r2"] == pytest.approx(skm.r2_score(p.y_true, p.y_pred))
    assert metrics["r2"] > 0.9
    # Regions are compared on forecast error (protected: [region]), checked by hand.
    region = metrics["fairness"]["region"]
    assert region["task"] == "regression"
    groups = {g["group"]: g for g in region["groups"]}
    assert len(groups) == 7
    for name, rows in p.groupby(p["region"].astype(str)):
        assert groups[name]["mae"] == pytest.approx(
            skm.mean_absolute_error(rows.y_true, rows.y_pred)
        )
    worst = max(g["rmse"] for g in groups.values())
    best = min(g["rmse"] for g in groups.values())
    assert region["group_error"]["rmse"]["ratio"] == pytest.approx(worst / best)
    assert "y_score" not in p.columns
    html = (admissions_run / "report.html").read_text(encoding="utf-8")
    assert "Predicted against actual" in html


def _write_claims_copy(folder: Path, mutate: Any = None) -> Path:
    df = pd.read_csv(dataset_info("benefit_claims").path).iloc[::6]
    if mutate is not None:
        df = mutate(df)
    path = folder / "claims.csv"
    df.to_csv(path, index=False)
    return path


def _claims_config(data: Path, **extra: Any) -> Any:
    return load_config(dataset_info("benefit_claims").config, {"data": str(data), **FAST, **extra})


@pytest.mark.slow
def test_a_failed_stage_marks_its_folder_and_leaves_other_runs_intact(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    earlier = runs / "20260101-000000-earlier-0000"
    earlier.mkdir(parents=True)
    (earlier / "metrics.json").write_text('{"roc_auc": 0.8}')
    before = _digest_tree(runs)

    def poison(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[df.index[10], "flagged"] = np.nan
        return df

    data = _write_claims_copy(tmp_path, poison)
    with pytest.raises(
        PipelineError,
        match=r"Stage 'validate' failed: DataValidationError: Target column 'flagged'",
    ) as info:
        run_pipeline(_claims_config(data), runs_dir=runs, progress=None)
    failed = Path(info.value.run_dir)
    status = json.loads((failed / "status.json").read_text())
    assert status["status"] == "failed"
    assert status["error"]["stage"] == "validate"
    assert "1 missing value(s)" in status["error"]["message"]
    assert not (failed / "report.html").exists()
    assert (failed / "notebooks" / "10_validate.ipynb").is_file()
    # The earlier run is byte for byte as it was.
    assert {k: v for k, v in _digest_tree(runs).items() if k.startswith(earlier.name)} == before


def test_bad_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    missing = _claims_config(tmp_path / "nowhere.csv")
    with pytest.raises(DataValidationError, match=r"Data file '.*nowhere\.csv' was not found"):
        run_pipeline(missing, runs_dir=runs, progress=None)
    data = _write_claims_copy(tmp_path)
    wrong_column = _claims_config(data, protected=["sex", "ethnicity"])
    with pytest.raises(
        DataValidationError,
        match=r"Config key 'protected' names column 'ethnicity', which is not in 'claims\.csv'.*"
        r"Did you mean 'ethnic_group'\?",
    ):
        run_pipeline(wrong_column, runs_dir=runs, progress=None)
    with pytest.raises(ConfigError, match=r"needs a PipelineConfig"):
        run_pipeline({"data": str(data)}, runs_dir=runs, progress=None)  # type: ignore[arg-type]
    assert not runs.exists()


def test_preflight_names_the_key_of_a_missing_target(tmp_path: Path) -> None:
    data = _write_claims_copy(tmp_path)
    with pytest.raises(DataValidationError, match=r"Config key 'target' names column 'flaged'"):
        preflight(_claims_config(data, target="flaged"))


@pytest.mark.slow
def test_data_changed_between_stages_is_refused(tmp_path: Path) -> None:
    data = _write_claims_copy(tmp_path)
    run_dir = tmp_path / "run"
    validate_stage(
        run_dir,
        data=str(data),
        target="flagged",
        positive_is="adverse",
        protected=["sex"],
        exclude=["claim_id"],
        time_column="month",
    )
    with data.open("a", encoding="utf-8") as fh:
        fh.write(data.read_text(encoding="utf-8").splitlines()[1] + "\n")
    with pytest.raises(DataValidationError, match=r"changed after it was validated"):
        train_stage(run_dir, cv_folds=0)


def test_stages_refuse_bad_parameters_and_missing_inputs(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"train stage: Unknown config key 'modle'"):
        train_stage(tmp_path, modle="rf")
    with pytest.raises(
        ConfigError, match=r"train stage: Config key 'seed' must be a valid integer"
    ):
        train_stage(tmp_path, seed="0")
    with pytest.raises(ArtefactError, match=r"needs 'dataset\.json' in the run folder"):
        train_stage(tmp_path)


# --- The stage notebooks' papermill parameters against the config schema -------------


def _papermill_type(annotation: Any) -> str:
    """How papermill names a parameter's type, for a schema annotation."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return type(args[0]).__name__
    if origin in (list, tuple):
        return origin.__name__
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "dict"  # a config section travels as a plain dict
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return f"Optional[{_papermill_type(rest[0])}]"
        return "Union[" + ", ".join([*(_papermill_type(a) for a in rest), "None"]) + "]"
    return getattr(annotation, "__name__", str(annotation))


@pytest.mark.parametrize("stage", [s.value for s in STAGES])
def test_stage_notebook_parameters_match_the_config_schema(stage: str) -> None:
    params = pm.inspect_notebook(str(stage_notebook(stage)))
    section = STAGE_PARAMS[stage]
    assert params["run_dir"]["inferred_type_name"] == "str"
    declared = {k: v for k, v in params.items() if k != "run_dir"}
    assert set(declared) == set(section.model_fields), "parameters differ from the schema section"
    bundled = yaml.safe_load(dataset_info("benefit_claims").config.read_text())
    defaults: dict[str, Any] = {}
    for name, info in declared.items():
        field = section.model_fields[name]
        assert info["inferred_type_name"] == _papermill_type(field.annotation), name
        assert info["help"], f"parameter {name} has no help comment for --help-notebook"
        defaults[name] = ast.literal_eval(info["default"])
    if not declared:
        return
    # Defaults validate against the schema and describe the bundled benefit-claims config.
    validated = validate_params(defaults, model=section, source=f"{stage} notebook")
    for name in declared:
        annotation = section.model_fields[name].annotation
        expected: object
        if name in bundled and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            expected = annotation.model_validate(bundled[name])  # a section, with its defaults
        elif name in bundled:
            expected = bundled[name]
        else:
            expected = section.model_fields[name].get_default(call_default_factory=True)
        if name == "data":
            expected = str((dataset_info("benefit_claims").config.parent / bundled[name]).resolve())
        if name in ("transparency", "wording"):
            # What only a person can write, and the service's own words, stay in the config:
            # the notebook's default is empty, so a stage run by hand drafts an incomplete
            # card (which the gate refuses) in words derived from the target.
            expected = section.model_fields[name].get_default(call_default_factory=True)
        assert getattr(validated, name) == expected, name


@pytest.mark.slow
def test_two_pipelines_at_once_share_a_registry_and_audit_log(tmp_path: Path) -> None:
    """As two analysts might: both runs complete, lose no entry and corrupt nothing."""
    import subprocess
    import sys

    from mlops_kit.audit import AuditLog
    from mlops_kit.registry import Registry

    data = _write_claims_copy(tmp_path)
    exe = Path(sys.executable).with_name("mlops-kit")
    common = [
        "--set",
        f"data={data}",
        "--set",
        "cv_folds=0",
        "--set",
        "n_bootstrap=0",
        "--set",
        "tuning.n_trials=2",
        "--set",
        "tuning.cv_folds=2",
        "--set",
        "explain.max_rows=200",
        "--quiet",
    ]
    procs = [
        subprocess.Popen(
            [
                str(exe),
                "run",
                "--config",
                str(dataset_info("benefit_claims").config),
                "--set",
                f"seed={seed}",
                "--set",
                f"trained_by=analyst {seed}",
                *common,
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    run_ids = {Path(out.strip().splitlines()[-1]).name for out, _ in outputs}
    assert len(run_ids) == 2
    versions = Registry(workspace=tmp_path).versions("benefit-claims")
    assert sorted(versions["run_id"]) == sorted(run_ids)
    audit = AuditLog(tmp_path / "audit" / "audit.jsonl")
    assert audit.verify().ok
    for run_id in run_ids:
        events = [e.event for e in audit.entries(run_id=run_id)]
        assert events == [
            "data_loaded",
            "tuned",
            "trained",
            "evaluated",
            "explained",
            "gate_decision",
            "registered",
            "monitored",
        ]


@pytest.mark.slow
def test_monitor_stage_scores_a_new_batch_with_late_labels(tmp_path: Path) -> None:
    from mlops_kit.audit import AuditLog
    from mlops_kit.pipeline import evaluate_stage, monitor_stage

    claims = pd.read_csv(dataset_info("benefit_claims").path)
    history = claims[claims["month"] < "2024-07"].iloc[::6]
    data = tmp_path / "claims.csv"
    history.to_csv(data, index=False)
    run_dir = _hand_run(tmp_path, "monitored")
    validate_stage(
        run_dir,
        data=str(data),
        target="flagged",
        positive_is="adverse",
        protected=["sex"],
        exclude=["claim_id"],
        time_column="month",
    )
    train_stage(run_dir, model="logistic", cv_folds=0, split="time", threshold=0.3)
    evaluate_stage(run_dir, n_bootstrap=0)
    # A new batch after the channel change; the latest month's labels have not arrived.
    batch = claims[claims["month"].isin(["2024-10", "2024-11", "2024-12"])].copy()
    batch["flagged"] = batch["flagged"].astype("Int64")
    batch.loc[batch["month"] == "2024-12", "flagged"] = pd.NA
    batch_file = tmp_path / "new batch.csv"
    batch.to_csv(batch_file, index=False)

    result = monitor_stage(run_dir, new_batch=str(batch_file))
    assert result["batch"] == "new batch.csv"
    assert result["current_rows"] == len(batch)
    assert "channel" in result["drift"]["drifted"]
    batches = {b["batch"]: b for b in result["performance"]["batches"]}
    assert batches["2024-12"]["status"] == "labels pending"
    assert batches["2024-10"]["status"] == "labelled"
    from mlops_kit.train import load_model, standardise_missing

    model = load_model(run_dir / "model.skops")
    roles = json.loads((run_dir / "dataset.json").read_text())["profile"]["roles"]
    labelled = batch[batch["month"] == "2024-10"]
    features = labelled[roles["numeric"] + roles["categorical"]]
    scores = model.predict_proba(standardise_missing(features))[:, 1]
    assert batches["2024-10"]["roc_auc"] == pytest.approx(
        skm.roc_auc_score(labelled["flagged"].astype(int), scores)
    )
    assert any("channel" in a["message"] and a["action"] for a in result["alerts"])
    saved = json.loads((run_dir / "monitoring.json").read_text())
    assert saved["alerts"] == result["alerts"]
    figures = {f["name"]: f for f in json.loads((run_dir / "figures.json").read_text())}
    assert {"monitor_drift", "monitor_distribution", "monitor_performance"} <= set(figures)
    assert all(figures[n]["description"] for n in figures)
    monitored = AuditLog(tmp_path / "audit" / "audit.jsonl").entries()[-1]
    assert monitored.event == "monitored"
    assert monitored.details["batch"] == "new batch.csv"

    broken = tmp_path / "broken.csv"
    batch.drop(columns=["channel"]).to_csv(broken, index=False)
    with pytest.raises(DataValidationError, match=r"missing: channel"):
        monitor_stage(run_dir, new_batch=str(broken))
    assert json.loads((run_dir / "monitoring.json").read_text()) == saved, "nothing half-written"


def test_monitor_stage_follows_a_regression_run_on_held_out_rows_and_a_new_batch(
    tmp_path: Path,
) -> None:
    from mlops_kit.metrics import regression_metrics
    from mlops_kit.pipeline import evaluate_stage, monitor_stage
    from mlops_kit.train import load_model, standardise_missing

    weeks = pd.read_csv(dataset_info("hospital_admissions").path)
    cut = sorted(weeks["week_start"].unique())[-26]
    data = tmp_path / "admissions.csv"
    weeks[weeks["week_start"] < cut].to_csv(data, index=False)
    run_dir = _hand_run(tmp_path, "forecast")
    validate_stage(
        run_dir,
        data=str(data),
        target="emergency_admissions",
        task="regression",
        protected=[],
        time_column="week_start",
    )
    train_stage(run_dir, model="hgb", cv_folds=0, split="time")
    evaluate_stage(run_dir, n_bootstrap=0)
    weekly = {"performance": {"min_labelled": 5}}  # seven regions a week
    held = monitor_stage(run_dir, monitoring=weekly)
    assert held["performance"]["task"] == "regression"
    assert all(b["status"] == "labelled" for b in held["performance"]["batches"])
    assert "Forecast error per batch" in held["summary"][-1]
    # Seven rows a week are too few for a prediction PSI: none is computed, no alert.
    assert {b["prediction_psi"] for b in held["performance"]["batches"]} == {None}
    assert not any(a["kind"] == "prediction drift" for a in held["alerts"])
    # The next half year, the last four weeks' admissions not yet counted.
    batch = weeks[weeks["week_start"] >= cut].copy()
    pending = sorted(batch["week_start"].unique())[-4:]
    batch["emergency_admissions"] = batch["emergency_admissions"].astype(float)
    batch.loc[batch["week_start"].isin(pending), "emergency_admissions"] = np.nan
    batch_file = tmp_path / "next weeks.csv"
    batch.to_csv(batch_file, index=False)
    result = monitor_stage(run_dir, new_batch=str(batch_file), monitoring=weekly)
    rows = {b["batch"]: b for b in result["performance"]["batches"]}
    assert {rows[w]["status"] for w in pending} == {"labels pending"}
    first = sorted(rows)[0]
    model = load_model(run_dir / "model.skops")
    part = batch[batch["week_start"] == first]
    roles = json.loads((run_dir / "dataset.json").read_text())["profile"]["roles"]
    features = roles["numeric"] + roles["categorical"]
    expected = regression_metrics(
        part["emergency_admissions"], model.predict(standardise_missing(part[features]))
    )
    assert rows[first]["rmse"] == pytest.approx(expected["rmse"])
    assert rows[first]["r2"] == pytest.approx(expected["r2"])
    assert (
        json.loads((run_dir / "monitoring.json").read_text())["performance"]
        == result["performance"]
    )


def test_a_model_whose_card_is_incomplete_is_recorded_but_nobody_can_promote_it(
    tmp_path: Path,
) -> None:
    from mlops_kit.audit import AuditLog
    from mlops_kit.errors import DocumentationError
    from mlops_kit.pipeline import card_block, gate_stage, register_stage
    from mlops_kit.registry import Alias, Registry

    claims = pd.read_csv(dataset_info("benefit_claims").path).iloc[::8]
    data = tmp_path / "claims.csv"
    claims.to_csv(data, index=False)
    run_dir = _hand_run(tmp_path, "undocumented")
    validate_stage(
        run_dir, data=str(data), target="flagged", protected=["sex"], exclude=["claim_id"]
    )
    train_stage(run_dir, model="logistic", cv_folds=0)
    from mlops_kit.pipeline import evaluate_stage

    evaluate_stage(run_dir, n_bootstrap=0)
    policy = {"high_impact": False, "four_fifths": False}
    # Every other check passes, so the card alone decides.
    gate = gate_stage(run_dir, policy=policy)
    assert gate.decision.value == "refuse"
    card_check = next(c for c in gate.checks if c.name == "model card complete")
    assert card_check.passed is False
    assert card_check.value == 8
    assert "8 empty required parts" in card_check.explanation
    assert "not even by override" in gate.reasons[0]
    version = register_stage(run_dir, registry={"model_name": "undocumented"})
    # Recorded, with no alias, its empty parts listed and the keys to paste.
    registration = json.loads((run_dir / "registration.json").read_text())
    assert (version.version, registration["alias"]) == (1, None)
    assert registration["card_complete"] is False
    assert registration["card_missing_keys"] == [
        "owner",
        "contact_email",
        "primary_uses",
        "primary_users",
        "out_of_scope_uses",
        "metrics_rationale",
        "ethical_considerations",
        "caveats",
    ]
    assert "cannot be promoted or approved" in registration["next_step"]
    block = yaml.safe_load(card_block(run_dir))
    assert list(block["transparency"]) == registration["card_missing_keys"]
    assert "Out-of-scope uses" in (run_dir / "model_card.md").read_text(encoding="utf-8")
    # Nobody can approve it, not even a named approver overriding the refusal, and no
    # alias can be moved onto it by hand.
    registry = Registry(workspace=tmp_path, audit=AuditLog(tmp_path / "audit" / "audit.jsonl"))
    assert registry.versions("undocumented").loc[1, "model_card"] == "incomplete"
    with pytest.raises(DocumentationError, match=r"cannot be approved: its model card has 8"):
        registry.approve(
            "undocumented", 1, approver="Priya Shah", justification="Pilot with full review."
        )
    with pytest.raises(DocumentationError, match="incomplete model card"):
        registry.set_alias("undocumented", Alias.CHAMPION, 1, actor="Priya Shah", reason="try")
    assert registry.aliases("undocumented") == {}
    # Filled in, the same run passes the gate and its new version is the champion.
    card = yaml.safe_load(dataset_info("benefit_claims").config.read_text())["transparency"]
    assert gate_stage(run_dir, policy=policy, transparency=card).decision.value == "promote"
    version = register_stage(run_dir, registry={"model_name": "undocumented"}, transparency=card)
    assert version.version == 2
    assert registry.aliases("undocumented") == {"champion": 2}
    assert card_block(run_dir) == ""
    assert "Claims Review Prioritisation Tool" in (run_dir / "transparency_record.html").read_text(
        encoding="utf-8"
    )


def test_explain_stage_explains_the_held_out_rows_in_words(claims_run: Path) -> None:
    explained = json.loads((claims_run / "explanations.json").read_text())
    predictions = pd.read_csv(claims_run / "predictions.csv")
    assert explained["explainer"]["kind"] == "tree"
    assert explained["n_available"] == len(predictions)
    assert explained["n_rows"] == min(1000, len(predictions))
    assert explained["additivity_error"] < 1e-4
    assert {e["feature"] for e in explained["importance"]} == set(explained["features"])
    # Reason codes name the cases by their claim reference, in words, and the report shows
    # them with the cross-check and the explanations by group.
    claims = pd.read_csv(dataset_info("benefit_claims").path)
    held_ids = set(claims.loc[predictions["row"], "claim_id"].astype(str))
    assert explained["cases"]
    for case in explained["cases"]:
        assert case["case_id"] in held_ids
        assert case["text"].startswith("Flagged for review mainly because of")
    assert set(explained["by_group"]) == {"sex", "age_band", "ethnic_group", "disability"}
    html = unescape((claims_run / "report.html").read_text(encoding="utf-8"))
    assert "Reason codes of the highest-scoring held-out cases" in html
    assert explained["crosscheck"]["verdict"] in html
    figures = {f["name"] for f in json.loads((claims_run / "figures.json").read_text())}
    assert {"explain_importance", "explain_beeswarm", "explain_case_1"} <= figures
