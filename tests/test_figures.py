"""Figures: each carries a text description computed from the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from mlops_kit import figures, metrics
from mlops_kit.fairness import fairness_report
from mlops_kit.metrics import metrics_by_period, threshold_analysis


def test_roc_description_states_the_auc_and_the_operating_point(
    claims_predictions: pd.DataFrame,
) -> None:
    p = claims_predictions
    fig = metrics.roc_figure(p.y_true, p.y_score, threshold=0.3)
    assert f"area under the curve {roc_auc_score(p.y_true, p.y_score):.3f}" in fig.description
    caught = (p.y_score[p.y_true == 1] >= 0.3).mean()
    assert f"catches {caught:.1%}" in fig.description or f"catches {caught:.0%}" in fig.description
    assert fig.title == "ROC curve"


def test_precision_recall_description(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    fig = metrics.precision_recall_figure(p.y_true, p.y_score, threshold=0.3)
    assert (
        f"average precision {average_precision_score(p.y_true, p.y_score):.3f}" in fig.description
    )


def test_confusion_matrix_description_counts_every_cell(claims_predictions: pd.DataFrame) -> None:
    p = claims_predictions
    fig = metrics.confusion_matrix_figure(p.y_true, p.y_pred, labels=("not flagged", "flagged"))
    tn, fp, fn, tp = confusion_matrix(p.y_true, p.y_pred).ravel()
    for phrase in (
        f"{tp:,} were predicted flagged (true positives)",
        f"{fn:,} were missed (false negatives)",
        f"{fp:,} were wrongly predicted flagged (false positives)",
        f"{tn:,} correctly not flagged",
    ):
        assert phrase in fig.description
    # Counts are written in the cells, not carried by colour alone.
    texts = [t.get_text() for t in fig.figure.axes[0].texts]
    assert any(t.startswith(f"{tp:,}\n") for t in texts)


def test_threshold_figure_names_the_best_f1_and_uses_distinct_styles(
    claims_predictions: pd.DataFrame,
) -> None:
    p = claims_predictions
    table = threshold_analysis(p.y_true, p.y_score)
    fig = metrics.threshold_figure(table, threshold=0.3)
    best = table.iloc[int(table["f1"].to_numpy().argmax())]
    assert f"F1 is highest, {best['f1']:.2f}, at threshold {best['threshold']:g}" in fig.description
    lines = [ln for ln in fig.figure.axes[0].get_lines() if ln.get_label() != "_nolegend_"]
    styles = {(ln.get_linestyle(), ln.get_marker()) for ln in lines[:4]}
    assert len(styles) == 4, "series must differ by more than colour"


def test_group_rates_figure_writes_each_verdict_on_its_bar(
    claims_predictions: pd.DataFrame,
) -> None:
    p = claims_predictions
    result = fairness_report(
        p.y_true, p.y_pred, p[["ethnic_group"]], positive_is="adverse", n_bootstrap=0
    )["ethnic_group"]
    fig = result.plot()
    texts = " ".join(t.get_text() for t in fig.figure.axes[0].texts)
    for verdict in result.table["verdict"]:
        assert verdict in texts
    assert fig.description == result.summary()
    assert fig.title == "Positive rate by ethnic_group"  # no service words given


def test_metric_over_time_describes_before_and_after_a_change(
    claims_predictions: pd.DataFrame,
) -> None:
    p = claims_predictions
    table = metrics_by_period(p.y_true, p.y_score, p.month, threshold=0.3)
    fig = metrics.metric_over_time_figure(table, ("roc_auc",), marker_at="2024-10")
    before = table.loc[table.index < "2024-10", "roc_auc"].mean()
    assert f"ROC AUC averages {before:.2f} before 2024-10" in fig.description


def test_predicted_vs_actual_description(rng: np.random.Generator) -> None:
    y = rng.normal(100, 10, 200)
    fig = metrics.predicted_vs_actual_figure(y, y + 2.0)
    assert "The typical miss is 2.0" in fig.description
    assert "above the truth on average by 2.0" in fig.description


def test_described_figure_saves_png_and_renders_accessible_html(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    y = rng.integers(0, 2, 300)
    fig = metrics.roc_figure(y, rng.random(300))
    path = fig.save(tmp_path / "sub" / "roc.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["roc.png"], "no temporary file is left"
    html = fig._repr_html_()
    assert 'alt="ROC curve"' in html
    assert "<figcaption>" in html
    assert fig.description in html.replace("&#x27;", "'")
    assert repr(fig).startswith("Figure: ROC curve\n")
    assert "<strong>ROC curve.</strong>" in html


def test_a_caption_whose_title_is_a_question_gets_no_extra_full_stop(
    rng: np.random.Generator,
) -> None:
    fig = metrics.roc_figure(rng.integers(0, 2, 50), rng.random(50))
    asked = figures.DescribedFigure(fig.figure, "Did it work?", "It did.")
    assert "<strong>Did it work?</strong> It did." in asked.to_html()


def test_figures_are_never_registered_with_pyplot(rng: np.random.Generator) -> None:
    """A figure pyplot knows about leaks and shows twice in a notebook; ours are standalone."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    y = rng.integers(0, 2, 200)
    metrics.roc_figure(y, rng.random(200))
    metrics.precision_recall_figure(y, rng.random(200))
    metrics.confusion_matrix_figure(y, rng.integers(0, 2, 200))
    assert plt.get_fignums() == before


@pytest.mark.parametrize("colour", figures.PALETTE)
def test_palette_is_valid_hex(colour: str) -> None:
    assert len(colour) == 7
    int(colour[1:], 16)
