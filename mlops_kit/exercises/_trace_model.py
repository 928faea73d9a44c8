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
answer is checked, never written down. The workspace is built by ``_trace_workspace`` and
the checkers are in ``_trace_checks``; this module holds the exercise itself.
"""

from __future__ import annotations

from ._framework import Exercise, Question
from ._trace_checks import check_q1, check_q2, check_q3, check_q4, check_q5, check_q6
from ._trace_workspace import MODEL_NAME, TraceWorkspace, prepare_workspace, trace_workspace

# The workspace's names are re-exported: they are part of this exercise.
__all__ = [
    "EXERCISE",
    "MODEL_NAME",
    "TOOLS",
    "TraceWorkspace",
    "prepare_workspace",
    "trace_workspace",
]

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
            checker=check_q1,
            hint="`registry.versions(MODEL)` lists every version: the `aliases` column shows "
            "which is the champion and `run_id` the run that produced it. "
            '`registry.get(MODEL, alias="champion").run_id` gives it directly.',
        ),
        Question(
            id="trace_model.q2",
            prompt="The SHA-256 of the data the champion was trained on (all 64 characters).",
            checker=check_q2,
            hint="Each version is tagged with its training data's hash: "
            '`registry.get(MODEL, alias="champion").tags["mlops.data_sha256"]`. '
            "The run's `manifest.json` records it too.",
        ),
        Question(
            id="trace_model.q3",
            prompt="The name of the person who signed off the champion.",
            checker=check_q3,
            hint="A sign-off is an audit entry with the event 'approved' or 'overridden'. "
            "`audit.to_frame()` lists every entry: read the `actor` of the one whose details "
            "name the champion's version.",
        ),
        Question(
            id="trace_model.q4",
            prompt="The seq (sequence number) of the audit entry that records that sign-off.",
            checker=check_q4,
            hint='The same entry as in question 3: `audit.entries(event="overridden")` '
            'gives it (or event="approved"); its `.seq` is the number.',
        ),
        Question(
            id="trace_model.q5",
            prompt="Does the audit log verify? True or False.",
            checker=check_q5,
            hint="`audit.verify()` recomputes every hash and follows every link; its `.ok` "
            "is True or False.",
        ),
        Question(
            id="trace_model.q6",
            prompt="The seq of the first audit entry at fault (0 if the log verifies).",
            checker=check_q6,
            hint="`audit.verify()` names the first problem: read its `.problem`, or take "
            "`.first_bad_seq`.",
        ),
    ),
)
