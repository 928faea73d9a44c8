"""How fast the kit's Optuna tuner reaches the best score of scikit-learn's searches.

The bar (issue 3): the tuner must match or beat the grid search's best cross-validated
score in at most a third of the grid's wall time.

What is measured
----------------
On the bundled benefit-claims data, the training rows of the bundled config's time
split (months before 2024-07: 31,500 claims), the histogram gradient boosting pipeline
of :func:`mlops_kit.train.build_pipeline` is tuned four ways. Every candidate is scored
by ROC AUC over the same three stratified folds (:func:`mlops_kit.tune.cv_splitter`,
seed 0), and every method uses two processes:

1. ``GridSearchCV`` over a typical grid of 4 x 4 x 4 x 4 = 256 candidates spanning the
   tuner's own ranges: ``learning_rate`` 0.02-0.2, ``max_leaf_nodes`` 8-64,
   ``min_samples_leaf`` 10-200 and ``l2_regularization`` 0-1 (``n_jobs=2``: loky
   processes);
2. ``RandomizedSearchCV``: 60 candidates drawn from the tuner's default search space
   (the same ranges and log scales; ``n_jobs=2``);
3. ``HalvingRandomSearchCV`` over the same distributions: 81 candidates on 1/81 of the
   rows, the best third promoted to three times the rows each round, down to one
   candidate on (almost) all rows (``n_jobs=2``; without training scores, which
   it computes by default and the other searches do not);
4. :func:`mlops_kit.tune.tune` with its default search space (TPE, pruning over folds),
   two worker processes sharing a journal file, and a time budget of a third of the
   grid's wall time. It runs once per sampler seed (default 0 to 4), so one lucky
   run cannot carry the verdict; the folds and the model's own seed stay those of the
   grid (seed 0), so scores are comparable.

For each method the script records the best cross-validated score over time and prints
its best score, wall time and time-to-target: the seconds until its best
cross-validated score first reached the grid's best ("not reached" if never).

How it times
------------
Every method is timed the same way, once, in this process, by the wall clock from the
moment it is called to the moment it returns:

* everything the methods import (scikit-learn's searches, Optuna, the kit's tuner) is
  imported before the first clock starts;
* every method starts its own two worker processes inside its time: ``tune`` spawns
  its workers on each call, and joblib's reusable pool of worker processes is shut
  down before each scikit-learn search, so none reuses workers a previous search
  started (and warmed up);
* a curve point is the measured moment a candidate's cross-validated score was
  complete: for the tuner each complete trial's completion time (Optuna's
  ``datetime_complete``; pruned trials do not count, their value is a running mean over
  fewer folds); for scikit-learn's searches the moment its last fold was scored, which
  a scorer (ROC AUC, the same as ``scoring="roc_auc"``) stamps in the worker process.
  For the halving search only the final round counts as a cross-validated score:
  earlier rounds fit and score on a fraction of the rows.

These are single runs, not cold/warm pairs: a search takes minutes and its workers are
fresh processes every time (cold), for every method alike. Every figure (curves, wall
times, the verdicts), with the machine and library versions, is written to
``benchmarks/results/tuning_vs_search-<YYYYMMDD-HHMMSS>.json``.

Run
---
``.venv/bin/python benchmarks/tuning_vs_search.py [--seeds 0 1 2 3 4] [--random-iter 60]
[--quick]``

It takes several minutes on two cores (the grid alone two to three). ``--quick`` is a
smoke run: a 2 x 2 x 2 x 2 grid of the same ranges' ends, one tuner seed, 10 random and
9 halving candidates. The last line is the verdict; the exit status is 1 if any tuner
run misses the bar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _timing import jsonable, write_results

GRID: dict[str, list[float]] = {
    "learning_rate": [0.02, 0.05, 0.1, 0.2],
    "max_leaf_nodes": [8, 16, 32, 64],
    "min_samples_leaf": [10, 30, 100, 200],
    "l2_regularization": [0.0, 0.01, 0.1, 1.0],
}
#: ``--quick``'s grid: the ends of each of the grid's ranges.
QUICK_GRID = {name: [values[0], values[-1]] for name, values in GRID.items()}
N_JOBS = 2
FOLDS = 3
HALVING_CANDIDATES, QUICK_HALVING_CANDIDATES = 81, 9


@dataclass
class Outcome:
    """One search: when each scored candidate finished and the best score so far."""

    name: str
    times: np.ndarray
    best_so_far: np.ndarray
    wall: float
    evaluated: str

    @property
    def best(self) -> float:
        return float(self.best_so_far[-1]) if len(self.best_so_far) else float("nan")

    def time_to(self, target: float) -> float | None:
        hit = np.flatnonzero(self.best_so_far >= target - 1e-12)
        return float(self.times[hit[0]]) if len(hit) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "evaluated": self.evaluated,
            "wall_seconds": self.wall,
            "best": self.best,
            "curve_seconds": self.times.tolist(),
            "curve_best_so_far": self.best_so_far.tolist(),
        }


class StampedScorer:
    """ROC AUC, as ``scoring="roc_auc"``, that also writes when each fold was scored.

    It runs in the search's worker processes: each appends one JSON line (the wall
    clock, the candidate's searched parameters and the score) to a file of its own in
    ``folder``. A candidate's cross-validated score is complete when its last fold is
    scored.
    """

    def __init__(self, folder: str, keys: Sequence[str]) -> None:
        from sklearn.metrics import get_scorer

        self.folder = folder
        self.keys = tuple(keys)
        self.scorer = get_scorer("roc_auc")

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        score = float(self.scorer(estimator, X, y))
        stamp = time.time()
        params = estimator.get_params()
        line = json.dumps({"t": stamp, "key": _key(params, self.keys), "score": score})
        with open(Path(self.folder) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
            out.write(line + "\n")
        return score


def _key(params: dict[str, Any], keys: Sequence[str]) -> str:
    """A candidate's searched parameters as text, the same in the worker and the parent."""
    return json.dumps({k: repr(params[k]) for k in keys}, sort_keys=True)


def _stamps(folder: str) -> dict[str, list[tuple[float, float]]]:
    """Every stamped fold, per candidate: (wall clock, score), in time order."""
    out: dict[str, list[tuple[float, float]]] = {}
    for path in Path(folder).glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.setdefault(row["key"], []).append((row["t"], row["score"]))
    return {key: sorted(rows) for key, rows in out.items()}


def sklearn_outcome(
    name: str, search: Any, start: float, wall: float, folder: str, evaluated: str
) -> Outcome:
    """Best-so-far curve of a fitted scikit-learn search from its stamped folds.

    A candidate counts when its last fold was scored; for successive halving only the
    final round counts (its last ``FOLDS`` stamps). Each curve score is the mean of its
    stamped folds, checked against the search's own ``mean_test_score``.
    """
    r = search.cv_results_
    keys = sorted(r["params"][0])
    stamps = _stamps(folder)
    final = np.asarray(r["iter"]) == np.max(r["iter"]) if "iter" in r else None
    done, scores = [], []
    for i, params in enumerate(r["params"]):
        if final is not None and not final[i]:
            continue
        folds = stamps[_key(params, keys)][-FOLDS:]
        score = float(np.mean([s for _, s in folds]))
        if not np.isclose(score, r["mean_test_score"][i], rtol=0, atol=1e-12):
            raise RuntimeError(
                f"{name}: the stamped folds of candidate {i} average {score}, but the "
                f"search reports {r['mean_test_score'][i]}"
            )
        done.append(max(t for t, _ in folds) - start)
        scores.append(score)
    order = np.argsort(done, kind="stable")
    times = np.asarray(done)[order]
    best = np.maximum.accumulate(np.asarray(scores)[order])
    return Outcome(name, times, best, wall, evaluated)


def run_search(
    name: str, make: Callable[[str], Any], X: Any, y: np.ndarray, evaluated: Callable[[Any], str]
) -> Outcome:
    """Fit the search ``make(folder)`` (stamping into folder) with fresh worker processes.

    Returns its measured outcome.
    """
    from joblib.externals.loky import get_reusable_executor  # type: ignore[import-untyped]

    get_reusable_executor().shutdown(wait=True)  # no search reuses another's workers
    with tempfile.TemporaryDirectory(prefix="tuning-benchmark-stamps-") as folder:
        search = make(folder)
        start, clock = time.time(), time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - clock
        return sklearn_outcome(name, search, start, wall, folder, evaluated(search))


def run_grid(
    X: Any, y: np.ndarray, roles: Any, folds: list, grid: dict[str, list[float]]
) -> Outcome:
    from sklearn.model_selection import GridSearchCV

    from mlops_kit.train import build_pipeline

    def make(folder: str) -> Any:
        space = {f"model__{k}": v for k, v in grid.items()}
        return GridSearchCV(
            build_pipeline("hgb", roles),
            space,
            cv=folds,
            scoring=StampedScorer(folder, list(space)),
            n_jobs=N_JOBS,
            refit=False,
        )

    return run_search(
        "GridSearchCV", make, X, y, lambda s: f"{len(s.cv_results_['params'])} candidates"
    )


def run_random(X: Any, y: np.ndarray, roles: Any, folds: list, n_iter: int) -> Outcome:
    from sklearn.model_selection import RandomizedSearchCV

    from mlops_kit.train import build_pipeline

    def make(folder: str) -> Any:
        space = {f"model__{k}": v for k, v in distributions().items()}
        return RandomizedSearchCV(
            build_pipeline("hgb", roles),
            space,
            n_iter=n_iter,
            cv=folds,
            scoring=StampedScorer(folder, list(space)),
            n_jobs=N_JOBS,
            random_state=0,
            refit=False,
        )

    return run_search("RandomizedSearchCV", make, X, y, lambda s: f"{n_iter} candidates")


def run_halving(X: Any, y: np.ndarray, roles: Any, folds: list, candidates: int) -> Outcome:
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    from mlops_kit.train import build_pipeline

    def make(folder: str) -> Any:
        space = {f"model__{k}": v for k, v in distributions().items()}
        return HalvingRandomSearchCV(
            build_pipeline("hgb", roles),
            space,
            n_candidates=candidates,
            factor=3,
            resource="n_samples",
            min_resources="exhaust",
            cv=folds,
            scoring=StampedScorer(folder, list(space)),
            return_train_score=False,  # as the other searches: test folds only
            n_jobs=N_JOBS,
            random_state=0,
            refit=False,
        )

    def plan(search: Any) -> str:
        rounds = list(zip(search.n_candidates_, search.n_resources_, strict=True))
        return " -> ".join(f"{c} on {r:,} rows" for c, r in rounds)

    return run_search("HalvingRandomSearchCV", make, X, y, plan)


def run_tuner(X: Any, y: np.ndarray, roles: Any, budget: float, seed: int) -> Outcome:
    from mlops_kit.tune import journal_storage_url, tune

    with tempfile.TemporaryDirectory(prefix="tuning-benchmark-") as folder:
        start, clock = dt.datetime.now(), time.perf_counter()
        result = tune(
            X,
            y,
            model="hgb",
            roles=roles,
            metric="roc_auc",
            n_trials=None,
            timeout=budget,
            cv_folds=FOLDS,
            seed=0,  # the grid's folds and model seed: only where the sampler looks varies
            sampler_seed=seed,
            n_workers=N_JOBS,
            storage=journal_storage_url(Path(folder) / "study.log"),
        )
        wall = time.perf_counter() - clock
    t = result.trials
    complete = t[t["state"] == "COMPLETE"].sort_values("datetime_complete")
    times = np.array([(c - start).total_seconds() for c in complete["datetime_complete"]])
    scores = complete["value"].to_numpy(dtype=float)
    return Outcome(
        f"kit tuner (seed {seed})",
        times,
        np.maximum.accumulate(scores),
        wall,
        f"{result.n_trials} trials ({result.n_pruned} pruned)",
    )


def _import_everything() -> None:
    """Import what every method uses, so no method's time includes an import."""
    import optuna  # noqa: F401
    import sklearn.experimental.enable_halving_search_cv
    import sklearn.model_selection  # noqa: F401
    from joblib.externals import loky  # type: ignore[import-untyped]  # noqa: F401

    import mlops_kit.tune  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="default 0 to 4")
    parser.add_argument("--random-iter", type=int, default=None, help="default 60")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: a 16-candidate grid, seed 0, 10 random and 9 halving candidates "
        "(unless given)",
    )
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    args.seeds = args.seeds or ([0] if args.quick else [0, 1, 2, 3, 4])
    args.random_iter = args.random_iter or (10 if args.quick else 60)
    grid_values = QUICK_GRID if args.quick else GRID
    halving = QUICK_HALVING_CANDIDATES if args.quick else HALVING_CANDIDATES

    from mlops_kit.tune._space import cv_splitter

    _import_everything()
    X, y, roles = training_rows()
    folds = list(cv_splitter("classification", folds=FOLDS, seed=0).split(X, y))
    print(
        f"{len(X):,} training rows, {FOLDS} stratified folds, ROC AUC, {N_JOBS} processes; "
        "each method timed once by the wall clock, starting its own worker processes.\n",
        flush=True,
    )

    grid = run_grid(X, y, roles, folds, grid_values)
    target, budget = grid.best, grid.wall / 3
    print(
        f"GridSearchCV: best cross-validated ROC AUC {target:.5f} over {grid.evaluated}, "
        f"wall time {grid.wall:.1f} s. Target: match or beat {target:.5f} within "
        f"{budget:.1f} s (a third of the grid's wall time).\n",
        flush=True,
    )
    outcomes = [grid]
    tuners = [run_tuner(X, y, roles, budget, seed) for seed in args.seeds]
    outcomes += [
        run_random(X, y, roles, folds, args.random_iter),
        run_halving(X, y, roles, folds, halving),
        *tuners,
    ]

    header = f"{'method':<24} {'evaluated':<44} {'best AUC':>9} {'wall s':>8} {'to target':>12}"
    print(header)
    print("-" * len(header))
    for o in outcomes:
        reached = o.time_to(target)
        shown = "not reached" if reached is None else f"{reached:.1f} s"
        print(f"{o.name:<24} {o.evaluated:<44} {o.best:>9.5f} {o.wall:>8.1f} {shown:>12}")

    verdicts: list[dict[str, Any]] = []
    for o in tuners:
        reached = o.time_to(target)
        ratio = None if reached is None else reached / grid.wall
        ok = ratio is not None and ratio <= 1 / 3
        verdicts.append({"tuner": o.name, "reached_seconds": reached, "ratio": ratio, "met": ok})
        when = "never" if reached is None else f"after {reached:.1f} s"
        ratio_text = "" if ratio is None else f" = {ratio:.2f} x the grid's wall time"
        print(
            f"{o.name}: {'met' if ok else 'MISSED'} - reached the grid's best {when}"
            f"{ratio_text} (bar: at most 0.33 x {grid.wall:.1f} s = {budget:.1f} s); "
            f"its best {o.best:.5f} vs the grid's {target:.5f}."
        )
    met = sum(v["met"] for v in verdicts)
    passed = met == len(verdicts)
    print(
        f"\nVERDICT: {'PASS' if passed else 'FAIL'} - the tuner matched or beat the grid's best "
        f"cross-validated ROC AUC ({target:.5f}) within a third of the grid's wall time in "
        f"{met} of {len(verdicts)} runs."
    )
    write_results(
        "tuning_vs_search",
        {
            "training_rows": len(X),
            "folds": FOLDS,
            "n_jobs": N_JOBS,
            "grid": grid_values,
            "target": target,
            "budget_seconds": budget,
            "outcomes": [{**o.to_dict(), "to_target_seconds": o.time_to(target)} for o in outcomes],
            "verdicts": verdicts,
            "passed": passed,
        },
        arguments=jsonable(vars(args)),
        libraries=("mlops-kit", "numpy", "pandas", "scikit-learn", "optuna", "joblib"),
        started=started,
    )
    return 0 if passed else 1


def training_rows() -> tuple[Any, np.ndarray, Any]:
    """Features, coded target and roles of the training rows of the bundled time split."""
    from mlops_kit.config import load_config
    from mlops_kit.data import (
        binary_target,
        dataset_info,
        load_dataset,
        profile_dataset,
        split_data,
    )

    config = load_config(dataset_info("benefit_claims").config)
    df = load_dataset("benefit_claims")
    roles = profile_dataset(df, "benefit_claims").roles
    split = split_data(
        df, method=config.split, test_size=config.test_size, time_column=config.time_column
    )
    print(split.description)
    y = binary_target(df[config.target], config.positive_label)[split.train_index]
    X = df.loc[:, list(roles.features)].iloc[split.train_index].reset_index(drop=True)
    return X, y, roles


def distributions() -> dict[str, Any]:
    """The tuner's default HGB search space as scikit-learn sampling distributions."""
    from scipy.stats import loguniform, uniform

    from mlops_kit.tune._space import default_search_space

    out: dict[str, Any] = {}
    for name, dim in default_search_space("hgb", "classification").items():
        assert dim.low is not None
        assert dim.high is not None
        if dim.type == "float":
            out[name] = (
                loguniform(dim.low, dim.high) if dim.log else uniform(dim.low, dim.high - dim.low)
            )
        else:  # integers: a fine grid of whole numbers, log-spaced for log scales
            space = np.geomspace if dim.log else np.linspace
            out[name] = sorted({int(v) for v in np.round(space(dim.low, dim.high, 200))})
    return out


if __name__ == "__main__":
    raise SystemExit(main())
