"""How long a pipeline run takes with kernels forked warm and with ordinary kernels.

Runs ``mlops-kit run`` on the bundled benefit-claims config (or ``--config``) with the
same overrides, alternately with ``MLOPS_KIT_FORK_KERNELS=1`` (each stage's kernel forked
from the kit's kernel server, which imported pandas, scikit-learn, SciPy and skops once)
and ``=0`` (each kernel an ordinary ``python -m ipykernel_launcher`` process), each run in
a new temporary workspace, ``--repeats`` times each. It prints the wall seconds of every
run (the whole command: interpreter start, the kernel server's start, nine kernels and
the work), the stage seconds from each run's ``status.json``, the medians and the ratio
of the medians, and writes every figure with the machine to
``benchmarks/results/pipeline_kernels-<YYYYMMDD-HHMMSS>.json``. The runs' JSON outputs are
compared as well: the two ways must give the same metrics.

Run it on a quiet machine::

    .venv/bin/python benchmarks/pipeline_kernels.py
    .venv/bin/python benchmarks/pipeline_kernels.py --repeats 3 --set tuning.n_trials=4
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import write_results

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "data" / "configs" / "benefit_claims.yml"
WAYS = {"forked": "1", "ordinary": "0"}


def run_once(config: Path, overrides: list[str], fork: str) -> dict[str, object]:
    """One ``mlops-kit run`` in a new workspace: wall seconds, stage seconds, metrics."""
    exe = Path(sys.executable).with_name("mlops-kit")
    sets = [arg for kv in overrides for arg in ("--set", kv)]
    env = {**os.environ, "MLOPS_KIT_FORK_KERNELS": fork}
    with tempfile.TemporaryDirectory(prefix="pipeline-kernels-") as folder:
        started = time.perf_counter()
        done = subprocess.run(
            [str(exe), "run", "--config", str(config), *sets, "--quiet"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"mlops-kit run failed:\n{done.stderr[-3000:]}")
        run_dir = Path(done.stdout.strip().splitlines()[-1])
        status = json.loads((run_dir / "status.json").read_text(encoding="utf-8"))
        metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return {
        "wall_seconds": round(wall, 2),
        "stage_seconds": {s["stage"]: s["seconds"] for s in status["stages"]},
        "roc_auc": metrics.get("roc_auc"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    runs: dict[str, list[dict[str, object]]] = {way: [] for way in WAYS}
    for repeat in range(args.repeats):
        for way, fork in WAYS.items():
            run = run_once(args.config, args.overrides, fork)
            runs[way].append(run)
            print(
                f"run {repeat + 1} {way:>8}: {run['wall_seconds']:6.1f} s  {run['stage_seconds']}"
            )
    medians = {
        way: statistics.median(float(r["wall_seconds"]) for r in done)  # type: ignore[arg-type]
        for way, done in runs.items()
    }
    same = len({r["roc_auc"] for done in runs.values() for r in done}) == 1
    print(
        f"median wall: forked {medians['forked']:.1f} s, ordinary {medians['ordinary']:.1f} s "
        f"({medians['ordinary'] / medians['forked']:.2f}x); same ROC AUC every run: {same}"
    )
    write_results(
        "pipeline_kernels",
        {"runs": runs, "median_wall_seconds": medians, "same_metrics": same},
        arguments={
            "config": str(args.config),
            "overrides": args.overrides,
            "repeats": args.repeats,
        },
        libraries=("ipykernel", "jupyter_client", "papermill", "scikit-learn", "pandas"),
        started=started,
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
