"""What each stage of a run found or decided, in a sentence or two, read from its files.

:func:`decided` reads the main file a stage wrote (``dataset.json``, ``tuning.json``,
``training.json``, ``metrics.json``, ``explanations.json``, ``gate.json``,
``registration.json``, ``monitoring.json``, the report) and says what is in it in words,
for the run tour (``_tour``) and the facilitator dashboard (``_run_overview``).
:data:`HEADLINE` names the metrics that lead each task's summary.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .._io import read_json
from ..pipeline import STAGE_FILES, Stage
from ..pipeline._folder import REPORT_FILE, TRAINING_FILE

__all__ = ["HEADLINE", "decided"]


def _short(digest: str | None) -> str:
    return f"starting {digest[:12]}" if digest else "unknown"


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _validated(record: dict[str, Any]) -> str:
    profile = record["profile"]
    roles = profile["roles"]
    target = profile["target"]
    protected = list(roles.get("protected", []))
    features = [*roles.get("numeric", []), *roles.get("categorical", [])]
    left_out = [
        f"{column} ({why})"
        for column, why in roles.get("excluded", {}).items()
        if column not in protected and column != roles.get("time_column")
    ]
    rate = target.get("positive_rate")
    share = f", {rate:.1%} of rows positive" if isinstance(rate, int | float) else ""
    parts = [
        f"Checked {profile['n_rows']:,} rows and {profile['n_columns']} columns of "
        f"{profile['source']} (SHA-256 {_short(record.get('sha256'))}).",
        f"Target '{target['name']}' ({record['task']}{share}); {len(features)} features;",
        f"protected, for fairness checks only: {', '.join(protected) or 'none'};",
        f"left out: {', '.join(left_out) or 'nothing'}.",
    ]
    privacy = record.get("privacy") or {}
    findings = privacy.get("findings", [])
    if findings:
        found = "; ".join(f"'{f['column']}' {f['kind']}, {f['status']}" for f in findings)
        verdict = "passed" if privacy.get("passed") else "refused"
        parts.append(f"Personal-data scan {verdict}, {len(findings)} finding(s): {found}.")
    elif privacy:
        parts.append("Personal-data scan: no personal data found.")
    if privacy.get("override"):
        override = privacy["override"]
        parts.append(f"Overridden by {override.get('by')}: {override.get('reason')}")
    warnings = profile.get("warnings", [])
    if warnings:
        parts.append(f"{len(warnings)} warning(s): {' '.join(map(str, warnings))}")
    return " ".join(parts)


def _tuned(record: dict[str, Any]) -> str:
    if record.get("skipped"):
        return f"Not tuned: {record.get('reason', 'tuning was switched off')}."
    return str(record["summary"])


def _trained(record: dict[str, Any]) -> str:
    params = record.get("tuned_params")
    chosen = (
        "the tuned parameters " + ", ".join(f"{k}={_num(v)}" for k, v in params.items())
        if params
        else "the model family's default parameters"
    )
    parts = [
        f"Trained a {record['model_description']} ({record['model']}) with {chosen}.",
        record["split"]["description"],
    ]
    cv = record.get("cv")
    if cv:
        parts.append(
            f"Cross-validated {cv['metric']} on the training rows: {cv['mean']:.3f} "
            f"(standard deviation {cv['std']:.3f})."
        )
    if record.get("threshold") is not None:
        parts.append(f"A score of {record['threshold']} or more counts as a positive prediction.")
    parts.append(f"The model file's SHA-256: {_short(record.get('model_sha256'))}.")
    return " ".join(parts)


#: The headline metrics of each task: (key in metrics.json, label).
HEADLINE = {
    "classification": (("roc_auc", "ROC AUC"), ("precision", "precision"), ("recall", "recall")),
    "regression": (("rmse", "RMSE"), ("mae", "MAE"), ("r2", "R²")),
}


def _evaluated(metrics: dict[str, Any]) -> str:
    task = metrics.get("task", "classification")
    values = ", ".join(
        f"{label} {metrics[key]:.3f}"
        for key, label in HEADLINE.get(task, ())
        if isinstance(metrics.get(key), int | float)
    )
    where = f"On {metrics['n_test']:,} held-out rows"
    if metrics.get("threshold") is not None:
        where += f" at threshold {metrics['threshold']}"
    parts = [f"{where}: {values}."]
    verdicts: dict[str, list[str]] = {"passed": [], "failed": [], "not judged": []}
    compared = "rates"
    for attribute, result in (metrics.get("fairness") or {}).items():
        rule = result.get("four_fifths")
        if not isinstance(rule, dict):
            continue
        compared = f"{result.get('rate_compared', 'rate')}s"
        passed = rule.get("passed")
        verdicts["not judged" if passed is None else "passed" if passed else "failed"].append(
            attribute
        )
    judged = [f"{v} for {', '.join(a)}" for v, a in verdicts.items() if a]
    if judged:
        parts.append(f"Four-fifths rule on {compared}: {'; '.join(judged)}.")
    return " ".join(parts)


def _gated(gate: dict[str, Any]) -> str:
    checks = gate.get("checks", [])
    passed = sum(bool(c.get("passed")) for c in checks)
    return (
        f"Decision: {gate['decision']}. {passed} of {len(checks)} checks passed. "
        + " ".join(gate.get("reasons", []))
    ).strip()


def _registered(registration: dict[str, Any]) -> str:
    return (
        f"Registered {registration['model_name']} version {registration['version']} "
        f"(alias: {registration.get('alias') or 'none'}; the gate decided "
        f"'{registration['gate_decision']}'). {registration.get('next_step', '')}"
    ).strip()


def _monitored(record: dict[str, Any]) -> str:
    alerts = record.get("alerts", [])
    severities = Counter(a.get("severity") for a in alerts)
    drifted = (record.get("drift") or {}).get("drifted", [])
    actions = sorted({a["action"] for a in alerts if a.get("severity") == "alert"})
    text = (
        f"Compared {record['current_rows']:,} rows ({record['batch']}) with "
        f"{record['reference_rows']:,} training rows. Drifted features: "
        f"{', '.join(drifted) or 'none'}. {severities.get('alert', 0)} alert(s) calling for "
        f"action and {severities.get('warning', 0)} warning(s) to watch."
    )
    if actions:
        text += f" Actions called for: {'; '.join(actions)}."
    return text


def _reported(folder: Path) -> str:
    size = (folder / REPORT_FILE).stat().st_size
    return (
        f"Gathered what the stages recorded into one self-contained page, {REPORT_FILE} "
        f"({size / 1024:,.0f} KB). Nothing is decided here."
    )


def decided(stage: Stage, folder: Path) -> str:
    """What ``stage`` found or decided, in words; "Not run yet" when its file is missing."""
    main = folder / STAGE_FILES[stage].writes[0]
    if not main.is_file():
        return f"Not run yet: {main.name} is not in the run folder."
    if stage is Stage.VALIDATE:
        return _validated(read_json(main))
    if stage is Stage.TUNE:
        return _tuned(read_json(main))
    if stage is Stage.TRAIN:
        return _trained(read_json(folder / TRAINING_FILE))
    if stage is Stage.EVALUATE:
        return _evaluated(read_json(main))
    if stage is Stage.EXPLAIN:
        return str(read_json(main).get("summary", ""))
    if stage is Stage.GATE:
        return _gated(read_json(main))
    if stage is Stage.REGISTER:
        return _registered(read_json(main))
    if stage is Stage.MONITOR:
        return _monitored(read_json(main))
    return _reported(folder)
