"""Generated reference tables for the documentation: the config schema and stage parameters.

``docs/analyst.md`` documents every key of the pipeline config and every papermill
parameter of the stage notebooks. Written by hand, such tables drift away from the code;
here they are generated from the code itself, so they cannot:

* :func:`config_reference_markdown` reads the pydantic models of
  :mod:`mlops_kit.config` (:class:`~mlops_kit.config.PipelineConfig` and every section
  inside it) and gives each key's type, rule, default and description;
* :func:`stage_parameters_markdown` reads each stage notebook's ``parameters`` cell with
  :func:`papermill.inspect_notebook`, as ``papermill --help-notebook`` does.

Each table sits in a document between two marker comments, such as
``<!-- config-reference:start -->`` and ``<!-- config-reference:end -->``;
:func:`render_generated_blocks` replaces what is between them. To regenerate::

    python -m mlops_kit._reference docs/analyst.md           # rewrite the blocks
    python -m mlops_kit._reference --check docs/analyst.md   # exit 1 when out of date

``tests/test_reference.py`` fails when the committed blocks are out of date.

Over 400 lines because both generated tables and the marker-block machinery that
writes them into the documents live together; the API page is in ``_api_reference``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ._api_reference import api_reference_markdown
from ._io import atomic_write_text
from .errors import MlopsKitError

__all__ = [
    "GENERATED_BLOCKS",
    "config_reference_markdown",
    "main",
    "markers",
    "render_generated_blocks",
    "stage_parameters_markdown",
    "update_document",
]

#: The command that regenerates the blocks, quoted in each block's header.
REGENERATE = "python -m mlops_kit._reference docs/analyst.md docs/api.md"
_NONE = type(None)


# --- the config schema -------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, no column breaks, no raw HTML."""
    text = " ".join(str(text).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """``text`` as a code span (a literal pipe still needs escaping inside a table)."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _yaml(value: Any) -> str:
    """A value as it is written in a YAML config, on one line: ``[drift, decay]``, ``null``."""
    import yaml

    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    # Dumping a one-item list avoids YAML's document-end marker after a bare scalar.
    text = yaml.safe_dump([value], default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip()[1:-1]


def _models_in(annotation: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """The sections (pydantic models) inside an annotation, with the path suffix to each.

    ``Section`` and ``Section | None`` give ``""``; ``list[Section]`` gives ``"[]"`` (each
    item); ``dict[str, Section]`` gives ``".<name>"`` (each value, by its name).
    """
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield "", annotation
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _models_in(arg)
    elif origin is list and args:
        for suffix, model in _models_in(args[0]):
            yield "[]" + suffix, model
    elif origin is dict and len(args) == 2:
        for suffix, model in _models_in(args[1]):
            yield ".<name>" + suffix, model


def _type_text(annotation: Any) -> str:
    """A type in words: ``str or null``, ``one of `random`, `time` ``, ``list of str``."""
    if annotation is _NONE:
        return "null"
    if annotation is Any:
        return "any value"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    if annotation is dt.date:
        return "date (YYYY-MM-DD)"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(_code(str(a)) for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [_type_text(a) for a in args if a is not _NONE]
        if _NONE in args:
            parts.append("null")
        return ", ".join(parts[:-1]) + " or " + parts[-1]
    if origin is list:
        return f"list of {_inner_type_text(args[0])}" if args else "list"
    if origin is dict:
        if len(args) == 2:
            key, value = (_inner_type_text(a) for a in args)
            return f"mapping of {key} to {value}"
        return "mapping"
    return getattr(annotation, "__name__", str(annotation))


def _inner_type_text(annotation: Any) -> str:
    """A type inside a list or mapping, bracketed when it is a choice of several."""
    if typing.get_origin(annotation) is typing.Literal:
        return "values from " + ", ".join(_code(str(a)) for a in typing.get_args(annotation))
    text = _type_text(annotation)
    return f"({text})" if " or " in text else text


_BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def _rules(field: FieldInfo) -> list[str]:
    """The field's constraints in words, e.g. ``["≥ 0", "≤ 20"]``."""
    rules: list[str] = []
    for meta in field.metadata:
        for name, symbol in _BOUNDS.items():
            bound = getattr(meta, name, None)
            if bound is not None:
                rules.append(
                    f"{symbol} {bound:g}" if isinstance(bound, float) else f"{symbol} {bound}"
                )
        min_length = getattr(meta, "min_length", None)
        if min_length is not None:
            rules.append(f"at least {min_length} character{'s' if min_length != 1 else ''}")
    return rules


def _default_text(field: FieldInfo, path: str) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return f"see `{path}`"
    if value == "":
        return "empty"
    return _code(_yaml(value))


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    paragraph = doc.strip().split("\n\n")[0]
    return " ".join(paragraph.split()).replace("``", "`")


def _walk(model: type[BaseModel], prefix: str, found: dict[type[BaseModel], list[str]]) -> None:
    """Record the path of every section below ``model``, depth first, in schema order."""
    for key, field in model.model_fields.items():
        for suffix, section in _models_in(field.annotation):
            path = f"{prefix}{key}{suffix}"
            first_time = section not in found
            found.setdefault(section, []).append(path)
            if first_time:
                _walk(section, path + ".", found)


def _used_by(key: str) -> str:
    from .config import RUNNER_KEYS, SIMULATION_KEYS, STAGE_PARAMS

    stages = [stage for stage, params in STAGE_PARAMS.items() if key in params.model_fields]
    if key in RUNNER_KEYS:
        stages.append("the runner")
    if key in SIMULATION_KEYS:
        stages.append("`mlops-kit simulate`")
    return ", ".join(stages) or "—"


def _section_table(
    model: type[BaseModel], path: str, *, used_by: Callable[[str], str] | None = None
) -> list[str]:
    head = "| key | type | default | description |"
    rule = "|---|---|---|---|"
    if used_by is not None:
        head, rule = head + " used by |", rule + "---|"
    lines = [head, rule]
    for key, field in model.model_fields.items():
        full = f"{path}.{key}" if path else key
        sections = list(_models_in(field.annotation))
        kind = _type_text(field.annotation)
        if sections:
            suffix, _ = sections[0]
            kind = kind.replace("section", f"section `{full}{suffix}`")
        rules = _rules(field)
        if rules:
            kind += ", " + ", ".join(rules)
        row = (
            f"| {_code(key)} | {kind} | {_default_text(field, full)} | "
            f"{_cell(field.description or '—')} |"
        )
        if used_by is not None:
            row += f" {used_by(key)} |"
        lines.append(row)
    return lines


def config_reference_markdown(model: type[BaseModel] | None = None) -> str:
    """The Markdown reference of a config schema: one table per section.

    Parameters
    ----------
    model : pydantic model class, optional
        The schema; default :class:`mlops_kit.config.PipelineConfig`.

    Returns
    -------
    str
        A table of the top-level keys (key, type and rule, default, description and,
        for the pipeline config, the stage that uses it), then one table per section
        (``tuning``, ``monitoring.drift``, ``transparency.risks[]``, ...), named by its
        dotted path. A section used in several places is listed once, under every path.

    Examples
    --------
    >>> from pydantic import BaseModel, Field
    >>> class Inner(BaseModel):
    ...     depth: int = Field(2, ge=1, description="How deep.")
    >>> class Outer(BaseModel):
    ...     name: str = Field(description="A name.")
    ...     inner: Inner = Field(default_factory=Inner, description="The inner section.")
    >>> _ = Outer.model_rebuild()  # resolve the annotation "Inner" (a doctest quirk)
    >>> print(config_reference_markdown(Outer))
    ### Top-level keys
    <BLANKLINE>
    | key | type | default | description |
    |---|---|---|---|
    | `name` | str | required | A name. |
    | `inner` | section `inner` | see `inner` | The inner section. |
    <BLANKLINE>
    ### `inner`
    <BLANKLINE>
    | key | type | default | description |
    |---|---|---|---|
    | `depth` | int, ≥ 1 | `2` | How deep. |
    <BLANKLINE>
    """
    from .config import PipelineConfig

    schema = PipelineConfig if model is None else model
    used_by = _used_by if schema is PipelineConfig else None
    out = ["### Top-level keys", "", *_section_table(schema, "", used_by=used_by), ""]
    found: dict[type[BaseModel], list[str]] = {}
    _walk(schema, "", found)
    for section, paths in found.items():
        out.append("### " + ", ".join(_code(p) for p in paths))
        out.append("")
        intro = _first_paragraph(section.__doc__)
        if intro:
            out += [intro, ""]
        out += [*_section_table(section, paths[0]), ""]
    return "\n".join(out)


# --- the stage notebooks' papermill parameters --------------------------------------------


def _stage_of(notebook: str) -> str | None:
    from .pipeline import STAGES, stage_notebook

    for stage in STAGES:
        if stage_notebook(stage).name == notebook:
            return stage.value
    return None


def stage_parameters_markdown(notebooks: Sequence[str | os.PathLike[str]] | None = None) -> str:
    """The Markdown reference of the stage notebooks' papermill parameters.

    Parameters
    ----------
    notebooks : sequence of paths, optional
        The notebooks to read; default every ``notebooks/pipeline/*.ipynb``, in name order.

    Returns
    -------
    str
        One table per notebook: each parameter of its ``parameters`` cell, the type
        papermill infers, the notebook's own default and the comment beside it, read with
        :func:`papermill.inspect_notebook` exactly as ``papermill --help-notebook`` does.

    Raises
    ------
    MlopsKitError
        When a notebook has no parameters (no cell tagged ``parameters``).
    """
    import papermill

    from ._resources import resource_path

    if notebooks is None:
        paths = sorted(resource_path("notebooks/pipeline").glob("*.ipynb"))
    else:
        paths = [Path(p) for p in notebooks]
    out: list[str] = []
    for path in paths:
        params = papermill.inspect_notebook(str(path))
        if not params:
            raise MlopsKitError(
                f"The stage notebook '{path}' must have a cell tagged 'parameters' "
                "declaring its papermill parameters. Got no parameters."
            )
        stage = _stage_of(path.name)
        title = f"### {_code('notebooks/pipeline/' + path.name)}"
        out += [title + (f" (stage {_code(stage)})" if stage else ""), ""]
        out += ["| parameter | type | default in the notebook | description |", "|---|---|---|---|"]
        for name, info in params.items():
            kind = str(info.get("inferred_type_name") or "any")
            out.append(
                f"| {_code(name)} | {_cell(kind)} | {_code(str(info.get('default', '')))} | "
                f"{_cell(info.get('help') or '—')} |"
            )
        out.append("")
    return "\n".join(out)


# --- blocks between markers ---------------------------------------------------------------

#: The generated blocks a document may hold: marker name -> generator.
GENERATED_BLOCKS: Mapping[str, Callable[[], str]] = {
    "config-reference": config_reference_markdown,
    "stage-parameters": stage_parameters_markdown,
    "api-reference": api_reference_markdown,
}


def markers(name: str) -> tuple[str, str]:
    """The start and end marker comments of block ``name``.

    Examples
    --------
    >>> markers("config-reference")
    ('<!-- config-reference:start -->', '<!-- config-reference:end -->')
    """
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def _marker_line(text: str, marker: str, source: str) -> re.Match[str] | None:
    found = list(re.finditer(rf"^[ \t]*{re.escape(marker)}[ \t]*$", text, flags=re.MULTILINE))
    if len(found) > 1:
        raise MlopsKitError(
            f"The document {source} must hold the marker line '{marker}' once. "
            f"Got it {len(found)} times."
        )
    return found[0] if found else None


def _replace_block(text: str, name: str, content: str, *, source: str) -> str:
    start_marker, end_marker = markers(name)
    start = _marker_line(text, start_marker, source)
    end = _marker_line(text, end_marker, source)
    if start is None or end is None:
        missing = [m for m, hit in ((start_marker, start), (end_marker, end)) if hit is None]
        raise MlopsKitError(
            f"The document {source} must hold the marker lines '{start_marker}' and "
            f"'{end_marker}', each on a line of its own, around the generated block "
            f"'{name}'. Got no {' and no '.join(repr(m) for m in missing)}."
        )
    if end.start() < start.end():
        raise MlopsKitError(
            f"The document {source} must have '{start_marker}' before '{end_marker}'. "
            f"Got the end marker first (line {text.count(chr(10), 0, end.start()) + 1})."
        )
    header = (
        f"<!-- Generated from the code by `{REGENERATE}`; do not edit by hand "
        "(tests/test_reference.py fails when this block is out of date). -->"
    )
    block = f"{start_marker}\n{header}\n\n{content.strip()}\n\n{end_marker}"
    return text[: start.start()] + block + text[end.end() :]


def render_generated_blocks(
    text: str,
    *,
    blocks: Mapping[str, Callable[[], str] | str] | None = None,
    source: str = "document",
) -> str:
    """``text`` with every generated block rewritten from the code.

    Parameters
    ----------
    text : str
        A Markdown document holding each block's two marker lines.
    blocks : mapping, optional
        Block name -> generator (or the generated text itself); every block named must be
        in ``text``. Default: those of :data:`GENERATED_BLOCKS` whose start marker is in
        ``text`` (at least one must be).
    source : str
        How errors name the document.

    Raises
    ------
    MlopsKitError
        When a block's markers are missing, repeated or in the wrong order.

    Examples
    --------
    >>> doc = "# Guide\\n\\n<!-- demo:start -->\\nold\\n<!-- demo:end -->\\n\\nMore.\\n"
    >>> print(render_generated_blocks(doc, blocks={"demo": "| a |\\n|---|"}))
    # Guide
    <BLANKLINE>
    <!-- demo:start -->
    <!-- Generated from the code by ...; do not edit by hand ... -->
    <BLANKLINE>
    | a |
    |---|
    <BLANKLINE>
    <!-- demo:end -->
    <BLANKLINE>
    More.
    <BLANKLINE>
    >>> render_generated_blocks("No markers here.", blocks={"demo": "x"})
    Traceback (most recent call last):
    ...
    mlops_kit.errors.MlopsKitError: The document document must hold the marker lines ...
    """
    chosen = blocks
    if chosen is None:
        chosen = {n: g for n, g in GENERATED_BLOCKS.items() if markers(n)[0] in text}
        if not chosen:
            names = ", ".join(f"'{markers(n)[0]}'" for n in GENERATED_BLOCKS)
            raise MlopsKitError(
                f"The document {source} must hold the marker lines of at least one "
                f"generated block ({names}). Got none."
            )
    for name, generate in chosen.items():
        content = generate if isinstance(generate, str) else generate()
        text = _replace_block(text, name, content, source=source)
    return text


def update_document(path: str | os.PathLike[str], *, check: bool = False) -> bool:
    """Regenerate the blocks of the document at ``path``; return whether they had changed.

    With ``check=True`` nothing is written. Otherwise a changed document is rewritten
    atomically (:func:`mlops_kit._io.atomic_write_text`): never left half-written.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MlopsKitError(
            f"The document '{file}' must exist to have its generated blocks updated. "
            "Got no such file."
        ) from None
    new = render_generated_blocks(text, source=f"'{file}'")
    if new == text:
        return False
    if not check:
        atomic_write_text(file, new)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mlops_kit._reference [--check] FILE.md ...``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m mlops_kit._reference",
        description="Regenerate the config reference and stage parameter tables in a document.",
    )
    parser.add_argument("documents", nargs="+", metavar="FILE.md")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a block is out of date"
    )
    args = parser.parse_args(argv)
    stale = []
    for document in args.documents:
        try:
            changed = update_document(document, check=args.check)
        except MlopsKitError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if changed:
            stale.append(document)
            verb = "is out of date" if args.check else "updated"
            print(f"{document}: {verb}", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
