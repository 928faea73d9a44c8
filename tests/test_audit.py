"""The audit log: a hash chain that catches tampering, and safe appends from many processes."""

from __future__ import annotations

import ast
import hashlib
import inspect
import itertools
import json
import multiprocessing
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from filelock import FileLock

import mlops_kit.audit as audit
from mlops_kit.audit import (
    AuditEntry,
    AuditEvent,
    AuditLog,
    AuditVerification,
    default_audit_log,
)
from mlops_kit.audit._entry import GENESIS_HASH
from mlops_kit.errors import AuditError, MlopsKitError

PIPELINE: list[tuple[AuditEvent, dict[str, Any]]] = [
    (AuditEvent.DATA_LOADED, {"sha256": "ab" * 32, "rows": 1200}),
    (AuditEvent.TRAINED, {"model": "hgb", "seed": 0}),
    (AuditEvent.EVALUATED, {"roc_auc": 0.8125, "note": "step-3"}),
    (AuditEvent.GATE_DECISION, {"decision": "promote"}),
    (AuditEvent.REGISTERED, {"name": "claims", "version": 1}),
]


def _independent_hash(entry: dict[str, Any]) -> str:
    content = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines()


def _write_lines(log: AuditLog, lines: list[str]) -> None:
    log.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    """An empty log in a fresh workspace (nothing on disk yet)."""
    return default_audit_log(tmp_path / "workspace")


@pytest.fixture
def filled(log: AuditLog) -> AuditLog:
    """The log after one pipeline run: five entries."""
    for event, details in PIPELINE:
        log.append(event, actor="a.analyst", run_id="run-1", **details)
    return log


def test_entries_chain_and_hashes(filled: AuditLog) -> None:
    entries = filled.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    assert [e.event for e in entries] == [event.value for event, _ in PIPELINE]
    assert entries[2].details == {"roc_auc": 0.8125, "note": "step-3"}
    assert all(e.actor == "a.analyst" and e.run_id == "run-1" for e in entries)

    # Each line is one JSON entry whose hash anyone can recompute with hashlib.
    lines = _lines(filled)
    assert len(lines) == len(filled) == 5
    for line, entry in zip(lines, entries, strict=True):
        raw = json.loads(line)
        assert raw["hash"] == _independent_hash(raw) == entry.hash
        assert AuditEntry.from_dict(raw) == entry

    # The head holds the last seq and hash, in a folder other than the log's.
    head = json.loads(filled.head_path.read_text(encoding="utf-8"))
    assert head == {"seq": 5, "hash": entries[-1].hash}
    assert filled.head_path.parent != filled.path.parent
    assert filled.head_path.parent.name == ".mlops"

    result = filled.verify()
    assert result.ok
    assert (result.n_entries, result.kind, result.problem, result.first_bad_line) == (
        5,
        None,
        None,
        None,
    )
    assert "is intact" in result.summary()


def test_append_returns_the_entry_as_written(log: AuditLog) -> None:
    entry = log.append("model_loaded", actor="svc-scoring", sha256_verified=True)
    assert entry == log.entries()[0]
    assert entry.event == "model_loaded"
    assert type(entry.event) is str
    assert entry.run_id is None
    assert entry.timestamp.endswith("+00:00")
    assert entry.computed_hash() == entry.hash
    assert entry.to_dict() == json.loads(_lines(log)[0])


def test_details_are_stored_as_plain_json(log: AuditLog) -> None:
    entry = log.append(
        "evaluated",
        actor="a.analyst",
        auc=np.float64(0.75),
        n=np.int64(12),
        path=Path("data/claims.csv"),
        groups=("F", "M"),
        event="a detail may be called event",
    )
    assert entry.details == {
        "auc": 0.75,
        "n": 12,
        "path": "data/claims.csv",
        "groups": ["F", "M"],
        "event": "a detail may be called event",
    }
    assert type(entry.details["n"]) is int
    assert log.verify().ok


def test_empty_or_missing_log_is_valid_and_reading_creates_nothing(
    tmp_path: Path, log: AuditLog
) -> None:
    result = log.verify()
    assert result.ok
    assert result.n_entries == 0
    assert "empty" in result.summary()
    assert log.entries() == []
    assert len(log) == 0
    assert bool(log)  # an empty log is still a log: `log or default_audit_log()` keeps it
    assert _files(tmp_path) == []

    log.path.parent.mkdir(parents=True)
    log.path.write_text("", encoding="utf-8")
    assert log.verify().ok
    assert log.append("trained", actor="a.analyst").seq == 1


def _alter_detail(log: AuditLog) -> None:
    lines = _lines(log)
    assert "step-3" in lines[2]
    lines[2] = lines[2].replace("step-3", "step-8")
    _write_lines(log, lines)


def _delete_entry_3(log: AuditLog) -> None:
    lines = _lines(log)
    del lines[2]
    _write_lines(log, lines)


def _swap_2_and_3(log: AuditLog) -> None:
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    _write_lines(log, lines)


def _delete_last(log: AuditLog) -> None:
    _write_lines(log, _lines(log)[:-1])


def _rewrite_consistently(log: AuditLog) -> None:
    """Change a detail and recompute every hash and link: the chain alone looks fine."""
    prev = GENESIS_HASH
    lines = []
    for line in _lines(log):
        raw = json.loads(line)
        if raw["seq"] == 2:
            raw["details"]["model"] = "rf"
        raw["prev_hash"] = prev
        raw["hash"] = prev = _independent_hash(raw)
        lines.append(json.dumps(raw))
    _write_lines(log, lines)


def _delete_head(log: AuditLog) -> None:
    log.head_path.unlink()


def _append_garbage(log: AuditLog) -> None:
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write("this is not JSON\n")


def _alter_and_rehash_entry_3(log: AuditLog) -> None:
    lines = _lines(log)
    raw = json.loads(lines[2])
    raw["details"]["roc_auc"] = 0.99
    raw["hash"] = _independent_hash(raw)
    lines[2] = json.dumps(raw)
    _write_lines(log, lines)


def _copy_entry_2_to_the_end(log: AuditLog) -> None:
    lines = _lines(log)
    _write_lines(log, [*lines, lines[1]])


def _empty_the_log(log: AuditLog) -> None:
    log.path.write_text("", encoding="utf-8")


def _delete_the_log(log: AuditLog) -> None:
    log.path.unlink()


def _roll_back_the_head(log: AuditLog) -> None:
    """Entries added behind the kit's back: the chain is fine but the head is behind."""
    entries = log.entries()
    log.head_path.write_text(json.dumps({"seq": 3, "hash": entries[2].hash}), encoding="utf-8")


TAMPERING = {
    "one character of entry 3": (_alter_detail, "altered", 3, 3),
    "entry 3 deleted": (_delete_entry_3, "removed", 3, 3),
    "entries 2 and 3 swapped": (_swap_2_and_3, "reordered", 2, 3),
    "last entry deleted": (_delete_last, "truncated", 5, 5),
    "whole log rewritten": (_rewrite_consistently, "rewritten", 5, 5),
    "head deleted": (_delete_head, "head_missing", None, None),
    "garbage line appended": (_append_garbage, "unreadable", 6, None),
    "entry 3 altered and rehashed": (_alter_and_rehash_entry_3, "altered", 3, 3),
    "entry 2 copied to the end": (_copy_entry_2_to_the_end, "inserted", 6, 2),
    "log emptied": (_empty_the_log, "truncated", 1, 1),
    "log deleted": (_delete_the_log, "truncated", 1, 1),
    "head rolled back": (_roll_back_the_head, "inserted", 4, 4),
}


@pytest.mark.parametrize(
    ("tamper", "kind", "line", "seq"), list(TAMPERING.values()), ids=list(TAMPERING)
)
def test_tampering_is_detected_and_blocks_appends(
    filled: AuditLog,
    tamper: Callable[[AuditLog], None],
    kind: str,
    line: int | None,
    seq: int | None,
) -> None:
    assert filled.verify().ok
    tamper(filled)

    result = filled.verify()
    assert not result.ok
    assert (result.kind, result.first_bad_line, result.first_bad_seq) == (kind, line, seq)
    assert result.problem is not None
    if line is not None and kind != "truncated":
        assert f"line {line}" in result.problem.lower()
    assert kind in result.summary()
    assert result.problem in result.summary()

    before = filled.path.read_bytes() if filled.path.exists() else None
    with pytest.raises(AuditError, match="mlops-kit audit verify") as caught:
        filled.append("trained", actor="a.analyst")
    assert caught.value.kind == kind
    assert (filled.path.read_bytes() if filled.path.exists() else None) == before


def test_only_the_first_problem_is_reported(filled: AuditLog) -> None:
    _alter_detail(filled)
    _append_garbage(filled)
    result = filled.verify()
    assert (result.kind, result.first_bad_line) == ("altered", 3)


def test_unreadable_line_names_its_number(filled: AuditLog) -> None:
    lines = _lines(filled)
    lines[3] = lines[3][:20]  # a half-written line
    _write_lines(filled, lines)
    with pytest.raises(AuditError, match="Line 4 "):
        filled.entries()
    assert (filled.verify().kind, filled.verify().first_bad_line) == ("unreadable", 4)


def test_missing_final_newline_is_not_a_problem(filled: AuditLog) -> None:
    filled.path.write_text(filled.path.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")
    assert filled.verify().ok
    assert filled.append("alias_changed", actor="a.lead", alias="champion").seq == 6
    assert filled.verify().ok
    assert len(_lines(filled)) == 6


def test_head_path_can_be_kept_elsewhere(tmp_path: Path) -> None:
    head = tmp_path / "restricted" / "claims.head.json"
    log = AuditLog(tmp_path / "logs" / "audit.jsonl", head_path=head)
    log.append("trained", actor="a.analyst")
    assert json.loads(head.read_text(encoding="utf-8"))["seq"] == 1
    assert log.verify().ok
    assert log.verify().head_path == str(head)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event": "trained", "actor": ""}, r"actor .* \(a non-empty string\)\. Got ''"),
        ({"event": "trained", "actor": "   "}, "actor .* Got '   '"),
        ({"event": "trainde", "actor": "x"}, "event .* Got 'trainde'.* Did you mean 'trained'"),
        ({"event": "deleted", "actor": "x"}, "must be one of data_loaded, tuned"),
        ({"event": "trained", "actor": "x", "columns": {"sex"}}, "Got {'sex'} for 'columns'"),
        ({"event": "trained", "actor": "x", "auc": float("nan")}, "Got nan for 'auc'"),
        ({"event": "trained", "actor": "x", "run_id": 7}, "run_id .* Got 7"),
    ],
    ids=["empty actor", "blank actor", "misspelt event", "unknown event", "set", "NaN", "run_id"],
)
def test_bad_input_is_refused_and_nothing_is_written(
    tmp_path: Path, log: AuditLog, kwargs: dict[str, Any], message: str
) -> None:
    kwargs = dict(kwargs)
    event = kwargs.pop("event")
    with pytest.raises(AuditError, match=message):
        log.append(event, **kwargs)
    assert _files(tmp_path) == []

    log.append("trained", actor="a.analyst")
    before = log.path.read_bytes(), log.head_path.read_bytes()
    with pytest.raises(AuditError):
        log.append(event, **kwargs)
    assert (log.path.read_bytes(), log.head_path.read_bytes()) == before


def test_audit_error_is_a_kit_error() -> None:
    assert issubclass(AuditError, MlopsKitError)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("event", "trainde", "Did you mean 'trained'"),
        ("actor", "", "actor"),
        ("seq", 0, "seq .* from 1"),
        ("timestamp", "2025-01-31T09:30:00+01:00", "UTC"),
        ("timestamp", "last Tuesday", "ISO 8601"),
        ("hash", "abc", "64 lowercase hexadecimal"),
        ("details", {"when": {1, 2}}, "'when'"),
    ],
)
def test_entries_are_validated_when_created(
    filled: AuditLog, field: str, value: Any, message: str
) -> None:
    good = filled.entries()[0].to_dict()
    assert AuditEntry.from_dict(good).to_dict() == good
    with pytest.raises(AuditError, match=message):
        AuditEntry.from_dict({**good, field: value})


def test_entries_filter_and_frame(filled: AuditLog) -> None:
    filled.append("trained", actor="b.analyst", run_id="run-2", model="rf")
    assert [e.seq for e in filled.entries(run_id="run-2")] == [6]
    assert [e.seq for e in filled.entries(event=AuditEvent.TRAINED)] == [2, 6]
    with pytest.raises(AuditError, match="Did you mean 'trained'"):
        filled.entries(event="trainde")

    frame = filled.to_frame()
    assert list(frame.columns) == [
        "seq",
        "timestamp",
        "event",
        "actor",
        "run_id",
        "details",
        "prev_hash",
        "hash",
    ]
    assert frame["seq"].tolist() == [1, 2, 3, 4, 5, 6]
    assert str(frame["timestamp"].dt.tz) == "UTC"
    assert frame["timestamp"].is_monotonic_increasing
    assert frame.loc[5, "details"] == {"model": "rf"}


def test_verification_renders_in_a_notebook(filled: AuditLog) -> None:
    good = filled.verify()
    assert "intact" in good._repr_html_()
    _delete_entry_3(filled)
    bad = filled.verify()
    assert isinstance(bad, AuditVerification)
    assert bad.to_dict()["kind"] == "removed"
    assert "removed" in bad._repr_html_()
    assert "<" not in str(bad.problem)


def _append_many(path: str, head_path: str, actor: str, n: int, barrier: Any) -> None:
    """Worker of the concurrency test: wait for the others, then append ``n`` entries."""
    log = AuditLog(path, head_path=head_path)
    barrier.wait()
    for index in range(n):
        log.append("trained", actor=actor, run_id=f"{actor}-run", index=index)


def test_concurrent_appends_lose_nothing(log: AuditLog) -> None:
    workers, per_worker = 3, 100
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    processes = [
        context.Process(
            target=_append_many,
            args=(str(log.path), str(log.head_path), f"worker-{k}", per_worker, barrier),
        )
        for k in range(workers)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * workers
    elapsed = time.perf_counter() - started

    entries = log.entries()
    assert len(entries) == workers * per_worker == len(_lines(log))
    assert [e.seq for e in entries] == list(range(1, workers * per_worker + 1))
    pairs = [(e.actor, e.details["index"]) for e in entries]
    assert len(set(pairs)) == len(pairs)
    assert set(pairs) == {(f"worker-{k}", i) for k in range(workers) for i in range(per_worker)}
    for k in range(workers):  # each worker's own entries keep their order
        mine = [i for actor, i in pairs if actor == f"worker-{k}"]
        assert mine == list(range(per_worker))
    result = log.verify()
    assert result.ok, result.problem
    assert elapsed < 30


def test_concurrent_threads_lose_nothing(log: AuditLog) -> None:
    def work(actor: str) -> None:
        for index in range(20):
            AuditLog(log.path).append("model_loaded", actor=actor, index=index)

    threads = [threading.Thread(target=work, args=(f"thread-{k}",)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in log.entries()] == list(range(1, 61))
    assert log.verify().ok


def test_a_held_lock_times_out_with_a_clear_error(log: AuditLog) -> None:
    log.append("trained", actor="a.analyst")
    impatient = AuditLog(log.path, lock_timeout=0.1)
    with FileLock(log.lock_path), pytest.raises(AuditError, match=r"lock .* more than 0.1 s"):
        impatient.append("trained", actor="b.analyst")
    assert len(log) == 1


def test_importing_creates_no_files(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import mlops_kit.audit as audit\n"
        "audit.default_audit_log()\n"
        "audit.AuditLog('audit.jsonl')\n"
        "heavy = {'pandas', 'sklearn', 'mlflow', 'optuna'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path) == []


def _has_own_docstring(value: object) -> bool:
    """A class, function or module with a docstring of its own (not one inherited)."""
    doc = vars(value).get("__doc__") if isinstance(value, type) else value.__doc__
    return bool(doc and doc.strip())


def _has_doc_comment(name: str) -> bool:
    """A constant or alias assigned at the top of an audit module with a ``#:`` comment
    (Sphinx's documentation comment) on the line above, or a docstring just below."""
    for path in sorted(Path(audit.__file__).parent.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines, tree = text.splitlines(), ast.parse(text)
        for index, node in enumerate(tree.body):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                continue
            above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
            following = tree.body[index + 1] if index + 1 < len(tree.body) else None
            below = (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            )
            if above.startswith("#:") or below:
                return True
    return False


def test_the_public_names_are_unique_defined_and_nothing_public_is_left_out() -> None:
    names = list(audit.__all__)
    assert names, "mlops_kit.audit.__all__ is empty"
    assert len(names) == len(set(names)), f"__all__ repeats a name: {names}"
    missing = [name for name in names if not hasattr(audit, name)]
    assert not missing, f"__all__ lists names the package does not define: {missing}"
    # Every public name the package holds (its submodules aside) is exported.
    public = {
        name
        for name, value in vars(audit).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public <= set(names), f"public but not in __all__: {sorted(public - set(names))}"


@pytest.mark.parametrize("name", audit.__all__)
def test_every_public_name_is_documented(name: str) -> None:
    value = getattr(audit, name)
    if isinstance(value, type) or inspect.isroutine(value) or inspect.ismodule(value):
        assert _has_own_docstring(value), f"mlops_kit.audit.{name} has no docstring"
    else:
        assert _has_doc_comment(name), f"mlops_kit.audit.{name} has no '#:' comment"


def test_the_public_names_import_from_the_package_in_a_fresh_interpreter(
    tmp_path: Path,
) -> None:
    code = (
        "import json\n"
        "import mlops_kit.audit as audit\n"
        "namespace = {}\n"
        "exec('from mlops_kit.audit import *', namespace)\n"
        "print(json.dumps([n for n in audit.__all__ if n not in namespace]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_package_imports_its_lesson_helpers_lightly(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import mlops_kit.audit.trace, mlops_kit.course._tamper\n"
        "heavy = {'pandas', 'sklearn', 'mlflow', 'optuna', 'ipywidgets'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert _files(tmp_path) == []


def test_a_decline_is_an_audit_event(log: AuditLog) -> None:
    entry = log.append(
        AuditEvent.DECLINED, actor="Jordan Ellis", model_name="m", version=2, role="Director"
    )
    assert entry.event == "declined"
    assert log.entries(event="declined") == [entry]


# --- Tampering on purpose (the drill in mlops_kit.course) ----------------------------------


def test_flip_byte_changes_one_bit_and_undo_restores_the_file(tmp_path: Path) -> None:
    from mlops_kit.course import flip_byte

    path = tmp_path / "model.skops"
    original = bytes(range(256)) * 4
    path.write_bytes(original)
    flip = flip_byte(path)
    changed = path.read_bytes()
    assert len(changed) == len(original)
    differing = [i for i, (a, b) in enumerate(zip(original, changed, strict=True)) if a != b]
    assert differing == [len(original) // 2] == [flip.offset]
    assert flip.before ^ flip.after == 1
    assert hashlib.sha256(changed).hexdigest() != hashlib.sha256(original).hexdigest()
    assert f"byte {flip.offset:,} of 1,024" in flip.summary()
    flip.undo()
    assert path.read_bytes() == original
    other = flip_byte(path, offset=0, mask=0xFF)
    assert path.read_bytes()[0] == 0xFF
    assert other.before == 0


def test_flip_byte_rejects_bad_input_and_undo_refuses_a_file_changed_since(
    tmp_path: Path,
) -> None:
    from mlops_kit.course import flip_byte

    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(MlopsKitError, match=r"existing, non-empty file.*empty"):
        flip_byte(empty)
    with pytest.raises(MlopsKitError, match=r"existing, non-empty file.*not a file"):
        flip_byte(tmp_path / "missing.bin")
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    with pytest.raises(MlopsKitError, match=r"'offset' .* from 0 to 2 .* Got 3 instead"):
        flip_byte(path, offset=3)
    with pytest.raises(MlopsKitError, match=r"'mask' .* from 1 to 255\. Got 0 instead"):
        flip_byte(path, mask=0)
    flip = flip_byte(path, offset=1)
    path.write_bytes(b"xyz")
    with pytest.raises(MlopsKitError, match="has changed since"):
        flip.undo()


def test_an_edited_entry_in_a_copy_is_named_and_the_original_stays_intact(
    filled: AuditLog, tmp_path: Path
) -> None:
    from mlops_kit.course import copy_audit_log, edit_entry

    drill = copy_audit_log(filled, tmp_path / "drill")
    assert drill.path == tmp_path / "drill" / "audit" / "audit.jsonl"
    assert drill.head_path == tmp_path / "drill" / ".mlops" / "audit.head.json"
    assert drill.verify().ok
    assert drill.verify().n_entries == 5
    edited = edit_entry(drill, 4, decision="refuse")
    assert edited["details"] == {"decision": "refuse"}
    result = drill.verify()
    assert (result.ok, result.kind, result.first_bad_seq) == (False, "altered", 4)
    assert "no longer matches its recorded hash" in str(result.problem)
    assert filled.verify().ok
    assert drill.entries()[3].details["decision"] == "refuse"
    assert filled.entries()[3].details["decision"] == "promote"

    forged = copy_audit_log(filled, tmp_path / "forged")
    entry = edit_entry(forged, 2, model="rf", recompute_hash=True)
    assert entry["hash"] == _independent_hash(entry)
    result = forged.verify()
    assert (result.kind, result.first_bad_seq) == ("altered", 2)
    assert "hash recomputed" in str(result.problem)
    with pytest.raises(AuditError, match="damaged log is never extended"):
        forged.append("trained", actor="a.analyst")


def test_edit_entry_and_copy_name_what_is_missing(log: AuditLog, tmp_path: Path) -> None:
    from mlops_kit.course import copy_audit_log, edit_entry

    with pytest.raises(AuditError, match="does not exist yet: there is nothing to copy"):
        copy_audit_log(log, tmp_path / "drill")
    log.append("trained", actor="a.analyst")
    with pytest.raises(AuditError, match=r"no entry seq 7: it has 1 entries"):
        edit_entry(log, 7, model="rf")
    with pytest.raises(AuditError, match="at least one detail"):
        edit_entry(log, 1)
    assert log.verify().ok


def test_attempt_catches_only_the_expected_error() -> None:
    from mlops_kit.course import attempt

    def refuse() -> None:
        raise AuditError("The log is damaged.")

    stopped = attempt(refuse, expect=AuditError)
    assert (stopped.stopped, stopped.error, stopped.message) == (
        True,
        "AuditError",
        "The log is damaged.",
    )
    assert stopped.summary() == "Stopped, as expected (AuditError): The log is damaged."
    assert "Stopped, as expected" in stopped._repr_html_()
    went = attempt(sorted, [3, 1, 2])
    assert (went.stopped, went.value) == (False, [1, 2, 3])
    assert went.summary().startswith("Not stopped")
    with pytest.raises(ZeroDivisionError):
        attempt(lambda: 1 / 0, expect=AuditError)


# --- Tracing a version (mlops_kit.audit.trace), on the trace_model exercise's workspace -------


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Two refused versions: v1 overridden by Priya Shah, v2 declined; one entry edited."""
    from mlops_kit.exercises._trace_model import prepare_workspace

    return prepare_workspace(tmp_path_factory.mktemp("traced"))


def _raw_entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_trace_version_follows_the_champion_to_its_run_data_and_sign_off(traced: Any) -> None:
    import sqlite3

    from mlops_kit.audit.trace import trace_version

    # Independently: the version tags straight from MLflow's SQLite store, the sign-off
    # straight from the log's JSON lines.
    with sqlite3.connect(traced.path / "mlops.db") as db:
        version = db.execute(
            "SELECT version FROM registered_model_aliases WHERE alias = 'champion'"
        ).fetchone()[0]
        tags = dict(
            db.execute(
                "SELECT key, value FROM model_version_tags WHERE version = ?", (version,)
            ).fetchall()
        )
    raw = _raw_entries(traced.path / "audit" / "audit.jsonl")
    override = [e for e in raw if e["event"] == "overridden"]
    assert len(override) == 1

    trail = trace_version(traced.registry, traced.model_name, alias="champion")
    assert trail.version == int(version) == 1
    assert trail.aliases == ("champion",)
    assert trail.run_id == tags["mlops.run_id"]
    assert trail.data_sha256 == tags["mlops.data_sha256"]
    assert trail.artefact_sha256 == tags["mlops.artefact_sha256"]
    assert trail.code_version == tags["mlops.code_version"]
    assert trail.trained_by == tags["mlops.trained_by"] == "Alex Morgan"
    assert trail.gate_decision == tags["mlops.gate_decision"] == "refuse"
    assert [e.hash for e in trail.sign_offs] == [override[0]["hash"]]
    assert trail.sign_offs[0].actor == "Priya Shah"
    assert [e.seq for e in trail.run_entries] == [
        e["seq"] for e in raw if e["run_id"] == trail.run_id
    ]
    assert trail.mlflow_run_id == traced.registry.find_run(trail.run_id)["mlflow_run_id"]
    assert trail.verification is not None
    assert not trail.verification.ok
    summary = trail.summary()
    assert f"Priya Shah overrode the gate's refusal on {override[0]['timestamp'][:10]}" in summary
    assert f"audit entry seq {override[0]['seq']}" in summary
    assert "fails verification (altered)" in summary
    frame = trail.to_frame()
    assert frame.loc["data SHA-256", "recorded"] == tags["mlops.data_sha256"]
    assert frame.loc["audit log", "recorded"] == "FAILS verification"
    assert json.dumps(trail.to_dict())
    assert "<caption>Trail of claims-triage version 1</caption>" in trail._repr_html_()
    # The same version, found by number or by the run that produced it.
    assert trace_version(traced.registry, traced.model_name, version=1).run_id == trail.run_id
    again = trace_version(traced.registry, traced.model_name, run_id=trail.run_id)
    assert again.version == 1
    declined = trace_version(traced.registry, traced.model_name, version=2)
    assert [(e.event, e.actor) for e in declined.sign_offs] == [("declined", "Jordan Ellis")]


def test_trace_version_needs_exactly_one_selector_and_a_known_run(traced: Any) -> None:
    from mlops_kit.audit.trace import trace_version

    with pytest.raises(MlopsKitError, match=r"exactly one of 'version', 'alias' and 'run_id'"):
        trace_version(traced.registry, traced.model_name)
    with pytest.raises(MlopsKitError, match=r"Got version=1, alias='champion', run_id=None"):
        trace_version(traced.registry, traced.model_name, version=1, alias="champion")
    with pytest.raises(MlopsKitError, match="was produced by run 'nope'"):
        trace_version(traced.registry, traced.model_name, run_id="nope")


def test_manifest_table_explains_each_recorded_item(traced: Any) -> None:
    from mlops_kit.audit.trace import manifest_table

    run_dir = next((traced.path / "runs").iterdir())
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    table = manifest_table(run_dir)
    assert list(table.columns) == ["recorded", "why it matters"]
    assert {"data", "code version", "environment", "seeds", "model", "trained by"} <= set(
        table.index
    )
    assert manifest["data"]["sha256"][:16] in str(table.loc["data", "recorded"])
    assert table.loc["code version", "recorded"] == manifest["code_version"]["label"]
    assert f"scikit-learn {manifest['packages']['scikit-learn']}" in str(
        table.loc["environment", "recorded"]
    )
    assert table.loc["seeds", "recorded"] == f"seed={manifest['seeds']['seed']}"
    assert table["why it matters"].str.len().min() > 20
    assert manifest_table(run_dir / "manifest.json").equals(table)
    assert manifest_table(manifest).equals(table)
    with pytest.raises(MlopsKitError, match="only registered runs carry a manifest"):
        manifest_table(traced.path)


def test_stored_model_file_is_the_registered_one_and_one_flipped_byte_stops_the_load(
    traced: Any,
) -> None:
    from mlops_kit.course import attempt, flip_byte, stored_model_file
    from mlops_kit.registry import ArtefactIntegrityError, Registry

    registry = Registry(workspace=traced.path)  # no audit log: this one is damaged
    stored = stored_model_file(registry, traced.model_name, 1)
    assert stored.suffix == ".skops"
    assert stored.is_relative_to(traced.path / "mlartifacts")
    recorded = registry.get(traced.model_name, version=1).sha256
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == recorded
    flip = flip_byte(stored)
    try:
        stopped = attempt(
            registry.load,
            traced.model_name,
            version=1,
            actor="A. Auditor",
            expect=ArtefactIntegrityError,
        )
        assert stopped.stopped
        assert "failed its integrity check" in str(stopped.message)
        assert stored_model_file(registry, traced.model_name, 1) == stored  # the file itself
    finally:
        flip.undo()
    assert registry.load(traced.model_name, version=1, actor="A. Auditor") is not None
    with pytest.raises(MlopsKitError, match="only on a local registry"):
        stored_model_file(Registry("http://127.0.0.1:5999"), traced.model_name, 1)
