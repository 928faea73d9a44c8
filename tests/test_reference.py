"""The generated reference tables in docs/analyst.md, and the guides that depend on the code."""

from __future__ import annotations

import datetime as dt
import html
import re
import typing
from pathlib import Path
from typing import Any, Literal

import papermill
import pydantic_core
import pytest
import yaml
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from mlops_kit import _reference
from mlops_kit._reference import (
    REGENERATE,
    config_reference_markdown,
    main,
    markers,
    render_generated_blocks,
    stage_parameters_markdown,
    update_document,
)
from mlops_kit.config import PipelineConfig
from mlops_kit.errors import MlopsKitError
from mlops_kit.pipeline import STAGES, stage_notebook

#: The generated blocks of docs/analyst.md (docs/api.md holds the API page's).
ANALYST_BLOCKS = ("config-reference", "stage-parameters")

REPO = Path(__file__).resolve().parents[1]
ANALYST = REPO / "docs" / "analyst.md"
FACILITATOR = REPO / "docs" / "facilitator.md"
STAGE_NOTEBOOKS = sorted((REPO / "notebooks" / "pipeline").glob("*.ipynb"))


def _block(text: str, name: str) -> str:
    start, end = markers(name)
    assert text.count(start) == 1, f"{start} must appear once"
    assert text.count(end) == 1, f"{end} must appear once"
    return text.split(start, 1)[1].split(end, 1)[0]


def _sections(block: str) -> dict[str, str]:
    """Each '### heading' of a generated block -> the text under it."""
    parts = re.split(r"^### (.+)$", block, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _row_keys(table: str) -> list[str]:
    """The first column's code spans of a Markdown table: its keys, in order."""
    return re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)


def _cells(row: str) -> list[str]:
    """A table row's cells, splitting on unescaped pipes only."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def _schema_sections(model: type[BaseModel], prefix: str = "") -> dict[str, type[BaseModel]]:
    """Every section below ``model`` by its dotted path, found independently of the generator."""
    out: dict[str, type[BaseModel]] = {}

    def visit(annotation: Any, path: str) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out[path] = annotation
            out.update(_schema_sections(annotation, path + "."))
            return
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is list:
            visit(args[0], path + "[]")
        elif origin is dict:
            visit(args[1], path + ".<name>")
        else:
            for arg in args:
                visit(arg, path)

    for key, field in model.model_fields.items():
        visit(field.annotation, prefix + key)
    return out


@pytest.fixture(scope="module")
def analyst() -> str:
    return ANALYST.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(analyst: str) -> str:
    return render_generated_blocks(analyst, source="docs/analyst.md")


# --- the committed document is up to date ---------------------------------------------------


def test_analyst_generated_blocks_are_up_to_date(analyst: str, rendered: str) -> None:
    assert rendered == analyst, (
        "docs/analyst.md's generated blocks are out of date with the code; "
        f"run `{REGENERATE}` and commit the result."
    )


def test_every_config_key_is_documented_in_its_section(analyst: str) -> None:
    sections = _sections(_block(analyst, "config-reference"))
    top = _row_keys(sections["Top-level keys"])
    assert top == list(PipelineConfig.model_fields), "top-level keys missing or out of order"
    expected = _schema_sections(PipelineConfig)
    # Headings name every path where the section appears, e.g. `transparency.dpia`, ...
    by_path = {path: heading for heading in sections for path in re.findall(r"`([^`]+)`", heading)}
    for path, model in expected.items():
        assert path in by_path, f"no table for section '{path}'"
        keys = _row_keys(sections[by_path[path]])
        assert keys == list(model.model_fields), f"section '{path}' lacks keys"
    # The schema really is walked to the bottom: privacy.override, transparency.risks[], ...
    assert {"privacy.override", "monitoring.drift", "transparency.risks[]"} <= set(expected)


def test_config_reference_values_match_the_schema(analyst: str) -> None:
    sections = _sections(_block(analyst, "config-reference"))

    def row(section: str, key: str) -> list[str]:
        for line in sections[section].splitlines():
            if line.startswith(f"| `{key}` |"):
                return _cells(line)
        raise AssertionError(f"no row for {key} in {section}")

    top = "Top-level keys"
    assert row(top, "data")[2] == "required"
    assert row(top, "model")[1:3] == ["one of `logistic`, `hgb`, `rf`, `linear`", "`hgb`"]
    assert row(top, "seed")[1:3] == ["int, ≥ 0", "`0`"]
    assert row(top, "threshold")[1] == "float, > 0, < 1"
    assert row(top, "positive_label")[1] == "str, int, float, bool or null"
    assert row(top, "cv_folds")[4] == "train"
    assert row(top, "model")[4] == "tune, train"
    assert row(top, "trained_by")[4] == "the runner"
    assert row(top, "tuning")[2] == "see `tuning`"
    assert row("`tuning`", "storage")[2] == "`null`"
    assert row("`monitoring.performance`", "min_metrics")[2] == "`{roc_auc: 0.7}`"
    assert row("`continuous`", "triggers")[2] == "`[drift, decay]`"
    assert row("`transparency`", "owner")[2] == "empty"
    assert row("`privacy.override`", "by")[2] == "required"
    assert "10 characters" in row("`privacy`", "allow")[3]


def test_every_stage_notebook_parameter_is_documented(analyst: str) -> None:
    sections = _sections(_block(analyst, "stage-parameters"))
    assert len(STAGE_NOTEBOOKS) == len(STAGES)
    for stage in STAGES:
        path = stage_notebook(stage)
        heading = f"`notebooks/pipeline/{path.name}` (stage `{stage.value}`)"
        assert heading in sections, f"no table for {path.name}"
        params = papermill.inspect_notebook(str(path))
        assert "run_dir" in params
        assert _row_keys(sections[heading]) == list(params), f"{path.name} parameters differ"


def test_every_table_row_has_as_many_cells_as_its_header(rendered: str) -> None:
    for name in ANALYST_BLOCKS:
        for table in re.findall(r"(?:^\|.*\|\n)+", _block(rendered, name), flags=re.MULTILINE):
            lines = table.splitlines()
            width = len(_cells(lines[0]))
            assert all(len(_cells(line)) == width for line in lines), table[:200]


# --- regenerating ----------------------------------------------------------------------------


def test_regenerating_is_idempotent(rendered: str) -> None:
    assert render_generated_blocks(rendered) == rendered


def test_update_document_rewrites_a_stale_block_and_then_does_nothing(
    tmp_path: Path, analyst: str, rendered: str
) -> None:
    stale = analyst.replace(_block(analyst, "config-reference"), "\n| stale | table |\n")
    doc = tmp_path / "analyst.md"
    doc.write_text(stale, encoding="utf-8")

    assert update_document(doc, check=True) is True
    assert doc.read_text(encoding="utf-8") == stale  # --check writes nothing
    assert update_document(doc) is True
    assert doc.read_text(encoding="utf-8") == rendered
    before = doc.stat().st_mtime_ns
    assert update_document(doc) is False
    assert doc.stat().st_mtime_ns == before  # an up-to-date file is not rewritten
    assert [p.name for p in tmp_path.iterdir()] == ["analyst.md"]  # no temporary file left


def test_command_line_checks_and_rewrites(
    tmp_path: Path, analyst: str, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text(
        analyst.replace(_block(analyst, "stage-parameters"), "\nold\n"), encoding="utf-8"
    )
    assert main(["--check", str(doc)]) == 1
    assert "is out of date" in capsys.readouterr().err
    assert main([str(doc)]) == 0
    assert main(["--check", str(doc)]) == 0


def test_only_the_text_between_markers_changes() -> None:
    text = "Intro.\n\n<!-- demo:start -->\nold\n<!-- demo:end -->\n\nOutro | kept.\n"
    out = render_generated_blocks(text, blocks={"demo": lambda: "new table"})
    assert out.startswith("Intro.\n\n<!-- demo:start -->\n<!-- Generated")
    assert out.endswith("\n\nnew table\n\n<!-- demo:end -->\n\nOutro | kept.\n")
    assert "old" not in out


# --- clear errors ------------------------------------------------------------------------------


def test_missing_markers_are_a_clear_error(tmp_path: Path) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text("# Guide\n\n<!-- config-reference:start -->\n", encoding="utf-8")
    with pytest.raises(MlopsKitError) as info:
        update_document(doc)
    message = str(info.value)
    assert "guide.md" in message
    assert "'<!-- config-reference:end -->'" in message
    assert "Got no '<!-- config-reference:end -->'" in message
    assert doc.read_text(encoding="utf-8") == "# Guide\n\n<!-- config-reference:start -->\n"


def test_command_line_reports_missing_markers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "guide.md"
    doc.write_text("No markers at all.\n", encoding="utf-8")
    assert main([str(doc)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The document")
    assert "config-reference:start" in err


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("<!-- demo:end -->\n<!-- demo:start -->\n", "before '<!-- demo:end -->'"),
        ("<!-- demo:start -->\n<!-- demo:start -->\n<!-- demo:end -->\n", "Got it 2 times"),
        ("Text <!-- demo:start --> inline\n<!-- demo:end -->\n", "each on a line of its own"),
    ],
)
def test_misplaced_markers_are_refused(text: str, rule: str) -> None:
    with pytest.raises(MlopsKitError, match=re.escape(rule)):
        render_generated_blocks(text, blocks={"demo": "x"}, source="'guide.md'")


def test_a_missing_document_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MlopsKitError, match=r"must exist .* Got no such file"):
        update_document(tmp_path / "nowhere.md")


def test_a_notebook_without_parameters_is_refused(tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    path = tmp_path / "99_bare.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(MlopsKitError, match=r"99_bare.ipynb.*tagged 'parameters'"):
        stage_parameters_markdown([path])


# --- the generator on a small schema ------------------------------------------------------


class _Leaf(BaseModel):
    """A leaf section.

    Only the first paragraph is shown.
    """

    when: dt.date | None = Field(None, description="A date.")


class _Root(BaseModel):
    mode: Literal["a", "b"] | None = Field(None, description="Pick | one <carefully>.")
    items: list[_Leaf] = Field(default_factory=list, description="Leaves.")
    named: dict[str, _Leaf] = Field(default_factory=dict, description="Leaves by name.")
    weights: dict[str, float] = Field(default_factory=lambda: {"x": 0.5}, description="W.")
    count: int = Field(2, ge=1, le=9, description="How many.")


def test_generator_renders_types_defaults_and_nested_sections() -> None:
    text = config_reference_markdown(_Root)
    sections = _sections(text)
    assert list(sections) == ["Top-level keys", "`items[]`, `named.<name>`"]
    top = sections["Top-level keys"]
    assert "| `mode` | one of `a`, `b` or null | `null` | Pick \\| one &lt;carefully&gt;. |" in top
    assert "| `items` | list of section `items[]` | `[]` | Leaves. |" in top
    assert "mapping of str to section `named.<name>`" in top
    assert "| `weights` | mapping of str to float | `{x: 0.5}` | W. |" in top
    assert "| `count` | int, ≥ 1, ≤ 9 | `2` | How many. |" in top
    leaf = sections["`items[]`, `named.<name>`"]
    assert leaf.strip().startswith("A leaf section.\n")
    assert "Only the first paragraph" not in leaf
    assert "| `when` | date (YYYY-MM-DD) or null | `null` | A date. |" in leaf


def _unescape_cell(text: str) -> str:
    """A table cell's text as written: Markdown's escaped pipes and HTML entities undone."""
    return html.unescape(text.replace("\\|", "|")).replace("\\\\", "\\")


def _as_json(value: Any) -> Any:
    """A YAML-loaded value in JSON terms: dates become their ISO text, recursively."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    return value


def _expected_default(field: FieldInfo, path: str) -> tuple[str, Any]:
    """("text", cell) for the words the table uses, or ("value", default in JSON terms)."""
    if field.is_required():
        return "text", "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "text", f"see `{path}`"
    if value == "":
        return "text", "empty"
    return "value", pydantic_core.to_jsonable_python(value)


def _reference_problems(markdown: str, schema: type[BaseModel]) -> list[str]:
    """Every key of ``schema`` whose row in ``markdown`` is missing or disagrees with it.

    The schema is walked here (:func:`_schema_sections`), not by the generator: each key of
    each section must have a row whose default reads back (as YAML) to the schema's default
    and whose description is the field's own.
    """
    sections = _sections(markdown)
    by_path = {path: heading for heading in sections for path in re.findall(r"`([^`]+)`", heading)}
    models = {"": schema, **_schema_sections(schema)}
    problems = []
    for path, model in models.items():
        heading = "Top-level keys" if path == "" else by_path.get(path)
        if heading not in sections:
            problems.append(f"no table for section '{path}'")
            continue
        rows = {
            cells[0].strip("`"): cells
            for line in sections[heading].splitlines()
            if line.startswith("| `")
            for cells in [_cells(line)]
        }
        for key, field in model.model_fields.items():
            full = f"{path}.{key}" if path else key
            if key not in rows:
                problems.append(f"no row for '{full}'")
                continue
            cells = rows[key]
            described = " ".join(field.description.split()) if field.description else "—"
            if _unescape_cell(cells[3]) != described:
                problems.append(f"description of '{full}': {cells[3]!r}, not {described!r}")
            kind, expected = _expected_default(field, full)
            if kind == "text":
                if cells[2] != expected:
                    problems.append(f"default of '{full}': {cells[2]!r}, not {expected!r}")
                continue
            span = re.fullmatch(r"(`+) ?(.*?) ?\1", cells[2])
            loaded = yaml.safe_load(span.group(2).replace("\\|", "|")) if span else cells[2]
            if _as_json(loaded) != expected:
                problems.append(f"default of '{full}': {cells[2]!r}, not {expected!r}")
    return problems


#: Config keys the schema gives no description yet (their table rows say "—"; the section's
#: docstring explains them). Describe them in the schema, then remove them from here.
UNDESCRIBED_KEYS = {
    f"tuning.search_space.<name>.{key}" for key in ("type", "low", "high", "log", "choices")
}


def test_every_key_of_the_schema_has_its_default_and_description() -> None:
    assert _reference_problems(config_reference_markdown(), PipelineConfig) == []
    # The walk reaches the nested sections, not only the top level.
    nested = _schema_sections(PipelineConfig)
    assert {"privacy.override", "monitoring.drift", "transparency.risks[]"} <= set(nested)
    assert sum(len(m.model_fields) for m in nested.values()) > len(PipelineConfig.model_fields)
    models: dict[str, type[BaseModel]] = {"": PipelineConfig, **nested}
    undescribed = {
        f"{path}.{key}" if path else key
        for path, model in models.items()
        for key, field in model.model_fields.items()
        if not field.description
    }
    assert undescribed == UNDESCRIBED_KEYS, "a config key without a description (or one fixed)"


def test_the_schema_check_catches_a_wrong_default_or_description() -> None:
    good = config_reference_markdown()
    assert "| `test_size` | float, > 0, < 1 | `0.25` | Share of rows held out" in good
    bad = good.replace("| `0.25` | Share of rows held out", "| `0.3` | Share of rows held out")
    bad = bad.replace("Share of rows held out for testing.", "Share of rows for testing.")
    assert _reference_problems(bad, PipelineConfig) == [
        "description of 'test_size': 'Share of rows for testing.', "
        "not 'Share of rows held out for testing.'",
        "default of 'test_size': '`0.3`', not 0.25",
    ]
    # A small schema: escaped cells, mappings, lists and nested sections read back too.
    assert _reference_problems(config_reference_markdown(_Root), _Root) == []


def test_default_stage_notebooks_are_the_pipeline_folder() -> None:
    assert stage_parameters_markdown() == stage_parameters_markdown(STAGE_NOTEBOOKS)


# --- the guides -----------------------------------------------------------------------------


def test_readme_points_to_both_guides() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/facilitator.md" in readme
    assert "docs/analyst.md" in readme


def test_facilitator_guide_names_every_lesson_notebook() -> None:
    guide = FACILITATOR.read_text(encoding="utf-8")
    lessons = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert lessons, "no lesson notebooks found"
    missing = [name for name in lessons if name not in guide]
    assert not missing, f"docs/facilitator.md does not mention {missing}"
    phases = {"Engage": 30, "Explore": 60, "Explain": 45, "Elaborate": 75, "Evaluate": 30}
    for number, (phase, minutes) in enumerate(phases.items(), start=1):
        assert f"## Phase {number}, {phase}: {minutes} minutes" in guide


def test_make_reset_removes_what_the_facilitator_guide_says() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^reset:.*\n\t(.+)$", makefile, flags=re.MULTILINE)
    assert recipe is not None, "the Makefile has no reset target"
    removed = recipe.group(1).split()[2:]  # after "rm -rf"
    guide = FACILITATOR.read_text(encoding="utf-8")
    section = guide.split("## Resetting the workspace between groups", 1)[1].split("\n## ", 1)[0]
    for item in removed:
        assert f"`{item}" in section, f"the guide's reset section does not mention {item}"


def test_reference_module_is_light_to_import() -> None:
    # The module imports papermill and the pipeline only inside the functions that need them.
    source = Path(_reference.__file__).read_text(encoding="utf-8")
    header = source.split("\n__all__", 1)[0]
    for heavy in ("import papermill", "from .pipeline", "import yaml"):
        assert heavy not in header


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("guide", [ANALYST, FACILITATOR], ids=lambda p: p.name)
def test_links_within_each_guide_point_to_a_heading(guide: Path) -> None:
    text = guide.read_text(encoding="utf-8")
    anchors = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert links, f"{guide.name} has no internal links to check"
    broken = sorted(set(links) - anchors)
    assert not broken, f"{guide.name} links to missing headings: {broken}"
