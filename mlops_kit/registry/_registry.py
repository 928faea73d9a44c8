"""The registry's verbs: record and register a run, move aliases, read, load verified,
approve."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, read_json, sha256_file
from ..errors import ApprovalError, ArtefactError, DocumentationError, MlopsKitError
from ._manifest import _conda_env, _flat_metrics, _flat_params, build_manifest
from ._store import (
    TAG_CARD,
    TAG_CODE,
    TAG_DATA_SHA256,
    TAG_GATE,
    TAG_RUN_ID,
    TAG_SHA256,
    TAG_TRAINED_BY,
    Alias,
    ArtefactIntegrityError,
    ModelVersion,
    _dataset_sample,
    _import_mlflow,
    _signature,
    _Store,
)

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

#: Files of a run folder logged with its MLflow run.
_RUN_ARTEFACTS = (
    "manifest.json",
    "metrics.json",
    "gate.json",
    "tuning.json",
    "dataset.json",
    "training.json",
    "report.html",
    "config.yml",
    "model_card.md",
    "model_card.html",
    "transparency_record.json",
    "transparency_record.html",
    "stakeholder_summary.html",
)


class Registry(_Store):
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
        from ..train import load_model

        folder = Path(run_dir)
        manifest = build_manifest(folder)
        atomic_write_json(folder / "manifest.json", manifest)
        gate = read_json(folder / "gate.json") if (folder / "gate.json").is_file() else {}
        return self.register_model(
            load_model(folder / "model.skops"),
            model_name=model_name,
            actor=actor,
            run_id=manifest["run_id"],
            sample=_dataset_sample(read_json(folder / "dataset.json")),
            params=_flat_params(manifest["config"] or {}),
            metrics=_flat_metrics(read_json(folder / "metrics.json")),
            tags={
                TAG_DATA_SHA256: manifest["data"]["sha256"],
                TAG_CODE: manifest["code_version"]["label"],
                TAG_TRAINED_BY: manifest.get("trained_by") or actor,
                TAG_GATE: gate.get("decision", "not gated"),
                TAG_CARD: "false" if gate.get("card_missing") else "true",
            },
            artifacts=[folder / name for name in _RUN_ARTEFACTS if (folder / name).is_file()],
            figures=folder / "figures" if (folder / "figures").is_dir() else None,
            alias=alias,
            alias_reason=alias_reason,
        )

    def register_model(
        self,
        estimator: Any,
        *,
        model_name: str,
        actor: str,
        run_id: str,
        sample: pd.DataFrame,
        params: Mapping[str, str] | None = None,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, str] | None = None,
        artifacts: Sequence[Path] = (),
        figures: Path | None = None,
        alias: Alias | str | None = None,
        alias_reason: str = "",
    ) -> ModelVersion:
        """Record a fitted model in an MLflow run and register it as a new version.

        The lower-level verb behind :meth:`register_run`, used directly by a replay
        (:func:`mlops_kit.continuous.simulate`) whose models have no run folder.
        ``sample`` (a few rows of the features) gives the model's signature; ``tags``
        go on both the MLflow run and the model version, with ``mlops.run_id`` set to
        ``run_id``; ``artifacts`` are files logged with the run.
        """
        from ..train import TRUSTED_TYPES

        tags = {**(tags or {}), TAG_RUN_ID: run_id}
        tags.setdefault(TAG_TRAINED_BY, actor)
        tags.setdefault(TAG_GATE, "not gated")
        with self._session() as mlflow:
            experiment = self._experiment_id(mlflow, model_name)
            with mlflow.start_run(experiment_id=experiment, run_name=run_id, tags=tags) as run:
                if params:
                    mlflow.log_params(dict(params))
                if metrics:
                    mlflow.log_metrics(dict(metrics))
                for path in artifacts:
                    mlflow.log_artifact(str(path))
                if figures is not None:
                    mlflow.log_artifacts(str(figures), artifact_path="figures")
                info = mlflow.sklearn.log_model(
                    estimator,
                    name="model",
                    signature=_signature(estimator, sample),
                    serialization_format="skops",
                    skops_trusted_types=list(TRUSTED_TYPES),
                    conda_env=_conda_env(),
                )
                mlflow_run_id = run.info.run_id
            # MLflow prints "Created version ..." to stderr; the kit reports the version
            # itself (and records it in the audit log), so the learner sees one message.
            with contextlib.redirect_stderr(io.StringIO()):
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

    def find_version(self, model_name: str, *, run_id: str) -> ModelVersion | None:
        """The version registered for ``run_id`` (its ``mlops.run_id`` tag), if any.

        A replay asks this before registering, so that a resumed replay never
        registers the same model twice.
        """
        with self._session():
            client = self._client()
            if not client.search_registered_models(filter_string=f"name = '{model_name}'"):
                return None
            found = client.search_model_versions(
                f"name = '{model_name}' and tags.`{TAG_RUN_ID}` = '{run_id}'"
            )
        if not found:
            return None
        return self.get(model_name, version=min(int(mv.version) for mv in found))

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
        """Point ``alias`` at ``version``, recording the move (from which version, who, why).

        Raises
        ------
        DocumentationError
            The version was registered with an incomplete model card (tag
            ``mlops.card_complete`` is "false"): it may hold no alias.
        """
        name = Alias(alias).value
        with self._session():
            client = self._client()
            tags = client.get_model_version(model_name, str(version)).tags
            if tags.get(TAG_CARD) == "false":
                raise DocumentationError(
                    f"Model {model_name} version {version} cannot become the {name}: it was "
                    "registered with an incomplete model card, and such a version may be "
                    "neither approved nor promoted. Write the empty parts in the config's "
                    "'transparency:' section and run the pipeline again.",
                    document="model card",
                )
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

    def aliases(self, model_name: str) -> dict[str, int]:
        """Where each alias of ``model_name`` points ({} for a model not registered)."""
        with self._session():
            client = self._client()
            if not client.search_registered_models(filter_string=f"name = '{model_name}'"):
                return {}
            model = client.get_registered_model(model_name)
        return {alias: int(number) for alias, number in model.aliases.items()}

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
                "model_card": {"true": "complete", "false": "incomplete"}.get(
                    mv.tags.get(TAG_CARD, ""), "not recorded"
                ),
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
        from ..train import load_model

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
        from ..governance import GateDecision

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

    def approve(
        self,
        model_name: str,
        version: int,
        *,
        approver: str,
        justification: str,
        role: str | None = None,
    ) -> Any:
        """Promote a version to champion on a named person's written approval.

        The governance rules apply (:func:`mlops_kit.governance.approve`): the approver
        is named, is not the person who trained the model, is on the policy's list of
        approvers if it has one, and writes a justification. Overriding a refusal is
        recorded as an override. The approval is written to the audit log before the
        alias moves, so no promotion goes unrecorded.

        Parameters
        ----------
        role : str, optional
            The capacity the approver signs in (for example "Head of Benefit Policy"),
            recorded with the approval; when given it must not be empty.

        Returns
        -------
        mlops_kit.governance.Approval
        """
        from ..governance import approve

        decision = self.gate_decision(model_name, version)
        problems = _role_problems(role)
        try:
            approval = approve(
                decision,
                approver=approver,
                justification=justification,
                approvers=decision.policy.get("approvers", ()),
            )
        except ApprovalError as exc:
            raise ApprovalError(
                "\n".join([*exc.problems, *problems]), problems=(*exc.problems, *problems)
            ) from None
        if problems:
            raise ApprovalError("\n".join(problems), problems=tuple(problems))
        run_id = self.get(model_name, version=version).run_id
        roles = {"role": role.strip()} if role else {}
        self._record(
            "overridden" if approval.kind == "override" else "approved",
            approval.approver,
            run_id,
            model_name=model_name,
            version=version,
            decision_seen=str(approval.decision_seen),
            trained_by=approval.trained_by,
            justification=approval.justification,
            **roles,
        )
        with self._session():
            self._client().set_model_version_tag(
                model_name,
                str(version),
                "mlops.approval",
                json.dumps(approval.to_dict() | roles),
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

    def decline(
        self,
        model_name: str,
        version: int,
        *,
        reviewer: str,
        justification: str,
        role: str | None = None,
    ) -> Any:
        """Record a named person's decision not to promote a version the gate held back.

        The same rules as :meth:`approve` apply to who may decide and the written
        reason. Nothing moves in the registry: the version keeps its aliases, and is
        tagged ``mlops.declined``.

        Returns
        -------
        mlops_kit.audit.AuditEntry or None
            The ``declined`` audit entry (None when the registry has no audit log).
        """
        from ..governance import Decision, approve

        decision = self.gate_decision(model_name, version)
        problems = list(_role_problems(role))
        if decision.decision is Decision.PROMOTE:
            problems.insert(
                0,
                f"Model {model_name} version {version} was promoted by the gate, so there is "
                "no held-back decision to decline; move its alias instead. Got a decline.",
            )
        else:
            try:
                approve(
                    decision,
                    approver=reviewer,
                    justification=justification,
                    approvers=decision.policy.get("approvers", ()),
                )
            except ApprovalError as exc:
                problems = [*exc.problems, *problems]
        if problems:
            raise ApprovalError("\n".join(problems), problems=tuple(problems))
        record = {
            "reviewer": reviewer.strip(),
            "justification": justification.strip(),
            "decision_seen": decision.decision.value,
            "trained_by": decision.trained_by,
            **({"role": role.strip()} if role else {}),
        }
        entry = self._record(
            "declined",
            reviewer.strip(),
            self.get(model_name, version=version).run_id,
            model_name=model_name,
            version=version,
            **{k: v for k, v in record.items() if k != "reviewer"},
        )
        with self._session():
            self._client().set_model_version_tag(
                model_name, str(version), "mlops.declined", json.dumps(record)
            )
        return entry

    def stored_file(self, model_name: str, version: int) -> Path:
        """The stored model file of a version in a local artefact store (not a copy).

        Raises
        ------
        ArtefactError
            The artefacts are remote (for example on a tracking server), or the
            version's folder does not hold exactly one ``.skops`` file.
        """
        if self._local_db is None:
            raise ArtefactError(
                "stored_file works only on a local registry (a sqlite:/// tracking URI), "
                f"whose files are in this workspace. Got {self.tracking_uri!r}."
            )
        mlflow = _import_mlflow()
        source = self._client().get_model_version(model_name, str(version)).source
        with self._session():
            location = Path(mlflow.artifacts.download_artifacts(artifact_uri=source))
        root = self.workspace / "mlartifacts"
        if not location.resolve().is_relative_to(root.resolve()):
            raise ArtefactError(
                f"Model {model_name} version {version} is stored at {source}, not in this "
                f"workspace's {root}; stored_file finds only local files."
            )
        files = sorted(location.rglob("*.skops"))
        if len(files) != 1:
            raise ArtefactError(
                f"Model {model_name} version {version} should hold one .skops file; found "
                f"{len(files)} at {location}."
            )
        return files[0]

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


def _role_problems(role: str | None) -> tuple[str, ...]:
    if role is None or (isinstance(role, str) and role.strip()):
        return ()
    return (
        "The approver's role, when given, must say in what capacity they sign off (for "
        f"example 'Head of Benefit Policy'). Got {role!r}.",
    )
