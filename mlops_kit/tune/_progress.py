"""The progress of a study as its trials finish: a table with the best score so far.

:func:`trial_progress` turns the records :func:`mlops_kit.tune.tune` passes to its
``on_trial`` hook into a frozen :class:`TuningProgress`, which a widget, a log or a
test can show as a table or read in words.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..config import TUNING_METRICS
from ..errors import ConfigError
from ._space import _METRIC_WORDS, _METRICS, Direction

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TuningProgress", "trial_progress"]


def _score(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.4f}"


def _param(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class TuningProgress:
    """The trials of a study so far, with the best score so far after each.

    Attributes
    ----------
    records : tuple of dict
        The finished trials in the order they finished, each as
        :func:`mlops_kit.tune.tune` passes it to ``on_trial`` (``number``, ``value``,
        ``state``, ``folds_done``, ``params_<name>``, ...).
    metric : str
        The metric the study optimises.
    cv_folds : int
        Folds per trial: a pruned trial stopped after fewer.
    n_trials : int or None
        The trial budget (None: a time budget only).
    """

    records: tuple[dict[str, Any], ...]
    metric: str
    cv_folds: int = 3
    n_trials: int | None = None

    @property
    def direction(self) -> Direction:
        """``"maximize"`` or ``"minimize"``, from the metric."""
        return _METRICS[self.metric][2]

    @property
    def n_finished(self) -> int:
        """Trials finished so far (complete or pruned)."""
        return len(self.records)

    @property
    def n_pruned(self) -> int:
        """Trials stopped early by pruning."""
        return sum(r["state"] == "PRUNED" for r in self.records)

    def _best_after_each(self) -> list[tuple[float, int | None]]:
        """(best complete score so far, its trial number) after each record."""
        best, trial = math.nan, None
        out = []
        for r in self.records:
            value = float(r["value"])
            if r["state"] == "COMPLETE" and (
                math.isnan(best) or (value > best if self.direction == "maximize" else value < best)
            ):
                best, trial = value, int(r["number"])
            out.append((best, trial))
        return out

    @property
    def best_value(self) -> float:
        """The best complete trial's score so far (NaN before any completes)."""
        best = self._best_after_each()
        return best[-1][0] if best else math.nan

    @property
    def best_trial(self) -> int | None:
        """The number of the best complete trial so far."""
        best = self._best_after_each()
        return best[-1][1] if best else None

    def _outcome(self, record: Mapping[str, Any]) -> str:
        if record["state"] == "PRUNED":
            return f"pruned after fold {record['folds_done']} of {self.cv_folds}"
        return "complete"

    def to_frame(self) -> pd.DataFrame:
        """One row per finished trial: outcome, score, best so far, new best, parameters.

        Examples
        --------
        >>> records = [
        ...     {"number": 0, "value": 0.70, "state": "COMPLETE", "folds_done": 3, "params_C": 1.0},
        ...     {"number": 1, "value": 0.60, "state": "PRUNED", "folds_done": 1, "params_C": 0.01},
        ...     {"number": 2, "value": 0.75, "state": "COMPLETE", "folds_done": 3, "params_C": 3.0},
        ... ]
        >>> trial_progress(records, metric="roc_auc").to_frame()
                             outcome  score  best_so_far  new_best    C
        trial
        0                   complete   0.70         0.70      True  1.0
        1      pruned after fold 1 of 3   0.60         0.70     False  0.01
        2                   complete   0.75         0.75      True  3.0
        """
        import pandas as pd

        best = self._best_after_each()
        rows = []
        previous = math.nan
        for record, (value, _) in zip(self.records, best, strict=True):
            new = not math.isnan(value) and (math.isnan(previous) or value != previous)
            rows.append(
                {
                    "trial": int(record["number"]),
                    "outcome": self._outcome(record),
                    "score": float(record["value"]),
                    "best_so_far": value,
                    "new_best": bool(new),
                    **{
                        k[len("params_") :]: v
                        for k, v in record.items()
                        if str(k).startswith("params_")
                    },
                }
            )
            previous = value
        columns = ["trial", "outcome", "score", "best_so_far", "new_best"]
        return pd.DataFrame(rows, columns=columns if not rows else None).set_index("trial")

    def reading(self) -> str:
        """Where the study stands, in one or two plain sentences.

        Examples
        --------
        >>> p = trial_progress([], metric="roc_auc", n_trials=10)
        >>> p.reading()
        'No trial has finished yet (budget: 10 trials).'
        """
        words = _METRIC_WORDS[self.metric]
        budget = f" of {self.n_trials}" if self.n_trials else ""
        if not self.records:
            limit = f" (budget: {self.n_trials} trials)" if self.n_trials else ""
            return f"No trial has finished yet{limit}."
        last = self.records[-1]
        pruned = f" ({self.n_pruned} pruned)" if self.n_pruned else ""
        latest = (
            f"Latest: trial {last['number']}, {self._outcome(last)}, {words} "
            f"{_score(float(last['value']))}"
        )
        if last["state"] == "PRUNED":
            latest += " (the mean of the folds it finished)"
        if self.best_trial is None:
            best = "No trial has completed every fold yet."
        else:
            best = f"Best so far: {_score(self.best_value)} (trial {self.best_trial})."
        return f"{self.n_finished}{budget} trials finished{pruned}. {latest}. {best}"

    def to_html(self) -> str:
        """An accessible table (caption, header cells) of the trials, and the reading."""
        better = "higher" if self.direction == "maximize" else "lower"
        words = _METRIC_WORDS[self.metric]
        first = self.records[0] if self.records else {}
        params = [str(k)[len("params_") :] for k in first if str(k).startswith("params_")]
        head = "".join(
            f"<th scope='col'>{html.escape(h)}</th>"
            for h in ("trial", "outcome", words, "best so far", "note", *params)
        )
        body = []
        for row in self.to_frame().reset_index().to_dict(orient="records"):
            note = "new best" if row["new_best"] else ""
            cells = [
                f"<th scope='row'>{row['trial']}</th>",
                f"<td>{html.escape(row['outcome'])}</td>",
                f"<td style='text-align:right'>{_score(row['score'])}</td>",
                f"<td style='text-align:right'>{_score(row['best_so_far'])}</td>",
                f"<td>{'&#9733; ' + note if note else ''}</td>",
                *(
                    f"<td style='text-align:right'>{html.escape(_param(row[p]))}</td>"
                    for p in params
                ),
            ]
            body.append(f"<tr>{''.join(cells)}</tr>")
        return (
            "<table class='mlops-tuning-table'>"
            f"<caption style='text-align:left'>Trials so far: cross-validated {html.escape(words)} "
            f"({better} is better)</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
            f"<p>{html.escape(self.reading())}</p>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def add(self, record: Mapping[str, Any]) -> TuningProgress:
        """A new progress with one more finished trial."""
        return TuningProgress(
            (*self.records, dict(record)), self.metric, self.cv_folds, self.n_trials
        )


def trial_progress(
    records: Sequence[Mapping[str, Any]],
    *,
    metric: str,
    cv_folds: int = 3,
    n_trials: int | None = None,
) -> TuningProgress:
    """The progress of a study from its finished trials' records.

    Parameters
    ----------
    records : sequence of dict
        What :func:`mlops_kit.tune.tune` passes to ``on_trial`` for each finished
        trial, in order (or the rows of :attr:`mlops_kit.tune.TuningResult.trials`).
    metric : str
        The metric optimised (any of :data:`mlops_kit.config.TUNING_METRICS`).
    cv_folds : int, default 3
    n_trials : int, optional
        The trial budget, for the reading ("4 of 12 trials finished").

    Returns
    -------
    TuningProgress

    Raises
    ------
    ConfigError
        An unknown metric, or a record without ``number``, ``value`` or ``state``.

    Examples
    --------
    >>> p = trial_progress(
    ...     [{"number": 0, "value": 0.31, "state": "COMPLETE", "folds_done": 3}],
    ...     metric="rmse", n_trials=5)
    >>> p.reading()
    '1 of 5 trials finished. Latest: trial 0, complete, RMSE 0.3100. Best so far: 0.3100 (trial 0).'
    """
    known = [m for ms in TUNING_METRICS.values() for m in ms]
    if metric not in known:
        raise ConfigError(
            f"The 'metric' parameter of trial_progress must be one of {', '.join(known)}. "
            f"Got {metric!r} instead."
        )
    checked = []
    for i, record in enumerate(records):
        missing = [k for k in ("number", "value", "state") if k not in record]
        if missing:
            raise ConfigError(
                f"Each record passed to trial_progress needs 'number', 'value' and 'state'; "
                f"record {i} lacks {', '.join(missing)}."
            )
        checked.append(dict(record))
    return TuningProgress(tuple(checked), metric, cv_folds, n_trials)
