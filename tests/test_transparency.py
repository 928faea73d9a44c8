"""Transparency documents drafted from a real pipeline run, checked as a reviewer would.

One full run of the bundled benefit-claims config (small tuning budget) feeds the model
card, the transparency record (ATRS) and the stakeholder summary; a regression run of the
hospital-admissions data, built stage by stage, checks the documents of a model about
regions rather than people. Every number is compared with the run's own files.
"""

from __future__ import annotations

import itertools
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_kit.data import dataset_info
from mlops_kit.errors import ArtefactError, ConfigError, DocumentationError
from mlops_kit.governance import (
    DocumentsSettings,
    ModelCard,
    TransparencyRecord,
    assess_ethics,
    model_card,
    stakeholder_summary,
    transparency_record,
)
from mlops_kit.governance._document import require_complete

# The `transparency:` sections proposed for data/configs/benefit_claims.yml and
# data/configs/hospital_admissions.yml (fictional organisations), checked here.
CLAIMS_YAML = """\
transparency:               # what only a person can write: model card, ATRS record, summary
  # FICTIONAL. The department, people and documents below are made up for the course;
  # every value must be replaced, by the people accountable, before any real use.
  tool_name: Claims Review Prioritisation Tool
  description: >-
    The Department for Social Support (a fictional department) uses this tool to decide
    which benefit claims its compliance caseworkers review first for possible fraud or
    error. It gives each claim a score; caseworkers review the highest-scoring claims. The
    tool never decides a claim, stops a payment or finds fraud: a caseworker does, after a
    review.
  organisation: Department for Social Support (fictional)
  team: Claims Analytics Team, Compliance Directorate
  senior_responsible_owner: Director of Compliance Operations
  owner: Claims Analytics Team (model owner), Compliance Directorate
  contact_email: claims-analytics@dss.example
  website: https://www.example.org/dss/claims-review-tool
  licence: Open Government Licence v3.0 (this card and record); the model itself is not
    published
  function: Benefits and welfare
  region: England and Wales
  phase: beta
  external_supplier_involved: false
  primary_uses: >-
    Put new benefit claims in order for compliance review, so that the limited review
    capacity (about one claim in ten) goes first to the claims most likely to contain fraud
    or error.
  primary_users: Compliance caseworkers and their team leaders, after the required training.
  out_of_scope_uses:
    - Deciding a claim, or refusing, suspending or reducing a payment, without a
      caseworker's review.
    - Judging a claimant's honesty or character, or any purpose other than ordering reviews.
    - Claims from people aged 16 or 17, benefit types or regions it was not trained on.
    - Sharing scores with other organisations or using them in any later decision.
  scope: >-
    Designed to order new claims for a compliance review. It is not designed to detect
    organised fraud, to assess entitlement, or to be used on claims already under
    investigation.
  benefit: >-
    Reviews found more fraud and error per hour of caseworker time in the beta, so fewer
    honest claimants should be reviewed for nothing; every flag is recorded, explained and
    monitored for fairness, which a manual sift was not.
  previous_process: >-
    Team leaders chose claims for review by hand, using local rules of thumb (claim amount,
    missing documents, previous flags) that were not written down, applied consistently or
    checked for fairness.
  alternatives_considered: >-
    A written points-based rule set (simpler to explain, but it found fewer cases and was
    no fairer in testing); random selection (fairest, but wastes review capacity); a
    logistic regression (kept as a benchmark; slightly less accurate).
  process_integration: >-
    Claims are scored each night. Caseworkers see the flagged claims in their work queue
    with the reasons for each flag, review the claim and record their own decision; the
    score is one input among the claim's documents and history.
  provided_information: >-
    Caseworkers also see the three main reasons for each score in plain words and the
    claim's history. Claimants are told that their claim was chosen for a review, not its
    score.
  frequency_and_scale: >-
    Scored nightly; in this fictional service about 1,750 new claims a month, of which about
    one in ten is flagged for review.
  human_oversight: >-
    Every flag is reviewed by a trained caseworker, who decides what happens and can
    disagree with the tool; their decision and any override reason are recorded. A named
    senior owner must approve every new model version, and the override rate by group is
    reviewed monthly by the Compliance Ethics Board.
  required_training: >-
    A half-day course on what the score means and does not mean, automation bias, the
    reason codes and how to record a disagreement, refreshed every year.
  appeals: >-
    A claimant can ask for any decision to be looked at again (mandatory reconsideration)
    and then appeal to an independent tribunal. A decision is never based on the score
    alone, and the claimant can ask why their claim was reviewed.
  system_architecture: >-
    Runs inside the department's secure analytics platform, reading a nightly extract of
    new claims and writing scores to the caseworkers' work queue. No personal data leaves
    the platform, and the model has no access to payment systems.
  maintenance: >-
    The Claims Analytics Team watches drift and fairness alerts weekly, retrains a
    challenger when they fire or every six months, and the Compliance Ethics Board reviews
    the tool, this record and the DPIA every year.
  metrics_rationale: >-
    Review capacity is fixed, so precision at the chosen threshold (how many flags are
    right) matters most to claimants, who are harmed by a wrongful review, and recall to
    the public purse. ROC AUC judges the ranking regardless of capacity. Because a flag is
    adverse, flag rates must satisfy the four-fifths rule between groups and error rates
    must not differ by more than 0.1 (equalised odds).
  data_source: >-
    The department's claims management system: claims reviewed by compliance teams in the
    last 24 months, with the review outcome (fraud or error found, or not).
  data_collection: >-
    Collected to administer benefit claims under the department's statutory powers;
    protected characteristics come from the voluntary equality questions on the claim form
    and are used only to monitor fairness.
  data_sharing: No data are shared outside the department for this tool.
  data_retention: >-
    Training extracts are kept for two years after the model is retired; scores are kept
    with the claim record under the department's retention schedule.
  data_access: >-
    Only the Claims Analytics Team, with security clearance, can access the extract, on the
    department's UK-hosted analytics platform; every access is logged.
  factors_note: >-
    Sex, age band, ethnic group and disability were evaluated because the Equality Act 2010
    protects them and earlier manual reviews were suspected of treating them differently.
  ethical_considerations:
    - The labels come from past reviews, which chose claims unevenly between groups, so the
      model can learn and repeat that bias.
    - Models trained on these labels flag some ethnic groups far more often than others and
      fail the four-fifths rule (see the quantitative analyses); such a version must not be
      used without a documented override by the senior responsible owner.
    - A wrongful review harms claimants (stress, delayed payments), so false positives are a
      harm, not only a cost.
    - Channel (online or paper) may stand in for age or disability; its effect is monitored.
  caveats:
    - Trained on 2023-2024 claims; the move to online claims in 2024 changed the data, so
      monitor drift and retrain.
    - Too few claimants aged 16 or 17 to judge fairness; do not use the tool on their
      claims.
    - Scores rank claims; they are not probabilities of fraud and must not be shown to
      claimants as such.
  dpia:
    status: completed
    date: 2024-05-14
    summary: High risk found for automated profiling; mitigated by caseworker review of
      every flag and no automated decisions.
  equality_impact_assessment:
    status: in progress
    summary: Started after the four-fifths rule failed by ethnic group; due before the tool
      leaves beta.
  risks:
    - name: Unequal flag rates between groups
      description: Some ethnic groups and age bands are flagged more often than others,
        partly because past reviews were uneven.
      mitigation: The gate refuses such versions; the override rate and flag rates by group
        are reviewed monthly; relabelling of past reviews is under way.
    - name: Automation bias
      description: Caseworkers may accept a flag without real scrutiny.
      mitigation: Training, reason codes with every flag, and monthly checks that override
        rates are not close to zero.
    - name: Model going stale
      description: Changes in how claims are made (online by default) make the model less
        accurate over time.
      mitigation: Drift and performance monitoring on every batch, with retraining triggered
        by alerts.
"""

HOSPITAL_YAML = """\
transparency:               # what only a person can write: model card, ATRS record, summary
  # FICTIONAL. The agency, people and documents below are made up for the course; every
  # value must be replaced, by the people accountable, before any real use.
  tool_name: Weekly Emergency Admissions Forecast
  description: >-
    The Regional Health Planning Agency (a fictional agency) uses this tool to forecast
    next week's emergency hospital admissions in each of its seven regions, so planners can
    arrange beds and staff in time. It makes no decisions about patients.
  organisation: Regional Health Planning Agency (fictional)
  team: Capacity Analytics Team
  senior_responsible_owner: Director of Operational Planning
  owner: Capacity Analytics Team
  contact_email: capacity-analytics@rhpa.example
  website: https://www.example.org/rhpa/admissions-forecast
  licence: Open Government Licence v3.0
  function: Health and social care
  region: England (seven fictional regions)
  phase: production
  external_supplier_involved: false
  primary_uses: Forecast weekly emergency admissions by region for bed and staff planning.
  primary_users: Regional capacity planners and the weekly operational planning meeting.
  out_of_scope_uses:
    - Any decision about an individual patient's care, admission or discharge.
    - Forecasts for single hospitals, or more than a week ahead.
    - Judging the performance of regions or hospitals.
  scope: >-
    Designed for one-week-ahead regional forecasts of emergency admissions; not for
    elective care, single hospitals or long-term planning.
  benefit: >-
    Earlier, more accurate forecasts help regions open surge beds and arrange staff before
    demand peaks, especially during respiratory-virus waves.
  previous_process: >-
    Planners used last year's admissions for the same week plus their own adjustments,
    which missed the timing of winter peaks.
  alternatives_considered: >-
    A seasonal average (simple, but about twice the error) and a regression on last
    week's admissions (kept as a benchmark).
  process_integration: >-
    Forecasts are published every Monday to the planners' dashboard and discussed at the
    weekly planning meeting, where people decide on beds and staffing.
  provided_information: >-
    Planners see each region's forecast with the last eight weeks of actual admissions
    for comparison.
  frequency_and_scale: Weekly, seven regional forecasts a week.
  human_oversight: >-
    Planners decide on beds and staff; the forecast is one input. Any forecast they think
    wrong is raised with the Capacity Analytics Team, and a named director approves each
    new model version.
  required_training: A one-hour briefing for planners on what the forecast and its error
    mean.
  appeals: >-
    The forecasts make no decisions about people, so there is nothing to appeal; anyone
    can question a forecast or the tool through the contact address.
  system_architecture: >-
    Runs weekly on the agency's analytics platform on aggregated counts from the national
    admissions feed and public surveillance data, and publishes to an internal dashboard.
  maintenance: >-
    Performance is checked every week once actual admissions arrive; the model is
    retrained each quarter or when the error rises, and reviewed yearly by the SRO.
  metrics_rationale: >-
    Planners need forecasts in admissions, so the mean absolute error and RMSE are reported
    in admissions (RMSE punishes the large misses that leave a region short of beds); R²
    shows how much of the week-to-week change the model captures, with a floor of 0.9.
  data_source: >-
    Weekly counts of emergency admissions by region from the national admissions feed, with
    public respiratory surveillance and weather data.
  data_collection: Collected routinely for NHS activity statistics and public health
    surveillance.
  data_sharing: Uses published and routinely shared aggregate statistics only.
  data_retention: Weekly aggregates are kept for ten years for trend analysis.
  data_access: The Capacity Analytics Team, on the agency's UK-hosted analytics platform.
  factors_note: >-
    No protected characteristics were evaluated: every row is a weekly count for a whole
    region, not a person, so the data hold none. Regions differ in size and deprivation,
    so forecast errors should also be compared between regions.
  ethical_considerations:
    - Under-forecasting can leave a region short of beds, which harms patients; the planning
      meeting keeps a safety margin.
    - Regions with more deprivation have higher admissions; errors there matter more and are
      reviewed separately.
  caveats:
    - Forecasts are one week ahead only; errors grow quickly beyond that.
    - A new virus or a change in how admissions are recorded can make the model wrong until
      it is retrained.
  dpia:
    status: not required
    summary: The tool uses aggregate counts only, with no personal data.
  equality_impact_assessment:
    status: completed
    date: 2024-02-01
    summary: No direct effect on individuals; capacity decisions follow existing regional
      equality duties.
  risks:
    - name: Under-forecasting a winter peak
      description: A sudden surge is forecast too low, so too few beds are opened.
      mitigation: Planners add a safety margin and watch surveillance data; the decay
        trigger retrains the model.
    - name: Change in recording
      description: A change in how admissions are coded shifts the counts.
      mitigation: Drift monitoring on every batch, and a review before any coding change.
"""


def _settings(text: str) -> dict[str, Any]:
    section: dict[str, Any] = yaml.safe_load(text)["transparency"]
    return section


CLAIMS = _settings(CLAIMS_YAML)
HOSPITAL = _settings(HOSPITAL_YAML)

#: What a person must write before the claims card is complete, and where.
CARD_REQUIRED = [
    "Model details > Owner (set transparency.owner)",
    "Model details > Contact (set transparency.contact_email)",
    "Intended use > Primary intended uses (set transparency.primary_uses)",
    "Intended use > Primary intended users (set transparency.primary_users)",
    "Intended use > Out-of-scope uses (set transparency.out_of_scope_uses)",
    "Metrics > Why these metrics and limits (set transparency.metrics_rationale)",
    "Ethical considerations > Considerations (set transparency.ethical_considerations)",
    "Caveats and recommendations > Caveats and recommendations (set transparency.caveats)",
]
T2 = "Tier 2: detailed information"


@pytest.fixture(scope="module")
def claims_run(bundled_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's full pipeline run of the bundled benefit-claims config
    (``bundled_run`` in conftest.py)."""
    run = _copy(bundled_run, tmp_path_factory.mktemp("docs"))
    # The run needed the bundled config's transparency keys to register; the tests below
    # read documents as a run whose config lacks them (settings=CLAIMS puts them back).
    recorded = yaml.safe_load((run / "config.yml").read_text(encoding="utf-8"))
    assert recorded.pop("transparency")["tool_name"]
    (run / "config.yml").write_text(yaml.safe_dump(recorded), encoding="utf-8")
    return run


@pytest.fixture(scope="module")
def admissions_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A regression run of the hospital admissions, stage by stage (no notebooks)."""
    from mlops_kit.pipeline import evaluate_stage, train_stage, validate_stage
    from mlops_kit.pipeline._context import write_run_context
    from mlops_kit.pipeline._release import gate_stage

    workspace = tmp_path_factory.mktemp("admissions")
    run_dir = workspace / "runs" / "admissions-1"
    write_run_context(
        run_dir,
        run_id="admissions-1",
        trained_by="Ada Trainer",
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=None,
        started_at="2024-03-04T09:00:00+00:00",
    )
    validate_stage(
        run_dir,
        data=str(dataset_info("hospital_admissions").path),
        target="emergency_admissions",
        task="regression",
        time_column="week_start",
    )
    train_stage(run_dir, model="hgb", cv_folds=0, split="time")
    evaluate_stage(run_dir, n_bootstrap=0)
    gate_stage(run_dir, policy={"min_metrics": {"r2": 0.9}}, transparency=HOSPITAL)
    return run_dir


def _json(run: Path, name: str) -> Any:
    return json.loads((run / name).read_text(encoding="utf-8"))


def _copy(run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "runs" / run.name
    shutil.copytree(run, copy)
    return copy


class _Structure(HTMLParser):
    """Collects what an accessibility check needs, and any tag left unbalanced."""

    VOID = frozenset({"meta", "img", "br", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.th_scopes: list[str | None] = []
        self.images: list[str | None] = []
        self.ids: list[str] = []
        self.tables_without_caption = 0
        self.lang: str | None = None
        self._heading: list[str] | None = None
        self._after_table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang")
        if self._after_table and tag != "caption":
            self.tables_without_caption += 1
        self._after_table = tag == "table"
        if tag == "th":
            self.th_scopes.append(a.get("scope"))
        if tag == "img":
            self.images.append(a.get("alt"))
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = []
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag.startswith("h") and tag[1:].isdigit() and self._heading is not None:
            self.headings.append((int(tag[1]), " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)


def check_html(markup: str, *, first_level: int = 1) -> _Structure:
    """Balanced tags, no skipped heading level, captions, scoped headers, alt text."""
    parser = _Structure()
    parser.feed(markup)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    levels = [level for level, _ in parser.headings]
    assert levels[0] == first_level
    assert levels.count(first_level) == 1, "one title"
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert parser.tables_without_caption == 0
    assert set(parser.th_scopes) <= {"col", "row"}, "every header cell has a scope"
    assert all(alt and alt.strip() for alt in parser.images)
    assert len(parser.ids) == len(set(parser.ids)), "ids are unique"
    return parser


# --------------------------------------------------------------------------- model card


def test_card_numbers_are_the_runs_own(claims_run: Path) -> None:
    metrics = _json(claims_run, "metrics.json")
    card = model_card(claims_run, settings=CLAIMS)
    for name in ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "brier"):
        assert card.overall[name] == metrics[name]
    markdown = card.to_markdown()
    for name in ("roc_auc", "recall", "precision", "brier"):
        assert f"| {name} | {metrics[name]:.3f} |" in markdown
    cm = metrics["confusion_matrix"]
    assert f"| actually positive | {cm['fn']:,} | {cm['tp']:,} |" in markdown
    assert f"Overall results on {metrics['n_test']:,} held-out rows" in markdown


def test_card_per_group_rows_are_the_fairness_section(claims_run: Path) -> None:
    fairness = _json(claims_run, "metrics.json")["fairness"]
    card = model_card(claims_run, settings=CLAIMS)
    assert set(card.by_group) == {"sex", "age_band", "ethnic_group", "disability"}
    for attr, f in fairness.items():
        assert list(card.by_group[attr]) == f["groups"]
    section = card.section("Quantitative analyses")
    by_ethnic = next(s for s in section.subsections if s.title == "By ethnic_group")
    groups, disparity = by_ethnic.tables
    f = fairness["ethnic_group"]
    assert [r[0] for r in groups.rows] == [g["group"] for g in f["groups"]]
    for row, g in zip(groups.rows, f["groups"], strict=True):
        assert row[1] == f"{g['count']:,}"
        assert row[3] == f"{100 * g['selection_rate']:.1f}%"
        assert row[-1] == g["verdict"]
        if g["verdict"] != "reference":
            assert row[-2] == (
                f"{g['impact_ratio']:.2f} ({g['impact_ratio_low']:.2f} to "
                f"{g['impact_ratio_high']:.2f})"
            )
    low, high = f["confidence_intervals"]["equalized_odds_difference"]
    assert (
        "equalised odds difference",
        f"{f['equalized_odds_difference']:.3f}",
        f"{low:.3f} to {high:.3f}",
    ) in disparity.rows
    assert by_ethnic.intro == f["summary"]
    assert "95% bootstrap confidence intervals" in disparity.caption


def test_card_details_are_traceable_to_the_run(claims_run: Path) -> None:
    card = model_card(claims_run, settings=CLAIMS)
    details = {e.label: e for e in card.section("Model details").entries}
    dataset, training = _json(claims_run, "dataset.json"), _json(claims_run, "training.json")
    context, registration = _json(claims_run, "run.json"), _json(claims_run, "registration.json")
    assert details["Training data SHA-256"].value == dataset["sha256"]
    assert details["Model file SHA-256"].value == training["model_sha256"]
    assert details["Trained by"].value == context["trained_by"]
    assert str(details["Code version"].value).startswith(context["code_version"]["label"])
    assert f"Version {registration['version']} of 'benefit-claims'" in str(details["Version"].value)
    assert details["Date trained"].value == context["started_at"][:10]
    assert details["Owner"].source == "config"
    assert details["Owner"].value == CLAIMS["owner"]
    assert details["Training data SHA-256"].source == "run"
    assert card.gate_decision == _json(claims_run, "gate.json")["decision"] == "refuse"
    assert [s.title for s in card.sections] == [
        "Model details",
        "Intended use",
        "Factors",
        "Metrics",
        "Evaluation data",
        "Training data",
        "Quantitative analyses",
        "Ethical considerations",
        "Caveats and recommendations",
    ]
    factors = {e.label: e.value for e in card.section("Factors").entries}
    assert factors["Groups too small to judge"] == (
        "age_band: 16-17 (fewer than 30 held-out rows or 5 actual positives)",
    )


def test_empty_settings_list_every_human_part_and_require_complete_refuses(
    claims_run: Path,
) -> None:
    card = model_card(claims_run)  # the run's config.yml has no transparency section
    assert list(card.missing) == CARD_REQUIRED
    assert not card.complete
    with pytest.raises(DocumentationError) as info:
        require_complete(card)
    message = str(info.value)
    assert "has 8 empty required parts, so the model cannot be approved or promoted" in message
    for line in CARD_REQUIRED:
        assert line in message
    assert info.value.problems == tuple(CARD_REQUIRED)
    assert info.value.document == "model card"
    # One part still empty names only that part.
    partial = model_card(claims_run, settings={**CLAIMS, "out_of_scope_uses": []})
    with pytest.raises(DocumentationError, match="has 1 empty required part,") as one:
        require_complete(partial)
    assert one.value.problems == (
        "Intended use > Out-of-scope uses (set transparency.out_of_scope_uses)",
    )


def test_filled_settings_complete_the_card(claims_run: Path) -> None:
    card = model_card(claims_run, settings=DocumentsSettings.model_validate(CLAIMS))
    assert card.missing == ()
    assert require_complete(card) is card
    markdown = card.to_markdown()
    assert "**Complete:** every required part of this model card is filled in." in markdown
    for use in CLAIMS["out_of_scope_uses"]:
        assert f"- {' '.join(use.split())}" in markdown
    assert "(from the config)" in markdown
    assert "(from the run)" in markdown


def test_settings_are_read_from_the_runs_config(claims_run: Path, tmp_path: Path) -> None:
    copy = _copy(claims_run, tmp_path)
    config = yaml.safe_load((copy / "config.yml").read_text(encoding="utf-8"))
    config["transparency"] = CLAIMS
    (copy / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert model_card(copy).missing == ()
    assert transparency_record(copy).missing == ()
    config["transparency"] = {**CLAIMS, "ownr": "typo"}
    (copy / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"transparency section: Unknown config key 'ownr'.*Did you mean 'owner'"
    ):
        model_card(copy)


def test_card_html_is_accessible(claims_run: Path) -> None:
    figures = {f["file"]: f for f in _json(claims_run, "figures.json")}
    empty = model_card(claims_run)
    page = empty.to_html()
    parsed = check_html(page)
    assert parsed.th_scopes.count("col") > 20
    assert parsed.th_scopes.count("row") > 50
    assert parsed.lang == "en-GB"
    assert parsed.headings[0] == (1, "Model card: benefit-claims")
    assert [t for level, t in parsed.headings if level == 2] == [s.title for s in empty.sections]
    # Figures carry their descriptions as alternative text.
    expected = {figures[f"figures/{n}.png"]["description"] for n in ("roc", "fairness_sex")}
    assert expected <= set(parsed.images)
    # Empty required parts say so in words, not colour alone.
    assert page.count("<strong>Missing:</strong> not written yet") == len(CARD_REQUIRED)
    assert "<strong>Incomplete:</strong> 8 required parts" in page
    fragment = empty._repr_html_()
    assert fragment.startswith('<section class="mlops-document mlops-model_card"')
    assert "<!DOCTYPE" not in fragment
    check_html(fragment, first_level=2)


def test_card_write_is_atomic_and_links_the_figures(claims_run: Path, tmp_path: Path) -> None:
    copy = _copy(claims_run, tmp_path)
    card = model_card(copy, settings=CLAIMS)
    written = card.write()
    assert written == {"markdown": copy / "model_card.md", "html": copy / "model_card.html"}
    elsewhere = card.write(tmp_path / "published")
    for path in (*written.values(), *elsewhere.values()):
        assert path.read_text(encoding="utf-8")
    for folder in (copy, tmp_path / "published"):
        markdown = (folder / "model_card.md").read_text(encoding="utf-8")
        links = [
            line.split("](")[1].rstrip(")")
            for line in markdown.splitlines()
            if line.startswith("![")
        ]
        assert links
        assert all((folder / link).is_file() for link in links)
        assert not list(folder.glob(".*.tmp")), "no temporary files left"


def test_documents_refuse_a_folder_that_is_not_a_finished_run(tmp_path: Path) -> None:
    with pytest.raises(ArtefactError, match="does not exist"):
        model_card(tmp_path / "nowhere")
    (tmp_path / "dataset.json").write_text("{}", encoding="utf-8")
    (tmp_path / "training.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ArtefactError, match=r"no 'metrics\.json', which the evaluate stage writes"):
        transparency_record(tmp_path)


def test_bad_parameters_are_named(claims_run: Path) -> None:
    with pytest.raises(ConfigError, match=r"'settings' parameter .* Got int instead"):
        model_card(claims_run, settings=42)  # type: ignore[arg-type]
    card = model_card(claims_run)
    with pytest.raises(ConfigError, match=r"'level' parameter of to_html .* Got 7"):
        card.to_html(level=7)
    with pytest.raises(KeyError, match="has no section 'Risks'"):
        card.section("Risks")


def test_settings_are_validated_strictly() -> None:
    with pytest.raises(ValueError, match="email address"):
        DocumentsSettings(contact_email="claims team")
    with pytest.raises(ValueError, match="https://"):
        DocumentsSettings(website="www.example.org")
    with pytest.raises(ValueError, match="needs its date"):
        DocumentsSettings.model_validate({"dpia": {"status": "completed"}})
    with pytest.raises(ValueError, match="phase"):
        DocumentsSettings.model_validate({"phase": "live"})
    with pytest.raises(ValueError, match="external_supplier_involved is false"):
        DocumentsSettings.model_validate(
            {"external_supplier_involved": False, "external_supplier": {"name": "Acme"}}
        )
    ok = DocumentsSettings.model_validate(
        {"dpia": {"status": "completed", "date": "2024-05-14"}, "caveats": "one caveat"}
    )
    assert ok.dpia is not None
    assert ok.dpia.date is not None
    assert ok.dpia.date.isoformat() == "2024-05-14"
    assert ok.caveats == ["one caveat"]


# --------------------------------------------------------------------------- ATRS record


def test_record_lists_missing_fields_by_their_atrs_path(claims_run: Path) -> None:
    record = transparency_record(claims_run)
    paths = {m.path: m.config_key for m in record.validate()}
    owner = f"{T2} > 1 Owner and responsibility"
    assert (
        paths[f"{owner} > 1.3 Senior responsible owner"] == "transparency.senior_responsible_owner"
    )
    assert paths[f"{owner} > 1.4 External supplier involvement"] == (
        "transparency.external_supplier_involved"
    )
    assert paths[f"{T2} > 3 Decision-making process > 3.4 Human decisions and review"] == (
        "transparency.human_oversight"
    )
    assert (
        paths[f"{T2} > 3 Decision-making process > 3.6 Appeals and review"]
        == "transparency.appeals"
    )
    assert paths[f"{T2} > 4 Tool specification > 4.2 Phase"] == "transparency.phase"
    data = f"{T2} > 4 Tool specification > 4.5 Data specification"
    assert paths[f"{data} > Data retention"] == "transparency.data_retention"
    impact = f"{T2} > 5 Risks, mitigations and impact assessments > 5.1 Impact assessments"
    assert paths[f"{impact} > Data protection impact assessment (DPIA)"] == "transparency.dpia"
    assert (
        paths[f"{impact} > Equality impact assessment"] == "transparency.equality_impact_assessment"
    )
    assert "Tier 1: summary information > Contact email" in paths
    assert len(record.missing) == len(paths) == 27
    # Facts from the run are never listed as missing.
    assert not any("2.1 Detailed description" in p or "Models" in p for p in paths)


def test_record_complete_when_filled_and_strict_about_suppliers_and_risks(
    claims_run: Path,
) -> None:
    assert transparency_record(claims_run, settings=CLAIMS).missing == ()
    supplier = transparency_record(
        claims_run,
        settings={
            **CLAIMS,
            "external_supplier_involved": True,
            "external_supplier": {"name": "Fictional Analytics Ltd"},
        },
    )
    owner = f"{T2} > 1 Owner and responsibility"
    assert [m.path for m in supplier.validate()] == [
        f"{owner} > 1.4.2 Companies House number",
        f"{owner} > 1.4.3 External supplier role",
        f"{owner} > 1.4.4 Procurement procedure type",
        f"{owner} > 1.4.5 Data access terms",
    ]
    risky = transparency_record(
        claims_run, settings={**CLAIMS, "risks": [{"name": "Stale model", "description": "x"}]}
    )
    assert [str(m) for m in risky.validate()] == [
        f"{T2} > 5 Risks, mitigations and impact assessments > 5.2 Risks and mitigations > "
        "Risk 'Stale model': mitigation (set transparency.risks[0].mitigation)"
    ]


def test_record_prefills_the_models_facts_and_exports_json(
    claims_run: Path, tmp_path: Path
) -> None:
    metrics = _json(claims_run, "metrics.json")
    record = transparency_record(claims_run, settings=CLAIMS)
    assert isinstance(record, TransparencyRecord)
    data = json.loads(record.to_json())
    assert data["standard"] == "Algorithmic Transparency Recording Standard (ATRS)"
    assert data["tier_1_summary_information"]["name"]["value"] == CLAIMS["tool_name"]
    tier2 = data["tier_2_detailed_information"]
    assert (
        tier2["owner_and_responsibility"]["senior_responsible_owner"]["value"]
        == (CLAIMS["senior_responsible_owner"])
    )
    model = tier2["tool_specification"]["models"]["model_benefit_claims"]
    performance = model["model_performance"]["value"][0]
    assert f"roc_auc {metrics['roc_auc']:.3f}" in performance
    assert f"On {metrics['n_test']:,} held-out rows" in performance
    ratio = metrics["fairness"]["ethnic_group"]["four_fifths"]["ratio"]
    assert any(
        f"By ethnic_group: the four-fifths rule on flag rates fails (ratio {ratio:.2f})" in line
        for line in model["model_fairness"]["value"]
    )
    description = tier2["description_and_rationale"]["detailed_description"]["value"]
    assert "cases scoring 0.3 or more are flagged" in description
    n_train = _json(claims_run, "training.json")["split"]["n_train"]
    assert f"trained by an automated pipeline on {n_train:,} past cases" in description
    found = tier2["risks_mitigations_and_impact_assessments"]["risks_and_mitigations"]
    assert any(
        "ethnic_group" in line
        for line in found["risks_the_pipeline_found_in_this_version"]["value"]
    )
    written = record.write(tmp_path)
    assert set(written) == {"markdown", "html", "json"}
    assert json.loads(written["json"].read_text(encoding="utf-8")) == data
    check_html(written["html"].read_text(encoding="utf-8"))


def test_saved_ethics_assessment_appears_in_the_card_and_record(
    claims_run: Path, tmp_path: Path
) -> None:
    copy = _copy(claims_run, tmp_path)
    assessment = assess_ethics(
        {
            "transparency": 4,
            "accountability": 4,
            "fairness": 1,
            "public_benefit_and_user_need": 4,
            "diverse_expertise": 3,
            "comply_with_the_law": 3,
            "data_quality_and_limitations": 2,
            "wider_policy_implications": 3,
        },
        notes={
            "fairness": "Fails the four-fifths rule by ethnic group; EIA in progress.",
            "data_quality_and_limitations": "Labels come from uneven past reviews.",
        },
        assessed_by="Priya Shah",
        role="Data ethics lead",
    )
    assessment.save(copy)
    card = model_card(copy, settings=CLAIMS)
    ethics = {e.label: e.value for e in card.section("Ethical considerations").entries}
    assert ethics["Data Ethics Framework self-assessment"] == (assessment.summary(),)
    record = transparency_record(copy, settings=CLAIMS)
    assert "Priya Shah (Data ethics lead): average 3.0 out of 5" in record.to_markdown()


# --------------------------------------------------------------------------- summary


def test_stakeholder_summary_is_plain_and_from_the_same_run(claims_run: Path) -> None:
    metrics = _json(claims_run, "metrics.json")
    gate = _json(claims_run, "gate.json")
    summary = stakeholder_summary(claims_run, settings=CLAIMS)
    assert summary.missing == ()
    text = summary.to_markdown()
    assert f"about {round(100 * metrics['precision'])} turn out to be real" in text
    assert f"it finds about {round(100 * metrics['recall'])} in every 100" in text
    failing = [c["explanation"] for c in gate["checks"] if c["passed"] is False]
    assert failing
    assert all(f"- {line}" in text for line in failing)
    assert "the automatic check refused the model" in text
    assert CLAIMS["senior_responsible_owner"] in text
    assert "It is never told anyone's sex, age band, ethnic group or disability" in text
    assert [s.title for s in summary.sections] == [
        "What the model does",
        "How well it works",
        "Who it might treat unfairly, and what is done about it",
        "Who decided, and how a person stays in charge",
        "What is watched once it is running",
    ]
    check_html(summary.to_html())
    empty = stakeholder_summary(claims_run)
    assert (
        "Who decided, and how a person stays in charge > How to challenge a decision "
        "(set transparency.appeals)" in empty.missing
    )


# --------------------------------------------------------------------------- regression


def test_documents_of_a_regression_model_about_regions(admissions_run: Path) -> None:
    metrics = _json(admissions_run, "metrics.json")
    card = model_card(admissions_run)
    assert isinstance(card, ModelCard)
    assert card.overall["rmse"] == metrics["rmse"]
    assert card.overall["r2"] == metrics["r2"]
    assert card.by_group == {}
    assert (
        "Factors > Why no protected characteristics were evaluated (set transparency.factors_note)"
        in card.missing
    )
    details = {e.label: e.value for e in card.section("Model details").entries}
    assert (
        details["Version"] == "Not registered yet: this card was drafted before the register stage."
    )
    assert details["Trained by"] == "Ada Trainer"
    markdown = card.to_markdown()
    assert f"| rmse | {metrics['rmse']:,.3f} |" in markdown
    (scatter,) = [
        f for f in _json(admissions_run, "figures.json") if f["name"] == "predicted_vs_actual"
    ]
    assert f"![{scatter['description']}](figures/predicted_vs_actual.png)" in markdown
    assert "| week_start | n | mae |" in markdown
    filled = [
        f(admissions_run, settings=HOSPITAL)
        for f in (model_card, transparency_record, stakeholder_summary)
    ]
    assert [d.missing for d in filled] == [(), (), ()]
    summary = filled[2].to_markdown()
    assert f"were {metrics['mae']:,.0f} emergency admissions away from the true figure" in summary
    assert "The model passed every check the policy sets." in summary
    for doc in filled:
        check_html(doc.to_html())


def test_the_card_keys_a_replay_checks_are_the_cards_required_human_parts(
    claims_run: Path,
) -> None:
    from mlops_kit.governance import CARD_HUMAN_KEYS

    keys = {m.config_key for m in model_card(claims_run).validate()}
    assert keys == {f"transparency.{k}" for k in CARD_HUMAN_KEYS}


def test_the_record_keys_the_design_check_asks_for_are_the_records_required_human_parts(
    claims_run: Path,
) -> None:
    from mlops_kit.course._design import TRANSPARENCY_KEYS
    from mlops_kit.governance import ATRS_HUMAN_KEYS, CARD_HUMAN_KEYS

    keys = [m.config_key for m in transparency_record(claims_run).validate()]
    assert list(dict.fromkeys(keys)) == [f"transparency.{k}" for k in ATRS_HUMAN_KEYS]
    # Lesson 10's design check asks for exactly what the two documents need.
    assert set(TRANSPARENCY_KEYS) == set(ATRS_HUMAN_KEYS) | set(CARD_HUMAN_KEYS)
