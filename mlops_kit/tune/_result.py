"""The outcome of a study: best parameters, every trial, and figures with descriptions."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..figures import PALETTE, DescribedFigure, new_axes
from ._space import _METRIC_WORDS, Direction

if TYPE_CHECKING:
    import optuna
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["TuningResult"]


def _columns(space: Mapping[str, Any]) -> list[str]:
    return [
        "number",
        "value",
        "state",
        "duration_seconds",
        "folds_done",
        "worker",
        "datetime_complete",
        *(f"params_{k}" for k in space),
    ]


def _trial_record(trial: optuna.trial.FrozenTrial, space: Mapping[str, Any]) -> dict[str, Any]:
    duration = trial.duration.total_seconds() if trial.duration is not None else math.nan
    record: dict[str, Any] = {
        "number": trial.number,
        "value": math.nan if trial.value is None else float(trial.value),
        "state": trial.state.name,
        "duration_seconds": duration,
        "folds_done": len(trial.intermediate_values),
        "worker": trial.user_attrs.get("worker"),
        "datetime_complete": trial.datetime_complete,
    }
    for k in space:
        record[f"params_{k}"] = trial.params.get(k)
    return record


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class TuningResult:
    """The outcome of :func:`tune`.

    ``trials`` has one row per finished trial: ``number``, ``value`` (the
    cross-validated metric; for a pruned trial the running mean when it stopped),
    ``state`` (``COMPLETE`` or ``PRUNED``), ``duration_seconds``, ``folds_done``,
    ``worker`` (which worker process ran it), ``datetime_complete`` and one
    ``params_<name>`` column per parameter. ``best_value`` is in the metric's natural
    sign (RMSE positive, negative log loss negative).

    ``importances`` maps each parameter to its share (summing to 1) of the variation
    in the first-fold score over every finished trial (Optuna's fANOVA); it is empty
    with fewer than two trials or parameters. The first-fold score is used because
    every trial has one: importances from complete trials alone would miss the trials
    pruning stopped, which are the ones showing which values are bad.
    """

    best_params: dict[str, Any]
    best_value: float
    metric: str
    direction: Direction
    n_trials: int
    n_complete: int
    n_pruned: int
    trials: pd.DataFrame = field(repr=False)
    reproducible: bool
    reproducible_reason: str
    storage: str | None
    study_name: str
    seconds: float
    seed: int
    model: str = ""
    task: str = "classification"
    best_trial: int = 0
    n_previous: int = 0
    n_workers: int = 1
    cv_scheme: str = ""
    search_space: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    importances: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def _metric_words(self) -> str:
        return _METRIC_WORDS.get(self.metric, self.metric)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (trials as a list of records)."""
        records = []
        for row in self.trials.to_dict(orient="records"):
            clean: dict[str, Any] = {}
            for k, v in row.items():
                if hasattr(v, "isoformat"):
                    v = None if v != v else v.isoformat()  # NaT != NaT
                elif isinstance(v, np.generic):
                    v = v.item()
                if isinstance(v, float) and not math.isfinite(v):
                    v = None
                clean[str(k)] = v
            records.append(clean)
        return {
            "model": self.model,
            "task": self.task,
            "metric": self.metric,
            "direction": self.direction,
            "best_params": {
                k: v.item() if isinstance(v, np.generic) else v for k, v in self.best_params.items()
            },
            "best_value": self.best_value,
            "best_trial": self.best_trial,
            "n_trials": self.n_trials,
            "n_complete": self.n_complete,
            "n_pruned": self.n_pruned,
            "n_previous": self.n_previous,
            "n_workers": self.n_workers,
            "cv_scheme": self.cv_scheme,
            "reproducible": self.reproducible,
            "reproducible_reason": self.reproducible_reason,
            "storage": self.storage,
            "study_name": self.study_name,
            "seconds": round(self.seconds, 3),
            "seed": self.seed,
            "search_space": self.search_space,
            "importances": self.importances,
            "summary": self.summary(),
            "trials": records,
        }

    def to_frame(self) -> pd.DataFrame:
        """The record of every trial (:attr:`trials`), indexed by trial number."""
        return self.trials.set_index("number")

    def same_trials(self, other: TuningResult) -> bool:
        """Whether ``other`` holds the same trials: numbers, states, scores and parameters.

        What a re-run has to show to be reproducible. Timings and which worker ran a
        trial are left out: they always differ.
        """
        import pandas as pd

        columns = ["number", "state", "value", *(f"params_{k}" for k in self.search_space)]
        if list(other.trials.columns) != list(self.trials.columns):
            return False
        try:
            pd.testing.assert_frame_equal(
                self.trials[columns].reset_index(drop=True),
                other.trials[columns].reset_index(drop=True),
                check_exact=True,
            )
        except AssertionError:
            return False
        return self.best_params == other.best_params

    def summary(self) -> str:
        """The result in plain words."""
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in self.best_params.items())
        previous = f", {self.n_previous} of them from an earlier run" if self.n_previous else ""
        workers = f" across {self.n_workers} worker processes" if self.n_workers > 1 else ""
        return (
            f"Tuned the {self.model} model with {self.n_trials} trials{previous} "
            f"({self.n_complete} complete, {self.n_pruned} stopped early by pruning) in "
            f"{self.seconds:.1f} s{workers}, scored by {self.cv_scheme}. The best "
            f"cross-validated {self._metric_words} was {self.best_value:.4f} (trial "
            f"{self.best_trial}), with {params}. {self.reproducible_reason}"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in self.best_params.items()
        )
        return (
            f"<p>{html.escape(self.summary())}</p>"
            f"<table><caption>Best parameters</caption><thead><tr><th>parameter</th>"
            f"<th>value</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    # -- figures ---------------------------------------------------------------------------

    def history_figure(self, *, ax: Axes | None = None) -> DescribedFigure:
        """Every trial's score, pruned trials marked apart, and the best so far as a step line."""
        fig, ax = new_axes(ax, (6.5, 4.0))
        t = self.trials
        complete = t[t["state"] == "COMPLETE"]
        pruned = t[t["state"] == "PRUNED"]
        ax.scatter(
            complete["number"],
            complete["value"],
            marker="o",
            color=PALETTE[0],
            s=28,
            label="complete trial (all folds)",
            zorder=3,
        )
        if len(pruned):
            ax.scatter(
                pruned["number"],
                pruned["value"],
                marker="x",
                color=PALETTE[5],
                s=30,
                label="pruned trial (score when stopped)",
                zorder=3,
            )
        values = complete["value"].to_numpy(dtype=float)
        running = (
            np.maximum.accumulate(values)
            if self.direction == "maximize"
            else np.minimum.accumulate(values)
        )
        ax.step(
            complete["number"],
            running,
            where="post",
            color="black",
            linestyle="--",
            label="best so far",
        )
        ax.set_xlabel("trial number")
        ax.set_ylabel(f"cross-validated {self._metric_words}")
        ax.legend(loc="best", fontsize=8)
        title = "Tuning history"
        ax.set_title(title)
        first = float(values[0])
        better = "higher" if self.direction == "maximize" else "lower"
        text = (
            f"Cross-validated {self._metric_words} ({better} is better) of each of "
            f"{self.n_trials} trials: {self.n_complete} complete (circles) and "
            f"{self.n_pruned} pruned after their first folds (crosses, at the score they "
            f"had when stopped). The dashed step line is the best complete score so far: "
            f"it starts at {first:.4f} and reaches the best value, {self.best_value:.4f}, "
            f"at trial {self.best_trial}."
        )
        return DescribedFigure(fig, title, text)

    def importance_figure(self, *, ax: Axes | None = None) -> DescribedFigure:
        """How much each parameter mattered, as labelled bars.

        Importances are Optuna's fANOVA: each parameter's share of the variation in the
        first-fold score, over every finished trial (pruned ones included; see
        :attr:`importances`).
        """
        title = "Hyperparameter importance"
        if not self.importances:
            fig, ax = new_axes(ax, (6.0, 2.0))
            reason = (
                f"Importance needs at least two finished trials and two parameters; this "
                f"study has {self.n_trials} finished trial(s) and "
                f"{len(self.search_space)} parameter(s), so there is nothing to compare."
            )
            ax.text(0.5, 0.5, reason, ha="center", va="center", wrap=True, fontsize=9)
            ax.set_axis_off()
            ax.set_title(title)
            return DescribedFigure(fig, title, reason)
        names = list(self.importances)
        shares = np.array([self.importances[n] for n in names])
        fig, ax = new_axes(ax, (6.0, 1.0 + 0.45 * len(names)))
        y = np.arange(len(names))
        ax.barh(y, shares, color=PALETTE[0], edgecolor="black")
        for i, s in enumerate(shares):
            ax.text(s + 0.01, i, f"{s:.0%}", va="center", fontsize=9)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, min(1.15, float(shares.max()) + 0.15))
        ax.set_xlabel("share of importance")
        ax.set_title(title)
        listed = ", ".join(f"{n} {self.importances[n]:.0%}" for n in names[1:])
        text = (
            f"Share of the variation in the first-fold {self._metric_words} explained by each "
            f"parameter (Optuna's fANOVA over all {self.n_trials} trials, pruned ones "
            f"included, since every trial has a first-fold score). {names[0]} "
            f"mattered most ({shares[0]:.0%})" + (f", then {listed}." if listed else ".")
        )
        return DescribedFigure(fig, title, text)

    def slice_figure(self) -> DescribedFigure:
        """One panel per parameter: each trial's value of it against its score."""
        from matplotlib.figure import Figure

        names = list(self.search_space)
        cols = min(3, len(names))
        rows = math.ceil(len(names) / cols)
        fig = Figure(figsize=(3.2 * cols, 2.8 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        t = self.trials
        best = t[t["number"] == self.best_trial]
        parts = []
        for ax, name in zip(axes, names, strict=False):
            dim = self.search_space[name]
            col = f"params_{name}"
            choices = [str(c) for c in dim.get("choices") or ()]

            def position(values: pd.Series, choices: list[str] = choices) -> Any:
                # Categorical choices sit at 0, 1, 2, ... along the axis.
                return values.map(lambda v: choices.index(str(v))) if choices else values

            for state, marker, colour, label in (
                ("COMPLETE", "o", PALETTE[0], "complete"),
                ("PRUNED", "x", PALETTE[5], "pruned"),
            ):
                rows_ = t[t["state"] == state]
                ax.scatter(
                    position(rows_[col]),
                    rows_["value"],
                    marker=marker,
                    color=colour,
                    s=18,
                    label=label,
                )
            bx = position(best[col])
            if choices:
                ax.set_xticks(range(len(choices)), choices)
            ax.scatter(
                bx,
                best["value"],
                marker="*",
                s=160,
                color=PALETTE[2],
                edgecolor="black",
                label="best",
                zorder=4,
            )
            if dim.get("log"):
                ax.set_xscale("log")
            ax.set_xlabel(name + (" (log scale)" if dim.get("log") else ""))
            ax.set_ylabel(self._metric_words)
            value = self.best_params.get(name)
            where = (
                f"{dim['low']:g} to {dim['high']:g}{', log scale' if dim.get('log') else ''}"
                if dim["type"] != "categorical"
                else "choices " + ", ".join(str(c) for c in dim["choices"])
            )
            parts.append(f"{name} {_fmt(value)} (searched {where})")
        for ax in axes[len(names) :]:
            ax.set_axis_off()
        axes[0].legend(loc="best", fontsize=7)
        title = "Score against each hyperparameter"
        fig.suptitle(title)
        text = (
            f"One panel per hyperparameter: each of the {self.n_trials} trials' value of it "
            f"(across) against its cross-validated {self._metric_words} (up); circles are "
            f"complete trials, crosses pruned ones, the star the best trial "
            f"({self.best_value:.4f}), at " + "; ".join(parts) + "."
        )
        return DescribedFigure(fig, title, text)
