"""Extension activities: a departmental adoption proposal drafted from a real pipeline run.

A team that has finished the session writes a proposal for adopting automated MLOps in
its own department. :func:`~mlops_kit.course.proposal_template` reads the sections a
proposal needs (``data/course/proposal/sections.yml``: each with its purpose and the
questions to answer; ``_proposal_template``). :func:`draft_proposal` fills in, for each
section, the evidence a real run folder holds (what ran and how long it took, what the
gate decided and why, what a person must still check), read with the kit's own readers
(:func:`~mlops_kit.course.run_tour`, the governance documents' ``RunFacts``,
:func:`~mlops_kit.governance.stakeholder_summary`; ``_proposal_evidence``), and leaves the
team's own text marked *to be written* with its prompts (:class:`AdoptionProposal`).
Checking a proposal, exporting it and reading a team's text back are in
``_proposal_files``.

For the stakeholder-summary activity, :func:`~mlops_kit.course.summary_fact_sheet` lists
every fact the run's stakeholder summary states, beside the run file to check it against.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean
from ._proposal_evidence import EVIDENCE, Evidence, read_run
from ._proposal_template import ProposalSection, ProposalTemplate, proposal_template

__all__ = ["AdoptionProposal", "ProposalPart", "draft_proposal"]

_TO_WRITE = "> **To be written.**"
_BEGIN = "<!-- written: {key} -->"
_END = "<!-- end: {key} -->"


@dataclass(frozen=True)
class ProposalPart:
    """One section of a drafted proposal: the template section, its evidence, the team's text."""

    section: ProposalSection
    evidence: tuple[Evidence, ...] = ()
    written: str = ""

    @property
    def empty(self) -> bool:
        """True while the team has written nothing in it."""
        return not self.written.strip()


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


@dataclass(frozen=True, repr=False)
class AdoptionProposal:
    """A departmental adoption proposal drafted from a run: evidence plus the team's text.

    Build it with :func:`draft_proposal`; :meth:`with_written` adds the team's text.

    Attributes
    ----------
    department : str
    run_id : str
    run_dir : Path
    parts : tuple of ProposalPart
        In the template's order.
    generated : str
        When it was drafted (UTC).
    """

    department: str
    run_id: str
    run_dir: Path
    parts: tuple[ProposalPart, ...]
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    @property
    def title(self) -> str:
        """The proposal's title, naming the department."""
        return f"Adopting automated MLOps in {self.department}: a proposal"

    @property
    def missing(self) -> tuple[str, ...]:
        """The titles of the required sections still to be written."""
        return tuple(p.section.title for p in self.parts if p.section.required and p.empty)

    def part(self, key: str) -> ProposalPart:
        """The part whose section key is ``key``."""
        keys = [p.section.key for p in self.parts]
        for p in self.parts:
            if p.section.key == key:
                return p
        raise ConfigError(
            f"The proposal has no section {key!r}; its sections are {', '.join(keys)}."
            f"{did_you_mean(str(key), keys)}"
        )

    def with_written(self, written: Mapping[str, str]) -> AdoptionProposal:
        """A copy with the team's text for the sections named in ``written``.

        Raises
        ------
        ConfigError
            For an unknown section key or text that is not a string.
        """
        _check_written(written, tuple(p.section.key for p in self.parts), "with_written")
        parts = tuple(
            replace(p, written=str(written[p.section.key]).strip())
            if p.section.key in written
            else p
            for p in self.parts
        )
        return replace(self, parts=parts)

    def _status_line(self) -> str:
        required = sum(p.section.required for p in self.parts)
        if not self.missing:
            return f"Complete: all {required} required sections are written."
        return (
            f"To be written: {len(self.missing)} of {required} required sections "
            f"({'; '.join(self.missing)})."
        )

    def _intro(self) -> str:
        return (
            f"Drafted on {self.generated} from pipeline run {self.run_id}. The evidence "
            "under each section was read from that run's files, and each fact names the "
            "file to check it against. The text under each section is the team's own; "
            "where it is still to be written, the questions to answer are given."
        )

    # ----------------------------------------------------------------- rendering
    def to_markdown(self) -> str:
        """The proposal as Markdown that a team can edit and :func:`check_proposal` can read.

        Each team's text sits between ``<!-- written: key -->`` and ``<!-- end: key -->``;
        while empty it holds a "To be written" box with the section's questions.
        """
        lines = [f"# {self.title}", "", self._intro(), "", f"> **{self._status_line()}**", ""]
        for number, part in enumerate(self.parts, start=1):
            s = part.section
            optional = "" if s.required else " (optional)"
            lines += [f"## {number}. {s.title}{optional}", "", f"*{s.purpose}*", ""]
            if part.evidence:
                lines += ["**Evidence from the run** (check each fact in the file named):", ""]
                lines += [
                    f"- {e.text} (from {', '.join(f'`{f}`' for f in e.source)})"
                    for e in part.evidence
                ]
                lines.append("")
            lines += ["**The team's text:**", "", _BEGIN.format(key=s.key)]
            if part.empty:
                lines += [f"{_TO_WRITE} Answer these questions in a few paragraphs:", ">"]
                lines += [f"> - {q}" for q in s.prompts]
            else:
                lines.append(part.written)
            lines += [_END.format(key=s.key), ""]
        return "\n".join(lines).rstrip() + "\n"

    def _html_body(self, level: int) -> str:
        h1, h2, h3 = (f"h{min(level + i, 6)}" for i in range(3))
        out = [
            f"<{h1}>{html.escape(self.title)}</{h1}>",
            f"<p>{html.escape(self._intro())}</p>",
            f'<p class="mlops-proposal-status"><strong>{html.escape(self._status_line())}'
            "</strong></p>",
        ]
        for number, part in enumerate(self.parts, start=1):
            s = part.section
            sid = f"mlops-proposal-{s.key}"
            optional = "" if s.required else " (optional)"
            out.append(f'<section aria-labelledby="{sid}" class="mlops-proposal-section">')
            out.append(f'<{h2} id="{sid}">{number}. {html.escape(s.title)}{optional}</{h2}>')
            out.append(f"<p><em>{html.escape(s.purpose)}</em></p>")
            if part.evidence:
                items = "".join(
                    f'<li>{html.escape(e.text)} <span class="mlops-proposal-source">(from '
                    + ", ".join(f"<code>{html.escape(f)}</code>" for f in e.source)
                    + ")</span></li>"
                    for e in part.evidence
                )
                out.append(f"<{h3}>Evidence from the run</{h3}><ul>{items}</ul>")
            out.append(f"<{h3}>The team's text</{h3}>")
            if part.empty:
                prompts = "".join(f"<li>{html.escape(q)}</li>" for q in s.prompts)
                out.append(
                    '<div class="mlops-proposal-to-write"><p><strong>To be written.</strong> '
                    f"Answer these questions in a few paragraphs:</p><ul>{prompts}</ul></div>"
                )
            else:
                out += [f"<p>{html.escape(p)}</p>" for p in _paragraphs(part.written)]
            out.append("</section>")
        return "\n".join(out)

    def to_html(self) -> str:
        """The proposal as a standalone, accessible HTML page."""
        style = (
            "body{font-family:system-ui,sans-serif;max-width:60em;margin:auto;padding:1em;"
            "line-height:1.5;color:#0b0c0c;background:#fff}"
            ".mlops-proposal-to-write{border-left:6px solid #505a5f;padding:.2em 1em;"
            "background:#f3f2f1}.mlops-proposal-source{color:#505a5f;font-size:.9em}"
        )
        return (
            '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(self.title)}</title>\n<style>{style}</style>\n</head>\n"
            f'<body class="mlops-proposal">\n<main>\n{self._html_body(1)}\n</main>\n'
            "</body>\n</html>\n"
        )

    def _repr_html_(self) -> str:
        return f'<div class="mlops-proposal">{self._html_body(2)}</div>'

    def __repr__(self) -> str:
        lines = [self.title, self._status_line()]
        for number, part in enumerate(self.parts, start=1):
            state = "written" if not part.empty else "to be written"
            optional = "" if part.section.required else ", optional"
            lines.append(f"{number}. {part.section.title} ({state}{optional})")
            lines += [f"   - {e}" for e in part.evidence]
        return "\n".join(lines)


def _check_written(written: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(written, Mapping):
        raise ConfigError(
            f"The 'written' parameter of {where} must be a mapping of section key to text. "
            f"Got {type(written).__name__} instead."
        )
    for key, text in written.items():
        if key not in keys:
            raise ConfigError(
                f"The 'written' parameter of {where} names an unknown section {key!r}; the "
                f"sections are {', '.join(keys)}.{did_you_mean(str(key), keys)}"
            )
        if not isinstance(text, str):
            raise ConfigError(
                f"The text of section {key!r} in the 'written' parameter of {where} must be a "
                f"string. Got {type(text).__name__} instead."
            )


def draft_proposal(
    run_dir: str | os.PathLike[str],
    *,
    department: str,
    written: Mapping[str, str] | None = None,
    template: ProposalTemplate | str | os.PathLike[str] | None = None,
) -> AdoptionProposal:
    """Draft a departmental adoption proposal, its evidence read from a real run folder.

    Parameters
    ----------
    run_dir : path-like
        A run folder that completed every stage (``runs/<run-id>``).
    department : str
        The department (or team) the proposal is for, named in its title.
    written : mapping of section key to text, optional
        The team's text so far (for example from :func:`read_written`).
    template : ProposalTemplate or path-like, optional
        Default :func:`proposal_template`'s bundled sections.

    Returns
    -------
    AdoptionProposal

    Raises
    ------
    ArtefactError
        The folder does not exist, the run failed, or a file a proposal needs is missing
        (naming the file and the stage that writes it).
    ConfigError
        An empty department, or an unknown section in ``written``.
    """
    if not isinstance(department, str) or not department.strip():
        raise ConfigError(
            "The 'department' parameter of draft_proposal must be a non-empty name. "
            f"Got {department!r} instead."
        )
    chosen = template if isinstance(template, ProposalTemplate) else proposal_template(template)
    if written is not None:
        _check_written(written, chosen.keys, "draft_proposal")
    run = read_run(run_dir)
    parts = tuple(
        ProposalPart(s, tuple(EVIDENCE[s.evidence](run)) if s.evidence else ())
        for s in chosen.sections
    )
    proposal = AdoptionProposal(
        department=" ".join(department.split()),
        run_id=run.facts.run_id,
        run_dir=run.facts.run_dir,
        parts=parts,
    )
    return proposal.with_written(written) if written else proposal
