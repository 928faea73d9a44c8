"""The replay loop: monitor each batch, fire triggers, train, gate, compare, promote.

Part of :mod:`mlops_kit.continuous`; see the package docstring.

:func:`simulate` sets a replay up (or resumes it from its checkpoint), trains and
records the first champion, then replays the batches one at a time (each batch is
:func:`~._batch.replay_batch`) and writes the result. :func:`replay_folder` names the
folder a replay of a config keeps to.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import COMPARISON_METRICS, ContinuousSettings
from ..errors import ConfigError
from . import _steps
from ._batch import replay_batch
from ._context import Replay, ReplayAudit
from ._register import ReplayRegistry
from ._result import SimulationResult, finish
from ._state import Champion, InitialModel, ReplayState, read_checkpoint, write_checkpoint

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from ..audit import AuditLog
    from ..config import PipelineConfig


def _fingerprint(config: PipelineConfig) -> str:
    """What must not change between a stopped replay and its resumption."""
    from .._io import sha256_file

    text = config.model_dump_json(exclude={"trained_by", "audit_log", "name"})
    return hashlib.sha256((text + sha256_file(config.data)).encode()).hexdigest()


_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def replay_folder(
    config: PipelineConfig, *, label: str, parent: str | os.PathLike[str] = "simulation"
) -> Path:
    """The folder a replay of ``config`` keeps to: ``<parent>/<label>-<key>``.

    The key is the start of the replay's fingerprint, which :func:`simulate` checks
    before it resumes a folder: the config (without who runs it) and the SHA-256 of its
    data. Passed as ``out_dir``, the same config and data resume their replay (a finished
    one records nothing again), and a changed config or data gets a new folder beside
    the old one, where a single ``out_dir`` refuses it. The lessons use it so that each
    keeps its replays apart and a learner can change a parameter and run again. Nothing
    is created.

    Parameters
    ----------
    config : PipelineConfig
    label : str
        Whose replays these are, e.g. ``"explore"``: letters, digits, ``-``, ``_`` and
        ``.``, starting with a letter or digit.
    parent : path-like, default "simulation"

    Raises
    ------
    ConfigError
        ``label`` is not a plain folder name.

    Examples
    --------
    >>> from mlops_kit.config import load_config
    >>> from mlops_kit.data import dataset_info
    >>> config = load_config(dataset_info("benefit_claims").config)
    >>> folder = replay_folder(config, label="explore")
    >>> folder.parent.name, folder.name.startswith("explore-")
    ('simulation', True)
    >>> replay_folder(config.model_copy(update={"trained_by": "Jo"}), label="explore") == folder
    True
    >>> replay_folder(config.model_copy(update={"seed": 1}), label="explore") == folder
    False
    """
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise ConfigError(
            "The 'label' parameter of replay_folder must be a plain folder name (letters, "
            f"digits, '-', '_' and '.', starting with a letter or digit). Got {label!r} instead."
        )
    return Path(parent) / f"{label}-{_fingerprint(config)[:12]}"


def simulate(
    config: PipelineConfig,
    *,
    out_dir: str | os.PathLike[str],
    audit_log: AuditLog | str | os.PathLike[str] | None = None,
    workspace: str | os.PathLike[str] = ".",
    stop_after: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Replay the config's data as a stream of batches, retraining when a trigger fires.

    The first champion is trained on the first ``continuous.initial_batches`` batches
    (the last ``holdout_batches`` of them held out to measure it). Each later batch is
    scored by the champion and monitored: feature drift against the champion's training
    batches, prediction drift, and performance and fairness on the newest batch whose
    labels have arrived (``label_delay`` batches late). When a trigger fires, outside
    the cooldown, a challenger is tuned and trained on the window of labelled batches,
    gated by the governance policy on the newest labelled batches it did not see, and
    compared with the champion on the same rows; it is promoted only when the gate says
    promote, it beats the champion by ``margin``, no four-fifths ratio falls by more
    than ``fairness_guardrail`` and (with ``hold_on_fairness_alert``) the champion's
    latest labelled batch carries no fairness alert. A policy that needs a named
    approver keeps the champion: a simulation never approves on anyone's behalf.

    With ``continuous.register_models`` (the default) every model is registered in the model
    registry under :func:`replay_model_name` (``<model name>-replay``) and the
    ``challenger`` and ``champion`` aliases are moved there as the replay decides.

    Parameters
    ----------
    config : PipelineConfig
        The pipeline config; its ``continuous`` section steers the replay.
    out_dir : path-like
        Folder for ``timeline.json``, ``timeline.csv``, the figure, the models and the
        checkpoint. Running again with the same folder resumes after the last
        completed batch; nothing is recorded twice. A folder holding a replay of
        another config or data is refused: :func:`replay_folder` gives each config
        its own folder.
    audit_log : AuditLog or path, optional
        Default the config's ``audit_log`` or ``audit/audit.jsonl`` in the current folder.
    workspace : path-like, default "."
        Folder of the default registry (``mlops.db``) when the config names no
        ``registry.tracking_uri``.
    stop_after : int, optional
        Stop after this many more batches (to pause a long replay; run again to resume).
    progress : callable, optional
        Called with one line per batch.

    Returns
    -------
    SimulationResult
    """
    if stop_after is not None and (isinstance(stop_after, bool) or stop_after < 1):
        raise ConfigError(
            "The 'stop_after' parameter of simulate must be a whole number of at least 1 or "
            f"None. Got {stop_after!r} instead."
        )
    say = progress or (lambda _m: None)
    replay, state = _open(config, Path(out_dir), audit_log, workspace=workspace, say=say)
    baseline = _first_champion(replay, state)
    champion = replay.load(state.champion.version)
    for done, i in enumerate(range(state.next_batch, len(replay.stream.labels))):
        if stop_after is not None and done >= stop_after:
            break
        row, champion = replay_batch(replay, state, champion, baseline, i)
        state.rows.append(row)
        state.next_batch = i + 1
        write_checkpoint(replay.out, state)
        say(f"[{row.observed.batch}] {row.reason}")
    return finish(state, replay.stream, replay.out, config=config, registry=replay.registry_info())


def _steps_metrics(task: str) -> tuple[str, ...]:
    return tuple(COMPARISON_METRICS[task])


def _open(
    config: PipelineConfig,
    out: Path,
    audit_log: AuditLog | str | os.PathLike[str] | None,
    *,
    workspace: str | os.PathLike[str],
    say: Callable[[str], None],
) -> tuple[Replay, ReplayState]:
    """Set the replay up: check its settings, read its batches, resume or start it."""
    from ..pipeline._context import current_user

    settings: ContinuousSettings = config.continuous
    metric = settings.primary_metric(config.task)
    if metric not in _steps_metrics(config.task):
        raise ConfigError(
            f"Config key 'continuous.metric' is {metric!r}, which does not fit task "
            f"'{config.task}'; choose one of {', '.join(_steps_metrics(config.task))}."
        )
    policy = config.policy.model_copy(update=settings.policy)
    trained_by = config.trained_by or current_user()
    stream = _steps.load_stream(config, settings)
    fingerprint = _fingerprint(config)
    state = read_checkpoint(out, fingerprint=fingerprint, metric=metric)
    if state is not None:
        say(f"Resuming after batch {stream.labels[state.next_batch - 1]}.")
    run_id = (
        state.simulation_id
        if state is not None
        else f"sim-{fingerprint[:8]}-{secrets.token_hex(4)}"
    )
    replay = Replay(
        config=config,
        stream=stream,
        settings=settings,
        metric=metric,
        policy=policy,
        trained_by=trained_by,
        out=out,
        audit=ReplayAudit(_audit_log(config, audit_log), run_id, trained_by),
        registry=(
            ReplayRegistry(config, stream, run_id, workspace=workspace)
            if settings.register_models
            else None
        ),
    )
    if state is None:
        state = _train_first(replay, fingerprint)
    return replay, state


def _audit_log(
    config: PipelineConfig, audit_log: AuditLog | str | os.PathLike[str] | None
) -> AuditLog:
    """The audit log given, else the config's, else ``audit/audit.jsonl`` here."""
    from ..audit import AuditLog

    if isinstance(audit_log, AuditLog):
        return audit_log
    return AuditLog(audit_log or config.audit_log or Path("audit") / "audit.jsonl")


def _train_first(replay: Replay, fingerprint: str) -> ReplayState:
    """Train the first champion on the first batches and save the replay's first state."""
    config, stream, settings = replay.config, replay.stream, replay.settings
    first = list(range(settings.initial_batches))
    h = settings.holdout_batches
    train_b, hold_b = first[:-h], first[-h:]
    model = _steps.fit(config, stream, train_b)
    metrics = _steps.headline(_steps.evaluate(config, stream, model, hold_b))
    replay.save(model, 1)
    state = ReplayState(
        simulation_id=replay.audit.run_id,
        fingerprint=fingerprint,
        metric=replay.metric,
        next_batch=settings.initial_batches,
        champion=Champion(
            version=1,
            train_batches=tuple(train_b),
            last_seen=first[-1],
            since=settings.initial_batches,
            reference=metrics.get(replay.metric),
        ),
        initial=InitialModel(
            version=1, train=stream.span(train_b), holdout=stream.span(hold_b), metrics=metrics
        ),
    )
    write_checkpoint(replay.out, state)
    return state


def _first_champion(replay: Replay, state: ReplayState) -> Pipeline:
    """Record, register and name the first champion (each once); return it.

    It stays the never-retrained model every batch is also scored with.
    """
    initial = state.initial
    replay.audit.record(
        "trained",
        "initial",
        version=1,
        model=replay.config.model,
        trained_on=initial.train,
        measured_on=initial.holdout,
        metrics=initial.metrics,
    )
    baseline = replay.load(1)
    if 1 not in state.registered:
        state.registered[1] = replay.register(
            baseline,
            "initial",
            1,
            {
                "replay_version": 1,
                "trained_on": initial.train,
                "measured_on": initial.holdout,
                "metrics": initial.metrics,
                "gate_decision": None,
            },
        )
        write_checkpoint(replay.out, state)
    if "initial:champion:alias_changed" not in replay.audit.done:  # never moved back on a resume
        replay.move("champion", "initial", 1, state.registered[1], None)
    return baseline
