"""Entries and sentences drawn from a run, shared by the model card, record and summary.

Formatting (:func:`num`, :func:`pct`), the two kinds of entry (:func:`fact`, from the
run; :func:`human`, from the config's ``transparency`` section) and the sentences more
than one document says: the registered version, the model type, the gate's limits, the
run's findings, the ethics self-assessment and the monitoring results.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._ethics import EthicsAssessment
from ._parts import SETTINGS_SECTION, Entry
from ._run_facts import RunFacts

if TYPE_CHECKING:
    from ..config import DocumentsSettings


def num(value: Any, digits: int = 3) -> str:
    """A number for a table: ``n/a`` for None, thousands separators for whole numbers.

    Examples
    --------
    >>> num(0.77960), num(None), num(10500), num(554.509, 1)
    ('0.780', 'n/a', '10,500', '554.5')
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


def pct(value: Any) -> str:
    """A share as a percentage with one decimal, ``n/a`` for None.

    Examples
    --------
    >>> pct(0.10371), pct(None)
    ('10.4%', 'n/a')
    """
    return "n/a" if value is None else f"{100 * float(value):.1f}%"


def human(s: DocumentsSettings, name: str, label: str, *, required: bool = True) -> Entry:
    """An entry a person writes in the config's ``transparency`` section."""
    value = getattr(s, name)
    shown: str | tuple[str, ...] = tuple(value) if isinstance(value, list) else (value or "")
    return Entry(label, shown, "config", required, f"{SETTINGS_SECTION}.{name}")


def fact(label: str, value: str | tuple[str, ...] | list[str]) -> Entry:
    """An entry the run recorded."""
    return Entry(label, tuple(value) if isinstance(value, list) else value, "run")


def rate_name(facts: RunFacts) -> str:
    """The rate the four-fifths rule compares, in the run's words ("selection rate")."""
    return facts.words.rate


def version_text(facts: RunFacts) -> str:
    """The registered version and alias, or that the model is not registered yet."""
    reg = facts.get("registration.json")
    if not reg:
        return "Not registered yet: this card was drafted before the register stage."
    alias = f"alias '{reg['alias']}'" if reg.get("alias") else "no alias"
    return (
        f"Version {reg['version']} of '{reg['model_name']}' in the model registry ({alias}; "
        f"the gate decided '{reg.get('gate_decision', 'unknown')}')."
    )


def model_type_text(facts: RunFacts) -> str:
    """The model family in words, with how it was tuned."""
    t = facts.training
    text = f"{t['model_description']} ('{t['model']}'), for {facts.task}"
    tuning = facts.get("tuning.json") or {}
    if tuning and not tuning.get("skipped"):
        text += (
            f"; hyperparameters tuned with Optuna over {tuning['n_trials']} trial(s), "
            f"optimising {tuning['metric']}"
        )
    return text + "."


def code_version_text(facts: RunFacts) -> str:
    code = facts.context.get("code_version") or {}
    if not code:
        return ""
    label = str(code.get("label") or code.get("commit") or "")
    return label + (" (with uncommitted changes)" if code.get("dirty") else "")


def data_name(facts: RunFacts) -> str:
    return Path(facts.dataset["path"]).name


def gate_limits(facts: RunFacts) -> list[str]:
    """The policy's limits, from ``gate.json`` (or the run's config), in words."""
    gate = facts.get("gate.json") or {}
    policy = gate.get("policy") or facts.config.get("policy") or {}
    lines = [f"{k} at least {v:g}" for k, v in (policy.get("min_metrics") or {}).items()]
    lines += [f"{k} at most {v:g}" for k, v in (policy.get("max_metrics") or {}).items()]
    if facts.task == "classification" and facts.protected:
        if policy.get("four_fifths", True):
            lines.append(
                f"four-fifths rule on {rate_name(facts)}s: no group's rate may differ from "
                "another's by more than a ratio of 0.8"
            )
        if policy.get("max_equalized_odds_difference") is not None:
            lines.append(
                f"equalised odds difference at most {policy['max_equalized_odds_difference']:g}"
            )
    error_limit = policy.get("max_group_error_ratio")
    if facts.task == "regression" and facts.protected and error_limit is not None:
        metric = str(policy.get("group_error_metric", "mae")).upper()
        lines.append(
            f"errors by group: the worst group's {metric} at most {error_limit:g} times the "
            "best group's"
        )
    if policy.get("high_impact"):
        lines.append("high-impact use: a named person must always approve promotion")
    return lines


def run_findings(facts: RunFacts) -> list[str]:
    """What the run found that bears on ethics: failed and unjudged gate checks."""
    gate = facts.get("gate.json") or {}
    found = [f"{c['explanation']}" for c in gate.get("checks", []) if c.get("passed") is not True]
    fairness = facts.metrics.get("fairness") or {}
    for attr, f in fairness.items():
        if f.get("insufficient_groups"):
            found.append(
                f"Too few people to judge fairness by {attr} for: "
                f"{', '.join(map(str, f['insufficient_groups']))}."
            )
    return found


def ethics_summary(facts: RunFacts) -> list[str]:
    """The Data Ethics Framework self-assessment saved with the run, in a few lines."""
    saved = facts.get("ethics_assessment.json")
    if not saved:
        return []
    assessment = EthicsAssessment.from_dict(saved)
    return [assessment.summary()]


def monitoring_lines(facts: RunFacts) -> list[str]:
    """The monitor stage's findings: drifted features and alerts, in short sentences."""
    mon = facts.get("monitoring.json")
    if not mon:
        return []
    drifted = mon["drift"]["drifted"]
    alerts = mon.get("alerts", [])
    severe = [a for a in alerts if a.get("severity") == "alert"]
    lines = [
        f"Monitoring on {mon['batch']} ({mon['current_rows']:,} rows against "
        f"{mon['reference_rows']:,} training rows): "
        + (f"data drift in {', '.join(drifted)}" if drifted else "no data drift")
        + f"; {len(alerts)} alert(s), {len(severe)} of them needing action."
    ]
    return lines
