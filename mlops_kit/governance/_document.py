"""What the model card, transparency record and stakeholder summary share.

* :class:`RunFacts` reads a pipeline run folder once: the files each stage wrote
  (``dataset.json``, ``training.json``, ``metrics.json``, ...) and the run's config.
* A document is a tree of :class:`Section` objects holding :class:`Entry` rows (a label
  and a value, with where the value came from: the run or the config), :class:`Table`
  objects and :class:`Figure` objects. :class:`Document` renders any such tree as
  Markdown or accessible HTML through the Jinja2 templates in ``templates/``, lists the
  required entries still empty (``missing``) and writes itself atomically.

Only the standard library is imported at module level; Jinja2 and PyYAML load when a
document is rendered or a run is read.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._io import atomic_write_text, read_json
from ..errors import ArtefactError, ConfigError, DocumentationError

if TYPE_CHECKING:
    from .._wording import Wording
    from ._documents_settings import DocumentsSettings

__all__ = [
    "Document",
    "Entry",
    "Figure",
    "RunFacts",
    "Section",
    "Table",
    "load_settings",
    "require_complete",
]

Source = Literal["run", "config", "run and config"]

#: The section of the pipeline config that holds the human-written fields.
SETTINGS_SECTION = "transparency"


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Entry:
    """One labelled value of a document.

    Attributes
    ----------
    label : str
        What the value is, e.g. "Out-of-scope uses".
    value : str or tuple of str
        Text, or a list of items; empty when nobody has written it yet.
    source : {"run", "config", "run and config"}
        Where the value came from: facts the pipeline recorded, or the config a person
        wrote.
    required : bool
        Whether the document is incomplete while the value is empty.
    config_key : str or None
        The config key a person fills in (e.g. ``transparency.owner``).
    """

    label: str
    value: str | tuple[str, ...]
    source: Source = "run"
    required: bool = False
    config_key: str | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing has been written."""
        if isinstance(self.value, str):
            return not self.value.strip()
        return not any(v.strip() for v in self.value)

    @property
    def is_list(self) -> bool:
        """Whether the value is a list of items."""
        return not isinstance(self.value, str)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "label": self.label,
            "value": self.value if isinstance(self.value, str) else list(self.value),
            "source": self.source,
            "required": self.required,
            "config_key": self.config_key,
        }


@dataclass(frozen=True)
class Table:
    """A table whose first column names each row (read out as a row header).

    Attributes
    ----------
    caption : str
    columns : tuple of str
        The column headings, the first one for the row names.
    rows : tuple of tuple of str
        Already formatted cells; the first cell of each row is its name.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        bad = [i for i, r in enumerate(self.rows) if len(r) != len(self.columns)]
        if bad:
            raise ArtefactError(
                f"Table '{self.caption}' must have {len(self.columns)} cells in every row; "
                f"row {bad[0]} has {len(self.rows[bad[0]])}."
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: caption, columns and rows."""
        return {
            "caption": self.caption,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


@dataclass(frozen=True)
class Figure:
    """A figure the run saved, with its text description (the image's alternative text).

    Attributes
    ----------
    title : str
    file : str
        Path of the PNG, relative to the run folder.
    description : str
        What the figure shows, for readers who cannot see it.
    path : Path
        Absolute path of the PNG.
    """

    title: str
    file: str
    description: str
    path: Path

    def data_uri(self) -> str:
        """The PNG as a data URI, so an HTML file carries its images."""
        return "data:image/png;base64," + base64.b64encode(self.path.read_bytes()).decode()


@dataclass(frozen=True)
class Section:
    """A titled part of a document.

    Attributes
    ----------
    title : str
    number : str
        The section's number in its standard, e.g. "1.3" (empty if none).
    intro : str
        A paragraph shown under the heading.
    entries, tables, figures, subsections : tuple
    """

    title: str
    number: str = ""
    intro: str = ""
    entries: tuple[Entry, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    subsections: tuple[Section, ...] = ()

    @property
    def heading(self) -> str:
        """The number and title, e.g. "1.3 Senior responsible owner"."""
        return f"{self.number} {self.title}".strip()

    @property
    def key(self) -> str:
        """A snake_case key for JSON, from the title."""
        return slug(self.title)


def slug(text: str) -> str:
    """``"Owner and responsibility"`` -> ``"owner_and_responsibility"``.

    Examples
    --------
    >>> slug("1.4 External supplier: name")
    'external_supplier_name'
    """
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return re.sub(r"^[0-9_]+", "", words)


@dataclass(frozen=True)
class MissingField:
    """A required entry that is still empty: where it sits and which key fills it."""

    path: str
    config_key: str | None

    def __str__(self) -> str:
        hint = f" (set {self.config_key})" if self.config_key else ""
        return f"{self.path}{hint}"


# --------------------------------------------------------------------------- documents


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


# --------------------------------------------------------------------------- settings


def load_settings(
    settings: DocumentsSettings | Mapping[str, Any] | None, run_dir: Path
) -> DocumentsSettings:
    """The human-written fields: ``settings`` if given, else the run config's section.

    A run whose ``config.yml`` has no ``transparency`` section gets empty settings, so
    every human-written field shows in ``.missing``.
    """
    from ..config import validate_params
    from ._documents_settings import DocumentsSettings

    if isinstance(settings, DocumentsSettings):
        return settings
    if settings is None:
        config = RunFacts.read_config(run_dir)
        settings = config.get(SETTINGS_SECTION) or {}
    if not isinstance(settings, Mapping):
        raise ConfigError(
            "The 'settings' parameter must be a DocumentsSettings, a mapping of its keys, "
            f"or None (read the run's config). Got {type(settings).__name__} instead."
        )
    validated: DocumentsSettings = validate_params(
        settings, model=DocumentsSettings, source=f"{SETTINGS_SECTION} section"
    )
    return validated


# --------------------------------------------------------------------------- the run


#: Files a document cannot be drafted without, and the stage that writes each.
REQUIRED_FILES = {
    "dataset.json": "validate",
    "training.json": "train",
    "metrics.json": "evaluate",
}
#: Files read when present.
OPTIONAL_FILES = (
    "run.json",
    "status.json",
    "tuning.json",
    "gate.json",
    "registration.json",
    "monitoring.json",
    "manifest.json",
    "figures.json",
    "ethics_assessment.json",
)


@dataclass(frozen=True)
class RunFacts:
    """What a pipeline run recorded, read once from its folder.

    Attributes
    ----------
    run_dir : Path
    files : dict of str to object
        The parsed JSON files, by name (``"metrics.json"`` ...); optional files that
        the run did not write are absent.
    config : dict
        The run's ``config.yml`` (empty if it has none).
    """

    run_dir: Path
    files: dict[str, Any]
    config: dict[str, Any]

    @classmethod
    def read(cls, run_dir: str | os.PathLike[str]) -> RunFacts:
        """Read a run folder.

        Raises
        ------
        ArtefactError
            The folder does not exist, or a file every document needs is missing
            (naming the stage that writes it).
        """
        folder = Path(run_dir)
        if not folder.is_dir():
            raise ArtefactError(
                f"The run folder '{folder}' does not exist; pass the folder a pipeline "
                "run wrote (runs/<run-id>)."
            )
        files: dict[str, Any] = {}
        for name, stage in REQUIRED_FILES.items():
            path = folder / name
            if not path.is_file():
                raise ArtefactError(
                    f"The run folder '{folder}' has no '{name}', which the {stage} stage "
                    "writes; a document can only be drafted from a run that got at least "
                    "as far as the evaluate stage."
                )
            files[name] = read_json(path)
        for name in OPTIONAL_FILES:
            if (folder / name).is_file():
                files[name] = read_json(folder / name)
        return cls(folder, files, cls.read_config(folder))

    @staticmethod
    def read_config(run_dir: Path) -> dict[str, Any]:
        """The run's ``config.yml`` as a dictionary (empty when there is none)."""
        import yaml

        path = Path(run_dir) / "config.yml"
        if not path.is_file():
            return {}
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        return loaded if isinstance(loaded, dict) else {}

    def get(self, name: str) -> Any:
        """A parsed file, or None when the run did not write it."""
        return self.files.get(name)

    # ----------------------------------------------------------------- shortcuts
    @property
    def dataset(self) -> dict[str, Any]:
        return dict(self.files["dataset.json"])

    @property
    def training(self) -> dict[str, Any]:
        return dict(self.files["training.json"])

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.files["metrics.json"])

    @property
    def task(self) -> str:
        return str(self.metrics["task"])

    @property
    def context(self) -> dict[str, Any]:
        """``run.json``: run id, who trained, code version (defaults when absent)."""
        return dict(self.get("run.json") or {})

    @property
    def run_id(self) -> str:
        return str(self.context.get("run_id") or self.run_dir.resolve().name)

    @property
    def trained_by(self) -> str:
        gate = self.get("gate.json") or {}
        return str(
            self.context.get("trained_by")
            or gate.get("trained_by")
            or self.config.get("trained_by")
            or ""
        )

    @property
    def model_name(self) -> str:
        """The registered name, else the config's registry name or run name."""
        registration = self.get("registration.json") or {}
        registry = self.config.get("registry") or {}
        name = registration.get("model_name") or registry.get("model_name")
        if name:
            return str(name)
        label = self.config.get("name") or Path(self.dataset["path"]).stem
        return re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-") or "model"

    @property
    def started_at(self) -> str:
        status = self.get("status.json") or {}
        return str(self.context.get("started_at") or status.get("started_at") or "")

    @property
    def roles(self) -> dict[str, Any]:
        return dict(self.dataset["profile"]["roles"])

    @property
    def protected(self) -> list[str]:
        return list(self.roles.get("protected") or [])

    @property
    def features(self) -> list[str]:
        return list(self.roles.get("numeric") or []) + list(self.roles.get("categorical") or [])

    @property
    def adverse(self) -> bool:
        return self.dataset.get("positive_is") == "adverse"

    @property
    def words(self) -> Wording:
        """How the documents name a case, a person and a positive prediction."""
        from .._wording import Wording

        return Wording.from_record(self.dataset)

    @property
    def datasheet(self) -> Path | None:
        """The datasheet beside the data file (``<name>.datasheet.md``), if there is one."""
        data = Path(self.dataset["path"])
        sheet = data.with_name(f"{data.stem}.datasheet.md")
        return sheet if sheet.is_file() else None

    def figures(self, *names: str, prefix: str | None = None) -> tuple[Figure, ...]:
        """The run's figures called ``names`` (in that order) or starting with ``prefix``."""
        entries = self.get("figures.json") or []
        by_name = {e["name"]: e for e in entries}
        chosen = [by_name[n] for n in names if n in by_name]
        if prefix:
            chosen += [e for e in entries if e["name"].startswith(prefix)]
        out = []
        for e in chosen:
            path = self.run_dir / e["file"]
            if path.is_file():
                out.append(Figure(e["title"], e["file"], e["description"], path))
        return tuple(out)
