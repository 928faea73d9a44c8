"""The registry's writing verbs: record and register a run, move aliases, approve, decline.

The reading verbs (get, versions, aliases, verified load, gate decision) are in
``_reader``; :class:`Registry` has both.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, read_json
from ..errors import ApprovalError, DocumentationError
from ..governance import Approval, Decision, approve
from ..train import TRUSTED_TYPES, load_model
from ._manifest import _conda_env, _flat_metrics, _flat_params, build_manifest
from ._reader import _Reader
from ._store import (
    TAG_CARD,
    TAG_CODE,
    TAG_DATA_SHA256,
    TAG_GATE,
    TAG_RUN_ID,
    TAG_SHA256,
    TAG_TRAINED_BY,
    Alias,
    ModelVersion,
    _dataset_sample,
    _signature,
)

if TYPE_CHECKING:
    import pandas as pd

#: Files of a run folder logged with its MLflow run.
_RUN_ARTEFACTS = (
    "manifest.json",
    "metrics.json",
    "gate.json",
    "tuning.json",
    "dataset.json",
    "training.json",
    "report.html",
    "config.yml",
    "model_card.md",
    "model_card.html",
    "transparency_record.json",
    "transparency_record.html",
    "stakeholder_summary.html",
)


class Registry(_Reader):
    """The MLflow tracking store and model registry used by the pipeline.

    Parameters
    ----------
    tracking_uri : str, optional
        Any MLflow tracking URI; default :func:`default_tracking_uri` of ``workspace``.
    workspace : path-like, default "."
        Folder of the default SQLite store and its ``mlartifacts/``.
    audit : optional
        An audit log (:class:`mlops_kit.audit.AuditLog`); registrations, alias moves and
        verified loads are appended to it.

    Creating a Registry does nothing; the store is created on first use.
    """

    # --- recording a run and registering its model -------------------------------------

    def register_run(
        self,
        run_dir: str | os.PathLike[str],
        *,
        model_name: str,
        actor: str,
        alias: Alias | str | None = None,
        alias_reason: str = "",
    ) -> ModelVersion:
        """Record a finished run in MLflow and register its model as a new version.

        Logs the manifest, parameters, metrics, figures, report and gate decision; logs
        the model (skops, explicit requirements); registers it; records the stored
        artefact's SHA-256 on the version; and, if ``alias`` is given, points it at the
        new version.
        """
        folder = Path(run_dir)
        manifest = build_manifest(folder)
        atomic_write_json(folder / "manifest.json", manifest)
        gate = read_json(folder / "gate.json") if (folder / "gate.json").is_file() else {}
        return self.register_model(
            load_model(folder / "model.skops"),
            model_name=model_name,
            actor=actor,
            run_id=manifest["run_id"],
            sample=_dataset_sample(read_json(folder / "dataset.json")),
            params=_flat_params(manifest["config"] or {}),
            metrics=_flat_metrics(read_json(folder / "metrics.json")),
            tags={
                TAG_DATA_SHA256: manifest["data"]["sha256"],
                TAG_CODE: manifest["code_version"]["label"],
                TAG_TRAINED_BY: manifest.get("trained_by") or actor,
                TAG_GATE: gate.get("decision", "not gated"),
                TAG_CARD: "false" if gate.get("card_missing") else "true",
            },
            artifacts=[folder / name for name in _RUN_ARTEFACTS if (folder / name).is_file()],
            figures=folder / "figures" if (folder / "figures").is_dir() else None,
            alias=alias,
            alias_reason=alias_reason,
        )

    def register_model(
        self,
        estimator: Any,
        *,
        model_name: str,
        actor: str,
        run_id: str,
        sample: pd.DataFrame,
        params: Mapping[str, str] | None = None,
        metrics: Mapping[str, float] | None = None,
        tags: Mapping[str, str] | None = None,
        artifacts: Sequence[Path] = (),
        figures: Path | None = None,
        alias: Alias | str | None = None,
        alias_reason: str = "",
    ) -> ModelVersion:
        """Record a fitted model in an MLflow run and register it as a new version.

        The lower-level verb behind :meth:`register_run`, used directly by a replay
        (:func:`mlops_kit.continuous.simulate`) whose models have no run folder.
        ``sample`` (a few rows of the features) gives the model's signature; ``tags``
        go on both the MLflow run and the model version, with ``mlops.run_id`` set to
        ``run_id``; ``artifacts`` are files logged with the run.
        """
        tags = {**(tags or {}), TAG_RUN_ID: run_id}
        tags.setdefault(TAG_TRAINED_BY, actor)
        tags.setdefault(TAG_GATE, "not gated")
        with self._session() as mlflow:
            experiment = self._experiment_id(mlflow, model_name)
            with mlflow.start_run(experiment_id=experiment, run_name=run_id, tags=tags) as run:
                if params:
                    mlflow.log_params(dict(params))
                if metrics:
                    mlflow.log_metrics(dict(metrics))
                for path in artifacts:
                    mlflow.log_artifact(str(path))
                if figures is not None:
                    mlflow.log_artifacts(str(figures), artifact_path="figures")
                info = mlflow.sklearn.log_model(
                    estimator,
                    name="model",
                    signature=_signature(estimator, sample),
                    serialization_format="skops",
                    skops_trusted_types=list(TRUSTED_TYPES),
                    conda_env=_conda_env(),
                )
                mlflow_run_id = run.info.run_id
            # MLflow prints "Created version ..." to stderr; the kit reports the version
            # itself (and records it in the audit log), so the learner sees one message.
            with contextlib.redirect_stderr(io.StringIO()):
                version = mlflow.register_model(info.model_uri, model_name, tags=tags)
            client = self._client()
            digest = self._stored_sha256(client, model_name, str(version.version))
            client.set_model_version_tag(model_name, str(version.version), TAG_SHA256, digest)
        self._record(
            "registered",
            actor,
            run_id,
            model_name=model_name,
            version=int(version.version),
            artefact_sha256=digest,
            mlflow_run_id=mlflow_run_id,
            gate_decision=tags[TAG_GATE],
        )
        if alias:
            self.set_alias(
                model_name,
                alias,
                int(version.version),
                actor=actor,
                reason=alias_reason or "set at registration",
                run_id=run_id,
            )
        return self.get(model_name, version=int(version.version))

    # --- aliases ------------------------------------------------------------------------

    def set_alias(
        self,
        model_name: str,
        alias: Alias | str,
        version: int,
        *,
        actor: str,
        reason: str,
        run_id: str | None = None,
    ) -> None:
        """Point ``alias`` at ``version``, recording the move (from which version, who, why).

        Raises
        ------
        DocumentationError
            The version was registered with an incomplete model card (tag
            ``mlops.card_complete`` is "false"): it may hold no alias.
        """
        name = Alias(alias).value
        with self._session():
            client = self._client()
            tags = client.get_model_version(model_name, str(version)).tags
            if tags.get(TAG_CARD) == "false":
                raise DocumentationError(
                    f"Model {model_name} version {version} cannot become the {name}: it was "
                    "registered with an incomplete model card, and such a version may be "
                    "neither approved nor promoted. Write the empty parts in the config's "
                    "'transparency:' section and run the pipeline again.",
                    document="model card",
                )
            model = client.get_registered_model(model_name)
            previous = model.aliases.get(name)
            client.set_registered_model_alias(model_name, name, str(version))
            client.set_model_version_tag(
                model_name,
                str(version),
                f"mlops.alias.{name}",
                f"{datetime.now(UTC).isoformat(timespec='seconds')} by {actor}: {reason}",
            )
        self._record(
            "alias_changed",
            actor,
            run_id,
            model_name=model_name,
            alias=name,
            from_version=None if previous is None else int(previous),
            to_version=int(version),
            reason=reason,
        )

    def approve(
        self,
        model_name: str,
        version: int,
        *,
        approver: str,
        justification: str,
        role: str | None = None,
    ) -> Approval:
        """Promote a version to champion on a named person's written approval.

        The governance rules apply (:func:`mlops_kit.governance.approve`): the approver
        is named, is not the person who trained the model, is on the policy's list of
        approvers if it has one, and writes a justification. Overriding a refusal is
        recorded as an override. The approval is written to the audit log before the
        alias moves, so no promotion goes unrecorded.

        Parameters
        ----------
        role : str, optional
            The capacity the approver signs in (for example "Head of Benefit Policy"),
            recorded with the approval; when given it must not be empty.

        Returns
        -------
        mlops_kit.governance.Approval
        """
        decision = self.gate_decision(model_name, version)
        problems = _role_problems(role)
        try:
            approval = approve(
                decision,
                approver=approver,
                justification=justification,
                approvers=decision.policy.get("approvers", ()),
            )
        except ApprovalError as exc:
            raise ApprovalError(
                "\n".join([*exc.problems, *problems]), problems=(*exc.problems, *problems)
            ) from None
        if problems:
            raise ApprovalError("\n".join(problems), problems=tuple(problems))
        run_id = self.get(model_name, version=version).run_id
        roles = {"role": role.strip()} if role else {}
        self._record(
            "overridden" if approval.kind == "override" else "approved",
            approval.approver,
            run_id,
            model_name=model_name,
            version=version,
            decision_seen=str(approval.decision_seen),
            trained_by=approval.trained_by,
            justification=approval.justification,
            **roles,
        )
        with self._session():
            self._client().set_model_version_tag(
                model_name,
                str(version),
                "mlops.approval",
                json.dumps(approval.to_dict() | roles),
            )
        self.set_alias(
            model_name,
            Alias.CHAMPION,
            version,
            actor=approval.approver,
            reason=f"{approval.kind} by {approval.approver}: {approval.justification}",
            run_id=run_id,
        )
        return approval

    def decline(
        self,
        model_name: str,
        version: int,
        *,
        reviewer: str,
        justification: str,
        role: str | None = None,
    ) -> Any:
        """Record a named person's decision not to promote a version the gate held back.

        The same rules as :meth:`approve` apply to who may decide and the written
        reason. Nothing moves in the registry: the version keeps its aliases, and is
        tagged ``mlops.declined``.

        Returns
        -------
        mlops_kit.audit.AuditEntry or None
            The ``declined`` audit entry (None when the registry has no audit log).
        """
        decision = self.gate_decision(model_name, version)
        problems = list(_role_problems(role))
        if decision.decision is Decision.PROMOTE:
            problems.insert(
                0,
                f"Model {model_name} version {version} was promoted by the gate, so there is "
                "no held-back decision to decline; move its alias instead. Got a decline.",
            )
        else:
            try:
                approve(
                    decision,
                    approver=reviewer,
                    justification=justification,
                    approvers=decision.policy.get("approvers", ()),
                )
            except ApprovalError as exc:
                problems = [*exc.problems, *problems]
        if problems:
            raise ApprovalError("\n".join(problems), problems=tuple(problems))
        record = {
            "reviewer": reviewer.strip(),
            "justification": justification.strip(),
            "decision_seen": decision.decision.value,
            "trained_by": decision.trained_by,
            **({"role": role.strip()} if role else {}),
        }
        entry = self._record(
            "declined",
            reviewer.strip(),
            self.get(model_name, version=version).run_id,
            model_name=model_name,
            version=version,
            **{k: v for k, v in record.items() if k != "reviewer"},
        )
        with self._session():
            self._client().set_model_version_tag(
                model_name, str(version), "mlops.declined", json.dumps(record)
            )
        return entry


def _role_problems(role: str | None) -> tuple[str, ...]:
    if role is None or (isinstance(role, str) and role.strip()):
        return ()
    return (
        "The approver's role, when given, must say in what capacity they sign off (for "
        f"example 'Head of Benefit Policy'). Got {role!r}.",
    )
