"""A one-page summary of a model for people who will never read a model card.

Ministers, service managers, caseworkers, members of the public and their
representatives need five answers, in plain English: what does the model do; how well
does it work; who might it treat unfairly and what is done about it; who decided to use
it and who keeps a person in charge; and what is watched once it is running.
:func:`stakeholder_summary` answers them from the same run and the same config as the
model card, so the three documents never disagree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ._document import Document
from ._parts import SETTINGS_SECTION, Entry, Section
from ._run_facts import RunFacts, load_settings
from ._run_text import fact, human, monitoring_lines

if TYPE_CHECKING:
    from ..config import DocumentsSettings

__all__ = ["StakeholderSummary", "stakeholder_summary"]


@dataclass(frozen=True)
class StakeholderSummary(Document):
    """A one-page, plain-English summary drawn from a run and its config."""

    kind: ClassVar[str] = "stakeholder summary"
    stem: ClassVar[str] = "stakeholder_summary"


def stakeholder_summary(
    run_dir: str | os.PathLike[str],
    *,
    settings: DocumentsSettings | Mapping[str, Any] | None = None,
) -> StakeholderSummary:
    """Draft a one-page summary of a run for non-technical stakeholders.

    Parameters
    ----------
    run_dir : path-like
        A run folder that got at least as far as the evaluate stage.
    settings : DocumentsSettings or mapping, optional
        The human-written fields; default the ``transparency`` section of the run's
        ``config.yml``.

    Returns
    -------
    StakeholderSummary
    """
    facts = RunFacts.read(run_dir)
    s = load_settings(settings, facts.run_dir)
    name = s.tool_name or facts.model_name
    return StakeholderSummary(
        title=f"The {name} model on one page",
        subtitle=(
            "What the model does, how well it works, who it might treat unfairly, who is in "
            "charge and what is watched, in plain English."
        ),
        run_id=facts.run_id,
        run_dir=facts.run_dir,
        sections=(
            _what(facts, s),
            _how_well(facts),
            _fairness(facts, s),
            _who(facts, s),
            _monitored(facts, s),
        ),
    )


def _examples(features: list[str], n: int = 3) -> str:
    shown = [f.replace("_", " ") for f in features[:n]]
    return ", ".join(shown) + (" and others" if len(features) > n else "")


def _what(facts: RunFacts, s: DocumentsSettings) -> Section:
    target = facts.dataset["profile"]["target"]
    n = len(facts.features)
    if facts.task == "classification":
        verb = facts.words.positive
        how = (
            f"It looks at {n} facts about each case (such as {_examples(facts.features)}) and "
            f"gives it a score from 0 to 1. Cases scoring {facts.training['threshold']:g} or "
            f"more are {verb}."
        )
    else:
        how = (
            f"It forecasts '{target['name'].replace('_', ' ')}' from {n} facts (such as "
            f"{_examples(facts.features)})."
        )
    if facts.protected:
        names = [a.replace("_", " ") for a in facts.protected]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        how += f" It is never told anyone's {listed}: those are used only to check it is fair."
    purpose_key = "description" if s.description or not s.primary_uses else "primary_uses"
    return Section(
        "What the model does",
        entries=(human(s, purpose_key, "What it is for"), fact("How it works", how)),
    )


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{round(100 * value)}"


def _how_well(facts: RunFacts) -> Section:
    m = facts.metrics
    split = facts.training["split"]
    when = (
        f" ({split['test_periods'][0]} to {split['test_periods'][1]})"
        if split.get("test_periods")
        else ""
    )
    unit = "cases" if facts.task == "classification" else "rows of data"
    lines = [f"It was tested on {m['n_test']:,} past {unit} it had not seen{when}."]
    if facts.task == "classification":
        target = facts.dataset["profile"]["target"]
        real = f"real '{target['name']} = {target['positive_label']}' cases"
        lines += [
            f"Of every 100 {facts.words.cases} that are {facts.words.positive}, about "
            f"{_share(m.get('precision'))} turn out to "
            f"be {real}; it finds about {_share(m.get('recall'))} in every 100 of the "
            f"{real}.",
            f"Its ability to rank cases (ROC AUC) is {m['roc_auc']:.2f}, where 0.5 is "
            "guessing and 1 is perfect.",
        ]
    else:
        lines += [
            f"On average its forecasts were {m['mae']:,.0f} "
            f"{facts.dataset['profile']['target']['name'].replace('_', ' ')} away from the "
            "true figure.",
            f"It explains {100 * m['r2']:.0f}% of the ups and downs in the true figures.",
        ]
    gate = facts.get("gate.json") or {}
    floors = [c for c in gate.get("checks", []) if c["name"].endswith(("floor", "ceiling"))]
    if floors:
        met = all(c["passed"] for c in floors)
        lines.append(
            "It "
            + ("meets" if met else "does not meet")
            + " the minimum standard of accuracy the policy sets: "
            + " ".join(c["explanation"] for c in floors)
        )
    return Section("How well it works", entries=(fact("Tested on past cases", lines),))


def _fairness(facts: RunFacts, s: DocumentsSettings) -> Section:
    gate = facts.get("gate.json") or {}
    findings: list[str] = []
    for c in gate.get("checks", []):
        # Every four-fifths verdict (pass or fail), the equalised odds ones that fail, and
        # every comparison of a regression model's errors between groups.
        name = c["name"]
        if (
            "four-fifths" in name
            or "group error" in name
            or ("equalised odds" in name and c["passed"] is False)
        ):
            findings.append(c["explanation"])
    fairness = facts.metrics.get("fairness") or {}
    for attr, f in fairness.items():
        if f.get("insufficient_groups"):
            findings.append(
                f"There were too few people to tell for these {attr.replace('_', ' ')} "
                f"groups: {', '.join(map(str, f['insufficient_groups']))}."
            )
    entries: list[Entry] = []
    if facts.protected:
        entries.append(fact("What the checks found", findings or ["No fairness checks ran."]))
    else:
        entries.append(human(s, "factors_note", "Why no groups were compared"))
    decision = gate.get("decision")
    consequence = {
        "refuse": "Because of this, the automatic check refused the model: it cannot be used "
        "unless a named senior person, who did not build it, overrides the refusal in "
        "writing.",
        "needs human approval": "A named person who did not build the model must approve it "
        "before it is used.",
        "promote": "The model passed every check the policy sets.",
    }.get(str(decision))
    if consequence:
        entries.append(fact("What happens because of this", consequence))
    mitigations = [f"{r.name}: {r.mitigation}" for r in s.risks if r.mitigation]
    entries.append(
        Entry(
            "What is done about it (each risk's mitigation)",
            tuple(mitigations),
            "config",
            True,
            f"{SETTINGS_SECTION}.risks",
        )
    )
    return Section("Who it might treat unfairly, and what is done about it", entries=tuple(entries))


def _who(facts: RunFacts, s: DocumentsSettings) -> Section:
    return Section(
        "Who decided, and how a person stays in charge",
        entries=(
            human(s, "senior_responsible_owner", "Accountable senior owner"),
            human(s, "owner", "Who looks after the model"),
            fact("Who trained this version", facts.trained_by),
            human(s, "human_oversight", "How a person stays in charge"),
            human(s, "appeals", "How to challenge a decision"),
        ),
    )


def _monitored(facts: RunFacts, s: DocumentsSettings) -> Section:
    watched = monitoring_lines(facts)
    mon = facts.get("monitoring.json") or {}
    actions = sorted({a["action"] for a in mon.get("alerts", []) if a.get("action")})
    watched += [f"An alert can lead to this: {action}." for action in actions]
    entries: list[Entry] = []
    if watched:
        entries.append(fact("What the pipeline watches", watched))
    entries.append(human(s, "maintenance", "Reviews and retraining"))
    return Section("What is watched once it is running", entries=tuple(entries))
