"""The gate and register stages: the governance policy decides, the registry records."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, read_json
from ..config import GateParams, RegisterParams, validate_params
from ..errors import ArtefactError
from ._context import audit_log_for, run_context
from ._folder import (
    DATASET_FILE,
    GATE_FILE,
    METRICS_FILE,
    REGISTRATION_FILE,
    audit_event,
    require_file,
    resolve_run_dir,
)

if TYPE_CHECKING:
    from ..governance import DocumentsSettings, GateDecision
    from ..registry import ModelVersion

__all__ = [
    "card_block",
    "default_model_name",
    "gate_stage",
    "register_stage",
    "release_summary",
]


def default_model_name(label: str) -> str:
    """A registered-model name from a run name or data file name ("benefit-claims")."""
    return re.sub(r"[^a-z0-9]+", "-", Path(label).stem.lower()).strip("-") or "model"


def gate_stage(run_dir: str | os.PathLike[str], **params: Any) -> GateDecision:
    """Apply the governance policy to the evaluation and record the decision.

    Writes ``gate.json``: promote, refuse or needs human approval, with every check
    explained in plain words. The person who trained the model (``trained_by`` in
    ``run.json``) can never be the one who approves it. The model card is drafted from
    the run and the config's ``transparency`` keys: the check "model card complete"
    refuses a model whose card has an empty required part, and no one may approve it.

    Parameters
    ----------
    run_dir : path-like
        The run folder, holding ``metrics.json`` from the evaluate stage.
    **params
        The config keys of :class:`mlops_kit.config.GateParams`.
    """
    from ..governance import evaluate_gate, model_card

    p: GateParams = validate_params(params, model=GateParams, source="gate stage")
    folder = resolve_run_dir(run_dir)
    metrics = read_json(require_file(folder, METRICS_FILE, "gate"))
    card = model_card(folder, settings=p.transparency)
    decision = evaluate_gate(
        metrics,
        p.policy,
        trained_by=run_context(folder)["trained_by"],
        card_missing=card.missing,
    )
    atomic_write_json(folder / GATE_FILE, decision.to_dict())
    audit_event(
        folder,
        "gate_decision",
        decision=decision.decision.value,
        reasons=list(decision.reasons),
        failing_checks=[c.name for c in decision.failing_checks],
        high_impact=decision.high_impact,
        card_missing=list(decision.card_missing),
    )
    return decision


def _next_step(decision: str, model_name: str, version: int, card_missing: int = 0) -> str:
    if card_missing:
        return (
            f"Version {version} is recorded but cannot be promoted or approved: its model card "
            f"has {card_missing} empty required part{'s' if card_missing != 1 else ''}. Add "
            "the 'transparency:' block below to your config, fill it in, and run again."
        )
    approve = (
        f"mlops-kit approve --model {model_name} --version {version} "
        "--approver 'Your Name' --justification '...'"
    )
    if decision == "promote":
        return f"Version {version} is now the champion of {model_name}."
    if decision == "needs human approval":
        return (
            f"Version {version} is the challenger of {model_name}. It becomes the champion "
            f"only when a named person other than its trainer approves it: {approve}"
        )
    return (
        f"Version {version} is recorded but not promoted: the gate refused it. Only a named "
        f"approver who did not train it, with a written justification, can override: {approve}"
    )


def register_stage(run_dir: str | os.PathLike[str], **params: Any) -> ModelVersion:
    """Record the run in the model registry and move an alias as the gate decided.

    Every gated model becomes a new, immutable version, so each one stays traceable.
    A *promote* decision makes it the ``champion``; *needs human approval* makes it the
    ``challenger``; a refused model gets no alias. Writes ``registration.json``.

    A model whose card has an empty required part (the ``transparency`` config keys
    only a person can write) is still registered, so that a first run finishes, but
    marked as not promotable (tag ``mlops.card_complete`` "false"): it gets no alias and
    no one may approve it. ``registration.json`` lists the empty parts. The model card,
    the transparency record and the stakeholder summary are written to the run folder
    (Markdown and HTML), logged with the MLflow run, and written again once the version
    is known.

    Parameters
    ----------
    run_dir : path-like
        The run folder, after the gate stage.
    **params
        The config keys of :class:`mlops_kit.config.RegisterParams`.
    """
    from ..registry import Alias, Registry

    p: RegisterParams = validate_params(params, model=RegisterParams, source="register stage")
    folder = resolve_run_dir(run_dir)
    context = run_context(folder)
    gate = read_json(require_file(folder, GATE_FILE, "register"))
    card = write_documents(folder, p.transparency)[0]
    missing = list(card.missing)
    prefix = "transparency."
    keys = [m.config_key.removeprefix(prefix) for m in card.validate() if m.config_key]
    if missing != list(gate.get("card_missing") or ()):
        raise ArtefactError(
            f"The model card of run {folder.name} now has {len(missing)} empty required "
            f"part(s), but the gate judged it with {len(gate.get('card_missing') or ())}: the "
            "gate and register stages were given different 'transparency' keys. Run the "
            "gate stage again with the same keys."
        )
    decision = gate["decision"]
    name = p.registry.model_name or default_model_name(read_json(folder / DATASET_FILE)["path"])
    registry = Registry(
        p.registry.tracking_uri, workspace=context["workspace"], audit=audit_log_for(folder)
    )
    alias = None
    if not missing:
        alias = {"promote": Alias.CHAMPION, "needs human approval": Alias.CHALLENGER}.get(decision)
    version = registry.register_run(
        folder,
        model_name=name,
        actor=context["trained_by"],
        alias=alias,
        alias_reason=f"the gate decided '{decision}'",
    )
    atomic_write_json(
        folder / REGISTRATION_FILE,
        {
            "model_name": name,
            "version": version.version,
            "alias": alias.value if alias else None,
            "gate_decision": decision,
            "tracking_uri": registry.tracking_uri,
            "artefact_sha256": version.sha256,
            "card_complete": not missing,
            "card_missing": missing,
            "card_missing_keys": keys,
            "next_step": _next_step(decision, name, version.version, len(missing)),
        },
    )
    write_documents(folder, p.transparency)  # now naming the registered version
    return version


def write_documents(folder: Path, settings: DocumentsSettings) -> tuple[Any, ...]:
    """Write the model card, transparency record and stakeholder summary of a run."""
    from ..governance import model_card, stakeholder_summary, transparency_record

    documents = tuple(
        make(folder, settings=settings)
        for make in (model_card, transparency_record, stakeholder_summary)
    )
    for document in documents:
        document.write(folder)
    return documents


def release_summary(run_dir: str | os.PathLike[str]) -> list[str]:
    """What the gate decided and what the registry recorded, in a few plain lines.

    Empty when the run had no gate or register stage (for example, it failed earlier).
    """
    folder = Path(run_dir)
    lines = []
    if (folder / GATE_FILE).is_file():
        gate = read_json(folder / GATE_FILE)
        lines += [f"Gate: {gate['decision']}. " + " ".join(gate.get("reasons", []))]
    if (folder / REGISTRATION_FILE).is_file():
        registration = read_json(folder / REGISTRATION_FILE)
        lines.append(
            f"Registry: {registration['model_name']} version {registration['version']} "
            f"(alias: {registration['alias'] or 'none'}). {registration['next_step']}"
        )
        block = card_block(folder)
        if block:
            lines += [block]
    return lines


def card_block(run_dir: str | os.PathLike[str]) -> str:
    """The ``transparency:`` section to paste into the config of a run whose model card
    is incomplete: each empty key with its meaning. Empty when the card is complete or
    the run was not registered."""
    from ..governance import transparency_block

    path = Path(run_dir) / REGISTRATION_FILE
    keys = read_json(path).get("card_missing_keys") if path.is_file() else None
    return transparency_block(keys) if keys else ""
