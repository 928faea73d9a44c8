"""Reading the registry: versions, aliases, runs, gate decisions, and verified loads.

:class:`_Reader` is the part of :class:`~mlops_kit.registry.Registry` that only reads:
a version by number or alias, every version of a model, where the aliases point, the
gate's decision recorded with a version, the MLflow run of a pipeline run, and a model
loaded only after its stored file's SHA-256 matches the one recorded at registration.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_json, sha256_file
from ..errors import ArtefactError, MlopsKitError
from ..governance import GateDecision
from ..train import load_model
from ._store import (
    TAG_CARD,
    TAG_GATE,
    TAG_RUN_ID,
    TAG_SHA256,
    TAG_TRAINED_BY,
    Alias,
    ArtefactIntegrityError,
    ModelVersion,
    _import_mlflow,
    _Store,
)

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline


class _Reader(_Store):
    """The registry's reading verbs; :class:`~mlops_kit.registry.Registry` adds the writing."""

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

    def gate_decision(self, model_name: str, version: int) -> GateDecision:
        """The gate's decision recorded with a version (:class:`GateDecision`)."""
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
