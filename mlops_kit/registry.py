"""Versioning and reproducibility: MLflow tracking, a model registry, safe artefacts.

Every pipeline run is recorded in MLflow: its parameters, metrics, figures, report,
the data's SHA-256 and a *manifest* (code version, Python and package versions, seeds,
tuning settings, the whole config). Its model is registered as a new, immutable
version of a registered model:

* The model is stored with skops, never pickle. At registration the registry records
  the stored file's SHA-256 on the version; loading recomputes it and refuses a file
  that changed (:class:`ArtefactIntegrityError`). The types allowed when loading come
  from the kit's own allow-list (:data:`mlops_kit.train.TRUSTED_TYPES`), never from
  the artefact.
* Aliases (``champion``, ``challenger``) replace MLflow's deprecated stages. Every move
  of an alias is written to the audit log and tagged on the version.

By default the tracking store is a SQLite file ``mlops.db`` in the working folder
(nothing to start) with artefacts in ``mlartifacts/`` beside it; any MLflow tracking
server URI can be given instead. Writes to a local SQLite store are serialised with a
file lock so that two pipelines running at once lose nothing.
"""

from __future__ import annotations

import enum
import html
import json
import logging
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ._io import read_json, sha256_file
from ._resources import repo_root
from .errors import ArtefactError, MlopsKitError

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

__all__ = [
    "MANIFEST_PACKAGES",
    "Alias",
    "ArtefactIntegrityError",
    "ModelVersion",
    "Registry",
    "build_manifest",
    "code_version",
    "default_tracking_uri",
]

#: Packages whose exact versions a manifest records and a logged model requires.
MANIFEST_PACKAGES = (
    "mlops-kit",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "skops",
    "fairlearn",
    "optuna",
    "mlflow",
    "papermill",
)
#: Tag names the kit writes on MLflow runs and model versions.
TAG_RUN_ID = "mlops.run_id"
TAG_SHA256 = "mlops.artefact_sha256"
TAG_DATA_SHA256 = "mlops.data_sha256"
TAG_GATE = "mlops.gate_decision"
TAG_TRAINED_BY = "mlops.trained_by"
TAG_CODE = "mlops.code_version"


class ArtefactIntegrityError(ArtefactError):
    """A stored artefact's bytes no longer match the SHA-256 recorded at registration."""


class Alias(enum.StrEnum):
    """Registry aliases: the model in use, and the one waiting to replace it."""

    CHAMPION = "champion"
    CHALLENGER = "challenger"


class _Audit(Protocol):
    def append(
        self, event: str, /, *, actor: str, run_id: str | None = None, **details: Any
    ) -> Any: ...


def _import_mlflow() -> Any:
    """Import MLflow and the parts the kit uses, hiding two warnings MLflow raises about
    its own code on import: SQLAlchemy 2.1's deprecation of the ``noload`` strategy (in
    MLflow's SQL store) and "Any type hint is inferred as AnyType" (MLflow's chat-agent
    schemas, built when ``mlflow.pyfunc`` is imported). Neither concerns this project;
    any other warning still shows."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*``noload`` loader strategy is deprecated")
        warnings.filterwarnings("ignore", message=r".*Any type hint is inferred as AnyType")
        import mlflow
        import mlflow.pyfunc
        import mlflow.sklearn
        import mlflow.store.model_registry.sqlalchemy_store
        import mlflow.store.tracking.sqlalchemy_store
    return mlflow


def default_tracking_uri(workspace: str | os.PathLike[str] = ".") -> str:
    """``sqlite:///<workspace>/mlops.db``: an embedded store in the working folder."""
    return f"sqlite:///{(Path(workspace) / 'mlops.db').resolve()}"


def _package_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in MANIFEST_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def code_version(root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The code's version: the git commit and whether the working tree has changes.

    Returns ``{"commit": ..., "dirty": bool, "label": ...}`` where ``label`` is the
    commit, ``"<commit>-dirty"`` when tracked files changed since it, or
    ``"unknown (not a git checkout)"`` for an installed kit.
    """
    folder = Path(root) if root is not None else repo_root()
    if folder is None:
        return {"commit": None, "dirty": None, "label": "unknown (not a git checkout)"}

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=folder, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": None, "dirty": None, "label": "unknown (not a git checkout)"}
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit, "dirty": dirty, "label": commit + ("-dirty" if dirty else "")}


def build_manifest(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Everything needed to trace and repeat a run, from the files in its folder.

    Code version (from ``run.json``, captured when the run started), Python and package
    versions, the data file and its SHA-256, seeds, tuning settings and results, and
    the whole config.
    """
    import yaml

    folder = Path(run_dir)
    context = read_json(folder / "run.json") if (folder / "run.json").is_file() else {}
    dataset = read_json(folder / "dataset.json")
    training = read_json(folder / "training.json")
    tuning = read_json(folder / "tuning.json") if (folder / "tuning.json").is_file() else None
    config = (
        yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))
        if (folder / "config.yml").is_file()
        else None
    )
    return {
        "run_id": context.get("run_id", folder.name),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": context.get("code_version") or code_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": _package_versions(),
        "data": {"path": dataset["path"], "sha256": dataset["sha256"]},
        "seeds": {"seed": training["seed"]},
        "model": {"family": training["model"], "tuned_params": training.get("tuned_params")},
        "tuning": tuning,
        "trained_by": context.get("trained_by"),
        "config": config,
    }


@dataclass(frozen=True)
class ModelVersion:
    """One immutable version of a registered model."""

    name: str
    version: int
    run_id: str | None
    sha256: str | None
    aliases: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    created_at: str | None = None

    @property
    def gate_decision(self) -> str | None:
        """The gate's decision recorded at registration."""
        return self.tags.get(TAG_GATE)

    def _repr_html_(self) -> str:
        aliases = ", ".join(self.aliases) or "none"
        return (
            f"<p>Model <strong>{html.escape(self.name)}</strong> version {self.version} "
            f"(aliases: {html.escape(aliases)}; gate: {html.escape(self.gate_decision or '?')}; "
            f"SHA-256 <code>{html.escape((self.sha256 or '')[:16])}...</code>)</p>"
        )


def _pip_requirements() -> list[str]:
    versions = _package_versions()
    return [
        f"{name}=={version}"
        for name, version in versions.items()
        if version != "not installed"
        and name in ("scikit-learn", "skops", "numpy", "pandas", "scipy")
    ]


def _flat_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Overall numeric metrics and each attribute's disparity figures, for MLflow."""
    out = {
        k: float(v)
        for k, v in metrics.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    for attr, f in metrics.get("fairness", {}).items():
        for key in (
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "equalized_odds_ratio",
        ):
            value = f.get(key)
            if isinstance(value, int | float):
                out[f"fairness.{attr}.{key}"] = float(value)
    return out


def _flat_params(config: Mapping[str, Any] | None, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (config or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= _flat_params(value, prefix=f"{name}.")
        else:
            out[name] = json.dumps(value) if not isinstance(value, str) else value
    return {k: v[:6000] for k, v in out.items()}


class Registry:
    """The MLflow tracking store and model registry used by the pipeline.

    Parameters
    ----------
    tracking_uri : str, optional
        Any MLflow tracking URI; default :func:`default_tracking_uri` of ``workspace``.
    workspace : path-like, default "."
        Folder of the default SQLite store and its ``mlartifacts/``.
    audit : optional
        An audit log (:class:`mlops_kit.audit.AuditLog`); registrations, alias moves and
        verified loads are appended to it.

    Creating a Registry does nothing; the store is created on first use.
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        workspace: str | os.PathLike[str] = ".",
        audit: _Audit | None = None,
    ) -> None:
        self.workspace = Path(workspace).resolve()
        self.tracking_uri = tracking_uri or default_tracking_uri(self.workspace)
        self.audit = audit

    # --- plumbing ---------------------------------------------------------------------

    @property
    def _local_db(self) -> Path | None:
        prefix = "sqlite:///"
        return (
            Path(self.tracking_uri[len(prefix) :]) if self.tracking_uri.startswith(prefix) else None
        )

    @contextmanager
    def _session(self) -> Iterator[Any]:
        """Point MLflow at this store (restoring any previous URI) and, for a local
        SQLite store, hold a cross-process lock: SQLite allows one writer at a time."""
        from filelock import FileLock

        mlflow = _import_mlflow()
        previous = mlflow.get_tracking_uri() if mlflow.is_tracking_uri_set() else None
        db = self._local_db
        lock = FileLock(str(db) + ".lock", timeout=300) if db is not None else None
        if db is not None:
            db.parent.mkdir(parents=True, exist_ok=True)
        progress = os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR")
        # MLflow reports routine steps (creating tables, finding a uv project) at INFO;
        # learners see only its warnings and errors while the kit works.
        logger = logging.getLogger("mlflow")
        level = logger.level
        logger.setLevel(max(level, logging.WARNING))
        try:
            if lock is not None:
                lock.acquire()
            mlflow.set_tracking_uri(self.tracking_uri)
            # Download progress bars would clutter the pipeline's output and notebooks.
            os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
            yield mlflow
        finally:
            logger.setLevel(level)
            if progress is None:
                os.environ.pop("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", None)
            else:
                os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = progress
            if previous:
                mlflow.set_tracking_uri(previous)
            else:
                _unset_tracking_uri()
            if lock is not None:
                lock.release()

    def _client(self) -> Any:
        _import_mlflow()
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.tracking_uri)

    def _experiment_id(self, mlflow: Any, name: str) -> str:
        experiment = mlflow.get_experiment_by_name(name)
        if experiment is not None:
            return str(experiment.experiment_id)
        location = (
            (self.workspace / "mlartifacts" / name).resolve().as_uri()
            if self._local_db is not None
            else None
        )
        return str(mlflow.create_experiment(name, artifact_location=location))

    def _record(self, event: str, actor: str, run_id: str | None, **details: Any) -> None:
        if self.audit is not None:
            self.audit.append(event, actor=actor, run_id=run_id, **details)

    # --- recording a run and registering its model -------------------------------------

    def register_run(
        self,
        run_dir: str | os.PathLike[str],
        *,
        model_name: str,
        actor: str,
        alias: Alias | str | None = None,
        alias_reason: str = "",
    ) -> ModelVersion:
        """Record a finished run in MLflow and register its model as a new version.

        Logs the manifest, parameters, metrics, figures, report and gate decision; logs
        the model (skops, explicit requirements); registers it; records the stored
        artefact's SHA-256 on the version; and, if ``alias`` is given, points it at the
        new version.
        """
        from .train import TRUSTED_TYPES, load_model

        folder = Path(run_dir)
        manifest = build_manifest(folder)
        (folder / "manifest.json").write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
        metrics = read_json(folder / "metrics.json")
        gate = read_json(folder / "gate.json") if (folder / "gate.json").is_file() else {}
        estimator = load_model(folder / "model.skops")
        run_id = manifest["run_id"]
        tags = {
            TAG_RUN_ID: run_id,
            TAG_DATA_SHA256: manifest["data"]["sha256"],
            TAG_CODE: manifest["code_version"]["label"],
            TAG_TRAINED_BY: manifest.get("trained_by") or actor,
            TAG_GATE: gate.get("decision", "not gated"),
        }
        with self._session() as mlflow:
            experiment = self._experiment_id(mlflow, model_name)
            with mlflow.start_run(experiment_id=experiment, run_name=run_id, tags=tags) as run:
                mlflow.log_params(_flat_params(manifest["config"] or {}))
                mlflow.log_metrics(_flat_metrics(metrics))
                for name in (
                    "manifest.json",
                    "metrics.json",
                    "gate.json",
                    "tuning.json",
                    "dataset.json",
                    "training.json",
                    "report.html",
                    "config.yml",
                ):
                    if (folder / name).is_file():
                        mlflow.log_artifact(str(folder / name))
                if (folder / "figures").is_dir():
                    mlflow.log_artifacts(str(folder / "figures"), artifact_path="figures")
                info = mlflow.sklearn.log_model(
                    estimator,
                    name="model",
                    signature=_signature(estimator, read_json(folder / "dataset.json")),
                    serialization_format="skops",
                    skops_trusted_types=list(TRUSTED_TYPES),
                    conda_env=_conda_env(),
                )
                mlflow_run_id = run.info.run_id
            version = mlflow.register_model(info.model_uri, model_name, tags=tags)
            client = self._client()
            digest = self._stored_sha256(client, model_name, str(version.version))
            client.set_model_version_tag(model_name, str(version.version), TAG_SHA256, digest)
        self._record(
            "registered",
            actor,
            run_id,
            model_name=model_name,
            version=int(version.version),
            artefact_sha256=digest,
            mlflow_run_id=mlflow_run_id,
            gate_decision=tags[TAG_GATE],
        )
        if alias:
            self.set_alias(
                model_name,
                alias,
                int(version.version),
                actor=actor,
                reason=alias_reason or "set at registration",
                run_id=run_id,
            )
        return self.get(model_name, version=int(version.version))

    def _stored_sha256(self, client: Any, model_name: str, version: str) -> str:
        """SHA-256 of the version's stored skops file, read back from the artefact store."""
        mlflow = _import_mlflow()

        source = client.get_model_version(model_name, version).source
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=tmp))
            files = sorted(local.rglob("*.skops"))
            if len(files) != 1:
                raise ArtefactError(
                    f"Model {model_name} version {version} should hold one .skops file; "
                    f"found {len(files)} at {source}."
                )
            return sha256_file(files[0])

    # --- aliases ------------------------------------------------------------------------

    def set_alias(
        self,
        model_name: str,
        alias: Alias | str,
        version: int,
        *,
        actor: str,
        reason: str,
        run_id: str | None = None,
    ) -> None:
        """Point ``alias`` at ``version``, recording the move (from which version, who, why)."""
        name = Alias(alias).value
        with self._session():
            client = self._client()
            model = client.get_registered_model(model_name)
            previous = model.aliases.get(name)
            client.set_registered_model_alias(model_name, name, str(version))
            client.set_model_version_tag(
                model_name,
                str(version),
                f"mlops.alias.{name}",
                f"{datetime.now(UTC).isoformat(timespec='seconds')} by {actor}: {reason}",
            )
        self._record(
            "alias_changed",
            actor,
            run_id,
            model_name=model_name,
            alias=name,
            from_version=None if previous is None else int(previous),
            to_version=int(version),
            reason=reason,
        )

    # --- reading ------------------------------------------------------------------------

    def get(
        self, model_name: str, *, version: int | None = None, alias: Alias | str | None = None
    ) -> ModelVersion:
        """A registered version, by number or alias."""
        _import_mlflow()
        from mlflow.exceptions import MlflowException

        if (version is None) == (alias is None):
            raise MlopsKitError("Give exactly one of version or alias to find a model version.")
        client = self._client()
        try:
            mv = (
                client.get_model_version(model_name, str(version))
                if version is not None
                else client.get_model_version_by_alias(model_name, Alias(alias).value)  # type: ignore[arg-type]
            )
        except MlflowException as exc:
            which = f"version {version}" if version is not None else f"alias '{alias}'"
            raise ArtefactError(
                f"The registry at {self.tracking_uri} has no model '{model_name}' {which} "
                f"({exc.error_code})."
            ) from None
        return ModelVersion(
            name=model_name,
            version=int(mv.version),
            run_id=mv.tags.get(TAG_RUN_ID),
            sha256=mv.tags.get(TAG_SHA256),
            aliases=tuple(sorted(mv.aliases)),
            tags=dict(mv.tags),
            created_at=datetime.fromtimestamp(mv.creation_timestamp / 1000, UTC).isoformat(
                timespec="seconds"
            ),
        )

    def versions(self, model_name: str) -> pd.DataFrame:
        """Every version of a model: aliases, gate decision, run, artefact hash."""
        import pandas as pd

        client = self._client()
        found = client.search_model_versions(f"name='{model_name}'")
        # Search results leave aliases out; the registered model holds the alias map.
        by_version: dict[int, list[str]] = {}
        if found:
            for alias, number in client.get_registered_model(model_name).aliases.items():
                by_version.setdefault(int(number), []).append(alias)
        rows = [
            {
                "version": int(mv.version),
                "aliases": ", ".join(sorted(by_version.get(int(mv.version), []))),
                "gate_decision": mv.tags.get(TAG_GATE),
                "run_id": mv.tags.get(TAG_RUN_ID),
                "trained_by": mv.tags.get(TAG_TRAINED_BY),
                "sha256": (mv.tags.get(TAG_SHA256) or "")[:16],
            }
            for mv in found
        ]
        return (
            pd.DataFrame(rows).sort_values("version").set_index("version")
            if rows
            else pd.DataFrame()
        )

    def load(
        self,
        model_name: str,
        *,
        version: int | None = None,
        alias: Alias | str | None = None,
        actor: str,
    ) -> Pipeline:
        """Load a registered model after verifying its SHA-256; log the verified load.

        Raises
        ------
        ArtefactIntegrityError
            The stored file differs from the one registered (even by one byte).
        """
        from .train import load_model

        mlflow = _import_mlflow()
        mv = self.get(model_name, version=version, alias=alias)
        if not mv.sha256:
            raise ArtefactIntegrityError(
                f"Model {model_name} version {mv.version} has no recorded SHA-256, so its "
                "integrity cannot be checked; it was not loaded."
            )
        source = self._client().get_model_version(model_name, str(mv.version)).source
        with tempfile.TemporaryDirectory() as tmp:
            with self._session():
                local = Path(mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=tmp))
            files = sorted(local.rglob("*.skops"))
            digest = sha256_file(files[0]) if len(files) == 1 else "missing"
            if digest != mv.sha256:
                raise ArtefactIntegrityError(
                    f"Model {model_name} version {mv.version} failed its integrity check: the "
                    f"stored file's SHA-256 is {digest[:16]}..., but {mv.sha256[:16]}... was "
                    "recorded at registration. It was not loaded; the artefact has been "
                    "altered or replaced."
                )
            model = load_model(files[0])
        self._record(
            "model_loaded",
            actor,
            mv.run_id,
            model_name=model_name,
            version=mv.version,
            artefact_sha256=digest,
            hash_verified=True,
        )
        return model

    def gate_decision(self, model_name: str, version: int) -> Any:
        """The gate's decision recorded with a version (:class:`GateDecision`)."""
        from .governance import GateDecision

        mlflow = _import_mlflow()
        mlflow_run = self._client().get_model_version(model_name, str(version)).run_id
        with tempfile.TemporaryDirectory() as tmp, self._session():
            try:
                path = mlflow.artifacts.download_artifacts(
                    run_id=mlflow_run, artifact_path="gate.json", dst_path=tmp
                )
            except Exception:  # MLflow raises several types for a missing artefact
                raise ArtefactError(
                    f"Model {model_name} version {version} has no recorded gate decision, "
                    "so it cannot be approved; run it through the pipeline's gate first."
                ) from None
            return GateDecision.from_dict(read_json(path))

    def approve(self, model_name: str, version: int, *, approver: str, justification: str) -> Any:
        """Promote a version to champion on a named person's written approval.

        The governance rules apply (:func:`mlops_kit.governance.approve`): the approver
        is named, is not the person who trained the model, is on the policy's list of
        approvers if it has one, and writes a justification. Overriding a refusal is
        recorded as an override. The approval is written to the audit log before the
        alias moves, so no promotion goes unrecorded.

        Returns
        -------
        mlops_kit.governance.Approval
        """
        from .governance import approve

        decision = self.gate_decision(model_name, version)
        approval = approve(
            decision,
            approver=approver,
            justification=justification,
            approvers=decision.policy.get("approvers", ()),
        )
        run_id = self.get(model_name, version=version).run_id
        self._record(
            "overridden" if approval.kind == "override" else "approved",
            approval.approver,
            run_id,
            model_name=model_name,
            version=version,
            decision_seen=str(approval.decision_seen),
            trained_by=approval.trained_by,
            justification=approval.justification,
        )
        with self._session():
            self._client().set_model_version_tag(
                model_name, str(version), "mlops.approval", json.dumps(approval.to_dict())
            )
        self.set_alias(
            model_name,
            Alias.CHAMPION,
            version,
            actor=approval.approver,
            reason=f"{approval.kind} by {approval.approver}: {approval.justification}",
            run_id=run_id,
        )
        return approval

    def find_run(self, run_id: str) -> dict[str, Any]:
        """The MLflow run that recorded pipeline run ``run_id`` (by its tag)."""
        client = self._client()
        experiments = [e.experiment_id for e in client.search_experiments()]
        runs = client.search_runs(experiments, filter_string=f"tags.`{TAG_RUN_ID}` = '{run_id}'")
        if not runs:
            raise ArtefactError(
                f"No run '{run_id}' is recorded in the registry at {self.tracking_uri}."
            )
        run = runs[0]
        return {
            "mlflow_run_id": run.info.run_id,
            "tags": dict(run.data.tags),
            "metrics": dict(run.data.metrics),
            "artifact_uri": run.info.artifact_uri,
        }


def _signature(estimator: Any, dataset: Mapping[str, Any]) -> Any:
    """The model's input and output schema, from a few rows of its data."""
    import pandas as pd
    from mlflow.models import infer_signature

    from .data import ColumnRoles
    from .train import standardise_missing

    roles = ColumnRoles.from_dict(dataset["profile"]["roles"])
    # pandas' own string dtypes are normalised, as the model's first step does.
    sample = standardise_missing(pd.read_csv(dataset["path"], nrows=50)[list(roles.features)])
    # Whole-number features are declared as doubles: a missing value later arrives as a
    # float, which an integer schema would reject (MLflow's own advice).
    whole = sample.select_dtypes("integer").columns
    sample[whole] = sample[whole].astype("float64")
    output = (
        estimator.predict_proba(sample)[:, 1]
        if hasattr(estimator, "predict_proba")
        else estimator.predict(sample)
    )
    return infer_signature(sample, output)


def _unset_tracking_uri() -> None:
    """Return MLflow to "no tracking URI set", leaving no global state behind.

    MLflow's set_tracking_uri(None) clears both its global and the MLFLOW_TRACKING_URI
    variable it exports for subprocesses (None is accepted though not in its hints).
    """
    import mlflow

    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]


def _conda_env() -> dict[str, Any]:
    """The model's environment, given in full so MLflow infers nothing (inference is slow
    and, in a uv-made environment without pip, warns that pip's version is unknown)."""
    return {
        "name": "mlops-kit-model",
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={platform.python_version()}",
            "pip",
            {"pip": _pip_requirements()},
        ],
    }
