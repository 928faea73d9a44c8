"""Extension activities: a departmental adoption proposal drafted from a real pipeline run.

A team that has finished the session writes a proposal for adopting automated MLOps in
its own department. :func:`proposal_template` reads the sections a proposal needs
(``data/course/proposal/sections.yml``: each with its purpose and the questions to
answer). :func:`draft_proposal` fills in, for each section, the evidence a real run
folder holds (what ran and how long it took, what the gate decided and why, what a
person must still check), read with the kit's own readers (:func:`~mlops_kit.pipeline.
run_tour`, the governance documents' ``RunFacts``, :func:`~mlops_kit.governance.
stakeholder_summary`), and leaves the team's own text marked *to be written* with its
prompts. :func:`check_proposal` lists the sections still empty (of a draft, or of an
exported Markdown file a team has edited), and :func:`export_proposal` writes Markdown
and accessible HTML atomically; :func:`read_written` reads a team's text back from
the Markdown, so a proposal can be re-drafted from a newer run without losing it.

For the stakeholder-summary activity, :func:`summary_fact_sheet` lists every fact the
run's stakeholder summary states, beside the run file to check it against. The
evidence builders live in ``_proposal_evidence``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_text
from ..errors import ConfigError, did_you_mean
from ._proposal_evidence import EVIDENCE, Evidence, read_run, summary_fact_sheet

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AdoptionProposal",
    "Evidence",
    "ProposalCheck",
    "ProposalFiles",
    "ProposalPart",
    "ProposalSection",
    "ProposalTemplate",
    "check_proposal",
    "draft_proposal",
    "export_proposal",
    "proposal_template",
    "read_written",
    "summary_fact_sheet",
]

_TEMPLATE = "data/course/proposal/sections.yml"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_TO_WRITE = "> **To be written.**"
_BEGIN = "<!-- written: {key} -->"
_END = "<!-- end: {key} -->"


# --------------------------------------------------------------------------- the template


@dataclass(frozen=True)
class ProposalSection:
    """One section of the proposal template.

    Attributes
    ----------
    key : str
        Its name in ``written`` mappings (``"governance"``).
    title, purpose : str
    prompts : tuple of str
        The questions a team answers in it.
    evidence : str or None
        Which evidence the kit pre-fills from a run (None: none).
    required : bool
        False for a section the proposal is complete without.
    """

    key: str
    title: str
    purpose: str
    prompts: tuple[str, ...]
    evidence: str | None = None
    required: bool = True


@dataclass(frozen=True)
class ProposalTemplate:
    """The sections of a proposal and the audiences of the stakeholder-summary rewrite."""

    sections: tuple[ProposalSection, ...]
    audiences: tuple[tuple[str, str], ...]
    path: Path

    @property
    def keys(self) -> tuple[str, ...]:
        """The section keys, in order."""
        return tuple(s.key for s in self.sections)

    def audience(self, name: str) -> str:
        """What an audience needs from a rewritten paragraph.

        Raises
        ------
        ConfigError
            For an audience the template does not name, suggesting the nearest.
        """
        names = [a for a, _ in self.audiences]
        for audience, needs in self.audiences:
            if audience == name:
                return needs
        raise ConfigError(
            f"The audience must be one of {', '.join(repr(n) for n in names)}. "
            f"Got {name!r} instead.{did_you_mean(str(name), names)}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per section: title, purpose, prompts, evidence, required."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "section": s.key,
                    "title": s.title,
                    "purpose": s.purpose,
                    "prompts": len(s.prompts),
                    "pre-filled from the run": s.evidence is not None,
                    "required": s.required,
                }
                for s in self.sections
            ]
        ).set_index("section")


def _template_error(path: Path, problem: str) -> ConfigError:
    return ConfigError(f"The proposal template '{path}' is not valid: {problem}")


def _section(item: Any, number: int, path: Path) -> ProposalSection:
    where = f"section {number}"
    if not isinstance(item, Mapping):
        raise _template_error(path, f"{where} must be a mapping. Got {type(item).__name__}.")
    unknown = set(item) - {"key", "title", "purpose", "prompts", "evidence", "required"}
    if unknown:
        raise _template_error(path, f"{where} has unknown key(s): {', '.join(sorted(unknown))}.")
    key = item.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise _template_error(path, f"{where}'s 'key' must be snake_case. Got {key!r}.")
    for name in ("title", "purpose"):
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise _template_error(path, f"section '{key}' needs a non-empty '{name}'.")
    prompts = item.get("prompts")
    if (
        not isinstance(prompts, list)
        or not prompts
        or not all(isinstance(p, str) and p.strip() for p in prompts)
    ):
        raise _template_error(
            path, f"section '{key}' needs 'prompts': a list of one or more questions."
        )
    evidence = item.get("evidence")
    if evidence is not None and evidence not in EVIDENCE:
        raise _template_error(
            path,
            f"section '{key}' names evidence {evidence!r}; the kit pre-fills "
            f"{', '.join(EVIDENCE)}.{did_you_mean(str(evidence), EVIDENCE)}",
        )
    required = item.get("required", True)
    if not isinstance(required, bool):
        raise _template_error(path, f"section '{key}''s 'required' must be true or false.")
    return ProposalSection(
        key, item["title"].strip(), item["purpose"].strip(), tuple(prompts), evidence, required
    )


def _read_template(path: Path) -> ProposalTemplate:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The proposal template '{path}' does not exist.") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("sections"), list):
        raise _template_error(path, "it must have a 'sections:' list.")
    sections = tuple(_section(item, i, path) for i, item in enumerate(raw["sections"], 1))
    keys = [s.key for s in sections]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise _template_error(path, f"section keys must be unique; repeated: {repeated}.")
    audiences = raw.get("audiences") or {}
    if not isinstance(audiences, Mapping) or not all(
        isinstance(v, str) and v.strip() for v in audiences.values()
    ):
        raise _template_error(path, "'audiences' must map each audience to what it needs.")
    return ProposalTemplate(sections, tuple((str(k), v) for k, v in audiences.items()), path)


def proposal_template(path: str | os.PathLike[str] | None = None) -> ProposalTemplate:
    """The adoption proposal's sections, read and checked from a YAML file.

    Parameters
    ----------
    path : path-like, optional
        Default the bundled ``data/course/proposal/sections.yml``; pass an edited copy to
        use your department's own template.

    Raises
    ------
    ConfigError
        Naming the file, the section and the rule it breaks.

    Examples
    --------
    >>> proposal_template().keys[:3]
    ('service', 'current_process', 'pilot_run')
    """
    from .._resources import resource_path

    source = resource_path(_TEMPLATE) if path is None else Path(path)
    return _read_template(source.resolve())


# --------------------------------------------------------------------------- the proposal


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


# --------------------------------------------------------------------------- check and export


@dataclass(frozen=True, repr=False)
class ProposalCheck:
    """Which sections of a proposal are written and which are still empty.

    Attributes
    ----------
    source : str
        What was checked (the department's draft, or a Markdown file).
    rows : tuple of (key, title, required, written)
    """

    source: str
    rows: tuple[tuple[str, str, bool, bool], ...]

    @property
    def empty(self) -> tuple[str, ...]:
        """The keys of the required sections still empty."""
        return tuple(k for k, _, required, written in self.rows if required and not written)

    @property
    def complete(self) -> bool:
        """True when every required section is written."""
        return not self.empty

    def summary(self) -> str:
        """The verdict in one sentence, with ✓ or ✗."""
        required = sum(r[2] for r in self.rows)
        if self.complete:
            return (
                f"✓ Every required section of {self.source} is written ({required} of {required})."
            )
        titles = "; ".join(t for k, t, _, _ in self.rows if k in self.empty)
        return (
            f"✗ {len(self.empty)} of {required} required sections of {self.source} are still "
            f"empty: {titles}."
        )

    def _lines(self) -> list[str]:
        out = []
        for _, title, required, written in self.rows:
            if written:
                out.append(f"✓ {title}: written")
            elif required:
                out.append(f"✗ {title}: still to be written")
            else:
                out.append(f"- {title}: optional, not written")
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per section: title, required, written."""
        import pandas as pd

        return pd.DataFrame(
            [{"section": k, "title": t, "required": r, "written": w} for k, t, r, w in self.rows]
        ).set_index("section")

    def __repr__(self) -> str:
        return "\n".join([self.summary(), *self._lines()])

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self._lines())
        return (
            f'<div class="mlops-proposal-check"><p><strong>{html.escape(self.summary())}'
            f"</strong></p><ul>{items}</ul></div>"
        )


def read_written(
    path: str | os.PathLike[str],
    *,
    template: ProposalTemplate | str | os.PathLike[str] | None = None,
) -> dict[str, str]:
    """The team's text of each section of an exported (and edited) proposal Markdown file.

    A section whose "To be written" box is still the only thing between its markers
    reads as empty; sections whose markers were deleted are left out.

    Raises
    ------
    ConfigError
        The file does not exist, or holds no section markers at all.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            f"The proposal file '{file}' does not exist; export one with export_proposal."
        )
    chosen = template if isinstance(template, ProposalTemplate) else proposal_template(template)
    text = file.read_text(encoding="utf-8")
    found = _sections_in(text, chosen.keys)
    if not found:
        raise ConfigError(
            f"The file '{file}' has none of the proposal's section markers "
            f"('{_BEGIN.format(key=chosen.keys[0])}' ...); is it a proposal exported by "
            "export_proposal?"
        )
    return found


def _sections_in(text: str, keys: Iterable[str]) -> dict[str, str]:
    """The text between each section's markers in an exported proposal, by section key."""
    found: dict[str, str] = {}
    for key in keys:
        pattern = re.escape(_BEGIN.format(key=key)) + r"\n(.*?)" + re.escape(_END.format(key=key))
        match = re.search(pattern, text, flags=re.DOTALL)
        if match:
            found[key] = _without_prompt_box(match.group(1))
    return found


def _without_prompt_box(block: str) -> str:
    lines = block.strip("\n").splitlines()
    kept: list[str] = []
    in_box = False
    for line in lines:
        if line.startswith(_TO_WRITE):
            in_box = True
            continue
        if in_box and line.startswith(">"):
            continue
        in_box = False
        kept.append(line)
    return "\n".join(kept).strip()


def check_proposal(
    proposal: AdoptionProposal | str | os.PathLike[str],
    *,
    template: ProposalTemplate | str | os.PathLike[str] | None = None,
) -> ProposalCheck:
    """List the sections of a proposal that are written and those still empty.

    Parameters
    ----------
    proposal : AdoptionProposal or path-like
        A draft, or a Markdown file written by :func:`export_proposal` that the team
        has edited.
    template : ProposalTemplate or path-like, optional
        For a file: the template it was drafted from (default the bundled one). A
        section whose markers were deleted counts as empty.

    Returns
    -------
    ProposalCheck
    """
    if isinstance(proposal, AdoptionProposal):
        rows = tuple(
            (p.section.key, p.section.title, p.section.required, not p.empty)
            for p in proposal.parts
        )
        return ProposalCheck(f"the {proposal.department} proposal", rows)
    if not isinstance(proposal, str | os.PathLike):
        raise ConfigError(
            "The 'proposal' parameter of check_proposal must be an AdoptionProposal or the "
            f"path of an exported Markdown file. Got {type(proposal).__name__} instead."
        )
    chosen = template if isinstance(template, ProposalTemplate) else proposal_template(template)
    written = read_written(proposal, template=chosen)
    rows = tuple(
        (s.key, s.title, s.required, bool(written.get(s.key, "").strip())) for s in chosen.sections
    )
    return ProposalCheck(f"'{Path(proposal).name}'", rows)


@dataclass(frozen=True, repr=False)
class ProposalFiles:
    """The two files a proposal was exported to."""

    markdown: Path
    html: Path
    kept: tuple[str, ...] = ()

    def _kept_text(self) -> str:
        if not self.kept:
            return ""
        return (
            f" The text already written in the file was kept for {len(self.kept)} section(s) "
            f"the draft left empty: {', '.join(self.kept)}."
        )

    def __repr__(self) -> str:
        return (
            f"Proposal saved as {self.markdown} (Markdown, to edit) and {self.html} (HTML, "
            "to read or print)." + self._kept_text()
        )

    def _repr_html_(self) -> str:
        return (
            f"<p>Proposal saved as <code>{html.escape(str(self.markdown))}</code> (Markdown, "
            f"to edit) and <code>{html.escape(str(self.html))}</code> (HTML, to read or "
            f"print).{html.escape(self._kept_text())}</p>"
        )


def export_proposal(
    proposal: AdoptionProposal, path: str | os.PathLike[str] = "adoption_proposal.md"
) -> ProposalFiles:
    """Write a proposal as Markdown and, beside it, standalone HTML, each atomically.

    Parameters
    ----------
    proposal : AdoptionProposal
    path : path-like, default "adoption_proposal.md"
        The Markdown file (ending ``.md``); the HTML goes beside it with ``.html``. When
        the file exists already (an earlier export the team may have written in), the
        text between its section markers is kept for every section the proposal leaves
        empty, so exporting again, for example when the lesson runs again, never loses
        a team's words; sections the proposal has text for are written from it.

    Raises
    ------
    ConfigError
        Not a proposal, or a path that does not end ``.md``.
    """
    if not isinstance(proposal, AdoptionProposal):
        raise ConfigError(
            "The 'proposal' parameter of export_proposal must be an AdoptionProposal from "
            f"draft_proposal. Got {type(proposal).__name__} instead."
        )
    target = Path(path)
    if target.suffix != ".md":
        raise ConfigError(
            "The 'path' parameter of export_proposal must be a Markdown file ending '.md' "
            f"(the HTML is written beside it). Got {str(target)!r} instead."
        )
    kept: dict[str, str] = {}
    if target.is_file():
        keys = [p.section.key for p in proposal.parts]
        earlier = _sections_in(target.read_text(encoding="utf-8"), keys)
        kept = {
            p.section.key: earlier[p.section.key]
            for p in proposal.parts
            if p.empty and earlier.get(p.section.key)
        }
        proposal = proposal.with_written(kept)
    markdown = atomic_write_text(target, proposal.to_markdown())
    page = atomic_write_text(target.with_suffix(".html"), proposal.to_html())
    return ProposalFiles(markdown, page, tuple(kept))
