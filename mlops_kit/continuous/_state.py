"""A replay's state as typed records: its champion, its rows, and the checkpoint that keeps them.

Part of :mod:`mlops_kit.continuous`; see the package docstring.

The state is what a stopped replay needs to resume: which batch comes next, how many
models it has trained, the champion in service and every row of the timeline so far.
It is saved after each batch as ``checkpoint.json``; each record's ``to_dict`` gives
its JSON (the keys and their order are those of the files a replay writes) and
``from_dict`` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._io import atomic_write_json, read_json
from ..errors import ConfigError

CHECKPOINT_FILE = "checkpoint.json"


@dataclass(frozen=True)
class Champion:
    """The model in service and what it was trained and judged on.

    Attributes
    ----------
    version : int
        Its replay version (``v<version>.skops`` under ``models/``).
    train_batches : tuple of int
        The batches it was trained on: the reference for drift.
    last_seen : int
        The newest batch whose labels it has seen (trained or held out on).
    since : int
        The first batch it serves.
    reference : float or None
        Its compared metric when it was promoted: the level decay is measured from.
    """

    version: int
    train_batches: tuple[int, ...]
    last_seen: int
    since: int
    reference: float | None

    def to_dict(self) -> dict[str, Any]:
        """The champion as saved in the checkpoint."""
        return {
            "version": self.version,
            "train_batches": list(self.train_batches),
            "last_seen": self.last_seen,
            "since": self.since,
            "reference": self.reference,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Champion:
        """Read :meth:`to_dict` back."""
        return cls(
            version=data["version"],
            train_batches=tuple(data["train_batches"]),
            last_seen=data["last_seen"],
            since=data["since"],
            reference=data["reference"],
        )


@dataclass(frozen=True)
class InitialModel:
    """The first champion: the batches it was trained and measured on, and its metrics."""

    version: int
    train: str
    holdout: str
    metrics: dict[str, float | None]

    def to_dict(self) -> dict[str, Any]:
        """The first champion as in ``timeline.json`` (``initial_champion``)."""
        return {
            "version": self.version,
            "train": self.train,
            "holdout": self.holdout,
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InitialModel:
        """Read :meth:`to_dict` back."""
        return cls(data["version"], data["train"], data["holdout"], dict(data["metrics"]))


@dataclass(frozen=True)
class Observation:
    """What a batch showed about the champion before any trigger was checked.

    Attributes
    ----------
    batch : str
        The batch's label.
    n_rows : int
    champion : int
        The replay version of the champion serving the batch.
    drifted_features : tuple of str
    score_psi : float or None
        Prediction drift against the champion's training scores.
    labels : str
        Which labels have arrived, in words.
    judged_batch : str or None
        The newest labelled batch the champion has not seen, if any.
    judged, served, never_retrained : float or None
        The compared metric of the champion on ``judged_batch``, of the champion on this
        batch, and of the first champion on this batch.
    alerts, fairness_alerts : tuple of str
    """

    batch: str
    n_rows: int
    champion: int
    drifted_features: tuple[str, ...]
    score_psi: float | None
    labels: str
    judged_batch: str | None
    judged: float | None
    served: float | None
    never_retrained: float | None
    alerts: tuple[str, ...]
    fairness_alerts: tuple[str, ...]


@dataclass(frozen=True)
class Triggers:
    """The triggers that fired at a batch, each with its reason in words."""

    names: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.names)

    @property
    def text(self) -> str:
        """The reasons as one phrase."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class ChallengerRecord:
    """A challenger as its batch's row shows it: how it was trained, gated and compared."""

    version: int
    registered: int | None
    trained_on: str
    tuning: str
    value: float | None
    champion_value: float | None
    gate_decision: str
    gate_reasons: tuple[str, ...]
    comparison: str
    fairness_guardrail: str | None


@dataclass(frozen=True)
class BatchRow:
    """One row of the timeline: what a batch showed, fired and decided, and why.

    ``to_dict`` names the compared metric's columns after ``metric`` (for example
    ``served_roc_auc``); a batch without a challenger leaves its columns empty.
    """

    observed: Observation
    triggers: Triggers = field(default_factory=Triggers)
    challenger: ChallengerRecord | None = None
    promoted: bool = False
    reason: str = ""

    def to_dict(self, metric: str) -> dict[str, Any]:
        """The row as in ``timeline.json``."""
        o, c = self.observed, self.challenger
        return {
            "batch": o.batch,
            "n_rows": o.n_rows,
            "champion": o.champion,
            "drifted_features": list(o.drifted_features),
            "score_psi": o.score_psi,
            "labels": o.labels,
            "judged_batch": o.judged_batch,
            f"judged_{metric}": o.judged,
            f"served_{metric}": o.served,
            f"never_retrained_{metric}": o.never_retrained,
            "alerts": list(o.alerts),
            "fairness_alerts": list(o.fairness_alerts),
            "triggers": list(self.triggers.names),
            "trigger_reasons": list(self.triggers.reasons),
            "challenger": None if c is None else c.version,
            "challenger_registered": None if c is None else c.registered,
            "challenger_trained_on": None if c is None else c.trained_on,
            "tuning": None if c is None else c.tuning,
            f"challenger_{metric}": None if c is None else c.value,
            f"champion_holdout_{metric}": None if c is None else c.champion_value,
            "gate_decision": None if c is None else c.gate_decision,
            "gate_reasons": [] if c is None else list(c.gate_reasons),
            "comparison": None if c is None else c.comparison,
            "fairness_guardrail": None if c is None else c.fairness_guardrail,
            "promoted": self.promoted,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], metric: str) -> BatchRow:
        """Read :meth:`to_dict` back."""
        observed = Observation(
            batch=data["batch"],
            n_rows=data["n_rows"],
            champion=data["champion"],
            drifted_features=tuple(data["drifted_features"]),
            score_psi=data["score_psi"],
            labels=data["labels"],
            judged_batch=data["judged_batch"],
            judged=data[f"judged_{metric}"],
            served=data[f"served_{metric}"],
            never_retrained=data[f"never_retrained_{metric}"],
            alerts=tuple(data["alerts"]),
            fairness_alerts=tuple(data["fairness_alerts"]),
        )
        challenger = None
        if data["challenger"] is not None:
            challenger = ChallengerRecord(
                version=data["challenger"],
                registered=data["challenger_registered"],
                trained_on=data["challenger_trained_on"],
                tuning=data["tuning"],
                value=data[f"challenger_{metric}"],
                champion_value=data[f"champion_holdout_{metric}"],
                gate_decision=data["gate_decision"],
                gate_reasons=tuple(data["gate_reasons"]),
                comparison=data["comparison"],
                fairness_guardrail=data["fairness_guardrail"],
            )
        return cls(
            observed=observed,
            triggers=Triggers(tuple(data["triggers"]), tuple(data["trigger_reasons"])),
            challenger=challenger,
            promoted=data["promoted"],
            reason=data["reason"],
        )


@dataclass
class ReplayState:
    """Everything a stopped replay needs to resume; changed as the batches are replayed.

    Attributes
    ----------
    simulation_id : str
    fingerprint : str
        The config and data the replay belongs to (a resumption must match it).
    metric : str
        The compared metric, which names the rows' metric columns. Not saved: it
        follows from the config.
    next_batch : int
        The first batch not yet replayed.
    n_versions : int
        Models trained so far (the first champion is version 1).
    last_challenger_at : int or None
        The batch the latest challenger was trained at (for the cooldown).
    champion : Champion
    initial : InitialModel
    registered : dict of int to int or None
        The registry version of each replay version, once registered (``None`` when
        the replay registers nothing).
    rows : list of BatchRow
        The timeline so far.
    """

    simulation_id: str
    fingerprint: str
    metric: str
    next_batch: int
    champion: Champion
    initial: InitialModel
    n_versions: int = 1
    last_challenger_at: int | None = None
    registered: dict[int, int | None] = field(default_factory=dict)
    rows: list[BatchRow] = field(default_factory=list)

    def new_version(self, at: int) -> int:
        """Number a challenger trained at batch ``at``: the next replay version."""
        self.n_versions += 1
        self.last_challenger_at = at
        return self.n_versions

    def registered_versions(self) -> dict[str, int | None]:
        """The registry version of each replay version, keyed as in ``timeline.json``."""
        return {str(k): v for k, v in self.registered.items()}

    def row_dicts(self) -> list[dict[str, Any]]:
        """The timeline's rows as in ``timeline.json``."""
        return [row.to_dict(self.metric) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """The state as saved in ``checkpoint.json``."""
        return {
            "simulation_id": self.simulation_id,
            "fingerprint": self.fingerprint,
            "next_batch": self.next_batch,
            "n_versions": self.n_versions,
            "last_challenger_at": self.last_challenger_at,
            "champion": self.champion.to_dict(),
            "initial": self.initial.to_dict(),
            "registered": self.registered_versions(),
            "rows": self.row_dicts(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, metric: str) -> ReplayState:
        """Read :meth:`to_dict` back; ``metric`` names the rows' metric columns."""
        return cls(
            simulation_id=data["simulation_id"],
            fingerprint=data["fingerprint"],
            metric=metric,
            next_batch=data["next_batch"],
            n_versions=data["n_versions"],
            last_challenger_at=data["last_challenger_at"],
            champion=Champion.from_dict(data["champion"]),
            initial=InitialModel.from_dict(data["initial"]),
            registered={int(k): v for k, v in data["registered"].items()},
            rows=[BatchRow.from_dict(r, metric) for r in data["rows"]],
        )


def read_checkpoint(out: Path, *, fingerprint: str, metric: str) -> ReplayState | None:
    """The state saved in ``out``, or ``None`` when the folder holds no replay yet.

    Raises
    ------
    ConfigError
        The folder holds a replay of another config or data (another ``fingerprint``).
    """
    path = out / CHECKPOINT_FILE
    if not path.is_file():
        return None
    data = read_json(path)
    if data["fingerprint"] != fingerprint:
        raise ConfigError(
            f"The folder '{out}' holds a replay of a different config or data; resume it "
            "with the same config, or choose another --out folder."
        )
    return ReplayState.from_dict(data, metric=metric)


def write_checkpoint(out: Path, state: ReplayState) -> None:
    """Save ``state`` to ``out`` (atomically: a crash leaves the previous checkpoint)."""
    atomic_write_json(out / CHECKPOINT_FILE, state.to_dict())
