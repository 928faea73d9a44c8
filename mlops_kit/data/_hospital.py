"""The seeded generator of the bundled hospital-admissions dataset.

The CSV file in the repository's ``data/`` folder is exactly what
:func:`generate_hospital_admissions` returns, written by ``write_bundled_csv`` (a test
regenerates it and compares the bytes). Nothing here describes real admissions: every
value is drawn from the distributions below, documented in the dataset's datasheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["generate_hospital_admissions"]

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

    weather = (week_of_year, t, season, holiday)
    rows = [_region_weeks(rng, r, weeks, weather, warmup) for r in range(len(NHS_REGIONS))]
    df = pd.concat(rows, ignore_index=True)
    return df.sort_values(["week_start", "region"], kind="stable", ignore_index=True)


def _region_weeks(
    rng: np.random.Generator,
    r: int,
    weeks: pd.DatetimeIndex,
    weather: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    warmup: int,
) -> pd.DataFrame:
    """One region's weeks: temperature, positivity, admissions and their lags."""
    import pandas as pd

    week_of_year, t, season, holiday = weather
    name = NHS_REGIONS[r]
    total = len(weeks)
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
    return pd.DataFrame(
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
