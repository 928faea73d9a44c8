"""One batch of a replay: observe the champion, check the triggers, train, gate and decide.

Part of :mod:`mlops_kit.continuous`; see the package docstring.

:func:`replay_batch` is the replay's step. It observes the champion on the batch
(:func:`observe`), checks each trigger (:func:`check_triggers`) and, when one fires
outside the cooldown, trains a challenger on the window of labelled batches, records
and registers it (:func:`train`) and decides whether it replaces the champion
(:func:`decide`). It changes the :class:`~._state.ReplayState` it is given (the
versions trained and registered, the champion) and returns the batch's row.

Over 400 lines because one batch's decisions (observe, five triggers, train, gate,
compare, promote) are written as small functions in the order they happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import _steps
from ._state import BatchRow, ChallengerRecord, Champion, Observation, ReplayState, Triggers

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from ._context import Replay


@dataclass(frozen=True)
class Batch:
    """The batch being replayed and what the monitor saw there.

    Attributes
    ----------
    index : int
        The batch's number (0 = the first).
    judged : int
        The newest batch whose labels have arrived (negative while none has).
    monitoring : Monitoring
    observed : Observation
        What the batch's row shows of it.
    """

    index: int
    judged: int
    monitoring: _steps.Monitoring
    observed: Observation

    @property
    def label(self) -> str:
        """The batch's label, e.g. '2024-01'."""
        return self.observed.batch


@dataclass(frozen=True)
class Trained:
    """A challenger trained at a batch, with its replay and registry versions."""

    challenger: _steps.Challenger
    version: int
    registered: int | None
    train_batches: tuple[int, ...]
    trained_on: str

    def record(self) -> ChallengerRecord:
        """The challenger as its batch's row shows it."""
        c = self.challenger
        return ChallengerRecord(
            version=self.version,
            registered=self.registered,
            trained_on=self.trained_on,
            tuning=c.tuned,
            value=c.challenger_value,
            champion_value=c.champion_value,
            gate_decision=c.gate_decision,
            gate_reasons=tuple(c.gate_reasons),
            comparison=c.comparison,
            fairness_guardrail=c.fairness_note or None,
        )


def replay_batch(
    replay: Replay, state: ReplayState, champion: Pipeline, baseline: Pipeline, i: int
) -> tuple[BatchRow, Pipeline]:
    """One batch: monitor, check triggers, maybe train, gate, compare and promote.

    Parameters
    ----------
    replay : Replay
    state : ReplayState
        Changed in place when a challenger is trained or promoted.
    champion, baseline : Pipeline
        The model in service and the first champion (never retrained).
    i : int
        The batch's number.

    Returns
    -------
    row : BatchRow
    champion : Pipeline
        The model that serves the next batch.
    """
    batch = observe(replay, state.champion, champion, baseline, i)
    fired = check_triggers(replay, state.champion, batch)
    row = BatchRow(batch.observed, fired)
    if not fired:
        return replace(row, reason="No trigger fired; the champion stays."), champion
    replay.audit.record(
        "retrain_triggered", batch.label, triggers=list(fired.names), reasons=list(fired.reasons)
    )
    refusal = why_not_train(replay, state, batch, fired)
    if refusal is not None:
        return replace(row, reason=refusal), champion
    trained = train(replay, state, champion, batch)
    promoted, reason = decide(replay, state, batch, fired, trained)
    row = replace(row, challenger=trained.record(), promoted=promoted, reason=reason)
    return row, trained.challenger.model if promoted else champion


# -- observe ---------------------------------------------------------------------------


def observe(
    replay: Replay, champ: Champion, champion: Pipeline, baseline: Pipeline, i: int
) -> Batch:
    """Monitor the champion at batch ``i`` and score it and the first champion there."""
    config, stream, metric = replay.config, replay.stream, replay.metric
    j = i - replay.settings.label_delay  # the newest batch whose labels have arrived
    mon = _steps.monitor(
        config,
        stream,
        champion,
        reference=champ.train_batches,
        current=i,
        judged=j if j > champ.last_seen else None,
        metric=metric,
    )
    served = _steps.headline(_steps.evaluate(config, stream, champion, [i])).get(metric)
    never = _steps.headline(_steps.evaluate(config, stream, baseline, [i])).get(metric)
    observed = Observation(
        batch=stream.labels[i],
        n_rows=int(stream.mask([i]).sum()),
        champion=champ.version,
        drifted_features=tuple(mon.drifted),
        score_psi=mon.score_psi,
        labels=_labels_text(replay, i, j),
        judged_batch=mon.judged_batch,
        judged=mon.judged_metric,
        served=served,
        never_retrained=never,
        alerts=tuple(mon.alerts),
        fairness_alerts=tuple(mon.fairness_alerts),
    )
    return Batch(index=i, judged=j, monitoring=mon, observed=observed)


def _labels_text(replay: Replay, i: int, j: int) -> str:
    """Which labels have arrived at batch ``i`` (the newest labelled batch is ``j``)."""
    stream = replay.stream
    if replay.settings.label_delay == 0:
        return f"labels of {stream.labels[i]} arrived with it"
    arrived = f"labels have arrived up to {stream.labels[j]}" if j >= 0 else "no labels yet"
    return f"{arrived}; {stream.span(range(max(j + 1, 0), i + 1))} pending"


# -- triggers --------------------------------------------------------------------------


def _drift(replay: Replay, champ: Champion, batch: Batch) -> str | None:
    drifted = batch.monitoring.drifted
    if len(drifted) < replay.settings.drift_min_features:
        return None
    return (
        f"data drift in {len(drifted)} feature(s) ({', '.join(drifted[:4])}) against "
        f"the champion's training batches {replay.stream.span(champ.train_batches)}"
    )


def _decay(replay: Replay, champ: Champion, batch: Batch) -> str | None:
    mon, settings = batch.monitoring, replay.settings
    if mon.judged_metric is None:
        return None
    if mon.performance_floor_breached:
        return (
            f"{', '.join(mon.performance_floor_breached)} on {mon.judged_batch} fell below "
            "the monitoring floor"
        )
    ref = champ.reference
    if ref is None:
        return None
    higher = settings.higher_is_better(replay.config.task)
    drop = (ref - mon.judged_metric) * (1 if higher else -1)
    if drop > settings.max_decay:
        return (
            f"{replay.metric} on {mon.judged_batch} is {mon.judged_metric:.3f}, {drop:.3f} worse "
            f"than the champion's {ref:.3f} when promoted (more than {settings.max_decay:g})"
        )
    return None


def _schedule(replay: Replay, champ: Champion, batch: Batch) -> str | None:
    served = batch.index - champ.since
    if served < replay.settings.schedule_every:
        return None
    return f"the champion has served {served} batches (schedule)"


def _fairness(replay: Replay, champ: Champion, batch: Batch) -> str | None:
    mon = batch.monitoring
    if not mon.fairness_alerts:
        return None
    return (
        f"a fairness alert on {mon.judged_batch} ({', '.join(mon.fairness_alerts)}): the "
        "groups' flag rates differ beyond chance and below the four-fifths limit"
    )


def _new_labels(replay: Replay, champ: Champion, batch: Batch) -> str | None:
    if batch.judged <= champ.last_seen:
        return None
    n_new = int(replay.stream.mask(range(champ.last_seen + 1, batch.judged + 1)).sum())
    if n_new < replay.settings.new_labels_rows:
        return None
    return f"{n_new:,} labelled rows the champion has not seen"


#: Each trigger and its check, in the order their reasons are given.
TRIGGER_CHECKS: tuple[tuple[str, Callable[[Replay, Champion, Batch], str | None]], ...] = (
    ("drift", _drift),
    ("decay", _decay),
    ("schedule", _schedule),
    ("fairness", _fairness),
    ("new_labels", _new_labels),
)


def check_triggers(replay: Replay, champ: Champion, batch: Batch) -> Triggers:
    """The configured triggers that fire at ``batch``, each with its reason."""
    names: list[str] = []
    reasons: list[str] = []
    for name, check in TRIGGER_CHECKS:
        if name not in replay.settings.triggers:
            continue
        reason = check(replay, champ, batch)
        if reason is not None:
            names.append(name)
            reasons.append(reason)
    return Triggers(tuple(names), tuple(reasons))


def why_not_train(replay: Replay, state: ReplayState, batch: Batch, fired: Triggers) -> str | None:
    """Why no challenger is trained although ``fired``: the cooldown or too few labels."""
    settings, last = replay.settings, state.last_challenger_at
    if last is not None and batch.index - last <= settings.cooldown:
        return (
            f"Triggered ({fired.text}), but a challenger was trained at "
            f"{replay.stream.labels[last]}, within the cooldown of {settings.cooldown} "
            "batch(es): the champion stays."
        )
    if batch.judged - settings.holdout_batches < 0:
        return (
            f"Triggered ({fired.text}), but too few labelled batches have arrived to train "
            "and hold out a challenger: the champion stays."
        )
    return None


# -- train -----------------------------------------------------------------------------


def training_window(replay: Replay, judged: int) -> tuple[list[int], list[int]]:
    """The batches a challenger trains on and those it is held out on."""
    settings = replay.settings
    end = judged - settings.holdout_batches  # the last batch a challenger may train on
    start = max(0, end - settings.window_size + 1) if settings.window == "sliding" else 0
    return list(range(start, end + 1)), list(range(end + 1, judged + 1))


def train(replay: Replay, state: ReplayState, champion: Pipeline, batch: Batch) -> Trained:
    """Train, save, record and register a challenger; give it the ``challenger`` alias."""
    stream, label = replay.stream, batch.label
    train_b, hold_b = training_window(replay, batch.judged)
    c = _steps.train_challenger(
        replay.config,
        stream,
        replay.settings,
        champion,
        train_batches=train_b,
        holdout=hold_b,
        policy=replay.policy,
        trained_by=replay.trained_by,
    )
    version = state.new_version(at=batch.index)
    replay.save(c.model, version)
    trained_on, measured_on = stream.span(train_b), stream.span(hold_b)
    _record_challenger(replay, label, version, c, trained_on, measured_on)
    registered = replay.register(
        c.model, label, version, _model_record(replay, version, c, trained_on, measured_on)
    )
    state.registered[version] = registered
    replay.move("challenger", label, version, registered, None)
    return Trained(c, version, registered, tuple(train_b), trained_on)


def _params(c: _steps.Challenger) -> dict[str, str]:
    return {k: repr(v) for k, v in sorted(c.params.items())}


def _record_challenger(
    replay: Replay,
    label: str,
    version: int,
    c: _steps.Challenger,
    trained_on: str,
    measured_on: str,
) -> None:
    """Record the challenger's training and its gate decision in the audit log."""
    replay.audit.record(
        "trained",
        label,
        version=version,
        model=replay.config.model,
        trained_on=trained_on,
        measured_on=measured_on,
        params=_params(c),
        metrics=_steps.headline(c.metrics),
    )
    replay.audit.record(
        "gate_decision",
        label,
        version=version,
        decision=c.gate_decision,
        reasons=list(c.gate_reasons),
        comparison=c.comparison,
    )


def _model_record(
    replay: Replay, version: int, c: _steps.Challenger, trained_on: str, measured_on: str
) -> dict[str, Any]:
    """What is written beside a registered challenger (``models/v<version>.json``)."""
    return {
        "replay_version": version,
        "trained_on": trained_on,
        "measured_on": measured_on,
        "window": replay.settings.window,
        "params": _params(c),
        "tuning": c.tuned,
        "metrics": _steps.headline(c.metrics),
        "gate_decision": c.gate_decision,
        "gate_reasons": list(c.gate_reasons),
        "comparison": c.comparison,
        "fairness_guardrail": c.fairness_note,
    }


# -- decide ----------------------------------------------------------------------------


def decide(
    replay: Replay, state: ReplayState, batch: Batch, fired: Triggers, trained: Trained
) -> tuple[bool, str]:
    """Promote the challenger or keep the champion; whether it was promoted, and why."""
    c, previous = trained.challenger, state.champion.version
    text = _trained_text(replay, fired, trained)
    fairness = f" {c.fairness_note}" if c.fairness_note else ""
    hold = replay.settings.hold_on_fairness_alert and bool(batch.monitoring.fairness_alerts)
    if c.gate_decision == "promote" and c.wins and not c.fairness_held and not hold:
        reason = (
            f"{text}The gate says promote and {c.comparison}{fairness} Promoted: "
            f"v{trained.version} replaces v{previous} as champion from the next batch."
        )
        promote(replay, state, batch, trained)
        return True, reason
    return False, f"{text}{c.comparison}{fairness} {_verdict(replay, batch, trained)}"


def _trained_text(replay: Replay, fired: Triggers, trained: Trained) -> str:
    """What fired, and how and where the challenger was trained and registered."""
    where = (
        f", registered as {replay.registry.model_name} version {trained.registered}. "
        if replay.registry is not None
        else ". "
    )
    return (
        f"Triggered by {fired.text}. Challenger v{trained.version} trained on "
        f"{trained.trained_on} ({replay.settings.window} window), {trained.challenger.tuned}"
        f"{where}"
    )


def promote(replay: Replay, state: ReplayState, batch: Batch, trained: Trained) -> None:
    """Make the challenger the champion from the next batch on."""
    replay.move(
        "champion", batch.label, trained.version, trained.registered, state.champion.version
    )
    state.champion = Champion(
        version=trained.version,
        train_batches=trained.train_batches,
        last_seen=batch.judged,
        since=batch.index + 1,
        reference=trained.challenger.challenger_value,
    )


def _verdict(replay: Replay, batch: Batch, trained: Trained) -> str:
    """Why a challenger that was not promoted was not (recording a held promotion)."""
    c, alerts = trained.challenger, batch.monitoring.fairness_alerts
    if c.gate_decision == "promote" and c.wins and c.fairness_held:
        return "It would win, but fairness must not fall: the champion stays."
    if c.gate_decision == "promote" and c.wins:
        verdict = (
            f"It would win, but the champion's latest labelled batch carries a fairness alert "
            f"({', '.join(alerts)}), so automatic promotion is held: the "
            "challenger waits for a person's review and the champion stays."
        )
        replay.audit.record(
            "promotion_held",
            batch.label,
            version=trained.version,
            registered_version=trained.registered,
            fairness_alerts=list(alerts),
            reason=verdict,
        )
        return verdict
    if c.gate_decision == "needs human approval":
        return (
            "The gate needs a named person's approval, which a simulation never gives on "
            "anyone's behalf, so the champion stays (approve it with mlops-kit approve after "
            "review, or set continuous.policy for the replay)."
        )
    if c.gate_decision == "refuse":
        return "The gate refused the challenger, so the champion stays."
    return "The gate would promote it, but it lost the comparison: the champion stays."
