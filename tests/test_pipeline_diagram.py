"""The picture of the whole pipeline (pipeline_diagram) and reading gate.json back (read_gate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops_kit.errors import ArtefactError, ConfigError
from mlops_kit.governance import Decision, GateDecision
from mlops_kit.governance._decision import Check
from mlops_kit.pipeline import (
    PERSON_DECISIONS,
    STAGE_FILES,
    STAGES,
    PersonDecision,
    StageFiles,
    pipeline_diagram,
    read_gate,
)


def test_the_description_names_every_stage_and_file_in_order() -> None:
    diagram = pipeline_diagram()
    text = diagram.description()
    assert [s.stage for s in diagram.steps] == [s.value for s in STAGES]
    assert text.startswith(f"The automated pipeline runs {len(STAGES)} stages in order")
    positions = []
    for number, stage in enumerate(STAGES, start=1):
        sentence = f"{number}. {stage.value} writes "
        assert sentence in text
        positions.append(text.index(sentence))
        for name in STAGE_FILES[stage].writes:
            assert name in text[positions[-1] :], (stage.value, name)
    assert positions == sorted(positions)
    assert "3. train writes model.skops, training.json and predictions.csv." in text


def test_a_person_decides_after_the_gate_the_register_and_the_monitor_stages() -> None:
    diagram = pipeline_diagram()
    assert [stage for stage, _ in diagram.decisions] == ["gate", "register", "monitor"]
    text = diagram.description()
    for stage, decision in PERSON_DECISIONS.items():
        follows = text.index(f". {stage} writes ")
        said = text.index(f"Then a person decides ({decision.name})")
        assert follows < said
    assert "A person decides at 3 points, drawn as diamonds" in text
    frame = diagram.to_frame()
    assert list(frame["stage"]) == [s.value for s in STAGES]
    assert (frame["then a person decides"] != "").sum() == 3


def test_adding_a_stage_or_a_decision_changes_the_picture_and_its_words() -> None:
    files = {s.value: STAGE_FILES[s] for s in STAGES}
    files["deploy"] = StageFiles(reads=("registration.json",), writes=("deployment.json",))
    decisions = {
        **PERSON_DECISIONS,
        "deploy": PersonDecision("release sign-off", "the service owner", "switches it on"),
    }
    diagram = pipeline_diagram(files, decisions=decisions)
    text = diagram.description()
    assert "runs 10 stages in order" in text
    assert "10. deploy writes deployment.json. Then a person decides (release sign-off)" in text
    assert "A person decides at 4 points" in text
    figure = diagram.plot()
    labels = {t.get_text() for t in figure.figure.axes[0].texts}
    assert "10. deploy" in labels
    diamonds = [p for p in figure.figure.axes[0].patches if p.get_hatch() == "//"]
    assert len(diamonds) == 4
    with pytest.raises(ConfigError, match="must name stages of the pipeline"):
        pipeline_diagram(decisions={"deploy": decisions["deploy"]})


def test_the_figure_carries_its_description_and_shapes_not_only_colour() -> None:
    diagram = pipeline_diagram()
    figure = diagram.plot()
    assert figure.description == diagram.description()
    assert figure.title.startswith("The automated pipeline")
    ax = figure.figure.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for number, stage in enumerate(STAGES, start=1):
        assert f"{number}. {stage.value}" in texts
    assert texts.count("PERSON\nDECIDES") == len(PERSON_DECISIONS)
    # Stages are rectangles; decisions are hatched, dashed diamonds (four corners).
    from matplotlib.patches import Polygon

    diamonds = [p for p in ax.patches if isinstance(p, Polygon) and p.get_hatch() == "//"]
    assert len(diamonds) == len(PERSON_DECISIONS)
    assert all(len(p.get_xy()) == 5 for p in diamonds)  # closed: the first corner repeated
    assert all(p.get_linestyle() == "--" for p in diamonds)
    page = diagram._repr_html_()
    assert 'alt="The automated pipeline: stages, what each writes, where a person decides"' in page
    assert "4. evaluate writes metrics.json and figures.json." in page
    assert repr(diagram) == diagram.description()


def _decision() -> GateDecision:
    return GateDecision(
        decision=Decision.REFUSE,
        checks=(
            Check("roc_auc floor", True, 0.81, 0.7, "ROC AUC 0.81 is above the floor 0.7."),
            Check("four-fifths rule by sex", False, 0.7, 0.8, "The ratio 0.70 is below 0.8."),
        ),
        reasons=("1 check failed: four-fifths rule by sex.",),
        high_impact=True,
        trained_by="Alex Morgan",
        policy={"min_roc_auc": 0.7},
    )


def test_read_gate_gives_back_the_decision_the_gate_wrote(tmp_path: Path) -> None:
    decision = _decision()
    (tmp_path / "gate.json").write_text(json.dumps(decision.to_dict()), encoding="utf-8")
    read = read_gate(tmp_path)
    assert read == decision
    assert [c.status for c in read.failing_checks] == ["FAIL"]
    page = read._repr_html_()
    assert "Gate decision: refuse." in page
    assert '<th scope="row">four-fifths rule by sex</th><td>FAIL</td>' in page


def test_read_gate_says_what_is_missing_or_damaged(tmp_path: Path) -> None:
    with pytest.raises(ArtefactError, match=r"needs 'gate\.json' in the run folder"):
        read_gate(tmp_path)
    (tmp_path / "gate.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtefactError, match="is damaged: it is not JSON"):
        read_gate(tmp_path)
    (tmp_path / "gate.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ArtefactError, match=r"must hold a JSON object\. Got a list instead"):
        read_gate(tmp_path)
    (tmp_path / "gate.json").write_text('{"decision": "refuse"}', encoding="utf-8")
    with pytest.raises(ArtefactError, match="must have the key 'checks'"):
        read_gate(tmp_path)
