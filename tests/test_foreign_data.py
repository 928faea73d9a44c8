"""The automated pipeline on data the kit did not generate, as an analyst first runs it.

Three real tables that installed packages ship (statsmodels' births and doctor-visits
tables, scikit-learn's diabetes table), each with the README's minimal config and no
``transparency`` keys, run through the real command line (the diabetes table with the
config's default budgets, the others with smaller ones set on the command line); then
messy variants of a real table the tests write (semicolon, BOM with CRLF, gzip, blank
protected values, blank targets, ``inf``, a 40-level category). Each either finishes
with a report or is refused by ``mlops-kit check`` with one line naming the problem.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from .cli_support import mlops_kit

pytestmark = pytest.mark.slow

#: Words of the benefit-claims lesson that must not appear in another dataset's documents.
CLAIMS_WORDS = re.compile(
    r"\b(claims?|claimants?|claimed|flag|flags|flagged|flagging|caseworkers?|fraud)\b",
    re.IGNORECASE,
)
#: What a run writes for people to read (JSON prose is checked through its strings).
DOCUMENTS = (
    "report.html",
    "model_card.md",
    "model_card.html",
    "transparency_record.md",
    "transparency_record.html",
    "stakeholder_summary.md",
    "stakeholder_summary.html",
    "gate.json",
    "explanations.json",
    "monitoring.json",
    "figures.json",
    "registration.json",
)


def _statsmodels_file(*parts: str) -> Path:
    import statsmodels

    path = Path(statsmodels.__file__).parent.joinpath(*parts)
    assert path.is_file(), f"statsmodels no longer ships {path}"
    return path


@cache
def births() -> pd.DataFrame:
    """Cattaneo's 4,642 births (statsmodels' treatment-effect test data)."""
    return pd.read_csv(_statsmodels_file("treatment", "tests", "results", "cataneo2.csv"))


@dataclass(frozen=True)
class ForeignRun:
    """A finished ``mlops-kit run`` on a foreign table."""

    proc: subprocess.CompletedProcess[str]
    run_dir: Path

    def json(self, name: str) -> dict:
        return json.loads((self.run_dir / name).read_text(encoding="utf-8"))


def _run(folder: Path, config: dict, *overrides: str) -> ForeignRun:
    (folder / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    sets = [arg for o in overrides for arg in ("--set", o)]
    proc = mlops_kit("run", "--config", "config.yml", *sets, cwd=folder)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = Path(proc.stdout.strip().splitlines()[-1])
    return ForeignRun(proc, run_dir)


#: Smaller budgets than the config defaults, given on the command line as an analyst's
#: `--set` (the config files stay minimal): fewer tuning trials, bootstrap resamples and
#: rows explained. The diabetes run keeps every default of the minimal config.
SMALL_BUDGETS = ("tuning.n_trials=2", "n_bootstrap=20", "explain.max_rows=200")


def _minimal(data: str, target: str, *, task: str = "classification", **keys: object) -> dict:
    """The README's minimal config: data, target, task, positive_label, positive_is,
    protected, model, seed (no transparency)."""
    return {"data": data, "target": target, "task": task, **keys, "model": "hgb", "seed": 0}


# --- three real tables, minimal configs ----------------------------------------------------


@pytest.fixture(scope="module")
def births_run(tmp_path_factory: pytest.TempPathFactory) -> ForeignRun:
    folder = tmp_path_factory.mktemp("births")
    births().to_csv(folder / "births.csv", index=False)
    config = _minimal(
        "births.csv",
        "lbweight",
        positive_label=1,
        positive_is="adverse",
        protected=["mrace", "mhisp"],
    )
    return _run(folder, config, *SMALL_BUDGETS)


@pytest.fixture(scope="module")
def visits_run(tmp_path_factory: pytest.TempPathFactory) -> ForeignRun:
    """The RAND doctor-visits survey (statsmodels): who holds private insurance."""
    folder = tmp_path_factory.mktemp("visits")
    table = pd.read_csv(
        _statsmodels_file("sandbox", "regression", "tests", "racd10data_with_transformed.csv")
    )
    table.to_csv(folder / "visits.csv", index=False)
    config = _minimal(
        "visits.csv", "private", positive_label=1, positive_is="favourable", protected=["female"]
    )
    return _run(folder, config, *SMALL_BUDGETS)


@pytest.fixture(scope="module")
def diabetes_run(tmp_path_factory: pytest.TempPathFactory) -> ForeignRun:
    """scikit-learn's diabetes progression table: a regression with a protected column."""
    from sklearn.datasets import load_diabetes

    folder = tmp_path_factory.mktemp("diabetes")
    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame.to_csv(folder / "diabetes.csv", index=False)
    config = _minimal("diabetes.csv", "target", task="regression", protected=["sex"])
    config["model"] = "linear"
    return _run(folder, config)


@pytest.fixture(params=["births", "visits", "diabetes"])
def foreign_run(request: pytest.FixtureRequest) -> ForeignRun:
    run: ForeignRun = request.getfixturevalue(f"{request.param}_run")
    return run


def test_a_minimal_config_on_a_foreign_table_finishes_with_a_report(foreign_run):
    status = foreign_run.json("status.json")
    assert status["status"] == "succeeded"
    assert [s["stage"] for s in status["stages"]] == [
        "validate",
        "tune",
        "train",
        "evaluate",
        "explain",
        "gate",
        "register",
        "monitor",
        "report",
    ]
    assert (foreign_run.run_dir / "report.html").stat().st_size > 10_000
    lines = foreign_run.proc.stdout.strip().splitlines()
    assert lines[-2] == f"Report: {foreign_run.run_dir / 'report.html'}"
    assert "WARNING" not in foreign_run.proc.stderr


def test_an_incomplete_card_is_registered_refused_and_the_block_to_paste_printed(foreign_run):
    gate = foreign_run.json("gate.json")
    card = next(c for c in gate["checks"] if c["name"] == "model card complete")
    assert card["passed"] is False
    assert gate["decision"] == "refuse"
    registration = foreign_run.json("registration.json")
    assert (registration["version"], registration["alias"]) == (1, None)
    assert registration["card_complete"] is False
    keys = registration["card_missing_keys"]
    assert keys[:2] == ["owner", "contact_email"]
    # The run's closing lines hold the same keys as a section ready to paste.
    out = foreign_run.proc.stdout
    block = yaml.safe_load(out[out.index("\ntransparency:") : out.index("Report: ")])
    assert list(block["transparency"]) == keys
    report = (foreign_run.run_dir / "report.html").read_text(encoding="utf-8")
    assert "transparency section to paste into the config" in report


def test_documents_speak_of_the_runs_own_data_not_of_benefit_claims(foreign_run):
    config = yaml.safe_load((foreign_run.run_dir / "config.yml").read_text(encoding="utf-8"))
    found = {}
    for name in DOCUMENTS:
        path = foreign_run.run_dir / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if name.endswith(".html"):
            text = re.sub(r'src="data:image/png;base64,[^"]*"', "", text)
        hits = sorted({m.group(0).lower() for m in CLAIMS_WORDS.finditer(text)})
        if hits:
            found[name] = hits
    assert not found, f"claims words in a {config['target']} run's documents: {found}"


def test_a_classifier_is_described_by_its_own_target_and_positive_class(births_run):
    card = (births_run.run_dir / "model_card.md").read_text(encoding="utf-8")
    assert "predicted positive (lbweight = 1)" in card
    explained = births_run.json("explanations.json")
    codes = [c["text"] for c in explained["cases"]]
    assert codes, "the explain stage gave reason codes"
    assert all(
        text.startswith(("Predicted positive (lbweight = 1) mainly because", "Not predicted"))
        for text in codes
    )


def test_regression_fairness_is_reported_and_gated(diabetes_run):
    metrics = diabetes_run.json("metrics.json")
    section = metrics["fairness"]["sex"]
    assert {g["group"] for g in section["groups"]} == {"1.0", "2.0"}  # as the file holds them
    gate = diabetes_run.json("gate.json")
    names = [c["name"] for c in gate["checks"]]
    assert any("sex" in name and "error" in name for name in names), names
    assert not any("fairness limits were not applied" in r for r in gate["reasons"])


# --- messy variants of a real table ----------------------------------------------------------


def _messy(kind: str, folder: Path) -> tuple[str, dict]:
    """Write one messy variant of the births table; return its file name and config keys."""
    table = births().copy()
    keys: dict = {}
    name = "births.csv"
    if kind == "semicolon":
        table.to_csv(folder / name, sep=";", index=False)
    elif kind == "bom_crlf":
        table.to_csv(folder / name, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    elif kind == "gzip":
        name = "births.csv.gz"
        table.to_csv(folder / name, index=False, compression="gzip")
    elif kind == "blank_protected":
        table.loc[table.index[::50], "mrace"] = np.nan
        table.to_csv(folder / name, index=False)
    elif kind == "blank_targets":
        table["lbweight"] = table["lbweight"].astype("Float64")
        table.loc[table.index[::40], "lbweight"] = pd.NA
        table.to_csv(folder / name, index=False)
        keys["missing_target"] = "drop"
    elif kind == "inf":
        table["mage2"] = table["mage2"].astype(float)
        table.loc[table.index[::100], "mage2"] = np.inf
        table.loc[table.index[1::100], "mage2"] = -np.inf
        table.to_csv(folder / name, index=False)
    elif kind == "forty_levels":
        rng = np.random.default_rng(0)
        table["district"] = [f"district {k:02d}" for k in rng.integers(0, 40, len(table))]
        table.to_csv(folder / name, index=False)
    else:  # pragma: no cover - a typo in the parametrisation
        raise AssertionError(kind)
    config = _minimal(
        name, "lbweight", positive_label=1, positive_is="adverse", protected=["mrace"], **keys
    )
    return name, config


MESSY = ["semicolon", "bom_crlf", "gzip", "blank_protected", "blank_targets", "inf", "forty_levels"]


@pytest.mark.parametrize("kind", MESSY)
def test_check_accepts_each_messy_variant_and_says_what_it_did(kind: str, tmp_path: Path):
    _, config = _messy(kind, tmp_path)
    (tmp_path / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    proc = mlops_kit("check", "--config", "config.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("Config and data are valid: ")
    rows = 4642 - (len(range(0, 4642, 40)) if kind == "blank_targets" else 0)
    assert f"{rows:,} rows" in first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([config["data"], "config.yml"]), (
        "check writes nothing"
    )


def test_blank_targets_are_refused_by_default_naming_the_key_that_drops_them(tmp_path: Path):
    _, config = _messy("blank_targets", tmp_path)
    del config["missing_target"]
    (tmp_path / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    proc = mlops_kit("check", "--config", "config.yml", cwd=tmp_path)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "'lbweight'" in line
    assert "117 missing" in line
    assert "missing_target: drop" in line


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory: pytest.TempPathFactory) -> ForeignRun:
    """One full run on a gzip-compressed births table with blank targets (dropped), blank
    protected values and a 40-level category. (tests/test_data_prepare.py runs a
    semicolon-separated table with ``inf`` through the whole pipeline.)"""
    folder = tmp_path_factory.mktemp("messy")
    table = births().copy()
    table.loc[table.index[::50], "mrace"] = np.nan
    table["lbweight"] = table["lbweight"].astype("Float64")
    table.loc[table.index[::40], "lbweight"] = pd.NA
    rng = np.random.default_rng(0)
    table["district"] = [f"district {k:02d}" for k in rng.integers(0, 40, len(table))]
    table.to_csv(folder / "births.csv.gz", index=False, compression="gzip")
    config = _minimal(
        "births.csv.gz",
        "lbweight",
        positive_label=1,
        positive_is="adverse",
        protected=["mrace"],
        missing_target="drop",
    )
    return _run(folder, config, *SMALL_BUDGETS)


def test_a_messy_table_runs_to_a_report_and_records_what_was_done(messy_run):
    assert messy_run.json("status.json")["status"] == "succeeded"
    groups = {g["group"] for g in messy_run.json("metrics.json")["fairness"]["mrace"]["groups"]}
    assert "not recorded" in groups
    record = messy_run.json("dataset.json")
    dropped = len(range(0, 4642, 40))
    assert record["profile"]["n_rows"] == 4642 - dropped
    assert record["file"]["compression"] == "gzip"
    assert str(dropped) in json.dumps(record["preparation"]), "the dropped rows are counted"
    assert "district" in record["profile"]["roles"]["categorical"]
    report = (messy_run.run_dir / "report.html").read_text(encoding="utf-8")
    assert "not recorded" in report
