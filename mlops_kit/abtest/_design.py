"""Planning an experiment: sample size, traffic split and a check that the split is fair."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .._io import json_ready
from ..errors import ConfigError
from ._common import check_probability, html_block, p_text, pct

if TYPE_CHECKING:
    import pandas as pd

CHAMPION, CHALLENGER = "champion", "challenger"


def _z(q: float) -> float:
    return NormalDist().inv_cdf(q)


@dataclass(frozen=True)
class SampleSize:
    """Cases needed per arm to detect a change from ``baseline`` to ``target``."""

    baseline: float
    target: float
    alpha: float
    power: float
    alternative: str
    share: float
    method: str
    n_champion: int
    n_challenger: int

    @property
    def total(self) -> int:
        return self.n_champion + self.n_challenger

    def summary(self) -> str:
        return (
            f"To detect a change from {pct(self.baseline)} to {pct(self.target)} with a "
            f"{self.alternative} test at significance {self.alpha:g} and {self.power:.0%} power, "
            f"with {self.share:.0%} of traffic to the challenger, you need "
            f"{self.n_champion:,} cases for the champion and {self.n_challenger:,} for the "
            f"challenger ({self.total:,} in all). Cases here are the ones the metric counts "
            "(for recall: actual positives)."
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total, "summary": self.summary()}

    def _repr_html_(self) -> str:
        return html_block("Sample size", self.summary())


def sample_size(
    baseline: float,
    effect: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: Literal["two-sided", "one-sided"] = "two-sided",
    share: float = 0.5,
    method: Literal["arcsine", "wald"] = "arcsine",
) -> SampleSize:
    """Cases per arm to detect a difference of two proportions (closed form).

    ``method="arcsine"`` uses Cohen's effect size h (statsmodels'
    ``NormalIndPower`` with ``proportion_effectsize``); ``method="wald"`` the
    classic normal-approximation formula with a pooled variance under the null.

    Parameters
    ----------
    baseline : float
        The champion's rate, in (0, 1).
    effect : float
        The change to detect, challenger minus champion (absolute, may be negative).
    share : float
        The share of traffic sent to the challenger.

    Examples
    --------
    >>> sample_size(0.10, 0.02).n_champion
    3835
    """
    owner = "sample_size"
    p1 = check_probability(owner, "baseline", baseline)
    if isinstance(effect, bool) or not isinstance(effect, int | float) or effect == 0:
        raise ConfigError(
            f"The 'effect' parameter of {owner} must be a non-zero number. Got {effect!r} instead."
        )
    p2 = p1 + float(effect)
    if not 0 < p2 < 1:
        raise ConfigError(
            f"The 'effect' parameter of {owner} must keep baseline + effect inside (0, 1). "
            f"Got {effect!r} (baseline {p1:g}) instead."
        )
    check_probability(owner, "alpha", alpha, high=0.5)
    check_probability(owner, "power", power, low=0.5)
    check_probability(owner, "share", share)
    if alternative not in ("two-sided", "one-sided"):
        raise ConfigError(
            f"The 'alternative' parameter of {owner} must be 'two-sided' or 'one-sided'. "
            f"Got {alternative!r} instead."
        )
    if method not in ("arcsine", "wald"):
        raise ConfigError(
            f"The 'method' parameter of {owner} must be 'arcsine' or 'wald'. "
            f"Got {method!r} instead."
        )
    ratio = share / (1 - share)  # n_challenger / n_champion
    z_a = _z(1 - alpha / 2) if alternative == "two-sided" else _z(1 - alpha)
    z_b = _z(power)
    if method == "arcsine":
        h = 2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1))
        n1 = (z_a + z_b) ** 2 * (1 + 1 / ratio) / h**2
    else:
        pbar = (p1 + ratio * p2) / (1 + ratio)
        null_sd = math.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio))
        alt_sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
        n1 = (z_a * null_sd + z_b * alt_sd) ** 2 / (p2 - p1) ** 2
    n_champion = math.ceil(n1 - 1e-9)
    return SampleSize(
        baseline=p1,
        target=p2,
        alpha=float(alpha),
        power=float(power),
        alternative=alternative,
        share=float(share),
        method=method,
        n_champion=n_champion,
        n_challenger=math.ceil(n_champion * ratio - 1e-9),
    )


def hash_share(case_id: Any, salt: str = "") -> float:
    """A stable number in [0, 1) from SHA-256 of ``salt`` + the case id."""
    digest = hashlib.sha256(f"{salt}{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_arms(
    case_ids: Iterable[Any],
    *,
    method: Literal["hash", "random"] = "hash",
    share: float = 0.5,
    salt: str = "",
    seed: int | None = None,
) -> np.ndarray:
    """Send each case to the champion or the challenger.

    ``method="hash"`` gives stable assignment: the same case id (with the same salt)
    always lands in the same arm, whatever order cases arrive in, so a case that
    comes back is scored by the same model. ``method="random"`` draws afresh with
    ``seed``. Returns an array of ``"champion"`` / ``"challenger"``.

    Examples
    --------
    >>> assign_arms(["a-1", "a-2", "a-1"], salt="exp-1").tolist()
    ['challenger', 'champion', 'challenger']
    """
    owner = "assign_arms"
    share = check_probability(owner, "share", share)
    ids = list(case_ids)
    if method == "hash":
        if not isinstance(salt, str):
            raise ConfigError(
                f"The 'salt' parameter of {owner} must be a string. Got {salt!r} instead."
            )
        u = np.fromiter((hash_share(i, salt) for i in ids), dtype=float, count=len(ids))
    elif method == "random":
        u = np.random.default_rng(seed).random(len(ids))
    else:
        raise ConfigError(
            f"The 'method' parameter of {owner} must be 'hash' or 'random'. Got {method!r} instead."
        )
    return np.where(u < share, CHALLENGER, CHAMPION).astype(object)


@dataclass(frozen=True)
class BalanceCheck:
    """Whether the split matches the planned share (a sample ratio mismatch check)."""

    n_champion: int
    n_challenger: int
    share: float
    p_value: float
    alpha: float
    group_p_value: float | None = None

    @property
    def observed_share(self) -> float:
        n = self.n_champion + self.n_challenger
        return self.n_challenger / n if n else math.nan

    @property
    def balanced(self) -> bool:
        ok = self.p_value >= self.alpha
        return ok and (self.group_p_value is None or self.group_p_value >= self.alpha)

    def summary(self) -> str:
        text = (
            f"{self.n_challenger:,} of {self.n_champion + self.n_challenger:,} cases went to the "
            f"challenger ({pct(self.observed_share)} against {pct(self.share)} planned; "
            f"exact binomial test {p_text(self.p_value)})."
        )
        if self.group_p_value is not None:
            text += f" Mix of groups across arms: chi-square {p_text(self.group_p_value)}."
        if self.balanced:
            return text + " The split looks as planned."
        return text + (
            f" Below {self.alpha:g}: a sample ratio mismatch. Find out why (a bug in the "
            "split, cases dropped in one arm) before trusting any result."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: json_ready(v) for k, v in asdict(self).items()},
            "observed_share": json_ready(self.observed_share),
            "balanced": self.balanced,
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        return html_block("Traffic split", self.summary())


def check_balance(
    arms: Iterable[str],
    *,
    share: float = 0.5,
    groups: Iterable[Any] | pd.Series | None = None,
    alpha: float = 0.001,
) -> BalanceCheck:
    """Test the split against the planned share (exact binomial) and, with ``groups``,
    that each group is spread across arms alike (chi-square of arm by group)."""
    from scipy.stats import binomtest, chi2_contingency

    owner = "check_balance"
    share = check_probability(owner, "share", share)
    alpha = check_probability(owner, "alpha", alpha, high=0.5)
    a = np.asarray(list(arms), dtype=object)
    bad = sorted({str(x) for x in a} - {CHAMPION, CHALLENGER})
    if bad or len(a) == 0:
        raise ConfigError(
            f"The 'arms' of {owner} must be a non-empty list of 'champion' and 'challenger'. "
            f"Got {bad[:3] if bad else 'an empty list'} instead."
        )
    is_ch = a == CHALLENGER
    n_ch, n = int(is_ch.sum()), len(a)
    p = float(binomtest(n_ch, n, share).pvalue)
    group_p = None
    if groups is not None:
        g = np.asarray(list(groups), dtype=object)
        if len(g) != n:
            raise ConfigError(
                f"The 'groups' of {owner} must have one value per case ({n}). Got {len(g)} instead."
            )
        _, codes = np.unique(g.astype(str), return_inverse=True)
        table = np.stack(
            [
                np.bincount(codes[~is_ch], minlength=codes.max() + 1),
                np.bincount(codes[is_ch], minlength=codes.max() + 1),
            ]
        )
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] >= 2 and (table.sum(axis=1) > 0).all():
            group_p = float(chi2_contingency(table).pvalue)
    return BalanceCheck(n - n_ch, n_ch, share, p, alpha, group_p)
