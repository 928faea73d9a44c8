"""mlops_kit.review: the review queue, its rules and audit trail, override rates, the desk."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.audit import AuditEvent, AuditLog, default_audit_log
from mlops_kit.config import ReviewSettings
from mlops_kit.errors import ApprovalError, ConfigError, DataValidationError
from mlops_kit.explain import ModelExplanation, explain_training
from mlops_kit.review import ReviewCase, ReviewQueue, simulate_reviews
from mlops_kit.review._cases import flagged_cases
from mlops_kit.review._rate import override_rates
from mlops_kit.review._simulate import SIMULATED_REASONS
from mlops_kit.train import train_model

REASON = "Documents checked: the declared income is correct."


def _case(case_id: str, score: float = 0.8, **groups: str) -> ReviewCase:
    return ReviewCase(
        case_id,
        score,
        0.3,
        f"Flagged for review mainly because of case {case_id}'s details.",
        details={"monthly amount claimed": "940"},
        groups=groups,
    )


@pytest.fixture
def queue(tmp_path: Path) -> ReviewQueue:
    q = ReviewQueue(tmp_path / "review" / "queue.jsonl", audit=default_audit_log(tmp_path))
    q.add([_case("BC1", 0.9, sex="female"), _case("BC2", 0.7, sex="male"), _case("BC3", 0.5)])
    return q


@pytest.fixture(scope="module")
def explanation(claims: pd.DataFrame, claims_profile: Any) -> ModelExplanation:
    result = train_model(
        claims, claims_profile.roles, model="logistic", split="time", cv_folds=0, threshold=0.3
    )
    return explain_training(
        result, claims, claims_profile.roles, id_column="claim_id", max_rows=1500
    )


# --- the queue and its rules ---------------------------------------------------------------


def test_a_decision_needs_a_named_reviewer_and_an_override_a_written_reason(
    queue: ReviewQueue,
) -> None:
    before = queue.path.read_text(encoding="utf-8")
    with pytest.raises(ApprovalError) as err:
        queue.decide("BC1", action="override", reviewer="  ", reason="no")
    assert len(err.value.problems) == 2
    assert "can only be recorded with the reviewer's name" in err.value.problems[0]
    assert "at least 15 characters" in err.value.problems[1]
    with pytest.raises(ApprovalError, match="must be a named person, not a service"):
        queue.decide("BC1", action="accept", reviewer="system")
    with pytest.raises(
        ConfigError, match=re.escape("must be 'accept' or 'override'. Got 'approve'")
    ):
        queue.decide("BC1", action="approve", reviewer="Jo Khan")
    with pytest.raises(ConfigError, match=r"no case 'BC9'.*Did you mean"):
        queue.decide("BC9", action="accept", reviewer="Jo Khan")
    # Nothing was recorded anywhere.
    assert queue.path.read_text(encoding="utf-8") == before
    assert len(queue.audit) == 0
    assert [c.case_id for c in queue.pending()] == ["BC1", "BC2", "BC3"]


def test_every_decision_is_audited_first_and_is_final(queue: ReviewQueue) -> None:
    accepted = queue.decide("BC1", action="accept", reviewer=" Jo Khan ")
    overridden = queue.decide("BC2", action="override", reviewer="Sam Lee", reason=REASON)
    assert (accepted.final_decision, overridden.final_decision) == ("flagged", "not flagged")
    assert accepted.reviewer == "Jo Khan"
    assert accepted.reason == ""
    assert overridden.overridden
    assert not accepted.overridden
    entries = queue.audit.entries()
    assert [e.event for e in entries] == [AuditEvent.REVIEW_ACCEPTED, AuditEvent.REVIEW_OVERRIDDEN]
    assert [e.actor for e in entries] == ["Jo Khan", "Sam Lee"]
    details = entries[1].details
    assert details["case_id"] == "BC2"
    assert details["reason"] == REASON
    assert details["final_decision"] == "not flagged"
    # Protected groups are monitoring data only: never written to the audit log.
    assert "sex" not in json.dumps([e.details for e in entries])
    assert (overridden.audit_seq, overridden.audit_hash) == (entries[1].seq, entries[1].hash)
    assert queue.audit.verify().ok
    assert f"Audit entry seq {entries[1].seq}" in overridden.summary()
    with pytest.raises(ApprovalError, match=r"already decided by Sam Lee .* not changed"):
        queue.decide("BC2", action="accept", reviewer="Jo Khan")
    assert [c.case_id for c in queue.pending()] == ["BC3"]
    assert queue.decision("BC3") is None


def test_the_queue_lives_in_its_file_written_atomically(queue: ReviewQueue, tmp_path: Path) -> None:
    queue.decide("BC1", action="override", reviewer="Jo Khan", reason=REASON)
    lines = [json.loads(line) for line in queue.path.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in lines] == ["case", "case", "case", "decision"]
    again = ReviewQueue(queue.path, audit=queue.audit)
    assert again.cases == queue.cases
    assert again.decisions == queue.decisions
    leftovers = [p.name for p in queue.path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    frame = again.to_frame()
    assert list(frame["decided"]) == [True, False, False]
    assert frame.loc[0, "action"] == "override"
    assert frame.loc[0, "sex"] == "female"
    with pytest.raises(ConfigError, match="already in the review queue"):
        again.add([_case("BC1"), _case("BC4")])
    assert len(again.cases) == 3  # nothing was added
    assert again.add([_case("BC1"), _case("BC4")], skip_existing=True) == 1
    assert [c.case_id for c in again.pending()] == ["BC2", "BC3", "BC4"]
    queue.path.write_text(queue.path.read_text(encoding="utf-8") + "{oops\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="Line 6 of the review queue"):
        again.pending()


def test_a_queue_needs_an_audit_log_and_valid_cases(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="records every decision in an audit log"):
        ReviewQueue(tmp_path / "q.jsonl", audit=None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=re.escape("between 0 and 1. Got 1.5")):
        ReviewCase("BC1", 1.5, 0.3, "reasons")
    with pytest.raises(ConfigError, match="needs a case reference"):
        ReviewCase(" ", 0.5, 0.3, "reasons")


# --- from an explanation, and the simulated caseworker ---------------------------------------


def test_flagged_cases_come_from_the_explanation_highest_score_first(
    explanation: ModelExplanation,
) -> None:
    cases = flagged_cases(explanation)
    scores = explanation.scores
    assert len(cases) == int((scores >= 0.3).sum())
    assert [c.score for c in cases] == sorted((c.score for c in cases), reverse=True)
    first = cases[0]
    i = explanation.locate(first.case_id)
    assert first.reasons == explanation.reason_codes(i).text
    assert (
        first.details["monthly amount claimed"] == f"{explanation.data.iloc[i]['claim_amount']:,}"
    )
    assert set(first.groups) == {"sex", "age_band", "ethnic_group", "disability"}
    assert len(flagged_cases(explanation, max_cases=5)) == 5
    stricter = flagged_cases(explanation, threshold=0.6)
    assert all(c.score >= 0.6 and c.threshold == 0.6 for c in stricter)
    assert stricter[0].reasons.endswith("the threshold is 0.60.)")


def test_a_perfect_simulated_caseworker_overrides_exactly_the_false_flags(
    explanation: ModelExplanation, tmp_path: Path
) -> None:
    log = default_audit_log(tmp_path)
    queue = ReviewQueue(tmp_path / "queue.jsonl", audit=log, run_id="run-7")
    added = queue.add_flagged(explanation)
    decisions = simulate_reviews(queue, explanation, accuracy=1.0)
    assert len(decisions) == added
    assert not queue.pending()
    assert explanation.y is not None
    truth = dict(zip(explanation.data.index.astype(str), explanation.y, strict=True))
    for d in decisions:
        assert d.overridden == (truth[d.case_id] == 0)
        assert d.reason == SIMULATED_REASONS[d.action]
    report = queue.override_report()
    flagged = explanation.scores >= 0.3
    precision = explanation.y[flagged].mean()
    assert report.rate == pytest.approx(1 - precision)
    assert {e.run_id for e in log.entries()} == {"run-7"}
    assert log.verify().ok
    other = ReviewQueue(tmp_path / "other.jsonl", audit=log)
    other.add([_case("ZZ1")])
    with pytest.raises(DataValidationError, match="No outcome is known for case ZZ1"):
        simulate_reviews(other, explanation)


# --- override rates ------------------------------------------------------------------------


def _table(actions: Sequence[str | None], groups: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": [f"C{i}" for i in range(len(actions))],
            "decided": [a is not None for a in actions],
            "action": actions,
            "ethnic_group": groups,
        }
    )


def test_override_rates_are_a_groupby_of_decisions_with_alerts() -> None:
    rng = np.random.default_rng(0)
    groups = list(rng.choice(["Group A", "Group B", "Group C"], size=300, p=[0.6, 0.3, 0.1]))
    actions: list[str | None] = []
    for g in groups:
        p = {"Group A": 0.5, "Group B": 0.8, "Group C": 0.5}[g]
        actions.append("override" if rng.random() < p else "accept")
    actions[:10] = [None] * 10
    table = _table(actions, groups)
    report = override_rates(table, max_rate=0.75, max_gap=0.15, min_decisions=50)
    decided = table[table["decided"]]
    expected = (
        (decided["action"] == "override").groupby(decided["ethnic_group"]).agg(["sum", "count"])
    )
    rows = report.to_frame().set_index("group")
    for g, r in expected.iterrows():
        assert rows.loc[str(g), "overridden"] == r["sum"]
        assert rows.loc[str(g), "decided"] == r["count"]
        assert rows.loc[str(g), "rate"] == pytest.approx(r["sum"] / r["count"])
    assert report.n_decided == 290
    assert report.n_cases == 300
    assert report.rate == pytest.approx((decided["action"] == "override").mean())
    status = rows["status"].to_dict()
    assert rows["decided"].to_dict()["Group C"] < 50
    assert status["Group C"] == "too few to judge"
    assert status["Group B"] in ("above the limit", "well above all cases")
    assert status["Group A"] == "within limits"
    subjects = [a.subject for a in report.alerts]
    assert subjects == ["ethnic_group = Group B"]
    assert "Group B" in report.summary()
    assert "Action: look at why this group" in report.summary()
    json.dumps(report.to_dict(), allow_nan=False)
    figure = report.plot()
    assert "Override rate" in figure.title
    assert report.summary() in figure.description


def test_too_high_and_too_low_rates_both_raise_alerts() -> None:
    table = _table(["override"] * 45 + ["accept"] * 5, ["A"] * 50)
    high = override_rates(table, max_rate=0.75, min_decisions=10)
    assert [(a.subject, a.kind) for a in high.alerts] == [
        ("all cases", "high"),
        ("ethnic_group = A", "high"),
    ]
    assert "90% of the model's flags for all cases (45 of 50), above the limit of 75%" in str(
        high.alerts[0]
    )
    rubber = _table(["accept"] * 50, ["A"] * 50)
    low = override_rates(rubber, max_rate=0.75, min_rate=0.05, min_decisions=10)
    assert low.alerts[0].kind == "low"
    assert "rubber-stamping" in low.alerts[0].action
    empty = override_rates(_table([None, None], ["A", "B"]))
    assert empty.rate is None
    assert not empty.alerts
    assert empty.summary().startswith("No decisions yet: 2 case(s)")
    with pytest.raises(ConfigError, match="'max_rate' parameter of override_rates must be a share"):
        override_rates(table, max_rate=1.5)
    with pytest.raises(ConfigError, match="must be below 'max_rate'"):
        override_rates(table, max_rate=0.3, min_rate=0.4)
    with pytest.raises(DataValidationError, match="needs the column 'action'"):
        override_rates(table.drop(columns="action"))


def test_review_settings_are_strict() -> None:
    from pydantic import ValidationError

    settings = ReviewSettings()
    assert (settings.max_override_rate, settings.min_decisions) == (0.75, 20)
    with pytest.raises(ValidationError):
        ReviewSettings(max_override=0.5)
    with pytest.raises(ValidationError, match="must be below max_override_rate"):
        ReviewSettings(max_override_rate=0.3, min_override_rate=0.5)


# --- the caseworker's desk ------------------------------------------------------------------


def test_the_review_desk_refuses_in_words_then_records_and_moves_on(queue: ReviewQueue) -> None:
    from mlops_kit.widgets import ReviewDesk

    def said(css: str) -> str:
        return next(w.value for w in desk.children if css in getattr(w, "_dom_classes", ()))

    desk = ReviewDesk(queue)
    assert desk.current is not None
    assert desk.current.case_id == "BC1"
    assert "case BC1 (1 of 3; 3 waiting)" in said("mlops-review-heading")
    assert "The model's reasons:" in said("mlops-review-case")
    assert "monthly amount claimed" in said("mlops-review-case")
    for control in (
        desk.reviewer_field,
        desk.reason_field,
        desk.accept_button,
        desk.override_button,
    ):
        assert control.description
    status = next(w for w in desk.children if "mlops-review-status" in w._dom_classes)

    desk.accept_button.click()
    assert "✗ Not recorded: case BC1 is still waiting" in status.value
    assert "reviewer&#x27;s name" in status.value
    assert desk.result is None
    assert len(queue.audit) == 0

    desk.reviewer_field.value = "Jo Khan"
    desk.override_button.click()
    assert "at least 15 characters" in status.value
    assert desk.result is None

    desk.reason_field.value = REASON
    desk.override_button.click()
    assert status.value.startswith(
        "<p role='status'>✓ Recorded. Jo Khan overrode the flag on case BC1"
    )
    assert desk.result is not None
    assert desk.result.final_decision == "not flagged"
    assert desk.reason_field.value == ""  # cleared for the next case; the name stays
    assert desk.current is not None
    assert desk.current.case_id == "BC2"

    assert desk.accept() is not None
    assert desk.accept() is not None
    assert desk.current is None
    assert desk.accept_button.disabled
    assert desk.override_button.disabled
    text = desk._repr_mimebundle_()["text/plain"]
    assert text.startswith("Review desk. No case is waiting.")
    assert "3 of 3 flagged cases decided; caseworkers overrode 1 (33%)" in text
    assert [e.event for e in queue.audit.entries()] == [
        "review_overridden",
        "review_accepted",
        "review_accepted",
    ]


def test_the_desk_can_hide_the_models_reasons(queue: ReviewQueue) -> None:
    from mlops_kit.widgets import ReviewDesk

    desk = ReviewDesk(queue, show_reasons=False)
    case = next(w.value for w in desk.children if "mlops-review-case" in w._dom_classes)
    assert "hidden for this exercise" in case
    assert "mainly because" not in case


def test_a_shared_audit_log_is_the_one_passed_in(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "elsewhere" / "log.jsonl", head_path=tmp_path / "head.json")
    q = ReviewQueue(tmp_path / "q.jsonl", audit=log)
    q.add([_case("BC1")])
    q.decide("BC1", action="accept", reviewer="Jo Khan")
    assert len(log) == 1
    assert log.verify().ok
