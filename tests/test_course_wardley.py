"""The Explain lesson's Wardley map and quiz data (mlops_kit.course._wardley, _concepts)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlops_kit.course import (
    COMPONENT_BENEFIT_OPTIONS,
    COMPONENT_BENEFITS,
    WardleyComponent,
    answer_key,
    grade_matching,
    load_wardley,
    wardley_map,
    wardley_table,
)
from mlops_kit.course._wardley import EVOLUTION_STAGES, evolution_stage, wardley_components
from mlops_kit.errors import DataValidationError
from mlops_kit.widgets import METRIC_OPTIONS, METRIC_SCENARIOS, MatchingQuiz

REPO = Path(__file__).resolve().parents[1]


def _table(**changes: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "component": ["service", "model", "compute"],
        "visibility": [0.9, 0.5, 0.1],
        "evolution": [0.3, 0.5, 0.95],
        "depends_on": ["model", "compute", ""],
    }
    base.update(changes)
    return pd.DataFrame(base)


# --- the bundled map ---------------------------------------------------------------


def test_bundled_map_runs_from_the_user_need_down_to_compute() -> None:
    components = load_wardley()
    names = [c.name for c in components]
    assert names[0] == "a fair, explained decision on a claim"
    assert names[-1] == "compute"
    visibility = [c.visibility for c in components]
    assert visibility == sorted(visibility, reverse=True)
    by_name = {c.name: c for c in components}
    # The user need is the only component nothing else needs; compute needs nothing.
    needed = {need for c in components for need in c.depends_on}
    assert set(names) - needed == {"a fair, explained decision on a claim"}
    assert by_name["compute"].depends_on == ()

    # Every component reaches compute through its needs: one connected value chain.
    def reaches_compute(name: str) -> bool:
        return name == "compute" or any(reaches_compute(n) for n in by_name[name].depends_on)

    assert all(reaches_compute(name) for name in names)
    # The components the course teaches are all on the map.
    for concept in (
        "continuous training",
        "hyperparameter tuning",
        "model registry",
        "monitoring and drift",
        "A/B testing",
        "governance gate and approval",
        "audit log",
        "privacy checks",
        "explanations (reason codes)",
    ):
        assert concept in by_name
    # What a public body builds itself sits left of what it can buy.
    assert by_name["governance gate and approval"].stage == "custom-built"
    assert by_name["compute"].stage == by_name["storage"].stage == "commodity (+utility)"


def test_load_wardley_reads_a_given_file(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    _table().to_csv(path, index=False)
    components = load_wardley(path)
    assert components == (
        WardleyComponent("service", 0.9, 0.3, ("model",)),
        WardleyComponent("model", 0.5, 0.5, ("compute",)),
        WardleyComponent("compute", 0.1, 0.95, ()),
    )


def test_evolution_stages_have_the_standard_boundaries() -> None:
    assert [name for name, _ in EVOLUTION_STAGES] == [
        "genesis",
        "custom-built",
        "product (+rental)",
        "commodity (+utility)",
    ]
    assert evolution_stage(0.0) == "genesis"
    assert evolution_stage(0.173) == "genesis"
    assert evolution_stage(0.174) == "custom-built"
    assert evolution_stage(0.4) == "product (+rental)"
    assert evolution_stage(0.7) == evolution_stage(1.0) == "commodity (+utility)"


# --- validation --------------------------------------------------------------------


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match=r"'path' parameter of load_wardley.*nope\.csv"):
        load_wardley(tmp_path / "nope.csv")


def test_missing_columns_are_named() -> None:
    with pytest.raises(DataValidationError, match=r"without \['depends_on'\]") as info:
        wardley_components(_table().drop(columns="depends_on"))
    assert info.value.column == "depends_on"


@pytest.mark.parametrize(
    ("column", "values", "bad"),
    [
        ("visibility", [1.2, 0.5, 0.1], "1.2"),
        ("evolution", [0.3, -0.1, 0.95], "-0.1"),
        ("evolution", [0.3, "later", 0.95], "'later'"),
        ("visibility", [0.9, float("nan"), 0.1], "nan"),
    ],
)
def test_positions_outside_zero_to_one_are_refused(
    column: str, values: list[object], bad: str
) -> None:
    with pytest.raises(
        DataValidationError, match=rf"'{column}' of component .* from 0 to 1"
    ) as info:
        wardley_components(_table(**{column: values}))
    assert f"Got {bad} instead" in str(info.value)


def test_unknown_dependency_is_named_with_a_suggestion() -> None:
    table = _table(depends_on=["modle", "compute", ""])
    with pytest.raises(
        DataValidationError, match=r"'service'.*unknown component 'modle'\. Did you mean 'model'\?"
    ):
        wardley_components(table)


def test_a_need_above_what_needs_it_is_refused() -> None:
    with pytest.raises(
        DataValidationError, match=r"'model'.*below it.*'service' at visibility 0\.9"
    ):
        wardley_components(_table(depends_on=["model", "service", ""]))


def test_repeated_and_empty_names_are_refused() -> None:
    with pytest.raises(DataValidationError, match=r"appear once.*\['model'\]"):
        wardley_components(_table(component=["service", "model", "model"]))
    with pytest.raises(DataValidationError, match="non-empty name"):
        wardley_components(_table(component=["service", " ", "compute"]))
    with pytest.raises(DataValidationError, match="at least one row"):
        wardley_components(_table().iloc[0:0])


# --- the figure ----------------------------------------------------------------------


def test_map_labels_every_point_and_describes_every_position() -> None:
    components = load_wardley()
    figure = wardley_map(components)
    ax = figure.figure.axes[0]
    texts = {t.get_text() for t in ax.texts}
    # Every component is labelled, and so is every stage of evolution along the x axis.
    assert {c.name for c in components} <= texts
    assert {name for name, _ in EVOLUTION_STAGES} <= texts
    # One line per dependency, plus the stage boundaries.
    n_links = sum(len(c.depends_on) for c in components)
    assert len(ax.lines) == n_links + len(EVOLUTION_STAGES) - 1
    # The user need differs by marker and is named in the legend, not by colour alone.
    legend_box = ax.get_legend()
    assert legend_box is not None
    legend = [t.get_text() for t in legend_box.get_texts()]
    assert legend == ["component", "user need"]
    description = figure.description
    assert "User need: a fair, explained decision on a claim." in description
    for c in components:
        assert (
            f"{c.name}: visibility {c.visibility:.2f}, evolution {c.evolution:.2f}" in description
        )
    assert (
        "continuous training: visibility 0.56, evolution 0.14 (genesis); needs monitoring and "
        "drift, A/B testing, automated training." in description
    )
    assert (
        "compute: visibility 0.03, evolution 0.95 (commodity (+utility)); needs nothing else."
        in (description)
    )
    stages = [c.stage for c in components]
    assert f"{stages.count('custom-built')} custom-built" in description
    assert figure.to_png()[:4] == b"\x89PNG"


def test_map_redraws_an_edited_table() -> None:
    table = wardley_table(load_wardley())
    assert list(table.columns) == ["component", "visibility", "evolution", "stage", "depends_on"]
    table.loc[table["component"] == "governance gate and approval", "evolution"] = 0.8
    figure = wardley_map(table)
    assert (
        "governance gate and approval: visibility 0.62, evolution 0.80 (commodity (+utility))"
        in figure.description
    )
    with pytest.raises(DataValidationError, match="'depends_on' of component"):
        wardley_map(table.assign(depends_on=table["depends_on"].str.replace("storage", "disk")))


def test_map_draws_on_a_given_axes_and_refuses_other_things() -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    figure = wardley_map(wardley_components(_table()), ax=ax)
    assert figure.figure is fig
    with pytest.raises(DataValidationError, match="Got str instead"):
        wardley_map(["service"])  # type: ignore[list-item]
    with pytest.raises(DataValidationError, match="Got nothing instead"):
        wardley_map([])


# --- the quiz data -------------------------------------------------------------------


def test_component_quiz_has_one_benefit_per_component() -> None:
    answers = [item.answer for item in COMPONENT_BENEFITS]
    assert sorted(answers) == sorted(COMPONENT_BENEFIT_OPTIONS)
    for item in COMPONENT_BENEFITS:
        assert set(item.feedback) <= set(COMPONENT_BENEFIT_OPTIONS)
    quiz = MatchingQuiz(COMPONENT_BENEFITS, options=COMPONENT_BENEFIT_OPTIONS)
    # A learner who confuses monitoring with continuous training gets the specific hint.
    monitoring = COMPONENT_BENEFITS[3]
    assert monitoring.prompt.startswith("Performance monitoring")
    quiz.dropdowns[3].value = "keeps the model current as the world changes"
    quiz.dropdowns[0].value = COMPONENT_BENEFITS[0].answer
    result = quiz.check()
    assert result.summary() == "1 of 10 correct. 8 not answered yet."
    assert result.items[3].message.startswith("Not quite: monitoring raises the alarm")


def test_answer_key_marks_every_item_right_with_its_explanation() -> None:
    for items in (COMPONENT_BENEFITS, METRIC_SCENARIOS):
        key = answer_key(items)
        assert key.score == key.total == len(items)
        assert [m.given for m in key.items] == [item.answer for item in items]
        assert all(
            m.message == f"Correct. {i.explanation}" for m, i in zip(key.items, items, strict=True)
        )
    assert set(METRIC_OPTIONS) >= {item.answer for item in METRIC_SCENARIOS}
    assert grade_matching({}, COMPONENT_BENEFITS).score == 0
