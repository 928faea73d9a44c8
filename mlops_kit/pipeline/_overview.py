"""A workspace at a glance: every run, what the gate decided, the registry and the audit log.

The facilitator dashboard (:class:`mlops_kit.widgets.PipelineDashboard`) is a view over
two plain functions. :func:`workspace_overview` reads every run folder in
``<workspace>/runs/``, the registry's current aliases (``mlops.db``) and the audit
log's hash chain (``audit/``); :func:`run_details` (in ``_overview_details``) reads one
run's metrics, gate checks, fairness by group, monitoring alerts, figures and report.
They read through the kit's own readers (:func:`run_tour`, :func:`release_summary`,
:meth:`GateDecision.from_dict <mlops_kit.governance.GateDecision.from_dict>`,
:meth:`Registry.versions <mlops_kit.registry.Registry.versions>`,
:meth:`AuditLog.verify <mlops_kit.audit.AuditLog.verify>`) and never fail on a damaged
run folder: a file that is missing or cannot be read is named in ``problems``, and the
other runs are shown as usual. Nothing is written, and a workspace without a registry
is not given one.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .._io import read_json
from ..errors import ConfigError, MlopsKitError, did_you_mean
from ._monitoring import MONITORING_FILE
from ._runner import STAGES, Stage
from ._stages import (
    DATASET_FILE,
    FIGURES_FILE,
    GATE_FILE,
    METRICS_FILE,
    REGISTRATION_FILE,
    REPORT_FILE,
    TRAINING_FILE,
)
from ._tour import _HEADLINE, STAGE_FILES, StageSummary, _summary

if TYPE_CHECKING:
    import pandas as pd

    from ..audit import AuditVerification
    from ..governance import GateDecision

__all__ = [
    "WORKSPACE_ENV",
    "RunOverview",
    "WorkspaceOverview",
    "find_workspace",
    "workspace_overview",
]

#: The environment variable naming the workspace when no parameter does.
WORKSPACE_ENV = "MLOPS_WORKSPACE"
#: How to make a first run, said when a workspace has none.
MAKE_A_RUN = "make pipeline"
_STATUS_FILE = "status.json"
_RUN_FILE = "run.json"
_T = TypeVar("_T")


def find_workspace(
    workspace: str | os.PathLike[str] | None = None, *, default: str | os.PathLike[str] = "."
) -> Path:
    """The workspace folder: ``workspace`` if given, else ``$MLOPS_WORKSPACE``, else ``default``.

    Relative paths are resolved against the working folder (a notebook's own folder
    under Jupyter, Voila and papermill).

    Raises
    ------
    ConfigError
        When the folder does not exist.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> find_workspace(folder) == Path(folder).resolve()
    True
    """
    given = workspace if workspace not in (None, "") else os.environ.get(WORKSPACE_ENV) or default
    folder = Path(given).expanduser().resolve()
    if not folder.is_dir():
        raise ConfigError(
            "The 'workspace' parameter (or the MLOPS_WORKSPACE environment variable) must "
            "name an existing folder holding runs/, mlops.db and audit/. "
            f"Got {str(given)!r}, which resolves to {str(folder)!r} and does not exist."
        )
    return folder


def _when(stamp: str | None) -> str:
    if not stamp:
        return "not recorded"
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M %Z").strip()
    except ValueError:
        return stamp


class _Reader:
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
            f"Run {self.run_id} ({_when(self.started_at)}, trained by "
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


def _status(reader: _Reader, stages: tuple[StageSummary, ...]) -> tuple[str, str | None]:
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
    reader: _Reader, run_id: str, counts: Counter[tuple[str, str]]
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
        for key, label in _HEADLINE.get(task, ())
        if isinstance(metrics.get(key), int | float)
    )


def _read_run(
    folder: Path,
    counts: Counter[tuple[str, str]],
    aliases: dict[tuple[str, int], tuple[str, ...]] | None,
) -> tuple[RunOverview, tuple[StageSummary, ...], dict[str, Any]]:
    """A run's overview, its stage summaries, and the files read (for the details)."""
    reader = _Reader(folder)
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


def _read_gate(reader: _Reader) -> GateDecision | None:
    from ..governance import GateDecision

    data = reader.json(GATE_FILE)
    if data is None:
        return None
    return reader.attempt(GATE_FILE, lambda: GateDecision.from_dict(data))


@dataclass(frozen=True)
class WorkspaceOverview:
    """Every run of a workspace, the registry's aliases and the audit log's state.

    Attributes
    ----------
    workspace : str
    runs : tuple of RunOverview
        Newest first.
    audit : str
        The audit chain in words: ``"intact, N entries"``, ``"empty"``, or the first
        broken entry.
    audit_ok : bool
    registry : str
        Where the aliases were read, or why they were not.
    """

    workspace: str
    runs: tuple[RunOverview, ...]
    audit: str
    audit_ok: bool
    registry: str
    _counts: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False, compare=False)
    _aliases: dict[tuple[str, int], tuple[str, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def empty(self) -> bool:
        """True when the workspace has no run folders."""
        return not self.runs

    @property
    def run_ids(self) -> list[str]:
        """The runs' ids, newest first."""
        return [r.run_id for r in self.runs]

    def __getitem__(self, run_id: str) -> RunOverview:
        """One run, by id."""
        for run in self.runs:
            if run.run_id == run_id:
                return run
        raise ConfigError(
            f"The run id must be one of the workspace's runs ({', '.join(self.run_ids) or 'none'})"
            f". Got {run_id!r} instead.{did_you_mean(str(run_id), self.run_ids)}"
        )

    def summary(self) -> str:
        """The workspace in a few sentences, or how to make a first run."""
        if self.empty:
            return (
                f"No runs yet in {self.workspace}: its runs/ folder has no run folders. "
                f"Make one with `{MAKE_A_RUN}` (or `mlops-kit run --config CONFIG`), then "
                f"press Refresh. Audit log: {self.audit}."
            )
        states = Counter(
            "failed"
            if r.status.startswith("failed")
            else "complete"
            if r.complete
            else "incomplete"
            for r in self.runs
        )
        decisions = Counter(r.decision for r in self.runs if r.decision)
        parts = ", ".join(f"{n} {state}" for state, n in states.items())
        gated = ", ".join(f"{n} {d}" for d, n in decisions.items()) or "none gated"
        damaged = sum(bool(r.problems) for r in self.runs)
        problems = f" {damaged} with missing or unreadable files." if damaged else ""
        return (
            f"{len(self.runs)} run(s) in {self.workspace}: {parts}. Gate decisions: "
            f"{gated}.{problems} Audit log: {self.audit}."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per run: when, who, data, model, status, gate, metrics, fairness, registry."""
        import pandas as pd

        rows = [
            {
                "run": r.run_id,
                "started": _when(r.started_at),
                "trained by": r.trained_by or "unknown",
                "data": r.data or "unknown",
                "model": r.model or "unknown",
                "status": r.status,
                "gate": r.decision_words(),
                "metrics": r.metrics_words(),
                "worst four-fifths ratio": r.fairness_words(),
                "registry": r.version_words(),
                "problems": " ".join(r.problems) or "none",
            }
            for r in self.runs
        ]
        columns = ["run", "started", "trained by", "data", "model", "status", "gate"]
        columns += ["metrics", "worst four-fifths ratio", "registry", "problems"]
        return pd.DataFrame(rows, columns=columns).set_index("run")

    def to_html(self) -> str:
        """The summary and the table of runs, as accessible HTML."""
        esc = html.escape
        summary = f"<p class='mlops-overview-summary'>{esc(self.summary())}</p>"
        if self.empty:
            return summary
        frame = self.to_frame()
        head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in ("run", *frame.columns))
        body = "".join(
            f"<tr><th scope='row'>{esc(str(run))}</th>"
            + "".join(f"<td>{esc(str(v))}</td>" for v in row)
            + "</tr>"
            for run, row in zip(frame.index, frame.itertuples(index=False), strict=True)
        )
        return (
            summary + "<table class='mlops-overview-table'><caption>Every run in the "
            f"workspace, newest first ({len(self.runs)})</caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return "\n".join([self.summary(), *(f"- {r.summary()}" for r in self.runs)])


def _audit_state(folder: Path) -> tuple[str, bool, Counter[tuple[str, str]]]:
    """The audit chain in words, whether it is intact, and (run_id, event) counts."""
    from ..audit import default_audit_log

    log = default_audit_log(folder)
    result: AuditVerification = log.verify()
    counts: Counter[tuple[str, str]] = Counter()
    if result.ok and result.n_entries:
        counts.update((e.run_id or "", e.event) for e in log.entries())
    if result.ok:
        words = f"intact, {result.n_entries} entries" if result.n_entries else "empty"
        return words, True, counts
    where = f"entry seq {result.first_bad_seq}" if result.first_bad_seq else "its head file"
    return f"BROKEN at {where} ({result.kind}): {result.problem}", False, counts


def _registry_aliases(
    folder: Path, names: set[str], tracking_uri: str | None
) -> tuple[dict[tuple[str, int], tuple[str, ...]] | None, str]:
    """(model name, version) -> aliases now, and where they were read, in words."""
    from ..registry import Registry

    if tracking_uri is None and not (folder / "mlops.db").is_file():
        return None, f"no registry yet ({folder / 'mlops.db'} does not exist)"
    registry = Registry(tracking_uri, workspace=folder)
    out: dict[tuple[str, int], tuple[str, ...]] = {}
    try:
        for name in sorted(names):
            table = registry.versions(name)
            if table.empty:
                continue
            for number, aliases in zip(table.index.astype(int), table["aliases"], strict=True):
                out[(name, int(number))] = tuple(a for a in str(aliases).split(", ") if a)
    except Exception as exc:  # a registry that cannot be read must not stop the dashboard
        return None, f"the registry at {registry.tracking_uri} cannot be read ({exc})"
    return out, f"aliases read from {registry.tracking_uri}"


def _run_folders(folder: Path) -> list[Path]:
    runs = folder / "runs"
    if not runs.is_dir():
        return []
    return [p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")]


def workspace_overview(
    workspace: str | os.PathLike[str] = ".", *, tracking_uri: str | None = None
) -> WorkspaceOverview:
    """Every run folder of a workspace, with the registry's aliases and the audit state.

    Parameters
    ----------
    workspace : path-like, default "."
        The folder holding ``runs/``, ``mlops.db`` and ``audit/``.
    tracking_uri : str, optional
        The MLflow registry to read aliases from; default the workspace's ``mlops.db``
        when it exists (none is created).

    Returns
    -------
    WorkspaceOverview
        Runs newest first. A damaged run folder is listed with its ``problems``.

    Raises
    ------
    ConfigError
        When the workspace folder does not exist.

    Examples
    --------
    >>> import tempfile
    >>> workspace_overview(tempfile.mkdtemp()).empty
    True
    """
    folder = find_workspace(workspace)
    audit, audit_ok, counts = _audit_state(folder)
    folders = _run_folders(folder)
    names = set()
    for run in folders:
        registration = _Reader(run).json(REGISTRATION_FILE) or {}
        if isinstance(registration.get("model_name"), str):
            names.add(registration["model_name"])
    aliases, registry = (
        _registry_aliases(folder, names, tracking_uri) if names else (None, "nothing registered")
    )
    runs = [_read_run(run, counts, aliases)[0] for run in folders]
    runs.sort(key=lambda r: (r.started_at or "", r.run_id), reverse=True)
    return WorkspaceOverview(
        workspace=str(folder),
        runs=tuple(runs),
        audit=audit,
        audit_ok=audit_ok,
        registry=registry,
        _counts=counts,
        _aliases=aliases,
    )
