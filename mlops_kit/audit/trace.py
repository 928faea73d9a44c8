"""Follow a registered model back to everything that made it, and who signed it off.

An auditor, a freedom-of-information request or an Algorithmic Transparency Recording
Standard (ATRS) record asks the same questions of a model in use: which run produced
it, from which data, with which code, trained by whom, what did the governance gate
decide, who signed it off, and can the record be trusted? :func:`trace_version`
answers them from the model registry's tags and the audit log, and
:func:`manifest_table` lays out a run's manifest with why each item matters.

Examples
--------
>>> manifest = {"data": {"path": "claims.csv", "sha256": "ab" * 32},
...             "code_version": {"label": "1a2b3c"}, "seeds": {"seed": 0},
...             "python": "3.11.7", "packages": {"scikit-learn": "1.9.1"}}
>>> manifest_table(manifest).loc["data", "recorded"]
'claims.csv, SHA-256 abababababababab...'
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_json
from ..errors import ArtefactError, ConfigError
from ._entry import AuditEntry
from ._log import AuditLog
from ._verify import AuditVerification

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SIGN_OFF_EVENTS",
    "VERSIONING_TERMS",
    "VersionTrace",
    "manifest_table",
    "trace_version",
]

#: The terms of versioning and audit, in plain words, for the lessons.
VERSIONING_TERMS = {
    "SHA-256 hash": "a 64-character fingerprint of a file's exact bytes. Change one byte and "
    "the fingerprint is completely different, so equal hashes prove equal files.",
    "run": "one execution of the pipeline, with its own folder `runs/<run id>/` holding its "
    "config, results, model and executed notebooks.",
    "manifest": "the run's record of everything needed to trace and repeat it: data hash, "
    "code version, library versions, seeds, tuning settings and the whole config.",
    "model version": "a numbered, unchangeable copy of a trained model in the registry. A "
    "new model is a new version; an old version is never overwritten.",
    "alias": "a movable label on one version: `champion` is the model in use, `challenger` "
    "the one waiting for a decision. Every move is recorded.",
    "seed": "the starting number of a random process. The same seed gives the same 'random' "
    "choices, so a run can be repeated exactly.",
    "audit log": "an append-only record of who did what, when: each entry carries the hash "
    "of the one before it (a hash chain), so an edit anywhere breaks the chain.",
    "sign-off": "a named person's recorded decision on a model the gate did not promote: an "
    "approval, an override of a refusal, or a decline, always with a written reason.",
}

#: Audit events that record a named person's sign-off on a model version.
SIGN_OFF_EVENTS = ("approved", "overridden", "declined")

_WHY = {
    "data": "Proves which data the model learnt from: a changed file has another hash.",
    "code version": "Ties the model to the exact code; '-dirty' means uncommitted changes.",
    "environment": "Library versions change results; they are needed to re-run the model.",
    "seeds": "Random steps (split, tuning, bootstrap) repeat exactly with the same seed.",
    "model": "What was actually trained, with the parameters tuning chose.",
    "tuning": "How the parameters were chosen, and whether the search can be repeated.",
    "config": "Every choice in one file: target, protected groups, threshold, policy.",
    "trained by": "Who is accountable for training; they may not approve the model.",
    "created at": "When the version was recorded, for the audit timeline.",
}


def _short(digest: str | None) -> str:
    return f"{digest[:16]}..." if digest else "not recorded"


def manifest_table(manifest: str | os.PathLike[str] | dict[str, Any]) -> pd.DataFrame:
    """A run's manifest as a table: what was recorded, and why it matters for audit.

    Parameters
    ----------
    manifest : path-like or dict
        A run folder (holding ``manifest.json``, written when the run was registered),
        the ``manifest.json`` file itself, or its content.

    Returns
    -------
    pandas.DataFrame
        Indexed by item (data, code version, environment, seeds, model, tuning,
        config, trained by, created at; items the manifest lacks are left out), with
        the columns ``recorded`` and ``why it matters``.

    Raises
    ------
    ArtefactError
        No manifest at that path (only registered runs carry one).
    """
    import pandas as pd

    if isinstance(manifest, dict):
        m: dict[str, Any] = manifest
    else:
        path = Path(manifest)
        path = path / "manifest.json" if path.is_dir() else path
        if not path.is_file():
            raise ArtefactError(
                f"No manifest at {path}: only registered runs carry a manifest.json."
            )
        m = read_json(path)
    rows: dict[str, str] = {}
    if "data" in m:
        data = m["data"]
        rows["data"] = f"{Path(data['path']).name}, SHA-256 {_short(data['sha256'])}"
    if "code_version" in m:
        rows["code version"] = str(m["code_version"]["label"])
    if "packages" in m:
        packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        rows["environment"] = f"Python {m.get('python', '?')}; {packages}"
    if "seeds" in m:
        rows["seeds"] = ", ".join(f"{k}={v}" for k, v in m["seeds"].items())
    if m.get("model"):
        params = m["model"].get("tuned_params") or {}
        shown = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()
        )
        rows["model"] = m["model"]["family"] + (f" ({shown})" if shown else "")
    tuning = m.get("tuning")
    if tuning:
        rows["tuning"] = (
            "skipped"
            if tuning.get("skipped")
            else f"{tuning['n_trials']} trials optimising {tuning['metric']}; "
            + ("reproducible" if tuning.get("reproducible") else "not reproducible")
        )
    config = m.get("config")
    if config:
        policy = config.get("policy") or {}
        rows["config"] = (
            f"{len(config)} keys; target {config.get('target')!r}; threshold "
            f"{config.get('threshold')}; policy high-impact {policy.get('high_impact')}"
        )
    if m.get("trained_by"):
        rows["trained by"] = str(m["trained_by"])
    if m.get("created_at"):
        rows["created at"] = str(m["created_at"])
    frame = pd.DataFrame(
        {"recorded": list(rows.values()), "why it matters": [_WHY[k] for k in rows]},
        index=pd.Index(list(rows), name="item"),
    )
    return frame


@dataclass(frozen=True)
class VersionTrace:
    """Everything recorded about one model version, from the registry and the audit log.

    Attributes
    ----------
    model_name : str
    version : int
    aliases : tuple of str
        The aliases pointing at it now (``champion``, ``challenger``).
    run_id : str or None
        The pipeline run that produced it (its run folder's name).
    mlflow_run_id : str or None
        MLflow's own id for the run that recorded it.
    data_sha256, artefact_sha256 : str or None
        The SHA-256 of the training data and of the stored model file.
    code_version, trained_by, gate_decision : str or None
        As tagged on the version at registration.
    sign_offs : tuple of AuditEntry
        Approvals, overrides and declines of this version, oldest first.
    run_entries : tuple of AuditEntry
        Every audit entry of the run, oldest first.
    verification : AuditVerification or None
        The audit log's check; ``None`` when no log was given.
    """

    model_name: str
    version: int
    aliases: tuple[str, ...]
    run_id: str | None
    mlflow_run_id: str | None
    data_sha256: str | None
    artefact_sha256: str | None
    code_version: str | None
    trained_by: str | None
    gate_decision: str | None
    sign_offs: tuple[AuditEntry, ...] = ()
    run_entries: tuple[AuditEntry, ...] = field(default=(), repr=False)
    verification: AuditVerification | None = None

    def _sign_off_words(self, entry: AuditEntry) -> str:
        verb = {
            "approved": "approved it",
            "overridden": "overrode the gate's refusal",
            "declined": "declined to promote it",
        }
        return (
            f"{entry.actor} {verb[entry.event]} on {entry.timestamp[:10]} "
            f"(audit entry seq {entry.seq}, hash {entry.hash[:12]}...)"
        )

    def summary(self) -> str:
        """The trail in plain words."""
        alias = f" ({', '.join(self.aliases)})" if self.aliases else ""
        parts = [
            f"{self.model_name} version {self.version}{alias} was produced by run "
            f"{self.run_id} from data with SHA-256 {_short(self.data_sha256)}, using code "
            f"version {self.code_version}, trained by {self.trained_by}.",
            f"The governance gate decided '{self.gate_decision}'.",
        ]
        if self.sign_offs:
            parts.append("Sign-offs: " + "; ".join(map(self._sign_off_words, self.sign_offs)) + ".")
        else:
            parts.append("No one has signed it off in the audit log.")
        if self.verification is None:
            parts.append("No audit log was given, so nothing above is proven by one.")
        elif self.verification.ok:
            parts.append(
                f"The audit log is intact ({self.verification.n_entries} entries), so these "
                "entries are as they were written."
            )
        else:
            parts.append(
                f"The audit log fails verification ({self.verification.kind}): "
                f"{self.verification.problem}"
            )
        return " ".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """One row per fact: what it is and its recorded value."""
        import pandas as pd

        rows = [
            ("model version", f"{self.model_name} version {self.version}"),
            ("aliases", ", ".join(self.aliases) or "none"),
            ("pipeline run", str(self.run_id)),
            ("MLflow run", str(self.mlflow_run_id)),
            ("data SHA-256", str(self.data_sha256)),
            ("model file SHA-256", str(self.artefact_sha256)),
            ("code version", str(self.code_version)),
            ("trained by", str(self.trained_by)),
            ("gate decision", str(self.gate_decision)),
        ]
        rows += [(f"sign-off ({e.event})", self._sign_off_words(e)) for e in self.sign_offs]
        if self.verification is not None:
            rows.append(("audit log", "intact" if self.verification.ok else "FAILS verification"))
        return pd.DataFrame(
            {"recorded": [v for _, v in rows]}, index=pd.Index([k for k, _ in rows], name="fact")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "model_name": self.model_name,
            "version": self.version,
            "aliases": list(self.aliases),
            "run_id": self.run_id,
            "mlflow_run_id": self.mlflow_run_id,
            "data_sha256": self.data_sha256,
            "artefact_sha256": self.artefact_sha256,
            "code_version": self.code_version,
            "trained_by": self.trained_by,
            "gate_decision": self.gate_decision,
            "sign_offs": [e.to_dict() for e in self.sign_offs],
            "run_entries": [e.to_dict() for e in self.run_entries],
            "verification": None if self.verification is None else self.verification.to_dict(),
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><th scope="row" style="text-align:left">{html.escape(str(k))}</th>'
            f"<td><code>{html.escape(str(v))}</code></td></tr>"
            for k, v in self.to_frame()["recorded"].items()
        )
        return (
            '<div class="mlops-trace">'
            f"<table><caption>Trail of {html.escape(self.model_name)} version "
            f"{self.version}</caption><tbody>{rows}</tbody></table>"
            f"<p>{html.escape(self.summary())}</p></div>"
        )


def trace_version(
    registry: Any,
    model_name: str,
    *,
    version: int | None = None,
    alias: str | None = None,
    run_id: str | None = None,
    audit: AuditLog | None = None,
) -> VersionTrace:
    """Trace one registered version: its run, data, code, trainer, gate and sign-offs.

    Parameters
    ----------
    registry : mlops_kit.registry.Registry
    model_name : str
    version : int, optional
    alias : str, optional
        An alias such as ``"champion"``.
    run_id : str, optional
        The pipeline run that produced the version. Give exactly one of ``version``,
        ``alias`` and ``run_id``.
    audit : AuditLog, optional
        The audit log to read and verify; default the registry's own.

    Returns
    -------
    VersionTrace

    Raises
    ------
    ArtefactError
        No such model, version, alias or run.
    ConfigError
        Not exactly one of ``version``, ``alias`` and ``run_id`` given.
    """
    given = {"version": version, "alias": alias, "run_id": run_id}
    if sum(value is not None for value in given.values()) != 1:
        shown = ", ".join(f"{k}={v!r}" for k, v in given.items())
        raise ConfigError(
            "trace_version needs exactly one of 'version', 'alias' and 'run_id' to find a "
            f"model version. Got {shown}."
        )
    if run_id is not None:
        version = _version_of_run(registry, model_name, run_id)
    mv = registry.get(model_name, version=version, alias=alias)
    run_id = mv.run_id
    mlflow_run_id = None
    if run_id:
        try:
            mlflow_run_id = registry.find_run(run_id)["mlflow_run_id"]
        except ArtefactError:
            mlflow_run_id = None
    log = audit if audit is not None else getattr(registry, "audit", None)
    sign_offs, run_entries, verification = _from_log(log, model_name, mv.version, run_id)
    return VersionTrace(
        model_name=model_name,
        version=mv.version,
        aliases=tuple(mv.aliases),
        run_id=run_id,
        mlflow_run_id=mlflow_run_id,
        data_sha256=mv.data_sha256,
        artefact_sha256=mv.sha256,
        code_version=mv.code_version,
        trained_by=mv.trained_by,
        gate_decision=mv.gate_decision,
        sign_offs=sign_offs,
        run_entries=run_entries,
        verification=verification,
    )


def _version_of_run(registry: Any, model_name: str, run_id: str) -> int:
    """The latest version of ``model_name`` that pipeline run ``run_id`` produced."""
    table = registry.versions(model_name)
    found = [
        int(v) for v, r in zip(table.index, table.get("run_id", []), strict=False) if r == run_id
    ]
    if not found:
        raise ArtefactError(
            f"No version of model '{model_name}' was produced by run '{run_id}' in the "
            f"registry at {registry.tracking_uri}."
        )
    return found[-1]


def _from_log(
    log: Any, model_name: str, version: int, run_id: str | None
) -> tuple[tuple[AuditEntry, ...], tuple[AuditEntry, ...], AuditVerification | None]:
    """The version's sign-offs, its run's entries and the log's verification (if a log)."""
    if not isinstance(log, AuditLog):
        return (), (), None
    entries = log.entries()
    sign_offs = tuple(
        e
        for e in entries
        if e.event in SIGN_OFF_EVENTS
        and e.details.get("model_name") == model_name
        and e.details.get("version") == version
    )
    run_entries = tuple(e for e in entries if run_id and e.run_id == run_id)
    return sign_offs, run_entries, log.verify()
