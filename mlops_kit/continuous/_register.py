"""The replay's models in the model registry: each registered once, aliases moved there.

Part of :mod:`mlops_kit.continuous`; see the package docstring.

Every model a replay trains (the first champion and each challenger) becomes a version
of its own registered model, ``<model name>-replay`` by default, so a replay never moves
the aliases of the model in service. A challenger gets the ``challenger`` alias when it
is trained; a promotion moves ``champion``. Each version is tagged with the replay's id
and step (``mlops.run_id`` = ``<simulation id>:<batch>``): a resumed replay finds the
version it registered before it stopped and registers nothing twice.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from ..config import PipelineConfig
    from ..registry import Registry
    from ._steps import Stream

TAG_SIMULATION = "mlops.simulation_id"
TAG_REPLAY_VERSION = "mlops.replay_version"


def replay_model_name(config: PipelineConfig) -> str:
    """The registered model name a replay of ``config`` records its models under."""
    if config.continuous.model_name:
        return config.continuous.model_name
    base = config.registry.model_name or config.name or Path(config.data).stem
    return f"{base}-replay"


def require_card_keys(config: PipelineConfig) -> None:
    """Refuse to register a replay's models while the model card's human parts are empty.

    A replay's models have no run folder to draft a card from, but the rule is the
    pipeline's: nothing enters the registry until a person has written what the card
    needs (config key ``transparency``).

    Raises
    ------
    DocumentationError
        Naming every empty key.
    """
    from ..errors import DocumentationError
    from ..governance import CARD_HUMAN_KEYS

    t = config.transparency
    missing = [k for k in CARD_HUMAN_KEYS if not getattr(t, k)]
    if not t.factors_note and not config.protected:
        missing.append("factors_note")
    if missing:
        keys = ", ".join(f"transparency.{k}" for k in missing)
        raise DocumentationError(
            f"The replay registers its models, so the model card's human-written parts must "
            f"be filled in first; {len(missing)} are empty: {keys}. Write them in the "
            "config, or set continuous.register_models: false to replay without registering.",
            problems=tuple(missing),
            document="model card",
        )


class ReplayRegistry:
    """Registers a replay's models and moves their aliases, each exactly once.

    Parameters
    ----------
    config : PipelineConfig
        Gives the tracking URI (``registry.tracking_uri``) and the model name.
    stream : Stream
        Its first rows give the registered models' input signature.
    simulation_id : str
        The replay's id; with the batch it tags each version.
    workspace : path-like
        Folder of the default SQLite store when the config names no tracking URI.
    """

    def __init__(
        self,
        config: PipelineConfig,
        stream: Stream,
        simulation_id: str,
        *,
        workspace: str | os.PathLike[str],
    ) -> None:
        require_card_keys(config)
        self.model_name = replay_model_name(config)
        self.simulation_id = simulation_id
        self._config = config
        self._sample = stream.X.head(50)
        self._workspace = workspace
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        """The registry, opened on first use (importing MLflow only then)."""
        if self._registry is None:
            from ..registry import Registry

            self._registry = Registry(self._config.registry.tracking_uri, workspace=self._workspace)
        return self._registry

    @property
    def tracking_uri(self) -> str:
        """Where the replay's models are registered."""
        return self.registry.tracking_uri

    def register(
        self,
        model: Pipeline,
        *,
        step: str,
        replay_version: int,
        actor: str,
        record: dict[str, Any],
        out: Path,
    ) -> int:
        """Register ``model`` for replay step ``step`` once; return its registry version.

        ``record`` (what it was trained on, its metrics, the gate's reasons) is written
        beside the replay's models and logged with the MLflow run.
        """
        run_id = f"{self.simulation_id}:{step}"
        found = self.registry.find_version(self.model_name, run_id=run_id)
        if found is not None:
            return found.version
        path = out / "models" / f"v{replay_version}.json"
        atomic_write_json(path, record)
        # MLflow metric names allow no brackets: four_fifths_ratio[sex] -> ...ratio.sex
        metrics = {
            k.replace("[", ".").rstrip("]"): float(v)
            for k, v in record.get("metrics", {}).items()
            if v is not None
        }
        version = self.registry.register_model(
            model,
            model_name=self.model_name,
            actor=actor,
            run_id=run_id,
            sample=self._sample,
            params={k: str(v)[:6000] for k, v in record.get("params", {}).items()},
            metrics=metrics,
            tags={
                TAG_SIMULATION: self.simulation_id,
                TAG_REPLAY_VERSION: f"v{replay_version}",
                "mlops.gate_decision": str(record.get("gate_decision") or "not gated"),
                "mlops.trained_on": str(record.get("trained_on", "")),
            },
            artifacts=[path],
        )
        return version.version

    def move(self, alias: str, version: int, *, actor: str, reason: str) -> None:
        """Point ``alias`` of the replay's model at ``version`` (idempotent)."""
        current = self.registry.aliases(self.model_name)
        if current.get(alias) == version:
            return
        self.registry.set_alias(self.model_name, alias, version, actor=actor, reason=reason)
