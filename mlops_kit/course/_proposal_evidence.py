"""The evidence a proposal pre-fills, read from a real pipeline run folder.

Each builder turns what a run wrote into short facts (:class:`Evidence`), each naming the
files to check it against. They reuse the kit's own readers: the run tour
(:func:`mlops_kit.course.run_tour`, what each stage decided), the governance
documents' ``RunFacts`` (the run's files and config) and the stakeholder summary
(:func:`mlops_kit.governance.stakeholder_summary`, what is still to be written).
:func:`summary_fact_sheet` lists the stakeholder summary's facts beside their files.

Over 400 lines because each of the template's ten evidence builders turns one part of a
run into facts, and they share one reader of the run folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_json
from ..errors import ArtefactError
from ..governance import RunFacts, stakeholder_summary
from ..pipeline import STAGE_FILES
from ._tour import RunTour, run_tour

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVIDENCE",
    "PROPOSAL_RUN_FILES",
    "SUMMARY_SOURCES",
    "Evidence",
    "read_run",
    "summary_fact_sheet",
]


@dataclass(frozen=True)
class Evidence:
    """One fact read from a run, and the run files to check it against."""

    text: str
    source: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.text} (from {', '.join(self.source)})"


@dataclass(frozen=True)
class _Run:
    """What the evidence builders read: the run's files, its tour and its summary."""

    facts: RunFacts
    tour: RunTour
    status: dict[str, Any]
    missing_documents: tuple[str, ...]
    documents: tuple[str, ...]

    def file(self, name: str) -> dict[str, Any]:
        return dict(self.facts.get(name) or {})


#: What a run folder must hold before a proposal can be drafted from it.
PROPOSAL_RUN_FILES = (
    "config.yml",
    "run.json",
    "dataset.json",
    "tuning.json",
    "training.json",
    "metrics.json",
    "gate.json",
    "registration.json",
    "manifest.json",
    "monitoring.json",
    "stakeholder_summary.md",
)


def read_run(run_dir: str | os.PathLike[str]) -> _Run:
    """What the evidence builders read from a complete run folder, or an ArtefactError."""
    folder = Path(run_dir)
    if not folder.is_dir():
        raise ArtefactError(
            f"The 'run_dir' parameter of draft_proposal must be a pipeline run folder "
            f"(runs/<run-id>). Got '{folder}', which does not exist."
        )
    status = read_json(folder / "status.json") if (folder / "status.json").is_file() else {}
    if status and status.get("status") != "succeeded":
        error = status.get("error") or {}
        raise ArtefactError(
            f"The run in '{folder}' did not succeed (status.json says "
            f"{status.get('status')!r}, stage {error.get('stage')!r}: "
            f"{error.get('message', 'no message')}). A proposal is drafted from a run "
            "that completed every stage; run the pipeline again."
        )
    writer = {n: s.value for s, files in STAGE_FILES.items() for n in files.writes}
    for name in PROPOSAL_RUN_FILES:
        if not (folder / name).is_file():
            who = f"the {writer[name]} stage" if name in writer else "the runner"
            raise ArtefactError(
                f"The run folder '{folder}' has no '{name}', which {who} writes. A proposal "
                "is drafted from a complete pipeline run (every stage from validate to "
                "monitor, run by run_pipeline or `mlops-kit run`)."
            )
    facts = RunFacts.read(folder)
    summary = stakeholder_summary(folder)
    stems = ("model_card", "transparency_record", "stakeholder_summary")
    documents = tuple(f"{s}.md" for s in stems if (folder / f"{s}.md").is_file())
    return _Run(facts, run_tour(folder), status, summary.missing, documents)


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


def _ev(text: str, *source: str) -> Evidence:
    return Evidence(" ".join(text.split()), source)


def _service(run: _Run) -> list[Evidence]:
    profile = run.facts.dataset["profile"]
    target = profile["target"]
    roles = profile["roles"]
    n_features = len(roles.get("numeric", [])) + len(roles.get("categorical", []))
    side = run.file("dataset.json").get("positive_is", run.facts.config.get("positive_is"))
    meaning = f", where a positive prediction is {side} for the person" if side else ""
    out = [
        _ev(
            f"The demonstration run predicted '{target['name']}' ({run.facts.task}{meaning}) "
            f"from {n_features} features on {profile['n_rows']:,} rows of {profile['source']}.",
            "dataset.json",
        )
    ]
    description = (run.facts.config.get("transparency") or {}).get("description")
    if description:
        out.append(_ev(f"The run's config describes the tool as: {description}", "config.yml"))
    return out


def _pilot_run(run: _Run) -> list[Evidence]:
    context = run.facts.context
    code = context.get("code_version") or {}
    version = code.get("label") or "unknown"
    dirty = " with uncommitted changes" if code.get("dirty") else ""
    out = [
        _ev(
            f"Run {run.facts.run_id} was started by {context.get('trained_by', 'unknown')} "
            f"at {context.get('started_at', 'an unrecorded time')} from code version "
            f"{version[:12]}{dirty}.",
            "run.json",
        )
    ]
    stages = [s for s in run.status.get("stages", []) if s.get("status") == "succeeded"]
    if stages:
        total = sum(float(s["seconds"]) for s in stages)
        each = ", ".join(f"{s['stage']} {_seconds(float(s['seconds']))}" for s in stages)
        out.append(
            _ev(
                f"Its {len(stages)} stages ran unattended in {_seconds(total)} in all: {each}.",
                "status.json",
            )
        )
    else:
        out.append(_ev("Stage timings were not recorded: the stages ran by hand.", "status.json"))
    for summary in run.tour.stages:
        # The file a stage's decision is read from: its record, else its first output.
        records = [n for n in summary.written if n.endswith(".json")] or list(summary.written)
        files = records[:1]
        out.append(_ev(f"{summary.stage.value.capitalize()}: {summary.decided}", *files))
    return out


def _components(run: _Run) -> list[Evidence]:
    manifest = run.file("manifest.json")
    registration = run.file("registration.json")
    code = (manifest.get("code_version") or {}).get("label") or "unknown"
    seeds = ", ".join(f"{k} {v}" for k, v in (manifest.get("seeds") or {}).items()) or "none"
    triggers = (run.facts.config.get("continuous") or {}).get("triggers") or []
    alerts = [a for a in run.file("monitoring.json").get("alerts", []) if a.get("severity")]
    calling = sum(a["severity"] == "alert" for a in alerts)
    return [
        _ev(
            "Continuous training: not exercised by a single run. Its monitoring raised "
            f"{calling} alert(s) calling for action; the config retrains on "
            f"{', '.join(triggers) or 'no trigger'} (the replay, `mlops-kit simulate`, shows it).",
            "monitoring.json",
            "config.yml",
        ),
        _ev(f"Automated tuning: {run.tour['tune'].decided}", "tuning.json"),
        _ev(
            f"Versioning and reproducibility: registered as {registration['model_name']} "
            f"version {registration['version']}; the manifest records code version "
            f"{code[:12]}, data SHA-256 starting {manifest['data']['sha256'][:12]}, seeds "
            f"({seeds}) and {len(manifest.get('packages', {}))} package versions.",
            "registration.json",
            "manifest.json",
        ),
        _ev(f"Performance monitoring: {run.tour['monitor'].decided}", "monitoring.json"),
        _ev(
            "A/B testing: not exercised by a single run; a challenger is compared with the "
            "champion on live-like traffic under a pre-registered rule (lesson 07).",
            "registration.json",
        ),
    ]


def _person_must(run: _Run) -> list[Evidence]:
    """What a person must still check or do, from the gate, monitoring and documents."""
    gate = run.file("gate.json")
    registration = run.file("registration.json")
    version = f"{registration['model_name']} version {registration['version']}"
    decision = gate.get("decision")
    out: list[Evidence] = []
    if decision == "refuse":
        out.append(
            _ev(
                f"A person must still decide whether to override the refusal of {version}: "
                "only a named approver who did not train it, with a written justification, "
                "may (`mlops-kit approve`), or record a decision not to (`mlops-kit decline`).",
                "gate.json",
                "registration.json",
            )
        )
    elif decision == "needs human approval":
        out.append(
            _ev(
                f"A person must still approve {version} before it is used (a named approver "
                "who did not train it).",
                "gate.json",
                "registration.json",
            )
        )
    for check in gate.get("checks", []):
        if check.get("passed") is None:
            out.append(
                _ev(
                    f"A person must still judge '{check['name']}': {check['explanation']}",
                    "gate.json",
                )
            )
    actions = sorted(
        {
            a["action"]
            for a in run.file("monitoring.json").get("alerts", [])
            if a["severity"] == "alert"
        }
    )
    out += [
        _ev(f"A person must still act on monitoring alerts calling for: {a}.", "monitoring.json")
        for a in actions
    ]
    out += [
        _ev(f"A person must still write this part of the stakeholder summary: {m}.", "config.yml")
        for m in run.missing_documents
    ]
    privacy = run.file("dataset.json").get("privacy") or {}
    if privacy.get("override"):
        override = privacy["override"]
        out.append(
            _ev(
                f"A person must still review the personal-data override by "
                f"{override.get('by')}: {override.get('reason')}",
                "dataset.json",
            )
        )
    if not out:
        out.append(_ev(f"The gate promoted {version}; no check is left to a person.", "gate.json"))
    return out


def _governance(run: _Run) -> list[Evidence]:
    policy = run.file("gate.json").get("policy") or {}
    approvers = ", ".join(policy.get("approvers") or []) or "none named yet"
    return [
        _ev(f"The gate's decision: {run.tour['gate'].decided}", "gate.json"),
        _ev(
            f"The policy applied: high-impact {'yes' if policy.get('high_impact') else 'no'}; "
            f"performance floors {policy.get('min_metrics') or 'none'}; four-fifths rule "
            f"{'on' if policy.get('four_fifths') else 'off'}; equalised odds limit "
            f"{policy.get('max_equalized_odds_difference')}; approvers: {approvers}.",
            "gate.json",
        ),
        _ev(f"The registry: {run.tour['register'].decided}", "registration.json"),
        *_person_must(run),
    ]


def _data_protection(run: _Run) -> list[Evidence]:
    return [_ev(f"The data checks: {run.tour['validate'].decided}", "dataset.json")]


def _costs(run: _Run) -> list[Evidence]:
    manifest = run.file("manifest.json")
    packages = manifest.get("packages") or {}
    named = ", ".join(f"{k} {v}" for k, v in packages.items() if k != "mlops-kit")
    size = sum(p.stat().st_size for p in run.facts.run_dir.rglob("*") if p.is_file())
    uri = str(run.file("registration.json").get("tracking_uri", ""))
    where = "a local SQLite file" if uri.startswith("sqlite") else f"a server ({uri})"
    out = [
        _ev(
            f"Software: Python {manifest.get('python', 'unknown')} on "
            f"{manifest.get('platform', 'an unrecorded platform')}, with {named}, all "
            "open-source.",
            "manifest.json",
        ),
        _ev(
            f"The run folder takes {size / 1e6:.1f} MB; the model registry is {where}.",
            "registration.json",
        ),
    ]
    stages = run.status.get("stages", [])
    if stages:
        total = sum(float(s["seconds"]) for s in stages)
        slowest = max(stages, key=lambda s: float(s["seconds"]))
        out.append(
            _ev(
                f"Compute time: {_seconds(total)} for the whole run on this machine; the "
                f"slowest stage was {slowest['stage']} ({_seconds(float(slowest['seconds']))}).",
                "status.json",
            )
        )
    return out


def _pilot(run: _Run) -> list[Evidence]:
    out = [_ev(f"Baseline on held-out data: {run.tour['evaluate'].decided}", "metrics.json")]
    ratios = [
        f"{attribute} {f['four_fifths']['ratio']:.2f}"
        for attribute, f in (run.facts.metrics.get("fairness") or {}).items()
        if isinstance(f.get("four_fifths"), Mapping) and f["four_fifths"].get("ratio") is not None
    ]
    if ratios:
        out.append(
            _ev(
                f"Four-fifths ratios to improve on (0.8 or more passes): {', '.join(ratios)}.",
                "metrics.json",
            )
        )
    performance = run.file("monitoring.json").get("performance") or {}
    floors = (performance.get("settings") or {}).get("min_metrics") or {}
    metric = next(iter(floors), "roc_auc" if run.facts.task == "classification" else "rmse")
    judged = [b for b in performance.get("batches", []) if isinstance(b.get(metric), int | float)]
    if judged:
        low = min(judged, key=lambda b: b[metric])
        high = max(judged, key=lambda b: b[metric])
        floor = f" (the policy's floor: {floors[metric]})" if metric in floors else ""
        out.append(
            _ev(
                f"Over {len(judged)} later batch(es) with labels, {metric} ranged from "
                f"{low[metric]:.3f} ({low['batch']}) to {high[metric]:.3f} "
                f"({high['batch']}){floor}.",
                "monitoring.json",
            )
        )
    return out


def _risks(run: _Run) -> list[Evidence]:
    failed = [c for c in run.file("gate.json").get("checks", []) if c.get("passed") is False]
    out = [_ev(f"Failed gate check: {c['explanation']}", "gate.json") for c in failed]
    risks = (run.facts.config.get("transparency") or {}).get("risks") or []
    out += [
        _ev(
            f"Risk recorded for the demonstration tool: {r['name']}. Mitigation: "
            f"{r.get('mitigation') or 'none written'}",
            "config.yml",
        )
        for r in risks
        if isinstance(r, Mapping) and r.get("name")
    ]
    return out or [_ev("The gate failed no check and the config records no risk.", "gate.json")]


def _communication(run: _Run) -> list[Evidence]:
    drafted = ", ".join(run.documents)
    status = (
        f"{len(run.missing_documents)} required part(s) are still empty"
        if run.missing_documents
        else "every required part is filled in"
    )
    return [
        _ev(
            f"The register stage drafted {drafted} from the run and its config; in the "
            f"stakeholder summary {status}.",
            *run.documents,
        )
    ]


#: The evidence builders, by the name a template section gives in ``evidence:``.
EVIDENCE: dict[str, Callable[[_Run], list[Evidence]]] = {
    "service": _service,
    "pilot_run": _pilot_run,
    "components": _components,
    "governance": _governance,
    "data_protection": _data_protection,
    "costs": _costs,
    "pilot": _pilot,
    "risks": _risks,
    "communication": _communication,
}


#: The run files that back each section of the stakeholder summary.
SUMMARY_SOURCES: dict[str, tuple[str, ...]] = {
    "What the model does": ("dataset.json", "training.json"),
    "How well it works": ("metrics.json", "training.json", "gate.json"),
    "Who it might treat unfairly, and what is done about it": ("gate.json", "metrics.json"),
    "Who decided, and how a person stays in charge": ("run.json",),
    "What is watched once it is running": ("monitoring.json", "config.yml"),
}


def summary_fact_sheet(run_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Every fact the run's stakeholder summary states, beside the files to check it in.

    Only the entries drawn from the run are listed (a person wrote the others in the
    config). The ``checked`` column starts empty for a learner to fill in.

    Parameters
    ----------
    run_dir : path-like
        A run folder that got at least as far as the evaluate stage.

    Returns
    -------
    pandas.DataFrame
        Columns ``section``, ``entry``, ``fact``, ``check in`` and ``checked``.
    """
    import pandas as pd

    summary = stakeholder_summary(run_dir)
    rows = []
    for section in summary.sections:
        sources = ", ".join(SUMMARY_SOURCES.get(section.title, ("the run folder",)))
        for entry in section.entries:
            if entry.source != "run" or entry.empty:
                continue
            values = (entry.value,) if isinstance(entry.value, str) else entry.value
            rows += [
                {
                    "section": section.title,
                    "entry": entry.label,
                    "fact": value,
                    "check in": sources,
                    "checked": "",
                }
                for value in values
            ]
    return pd.DataFrame(rows, columns=["section", "entry", "fact", "check in", "checked"])
