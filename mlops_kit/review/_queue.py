"""The review queue: flagged cases wait for a named caseworker to accept or override them.

Part of :mod:`mlops_kit.review`; see the package docstring.

The queue is one JSON-lines file: a ``case`` line per flagged case and a ``decision``
line per decision. Every change rewrites the file atomically (a temporary file renamed
into place) while holding a file lock, so two caseworkers sharing a queue never lose a
decision and a crash never leaves half a file. Every decision is written to the audit
log first (``review_accepted`` or ``review_overridden``), and the queue records the
audit entry's sequence number and hash as its proof.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._io import atomic_write_text
from ..audit import AuditLog
from ..errors import ApprovalError, ConfigError, DataValidationError, did_you_mean
from ._cases import ReviewCase, flagged_cases
from ._decision import ACTIONS, MIN_REASON_CHARS, Action, ReviewDecision, check_reviewer
from ._rate import OverrideReport, override_rates

if TYPE_CHECKING:
    import pandas as pd

    from ..explain import ModelExplanation

__all__ = ["ReviewQueue"]


class ReviewQueue:
    """A file-backed queue of flagged cases and caseworkers' decisions on them.

    Parameters
    ----------
    path : str or path-like
        The queue file (JSON lines), e.g. ``review/queue.jsonl``; created on first write.
    audit : AuditLog
        Where every decision is recorded. Required: a decision nobody can audit is not
        recorded.
    run_id : str, optional
        The pipeline run whose model flagged the cases (recorded with each decision).
    min_reason_chars : int, default 15
        The shortest written reason an override may have.
    lock_timeout : float, default 30
        Seconds to wait for another process holding the queue.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mlops_kit.audit import default_audit_log
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> queue = ReviewQueue(folder / "queue.jsonl", audit=default_audit_log(folder))
    >>> queue.add([ReviewCase("BC1", 0.8, 0.3, "Flagged mainly because of ...")])
    1
    >>> decision = queue.decide("BC1", action="override", reviewer="Jo Khan",
    ...                         reason="Documents checked: the income is correct.")
    >>> decision.final_decision, len(queue.pending())
    ('not flagged', 0)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        audit: AuditLog,
        run_id: str | None = None,
        min_reason_chars: int = MIN_REASON_CHARS,
        lock_timeout: float = 30.0,
    ) -> None:
        if not isinstance(audit, AuditLog):
            raise ConfigError(
                "A review queue records every decision in an audit log: pass "
                "audit=default_audit_log(workspace) (or an AuditLog). "
                f"Got {type(audit).__name__} instead."
            )
        if isinstance(min_reason_chars, bool) or not isinstance(min_reason_chars, int):
            raise ConfigError(
                f"'min_reason_chars' must be a whole number. Got {min_reason_chars!r}."
            )
        if min_reason_chars < 1:
            raise ConfigError(
                "'min_reason_chars' must be at least 1: an override always needs a written "
                f"reason. Got {min_reason_chars}."
            )
        self.path = Path(path)
        self.audit = audit
        self.run_id = run_id
        self.min_reason_chars = min_reason_chars
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"ReviewQueue({str(self.path)!r})"

    # --- the file ------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path.with_name(self.path.name + ".lock"), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout:
            raise ConfigError(
                f"Another process has held the review queue {self.path} for more than "
                f"{self.lock_timeout:g} s. Try again, or delete the .lock file beside it if "
                "nobody is using the queue."
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _read(self) -> tuple[list[ReviewCase], dict[str, ReviewDecision]]:
        cases: list[ReviewCase] = []
        decisions: dict[str, ReviewDecision] = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cases, decisions
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                kind = record.pop("type")
                if kind == "case":
                    cases.append(ReviewCase(**record))
                elif kind == "decision":
                    decisions[record["case_id"]] = ReviewDecision(**record)
                else:
                    raise ValueError(f"unknown record type {kind!r}")
            except (ValueError, TypeError, KeyError, ConfigError) as exc:
                raise DataValidationError(
                    f"Line {number} of the review queue {self.path} is not a valid case or "
                    f"decision record ({exc}). The file was edited or damaged.",
                    path=str(self.path),
                ) from None
        return cases, decisions

    def _write(self, cases: list[ReviewCase], decisions: dict[str, ReviewDecision]) -> None:
        lines = [json.dumps({"type": "case", **c.to_dict()}, ensure_ascii=False) for c in cases]
        lines += [
            json.dumps({"type": "decision", **d.to_dict()}, ensure_ascii=False)
            for d in decisions.values()
        ]
        atomic_write_text(self.path, "".join(line + "\n" for line in lines))

    # --- reading -------------------------------------------------------------------------

    @property
    def cases(self) -> tuple[ReviewCase, ...]:
        """Every case, in the order it joined the queue."""
        return tuple(self._read()[0])

    @property
    def decisions(self) -> tuple[ReviewDecision, ...]:
        """Every decision, in the order it was made."""
        return tuple(self._read()[1].values())

    def pending(self) -> list[ReviewCase]:
        """The cases still waiting for a decision, in queue order."""
        cases, decisions = self._read()
        return [c for c in cases if c.case_id not in decisions]

    def case(self, case_id: str) -> ReviewCase:
        """One case by its reference."""
        cases, _ = self._read()
        for c in cases:
            if c.case_id == case_id:
                return c
        raise ConfigError(
            f"There is no case {case_id!r} in the review queue {self.path}."
            + did_you_mean(str(case_id), [c.case_id for c in cases])
        )

    def decision(self, case_id: str) -> ReviewDecision | None:
        """The decision on a case, or None while it waits."""
        return self._read()[1].get(case_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per case: score, decision (empty while pending) and protected groups."""
        import pandas as pd

        cases, decisions = self._read()
        attributes = sorted({a for c in cases for a in c.groups})
        rows = []
        for c in cases:
            d = decisions.get(c.case_id)
            rows.append(
                {
                    "case_id": c.case_id,
                    "score": c.score,
                    "decided": d is not None,
                    "action": d.action if d else None,
                    "final_decision": d.final_decision if d else None,
                    "reviewer": d.reviewer if d else None,
                    "reason": d.reason if d else None,
                    "decided_at": d.decided_at if d else None,
                    **{a: c.groups.get(a) for a in attributes},
                }
            )
        columns = ["case_id", "score", "decided", "action", "final_decision", "reviewer"]
        columns += ["reason", "decided_at", *attributes]
        return pd.DataFrame(rows, columns=columns)

    # --- changing ------------------------------------------------------------------------

    def add(self, cases: Iterable[ReviewCase], *, skip_existing: bool = False) -> int:
        """Add cases to the queue; return how many were added.

        Parameters
        ----------
        cases : iterable of ReviewCase
        skip_existing : bool, default False
            Leave out cases already in the queue (for a notebook run twice in the same
            folder) instead of refusing them.

        Raises
        ------
        ConfigError
            A case is already in the queue (a case is reviewed once) and
            ``skip_existing`` is False, or an item is not a :class:`ReviewCase`.
        """
        new = list(cases)
        for c in new:
            if not isinstance(c, ReviewCase):
                raise ConfigError(f"Only ReviewCase objects can join the queue. Got {c!r}.")
        with self._locked():
            existing, decisions = self._read()
            seen = {c.case_id for c in existing}
            added = []
            for c in new:
                if c.case_id in seen:
                    if skip_existing:
                        continue
                    raise ConfigError(
                        f"Case {c.case_id} is already in the review queue {self.path}; a case "
                        "is reviewed once. Nothing was added."
                    )
                seen.add(c.case_id)
                added.append(c)
            self._write(existing + added, decisions)
        return len(added)

    def add_flagged(
        self,
        explanation: ModelExplanation,
        *,
        threshold: float | None = None,
        max_cases: int | None = None,
        n_reasons: int = 3,
        skip_existing: bool = False,
    ) -> int:
        """Add the cases an explained model flags, highest first (see :func:`flagged_cases`)."""
        cases = flagged_cases(
            explanation, threshold=threshold, max_cases=max_cases, n_reasons=n_reasons
        )
        return self.add(cases, skip_existing=skip_existing)

    def decide(
        self, case_id: str, *, action: str, reviewer: str, reason: str = ""
    ) -> ReviewDecision:
        """Record a caseworker's final decision on a case: accept or override the flag.

        The decision goes to the audit log first (event ``review_accepted`` or
        ``review_overridden``, with the reviewer as actor), then to the queue.

        Parameters
        ----------
        case_id : str
        action : {"accept", "override"}
        reviewer : str
            The named person deciding; required.
        reason : str
            Why; required for an override (at least ``min_reason_chars`` characters).

        Returns
        -------
        ReviewDecision

        Raises
        ------
        ApprovalError
            Listing every rule broken: no reviewer, a service name as reviewer, an
            override without a written reason, a case already decided.
        ConfigError
            An unknown action or case.
        """
        checked, problems, why = self._problems(action, reviewer, reason)
        with self._locked():
            cases, decisions = self._read()
            case = next((c for c in cases if c.case_id == case_id), None)
            if case is None:
                raise ConfigError(
                    f"There is no case {case_id!r} in the review queue {self.path}."
                    + did_you_mean(str(case_id), [c.case_id for c in cases])
                )
            earlier = decisions.get(case_id)
            if earlier is not None:
                problems.append(
                    f"Case {case_id} was already decided by {earlier.reviewer} at "
                    f"{earlier.decided_at} ({earlier.action}); a final decision is not "
                    "changed. Record any appeal as a new case."
                )
            if problems:
                raise ApprovalError("\n".join(problems), problems=tuple(problems))
            made = self._record(case, checked, reviewer.strip(), why)
            decisions[case_id] = made
            self._write(cases, decisions)
        return made

    def _problems(self, action: str, reviewer: Any, reason: Any) -> tuple[Action, list[str], str]:
        """The action, the rules the decision breaks (an unknown action raises), its reason."""
        if action not in ACTIONS:
            raise ConfigError(
                f"The 'action' of a review decision must be 'accept' or 'override'. "
                f"Got {action!r} instead."
            )
        problems = check_reviewer(reviewer)
        why = reason.strip() if isinstance(reason, str) else ""
        if action == "override" and len(why) < self.min_reason_chars:
            problems.append(
                "An override needs a written reason of at least "
                f"{self.min_reason_chars} characters, saying what the review found. "
                f"Got {reason!r}."
            )
        return action, problems, why

    def _record(self, case: ReviewCase, action: Action, name: str, why: str) -> ReviewDecision:
        """Write a decision to the audit log, and the decision with its entry's proof."""
        final: Literal["flagged", "not flagged"] = (
            "flagged" if action == "accept" else "not flagged"
        )
        entry = self.audit.append(
            "review_accepted" if action == "accept" else "review_overridden",
            actor=name,
            run_id=self.run_id,
            case_id=case.case_id,
            score=round(case.score, 6),
            threshold=case.threshold,
            model_recommendation="flagged",
            final_decision=final,
            reason=why,
            queue=self.path.name,
        )
        return ReviewDecision(
            case_id=case.case_id,
            action=action,
            final_decision=final,
            reviewer=name,
            reason=why,
            decided_at=entry.timestamp,
            audit_seq=entry.seq,
            audit_hash=entry.hash,
        )

    def override_report(
        self,
        *,
        max_rate: float = 0.75,
        min_rate: float | None = None,
        max_gap: float | None = 0.15,
        min_decisions: int = 20,
    ) -> OverrideReport:
        """Override rates overall and by protected group, with alerts (:func:`override_rates`)."""
        return override_rates(
            self.to_frame(),
            max_rate=max_rate,
            min_rate=min_rate,
            max_gap=max_gap,
            min_decisions=min_decisions,
        )
