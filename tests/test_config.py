"""The pipeline config: one schema, one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_kit.config import (
    RUNNER_KEYS,
    SIMULATION_KEYS,
    STAGE_PARAMS,
    PipelineConfig,
    SplitParams,
    load_config,
    parse_overrides,
    validate_params,
)
from mlops_kit.data import dataset_info
from mlops_kit.errors import ConfigError

BASE = {"data": "x.csv", "target": "y"}


def test_defaults_follow_the_documented_contract() -> None:
    cfg = validate_params(BASE)
    assert (cfg.task, cfg.model, cfg.seed, cfg.split) == ("classification", "hgb", 0, "random")
    assert (cfg.positive_label, cfg.positive_is, cfg.protected) == (None, "favourable", [])
    assert (cfg.test_size, cfg.threshold, cfg.cv_folds) == (0.25, 0.5, 5)
    assert (cfg.min_group_size, cfg.min_group_positives) == (30, 5)


def test_issue_example_config_validates(tmp_path: Path) -> None:
    file = tmp_path / "adult.yml"
    file.write_text(
        'data: path/to/file.csv\ntarget: income\ntask: classification\npositive_label: ">50K"\n'
        "positive_is: favourable\nprotected: [sex, race]\nmodel: hgb\nseed: 0\n",
        encoding="utf-8",
    )
    cfg = load_config(file)
    assert cfg.positive_label == ">50K"
    assert cfg.protected == ["sex", "race"]
    # A relative data path is relative to the config file, not the working folder.
    assert Path(cfg.data) == (tmp_path / "path/to/file.csv").resolve()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"modle": "rf"},
            r"Unknown config key 'modle' \(got 'rf'\).*Valid keys: .*model.*Did you mean 'model'\?",
        ),
        ({"model": "xgb"}, r"Config key 'model' must be one of .*'hgb'.*; got 'xgb' \(str\)\."),
        ({"seed": "abc"}, r"Config key 'seed' must be a valid integer; got 'abc' \(str\)\."),
        ({"seed": 1.5}, r"Config key 'seed' must be a valid integer; got 1\.5 \(float\)\."),
        ({"seed": True}, r"Config key 'seed' must be a valid integer; got True \(bool\)\."),
        ({"seed": -1}, r"Config key 'seed' must be greater than or equal to 0; got -1"),
        ({"test_size": 1.5}, r"Config key 'test_size' must be less than 1; got 1\.5"),
        ({"threshold": 0}, r"Config key 'threshold' must be greater than 0; got 0"),
        ({"cv_folds": 1}, r"Config key 'cv_folds' must be 0 \(no cross-validation\) or from 2"),
        ({"protected": 5}, r"Config key 'protected' must be a valid list; got 5 \(int\)\."),
        ({"positive_is": "bad"}, r"Config key 'positive_is' must be one of 'favourable' or"),
        ({"task": "regression", "model": "logistic"}, r"model 'logistic' does not fit task"),
        ({"split": "time"}, r"split 'time' needs time_column"),
        ({"protected": ["y"]}, r"target 'y' cannot also be in protected"),
        ({"protected": ["a"], "features": ["a", "b"]}, r"protected columns cannot be features: a"),
        ({"target": " "}, r"Config key 'target' must not be empty"),
        ({"data": "bundled:nope"}, r"must name a bundled dataset after 'bundled:'"),
    ],
)
def test_each_problem_is_one_line_naming_key_rule_and_value(
    params: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected) as info:
        validate_params({**BASE, **params})
    assert all("\n" not in p for p in info.value.problems)


def test_missing_required_keys_are_each_reported() -> None:
    with pytest.raises(ConfigError) as info:
        validate_params({})
    assert info.value.problems == (
        "Config key 'data' is required but missing.",
        "Config key 'target' is required but missing.",
    )


def test_comma_separated_lists_are_accepted_for_the_command_line() -> None:
    cfg = validate_params({**BASE, "protected": "sex, race", "exclude": "id"})
    assert cfg.protected == ["sex", "race"]
    assert cfg.exclude == ["id"]


def test_bundled_data_names_resolve_to_the_shipped_file() -> None:
    cfg = validate_params({**BASE, "data": "bundled:benefit_claims"})
    assert Path(cfg.data) == dataset_info("benefit_claims").path


def test_overrides_are_parsed_as_yaml_values() -> None:
    assert parse_overrides(["seed=3", "model=rf", "threshold=0.3", "protected=[a, b]"]) == {
        "seed": 3,
        "model": "rf",
        "threshold": 0.3,
        "protected": ["a", "b"],
    }
    with pytest.raises(ConfigError, match=r"Override 'seed' must look like key=value"):
        parse_overrides(["seed"])


def test_overrides_apply_on_top_of_the_file_and_are_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "c.yml"
    file.write_text("data: d.csv\ntarget: y\nmodel: hgb\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "..")
    cfg = load_config(file, ["model=rf", "seed=7", "data=other.csv"])
    assert (cfg.model, cfg.seed) == ("rf", 7)
    # A data path given as an override is relative to the working folder.
    assert Path(cfg.data) == (tmp_path / ".." / "other.csv").resolve()
    with pytest.raises(ConfigError, match=r"Unknown config key 'sede'.*Did you mean 'seed'"):
        load_config(file, ["sede=1"])
    with pytest.raises(ConfigError, match=r"Config key 'seed' must be a valid integer"):
        load_config(file, ["seed=one"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, r"Config file '.*missing\.yml' was not found; expected a YAML file\."),
        (b"", r"is empty; it needs at least data and target"),
        (b"data: [unclosed\n", r"is not valid YAML at line 2, column 1"),
        (b"- a\n- b\n", r"must be a mapping of key: value lines; got a list"),
        (b"data: caf\xe9\n", r"is not UTF-8 text"),
    ],
)
def test_unusable_config_files_give_one_clear_error(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    file = tmp_path / "missing.yml"
    if content is not None:
        file.write_bytes(content)
    with pytest.raises(ConfigError, match=expected):
        load_config(file)


def test_a_folder_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is a folder; expected a YAML file"):
        load_config(tmp_path)


def test_stage_sections_cover_the_schema_and_share_only_the_split_and_the_card() -> None:
    stage_keys = {stage: set(model.model_fields) for stage, model in STAGE_PARAMS.items()}
    used = set().union(*stage_keys.values())
    assert used | set(RUNNER_KEYS) | set(SIMULATION_KEYS) == set(PipelineConfig.model_fields)
    assert not used & set(RUNNER_KEYS)
    shared = {key for key in used if sum(key in keys for keys in stage_keys.values()) > 1}
    # Tune and train share the split; gate and register share what a person writes in the
    # model card (the gate judges it complete, the register stage writes it).
    assert shared == {*SplitParams.model_fields, "transparency"}
    assert {s for s, keys in stage_keys.items() if "transparency" in keys} == {"gate", "register"}


@pytest.mark.parametrize("name", ["benefit_claims", "hospital_admissions"])
def test_bundled_configs_are_valid_and_point_at_their_data(name: str) -> None:
    info = dataset_info(name)
    cfg = load_config(info.config)
    assert Path(cfg.data) == info.path.resolve()
    assert cfg.target == info.target
    assert cfg.task == info.task
    assert cfg.protected == list(info.protected)
    assert cfg.time_column == info.time_column
    assert cfg.split == "time"
    if info.task == "classification":
        assert cfg.positive_is == info.positive_is == "adverse"


def test_config_is_immutable() -> None:
    cfg = validate_params(BASE)
    with pytest.raises(Exception, match="frozen"):
        cfg.seed = 3


def test_readme_documents_every_config_key(repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    missing = [key for key in PipelineConfig.model_fields if f"| `{key}` |" not in readme]
    assert not missing, f"README's config table lacks: {missing}"


@pytest.mark.parametrize(
    ("key", "url", "shown"),
    [
        (
            "tuning.storage",
            "postgresql://optuna:s3cret@db.example.gov.uk/optuna",
            "'postgresql://optuna:***@db.example.gov.uk/optuna'",
        ),
        (
            "registry.tracking_uri",
            "https://analyst:s3cret@mlflow.example.gov.uk",
            "'https://analyst:***@mlflow.example.gov.uk'",
        ),
        (
            "registry.tracking_uri",
            "https://mlflow.example.gov.uk/?api_key=s3cret",
            "'https://mlflow.example.gov.uk/?api_key=***'",
        ),
        (
            "tuning.storage",
            "mysql+pymysql://optuna@db/optuna?password=s3cret&charset=utf8mb4",
            "'mysql+pymysql://optuna@db/optuna?password=***&charset=utf8mb4'",
        ),
    ],
)
def test_a_password_in_a_url_is_refused_and_never_echoed(key: str, url: str, shown: str) -> None:
    section, name = key.split(".")
    with pytest.raises(ConfigError) as caught:
        validate_params({"data": "x.csv", "target": "y", section: {name: url}})
    message = str(caught.value)
    assert f"Config key '{key}' must not hold a password or token" in message
    assert "PGPASSWORD" in message
    assert "MLFLOW_TRACKING_PASSWORD" in message
    assert f"got {shown} (str)" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://optuna@db.example.gov.uk/optuna",
        "mysql+pymysql://optuna@db/optuna?read_default_file=~/.my.cnf",
        "sqlite:///study.db",
        "journal:///tmp/study.log",
        "https://mlflow.example.gov.uk",
        "sqlite:///tmp/tokens=1/mlops.db",
    ],
)
def test_urls_without_a_secret_are_kept_as_given(url: str) -> None:
    config = validate_params(
        {
            "data": "x.csv",
            "target": "y",
            "tuning": {"storage": url},
            "registry": {"tracking_uri": url},
        }
    )
    assert config.tuning.storage == url
    assert config.registry.tracking_uri == url
