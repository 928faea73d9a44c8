"""The replay loop: monitor each batch, fire triggers, train, gate, compare, promote.

Part of :mod:`mlops_kit.continuous`; see the package docstring.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, read_json
from ..errors import ConfigError
from . import _steps
from ._register import ReplayRegistry
from ._result import SimulationResult, finish
from ._settings import ContinuousSettings

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from ..audit import AuditLog
    from ..config import PipelineConfig

CHECKPOINT_FILE = "checkpoint.json"
MODELS_DIR = "models"


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


class _Audit:
    """Appends each replay event once: a resumed replay skips what is already recorded."""

    def __init__(self, log: AuditLog, run_id: str, actor: str) -> None:
        self.log, self.run_id, self.actor = log, run_id, actor
        self.done = {
            str(e.details.get("step")) for e in log.entries(run_id=run_id) if e.details.get("step")
        }

    def record(self, event: str, step: str, **details: Any) -> None:
        key = f"{step}:{event}"
        if key in self.done:
            return
        self.log.append(event, actor=self.actor, run_id=self.run_id, step=key, **details)
        self.done.add(key)


@dataclass(frozen=True)
class _Replay:
    """What stays fixed through a replay's batches."""

    config: PipelineConfig
    stream: _steps.Stream
    settings: ContinuousSettings
    metric: str
    policy: Any
    trained_by: str
    out: Path
    audit: _Audit
    registry: ReplayRegistry | None

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
        self, alias: str, step: str, version: int, registered: int | None, previous: Any
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


def _model_path(out: Path, version: int) -> Path:
    return out / MODELS_DIR / f"v{version}.skops"


def _save(model: Pipeline, out: Path, version: int) -> None:
    from ..train import save_model

    save_model(model, _model_path(out, version))


def _load(out: Path, version: int) -> Pipeline:
    from ..train import load_model

    return load_model(_model_path(out, version))


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
    from ..audit import AuditLog
    from ..pipeline._context import current_user

    if stop_after is not None and (isinstance(stop_after, bool) or stop_after < 1):
        raise ConfigError(
            "The 'stop_after' parameter of simulate must be a whole number of at least 1 or "
            f"None. Got {stop_after!r} instead."
        )
    settings: ContinuousSettings = config.continuous
    metric = settings.primary_metric(config.task)
    if metric not in _steps_metrics(config.task):
        raise ConfigError(
            f"Config key 'continuous.metric' is {metric!r}, which does not fit task "
            f"'{config.task}'; choose one of {', '.join(_steps_metrics(config.task))}."
        )
    policy = config.policy.model_copy(update=settings.policy)
    trained_by = config.trained_by or current_user()
    say = progress or (lambda _m: None)
    out = Path(out_dir)
    stream = _steps.load_stream(config, settings)
    fingerprint = _fingerprint(config)
    ckpt = out / CHECKPOINT_FILE
    if ckpt.is_file():
        state = read_json(ckpt)
        if state["fingerprint"] != fingerprint:
            raise ConfigError(
                f"The folder '{out}' holds a replay of a different config or data; resume it "
                "with the same config, or choose another --out folder."
            )
        say(f"Resuming after batch {stream.labels[state['next_batch'] - 1]}.")
    else:
        state = None
    run_id = state["simulation_id"] if state else f"sim-{fingerprint[:8]}-{secrets.token_hex(4)}"
    log = (
        audit_log
        if isinstance(audit_log, AuditLog)
        else AuditLog(audit_log or config.audit_log or Path("audit") / "audit.jsonl")
    )
    audit = _Audit(log, run_id, trained_by)
    replay = _Replay(
        config=config,
        stream=stream,
        settings=settings,
        metric=metric,
        policy=policy,
        trained_by=trained_by,
        out=out,
        audit=audit,
        registry=(
            ReplayRegistry(config, stream, run_id, workspace=workspace)
            if settings.register_models
            else None
        ),
    )
    h = settings.holdout_batches
    if state is None:
        first = list(range(settings.initial_batches))
        train_b, hold_b = first[:-h], first[-h:]
        model = _steps.fit(config, stream, train_b)
        evaluation = _steps.evaluate(config, stream, model, hold_b)
        ref = _steps.headline(evaluation).get(metric)
        _save(model, out, 1)
        state = {
            "simulation_id": run_id,
            "fingerprint": fingerprint,
            "next_batch": settings.initial_batches,
            "n_versions": 1,
            "last_challenger_at": None,
            "champion": {
                "version": 1,
                "train_batches": train_b,
                "last_seen": first[-1],
                "since": settings.initial_batches,
                "reference": ref,
            },
            "initial": {
                "version": 1,
                "train": stream.span(train_b),
                "holdout": stream.span(hold_b),
                "metrics": _steps.headline(evaluation),
            },
            "registered": {},
            "rows": [],
        }
        atomic_write_json(ckpt, state)
    audit.record(
        "trained",
        "initial",
        version=1,
        model=config.model,
        trained_on=state["initial"]["train"],
        measured_on=state["initial"]["holdout"],
        metrics=state["initial"]["metrics"],
    )
    baseline = _load(out, 1)
    if "1" not in state["registered"]:
        state["registered"]["1"] = replay.register(
            baseline,
            "initial",
            1,
            {
                "replay_version": 1,
                "trained_on": state["initial"]["train"],
                "measured_on": state["initial"]["holdout"],
                "metrics": state["initial"]["metrics"],
                "gate_decision": None,
            },
        )
        atomic_write_json(ckpt, state)
    if "initial:champion:alias_changed" not in audit.done:  # never moved back on a resume
        replay.move("champion", "initial", 1, state["registered"]["1"], None)
    champion = _load(out, state["champion"]["version"])
    for done, i in enumerate(range(state["next_batch"], len(stream.labels))):
        if stop_after is not None and done >= stop_after:
            break
        row, champion = _step(replay, state, champion, baseline, i)
        state["rows"].append(row)
        state["next_batch"] = i + 1
        atomic_write_json(ckpt, state)
        say(f"[{row['batch']}] {row['reason']}")
    return finish(
        state,
        stream,
        out,
        config=config,
        metric=metric,
        registry=None
        if replay.registry is None
        else {
            "model_name": replay.registry.model_name,
            "tracking_uri": replay.registry.tracking_uri,
        },
    )


def _steps_metrics(task: str) -> tuple[str, ...]:
    from ._settings import COMPARISON_METRICS

    return tuple(COMPARISON_METRICS[task])


def _step(
    replay: _Replay, state: dict[str, Any], champion: Pipeline, baseline: Pipeline, i: int
) -> tuple[dict[str, Any], Pipeline]:
    """One batch: monitor, check triggers, maybe train, gate, compare and promote."""
    config, stream, settings = replay.config, replay.stream, replay.settings
    metric, audit = replay.metric, replay.audit
    champ = state["champion"]
    label = stream.labels[i]
    j = i - settings.label_delay  # the newest batch whose labels have arrived
    judged = j if j > champ["last_seen"] else None
    mon = _steps.monitor(
        config,
        stream,
        champion,
        reference=champ["train_batches"],
        current=i,
        judged=judged,
        metric=metric,
    )
    served = _steps.headline(_steps.evaluate(config, stream, champion, [i])).get(metric)
    never = _steps.headline(_steps.evaluate(config, stream, baseline, [i])).get(metric)
    if settings.label_delay == 0:
        labels = f"labels of {label} arrived with it"
    else:
        arrived = f"labels have arrived up to {stream.labels[j]}" if j >= 0 else "no labels yet"
        labels = f"{arrived}; {stream.span(range(max(j + 1, 0), i + 1))} pending"
    higher = settings.higher_is_better(config.task)
    fired: list[str] = []
    why: list[str] = []
    if "drift" in settings.triggers and len(mon.drifted) >= settings.drift_min_features:
        fired.append("drift")
        why.append(
            f"data drift in {len(mon.drifted)} feature(s) ({', '.join(mon.drifted[:4])}) against "
            f"the champion's training batches {stream.span(champ['train_batches'])}"
        )
    if "decay" in settings.triggers and mon.judged_metric is not None:
        ref = champ["reference"]
        drop = None if ref is None else (ref - mon.judged_metric) * (1 if higher else -1)
        if mon.performance_floor_breached:
            fired.append("decay")
            why.append(
                f"{', '.join(mon.performance_floor_breached)} on {mon.judged_batch} fell below "
                "the monitoring floor"
            )
        elif drop is not None and drop > settings.max_decay:
            fired.append("decay")
            why.append(
                f"{metric} on {mon.judged_batch} is {mon.judged_metric:.3f}, {drop:.3f} worse "
                f"than the champion's {ref:.3f} when promoted (more than {settings.max_decay:g})"
            )
    if "schedule" in settings.triggers and i - champ["since"] >= settings.schedule_every:
        fired.append("schedule")
        why.append(f"the champion has served {i - champ['since']} batches (schedule)")
    if "fairness" in settings.triggers and mon.fairness_alerts:
        fired.append("fairness")
        why.append(
            f"a fairness alert on {mon.judged_batch} ({', '.join(mon.fairness_alerts)}): the "
            "groups' flag rates differ beyond chance and below the four-fifths limit"
        )
    if "new_labels" in settings.triggers and j > champ["last_seen"]:
        n_new = int(stream.mask(range(champ["last_seen"] + 1, j + 1)).sum())
        if n_new >= settings.new_labels_rows:
            fired.append("new_labels")
            why.append(f"{n_new:,} labelled rows the champion has not seen")
    row: dict[str, Any] = {
        "batch": label,
        "n_rows": int(stream.mask([i]).sum()),
        "champion": champ["version"],
        "drifted_features": list(mon.drifted),
        "score_psi": mon.score_psi,
        "labels": labels,
        "judged_batch": mon.judged_batch,
        f"judged_{metric}": mon.judged_metric,
        f"served_{metric}": served,
        f"never_retrained_{metric}": never,
        "alerts": list(mon.alerts),
        "fairness_alerts": list(mon.fairness_alerts),
        "triggers": fired,
        "trigger_reasons": why,
        "challenger": None,
        "challenger_registered": None,
        "challenger_trained_on": None,
        "tuning": None,
        f"challenger_{metric}": None,
        f"champion_holdout_{metric}": None,
        "gate_decision": None,
        "gate_reasons": [],
        "comparison": None,
        "fairness_guardrail": None,
        "promoted": False,
        "reason": "",
    }
    if not fired:
        row["reason"] = "No trigger fired; the champion stays."
        return row, champion
    audit.record("retrain_triggered", label, triggers=fired, reasons=why)
    last = state["last_challenger_at"]
    h = settings.holdout_batches
    end = j - h  # last batch a challenger may train on
    if last is not None and i - last <= settings.cooldown:
        row["reason"] = (
            f"Triggered ({'; '.join(why)}), but a challenger was trained at "
            f"{stream.labels[last]}, within the cooldown of {settings.cooldown} batch(es): the "
            "champion stays."
        )
        return row, champion
    if end < 0:
        row["reason"] = (
            f"Triggered ({'; '.join(why)}), but too few labelled batches have arrived to train "
            "and hold out a challenger: the champion stays."
        )
        return row, champion
    start = max(0, end - settings.window_size + 1) if settings.window == "sliding" else 0
    train_b, hold_b = list(range(start, end + 1)), list(range(end + 1, j + 1))
    c = _steps.train_challenger(
        config,
        stream,
        settings,
        champion,
        train_batches=train_b,
        holdout=hold_b,
        policy=replay.policy,
        trained_by=replay.trained_by,
    )
    version = state["n_versions"] + 1
    state["n_versions"] = version
    state["last_challenger_at"] = i
    _save(c.model, replay.out, version)
    row.update(
        {
            "challenger": version,
            "challenger_trained_on": stream.span(train_b),
            "tuning": c.tuned,
            f"challenger_{metric}": c.challenger_value,
            f"champion_holdout_{metric}": c.champion_value,
            "gate_decision": c.gate_decision,
            "gate_reasons": list(c.gate_reasons),
            "comparison": c.comparison,
            "fairness_guardrail": c.fairness_note or None,
        }
    )
    audit.record(
        "trained",
        label,
        version=version,
        model=config.model,
        trained_on=stream.span(train_b),
        measured_on=stream.span(hold_b),
        params={k: repr(v) for k, v in sorted(c.params.items())},
        metrics=_steps.headline(c.metrics),
    )
    audit.record(
        "gate_decision",
        label,
        version=version,
        decision=c.gate_decision,
        reasons=list(c.gate_reasons),
        comparison=c.comparison,
    )
    registered = replay.register(
        c.model,
        label,
        version,
        {
            "replay_version": version,
            "trained_on": stream.span(train_b),
            "measured_on": stream.span(hold_b),
            "window": settings.window,
            "params": {k: repr(v) for k, v in sorted(c.params.items())},
            "tuning": c.tuned,
            "metrics": _steps.headline(c.metrics),
            "gate_decision": c.gate_decision,
            "gate_reasons": list(c.gate_reasons),
            "comparison": c.comparison,
            "fairness_guardrail": c.fairness_note,
        },
    )
    row["challenger_registered"] = registered
    state["registered"][str(version)] = registered
    replay.move("challenger", label, version, registered, None)
    trigger_text = f"Triggered by {'; '.join(why)}. Challenger v{version} trained on " + (
        f"{stream.span(train_b)} ({settings.window} window), {c.tuned}"
        + (
            f", registered as {replay.registry.model_name} version {registered}. "
            if replay.registry is not None
            else ". "
        )
    )
    fairness = f" {c.fairness_note}" if c.fairness_note else ""
    hold = settings.hold_on_fairness_alert and bool(mon.fairness_alerts)
    if c.gate_decision == "promote" and c.wins and not c.fairness_held and not hold:
        row["promoted"] = True
        row["reason"] = (
            f"{trigger_text}The gate says promote and {c.comparison}{fairness} Promoted: "
            f"v{version} replaces v{champ['version']} as champion from the next batch."
        )
        replay.move("champion", label, version, registered, champ["version"])
        state["champion"] = {
            "version": version,
            "train_batches": train_b,
            "last_seen": j,
            "since": i + 1,
            "reference": c.challenger_value,
        }
        return row, c.model
    if c.gate_decision == "promote" and c.wins and c.fairness_held:
        verdict = "It would win, but fairness must not fall: the champion stays."
    elif c.gate_decision == "promote" and c.wins:
        verdict = (
            f"It would win, but the champion's latest labelled batch carries a fairness alert "
            f"({', '.join(mon.fairness_alerts)}), so automatic promotion is held: the "
            "challenger waits for a person's review and the champion stays."
        )
        audit.record(
            "promotion_held",
            label,
            version=version,
            registered_version=registered,
            fairness_alerts=list(mon.fairness_alerts),
            reason=verdict,
        )
    elif c.gate_decision == "needs human approval":
        verdict = (
            "The gate needs a named person's approval, which a simulation never gives on "
            "anyone's behalf, so the champion stays (approve it with mlops-kit approve after "
            "review, or set continuous.policy for the replay)."
        )
    elif c.gate_decision == "refuse":
        verdict = "The gate refused the challenger, so the champion stays."
    else:
        verdict = "The gate would promote it, but it lost the comparison: the champion stays."
    row["reason"] = f"{trigger_text}{c.comparison}{fairness} {verdict}"
    return row, champion
