"""How long SHAP explanations take on the bundled claims, per explainer.

What is measured
----------------
The kit's own models (``mlops_kit.train.train_model`` on the bundled benefit claims, time
split, as the pipeline trains them) are explained with
:func:`mlops_kit.explain.explain_model` on held-out claims, timing only the SHAP
computation (``ModelExplanation.seconds``: no cross-check, no figures):

1. histogram gradient boosting (``hgb``) with the tree explainer, per 1,000 rows;
2. the 100-tree random forest (``rf``) with the tree explainer, per 1,000 rows;
3. logistic regression with the linear explainer, per 1,000 rows;
4. the sampled fallback (shap's permutation explainer on the whole pipeline, background
   of 100 claims) on the boosting model, per 100 rows.

Each is the best of ``--repeats`` runs after one warm-up run, so one-off costs (importing
shap; numba compiling the sampled explainer's masking code, several seconds the first
time in a process) are left out; the warm-up time is printed too. The script also
checks that every explanation adds up to the model's output (exit status 1 if not).

Why the differences
-------------------
Path-dependent TreeSHAP costs about (trees x leaves x depth squared) per row. The
boosting model has 100 shallow trees of at most 31 leaves; the forest has 100 deep trees
(``min_samples_leaf=20`` on 31,500 rows gives hundreds of leaves each), so it is roughly
ten times slower. The linear explainer is a matrix product. The sampled explainer calls
the whole pipeline on hundreds of masked copies of every row.

For reference, the issue that asked for this quoted about 1.4 s per 1,000 rows for
boosting, about 14 s for the forest, and about 14 s per 100 rows for a kernel explainer.

Run
---
``.venv/bin/python benchmarks/explain_speed.py [--rows N] [--sampled-rows M] [--repeats R]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows for the exact explainers")
    parser.add_argument(
        "--sampled-rows", type=int, default=100, help="rows for the sampled explainer"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (best is shown)")
    args = parser.parse_args(argv)

    from mlops_kit.data import load_dataset, profile_dataset
    from mlops_kit.explain import explain_model
    from mlops_kit.train import train_model

    claims = load_dataset("benefit_claims")
    roles = profile_dataset(claims, "benefit_claims").roles
    models = {
        name: train_model(claims, roles, model=name, split="time", cv_folds=0)
        for name in ("hgb", "rf", "logistic")
    }
    test = claims.iloc[models["hgb"].split.test_index]
    train = claims.iloc[models["hgb"].split.train_index]
    cases = [
        ("hgb", "auto", args.rows, 1000),
        ("rf", "auto", args.rows, 1000),
        ("logistic", "auto", args.rows, 1000),
        ("hgb", "sampled", args.sampled_rows, 100),
    ]
    ok = True
    print(f"Explaining held-out claims on one thread; best of {args.repeats} after a warm-up.")
    print(f"{'model':<10}{'explainer':<10}{'rows':>6}{'warm-up s':>11}{'best s':>9}  per unit")
    for name, explainer, rows, unit in cases:
        runs = []
        for _ in range(args.repeats + 1):
            start = time.perf_counter()
            e = explain_model(
                models[name].estimator,
                test,
                background=train,
                max_rows=rows,
                max_rows_sampled=rows,
                explainer=explainer,
                crosscheck=False,
            )
            runs.append((e.seconds, time.perf_counter() - start))
            if e.additivity_error() > 1e-4:
                print(f"  {name}: SHAP values do not add up (error {e.additivity_error():.2g})")
                ok = False
        best = min(s for s, _ in runs[1:])
        print(
            f"{name:<10}{e.explainer:<10}{e.n_rows:>6}{runs[0][0]:>11.2f}{best:>9.2f}  "
            f"{best * unit / e.n_rows:.2f} s per {unit:,} rows"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
