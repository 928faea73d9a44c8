"""Analysing a champion/challenger experiment against its pre-registered rule."""

from __future__ import annotations

import enum
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, did_you_mean
from ._common import METRIC_WORDS, clean, p_text
from ._design import CHALLENGER, CHAMPION
from ._rule import DecisionRule, Guardrail, RegisteredRule
from ._sequential import SequentialResult, sequential_test
from ._stats import Alternative, TestResult, bootstrap_difference, rate_masks, two_proportion_test

if TYPE_CHECKING:
    import pandas as pd


class Verdict(enum.StrEnum):
    """What the pre-registered rule says to do."""

    PROMOTE = "promote the challenger"
    KEEP = "keep the champion"
    COLLECT = "keep collecting data"
    STOP = "stop: guardrail broken"


@dataclass(frozen=True)
class GuardrailCheck:
    """One guardrail judged on the data: the values, and whether it holds."""

    guardrail: Guardrail
    champion: float | None
    challenger: float | None
    status: str  # "holds", "broken" or "not judged"
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.guardrail.metric,
            "attribute": self.guardrail.attribute,
            "rule": self.guardrail.describe(),
            "champion": clean(self.champion),
            "challenger": clean(self.challenger),
            "status": self.status,
            "reason": self.reason,
        }


def rate(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[int, int]:
    """(successes, cases counted) of a rate metric."""
    num, den = rate_masks(metric, y_true, y_pred)
    return int(num.sum()), int(den.sum())


def fairness_ratio(flags: np.ndarray, groups: np.ndarray, min_size: int) -> float | None:
    """Lowest group flag rate over highest, over groups with at least ``min_size`` cases."""
    names, codes = np.unique(groups.astype(str), return_inverse=True)
    sizes = np.bincount(codes, minlength=len(names))
    rates = np.bincount(codes, weights=flags.astype(float), minlength=len(names))
    keep = sizes >= min_size
    if keep.sum() < 2:
        return None
    r = rates[keep] / sizes[keep]
    return float(r.min() / r.max()) if r.max() > 0 else None


def judge_guardrail(
    g: Guardrail, champion: float | None, challenger: float | None, why_not: str = ""
) -> GuardrailCheck:
    """Hold the challenger's value (and its change from the champion) to the guardrail."""
    if challenger is None:
        return GuardrailCheck(
            g,
            champion,
            None,
            "not judged",
            f"{g.describe()}: not judged ({why_not or 'undefined on the data'}).",
        )
    broken = []
    if g.min_value is not None and challenger < g.min_value:
        broken.append(f"the challenger's {challenger:.3f} is below {g.min_value:.2f}")
    if g.max_value is not None and challenger > g.max_value:
        broken.append(f"the challenger's {challenger:.3f} is above {g.max_value:.2f}")
    if g.max_drop is not None and champion is not None:
        worse = (champion - challenger) if g.higher_is_better else (challenger - champion)
        if worse > g.max_drop + 1e-12:
            broken.append(
                f"it is {worse:.3f} worse than the champion's {champion:.3f} "
                f"(allowed {g.max_drop:.2f})"
            )
    champ = f" (champion {champion:.3f})" if champion is not None else ""
    if broken:
        return GuardrailCheck(
            g,
            champion,
            challenger,
            "broken",
            f"Guardrail broken, {g.describe()}: {'; '.join(broken)}.",
        )
    return GuardrailCheck(
        g,
        champion,
        challenger,
        "holds",
        f"Guardrail holds, {g.describe()}: challenger {challenger:.3f}{champ}.",
    )


@dataclass(frozen=True)
class ABTestResult:
    """The analysis of an experiment: primary effect, guardrails, groups and the verdict."""

    rule: DecisionRule
    registration: RegisteredRule | None
    verdict: Verdict
    reasons: tuple[str, ...]
    primary: TestResult
    sequential: SequentialResult | None
    guardrails: tuple[GuardrailCheck, ...]
    n_observed: tuple[int, int]
    n_required: tuple[int, int]
    values: tuple[float, float]
    groups: pd.DataFrame

    def headline(self) -> str:
        if self.verdict is Verdict.COLLECT:
            need = f"{self.n_required[0]:,} + {self.n_required[1]:,}"
            have = f"{self.n_observed[0]:,} + {self.n_observed[1]:,}"
            return f"Verdict: keep collecting data ({have} of {need} needed)."
        return f"Verdict: {self.verdict.value}."

    def summary(self) -> str:
        m = METRIC_WORDS[self.rule.metric]
        return " ".join(
            [
                self.headline(),
                f"Champion {m}: {self.values[0]:.3f}; challenger: {self.values[1]:.3f}.",
                *self.reasons,
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        """Effects per protected group (one row per attribute and group)."""
        return self.groups.copy()

    def to_dict(self) -> dict[str, Any]:
        rows = [{k: clean(v) for k, v in r.items()} for r in self.groups.to_dict("records")]
        return {
            "verdict": self.verdict.value,
            "headline": self.headline(),
            "reasons": list(self.reasons),
            "rule": self.rule.to_dict(),
            "registration": None
            if self.registration is None
            else {
                "registered_at": self.registration.registered_at,
                "sha256": self.registration.sha256,
            },
            "primary": self.primary.to_dict(),
            "sequential": None if self.sequential is None else self.sequential.to_dict(),
            "guardrails": [g.to_dict() for g in self.guardrails],
            "n_observed": list(self.n_observed),
            "n_required": list(self.n_required),
            "champion_value": clean(self.values[0]),
            "challenger_value": clean(self.values[1]),
            "groups": rows,
            "summary": self.summary(),
        }

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(r)}</li>" for r in self.reasons)
        table = (
            self.groups.to_html(
                index=False, float_format=lambda v: f"{v:.3f}", classes="mlops-table"
            )
            if len(self.groups)
            else ""
        )
        return (
            f'<div class="mlops-abtest"><h4>{html.escape(self.headline())}</h4>'
            f"<p>{html.escape(self.primary.summary())}</p><ul>{items}</ul>"
            f"{'<h5>Effects per group</h5>' + table if table else ''}</div>"
        )


def _column(frame: pd.DataFrame, name: str, owner: str) -> np.ndarray:
    if name not in frame.columns:
        raise DataValidationError(
            f"The outcomes given to {owner} must have a column {name!r}. Got columns "
            f"{list(frame.columns)} instead.{did_you_mean(name, map(str, frame.columns))}",
            column=name,
        )
    return frame[name].to_numpy()


def _group_effects(
    metric: str,
    y: np.ndarray,
    pred: np.ndarray,
    arm: np.ndarray,
    frame: pd.DataFrame,
    attributes: Sequence[str],
    level: float,
) -> pd.DataFrame:
    import pandas as pd

    from ._stats import _wald_diff

    rows = []
    metric = metric if metric != "roc_auc" else "flag_rate"
    for attr in attributes:
        values = _column(frame, attr, "analyse_experiment").astype(str)
        for g in sorted(set(values)):
            m = values == g
            (x1, n1), (x2, n2) = (
                rate(metric, y[m & (arm == a)], pred[m & (arm == a)])
                for a in (CHAMPION, CHALLENGER)
            )
            low, high = _wald_diff(x1, n1, x2, n2, level) if n1 and n2 else (np.nan, np.nan)
            rows.append(
                {
                    "attribute": attr,
                    "group": g,
                    "metric": metric,
                    "champion_n": n1,
                    "challenger_n": n2,
                    "champion": x1 / n1 if n1 else np.nan,
                    "challenger": x2 / n2 if n2 else np.nan,
                    "difference": (x2 / n2 - x1 / n1) if n1 and n2 else np.nan,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "attribute",
            "group",
            "metric",
            "champion_n",
            "challenger_n",
            "champion",
            "challenger",
            "difference",
            "ci_low",
            "ci_high",
        ],
    )


def analyse_experiment(
    outcomes: pd.DataFrame,
    rule: DecisionRule | RegisteredRule,
    *,
    arm: str = "arm",
    y_true: str = "y_true",
    y_pred: str = "y_pred",
    y_score: str | None = None,
    groups: Sequence[str] = (),
    n_resamples: int = 2000,
    seed: int = 0,
) -> ABTestResult:
    """Judge an experiment by its pre-registered rule and say what to do, in words.

    Parameters
    ----------
    outcomes : DataFrame
        One row per case: its ``arm`` ("champion" or "challenger"), the label
        ``y_true`` (NaN while it has not arrived), the decision ``y_pred`` (0/1),
        optionally a score ``y_score`` (for ``roc_auc``) and protected columns.
    rule : DecisionRule or RegisteredRule
        A registered rule is checked against its hash first.
    groups : sequence of str
        Protected columns to report effects for (guardrail attributes are added).
    """
    owner = "analyse_experiment"
    registration = None
    if isinstance(rule, RegisteredRule):
        rule.check()
        registration, rule = rule, rule.rule
    if not isinstance(rule, DecisionRule):
        raise ConfigError(
            f"The 'rule' of {owner} must be a DecisionRule or RegisteredRule. "
            f"Got {type(rule).__name__} instead."
        )
    arms = _column(outcomes, arm, owner).astype(str)
    bad = sorted(set(arms) - {CHAMPION, CHALLENGER})
    if bad:
        raise DataValidationError(
            f"The {arm!r} column of the outcomes must hold only 'champion' and 'challenger'. "
            f"Got {bad[:3]} instead.",
            column=arm,
        )
    y = np.asarray(_column(outcomes, y_true, owner), dtype=float)
    pred = np.asarray(_column(outcomes, y_pred, owner), dtype=float)
    if not np.isin(pred, (0, 1)).all():
        raise DataValidationError(f"The {y_pred!r} column must hold 0/1 decisions.", column=y_pred)
    better = rule.higher_is_better_
    one_sided = rule.alternative == "one-sided"
    tested: Alternative = "larger" if better else "smaller"
    is_a, is_b = arms == CHAMPION, arms == CHALLENGER
    sequential = None
    if rule.is_rate:
        (x1, n1), (x2, n2) = (
            rate(rule.metric, y[is_a], pred[is_a]),
            rate(rule.metric, y[is_b], pred[is_b]),
        )
        if n1 == 0 or n2 == 0:
            raise DataValidationError(
                f"Each arm must have at least one case counted by {rule.metric}. Got "
                f"{n1} (champion) and {n2} (challenger) instead."
            )
        primary = two_proportion_test(
            (x1, x2),
            (n1, n2),
            alternative=tested if one_sided else "two-sided",
            confidence_level=1 - rule.alpha * (2 if one_sided else 1),
        )
        values = (x1 / n1, x2 / n2)
        if rule.design == "sequential":
            sequential = sequential_test(
                (x1, x2), (n1, n2), alpha=rule.alpha, mixture_scale=rule.mixture_scale or rule.mde
            )
    else:
        score = np.asarray(_column(outcomes, y_score or "y_score", owner), dtype=float)
        ok = ~np.isnan(y)
        a, b = ok & is_a, ok & is_b
        n1, n2 = int(a.sum()), int(b.sum())
        primary = bootstrap_difference(
            y[a],
            score[a],
            score[b],
            y_true_challenger=y[b],
            metric="roc_auc",
            n_resamples=n_resamples,
            seed=seed,
            confidence_level=1 - rule.alpha * (2 if one_sided else 1),
        )
        from ._stats import _weighted_auc

        values = (
            float(_weighted_auc(y[a], score[a], np.ones((1, n1)))[0]),
            float(_weighted_auc(y[b], score[b], np.ones((1, n2)))[0]),
        )
    # guardrails
    checks = []
    for g in rule.guardrails:
        if g.metric == "fairness_ratio":
            attr = _column(outcomes, str(g.attribute), owner).astype(str)
            fr = [fairness_ratio(pred[m], attr[m], rule.min_group_size) for m in (is_a, is_b)]
            checks.append(
                judge_guardrail(
                    g,
                    fr[0],
                    fr[1],
                    f"fewer than two groups of {rule.min_group_size} cases with flags",
                )
            )
        else:
            vals = []
            for m in (is_a, is_b):
                s, n = rate(g.metric, y[m], pred[m])
                vals.append(s / n if n else None)
            checks.append(judge_guardrail(g, vals[0], vals[1]))
    attributes = list(
        dict.fromkeys([*groups, *(g.attribute for g in rule.guardrails if g.attribute)])
    )
    table = _group_effects(rule.metric, y, pred, arms, outcomes, attributes, 1 - rule.alpha)
    # verdict
    required = rule.required_sample_size()
    reasons = [c.reason for c in checks]
    direction = "higher" if better else "lower"
    favourable = (primary.estimate > 0) == better and primary.estimate != 0
    if sequential is not None:
        max_n = rule.max_sample_size or 2 * max(required)
        required = (max(max_n, required[0]), max(max_n, required[1]))
        mde_side = sequential.cs_high < rule.mde if better else sequential.cs_low > -rule.mde
        reasons.append(sequential.summary())
        if sequential.significant and favourable:
            verdict = Verdict.PROMOTE
            reasons.append(
                f"The always-valid p-value is at or below {rule.alpha:g} and the "
                f"challenger's {rule.metric} is {direction}, as the rule requires."
            )
        elif sequential.significant:
            verdict = Verdict.KEEP
            reasons.append(f"The challenger is significantly worse on {rule.metric}.")
        elif mde_side:
            verdict = Verdict.KEEP
            reasons.append(
                f"The confidence sequence rules out an improvement as large as the "
                f"minimum detectable effect ({rule.mde:g}): stop for futility."
            )
        elif min(n1, n2) >= max_n:
            verdict = Verdict.KEEP
            reasons.append(
                f"The maximum of {max_n:,} cases per arm is reached without a "
                "significant improvement."
            )
        else:
            verdict = Verdict.COLLECT
            reasons.append("No decision yet; looking again later is safe with this test.")
    elif n1 < required[0] or n2 < required[1]:
        verdict = Verdict.COLLECT
        reasons.append(
            f"The planned sample is {required[0]:,} champion and {required[1]:,} challenger "
            f"cases; only {n1:,} and {n2:,} are in. Do not decide early: a fixed-horizon test "
            "looked at repeatedly raises far more false alarms than it promises."
        )
    else:
        sig = (
            primary.p_value <= rule.alpha
            if rule.is_rate
            else not (primary.ci_low <= 0 <= primary.ci_high)
        )
        reasons.append(primary.summary())
        if sig and favourable:
            verdict = Verdict.PROMOTE
            reasons.append(
                f"Significant at {rule.alpha:g} with the challenger's {rule.metric} "
                f"{direction}, as the rule requires."
            )
        elif sig:
            verdict = Verdict.KEEP
            reasons.append(f"The challenger is significantly worse on {rule.metric}.")
        else:
            verdict = Verdict.KEEP
            reasons.append(
                f"No significant difference at {rule.alpha:g} ({p_text(primary.p_value)}"
                f"): the challenger has not shown the improvement the rule asks for."
            )
    if any(c.status == "broken" for c in checks):
        if verdict is Verdict.COLLECT:
            reasons.append(
                "A guardrail is breached on the data so far; it is judged again when the "
                "experiment reaches a decision, and will stop it if it is still breached."
            )
        else:
            verdict = Verdict.STOP
            reasons.append(
                "A guardrail is broken, so the challenger must not be promoted "
                "whatever the primary metric shows."
            )
    return ABTestResult(
        rule,
        registration,
        verdict,
        tuple(reasons),
        primary,
        sequential,
        tuple(checks),
        (n1, n2),
        required,
        values,
        table,
    )
