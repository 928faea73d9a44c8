"""The Elaborate phase: a team's pipeline design, checked against the guidelines and run.

A design file (``data/course/designs/<scenario>.design.yml``) has two parts:

``pipeline``
    A real pipeline config, validated by :class:`mlops_kit.config.PipelineConfig`, so a
    design can be run on the bundled data (:func:`run_design`).
``plan``
    What a config cannot hold (:class:`DesignPlan`): who approves and in which role, who
    reads the alerts, how often the tool is reviewed, the rollback plan, the privacy
    statement and who holds each role card.

:func:`check_design` judges six parts of a design, each *pass*, *weak* or *missing* with
a sentence saying why: approval, fairness, monitoring, rollback, privacy and
transparency. Only what the team wrote counts: a limit left at the kit's default is not a
decision the team made. :meth:`DesignCheck.score` turns the check into the automatic
levels of the Evaluate phase's rubric (:func:`mlops_kit.course.score_rubric`).
"""

from __future__ import annotations

import enum
import html
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from .._resources import resource_path
from ..config import BUNDLED_PREFIX, PipelineConfig, validate_params
from ..errors import ConfigError, did_you_mean
from ..governance import ATRS_HUMAN_KEYS, CARD_HUMAN_KEYS

if TYPE_CHECKING:
    import pandas as pd

    from ..pipeline import RunResult

__all__ = [
    "DESIGN_CRITERIA",
    "ROLE_CARDS",
    "SCENARIOS",
    "CheckItem",
    "CheckStatus",
    "Design",
    "DesignCheck",
    "DesignPlan",
    "RollbackPlan",
    "check_design",
    "copy_template",
    "design_path",
    "design_summary",
    "governance_guidelines",
    "load_design",
    "role_card",
    "run_design",
    "scenario_brief",
    "scenarios",
]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)
_DESIGNS = "data/course/designs"

#: The scenario briefs: key, title, the bundled data it runs on, and a one-line summary.
SCENARIOS: dict[str, tuple[str, str, str]] = {
    "benefit_claims_triage": (
        "Ordering benefit claims for a compliance review",
        "benefit_claims",
        "Classification; a flag is adverse for the claimant; protected groups compared.",
    ),
    "hospital_admissions_forecast": (
        "Forecasting weekly emergency hospital admissions",
        "hospital_admissions",
        "Regression on regional counts; no decisions about individual people.",
    ),
    "housing_repairs_priority": (
        "Prioritising urgent housing-repair inspections",
        "benefit_claims (a stand-in)",
        "Classification; a flag is favourable (a sooner inspection); stand-in data.",
    ),
}

#: The role cards in ``data/course/roles/``: key and title.
ROLE_CARDS: dict[str, str] = {
    "product_owner": "Product owner",
    "data_scientist": "Data scientist",
    "caseworker_representative": "Caseworker (frontline) representative",
    "information_governance_lead": "Information governance lead",
    "senior_responsible_owner": "Senior responsible owner (SRO)",
}

#: The parts :func:`check_design` judges, in order: key and title.
DESIGN_CRITERIA: dict[str, str] = {
    "approval": "A named person approves",
    "fairness": "Fairness limits",
    "monitoring": "Monitoring and retraining",
    "rollback": "Rollback plan",
    "privacy": "Privacy",
    "transparency": "Transparency record",
}

#: Transparency keys the model card or the ATRS record require, taken from the documents
#: themselves (``factors_note`` is added when no protected characteristic is compared).
TRANSPARENCY_KEYS = tuple(dict.fromkeys((*ATRS_HUMAN_KEYS, *CARD_HUMAN_KEYS)))

#: Words in a column name that suggest a protected characteristic (Equality Act 2010).
_PROTECTED_WORDS = frozenset(
    {
        "sex", "gender", "age", "ethnic", "ethnicity", "race", "disability", "disabled",
        "religion", "belief", "sexual", "orientation", "marital", "pregnancy", "maternity",
    }
)  # fmt: skip
#: Text that is not an answer yet.
_PLACEHOLDER = re.compile(r"^(todo|tbc|tbd|n/?a|none|xxx*|\?+|-+)\b", re.IGNORECASE)
_NOT_NAMES = frozenset({"me", "someone", "anyone", "nobody", "admin", "user", "test", "team"})


class RollbackPlan(BaseModel):
    """When the tool is rolled back, how, and who decides."""

    model_config = _STRICT

    when: str = Field("", description="What would make the team roll back.")
    how: str = Field("", description="Which version or fallback takes over, and for which cases.")
    who: str = Field("", description="Who decides (a role), and where it is recorded.")


class RoleHolders(BaseModel):
    """Who in the team holds each role card."""

    model_config = _STRICT

    product_owner: str = ""
    data_scientist: str = ""
    caseworker_representative: str = ""
    information_governance_lead: str = ""
    senior_responsible_owner: str = ""


class DesignPlan(BaseModel):
    """The ``plan`` part of a design: what a pipeline config cannot hold."""

    model_config = _STRICT

    decisions_about_people: bool = Field(
        True, description="Does the tool affect decisions about individual people?"
    )
    approver_role: str = Field("", description="The role of whoever signs off a new version.")
    monitoring_owner: str = Field("", description="Who reads the alerts, and how quickly.")
    review_cadence: str = Field("", description="How often the tool as a whole is reviewed.")
    retraining: str = Field("", description="When and how a challenger is trained.")
    rollback: RollbackPlan = Field(default_factory=RollbackPlan, description="The way back.")
    privacy: str = Field(
        "", description="Lawful basis, data minimisation and who may see the data."
    )
    roles: RoleHolders = Field(default_factory=RoleHolders, description="Who holds each role.")


_TOP_KEYS = ("scenario", "title", "team", "pipeline", "plan")


@dataclass(frozen=True)
class Design:
    """A loaded design: the raw ``pipeline`` block, its validated config and the plan.

    ``pipeline`` is the block as written (a relative ``data`` path made absolute), so the
    check can tell what the team chose from what the kit would default.
    """

    path: Path
    scenario: str
    title: str
    team: str
    pipeline: Mapping[str, Any]
    config: PipelineConfig
    plan: DesignPlan

    def _repr_html_(self) -> str:
        esc = html.escape
        return (
            f"<p class='mlops-design'><strong>{esc(self.title or self.scenario)}</strong>"
            f" ({esc(self.team or 'no team named')}): {esc(self.path.name)}, a "
            f"{self.config.task} pipeline on {esc(Path(self.config.data).name)}.</p>"
        )


class CheckStatus(enum.StrEnum):
    """How well one part of the design meets its guideline."""

    PASS = "pass"
    WEAK = "weak"
    MISSING = "missing"


_SYMBOLS = {
    CheckStatus.PASS: "✔ pass",
    CheckStatus.WEAK: "△ weak",
    CheckStatus.MISSING: "✘ missing",
}


@dataclass(frozen=True)
class CheckItem:
    """One judged part of a design: its status, a sentence why, and the keys it read."""

    criterion: str
    status: CheckStatus
    message: str
    keys: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The criterion's title."""
        return DESIGN_CRITERIA[self.criterion]


@dataclass(frozen=True)
class DesignCheck:
    """The result of :func:`check_design`: one :class:`CheckItem` per criterion."""

    design: str
    items: tuple[CheckItem, ...]
    extras: Mapping[str, bool] = field(default_factory=dict, repr=False)
    """Per rubric criterion, whether the extra a level 3 needs is there (see :meth:`score`)."""

    def item(self, criterion: str) -> CheckItem:
        """The item of ``criterion`` (a key of :data:`DESIGN_CRITERIA`)."""
        for it in self.items:
            if it.criterion == criterion:
                return it
        hint = did_you_mean(criterion, DESIGN_CRITERIA)
        raise ConfigError(
            f"The 'criterion' parameter of DesignCheck.item must be one of "
            f"{', '.join(DESIGN_CRITERIA)}. Got {criterion!r} instead.{hint}"
        )

    @property
    def passed(self) -> bool:
        """Whether every part passes."""
        return all(it.status is CheckStatus.PASS for it in self.items)

    @property
    def missing(self) -> tuple[str, ...]:
        """The criteria reported missing."""
        return tuple(it.criterion for it in self.items if it.status is CheckStatus.MISSING)

    @property
    def weak(self) -> tuple[str, ...]:
        """The criteria reported weak."""
        return tuple(it.criterion for it in self.items if it.status is CheckStatus.WEAK)

    def score(self) -> dict[str, int]:
        """The automatic rubric levels (0 to 3) of the criteria a machine can judge.

        Pass gives level 2, weak 1, missing 0; level 3 also needs the extra a peer would
        look for: governance, approval *and* a rollback plan; fairness, a written metric
        rationale and small-group handling; monitoring, late labels dealt with; privacy
        (and transparency), both passing and the re-identification risk of exports
        assessed (quasi-identifiers named), or no personal data at all.
        Pass it to :func:`mlops_kit.course.score_rubric` as ``auto``.
        """
        level = {CheckStatus.PASS: 2, CheckStatus.WEAK: 1, CheckStatus.MISSING: 0}
        st = {it.criterion: it.status for it in self.items}
        ok = CheckStatus.PASS

        def up(base: int, extra: bool) -> int:
            return 3 if base == 2 and extra else base

        privacy = min(level[st["privacy"]], level[st["transparency"]])
        if privacy == 0 and ok in (st["privacy"], st["transparency"]):
            privacy = 1
        return {
            "governance": up(level[st["approval"]], st["rollback"] is ok),
            "fairness": up(level[st["fairness"]], self.extras.get("fairness", False)),
            "monitoring": up(level[st["monitoring"]], self.extras.get("monitoring", False)),
            "privacy": up(privacy, self.extras.get("privacy", False)),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: title, status, what was found, the keys read."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "criterion": it.criterion,
                    "title": it.title,
                    "status": it.status.value,
                    "finding": it.message,
                    "keys": ", ".join(it.keys),
                }
                for it in self.items
            ]
        ).set_index("criterion")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON): the design, each item and the rubric levels."""
        return {
            "design": self.design,
            "passed": self.passed,
            "items": [
                {"criterion": it.criterion, "status": it.status.value, "message": it.message}
                for it in self.items
            ],
            "score": self.score(),
        }

    def summary(self) -> str:
        """The check in one sentence."""
        n_pass = sum(it.status is CheckStatus.PASS for it in self.items)
        parts = [f"{n_pass} of {len(self.items)} parts of {self.design} pass"]
        if self.weak:
            parts.append(f"weak: {', '.join(self.weak)}")
        if self.missing:
            parts.append(f"missing: {', '.join(self.missing)}")
        return "; ".join(parts) + "."

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><th scope='row'>{esc(it.title)}</th><td>{_SYMBOLS[it.status]}</td>"
            f"<td>{esc(it.message)}</td></tr>"
            for it in self.items
        )
        return (
            f"<table class='mlops-design-check'><caption>Design check: {esc(self.design)}"
            "</caption><thead><tr><th scope='col'>guideline</th><th scope='col'>status</th>"
            f"<th scope='col'>what the check found</th></tr></thead><tbody>{rows}</tbody>"
            f"</table><p>{esc(self.summary())}</p>"
        )


# --- the course material ------------------------------------------------------------------


def scenarios() -> pd.DataFrame:
    """The three scenario briefs: title, data and a one-line summary."""
    import pandas as pd

    return pd.DataFrame(
        [
            {"scenario": k, "title": t, "data": d, "in short": s}
            for k, (t, d, s) in SCENARIOS.items()
        ]
    ).set_index("scenario")


def _scenario(name: str) -> str:
    if name not in SCENARIOS:
        raise ConfigError(
            f"The 'scenario' parameter must be one of {', '.join(SCENARIOS)}. "
            f"Got {name!r} instead.{did_you_mean(str(name), SCENARIOS)}"
        )
    return name


def design_path(scenario: str, *, example: bool = False) -> Path:
    """The shipped design template of ``scenario`` (or its model answer with ``example``)."""
    suffix = ".example.design.yml" if example else ".design.yml"
    return resource_path(f"{_DESIGNS}/{_scenario(scenario)}{suffix}")


def scenario_brief(scenario: str) -> str:
    """The scenario's brief (Markdown)."""
    path = resource_path(f"{_DESIGNS}/{_scenario(scenario)}.brief.md")
    return path.read_text(encoding="utf-8")


def governance_guidelines() -> str:
    """The six governance guidelines the design check follows (Markdown)."""
    return resource_path(f"{_DESIGNS}/guidelines.md").read_text(encoding="utf-8")


def role_card(role: str) -> str:
    """The role card of ``role`` (a key of :data:`ROLE_CARDS`), as Markdown."""
    if role not in ROLE_CARDS:
        raise ConfigError(
            f"The 'role' parameter of role_card must be one of {', '.join(ROLE_CARDS)}. "
            f"Got {role!r} instead.{did_you_mean(str(role), ROLE_CARDS)}"
        )
    return resource_path(f"data/course/roles/{role}.md").read_text(encoding="utf-8")


def copy_template(
    scenario: str, folder: str | os.PathLike[str] = "designs", *, overwrite: bool = False
) -> Path:
    """Copy the scenario's design template into ``folder`` for the team to edit.

    An existing copy is kept (the team's work is never overwritten) unless ``overwrite``.
    Returns the copy's path, ``<folder>/<scenario>.design.yml``.
    """
    source = design_path(scenario)
    target = Path(folder) / source.name
    if overwrite or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target


# --- loading --------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        what = "is a folder" if path.is_dir() else "was not found"
        raise ConfigError(
            f"Design file '{path}' {what}; expected a YAML design file. Lesson 10 "
            "(10_elaborate_design.ipynb) writes a team's design into designs/ of its "
            "working folder: run it first, or give the path of your team's file."
        )
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"Design file '{path}' is not valid YAML{where}: {problem}.") from None
    if not isinstance(loaded, dict):
        raise ConfigError(
            f"Design file '{path}' must be a mapping with the keys pipeline and plan; "
            f"got {type(loaded).__name__}."
        )
    return {str(k): v for k, v in loaded.items()}


def load_design(path: str | os.PathLike[str]) -> Design:
    """Read and validate a design file.

    The ``pipeline`` block is validated as a pipeline config (a relative ``data`` path is
    relative to the design file; ``bundled:<name>`` names shipped data) and the ``plan``
    block as a :class:`DesignPlan`.

    Raises
    ------
    ConfigError
        The file is missing or not YAML, a top-level key is unknown, or the pipeline or
        plan block breaks its schema; the message names the key, the rule and the value.
    """
    file = Path(path)
    raw = _read(file)
    unknown = [k for k in raw if k not in _TOP_KEYS]
    if unknown:
        raise ConfigError(
            f"Design file '{file.name}' has the unknown key '{unknown[0]}': a design's keys "
            f"must be among {', '.join(_TOP_KEYS)}.{did_you_mean(unknown[0], _TOP_KEYS)}"
        )
    pipeline = raw.get("pipeline")
    if not isinstance(pipeline, dict):
        raise ConfigError(
            f"Design file '{file.name}' needs a 'pipeline' block: a mapping of pipeline "
            f"config keys. Got {pipeline!r} instead."
        )
    pipeline = dict(pipeline)
    for key in ("data", "new_batch"):
        value = pipeline.get(key)
        relative = isinstance(value, str) and not os.path.isabs(value)
        if relative and not str(value).startswith(BUNDLED_PREFIX):
            pipeline[key] = str((file.parent / str(value)).resolve())
    config = validate_params(pipeline, source=f"design '{file.name}', pipeline block")
    plan = validate_params(
        raw.get("plan") or {}, model=DesignPlan, source=f"design '{file.name}', plan block"
    )
    return Design(
        path=file.resolve(),
        scenario=str(raw.get("scenario") or file.name.split(".")[0]),
        title=str(raw.get("title") or ""),
        team=str(raw.get("team") or ""),
        pipeline=pipeline,
        config=config,
        plan=plan,
    )


# --- the check --------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    """Whether a value is an answer: not empty, not a TODO."""
    if value is None or value == {} or value == []:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and not _PLACEHOLDER.match(value.strip())
    if isinstance(value, list | tuple):
        return any(_filled(v) for v in value)
    return True


def _named(person: Any) -> bool:
    text = " ".join(str(person).split())
    return _filled(text) and len(text) >= 3 and text.casefold() not in _NOT_NAMES


def _section(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


def _judge(parts: dict[str, bool]) -> tuple[CheckStatus, str]:
    """pass when every part holds, missing when none does, weak otherwise."""
    absent = [name for name, ok in parts.items() if not ok]
    if not absent:
        return CheckStatus.PASS, ""
    if len(absent) == len(parts):
        return CheckStatus.MISSING, "; ".join(absent)
    return CheckStatus.WEAK, "; ".join(absent)


def _looks_protected(column: str) -> bool:
    return bool(set(re.split(r"[^a-z]+", column.lower())) & _PROTECTED_WORDS)


def _approval(design: Design) -> CheckItem:
    policy = design.config.policy
    about_people = design.plan.decisions_about_people or bool(design.config.protected)
    named = [a for a in policy.approvers if _named(a)]
    keys = ("policy.high_impact", "policy.approvers", "plan.approver_role")
    parts = {
        "name the people who may approve in policy.approvers": bool(named),
        "give the approver's role in plan.approver_role": _filled(design.plan.approver_role),
    }
    if about_people:
        if not policy.high_impact:
            return CheckItem(
                "approval",
                CheckStatus.MISSING,
                "The tool affects decisions about people, but policy.high_impact is not true, "
                "so a new model could reach the service without a person signing it off.",
                keys,
            )
        status, gaps = _judge(parts)
        if status is CheckStatus.PASS:
            return CheckItem(
                "approval",
                status,
                f"High impact: every new version needs the sign-off of "
                f"{', '.join(named)} ({design.plan.approver_role.strip()}).",
                keys,
            )
        return CheckItem(
            "approval",
            CheckStatus.WEAK,
            f"High impact is set, so a person must sign off, but nobody is named: {gaps}.",
            keys,
        )
    status, gaps = _judge(parts)
    if status is CheckStatus.PASS:
        message = (
            f"No decisions about people; new versions are approved by {', '.join(named)} "
            f"({design.plan.approver_role.strip()})."
        )
    else:
        message = f"No decisions about people, but the approver is not named: {gaps}."
    return CheckItem("approval", status, message, keys)


def _fairness(design: Design, header: list[str]) -> tuple[CheckItem, bool]:
    cfg = design.config
    policy_raw = _section(design.pipeline, "policy")
    suspected = [c for c in header if _looks_protected(c) and c != cfg.target]
    uncovered = [c for c in suspected if c not in cfg.protected]
    keys = ("protected", "policy.four_fifths", "policy.max_equalized_odds_difference")
    rationale = _filled(cfg.transparency.metrics_rationale)
    if not cfg.protected and not suspected:
        ok = _filled(cfg.transparency.factors_note)
        message = (
            "No protected characteristics in the data; transparency.factors_note says why "
            "no groups are compared."
            if ok
            else "No protected characteristics in the data, but transparency.factors_note "
            "does not say why no groups are compared (or how fairness is judged instead)."
        )
        return (
            CheckItem("fairness", CheckStatus.PASS if ok else CheckStatus.WEAK, message, keys),
            ok and rationale,
        )
    parts = {
        "set policy.four_fifths: true": policy_raw.get("four_fifths") is True,
        "set policy.max_equalized_odds_difference to a limit": isinstance(
            policy_raw.get("max_equalized_odds_difference"), int | float
        ),
    }
    if uncovered:
        parts[f"list {', '.join(uncovered)} under protected"] = False
    status, gaps = _judge(parts)
    if status is CheckStatus.PASS:
        message = (
            f"{', '.join(cfg.protected)} compared; the gate requires the four-fifths rule "
            f"and an equalised odds difference of at most "
            f"{cfg.policy.max_equalized_odds_difference}."
        )
    elif status is CheckStatus.MISSING and not cfg.protected:
        message = (
            f"The data hold {', '.join(suspected)}, but no column is listed under protected "
            "and no fairness limit is written: " + gaps + "."
        )
    else:
        message = f"Fairness limits are incomplete: {gaps}."
    small_groups = "min_group_size" in design.pipeline
    return CheckItem("fairness", status, message, keys), rationale and small_groups


def _monitoring(design: Design) -> tuple[CheckItem, bool]:
    raw = design.pipeline
    monitoring = _section(raw, "monitoring")
    continuous = _section(raw, "continuous")
    thresholds = any(_section(monitoring, k) for k in ("drift", "performance"))
    parts = {
        "set drift or performance thresholds under monitoring": thresholds,
        "say what starts retraining in continuous.triggers": _filled(continuous.get("triggers")),
        "name who reads the alerts in plan.monitoring_owner": _filled(design.plan.monitoring_owner),
        "say how often the tool is reviewed in plan.review_cadence": _filled(
            design.plan.review_cadence
        ),
    }
    status, gaps = _judge(parts)
    keys = ("monitoring", "continuous.triggers", "plan.monitoring_owner", "plan.review_cadence")
    if status is CheckStatus.PASS:
        triggers = ", ".join(design.config.continuous.triggers)
        message = (
            f"Thresholds are set and retraining starts on {triggers}. Who reads the "
            f"alerts: {design.plan.monitoring_owner.strip()}."
        )
    elif status is CheckStatus.MISSING:
        message = f"Nothing watches the model after launch: {gaps}."
    else:
        message = f"Monitoring is incomplete: {gaps}."
    late_labels = "label_delay" in continuous or "min_labelled" in _section(
        monitoring, "performance"
    )
    return CheckItem("monitoring", status, message, keys), late_labels


def _rollback(design: Design) -> CheckItem:
    rb = design.plan.rollback
    parts = {
        "say when you would roll back (plan.rollback.when)": _filled(rb.when),
        "say how: which version or fallback takes over (plan.rollback.how)": _filled(rb.how),
        "say who decides (plan.rollback.who)": _filled(rb.who),
    }
    status, gaps = _judge(parts)
    keys = ("plan.rollback.when", "plan.rollback.how", "plan.rollback.who")
    if status is CheckStatus.PASS:
        message = "The rollback plan says when, how and who decides."
    elif status is CheckStatus.MISSING:
        message = f"There is no way back if the model goes wrong: {gaps}."
    else:
        message = f"The rollback plan is incomplete: {gaps}."
    return CheckItem("rollback", status, message, keys)


def _privacy(design: Design, data: pd.DataFrame) -> tuple[CheckItem, bool]:
    from ..privacy import scan_table

    cfg = design.config
    settings = cfg.privacy
    scan = scan_table(
        data,
        near_unique_share=settings.near_unique_share,
        min_share=settings.min_share,
        text_share=settings.text_share,
        source=Path(cfg.data).name,
    )
    found = scan.identifier_columns
    unresolved = [c for c in found if c not in cfg.exclude and c not in settings.allow]
    parts = {
        f"list {', '.join(unresolved)} under exclude (or privacy.allow with a reason)": not (
            unresolved
        ),
        "state the lawful basis, minimisation and access in plan.privacy": _filled(
            design.plan.privacy
        ),
        "record the DPIA in transparency.dpia": cfg.transparency.dpia is not None,
    }
    status, gaps = _judge(parts)
    keys = ("exclude", "privacy", "plan.privacy", "transparency.dpia")
    if status is CheckStatus.PASS:
        kept_out = f"{', '.join(found)} kept out of training" if found else "no identifiers found"
        message = f"The scan of the data: {kept_out}; the privacy statement and DPIA are given."
    elif status is CheckStatus.MISSING:
        message = f"Personal data are not controlled: {gaps}."
    else:
        message = f"Privacy controls are incomplete: {gaps}."
    assessed = bool(settings.quasi_identifiers) or not (found or cfg.protected)
    return CheckItem("privacy", status, message, keys), assessed


def _transparency(design: Design) -> CheckItem:
    s = design.config.transparency
    needed = list(TRANSPARENCY_KEYS)
    if not design.config.protected:
        needed.append("factors_note")
    empty = [k for k in needed if not _filled(getattr(s, k))]
    keys = tuple(f"transparency.{k}" for k in needed)
    if not empty:
        return CheckItem(
            "transparency",
            CheckStatus.PASS,
            f"All {len(needed)} parts of the model card and transparency record a person must "
            "write are filled in.",
            keys,
        )
    shown = ", ".join(empty[:6]) + (f" and {len(empty) - 6} more" if len(empty) > 6 else "")
    status = CheckStatus.MISSING if len(empty) > len(needed) // 2 else CheckStatus.WEAK
    return CheckItem(
        "transparency",
        status,
        f"{len(empty)} of {len(needed)} transparency parts are empty: {shown}. The pipeline "
        "records a model whose model card is incomplete but refuses it at the gate: "
        "no one can approve or promote it until these parts are written.",
        keys,
    )


def check_design(design: Design | str | os.PathLike[str]) -> DesignCheck:
    """Check a design against the six governance guidelines.

    Parameters
    ----------
    design : Design or path-like
        A loaded design, or the path of a design file.

    Returns
    -------
    DesignCheck
        One item per key of :data:`DESIGN_CRITERIA`: approval (a named approver, and
        ``high_impact`` for decisions about people), fairness (protected columns with the
        four-fifths rule and an equalised odds limit, when the data hold any), monitoring
        (thresholds, retraining triggers, an owner and a review cadence), rollback (when,
        how, who), privacy (the data's identifiers excluded, a privacy statement, a DPIA)
        and transparency (the parts only a person can write).

    Raises
    ------
    ConfigError
        A design file that cannot be loaded (see :func:`load_design`).
    DataValidationError
        Its data file cannot be read, or the config's data rules refuse it (as the
        pipeline's validate stage would).
    """
    from ..data import TableRules, load_table

    if not isinstance(design, Design):
        design = load_design(design)
    # Read and prepared as the pipeline's validate stage will (format, delimiter, rules).
    data = load_table(design.config.data, TableRules.from_params(design.config)).data
    fairness, fair_extra = _fairness(design, [str(c) for c in data.columns])
    monitoring, monitor_extra = _monitoring(design)
    privacy, privacy_extra = _privacy(design, data)
    items = (
        _approval(design),
        fairness,
        monitoring,
        _rollback(design),
        privacy,
        _transparency(design),
    )
    name = design.title or design.scenario
    if design.team:
        name = f"{name} ({design.team})"
    return DesignCheck(
        name,
        items,
        {"fairness": fair_extra, "monitoring": monitor_extra, "privacy": privacy_extra},
    )


def _or(text: str, missing: str) -> str:
    text = " ".join(str(text).split())
    return text.rstrip(".") + "." if _filled(text) else missing


def design_summary(
    design: Design | str | os.PathLike[str], *, check: DesignCheck | None = None
) -> dict[str, str]:
    """A team's design in words, one short paragraph per part, for a written report.

    Only what the design file says is used (a part not written yet says so), so the
    report of :func:`mlops_kit.course.export_written_report` is the team's own design.

    Parameters
    ----------
    design : Design or path-like
    check : DesignCheck, optional
        Adds the design check's one-sentence result.

    Returns
    -------
    dict of str to str
        Section title to text: the scenario, sign-off, the model and its gate, fairness,
        monitoring, rollback, privacy (and the check).
    """
    if not isinstance(design, Design):
        design = load_design(design)
    cfg, plan = design.config, design.plan
    policy = cfg.policy
    raw_policy = _section(design.pipeline, "policy")
    named = [a for a in policy.approvers if _named(a)]
    floors = ", ".join(f"{k} at least {v}" for k, v in policy.min_metrics.items())
    out = {
        "Scenario": f"{design.title or design.scenario}, designed by "
        f"{design.team or 'a team not named yet'}: a {cfg.task} pipeline on "
        f"{Path(cfg.data).name}, using the {cfg.model} model family"
        + (f" and a threshold of {cfg.threshold}." if cfg.task == "classification" else "."),
        "Who signs off": (
            f"{'High impact: every' if policy.high_impact else 'Every'} new version needs the "
            f"sign-off of {', '.join(named)}"
            + (f" ({plan.approver_role.strip()})." if _filled(plan.approver_role) else ".")
            if named
            else "No named approver yet."
        ),
        "The gate": f"Floors: {floors}." if floors else "No performance floor written yet.",
    }
    if cfg.protected:
        limits = []
        if raw_policy.get("four_fifths") is True:
            limits.append("the four-fifths rule")
        if isinstance(raw_policy.get("max_equalized_odds_difference"), int | float):
            limits.append(
                f"an equalised odds difference of at most {policy.max_equalized_odds_difference}"
            )
        out["Fairness"] = f"Compared groups: {', '.join(cfg.protected)}; the gate requires " + (
            " and ".join(limits) + "." if limits else "no fairness limit yet."
        )
    else:
        out["Fairness"] = _or(
            cfg.transparency.factors_note, "No groups compared, and no reason given yet."
        )
    continuous = _section(design.pipeline, "continuous")
    triggers = continuous.get("triggers")
    out["Monitoring and retraining"] = " ".join(
        (
            f"Retraining starts on {', '.join(triggers)}."
            if triggers
            else "No retraining trigger yet.",
            _or(plan.monitoring_owner, "Nobody named to read the alerts yet."),
            _or(plan.review_cadence and f"Review: {plan.review_cadence}", ""),
        )
    ).strip()
    rb = plan.rollback
    out["Rollback"] = (
        f"When: {_or(rb.when, 'not written yet.')} How: {_or(rb.how, 'not written yet.')} "
        f"Who decides: {_or(rb.who, 'not written yet.')}"
    )
    dpia = cfg.transparency.dpia
    out["Privacy"] = " ".join(
        (
            f"Kept out of training: {', '.join(cfg.exclude)}."
            if cfg.exclude
            else "No column excluded.",
            _or(plan.privacy, "No privacy statement yet."),
            f"DPIA: {dpia.status}." if dpia is not None else "No DPIA recorded.",
        )
    )
    if check is not None:
        out["Design check"] = check.summary()
    return out


# --- running ----------------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], dotted: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in base.items()}
    for key, value in dotted.items():
        *sections, leaf = key.split(".")
        target = out
        for part in sections:
            existing = target.get(part)
            target[part] = dict(existing) if isinstance(existing, Mapping) else {}
            target = target[part]
        target[leaf] = value
    return out


def run_design(
    design: Design | str | os.PathLike[str],
    *,
    runs_dir: str | os.PathLike[str] = "runs",
    n_trials: int | None = 1,
    n_bootstrap: int | None = 0,
    explain_rows: int | None = 200,
    cv_folds: int | None = 0,
    model: str | None = None,
    register: bool = True,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run a design's pipeline block with :func:`mlops_kit.run_pipeline`, on small budgets.

    The design is the pipeline config, so it runs as it is written, apart from the
    budgets given here (``None`` keeps the design's own value), which keep a classroom
    run to well under a minute.

    Parameters
    ----------
    design : Design or path-like
    runs_dir : path-like, default "runs"
        Where the run folder is created; the registry and audit log go in its parent.
    n_trials, n_bootstrap, explain_rows, cv_folds : int or None
        ``tuning.n_trials``, ``n_bootstrap``, ``explain.max_rows`` and ``cv_folds``.
    model : str, optional
        Another model family (for example ``"logistic"``, the fastest).
    register : bool, default True
        Run the register stage. As in any pipeline run, a model whose card has empty
        parts is still recorded, but the gate refuses it and it can be neither approved
        nor promoted until the design's ``transparency`` keys are written.
    progress : callable, optional
        Receives one line per stage.

    Raises
    ------
    ConfigError
        The design or the budgets break the config's schema.
    PipelineError
        A stage failed; the run folder is kept, marked failed.
    """
    from ..pipeline import run_pipeline

    if not isinstance(design, Design):
        design = load_design(design)
    budgets = {
        "tuning.n_trials": n_trials,
        "n_bootstrap": n_bootstrap,
        "explain.max_rows": explain_rows,
        "cv_folds": cv_folds,
        "model": model,
    }
    raw = _merge(design.pipeline, {k: v for k, v in budgets.items() if v is not None})
    config = validate_params(raw, source=f"run_design of '{design.path.name}'")
    return run_pipeline(config, runs_dir=runs_dir, register=register, progress=progress)
