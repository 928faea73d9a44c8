"""Exercise 4, "sample_size": plan a champion/challenger experiment and read its results.

The scenario continues the A/B testing lesson: the benefits compliance team tests a
gradient-boosting challenger against its logistic-regression champion on the claims of
July to December 2024, half the claims to each. Learners compute the sample size per
arm for the pre-registered rule, choose the test for paired predictions (shadow mode),
compute McNemar's statistic, decide what to do after a peek at the first month, and
read the final verdict.

Every expected answer is computed when an answer is checked: the sample size with
statsmodels' ``NormalIndPower`` (and ``proportion_effectsize``), McNemar's statistic with
statsmodels' ``mcnemar``, and the decisions with :func:`mlops_kit.abtest.analyse_experiment`
on the exercise's table (or any other table passed as ``data``).

Over 400 lines because each of the exercise's five questions has its own checker with the
common mistakes it recognises, and an exercise is one module (``exercises/README.md``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..abtest import (
    DecisionRule,
    Verdict,
    analyse_experiment,
    live_traffic,
    sample_size,
    two_proportion_test,
)
from ..course import AB_GLOSSARY
from ..errors import DataValidationError
from ._checks import Mistake, as_number, check_choice, check_number
from ._feedback import Feedback, correct, not_yet
from ._framework import Exercise, Question

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ALPHA", "BASELINE", "EXERCISE", "FIRST_LOOK", "MDE", "POWER", "experiment_table"]

#: The champion's recall before the experiment (the rule's baseline).
BASELINE = 0.27
#: The smallest gain in recall worth switching for, in proportion points (0.08 = 8 points).
MDE = 0.08
#: Significance level and power of the pre-registered rule (two-sided test).
ALPHA, POWER = 0.05, 0.8
#: The month of the early peek in question 4.
FIRST_LOOK = "2024-07"
_THRESHOLD = 0.3
_SALT = "claims-ab-2024-07"
_COLUMNS = ("y_true", "arm", "y_pred", "champion_pred", "challenger_pred", "month")
_VERDICT_OPTIONS = ("promote", "keep_champion", "keep_collecting", "stop")


def experiment_table() -> pd.DataFrame:
    """The exercise's experiment: one row per claim of July to December 2024.

    Columns: ``claim_id``, ``month``, ``arm`` (which model's decision the claim met,
    from a hash of its id), ``y_true`` (1 = a real error found on review), ``y_pred``
    (the decision acted on), ``champion_pred`` and ``challenger_pred`` (both models'
    decisions, for shadow mode) and the protected columns.
    """
    return live_traffic(threshold=_THRESHOLD, salt=_SALT).outcomes.copy()


def _per_arm(baseline: float, target: float, alternative: str = "two-sided") -> int:
    """Cases per arm from statsmodels (Cohen's h, normal power)."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    h = abs(float(proportion_effectsize(target, baseline)))
    n = NormalIndPower().solve_power(
        h, alpha=ALPHA, power=POWER, ratio=1.0, alternative=alternative
    )
    return math.ceil(float(n) - 1e-9)


def _table(data: Any) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"The sample_size checks need the experiment table as a DataFrame. "
            f"Got {type(data).__name__} instead."
        )
    for col in _COLUMNS:
        if col not in data.columns:
            raise DataValidationError(
                f"The sample_size checks need a column '{col}'; the table has "
                f"{', '.join(map(str, data.columns))}.",
                column=col,
            )
    return data


def _check_q1(answer: Any, data: Any) -> Feedback:
    n = _per_arm(BASELINE, BASELINE + MDE)
    wald = sample_size(BASELINE, MDE, alpha=ALPHA, power=POWER, method="wald").n_champion
    value = as_number(answer, expected="a whole number of cases per arm")
    if abs(value - wald) <= 1 and abs(value - n) > 1:
        return correct(
            f"Right, by the classic normal-approximation formula: {wald:,} per arm. "
            f"statsmodels' arcsine version gives {n:,}; both are accepted."
        )
    if 1 < abs(value - n) <= 10:
        return not_yet(
            f"Close, but {value:g} is not the sample size per arm yet. Round the formula's "
            "result up (`math.ceil`), never down or to the nearest: rounding down gives a "
            "little less than the power asked for. Check alpha and power too."
        )
    one_sided = _per_arm(BASELINE, BASELINE + MDE, "larger")
    relative = _per_arm(BASELINE, BASELINE * (1 + MDE))
    return check_number(
        answer,
        n,
        what="sample size per arm",
        lower=1,
        upper=10**8,
        tol=1.0,
        correct_message=(
            f"Right: {n:,} claims with a real error in each arm, {2 * n:,} in all. Recall "
            "counts only claims with a real error, so the number of claims routed is "
            "several times larger."
        ),
        mistakes=[
            Mistake(
                2 * n,
                "That is the total for both arms together. The question asks for the cases "
                "in each arm: divide by two (with an equal split).",
            ),
            Mistake(
                one_sided,
                "That is the sample size for a one-sided test (`alternative='larger'`). "
                "The rule is two-sided: it would also detect a challenger that is worse.",
            ),
            Mistake(
                2 * one_sided,
                "That is the total for a one-sided test. The rule is two-sided, and the "
                "question asks for each arm.",
            ),
            Mistake(
                relative,
                f"That treats the MDE as a relative change ({MDE:.0%} of {BASELINE}, a "
                f"target of {BASELINE * (1 + MDE):.4f}). The MDE is in proportion points: "
                f"the target recall is {BASELINE} + {MDE} = {BASELINE + MDE:.2f}.",
            ),
        ],
    )


def _check_q2(answer: Any, data: Any) -> Feedback:
    return check_choice(
        answer,
        right="mcnemar",
        aliases={
            "mcnemar_test": "mcnemar",
            "mcnemars": "mcnemar",
            "mcnemar's": "mcnemar",
            "mcnemar's_test": "mcnemar",
            "z_test": "two_proportion_z",
            "ztest": "two_proportion_z",
            "two_proportion": "two_proportion_z",
            "proportions_ztest": "two_proportion_z",
            "chi2": "chi_square",
            "chisquare": "chi_square",
            "chi_squared": "chi_square",
            "ttest": "t_test",
        },
        options={
            "two_proportion_z": (
                "The two-proportion z-test assumes two independent samples, one per arm. In "
                "shadow mode both models judge the same claims, so their results are paired: "
                "a test for independent samples wastes that pairing and gets the variance wrong."
            ),
            "chi_square": (
                "The chi-square test of a 2 x 2 table of model by outcome also assumes "
                "independent samples. Here every claim is judged by both models: use a test "
                "for paired decisions."
            ),
            "mcnemar": (
                "Right. McNemar's test is for paired decisions on the same cases: it counts "
                "only the claims where the two models disagree (only the champion right, "
                "only the challenger right), because the claims where they agree say nothing "
                "about which is better."
            ),
            "bootstrap": (
                "A paired bootstrap would work, but it is for metrics with no simple test, "
                "such as ROC AUC. For paired yes/no decisions there is an exact, standard test."
            ),
            "t_test": (
                "A t-test compares means of continuous measurements. These are paired yes/no "
                "decisions on the same claims."
            ),
        },
    )


def _counts(data: Any) -> tuple[int, int, np.ndarray]:
    t = _table(data)
    real = t["y_true"].to_numpy() == 1
    a = t["champion_pred"].to_numpy()[real] == 1
    b = t["challenger_pred"].to_numpy()[real] == 1
    table = np.array(
        [[int((a & b).sum()), int((a & ~b).sum())], [int((~a & b).sum()), int((~a & ~b).sum())]]
    )
    return int((a & ~b).sum()), int((~a & b).sum()), table


def _check_q3(answer: Any, data: Any) -> Feedback:
    from scipy.stats import chi2_contingency
    from statsmodels.stats.contingency_tables import mcnemar

    only_champion, only_challenger, table = _counts(data)
    expected = float(mcnemar(table, exact=False, correction=True).statistic)
    uncorrected = float(mcnemar(table, exact=False, correction=False).statistic)
    # The mistake of treating the two models' flags as independent samples.
    n = int(table.sum())
    flagged = [int(table[0].sum()), int(table[:, 0].sum())]
    independent = np.array([flagged, [n - flagged[0], n - flagged[1]]])
    unpaired = float(chi2_contingency(independent, correction=False).statistic)
    return check_number(
        answer,
        expected,
        what="McNemar statistic",
        lower=0,
        upper=10**6,
        correct_message=(
            f"Right: {expected:.3f}. Of the claims with a real error, {only_challenger:,} were "
            f"flagged only by the challenger and {only_champion:,} only by the champion; the "
            "statistic is (|b - c| - 1)² / (b + c). On one degree of freedom a value above "
            "3.84 is significant at 0.05."
        ),
        mistakes=[
            Mistake(
                uncorrected,
                "That is McNemar's statistic without the continuity correction, (b - c)² / "
                "(b + c). Use `mcnemar(table, exact=False)`, whose correction is on by default.",
            ),
            Mistake(
                unpaired,
                "That is a chi-square test of the two models' flag rates as if they came from "
                "two independent samples. The claims are the same in both: use McNemar's "
                "test on the 2 x 2 table of champion flag by challenger flag.",
            ),
            Mistake(
                float(only_challenger - only_champion),
                "That is the difference in discordant counts (c - b). The statistic is "
                "(|b - c| - 1)² / (b + c).",
            ),
        ],
    )


def _verdict_key(result: Any) -> str:
    return {
        Verdict.PROMOTE: "promote",
        Verdict.KEEP: "keep_champion",
        Verdict.COLLECT: "keep_collecting",
        Verdict.STOP: "stop",
    }[result.verdict]


def _analyse(data: Any, month: str | None = None) -> Any:
    t = _table(data)
    if month is not None:
        t = t[t["month"].astype(str) <= month]
    rule = DecisionRule("recall", baseline=BASELINE, mde=MDE, alpha=ALPHA, power=POWER)
    return analyse_experiment(t, rule)


_ALIASES = {
    "keep": "keep_champion",
    "keep_the_champion": "keep_champion",
    "champion": "keep_champion",
    "collect": "keep_collecting",
    "keep_collecting_data": "keep_collecting",
    "wait": "keep_collecting",
    "continue": "keep_collecting",
    "promote_the_challenger": "promote",
    "challenger": "promote",
    "switch": "promote",
}


def _check_q4(answer: Any, data: Any) -> Feedback:
    early = _analyse(data, FIRST_LOOK)
    t = _table(data)
    t = t[(t["month"].astype(str) <= FIRST_LOOK) & (t["y_true"] == 1)]
    arm = t["arm"].to_numpy()
    hits = (int(t["y_pred"][arm == "champion"].sum()), int(t["y_pred"][arm == "challenger"].sum()))
    sizes = (int((arm == "champion").sum()), int((arm == "challenger").sum()))
    p = two_proportion_test(hits, sizes).p_value
    have, need = early.n_observed, early.n_required
    right = _verdict_key(early)
    peek = (
        f"At the end of {FIRST_LOOK} the naive z-test gives p = {p:.3f}, but only "
        f"{have[0]:,} and {have[1]:,} of the planned {need[0]:,} per arm are in."
    )
    return check_choice(
        answer,
        right=right,
        aliases=_ALIASES,
        options={
            "promote": (
                f"{peek} A fixed-horizon test makes its 5% promise for one look at the "
                "planned size; stopping at the first significant peek multiplies false "
                "alarms. The rule says to keep collecting."
                if right != "promote"
                else f"Right. {peek}"
            ),
            "keep_champion": (
                f"{peek} Deciding now, either way, is deciding on a peek: the rule says to "
                "keep collecting until the planned sample is in."
                if right != "keep_champion"
                else f"Right. {peek}"
            ),
            "keep_collecting": (
                f"Right. {peek} Looking is allowed; deciding on a fixed-horizon test before "
                "the planned sample is in is not. A sequential design is the way to be "
                "allowed to stop early."
                if right == "keep_collecting"
                else f"{peek} The planned sample is in: decide now."
            ),
            "stop": (
                "'stop' is for a broken guardrail; this rule has none. The question is "
                "whether the evidence is in yet."
            ),
        },
    )


def _check_q5(answer: Any, data: Any) -> Feedback:
    final = _analyse(data)
    right = _verdict_key(final)
    a, b = final.values  # noqa: PD011 (ABTestResult.values, not a pandas attribute)
    why = (
        f"The champion's recall is {a:.3f} and the challenger's {b:.3f}; {final.primary.summary()}"
    )
    return check_choice(
        answer,
        right=right,
        aliases=_ALIASES,
        options={
            option: (
                f"Right. {why} " + " ".join(final.reasons[-1:])
                if option == right
                else {
                    "promote": f"{why} A higher value is not enough: the rule promotes only "
                    "on a significant improvement at the planned size.",
                    "keep_champion": f"{why} Look again at the p-value against 0.05.",
                    "keep_collecting": (
                        f"{why} The planned sample ({final.n_required[0]:,} per arm) is in: "
                        "the rule says to decide now, not to wait for a better result."
                    ),
                    "stop": "'stop' is for a broken guardrail; this rule has none.",
                }[option]
            )
            for option in _VERDICT_OPTIONS
        },
    )


EXERCISE = Exercise(
    id="sample_size",
    title="Plan and read an A/B test: sample size, the right test, peeking and the verdict",
    load_data=experiment_table,
    terms=tuple(AB_GLOSSARY.items()),
    questions=(
        Question(
            id="sample_size.q1",
            prompt=f"Cases per arm to detect recall rising from {BASELINE} to "
            f"{BASELINE + MDE:.2f} (two-sided, alpha {ALPHA}, power {POWER:.0%}, equal split).",
            checker=_check_q1,
            hint="Use statsmodels: `h = proportion_effectsize(0.35, 0.27)`, then "
            "`NormalIndPower().solve_power(h, alpha=0.05, power=0.8, ratio=1)`, and round "
            "up. Or `mlops_kit.abtest.sample_size(0.27, 0.08).n_champion`. The MDE is in "
            "proportion points (0.27 + 0.08), and the answer is per arm, not the total.",
        ),
        Question(
            id="sample_size.q2",
            prompt="Which test compares two models' decisions on the same cases (shadow mode): "
            "two_proportion_z, chi_square, mcnemar, bootstrap or t_test?",
            checker=_check_q2,
            hint="In shadow mode every claim is judged by both models, so the two samples "
            "are not independent. Which test is built for paired yes/no outcomes, and "
            "counts only the cases where the two disagree?",
        ),
        Question(
            id="sample_size.q3",
            prompt="McNemar's statistic (with continuity correction) for the two models' flags "
            "on the claims with a real error.",
            checker=_check_q3,
            hint="Keep the claims with `y_true == 1`; cross-tabulate `champion_pred` against "
            "`challenger_pred` (`pd.crosstab`) and pass the 2 x 2 table to statsmodels' "
            "`mcnemar(table, exact=False).statistic`.",
        ),
        Question(
            id="sample_size.q4",
            prompt=f"At the end of {FIRST_LOOK} you peek at the live split. What does the rule "
            "say: promote, keep_champion, keep_collecting or stop?",
            checker=_check_q4,
            hint="Compare how many claims with a real error each arm has so far with the "
            "sample size from question 1. A fixed-horizon test is valid once, at the "
            "planned size.",
        ),
        Question(
            id="sample_size.q5",
            prompt="All six months are in. What does the rule say: promote, keep_champion, "
            "keep_collecting or stop?",
            checker=_check_q5,
            hint="Run `analyse_experiment(table, rule)` with the rule in the notebook, or "
            "compare the two-proportion z-test's p-value on recall with 0.05. A higher "
            "recall is not enough on its own.",
        ),
    ),
)
