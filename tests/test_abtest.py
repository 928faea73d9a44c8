"""Tests of mlops_kit.abtest: every statistic against scipy or statsmodels."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from mlops_kit.abtest import (
    DecisionRule,
    Guardrail,
    Verdict,
    analyse_experiment,
    assign_arms,
    bootstrap_difference,
    check_balance,
    compare_shadow,
    sample_size,
    simulate_peeking,
    simulate_power,
    two_proportion_test,
)
from mlops_kit.abtest._sequential import sequential_test
from mlops_kit.abtest._stats import chi_square_test, mcnemar_test
from mlops_kit.errors import ConfigError, DataValidationError


def test_importing_the_module_loads_neither_scipy_nor_statsmodels() -> None:
    code = (
        "import sys, mlops_kit.abtest; print(sorted({'scipy', 'statsmodels'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the rule ---------------------------------------------------------------------------------


def test_registered_rule_records_hash_and_detects_a_change() -> None:
    rule = DecisionRule(
        "recall",
        baseline=0.6,
        mde=0.05,
        guardrails=(Guardrail("fairness_ratio", attribute="sex", min_value=0.8),),
    )
    reg = rule.register()
    assert reg.verify()
    assert len(reg.sha256) == 64
    assert reg.registered_at
    assert reg.sha256 == rule.fingerprint() == DecisionRule(**rule.__dict__).fingerprint()
    tampered = replace(reg, rule=replace(rule, alpha=0.1))
    assert not tampered.verify()
    with pytest.raises(ConfigError, match="changed after registration"):
        analyse_experiment(
            pd.DataFrame({"arm": ["champion"], "y_true": [1], "y_pred": [1]}), tampered
        )
    json.dumps(reg.to_dict())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metric": "recal", "baseline": 0.5, "mde": 0.1}, "'metric'.*Did you mean 'recall'"),
        ({"metric": "recall", "baseline": 1.5, "mde": 0.1}, "'baseline'.*Got 1.5"),
        ({"metric": "recall", "baseline": 0.5, "mde": 0.1, "alpha": 0.7}, "'alpha'"),
        ({"metric": "recall", "baseline": 0.95, "mde": 0.1}, "'mde'.*inside"),
        ({"metric": "recall", "baseline": 0.5, "mde": 0.1, "design": "bayes"}, "'design'"),
        ({"metric": "roc_auc", "baseline": 0.8, "mde": 0.02}, "'sample_size'"),
        (
            {
                "metric": "roc_auc",
                "baseline": 0.8,
                "mde": 0.02,
                "sample_size": 500,
                "design": "sequential",
            },
            "'design'.*'fixed'",
        ),
    ],
)
def test_bad_rules_name_the_key_the_rule_and_the_value(kwargs, match) -> None:
    with pytest.raises(ConfigError, match=match):
        DecisionRule(**kwargs)


def test_bad_guardrails_are_refused() -> None:
    with pytest.raises(ConfigError, match="'attribute'"):
        Guardrail("fairness_ratio", min_value=0.8)
    with pytest.raises(ConfigError, match="at least one of"):
        Guardrail("precision")
    with pytest.raises(ConfigError, match=r"'max_drop'.*Got -0.1"):
        Guardrail("precision", max_drop=-0.1)


# -- sample size --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "effect", "share", "alt"),
    [
        (0.10, 0.02, 0.5, "two-sided"),
        (0.6, -0.05, 0.3, "two-sided"),
        (0.3, 0.04, 0.5, "one-sided"),
    ],
)
def test_sample_size_matches_statsmodels(p, effect, share, alt) -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    plan = sample_size(p, effect, share=share, alternative=alt)
    h = abs(proportion_effectsize(p + effect, p))
    expected = NormalIndPower().solve_power(
        effect_size=h,
        alpha=0.05,
        power=0.8,
        ratio=share / (1 - share),
        alternative="two-sided" if alt == "two-sided" else "larger",
    )
    assert plan.n_champion == pytest.approx(expected, rel=2e-3, abs=1)
    assert plan.n_challenger == pytest.approx(expected * share / (1 - share), rel=2e-3, abs=2)
    assert "cases" in plan.summary()


@pytest.mark.parametrize("method", ["arcsine", "wald"])
def test_sample_size_gives_the_promised_power_in_simulation(method) -> None:
    plan = sample_size(0.2, 0.05, method=method)
    sim = simulate_power(plan.total, baseline=0.2, effect=0.05, n_sims=6000, seed=3)
    assert sim.power == pytest.approx(0.8, abs=0.025)
    assert sim.analytic_power == pytest.approx(0.8, abs=0.02)
    assert sim.false_positive_rate == pytest.approx(0.05, abs=0.012)


def test_sample_size_rejects_bad_input() -> None:
    with pytest.raises(ConfigError, match=r"'effect'.*non-zero"):
        sample_size(0.1, 0)
    with pytest.raises(ConfigError, match="'power'"):
        sample_size(0.1, 0.02, power=1.2)


# -- the split ------------------------------------------------------------------------------------


def test_hashed_split_is_stable_balanced_and_salted() -> None:
    ids = [f"case-{i}" for i in range(20_000)]
    arms = assign_arms(ids, salt="exp-1")
    again = assign_arms(list(reversed(ids)), salt="exp-1")[::-1]
    assert (arms == again).all()
    assert set(arms) == {"champion", "challenger"}
    check = check_balance(arms)
    assert check.balanced
    assert abs(check.observed_share - 0.5) < 0.015
    other = assign_arms(ids, salt="exp-2")
    assert 0.4 < (arms == other).mean() < 0.6  # a new salt reshuffles
    third = assign_arms(ids, salt="exp-1", share=0.2)
    assert check_balance(third, share=0.2).balanced
    # shrinking the share only moves challengers back, never champions out
    assert ((third == "challenger") <= (arms == "challenger")).all()


def test_random_split_is_seeded_and_balance_check_matches_scipy() -> None:
    from scipy.stats import binomtest

    a = assign_arms(range(5000), method="random", seed=1, share=0.3)
    assert (a == assign_arms(range(5000), method="random", seed=1, share=0.3)).all()
    check = check_balance(a, share=0.3)
    assert check.p_value == pytest.approx(
        binomtest(int((a == "challenger").sum()), 5000, 0.3).pvalue
    )
    skewed = np.array(["champion"] * 5300 + ["challenger"] * 4700)
    bad = check_balance(skewed)
    assert not bad.balanced
    assert "sample ratio mismatch" in bad.summary()
    with pytest.raises(ConfigError, match="'method'"):
        assign_arms([1], method="coin")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'arms'"):
        check_balance(["A", "B"])


# -- tests against statsmodels and scipy ---------------------------------------------------------


@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_two_proportion_test_matches_statsmodels(alternative) -> None:
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    r = two_proportion_test((120, 151), (1000, 980), alternative=alternative)
    z, p = proportions_ztest([151, 120], [980, 1000], alternative=alternative)
    assert r.statistic == pytest.approx(z)
    assert r.p_value == pytest.approx(p)
    low, high = confint_proportions_2indep(151, 980, 120, 1000, method="wald")
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high))


@pytest.mark.parametrize("correction", [False, True])
def test_chi_square_matches_scipy_and_equals_z_squared(correction) -> None:
    from scipy.stats import chi2_contingency

    r = chi_square_test((120, 151), (1000, 980), correction=correction)
    ref = chi2_contingency([[120, 880], [151, 829]], correction=correction)
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    if not correction:
        z = two_proportion_test((120, 151), (1000, 980))
        assert r.statistic == pytest.approx(z.statistic**2)
        assert r.p_value == pytest.approx(z.p_value)


@pytest.mark.parametrize(("n", "flip"), [(60, 0.15), (3000, 0.2)])
def test_mcnemar_matches_statsmodels_exact_and_asymptotic(n, flip) -> None:
    from statsmodels.stats.contingency_tables import mcnemar

    rng = np.random.default_rng(n)
    a = rng.random(n) < 0.7
    b = np.where(rng.random(n) < flip, ~a, a)
    r = mcnemar_test(a, b)
    table = [[(a & b).sum(), (a & ~b).sum()], [(~a & b).sum(), (~a & ~b).sum()]]
    exact = (table[0][1] + table[1][0]) < 25
    ref = mcnemar(table, exact=exact, correction=True)
    assert ("exact" in r.test) == exact
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.estimate == pytest.approx(b.mean() - a.mean())


def test_paired_bootstrap_of_auc_matches_sklearn_and_scipy() -> None:
    from scipy.stats import bootstrap
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    champ = y * 0.8 + rng.normal(size=400)
    chall = y * 1.3 + rng.normal(size=400)
    chall[:40] = np.round(chall[:40])  # some ties
    r = bootstrap_difference(y, champ, chall, n_resamples=3000, seed=1)
    expected = roc_auc_score(y, chall) - roc_auc_score(y, champ)
    assert r.estimate == pytest.approx(expected)
    ref = bootstrap(
        (y, champ, chall),
        lambda t, a, b: roc_auc_score(t, b) - roc_auc_score(t, a),
        paired=True,
        vectorized=False,
        n_resamples=600,
        method="percentile",
        random_state=np.random.default_rng(2),
    )
    assert r.ci_low == pytest.approx(ref.confidence_interval.low, abs=0.015)
    assert r.ci_high == pytest.approx(ref.confidence_interval.high, abs=0.015)
    assert r.details["bootstrap_sd"] == pytest.approx(np.std(ref.bootstrap_distribution), rel=0.15)
    assert r.ci_low > 0
    assert r.p_value < 0.05


def test_bootstrap_of_a_rate_and_a_callable_agree() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 300)
    a, b = rng.integers(0, 2, 300), rng.integers(0, 2, 300)

    def accuracy(t, p):
        return float(np.mean(t == p))

    named = bootstrap_difference(y, a, b, metric="accuracy", n_resamples=2000, seed=0)
    called = bootstrap_difference(y, a, b, metric=accuracy, n_resamples=2000, seed=0)
    assert named.estimate == pytest.approx(called.estimate)
    assert named.ci_low == pytest.approx(called.ci_low, abs=0.02)
    # independent arms (a live split): wider than paired
    indep = bootstrap_difference(y, a, b, metric="accuracy", y_true_challenger=y, seed=0)
    assert indep.details["paired"] is False
    with pytest.raises(ConfigError, match="'metric'"):
        bootstrap_difference(y, a, b, metric="f2")


def test_bad_counts_and_arrays_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"champion counts.*Got 12 of 10"):
        two_proportion_test((12, 3), (10, 10))
    with pytest.raises(ConfigError, match="'alternative'"):
        two_proportion_test((1, 3), (10, 10), alternative="bigger")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="paired"):
        mcnemar_test([1, 0], [1, 0, 1])
    with pytest.raises(DataValidationError, match="0/1"):
        mcnemar_test([1, 2], [1, 0])


# -- sequential ------------------------------------------------------------------------------------


def test_peeking_inflates_false_positives_and_the_sequential_test_does_not() -> None:
    import time

    start = time.perf_counter()
    r = simulate_peeking(n_sims=4000, seed=7)
    assert time.perf_counter() - start < 2
    assert 0.15 < r.naive < 0.30  # about 19% with 10 looks at alpha 0.05
    assert r.fixed_horizon == pytest.approx(0.05, abs=0.012)
    assert r.sequential <= r.alpha + 0.01
    assert list(r.naive_by_look) == sorted(r.naive_by_look)
    assert "false positive" in r.summary()
    fig = r.plot()
    assert "sequential" in fig.description
    import matplotlib.pyplot as plt

    plt.close(fig.figure)
    powered = simulate_peeking(effect=0.03, n_sims=1000, seed=1)
    assert powered.sequential > 0.5  # it still finds real effects


def test_sequential_test_is_valid_over_looks_and_its_sequence_covers_the_truth() -> None:
    rng = np.random.default_rng(11)
    sims, looks, n = 2000, 20, 200
    x1 = np.cumsum(rng.binomial(n, 0.3, (sims, looks)), axis=1)
    x2 = np.cumsum(rng.binomial(n, 0.33, (sims, looks)), axis=1)
    totals = n * np.arange(1, looks + 1)
    misses = 0
    for i in range(300):
        r = sequential_test((x1[i], x2[i]), (totals, totals), alpha=0.1)
        misses += not (r.cs_low <= 0.03 <= r.cs_high)
    assert misses / 300 <= 0.1 + 0.03
    one = sequential_test((x1[0, -1], x2[0, -1]), (totals[-1], totals[-1]))
    assert one.looks == 1
    assert one.estimate == pytest.approx((x2[0, -1] - x1[0, -1]) / totals[-1])
    with pytest.raises(ConfigError, match="counts"):
        sequential_test((5, 3), (4, 10))


# -- the verdicts ----------------------------------------------------------------------------------


def _experiment(n=6000, recall=(0.6, 0.7), flag_bias=0.0, seed=0, labelled=1.0):
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "challenger", "champion")
    sex = rng.choice(["female", "male"], n)
    y = (rng.random(n) < 0.3).astype(float)
    r = np.where(arm == "champion", recall[0], recall[1])
    pred = np.where(y == 1, rng.random(n) < r, rng.random(n) < 0.1)
    extra = (arm == "challenger") & (sex == "female") & (rng.random(n) < flag_bias)
    pred = (pred | extra).astype(int)
    y[rng.random(n) > labelled] = np.nan
    return pd.DataFrame({"arm": arm, "sex": sex, "y_true": y, "y_pred": pred})


RULE = DecisionRule(
    "recall",
    baseline=0.6,
    mde=0.1,
    guardrails=(
        Guardrail("fairness_ratio", attribute="sex", min_value=0.8, max_drop=0.1),
        Guardrail("precision", max_drop=0.1),
    ),
)


def test_a_better_challenger_is_promoted_with_effects_per_group() -> None:
    from statsmodels.stats.proportion import proportions_ztest

    data = _experiment()
    res = analyse_experiment(data, RULE.register(), groups=["sex"])
    assert res.verdict is Verdict.PROMOTE
    pos = data[data.y_true == 1]
    counts = pos.groupby("arm").y_pred.sum()
    sizes = pos.groupby("arm").size()
    _, p = proportions_ztest(
        [counts["challenger"], counts["champion"]], [sizes["challenger"], sizes["champion"]]
    )
    assert res.primary.p_value == pytest.approx(p)
    frame = res.to_frame()
    assert set(frame.group) == {"female", "male"}
    female = pos[pos.sex == "female"]
    assert frame.set_index("group").loc["female", "challenger"] == pytest.approx(
        female[female.arm == "challenger"].y_pred.mean()
    )
    assert all(c.status == "holds" for c in res.guardrails)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["verdict"] == "promote the challenger"
    assert d["registration"]["sha256"]
    assert "promote the challenger" in res.summary()
    assert "mlops-abtest" in res._repr_html_()


def test_too_little_data_says_how_much_more_is_needed() -> None:
    res = analyse_experiment(_experiment(n=600), RULE)
    assert res.verdict is Verdict.COLLECT
    assert "of" in res.headline()
    assert f"{res.n_required[0]:,}" in res.headline()
    assert res.n_required == RULE.required_sample_size()
    early_breach = analyse_experiment(_experiment(n=600, flag_bias=0.5), RULE)
    assert early_breach.verdict is Verdict.COLLECT
    assert "breached on the data so far" in early_breach.summary()


def test_no_improvement_keeps_the_champion() -> None:
    res = analyse_experiment(_experiment(recall=(0.65, 0.65), seed=2), RULE)
    assert res.verdict is Verdict.KEEP
    assert "No significant difference" in res.summary()


def test_a_broken_fairness_guardrail_stops_the_experiment() -> None:
    res = analyse_experiment(_experiment(flag_bias=0.4), RULE)
    assert res.verdict is Verdict.STOP
    fair = res.guardrails[0]
    assert fair.status == "broken"
    assert fair.challenger is not None
    assert fair.challenger < 0.8
    assert "Guardrail broken" in res.summary()


def test_sequential_rule_promotes_early_and_stops_for_futility() -> None:
    seq = replace(RULE, design="sequential")
    early = analyse_experiment(_experiment(n=3000, recall=(0.55, 0.75)), seq)
    assert early.verdict is Verdict.PROMOTE
    assert early.sequential is not None
    assert early.n_observed[0] < RULE.required_sample_size()[0] * 2
    futile = analyse_experiment(_experiment(n=20000, recall=(0.6, 0.6), seed=4), seq)
    assert futile.verdict is Verdict.KEEP
    assert "futility" in futile.summary()


def test_roc_auc_rule_uses_the_bootstrap() -> None:
    data = _experiment(seed=5)
    rng = np.random.default_rng(0)
    data["score"] = data.y_pred + rng.normal(0, 0.8, len(data))
    rule = DecisionRule("roc_auc", baseline=0.75, mde=0.03, sample_size=1000)
    res = analyse_experiment(data, rule, y_score="score", n_resamples=500)
    assert "bootstrap" in res.primary.test
    assert res.verdict in (Verdict.PROMOTE, Verdict.KEEP)


def test_analysis_errors_name_the_column() -> None:
    data = _experiment(n=200).rename(columns={"y_pred": "pred"})
    with pytest.raises(DataValidationError, match=r"'y_pred'.*Got columns"):
        analyse_experiment(data, RULE)
    bad = _experiment(n=200).assign(arm="A")
    with pytest.raises(DataValidationError, match="only 'champion' and 'challenger'"):
        analyse_experiment(bad, RULE)


# -- shadow mode ----------------------------------------------------------------------------------


def test_shadow_mode_verdicts() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    y = (rng.random(n) < 0.3).astype(float)
    sex = rng.choice(["f", "m"], n)
    champ = np.where(rng.random(n) < 0.75, y, 1 - y).astype(int)
    better = np.where(rng.random(n) < 0.85, y, 1 - y).astype(int)
    res = compare_shadow(champ, better, y_true=y, groups={"sex": sex})
    assert res.verdict is Verdict.PROMOTE
    truth = y.astype(bool)
    assert res.correctness is not None
    assert res.correctness.estimate == pytest.approx(
        (better == truth).mean() - (champ == truth).mean()
    )
    assert res.agreement == pytest.approx((champ == better).mean())
    assert set(res.to_frame().group) == {"f", "m"}
    json.dumps(res.to_dict())
    no_labels = compare_shadow(champ, better, y_true=np.full(n, np.nan))
    assert no_labels.verdict is Verdict.COLLECT
    biased = better | ((sex == "f") & (rng.random(n) < 0.5))
    assert compare_shadow(champ, biased, y_true=y, groups={"sex": sex}).verdict is Verdict.STOP
    same = compare_shadow(champ, champ, y_true=y)
    assert same.verdict is Verdict.KEEP
    assert same.agreement == 1
    with pytest.raises(DataValidationError, match="paired"):
        compare_shadow([1, 0], [1])


# -- live-like traffic from the bundled claims ----------------------------------------------


def test_live_traffic_pairs_both_models_and_splits_by_claim_id() -> None:
    from sklearn.metrics import recall_score

    from mlops_kit.abtest import live_traffic

    t = live_traffic(threshold=0.3, salt="exp-1")
    o = t.outcomes
    assert len(o) == 10_500
    assert o["claim_id"].is_unique
    assert set(o["month"]) == {f"2024-{m:02d}" for m in range(7, 13)}
    # The arm is the hashed split of the claim id, as assign_arms gives it.
    assert (o["arm"].to_numpy() == assign_arms(o["claim_id"], salt="exp-1")).all()
    assert check_balance(o["arm"], groups=o["ethnic_group"]).balanced
    # Each claim meets the decision of the model in its arm; both decisions are kept.
    on_ch = o["arm"] == "challenger"
    assert (o.loc[on_ch, "y_pred"] == o.loc[on_ch, "challenger_pred"]).all()
    assert (o.loc[~on_ch, "y_pred"] == o.loc[~on_ch, "champion_pred"]).all()
    assert ((o["champion_score"] >= 0.3).astype(int) == o["champion_pred"]).all()
    assert not np.allclose(o["champion_score"], o["challenger_score"])
    # The primary metric analysed is the recall of each arm, as scikit-learn computes it.
    rule = DecisionRule("recall", baseline=0.27, mde=0.07)
    result = analyse_experiment(o, rule)
    for arm, value in zip(("champion", "challenger"), result.values, strict=True):
        part = o[o["arm"] == arm]
        assert value == pytest.approx(recall_score(part["y_true"], part["y_pred"]))
    # Another salt is another experiment: a different split of the same claims.
    other = live_traffic(threshold=0.3, salt="exp-2").outcomes
    assert (other["arm"] != o["arm"]).mean() > 0.3
    assert "10,500 claims from 2024-07 to 2024-12" in t.summary()


def test_live_traffic_refuses_bad_settings() -> None:
    from mlops_kit.abtest import live_traffic

    with pytest.raises(ConfigError, match=r"'challenger' parameter of live_traffic.*'xgb'"):
        live_traffic(challenger="xgb")
    with pytest.raises(ConfigError, match=r"'threshold' parameter of live_traffic.*1.5"):
        live_traffic(threshold=1.5)


def test_monthly_looks_match_pandas_statsmodels_and_the_sequential_test() -> None:
    from statsmodels.stats.proportion import proportions_ztest

    from mlops_kit.abtest import live_traffic, monthly_looks

    o = live_traffic(threshold=0.3).outcomes
    looks = monthly_looks(o, mixture_scale=0.07)
    assert looks["month"].tolist() == sorted(o["month"].unique())
    positives = o[o["y_true"] == 1]
    for i, (_, row) in enumerate(looks.iterrows()):
        upto = positives[positives["month"] <= row["month"]]
        by_arm = upto.groupby("arm")["y_pred"].agg(["sum", "count"])
        assert row["champion_n"] == by_arm.loc["champion", "count"]
        assert row["challenger_recall"] == pytest.approx(
            by_arm.loc["challenger", "sum"] / by_arm.loc["challenger", "count"]
        )
        _, p = proportions_ztest(
            by_arm.loc[["challenger", "champion"], "sum"].to_numpy(),
            by_arm.loc[["challenger", "champion"], "count"].to_numpy(),
        )
        assert row["naive_p"] == pytest.approx(p)
        prefix = looks.iloc[: i + 1]
        seq = sequential_test(
            (
                (prefix["champion_recall"] * prefix["champion_n"]).round().to_numpy(),
                (prefix["challenger_recall"] * prefix["challenger_n"]).round().to_numpy(),
            ),
            (prefix["champion_n"].to_numpy(), prefix["challenger_n"].to_numpy()),
            mixture_scale=0.07,
        )
        assert row["always_valid_p"] == pytest.approx(seq.p_value)
    # The always-valid p-value can only fall as looks are added; it never promises less.
    assert (looks["always_valid_p"].diff().dropna() <= 1e-12).all()
    with pytest.raises(ConfigError, match=r"'metric' parameter of monthly_looks.*'roc_auc'"):
        monthly_looks(o, metric="roc_auc")
