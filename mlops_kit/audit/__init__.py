"""An append-only, hash-chained audit log: who did what to which model, and proof it is intact.

The log is a JSON-lines file (one entry per line) that the kit only ever appends to.
Each entry records what happened (:class:`AuditEvent`: data loaded, tuned, trained,
evaluated, gate decision, approval, override or decline, registration, alias change,
model loaded, run failed), who did it (``actor``), the pipeline run it belongs to
(``run_id``) and free ``details`` such as the dataset's SHA-256.

The chain
    Every entry carries a sequence number ``seq`` (1, 2, 3, ...), the hash of the
    entry before it (``prev_hash``; the first entry has 64 zeros) and its own
    ``hash``: the SHA-256 of its content written as canonical JSON (sorted keys, no
    spaces, UTF-8), everything but the ``hash`` field itself. Changing one character
    of an entry changes its hash; recomputing that hash breaks the link from the next
    entry; so an edit anywhere shows up when the chain is checked.

The head
    After each append the last entry's ``seq`` and ``hash`` are written to a small
    *head* file. By default it lives in a different folder from the log,
    ``<log folder>/../.mlops/<log name>.head.json`` (for the workspace log
    ``audit/audit.jsonl`` that is ``.mlops/audit.head.json``). The chain alone cannot
    catch someone who rewrites the whole log and recomputes every hash, nor someone
    who deletes the last entries; the head can, because it no longer matches the
    log's last entry. Keeping it out of the log's folder means that editing, replacing
    or deleting that folder alone cannot hide a rewrite. Two logs with the same file
    name in sibling folders would share a default head: give one of them its own
    ``head_path``.

What :meth:`AuditLog.verify` detects, reporting the first problem in file order
    - ``"unreadable"``: a line that is not a JSON audit entry (garbage, a half-written
      line), or a head file that cannot be read;
    - ``"altered"``: an entry whose content no longer matches its recorded hash, or
      whose link to the entry before it is broken (one of them was edited and its hash
      recomputed);
    - ``"removed"``: a gap in the sequence numbers: entries deleted from the middle;
    - ``"reordered"``: entries present but out of order;
    - ``"inserted"``: an entry that does not belong, such as a repeated sequence number
      or entries added after the last one the head records;
    - ``"truncated"``: the log ends before the entry the head records (entries removed
      from the end, or the log emptied or deleted);
    - ``"rewritten"``: the chain is consistent but its last entry is not the one the
      head records: the log was rewritten with its hashes recomputed;
    - ``"head_missing"``: the log has entries but the head file is gone.

Limits
    This *detects* tampering; it does not *prevent* it. Anyone who can write to both
    the log and its head can delete both, or rewrite both consistently. To guard
    against that, keep the head somewhere the people who run pipelines cannot write
    (another machine, an access-controlled share, a write-once store): the head path is
    a parameter. A pipeline stopped exactly between writing an entry and updating the
    head leaves the log one entry ahead of the head, reported as ``"inserted"``; the
    log then refuses further entries until someone responsible has looked at it.

A public submodule serves the lessons and exercises: :mod:`mlops_kit.audit.trace`
follows a registered model version back to its run, data, code, trainer and sign-offs.

Appending is safe across processes: each append holds a file lock (``<log>.lock``),
checks the whole log first, then writes one complete line with a single write, forces
it to disk and replaces the head atomically, so two pipelines sharing a log lose no
entry and corrupt nothing.

Examples
--------
>>> import tempfile, pathlib
>>> workspace = pathlib.Path(tempfile.mkdtemp())
>>> log = default_audit_log(workspace)
>>> first = log.append("data_loaded", actor="a.analyst", run_id="run-1", sha256="ab" * 32)
>>> second = log.append(AuditEvent.TRAINED, actor="a.analyst", run_id="run-1", model="hgb")
>>> second.seq, second.prev_hash == first.hash, len(log)
(2, True, 2)
>>> log.verify().ok
True
>>> lines = log.path.read_text(encoding="utf-8").replace('"hgb"', '"rf"')
>>> _ = log.path.write_text(lines, encoding="utf-8")
>>> print(log.verify().problem)
Entry seq 2 on line 2 has been altered: its content no longer matches its recorded hash.
"""

from ._entry import AuditEntry, AuditEvent, entry_hash
from ._log import AuditLog, default_audit_log
from ._verify import AuditVerification

__all__ = [
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "AuditVerification",
    "default_audit_log",
    "entry_hash",
]
