"""Time a drift report: 25 columns, 100,000 reference rows against 1,000,000 current rows.

The issue's bar: the kit's :func:`mlops_kit.monitor.drift_report` takes at most 1/20 of
the time Evidently's ``DataDriftPreset`` takes on the same batches. Evidently is not a
dependency of the kit (it pins pandas below 3): give ``--evidently-python`` a Python that
has it (or run under one). The bar is judged only when Evidently ran in this run; if it
cannot run the script prints "not measured: <reason>" and no ratio and no verdict on
the bar. No figure is carried over from another run.

How it times
------------
Both sides are timed by ``benchmarks/_timing.py`` in exactly the same way, each on the
same seeded batches built in its own process (the batch building is not timed):

* **cold**: a fresh Python process imports what the side uses (pandas, and
  ``mlops_kit.monitor`` with the SciPy modules it loads lazily, or ``evidently`` and
  ``evidently.presets`` with the plotly modules its report loads lazily), builds the
  batches and runs the report once; the figure is
  that first call (and anything it still imports itself is listed). The whole
  process's wall time (interpreter start, imports, batches, the call) is printed beside it.
* **warm**: another fresh process runs one untimed warm-up report, then ``--repeats``
  timed ones; the figure is their median.

Ratios are printed cold to cold and warm to warm only. The script also compares the
columns each side calls drifted, and writes every figure, with the machine and library
versions, to ``benchmarks/results/drift_report-<YYYYMMDD-HHMMSS>.json``.

Run with::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/drift_report.py
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/drift_report.py --quick  # 10x fewer rows
    # with Evidently in its own environment:
    .tools/bin/uv venv /tmp/ev && .tools/bin/uv pip install --python /tmp/ev/bin/python \
        evidently "pandas<3"
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/drift_report.py \
        --evidently-python /tmp/ev/bin/python
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import numpy as np
import pandas as pd
from _timing import (
    Side,
    SideTiming,
    compare,
    library_versions,
    print_side,
    time_side,
    write_results,
)

#: The kit must take at most this share of Evidently's time (the issue's bar).
BAR_SHARE = 1 / 20
N_NUMERIC, N_CATEGORICAL = 15, 10
DRIFTED = ("num_00", "num_01", "cat_00", "cat_01")
#: Rows of the reference and current batches: the issue's shape, and ``--quick``'s.
FULL_ROWS, QUICK_ROWS = (100_000, 1_000_000), (10_000, 100_000)


def make_batch(n: int, *, drifted: bool, seed: int) -> pd.DataFrame:
    """A synthetic batch; with ``drifted`` a few columns move by a clear amount."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for i in range(N_NUMERIC):
        name = f"num_{i:02d}"
        shift = 0.4 if drifted and name in DRIFTED else 0.0
        if i % 3 == 0:  # skewed, like amounts
            cols[name] = rng.lognormal(0.0 + shift, 0.7, n)
        elif i % 3 == 1:  # normal with a few missing values
            x = rng.normal(shift, 1.0, n)
            x[rng.random(n) < 0.02] = np.nan
            cols[name] = x
        else:  # small counts, many ties
            cols[name] = rng.poisson(2.0 + 2 * shift, n)
    for i in range(N_CATEGORICAL):
        name = f"cat_{i:02d}"
        k = 3 + 3 * i  # 3 to 30 categories, some rare
        p = 1.0 / np.arange(1, k + 1) ** 1.2
        if drifted and name in DRIFTED:
            p = p[::-1].copy()
        labels = np.array([f"{name}_v{j}" for j in range(k)])
        cols[name] = labels[rng.choice(k, size=n, p=p / p.sum())]
    return pd.DataFrame(cols)


def make_batches(reference_rows: int, current_rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference batch (seed 1) and the drifted current batch (seed 2) both sides get."""
    reference = make_batch(reference_rows, drifted=False, seed=1)
    current = make_batch(current_rows, drifted=True, seed=2)
    return reference, current


def kit_report(batches: tuple[pd.DataFrame, pd.DataFrame]) -> Any:
    """The kit's side (timed): one drift report of the current batch against the reference."""
    from mlops_kit.monitor import drift_report

    reference, current = batches
    return drift_report(reference, current, label="synthetic")


def kit_summary(report: Any, state: Any = None) -> dict[str, Any]:
    """The kit's verdicts, as JSON values for the parent process."""
    table = report.to_frame()[["kind", "effect_measure", "effect", "p_adjusted", "status"]]
    return {"drifted": list(report.drifted), "table": table.to_dict(orient="split")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reference-rows", type=int, default=None, help="default 100,000")
    parser.add_argument("--current-rows", type=int, default=None, help="default 1,000,000")
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed warm runs per side (median; default 3)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: {QUICK_ROWS[0]:,} reference and {QUICK_ROWS[1]:,} current rows "
        "(unless given) and 2 warm repeats",
    )
    parser.add_argument(
        "--evidently-python",
        default=sys.executable,
        help="a Python with Evidently installed, to time its DataDriftPreset on the same "
        "data the same way and compare the verdicts (default: this Python)",
    )
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    default_rows = QUICK_ROWS if args.quick else FULL_ROWS
    args.reference_rows = args.reference_rows or default_rows[0]
    args.current_rows = args.current_rows or default_rows[1]
    args.repeats = args.repeats or (2 if args.quick else 3)
    params = {"reference_rows": args.reference_rows, "current_rows": args.current_rows}
    rows = args.reference_rows + args.current_rows
    print(
        f"drift report: {N_NUMERIC + N_CATEGORICAL} columns, {args.reference_rows:,} reference "
        f"rows against {args.current_rows:,} current rows; each side cold (first call in a "
        f"fresh process) and warm (median of {args.repeats} after a warm-up)\n",
        flush=True,
    )
    kit = time_side(
        Side(
            "kit drift_report",
            module="drift_report",
            setup="make_batches",
            work="kit_report",
            summary="kit_summary",
            params=params,
            imports=("pandas", "scipy.stats", "scipy.spatial.distance", "mlops_kit.monitor"),
        ),
        repeats=args.repeats,
    )
    evidently = time_side(
        Side(
            "Evidently DataDriftPreset",
            module="_evidently_side",
            setup="make_batches",
            work="run_preset",
            summary="verdicts",
            params=params,
            imports=("pandas", "evidently", "evidently.presets", "plotly.offline", "plotly.tools"),
            python=args.evidently_python,
        ),
        repeats=args.repeats,
    )

    print()
    for side in (kit, evidently):
        print_side(side)
        _print_rates(side, rows, N_NUMERIC + N_CATEGORICAL)
    if not evidently.measured:
        print("  (give --evidently-python a Python that has Evidently to time it; see --help)")
    print()
    ratio = compare(kit, evidently, what="drift report")
    bar = _bar(kit, evidently)
    verdicts = _verdicts(kit, evidently)

    figures: dict[str, Any] = {
        "rows": {"reference": args.reference_rows, "current": args.current_rows},
        "columns": N_NUMERIC + N_CATEGORICAL,
        "expected_drifted": list(DRIFTED),
        "sides": [kit.to_dict(), evidently.to_dict()],
        "ratio": ratio.to_dict(),
        "bar": bar,
        "verdicts": verdicts,
    }
    if evidently.measured:
        figures["evidently_python_libraries"] = library_versions(
            ("evidently", "pandas", "numpy", "scipy"), python=args.evidently_python
        )
    write_results(
        "drift_report",
        figures,
        arguments=vars(args),
        libraries=("mlops-kit", "numpy", "pandas", "scipy"),
        started=started,
    )


def _print_rates(side: SideTiming, rows: int, columns: int) -> None:
    """Rows and cells per second of each measured figure of ``side``."""
    for name, seconds in (
        ("cold", side.cold.work if side.cold else None),
        ("warm", side.warm.median if side.warm else None),
    ):
        if seconds:
            print(
                f"  {name}: {rows / seconds:,.0f} rows per second, "
                f"{rows * columns / seconds:,.0f} cells per second"
            )


def _bar(kit: SideTiming, evidently: SideTiming) -> dict[str, Any]:
    """The issue's bar, cold against cold and warm against warm, if both sides ran."""
    if not (kit.measured and evidently.measured):
        reason = kit.not_measured or f"Evidently not measured: {evidently.not_measured}"
        print(f"bar (at most 1/20 of Evidently's time): not judged ({reason})")
        return {"judged": False, "reason": reason}
    out: dict[str, Any] = {"judged": True, "share": BAR_SHARE}
    parts = []
    for name, ours, theirs in (
        ("cold", kit.cold and kit.cold.work, evidently.cold and evidently.cold.work),
        ("warm", kit.warm and kit.warm.median, evidently.warm and evidently.warm.median),
    ):
        if ours and theirs:
            limit = theirs * BAR_SHARE
            out[name] = {"seconds": ours, "limit": limit, "met": ours <= limit}
            parts.append(
                f"{name} {ours:.2f} s vs at most {limit:.2f} s: "
                f"{'met' if ours <= limit else 'NOT met'}"
            )
    print("bar (at most 1/20 of Evidently's time, measured in this run): " + "; ".join(parts))
    return out


def _verdicts(kit: SideTiming, evidently: SideTiming) -> dict[str, Any]:
    """Print the kit's drift table and whether both sides call the same columns drifted."""
    out: dict[str, Any] = {}
    if kit.summary is not None:
        ours = kit.summary["drifted"]
        out["kit"] = ours
        print(f"expected drifted: {', '.join(DRIFTED)}; the kit found: {', '.join(ours)}")
        table = kit.summary["table"]
        print(pd.DataFrame(table["data"], index=table["index"], columns=table["columns"]))
    if evidently.summary is not None:
        theirs = evidently.summary["drifted"]
        methods = sorted(set(evidently.summary["methods"].values()))
        out["evidently"] = theirs
        out["evidently_methods"] = evidently.summary["methods"]
        print(f"Evidently ({', '.join(methods)}) found: {', '.join(sorted(theirs))}")
    if "kit" in out and "evidently" in out:
        same = set(out["kit"]) == set(out["evidently"])
        out["identical"] = same
        print(f"verdicts {'identical' if same else 'DIFFER'}")
    return out


if __name__ == "__main__":
    main()
