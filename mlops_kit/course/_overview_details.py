"""One run of the facilitator dashboard in detail, and the details as accessible HTML.

:func:`run_details` reads one run folder's metrics, gate checks, fairness by group,
monitoring alerts, figures and report through the same never-failing reader as
:func:`~mlops_kit.course.workspace_overview` (``_run_overview``): a file that is missing or
cannot be read is named in the run's ``problems``.
"""

from __future__ import annotations

import base64
import html
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_json
from ..errors import ConfigError
from ..metrics import METRIC_GLOSSARY
from ..monitor import Alert, AlertKind, Severity
from ..pipeline import MONITORING_FILE, Stage, release_summary
from ..pipeline._folder import FIGURES_FILE, GATE_FILE, METRICS_FILE, REPORT_FILE
from ._overview import WorkspaceOverview
from ._run_overview import RunOverview, RunReader, read_run
from ._tour import StageSummary

if TYPE_CHECKING:
    from ..governance import GateDecision

__all__ = ["RunDetails", "run_details"]


@dataclass(frozen=True)
class RunDetails:
    """One run in detail: stages, metrics, gate checks, fairness, alerts, figures, report.

    Attributes
    ----------
    overview : RunOverview
    stages : tuple of StageSummary
        What each stage wrote and decided (see :func:`run_tour`).
    release : tuple of str
        The gate's and the registry's lines (see :func:`release_summary`).
    metrics : tuple of (name, value, meaning)
        Every single-number metric in ``metrics.json``, with what it means.
    gate : GateDecision or None
    fairness : tuple of dict
        Per protected attribute: ``attribute``, ``summary`` and ``groups`` (rows of
        group, count, rate, impact ratio, verdict).
    alerts : tuple of str
        The monitoring alerts in words, each with its action.
    figures : tuple of dict
        ``title``, ``description``, ``section``, ``name`` and ``path`` of each figure.
    """

    overview: RunOverview
    stages: tuple[StageSummary, ...]
    release: tuple[str, ...]
    metrics: tuple[tuple[str, float, str], ...]
    gate: GateDecision | None
    fairness: tuple[dict[str, Any], ...]
    alerts: tuple[str, ...]
    figures: tuple[dict[str, str], ...]

    def summary(self) -> str:
        """The run and its findings in plain sentences."""
        lines = [self.overview.summary(), *self.release]
        lines += [f"Fairness by {f['attribute']}: {f['summary']}" for f in self.fairness]
        lines.append(f"Monitoring: {len(self.alerts)} alert(s) or warning(s).")
        return "\n".join(lines)

    def to_html(self, *, images: bool = True) -> str:
        """Every section as accessible HTML; ``images=False`` keeps only the figure texts."""
        return _details_html(self, images=images)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.summary()


def _fairness(metrics: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    out = []
    for attribute, result in (metrics.get("fairness") or {}).items():
        rate = result.get("rate_compared", "rate")
        groups = tuple(
            {
                "group": str(g["group"]),
                "count": int(g["count"]),
                rate: g.get("selection_rate"),
                "impact ratio": g.get("impact_ratio"),
                "verdict": g.get("verdict") or "",
            }
            for g in result.get("groups", [])
        )
        out.append({"attribute": attribute, "summary": result.get("summary", ""), "groups": groups})
    return tuple(out)


def _alerts(monitoring: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        str(
            Alert(
                kind=AlertKind(a["kind"]),
                severity=Severity(a["severity"]),
                subject=a["subject"],
                measure=a["measure"],
                value=a.get("value"),
                threshold=a.get("threshold"),
                message=a["message"],
                batch=a.get("batch"),
            )
        )
        for a in monitoring.get("alerts", [])
    )


def _figures(folder: Path) -> tuple[dict[str, str], ...]:
    path = folder / FIGURES_FILE
    if not path.is_file():
        return ()
    entries = read_json(path)
    if not isinstance(entries, list):
        raise ValueError(f"it holds a {type(entries).__name__}, not a list of figures")
    return tuple(
        {
            "title": str(e["title"]),
            "description": str(e["description"]),
            "section": str(e.get("section", "")),
            "name": str(e.get("name", "")),
            "path": str(folder / e["file"]),
        }
        for e in entries
    )


def run_details(
    run_dir: str | os.PathLike[str], *, overview: WorkspaceOverview | None = None
) -> RunDetails:
    """One run folder in detail, never failing on a damaged file (see ``problems``).

    Parameters
    ----------
    run_dir : path-like
        The run folder.
    overview : WorkspaceOverview, optional
        The workspace's overview, whose audit counts and registry aliases are reused;
        default none (aliases as recorded at registration, no audit counts).

    Raises
    ------
    ConfigError
        When the folder does not exist.
    """
    folder = Path(run_dir).resolve()
    if not folder.is_dir():
        raise ConfigError(
            f"The 'run_dir' parameter of run_details must be an existing run folder. "
            f"Got {str(folder)!r}, which does not exist."
        )
    counts = overview._counts if overview is not None else Counter()
    aliases = overview._aliases if overview is not None else None
    run, stages, files = read_run(folder, counts, aliases)
    reader = RunReader(folder)
    metrics = files[METRICS_FILE] or {}
    table = tuple(
        (name, float(metrics[name]), meaning)
        for name, meaning in METRIC_GLOSSARY.items()
        if isinstance(metrics.get(name), int | float) and not isinstance(metrics[name], bool)
    )
    fairness = reader.attempt(METRICS_FILE, lambda: _fairness(metrics)) or ()
    monitoring = files[MONITORING_FILE] or {}
    alerts = reader.attempt(MONITORING_FILE, lambda: _alerts(monitoring)) or ()
    figures = reader.attempt(FIGURES_FILE, lambda: _figures(folder)) or ()
    release = reader.attempt(GATE_FILE, lambda: tuple(release_summary(folder))) or ()
    extra = [p for p in reader.problems if p not in run.problems]
    if extra:
        run = replace(run, problems=(*run.problems, *extra))
    return RunDetails(
        overview=run,
        stages=stages,
        release=release,
        metrics=table,
        gate=files[GATE_FILE],
        fairness=fairness,
        alerts=alerts,
        figures=figures,
    )


# --------------------------------------------------------------------------- HTML


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "n/a" if value is None else str(value)


def _table(caption: str, columns: list[str], rows: list[list[Any]], css: str) -> str:
    esc = html.escape
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in columns)
    body = "".join(
        f"<tr><th scope='row'>{esc(_number(row[0]))}</th>"
        + "".join(f"<td>{esc(_number(v))}</td>" for v in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f"<table class='{css}'><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _figure_html(figure: dict[str, str], *, image: bool) -> str:
    esc = html.escape
    caption = (
        f"<figcaption><strong>{esc(figure['title'])}.</strong> "
        f"{esc(figure['description'])}</figcaption>"
    )
    path = Path(figure["path"])
    if not image:
        return f"<figure class='mlops-figure'>{caption}</figure>"
    if not path.is_file():
        return (
            f"<figure class='mlops-figure'><p>✗ The image {esc(path.name)} is missing from "
            f"the run folder.</p>{caption}</figure>"
        )
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f"<figure class='mlops-figure' style='margin:0 0 1em 0'><img src='data:image/png;"
        f"base64,{data}' alt='{esc(figure['title'])}' style='max-width:560px;width:100%'>"
        f"{caption}</figure>"
    )


def _absent(run: RunOverview, name: str, stage: str) -> str:
    """Why a file's content is not shown: unreadable (see the problems) or not written."""
    if (Path(run.run_dir) / name).is_file():
        return f"{name} cannot be read (see the problems above)."
    return f"the {stage} stage has not written {name}."


def _details_html(details: RunDetails, *, images: bool) -> str:
    esc = html.escape
    run = details.overview
    parts = [
        f"<h3 class='mlops-details-title'>Run {esc(run.run_id)}</h3>",
        f"<p class='mlops-details-summary'>{esc(run.summary())}</p>",
    ]
    if run.problems:
        items = "".join(f"<li>✗ {esc(p)}</li>" for p in run.problems)
        parts.append(
            "<div class='mlops-details-problems'><h4>Missing or unreadable files</h4>"
            f"<ul>{items}</ul></div>"
        )
    if details.release:
        items = "".join(f"<li>{esc(line)}</li>" for line in details.release)
        parts.append(f"<h4>Gate and registry</h4><ul class='mlops-details-release'>{items}</ul>")
    parts.append("<h4>Metrics</h4>")
    parts.append(
        _table(
            "Metrics on the held-out rows, as in metrics.json",
            ["metric", "value", "what it means"],
            [list(row) for row in details.metrics],
            "mlops-details-metrics",
        )
        if details.metrics
        else f"<p>No metrics: {_absent(run, METRICS_FILE, 'evaluate')}</p>"
    )
    parts += _gate_html(details)
    parts += _fairness_html(details, images=images)
    parts += _alerts_html(details)
    parts.append("<h4>Stages</h4><ol class='mlops-details-stages'>")
    parts += [f"<li>{esc(s.stage.value)}: {esc(s.decided)}</li>" for s in details.stages]
    parts.append("</ol><h4>Report</h4>")
    if run.report:
        parts.append(
            "<p class='mlops-details-report'>The run's HTML report (open it in a browser on "
            f"this machine): <code>{esc(run.report)}</code></p>"
        )
    else:
        parts.append(
            "<p class='mlops-details-report'>No report: the report stage has not written "
            f"{REPORT_FILE}.</p>"
        )
    return f"<div class='mlops-run-details'>{''.join(parts)}</div>"


def _gate_html(details: RunDetails) -> list[str]:
    """The gate's decision and every check it applied, or why the run was not gated."""
    esc = html.escape
    parts = ["<h4>Gate checks</h4>"]
    if details.gate is None:
        parts.append(f"<p>Not gated: {_absent(details.overview, GATE_FILE, 'gate')}</p>")
        return parts
    rows = [[c.name, c.status, c.value, c.limit, c.explanation] for c in details.gate.checks]
    parts.append(
        f"<p>Decision: <strong>{esc(details.gate.decision.value)}</strong>. "
        f"{esc(' '.join(details.gate.reasons))}</p>"
        + _table(
            "Every check the governance policy applied (PASS, FAIL or CANNOT JUDGE)",
            ["check", "result", "value", "limit", "explanation"],
            rows,
            "mlops-details-gate",
        )
    )
    return parts


def _fairness_html(details: RunDetails, *, images: bool) -> list[str]:
    """Each protected attribute's groups, with its figure."""
    esc = html.escape
    parts = ["<h4>Fairness by group</h4>"]
    figures = {f["name"]: f for f in details.figures}
    if not details.fairness:
        absent = _absent(details.overview, METRICS_FILE, "evaluate")
        parts.append(f"<p>No fairness results: {absent}</p>")
    for block in details.fairness:
        groups = block["groups"]
        columns = list(groups[0]) if groups else ["group"]
        parts.append(f"<p>{esc(block['summary'])}</p>")
        parts.append(
            _table(
                f"By {block['attribute']}",
                columns,
                [list(g.values()) for g in groups],
                "mlops-details-fairness",
            )
        )
        figure = figures.get(f"fairness_{block['attribute']}")
        if figure:
            parts.append(_figure_html(figure, image=images))
    return parts


def _alerts_html(details: RunDetails) -> list[str]:
    """The monitoring alerts in words, and the run's other figures described."""
    esc = html.escape
    parts = ["<h4>Monitoring alerts</h4>"]
    if details.alerts:
        items = "".join(f"<li>{esc(a)}</li>" for a in details.alerts)
        parts.append(f"<ul class='mlops-details-alerts'>{items}</ul>")
    else:
        said = (
            "No monitoring record"
            if not any(s.stage is Stage.MONITOR and s.ran for s in details.stages)
            else "No alerts: nothing crossed its threshold"
        )
        parts.append(f"<p class='mlops-details-alerts'>{said}.</p>")
    others = [f for f in details.figures if not f["name"].startswith("fairness_")]
    if others:
        items = "".join(
            f"<li><strong>{esc(f['title'])}.</strong> {esc(f['description'])}</li>" for f in others
        )
        parts.append(
            "<details><summary>The run's other figures, described (the images are in the "
            f"report)</summary><ul>{items}</ul></details>"
        )
    return parts
