"""The public API page (``docs/api.md``), generated from the packages' ``__all__`` lists.

Each public package of the kit exports, in its ``__all__``, the names a learner or an
analyst calls or reads and the result types those return; everything else is private to
its package. :func:`api_reference_markdown` lists them, package by package in the order
of the layers (ARCHITECTURE.md), each with its call signature and the first line of its
docstring. The page is one generated block of ``docs/api.md``, rewritten with the config
reference by ``python -m mlops_kit._reference docs/analyst.md docs/api.md``.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

__all__ = ["PUBLIC_PACKAGES", "api_reference_markdown"]

#: The public packages, in the order of the layers from the bottom up.
PUBLIC_PACKAGES = (
    "errors",
    "figures",
    "config",
    "data",
    "train",
    "metrics",
    "explain",
    "audit",
    "fairness",
    "tune",
    "privacy",
    "governance",
    "monitor",
    "abtest",
    "registry",
    "review",
    "pipeline",
    "continuous",
    "course",
    "widgets",
    "exercises",
)


def _first_line(doc: str | None) -> str:
    """The first sentence-line of a docstring, as one Markdown table cell."""
    lines = [line.strip() for line in inspect.cleandoc(doc or "").splitlines()]
    paragraph: list[str] = []
    for line in lines:
        if not line:
            break
        paragraph.append(line)
    return " ".join(paragraph).replace("|", "\\|")


def _signature(name: str, value: Any) -> str:
    """``name(a, b=..., *, c=...)`` for a function or class, else ``name``."""
    if not callable(value):
        return name
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return name
    parts = []
    star_done = False
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            parts.append(f"*{parameter.name}")
            star_done = True
        elif parameter.kind is parameter.VAR_KEYWORD:
            parts.append(f"**{parameter.name}")
        else:
            if parameter.kind is parameter.KEYWORD_ONLY and not star_done:
                parts.append("*")
                star_done = True
            has_default = parameter.default is not parameter.empty
            parts.append(f"{parameter.name}=…" if has_default else parameter.name)
    return f"{name}({', '.join(parts)})"


def _comment(module: Any, name: str) -> str:
    """The ``#:`` comment above the assignment of constant ``name``: in ``module``'s files,
    else wherever in the kit it is defined."""
    origin = Path(module.__file__)
    own = sorted(origin.parent.glob("*.py")) if origin.name == "__init__.py" else [origin]
    # A constant re-exported from another package is commented where it is defined.
    kit = sorted(Path(__file__).parent.rglob("*.py"))
    files = own + [f for f in kit if f not in own]
    assignment = re.compile(rf"^{re.escape(name)}\s*[:=]")
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if assignment.match(line):
                comment: list[str] = []
                for above in reversed(lines[:number]):
                    if not above.startswith("#:"):
                        break
                    comment.insert(0, above.removeprefix("#:").strip())
                if comment:
                    return " ".join(comment).replace("|", "\\|")
    return ""


def _described(module: Any, name: str) -> str:
    """What ``name`` of ``module`` is: its docstring's first paragraph, or its ``#:``
    comment for a constant."""
    value = getattr(module, name)
    if inspect.isclass(value) or inspect.isfunction(value) or inspect.ismethod(value):
        return _first_line(value.__doc__)
    return _comment(module, name) or f"a {type(value).__name__}"


def api_reference_markdown(packages: tuple[str, ...] = PUBLIC_PACKAGES) -> str:
    """The API page: for each package its purpose and a table of its exported names."""
    out = [
        "Every name below is imported from its package, e.g. "
        "`from mlops_kit.config import load_config`; the most used are also on `mlops_kit` "
        "itself (`mk.load_config`). Names not listed are private to their package and may "
        "change without notice.",
    ]
    for package in packages:
        module = importlib.import_module(f"mlops_kit.{package}")
        names = list(getattr(module, "__all__", ()))
        out += [
            "",
            f"### `mlops_kit.{package}`",
            "",
            _first_line(module.__doc__),
            "",
            "| name | what it is |",
            "|---|---|",
        ]
        for name in sorted(names, key=str.lower):
            value = getattr(module, name)
            shown = _signature(name, value) if inspect.isfunction(value) else name
            out.append(f"| `{shown}` | {_described(module, name)} |")
    return "\n".join(out)
