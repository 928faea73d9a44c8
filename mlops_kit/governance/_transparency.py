"""A transparency record in the structure of the UK Algorithmic Transparency Recording Standard.

The Algorithmic Transparency Recording Standard (ATRS) asks public bodies to publish,
for each algorithmic tool that influences decisions about the public, a record in two
tiers: tier 1 is a short summary for the general public; tier 2 gives the detail for
interested readers in five sections (owner and responsibility; description and
rationale; decision-making process; tool specification, with the models and data; risks,
mitigations and impact assessments). The section names and numbers below follow the
standard's template (version 3.0) as closely as a generated record can.

:func:`transparency_record` pre-fills every fact the run recorded (the model, its data,
its performance and fairness, the governance gate, monitoring) and takes the rest from
the ``transparency`` section of the config. ``validate()`` lists every required field
still empty by its place in the record, e.g.
``Tier 2: detailed information > 1 Owner and responsibility > 1.3 Senior responsible owner``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .._io import atomic_write_text
from ._document import Document
from ._parts import SETTINGS_SECTION, Entry, Section, Table
from ._run_facts import RunFacts, load_settings
from ._run_text import ethics_summary, fact, gate_limits, human, run_findings
from ._transparency_tool import provided_output, tool_section

if TYPE_CHECKING:
    from ..config import DocumentsSettings, ImpactAssessment

__all__ = ["ATRS_HUMAN_KEYS", "TransparencyRecord", "transparency_record"]

#: The ``transparency`` keys the ATRS record needs from a person, in the record's order
#: (``tool_name`` defaults to the registered model name, so it is not among them).
ATRS_HUMAN_KEYS = (
    "description", "contact_email", "organisation", "team", "senior_responsible_owner",
    "external_supplier_involved", "scope", "benefit", "previous_process",
    "alternatives_considered", "process_integration", "frequency_and_scale",
    "human_oversight", "required_training", "appeals", "system_architecture", "phase",
    "maintenance", "data_source", "data_collection", "data_sharing", "data_retention",
    "data_access", "dpia", "equality_impact_assessment", "risks",
)  # fmt: skip

STANDARD = "Algorithmic Transparency Recording Standard (ATRS)"
STANDARD_VERSION = "3.0"
TIER_1 = "Tier 1: summary information"
TIER_2 = "Tier 2: detailed information"


@dataclass(frozen=True)
class TransparencyRecord(Document):
    """A transparency record in the ATRS structure (tier 1 and tier 2's five sections).

    ``validate()`` returns every required field still empty, each with its ATRS path and
    the config key that fills it; ``missing`` gives the same as strings. Besides
    Markdown and HTML, the record exports JSON (:meth:`to_json`), which :meth:`write`
    saves too.
    """

    kind: ClassVar[str] = "transparency record"
    stem: ClassVar[str] = "transparency_record"

    def to_dict(self) -> dict[str, Any]:
        """The record as nested dictionaries (tiers, sections, fields), with its standard."""
        return {"standard": STANDARD, "standard_version": STANDARD_VERSION, **super().to_dict()}

    def to_json(self) -> str:
        """The record as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def write(self, folder: str | os.PathLike[str] | None = None) -> dict[str, Path]:
        """Write Markdown, HTML and JSON (atomically) into ``folder``; default the run folder."""
        written = super().write(folder)
        out = Path(folder) if folder is not None else self.run_dir
        written["json"] = atomic_write_text(out / f"{self.stem}.json", self.to_json())
        return written


def transparency_record(
    run_dir: str | os.PathLike[str],
    *,
    settings: DocumentsSettings | Mapping[str, Any] | None = None,
) -> TransparencyRecord:
    """Draft the ATRS transparency record of a pipeline run.

    Parameters
    ----------
    run_dir : path-like
        A run folder that got at least as far as the evaluate stage.
    settings : DocumentsSettings or mapping, optional
        The human-written fields; default the ``transparency`` section of the run's
        ``config.yml``.

    Returns
    -------
    TransparencyRecord

    Raises
    ------
    ArtefactError
        The folder is not a run folder, or lacks a file every record needs.
    ConfigError
        A key of the settings breaks the schema.
    """
    facts = RunFacts.read(run_dir)
    s = load_settings(settings, facts.run_dir)
    name = s.tool_name or facts.model_name
    return TransparencyRecord(
        title=f"Algorithmic transparency record: {name}",
        subtitle=(
            f"A record of the {name} tool in the structure of the UK {STANDARD} "
            f"(template version {STANDARD_VERSION}): tier 1 for the general public, tier 2 "
            "for readers who want the detail."
        ),
        run_id=facts.run_id,
        run_dir=facts.run_dir,
        sections=(
            _tier_1(facts, s, name),
            Section(
                TIER_2,
                subsections=(
                    _owner(facts, s),
                    _rationale(facts, s),
                    _decisions(facts, s),
                    tool_section(facts, s),
                    _risks(facts, s),
                ),
            ),
        ),
    )


def _tier_1(facts: RunFacts, s: DocumentsSettings, name: str) -> Section:
    name_entry = (
        human(s, "tool_name", "Name")
        if s.tool_name
        else fact("Name", f"{name} (the registered model name; set a public name)")
    )
    return Section(
        TIER_1,
        entries=(
            name_entry,
            human(s, "description", "Description: how and why the tool is used"),
            human(s, "website", "Website URL", required=False),
            human(s, "contact_email", "Contact email"),
            human(s, "organisation", "Organisation"),
            human(s, "function", "Function", required=False),
            human(s, "region", "Geographic region", required=False),
        ),
    )


def _supplier_entries(s: DocumentsSettings) -> list[Entry]:
    involved = s.external_supplier_involved
    shown = {None: "", True: "Yes", False: "No: the tool was developed in-house."}[involved]
    entries = [
        Entry(
            "1.4 External supplier involvement",
            shown,
            "config",
            True,
            f"{SETTINGS_SECTION}.external_supplier_involved",
        )
    ]
    if involved:
        supplier = s.external_supplier
        for number, key, label in (
            ("1.4.1", "name", "External supplier"),
            ("1.4.2", "companies_house_number", "Companies House number"),
            ("1.4.3", "role", "External supplier role"),
            ("1.4.4", "procurement_procedure", "Procurement procedure type"),
            ("1.4.5", "data_access_terms", "Data access terms"),
        ):
            entries.append(
                Entry(
                    f"{number} {label}",
                    getattr(supplier, key) if supplier else "",
                    "config",
                    True,
                    f"{SETTINGS_SECTION}.external_supplier.{key}",
                )
            )
    return entries


def _owner(facts: RunFacts, s: DocumentsSettings) -> Section:
    return Section(
        "Owner and responsibility",
        number="1",
        entries=(
            human(s, "organisation", "1.1 Organisation or department"),
            human(s, "team", "1.2 Team"),
            human(s, "senior_responsible_owner", "1.3 Senior responsible owner"),
            *_supplier_entries(s),
            fact("Model trained by (recorded by the pipeline)", facts.trained_by),
        ),
    )


def detailed_description(facts: RunFacts) -> str:
    """What the tool is and does, from the run."""
    target = facts.dataset["profile"]["target"]
    text = (
        f"A machine-learning model ({facts.training['model_description']}), trained by an "
        f"automated pipeline on {facts.training['split']['n_train']:,} past cases described by "
        f"{len(facts.features)} features. "
    )
    if facts.task == "classification":
        text += (
            f"For each case it gives a score between 0 and 1 of how likely "
            f"'{target['name']}' is {target['positive_label']}; cases scoring "
            f"{facts.training['threshold']:g} or more are {facts.words.positive}. "
        )
    else:
        text += f"For each row it predicts '{target['name']}', a number. "
    if facts.protected:
        text += (
            f"Protected characteristics ({', '.join(facts.protected)}) are not used to "
            "score cases; they are kept only to check the results are fair between groups."
        )
    return text.strip()


def _rationale(facts: RunFacts, s: DocumentsSettings) -> Section:
    return Section(
        "Description and rationale",
        number="2",
        entries=(
            fact("2.1 Detailed description", detailed_description(facts)),
            human(s, "scope", "2.2 Scope"),
            human(s, "benefit", "2.3 Benefit"),
            human(s, "previous_process", "2.4 Previous process"),
            human(s, "alternatives_considered", "2.5 Alternatives considered"),
        ),
    )


def _decisions(facts: RunFacts, s: DocumentsSettings) -> Section:
    gate = facts.get("gate.json") or {}
    oversight = []
    if gate:
        oversight.append(
            f"Before any model version is used, an automated governance gate checks it "
            f"against the policy ({'; '.join(gate_limits(facts)) or 'no limits set'}). "
            f"For this version it decided '{gate['decision']}'."
        )
        oversight.append(
            "A version the gate does not promote can be used only if a named approver who "
            "did not train it signs off with a written justification, recorded in an "
            "append-only audit log."
        )
    provided = [provided_output(facts)]
    if s.provided_information:
        provided.append(s.provided_information)
    entries = [
        human(s, "process_integration", "3.1 Process integration"),
        Entry(
            "3.2 Provided information",
            tuple(provided),
            "run and config" if s.provided_information else "run",
            True,
            f"{SETTINGS_SECTION}.provided_information",
        ),
        human(s, "frequency_and_scale", "3.3 Frequency and scale of usage"),
        human(s, "human_oversight", "3.4 Human decisions and review"),
    ]
    if oversight:
        entries.append(fact("3.4 Human decisions and review: model release", oversight))
    entries += [
        human(s, "required_training", "3.5 Required training"),
        human(s, "appeals", "3.6 Appeals and review"),
    ]
    return Section("Decision-making process", number="3", entries=tuple(entries))


def _assessment(
    label: str, assessment: ImpactAssessment | None, key: str, required: bool = True
) -> Entry:
    return Entry(
        label,
        assessment.describe() if assessment else "",
        "config",
        required,
        f"{SETTINGS_SECTION}.{key}",
    )


def _risks(facts: RunFacts, s: DocumentsSettings) -> Section:
    assessments = [
        _assessment("Data protection impact assessment (DPIA)", s.dpia, "dpia"),
        _assessment(
            "Equality impact assessment",
            s.equality_impact_assessment,
            "equality_impact_assessment",
        ),
        *(
            _assessment(name, a, f"other_impact_assessments.{name}", required=False)
            for name, a in s.other_impact_assessments.items()
        ),
    ]
    assessed = ethics_summary(facts)
    if assessed:
        assessments.append(fact("Data Ethics Framework self-assessment", assessed))
    risk_entries: list[Entry] = []
    tables: list[Table] = []
    if not s.risks:
        risk_entries.append(
            Entry("Risks and mitigations", (), "config", True, f"{SETTINGS_SECTION}.risks")
        )
    else:
        tables.append(
            Table(
                "Risks of using the tool and how each is mitigated",
                ("risk", "description", "mitigation"),
                tuple((r.name, r.description, r.mitigation or "MISSING") for r in s.risks),
            )
        )
        for i, r in enumerate(s.risks):
            for key in ("description", "mitigation"):
                if not getattr(r, key):
                    risk_entries.append(
                        Entry(
                            f"Risk '{r.name}': {key}",
                            "",
                            "config",
                            True,
                            f"{SETTINGS_SECTION}.risks[{i}].{key}",
                        )
                    )
    found = run_findings(facts)
    if found:
        risk_entries.append(fact("Risks the pipeline found in this version", found))
    return Section(
        "Risks, mitigations and impact assessments",
        number="5",
        subsections=(
            Section("Impact assessments", number="5.1", entries=tuple(assessments)),
            Section(
                "Risks and mitigations",
                number="5.2",
                entries=tuple(risk_entries),
                tables=tuple(tables),
            ),
        ),
    )
