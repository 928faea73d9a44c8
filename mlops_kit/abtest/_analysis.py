"""Analysing a champion/challenger experiment against its pre-registered rule."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..errors import ConfigError, DataValidationError
from ._bootstrap import _weighted_auc, bootstrap_difference
from ._common import METRIC_WORDS, outcome_column
from ._design import CHALLENGER, CHAMPION
from ._guardrails import GuardrailCheck, check_guardrails, rate
from ._rule import DecisionRule, RegisteredRule
from ._sequential import SequentialResult, sequential_test
from ._stats import Alternative, TestResult, _wald_diff, two_proportion_test
from ._verdict import Verdict, decide

if TYPE_CHECKING:
    import pandas as pd


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
        rows = [{k: json_ready(v) for k, v in r.items()} for r in self.groups.to_dict("records")]
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
            "champion_value": json_ready(self.values[0]),
            "challenger_value": json_ready(self.values[1]),
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

    rows = []
    metric = metric if metric != "roc_auc" else "flag_rate"
    for attr in attributes:
        values = outcome_column(frame, attr, "analyse_experiment").astype(str)
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
    registration, rule = _checked_rule(rule)
    arms = _arms(outcomes, arm)
    y = np.asarray(outcome_column(outcomes, y_true, owner), dtype=float)
    pred = np.asarray(outcome_column(outcomes, y_pred, owner), dtype=float)
    if not np.isin(pred, (0, 1)).all():
        raise DataValidationError(f"The {y_pred!r} column must hold 0/1 decisions.", column=y_pred)
    is_a, is_b = arms == CHAMPION, arms == CHALLENGER
    if rule.is_rate:
        primary, values, sequential, n1, n2 = _rate_effect(rule, y, pred, is_a, is_b)
    else:
        score = np.asarray(outcome_column(outcomes, y_score or "y_score", owner), dtype=float)
        primary, values, n1, n2 = _auc_effect(
            rule, y, score, is_a, is_b, n_resamples=n_resamples, seed=seed
        )
        sequential = None
    checks = check_guardrails(rule, outcomes, y, pred, (is_a, is_b))
    attributes = list(
        dict.fromkeys([*groups, *(g.attribute for g in rule.guardrails if g.attribute)])
    )
    table = _group_effects(rule.metric, y, pred, arms, outcomes, attributes, 1 - rule.alpha)
    reasons = [c.reason for c in checks]
    verdict, required, decided = decide(rule, primary, sequential, (n1, n2))
    reasons += decided
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


def _checked_rule(
    rule: DecisionRule | RegisteredRule,
) -> tuple[RegisteredRule | None, DecisionRule]:
    """The registration (its hash checked) and the rule, or a ConfigError."""
    registration = None
    if isinstance(rule, RegisteredRule):
        rule.check()
        registration, rule = rule, rule.rule
    if not isinstance(rule, DecisionRule):
        raise ConfigError(
            "The 'rule' of analyse_experiment must be a DecisionRule or RegisteredRule. "
            f"Got {type(rule).__name__} instead."
        )
    return registration, rule


def _arms(outcomes: pd.DataFrame, arm: str) -> np.ndarray:
    """The arm of each case, refusing anything but "champion" and "challenger"."""
    arms = outcome_column(outcomes, arm, "analyse_experiment").astype(str)
    bad = sorted(set(arms) - {CHAMPION, CHALLENGER})
    if bad:
        raise DataValidationError(
            f"The {arm!r} column of the outcomes must hold only 'champion' and 'challenger'. "
            f"Got {bad[:3]} instead.",
            column=arm,
        )
    return arms


def _confidence(rule: DecisionRule) -> float:
    """The confidence level of the primary test's interval (one-sided tests use 2 alpha)."""
    return 1 - rule.alpha * (2 if rule.alternative == "one-sided" else 1)


def _rate_effect(
    rule: DecisionRule, y: np.ndarray, pred: np.ndarray, is_a: np.ndarray, is_b: np.ndarray
) -> tuple[TestResult, tuple[float, float], SequentialResult | None, int, int]:
    """The primary test of a rate metric (and the sequential test of a sequential design)."""
    tested: Alternative = "larger" if rule.higher_is_better_ else "smaller"
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
        alternative=tested if rule.alternative == "one-sided" else "two-sided",
        confidence_level=_confidence(rule),
    )
    sequential = None
    if rule.design == "sequential":
        sequential = sequential_test(
            (x1, x2), (n1, n2), alpha=rule.alpha, mixture_scale=rule.mixture_scale or rule.mde
        )
    return primary, (x1 / n1, x2 / n2), sequential, n1, n2


def _auc_effect(
    rule: DecisionRule,
    y: np.ndarray,
    score: np.ndarray,
    is_a: np.ndarray,
    is_b: np.ndarray,
    *,
    n_resamples: int,
    seed: int,
) -> tuple[TestResult, tuple[float, float], int, int]:
    """The primary test of ROC AUC: a bootstrap of the difference, on labelled cases."""
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
        confidence_level=_confidence(rule),
    )
    values = (
        float(_weighted_auc(y[a], score[a], np.ones((1, n1)))[0]),
        float(_weighted_auc(y[b], score[b], np.ones((1, n2)))[0]),
    )
    return primary, values, n1, n2
