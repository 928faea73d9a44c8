"""Every notebook runs top to bottom under papermill, with no human, in a fresh kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from mlops_kit.pipeline import STAGES, execute_notebook, stage_notebook
from mlops_kit.widgets import save_poll_answer

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _outputs(nb: Any) -> list[dict[str, Any]]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(nb: Any) -> str:
    """Everything the executed notebook shows: text, HTML and plain-text reprs."""
    parts: list[str] = []
    for o in _outputs(nb):
        if "text" in o:
            parts.append(str(o["text"]))
        for mime in ("text/plain", "text/html"):
            if mime in o.get("data", {}):
                parts.append(str(o["data"][mime]))
    return "\n".join(parts)


def _no_errors_or_warnings(nb: Any) -> None:
    for o in _outputs(nb):
        assert o["output_type"] != "error", f"{o.get('ename')}: {o.get('evalue')}"
        if o["output_type"] == "stream" and o.get("name") == "stderr":
            assert "Warning" not in o["text"], o["text"]


def test_every_notebook_in_the_repository_is_executed_by_the_suite() -> None:
    """Lessons and stage notebooks run here; exercise notebooks in test_exercises.py."""
    assert [p.name for p in LESSONS] == ["00_engage_case_study.ipynb", "03_metrics.ipynb"]
    stages = {stage_notebook(s).resolve() for s in STAGES}
    assert set((REPO / "notebooks" / "pipeline").glob("*.ipynb")) == stages
    exercise_tests = (REPO / "tests" / "test_exercises.py").read_text(encoding="utf-8")
    exercises = sorted((REPO / "exercises").rglob("*.ipynb"))
    assert exercises, "the exercises folder has notebooks"
    for notebook in exercises:
        assert notebook.name in exercise_tests, f"{notebook} is not executed by any test"
    every = set(REPO.glob("notebooks/**/*.ipynb")) | set(exercises)
    assert every == set(LESSONS) | stages | set(exercises)


@pytest.mark.notebook
def test_engage_case_study_shows_the_failure_and_charts_the_poll(tmp_path: Path) -> None:
    polls = tmp_path / "polls"
    for choice in ("Nobody checked fairness between groups",) * 2 + (
        "Nobody monitored performance after launch",
    ):
        save_poll_answer(polls, poll_id="engage-first-thoughts", choice=choice)
    out = tmp_path / "engage.ipynb"
    nb = execute_notebook(
        REPO / "notebooks" / "00_engage_case_study.ipynb",
        out,
        parameters={"poll_dir": str(polls)},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    # The decay after the change and the unequal flag rates are shown in words.
    assert "Model performance over time" in text
    assert "before 2024-01 and" in text
    assert "Four-fifths rule on flag rates" in text
    assert "Not judged, too little data" in text
    # The facilitator chart counts the answers found in the shared folder.
    assert "3 answers" in text
    # The widget leaves a static text representation as well as its view.
    assert "Poll: What was the most serious failure in this case?" in text
    views = [
        o for o in _outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert views, "the poll widget is displayed"


@pytest.mark.notebook
def test_metrics_lesson_runs_with_a_different_threshold(tmp_path: Path) -> None:
    nb = execute_notebook(
        REPO / "notebooks" / "03_metrics.ipynb",
        tmp_path / "metrics.ipynb",
        parameters={"threshold": 0.4},
        cwd=tmp_path,
    )
    _no_errors_or_warnings(nb)
    text = _text(nb)
    assert "Metrics on 10,500 test rows" in text
    assert "At the chosen threshold 0.4" in text
    assert "accuracy of never flagging" in text
    assert "Fairness by ethnic_group" in text
    # The interactive cells leave static snapshots for readers of the executed notebook.
    assert "Threshold explorer at 0.40." in text
    assert "Metrics at threshold 0.40" in text
    assert "Quiz, 6 items:" in text


@pytest.mark.notebook
def test_stage_notebooks_run_by_hand_with_papermill(tmp_path: Path) -> None:
    """The analyst's route: each stage notebook with papermill, sharing a run folder."""
    data = tmp_path / "claims sample.csv"
    lines = (REPO / "data" / "benefit_claims.csv").read_text(encoding="utf-8").splitlines()
    data.write_text("\n".join(lines[:1] + lines[1::5]) + "\n", encoding="utf-8")
    # Run folders live at <workspace>/runs/<run-id>: the audit log and registry go to
    # the workspace, here the test's own folder.
    run_dir = tmp_path / "runs" / "my run"
    parameters: dict[str, dict[str, Any]] = {
        "validate": {"data": str(data), "protected": ["sex", "ethnic_group"]},
        "tune": {"model": "logistic", "tuning": {"n_trials": 3, "cv_folds": 2}},
        "train": {"model": "logistic", "cv_folds": 0},
        "evaluate": {"n_bootstrap": 20},
        "gate": {},
        "register": {"registry": {"model_name": "by-hand"}},
        "report": {},
    }
    for stage in STAGES:
        nb = execute_notebook(
            stage_notebook(stage),
            tmp_path / f"{stage.value}.ipynb",
            parameters={"run_dir": str(run_dir), **parameters[stage.value]},
            cwd=tmp_path,
        )
        _no_errors_or_warnings(nb)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["fairness"]) == {"sex", "ethnic_group"}
    registration = json.loads((run_dir / "registration.json").read_text())
    assert (registration["model_name"], registration["version"]) == ("by-hand", 1)
    assert (tmp_path / "mlops.db").is_file()
    assert (tmp_path / "audit" / "audit.jsonl").is_file()
    assert (run_dir / "report.html").is_file()
    executed = nbformat.read(tmp_path / "report.ipynb", as_version=4)
    assert f"Report written to {run_dir / 'report.html'}" in _text(executed)
