"""Evidently's side of ``drift_report.py``: run under a Python that has Evidently.

``drift_report.py`` times this side with ``benchmarks/_timing.py`` exactly as it times the
kit: :func:`make_batches` builds the same seeded batches (untimed), :func:`run_preset`
is the timed work (cold: the first call in a fresh process after importing Evidently;
warm: the median of repeats after a warm-up call), and :func:`verdicts` reports the
columns Evidently calls drifted. Needs only Evidently, pandas and NumPy, not mlops_kit.

It can also be run on its own::

    PY benchmarks/_evidently_side.py REFERENCE_ROWS CURRENT_ROWS

which prints one JSON line: the seconds of one report, the first call in that process
after Evidently was imported (cold), and the verdicts.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any

from drift_report import make_batches


def run_preset(batches: tuple[Any, Any]) -> Any:
    """The timed work: Evidently's ``DataDriftPreset`` on the current batch."""
    from evidently import Report  # type: ignore[import-not-found]
    from evidently.presets import DataDriftPreset  # type: ignore[import-not-found]

    reference, current = batches
    return Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)


def verdicts(snapshot: Any, state: Any = None) -> dict[str, Any]:
    """The columns Evidently calls drifted and the method it used for each."""
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
    return {"drifted": drifted, "methods": methods}


def main() -> None:
    importlib.import_module("evidently.presets")  # imported before the clock starts

    batches = make_batches(int(sys.argv[1]), int(sys.argv[2]))
    start = time.perf_counter()
    snapshot = run_preset(batches)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "timing": "cold (first call)", **verdicts(snapshot)}))


__all__ = ["make_batches", "run_preset", "verdicts"]

if __name__ == "__main__":
    main()
