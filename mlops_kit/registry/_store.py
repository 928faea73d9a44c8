"""MLflow plumbing shared by the registry: importing MLflow quietly, the default
store, tags, aliases, immutable version records, and a locked session on the store."""

from __future__ import annotations

import enum
import html
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..data import ColumnRoles, load_recorded
from ..errors import ArtefactError
from ..train import standardise_missing

if TYPE_CHECKING:
    import pandas as pd

#: Tag names the kit writes on MLflow runs and model versions.
TAG_RUN_ID = "mlops.run_id"
TAG_SHA256 = "mlops.artefact_sha256"
TAG_DATA_SHA256 = "mlops.data_sha256"
TAG_GATE = "mlops.gate_decision"
TAG_TRAINED_BY = "mlops.trained_by"
TAG_CODE = "mlops.code_version"
#: "true" or "false": whether the version's model card had every required part written.
#: A version marked "false" can be neither approved nor given an alias.
TAG_CARD = "mlops.card_complete"


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

    @property
    def data_sha256(self) -> str | None:
        """SHA-256 of the data file the model was trained on."""
        return self.tags.get(TAG_DATA_SHA256)

    @property
    def code_version(self) -> str | None:
        """The code's git commit (``-dirty`` if it had uncommitted changes)."""
        return self.tags.get(TAG_CODE)

    @property
    def trained_by(self) -> str | None:
        """The person who ran the training."""
        return self.tags.get(TAG_TRAINED_BY)

    def _repr_html_(self) -> str:
        aliases = ", ".join(self.aliases) or "none"
        return (
            f"<p>Model <strong>{html.escape(self.name)}</strong> version {self.version} "
            f"(aliases: {html.escape(aliases)}; gate: {html.escape(self.gate_decision or '?')}; "
            f"SHA-256 <code>{html.escape((self.sha256 or '')[:16])}...</code>)</p>"
        )


class _Store:
    """Where the registry lives, and a locked MLflow session on it.

    Parameters
    ----------
    tracking_uri : str, optional
        Any MLflow tracking URI; default :func:`default_tracking_uri` of ``workspace``.
    workspace : path-like, default "."
        Folder of the default SQLite store and its ``mlartifacts/``.
    audit : optional
        An audit log (:class:`mlops_kit.audit.AuditLog`) that events are appended to.
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

    def _record(self, event: str, actor: str, run_id: str | None, **details: Any) -> Any:
        """Append an event to the audit log, if there is one; return its entry (or None)."""
        if self.audit is None:
            return None
        return self.audit.append(event, actor=actor, run_id=run_id, **details)


def _signature(estimator: Any, sample: pd.DataFrame) -> Any:
    """The model's input and output schema, from a few rows of its features."""
    from mlflow.models import infer_signature

    # pandas' own string dtypes are normalised, as the model's first step does.
    sample = standardise_missing(sample.head(50).copy())
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


def _dataset_sample(dataset: Mapping[str, Any]) -> pd.DataFrame:
    """A few rows of the features named in a run's ``dataset.json``, read and prepared
    as the validate stage did (any file format, the recorded rules)."""
    roles = ColumnRoles.from_dict(dataset["profile"]["roles"])
    return load_recorded(dataset).head(50)[list(roles.features)]


def _unset_tracking_uri() -> None:
    """Return MLflow to "no tracking URI set", leaving no global state behind.

    MLflow's set_tracking_uri(None) clears both its global and the MLFLOW_TRACKING_URI
    variable it exports for subprocesses (None is accepted though not in its hints).
    """
    import mlflow

    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
