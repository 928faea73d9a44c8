"""Shared timing for the benchmarks: every side of a comparison is timed the same two ways.

A *side* is a function ``work(state)`` in a module of this folder, with an optional
``setup(**params)`` that builds its input (the synthetic data, a trained model) and the
modules it imports before its clock starts. Each side is timed twice, each time in a
fresh Python process started from ``python benchmarks/_timing.py`` (a child that needs
only the standard library and the side's own imports, so a side can run under another
Python, such as one that has Evidently):

cold
    one process that imports the side's modules (timed: ``imports``), runs its setup
    (timed: ``setup``), calls ``work`` once (timed: ``work``, with its processor time) and
    exits. The parent also times the whole process from start to exit (``process``:
    interpreter start, imports, setup, the call and exit). The first call pays every
    one-off cost a new user's first call pays: lazy imports inside the library, compiled
    code loaded or compiled, caches filled.
warm
    one process that imports and sets up the same way, calls ``work`` once untimed as a
    warm-up (its time is reported as ``warmup``), then ``repeats`` more times; the figure
    is the **median** of those repeats (all runs are kept).

A comparison prints a ratio of cold to cold (first calls) and of warm to warm (medians),
never a mix, and no ratio at all when either side was not measured in this run: a side
that cannot run (its Python lacks a module, or it fails) is "not measured: <reason>".

:func:`write_results` writes a script's figures, its arguments and the machine (platform,
Python, processors, library versions) as JSON to
``benchmarks/results/<script>-<YYYYMMDD-HHMMSS>.json`` (atomically: a temporary file in
the same folder, then a rename). The folder is not committed.

This module imports only the standard library: the child runs under any Python.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: Where :func:`write_results` writes (created when the first result is written).
RESULTS = HERE / "results"
#: The child prints its figures on one line that starts with this marker.
_MARK = "@@benchmark-timing@@ "
#: Environment variables that change how fast native code runs; recorded with the machine.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Side:
    """One side of a comparison: what to run, with what, under which Python.

    ``module`` is imported by name in the child (this folder is on its path); ``work``,
    ``setup`` and ``summary`` are names of functions in it. ``params`` (JSON values) go to
    ``setup``; ``summary(result, state)`` turns the last result (and the setup's state)
    into JSON values for the parent (verdicts to compare, a check). ``imports`` are
    imported before any clock starts and must be installed for the side to run.
    """

    label: str
    module: str
    work: str
    setup: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    imports: tuple[str, ...] = ()
    summary: str | None = None
    python: str = sys.executable


@dataclass(frozen=True)
class Cold:
    """Seconds of a side's first call in a fresh process, and of that whole process."""

    work: float
    work_cpu: float
    imports: float
    setup: float
    process: float
    #: Packages some of whose modules the first call loaded itself (lazy imports, code
    #: loaded on first use), by top-level name.
    imported_by_call: tuple[str, ...] = ()


@dataclass(frozen=True)
class Warm:
    """Seconds of a side's calls after a warm-up call, in one process."""

    median: float
    runs: tuple[float, ...]
    cpu_median: float
    warmup: float
    imports: float
    setup: float


@dataclass(frozen=True)
class SideTiming:
    """Both timings of one side, or why it was not measured."""

    label: str
    python: str
    cold: Cold | None = None
    warm: Warm | None = None
    summary: Any = None
    not_measured: str | None = None

    @property
    def measured(self) -> bool:
        return self.not_measured is None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))


def unavailable(side: Side) -> str | None:
    """Why ``side`` cannot run under its Python (a missing Python or module), or None."""
    if not Path(side.python).exists():
        return f"{side.python} does not exist"
    packages = sorted({name.split(".")[0] for name in side.imports})
    if not packages:
        return None
    check = (
        "import importlib.util, sys\n"
        "missing = [n for n in sys.argv[1:] if importlib.util.find_spec(n) is None]\n"
        "print(' '.join(missing))\n"
    )
    done = subprocess.run(
        [side.python, "-c", check, *packages], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"{side.python} failed to start: {_last_line(done.stderr)}"
    missing = done.stdout.split()
    if missing:
        return f"{', '.join(missing)} not installed in {side.python}"
    return None


def time_side(side: Side, *, repeats: int, cold: bool = True, warm: bool = True) -> SideTiming:
    """Time ``side`` cold and warm (each in its own fresh process), as described above.

    A side that cannot run, or either of whose processes fails, comes back with
    ``not_measured`` set to the reason and no figures (:func:`print_side` prints it).
    """
    reason = unavailable(side)
    if reason is not None:
        return SideTiming(side.label, side.python, not_measured=reason)
    cold_timing = warm_timing = summary = None
    try:
        if cold:
            print(f"{side.label}: cold run (fresh process) ...", flush=True)
            figures, process = _child(side, "cold", 0)
            cold_timing = Cold(
                work=figures["work"][0],
                work_cpu=figures["work_cpu"][0],
                imports=figures["imports"],
                setup=figures["setup"],
                process=process,
                imported_by_call=tuple(figures["imported_by_first_call"]),
            )
            summary = figures["summary"]
        if warm:
            print(f"{side.label}: warm runs (warm-up + {repeats}) ...", flush=True)
            figures, _ = _child(side, "warm", repeats)
            warm_timing = Warm(
                median=statistics.median(figures["work"]),
                runs=tuple(figures["work"]),
                cpu_median=statistics.median(figures["work_cpu"]),
                warmup=figures["warmup"],
                imports=figures["imports"],
                setup=figures["setup"],
            )
            summary = figures["summary"]
    except _ChildFailed as failure:
        return SideTiming(side.label, side.python, not_measured=str(failure))
    return SideTiming(side.label, side.python, cold_timing, warm_timing, summary)


class _ChildFailed(RuntimeError):
    """The child process of a side exited with an error."""


def _child(side: Side, mode: str, repeats: int) -> tuple[dict[str, Any], float]:
    """Run one child process; its figures, and its wall time from start to exit."""
    spec = {
        "module": side.module,
        "work": side.work,
        "setup": side.setup,
        "params": dict(side.params),
        "imports": list(side.imports),
        "summary": side.summary,
        "repeats": repeats,
    }
    command = [side.python, str(Path(__file__).resolve()), mode, json.dumps(spec)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    process = time.perf_counter() - start
    if done.returncode != 0:
        raise _ChildFailed(
            f"{mode} process exited with {done.returncode}: {_last_line(done.stderr)}"
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(_MARK)]
    if not lines:
        raise _ChildFailed(f"{mode} process printed no figures: {_last_line(done.stderr)}")
    figures: dict[str, Any] = json.loads(lines[-1][len(_MARK) :])
    return figures, process


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no message)"


def _run_child(mode: str, spec: dict[str, Any]) -> dict[str, Any]:
    """In the child: import, set up, call ``work`` (once, or warm-up + repeats); figures."""
    start = time.perf_counter()
    module = importlib.import_module(spec["module"])
    for name in spec["imports"]:
        importlib.import_module(name)
    imports = time.perf_counter() - start

    start = time.perf_counter()
    state = getattr(module, spec["setup"])(**spec["params"]) if spec["setup"] else None
    setup = time.perf_counter() - start

    work: Callable[[Any], Any] = getattr(module, spec["work"])
    warmup = None
    before = set(sys.modules)
    if mode == "warm":
        start = time.perf_counter()
        result = work(state)
        warmup = time.perf_counter() - start
    calls = 1 if mode == "cold" else max(int(spec["repeats"]), 1)
    walls, cpus = [], []
    for _ in range(calls):
        if mode == "warm":
            del result
            gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = work(state)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        if len(walls) == 1:
            lazy = {name.split(".")[0] for name in set(sys.modules) - before}
    summary = getattr(module, spec["summary"])(result, state) if spec["summary"] else None
    return {
        "imported_by_first_call": sorted(n for n in lazy if not n.startswith("_")),
        "imports": imports,
        "setup": setup,
        "warmup": warmup,
        "work": walls,
        "work_cpu": cpus,
        "summary": summary,
    }


def print_side(timing: SideTiming) -> None:
    """Print both figures of one side (or why it was not measured)."""
    if timing.not_measured is not None:
        print(f"{timing.label}: not measured: {timing.not_measured}")
        return
    print(f"{timing.label}:")
    if timing.cold is not None:
        c = timing.cold
        print(
            f"  cold {seconds(c.work):>10}  first call in a fresh process "
            f"({seconds(c.work_cpu)} processor time); that process: imports "
            f"{seconds(c.imports)}, setup {seconds(c.setup)}, whole process {seconds(c.process)}"
        )
        if c.imported_by_call:
            print(
                "       the first call itself loaded modules of: " + ", ".join(c.imported_by_call)
            )
    if timing.warm is not None:
        w = timing.warm
        print(
            f"  warm {seconds(w.median):>10}  median of {len(w.runs)} after a warm-up call "
            f"({seconds(w.cpu_median)} processor time; runs {seconds(min(w.runs))} to "
            f"{seconds(max(w.runs))}; warm-up {seconds(w.warmup)})"
        )


def seconds(value: float) -> str:
    """``value`` seconds for printing, in milliseconds below a tenth of a second."""
    if value < 0.1:
        return f"{value * 1000:.3g} ms"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


@dataclass(frozen=True)
class Ratio:
    """``baseline``'s time over ``subject``'s: cold over cold, warm over warm (None if absent)."""

    subject: str
    baseline: str
    cold: float | None
    warm: float | None
    not_compared: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))


def compare(subject: SideTiming, baseline: SideTiming, *, what: str = "") -> Ratio:
    """Print and return how many times faster ``subject`` is than ``baseline``.

    The ratio is ``baseline``'s time over ``subject``'s, first call to first call (cold)
    and median to median (warm), never mixed; no ratio for a side not measured in this run.
    """
    name = what or f"{subject.label} vs {baseline.label}"
    missing = [t for t in (subject, baseline) if not t.measured]
    if missing:
        reason = "; ".join(f"{t.label} not measured: {t.not_measured}" for t in missing)
        print(f"{name}: no ratio ({reason})")
        return Ratio(subject.label, baseline.label, None, None, reason)
    cold = warm = None
    parts = []
    if subject.cold is not None and baseline.cold is not None:
        cold = baseline.cold.work / subject.cold.work
        parts.append(
            f"cold {cold:,.1f}x ({seconds(baseline.cold.work)} / {seconds(subject.cold.work)})"
        )
    if subject.warm is not None and baseline.warm is not None:
        warm = baseline.warm.median / subject.warm.median
        parts.append(
            f"warm {warm:,.1f}x ({seconds(baseline.warm.median)} / {seconds(subject.warm.median)})"
        )
    print(f"{name}: time of {baseline.label} / time of {subject.label}: " + "; ".join(parts))
    return Ratio(subject.label, baseline.label, cold, warm)


def library_versions(names: Iterable[str], python: str = sys.executable) -> dict[str, str]:
    """Installed versions of the distributions ``names`` under ``python`` (or "missing")."""
    script = (
        "import json, sys\n"
        "from importlib import metadata\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try:\n"
        "        out[n] = metadata.version(n)\n"
        "    except metadata.PackageNotFoundError:\n"
        "        out[n] = 'missing'\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [python, "-c", script, *names], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {n: f"unknown ({_last_line(done.stderr)})" for n in names}
    versions: dict[str, str] = json.loads(done.stdout)
    return versions


def machine(libraries: Iterable[str] = ()) -> dict[str, Any]:
    """The machine and Python the figures were measured on."""
    uname = os.uname()
    return {
        "platform": platform.platform(),
        "python": sys.version,
        "python_executable": sys.executable,
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "processor": platform.processor() or _cpu_model(),
        "uname": {
            "sysname": uname.sysname,
            "nodename": uname.nodename,
            "release": uname.release,
            "version": uname.version,
            "machine": uname.machine,
        },
        "thread_variables": {name: os.environ.get(name) for name in _THREAD_VARIABLES},
        # Other work on the machine slows every figure: the load when the results were written.
        "load_average_1_5_15_min": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "libraries": library_versions(libraries),
    }


def _cpu_model() -> str:
    """The processor's model name from /proc/cpuinfo (Linux), or ""."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def jsonable(value: Any) -> Any:
    """``value`` with NaN and infinities as None and tuples as lists: strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        return jsonable(value.item())
    return value


def write_results(
    script: str,
    figures: Mapping[str, Any],
    *,
    arguments: Mapping[str, Any],
    libraries: Sequence[str] = (),
    started: dt.datetime | None = None,
    directory: Path | None = None,
) -> Path:
    """Write a script's figures as ``<directory>/<script>-<YYYYMMDD-HHMMSS>.json``; its path.

    The file holds the date the run started and when it finished (ISO 8601), the
    script's arguments, the machine (with the versions of ``libraries``) and ``figures``.
    It is written to a temporary file in the same folder and renamed, so a reader never
    sees half a file.
    """
    when = (started or dt.datetime.now()).astimezone()
    folder = directory or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{script}-{when:%Y%m%d-%H%M%S}.json"
    payload = {
        "script": script,
        "date": when.isoformat(timespec="seconds"),
        "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "arguments": dict(arguments),
        "machine": machine(libraries),
        "figures": figures,
    }
    text = json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n"
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(f"results written to {path}")
    return path


if __name__ == "__main__":
    _mode, _spec = sys.argv[1], json.loads(sys.argv[2])
    if _mode not in ("cold", "warm"):
        raise SystemExit(f"mode must be 'cold' or 'warm'; got {_mode!r}")
    print(_MARK + json.dumps(_run_child(_mode, _spec)), flush=True)
