"""One prepared table for every stage: the data rules, their records, and a messy run.

The rules are the config keys ``missing_target``, ``missing_protected`` and
``infinite_values``; validate records what they did in ``dataset.json`` and every later
stage repeats exactly that (``load_recorded``). The messy table is real: the births
data shipped with statsmodels (``cataneo2.csv``) saved as Excel's semicolon export,
with blank targets, blank protected values and infinite numbers added.
"""

from __future__ import annotations

import decimal
import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from mlops_kit.cli import main
from mlops_kit.data import (
    Preparation,
    SplitSettings,
    TableRules,
    check_split,
    load_batch,
    load_recorded,
    load_table,
    validate_table,
)
from mlops_kit.data._prepare import prepare_table
from mlops_kit.data._rules import NOT_RECORDED
from mlops_kit.errors import DataValidationError
from mlops_kit.pipeline import validate_stage

from .cli_support import mlops_kit

STATSMODELS = Path(importlib.import_module("statsmodels").__file__ or "").parent
BIRTHS = STATSMODELS / "treatment" / "tests" / "results" / "cataneo2.csv"
REPO = Path(__file__).resolve().parents[1]
#: Rows of the messy births table given blanks and infinities (fixed, for the counts).
BLANK_TARGET_ROWS = [3, 50, 51, 900, 4000]
BLANK_GROUP_ROWS = [2, 7, 100, 2500]
INFINITE_ROWS = [5, 9]


def _messy_births() -> pd.DataFrame:
    """Births with 5 blank targets, 4 blank mother's race values and 2 infinite ages."""
    df = pd.read_csv(BIRTHS).drop(columns=["bweight"])  # bweight defines the target
    df = df.astype({"fage": "float64", "lbweight": "Int64", "mrace": "Int64"})
    df.loc[BLANK_TARGET_ROWS, "lbweight"] = pd.NA
    df.loc[BLANK_GROUP_ROWS, "mrace"] = pd.NA
    df.loc[INFINITE_ROWS, "fage"] = [np.inf, -np.inf]
    return df


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    """The messy births table as Excel's semicolon export."""
    path = tmp_path / "births.csv"
    _messy_births().to_csv(path, sep=";", index=False)
    return path


RULES = TableRules(target="lbweight", protected=("mrace",), missing_target="drop")


# --- the rules, one at a time ----------------------------------------------------------------


def test_blank_protected_values_form_the_not_recorded_group() -> None:
    df = pd.DataFrame({"x": [1.0, 2, 3, 4], "sex": ["F", None, "M", None], "y": [0, 1, 0, 1]})
    prepared, prep = prepare_table(df, TableRules(target="y", protected=("sex",)))
    assert prepared["sex"].tolist() == ["F", NOT_RECORDED, "M", NOT_RECORDED]
    assert prep.not_recorded == {"sex": 2}
    assert NOT_RECORDED == "not recorded"
    assert (
        "Protected column 'sex': 2 blank value(s) form the group 'not recorded'"
        in (prep.lines()[0])
    )


def test_numeric_group_codes_with_blanks_stay_whole_numbers() -> None:
    # A blank makes pandas read codes 1 and 2 as 1.0 and 2.0; the groups stay "1", "2".
    df = pd.DataFrame({"x": [1.0, 2, 3], "race": [1.0, np.nan, 2.0], "y": [0, 1, 1]})
    prepared, _ = prepare_table(df, TableRules(target="y", protected=("race",)))
    assert prepared["race"].tolist() == ["1", NOT_RECORDED, "2"]


def test_missing_protected_refuse_names_the_column_the_count_and_the_first_row(
    messy_csv: Path,
) -> None:
    rules = TableRules(
        target="lbweight", protected=("mrace",), missing_target="drop", missing_protected="refuse"
    )
    with pytest.raises(DataValidationError) as info:
        load_table(messy_csv, rules)
    message = str(info.value)
    assert message.startswith("Protected column 'mrace' in 'births.csv' has 4 blank value(s)")
    # Row 2 is on line 4: the header is line 1 and rows count from 0.
    assert "first at row 2 (line 4 of the file)" in message
    assert "missing_protected is 'refuse'" in message
    assert "'missing_protected: group'" in message
    assert info.value.column == "mrace"


def test_blank_targets_are_refused_by_default_naming_the_key_that_drops_them(
    messy_csv: Path,
) -> None:
    with pytest.raises(DataValidationError) as info:
        load_table(messy_csv, TableRules(target="lbweight", protected=("mrace",)))
    message = str(info.value)
    assert "Target column 'lbweight' in 'births.csv' has 5 missing value(s)" in message
    assert "first at row 3 (line 5 of the file)" in message
    assert "Remove or fill those rows, or set the config key 'missing_target: drop'" in message
    assert info.value.column == "lbweight"


def test_validate_table_names_the_drop_key_too() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, None, 1]})
    with pytest.raises(DataValidationError, match=r"'missing_target: drop'"):
        validate_table(df, target="y")


def test_missing_target_drop_counts_the_rows_and_keeps_whole_labels(messy_csv: Path) -> None:
    table = load_table(messy_csv, RULES)
    prep = table.preparation
    assert (prep.rows_read, prep.dropped_missing_target, prep.n_rows) == (4642, 5, 4637)
    assert len(table.data) == 4637
    assert table.data.index.tolist() == list(range(4637))
    # Without the blanks the labels are whole numbers again: positive_label 1, not 1.0.
    assert table.data["lbweight"].dtype == "int64"
    profile = validate_table(table.data, target="lbweight", protected=["mrace"])
    assert profile.target.positive_label == 1


def test_dropping_blank_targets_gives_true_false_labels_their_own_type(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("x,approved\n1,True\n2,\n3,False\n4,True\n", encoding="utf-8")
    table = load_table(path, TableRules(target="approved", missing_target="drop"))
    assert table.data["approved"].dtype == bool
    assert validate_table(table.data, target="approved").target.positive_label is True


def test_a_target_blank_in_every_row_is_refused_even_with_drop() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [None, None]})
    with pytest.raises(DataValidationError, match=r"blank in all 2 rows"):
        prepare_table(df, TableRules(target="y", missing_target="drop"))


def test_infinite_values_become_missing_and_are_counted_per_column() -> None:
    df = pd.DataFrame(
        {
            "a": [1.0, np.inf, 3.0, -np.inf],
            "b": [1.0, 2.0, 1e39, 4.0],  # beyond float32: infinite to the models
            "n": [1, 2, 3, 4],
            "y": [0, 1, 0, 1],
        }
    )
    prepared, prep = prepare_table(df, TableRules(target="y"))
    assert prep.infinite == {"a": 2, "b": 1}
    assert prepared["a"].isna().tolist() == [False, True, False, True]
    assert prepared["b"].isna().sum() == 1
    assert prepared["n"].dtype == "int64"
    assert "Column 'a': 2 infinite value(s) treated as missing" in prep.lines()[0]


def test_infinite_values_refuse_names_the_column_the_count_and_the_first_row(
    messy_csv: Path,
) -> None:
    rules = TableRules(
        target="lbweight", protected=("mrace",), missing_target="drop", infinite_values="refuse"
    )
    with pytest.raises(DataValidationError) as info:
        load_table(messy_csv, rules)
    message = str(info.value)
    assert message.startswith("Column 'fage' in 'births.csv' has 2 infinite value(s)")
    assert "first at row 5 (line 7 of the file)" in message
    assert "'infinite_values: missing'" in message
    assert info.value.column == "fage"


def test_infinite_target_is_left_for_validation_to_refuse() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "cost": [1.0, np.inf, 3.0]})
    prepared, prep = prepare_table(df, TableRules(target="cost"))
    assert prep.infinite == {}
    with pytest.raises(DataValidationError, match=r"infinite value\(s\).*must be finite"):
        validate_table(prepared, target="cost", task="regression")


def test_decimal_commas_in_a_semicolon_file_are_read_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text(
        "cost;rate;group;code\n1.234,5;0,5;A;1,2\n12,25;1,75;B;3,4\n7;;A;5,6\n",
        encoding="utf-8",
    )
    table = load_table(path, TableRules(target="cost", protected=("group",)))
    assert table.preparation.decimal_comma == ("cost", "rate", "code")
    assert table.data["cost"].tolist() == [1234.5, 12.25, 7.0]
    assert table.data["rate"].tolist()[:2] == [0.5, 1.75]
    assert table.data["code"].tolist() == [1.2, 3.4, 5.6]
    assert "Read as numbers written with a decimal comma: 'cost', 'rate', 'code'." in (
        table.lines()
    )


def test_commas_in_a_comma_separated_file_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('label,x\n"1,5",1\n"2,5",2\n', encoding="utf-8")
    table = load_table(path, TableRules(target="x"))
    assert table.preparation.decimal_comma == ()
    assert table.data["label"].tolist() == ["1,5", "2,5"]


def test_parquet_types_become_what_a_csv_file_gives(tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-09"]),
            "band": pd.Categorical(["a", "b", None]),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "amount": [decimal.Decimal("1.5"), decimal.Decimal("2.25"), None],
            "y": [0, 1, 0],
        }
    ).to_parquet(path)
    table = load_table(path, TableRules(target="y", protected=("band",), time_column="when"))
    df = table.data
    assert df["when"].tolist() == ["2024-01-05", "2024-02-01", "2024-03-09"]
    assert df["band"].tolist() == ["a", "b", NOT_RECORDED]
    assert df["count"].dtype == "float64"
    assert df["amount"].tolist()[:2] == [1.5, 2.25]
    assert set(table.preparation.converted) == {"when", "band", "amount"}
    assert table.file.kind == "parquet"


def test_nested_parquet_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nested.parquet"
    pd.DataFrame({"tags": [["a"], ["b", "c"]], "y": [0, 1]}).to_parquet(path)
    with pytest.raises(DataValidationError, match=r"Column 'tags' in 'nested\.parquet' holds"):
        load_table(path, TableRules(target="y"))


# --- records: what validate decided, repeated by every stage ---------------------------------


def test_prepared_table_lines_and_record(messy_csv: Path) -> None:
    table = load_table(messy_csv, RULES)
    assert table.lines() == [
        "Read as CSV, semicolon-separated (detected).",
        "5 row(s) with a blank target 'lbweight' were left out (missing_target: drop); "
        "4,637 of 4,642 rows remain.",
        "Protected column 'mrace': 4 blank value(s) form the group 'not recorded' "
        "(missing_protected: group).",
        "Column 'fage': 2 infinite value(s) treated as missing (infinite_values: missing).",
    ]
    record = json.loads(json.dumps(table.record()))  # JSON-ready
    assert record["file"]["delimiter"] == ";"
    assert record["preparation"]["dropped_missing_target"] == 5
    assert record["preparation"]["not_recorded"] == {"mrace": 4}
    assert record["preparation"]["infinite"] == {"fage": 2}
    assert Preparation.from_dict(record["preparation"]) == table.preparation


def _validated(tmp_path: Path, data: Path, **keys: Any) -> tuple[Path, dict[str, Any]]:
    run_dir = tmp_path / "runs" / "r1"
    validate_stage(run_dir, data=str(data), **keys)
    return run_dir, json.loads((run_dir / "dataset.json").read_text())


def test_validate_records_the_file_and_the_preparation(tmp_path: Path, messy_csv: Path) -> None:
    _, record = _validated(
        tmp_path,
        messy_csv,
        target="lbweight",
        positive_label=1,
        protected=["mrace"],
        missing_target="drop",
    )
    assert record["file"] == {
        "format": "csv",
        "compression": None,
        "member": None,
        "delimiter": ";",
        "delimiter_source": "detected",
        "quotechar": '"',
    }
    prep = record["preparation"]
    assert (prep["rows_read"], prep["rows"], prep["dropped_missing_target"]) == (4642, 4637, 5)
    assert prep["not_recorded"] == {"mrace": 4}
    assert prep["infinite"] == {"fage": 2}
    assert prep["rules"]["missing_target"] == "drop"
    assert record["profile"]["n_rows"] == 4637
    mrace = next(c for c in record["profile"]["columns"] if c["column"] == "mrace")
    assert mrace["missing"] == 0  # every row has a group
    audit = (tmp_path / "audit" / "audit.jsonl").read_text().splitlines()
    loaded = json.loads(audit[-1])
    assert loaded["event"] == "data_loaded"
    assert loaded["details"]["preparation"]["dropped_missing_target"] == 5


def test_later_stages_load_exactly_the_validated_rows(tmp_path: Path, messy_csv: Path) -> None:
    _, record = _validated(
        tmp_path, messy_csv, target="lbweight", protected=["mrace"], missing_target="drop"
    )
    expected = load_table(messy_csv, RULES).data
    loaded = load_recorded(record)
    pd.testing.assert_frame_equal(loaded, expected)
    assert (loaded["mrace"] == NOT_RECORDED).sum() == 4
    assert loaded["fage"].isna().sum() >= 2
    assert np.isfinite(loaded["fage"].dropna()).all()


def test_a_file_changed_after_validation_is_refused(tmp_path: Path, messy_csv: Path) -> None:
    _, record = _validated(
        tmp_path, messy_csv, target="lbweight", protected=["mrace"], missing_target="drop"
    )
    messy_csv.write_bytes(messy_csv.read_bytes() + b"\n")
    with pytest.raises(DataValidationError, match=r"changed after it was validated"):
        load_recorded(record)


def test_a_record_from_before_preparation_was_recorded_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    pd.DataFrame({"x": [1.0, np.inf, 3.0], "y": [0, 1, 0]}).to_csv(path, index=False)
    from mlops_kit._io import sha256_file

    record = {
        "path": str(path),
        "sha256": sha256_file(path),
        "profile": {"roles": {"target": "y", "protected": [], "time_column": None}},
    }
    assert load_recorded(record)["x"].isna().tolist() == [False, True, False]


def test_a_new_batch_keeps_unlabelled_rows_and_follows_the_recorded_rules(
    tmp_path: Path, messy_csv: Path
) -> None:
    _, record = _validated(
        tmp_path, messy_csv, target="lbweight", protected=["mrace"], missing_target="drop"
    )
    batch = tmp_path / "batch.csv"
    pd.DataFrame(
        {"fage": [30.0, np.inf, 25.0], "mrace": [1, None, 0], "lbweight": [1, None, None]}
    ).to_csv(batch, sep="\t", index=False)
    df = load_batch(batch, record)
    assert df["lbweight"].isna().tolist() == [False, True, True]  # labels can come later
    assert df["mrace"].tolist() == ["1", NOT_RECORDED, "0"]
    assert df["fage"].isna().tolist() == [False, True, False]


# --- what later stages need, checked at validation -------------------------------------------


def _births_with_positives(n_positive: int) -> pd.DataFrame:
    births = pd.read_csv(BIRTHS).drop(columns=["bweight"])
    negatives = births[births["lbweight"] == 0].head(600)
    positives = births[births["lbweight"] == 1].head(n_positive)
    return pd.concat([negatives, positives], ignore_index=True)


def test_a_class_too_rare_for_the_folds_is_refused_naming_the_key() -> None:
    df = _births_with_positives(5)
    profile = validate_table(df, target="lbweight", protected=["mrace"])
    with pytest.raises(DataValidationError) as info:
        check_split(df, profile, SplitSettings(cv_folds=5), source="'births.csv'")
    message = str(info.value)
    assert "Target column 'lbweight' in 'births.csv' has too few rows of class 1" in message
    assert "5-fold cross-validation (cv_folds)" in message
    assert "cv_folds: 0 switches cross-validation off" in message
    # Without cross-validation and tuning the same table can be trained and scored.
    check_split(df, profile, SplitSettings(cv_folds=0, tuning_folds=0))


def test_a_single_row_of_a_class_cannot_be_split() -> None:
    df = _births_with_positives(1)
    profile = validate_table(df, target="lbweight")
    with pytest.raises(DataValidationError) as info:
        check_split(df, profile, SplitSettings(cv_folds=0, tuning_folds=0), source="'b.csv'")
    assert "Target column 'lbweight' in 'b.csv' has 1 row(s) of class 1" in str(info.value)
    assert "needs at least 2 of each class" in str(info.value)


def test_a_time_split_whose_test_periods_lack_a_class_is_refused() -> None:
    # The 60 low-weight births all fall in the first three months; April has none.
    df = _births_with_positives(60).sample(frac=1, random_state=0, ignore_index=True)
    df = df.sort_values("lbweight", ascending=False, kind="stable", ignore_index=True)
    df["month"] = np.repeat(["2024-01", "2024-02", "2024-03", "2024-04"], 165)
    profile = validate_table(df, target="lbweight", time_column="month")
    with pytest.raises(DataValidationError, match=r"held-out test rows .* hold no row of class 1"):
        check_split(df, profile, SplitSettings(split="time", cv_folds=0, tuning_folds=0))


def test_a_time_split_on_a_single_period_is_refused_naming_split() -> None:
    df = _births_with_positives(60).assign(month="2024-01")
    profile = validate_table(df, target="lbweight", time_column="month")
    with pytest.raises(DataValidationError, match=r"'split' is 'time', but .* single period"):
        check_split(df, profile, SplitSettings(split="time"))
    check_split(df, profile, SplitSettings(split="random"))


def test_a_feature_with_no_value_in_the_earlier_periods_is_refused() -> None:
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame(
        {
            "month": np.repeat(["2024-01", "2024-02", "2024-03", "2024-04"], n // 4),
            "x": rng.normal(size=n),
            "y": np.tile([0, 1], n // 2),
        }
    )
    df["online_only"] = np.where(df["month"] == "2024-04", rng.normal(size=n), np.nan)
    profile = validate_table(df, target="y", time_column="month")
    with pytest.raises(DataValidationError) as info:
        check_split(df, profile, SplitSettings(split="time", cv_folds=2, tuning_folds=0))
    assert "Feature column 'online_only'" in str(info.value)
    assert "no value in the earlier periods" in str(info.value)


def test_validate_refuses_a_protected_column_named_like_a_predictions_column() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y_true": list("abab"), "y": [0, 1, 0, 1]})
    with pytest.raises(DataValidationError, match=r"Column 'y_true' \(protected\) .* rename it"):
        validate_table(df, target="y", protected=["y_true"])


def test_validate_refuses_a_listed_feature_that_is_blank_everywhere() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "empty": [np.nan] * 3, "y": [0, 1, 0]})
    with pytest.raises(DataValidationError, match=r"Feature column 'empty' .* blank in all 3"):
        validate_table(df, target="y", features=["x", "empty"])


def test_validate_warns_about_a_protected_column_with_a_single_group() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "sex": ["F"] * 4, "y": [0, 1, 0, 1]})
    profile = validate_table(df, target="y", protected=["sex"])
    assert any("'sex' holds a single group ('F')" in w for w in profile.warnings)


def test_validate_stage_checks_the_split_of_the_runs_config(tmp_path: Path) -> None:
    data = tmp_path / "one_month.csv"
    _births_with_positives(60).assign(month="2024-01").to_csv(data, index=False)
    run_dir = tmp_path / "runs" / "r1"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yml").write_text("split: time\ncv_folds: 0\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"Config key 'split' is 'time'"):
        validate_stage(run_dir, data=str(data), target="lbweight", time_column="month")
    assert not (run_dir / "dataset.json").exists()


# --- mlops-kit check and a whole run -----------------------------------------------------------


def _transparency() -> dict[str, Any]:
    config = yaml.safe_load((REPO / "data" / "configs" / "benefit_claims.yml").read_text())
    section: dict[str, Any] = config["transparency"]
    return section


def _messy_config(folder: Path, **extra: Any) -> Path:
    data = folder / "births.csv"
    _messy_births().to_csv(data, sep=";", index=False)
    config = {
        "data": "births.csv",
        "target": "lbweight",
        "task": "classification",
        "positive_label": 1,
        "positive_is": "adverse",
        "protected": ["mrace"],
        "model": "logistic",
        "seed": 0,
        "missing_target": "drop",
        **extra,
        "transparency": _transparency(),
    }
    path = folder / "births.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def test_check_reports_the_delimiter_and_every_preparation_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    config = _messy_config(tmp_path)
    assert main(["check", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Config and data are valid: 4,637 rows; target 'lbweight'")
    assert "data: Read as CSV, semicolon-separated (detected)." in lines
    assert (
        "data: 5 row(s) with a blank target 'lbweight' were left out (missing_target: drop); "
        "4,637 of 4,642 rows remain."
    ) in lines
    assert (
        "data: Protected column 'mrace': 4 blank value(s) form the group 'not recorded' "
        "(missing_protected: group)."
    ) in lines
    assert (
        "data: Column 'fage': 2 infinite value(s) treated as missing (infinite_values: missing)."
    ) in lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["births.csv", "births.yml"]


def test_check_refuses_blank_targets_by_default_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _messy_config(tmp_path, missing_target="refuse")
    assert main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "has 5 missing value(s)" in err
    assert "'missing_target: drop'" in err


def test_check_refuses_a_class_too_rare_for_the_configured_folds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "rare.csv"
    _births_with_positives(5).to_csv(data, index=False)
    path = tmp_path / "rare.yml"
    path.write_text("data: rare.csv\ntarget: lbweight\ncv_folds: 5\n", encoding="utf-8")
    assert main(["check", "--config", str(path)]) == 2
    assert "too few rows of class 1 for 5-fold cross-validation" in capsys.readouterr().err
    switched_off = ["--set", "cv_folds=0", "--set", "tuning.n_trials=0"]
    assert main(["check", "--config", str(path), *switched_off]) == 0


@pytest.mark.slow
def test_run_on_a_messy_semicolon_table_through_the_command_line(tmp_path: Path) -> None:
    # Semicolons, blank targets dropped, blank groups, infinite ages (which failed
    # training before), and a tab-separated new batch with labels still to come.
    batch = _messy_births().sample(300, random_state=1)
    batch.loc[batch.index[:40], "lbweight"] = pd.NA
    batch.to_csv(tmp_path / "batch.tsv", sep="\t", index=False)
    config = _messy_config(tmp_path, new_batch="batch.tsv")
    proc = mlops_kit(
        "run",
        "--config",
        str(config),
        "--set",
        "tuning.n_trials=2",
        "--set",
        "explain.enabled=false",
        "--set",
        "n_bootstrap=0",
        "--set",
        "cv_folds=2",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(proc.stdout.strip().splitlines()[-1])
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "succeeded"
    record = json.loads((run_dir / "dataset.json").read_text())
    assert record["file"]["delimiter"] == ";"
    prep = record["preparation"]
    assert (prep["dropped_missing_target"], prep["rows"]) == (5, 4637)
    assert prep["not_recorded"] == {"mrace": 4}
    assert prep["infinite"] == {"fage": 2}
    training = json.loads((run_dir / "training.json").read_text())
    assert training["split"]["n_train"] + training["split"]["n_test"] == 4637
    predictions = pd.read_csv(run_dir / "predictions.csv", dtype={"mrace": str})
    assert set(predictions["mrace"]) <= {"0", "1", NOT_RECORDED}
    metrics = json.loads((run_dir / "metrics.json").read_text())
    groups = {g["group"] for g in metrics["fairness"]["mrace"]["groups"]}
    assert groups == set(predictions["mrace"])
    monitoring = json.loads((run_dir / "monitoring.json").read_text())
    assert monitoring["batch"] == "batch.tsv"
    assert monitoring["current_rows"] == 300
    report = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "Read as CSV, semicolon-separated (detected)." in report
    assert "5 row(s) with a blank target &#39;lbweight&#39; were left out" in report
    assert "form the group &#39;not recorded&#39;" in report
