"""The pre-registered decision rule of an experiment, frozen with a timestamp and a hash."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from ..errors import ConfigError, did_you_mean
from ._common import METRIC_WORDS, check_probability
from ._design import sample_size

#: Metrics that are a share of cases, tested with proportion tests.
RATE_METRICS = ("recall", "precision", "accuracy", "flag_rate", "false_positive_rate")
#: Metrics compared with bootstrap intervals.
OTHER_METRICS = ("roc_auc",)
#: Which way is better for each metric when the rule does not say.
HIGHER_IS_BETTER = {
    "recall": True,
    "precision": True,
    "accuracy": True,
    "roc_auc": True,
    "flag_rate": False,
    "false_positive_rate": False,
    "fairness_ratio": True,
}

Alternative = Literal["two-sided", "one-sided"]
Design = Literal["fixed", "sequential"]


def _fail(owner: str, key: str, rule: str, value: Any) -> ConfigError:
    return ConfigError(f"The '{key}' key of {owner} {rule}. Got {value!r} instead.")


@dataclass(frozen=True)
class Guardrail:
    """A metric the challenger must not break, whatever the primary metric says.

    Parameters
    ----------
    metric : str
        ``"fairness_ratio"`` (lowest group flag rate over highest, by ``attribute``)
        or one of the rate metrics (``recall``, ``precision``, ``accuracy``,
        ``flag_rate``, ``false_positive_rate``).
    attribute : str or None
        The protected attribute, required for ``fairness_ratio``.
    min_value, max_value : float or None
        Limits on the challenger's value (e.g. ``min_value=0.8``, the four-fifths rule).
    max_drop : float or None
        The largest allowed worsening against the champion: a fall for metrics where
        higher is better, a rise for ``flag_rate`` and ``false_positive_rate``.

    Examples
    --------
    >>> Guardrail("fairness_ratio", attribute="sex", min_value=0.8, max_drop=0.05).describe()
    'fairness ratio ... by sex at least 0.80 and no more than 0.05 worse than the champion'
    """

    metric: str
    attribute: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_drop: float | None = None

    def __post_init__(self) -> None:
        owner = "Guardrail"
        allowed = (*RATE_METRICS, "fairness_ratio")
        if self.metric not in allowed:
            raise ConfigError(
                f"The 'metric' key of {owner} must be one of {', '.join(allowed)}. "
                f"Got {self.metric!r} instead.{did_you_mean(str(self.metric), allowed)}"
            )
        if self.metric == "fairness_ratio" and not self.attribute:
            raise _fail(
                owner,
                "attribute",
                "must name a protected column for fairness_ratio",
                self.attribute,
            )
        for key in ("min_value", "max_value", "max_drop"):
            value = getattr(self, key)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise _fail(owner, key, "must be a non-negative number or None", value)
        if self.min_value is None and self.max_value is None and self.max_drop is None:
            raise ConfigError(
                f"Guardrail on {self.metric!r} needs at least one of 'min_value', 'max_value' "
                "or 'max_drop'. Got none of them."
            )

    @property
    def higher_is_better(self) -> bool:
        return HIGHER_IS_BETTER[self.metric]

    def describe(self) -> str:
        """The guardrail in plain words."""
        name = METRIC_WORDS[self.metric] + (f" by {self.attribute}" if self.attribute else "")
        parts = []
        if self.min_value is not None:
            parts.append(f"at least {self.min_value:.2f}")
        if self.max_value is not None:
            parts.append(f"at most {self.max_value:.2f}")
        if self.max_drop is not None:
            parts.append(f"no more than {self.max_drop:.2f} worse than the champion")
        return f"{name} {' and '.join(parts)}"


@dataclass(frozen=True)
class DecisionRule:
    """What will count as a win, written down before any data is seen.

    Parameters
    ----------
    metric : str
        The primary metric: a rate (``recall``, ``precision``, ``accuracy``,
        ``flag_rate``, ``false_positive_rate``) or ``roc_auc``.
    baseline : float
        The champion's expected value of the metric (used for the sample size).
    mde : float
        Minimum detectable effect: the smallest improvement worth acting on, as an
        absolute difference (0.02 is two percentage points).
    alpha : float
        Significance level: the accepted chance of promoting a challenger that is no better.
    power : float
        The chance of detecting an improvement of ``mde`` when there is one.
    alternative : {"two-sided", "one-sided"}
        One-sided tests only whether the challenger is better.
    design : {"fixed", "sequential"}
        ``fixed``: look once, at the planned sample size. ``sequential``: look as often
        as you like with an always-valid test (rate metrics only).
    share : float
        The share of traffic sent to the challenger.
    guardrails : tuple of Guardrail
        Limits the challenger must respect.
    higher_is_better : bool or None
        Direction of the primary metric; by default the metric's usual direction.
    sample_size : int or None
        Planned cases per arm for ``roc_auc`` (no closed form); optional for rates.
    max_sample_size : int or None
        Sequential design: the most cases per arm before stopping (default twice the
        fixed-horizon size).
    min_group_size : int
        Groups smaller than this are not judged by fairness guardrails.
    """

    metric: str
    baseline: float
    mde: float
    alpha: float = 0.05
    power: float = 0.8
    alternative: Alternative = "two-sided"
    design: Design = "fixed"
    share: float = 0.5
    guardrails: tuple[Guardrail, ...] = ()
    higher_is_better: bool | None = None
    sample_size: int | None = None
    max_sample_size: int | None = None
    min_group_size: int = 30
    mixture_scale: float | None = field(default=None)

    def __post_init__(self) -> None:
        owner = "DecisionRule"
        allowed = (*RATE_METRICS, *OTHER_METRICS)
        if self.metric not in allowed:
            raise ConfigError(
                f"The 'metric' key of {owner} must be one of {', '.join(allowed)}. "
                f"Got {self.metric!r} instead.{did_you_mean(str(self.metric), allowed)}"
            )
        check_probability(owner, "baseline", self.baseline)
        check_probability(owner, "mde", self.mde)
        check_probability(owner, "alpha", self.alpha, high=0.5)
        check_probability(owner, "power", self.power, low=0.5)
        check_probability(owner, "share", self.share)
        if self.alternative not in ("two-sided", "one-sided"):
            raise _fail(
                owner, "alternative", "must be 'two-sided' or 'one-sided'", self.alternative
            )
        if self.design not in ("fixed", "sequential"):
            raise _fail(owner, "design", "must be 'fixed' or 'sequential'", self.design)
        better = self.higher_is_better_
        target = self.baseline + self.mde if better else self.baseline - self.mde
        if not 0 < target < 1:
            raise _fail(
                owner,
                "mde",
                f"must keep the improved {self.metric} "
                f"(baseline {self.baseline:g} {'+' if better else '-'} mde) inside "
                "(0, 1)",
                self.mde,
            )
        if self.metric in OTHER_METRICS:
            if self.design == "sequential":
                raise _fail(
                    owner,
                    "design",
                    f"must be 'fixed' for {self.metric} (the sequential test is for rates)",
                    self.design,
                )
            if self.sample_size is None:
                raise _fail(
                    owner,
                    "sample_size",
                    f"must be given for {self.metric}: there is no closed-form sample size for it",
                    self.sample_size,
                )
        for key in ("sample_size", "max_sample_size"):
            value = getattr(self, key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 2
            ):
                raise _fail(owner, key, "must be a whole number of at least 2 or None", value)
        if (
            isinstance(self.min_group_size, bool)
            or not isinstance(self.min_group_size, int)
            or self.min_group_size < 1
        ):
            raise _fail(
                owner, "min_group_size", "must be a whole number of at least 1", self.min_group_size
            )
        if self.mixture_scale is not None:
            check_probability(owner, "mixture_scale", self.mixture_scale)
        guardrails = tuple(self.guardrails)
        for g in guardrails:
            if not isinstance(g, Guardrail):
                raise _fail(owner, "guardrails", "must hold Guardrail objects", g)
        object.__setattr__(self, "guardrails", guardrails)

    @property
    def higher_is_better_(self) -> bool:
        """The direction used: the rule's, or the metric's usual one."""
        if self.higher_is_better is None:
            return HIGHER_IS_BETTER[self.metric]
        return bool(self.higher_is_better)

    @property
    def is_rate(self) -> bool:
        return self.metric in RATE_METRICS

    def required_sample_size(self) -> tuple[int, int]:
        """Cases per arm (champion, challenger) for the fixed-horizon test."""
        if self.sample_size is not None:
            n_ch = max(2, round(self.sample_size * self.share / (1 - self.share)))
            return self.sample_size, n_ch

        plan = sample_size(
            self.baseline,
            self.mde if self.higher_is_better_ else -self.mde,
            alpha=self.alpha,
            power=self.power,
            alternative=self.alternative,
            share=self.share,
        )
        return plan.n_champion, plan.n_challenger

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of every key (the hashed content)."""
        out = asdict(self)
        out["guardrails"] = [asdict(g) for g in self.guardrails]
        return out

    def fingerprint(self) -> str:
        """SHA-256 of the rule's canonical JSON."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def register(self, *, at: datetime | None = None) -> RegisteredRule:
        """Freeze the rule: record when it was written down and its hash."""
        moment = at or datetime.now(UTC)
        return RegisteredRule(self, moment.isoformat(timespec="seconds"), self.fingerprint())

    def describe(self) -> str:
        """The rule in plain words."""
        direction = "higher" if self.higher_is_better_ else "lower"
        looks = (
            "sequential (look any time)"
            if self.design == "sequential"
            else "one look at the planned size"
        )
        words = (
            f"Primary metric {METRIC_WORDS[self.metric]} ({direction} is better), baseline "
            f"{self.baseline:.3f}; the smallest change worth acting on is {self.mde:.3f}. "
            f"{self.alternative.capitalize()} test at significance {self.alpha:g} with power "
            f"{self.power:.0%}; {self.share:.0%} of traffic to the challenger; "
            f"{looks}."
        )
        if self.guardrails:
            words += " Guardrails: " + "; ".join(g.describe() for g in self.guardrails) + "."
        return words


def register_rule(rule: DecisionRule, *, at: datetime | None = None) -> RegisteredRule:
    """Freeze ``rule`` with a timestamp and hash; see :meth:`DecisionRule.register`."""
    if not isinstance(rule, DecisionRule):
        raise ConfigError(f"register_rule needs a DecisionRule. Got {type(rule).__name__} instead.")
    return rule.register(at=at)


@dataclass(frozen=True)
class RegisteredRule:
    """A decision rule with the time it was registered and its SHA-256 hash."""

    rule: DecisionRule
    registered_at: str
    sha256: str

    def verify(self) -> bool:
        """Whether the rule still matches the hash recorded when it was registered."""
        return self.rule.fingerprint() == self.sha256

    def check(self) -> None:
        """Raise ConfigError when the rule no longer matches its registered hash."""
        if not self.verify():
            raise ConfigError(
                f"The registered rule must match the hash recorded at {self.registered_at} "
                f"({self.sha256[:12]}...). Got a rule hashing to "
                f"{self.rule.fingerprint()[:12]}... instead: it was changed after registration."
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.to_dict(),
            "registered_at": self.registered_at,
            "sha256": self.sha256,
        }
