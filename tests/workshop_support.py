"""The workshop path: notebooks run in order in one copy of the workbook, as a room runs them.

The other notebook tests run each notebook alone in a fresh folder. A workshop does not:
learners run the lessons 00 to 12 (and the exercises) in order in one copy of the
workbook, so each lesson meets what the earlier ones left in its folder (run folders,
the model registry, the audit log, replays, studies, review queues), and they run a
lesson again after changing a parameter. :func:`walk` does the same with papermill, once
per test module, and records what each step showed and what it left behind, so that
each lesson's test asserts on what *it* made.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Folders of the working folder whose new entries each step records.
WATCHED = ("", "runs", "simulation", "review", "tuning", "designs", "feedback", "poll_answers")

Parameters = Mapping[str, Any] | Callable[["Walk"], Mapping[str, Any]]


@dataclass(frozen=True)
class Step:
    """One notebook run of the walk: its key, the notebook and parameters, and its folder."""

    key: str
    notebook: str
    parameters: Parameters = field(default_factory=dict)
    folder: str = "notebooks"


@dataclass
class Result:
    """What one step showed and left behind."""

    step: Step
    parameters: dict[str, Any]
    notebook: Any = None
    error: BaseException | None = None
    seconds: float = 0.0
    #: New entries of each watched folder (relative to the working folder), sorted.
    created: dict[str, list[str]] = field(default_factory=dict)
    #: Lines of the working folder's audit log before and after the step.
    audit_before: int = 0
    audit_after: int = 0


@dataclass
class Walk:
    """A copy of the workbook and the results of its steps, in the order they ran."""

    root: Path
    results: dict[str, Result] = field(default_factory=dict)

    def cwd(self, key: str) -> Path:
        """The working folder of step ``key`` (``notebooks/`` or ``exercises/...``)."""
        return self.root / self.results[key].step.folder

    def executed(self, key: str) -> Any:
        """The executed notebook of step ``key``; fails the test if the step raised."""
        result = self.results[key]
        if result.error is not None:
            error = result.error
            pytest.fail(
                f"Step {key} ({result.step.notebook}) failed: "
                f"{getattr(error, 'ename', type(error).__name__)}: "
                f"{getattr(error, 'evalue', error)}",
                pytrace=False,
            )
        return result.notebook

    def created(self, key: str, folder: str = "") -> list[str]:
        """What step ``key`` added to ``folder`` of its working folder."""
        return self.results[key].created.get(folder, [])

    def audit_entries(self, key: str) -> list[Any]:
        """The audit entries step ``key`` appended to its working folder's log."""
        from mlops_kit.audit import default_audit_log

        result = self.results[key]
        entries = default_audit_log(self.cwd(key)).entries()
        return [e for e in entries if result.audit_before < e.seq <= result.audit_after]


def _listing(cwd: Path) -> dict[str, set[str]]:
    return {
        folder: {p.name for p in (cwd / folder).iterdir()} if (cwd / folder).is_dir() else set()
        for folder in WATCHED
    }


def _audit_lines(cwd: Path) -> int:
    log = cwd / "audit" / "audit.jsonl"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.is_file() else 0


def copy_workbook(root: Path) -> Path:
    """Copy the lessons, exercises and data into ``root`` with the workbook's layout.

    The stage notebooks and the dashboard are left out: the kit finds the stage
    notebooks and the data in the source checkout, as it does for a learner's copy.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "notebooks").mkdir()
    for lesson in sorted((REPO / "notebooks").glob("*.ipynb")):
        shutil.copy2(lesson, root / "notebooks" / lesson.name)
    shutil.copytree(REPO / "exercises", root / "exercises")
    shutil.copytree(REPO / "data", root / "data")
    return root


def walk(root: Path, steps: list[Step], *, prepare: Callable[[Path], None] | None = None) -> Walk:
    """Run ``steps`` in order in the workbook copied into ``root``.

    ``prepare`` is called with ``root`` after the copy (to put the room's poll answers or
    peer feedback where the lessons find them). A step that raises is recorded and the
    walk goes on, as a room would: the next lesson's test still runs, and the failing
    one reports the error.
    """
    from mlops_kit.pipeline import execute_notebook

    copy_workbook(root)
    if prepare is not None:
        prepare(root)
    out = root / "executed"
    out.mkdir()
    done = Walk(root)
    for step in steps:
        cwd = root / step.folder
        parameters = dict(step.parameters(done) if callable(step.parameters) else step.parameters)
        before, audit_before = _listing(cwd), _audit_lines(cwd)
        result = Result(step, parameters, audit_before=audit_before)
        started = time.perf_counter()
        try:
            result.notebook = execute_notebook(
                root / step.folder / step.notebook,
                out / f"{step.key.replace('/', '-')}.ipynb",
                parameters=parameters,
                cwd=cwd,
            )
        except Exception as exc:  # recorded; the step's own test reports it
            result.error = exc
        result.seconds = time.perf_counter() - started
        after = _listing(cwd)
        result.created = {f: sorted(after[f] - before[f]) for f in WATCHED if after[f] - before[f]}
        result.audit_after = _audit_lines(cwd)
        done.results[step.key] = result
    (out / "walk.json").write_text(
        json.dumps(
            {
                key: {"seconds": round(r.seconds, 1), "error": repr(r.error), **r.created}
                for key, r in done.results.items()
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return done
