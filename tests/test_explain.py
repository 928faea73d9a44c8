"""mlops_kit.explain: explainer choice, additivity, reason codes, cross-check, groups, errors.

Expected values are computed here independently, with scikit-learn, scipy and pandas, from
the models the kit's own training builds on the bundled claims.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau, spearmanr
from sklearn.inspection import permutation_importance

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.explain import (
    MIN_SHARE,
    ExplainSettings,
    ModelExplanation,
    choose_explainer,
    explain_model,
    explain_training,
    features_named,
    protected_words_in,
    resolve_labels,
)
from mlops_kit.explain._explainer import import_shap
from mlops_kit.explain._groups import explain_by_group
from mlops_kit.explain._labels import DATASET_LABELS
from mlops_kit.train import TrainingResult, build_pipeline, train_model


@pytest.fixture(scope="module")
def trained(claims: pd.DataFrame, claims_profile: Any) -> dict[str, TrainingResult]:
    """The kit's three classifiers on the claims (time split, threshold 0.3)."""
    return {
        model: train_model(
            claims,
            claims_profile.roles,
            model=model,
            split="time",
            cv_folds=0,
            threshold=0.3,
        )
        for model in ("hgb", "rf", "logistic")
    }


@pytest.fixture(scope="module")
def test_rows(claims: pd.DataFrame, trained: dict[str, TrainingResult]) -> pd.DataFrame:
    rows = claims.iloc[trained["hgb"].split.test_index].set_index("claim_id", drop=False)
    return rows


@pytest.fixture(scope="module")
def hgb_explanation(
    claims: pd.DataFrame, claims_profile: Any, trained: dict[str, TrainingResult]
) -> ModelExplanation:
    return explain_training(
        trained["hgb"], claims, claims_profile.roles, id_column="claim_id", max_rows=1500
    )


@pytest.fixture(scope="module")
def knn(claims: pd.DataFrame, claims_profile: Any, trained: dict[str, TrainingResult]) -> Any:
    """A model with neither tree nor linear structure: k-nearest neighbours after the
    kit's linear-model preprocessing."""
    from sklearn.neighbors import KNeighborsClassifier

    roles = claims_profile.roles
    pipe = build_pipeline("logistic", roles)
    pipe.steps[-1] = ("model", KNeighborsClassifier(n_neighbors=25))
    train = claims.iloc[trained["hgb"].split.train_index[::10]]
    return pipe.fit(train[list(roles.features)], train["flagged"])


# --- the explainer choice ----------------------------------------------------------------------


def test_each_model_family_gets_its_explainer(trained: dict[str, TrainingResult], knn: Any) -> None:
    hgb = choose_explainer(trained["hgb"].estimator)
    assert (hgb.kind, hgb.output_space) == ("tree", "log-odds")
    assert "categorical splits decided by their category sets" in hgb.method
    rf = choose_explainer(trained["rf"].estimator)
    assert (rf.kind, rf.output_space, rf.estimator) == (
        "tree",
        "probability",
        "RandomForestClassifier",
    )
    logistic = choose_explainer(trained["logistic"].estimator)
    assert (logistic.kind, logistic.output_space) == ("linear", "log-odds")
    fallback = choose_explainer(knn)
    assert (fallback.kind, fallback.output_space) == ("sampled", "probability")
    assert "neither tree nor linear" in fallback.reason
    # Forcing: the sampled explainer applies to anything; tree and linear only where they fit.
    assert choose_explainer(trained["logistic"].estimator, explainer="sampled").kind == "sampled"
    with pytest.raises(
        ConfigError, match=re.escape("linear explainer reads models from sklearn.linear_model")
    ):
        choose_explainer(trained["hgb"].estimator, explainer="linear")
    with pytest.raises(ConfigError, match="tree explainer reads scikit-learn tree models"):
        choose_explainer(knn, explainer="tree")
    with pytest.raises(ConfigError, match="must be one of auto, tree, linear, sampled"):
        choose_explainer(knn, explainer="kernel")


def test_a_regressor_is_explained_in_the_units_of_its_prediction(admissions: pd.DataFrame) -> None:
    from mlops_kit.data import profile_dataset

    profile = profile_dataset(admissions, "hospital_admissions")
    result = train_model(admissions, profile.roles, model="hgb", task="regression", cv_folds=0)
    rows = admissions.iloc[result.split.test_index]
    explanation = explain_model(result.estimator, rows, max_rows=200)
    assert (explanation.explainer, explanation.output_space) == ("tree", "prediction")
    X = rows[list(explanation.features)].loc[explanation.data.index]
    predicted = result.estimator.predict(X)
    total = explanation.base_value + explanation.shap_values.sum(axis=1)
    np.testing.assert_allclose(total, predicted, rtol=1e-6, atol=1e-6 * np.abs(predicted).max())
    assert explanation.threshold is None
    assert explanation.reason_codes(0).text.startswith("The prediction (")


# --- additivity: base value + contributions == the model's output ---------------------------


@pytest.mark.parametrize("model", ["hgb", "rf", "logistic"])
def test_shap_values_add_up_to_the_models_output(
    model: str, trained: dict[str, TrainingResult], test_rows: pd.DataFrame
) -> None:
    pipe = trained[model].estimator
    explanation = explain_model(pipe, test_rows, max_rows=150 if model == "rf" else 600, seed=3)
    X = explanation.data
    Xt = pipe[:-1].transform(X)
    final = pipe[-1]
    # The output in the explained space, computed here from the fitted estimator itself.
    expected = final.predict_proba(Xt)[:, 1] if model == "rf" else final.decision_function(Xt)
    total = explanation.base_value + explanation.shap_values.sum(axis=1)
    np.testing.assert_allclose(total, expected, atol=1e-5)
    np.testing.assert_allclose(explanation.scores, pipe.predict_proba(X)[:, 1])
    assert explanation.shap_values.shape == (len(X), 12)
    assert list(explanation.features) == list(pipe.feature_names_in_)
    assert not explanation.shap_values.flags.writeable  # the record is immutable


def test_the_sampled_fallback_adds_up_to_the_pipelines_probability(
    knn: Any, test_rows: pd.DataFrame, trained: dict[str, TrainingResult], claims: pd.DataFrame
) -> None:
    background = claims.iloc[trained["hgb"].split.train_index]
    explanation = explain_model(knn, test_rows, background=background, max_rows=6, seed=1)
    assert explanation.explainer == "sampled"
    assert explanation.n_rows == 6
    expected = knn.predict_proba(explanation.data)[:, 1]
    total = explanation.base_value + explanation.shap_values.sum(axis=1)
    np.testing.assert_allclose(total, expected, atol=1e-9)
    # The base value is the pipeline's average score over the background sample it used.
    assert 0 < explanation.base_value < 1


def test_histogram_boosting_categories_are_read_exactly_unlike_shaps_own_reader(
    trained: dict[str, TrainingResult], test_rows: pd.DataFrame
) -> None:
    """shap reads the kit's categorical splits as thresholds (shap issue #3436); the
    rewritten trees give exactly the model's log-odds."""
    shap = import_shap()
    pipe = trained["hgb"].estimator
    final = pipe[-1]
    X = test_rows[list(pipe.feature_names_in_)].iloc[:300]
    Xt = pipe[:-1].transform(X)
    native = shap.TreeExplainer(final)
    values = native.shap_values(Xt, check_additivity=False)
    wrong = np.abs(native.expected_value + values.sum(axis=1) - final.decision_function(Xt)).max()
    assert wrong > 0.1
    explanation = explain_model(pipe, X, max_rows=300)
    assert explanation.additivity_error() < 1e-5


def test_linear_shap_values_are_the_one_hot_columns_summed_back(
    trained: dict[str, TrainingResult], test_rows: pd.DataFrame
) -> None:
    pipe = trained["logistic"].estimator
    X = test_rows[list(pipe.feature_names_in_)].iloc[:200]
    # With the rows as their own background (all of them), each feature's SHAP value is
    # coef * (x - mean) summed over its encoded columns.
    explanation = explain_model(pipe, X, background=X, background_rows=1000, max_rows=200)
    Xt = pipe[:-1].transform(X)
    names = pipe[:-1].get_feature_names_out()
    coef = pipe[-1].coef_[0]
    centred = (Xt - Xt.mean(axis=0)) * coef
    for feature in ("channel", "region", "claim_amount"):
        columns = [i for i, n in enumerate(names) if n == feature or n.startswith(f"{feature}_")]
        expected = centred[:, columns].sum(axis=1)
        got = explanation.to_frame()[feature].to_numpy()
        np.testing.assert_allclose(got, expected, atol=1e-9)
    assert any("summed back" in note for note in explanation.notes)


# --- reason codes ------------------------------------------------------------------------------


def _expected_order(values: np.ndarray, sign: int) -> list[int]:
    floor = MIN_SHARE * np.abs(values).sum()
    keep = [j for j in np.argsort(-sign * values, kind="stable") if sign * values[j] > floor]
    return [int(j) for j in keep]


def test_reason_codes_name_the_top_raising_and_lowering_features_in_order(
    hgb_explanation: ModelExplanation,
) -> None:
    e = hgb_explanation
    checked = 0
    for i in [*e.top_cases(5), *range(0, 1500, 150)]:
        codes = e.reason_codes(i, n=3)
        values = e.shap_values[i]
        up = [e.features[j] for j in _expected_order(values, +1)][:3]
        down = [e.features[j] for j in _expected_order(values, -1)][:3]
        assert codes.features_raising == up
        assert codes.features_lowering == down
        # The sentence names them in the same order, by their plain labels: for a flagged
        # case what raised the score comes first, otherwise what kept it below.
        flagged = e.scores[i] >= 0.3
        named = up + down if flagged else down + up
        positions = [codes.text.index(f"the {e.labels[f]} (") for f in named]
        assert positions == sorted(positions)
        assert codes.case_id == str(e.data.index[i])
        assert codes.predicted_positive == flagged
        start = "Predicted positive mainly because of" if flagged else "Not predicted positive:"
        assert codes.text.startswith(start)
        checked += 1
    assert checked == 15


def test_reason_codes_show_the_value_against_a_typical_one(
    hgb_explanation: ModelExplanation,
) -> None:
    e = hgb_explanation
    i = e.top_cases(1)[0]
    codes = e.reason_codes(i)
    first = codes.raised[0]
    raw = e.data.iloc[i][first.feature]
    assert first.value == (f"{int(raw):,}" if isinstance(raw, int | np.integer) else first.value)
    assert f"the {first.label} ({first.value}" in codes.text
    assert "(Score " in codes.text
    assert "the threshold is 0.30" in codes.text
    frame = codes.to_frame()
    assert list(frame["direction"]).count("raised") == len(codes.raised)
    np.testing.assert_allclose(
        frame["shap"][: len(codes.raised)], [r.contribution for r in codes.raised]
    )
    # A different threshold changes the decision words, not the reasons.
    other = e.reason_codes(i, threshold=0.99)
    assert other.predicted_positive is False
    assert other.features_raising == codes.features_raising


def test_a_case_is_found_by_its_reference_and_a_bad_position_is_refused(
    hgb_explanation: ModelExplanation,
) -> None:
    e = hgb_explanation
    ref = str(e.data.index[7])
    assert e.locate(ref) == 7
    with pytest.raises(ConfigError, match="not among the 1,500 explained rows"):
        e.locate("BC999999")
    with pytest.raises(ConfigError, match=r"must be from 0 to 1499 .*Got 1500"):
        e.reason_codes(1500)
    with pytest.raises(ConfigError, match="must be from 0 to 1499"):
        e.waterfall(-1)
    with pytest.raises(ConfigError, match=re.escape("a whole number from 0 to 1499. Got 'BC")):
        e.reason_codes(ref)  # type: ignore[arg-type]


# --- the cross-check and groups ----------------------------------------------------------------


def test_the_crosscheck_matches_scipy_and_scikit_learn(
    hgb_explanation: ModelExplanation, trained: dict[str, TrainingResult]
) -> None:
    e = hgb_explanation
    cross = e.crosscheck
    assert cross is not None
    table = cross.table
    assert cross.spearman == pytest.approx(spearmanr(table["shap"], table["permutation"]).statistic)
    assert cross.kendall == pytest.approx(kendalltau(table["shap"], table["permutation"]).statistic)
    # The permutation importances are scikit-learn's, with the same seed and repeats.
    again = permutation_importance(
        trained["hgb"].estimator,
        e.data,
        e.y,
        scoring="roc_auc",
        n_repeats=5,
        random_state=e.seed,
    )
    got = table.loc[list(e.features), "permutation"].to_numpy()
    np.testing.assert_allclose(got, again.importances_mean)
    np.testing.assert_allclose(
        table.loc[list(e.features), "shap"], np.abs(e.shap_values).mean(axis=0)
    )
    # Disagreements are exactly the features whose ranks differ by 3 or more, or that are
    # in one top 3 only.
    gap = (table["permutation_rank"] - table["shap_rank"]).abs() >= 3
    top = (table["shap_rank"] <= 3) != (table["permutation_rank"] <= 3)
    assert set(cross.disagreements) == set(table.index[gap | top])
    assert f"Spearman rank correlation {cross.spearman:.2f}" in cross.verdict


def test_the_group_table_is_a_groupby_of_absolute_shap_values(
    hgb_explanation: ModelExplanation,
) -> None:
    e = hgb_explanation
    assert set(e.by_group) == {"sex", "age_band", "ethnic_group", "disability"}
    result = e.group("ethnic_group")
    assert e.groups is not None
    groups = e.groups["ethnic_group"].to_numpy()
    shap = pd.DataFrame(e.shap_values, columns=list(e.features))
    expected = shap.abs().groupby(groups).mean().T
    pd.testing.assert_frame_equal(
        result.mean_abs.sort_index(axis=0).sort_index(axis=1),
        expected.sort_index(axis=0).sort_index(axis=1),
        check_names=False,
    )
    signed = shap.groupby(groups).mean().T
    pd.testing.assert_frame_equal(
        result.mean_signed.sort_index(axis=0).sort_index(axis=1),
        signed.sort_index(axis=0).sort_index(axis=1),
        check_names=False,
    )
    for g in result.judged:
        assert result.top[g] == tuple(expected[g].sort_values(ascending=False).index[:3])
    # The proxy shows: deprivation pushes Group C's scores up and Group A's down.
    gap = result.largest_gap()
    assert gap is not None
    feature, hi, _lo, v_hi, _v_lo = gap
    assert feature == "area_deprivation_decile"
    deprivation = signed.loc[feature].to_dict()
    assert deprivation["Group C"] > 0 > deprivation["Group A"]
    assert f"{v_hi:+.3f} on average for {hi}" in result.verdict
    long = result.to_frame()
    assert len(long) == 12 * result.mean_abs.shape[1]


def test_small_groups_are_shown_but_not_judged() -> None:
    values = pd.DataFrame({"a": [1.0, 2.0, 3.0, 0.5], "b": [0.1, 0.2, 0.1, 3.0]})
    groups = pd.Series(["x", "x", "x", "y"], name="attr")
    result = explain_by_group(values, groups, top_k=1, min_group_size=3)
    assert result.judged == ("x",)
    assert result.differs is None
    assert "Cannot compare the explanations by attr" in result.verdict
    assert "y (1)" in result.verdict
    with pytest.raises(DataValidationError, match="one value per explained row"):
        explain_by_group(values, groups.iloc[:2])


# --- the row cap and errors ----------------------------------------------------------------


def test_the_row_cap_is_honoured_and_seeded(
    trained: dict[str, TrainingResult], test_rows: pd.DataFrame, knn: Any
) -> None:
    pipe = trained["logistic"].estimator
    a = explain_model(pipe, test_rows, max_rows=300, seed=5)
    b = explain_model(pipe, test_rows, max_rows=300, seed=5)
    c = explain_model(pipe, test_rows, max_rows=300, seed=6)
    assert (a.n_rows, a.n_available, a.max_rows) == (300, len(test_rows), 300)
    assert list(a.data.index) == list(b.data.index)
    assert list(a.data.index) != list(c.data.index)
    assert set(a.data.index) <= set(test_rows.index)
    assert "300 of 10,500 rows were explained" in a.notes[0]
    everything = explain_model(pipe, test_rows.iloc[:50], max_rows=300)
    assert everything.n_rows == 50
    assert everything.notes[:1] != ["300"]
    sampled = explain_model(knn, test_rows, max_rows=1000, max_rows_sampled=8)
    assert sampled.n_rows == 8
    assert sampled.max_rows == 8


def test_bad_input_gets_a_clear_error(
    trained: dict[str, TrainingResult], test_rows: pd.DataFrame, claims_profile: Any
) -> None:
    pipe = trained["hgb"].estimator
    with pytest.raises(
        DataValidationError, match="lacks the model's feature column 'channel'"
    ) as err:
        explain_model(pipe, test_rows.drop(columns="channel"))
    assert err.value.column == "channel"
    unfitted = build_pipeline("hgb", claims_profile.roles)
    with pytest.raises(ConfigError, match="must be fitted before it can be explained"):
        explain_model(unfitted, test_rows)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "'max_rows' parameter of explain_model must be a whole number of at least 1. Got 0"
        ),
    ):
        explain_model(pipe, test_rows, max_rows=0)
    with pytest.raises(DataValidationError, match="must be a pandas DataFrame"):
        explain_model(pipe, test_rows.to_numpy())  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="no rows to explain"):
        explain_model(pipe, test_rows.iloc[:0])
    with pytest.raises(DataValidationError, match=r"y must have one value per row of X \(10,500\)"):
        explain_model(pipe, test_rows, y=[0, 1])
    with pytest.raises(DataValidationError, match="group column 'ethnicity' is not a column"):
        explain_model(pipe, test_rows, groups=["ethnicity"])
    with pytest.raises(ConfigError, match="Did you mean 'channel'"):
        explain_model(pipe, test_rows, feature_labels={"chanel": "how it arrived"})
    with pytest.raises(ConfigError, match="'threshold' parameter of explain_model"):
        explain_model(pipe, test_rows, threshold=1.5)


# --- labels, output, figures -------------------------------------------------------------------


def test_features_have_plain_labels_and_users_can_give_their_own(
    trained: dict[str, TrainingResult], test_rows: pd.DataFrame
) -> None:
    labels = resolve_labels(["previous_flags", "x_new"], {"x_new": "a new measure"})
    assert labels == {"previous_flags": DATASET_LABELS["previous_flags"], "x_new": "a new measure"}
    e = explain_model(
        trained["logistic"].estimator,
        test_rows,
        max_rows=50,
        feature_labels={"channel": "route the claim came in by"},
    )
    assert e.labels["channel"] == "route the claim came in by"
    assert e.labels["documents_provided"] == DATASET_LABELS["documents_provided"]
    assert all("_" not in label for label in e.labels.values())
    assert features_named(
        "The paperwork was missing and the claim came in on paper.",
        ["documents_provided", "channel"],
    ) == ["documents_provided", "channel"]
    assert features_named("A disability support claim", ["benefit_type", "region"]) == [
        "benefit_type"
    ]
    assert protected_words_in("because of her ethnic group and sex") == ["ethnic group", "sex"]


def test_to_dict_is_json_and_every_figure_is_described(hgb_explanation: ModelExplanation) -> None:
    e = hgb_explanation
    data = e.to_dict(n_cases=2)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["explainer"]["kind"] == "tree"
    assert [c["case_id"] for c in data["cases"]] == [str(e.data.index[i]) for i in e.top_cases(2)]
    assert data["additivity_error"] < 1e-5
    assert data["importance"][0]["rank"] == 1
    assert e.crosscheck is not None
    assert data["crosscheck"]["spearman"] == pytest.approx(e.crosscheck.spearman)
    assert set(data["by_group"]) == set(e.by_group)
    figures = e.figures(n_cases=1)
    assert [f.title for f in figures[:3]] == [
        "What moves the model's scores overall",
        "How each feature's values move the score",
        f"Why case {e.data.index[e.top_cases(1)[0]]} got its score",
    ]
    assert len(figures) == 3 + 1 + 4
    for figure in figures:
        assert len(figure.description) > 150
        assert figure.to_png()[:4] == b"\x89PNG"
    # Meaning never rests on colour alone: bars are hatched and values written on.
    bar = figures[0]
    assert all(p.get_hatch() == "//" for p in bar.figure.axes[0].patches)
    written = [t.get_text() for t in bar.figure.axes[0].texts]
    assert len(written) == 12
    assert all("%" in w for w in written)
    top = e.importance().iloc[0]
    assert f"{top['label']} ({top['mean_abs_shap']:.3f}" in bar.description
    waterfall = figures[2]
    assert waterfall.description.startswith(e.reason_codes(e.top_cases(1)[0]).text)
    assert "/// when it raises" in waterfall.description
    html = e._repr_html_()
    assert "mlops-explanation" in html
    assert "Top features by mean absolute SHAP" in html


def test_the_case_explorer_widget_shows_a_chosen_case_in_words(
    hgb_explanation: ModelExplanation,
) -> None:
    from mlops_kit.widgets import CaseExplorer

    e = hgb_explanation
    widget = CaseExplorer(e)
    options = widget.case_dropdown.options
    assert widget.case_dropdown.description == "Case"
    assert options[0][1] == e.top_cases(1)[0]
    assert any(label.endswith("not flagged") for label, _ in options)
    second = options[1][1]
    widget.case_dropdown.value = second
    assert widget.result.position == second
    assert widget.result.text == e.reason_codes(second).text
    bundle = widget._repr_mimebundle_()
    assert bundle["text/plain"].startswith(f"Case explorer. Case {e.data.index[second]}:")
    assert "mlops-case-explorer" in widget._dom_classes


# --- settings and imports -----------------------------------------------------------------


def test_explain_settings_are_strict_and_match_the_function_defaults() -> None:
    import inspect

    from pydantic import ValidationError

    settings = ExplainSettings()
    defaults = inspect.signature(explain_model).parameters
    for key in ("max_rows", "max_rows_sampled", "background_rows", "n_repeats", "top_k"):
        assert getattr(settings, key) == defaults[key].default
    assert ExplainSettings(feature_labels={"channel": "route"}).feature_labels == {
        "channel": "route"
    }
    with pytest.raises(ValidationError):
        ExplainSettings(max_row=10)
    with pytest.raises(ValidationError):
        ExplainSettings(max_rows=0)
    with pytest.raises(ValidationError):
        ExplainSettings(max_rows="500")
    with pytest.raises(ValidationError, match="must not be empty"):
        ExplainSettings(feature_labels={"channel": " "})


def test_importing_the_package_loads_neither_shap_nor_matplotlib() -> None:
    code = (
        "import sys, mlops_kit.explain, mlops_kit.review; "
        "print(any(m in sys.modules for m in ('shap', 'matplotlib', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_saved_and_reloaded_model_is_explained_as_the_pipeline_stage_would(
    trained: dict[str, TrainingResult], test_rows: pd.DataFrame, tmp_path: Any
) -> None:
    """The explain stage reads model.skops from the run folder: the boosting model's
    trees and category encodings survive skops, and the settings map onto the keywords."""
    from mlops_kit.train import load_model, save_model

    save_model(trained["hgb"].estimator, tmp_path / "model.skops")
    model = load_model(tmp_path / "model.skops")
    settings = ExplainSettings(max_rows=80, n_repeats=2, feature_labels={"channel": "route"})
    e = explain_model(
        model,
        test_rows,
        y=test_rows["flagged"],
        groups=["ethnic_group"],
        threshold=0.3,
        **settings.explain_kwargs(),
    )
    assert (e.explainer, e.n_rows, e.labels["channel"]) == ("tree", 80, "route")
    assert e.additivity_error() < 1e-5
    assert e.crosscheck is not None
    assert e.crosscheck.n_repeats == 2
    assert set(e.by_group) == {"ethnic_group"}
    data = e.to_dict(n_cases=settings.n_cases, n_reasons=settings.n_reasons)
    assert len(data["cases"]) == 3
    json.dumps(data, allow_nan=False)
