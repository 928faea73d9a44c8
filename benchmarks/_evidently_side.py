"""Evidently's side of ``drift_report.py``: run under a Python that has Evidently.

Usage (called by ``drift_report.py --evidently-python PY``)::

    PY benchmarks/_evidently_side.py REFERENCE_ROWS CURRENT_ROWS

Builds the same synthetic batches (``drift_report.make_batch``, same seeds), times
Evidently's ``DataDriftPreset`` and prints one JSON line: the seconds and the columns
Evidently calls drifted. Needs only Evidently, pandas and NumPy, not mlops_kit.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path


def main() -> None:
    spec = importlib.util.spec_from_file_location(
        "drift_bench", Path(__file__).with_name("drift_report.py")
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from evidently import Report  # type: ignore[import-not-found]
    from evidently.presets import DataDriftPreset  # type: ignore[import-not-found]

    reference = bench.make_batch(int(sys.argv[1]), drifted=False, seed=1)
    current = bench.make_batch(int(sys.argv[2]), drifted=True, seed=2)
    start = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
    seconds = time.perf_counter() - start
    drifted, methods = [], {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if not config["type"].endswith("ValueDrift"):
            continue
        method, value, threshold = config["method"], metric["value"], config["threshold"]
        methods[config["column"]] = method
        # Distances drift at or above the threshold; p-values below it.
        is_p_value = "p_value" in method or "test" in method.lower()
        if (value < threshold) if is_p_value else (value >= threshold):
            drifted.append(config["column"])
    print(json.dumps({"seconds": seconds, "drifted": drifted, "methods": methods}))


if __name__ == "__main__":
    main()
