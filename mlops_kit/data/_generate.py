"""The seeded generator of the bundled benefit-claims dataset.

The CSV files in the repository's ``data/`` folder are exactly what these
functions return, written by :func:`write_bundled_csv` (a test regenerates them
and compares the bytes). Nothing here describes a real person: every value is drawn
from the distributions below, which are documented in each dataset's datasheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["generate_benefit_claims"]

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
REGION_SHARES = (0.05, 0.13, 0.10, 0.08, 0.10, 0.11, 0.16, 0.16, 0.11)
BENEFIT_TYPES = (
    "housing_support",
    "jobseeker_support",
    "disability_support",
    "carer_support",
    "child_support",
)
BENEFIT_SHARES = (0.30, 0.25, 0.20, 0.10, 0.15)
# Typical monthly award in pounds for a one-person household, by benefit type.
BENEFIT_BASE_AMOUNT = (650.0, 390.0, 520.0, 320.0, 410.0)
CHANNELS = ("online", "phone", "paper", "in_person")
CHANNEL_SHARES_BEFORE = (0.35, 0.35, 0.20, 0.10)
CHANNEL_SHARES_AFTER = (0.78, 0.12, 0.06, 0.04)
SEXES = ("female", "male")
SEX_SHARES = (0.53, 0.47)
AGE_BANDS = ("16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_SHARES = (0.002, 0.14, 0.25, 0.22, 0.19, 0.16, 0.038)
# Abstract labels on purpose: the disparity built in for teaching must not be read
# as a statement about any real community (see the datasheet).
ETHNIC_GROUPS = ("Group A", "Group B", "Group C", "Group D", "Group E")
ETHNIC_SHARES = (0.72, 0.11, 0.08, 0.06, 0.03)
# Beta(a, b) parameters for each group's area deprivation: low values mean more deprived.
# Groups B and C live more often in the most deprived areas, which makes deprivation a
# proxy for group membership.
DEPRIVATION_BETA = ((1.15, 1.0), (0.65, 1.7), (0.6, 1.8), (1.0, 1.15), (1.0, 1.0))

# Strength of the historical review bias: claims from the three most deprived deciles
# were reviewed far more often, so more of their (equally common) errors were found.
REVIEW_BIAS = 0.9
# Strength of the error pattern that arrives with the new online form.
NEW_PATTERN = 3.2


def _month_labels(start_year: int, n_months: int) -> list[str]:
    return [f"{start_year + m // 12}-{m % 12 + 1:02d}" for m in range(n_months)]


def generate_benefit_claims(
    *,
    n_months: int = 24,
    claims_per_month: int = 1750,
    change_month: int = 13,
    ramp_months: int = 6,
    start_year: int = 2023,
    seed: int = 20231,
) -> pd.DataFrame:
    """Generate the synthetic benefit-claims table (binary classification).

    Each row is one claim reviewed by a compliance team. The target ``flagged`` is 1
    when the review found fraud or error: an *adverse* outcome for the claimant.
    From month ``change_month`` the department moves to "digital by default": over
    ``ramp_months`` most claims move to a new online form, and a new kind of error
    arrives with it (household income left at the form's pre-filled zero).

    Parameters
    ----------
    n_months : int, default 24
        Number of monthly batches.
    claims_per_month : int, default 1750
        Claims in each month.
    change_month : int, default 13
        First month (1-based) of the channel change.
    ramp_months : int, default 6
        Months over which the change reaches full strength.
    start_year : int, default 2023
        Calendar year of the first month (January).
    seed : int, default 20231
        Seed of the NumPy generator; the same arguments always give the same table.

    Returns
    -------
    pandas.DataFrame
        One row per claim; the columns are documented in
        ``data/benefit_claims.datasheet.md``.

    Examples
    --------
    >>> df = generate_benefit_claims(n_months=2, claims_per_month=50)
    >>> df.shape
    (100, 19)
    >>> sorted(df["flagged"].unique().tolist())
    [0, 1]
    """
    rng = np.random.default_rng(seed)
    n = n_months * claims_per_month
    month_index = np.repeat(np.arange(n_months), claims_per_month)
    # 0 before the change, rising linearly to 1 over ramp_months.
    ramp = np.clip((month_index - (change_month - 1) + 1) / ramp_months, 0.0, 1.0)
    # The draws below are made in a fixed order: the same seed gives the same table.
    people = _claimants(rng, n, ramp)
    claims = _claim_details(rng, n, people)
    flagged = _review_outcome(rng, n, ramp, people, claims)
    months = np.asarray(_month_labels(start_year, n_months))[month_index]
    return _claims_table(months, people, claims, flagged)


def _pick(
    rng: np.random.Generator, options: tuple[str, ...], shares: tuple[float, ...], size: int
) -> np.ndarray:
    """Codes of ``options`` drawn with the given shares."""
    return rng.choice(len(options), size=size, p=np.asarray(shares) / np.sum(shares))


def _claimants(rng: np.random.Generator, n: int, ramp: np.ndarray) -> dict[str, np.ndarray]:
    """Who claims, and through which channel: the codes of each claim's categories."""
    ethnic = _pick(rng, ETHNIC_GROUPS, ETHNIC_SHARES, n)
    beta = np.asarray(DEPRIVATION_BETA)
    decile = 1 + np.floor(10 * rng.beta(beta[ethnic, 0], beta[ethnic, 1])).astype(int)
    decile = np.clip(decile, 1, 10)
    region = _pick(rng, REGIONS, REGION_SHARES, n)
    sex = _pick(rng, SEXES, SEX_SHARES, n)
    age = _pick(rng, AGE_BANDS, AGE_SHARES, n)
    benefit = _pick(rng, BENEFIT_TYPES, BENEFIT_SHARES, n)
    disability = (benefit == BENEFIT_TYPES.index("disability_support")) | (rng.random(n) < 0.14)

    # Channel: a blend of the before and after mixes; older claimants stay off-line longer.
    before = np.asarray(CHANNEL_SHARES_BEFORE)
    after = np.asarray(CHANNEL_SHARES_AFTER)
    shares = before[None, :] * (1 - ramp[:, None]) + after[None, :] * ramp[:, None]
    older = age >= AGE_BANDS.index("55-64")
    shares[older, 0] *= 0.6
    shares /= shares.sum(axis=1, keepdims=True)
    channel = (rng.random(n)[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
    channel = np.minimum(channel, len(CHANNELS) - 1)
    return {
        "ethnic": ethnic,
        "decile": decile,
        "region": region,
        "sex": sex,
        "age": age,
        "benefit": benefit,
        "disability": disability,
        "channel": channel,
        "online": channel == CHANNELS.index("online"),
        "paper": channel == CHANNELS.index("paper"),
    }


def _claim_details(
    rng: np.random.Generator, n: int, people: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """What each claim says: household, income, amount, history, documents, timing."""
    benefit, online, paper = people["benefit"], people["online"], people["paper"]
    household = 1 + rng.poisson(1.2, n) + (benefit == BENEFIT_TYPES.index("child_support"))
    household = np.clip(household, 1, 9)
    jobseeker = benefit == BENEFIT_TYPES.index("jobseeker_support")
    no_income = rng.random(n) < np.where(jobseeker, 0.7, 0.35)
    income = np.where(no_income, 0, 5 * np.round(rng.lognormal(6.6, 0.55, n) / 5))
    base_amount = np.asarray(BENEFIT_BASE_AMOUNT)[benefit] * (1 + 0.18 * (household - 1))
    amount_noise = rng.lognormal(0.0, 0.25, n)
    return {
        "household": household,
        "jobseeker": jobseeker,
        "no_income": no_income,
        "income": income,
        "amount_noise": amount_noise,
        "amount": np.round(base_amount * amount_noise),
        "months_claiming": np.minimum(np.floor(rng.exponential(18, n)), 120).astype(int),
        "changes": rng.poisson(0.6 + 0.15 * household),
        "documents": rng.binomial(4, np.where(paper, 0.62, 0.78)),
        "days": np.round(rng.gamma(1.6, np.where(online, 2.5, np.where(paper, 9.0, 4.5)))),
        "days_missing": paper & (rng.random(n) < 0.10),
        "previous_flags": np.minimum(rng.poisson(0.22, n), 5),
    }


def _review_outcome(
    rng: np.random.Generator,
    n: int,
    ramp: np.ndarray,
    people: dict[str, np.ndarray],
    claims: dict[str, np.ndarray],
) -> np.ndarray:
    """Whether a review finds fraud or error (1), drawn from its log-odds."""
    c, online = claims, people["online"]
    logit = (
        -4.6
        + 0.75 * (4 - c["documents"])
        + 0.45 * c["changes"]
        + 1.1 * c["previous_flags"]
        + 0.9 * ((c["days"] < 2) & ~c["days_missing"])
        + 3.0 * np.log(c["amount_noise"])
        + 1.1 * (c["jobseeker"] & ~c["no_income"])
        + 0.5 * people["paper"]
        + REVIEW_BIAS * (people["decile"] <= 3)
        # The new online form: income left at its pre-filled zero in larger households.
        + ramp * NEW_PATTERN * (online & c["no_income"] & (c["household"] >= 3))
        # Online uploads are checked automatically, so missing documents matter less.
        - ramp * 0.55 * (4 - c["documents"]) * online
    )
    return (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)


def _claims_table(
    months: np.ndarray,
    people: dict[str, np.ndarray],
    claims: dict[str, np.ndarray],
    flagged: np.ndarray,
) -> pd.DataFrame:
    """The claims as the bundled file holds them, one row per claim."""
    import pandas as pd

    def labels(options: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
        return np.asarray(options)[codes]

    p, c = people, claims
    days = pd.Series(c["days"].astype(int), dtype="Int64").mask(c["days_missing"])
    return pd.DataFrame(
        {
            "claim_id": [f"BC{i:06d}" for i in range(1, len(flagged) + 1)],
            "month": months,
            "region": labels(REGIONS, p["region"]),
            "benefit_type": labels(BENEFIT_TYPES, p["benefit"]),
            "channel": labels(CHANNELS, p["channel"]),
            "claim_amount": c["amount"].astype(int),
            "household_size": c["household"].astype(int),
            "declared_income": c["income"].astype(int),
            "months_claiming": c["months_claiming"],
            "changes_reported_12m": c["changes"].astype(int),
            "documents_provided": c["documents"].astype(int),
            "days_to_submit": days,
            "previous_flags": c["previous_flags"].astype(int),
            "area_deprivation_decile": p["decile"].astype(int),
            "sex": labels(SEXES, p["sex"]),
            "age_band": labels(AGE_BANDS, p["age"]),
            "ethnic_group": labels(ETHNIC_GROUPS, p["ethnic"]),
            "disability": np.where(p["disability"], "yes", "no"),
            "flagged": flagged,
        }
    )
