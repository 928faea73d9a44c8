"""A document drafted from a run: its sections, rendering, what is missing, writing.

:class:`Document` renders a tree of sections (see ``_parts``) as Markdown or accessible
HTML through the Jinja2 templates in ``templates/``, lists the required entries still
empty (``missing``) and writes itself atomically; :func:`require_complete` refuses an
incomplete one. The model card, transparency record and stakeholder summary are
documents. Jinja2 loads when a document is rendered.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from .._io import atomic_write_text
from ..errors import ArtefactError, ConfigError, DocumentationError
from ._parts import SETTINGS_SECTION, Figure, MissingField, Section, slug

__all__ = ["Document", "require_complete"]


def _walk(sections: tuple[Section, ...], trail: tuple[str, ...] = ()) -> list[MissingField]:
    out: list[MissingField] = []
    for section in sections:
        here = (*trail, section.heading)
        for entry in section.entries:
            if entry.required and entry.empty:
                out.append(MissingField(" > ".join((*here, entry.label)), entry.config_key))
        out += _walk(section.subsections, here)
    return out


@dataclass(frozen=True)
class Document:
    """A document drafted from a run: sections, rendering, what is missing, writing.

    Attributes
    ----------
    title : str
    subtitle : str
        One sentence under the title: what the document is and for whom.
    run_id : str
    run_dir : Path
    generated : str
        When it was drafted (UTC).
    sections : tuple of Section
    """

    title: str
    subtitle: str
    run_id: str
    run_dir: Path
    sections: tuple[Section, ...]
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    #: What the document is called in messages ("model card").
    kind: ClassVar[str] = "document"
    #: The file name, without suffix, that :meth:`write` uses.
    stem: ClassVar[str] = "document"

    # ----------------------------------------------------------------- completeness
    def validate(self) -> tuple[MissingField, ...]:
        """Every required entry still empty, with its place in the document and its key."""
        return tuple(_walk(self.sections))

    @property
    def missing(self) -> tuple[str, ...]:
        """The required parts still empty, each as "Section > Entry (set config.key)"."""
        return tuple(str(m) for m in self.validate())

    @property
    def complete(self) -> bool:
        """Whether no required part is empty."""
        return not self.validate()

    def section(self, title: str) -> Section:
        """The top-level section called ``title`` (case-insensitive)."""
        for s in self.sections:
            if title.lower() in (s.title.lower(), s.heading.lower()):
                return s
        raise KeyError(
            f"The {self.kind} has no section '{title}'; its sections are: "
            + ", ".join(s.heading for s in self.sections)
        )

    # ----------------------------------------------------------------- rendering
    def _context(self) -> dict[str, Any]:
        return {
            "doc": self,
            "missing": self.validate(),
            "kind": self.kind,
        }

    def to_markdown(self, *, figure_base: str | os.PathLike[str] | None = None) -> str:
        """The document as Markdown.

        Parameters
        ----------
        figure_base : path-like, optional
            The folder the Markdown will be saved in, so that image links point at the
            run's figures; default the run folder.
        """
        base = Path(figure_base) if figure_base is not None else self.run_dir

        def link(fig: Figure) -> str:
            return Path(os.path.relpath(fig.path, base)).as_posix()

        return _render("document.md.j2", markdown=True, link=link, **self._context())

    def to_html(
        self, *, standalone: bool = True, level: int = 1, embed_figures: bool = True
    ) -> str:
        """The document as accessible HTML (headings, captions, header cells, alt text).

        Parameters
        ----------
        standalone : bool, default True
            A whole page with its own styles and embedded images; otherwise a fragment
            (a ``<section>``) to place inside another page, such as the run report.
        level : int, default 1
            The heading level of the title (sections are one level below).
        embed_figures : bool, default True
            Embed the figures; False names each with its description instead (for a
            page, such as the run report, that shows the same figures elsewhere).
        """
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
            raise ConfigError(
                f"The 'level' parameter of to_html must be an int from 1 to 4. Got {level!r}."
            )
        return _render(
            "document.html.j2",
            markdown=False,
            standalone=standalone,
            level=level,
            embed_figures=embed_figures,
            **self._context(),
        )

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False, level=2)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready nested dictionary: sections keyed by title, entries by label."""

        def section_dict(s: Section) -> dict[str, Any]:
            out: dict[str, Any] = {"title": s.title}
            if s.number:
                out["number"] = s.number
            for e in s.entries:
                out[slug(e.label)] = e.to_dict()
            if s.tables:
                out["tables"] = [t.to_dict() for t in s.tables]
            if s.figures:
                out["figures"] = [
                    {"title": f.title, "file": f.file, "description": f.description}
                    for f in s.figures
                ]
            for sub in s.subsections:
                out[sub.key] = section_dict(sub)
            return out

        return {
            "document": self.kind,
            "title": self.title,
            "run_id": self.run_id,
            "generated": self.generated,
            "missing": list(self.missing),
            **{s.key: section_dict(s) for s in self.sections},
        }

    def write(self, folder: str | os.PathLike[str] | None = None) -> dict[str, Path]:
        """Write the Markdown and HTML (atomically) into ``folder``; default the run folder.

        Returns
        -------
        dict of str to Path
            The files written, by format ("markdown", "html").
        """
        out = Path(folder) if folder is not None else self.run_dir
        out.mkdir(parents=True, exist_ok=True)
        return {
            "markdown": atomic_write_text(
                out / f"{self.stem}.md", self.to_markdown(figure_base=out)
            ),
            "html": atomic_write_text(out / f"{self.stem}.html", self.to_html()),
        }


def require_complete(document: Document) -> Document:
    """Refuse a document with empty required parts; return it unchanged otherwise.

    For code that must stop on an incomplete document. The pipeline itself does not
    stop: its gate refuses a model whose card is incomplete (check "model card
    complete") and no one may approve or promote it.

    Raises
    ------
    DocumentationError
        Naming every empty required part and the config key that fills it.
    """
    missing = document.missing
    if not missing:
        return document
    lines = "\n".join(f"  - {m}" for m in missing)
    raise DocumentationError(
        f"The {document.kind} of run {document.run_id} has {len(missing)} empty required "
        f"part{'s' if len(missing) != 1 else ''}, so the model cannot be approved or promoted. A "
        "person must write them in the config's "
        f"'{SETTINGS_SECTION}:' section and run again:\n{lines}",
        problems=missing,
        document=document.kind,
    )


def _render(template: str, **context: Any) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mlops_kit.governance", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = _md_cell
    env.filters["md_text"] = _md_text
    env.globals["slug"] = slug
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        raise ArtefactError(
            f"The document template '{template}' could not be rendered: {type(exc).__name__}: {exc}"
        ) from None


def _md_cell(value: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _md_text(value: Any) -> str:
    """Markdown paragraph text: one line per paragraph, no accidental headings or lists."""
    text = str(value).strip()
    return re.sub(r"^([#>*+-]|\d+\.)(\s)", r"\\\1\2", text, flags=re.MULTILINE)
