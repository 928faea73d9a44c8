"""The extension activities: an adoption proposal drafted from a real run, and the
stakeholder summary's facts checked against the run's files."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from mlops_kit.course import (
    AdoptionProposal,
    check_proposal,
    draft_proposal,
    export_proposal,
    proposal_template,
    read_written,
    summary_fact_sheet,
)
from mlops_kit.course._proposal_evidence import PROPOSAL_RUN_FILES, SUMMARY_SOURCES
from mlops_kit.errors import ArtefactError, ConfigError

DEPARTMENT = "Department for Social Support"


@pytest.fixture(scope="module")
def run_dir(bundled_run: Path) -> Path:
    """The session's complete run of the bundled benefit-claims pipeline, started by Ada
    Trainer (``bundled_run`` in conftest.py): read-only, copied before any change."""
    return bundled_run


@pytest.fixture(scope="module")
def draft(run_dir: Path) -> AdoptionProposal:
    return draft_proposal(run_dir, department=DEPARTMENT)


def _json(run_dir: Path, name: str) -> dict:
    return json.loads((run_dir / name).read_text(encoding="utf-8"))


def _evidence(proposal: AdoptionProposal, key: str) -> list[str]:
    return [e.text for e in proposal.part(key).evidence]


# --------------------------------------------------------------------------- the template


def test_the_bundled_template_has_the_sections_a_proposal_needs() -> None:
    template = proposal_template()
    assert template.keys == (
        "service",
        "current_process",
        "pilot_run",
        "components",
        "governance",
        "data_protection",
        "people",
        "costs",
        "pilot",
        "risks",
        "communication",
    )
    assert all(len(s.prompts) >= 2 for s in template.sections)
    assert [s.key for s in template.sections if not s.required] == ["pilot_run"]
    assert "the second person" in template.audience("a claimant")
    with pytest.raises(ConfigError, match=r"Did you mean 'a minister's office'\?"):
        template.audience("a ministers office")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"evidence": "governence"}, r"names evidence 'governence'.*Did you mean 'governance'"),
        ({"key": "Service"}, r"'key' must be snake_case. Got 'Service'"),
        ({"prompts": []}, r"section 'service' needs 'prompts'"),
        ({"colour": "red"}, r"unknown key\(s\): colour"),
    ],
)
def test_a_broken_template_is_refused_naming_the_section_and_rule(
    tmp_path: Path, change: dict, message: str
) -> None:
    raw = yaml.safe_load(proposal_template().path.read_text(encoding="utf-8"))
    raw["sections"][0].update(change)
    path = tmp_path / "sections.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        proposal_template(path)
    assert str(path.resolve()) in str(caught.value)


def test_repeated_section_keys_are_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(proposal_template().path.read_text(encoding="utf-8"))
    raw["sections"].append(raw["sections"][0])
    path = tmp_path / "sections.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unique; repeated: \['service'\]"):
        proposal_template(path)


# --------------------------------------------------------------------------- the evidence


def test_the_drafted_facts_are_the_runs_own(run_dir: Path, draft: AdoptionProposal) -> None:
    status = _json(run_dir, "status.json")
    gate = _json(run_dir, "gate.json")
    registration = _json(run_dir, "registration.json")
    manifest = _json(run_dir, "manifest.json")
    metrics = _json(run_dir, "metrics.json")
    assert draft.run_id == _json(run_dir, "run.json")["run_id"] == run_dir.name
    assert draft.title == f"Adopting automated MLOps in {DEPARTMENT}: a proposal"
    # What ran and how long: every stage and its seconds, as status.json recorded them.
    ran = _evidence(draft, "pilot_run")
    timings = next(t for t in ran if t.startswith("Its 9 stages ran unattended"))
    for stage in status["stages"]:
        seconds = stage["seconds"]
        shown = f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
        assert f"{stage['stage']} {shown}" in timings
    assert "started by Ada Trainer" in ran[0]
    # What the gate decided and why.
    governance = _evidence(draft, "governance")
    assert governance[0].startswith(f"The gate's decision: Decision: {gate['decision']}.")
    assert all(reason in governance[0] for reason in gate["reasons"])
    passed = sum(bool(c["passed"]) for c in gate["checks"])
    assert f"{passed} of {len(gate['checks'])} checks passed" in governance[0]
    # Versioning: the registered version, code version, data hash and seed.
    components = " ".join(_evidence(draft, "components"))
    assert f"{registration['model_name']} version {registration['version']}" in components
    assert manifest["data"]["sha256"][:12] in components
    assert manifest["code_version"]["label"][:12] in components
    assert f"seed {manifest['seeds']['seed']}" in components
    # The pilot's baseline: the four-fifths ratios of metrics.json.
    pilot = " ".join(_evidence(draft, "pilot"))
    for attribute, fairness in metrics["fairness"].items():
        assert f"{attribute} {fairness['four_fifths']['ratio']:.2f}" in pilot
    assert f"ROC AUC {metrics['roc_auc']:.3f}" in pilot
    # Every fact names files the run folder really holds.
    for part in draft.parts:
        for evidence in part.evidence:
            assert evidence.source, evidence.text
            assert all((run_dir / name).is_file() for name in evidence.source), evidence


def test_the_checks_left_to_a_person_follow_from_the_gate_and_monitoring(
    run_dir: Path, draft: AdoptionProposal
) -> None:
    gate = _json(run_dir, "gate.json")
    monitoring = _json(run_dir, "monitoring.json")
    to_do = [t for t in _evidence(draft, "governance") if t.startswith("A person must still")]
    assert gate["decision"] == "refuse"  # the bundled data's built-in bias
    assert "decide whether to override the refusal" in to_do[0]
    actions = {a["action"] for a in monitoring["alerts"] if a["severity"] == "alert"}
    assert actions
    listed = {t.split("calling for: ", 1)[1].rstrip(".") for t in to_do if "calling for" in t}
    assert listed == actions
    unjudged = [c["name"] for c in gate["checks"] if c["passed"] is None]
    assert all(any(f"judge '{name}'" in t for t in to_do) for name in unjudged)


def test_the_failed_gate_checks_and_the_configs_risks_are_listed(
    run_dir: Path, draft: AdoptionProposal
) -> None:
    risks = _evidence(draft, "risks")
    failed = [c["explanation"] for c in _json(run_dir, "gate.json")["checks"] if not c["passed"]]
    assert [r.removeprefix("Failed gate check: ") for r in risks[: len(failed)]] == failed
    config = yaml.safe_load((run_dir / "config.yml").read_text(encoding="utf-8"))
    for risk in config["transparency"]["risks"]:
        assert any(risk["name"] in r and risk["mitigation"] in r for r in risks)


# --------------------------------------------------------------------------- bad run folders


@pytest.mark.parametrize(
    ("name", "stage"),
    [("gate.json", "gate stage"), ("monitoring.json", "monitor stage"), ("run.json", "runner")],
)
def test_a_run_folder_missing_a_file_is_refused_naming_the_file_and_the_rule(
    run_dir: Path, tmp_path: Path, name: str, stage: str
) -> None:
    copy = shutil.copytree(run_dir, tmp_path / "run", ignore=shutil.ignore_patterns("*.ipynb"))
    (copy / name).unlink()
    with pytest.raises(ArtefactError) as caught:
        draft_proposal(copy, department=DEPARTMENT)
    message = str(caught.value)
    assert f"has no '{name}', which the {stage} writes" in message
    assert "complete pipeline run" in message
    assert name in PROPOSAL_RUN_FILES


def test_a_failed_run_and_a_missing_folder_are_refused(run_dir: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(run_dir, tmp_path / "run", ignore=shutil.ignore_patterns("*.ipynb"))
    status = _json(copy, "status.json")
    status |= {"status": "failed", "error": {"stage": "explain", "message": "shap broke"}}
    (copy / "status.json").write_text(json.dumps(status), encoding="utf-8")
    with pytest.raises(ArtefactError, match=r"did not succeed.*'explain': shap broke"):
        draft_proposal(copy, department=DEPARTMENT)
    with pytest.raises(ArtefactError, match=r"Got '.*nowhere', which does not exist"):
        draft_proposal(tmp_path / "nowhere", department=DEPARTMENT)


def test_stage_timings_are_reported_missing_when_the_stages_ran_by_hand(
    run_dir: Path, tmp_path: Path
) -> None:
    copy = shutil.copytree(run_dir, tmp_path / "run", ignore=shutil.ignore_patterns("*.ipynb"))
    (copy / "status.json").unlink()
    proposal = draft_proposal(copy, department=DEPARTMENT)
    assert "Stage timings were not recorded" in " ".join(_evidence(proposal, "pilot_run"))
    assert not any("Compute time" in t for t in _evidence(proposal, "costs"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"department": "  "}, r"'department' parameter of draft_proposal must be a non-empty"),
        (
            {"department": DEPARTMENT, "written": {"goverance": "x"}},
            r"unknown section 'goverance'.*Did you mean 'governance'\?",
        ),
        ({"department": DEPARTMENT, "written": {"people": 3}}, r"must be a string. Got int"),
        ({"department": DEPARTMENT, "written": ["people"]}, r"mapping of section key to text"),
    ],
)
def test_bad_parameters_are_refused_before_the_run_is_read(
    tmp_path: Path, kwargs: dict, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        draft_proposal(tmp_path / "not-read", **kwargs)


# --------------------------------------------------------------------------- check and export


def test_the_check_lists_the_required_sections_still_empty(draft: AdoptionProposal) -> None:
    template = proposal_template()
    required = tuple(s.key for s in template.sections if s.required)
    check = check_proposal(draft)
    assert check.empty == required
    assert not check.complete
    assert check.summary().startswith(f"✗ {len(required)} of {len(required)} required sections")
    written = draft.with_written({key: f"Our answer for {key}." for key in required[:-1]})
    assert check_proposal(written).empty == (required[-1],)
    assert written.part("people").written == "Our answer for people."
    done = written.with_written({required[-1]: "The last answer."})
    check = check_proposal(done)
    assert check.complete
    assert check.empty == ()
    assert check.summary().startswith("✓ Every required section")
    assert "- What a demonstration run showed: optional, not written" in repr(check)
    assert check.to_frame()["written"].sum() == len(required)


def test_export_writes_markdown_and_html_that_read_back(
    draft: AdoptionProposal, tmp_path: Path
) -> None:
    proposal = draft.with_written({"people": "Two data scientists.\n\nOne platform engineer."})
    files = export_proposal(proposal, tmp_path / "out" / "proposal.md")
    md = files.markdown.read_text(encoding="utf-8")
    page = files.html.read_text(encoding="utf-8")
    assert files.html == tmp_path / "out" / "proposal.html"
    assert md.startswith(f"# Adopting automated MLOps in {DEPARTMENT}: a proposal")
    assert md.count("> **To be written.**") == len(proposal.parts) - 1
    assert (
        read_written(files.markdown)["people"] == "Two data scientists.\n\nOne platform engineer."
    )
    assert read_written(files.markdown)["service"] == ""
    # Accessible HTML: the language, one h1, each section named by its heading, words not colour.
    assert '<html lang="en-GB">' in page
    assert page.count("<h1>") == 1
    assert page.count('aria-labelledby="mlops-proposal-') == len(proposal.parts)
    assert "<strong>To be written.</strong>" in page
    assert "<p>One platform engineer.</p>" in page
    # A team edits the Markdown: the check reads the file, the text survives a re-draft.
    edited = md.replace(
        "<!-- written: governance -->\n",
        "<!-- written: governance -->\nThe Director of Compliance signs off each version.\n",
    )
    files.markdown.write_text(edited, encoding="utf-8")
    check = check_proposal(files.markdown)
    assert "governance" not in check.empty
    assert "service" in check.empty
    assert "'proposal.md'" in check.summary()
    again = draft_proposal(
        draft.run_dir, department=DEPARTMENT, written=read_written(files.markdown)
    )
    assert again.part("governance").written == (
        "The Director of Compliance signs off each version."
    )


def test_exporting_again_keeps_the_text_a_team_wrote_in_the_file(
    draft: AdoptionProposal, tmp_path: Path
) -> None:
    """A lesson run again exports to the same file: the team's words there survive."""
    target = tmp_path / "proposal.md"
    first = export_proposal(draft, target)
    assert first.kept == ()
    edited = target.read_text(encoding="utf-8").replace(
        "<!-- written: governance -->\n",
        "<!-- written: governance -->\nThe Director of Compliance signs off each version.\n",
    )
    target.write_text(edited, encoding="utf-8")
    again = export_proposal(draft.with_written({"people": "Two data scientists."}), target)
    written = read_written(target)
    assert written["governance"] == "The Director of Compliance signs off each version."
    assert written["people"] == "Two data scientists."
    assert again.kept == ("governance",)
    assert "kept for 1 section(s) the draft left empty: governance." in repr(again)
    # Text in the draft wins over the file's for the same section.
    export_proposal(draft.with_written({"governance": "A panel signs off."}), target)
    assert read_written(target)["governance"] == "A panel signs off."


def test_export_is_atomic_and_refuses_a_path_that_is_not_markdown(
    draft: AdoptionProposal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match=r"ending '.md'.*Got '.*proposal.docx'"):
        export_proposal(draft, tmp_path / "proposal.docx")
    with pytest.raises(ConfigError, match=r"must be an AdoptionProposal.*Got dict"):
        export_proposal({}, tmp_path / "proposal.md")  # type: ignore[arg-type]
    target = tmp_path / "proposal.md"
    target.write_text("the previous version", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        export_proposal(draft, target)
    assert target.read_text(encoding="utf-8") == "the previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proposal.md"]


def test_reading_a_file_that_is_not_a_proposal_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist; export one"):
        read_written(tmp_path / "missing.md")
    other = tmp_path / "notes.md"
    other.write_text("# Notes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"none of the proposal's section markers"):
        check_proposal(other)


def test_the_proposal_renders_as_text_and_html(draft: AdoptionProposal) -> None:
    text = repr(draft)
    assert text.splitlines()[0] == draft.title
    assert "3. What a demonstration run showed (to be written, optional)" in text
    fragment = draft._repr_html_()
    assert fragment.startswith('<div class="mlops-proposal">')
    assert "<h2>" in fragment
    assert "<h1>" not in fragment
    assert re.search(r"\(from <code>gate\.json</code>\)", fragment)


# --------------------------------------------------------------------------- the summary


def test_the_fact_sheet_lists_each_run_fact_of_the_summary_with_its_files(run_dir: Path) -> None:
    sheet = summary_fact_sheet(run_dir)
    metrics = _json(run_dir, "metrics.json")
    assert list(sheet.columns) == ["section", "entry", "fact", "check in", "checked"]
    assert set(sheet["section"]) <= set(SUMMARY_SOURCES)  # no fact without its files
    assert (sheet["checked"] == "").all()
    tested = sheet.loc[sheet["entry"] == "Tested on past cases", "fact"].tolist()
    assert tested[0].startswith(f"It was tested on {metrics['n_test']:,} past cases")
    assert f"(ROC AUC) is {metrics['roc_auc']:.2f}" in " ".join(tested)
    assert "Ada Trainer" in sheet["fact"].tolist()
    for files in sheet["check in"]:
        assert all((run_dir / name).is_file() for name in files.split(", "))
