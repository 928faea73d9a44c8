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
