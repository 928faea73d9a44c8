"""The Elaborate lesson's material: the scenario briefs, the role cards and the templates.

Three scenarios (:data:`SCENARIOS`) each have a brief, a design template and a model
answer in ``data/course/designs/``; the five role cards (:data:`ROLE_CARDS`) are in
``data/course/roles/``. :func:`scenarios` lists the briefs, :func:`scenario_brief`,
:func:`role_card` and :func:`governance_guidelines` read them, :func:`design_path` names a
scenario's template (or model answer) and :func:`copy_template` copies it for a team.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .._resources import resource_path
from ..errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ROLE_CARDS",
    "SCENARIOS",
    "copy_template",
    "design_path",
    "governance_guidelines",
    "role_card",
    "scenario_brief",
    "scenarios",
]

_DESIGNS = "data/course/designs"


#: The scenario briefs: key, title, the bundled data it runs on, and a one-line summary.
SCENARIOS: dict[str, tuple[str, str, str]] = {
    "benefit_claims_triage": (
        "Ordering benefit claims for a compliance review",
        "benefit_claims",
        "Classification; a flag is adverse for the claimant; protected groups compared.",
    ),
    "hospital_admissions_forecast": (
        "Forecasting weekly emergency hospital admissions",
        "hospital_admissions",
        "Regression on regional counts; no decisions about individual people.",
    ),
    "housing_repairs_priority": (
        "Prioritising urgent housing-repair inspections",
        "benefit_claims (a stand-in)",
        "Classification; a flag is favourable (a sooner inspection); stand-in data.",
    ),
}


#: The role cards in ``data/course/roles/``: key and title.
ROLE_CARDS: dict[str, str] = {
    "product_owner": "Product owner",
    "data_scientist": "Data scientist",
    "caseworker_representative": "Caseworker (frontline) representative",
    "information_governance_lead": "Information governance lead",
    "senior_responsible_owner": "Senior responsible owner (SRO)",
}


def scenarios() -> pd.DataFrame:
    """The three scenario briefs: title, data and a one-line summary."""
    import pandas as pd

    return pd.DataFrame(
        [
            {"scenario": k, "title": t, "data": d, "in short": s}
            for k, (t, d, s) in SCENARIOS.items()
        ]
    ).set_index("scenario")


def _scenario(name: str) -> str:
    if name not in SCENARIOS:
        raise ConfigError(
            f"The 'scenario' parameter must be one of {', '.join(SCENARIOS)}. "
            f"Got {name!r} instead.{did_you_mean(str(name), SCENARIOS)}"
        )
    return name


def design_path(scenario: str, *, example: bool = False) -> Path:
    """The shipped design template of ``scenario`` (or its model answer with ``example``)."""
    suffix = ".example.design.yml" if example else ".design.yml"
    return resource_path(f"{_DESIGNS}/{_scenario(scenario)}{suffix}")


def scenario_brief(scenario: str) -> str:
    """The scenario's brief (Markdown)."""
    path = resource_path(f"{_DESIGNS}/{_scenario(scenario)}.brief.md")
    return path.read_text(encoding="utf-8")


def governance_guidelines() -> str:
    """The six governance guidelines the design check follows (Markdown)."""
    return resource_path(f"{_DESIGNS}/guidelines.md").read_text(encoding="utf-8")


def role_card(role: str) -> str:
    """The role card of ``role`` (a key of :data:`ROLE_CARDS`), as Markdown."""
    if role not in ROLE_CARDS:
        raise ConfigError(
            f"The 'role' parameter of role_card must be one of {', '.join(ROLE_CARDS)}. "
            f"Got {role!r} instead.{did_you_mean(str(role), ROLE_CARDS)}"
        )
    return resource_path(f"data/course/roles/{role}.md").read_text(encoding="utf-8")


def copy_template(
    scenario: str, folder: str | os.PathLike[str] = "designs", *, overwrite: bool = False
) -> Path:
    """Copy the scenario's design template into ``folder`` for the team to edit.

    An existing copy is kept (the team's work is never overwritten) unless ``overwrite``.
    Returns the copy's path, ``<folder>/<scenario>.design.yml``.
    """
    source = design_path(scenario)
    target = Path(folder) / source.name
    if overwrite or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target
