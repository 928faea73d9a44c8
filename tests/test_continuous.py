"""Continuous training: the replay catches the built-in change, retrains, and resumes exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops_kit.audit import AuditLog
from mlops_kit.config import load_config
from mlops_kit.continuous import ContinuousSettings, simulate
from mlops_kit.continuous import _steps as steps
from mlops_kit.data import dataset_info
from mlops_kit.errors import ConfigError

CLAIMS = dataset_info("benefit_claims").config


def _config(**overrides: Any) -> Any:
    return load_config(CLAIMS, overrides)


def test_bundled_replay_catches_the_change_and_recovers(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl")
    config = _config(**{"continuous.tuning_trials": 1})
    result = simulate(config, out_dir=tmp_path / "sim", audit_log=log)
    s, t = result.summary, result.timeline
    assert result.complete
    assert len(t) == 18
    assert t["batch"].iloc[0] == "2023-07"
    # No drift alarm in the stable months; the channel change from January 2024 is caught.
    stable = t[t["batch"] < "2024-01"]
    assert not any("drift" in trig for trig in stable["triggers"])
    assert "2024-01" <= s["change_detected_at"] <= "2024-03"
    assert "channel" in t.loc[t["batch"] == s["change_detected_at"], "drifted_features"].iloc[0]
    # Retraining wins back most of what the never-retrained model lost.
    assert s["promotions"]
    assert all(p >= "2024-01" for p in s["promotions"])
    assert s["after_change_retrained"] > s["after_change_never_retrained"] + 0.03
    assert s["recovered_share"] > 0.5
    last = t.iloc[-1]
    assert last["served_roc_auc"] > last["never_retrained_roc_auc"] + 0.05
    # A promotion changes the champion from the next batch on, and only then.
    for k in range(1, len(t)):
        prev = t.iloc[k - 1]
        expected = prev["challenger"] if prev["promoted"] else prev["champion"]
        assert t.iloc[k]["champion"] == expected
    # Every decision is explained; files and figure description are written.
    assert all(isinstance(r, str) and r for r in t["reason"])
    promoted = t[t["promoted"]].iloc[0]
    assert promoted["gate_decision"] == "promote"
    assert "beats the champion" in promoted["reason"]
    out = json.loads((tmp_path / "sim" / "timeline.json").read_text())
    assert out["summary"]["recovered_share"] == pytest.approx(s["recovered_share"])
    assert "never-retrained" in out["figure"]["description"]
    assert (tmp_path / "sim" / "performance.png").stat().st_size > 1000
    csv = pd.read_csv(tmp_path / "sim" / "timeline.csv")
    assert list(csv["batch"]) == list(t["batch"])
    # The audit log holds one entry per trigger, challenger and promotion, and verifies.
    assert log.verify().ok
    assert len(log.entries(event="retrain_triggered")) == sum(bool(x) for x in t["triggers"])
    assert len(log.entries(event="gate_decision")) == t["challenger"].notna().sum()
    assert len(log.entries(event="alias_changed")) == 1 + len(s["promotions"])


def _fast(**more: Any) -> Any:
    return _config(
        model="logistic", **{"continuous.tuning_trials": 0, "continuous.cooldown": 1, **more}
    )


def test_a_stopped_replay_resumes_to_the_same_timeline_recording_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _fast()
    whole_log = AuditLog(tmp_path / "a" / "whole.jsonl")
    whole = simulate(config, out_dir=tmp_path / "whole", audit_log=whole_log)

    log = AuditLog(tmp_path / "b" / "part.jsonl")
    part = simulate(config, out_dir=tmp_path / "part", audit_log=log, stop_after=5)
    assert not part.complete
    assert len(part.timeline) == 5
    # A crash part-way through a batch (here in its monitoring) loses only that batch.
    real, calls = steps.monitor, {"n": 0}

    def crash(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 8:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(steps, "monitor", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        simulate(config, out_dir=tmp_path / "part", audit_log=log)
    monkeypatch.setattr(steps, "monitor", real)
    done = simulate(config, out_dir=tmp_path / "part", audit_log=log)
    assert done.complete
    pd.testing.assert_frame_equal(done.timeline, whole.timeline)
    assert done.summary == whole.summary
    events = [(e.event, e.details["step"]) for e in log.entries()]
    assert len(events) == len(set(events))
    assert events == [(e.event, e.details["step"]) for e in whole_log.entries()]
    assert log.verify().ok
    # Running a finished replay again adds nothing.
    n = len(log)
    again = simulate(config, out_dir=tmp_path / "part", audit_log=log)
    assert len(log) == n
    assert again.timeline.equals(done.timeline)


def test_a_policy_that_needs_a_person_keeps_the_champion(tmp_path: Path) -> None:
    policy = {"high_impact": True, "four_fifths": False, "max_equalized_odds_difference": None}
    config = _fast(**{"continuous.policy": policy})
    t = simulate(config, out_dir=tmp_path / "s", audit_log=tmp_path / "log" / "a.jsonl").timeline
    gated = t[t["challenger"].notna()]
    assert len(gated)
    assert set(gated["gate_decision"]) == {"needs human approval"}
    assert not t["promoted"].any()
    assert set(t["champion"]) == {1}
    assert all("never gives on anyone's behalf" in r for r in gated["reason"])


def test_resuming_with_another_config_is_refused(tmp_path: Path) -> None:
    simulate(_fast(), out_dir=tmp_path / "s", audit_log=tmp_path / "log" / "a.jsonl", stop_after=1)
    with pytest.raises(ConfigError, match="different config"):
        simulate(_fast(seed=1), out_dir=tmp_path / "s", audit_log=tmp_path / "log" / "a.jsonl")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"window_size": 8}, "needs initial_batches of at least 8"),
        ({"triggers": []}, "at least one of drift"),
        ({"triggers": ["drift", "weather"]}, "triggers.1"),
        ({"holdout_batches": 6}, "must be fewer than initial_batches"),
        ({"metric": "auc"}, "must be one of roc_auc"),
        ({"policy": {"high_imapct": False}}, "high_impact"),
        ({"label_delay": -1}, "greater than or equal to 0"),
    ],
)
def test_settings_are_validated_with_clear_errors(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(CLAIMS, continuous=values)
    assert "continuous" in str(info.value)
    assert ContinuousSettings().primary_metric("regression") == "rmse"


def test_a_metric_that_does_not_fit_the_task_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not fit task 'classification'"):
        simulate(
            _fast(**{"continuous.metric": "rmse"}),
            out_dir=tmp_path,
            audit_log=tmp_path / "log" / "a.jsonl",
        )
