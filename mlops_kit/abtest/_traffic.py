"""Live-like champion/challenger traffic from the bundled benefit claims.

Two models are trained on the earlier months (January 2023 to June 2024) with
:func:`mlops_kit.train.train_model`, both score every later claim (July to December
2024), and a hashed split of the claim ids decides whose decision each claim meets.
The result holds both models' decisions for every case, so the same traffic serves a
live split (:func:`analyse_experiment`) and shadow mode (:func:`compare_shadow`).
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..data import load_dataset, profile_dataset
from ..errors import ConfigError
from ..train import train_model
from ._common import check_probability, pct
from ._design import CHALLENGER, assign_arms
from ._guardrails import rate
from ._rule import RATE_METRICS
from ._sequential import sequential_test
from ._stats import two_proportion_test

if TYPE_CHECKING:
    import pandas as pd

_DATASET = "benefit_claims"
_MODELS = ("logistic", "hgb", "rf")


@functools.lru_cache(maxsize=4)
def _scores(model: str, seed: int) -> pd.DataFrame:
    """Held-out scores of one model trained on the earlier months (cached per process)."""
    claims = load_dataset(_DATASET, validate=False)
    roles = profile_dataset(claims, _DATASET).roles
    result = train_model(claims, roles, model=model, split="time", cv_folds=0, seed=seed)
    out = result.predictions.loc[:, ["row", "y_true", "y_score", *roles.protected, "month"]]
    out.insert(0, "claim_id", claims["claim_id"].to_numpy()[out["row"].to_numpy()])
    return out.drop(columns="row").reset_index(drop=True)


@dataclass(frozen=True)
class LiveTraffic:
    """Both models' decisions on the same later claims, and the arm each claim meets.

    ``outcomes`` has one row per claim: ``claim_id``, ``month``, ``arm``, ``y_true``,
    ``y_pred`` and ``y_score`` (the decision and score of the model in the claim's arm,
    the one acted on), ``champion_pred``, ``challenger_pred``, ``champion_score``,
    ``challenger_score`` and the protected columns.
    """

    outcomes: pd.DataFrame = field(repr=False)
    champion: str
    challenger: str
    threshold: float
    share: float
    salt: str

    @property
    def protected(self) -> list[str]:
        return [c for c in ("sex", "age_band", "ethnic_group", "disability") if c in self.outcomes]

    def summary(self) -> str:
        o = self.outcomes
        n_ch = int((o["arm"] == CHALLENGER).sum())
        return (
            f"{len(o):,} claims from {o['month'].min()} to {o['month'].max()}, scored by the "
            f"champion ({self.champion}) and the challenger ({self.challenger}), both trained "
            f"on the earlier months. A hash of each claim id with the salt {self.salt!r} sent "
            f"{n_ch:,} claims ({pct(n_ch / len(o))}) to the challenger, planned "
            f"{pct(self.share, 0)}; a claim is flagged when its score is at least "
            f"{self.threshold:g}."
        )

    def _repr_html_(self) -> str:
        return (
            f'<div class="mlops-abtest"><h4>Live-like traffic</h4>'
            f"<p>{html.escape(self.summary())}</p></div>"
        )


def live_traffic(
    *,
    champion: str = "logistic",
    challenger: str = "hgb",
    threshold: float = 0.5,
    share: float = 0.5,
    salt: str = "claims-ab-2024-07",
    seed: int = 0,
) -> LiveTraffic:
    """Champion/challenger traffic on the bundled claims, split by a hash of the claim id.

    Parameters
    ----------
    champion, challenger : {"logistic", "hgb", "rf"}
        The two model families, trained on January 2023 to June 2024.
    threshold : float
        A claim is flagged (``y_pred`` 1) when its score is at least this.
    share : float
        The share of claims sent to the challenger.
    salt : str
        Salt of the hashed split: a new experiment takes a new salt.

    Examples
    --------
    >>> t = live_traffic()
    >>> len(t.outcomes), sorted(set(t.outcomes["arm"]))
    (10500, ['challenger', 'champion'])
    """
    owner = "live_traffic"
    for key, value in (("champion", champion), ("challenger", challenger)):
        if value not in _MODELS:
            raise ConfigError(
                f"The '{key}' parameter of {owner} must be one of {', '.join(_MODELS)}. "
                f"Got {value!r} instead."
            )
    threshold = check_probability(owner, "threshold", threshold)
    share = check_probability(owner, "share", share)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"The 'seed' parameter of {owner} must be an int. Got {seed!r} instead.")
    a, b = _scores(champion, seed), _scores(challenger, seed)
    out = a.drop(columns="y_score").copy()
    out.insert(1, "arm", assign_arms(out["claim_id"], share=share, salt=salt))
    out["y_true"] = out["y_true"].astype(int)
    out["champion_score"] = a["y_score"].to_numpy()
    out["challenger_score"] = b["y_score"].to_numpy()
    out["champion_pred"] = (out["champion_score"] >= threshold).astype(int)
    out["challenger_pred"] = (out["challenger_score"] >= threshold).astype(int)
    on_ch = (out["arm"] == CHALLENGER).to_numpy()
    out["y_pred"] = np.where(on_ch, out["challenger_pred"], out["champion_pred"])
    out["y_score"] = np.where(on_ch, out["challenger_score"], out["champion_score"])
    return LiveTraffic(out, champion, challenger, threshold, share, salt)


def monthly_looks(
    traffic: LiveTraffic | pd.DataFrame,
    *,
    metric: str = "recall",
    alpha: float = 0.05,
    mixture_scale: float = 0.02,
) -> pd.DataFrame:
    """What an analyst would see looking at the experiment at the end of every month.

    One row per month with the cumulative cases counted by ``metric`` and its value
    in each arm, the p-value of a fixed-horizon z-test at that look (valid only at a
    single, planned look) and the always-valid p-value of the sequential test over
    every look so far (valid however often you look).

    Examples
    --------
    >>> looks = monthly_looks(live_traffic(threshold=0.3))
    >>> len(looks), bool((looks["always_valid_p"].diff().dropna() <= 0).all())
    (6, True)
    """
    import pandas as pd

    owner = "monthly_looks"
    if metric not in RATE_METRICS:
        raise ConfigError(
            f"The 'metric' parameter of {owner} must be one of {', '.join(RATE_METRICS)}. "
            f"Got {metric!r} instead."
        )
    alpha = check_probability(owner, "alpha", alpha, high=0.5)
    frame = traffic.outcomes if isinstance(traffic, LiveTraffic) else traffic
    months = sorted(frame["month"].astype(str).unique())
    counts: dict[str, list[int]] = {"x1": [], "n1": [], "x2": [], "n2": []}
    rows = []
    for month in months:
        upto = frame[frame["month"].astype(str) <= month]
        y, pred = upto["y_true"].to_numpy(dtype=float), upto["y_pred"].to_numpy(dtype=float)
        arm = upto["arm"].to_numpy().astype(str)
        (x1, n1), (x2, n2) = (
            rate(metric, y[arm == a], pred[arm == a]) for a in ("champion", CHALLENGER)
        )
        for key, value in zip(counts, (x1, n1, x2, n2), strict=True):
            counts[key].append(value)
        naive = two_proportion_test((x1, x2), (n1, n2))
        seq = sequential_test(
            (counts["x1"], counts["x2"]),
            (counts["n1"], counts["n2"]),
            alpha=alpha,
            mixture_scale=mixture_scale,
        )
        rows.append(
            {
                "month": month,
                "champion_n": n1,
                "challenger_n": n2,
                f"champion_{metric}": x1 / n1 if n1 else np.nan,
                f"challenger_{metric}": x2 / n2 if n2 else np.nan,
                "naive_p": naive.p_value,
                "naive_says_significant": naive.p_value <= alpha,
                "always_valid_p": seq.p_value,
                "sequential_says_significant": seq.significant,
            }
        )
    return pd.DataFrame(rows)
