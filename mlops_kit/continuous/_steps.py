"""The pieces of one replay step: the batch stream, fitting, scoring, monitoring, challengers.

Part of :mod:`mlops_kit.continuous`; see the package docstring.

Over 400 lines because every building block of a replay step (the batch stream,
fitting, scoring, monitoring, challengers and the fairness guardrail) is here, each a
small function, so that :mod:`._batch` reads as the step's story.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import ContinuousSettings
from ..errors import ConfigError, DataValidationError, did_you_mean
from ..privacy import check_data

if TYPE_CHECKING:
    import pandas as pd
    from sklearn.pipeline import Pipeline

    from .._wording import Wording
    from ..config import PipelineConfig, PolicySection
    from ..data import ColumnRoles

_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}


@dataclass(frozen=True)
class Stream:
    """The data as an ordered stream of batches: features, coded target and batch labels."""

    X: pd.DataFrame = field(repr=False)
    y: np.ndarray = field(repr=False)
    frame: pd.DataFrame = field(repr=False)
    codes: np.ndarray = field(repr=False)
    labels: tuple[str, ...]
    roles: ColumnRoles
    batch_column: str

    def mask(self, batches: Sequence[int]) -> np.ndarray:
        """Rows of the batches numbered ``batches`` (0 = the first)."""
        return np.isin(self.codes, np.asarray(list(batches), dtype=np.int64))

    def span(self, batches: Sequence[int]) -> str:
        """The batches in words, e.g. '2023-01 to 2023-06'."""
        b = list(batches)
        if not b:
            return "no batches"
        first, last = self.labels[b[0]], self.labels[b[-1]]
        return first if first == last else f"{first} to {last}"


def load_stream(config: PipelineConfig, settings: ContinuousSettings) -> Stream:
    """Read and validate the config's data and cut it into ordered batches."""
    import pandas as pd

    from ..data import TableRules, binary_target, load_table

    column = settings.batch_column or config.time_column
    if column is None:
        raise ConfigError(
            "Continuous training needs batches: set config key 'continuous.batch_column' or "
            "'time_column' to the column that orders rows in time; got neither."
        )
    df = load_table(config.data, TableRules.from_params(config)).data
    if column not in df.columns:
        raise DataValidationError(
            f"Config key 'continuous.batch_column' names '{column}', which is not a column of "
            f"'{config.data}'.{did_you_mean(column, map(str, df.columns))}",
            column=column,
        )
    profile = check_data(df, config, source=f"'{config.data}'")[0]
    roles = profile.roles
    raw = df[column]
    if settings.batch_period != "as_is":
        dates = pd.to_datetime(raw, errors="coerce")
        if dates.isna().any():
            bad = raw[dates.isna()].iloc[0]
            raise DataValidationError(
                f"Config key 'continuous.batch_period' is {settings.batch_period!r}, which "
                f"needs dates in column '{column}'; got {bad!r}.",
                column=column,
            )
        raw = dates.dt.to_period(_PERIODS[settings.batch_period]).astype(str)
    if raw.isna().any():
        raise DataValidationError(
            f"Column '{column}' names each row's batch, so it may not be missing; "
            f"{int(raw.isna().sum())} row(s) are.",
            column=column,
        )
    batch = raw.astype(str).to_numpy()
    labels, codes = np.unique(batch, return_inverse=True)
    needed = settings.initial_batches + 1
    if len(labels) < needed:
        raise DataValidationError(
            f"Continuous training needs at least {needed} batches in '{column}' "
            f"(initial_batches {settings.initial_batches} plus one to replay); found "
            f"{len(labels)}.",
            column=column,
        )
    order = np.argsort(codes, kind="stable")
    frame = df.iloc[order].reset_index(drop=True)
    y = (
        binary_target(frame[config.target], config.positive_label)
        if config.task == "classification"
        else frame[config.target].to_numpy(dtype=float)
    )
    return Stream(
        X=frame.loc[:, list(roles.features)],
        y=y,
        frame=frame,
        codes=codes[order].astype(np.int64),
        labels=tuple(str(v) for v in labels),
        roles=roles,
        batch_column=column,
    )


def fit(
    config: PipelineConfig,
    stream: Stream,
    batches: Sequence[int],
    params: dict[str, Any] | None = None,
) -> Pipeline:
    """Fit the config's model family on ``batches``."""
    from ..train import build_pipeline

    m = stream.mask(batches)
    pipeline = build_pipeline(
        config.model, stream.roles, task=config.task, seed=config.seed, params=params
    )
    return pipeline.fit(stream.X[m], stream.y[m])


def score(config: PipelineConfig, model: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """Probabilities of the positive class (classification) or predictions (regression)."""
    if config.task == "classification":
        return np.asarray(model.predict_proba(X)[:, 1], dtype=float)
    return np.asarray(model.predict(X), dtype=float)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def evaluate(
    config: PipelineConfig, stream: Stream, model: Pipeline, batches: Sequence[int]
) -> dict[str, Any]:
    """Metrics (and, for a classifier, fairness per protected column) as in metrics.json."""
    from ..fairness import fairness_report
    from ..metrics import classification_metrics, regression_metrics

    m = stream.mask(batches)
    s = score(config, model, stream.X[m])
    y = stream.y[m]
    if config.task == "regression":
        return {"n_test": int(m.sum()), **regression_metrics(y, s)}
    flags = (s >= config.threshold).astype(np.int64)
    out: dict[str, Any] = {"n_test": int(m.sum())}
    out.update({k: _finite(v) for k, v in classification_metrics(y, flags, s).items()})
    if stream.roles.protected:
        groups = stream.frame.loc[m, list(stream.roles.protected)].astype(str)
        report = fairness_report(
            y,
            flags,
            groups,
            positive_is=config.positive_is,
            min_group_size=config.min_group_size,
            min_group_positives=config.min_group_positives,
            n_bootstrap=0,
            seed=config.seed,
            rate_name=words(config).rate,
            positive_words=words(config).positive,
        )
        out["fairness"] = {k: v.to_dict() for k, v in report.items()}
    return out


def words(config: PipelineConfig) -> Wording:
    """How the replay's fairness sentences and alerts name the rate and a positive
    prediction: the config's ``wording``, else words derived from its target."""
    from .._wording import Wording

    return Wording.resolve(
        target=config.target,
        positive_label=config.positive_label,
        positive_is=config.positive_is,
        task=config.task,
        settings=config.wording,
    )


def headline(metrics: dict[str, Any]) -> dict[str, float | None]:
    """The numeric metrics of an evaluation, without the fairness detail."""
    keys = ("roc_auc", "pr_auc", "recall", "precision", "f1", "accuracy", "rmse", "mae", "r2")
    out = {k: _finite(metrics.get(k)) for k in keys if k in metrics}
    for attr, section in (metrics.get("fairness") or {}).items():
        out[f"four_fifths_ratio[{attr}]"] = _finite(section["four_fifths"]["ratio"])
    return out


@dataclass(frozen=True)
class Monitoring:
    """What the monitor saw at one batch: drift, prediction drift, performance, alerts."""

    drifted: tuple[str, ...]
    too_small: bool
    score_psi: float | None
    judged_batch: str | None
    judged_metric: float | None
    judged_labelled: int
    alerts: tuple[str, ...]
    performance_floor_breached: tuple[str, ...]
    fairness_alerts: tuple[str, ...] = ()


def monitor(
    config: PipelineConfig,
    stream: Stream,
    model: Pipeline,
    *,
    reference: Sequence[int],
    current: int,
    judged: int | None,
    metric: str,
) -> Monitoring:
    """Drift of ``current`` against the champion's training batches ``reference``, and the
    champion's performance and fairness on the newest labelled batch ``judged``."""
    from ..monitor import drift_report
    from ..monitor._stats import bin_counts, psi, quantile_edges

    ref_mask, cur_mask = stream.mask(reference), stream.mask([current])
    label = stream.labels[current]
    drift = drift_report(
        stream.X[ref_mask],
        stream.X[cur_mask],
        settings=config.monitoring.drift,
        label=label,
    )
    alerts = [str(a) for a in drift.alerts]
    ref_scores = np.sort(score(config, model, stream.X[ref_mask]))
    cur_scores = score(config, model, stream.X[cur_mask])
    perf = config.monitoring.performance
    edges = quantile_edges(ref_scores, perf.n_bins)
    score_psi = float(
        psi(bin_counts(ref_scores, edges, 0), bin_counts(np.sort(cur_scores), edges, 0))
    )
    judgement = Judgement()
    if judged is not None:
        judgement = judge(config, stream, model, judged, ref_scores=ref_scores, metric=metric)
    alerts.extend(judgement.alerts)
    if score_psi >= perf.score_psi_threshold:
        alerts.append(
            f"[{label}] WARNING: The score distribution moved: PSI {score_psi:.3f} against the "
            f"champion's training scores, at or above {perf.score_psi_threshold:g}."
        )
    return Monitoring(
        drifted=drift.drifted,
        too_small=bool(drift.too_small),
        score_psi=_finite(score_psi),
        judged_batch=None if judged is None else stream.labels[judged],
        judged_metric=judgement.metric,
        judged_labelled=judgement.n_labelled,
        alerts=tuple(alerts),
        performance_floor_breached=judgement.breached,
        fairness_alerts=judgement.unfair,
    )


@dataclass(frozen=True)
class Judgement:
    """The champion on a labelled batch: its metric, and the alerts its labels raise.

    Attributes
    ----------
    metric : float or None
        The compared metric (``None`` when no labelled batch is judged).
    n_labelled : int
        Labelled rows judged.
    alerts : tuple of str
        Performance and fairness alerts, in words.
    breached : tuple of str
        Metrics below the monitoring floor.
    unfair : tuple of str
        Protected attributes with a fairness alert.
    """

    metric: float | None = None
    n_labelled: int = 0
    alerts: tuple[str, ...] = ()
    breached: tuple[str, ...] = ()
    unfair: tuple[str, ...] = ()


def judge(
    config: PipelineConfig,
    stream: Stream,
    model: Pipeline,
    judged: int,
    *,
    ref_scores: np.ndarray,
    metric: str,
) -> Judgement:
    """The champion's performance (and, for a classifier, fairness) on batch ``judged``."""
    if config.task == "classification":
        return _judge_classifier(
            config, stream, model, judged, ref_scores=ref_scores, metric=metric
        )
    from ..metrics import regression_metrics

    jm = stream.mask([judged])
    values = regression_metrics(stream.y[jm], score(config, model, stream.X[jm]))
    return Judgement(metric=_finite(values.get(metric)), n_labelled=int(jm.sum()))


def _judge_classifier(
    config: PipelineConfig,
    stream: Stream,
    model: Pipeline,
    judged: int,
    *,
    ref_scores: np.ndarray,
    metric: str,
) -> Judgement:
    """A classifier's metric and alerts on ``judged``, as the monitoring report gives them."""
    import pandas as pd

    from ..monitor import performance_over_time

    jm = stream.mask([judged])
    perf = config.monitoring.performance
    settings = perf.model_copy(
        update={
            "threshold": config.threshold,
            "positive_is": config.positive_is,
            "rate_name": perf.rate_name or words(config).rate,
        }
    )
    scored = pd.DataFrame(
        {
            "batch": stream.labels[judged],
            "y_true": stream.y[jm].astype(float),
            "y_score": score(config, model, stream.X[jm]),
        }
    )
    for col in stream.roles.protected:
        scored[col] = stream.frame.loc[jm, col].astype(str).to_numpy()
    report = performance_over_time(
        scored,
        period="batch",
        groups=stream.roles.protected,
        reference_scores=ref_scores,
        settings=settings,
    )
    alerts: list[str] = []
    breached: list[str] = []
    unfair: list[str] = []
    for a in report.alerts:
        if a.kind.value == "prediction drift":
            continue  # judged on the current batch, not the labelled one
        alerts.append(str(a))
        if a.kind.value == "performance":
            breached.append(a.subject)
        if a.kind.value == "fairness" and a.severity.value == "alert":
            unfair.append(a.subject)
    return Judgement(
        metric=_finite(report.table.iloc[0].get(metric)),
        n_labelled=int(jm.sum()),
        alerts=tuple(alerts),
        breached=tuple(breached),
        unfair=tuple(unfair),
    )


@dataclass(frozen=True)
class Challenger:
    """A challenger trained, tuned, gated and compared with the champion."""

    model: Pipeline = field(repr=False)
    train_batches: tuple[int, ...]
    holdout_batches: tuple[int, ...]
    params: dict[str, Any]
    tuned: str
    metrics: dict[str, Any] = field(repr=False)
    champion_metrics: dict[str, Any] = field(repr=False)
    gate_decision: str
    gate_reasons: tuple[str, ...]
    challenger_value: float | None
    champion_value: float | None
    wins: bool
    comparison: str
    fairness_held: tuple[str, ...] = ()
    fairness_note: str = ""


def _ratios(weights: np.ndarray, flags: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Four-fifths ratio (lowest over highest flag rate across groups) per weight row."""
    n = weights @ onehot
    rates = (weights @ (onehot * flags[:, None])) / n
    top = rates.max(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(top > 0, rates.min(axis=1) / top, np.nan)


def fairness_guardrail(
    champion_flags: np.ndarray,
    challenger_flags: np.ndarray,
    groups: pd.DataFrame,
    *,
    tolerance: float | None,
    min_group_size: int,
    seed: int,
    n_bootstrap: int = 400,
) -> tuple[tuple[str, ...], str]:
    """Protected attributes whose four-fifths ratio the challenger lowers beyond chance.

    Both models flag the same held-out rows. For each attribute (groups of at least
    ``min_group_size`` rows), the fall is the champion's ratio minus the challenger's.
    An attribute holds the challenger only when the fall is larger than ``tolerance``
    *and* a paired bootstrap over the rows puts its one-sided 95% lower bound above
    zero: on a month of data a ratio moves by 0.1 or more by chance alone, and a
    guardrail that fires on noise would block every promotion.
    """
    if tolerance is None or groups.shape[1] == 0:
        return (), ""
    rng = np.random.default_rng(seed)
    n = len(champion_flags)
    weights = np.vstack(
        [np.ones(n), rng.multinomial(n, np.full(n, 1.0 / n), size=n_bootstrap)]
    ).astype(float)
    a, b = champion_flags.astype(float), challenger_flags.astype(float)
    held: list[str] = []
    parts: list[str] = []
    for attr in groups.columns:
        values = groups[attr].astype(str).to_numpy()
        _, codes, counts = np.unique(values, return_inverse=True, return_counts=True)
        keep = counts >= min_group_size
        if keep.sum() < 2:
            parts.append(f"{attr}: not judged (fewer than two groups of {min_group_size} rows)")
            continue
        onehot = (codes[:, None] == np.flatnonzero(keep)[None, :]).astype(float)
        fall = _ratios(weights, a, onehot) - _ratios(weights, b, onehot)
        old, new = _ratios(weights[:1], a, onehot)[0], _ratios(weights[:1], b, onehot)[0]
        if not (np.isfinite(old) and np.isfinite(new)):
            parts.append(f"{attr}: not judged (no flags in any group)")
            continue
        lower = float(np.nanquantile(fall[1:], 0.05))
        text = f"{attr}: {new:.2f} against the champion's {old:.2f}"
        if round(old - new, 12) > tolerance and lower > 0:
            held.append(attr)
            parts.append(f"{text}, a fall beyond {tolerance:g} and beyond chance")
        elif round(old - new, 12) > tolerance:
            parts.append(f"{text}, a fall chance could explain (95% lower bound {lower:+.2f})")
        else:
            parts.append(text)
    verdict = (
        f"The fairness guardrail holds it: the four-fifths ratio fell for {', '.join(held)}."
        if held
        else f"The fairness guardrail passes: no four-fifths ratio fell by more than "
        f"{tolerance:g} beyond chance."
    )
    return tuple(held), f"{verdict} ({'; '.join(parts)}.)"


def train_challenger(
    config: PipelineConfig,
    stream: Stream,
    settings: ContinuousSettings,
    champion: Pipeline,
    *,
    train_batches: Sequence[int],
    holdout: Sequence[int],
    policy: PolicySection,
    trained_by: str,
) -> Challenger:
    """Tune and fit a challenger on ``train_batches``; gate and compare it on ``holdout``."""
    from ..governance import evaluate_gate

    params, tuned = _tune(config, stream, settings, train_batches)
    model = fit(config, stream, train_batches, params)
    metric = settings.primary_metric(config.task)
    mine = evaluate(config, stream, model, holdout)
    theirs = evaluate(config, stream, champion, holdout)
    gate = evaluate_gate(mine, policy, trained_by=trained_by)
    a, b = _finite(mine.get(metric)), _finite(theirs.get(metric))
    where = f"on {stream.span(holdout)} ({mine['n_test']:,} held-out rows)"
    wins, comparison = _compare(config, settings, a, b, where=where)
    held, note = _guardrail(config, stream, settings, champion, model, holdout)
    return Challenger(
        model=model,
        train_batches=tuple(train_batches),
        holdout_batches=tuple(holdout),
        params=params,
        tuned=tuned,
        metrics=mine,
        champion_metrics=theirs,
        gate_decision=gate.decision.value,
        gate_reasons=tuple(gate.reasons),
        challenger_value=a,
        champion_value=b,
        wins=wins,
        comparison=comparison,
        fairness_held=held,
        fairness_note=note,
    )


def _tune(
    config: PipelineConfig,
    stream: Stream,
    settings: ContinuousSettings,
    train_batches: Sequence[int],
) -> tuple[dict[str, Any], str]:
    """The challenger's hyperparameters, tuned on ``train_batches``, and how, in words."""
    from ..tune import tune

    if not settings.tuning_trials:
        return {}, "not tuned (tuning_trials is 0): the model family's default settings"
    m = stream.mask(train_batches)
    result = tune(
        stream.X[m],
        stream.y[m],
        model=config.model,
        task=config.task,
        roles=stream.roles,
        search_space=config.tuning.search_space,
        metric=config.tuning.metric,
        n_trials=settings.tuning_trials,
        cv_folds=settings.tuning_cv_folds,
        time_ordered=True,
        seed=config.seed,
    )
    tuned = (
        f"tuned with {result.n_trials} Optuna trial(s): best cross-validated "
        f"{result.metric} {result.best_value:.3f}"
    )
    return dict(result.best_params), tuned


def _compare(
    config: PipelineConfig,
    settings: ContinuousSettings,
    challenger: float | None,
    champion: float | None,
    *,
    where: str,
) -> tuple[bool, str]:
    """Whether the challenger beats the champion by the margin, and the comparison in words."""
    metric = settings.primary_metric(config.task)
    if challenger is None or champion is None:
        return False, f"{metric} could not be computed {where}, so the champion stays."
    a, b = challenger, champion
    gain = a - b if settings.higher_is_better(config.task) else b - a
    wins = round(gain, 12) >= settings.margin and gain > 0
    verdict = "beats" if wins else "does not beat"
    comparison = (
        f"Challenger {metric} {a:.3f} against the champion's {b:.3f} {where}: it "
        f"{verdict} the champion by the required margin of {settings.margin:g} "
        f"(difference {gain:+.3f})."
    )
    return wins, comparison


def _guardrail(
    config: PipelineConfig,
    stream: Stream,
    settings: ContinuousSettings,
    champion: Pipeline,
    model: Pipeline,
    holdout: Sequence[int],
) -> tuple[tuple[str, ...], str]:
    """The fairness guardrail on ``holdout`` (a classifier with protected columns only)."""
    if config.task != "classification" or not stream.roles.protected:
        return (), ""
    m = stream.mask(holdout)
    return fairness_guardrail(
        score(config, champion, stream.X[m]) >= config.threshold,
        score(config, model, stream.X[m]) >= config.threshold,
        stream.frame.loc[m, list(stream.roles.protected)],
        tolerance=settings.fairness_guardrail,
        min_group_size=config.min_group_size,
        seed=config.seed,
    )
