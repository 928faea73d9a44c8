"""A model card drafted from a pipeline run, after Mitchell et al. (2019).

"Model Cards for Model Reporting" (FAT* 2019) proposes nine sections: model details,
intended use, factors, metrics, evaluation data, training data, quantitative analyses,
ethical considerations, and caveats and recommendations. :func:`model_card` fills every
fact from the files the run wrote (the numbers are the run's own, never retyped) and
takes what only a person can write (intended use, out-of-scope uses, ethical
considerations, owner, contact) from the ``transparency`` section of the config.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..config import DocumentsSettings
from ._card_analyses import quantitative_section
from ._card_sections import (
    caveats_section,
    details_section,
    ethics_section,
    evaluation_data_section,
    factors_section,
    intended_use_section,
    metrics_section,
    training_data_section,
)
from ._document import Document
from ._parts import SETTINGS_SECTION
from ._run_facts import RunFacts, load_settings
from ._run_text import human

__all__ = [
    "CARD_HUMAN_KEYS",
    "ModelCard",
    "card_keys_missing",
    "model_card",
    "transparency_block",
]

#: The ``transparency`` keys every model card needs from a person (``factors_note`` is
#: needed as well when a run evaluated no protected groups).
CARD_HUMAN_KEYS = (
    "owner",
    "contact_email",
    "primary_uses",
    "primary_users",
    "out_of_scope_uses",
    "metrics_rationale",
    "ethical_considerations",
    "caveats",
)

#: The card's nine sections, in the order of Mitchell et al.
CARD_SECTIONS = (
    "Model details",
    "Intended use",
    "Factors",
    "Metrics",
    "Evaluation data",
    "Training data",
    "Quantitative analyses",
    "Ethical considerations",
    "Caveats and recommendations",
)


# --------------------------------------------------------------------------- the card


@dataclass(frozen=True)
class ModelCard(Document):
    """A model card: nine sections of facts from the run and words from the config.

    Attributes
    ----------
    overall : dict of str to float
        The headline metrics on the held-out rows, exactly as in ``metrics.json``.
    by_group : dict of str to tuple of dict
        For each protected attribute, the per-group rows of ``metrics.json``'s
        fairness section (unchanged).
    gate_decision : str or None
        "promote", "refuse" or "needs human approval", when the run was gated.

    See ``Document`` (in ``_document``) for ``missing``, ``to_markdown``,
    ``to_html``, ``to_dict`` and ``write``.
    """

    overall: dict[str, float] = field(default_factory=dict)
    by_group: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    gate_decision: str | None = None

    kind: ClassVar[str] = "model card"
    stem: ClassVar[str] = "model_card"


def model_card(
    run_dir: str | os.PathLike[str],
    *,
    settings: DocumentsSettings | Mapping[str, Any] | None = None,
) -> ModelCard:
    """Draft the model card of a pipeline run.

    Parameters
    ----------
    run_dir : path-like
        A run folder (``runs/<run-id>``) that got at least as far as the evaluate stage.
    settings : DocumentsSettings or mapping, optional
        The human-written fields; default the ``transparency`` section of the run's
        ``config.yml`` (empty if it has none, so that ``.missing`` lists them all).

    Returns
    -------
    ModelCard
        ``.missing`` names every required part still empty; :func:`require_complete`
        refuses the card until it is complete.

    Raises
    ------
    ArtefactError
        The folder is not a run folder, or a stage that every card needs did not run.
    ConfigError
        A key of the settings breaks the schema.
    """
    facts = RunFacts.read(run_dir)
    s = load_settings(settings, facts.run_dir)
    metrics = facts.metrics
    overall = {
        k: v for k, v in metrics.items() if isinstance(v, int | float) and k not in ("n_test",)
    }
    by_group = {
        attr: tuple(f.get("groups", [])) for attr, f in (metrics.get("fairness") or {}).items()
    }
    gate = facts.get("gate.json") or {}
    return ModelCard(
        title=f"Model card: {facts.model_name}",
        subtitle=(
            f"What the {facts.model_name} model is for, how it was built and tested, and "
            "its limits. The sections follow Mitchell et al., 'Model Cards for Model "
            "Reporting' (2019)."
        ),
        run_id=facts.run_id,
        run_dir=facts.run_dir,
        sections=(
            details_section(facts, s),
            intended_use_section(facts, s),
            factors_section(facts, s),
            metrics_section(facts, s),
            evaluation_data_section(facts),
            training_data_section(facts),
            quantitative_section(facts),
            ethics_section(facts, s),
            caveats_section(facts, s),
        ),
        overall=overall,
        by_group=by_group,
        gate_decision=gate.get("decision"),
    )


# --------------------------------------------------------------------------- sections


# --------------------------------------------------------------------------- before a run


def card_keys_missing(
    settings: DocumentsSettings | Mapping[str, Any] | None, *, protected: bool
) -> tuple[str, ...]:
    """The ``transparency`` keys a model card would still lack, from a config alone.

    The same rule as :func:`model_card`'s ``.missing``, for use before anything runs
    (``mlops-kit check``): every key of :data:`CARD_HUMAN_KEYS`, and ``factors_note``
    when the config names no protected columns.

    Examples
    --------
    >>> card_keys_missing({"owner": "Data team"}, protected=True)[:3]
    ('contact_email', 'primary_uses', 'primary_users')
    >>> "factors_note" in card_keys_missing(None, protected=False)
    True
    """
    s = load_settings({} if settings is None else settings, Path("."))
    keys = list(CARD_HUMAN_KEYS)
    if not protected:
        keys.insert(keys.index("out_of_scope_uses") + 1, "factors_note")
    return tuple(k for k in keys if human(s, k, k).empty)


def transparency_block(keys: Sequence[str]) -> str:
    """A ``transparency:`` section to paste into a config, one empty key per part to write.

    Each key comes with its meaning as a comment; list keys take one item per line.

    Examples
    --------
    >>> print(transparency_block(["owner", "caveats"]))
    transparency:
      # Who owns and maintains the model (team or role).
      owner: ""
      # Caveats and recommendations, one per item.
      caveats:
        - ""
    """
    fields = DocumentsSettings.model_fields
    lines = [f"{SETTINGS_SECTION}:"]
    for key in keys:
        field_info = fields[key]
        lines.append(f"  # {field_info.description}")
        if typing.get_origin(field_info.annotation) is list:
            lines += [f"  {key}:", '    - ""']
        else:
            lines.append(f'  {key}: ""')
    return "\n".join(lines)
