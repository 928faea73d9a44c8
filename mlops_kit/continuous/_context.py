"""What stays fixed through a replay: its config and batches, the audit trail, the registry.

Part of :mod:`mlops_kit.continuous`; see the package docstring.

:class:`Replay` bundles what every batch of a replay reads; it records each event in
the audit log once (:class:`ReplayAudit`), registers each model once and moves the
``challenger`` and ``champion`` aliases. The replay's models are saved under
``models/`` in its folder as ``v<version>.skops``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._register import ReplayRegistry

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from ..audit import AuditLog
    from ..config import ContinuousSettings, PipelineConfig, PolicySection
    from ._steps import Stream

MODELS_DIR = "models"


class ReplayAudit:
    """Appends each replay event once: a resumed replay skips what is already recorded.

    Parameters
    ----------
    log : AuditLog
    run_id : str
        The replay's id; each entry carries it and its step (``<batch>:<event>``).
    actor : str
    """

    def __init__(self, log: AuditLog, run_id: str, actor: str) -> None:
        self.log, self.run_id, self.actor = log, run_id, actor
        self.done = {
            str(e.details.get("step")) for e in log.entries(run_id=run_id) if e.details.get("step")
        }

    def record(self, event: str, step: str, **details: Any) -> None:
        """Append ``event`` for ``step`` with ``details``, unless it is already recorded."""
        key = f"{step}:{event}"
        if key in self.done:
            return
        self.log.append(event, actor=self.actor, run_id=self.run_id, step=key, **details)
        self.done.add(key)


@dataclass(frozen=True)
class Replay:
    """What stays fixed through a replay's batches.

    Attributes
    ----------
    config : PipelineConfig
    stream : Stream
        The batches.
    settings : ContinuousSettings
        The config's ``continuous`` section.
    metric : str
        The compared metric.
    policy : PolicySection
        The governance policy the gate applies (with ``continuous.policy``).
    trained_by : str
    out : Path
        The replay's folder.
    audit : ReplayAudit
    registry : ReplayRegistry or None
        ``None`` when the replay registers nothing.
    """

    config: PipelineConfig
    stream: Stream
    settings: ContinuousSettings
    metric: str
    policy: PolicySection
    trained_by: str
    out: Path
    audit: ReplayAudit
    registry: ReplayRegistry | None

    def registry_info(self) -> dict[str, str] | None:
        """Where the replay's models are registered, for its result; ``None`` if nowhere."""
        if self.registry is None:
            return None
        return {"model_name": self.registry.model_name, "tracking_uri": self.registry.tracking_uri}

    def register(
        self, model: Pipeline, step: str, version: int, record: dict[str, Any]
    ) -> int | None:
        """Register a replay model once (if the replay registers); its registry version."""
        if self.registry is None:
            return None
        number = self.registry.register(
            model,
            step=step,
            replay_version=version,
            actor=self.trained_by,
            record=record,
            out=self.out,
        )
        self.audit.record(
            "registered",
            step,
            model_name=self.registry.model_name,
            version=number,
            replay_version=version,
            gate_decision=record.get("gate_decision") or "not gated",
        )
        return number

    def move(
        self, alias: str, step: str, version: int, registered: int | None, previous: int | None
    ) -> None:
        """Move an alias (in the registry too, when registering) and record it once."""
        where: dict[str, Any] = {}
        if self.registry is not None and registered is not None:
            self.registry.move(
                alias,
                registered,
                actor=self.trained_by,
                reason=f"replay {self.audit.run_id} at {step}",
            )
            where = {"model_name": self.registry.model_name, "registered_version": registered}
        self.audit.record(  # one step can move two aliases: each is recorded once
            "alias_changed",
            f"{step}:{alias}",
            alias=alias,
            version=version,
            previous=previous,
            **where,
        )

    def save(self, model: Pipeline, version: int) -> None:
        """Save replay model ``v<version>`` in the replay's folder."""
        from ..train import save_model

        save_model(model, self._model_path(version))

    def load(self, version: int) -> Pipeline:
        """Load replay model ``v<version>`` from the replay's folder."""
        from ..train import load_model

        return load_model(self._model_path(version))

    def _model_path(self, version: int) -> Path:
        return self.out / MODELS_DIR / f"v{version}.skops"
