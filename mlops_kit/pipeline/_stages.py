"""What each pipeline stage does. The stage notebooks call these functions.

Stages hand off only through files in the run folder:

========== =============================== ==========================================
stage      reads                           writes
========== =============================== ==========================================
validate   the data file                   ``dataset.json``
tune       ``dataset.json``, the data file ``tuning.json``, tuning figures
train      ``dataset.json``, the data      ``model.skops``, ``training.json``,
           file, ``tuning.json``           ``predictions.csv``
evaluate   ``dataset.json``,               ``metrics.json``, figures,
           ``training.json``,              ``figures.json``
           ``predictions.csv``
explain    ``dataset.json``,               ``explanations.json``, figures
           ``model.skops``,
           ``predictions.csv``
gate       ``metrics.json``                ``gate.json``
register   every file above                ``registration.json``, ``manifest.json``;
                                           an MLflow run and a model version
report     all of the above                ``report.html``
========== =============================== ==========================================

Every stage appends what it did to the audit log named in ``run.json``
(:mod:`mlops_kit.pipeline._context`).

Each function validates its parameters against its section of the pipeline config
(:mod:`mlops_kit.config`), so running a stage notebook directly with papermill
gets the same checks as the ``mlops-kit run`` command.

Over 400 lines because it holds the four core stages (validate, train, evaluate,
report) that share the run-folder helpers below; the other stages have modules of
their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._io import atomic_path, atomic_write_json, json_ready, read_json, sha256_file
from ..config import MODELS_FOR_TASK, DataParams, EvaluateParams, TrainParams, validate_params
from ..data import (
    ColumnRoles,
    SplitSettings,
    TableProfile,
    TableRules,
    check_split,
    load_recorded,
    load_table,
)
from ..errors import ConfigError
from ..privacy import check_data
from ._context import run_context
from ._folder import (
    DATASET_FILE,
    FIGURES_DIR,
    FIGURES_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PREDICTIONS_FILE,
    REPORT_FILE,
    TRAINING_FILE,
    TUNING_FILE,
    audit_event,
    require_file,
    resolve_run_dir,
)
from ._report import render_report

if TYPE_CHECKING:
    import pandas as pd

    from ..fairness import FairnessResult, RegressionFairnessResult
    from ..figures import DescribedFigure
    from ..metrics import MetricSuite
    from ..train import TrainingResult

__all__ = [
    "Evaluation",
    "evaluate_stage",
    "read_dataset_record",
    "report_stage",
    "train_stage",
    "validate_stage",
]


def validate_stage(run_dir: str | os.PathLike[str], **params: Any) -> TableProfile:
    """Check the data and record what each column is for (``dataset.json``).

    Parameters
    ----------
    run_dir : path-like
        The run folder.
    **params
        The config keys of :class:`mlops_kit.config.DataParams`.

    Returns
    -------
    TableProfile
    """
    p: DataParams = validate_params(params, model=DataParams, source="validate stage")
    folder = resolve_run_dir(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data_path = Path(p.data).resolve()
    # Read and prepared once, by the config's rules; later stages repeat exactly this
    # preparation from what dataset.json records (load_recorded).
    table = load_table(data_path, TableRules.from_params(p))

    source = f"'{data_path.name}'"
    profile, scan = check_data(
        table.data, p, source=source, run_by=run_context(folder)["trained_by"]
    )
    # The split and folds the tune, train and evaluate stages will make must be possible.
    check_split(table.data, profile, _split_settings(folder), source=source)
    privacy = scan.audit_details()
    record = {
        "path": str(data_path),
        "sha256": sha256_file(data_path),
        "task": p.task,
        "positive_is": p.positive_is,
        "wording": p.wording.model_dump(mode="json"),
        **table.record(),
        "profile": profile.to_dict(),
        "privacy": privacy,
    }
    atomic_write_json(folder / DATASET_FILE, record)
    audit_event(
        folder,
        "data_loaded",
        path=record["path"],
        sha256=record["sha256"],
        rows=profile.n_rows,
        columns=profile.n_columns,
        target=p.target,
        file=table.file.describe(),
        preparation=table.preparation.facts(),
        privacy=privacy,
    )
    if scan.override_by:
        audit_event(
            folder,
            "privacy_overridden",
            path=record["path"],
            by=scan.override_by,
            reason=scan.override_reason,
            columns=sorted({f.column for f in scan.unresolved}),
        )
    return profile


def _split_settings(folder: Path) -> SplitSettings:
    """The split and folds of the run's config (``config.yml``, written by ``mlops-kit
    run``); a stage run on its own, without one, checks the defaults."""
    import yaml

    path = folder / "config.yml"
    if not path.is_file():
        return SplitSettings()
    return SplitSettings.from_config(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def save_figures(folder: Path, figures: list[tuple[str, DescribedFigure]], *, section: str) -> None:
    """Write figures as PNG and list them, with their descriptions, in ``figures.json``.

    Entries of other sections (another stage's figures) are kept.
    """
    path = folder / FIGURES_FILE
    kept = [e for e in (read_json(path) if path.is_file() else []) if e.get("section") != section]
    for name, fig in figures:
        fig.save(folder / FIGURES_DIR / f"{name}.png")
        kept.append(
            {
                "name": name,
                "section": section,
                "file": f"{FIGURES_DIR}/{name}.png",
                "title": fig.title,
                "description": fig.description,
            }
        )
    atomic_write_json(path, kept)


def read_dataset_record(run_dir: str | os.PathLike[str], *, stage: str = "train") -> dict[str, Any]:
    """Read ``dataset.json`` from a run folder."""
    record: dict[str, Any] = read_json(require_file(resolve_run_dir(run_dir), DATASET_FILE, stage))
    return record


def _load_verified(record: dict[str, Any]) -> pd.DataFrame:
    """Re-read the data file, refusing it if it changed since validation, and prepare it
    exactly as the validate stage did (:func:`mlops_kit.data.load_recorded`)."""
    return load_recorded(record)


def check_model_for_task(model: str, task: str) -> None:
    """Refuse a model family that does not fit the validated task, naming both."""
    if model not in MODELS_FOR_TASK[task]:
        raise ConfigError(
            f"Config key 'model' must be one of {', '.join(MODELS_FOR_TASK[task])} for task "
            f"'{task}'; got {model!r}."
        )


def train_stage(run_dir: str | os.PathLike[str], **params: Any) -> TrainingResult:
    """Split, cross-validate and fit; save the model and the held-out predictions.

    Parameters
    ----------
    run_dir : path-like
        The run folder, holding ``dataset.json`` from the validate stage.
    **params
        The config keys of :class:`mlops_kit.config.TrainParams`.
    """
    from ..train import save_model, train_model

    p: TrainParams = validate_params(params, model=TrainParams, source="train stage")
    folder = resolve_run_dir(run_dir)
    record = read_dataset_record(folder, stage="train")
    task = record["task"]
    check_model_for_task(p.model, task)
    roles = ColumnRoles.from_dict(record["profile"]["roles"])
    if p.split == "time" and not roles.time_column:
        raise ConfigError("Config key 'split' is 'time' but no time_column was validated.")
    df = _load_verified(record)
    tuned = read_json(folder / TUNING_FILE) if (folder / TUNING_FILE).is_file() else {}
    tuned_params = tuned.get("best_params") if not tuned.get("skipped") else None
    result = train_model(
        df,
        roles,
        params=tuned_params,
        model=p.model,
        task=task,
        positive_label=record["profile"]["target"]["positive_label"],
        split=p.split,
        test_size=p.test_size,
        cv_folds=p.cv_folds,
        threshold=p.threshold,
        seed=p.seed,
    )
    save_model(result.estimator, folder / MODEL_FILE)
    with atomic_path(folder / PREDICTIONS_FILE, suffix=".csv") as tmp:
        result.predictions.to_csv(tmp, index=False, lineterminator="\n")
    summary = {
        **result.to_dict(),
        "settings": p.model_dump(),
        "tuned_params": tuned_params,
        "model_sha256": sha256_file(folder / MODEL_FILE),
    }
    atomic_write_json(folder / TRAINING_FILE, summary)
    audit_event(
        folder,
        "trained",
        model=p.model,
        seed=p.seed,
        split=result.split.description,
        tuned_params=tuned_params,
        model_sha256=summary["model_sha256"],
    )
    return result


@dataclass(frozen=True)
class Evaluation:
    """What the evaluate stage found: metrics, fairness per attribute, figures.

    ``fairness`` holds a classifier's fairness results and ``regression_fairness`` a
    regression model's (its errors by group), each per protected attribute;
    ``group_errors`` holds the latter's per-group tables.
    """

    metrics: MetricSuite
    fairness: dict[str, FairnessResult] = field(default_factory=dict)
    group_errors: dict[str, pd.DataFrame] = field(default_factory=dict)
    by_period: pd.DataFrame | None = None
    figures: list[tuple[str, DescribedFigure]] = field(default_factory=list)
    regression_fairness: dict[str, RegressionFairnessResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``metrics.json``."""
        out = self.metrics.to_dict()
        if self.fairness:
            out["fairness"] = {k: v.to_dict() for k, v in self.fairness.items()}
        else:
            out["fairness"] = {k: v.to_dict() for k, v in self.regression_fairness.items()} or {
                k: {"attribute": k, "groups": _records(v)} for k, v in self.group_errors.items()
            }
        if self.by_period is not None:
            out["by_period"] = _records(self.by_period)
        return out


def _constant(s: pd.Series) -> bool:
    values = s.to_numpy()
    return bool((values == values[0]).all()) if len(values) else True


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    rows = df.reset_index().to_dict("records")
    return [{str(k): json_ready(v) for k, v in r.items()} for r in rows]


def _group_error_policy(folder: Path) -> tuple[Literal["mae", "rmse"], float | None]:
    """The error metric and largest group error ratio of the run's policy.

    Read from the run's ``config.yml`` (written by ``mlops-kit run``); a stage run on
    its own, without one, uses the policy's defaults.
    """
    from ..config import PolicySection

    policy = PolicySection()
    path = folder / "config.yml"
    if path.is_file():
        import yaml

        recorded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        section = recorded.get("policy") if isinstance(recorded, dict) else None
        if isinstance(section, dict):
            policy = validate_params(section, model=PolicySection, source="run config policy")
    return policy.group_error_metric, policy.max_group_error_ratio


def evaluate_stage(run_dir: str | os.PathLike[str], **params: Any) -> Evaluation:
    """Compute metrics, fairness and figures from the held-out predictions.

    Fairness for a classifier is :func:`mlops_kit.fairness.fairness_report`; for a
    regression model, :func:`mlops_kit.fairness.regression_fairness_report` (errors by
    group), summarised and drawn in the error metric of the run's policy.

    Parameters
    ----------
    run_dir : path-like
        The run folder, holding the validate and train stages' files.
    **params
        The config keys of :class:`mlops_kit.config.EvaluateParams`.
    """
    import pandas as pd

    from .. import metrics as metric_figures
    from .._wording import Wording
    from ..fairness import fairness_report, regression_fairness_report
    from ..metrics import evaluate_predictions, metrics_by_period

    p: EvaluateParams = validate_params(params, model=EvaluateParams, source="evaluate stage")
    folder = resolve_run_dir(run_dir)
    record = read_dataset_record(folder, stage="evaluate")
    training = read_json(require_file(folder, TRAINING_FILE, "evaluate"))
    preds = pd.read_csv(require_file(folder, PREDICTIONS_FILE, "evaluate"))
    roles = ColumnRoles.from_dict(record["profile"]["roles"])
    task = record["task"]
    threshold = training["threshold"]
    suite = evaluate_predictions(preds, task=task, threshold=threshold)
    figures: list[tuple[str, DescribedFigure]] = []
    fairness: dict[str, FairnessResult] = {}
    group_errors: dict[str, pd.DataFrame] = {}
    regression_fairness: dict[str, RegressionFairnessResult] = {}
    by_period = None
    if task == "classification":
        label = str(record["profile"]["target"]["positive_label"])
        target = roles.target
        figures += [
            (
                "roc",
                metric_figures.roc_figure(preds["y_true"], preds["y_score"], threshold=threshold),
            ),
            (
                "precision_recall",
                metric_figures.precision_recall_figure(
                    preds["y_true"], preds["y_score"], threshold=threshold
                ),
            ),
            (
                "confusion_matrix",
                metric_figures.confusion_matrix_figure(
                    preds["y_true"],
                    preds["y_pred"],
                    labels=(f"not {target}={label}", f"{target}={label}"),
                ),
            ),
        ]
        if suite.thresholds is not None:
            figures.append(
                (
                    "threshold",
                    metric_figures.threshold_figure(suite.thresholds, threshold=threshold),
                )
            )
        if roles.protected:
            words = Wording.from_record(record)
            fairness = fairness_report(
                preds["y_true"],
                preds["y_pred"],
                preds[list(roles.protected)].astype(str),
                positive_is=record["positive_is"],
                min_group_size=p.min_group_size,
                min_group_positives=p.min_group_positives,
                n_bootstrap=p.n_bootstrap,
                confidence_level=p.confidence_level,
                seed=training["seed"],
                rate_name=words.rate,
                positive_words=words.positive,
            )
            figures += [(f"fairness_{k}", v.plot()) for k, v in fairness.items()]
        if roles.time_column and not _constant(preds[roles.time_column]):
            by_period = metrics_by_period(
                preds["y_true"], preds["y_score"], preds[roles.time_column], threshold=threshold
            )
            figures.append(("over_time", metric_figures.metric_over_time_figure(by_period)))
    else:
        figures.append(
            (
                "predicted_vs_actual",
                metric_figures.predicted_vs_actual_figure(preds["y_true"], preds["y_pred"]),
            )
        )
        err = (preds["y_pred"] - preds["y_true"]).abs()
        if roles.protected:
            # The policy's error metric and limit, when the run's config names them, so
            # the summary and figure judge what the gate will judge.
            error_metric, limit = _group_error_policy(folder)
            regression_fairness = regression_fairness_report(
                preds["y_true"],
                preds["y_pred"],
                preds[list(roles.protected)].astype(str),
                error_metric=error_metric,
                min_group_size=p.min_group_size,
                n_bootstrap=p.n_bootstrap,
                confidence_level=p.confidence_level,
                seed=training["seed"],
            )
            group_errors = {k: v.to_frame() for k, v in regression_fairness.items()}
            figures += [
                (f"fairness_{k}", v.plot(limit=limit)) for k, v in regression_fairness.items()
            ]
        if roles.time_column and not _constant(preds[roles.time_column]):
            by_period = (
                preds.assign(abs_error=err)
                .groupby(roles.time_column)
                .agg(n=("y_true", "size"), mae=("abs_error", "mean"))
            )
    evaluation = Evaluation(suite, fairness, group_errors, by_period, figures, regression_fairness)
    save_figures(folder, figures, section="evaluation")
    atomic_write_json(folder / METRICS_FILE, evaluation.to_dict())
    headline = {k: v for k, v in suite.values.items() if v is not None}  # noqa: PD011 (a dict)
    verdicts = {k: v.four_fifths_passed for k, v in fairness.items()}
    ratios = {k: v.error_ratio for k, v in regression_fairness.items()}
    audit_event(
        folder,
        "evaluated",
        n_test=suite.n,
        metrics=headline,
        four_fifths_passed=verdicts,
        **({"group_error_ratios": ratios} if ratios else {}),
    )
    return evaluation


def report_stage(run_dir: str | os.PathLike[str]) -> Path:
    """Gather the run's files into a single, self-contained ``report.html``."""

    folder = resolve_run_dir(run_dir)
    for name in (DATASET_FILE, TRAINING_FILE, METRICS_FILE, FIGURES_FILE):
        require_file(folder, name, "report")
    return render_report(folder, folder / REPORT_FILE)
