"""Where lessons write: keyed paths resume the same settings, new folders never reuse one."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_kit.course import keyed_path, new_folder
from mlops_kit.course._workspace import settings_key
from mlops_kit.errors import ConfigError


def test_the_same_settings_give_the_same_key_in_any_order_and_changed_ones_another() -> None:
    assert settings_key(seed=0, model="hgb") == settings_key(model="hgb", seed=0)
    keys = {
        settings_key(seed=0, model="hgb"),
        settings_key(seed=1, model="hgb"),
        settings_key(seed=0, model="rf"),
        settings_key(seed=0, model="hgb", n_review=None),
    }
    assert len(keys) == 4
    assert all(len(k) == 8 and int(k, 16) >= 0 for k in keys)
    with pytest.raises(ConfigError, match="at least one setting"):
        settings_key()


def test_a_keyed_path_keeps_its_folder_and_suffix() -> None:
    path = keyed_path("review/queue.jsonl", model="hgb", seed=0)
    assert path.parent == Path("review")
    assert path.name == f"queue-{settings_key(model='hgb', seed=0)}.jsonl"
    assert keyed_path(Path("tuning") / "study.log", seed=0).suffix == ".log"
    assert not path.parent.exists()  # nothing is created


def test_new_folders_are_numbered_after_the_highest_and_never_reused(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    first = new_folder(runs, "by-hand")
    assert first == runs / "by-hand-1"
    assert first.is_dir()
    (first / "registration.json").write_text("{}", encoding="utf-8")
    assert new_folder(runs, "by-hand") == runs / "by-hand-2"
    (runs / "by-hand-7").mkdir()
    (runs / "by-hand-x").mkdir()
    (runs / "other-9").mkdir()
    assert new_folder(runs, "by-hand") == runs / "by-hand-8"
    assert (first / "registration.json").is_file()  # an earlier folder is never touched
    for label in ("", "../up", "a/b", "-x", 3):
        with pytest.raises(ConfigError, match="plain folder name"):
            new_folder(runs, label)  # type: ignore[arg-type]
