"""Shared, seeded fixtures. No test touches the network or the user's folders."""

from __future__ import annotations

import os

# Tests run in parallel workers (make test: two on two cores). Native thread pools sized
# to every core in every worker and notebook kernel oversubscribe the machine badly, so
# each process uses one thread; kernels started by the tests inherit this.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlops_kit.data import load_dataset, profile_dataset

REPO = Path(__file__).resolve().parents[1]

#: The slowest test modules, longest first (seconds from `pytest --durations`). With
#: pytest-xdist they start first, so that the two workers of `make test` share out the
#: shorter modules after them and neither is left running a long one at the end. The
#: Makefile passes --no-loadscope-reorder: xdist would otherwise order the modules by
#: their number of tests, which put the workshop walk near the end.
SLOW_MODULES = (
    "test_workshop_path.py",
    "test_foreign_data.py",
    "test_pipeline.py",
    "test_exercises_workshop_path.py",
    "test_continuous.py",
    "test_course_design.py",
    "test_fairness_regression.py",
    "test_notebooks.py",
    "test_data_prepare.py",
    "test_browser.py",
    "test_registry.py",
    "test_browser_widgets.py",
    "test_design_form.py",
    "test_cli.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, run the slowest modules first, longest first."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: i for i, name in enumerate(SLOW_MODULES)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def claims() -> pd.DataFrame:
    """The bundled benefit-claims table (read once per session; do not modify)."""
    return load_dataset("benefit_claims")


@pytest.fixture(scope="session")
def admissions() -> pd.DataFrame:
    """The bundled hospital-admissions table (read once per session; do not modify)."""
    return load_dataset("hospital_admissions")


@pytest.fixture(scope="session")
def claims_profile(claims: pd.DataFrame):
    """validate_table on the benefit claims with the bundled roles."""
    return profile_dataset(claims, "benefit_claims")


@pytest.fixture(scope="session")
def claims_predictions(claims: pd.DataFrame, claims_profile) -> pd.DataFrame:
    """Held-out predictions of a histogram-boosting model (time split, threshold 0.3).

    Columns: row, y_true, y_pred, y_score, sex, age_band, ethnic_group, disability, month.
    """
    from mlops_kit.train import train_model

    result = train_model(
        claims, claims_profile.roles, model="hgb", split="time", cv_folds=0, threshold=0.3
    )
    return result.predictions


#: The shared bundled run: the bundled benefit-claims config (hgb, time split, its policy
#: and model card) with the suite's small budgets for folds, tuning and the bootstrap.
BUNDLED_RUN_SETTINGS = (
    "cv_folds=2",
    "n_bootstrap=50",
    "tuning.n_trials=4",
    "tuning.cv_folds=2",
    "trained_by=Ada Trainer",
)


def _session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this session shares (pytest-xdist gives each worker its
    own base temporary folder inside the session's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of one run of the bundled benefit-claims pipeline, made once per
    session and shared by every worker: READ-ONLY, copy it before changing anything.

    The run is ``mlops-kit run --config data/configs/benefit_claims.yml`` with
    ``BUNDLED_RUN_SETTINGS`` as ``--set`` overrides, as ``make pipeline`` runs it, in a
    folder of its own: its ``runs/<run-id>``, audit log and model registry hold this run
    only, and the command's output is in ``stdout.txt`` and ``stderr.txt`` beside them.
    The first worker to need it makes it under a file lock while the other waits; a
    failed run fails every test that asks for it.
    """
    import subprocess
    import sys

    from filelock import FileLock

    from mlops_kit.data import dataset_info

    home = _session_folder(tmp_path_factory) / "bundled-run"
    made, failed = home / "run_dir.txt", home / "failed.txt"
    with FileLock(f"{home}.lock"):
        if not made.is_file() and not failed.is_file():
            home.mkdir(exist_ok=True)
            sets = [arg for setting in BUNDLED_RUN_SETTINGS for arg in ("--set", setting)]
            proc = subprocess.run(
                [
                    str(Path(sys.executable).with_name("mlops-kit")),
                    "run",
                    "--config",
                    str(dataset_info("benefit_claims").config),
                    *sets,
                ],
                cwd=home,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            (home / "stdout.txt").write_text(proc.stdout, encoding="utf-8")
            (home / "stderr.txt").write_text(proc.stderr, encoding="utf-8")
            if proc.returncode == 0:
                made.write_text(proc.stdout.strip().splitlines()[-1], encoding="utf-8")
            else:
                failed.write_text(proc.stderr[-3000:], encoding="utf-8")
    if failed.is_file():
        pytest.fail(f"The shared bundled run failed:\n{failed.read_text()}", pytrace=False)
    return Path(made.read_text(encoding="utf-8"))


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded NumPy generator."""
    return np.random.default_rng(12345)


@pytest.fixture
def unseen_csv(tmp_path: Path, rng: np.random.Generator) -> Path:
    """A tabular CSV no test has seen before: text target, odd names, gaps, an ID column."""
    n = 900
    age = rng.integers(18, 80, n)
    hours = rng.normal(38, 9, n).round(1)
    sector = rng.choice(["public", "private", "charity", "self-employed"], n)
    region = rng.choice(["north", "south", "east", "west", "wales", "scotland"], n)
    sex = rng.choice(["F", "M"], n)
    logit = -1.5 + 0.03 * (age - 45) + 0.05 * (hours - 38) + 0.8 * (sector == "private")
    high = rng.random(n) < 1 / (1 + np.exp(-logit))
    df = pd.DataFrame(
        {
            "Person Ref": [f"P-{i:05d}" for i in range(n)],
            "Age (years)": age,
            "weekly hours": hours,
            "sector": sector,
            "region": region,
            "sex": sex,
            "income band": np.where(high, ">50K", "<=50K"),
        }
    )
    df.loc[rng.choice(n, 40, replace=False), "weekly hours"] = np.nan
    df.loc[rng.choice(n, 25, replace=False), "sector"] = np.nan
    path = tmp_path / "my survey export.csv"
    df.to_csv(path, index=False)
    return path
