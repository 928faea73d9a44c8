"""How much faster the kit's per-group counting is than fairlearn's ``MetricFrame``.

What is measured
----------------
On one seeded synthetic table (default 1,000,000 rows, 6 groups) the script times

1. ``fairlearn.metrics.MetricFrame`` with five confusion-matrix metrics per group:
   selection rate, true positive rate, false positive rate, precision (scikit-learn,
   ``zero_division=0``) and accuracy;
2. ``mlops_kit.fairness.group_metrics(..., method="fast")`` with the same five metrics;
3. ``mlops_kit.fairness.fairness_report`` with and without its bootstrap confidence
   intervals (200 resamples), and the private ``_bootstrap_intervals`` on its own, to
   show what the intervals cost.

It also splits the fast path's time into turning the group labels into integer codes
(pandas ``factorize``, most of it) and the counting itself.

It checks that (1) and (2) give the same numbers (``np.allclose`` with
``equal_nan=True``) and exits with status 1 if they do not.

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

Run
---
``.venv/bin/python benchmarks/fairness_fast_path.py [--rows N] [--groups G] [--repeats R]``

The group labels are a pandas text column, as read from a CSV. Turning them into
integer codes (hashing a million strings) is most of the fast path's time; with a
categorical column the codes already exist and the speed-up is far larger (printed too).

The fast path and the reports take the best of R repeats; ``MetricFrame`` runs once
(it takes about half a minute at a million rows).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "precision", "accuracy")


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


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The shortest wall-clock time of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--groups", type=int, default=6, help="groups (default 6)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fast paths")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    args = parser.parse_args(argv)

    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    from mlops_kit.fairness import fairness_report, group_confusion, group_metrics
    from mlops_kit.fairness._counts import _factorize
    from mlops_kit.fairness._intervals import _bootstrap_intervals, _pair_stats, _Pairs

    y_true, y_pred, groups = synthetic_predictions(args.rows, args.groups, args.seed)
    n = len(y_true)
    print(
        f"data: {n:,} rows, {args.groups} groups, base rate {y_true.mean():.3f}, "
        f"flag rate {y_pred.mean():.3f} (seed {args.seed})"
    )

    functions: dict[str, Callable[..., Any]] = {
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "precision": lambda t, p: precision_score(t, p, zero_division=0),
        "accuracy": accuracy_score,
    }

    def metric_frame() -> pd.DataFrame:
        frame = MetricFrame(
            metrics=functions, y_true=y_true, y_pred=y_pred, sensitive_features=groups
        )
        by_group: pd.DataFrame = frame.by_group
        return by_group

    def fast() -> pd.DataFrame:
        return group_metrics(y_true, y_pred, groups, metrics=METRICS, method="fast")

    slow_time, slow = best_time(metric_frame, 1)
    fast_time, quick = best_time(fast, args.repeats)

    expected = slow[list(METRICS)].to_numpy(dtype=float)
    got = quick[list(METRICS)].to_numpy(dtype=float)
    same_groups = [str(g) for g in slow.index] == [str(g) for g in quick.index]
    agree = same_groups and np.allclose(got, expected, rtol=1e-12, atol=0, equal_nan=True)
    worst = float(np.nanmax(np.abs(got - expected))) if got.shape == expected.shape else np.inf
    print(
        f"numbers agree: {'yes' if agree else 'NO'} "
        f"({len(quick)} groups x {len(METRICS)} metrics, largest difference {worst:.1e})"
    )

    def line(label: str, seconds: float, note: str = "") -> None:
        print(f"{label:<40} {seconds:9.4f} s  {n / seconds:>13,.0f} rows/s  {note}".rstrip())

    line("fairlearn MetricFrame (5 metrics)", slow_time, "(once)")
    line("group_metrics(method='fast')", fast_time, f"(best of {args.repeats})")
    # Where the fast path spends its time: turning the labels into integer codes
    # (pandas factorize), then counting and the arithmetic on the counts.
    codes_time, _ = best_time(lambda: _factorize(groups), args.repeats)
    line("  of which labels -> integer codes", codes_time)
    categorical = groups.astype("category")
    cat_time, _ = best_time(
        lambda: group_metrics(y_true, y_pred, categorical, metrics=METRICS, method="fast"),
        args.repeats,
    )
    line("  same, groups as a categorical column", cat_time, f"({slow_time / cat_time:,.0f}x)")

    features = {"group": groups}

    def report(n_bootstrap: int) -> Callable[[], Any]:
        return lambda: fairness_report(
            y_true, y_pred, features, positive_is="adverse", n_bootstrap=n_bootstrap, seed=0
        )

    plain_time, _ = best_time(report(0), args.repeats)
    boot_time, result = best_time(report(200), args.repeats)
    line("fairness_report, no bootstrap", plain_time, f"(best of {args.repeats})")
    line("fairness_report, 200 bootstrap resamples", boot_time, f"(best of {args.repeats})")
    cells = group_confusion(y_true, y_pred, groups).to_numpy()
    pairs = _Pairs.of(cells, reference=0, adverse=True)
    intervals_time, _ = best_time(
        lambda: _bootstrap_intervals(
            cells,
            lambda c: _pair_stats(c, pairs),
            n_resamples=200,
            confidence_level=0.95,
            seed=0,
        ),
        args.repeats,
    )
    low, high = result["group"].intervals["demographic_parity_ratio"]
    print(
        f"bootstrap intervals (200 resamples, BCa) alone: {intervals_time * 1000:.1f} ms; "
        f"four-fifths ratio {result['group'].four_fifths_ratio:.3f}, "
        f"95% interval {low:.3f} to {high:.3f}"
    )

    print(
        f"speed-up: {slow_time / fast_time:,.0f}x (fast path {fast_time:.3f} s vs "
        f"MetricFrame {slow_time:.1f} s on {n:,} rows)"
    )
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
