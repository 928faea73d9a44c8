"""Seeded generators for the bundled synthetic datasets.

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

__all__ = ["generate_benefit_claims", "generate_hospital_admissions"]

# --- Benefit claims -----------------------------------------------------------------

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
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = n_months * claims_per_month
    month_index = np.repeat(np.arange(n_months), claims_per_month)
    # 0 before the change, rising linearly to 1 over ramp_months.
    ramp = np.clip((month_index - (change_month - 1) + 1) / ramp_months, 0.0, 1.0)

    def pick(options: tuple[str, ...], shares: tuple[float, ...], size: int = n) -> np.ndarray:
        return rng.choice(len(options), size=size, p=np.asarray(shares) / np.sum(shares))

    ethnic = pick(ETHNIC_GROUPS, ETHNIC_SHARES)
    beta = np.asarray(DEPRIVATION_BETA)
    decile = 1 + np.floor(10 * rng.beta(beta[ethnic, 0], beta[ethnic, 1])).astype(int)
    decile = np.clip(decile, 1, 10)
    region = pick(REGIONS, REGION_SHARES)
    sex = pick(SEXES, SEX_SHARES)
    age = pick(AGE_BANDS, AGE_SHARES)
    benefit = pick(BENEFIT_TYPES, BENEFIT_SHARES)
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
    online = channel == CHANNELS.index("online")
    paper = channel == CHANNELS.index("paper")

    household = 1 + rng.poisson(1.2, n) + (benefit == BENEFIT_TYPES.index("child_support"))
    household = np.clip(household, 1, 9)
    jobseeker = benefit == BENEFIT_TYPES.index("jobseeker_support")
    no_income = rng.random(n) < np.where(jobseeker, 0.7, 0.35)
    income = np.where(no_income, 0, 5 * np.round(rng.lognormal(6.6, 0.55, n) / 5))
    base_amount = np.asarray(BENEFIT_BASE_AMOUNT)[benefit] * (1 + 0.18 * (household - 1))
    amount_noise = rng.lognormal(0.0, 0.25, n)
    amount = np.round(base_amount * amount_noise)
    months_claiming = np.minimum(np.floor(rng.exponential(18, n)), 120).astype(int)
    changes = rng.poisson(0.6 + 0.15 * household)
    documents = rng.binomial(4, np.where(paper, 0.62, 0.78))
    days = np.round(rng.gamma(1.6, np.where(online, 2.5, np.where(paper, 9.0, 4.5))))
    days_missing = paper & (rng.random(n) < 0.10)
    previous_flags = np.minimum(rng.poisson(0.22, n), 5)

    # The chance that a review finds fraud or error (log-odds).
    logit = (
        -4.6
        + 0.75 * (4 - documents)
        + 0.45 * changes
        + 1.1 * previous_flags
        + 0.9 * ((days < 2) & ~days_missing)
        + 3.0 * np.log(amount_noise)
        + 1.1 * (jobseeker & ~no_income)
        + 0.5 * paper
        + REVIEW_BIAS * (decile <= 3)
        # The new online form: income left at its pre-filled zero in larger households.
        + ramp * NEW_PATTERN * (online & no_income & (household >= 3))
        # Online uploads are checked automatically, so missing documents matter less.
        - ramp * 0.55 * (4 - documents) * online
    )
    flagged = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)

    def labels(options: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
        return np.asarray(options)[codes]

    months = np.asarray(_month_labels(start_year, n_months))
    return pd.DataFrame(
        {
            "claim_id": [f"BC{i:06d}" for i in range(1, n + 1)],
            "month": months[month_index],
            "region": labels(REGIONS, region),
            "benefit_type": labels(BENEFIT_TYPES, benefit),
            "channel": labels(CHANNELS, channel),
            "claim_amount": amount.astype(int),
            "household_size": household.astype(int),
            "declared_income": income.astype(int),
            "months_claiming": months_claiming,
            "changes_reported_12m": changes.astype(int),
            "documents_provided": documents.astype(int),
            "days_to_submit": pd.Series(days.astype(int), dtype="Int64").mask(days_missing),
            "previous_flags": previous_flags.astype(int),
            "area_deprivation_decile": decile.astype(int),
            "sex": labels(SEXES, sex),
            "age_band": labels(AGE_BANDS, age),
            "ethnic_group": labels(ETHNIC_GROUPS, ethnic),
            "disability": np.where(disability, "yes", "no"),
            "flagged": flagged,
        }
    )


# --- Hospital admissions ------------------------------------------------------------

NHS_REGIONS = (
    "East of England",
    "London",
    "Midlands",
    "North East and Yorkshire",
    "North West",
    "South East",
    "South West",
)
# Resident population in thousands (rounded, synthetic but of a realistic size).
NHS_POPULATION = (6350, 8870, 10850, 8210, 7420, 9280, 5740)
# Weekly emergency admissions per 100,000 residents before seasonality.
NHS_BASE_RATE = (205.0, 188.0, 215.0, 232.0, 228.0, 198.0, 210.0)
# Week of the outbreak's peak in each region, counted from the first week; the wave
# arrives in London first and spreads outwards.
OUTBREAK_PEAK_WEEK = (98, 96, 99, 101, 100, 97, 102)


def _bank_holiday_weeks(week_starts: pd.DatetimeIndex) -> np.ndarray:
    """Return 1 for weeks (Monday start) that contain a bank holiday in England."""
    import pandas as pd

    holidays: list[pd.Timestamp] = []
    for year in sorted(set(week_starts.year) | {week_starts.year.min() - 1}):
        easter = _easter_sunday(year)
        holidays += [
            pd.Timestamp(year, 1, 1),
            easter - pd.Timedelta(days=2),
            easter + pd.Timedelta(days=1),
            _first_monday(year, 5),
            _last_monday(year, 5),
            _last_monday(year, 8),
            pd.Timestamp(year, 12, 25),
            pd.Timestamp(year, 12, 26),
        ]
    hol = pd.DatetimeIndex(holidays)
    week_of_holiday = hol - pd.to_timedelta(hol.day_of_week, unit="D")
    return week_starts.isin(week_of_holiday).astype(int)


def _easter_sunday(year: int) -> pd.Timestamp:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    import pandas as pd

    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return pd.Timestamp(year, month, day + 1)


def _first_monday(year: int, month: int) -> pd.Timestamp:
    import pandas as pd

    first = pd.Timestamp(year, month, 1)
    return first + pd.Timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> pd.Timestamp:
    import pandas as pd

    last = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    return last - pd.Timedelta(days=last.weekday())


def generate_hospital_admissions(
    *,
    n_weeks: int = 156,
    start: str = "2021-01-04",
    seed: int = 20210104,
) -> pd.DataFrame:
    """Generate the synthetic weekly emergency-admissions table (regression).

    One row per NHS England region and week, with winter seasonality, a temperature
    effect, bank-holiday dips and a respiratory outbreak wave in the autumn of the
    second year that reaches each region a few days apart. The target is
    ``emergency_admissions``; the lag columns hold the same region's earlier weeks,
    so a model predicts one week ahead.

    Parameters
    ----------
    n_weeks : int, default 156
        Number of weeks (about three years).
    start : str, default "2021-01-04"
        The Monday that starts the first week.
    seed : int, default 20210104
        Seed of the NumPy generator.

    Returns
    -------
    pandas.DataFrame
        One row per region and week; see ``data/hospital_admissions.datasheet.md``.

    Examples
    --------
    >>> df = generate_hospital_admissions(n_weeks=8)
    >>> df.shape
    (56, 11)
    >>> bool(df["emergency_admissions"].gt(0).all())
    True
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    warmup = 4  # weeks generated before the first row so every lag is known
    total = n_weeks + warmup
    weeks = pd.date_range(
        pd.Timestamp(start) - pd.Timedelta(weeks=warmup), periods=total, freq="7D"
    )
    week_of_year = weeks.isocalendar().week.to_numpy().astype(int)
    t = np.arange(total) - warmup
    season = np.cos(2 * np.pi * (week_of_year - 2) / 52)
    holiday = _bank_holiday_weeks(weeks)

    rows = []
    for r, name in enumerate(NHS_REGIONS):
        temp = 10.5 - 6.0 * np.cos(2 * np.pi * (week_of_year - 4) / 52) + rng.normal(0, 1.6, total)
        temp += 0.8 * (name == "London") - 0.6 * (name == "North East and Yorkshire")
        wave = np.exp(-0.5 * ((t - OUTBREAK_PEAK_WEEK[r]) / 3.5) ** 2)
        positivity = 4 + 6 * np.clip(season, 0, None) + 24 * wave + rng.gamma(2.0, 0.6, total)
        cold = np.clip(8 - temp, 0, None)
        rate = NHS_BASE_RATE[r] * (1 + 0.11 * season) * (1 + 0.012 * cold)
        rate *= (1 + 0.009 * (positivity - 4)) * (1 - 0.045 * holiday)
        rate *= 1 + 0.0006 * t  # slow growth in demand
        expected = rate * NHS_POPULATION[r] / 100
        admissions = np.round(expected + rng.normal(0, 1.8 * np.sqrt(expected), total))
        admissions = np.maximum(admissions, 0).astype(int)
        lag1 = np.roll(admissions, 1)
        lag2 = np.roll(admissions, 2)
        # Mean of the four weeks before this one (the first value is never kept).
        rolling4 = np.convolve(admissions, np.ones(4) / 4, mode="full")[:total]
        mean4 = np.concatenate([[np.nan], rolling4[:-1]])
        keep = slice(warmup, total)
        rows.append(
            pd.DataFrame(
                {
                    "week_start": weeks[keep].strftime("%Y-%m-%d"),
                    "region": name,
                    "population_thousands": NHS_POPULATION[r],
                    "week_of_year": week_of_year[keep],
                    "mean_temperature_c": np.round(temp[keep], 1),
                    "respiratory_positivity_pct": np.round(positivity[keep], 1),
                    "bank_holiday": holiday[keep],
                    "admissions_last_week": lag1[keep],
                    "admissions_2_weeks_ago": lag2[keep],
                    "admissions_4wk_mean": np.round(mean4[keep], 1),
                    "emergency_admissions": admissions[keep],
                }
            )
        )
    df = pd.concat(rows, ignore_index=True)
    return df.sort_values(["week_start", "region"], kind="stable", ignore_index=True)
