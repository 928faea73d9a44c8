"""How much faster the kit's per-group counting is than fairlearn's ``MetricFrame``.

What is measured
----------------
On one seeded synthetic table (default 1,000,000 rows, 6 groups) the script times

1. ``fairlearn.metrics.MetricFrame`` with five confusion-matrix metrics per group:
   selection rate, true positive rate, false positive rate, precision (scikit-learn,
   ``zero_division=0``) and accuracy;
2. ``mlops_kit.fairness.group_metrics(..., method="fast")`` with the same five metrics;
3. the same with the group labels converted to a categorical column *inside* the timed
   part (``groups.astype("category")`` plus ``group_metrics``): what a user who starts
   from a text column pays for the categorical route;
4. turning the group labels into integer codes on its own (the kit's ``_factorize``,
   pandas ``factorize``), the part of (2) that hashes a million strings;
5. ``mlops_kit.fairness.fairness_report`` with and without its bootstrap confidence
   intervals (200 resamples), and the private ``_bootstrap_intervals`` on its own, to
   show what the intervals cost.

It checks that (1), (2) and (3) give the same numbers (``np.allclose`` with
``equal_nan=True``) and exits with status 1 if they do not.

How it times
------------
Every one of those is a *side* timed by ``benchmarks/_timing.py`` in exactly the same
way, on the same seeded data built in its own process (building the data is not timed):

* **cold**: a fresh Python process imports what the side uses (pandas, and fairlearn
  and scikit-learn's metrics, or ``mlops_kit.fairness`` and for the intervals
  ``scipy.stats``), builds the data and makes the call once; the figure is that first
  call (anything it still imports itself is listed), printed beside the whole
  process's wall time;
* **warm**: another fresh process makes one untimed warm-up call and then ``--repeats``
  timed calls; the figure is their median.

Speed-ups are printed cold to cold and warm to warm only, and every figure is written,
with the machine and library versions, to
``benchmarks/results/fairness_fast_path-<YYYYMMDD-HHMMSS>.json``.

Why the gap
-----------
``MetricFrame`` splits the rows by group with pandas and then calls each metric
function once per group. Every scikit-learn or fairlearn metric call validates and
converts its inputs again (type of target, unique labels, a full confusion matrix),
so the cost is several passes over the data per metric. The kit needs only the four
confusion counts per group, which one :func:`numpy.bincount` over
``group * 4 + truth * 2 + prediction`` gives for every group at once; every metric is
then arithmetic on a handful of numbers. The bootstrap reuses the same idea: a
resample of rows is a multinomial draw of those counts, so 200 resamples cost almost
nothing however many rows there are.

The group labels are a pandas text column, as read from a CSV. Turning them into
integer codes (hashing a million strings) is most of the fast path's time; converting
the column to a categorical one costs that same hashing, so (3) includes it.

Run
---
``.venv/bin/python benchmarks/fairness_fast_path.py [--rows N] [--groups G] [--repeats R]
[--quick]``

At a million rows ``MetricFrame`` takes about half a minute a call, so the default run
(cold, warm-up and 5 repeats of each side) takes several minutes; ``--quick`` uses
100,000 rows and 3 repeats.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import numpy as np
from _timing import Side, SideTiming, compare, print_side, time_side, write_results

METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "precision", "accuracy")
QUICK_ROWS = 100_000
#: Resamples of the bootstrap confidence intervals.
N_BOOTSTRAP = 200


def synthetic_predictions(rows: int, groups: int, seed: int) -> tuple[np.ndarray, np.ndarray, Any]:
    """Truth, predictions and group labels with group-dependent base and error rates.

    The labels are a pandas text column, as ``pandas.read_csv`` gives for a protected
    attribute in a CSV file (the pipeline's case); both sides receive the same object.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    labels = np.array([f"group {chr(ord('A') + i)}" for i in range(groups)])
    share = rng.dirichlet(np.full(groups, 4.0))
    codes = rng.choice(groups, size=rows, p=share)
    base_rate = rng.uniform(0.08, 0.25, groups)
    tpr = rng.uniform(0.5, 0.85, groups)
    fpr = rng.uniform(0.03, 0.15, groups)
    y_true = (rng.random(rows) < base_rate[codes]).astype(np.int64)
    flag_chance = np.where(y_true == 1, tpr[codes], fpr[codes])
    y_pred = (rng.random(rows) < flag_chance).astype(np.int64)
    return y_true, y_pred, pd.Series(labels[codes], dtype="str", name="group")


def make_data(rows: int, groups: int, seed: int) -> dict[str, Any]:
    """The data every side gets (built in each side's process, untimed)."""
    y_true, y_pred, labels = synthetic_predictions(rows, groups, seed)
    return {"y_true": y_true, "y_pred": y_pred, "groups": labels}


def make_cells(rows: int, groups: int, seed: int) -> dict[str, Any]:
    """The per-group confusion counts and pairs the bootstrap resamples (untimed)."""
    from mlops_kit.fairness._counts import group_confusion
    from mlops_kit.fairness._intervals import _Pairs

    data = make_data(rows, groups, seed)
    cells = group_confusion(data["y_true"], data["y_pred"], data["groups"]).to_numpy()
    return {"cells": cells, "pairs": _Pairs.of(cells, reference=0, adverse=True)}


# The timed work of each side: one call on the data of make_data or make_cells.


def run_metric_frame(data: dict[str, Any]) -> Any:
    """fairlearn's MetricFrame with the five metrics (scikit-learn's precision, accuracy)."""
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    functions = {
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "precision": lambda t, p: precision_score(t, p, zero_division=0),
        "accuracy": accuracy_score,
    }
    frame = MetricFrame(
        metrics=functions,
        y_true=data["y_true"],
        y_pred=data["y_pred"],
        sensitive_features=data["groups"],
    )
    return frame.by_group


def run_fast(data: dict[str, Any]) -> Any:
    """The kit's fast path on the text column."""
    from mlops_kit.fairness import group_metrics

    return group_metrics(
        data["y_true"], data["y_pred"], data["groups"], metrics=METRICS, method="fast"
    )


def run_fast_categorical(data: dict[str, Any]) -> Any:
    """The kit's fast path, converting the text column to a categorical one in the timing."""
    from mlops_kit.fairness import group_metrics

    categorical = data["groups"].astype("category")
    return group_metrics(
        data["y_true"], data["y_pred"], categorical, metrics=METRICS, method="fast"
    )


def run_factorize(data: dict[str, Any]) -> Any:
    """The fast path's first step on its own: the group labels as integer codes."""
    from mlops_kit.fairness._counts import _factorize

    return _factorize(data["groups"])


def _report(data: dict[str, Any], n_bootstrap: int) -> Any:
    from mlops_kit.fairness import fairness_report

    return fairness_report(
        data["y_true"],
        data["y_pred"],
        {"group": data["groups"]},
        positive_is="adverse",
        n_bootstrap=n_bootstrap,
        seed=0,
    )


def run_report_plain(data: dict[str, Any]) -> Any:
    """fairness_report without bootstrap intervals."""
    return _report(data, 0)


def run_report_bootstrap(data: dict[str, Any]) -> Any:
    """fairness_report with 200 bootstrap resamples."""
    return _report(data, N_BOOTSTRAP)


def run_intervals(state: dict[str, Any]) -> Any:
    """The BCa bootstrap intervals alone, on counts already made."""
    from mlops_kit.fairness._intervals import _bootstrap_intervals, _pair_stats

    pairs = state["pairs"]
    return _bootstrap_intervals(
        state["cells"],
        lambda c: _pair_stats(c, pairs),
        n_resamples=N_BOOTSTRAP,
        confidence_level=0.95,
        seed=0,
    )


def frame_summary(frame: Any, state: Any = None) -> dict[str, Any]:
    """The metric table, for the parent's check that the sides agree."""
    table = frame[list(METRICS)]
    return {"index": [str(g) for g in table.index], "values": table.to_numpy(float).tolist()}


def report_summary(result: Any, state: Any = None) -> dict[str, Any]:
    """The four-fifths ratio and its interval."""
    low, high = result["group"].intervals["demographic_parity_ratio"]
    return {"four_fifths_ratio": result["group"].four_fifths_ratio, "interval": [low, high]}


def _agreement(reference: SideTiming, other: SideTiming) -> dict[str, Any]:
    """Whether ``other``'s metric table equals ``reference``'s (MetricFrame's)."""
    if reference.summary is None or other.summary is None:
        return {"checked": False}
    expected = np.asarray(reference.summary["values"], dtype=float)
    got = np.asarray(other.summary["values"], dtype=float)
    same_groups = reference.summary["index"] == other.summary["index"]
    same_shape = got.shape == expected.shape
    agree = bool(
        same_groups
        and same_shape
        and np.allclose(got, expected, rtol=1e-12, atol=0, equal_nan=True)
    )
    worst = float(np.nanmax(np.abs(got - expected))) if same_shape else float("inf")
    print(
        f"numbers agree, {other.label} vs {reference.label}: {'yes' if agree else 'NO'} "
        f"({len(got)} groups x {len(METRICS)} metrics, largest difference {worst:.1e})"
    )
    return {"checked": True, "agree": agree, "largest_difference": worst}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=None, help="rows (default 1,000,000)")
    parser.add_argument("--groups", type=int, default=6, help="groups (default 6)")
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed warm calls of every side (default 5)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: {QUICK_ROWS:,} rows and 3 repeats (unless given)",
    )
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    args.rows = args.rows or (QUICK_ROWS if args.quick else 1_000_000)
    args.repeats = args.repeats or (3 if args.quick else 5)

    y_true, y_pred, _ = synthetic_predictions(args.rows, args.groups, args.seed)
    n = len(y_true)
    print(
        f"data: {n:,} rows, {args.groups} groups, base rate {y_true.mean():.3f}, "
        f"flag rate {y_pred.mean():.3f} (seed {args.seed}); every side cold (first call in a "
        f"fresh process) and warm (median of {args.repeats} after a warm-up)\n",
        flush=True,
    )
    params = {"rows": args.rows, "groups": args.groups, "seed": args.seed}
    kit = ("pandas", "mlops_kit.fairness")

    def side(label: str, work: str, **options: Any) -> SideTiming:
        options.setdefault("setup", "make_data")
        options.setdefault("imports", kit)
        spec = Side(label, module="fairness_fast_path", work=work, params=params, **options)
        return time_side(spec, repeats=args.repeats)

    frame = side(
        "fairlearn MetricFrame (5 metrics)",
        "run_metric_frame",
        imports=("pandas", "fairlearn.metrics", "sklearn.metrics"),
        summary="frame_summary",
    )
    fast = side("group_metrics(method='fast')", "run_fast", summary="frame_summary")
    categorical = side(
        "astype('category') + group_metrics(method='fast')",
        "run_fast_categorical",
        summary="frame_summary",
    )
    codes = side("labels -> integer codes (_factorize)", "run_factorize")
    with_scipy = (*kit, "scipy.stats")  # the intervals use scipy.stats.norm
    plain = side("fairness_report, no bootstrap", "run_report_plain", imports=with_scipy)
    boot = side(
        f"fairness_report, {N_BOOTSTRAP} bootstrap resamples",
        "run_report_bootstrap",
        summary="report_summary",
        imports=with_scipy,
    )
    intervals = side(
        f"bootstrap intervals alone ({N_BOOTSTRAP} resamples, BCa)",
        "run_intervals",
        setup="make_cells",
        imports=with_scipy,
    )
    sides = [frame, fast, categorical, codes, plain, boot, intervals]

    print()
    for timing in sides:
        print_side(timing)
        if timing.warm is not None:
            print(f"  warm {n / timing.warm.median:,.0f} rows per second")
    print()
    agreement = {t.label: _agreement(frame, t) for t in (fast, categorical)}
    ratios = [
        compare(fast, frame, what="speed-up of the fast path (text column)"),
        compare(categorical, frame, what="speed-up with the categorical conversion timed"),
    ]
    shares = {}
    if codes.cold is not None and fast.cold is not None:
        shares["cold"] = codes.cold.work / fast.cold.work
    if codes.warm is not None and fast.warm is not None:
        shares["warm"] = codes.warm.median / fast.warm.median
    if shares:
        print(
            "labels -> integer codes, as a share of the fast path's time: "
            + "; ".join(f"{k} {v:.0%}" for k, v in shares.items())
            + " (each timed in its own processes)"
        )
    if boot.summary is not None:
        low, high = boot.summary["interval"]
        print(
            f"four-fifths ratio {boot.summary['four_fifths_ratio']:.3f}, "
            f"95% interval {low:.3f} to {high:.3f}"
        )
    ok = all(a.get("agree", False) for a in agreement.values())
    write_results(
        "fairness_fast_path",
        {
            "rows": n,
            "groups": args.groups,
            "sides": [t.to_dict() for t in sides],
            "ratios": [r.to_dict() for r in ratios],
            "codes_share_of_fast_path": shares,
            "agreement": agreement,
        },
        arguments=vars(args),
        libraries=("mlops-kit", "numpy", "pandas", "scikit-learn", "fairlearn", "scipy"),
        started=started,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
