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

from ._manifest import code_version
from ._registry import Registry
from ._store import Alias, ArtefactIntegrityError, ModelVersion, default_tracking_uri

__all__ = [
    "Alias",
    "ArtefactIntegrityError",
    "ModelVersion",
    "Registry",
    "code_version",
    "default_tracking_uri",
]
