"""Tuning widget: choose a budget and a model family, run a study, watch the trials arrive.

The model is :func:`mlops_kit.tune.trial_progress`, a plain function that turns the
trial records :func:`mlops_kit.tune.tune` passes to its ``on_trial`` hook into a
frozen :class:`~mlops_kit.tune.TuningProgress` (a table with the best score so far,
and a reading in words).
The view is :class:`TuningWidget`: labelled controls, a Run button, a progress bar,
the live table of trials and, at the end, the tuning history figure. A notebook
calls :meth:`TuningWidget.watch` (or :meth:`TuningWidget.run`) directly, which is
what the button does, so the same cell runs unattended under papermill.

Over 400 lines because one view holds six labelled controls, a live run watched trial by
trial, and its snapshot for static viewers.
"""

from __future__ import annotations

import contextlib
import html
import math
import time
from numbers import Real
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..config import MODELS_FOR_TASK, TUNING_METRICS
from ..errors import ConfigError, MlopsKitError
from ..tune import tune
from ..tune._progress import TuningProgress, trial_progress
from ..tune._space import _METRIC_WORDS
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..data import ColumnRoles
    from ..tune import TuningResult

__all__ = ["TuningWidget"]

#: The model families in words, for the widget's dropdown.
MODEL_LABELS = {
    "logistic": "logistic regression (logistic)",
    "linear": "ridge regression (linear)",
    "hgb": "histogram gradient boosting (hgb)",
    "rf": "random forest (rf)",
}


def _budget_words(n_trials: int | None, timeout: float | None) -> str:
    parts = []
    if n_trials:
        parts.append(f"{n_trials} trials")
    if timeout:
        parts.append(f"{timeout:g} seconds")
    return " or ".join(parts) + (", whichever comes first" if len(parts) == 2 else "")


_INTRO = (
    "<p>Choose a model family and a budget, then press <em>Run tuning</em>. "
    "Each trial cross-validates one set of hyperparameters; the table fills "
    "in as trials finish. A budget of 0 means no limit of that kind.</p>"
)


def _check_settings(
    *, task: str, model: str, metric: str | None, n_trials: int | None, timeout: float | None
) -> tuple[tuple[str, ...], tuple[str, ...], str, int, float]:
    """The task's models and metrics, the metric, and the budget as numbers (0: no limit)."""
    where = "TuningWidget"
    models = MODELS_FOR_TASK.get(task)
    if models is None:
        raise ConfigError(
            f"The 'task' parameter of {where} must be one of "
            f"{', '.join(MODELS_FOR_TASK)}. Got {task!r} instead."
        )
    if model not in models:
        raise ConfigError(
            f"The 'model' parameter of {where} must be one of {', '.join(models)} for "
            f"task '{task}'. Got {model!r} instead."
        )
    metrics = TUNING_METRICS[task]
    metric = metrics[0] if metric is None else metric
    if metric not in metrics:
        raise ConfigError(
            f"The 'metric' parameter of {where} must be one of {', '.join(metrics)} for "
            f"task '{task}'. Got {metric!r} instead."
        )
    trials = 0 if n_trials is None else n_trials
    if isinstance(trials, bool) or not isinstance(trials, int) or not 0 <= trials <= 500:
        raise ConfigError(
            f"The 'n_trials' parameter of {where} must be a whole number from 0 to 500 "
            f"(0 or None: no trial limit). Got {n_trials!r} instead."
        )
    seconds = 0 if timeout is None else timeout
    if isinstance(seconds, bool) or not isinstance(seconds, Real) or not 0 <= seconds <= 3600:
        raise ConfigError(
            f"The 'timeout' parameter of {where} must be a number of seconds from 0 to "
            f"3600 (0 or None: no time limit). Got {timeout!r} instead."
        )
    if trials == 0 and seconds == 0:
        raise ConfigError(
            f"{where} needs a budget: 'n_trials' or 'timeout' must be above 0. Got "
            "neither (the study would never stop)."
        )
    return tuple(models), tuple(metrics), metric, trials, seconds


class TuningWidget(StaticSnapshot, widgets.VBox):
    """Pick a model family and a budget, press Run, and watch the trials arrive.

    Each finished trial adds a row to a table (its number, complete or pruned, its
    score, the best score so far, its parameters) and moves a progress bar; a
    status line says the same in words for screen readers. When the study ends the
    tuning history figure appears, with its description. Every control is labelled
    and works with the keyboard (Tab between them; type a number, or use the arrow
    keys in the dropdowns; Enter or Space presses Run).

    The kernel is busy while a study runs, so the button is disabled until it ends;
    the time limit is the way to bound a run.

    Parameters
    ----------
    X : pandas.DataFrame
        The rows to tune on (features of ``roles``).
    y : array-like
        The coded target.
    roles : ColumnRoles
    task : {"classification", "regression"}, default "classification"
    model : str, default "hgb"
        The model family chosen at the start.
    n_trials : int or None, default 12
        The trial budget at the start (0 or None: no trial limit).
    timeout : float or None
        The time limit at the start, in seconds (0 or None: none).
    metric : str, optional
        Default ``roc_auc`` (classification) or ``rmse`` (regression).
    cv_folds : int, default 3
    seed : int, default 0
    pruning : bool, default True

    Attributes
    ----------
    value : dict
        The current settings: model, n_trials, timeout, metric, pruning.
    progress : TuningProgress
        The trials of the current (or last) run.
    result : TuningResult or None
        The last run's result; None before the first run.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mlops_kit.data import ColumnRoles
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(["a", "b"], 200)})
    >>> y = (X["x"] + rng.normal(size=200) > 0).astype(int).to_numpy()
    >>> roles = ColumnRoles(target="y", numeric=("x",), categorical=("c",))
    >>> tuner = TuningWidget(X, y, roles=roles, model="logistic", n_trials=4)
    >>> tuner.run_button.click()
    >>> tuner.progress.n_finished, tuner.result.n_trials
    (4, 4)
    """

    _X: pd.DataFrame
    _y: np.ndarray
    _roles: ColumnRoles
    _task: str
    _cv_folds: int
    _seed: int
    _result: TuningResult | None
    _started: float
    _progress: TuningProgress
    _model: widgets.Dropdown
    _trials: widgets.BoundedIntText
    _seconds: widgets.BoundedIntText
    _metric: widgets.Dropdown
    _pruning: widgets.Checkbox
    _button: widgets.Button
    _bar: widgets.IntProgress
    _status: widgets.HTML
    _table: widgets.HTML
    _figure: widgets.HTML

    def __init__(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        roles: ColumnRoles,
        task: str = "classification",
        model: str = "hgb",
        n_trials: int | None = 12,
        timeout: float | None = None,
        metric: str | None = None,
        cv_folds: int = 3,
        seed: int = 0,
        pruning: bool = True,
    ) -> None:
        import numpy as np

        models, metrics, metric, trials, seconds = _check_settings(
            task=task, model=model, metric=metric, n_trials=n_trials, timeout=timeout
        )
        where = "TuningWidget"
        y_arr = np.asarray(y)
        if len(X) != len(y_arr):
            raise ConfigError(
                f"The 'y' parameter of {where} must have one value per row of X ({len(X):,}). "
                f"Got {len(y_arr):,} instead."
            )
        self._X, self._y, self._roles, self._task = X, y_arr, roles, task
        self._cv_folds, self._seed = cv_folds, seed
        self._result: TuningResult | None = None
        self._started = 0.0
        self._progress = trial_progress([], metric=metric, cv_folds=cv_folds, n_trials=trials)

        intro = widgets.HTML(value=_INTRO)
        self._build_controls(
            models=models,
            model=model,
            trials=trials,
            seconds=seconds,
            metrics=metrics,
            metric=metric,
            pruning=pruning,
        )
        super().__init__(
            children=[
                intro,
                self._model,
                self._trials,
                self._seconds,
                self._metric,
                self._pruning,
                self._button,
                self._bar,
                self._status,
                self._table,
                self._figure,
            ]
        )
        self.add_class("mlops-tuning-widget")
        self._say(f"Ready: press Run tuning to start ({self._settings_words()}).")
        self._button.on_click(self._on_click)

    def _build_controls(
        self,
        *,
        models: tuple[str, ...],
        model: str,
        trials: int,
        seconds: float,
        metrics: tuple[str, ...],
        metric: str,
        pruning: bool,
    ) -> None:
        """The labelled controls, the Run button, the progress bar and the output areas."""
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="min(30em, 100%)")
        self._model = widgets.Dropdown(
            options=[(MODEL_LABELS.get(m, m), m) for m in models],
            value=model,
            description="Model family",
            style=style,
            layout=wide,
        )
        self._trials = widgets.BoundedIntText(
            value=trials, min=0, max=500, description="Trials (0: no limit)", style=style
        )
        self._seconds = widgets.BoundedIntText(
            value=math.ceil(seconds),
            min=0,
            max=3600,
            description="Time limit in seconds (0: none)",
            style=style,
        )
        self._metric = widgets.Dropdown(
            options=[(f"{_METRIC_WORDS[m]} ({m})", m) for m in metrics],
            value=metric,
            description="Metric to optimise",
            style=style,
            layout=wide,
        )
        self._pruning = widgets.Checkbox(
            value=bool(pruning),
            description="Prune: stop unpromising trials after their first fold",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self._button = widgets.Button(
            description="Run tuning",
            tooltip="Run a study with these settings",
            icon="play",
            button_style="primary",
        )
        self._bar = widgets.IntProgress(
            value=0, min=0, max=max(trials, 1), description="Budget used", style=style
        )
        self._status = widgets.HTML()
        self._table = widgets.HTML()
        self._figure = widgets.HTML()
        for control, css in (
            (self._model, "mlops-tuning-model"),
            (self._trials, "mlops-tuning-trials"),
            (self._seconds, "mlops-tuning-seconds"),
            (self._metric, "mlops-tuning-metric"),
            (self._pruning, "mlops-tuning-pruning"),
            (self._button, "mlops-tuning-run"),
            (self._bar, "mlops-tuning-bar"),
            (self._status, "mlops-tuning-status"),
            (self._table, "mlops-tuning-table"),
            (self._figure, "mlops-tuning-figure"),
        ):
            control.add_class(css)

    # -- read-only attributes -------------------------------------------------------------

    @property
    def model_dropdown(self) -> widgets.Dropdown:
        """The model family."""
        return self._model

    @property
    def trials_input(self) -> widgets.BoundedIntText:
        """The trial budget (0: no limit)."""
        return self._trials

    @property
    def seconds_input(self) -> widgets.BoundedIntText:
        """The time limit in seconds (0: none)."""
        return self._seconds

    @property
    def metric_dropdown(self) -> widgets.Dropdown:
        """The metric to optimise."""
        return self._metric

    @property
    def pruning_checkbox(self) -> widgets.Checkbox:
        """Whether unpromising trials are pruned."""
        return self._pruning

    @property
    def run_button(self) -> widgets.Button:
        """The "Run tuning" button."""
        return self._button

    @property
    def value(self) -> dict[str, Any]:
        """The current settings."""
        return {
            "model": self._model.value,
            "n_trials": int(self._trials.value) or None,
            "timeout": float(self._seconds.value) or None,
            "metric": self._metric.value,
            "pruning": bool(self._pruning.value),
        }

    @property
    def progress(self) -> TuningProgress:
        """The trials of the current, or last, run."""
        return self._progress

    @property
    def result(self) -> TuningResult | None:
        """The last run's result (None before the first run)."""
        return self._result

    # -- running ------------------------------------------------------------------------

    def run(self) -> TuningResult:
        """Run a study with the current settings, updating the view after every trial.

        This is what the Run button does; a notebook calls it directly so that it
        runs unattended too.

        Raises
        ------
        ConfigError
            No budget (trials and time limit both 0); the status line says so too.
        TuningError
            No trial completed within the budget.
        """
        settings = self.value
        if settings["n_trials"] is None and settings["timeout"] is None:
            message = (
                "Set a budget first: the trials and the time limit are both 0, so the study "
                "would never stop."
            )
            self._say(message)
            raise ConfigError(message)
        self._progress = trial_progress(
            [], metric=settings["metric"], cv_folds=self._cv_folds, n_trials=settings["n_trials"]
        )
        self._result = None
        self._bar.max = settings["n_trials"] or max(1, int(settings["timeout"]))
        self._bar.value = 0
        self._table.value = ""
        self._figure.value = ""
        self._button.disabled = True
        self._button.description = "Running..."
        self._say(f"Running: {self._settings_words()}. No trial has finished yet.")
        self._started = time.perf_counter()
        try:
            result = tune(
                self._X,
                self._y,
                model=settings["model"],
                task=self._task,  # type: ignore[arg-type]
                roles=self._roles,
                metric=settings["metric"],
                n_trials=settings["n_trials"],
                timeout=settings["timeout"],
                cv_folds=self._cv_folds,
                seed=self._seed,
                pruning=settings["pruning"],
                on_trial=self._on_trial,
            )
        except MlopsKitError as exc:
            self._say(f"Tuning stopped: {exc}")
            raise
        finally:
            self._button.disabled = False
            self._button.description = "Run tuning"
        self._result = result
        self._bar.value = self._bar.max
        figure = result.history_figure()
        self._figure.value = figure.to_html()
        self._say(f"Finished. {result.summary()}")
        return result

    def watch(self) -> TuningResult:
        """Display the widget, run it, then refresh the display with the results.

        In a live notebook the trials arrive in the displayed widget as they finish;
        an executed notebook (papermill) keeps a snapshot of the finished run.
        """
        from IPython.display import display

        handle = display(self, display_id=True)
        result = self.run()
        if handle is not None:
            handle.update(self)
        return result

    def _on_click(self, _button: Any) -> None:
        with contextlib.suppress(MlopsKitError):  # already said in the status line
            self.run()

    def _on_trial(self, record: dict[str, Any]) -> None:
        self._progress = self._progress.add(record)
        if self._progress.n_trials:
            self._bar.value = min(self._progress.n_finished, self._bar.max)
        else:
            self._bar.value = min(int(time.perf_counter() - self._started), self._bar.max)
        self._table.value = self._progress.to_html()
        self._say(self._progress.reading())

    def _settings_words(self) -> str:
        s = self.value
        pruning = "pruning on" if s["pruning"] else "pruning off"
        budget = _budget_words(s["n_trials"], s["timeout"]) or "no budget set"
        return (
            f"{MODEL_LABELS.get(s['model'], s['model'])}, budget {budget}, "
            f"{_METRIC_WORDS[s['metric']]}, {pruning}"
        )

    def _say(self, text: str) -> None:
        self._status.value = f"<p role='status' aria-live='polite'>{html.escape(text)}</p>"

    # -- static snapshot -------------------------------------------------------------------

    def _snapshot_text(self) -> str:
        lines = [f"Tuning widget: {self._settings_words()}."]
        if self._result is None:
            lines.append(self._progress.reading() if self._progress.records else "Not run yet.")
        else:
            lines.append(self._result.summary())
        return "\n".join(lines)

    def _snapshot_html(self) -> str:
        head = f"<p>Tuning widget: {html.escape(self._settings_words())}.</p>"
        if not self._progress.records:
            return head + "<p>Not run yet.</p>"
        summary = (
            f"<p>{html.escape(self._result.summary())}</p>" if self._result is not None else ""
        )
        return head + self._progress.to_html() + summary + self._figure.value
