"""Tests of mlops_kit.monitor: statistics against SciPy, verdicts, bad input, bundled data."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.monitor import (
    AlertKind,
    DriftSettings,
    PerformanceSettings,
    Severity,
    _stats,
    distribution_figure,
    drift_report,
    performance_over_time,
)
from mlops_kit.monitor._drift_result import DriftStatus

CLAIM_FEATURES = [
    "region",
    "benefit_type",
    "channel",
    "claim_amount",
    "household_size",
    "declared_income",
    "months_claiming",
    "changes_reported_12m",
    "documents_provided",
    "days_to_submit",
    "previous_flags",
    "area_deprivation_decile",
    "sex",
    "age_band",
    "ethnic_group",
    "disability",
]


@pytest.fixture(scope="module")
def batches() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n_ref, n_cur = 3000, 12000

    def batch(n: int, shift: float) -> pd.DataFrame:
        x = rng.normal(shift, 1, n)
        x[rng.random(n) < 0.03] = np.nan
        p_cat = np.array([0.5, 0.3, 0.15, 0.05]) if shift == 0 else np.array([0.3, 0.3, 0.3, 0.1])
        return pd.DataFrame(
            {
                "x": x,
                "ties": rng.poisson(2 + 2 * shift, n),
                "stable": rng.exponential(1, n),
                "cat": rng.choice(list("abcd"), n, p=p_cat),
            }
        )

    return batch(n_ref, 0.0), batch(n_cur, 0.5)


# -- statistics against SciPy and by hand ---------------------------------------------------


def test_ks_matches_scipy_on_large_samples_with_ties() -> None:
    rng = np.random.default_rng(1)
    r = np.sort(np.round(rng.normal(0, 1, 20_000), 1))
    c = np.sort(np.round(rng.normal(0.03, 1, 50_000), 1))
    d, p = _stats.ks_from_sorted(r, c)
    expected = stats.ks_2samp(r, c)
    assert d == pytest.approx(expected.statistic, abs=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-9)
    small = _stats.ks_from_sorted(r[:500], c[:700])
    assert small == pytest.approx(tuple(stats.ks_2samp(r[:500], c[:700])), rel=1e-9)


def test_report_numbers_match_scipy_and_a_hand_psi(batches) -> None:
    ref, cur = batches
    report = drift_report(ref, cur, settings={"correction": "none"})
    x = report["x"]
    r, c = ref["x"].dropna().to_numpy(), cur["x"].dropna().to_numpy()
    assert x.statistic == pytest.approx(stats.ks_2samp(r, c).statistic)
    assert x.p_value == pytest.approx(stats.ks_2samp(r, c).pvalue, rel=1e-6, abs=1e-300)
    # Hand PSI: deciles of the reference, missing values as an 11th bin, shares floored.
    edges = np.quantile(r, np.linspace(0, 1, 11)[1:-1])
    counts = [
        np.append(np.bincount(np.searchsorted(edges, v, side="right"), minlength=10), m)
        for v, m in ((r, ref["x"].isna().sum()), (c, cur["x"].isna().sum()))
    ]
    e, a = (np.clip(k / k.sum(), 1e-4, None) for k in counts)
    assert x.psi == pytest.approx(np.sum((a - e) * np.log(a / e)))
    assert x.js == pytest.approx(jensenshannon(counts[0], counts[1], base=2))
    cat = report["cat"]
    table = pd.crosstab(
        np.r_[np.zeros(len(ref)), np.ones(len(cur))], np.r_[ref["cat"], cur["cat"]]
    ).to_numpy()
    chi = stats.chi2_contingency(table)
    assert cat.statistic == pytest.approx(chi.statistic)
    assert cat.p_value == pytest.approx(chi.pvalue, abs=1e-300)
    assert cat.js == pytest.approx(jensenshannon(table[0], table[1], base=2))


def test_benjamini_hochberg_matches_scipy_and_bonferroni_is_stricter(batches) -> None:
    ref, cur = batches
    raw = drift_report(ref, cur, settings={"correction": "none"}).to_frame()
    bh = drift_report(ref, cur).to_frame()
    expected = stats.false_discovery_control(raw["p_value"].to_numpy(), method="bh")
    np.testing.assert_allclose(bh["p_adjusted"].to_numpy(), expected)
    bonf = drift_report(ref, cur, settings={"correction": "bonferroni"}).to_frame()
    assert (bonf["p_adjusted"] >= bh["p_adjusted"] - 1e-15).all()
    assert _stats.adjust_pvalues(np.array([0.01, 0.04, 0.03]), "benjamini-hochberg") == (
        pytest.approx([0.03, 0.04, 0.04])
    )


def test_rare_and_unseen_categories_are_pooled_so_expected_counts_are_valid() -> None:
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"g": rng.choice(["a", "b", "c"], 5000, p=[0.6, 0.399, 0.001])})
    cur = pd.DataFrame({"g": np.r_[rng.choice(["a", "b"], 4990), ["new"] * 2, ["newer"] * 1]})
    f = drift_report(ref, cur)["g"]
    assert f.new_categories == ("new", "newer")
    assert f.categories_pooled == 3  # c, new, newer
    # The pool (c, new, newer) is still too rare, so it joins the smaller kept category, b.
    a_counts = [(ref["g"] == "a").sum(), (cur["g"] == "a").sum()]
    table = np.array([a_counts, [len(ref) - a_counts[0], len(cur) - a_counts[1]]]).T
    assert f.statistic == pytest.approx(stats.chi2_contingency(table).statistic)
    assert stats.chi2_contingency(_stats.pool_rare(table, 5.0)[0]).expected_freq.min() >= 5
    assert "new categories not in the reference: new, newer" in f.verdict


def test_constant_and_tied_columns_have_one_bin_and_no_false_alarm() -> None:
    ref = pd.DataFrame({"k": np.ones(1000), "t": np.r_[np.zeros(900), np.ones(100)]})
    cur = pd.DataFrame({"k": np.ones(1000), "t": np.r_[np.zeros(905), np.ones(95)]})
    report = drift_report(ref, cur)
    assert report["k"].psi == pytest.approx(0.0)
    assert report["k"].statistic == 0.0
    assert report.drifted == ()
    assert _stats.quantile_edges(np.ones(10), 10).size == 0


# -- verdicts and the report object ---------------------------------------------------------


def test_drift_needs_both_significance_and_effect(batches) -> None:
    ref, cur = batches
    report = drift_report(ref, cur)
    assert set(report.drifted) == {"x", "cat", "ties"}
    assert report["stable"].status is DriftStatus.STABLE
    # Huge batches make a tiny shift significant; the effect floor keeps it stable.
    rng = np.random.default_rng(5)
    big_ref = pd.DataFrame({"v": rng.normal(0, 1, 200_000)})
    big_cur = pd.DataFrame({"v": rng.normal(0.03, 1, 400_000)})
    tiny = drift_report(big_ref, big_cur)["v"]
    assert tiny.p_adjusted is not None
    assert tiny.p_adjusted < 1e-6
    assert tiny.status is DriftStatus.STABLE
    assert "detects a shift" in tiny.verdict
    assert "below the floor 0.1" in tiny.verdict


def test_report_outputs_words_json_html_and_alerts(batches) -> None:
    ref, cur = batches
    report = drift_report(ref, cur, label="2024-03")
    frame = report.to_frame()
    assert frame.loc["x", "status"] == "drifted"
    assert list(frame.index) == ["x", "ties", "stable", "cat"]
    data = json.loads(json.dumps(report.to_dict()))
    assert data["drifted"] == list(report.drifted)
    assert "3 of 4 drifted" in report.summary()
    assert "mlops-drift-report" in report._repr_html_()
    alerts = report.alerts
    assert {a.subject for a in alerts} == {"x", "cat", "ties"}
    a = next(a for a in alerts if a.subject == "x")
    assert a.kind is AlertKind.DATA_DRIFT
    assert a.severity is Severity.ALERT
    assert a.threshold == 0.1
    assert a.value is not None
    assert a.value >= 0.1
    assert "PSI" in str(a)
    assert "retrain a challenger" in str(a)
    assert "[2024-03]" in str(a)


def test_small_batches_are_too_small_to_judge(batches) -> None:
    ref, cur = batches
    report = drift_report(ref, cur.head(150))
    assert report.drifted == ()
    assert set(report.too_small) == {"x", "ties", "stable", "cat"}
    assert report["x"].p_adjusted is None
    (warning,) = report.alerts
    assert warning.kind is AlertKind.TOO_SMALL
    assert warning.severity is Severity.WARNING
    assert "at least 200" in warning.message


def test_all_missing_current_column_is_drift_not_a_crash() -> None:
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"v": rng.normal(size=1000)})
    cur = pd.DataFrame({"v": np.full(1000, np.nan)})
    f = drift_report(ref, cur)["v"]
    assert f.drifted
    assert f.test == "chi2"
    assert f.missing_current == 1.0
    assert "missing values 0.0% in the reference, 100.0% now" in f.verdict


# -- bad input ------------------------------------------------------------------------------


def test_bad_input_gives_clear_errors(batches) -> None:
    ref, cur = batches
    with pytest.raises(DataValidationError, match=r"'cat' is missing from the current.*'cta'"):
        drift_report(ref, cur.rename(columns={"cat": "cta"}))
    with pytest.raises(DataValidationError, match=r"current batch is empty"):
        drift_report(ref, cur.head(0))
    with pytest.raises(DataValidationError, match=r"must be a pandas DataFrame. Got list"):
        drift_report([1, 2], cur)  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match=r"'x' of the reference has no values"):
        drift_report(ref.assign(x=np.nan), cur)
    with pytest.raises(DataValidationError, match=r"same type.*numeric.*categorical"):
        drift_report(ref, cur.assign(x=cur["x"].astype(str)))
    with pytest.raises(ConfigError, match=r"'alpha'.*less than 1.*1.5"):
        drift_report(ref, cur, settings={"alpha": 1.5})
    with pytest.raises(ConfigError, match=r"Unknown config key 'psi_treshold'.*psi_threshold"):
        drift_report(ref, cur, settings={"psi_treshold": 0.2})
    with pytest.raises(ConfigError, match=r"must be a DriftSettings or a mapping.*int"):
        drift_report(ref, cur, settings=3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"'min_metrics' names unknown metric.*auc.*roc_auc"):
        performance_over_time(cur, settings={"min_metrics": {"auc": 0.7}})
    assert DriftSettings().floor("js") == 0.1
    assert PerformanceSettings().four_fifths_limit == 0.8


# -- the bundled data: stable months quiet, changed months loud ------------------------------


def test_bundled_claims_stable_months_raise_no_alarm_and_changed_months_do(claims) -> None:
    reference = claims[claims["month"] <= "2023-06"]
    quiet = {
        m: drift_report(reference, claims[claims["month"] == m], columns=CLAIM_FEATURES).drifted
        for m in ("2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12")
    }
    assert quiet == dict.fromkeys(quiet, ())
    for month in ("2024-02", "2024-03", "2024-06", "2024-09", "2024-12"):
        report = drift_report(reference, claims[claims["month"] == month], columns=CLAIM_FEATURES)
        assert "channel" in report.drifted, month
        assert any(a.subject == "channel" for a in report.alerts)
    late = drift_report(reference, claims[claims["month"] == "2024-06"], columns=CLAIM_FEATURES)
    assert set(late.drifted) == {"channel", "days_to_submit"}
    # January 2024 is the first sixth of the ramp: detected, but below the effect floor.
    january = drift_report(reference, claims[claims["month"] == "2024-01"])["channel"]
    assert january.p_adjusted is not None
    assert january.p_adjusted < 0.05
    assert not january.drifted


# -- performance over time with late labels ---------------------------------------------------


@pytest.fixture(scope="module")
def scored(claims) -> pd.DataFrame:
    from sklearn.linear_model import LogisticRegression

    cols = ["claim_amount", "household_size", "changes_reported_12m", "documents_provided"]
    cols += ["previous_flags", "months_claiming"]
    train = (claims["month"] <= "2023-06").to_numpy()
    model = LogisticRegression(max_iter=500).fit(claims.loc[train, cols], claims["flagged"][train])
    out = claims.assign(
        y_score=model.predict_proba(claims[cols])[:, 1], y_true=claims["flagged"].astype(float)
    )
    out.loc[out["month"] >= "2024-11", "y_true"] = np.nan  # labels not back yet
    out.loc[(out["month"] == "2024-10") & (out.index % 2 == 0), "y_true"] = np.nan
    return out


def test_late_labels_are_pending_and_metrics_match_scikit_learn(scored) -> None:
    from sklearn.metrics import recall_score, roc_auc_score

    from mlops_kit.fairness import fairness_report

    ref = scored[scored["month"] <= "2023-06"]
    rep = performance_over_time(
        scored[scored["month"] > "2023-06"],
        groups=["sex"],
        reference_scores=ref["y_score"],
        settings={"threshold": 0.2, "min_metrics": {"roc_auc": 0.72}},
    )
    t = rep.table
    assert rep.pending == ("2024-11", "2024-12")
    assert t.loc["2024-10", "status"] == "partly labelled"
    assert t["roc_auc"].loc[["2024-11", "2024-12"]].isna().all()
    assert t["score_psi"].notna().all()  # prediction drift needs no labels
    b = scored[scored["month"] == "2024-03"]
    flags = (b["y_score"] >= 0.2).astype(int)
    assert t.loc["2024-03", "roc_auc"] == pytest.approx(roc_auc_score(b["y_true"], b["y_score"]))
    assert t.loc["2024-03", "recall"] == pytest.approx(recall_score(b["y_true"], flags))
    fr = fairness_report(b["flagged"], flags, b[["sex"]], positive_is="adverse", n_bootstrap=0)
    assert t.loc["2024-03", "fairness_ratio[sex]"] == pytest.approx(fr["sex"].four_fifths_ratio)
    perf = [a for a in rep.alerts if a.kind is AlertKind.PERFORMANCE]
    assert perf, "the channel change should push ROC AUC below 0.72"
    assert all(a.batch is not None and a.batch >= "2024" for a in perf)
    assert all("below the floor 0.72" in a.message for a in perf)
    assert all(a.batch not in rep.pending for a in perf)
    assert "Labels pending for 2024-11, 2024-12" in rep.summary()
    json.dumps(rep.to_dict())


def test_a_low_fairness_ratio_in_small_groups_is_a_warning_not_an_alert() -> None:
    from scipy.stats import chi2_contingency

    # 110 and 120 cases; 12 and 7 flagged: ratio 0.54, but chance cannot be ruled out.
    flags = np.r_[np.ones(12), np.zeros(98), np.ones(7), np.zeros(113)]
    group = np.r_[np.full(110, "a"), np.full(120, "b")]
    frame = pd.DataFrame(
        {"month": "m1", "y_score": flags * 0.9, "y_true": np.nan, "g": group, "y_pred": flags}
    )
    rep = performance_over_time(frame, groups=["g"], y_pred="y_pred")
    (fair,) = [a for a in rep.alerts if a.kind is AlertKind.FAIRNESS]
    p = chi2_contingency([[12, 98], [7, 113]], correction=False).pvalue
    assert p > 0.05
    assert fair.severity is Severity.WARNING
    assert f"chi-square p {p:.2g} >= 0.05" in fair.message
    assert fair.action == "watch the next batches; nothing is triggered yet"


def test_fairness_and_prediction_drift_alerts_name_threshold_and_action() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    group = np.where(np.arange(n) < n // 2, "a", "b")
    month = np.repeat(["m1", "m2"], n // 2)
    month = np.r_[month[::2], month[1::2]]  # both groups in both months
    score = rng.uniform(0, 1, n)
    score[(month == "m2") & (group == "a")] **= 0.3  # group a flagged far more in m2
    frame = pd.DataFrame({"month": month, "y_score": score, "y_true": np.nan, "g": group})
    rep = performance_over_time(frame, groups=["g"], reference_scores=rng.uniform(0, 1, 5000))
    fair = [a for a in rep.alerts if a.kind is AlertKind.FAIRNESS]
    assert [a.batch for a in fair] == ["m2"]
    assert "below the policy's limit 0.8" in fair[0].message
    assert "differ by more than chance" in fair[0].message
    assert fair[0].severity is Severity.ALERT
    assert "human review" in str(fair[0])
    drift = [a for a in rep.alerts if a.kind is AlertKind.PREDICTION_DRIFT]
    assert [a.batch for a in drift] == ["m2"]
    assert rep.pending == ("m1", "m2")
    with pytest.raises(DataValidationError, match=r"'y_score' column.*missing"):
        performance_over_time(frame.drop(columns="y_score"))
    with pytest.raises(DataValidationError, match=r"'y_true' must hold only 0 and 1"):
        performance_over_time(frame.assign(y_true=2.0))


# -- figures and imports ------------------------------------------------------------------------


def test_figures_have_descriptions(claims, scored) -> None:
    reference = claims[claims["month"] <= "2023-06"]
    current = claims[claims["month"] == "2024-06"]
    report = drift_report(reference, current, columns=CLAIM_FEATURES, label="2024-06")
    fig = report.plot()
    assert "Drifted: channel, days_to_submit" in fig.description
    assert "floor" in fig.description
    assert fig.title == "Data drift per feature in 2024-06"
    dist = distribution_figure(reference, current, "channel")
    assert "'online' from" in dist.description
    days = distribution_figure(reference, current, "days_to_submit")
    assert days.figure.axes[0].get_xticklabels()[-1].get_text() == "(missing)"
    assert "'>=16' from 10.5% to 3.7%" in days.description
    rep = performance_over_time(
        scored, groups=["sex"], settings={"threshold": 0.2, "min_metrics": {"roc_auc": 0.72}}
    )
    perf = rep.plot("roc_auc")
    assert "alert threshold 0.72" in perf.description
    assert "Labels pending, so no value yet: 2024-11, 2024-12" in perf.description
    assert perf.to_png()[:4] == b"\x89PNG"


def test_importing_the_module_loads_neither_scipy_matplotlib_nor_scikit_learn() -> None:
    code = (
        "import sys, mlops_kit.monitor; "
        "print(sorted({'scipy', 'sklearn', 'matplotlib'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_batch_drift_matches_drift_report_on_the_same_rows(claims) -> None:
    from mlops_kit.monitor import batch_drift

    reference = claims[claims["month"].between("2023-01", "2023-06")]
    direct = drift_report(
        reference[CLAIM_FEATURES], claims.loc[claims["month"] == "2024-03", CLAIM_FEATURES]
    )
    report = batch_drift(claims, "2024-03")
    assert report.label == "2024-03"
    assert [f.feature for f in report.features] == CLAIM_FEATURES
    assert report.n_reference == len(reference)
    assert report.n_current == 1750
    assert report.drifted == direct.drifted == ("channel",)
    assert report["channel"].effect == pytest.approx(direct["channel"].effect)
    # A longer reference window, thresholds as a mapping, and a batch cut too small.
    wide = batch_drift(claims, "2024-03", reference=("2023-01", "2023-12"))
    assert wide.n_reference == 12 * 1750
    lax = batch_drift(claims, "2023-08", settings={"js_threshold": 0.02, "correction": "none"})
    assert set(lax.drifted) == {"benefit_type", "age_band"}  # chance wobbles of a stable month
    assert batch_drift(claims, "2023-08", settings={"js_threshold": 0.02}).drifted == ()
    small = batch_drift(claims, "2024-12", max_rows=150)
    assert small.drifted == ()
    assert len(small.too_small) == len(CLAIM_FEATURES)
    assert small.alerts[-1].kind is AlertKind.TOO_SMALL


def test_drift_by_batch_finds_the_change_and_no_alarm_before_it(claims) -> None:
    from mlops_kit.monitor import drift_by_batch

    table = drift_by_batch(claims)
    assert table["batch"].tolist()[0] == "2023-07"
    assert len(table) == 18
    stable = table[table["batch"] < "2024-01"]
    assert not stable["alarm"].any()
    assert (stable["n_drifted"] == 0).all()
    first = table.loc[table["alarm"], "batch"].iloc[0]
    assert "2024-01" <= first <= "2024-03"
    assert table.loc[table["batch"] == first, "drifted"].iloc[0].startswith("channel")
    assert (table.loc[table["batch"] >= "2024-06", "n_drifted"] >= 1).all()
    row = table.set_index("batch").loc["2024-06"]
    assert row["largest"] == "channel"
    assert row["effect"] > row["floor"]


def test_batch_drift_bad_input_names_the_problem(claims) -> None:
    from mlops_kit.monitor import batch_drift, drift_by_batch

    with pytest.raises(DataValidationError, match=r"Batch '2025-01' is not in 'month'.*2023-01"):
        batch_drift(claims, "2025-01")
    with pytest.raises(DataValidationError, match=r"'reference' parameter.*first, last"):
        batch_drift(claims, "2024-01", reference=("2023-06", "2023-01"))
    with pytest.raises(DataValidationError, match=r"window 2030-01 to 2030-06 holds no batch"):
        batch_drift(claims, "2024-01", reference=("2030-01", "2030-06"))
    with pytest.raises(DataValidationError, match=r"time column 'week' is not in the data"):
        drift_by_batch(claims, time_column="week")
    with pytest.raises(DataValidationError, match=r"'max_rows' parameter.*Got 0"):
        batch_drift(claims, "2024-01", max_rows=0)
    with pytest.raises(DataValidationError, match=r"'data' parameter must be a pandas DataFrame"):
        batch_drift([1, 2], "2024-01")  # type: ignore[arg-type]


def test_score_months_trains_once_and_leaves_late_labels_pending(claims) -> None:
    from sklearn.metrics import roc_auc_score

    from mlops_kit.monitor import score_months

    scored = score_months(claims, label_delay=2)
    assert scored["month"].min() == "2023-07"
    assert len(scored) == 18 * 1750
    pending = scored[scored["y_true"].isna()]
    assert sorted(pending["month"].unique()) == ["2024-11", "2024-12"]
    assert len(scored.attrs["reference_scores"]) == 6 * 1750
    rep = performance_over_time(
        scored, reference_scores=scored.attrs["reference_scores"], groups=["sex"]
    )
    assert rep.pending == ("2024-11", "2024-12")
    early = scored[scored["month"] == "2023-07"]
    late = scored[scored["month"] == "2024-08"]
    auc_early = roc_auc_score(early["flagged"], early["y_score"])
    assert rep.table.loc["2023-07", "roc_auc"] == pytest.approx(auc_early)
    # A model never retrained loses ROC AUC once the new online form's errors arrive.
    assert roc_auc_score(late["flagged"], late["y_score"]) < auc_early - 0.05
    with pytest.raises(DataValidationError, match=r"'label_delay' parameter.*Got -1"):
        score_months(claims, label_delay=-1)
