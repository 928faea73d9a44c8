"""The trace_model exercise's checkers, one per question, and the facts they compare with.

Every expected answer is read from the workspace's registry and audit log when an answer
is checked (:func:`_facts`), never written down; each checker recognises the common
mistakes (a version number for a run id, the model file's hash for the data's, the
trainer for the approver, the last entry for the first one at fault) and says so.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._io import sha256_file
from ..audit import AuditEntry, AuditVerification
from ..data import dataset_info
from ..errors import ArtefactError, DataValidationError
from ._checks import as_number, as_text, describe
from ._feedback import AnswerTypeError, Feedback, correct, not_yet
from ._trace_workspace import TraceWorkspace

__all__ = ["check_q1", "check_q2", "check_q3", "check_q4", "check_q5", "check_q6"]


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


def _version_number_message(f: _Facts, thing: str) -> str:
    return (
        f"That is the champion's version number ({f.champion.number}), not its {thing}. "
        "A version number only counts registrations; the run id names the pipeline run "
        "(and its run folder) that produced the model."
    )


def check_q1(answer: Any, data: Any) -> Feedback:
    """Question 1's checker."""
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


def check_q2(answer: Any, data: Any) -> Feedback:
    """Question 2's checker."""
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


def check_q3(answer: Any, data: Any) -> Feedback:
    """Question 3's checker."""
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


def check_q4(answer: Any, data: Any) -> Feedback:
    """Question 4's checker."""
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


def check_q5(answer: Any, data: Any) -> Feedback:
    """Question 5's checker."""
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


def check_q6(answer: Any, data: Any) -> Feedback:
    """Question 6's checker."""
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
