"""How long the session takes: every lesson's core path, measured with its default parameters.

The test suite checks the plan statically (``tests/test_course_timing.py``: run time 0) and
with the run time of the workshop walk, which uses small test parameters
(``tests/test_workshop_path.py``). This script measures what a room meets: it copies the
lessons, the exercises and the data into one temporary folder, executes the lessons 00 to
12 in order there with papermill and their **default** parameters (the working folder is
the copy's ``notebooks/``, as in JupyterLab), and then prints, per lesson and per phase of
``data/course/session.yml``:

* the stated core minutes (the core sections' labels, plus the opening's estimate);
* the estimate of the core path from the content: reading (words / 200 a minute), the
  stated activity minutes, and the run minutes measured in this execution;
* the slot the lesson's core must fit (its part of the phase, or the jigsaw's minutes);

then each phase's core beside its slot, the session's total, and every problem
:func:`mlops_kit.course.lesson_timing` and :meth:`mlops_kit.course.SessionPlan.check`
report.

How it times
------------
Each lesson is executed once, in order, each in a fresh kernel that papermill starts as
an ordinary process (not forked from the kit's warm kernel server), as a room meets it:
cold (kernel start, imports and first calls included). The run
minutes are the cell durations papermill records in this execution (no figure comes
from an earlier run); the wall seconds of each lesson (kernel start included) are
printed as it finishes. The stated minutes, reading and activity minutes and the slots
are the plan's and the lessons' own numbers, not measurements. Every figure, with the
machine and library versions, is written to
``benchmarks/results/session_minutes-<YYYYMMDD-HHMMSS>.json``.

Run times depend on the machine: run it on a machine like the learners' (a
laptop, or one JupyterHub server), with nothing else running; on a machine shared with
other work, ``--threads 1`` keeps the models' OpenMP threads from oversubscribing it (a
boosted model's tuning study slowed from about 20 s to 7 minutes on two busy cores without
it). Run with::

    .venv/bin/python benchmarks/session_minutes.py
    .venv/bin/python benchmarks/session_minutes.py --lessons 03 04 05 --threads 1 --keep /tmp/s
    .venv/bin/python benchmarks/session_minutes.py --lessons 00  # a smoke run: one lesson
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from _timing import write_results

from mlops_kit.course import LessonTiming, SessionPlan, lesson_timing, session_plan
from mlops_kit.pipeline import execute_notebook

REPO = Path(__file__).resolve().parents[1]


def copy_workbook(root: Path) -> Path:
    """Copy the lessons, the exercises and the data into ``root``; return its ``notebooks/``."""
    (root / "notebooks").mkdir(parents=True)
    for lesson in sorted((REPO / "notebooks").glob("*.ipynb")):
        shutil.copy2(lesson, root / "notebooks" / lesson.name)
    shutil.copytree(REPO / "exercises", root / "exercises")
    shutil.copytree(REPO / "data", root / "data")
    return root / "notebooks"


def execute_lessons(root: Path, keys: list[str]) -> dict[str, tuple[Path, Any, float, str]]:
    """Run the lessons ``keys`` in order in the copy at ``root``, each with its defaults.

    Returns, per lesson key: the source notebook, the executed notebook (None when papermill
    wrote none), the wall seconds, and the error ("" when it ran to the end). A lesson that
    fails is reported and the next one still runs, as in a room.
    """
    cwd = copy_workbook(root)
    out = root / "executed"
    out.mkdir()
    done: dict[str, tuple[Path, Any, float, str]] = {}
    for key in keys:
        (source,) = sorted(cwd.glob(f"{key}_*.ipynb"))
        started = time.perf_counter()
        error = ""
        try:
            executed = execute_notebook(source, out / source.name, parameters={}, cwd=cwd)
        except Exception as exc:  # reported below; the next lesson still runs
            error = f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"
            executed = None
            if (out / source.name).is_file():
                import nbformat

                executed = nbformat.read(out / source.name, as_version=4)
        seconds = time.perf_counter() - started
        done[key] = (REPO / "notebooks" / source.name, executed, seconds, error)
        print(f"{source.name}: {seconds:.0f} s{'  FAILED ' + error if error else ''}", flush=True)
    return done


def _slots(plan: SessionPlan) -> dict[str, tuple[str, str, int]]:
    """Per lesson: its phase, its part's title and the minutes its core must fit."""
    return {
        lesson: (phase.name, part.title, part.minutes)
        for phase in plan.phases
        for part in phase.parts
        for lesson in part.lessons
    }


def lesson_table(timings: dict[str, LessonTiming], plan: SessionPlan) -> pd.DataFrame:
    """One row per lesson: stated core minutes, the estimate's parts, and its slot."""
    slots = _slots(plan)
    rows = []
    for key, timing in timings.items():
        phase, _, minutes = slots.get(key, ("(not in the plan)", "", 0))
        core = timing.core
        rows.append(
            {
                "lesson": timing.lesson,
                "phase": phase,
                "stated core": timing.core_minutes,
                "estimate": round(timing.core_estimate, 1),
                "reading": round(sum(s.reading_minutes for s in core), 1),
                "activities": sum(s.activity_minutes for s in core),
                "run": round(sum(s.run_minutes for s in core), 1),
                "run, whole lesson": round(sum(s.run_minutes for s in timing.sections), 1),
                "fits": minutes,
                "optional": timing.minutes("optional"),
                "after the session": timing.minutes("after-session"),
            }
        )
    return pd.DataFrame(rows)


def phase_table(timings: dict[str, LessonTiming], plan: SessionPlan) -> pd.DataFrame:
    """One row per phase: its core (lesson cores, jigsaw, facilitator parts, break), its slot."""
    rows = []
    for phase in plan.phases:
        total = 0
        for part in phase.parts:
            if part.lessons:
                cores = [t.core_needed for key, t in timings.items() if key in part.lessons]
                total += max(cores, default=0)
            else:
                total += part.minutes
        rows.append(
            {
                "phase": phase.name,
                "core": total,
                "slot": phase.slot_minutes,
                "spare": phase.slot_minutes - total,
                "in the session": phase.in_session,
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--lessons", nargs="*", default=None, help="lesson numbers to run (default: 00 to 12)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="run in this (new) folder")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads per kernel for OpenMP and BLAS (default: the libraries' own choice); "
        "1 avoids the slowdown of oversubscribing a machine shared with other work",
    )
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    # A room's kernels are JupyterLab's ordinary ones: none forked warm from the kit's
    # kernel server, so every lesson pays its own imports, as there.
    os.environ["MLOPS_KIT_FORK_KERNELS"] = "0"
    if args.threads is not None:  # the kernels papermill starts inherit these
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = str(args.threads)
    plan = session_plan()
    keys = args.lessons or list(plan.lessons())

    with tempfile.TemporaryDirectory(prefix="session-minutes-") as tmp:
        root = args.keep or Path(tmp) / "workbook"
        done = execute_lessons(root, keys)
        timings = {
            key: lesson_timing(source, executed=executed)
            for key, (source, executed, _, _) in done.items()
        }

    lessons = lesson_table(timings, plan)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\nPer lesson (minutes; run measured with the default parameters):")
        print(lessons.to_string(index=False))
        phases = phase_table(timings, plan)
        subset = "" if len(timings) == len(plan.lessons()) else "; lessons not run count 0"
        print(f"\nPer phase (minutes; a jigsaw counts its longest lesson{subset}):")
        print(phases.to_string(index=False))
    session = phases[phases["in the session"]]
    print(
        f"\nThe session: {int(session['core'].sum())} of {plan.total_minutes} minutes "
        f"(including a {plan.break_minutes}-minute break), {plan.start} start: "
        + ", ".join(f"{name} {times}" for name, times in plan.clock().items())
    )
    problems = [p for t in timings.values() for p in t.problems()]
    if len(timings) == len(plan.lessons()):
        problems += plan.check(timings)
    failed = [f"{key}: {error}" for key, (_, _, _, error) in done.items() if error]
    for line in failed + problems:
        print(f"- {line}")
    print("No problems." if not failed + problems else f"{len(failed + problems)} problem(s).")
    write_results(
        "session_minutes",
        {
            "timing": "each lesson once, in a fresh kernel (cold), with its default parameters",
            "lesson_wall_seconds": {key: seconds for key, (_, _, seconds, _) in done.items()},
            "lessons": lessons.to_dict(orient="records"),
            "phases": phases.to_dict(orient="records"),
            "session_core_minutes": int(session["core"].sum()),
            "session_total_minutes": plan.total_minutes,
            "all_lessons_run": len(timings) == len(plan.lessons()),
            "failed": failed,
            "problems": problems,
        },
        arguments=vars(args),
        libraries=(
            "mlops-kit",
            "papermill",
            "nbformat",
            "ipykernel",
            "jupyter_client",
            "numpy",
            "pandas",
            "scikit-learn",
        ),
        started=started,
    )
    return 1 if failed or problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
