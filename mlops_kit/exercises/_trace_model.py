"""Exercise 3, "trace_model": which run made the model in use, and who approved it?

The scenario: an internal auditor preparing an Algorithmic Transparency Recording
Standard (ATRS) record asks the benefits team to prove where the claims-triage model
in use came from and who signed it off. The exercise prepares a small workspace like
the pipeline's: two models trained by Alex Morgan and registered (version 1 on the
claims up to June 2024, version 2 on the claims to December 2024), both refused by the
governance gate for failing the four-fifths rule; version 1 promoted to champion by a
named approver's override, version 2 declined by another. Then someone edited one
audit entry by hand. Learners find the run behind the champion, the SHA-256 of its
training data, the approver and the audit entry that records the approval, and check
whether the audit log verifies and where it first fails.

Every expected answer is computed from the workspace's registry and audit log when an
answer is checked, never written down.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import numbers
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataValidationError
from ._checks import as_number, as_text, describe
from ._feedback import AnswerTypeError, Feedback, correct, not_yet
from ._framework import Exercise, Question

if TYPE_CHECKING:
    from ..audit import AuditEntry, AuditLog, AuditVerification
    from ..registry import Registry

__all__ = ["EXERCISE", "MODEL_NAME", "TraceWorkspace", "prepare_workspace", "trace_workspace"]

#: The registered model the exercise is about.
MODEL_NAME = "claims-triage"
_TRAINER = "Alex Morgan"
_APPROVER = ("Priya Shah", "Head of Fraud and Error Policy")
_DECLINER = ("Jordan Ellis", "Deputy Director, Counter Fraud")
#: (run id, last month of data) of the two runs, oldest first.
_RUNS = (
    ("20250106-091500-claims-triage-3f2a", "2024-06"),
    ("20250203-101200-claims-triage-9c41", "2024-12"),
)
_POLICY = {
    "high_impact": True,
    "min_metrics": {"roc_auc": 0.7},
    "four_fifths": True,
    "max_equalized_odds_difference": 0.1,
}
_MLFLOW_NOTICE = re.compile(
    r"(Successfully registered model|Created version|Registered model .* already exists)"
)


@dataclass(frozen=True)
class TraceWorkspace:
    """The exercise's workspace: a model registry and an audit log, as the pipeline leaves them.

    Attributes
    ----------
    path : pathlib.Path
        The workspace folder (``mlops.db``, ``mlartifacts/``, ``runs/``, ``audit/``).
    model_name : str
        The registered model to trace.
    """

    path: Path
    model_name: str = MODEL_NAME

    @property
    def audit(self) -> AuditLog:
        """The workspace's audit log (``audit/audit.jsonl``)."""
        from ..audit import default_audit_log

        return default_audit_log(self.path)

    @property
    def registry(self) -> Registry:
        """The workspace's model registry (MLflow, ``mlops.db``), with its audit log."""
        from ..registry import Registry

        return Registry(workspace=self.path, audit=self.audit)

    def _repr_html_(self) -> str:
        return (
            f"<p>Exercise workspace <code>{self.path}</code>: registered model "
            f"<code>{self.model_name}</code>, its registry <code>mlops.db</code>, run "
            "folders in <code>runs/</code> and the audit log <code>audit/audit.jsonl</code>."
            "</p>"
        )


def prepare_workspace(folder: str | os.PathLike[str]) -> TraceWorkspace:
    """Build the exercise's workspace in ``folder`` (about five seconds).

    Two runs of a logistic regression on a quarter of the bundled benefit claims,
    through the pipeline's own stages (validate, train, evaluate, gate, register),
    trained by Alex Morgan. The gate refuses both (four-fifths rule). Priya Shah
    overrides the refusal of version 1, which becomes the champion; Jordan Ellis
    declines version 2. Finally version 2's gate-decision entry is edited by hand to
    read "promote", which the audit log's verification catches.

    Raises
    ------
    DataValidationError
        ``folder`` already holds a workspace.
    """
    from ..audit.tamper import edit_entry
    from ..config import load_config
    from ..data import dataset_info, load_dataset
    from ..pipeline import evaluate_stage, gate_stage, register_stage, train_stage, validate_stage
    from ..pipeline._context import write_run_context
    from ..registry import code_version
    from ..widgets import sign_off

    # The card's human-written parts: the bundled claims config's (fictional) wording.
    card = load_config(dataset_info("benefit_claims").config).transparency.model_dump(mode="json")

    root = Path(folder).resolve()
    if (root / "mlops.db").exists() or (root / "audit").exists():
        raise DataValidationError(
            f"prepare_workspace needs an empty folder; {root} already holds a workspace.",
            path=str(root),
        )
    (root / "data").mkdir(parents=True, exist_ok=True)
    claims = load_dataset("benefit_claims", validate=False).iloc[::4]
    workspace = TraceWorkspace(root)
    log = workspace.audit
    # MLflow announces each registration ("Created version '1' ..."); learners need not
    # see that, but anything else written to standard error is passed on.
    said = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
        for number, (run_id, last_month) in enumerate(_RUNS, start=1):
            data = root / "data" / f"claims_to_{last_month}.csv"
            claims[claims["month"] <= last_month].to_csv(data, index=False)
            run_dir = root / "runs" / run_id
            write_run_context(
                run_dir,
                run_id=run_id,
                trained_by=_TRAINER,
                workspace=str(root),
                audit_log=str(log.path),
                code_version=code_version(),
            )
            validate_stage(
                run_dir,
                data=str(data),
                target="flagged",
                positive_is="adverse",
                protected=["sex", "ethnic_group"],
                exclude=["claim_id"],
                time_column="month",
            )
            train_stage(run_dir, model="logistic", cv_folds=0, seed=0, split="time", threshold=0.3)
            evaluate_stage(run_dir, n_bootstrap=0)
            gate_stage(run_dir, policy=_POLICY, transparency=card)
            register_stage(run_dir, registry={"model_name": MODEL_NAME}, transparency=card)
            if number == 1:
                sign_off(
                    workspace.registry,
                    MODEL_NAME,
                    1,
                    approver=_APPROVER[0],
                    role=_APPROVER[1],
                    justification=(
                        "Six-month pilot: a caseworker reviews every flag before any contact "
                        "with the claimant, and fairness is re-checked every month."
                    ),
                )
            else:
                sign_off(
                    workspace.registry,
                    MODEL_NAME,
                    2,
                    approver=_DECLINER[0],
                    role=_DECLINER[1],
                    justification=(
                        "The four-fifths rule still fails by ethnic group; the pilot model "
                        "stays in use until a fairer one passes the gate."
                    ),
                    decision="decline",
                )
    for line in said.getvalue().splitlines():
        if line.strip() and not _MLFLOW_NOTICE.match(line):
            print(line, file=sys.stderr)
    gates = [e for e in log.entries(event="gate_decision") if e.run_id == _RUNS[1][0]]
    edit_entry(log, gates[-1].seq, decision="promote")
    return workspace


@functools.lru_cache(maxsize=1)
def _prepared() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mlops-kit-trace-model-"))
    # The workspace lasts as long as the Python session (the notebook's kernel).
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return prepare_workspace(folder).path


def trace_workspace() -> TraceWorkspace:
    """The exercise's workspace, prepared once per Python session in a temporary folder.

    Each call returns a new :class:`TraceWorkspace` on the same folder; the checks
    read the registry and audit log as they are when an answer is checked.
    """
    return TraceWorkspace(_prepared())


# ---------------------------------------------------------------------------------------
# What the checks compare with, read from the registry and the audit log
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    number: int
    run_id: str
    data_sha256: str
    artefact_sha256: str
    mlflow_run_id: str | None


@dataclass(frozen=True)
class _Facts:
    model_name: str
    champion: _Version
    others: tuple[_Version, ...]
    trained_by: str
    approval: AuditEntry | None
    other_sign_offs: tuple[AuditEntry, ...]
    related: dict[str, AuditEntry]  # "alias_changed", "registered", "gate_decision"
    verification: AuditVerification
    last_seq: int
    bundled_sha256: str


def _facts(data: Any) -> _Facts:
    from .._io import sha256_file
    from ..data import dataset_info
    from ..errors import ArtefactError

    if not isinstance(data, TraceWorkspace):
        raise DataValidationError(
            "The trace_model checks need the exercise's TraceWorkspace (from "
            f"load_exercise_data('trace_model')). Got {describe(data)} instead."
        )
    registry, log = data.registry, data.audit
    champion_mv = registry.get(data.model_name, alias="champion")

    def version(number: int) -> _Version:
        mv = registry.get(data.model_name, version=number)
        try:
            mlflow_run = registry.find_run(str(mv.run_id))["mlflow_run_id"]
        except ArtefactError:
            mlflow_run = None
        return _Version(number, str(mv.run_id), mv.data_sha256 or "", str(mv.sha256), mlflow_run)

    champion = version(champion_mv.version)
    numbers_ = [int(v) for v in registry.versions(data.model_name).index]
    others = tuple(version(n) for n in numbers_ if n != champion.number)
    entries = log.entries()

    def about(entry: AuditEntry, number: int) -> bool:
        return (
            entry.details.get("model_name") == data.model_name
            and entry.details.get("version") == number
        )

    approvals = [
        e for e in entries if e.event in ("approved", "overridden") and about(e, champion.number)
    ]
    approval = approvals[-1] if approvals else None
    related: dict[str, AuditEntry] = {}
    for e in entries:
        if e.event == "alias_changed" and e.details.get("to_version") == champion.number:
            related.setdefault("alias_changed", e)
        if e.event == "registered" and about(e, champion.number):
            related.setdefault("registered", e)
        if e.event == "gate_decision" and e.run_id == champion.run_id:
            related.setdefault("gate_decision", e)
    other_sign_offs = tuple(
        e
        for e in entries
        if e.event in ("approved", "overridden", "declined") and e is not approval
    )
    return _Facts(
        model_name=data.model_name,
        champion=champion,
        others=others,
        trained_by=champion_mv.tags.get("mlops.trained_by", ""),
        approval=approval,
        other_sign_offs=other_sign_offs,
        related=related,
        verification=log.verify(),
        last_seq=entries[-1].seq if entries else 0,
        bundled_sha256=sha256_file(dataset_info("benefit_claims").path),
    )


def _is_number(answer: Any) -> bool:
    return isinstance(answer, numbers.Real | np.integer | np.floating) and not isinstance(
        answer, bool | np.bool_
    )


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# ---------------------------------------------------------------------------------------
# The checkers, one per question
# ---------------------------------------------------------------------------------------


def _version_number_message(f: _Facts, thing: str) -> str:
    return (
        f"That is the champion's version number ({f.champion.number}), not its {thing}. "
        "A version number only counts registrations; the run id names the pipeline run "
        "(and its run folder) that produced the model."
    )


def _check_q1(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    expected = "the run id as a string, such as '20250101-120000-claims-triage-ab12'"
    if _is_number(answer):
        if float(answer) == f.champion.number:
            return not_yet(_version_number_message(f, "run id"))
        raise AnswerTypeError(f"Expected {expected}; got {describe(answer)}.")
    text = as_text(answer, expected=expected)
    if text == f.champion.run_id:
        return correct(
            f"Right: run {text} produced version {f.champion.number}, the champion. Its run "
            "folder holds the config, the manifest and the executed notebooks, so anyone "
            "can see exactly how the model in use was made."
        )
    if text.isdigit() and int(text) == f.champion.number:
        return not_yet(_version_number_message(f, "run id"))
    if text == f.champion.mlflow_run_id:
        return not_yet(
            "That is MLflow's internal id for the run (32 hexadecimal characters). The "
            "pipeline's own run id is the name of the run folder, recorded on the version "
            "as its `run_id` (the tag `mlops.run_id`)."
        )
    for other in f.others:
        if text in (other.run_id, other.mlflow_run_id):
            return not_yet(
                f"That run produced version {other.number}, which is not the champion. The "
                "newest version is not always the one in use: look for the `champion` alias."
            )
    if len(text) >= 8 and f.champion.run_id.startswith(text):
        return not_yet("That is the start of the right run id: give it in full.")
    return not_yet(
        f"{text!r} is not the run id of any version of {f.model_name}. Copy it from the "
        "`run_id` column of the versions table."
    )


def _check_q2(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    text = as_text(answer, expected="the data's SHA-256 as a string of 64 hexadecimal characters")
    text = text.lower()
    right = f.champion.data_sha256
    if text == right:
        return correct(
            f"Right: version {f.champion.number} was trained on data with SHA-256 "
            f"{right[:16]}... Anyone holding a copy of the data can hash it and prove it is "
            "the same file, byte for byte; a changed file gets a different hash."
        )
    if text == f.champion.artefact_sha256:
        return not_yet(
            "That is the SHA-256 of the stored model file (checked every time the model "
            "is loaded), not of the data it was trained on. Look for the data's hash: the "
            "tag `mlops.data_sha256`."
        )
    if len(text) < 64 and (right.startswith(text) or f.champion.artefact_sha256.startswith(text)):
        which = "data's" if right.startswith(text) else "model file's"
        return not_yet(
            f"That is the start of the {which} hash, as a table shortens it. Give all 64 "
            "characters: a shortened hash is much weaker proof."
        )
    for other in f.others:
        if text == other.data_sha256:
            return not_yet(
                f"That is the data of version {other.number}, which was trained on later "
                "claims as well. The champion is a different version."
            )
    if text == f.bundled_sha256:
        return not_yet(
            "That is the hash of the whole bundled claims file. The champion was trained on "
            "an extract of it, and the registry records the hash of the file actually used."
        )
    return not_yet(
        "That is not the SHA-256 of the champion's training data. It is recorded on the "
        "champion's version as the tag `mlops.data_sha256`, and in its run's manifest."
    )


def _check_q3(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    text = as_text(answer, expected="the approver's name as a string, such as 'Sam Lee'")
    if f.approval is None:
        return not_yet(
            f"No approval of version {f.champion.number} is recorded in the audit log, so "
            "no name can be right: the champion was promoted without a sign-off."
        )
    if _same_name(text, f.approval.actor):
        kind = "overrode the gate's refusal" if f.approval.event == "overridden" else "approved"
        return correct(
            f"Right: {f.approval.actor} {kind} on {f.approval.timestamp[:10]}, with a written "
            "justification. A named, accountable person signed it off, and it was not the "
            "person who trained it."
        )
    if _same_name(text, f.trained_by):
        return not_yet(
            f"{f.trained_by} trained the model. The rules forbid the trainer approving their "
            "own model (separation of duties), so the approver is someone else: look for the "
            "'overridden' or 'approved' entry in the audit log."
        )
    for entry in f.other_sign_offs:
        if _same_name(text, entry.actor):
            verb = "declined" if entry.event == "declined" else "signed off"
            return not_yet(
                f"{entry.actor} {verb} version {entry.details.get('version')}, not the "
                f"champion (version {f.champion.number})."
            )
    return not_yet(
        f"{text!r} did not sign off the champion. The audit log names everyone who did: "
        "the `actor` of each entry."
    )


def _check_q4(answer: Any, data: Any) -> Feedback:
    f = _facts(data)
    if f.approval is None:
        return not_yet("No approval of the champion is recorded, so no entry proves one.")
    right = f.approval
    # Twelve characters or more is a hash (or its start), even one that happens to be all
    # digits; a seq in quotes is far shorter.
    if isinstance(answer, str) and len(answer.strip()) >= 12:
        text = answer.strip().lower()
        if right.hash.startswith(text):
            return correct(
                f"Right: that is the hash of entry seq {right.seq}, the {right.event} entry."
            )
        return not_yet(
            "That is not the hash of the entry that records the approval. A seq number "
            "(a whole number) is enough."
        )
    seq = as_number(answer, expected="the entry's seq, a whole number such as 5")
    if seq == right.seq:
        return correct(
            f"Right: entry seq {right.seq} ('{right.event}', by {right.actor}, hash "
            f"{right.hash[:12]}...) records the sign-off, with the justification and the gate "
            "decision the approver saw. Its hash is part of the chain, so it cannot be changed "
            "without verification noticing."
        )
    messages = {
        "alias_changed": "That entry moves the champion alias to the version, which follows "
        "from the approval. The approval itself is recorded just before it.",
        "registered": "That entry records the version's registration, before anyone signed it off.",
        "gate_decision": "That entry records the gate's decision (a refusal), which the "
        "approver then overrode.",
    }
    for event, message in messages.items():
        entry = f.related.get(event)
        if entry is not None and seq == entry.seq:
            return not_yet(message)
    for entry in f.other_sign_offs:
        if seq == entry.seq:
            return not_yet(
                f"That entry is {entry.actor}'s sign-off ({entry.event}) of version "
                f"{entry.details.get('version')}, not the champion's approval."
            )
    if seq == f.champion.number:
        return not_yet(
            "That is the champion's version number. The question asks for the audit entry's "
            "sequence number (`seq`)."
        )
    return not_yet(f"Entry seq {seq:g} does not record the approval of the champion.")


def _check_q5(answer: Any, data: Any) -> Feedback:
    from ..audit import AuditVerification

    f = _facts(data)
    if isinstance(answer, AuditVerification):
        raise AnswerTypeError(
            "Expected True or False; got the whole verification result. Give its `.ok`."
        )
    if not isinstance(answer, bool | np.bool_):
        tip = " Write it without quotes." if isinstance(answer, str) else ""
        raise AnswerTypeError(f"Expected True or False; got {describe(answer)}.{tip}")
    v = f.verification
    if bool(answer) == v.ok:
        if v.ok:
            return correct(f"Right: the audit log is intact ({v.n_entries} entries).")
        return correct(
            f"Right: the audit log fails verification ({v.kind}). Someone changed it after "
            "it was written, so it cannot be taken at its word from that point on."
        )
    if v.ok:
        return not_yet("Run `audit.verify()`: the log is intact.")
    return not_yet(
        "Reading the entries works, but `entries()` and `to_frame()` do not check the "
        "chain. Run `audit.verify()`: it recomputes every hash and follows every link."
    )


def _check_q6(answer: Any, data: Any) -> Feedback:
    from ..audit import AuditVerification

    f = _facts(data)
    v = f.verification
    if isinstance(answer, AuditVerification):
        raise AnswerTypeError(
            "Expected the seq of the first entry at fault, a whole number; got the whole "
            "verification result. Give its `.first_bad_seq`."
        )
    seq = as_number(answer, expected="a whole number (0 when the log verifies)")
    expected = 0 if v.ok else (v.first_bad_seq or 0)
    if seq == expected:
        if v.ok:
            return correct("Right: the log verifies, so no entry is at fault.")
        approved = (
            f" The approval (seq {f.approval.seq}) comes before it: it still matches its "
            "hash and the next entry still links to it, so it still stands as proof."
            if f.approval is not None and f.approval.seq < expected
            else ""
        )
        return correct(
            f"Right: entry seq {expected} is the first one at fault. {v.problem}{approved} "
            "Everything from there on must be investigated before the log is used again."
        )
    if not v.ok and seq == f.last_seq and expected != f.last_seq:
        return not_yet(
            "That is the last entry in the log, not the first one at fault. "
            "`audit.verify()` reports the first problem in file order."
        )
    if not v.ok and seq == expected + 1:
        return not_yet(
            "That is the entry after the one at fault. Verification names the first entry "
            "that no longer matches its own recorded hash."
        )
    if f.approval is not None and seq == f.approval.seq:
        return not_yet(
            "That is the approval entry, which still checks out. The problem is elsewhere: "
            "read `audit.verify().problem`."
        )
    if v.ok:
        return not_yet("The log verifies, so no entry is at fault: answer 0.")
    return not_yet(f"Entry seq {seq:g} is not the first one at fault.")


#: The calls that answer the questions, in plain words, for the novice track.
TOOLS: tuple[tuple[str, str], ...] = (
    (
        "registry.versions(MODEL)",
        "a table of every version, with its aliases (champion is the model in use), "
        "the gate's decision, the run that produced it and who trained it.",
    ),
    (
        'registry.get(MODEL, alias="champion")',
        "one version; its .run_id, .version and .tags (a dict) hold what was recorded"
        " when it was registered.",
    ),
    ("registry.find_run(run_id)", "what MLflow recorded for a run: its tags and metrics."),
    (
        "audit.to_frame()",
        "every audit entry as a table: seq, timestamp, event, actor (who), run_id and"
        " details. audit.entries(event=...) gives the entries themselves.",
    ),
    ("audit.verify()", "recomputes every hash and follows every link of the chain."),
)


EXERCISE = Exercise(
    id="trace_model",
    title="Trace the model in use: its run, its data, its approver and the proof",
    load_data=trace_workspace,
    terms=TOOLS,
    questions=(
        Question(
            id="trace_model.q1",
            prompt=f"The run id of the run that produced the champion version of {MODEL_NAME}.",
            checker=_check_q1,
            hint="`registry.versions(MODEL)` lists every version: the `aliases` column shows "
            "which is the champion and `run_id` the run that produced it. "
            '`registry.get(MODEL, alias="champion").run_id` gives it directly.',
        ),
        Question(
            id="trace_model.q2",
            prompt="The SHA-256 of the data the champion was trained on (all 64 characters).",
            checker=_check_q2,
            hint="Each version is tagged with its training data's hash: "
            '`registry.get(MODEL, alias="champion").tags["mlops.data_sha256"]`. '
            "The run's `manifest.json` records it too.",
        ),
        Question(
            id="trace_model.q3",
            prompt="The name of the person who signed off the champion.",
            checker=_check_q3,
            hint="A sign-off is an audit entry with the event 'approved' or 'overridden'. "
            "`audit.to_frame()` lists every entry: read the `actor` of the one whose details "
            "name the champion's version.",
        ),
        Question(
            id="trace_model.q4",
            prompt="The seq (sequence number) of the audit entry that records that sign-off.",
            checker=_check_q4,
            hint='The same entry as in question 3: `audit.entries(event="overridden")` '
            'gives it (or event="approved"); its `.seq` is the number.',
        ),
        Question(
            id="trace_model.q5",
            prompt="Does the audit log verify? True or False.",
            checker=_check_q5,
            hint="`audit.verify()` recomputes every hash and follows every link; its `.ok` "
            "is True or False.",
        ),
        Question(
            id="trace_model.q6",
            prompt="The seq of the first audit entry at fault (0 if the log verifies).",
            checker=_check_q6,
            hint="`audit.verify()` names the first problem: read its `.problem`, or take "
            "`.first_bad_seq`.",
        ),
    ),
)
