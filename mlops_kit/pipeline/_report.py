"""Render a run folder into one self-contained, accessible HTML report."""

from __future__ import annotations

import base64
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .._io import atomic_write_text, read_json
from ..errors import ArtefactError
from ..metrics import METRIC_GLOSSARY
from ._release import card_block

__all__ = ["render_report"]

#: Packages whose versions the report records for reproducibility.
RECORDED_PACKAGES = (
    "mlops-kit",
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "fairlearn",
    "skops",
    "papermill",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that decide a run's numbers."""
    out = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _read_optional(path: Path) -> Any:
    return read_json(path) if path.is_file() else None


def _figure_entries(folder: Path) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = read_json(folder / "figures.json")
    out = []
    for e in entries:
        png = (folder / e["file"]).read_bytes()
        out.append({**e, "data": base64.b64encode(png).decode("ascii")})
    return out


def _headline(metrics: dict[str, Any], dataset: dict[str, Any], run_dir: Path) -> list[str]:
    """The run's main findings as short sentences."""
    lines = []
    if metrics["task"] == "classification":
        parts = [
            f"{k.replace('_', ' ').upper() if k.endswith('auc') else k} {metrics[k]:.3f}"
            for k in ("roc_auc", "recall", "precision")
            if metrics.get(k) is not None
        ]
        lines.append(
            f"On {metrics['n_test']:,} held-out rows at threshold {metrics['threshold']:g}: "
            + ", ".join(parts)
            + "."
        )
        for attr, f in metrics.get("fairness", {}).items():
            passed = f.get("four_fifths", {}).get("passed")
            verdict = {True: "passes", False: "FAILS", None: "cannot be judged"}[passed]
            lines.append(f"Four-fifths rule by {attr}: {verdict}.")
    else:
        lines.append(
            f"On {metrics['n_test']:,} held-out rows: RMSE {metrics['rmse']:,.2f}, "
            f"MAE {metrics['mae']:,.2f}, R² {metrics['r2']:.3f}."
        )
        for attr, f in metrics.get("fairness", {}).items():
            lines += _group_error_line(attr, f)
    gate = _read_optional(run_dir / "gate.json")
    if gate:
        lines.append(f"Governance gate: {gate['decision'].upper()}.")
    registration = _read_optional(run_dir / "registration.json")
    if registration:
        alias = registration["alias"] or "no alias"
        lines.append(
            f"Registered as {registration['model_name']} version {registration['version']} "
            f"({alias})."
        )
    monitoring = _read_optional(run_dir / "monitoring.json")
    if monitoring:
        drifted = monitoring["drift"]["drifted"]
        lines.append(
            f"Monitoring ({monitoring['batch']}): "
            + (f"drift in {', '.join(drifted)}" if drifted else "no data drift")
            + f"; {len(monitoring['alerts'])} alert(s)."
        )
    warnings = dataset["profile"].get("warnings", [])
    if warnings:
        lines.append(f"{len(warnings)} data warning(s): see the Data section.")
    return lines


def _group_error_line(attr: str, section: dict[str, Any]) -> list[str]:
    """A regression run's errors by one attribute, as one headline sentence."""
    metric = str(section.get("error_metric"))
    gap = (section.get("group_error") or {}).get(metric)
    if not gap:
        return []
    if gap.get("ratio") is None:
        return [f"Errors by {attr}: cannot be compared (too little data, or a zero error)."]
    low, high = gap.get("ratio_interval") or (None, None)
    interval = (
        f" ({section.get('confidence_level', 0.95):.0%} interval {low:.2f} to {high:.2f})"
        if low is not None and high is not None
        else ""
    )
    worst, best = (str(gap[k]) for k in ("worst_group", "best_group"))
    return [
        f"Errors by {attr}: the {metric.upper()} of {worst} is {gap['ratio']:.2f} times that "
        f"of {best}{interval}."
    ]


def _data_checks(dataset: dict[str, Any]) -> list[str]:
    """How the data file was read and what preparing it did, one sentence each (the
    lines ``mlops-kit check`` prints)."""
    from ..data import FileFormat, Preparation

    lines = []
    if dataset.get("file"):
        lines.append(f"Read as {FileFormat.from_dict(dataset['file']).describe()}.")
    if dataset.get("preparation"):
        lines += Preparation.from_dict(dataset["preparation"]).lines()
    return lines


def render_report(run_dir: Path, out: Path) -> Path:
    """Write ``out`` from the files in ``run_dir`` and return its path."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mlops_kit.pipeline", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        html = _render(env, run_dir)
    except jinja2.TemplateError as exc:
        # Re-raised without the template's frames, which IPython cannot format.
        raise ArtefactError(
            f"The report for {run_dir} could not be rendered: {type(exc).__name__}: {exc}"
        ) from None
    return atomic_write_text(out, html)


def _render(env: Any, run_dir: Path) -> str:
    dataset = read_json(run_dir / "dataset.json")
    training = read_json(run_dir / "training.json")
    metrics = read_json(run_dir / "metrics.json")
    status = _read_optional(run_dir / "status.json") or {}
    config_text = (
        (run_dir / "config.yml").read_text(encoding="utf-8")
        if (run_dir / "config.yml").is_file()
        else None
    )
    notebooks = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.glob("notebooks/*.ipynb"))
    overall = [
        {"name": k, "value": metrics[k], "meaning": _meaning(k, metrics, dataset)}
        for k in METRIC_GLOSSARY
        if k in metrics and not isinstance(metrics[k], dict | list)
    ]
    tuning = _read_optional(run_dir / "tuning.json")
    html: str = env.get_template("report.html.j2").render(
        tuning=None if not tuning or tuning.get("skipped") else tuning,
        gate=_read_optional(run_dir / "gate.json"),
        registration=_read_optional(run_dir / "registration.json"),
        monitoring=_read_optional(run_dir / "monitoring.json"),
        explanations=_read_optional(run_dir / "explanations.json"),
        run_id=status.get("run_id", run_dir.name),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        dataset=dataset,
        profile=dataset["profile"],
        data_checks=_data_checks(dataset),
        training=training,
        metrics=metrics,
        overall=overall,
        headline=_headline(metrics, dataset, run_dir),
        figures=_figure_entries(run_dir),
        config_text=config_text,
        versions=package_versions(),
        notebooks=notebooks,
        status=status,
        documents=_documents(run_dir),
    )
    return html


def _meaning(name: str, metrics: dict[str, Any], dataset: dict[str, Any]) -> str:
    """A metric's meaning in plain words, with what it means on this run's own data."""
    from .._wording import Wording

    text = METRIC_GLOSSARY[name]
    cm = metrics.get("confusion_matrix")
    if name == "accuracy" and isinstance(cm, dict) and sum(cm.values()):
        words = Wording.from_record(dataset)
        negatives = (cm["tn"] + cm["fp"]) / sum(cm.values())
        text += (
            f" Here, a model under which no {words.case} is {words.positive} would be "
            f"{negatives:.0%} accurate on the held-out {words.cases}."
        )
    return text


def _documents(run_dir: Path) -> list[dict[str, Any]]:
    """The model card, transparency record and stakeholder summary as report sections.

    Drafted from the run's files and its config's ``transparency`` keys; a draft with
    empty parts lists them. An incomplete model card also gets the ``transparency:``
    block to paste into the config (its version cannot be approved or promoted).
    """
    from ..governance import model_card, stakeholder_summary, transparency_record

    out = []
    for make, anchor, heading in (
        (model_card, "model-card", "Model card"),
        (transparency_record, "transparency-record", "Algorithmic transparency record"),
        (stakeholder_summary, "stakeholder-summary", "Summary for non-technical readers"),
    ):
        document = make(run_dir)
        out.append(
            {
                "anchor": anchor,
                "title": heading,
                "html": document.to_html(standalone=False, level=3, embed_figures=False),
                "missing": list(document.missing),
                "file": f"{document.stem}.html",
                "paste": card_block(run_dir) if make is model_card else "",
            }
        )
    return out
