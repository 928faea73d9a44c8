"""Continuous training: the replay catches the built-in change, retrains, and resumes exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.audit import AuditLog
from mlops_kit.config import load_config
from mlops_kit.continuous import ContinuousSettings, replay_folder, simulate
from mlops_kit.continuous import _steps as steps
from mlops_kit.data import dataset_info
from mlops_kit.errors import ConfigError
from mlops_kit.registry import Registry

CLAIMS = dataset_info("benefit_claims").config


def _config(**overrides: Any) -> Any:
    return load_config(CLAIMS, overrides)


def test_bundled_replay_catches_the_change_and_recovers(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl")
    config = _config(**{"continuous.tuning_trials": 1})
    result = simulate(config, out_dir=tmp_path / "sim", audit_log=log, workspace=tmp_path)
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
    n_challengers = int(t["challenger"].notna().sum())
    assert len(log.entries(event="alias_changed")) == 1 + n_challengers + len(s["promotions"])
    # Every model is a registry version; the aliases moved there as the timeline says.
    registry = Registry(workspace=tmp_path)
    name = "benefit-claims-replay"
    assert result.registry == {"model_name": name, "tracking_uri": registry.tracking_uri}
    versions = registry.versions(name)
    assert len(versions) == 1 + n_challengers
    assert len(log.entries(event="registered")) == 1 + n_challengers
    final = int(t["challenger"].iloc[-1] if t["promoted"].iloc[-1] else t["champion"].iloc[-1])
    aliases = registry.aliases(name)
    assert aliases["champion"] == result.registered_version(final)
    assert aliases["challenger"] == t["challenger_registered"].dropna().iloc[-1]
    assert f"left its champion alias on version {aliases['champion']}" in result.describe()
    assert list(result.versions().index) == list(versions.index)
    for _, row in t[t["challenger"].notna()].iterrows():
        mv = registry.get(name, version=int(row["challenger_registered"]))
        assert mv.run_id == f"{result.simulation_id}:{row['batch']}"
        assert mv.gate_decision == row["gate_decision"]
    # A winning challenger is held while the champion's latest labelled batch carries a
    # fairness alert: a person reviews it; nothing is promoted automatically.
    wins = t["challenger"].notna() & t["reason"].str.contains("beats the champion")
    held = t[wins & t["fairness_alerts"].map(bool)]
    assert not held["promoted"].any()
    assert all("automatic promotion is held" in r for r in held["reason"])
    assert len(log.entries(event="promotion_held")) == len(held)
    assert all(t.loc[t["promoted"], "fairness_guardrail"].str.contains("guardrail passes"))


def _fast(**more: Any) -> Any:
    settings = {
        "continuous.tuning_trials": 0,
        "continuous.cooldown": 1,
        "continuous.register_models": False,
    }
    return _config(model="logistic", **{**settings, **more})


def test_a_stopped_replay_resumes_to_the_same_timeline_recording_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops_kit.continuous._register import ReplayRegistry

    config = _fast(**{"continuous.register_models": True})
    whole_log = AuditLog(tmp_path / "a" / "whole.jsonl")
    whole = simulate(
        config, out_dir=tmp_path / "whole", audit_log=whole_log, workspace=tmp_path / "a"
    )

    log = AuditLog(tmp_path / "b" / "part.jsonl")
    b = tmp_path / "b"
    part = simulate(config, out_dir=b / "part", audit_log=log, stop_after=5, workspace=b)
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
        simulate(config, out_dir=b / "part", audit_log=log, workspace=b)
    monkeypatch.undo()
    # A crash after a challenger is registered, before its batch is saved: the resumed
    # replay finds that version instead of registering the model again.
    real_move = ReplayRegistry.move

    def crash_on_challenger(self: ReplayRegistry, alias: str, *args: Any, **kw: Any) -> None:
        if alias == "challenger":
            raise RuntimeError("power cut after registering")
        real_move(self, alias, *args, **kw)

    monkeypatch.setattr(ReplayRegistry, "move", crash_on_challenger)
    with pytest.raises(RuntimeError, match="after registering"):
        simulate(config, out_dir=b / "part", audit_log=log, workspace=b)
    monkeypatch.undo()
    done = simulate(config, out_dir=b / "part", audit_log=log, workspace=b)
    assert done.complete
    pd.testing.assert_frame_equal(done.timeline, whole.timeline)
    assert done.summary == whole.summary
    events = [(e.event, e.details["step"]) for e in log.entries()]
    assert len(events) == len(set(events))
    assert events == [(e.event, e.details["step"]) for e in whole_log.entries()]
    assert log.verify().ok
    name = "benefit-claims-replay"
    registered = Registry(workspace=b).versions(name)
    assert len(registered) == len(Registry(workspace=tmp_path / "a").versions(name))
    assert registered["run_id"].is_unique
    # Running a finished replay again adds nothing.
    n = len(log)
    again = simulate(config, out_dir=b / "part", audit_log=log, workspace=b)
    assert len(log) == n
    assert again.timeline.equals(done.timeline)
    assert len(Registry(workspace=b).versions(name)) == len(registered)


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


#: A replay of the last six months only: a few seconds.
SHORT = {"continuous.initial_batches": 18, "continuous.register_models": True}


def test_keyed_replay_folders_resume_the_same_config_and_keep_changed_ones_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the lessons do: the same parameters resume, changed ones start beside them."""
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "audit" / "audit.jsonl"
    first = _fast(**SHORT)
    folder = replay_folder(first, label="lesson")
    assert folder.parent == Path("simulation")
    assert folder.name.startswith("lesson-")
    a = simulate(first, out_dir=folder, audit_log=log)
    # A changed parameter gets its own folder beside the first: nothing refused or deleted.
    second = _fast(seed=1, **SHORT)
    other = replay_folder(second, label="lesson")
    assert other != folder
    b = simulate(second, out_dir=other, audit_log=log)
    assert sorted(p.name for p in (tmp_path / "simulation").iterdir()) == sorted(
        [folder.name, other.name]
    )
    # The first parameters again resume the finished replay: nothing is recorded twice.
    n = len(AuditLog(log))
    again = simulate(_fast(**SHORT), out_dir=replay_folder(first, label="lesson"), audit_log=log)
    assert len(AuditLog(log)) == n
    assert again.simulation_id == a.simulation_id
    pd.testing.assert_frame_equal(again.timeline, a.timeline)
    # Both replays register under one name; each lists only the versions it registered.
    everything = Registry(workspace=tmp_path).versions("benefit-claims-replay")
    assert set(a.versions().index).isdisjoint(b.versions().index)
    assert sorted([*a.versions().index, *b.versions().index]) == list(everything.index)
    assert all(run.startswith(f"{b.simulation_id}:") for run in b.versions()["run_id"])
    with pytest.raises(ConfigError, match="plain folder name"):
        replay_folder(first, label="../elsewhere")
    # A replay that registers nothing has no versions to list.
    unregistered = _fast(**{**SHORT, "continuous.register_models": False})
    assert simulate(unregistered, out_dir="plain", audit_log=log).versions().empty


def test_the_command_line_still_refuses_a_folder_holding_another_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Resumability: a direct --out folder never mixes two configs' replays."""
    from mlops_kit.cli import main

    monkeypatch.chdir(tmp_path)
    sets = [
        "model=logistic",
        "continuous.tuning_trials=0",
        "continuous.initial_batches=18",
        "continuous.register_models=false",
    ]
    argv = ["simulate", "--config", str(CLAIMS), "--out", "sim", "--quiet"]
    argv += [x for s in sets for x in ("--set", s)]
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--set", "seed=1"]) == 2
    assert capsys.readouterr().err == (
        "mlops-kit: error: The folder 'sim' holds a replay of a different config or data; "
        "resume it with the same config, or choose another --out folder.\n"
    )
    assert main(argv) == 0  # the same config still resumes there


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


def test_the_fairness_guardrail_holds_a_real_fall_and_not_noise() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    groups = pd.DataFrame({"sex": np.where(np.arange(n) % 2, "female", "male")})
    champion = rng.random(n) < 0.10
    # The challenger flags men at 10% but women at 4%: a ratio of about 0.4 against 1.0.
    challenger = rng.random(n) < np.where(groups["sex"] == "female", 0.04, 0.10)
    held, note = steps.fairness_guardrail(
        champion, challenger, groups, tolerance=0.1, min_group_size=30, seed=0
    )
    assert held == ("sex",)
    assert "holds it" in note
    assert "beyond chance" in note
    # The same fall in expectation on 120 rows is not distinguishable from chance.
    few = slice(0, 120)
    small = steps.fairness_guardrail(
        champion[few], challenger[few], groups.iloc[few], tolerance=0.1, min_group_size=30, seed=0
    )
    assert small[0] == ()
    # A small fall is allowed; no guardrail, no note.
    same = steps.fairness_guardrail(
        champion, champion, groups, tolerance=0.1, min_group_size=30, seed=0
    )
    assert same[0] == ()
    assert "guardrail passes" in same[1]
    assert steps.fairness_guardrail(
        champion, challenger, groups, tolerance=None, min_group_size=30, seed=0
    ) == ((), "")
    # The point ratios in the note are the four-fifths ratios of the flags.
    rates = pd.Series(challenger).groupby(groups["sex"]).mean()
    assert f"sex: {rates.min() / rates.max():.2f}" in note


def test_the_fairness_trigger_fires_on_a_fairness_alert(tmp_path: Path) -> None:
    config = _fast(**{"continuous.triggers": ["fairness"]})
    t = simulate(config, out_dir=tmp_path / "s", audit_log=tmp_path / "log" / "a.jsonl").timeline
    assert t["fairness_alerts"].map(bool).any()
    assert list(t["triggers"].map(bool)) == list(t["fairness_alerts"].map(bool))
    fired = t[t["triggers"].map(bool)].iloc[0]
    assert "a fairness alert on" in fired["trigger_reasons"][0]


def test_the_admissions_replay_retrains_on_quarters_and_registers(tmp_path: Path) -> None:
    config = load_config(dataset_info("hospital_admissions").config)
    result = simulate(
        config, out_dir=tmp_path / "sim", audit_log=tmp_path / "a.jsonl", workspace=tmp_path
    )
    t, s = result.timeline, result.summary
    assert result.complete
    assert t["batch"].iloc[0] == "2022Q1"
    assert t["batch"].str.fullmatch(r"\d{4}Q[1-4]").all()
    # Quarterly batches are too small for drift tests: only decay and the schedule fire.
    assert {x for trig in t["triggers"] for x in trig} <= {"decay", "schedule"}
    assert "decay" in {x for trig in t["triggers"] for x in trig}
    assert s["promotions"]
    # rmse: lower is better, so retraining must lower it after the change.
    assert s["after_change_retrained"] < s["after_change_never_retrained"]
    assert t["fairness_guardrail"].isna().all()  # no protected columns, no guardrail
    versions = Registry(workspace=tmp_path).versions("hospital-admissions-replay")
    assert len(versions) == 1 + int(t["challenger"].notna().sum())


def test_a_replay_that_registers_needs_the_model_cards_human_parts(tmp_path: Path) -> None:
    from mlops_kit.errors import DocumentationError

    config = _fast(
        **{"continuous.register_models": True, "transparency.owner": "", "transparency.caveats": []}
    )
    with pytest.raises(DocumentationError, match="2 are empty") as info:
        simulate(config, out_dir=tmp_path / "s", audit_log=tmp_path / "a.jsonl", workspace=tmp_path)
    assert info.value.problems == ("owner", "caveats")
    assert not (tmp_path / "mlops.db").exists()
