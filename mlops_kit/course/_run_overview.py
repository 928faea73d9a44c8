"""One run folder at a glance, read without failing on a damaged file.

:func:`read_run` reads a run folder's files through the kit's own readers (the run
tour's stage summaries, :meth:`GateDecision.from_dict
<mlops_kit.governance.GateDecision.from_dict>`) into a :class:`RunOverview`: when it ran,
who trained what on which data, its status, the gate's decision, the headline metrics,
the worst four-fifths ratio and the registered version. A file that is missing or cannot
be read is named in ``problems`` (:class:`RunReader`), and the rest is read as usual.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from .._io import read_json
from ..errors import MlopsKitError
from ..governance import GateDecision
from ..pipeline import MONITORING_FILE, STAGE_FILES, STAGES, Stage
from ..pipeline._folder import (
    DATASET_FILE,
    FIGURES_FILE,
    GATE_FILE,
    METRICS_FILE,
    REGISTRATION_FILE,
    REPORT_FILE,
    TRAINING_FILE,
)
from ._stage_words import HEADLINE
from ._tour import StageSummary, _summary

__all__ = ["RunOverview", "RunReader", "read_run", "when_words"]

_STATUS_FILE = "status.json"


_RUN_FILE = "run.json"


_T = TypeVar("_T")


def when_words(stamp: str | None) -> str:
    """A time stamp (ISO 8601) as ``2025-01-06 09:15 UTC``; "not recorded" when absent."""
    if not stamp:
        return "not recorded"
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M %Z").strip()
    except ValueError:
        return stamp


class RunReader:
    """Reads a run folder's JSON files, noting each one that cannot be read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []

    def note(self, name: str, exc: BaseException) -> None:
        reason = str(exc).splitlines()[0] if str(exc) else "no details"
        self.problems.append(f"{name} cannot be read ({type(exc).__name__}: {reason}).")

    def json(self, name: str) -> dict[str, Any] | None:
        """The file's JSON object; None when it is absent or unreadable (noted)."""
        path = self.folder / name
        if not path.is_file():
            return None
        try:
            data = read_json(path)
        except (OSError, ValueError) as exc:
            self.note(name, exc)
            return None
        if not isinstance(data, dict):
            self.problems.append(
                f"{name} cannot be read (it holds a {type(data).__name__}, not a JSON object)."
            )
            return None
        return data

    def attempt(self, name: str, read: Callable[[], _T]) -> _T | None:
        """``read()``, or None with the problem noted when the file's content is damaged."""
        try:
            return read()
        except (KeyError, TypeError, ValueError, AttributeError, MlopsKitError) as exc:
            self.note(name, exc)
            return None


@dataclass(frozen=True)
class RunOverview:
    """One run folder at a glance (one row of the dashboard's table).

    Attributes
    ----------
    run_id, run_dir : str
    started_at : str or None
        When it started (ISO 8601), from ``status.json`` or ``run.json``.
    trained_by : str or None
    data : str or None
        The data file's name.
    model : str or None
        The model family (``"logistic"``, ``"hgb"``, ...).
    task : str or None
    status : str
        ``"complete"``, ``"failed at stage X"``, ``"running (stage X)"``, or for
        stages run by hand ``"incomplete: stopped after stage X"`` or
        ``"incomplete: files missing from stage X"``.
    error : str or None
        The failed stage's error message.
    decision : str or None
        The gate's decision: ``"promote"``, ``"refuse"`` or ``"needs human approval"``.
    reasons : tuple of str
        Why, in the gate's words.
    metrics : tuple of (label, value)
        The headline metrics, values exactly as in ``metrics.json``.
    worst_ratio : float or None
        The lowest four-fifths ratio over the protected attributes.
    worst_attribute : str or None
    model_name : str or None
    version : int or None
        The registered version, from ``registration.json``.
    aliases : tuple of str
        The version's aliases in the registry now (they move when others are promoted).
    report : str or None
        The HTML report's path, when it exists.
    problems : tuple of str
        Files missing or unreadable, in words.
    """

    run_id: str
    run_dir: str
    started_at: str | None = None
    trained_by: str | None = None
    data: str | None = None
    model: str | None = None
    task: str | None = None
    status: str = "incomplete"
    error: str | None = None
    decision: str | None = None
    reasons: tuple[str, ...] = ()
    metrics: tuple[tuple[str, float], ...] = ()
    worst_ratio: float | None = None
    worst_attribute: str | None = None
    model_name: str | None = None
    version: int | None = None
    aliases: tuple[str, ...] = ()
    report: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every stage finished."""
        return self.status == "complete"

    def decision_words(self, *, full: bool = False) -> str:
        """The gate's decision with its first reason (``full``: every reason)."""
        if self.decision is None:
            return "not gated"
        reasons = list(self.reasons if full else self.reasons[:1])
        if reasons:  # "Refused: 4 checks failed" after "refuse" says it twice
            reasons[0] = re.sub(r"^[A-Z][a-z]+: ", "", reasons[0])
        return f"{self.decision}: {' '.join(reasons)}".strip().rstrip(":")

    def metrics_words(self) -> str:
        """The headline metrics, e.g. ``'ROC AUC 0.724, precision 0.383, recall 0.245'``."""
        return ", ".join(f"{label} {value:.3f}" for label, value in self.metrics) or "none"

    def fairness_words(self) -> str:
        """The worst four-fifths ratio and whether it passes, in words."""
        if self.worst_ratio is None:
            return "not measured"
        verdict = "passes" if self.worst_ratio >= 0.8 else "below 0.8, fails"
        return f"{self.worst_ratio:.2f} by {self.worst_attribute} ({verdict})"

    def version_words(self) -> str:
        """The registered version and its aliases, e.g. ``'claims v2 (champion)'``."""
        if self.version is None:
            return "not registered"
        return f"{self.model_name} v{self.version} ({', '.join(self.aliases) or 'no alias'})"

    def label(self) -> str:
        """A short label for a list of runs."""
        return f"{self.run_id}: {self.status}; gate {self.decision or 'not reached'}"

    def summary(self) -> str:
        """The run in one or two sentences."""
        text = (
            f"Run {self.run_id} ({when_words(self.started_at)}, trained by "
            f"{self.trained_by or 'unknown'}, {self.model or 'model unknown'} on "
            f"{self.data or 'unknown data'}): {self.status}. "
            f"Gate: {self.decision_words().rstrip('.')}. "
            f"Metrics: {self.metrics_words()}. Worst four-fifths ratio: "
            f"{self.fairness_words()}. Registry: {self.version_words()}."
        )
        if self.error:
            text += f" Error: {self.error}"
        if self.problems:
            text += f" Problems: {' '.join(self.problems)}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["metrics"] = dict(self.metrics)
        for key in ("reasons", "aliases", "problems"):
            out[key] = list(out[key])
        return out


def _status(reader: RunReader, stages: tuple[StageSummary, ...]) -> tuple[str, str | None]:
    """(status in words, error) from status.json, else from the stages' files."""
    status = reader.json(_STATUS_FILE)
    if status is not None:
        state = status.get("status")
        error = status.get("error") or {}
        if state == "failed":
            return f"failed at stage {error.get('stage', 'unknown')}", error.get("message")
        if state == "succeeded":
            return "complete", None
        if state == "running":
            done = [s.get("stage") for s in status.get("stages", [])]
            upcoming = [s.value for s in STAGES if s.value not in done]
            return f"running (stage {upcoming[0] if upcoming else 'report'})", None
    ran = [s for s in stages if s.ran]
    if len(ran) == len(stages):
        return "complete", None
    if not ran:
        return "not started: no stage has written its files", None
    gaps = [s.stage.value for s in stages[: stages.index(ran[-1])] if not s.ran]
    if gaps:
        return f"incomplete: files missing from stage {', '.join(gaps)}", None
    return f"incomplete: stopped after stage {ran[-1].stage.value}", None


def _expected_missing(
    stages: tuple[StageSummary, ...], status: str, recorded: set[str] | None
) -> list[str]:
    """Files missing from stages that should have written them.

    ``recorded``: the stages ``status.json`` says succeeded (a reproduction skips the
    register stage; an older run may predate a stage), else judged from the files.
    """
    if recorded is not None:
        expected = recorded
    elif status.startswith("failed at stage "):
        failed = status.removeprefix("failed at stage ")
        names = [s.value for s in STAGES]
        expected = set(names[: names.index(failed)]) if failed in names else set()
    elif status == "complete":
        expected = {s.stage.value for s in stages}
    else:  # by hand: every stage up to the last one that wrote something
        last = max((i for i, s in enumerate(stages) if s.written), default=-1)
        expected = {s.stage.value for s in stages[: last + 1]}
    return [
        f"{name} is missing (written by the {s.stage.value} stage)."
        for s in stages
        if s.stage.value in expected
        for name in s.missing
    ]


def _culprit(folder: Path, stage: Stage) -> str:
    """The file to blame if the stage's summary cannot be read: the first unreadable one."""
    files = STAGE_FILES[stage]
    names = [files.writes[0], *([FIGURES_FILE] if files.figures else [])]
    for name in names:
        if (folder / name).is_file():
            try:
                read_json(folder / name)
            except (OSError, ValueError):
                return name
    return names[0]


def _stages(
    reader: RunReader, run_id: str, counts: Counter[tuple[str, str]]
) -> tuple[StageSummary, ...]:
    """Every stage's summary, from the tour's reader; a damaged file is noted, not fatal."""
    out = []
    for stage in STAGES:
        main = _culprit(reader.folder, stage)
        summary = reader.attempt(main, partial(_summary, stage, reader.folder, run_id, counts))
        if summary is None:
            decided = f"Cannot say: {main} cannot be read."
            summary = _summary(stage, reader.folder, run_id, counts, decided=decided)
        out.append(summary)
    return tuple(out)


def _worst_ratio(metrics: dict[str, Any]) -> tuple[float | None, str | None]:
    ratios = [
        (float(result["four_fifths"]["ratio"]), attribute)
        for attribute, result in (metrics.get("fairness") or {}).items()
        if isinstance(result.get("four_fifths"), dict)
        and isinstance(result["four_fifths"].get("ratio"), int | float)
    ]
    if not ratios:
        return None, None
    return min(ratios)


def _headline(metrics: dict[str, Any]) -> tuple[tuple[str, float], ...]:
    task = metrics.get("task", "classification")
    return tuple(
        (label, float(metrics[key]))
        for key, label in HEADLINE.get(task, ())
        if isinstance(metrics.get(key), int | float)
    )


def read_run(
    folder: Path,
    counts: Counter[tuple[str, str]],
    aliases: dict[tuple[str, int], tuple[str, ...]] | None,
) -> tuple[RunOverview, tuple[StageSummary, ...], dict[str, Any]]:
    """A run's overview, its stage summaries, and the files read (for the details)."""
    reader = RunReader(folder)
    context = reader.json(_RUN_FILE) or {}
    status_file = reader.json(_STATUS_FILE) or {}
    run_id = str(context.get("run_id") or status_file.get("run_id") or folder.name)
    stages = _stages(reader, run_id, counts)
    status, error = _status(reader, stages)
    files = {
        name: reader.json(name)
        for name in (DATASET_FILE, TRAINING_FILE, METRICS_FILE, REGISTRATION_FILE, MONITORING_FILE)
    }
    gate = _read_gate(reader)
    dataset = files[DATASET_FILE] or {}
    training = files[TRAINING_FILE] or {}
    metrics = files[METRICS_FILE] or {}
    registration = files[REGISTRATION_FILE] or {}
    headline = reader.attempt(METRICS_FILE, lambda: _headline(metrics)) or ()
    worst = reader.attempt(METRICS_FILE, lambda: _worst_ratio(metrics)) or (None, None)
    version = registration.get("version")
    name = registration.get("model_name")
    if aliases is not None and name and isinstance(version, int):
        now = aliases.get((name, version), ())
    else:  # no registry to ask: the alias given at registration
        now = (registration["alias"],) if registration.get("alias") else ()
    recorded = status_file.get("stages")
    succeeded = (
        {str(e.get("stage")) for e in recorded if e.get("status") == "succeeded"}
        if isinstance(recorded, list) and all(isinstance(e, dict) for e in recorded)
        else None
    )
    missing = _expected_missing(stages, status, succeeded)
    problems = list(dict.fromkeys(reader.problems + missing))
    overview = RunOverview(
        run_id=run_id,
        run_dir=str(folder),
        started_at=status_file.get("started_at") or context.get("started_at"),
        trained_by=context.get("trained_by"),
        data=Path(dataset["path"]).name if isinstance(dataset.get("path"), str) else None,
        model=training.get("model"),
        task=training.get("task") or metrics.get("task"),
        status=status,
        error=error,
        decision=gate.decision.value if gate else None,
        reasons=gate.reasons if gate else (),
        metrics=headline,
        worst_ratio=worst[0],
        worst_attribute=worst[1],
        model_name=name,
        version=version if isinstance(version, int) else None,
        aliases=tuple(now),
        report=str(folder / REPORT_FILE) if (folder / REPORT_FILE).is_file() else None,
        problems=tuple(problems),
    )
    return overview, stages, {**files, GATE_FILE: gate}


def _read_gate(reader: RunReader) -> GateDecision | None:
    data = reader.json(GATE_FILE)
    if data is None:
        return None
    return reader.attempt(GATE_FILE, lambda: GateDecision.from_dict(data))
