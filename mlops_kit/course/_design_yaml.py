"""The design form's YAML editor: set dotted keys in a design file, keeping everything else.

:func:`apply_updates` sets each dotted key (``pipeline.policy.four_fifths``) in the text of
a design file line by line, so every other key, comment and blank line stays as the team
or the template wrote it; a key not there yet goes where the template left it commented
out, or at the end of its section. The result is read back, and a value that did not land
where it should is refused rather than written. :func:`value_at` reads a dotted key.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError

__all__ = ["apply_updates", "value_at"]


def value_at(data: Any, dotted: str) -> Any:
    """The value at the dotted key ``dotted`` of nested mappings, or None when absent."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*):(?=\s|$)(?P<rest>.*)$")
_TODO = re.compile(r"\bTODO\b\s*(\(optional\))?\s*:?\s*", re.IGNORECASE)
_WRAP = 88
#: The column the templates align their comments at.
_COMMENT_COLUMN = 34


def _split_comment(rest: str) -> tuple[str, str]:
    """Split what follows ``key:`` into its value and its comment (outside quotes)."""
    quote = ""
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or rest[i - 1].isspace()):
            return rest[:i].strip(), rest[i:]
    return rest.strip(), ""


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _span_end(lines: list[str], start: int) -> int:
    """The index after the last line belonging to the key on line ``start``."""
    base = _indent(lines[start])
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        if _content(line):
            ind = _indent(line)
            if ind < base or (ind == base and not line.lstrip().startswith("- ")):
                break
            last = end + 1
        end += 1
    return last


def _find(lines: list[str], path: list[str], lo: int = 0, hi: int | None = None) -> int | None:
    """The line index of the key at ``path`` within ``lines[lo:hi]``, or None."""
    hi = len(lines) if hi is None else hi
    child = None
    i = lo
    while i < hi:
        line = lines[i]
        match = _KEY.match(line)
        if _content(line) and match and not line.lstrip().startswith("- "):
            ind = len(match["indent"])
            if child is None:
                child = ind
            if ind == child and match["key"] == path[0]:
                if len(path) == 1:
                    return i
                return _find(lines, path[1:], i + 1, _span_end(lines, i))
            if ind == child:
                i = _span_end(lines, i)
                continue
        i += 1
    return None


def _scalar(value: Any) -> str:
    import yaml

    text = yaml.safe_dump(
        value, default_flow_style=True, width=10**6, allow_unicode=True, sort_keys=False
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _render(key: str, value: Any, indent: int, comment: str = "") -> list[str]:
    """``key: value`` as YAML lines at ``indent``, with ``comment`` aligned as the templates do."""
    column = _COMMENT_COLUMN
    pad = " " * indent

    def head(text: str) -> str:
        if not comment:
            return text
        return text.ljust(column) + comment if len(text) < column else f"{text}  {comment}"

    if (
        isinstance(value, str)
        and len(pad) + len(key) + len(value) + 2 > _WRAP
        and "\n" not in value
    ):
        body = textwrap.wrap(value, width=_WRAP - indent - 2, break_on_hyphens=False)
        return [head(f"{pad}{key}: >-"), *(f"{pad}  {line}" for line in body)]
    long_list = isinstance(value, list) and (
        any(isinstance(v, Mapping) for v in value)
        or (
            any(isinstance(v, str) for v in value)
            and len(_scalar(value)) + indent + len(key) + 2 > _WRAP
        )
    )
    if long_list:
        return [head(f"{pad}{key}:"), *(f"{pad}  - {_scalar(item)}" for item in value)]
    if isinstance(value, Mapping) and value and len(_scalar(value)) + indent + len(key) > _WRAP:
        lines = [head(f"{pad}{key}:")]
        for k, v in value.items():
            lines += _render(str(k), v, indent + 2)
        return lines
    return [head(f"{pad}{key}: {_scalar(value)}")]


def _set(lines: list[str], dotted: str, value: Any) -> list[str]:
    """Set one dotted key in the YAML ``lines``, keeping everything else as it was."""
    import yaml

    path = dotted.split(".")
    at = _find(lines, path)
    if at is not None:
        match = _KEY.match(lines[at])
        assert match is not None
        _, comment = _split_comment(match["rest"])
        comment = _TODO.sub("", comment).rstrip()
        if comment.strip() == "#":
            comment = ""
        # The key's old value: its line and any lines below it (children, a block
        # scalar or a plain scalar continued) that are indented more.
        new = _render(path[-1], value, len(match["indent"]), comment)
        return lines[:at] + new + lines[_span_end(lines, at) :]
    # Not there: the nearest ancestor that is holds it, inline or in block form.
    depth = len(path) - 1
    while depth > 0 and _find(lines, path[:depth]) is None:
        depth -= 1
    rest = path[depth:]
    nested = value
    for part in reversed(rest[1:]):
        nested = {part: nested}
    if depth == 0:
        return [*lines, *_render(rest[0], nested, 0)]
    parent = _find(lines, path[:depth])
    assert parent is not None
    match = _KEY.match(lines[parent])
    assert match is not None
    inline, _ = _split_comment(match["rest"])
    if inline and inline[0] not in ">|":
        current = yaml.safe_load(inline)
        merged = dict(current) if isinstance(current, Mapping) else {}
        node = merged
        for part in rest[:-1]:
            inner = node.get(part)
            node[part] = dict(inner) if isinstance(inner, Mapping) else {}
            node = node[part]
        node[rest[-1]] = value
        return _set(lines, ".".join(path[:depth]), merged)
    end = _span_end(lines, parent)
    scan = end  # a commented-out key may follow the block's last key
    while scan < len(lines) and not (
        _content(lines[scan]) and _indent(lines[scan]) <= _indent(lines[parent])
    ):
        scan += 1
    children = [
        _indent(line) for line in lines[parent + 1 : end] if _content(line) and _KEY.match(line)
    ]
    child = children[0] if children else len(match["indent"]) + 2
    commented = re.compile(rf"^ {{{child}}}#\s*{re.escape(rest[0])}:")
    for i in range(parent + 1, scan):
        if commented.match(lines[i]):
            return lines[:i] + _render(rest[0], nested, child) + lines[i + 1 :]
    return lines[:end] + _render(rest[0], nested, child) + lines[end:]


def apply_updates(text: str, updates: Mapping[str, Any]) -> str:
    """``text`` (a design file's YAML) with each dotted key of ``updates`` set to its value.

    Raises
    ------
    ConfigError
        When a value could not be placed so that the YAML reads it back unchanged.
    """
    import yaml

    lines = text.splitlines()
    for key, value in updates.items():
        lines = _set(lines, key, value)
    out = "\n".join(lines) + "\n"
    loaded = yaml.safe_load(out)
    wrong = [k for k, v in updates.items() if value_at(loaded, k) != v]
    if wrong:  # the line editor could not place a value: never write a file that lies
        raise ConfigError(
            f"The design form could not write {', '.join(wrong)} into the design file as "
            "YAML; edit the file by hand instead."
        )
    return out
