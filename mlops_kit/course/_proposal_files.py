"""A drafted proposal checked and exported, and a team's text read back from its file.

:func:`check_proposal` lists the sections still empty, of a draft or of an exported
Markdown file a team has edited (:class:`ProposalCheck`); :func:`export_proposal` writes
Markdown and accessible HTML atomically (:class:`ProposalFiles`), keeping the text a team
already wrote in an earlier export; :func:`read_written` reads a team's text back from the
Markdown, between each section's markers, so a proposal can be re-drafted from a newer run
without losing it.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._io import atomic_write_text
from ..errors import ConfigError
from ._proposal import _BEGIN, _END, _TO_WRITE, AdoptionProposal
from ._proposal_template import ProposalTemplate, proposal_template

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ProposalCheck",
    "ProposalFiles",
    "check_proposal",
    "export_proposal",
    "read_written",
]


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
