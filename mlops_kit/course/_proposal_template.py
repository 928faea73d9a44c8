"""The adoption proposal's template: its sections and the audiences of the rewrite.

:func:`proposal_template` reads ``data/course/proposal/sections.yml`` (or a department's
own copy): each section's key, title, purpose, the questions a team answers in it, the
evidence the kit pre-fills from a run, and whether it is required; and the audiences of
the stakeholder-summary rewrite with what each needs. Every rule a section breaks is
named in words, with the file and the section.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._resources import resource_path
from ..errors import ConfigError, did_you_mean
from ._proposal_evidence import EVIDENCE

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ProposalSection", "ProposalTemplate", "proposal_template"]

_TEMPLATE = "data/course/proposal/sections.yml"


_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


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
    source = resource_path(_TEMPLATE) if path is None else Path(path)
    return _read_template(source.resolve())
