"""What the exercise tests share: running an exercise notebook and reading its outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def execute_exercise(path: Path, tmp_path: Path, **parameters: Any) -> dict[str, Any]:
    """Run an exercise notebook in its own folder (as a learner would); fail on any error
    output or warning on stderr; return the executed notebook."""
    from mlops_kit.pipeline import execute_notebook

    out = tmp_path / path.name
    execute_notebook(path, out, parameters=parameters, cwd=path.parent)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    for cell in result["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output.get("evalue")
            if output.get("name") == "stderr":
                assert "Warning" not in "".join(output["text"]), output["text"]
    return result


def outputs_text(nb: dict[str, Any]) -> str:
    """Every output of an executed notebook as one searchable string."""
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


def assert_track_material(text: str, track: str) -> None:
    """The one ``track`` parameter switched the exercise: terms as pop-outs and the
    extension tasks folded away for novices; the tasks open and numbered otherwise."""
    novice = track == "novice"
    assert ("(open one with Enter)" in text) == novice
    assert ("<details><summary><strong>" in text) == novice
    assert ("Going further (for when you have finished)" in text) == novice
    assert ("Going further (experienced track)" in text) == (not novice)
    assert ("Experienced track: the terms are skipped" in text) == (not novice)


def assert_clean_exercise(path: Path, exercise: str, n_questions: int) -> None:
    """A committed exercise notebook: no outputs, a tagged parameters cell setting the
    track, no installs or machine paths, and a check cell for every question."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code[0]["metadata"].get("tags") == ["parameters"]
    assert 'track = "novice"' in "".join(code[0]["source"])
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    text = "".join("".join(c["source"]) for c in nb["cells"])
    for forbidden in ("!pip", "%pip", "/work/", "/home/", "/root/", "C:\\"):
        assert forbidden not in text
    for i in range(1, n_questions + 1):
        assert f'check("{exercise}.q{i}", answer_q{i})' in text
