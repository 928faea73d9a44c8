"""What a pipeline run recorded, read once from its folder, and the human-written fields.

:class:`RunFacts` reads the files each stage wrote (``dataset.json``, ``training.json``,
``metrics.json``, ...) and the run's config; :func:`load_settings` gives the
``transparency`` section a person wrote. PyYAML loads when a run's config is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import read_json
from .._wording import Wording
from ..config import DocumentsSettings, validate_params
from ..errors import ArtefactError, ConfigError
from ._parts import SETTINGS_SECTION, Figure


def load_settings(
    settings: DocumentsSettings | Mapping[str, Any] | None, run_dir: Path
) -> DocumentsSettings:
    """The human-written fields: ``settings`` if given, else the run config's section.

    A run whose ``config.yml`` has no ``transparency`` section gets empty settings, so
    every human-written field shows in ``.missing``.
    """
    if isinstance(settings, DocumentsSettings):
        return settings
    if settings is None:
        config = RunFacts.read_config(run_dir)
        settings = config.get(SETTINGS_SECTION) or {}
    if not isinstance(settings, Mapping):
        raise ConfigError(
            "The 'settings' parameter must be a DocumentsSettings, a mapping of its keys, "
            f"or None (read the run's config). Got {type(settings).__name__} instead."
        )
    validated: DocumentsSettings = validate_params(
        settings, model=DocumentsSettings, source=f"{SETTINGS_SECTION} section"
    )
    return validated


#: Files a document cannot be drafted without, and the stage that writes each.
REQUIRED_FILES = {
    "dataset.json": "validate",
    "training.json": "train",
    "metrics.json": "evaluate",
}


#: Files read when present.
OPTIONAL_FILES = (
    "run.json",
    "status.json",
    "tuning.json",
    "gate.json",
    "registration.json",
    "monitoring.json",
    "manifest.json",
    "figures.json",
    "ethics_assessment.json",
)


@dataclass(frozen=True)
class RunFacts:
    """What a pipeline run recorded, read once from its folder.

    Attributes
    ----------
    run_dir : Path
    files : dict of str to object
        The parsed JSON files, by name (``"metrics.json"`` ...); optional files that
        the run did not write are absent.
    config : dict
        The run's ``config.yml`` (empty if it has none).
    """

    run_dir: Path
    files: dict[str, Any]
    config: dict[str, Any]

    @classmethod
    def read(cls, run_dir: str | os.PathLike[str]) -> RunFacts:
        """Read a run folder.

        Raises
        ------
        ArtefactError
            The folder does not exist, or a file every document needs is missing
            (naming the stage that writes it).
        """
        folder = Path(run_dir)
        if not folder.is_dir():
            raise ArtefactError(
                f"The run folder '{folder}' does not exist; pass the folder a pipeline "
                "run wrote (runs/<run-id>)."
            )
        files: dict[str, Any] = {}
        for name, stage in REQUIRED_FILES.items():
            path = folder / name
            if not path.is_file():
                raise ArtefactError(
                    f"The run folder '{folder}' has no '{name}', which the {stage} stage "
                    "writes; a document can only be drafted from a run that got at least "
                    "as far as the evaluate stage."
                )
            files[name] = read_json(path)
        for name in OPTIONAL_FILES:
            if (folder / name).is_file():
                files[name] = read_json(folder / name)
        return cls(folder, files, cls.read_config(folder))

    @staticmethod
    def read_config(run_dir: Path) -> dict[str, Any]:
        """The run's ``config.yml`` as a dictionary (empty when there is none)."""
        import yaml

        path = Path(run_dir) / "config.yml"
        if not path.is_file():
            return {}
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        return loaded if isinstance(loaded, dict) else {}

    def get(self, name: str) -> Any:
        """A parsed file, or None when the run did not write it."""
        return self.files.get(name)

    # ----------------------------------------------------------------- shortcuts
    @property
    def dataset(self) -> dict[str, Any]:
        return dict(self.files["dataset.json"])

    @property
    def training(self) -> dict[str, Any]:
        return dict(self.files["training.json"])

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.files["metrics.json"])

    @property
    def task(self) -> str:
        return str(self.metrics["task"])

    @property
    def context(self) -> dict[str, Any]:
        """``run.json``: run id, who trained, code version (defaults when absent)."""
        return dict(self.get("run.json") or {})

    @property
    def run_id(self) -> str:
        return str(self.context.get("run_id") or self.run_dir.resolve().name)

    @property
    def trained_by(self) -> str:
        gate = self.get("gate.json") or {}
        return str(
            self.context.get("trained_by")
            or gate.get("trained_by")
            or self.config.get("trained_by")
            or ""
        )

    @property
    def model_name(self) -> str:
        """The registered name, else the config's registry name or run name."""
        registration = self.get("registration.json") or {}
        registry = self.config.get("registry") or {}
        name = registration.get("model_name") or registry.get("model_name")
        if name:
            return str(name)
        label = self.config.get("name") or Path(self.dataset["path"]).stem
        return re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-") or "model"

    @property
    def started_at(self) -> str:
        status = self.get("status.json") or {}
        return str(self.context.get("started_at") or status.get("started_at") or "")

    @property
    def roles(self) -> dict[str, Any]:
        return dict(self.dataset["profile"]["roles"])

    @property
    def protected(self) -> list[str]:
        return list(self.roles.get("protected") or [])

    @property
    def features(self) -> list[str]:
        return list(self.roles.get("numeric") or []) + list(self.roles.get("categorical") or [])

    @property
    def adverse(self) -> bool:
        return self.dataset.get("positive_is") == "adverse"

    @property
    def words(self) -> Wording:
        """How the documents name a case, a person and a positive prediction."""
        return Wording.from_record(self.dataset)

    @property
    def datasheet(self) -> Path | None:
        """The datasheet beside the data file (``<name>.datasheet.md``), if there is one."""
        data = Path(self.dataset["path"])
        sheet = data.with_name(f"{data.stem}.datasheet.md")
        return sheet if sheet.is_file() else None

    def figures(self, *names: str, prefix: str | None = None) -> tuple[Figure, ...]:
        """The run's figures called ``names`` (in that order) or starting with ``prefix``."""
        entries = self.get("figures.json") or []
        by_name = {e["name"]: e for e in entries}
        chosen = [by_name[n] for n in names if n in by_name]
        if prefix:
            chosen += [e for e in entries if e["name"].startswith(prefix)]
        out = []
        for e in chosen:
            path = self.run_dir / e["file"]
            if path.is_file():
                out.append(Figure(e["title"], e["file"], e["description"], path))
        return tuple(out)
