"""`make slides`: the Explain lesson as a reveal.js deck, without code.

The deck is exported as the Makefile does it, with the same nbconvert config
(``docs/slides/explain_slides.json``): the notebook is executed, code input is left out,
cells whose ``slideshow.slide_type`` is ``skip`` (parameters, imports, hints) stay out,
and each quiz shows its questions (the quiz's static snapshot, not the widget) on one
slide and its answers on the next.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "notebooks" / "02_explain_concepts.ipynb"
CONFIG = REPO / "docs" / "slides" / "explain_slides.json"
HEADINGS = ("h1", "h2", "h3")


def _slide_type(cell: Any) -> str:
    return str(cell.metadata.get("slideshow", {}).get("slide_type", "-"))


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Any]]:
    from bs4 import BeautifulSoup
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    folder = tmp_path_factory.mktemp("slides")
    exporter = SlidesExporter(config=Config(json.loads(CONFIG.read_text(encoding="utf-8"))))
    html, _ = exporter.from_notebook_node(
        nbformat.read(LESSON, as_version=4), resources={"metadata": {"path": str(folder)}}
    )
    # The lesson writes nothing where it runs.
    assert list(folder.iterdir()) == []
    soup = BeautifulSoup(html, "html.parser")
    slides = [s for s in soup.find_all("section") if s.find("section") is None]
    return html, slides


def test_the_makefile_exports_with_this_config() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    (target,) = re.findall(r"^slides:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert "--to slides" in target
    assert "--execute" in target
    assert f"--config {CONFIG.relative_to(REPO)}" in target
    assert "notebooks/02_explain_concepts.ipynb" in target


def test_no_code_is_on_the_slides(deck: tuple[str, list[Any]]) -> None:
    html, slides = deck
    for slide in slides:
        for cell in slide.select(".jp-CodeCell"):
            assert not cell.select(".jp-InputArea"), cell.get_text()[:200]
    text = "\n".join(s.get_text() for s in slides)
    source = nbformat.read(LESSON, as_version=4)
    for cell in source.cells:
        if cell.cell_type == "code":
            first = cell.source.splitlines()[0]
            assert first not in text, first
    assert "Parameters: papermill can replace these" not in html
    # Live widgets are left out (no widget state, no widget views): each quiz is shown
    # by its static snapshot.
    for slide in slides:
        assert not slide.select('script[type="application/vnd.jupyter.widget-view+json"]')
    assert "application/vnd.jupyter.widget-state+json" not in html


def test_one_slide_per_idea_each_with_one_heading(deck: tuple[str, list[Any]]) -> None:
    _, slides = deck
    source = nbformat.read(LESSON, as_version=4)
    starts = [c for c in source.cells if _slide_type(c) in {"slide", "subslide"}]
    assert len(slides) == len(starts) >= 20
    for slide, cell in zip(slides, starts, strict=True):
        headings = slide.find_all(HEADINGS)
        assert len(headings) == 1, [h.get_text() for h in headings]
        assert cell.cell_type == "markdown"
        title = cell.source.splitlines()[0].lstrip("#").strip()
        assert headings[0].get_text().rstrip("¶").strip() == title
    # The pipeline picture and the Wardley map are drawn, with their descriptions.
    text = [s.get_text() for s in slides]
    assert any("The automated pipeline runs 9 stages in order" in t for t in text)
    assert any("User need: a fair, explained decision on a claim." in t for t in text)
    assert re.search(r'<img[^>]+alt="Wardley map of the MLOps pipeline"', deck[0])


def test_each_quiz_shows_its_questions_then_its_answers_on_the_next_slide(
    deck: tuple[str, list[Any]],
) -> None:
    from mlops_kit.course import COMPONENT_BENEFITS
    from mlops_kit.widgets import METRIC_SCENARIOS

    _, slides = deck
    text = [s.get_text() for s in slides]
    for items in (COMPONENT_BENEFITS, METRIC_SCENARIOS):
        asked = [i for i, t in enumerate(text) if all(item.prompt in t for item in items)]
        key = f"{len(items)} of {len(items)} correct."
        answered = [i for i, t in enumerate(text) if key in t]
        assert len(answered) == 1, key
        assert asked[0] + 1 == answered[0]
        questions, answers = text[asked[0]], text[answered[0]]
        assert "Quiz" in questions
        for item in items:
            assert item.explanation not in questions
            assert item.explanation in answers
