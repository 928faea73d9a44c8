"""The `mlops-kit` command line, as analysts use it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mlops_kit.cli import main
from mlops_kit.data import dataset_info

from .cli_support import mlops_kit

CLAIMS_CONFIG = str(dataset_info("benefit_claims").config)
REPO_DESIGNS = Path(__file__).resolve().parents[1] / "data" / "course" / "designs"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return mlops_kit(*args, cwd=cwd)


@pytest.fixture(scope="module")
def claims_run(bundled_run: Path) -> tuple[Path, str, str]:
    """The session's `mlops-kit run` of the bundled claims config with small budgets
    (``bundled_run`` in conftest.py): its folder and what the command printed to
    standard output and standard error. Read-only: copy the folder before changing it."""
    folder = bundled_run.parent.parent
    return (
        folder,
        (folder / "stdout.txt").read_text(encoding="utf-8"),
        (folder / "stderr.txt").read_text(encoding="utf-8"),
    )


@pytest.mark.slow
def test_run_prints_progress_then_the_run_folder_last(claims_run: tuple[Path, str, str]) -> None:
    folder, stdout, stderr = claims_run
    lines = stdout.strip().splitlines()
    run_dir = Path(lines[-1])
    assert run_dir.parent == folder / "runs"
    assert lines[-2] == f"Report: {run_dir / 'report.html'}"
    assert (run_dir / "report.html").is_file()
    gate = json.loads((run_dir / "gate.json").read_text())
    assert lines[-4].startswith(f"Gate: {gate['decision']}. {gate['reasons'][0]}")
    assert lines[-3].startswith("Registry: benefit-claims version 1 (alias: ")
    for stage in ("validate", "tune", "train", "evaluate", "gate", "register", "monitor", "report"):
        assert f"] {stage} done in " in stderr
    assert "WARNING" not in stderr, "kernels must start without warnings"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics) >= {"roc_auc", "recall", "precision", "f1", "fairness"}
    config = (run_dir / "config.yml").read_text()
    assert "n_bootstrap: 50" in config, "the --set overrides are in the run's config"
    assert "trained_by: Ada Trainer" in config


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "modle=rf"], "Unknown config key 'modle' (got 'rf')"),
        (["--set", "seed=one"], "Config key 'seed' must be a valid integer; got 'one' (str)."),
        (["--set", "split=weekly"], "Config key 'split' must be one of 'random' or 'time'"),
        (["--set", "data=missing.csv"], "Data file"),
        (["--set", "target=flaged"], "Did you mean 'flagged'?"),
        (["--set", "seed"], "Override 'seed' must look like key=value"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    args: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--config", CLAIMS_CONFIG, *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert err[0].startswith("mlops-kit: error: ")
    assert expected in err[0]
    assert list(tmp_path.iterdir()) == []


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--config", str(tmp_path / "nope.yml")])
    assert code == 2
    assert "Config file" in capsys.readouterr().err


def test_check_validates_without_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--config", CLAIMS_CONFIG]) == 0
    out = capsys.readouterr().out
    assert (
        "Config and data are valid: 42,000 rows; target 'flagged'; 12 features; 4 protected" in out
    )
    assert list(tmp_path.iterdir()) == []
    assert "model card will have" not in out, "the bundled config's card is complete"


def test_check_warns_up_front_about_an_incomplete_model_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    monkeypatch.chdir(tmp_path)
    config = tmp_path / "minimal.yml"
    data = dataset_info("hospital_admissions").path
    config.write_text(f"data: {data}\ntarget: emergency_admissions\ntask: regression\n")
    assert main(["check", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    warning = next(line for line in out.splitlines() if "model card will have" in line)
    assert warning.startswith("warning: the model card will have 9 empty required parts (owner, ")
    # No protected columns: the card also needs the reason why none apply.
    assert "factors_note" in warning
    assert "can be neither approved nor promoted" in warning
    block = yaml.safe_load(out[out.index("transparency:") :])
    assert list(block["transparency"])[:2] == ["owner", "contact_email"]
    assert len(block["transparency"]) == 9
    assert list(tmp_path.iterdir()) == [config]


def test_data_list_and_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "benefit_claims: Benefit claims" in out
    assert "hospital_admissions:" in out
    assert main(["data", "generate", "--out", str(tmp_path)]) == 0
    for name in ("benefit_claims", "hospital_admissions"):
        info = dataset_info(name)
        assert (tmp_path / info.filename).read_bytes() == info.path.read_bytes()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == 2
    assert "--config" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("mlops-kit 0.")


@pytest.mark.slow
def test_audit_verify_models_approve_and_decline(
    claims_run: tuple[Path, str, str], tmp_path: Path
) -> None:
    """The versioning commands, on a run of the bundled data (refused by its gate), in a
    copy of the run's folder (its runs, audit log and model registry)."""
    folder, stdout, _ = claims_run
    run_dir = Path(stdout.strip().splitlines()[-1])
    assert (run_dir / "registration.json").is_file(), "the refused model is still registered"
    copy = shutil.copytree(folder, tmp_path / "copy")

    verify = _run(["audit", "verify"], cwd=copy)
    assert verify.returncode == 0
    assert "8 entries" in verify.stdout

    models = _run(["models", "--model", "benefit-claims"], cwd=copy)
    assert "refuse" in models.stdout

    self_approval = _run(
        [
            "approve",
            "--model",
            "benefit-claims",
            "--version",
            "1",
            "--approver",
            "ada trainer",
            "--justification",
            "I am sure this model is fine to use.",
        ],
        cwd=copy,
    )
    assert self_approval.returncode == 2
    assert "trained" in self_approval.stderr

    declined = _run(
        [
            "decline",
            "--model",
            "benefit-claims",
            "--version",
            "1",
            "--reviewer",
            "Jo Reviewer",
            "--role",
            "Fairness lead",
            "--justification",
            "Flag rates by ethnic group fail the four-fifths rule.",
        ],
        cwd=copy,
    )
    assert declined.returncode == 0, declined.stderr
    assert "Decline recorded: benefit-claims version 1 stays unpromoted" in declined.stdout

    approval = _run(
        [
            "approve",
            "--model",
            "benefit-claims",
            "--version",
            "1",
            "--approver",
            "Cy Approver",
            "--role",
            "Director",
            "--justification",
            "Pilot only: every flag reviewed by a caseworker before action.",
        ],
        cwd=copy,
    )
    assert approval.returncode == 0, approval.stderr
    assert "Override recorded" in approval.stdout
    show = _run(["audit", "show", "--last", "3"], cwd=copy)
    assert "declined" in show.stdout
    assert "overridden" in show.stdout
    assert "alias_changed" in show.stdout

    # `mlops-kit reproduce` is run on the pipeline tests' run (tests/test_pipeline.py).

    log = copy / "audit" / "audit.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n", encoding="utf-8")
    tampered = _run(["audit", "verify"], cwd=copy)
    assert tampered.returncode == 1
    assert "line 2" in tampered.stdout


def test_simulate_prints_progress_then_the_summary_and_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = str(dataset_info("benefit_claims").config)
    sets = ["model=logistic", "continuous.tuning_trials=0", "continuous.initial_batches=18"]
    argv = ["simulate", "--config", config, "--out", "sim"]
    assert main([*argv, *(x for s in sets for x in ("--set", s))]) == 0
    out, err = capsys.readouterr()
    assert err.count("[2024-") == 6
    assert "[2024-12]" in err
    lines = out.strip().splitlines()
    assert lines[-1] == "sim"
    assert lines[0].startswith("Replayed 6 batch(es)")
    assert (tmp_path / "sim" / "timeline.json").is_file()
    assert (tmp_path / "audit" / "audit.jsonl").is_file()
    assert main([*argv, "--set", "continuous.window=rolling"]) == 2
    assert "continuous.window" in capsys.readouterr().err


def test_design_check_judges_each_teams_file_and_reads_past_a_broken_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlops_kit.course import check_design
    from mlops_kit.course._scenarios import copy_template

    designs = REPO_DESIGNS
    complete = tmp_path / "team-heron.design.yml"
    complete.write_bytes((designs / "benefit_claims_triage.example.design.yml").read_bytes())
    blank = copy_template("benefit_claims_triage", tmp_path / "team-wren")
    assert main(["design", "check", str(complete)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"== {complete}\n6 of 6 parts of ")
    assert out.count("  PASS ") == 6

    missing = tmp_path / "team-otter.design.yml"
    code = main(["design", "check", str(blank), str(missing), str(complete)])
    captured = capsys.readouterr()
    assert code == 2  # a file that cannot be read is bad input, and the others still run
    assert "team-otter.design.yml' was not found" in captured.err
    assert captured.out.count("== ") == 3
    expected = check_design(blank)
    assert expected.summary() in captured.out
    for item in expected.items:
        assert f"  {item.status.value.upper():8} {item.title}: {item.message}" in captured.out
    assert main(["design", "check", str(blank)]) == 1  # guidelines not met
