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
other runs are shown as usual (one run is read by ``_run_overview``). Nothing is
written, and a workspace without a registry is not given one.
"""

from __future__ import annotations

import html
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..audit import default_audit_log
from ..errors import ConfigError, did_you_mean
from ..pipeline._folder import REGISTRATION_FILE
from ..registry import Registry
from ._run_overview import RunOverview, RunReader, read_run, when_words

if TYPE_CHECKING:
    import pandas as pd

    from ..audit import AuditVerification

__all__ = [
    "MAKE_A_RUN",
    "WORKSPACE_ENV",
    "WorkspaceOverview",
    "find_workspace",
    "workspace_overview",
]

#: The environment variable naming the workspace when no parameter does.
WORKSPACE_ENV = "MLOPS_WORKSPACE"
#: How to make a first run, said when a workspace has none.
MAKE_A_RUN = "make pipeline"


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
                "started": when_words(r.started_at),
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
        registration = RunReader(run).json(REGISTRATION_FILE) or {}
        if isinstance(registration.get("model_name"), str):
            names.add(registration["model_name"])
    aliases, registry = (
        _registry_aliases(folder, names, tracking_uri) if names else (None, "nothing registered")
    )
    runs = [read_run(run, counts, aliases)[0] for run in folders]
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
