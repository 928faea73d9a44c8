"""The Elaborate phase's design form: answers in, a design file out.

A team fills its design (:mod:`._design`) by answering questions rather than by typing
YAML. :class:`DesignAnswers` holds the answers; a question left unanswered is ``None``.
Most answers are choices (:func:`design_form_options` lists each question's options,
fitted to the scenario and its data); fourteen are free text, the sentences only the
team can write (:data:`FREE_TEXT`).

:func:`write_design` turns the answers into the design file: it starts from the file
if it exists (a team's earlier work, by form or by hand) or else from the scenario's
template, changes only the keys the answers cover, keeps every other key and comment as
it was, checks the result as :func:`~mlops_kit.course.load_design` would, and writes it
atomically. A question left unanswered never overwrites what the file says, so a
form and a hand-edited file can take turns. :func:`read_answers` reads a design file
back into answers (a value the form's options do not hold stays unanswered, and stays
in the file).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean
from ._design import ROLE_CARDS, SCENARIOS, design_path, load_design

__all__ = [
    "FREE_TEXT",
    "MULTIPLE_CHOICE",
    "DesignAnswers",
    "design_form_options",
    "design_updates",
    "read_answers",
    "write_design",
]

#: The answers a person writes in words (the rest are choices): at most fourteen.
FREE_TEXT = (
    "team",
    "members",
    "approvers",
    "owner",
    "contact_email",
    "description",
    "benefit",
    "previous_process",
    "appeals",
    "metrics_rationale",
    "out_of_scope_uses",
    "ethical_considerations",
    "risk",
    "risk_mitigation",
)

_TEXT_LIST = ("members", "approvers", "out_of_scope_uses", "ethical_considerations")
#: The choices that take several options at once (tick boxes in the form; YAML lists).
MULTIPLE_CHOICE = ("protected", "exclude", "quasi_identifiers", "triggers", "caveats")


@dataclass(frozen=True)
class DesignAnswers:
    """A team's answers to the design form; ``None`` (or empty) means not answered.

    Free text (:data:`FREE_TEXT`): the team's name and members, the approvers' names,
    the owning team, a contact address and the sentences of the transparency record.
    Every other field takes one of the options :func:`design_form_options` gives.
    ``roles`` maps a role card (a key of :data:`~mlops_kit.course.ROLE_CARDS`) to the
    member who holds it.

    Examples
    --------
    >>> a = DesignAnswers.from_dict({"team": "Team Heron", "protected": ["sex"]})
    >>> a.team, a.protected, a.model
    ('Team Heron', ('sex',), None)
    """

    # the team
    team: str | None = None
    members: tuple[str, ...] | None = None
    roles: Mapping[str, str] = field(default_factory=dict)
    # who signs off
    decisions_about_people: bool | None = None
    approvers: tuple[str, ...] | None = None
    approver_role: str | None = None
    senior_responsible_owner: str | None = None
    owner: str | None = None
    contact_email: str | None = None
    # the model and its gate
    positive_is: str | None = None
    model: str | None = None
    tuning_metric: str | None = None
    threshold: float | None = None
    min_score: float | None = None
    min_recall: float | None = None
    metrics_rationale: str | None = None
    # fairness
    protected: tuple[str, ...] | None = None
    four_fifths: bool | None = None
    max_equalized_odds_difference: float | None = None
    min_group_size: int | None = None
    no_groups_reason: str | None = None
    # monitoring and retraining
    psi_threshold: float | None = None
    label_delay: int | None = None
    triggers: tuple[str, ...] | None = None
    monitoring_owner: str | None = None
    review_cadence: str | None = None
    retraining: str | None = None
    maintenance: str | None = None
    # rollback
    rollback_when: str | None = None
    rollback_how: str | None = None
    rollback_who: str | None = None
    # privacy
    exclude: tuple[str, ...] | None = None
    quasi_identifiers: tuple[str, ...] | None = None
    k: int | None = None
    privacy_statement: str | None = None
    dpia: str | None = None
    equality_assessment: str | None = None
    data_sharing: str | None = None
    data_retention: str | None = None
    data_access: str | None = None
    # transparency
    description: str | None = None
    benefit: str | None = None
    previous_process: str | None = None
    alternatives_considered: str | None = None
    human_oversight: str | None = None
    required_training: str | None = None
    appeals: str | None = None
    out_of_scope_uses: tuple[str, ...] | None = None
    ethical_considerations: tuple[str, ...] | None = None
    caveats: tuple[str, ...] | None = None
    risk_name: str | None = None
    risk: str | None = None
    risk_mitigation: str | None = None

    def __post_init__(self) -> None:
        for name in (*_TEXT_LIST, *MULTIPLE_CHOICE):
            value = getattr(self, name)
            if isinstance(value, str):
                value = _split(value, "\n" if name in _TEXT_LIST[2:] else ",")
            if value is not None:
                value = tuple(" ".join(str(v).split()) for v in value if str(v).strip())
            object.__setattr__(self, name, value)
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                value = " ".join(value.split()) or None
                object.__setattr__(self, f.name, value)
        unknown = [r for r in self.roles if r not in ROLE_CARDS]
        if unknown:
            raise ConfigError(
                f"The 'roles' answer must map role cards ({', '.join(ROLE_CARDS)}) to "
                f"members. Got the unknown role {unknown[0]!r}."
                f"{did_you_mean(unknown[0], ROLE_CARDS)}"
            )
        roles = {r: " ".join(str(m).split()) for r, m in self.roles.items() if str(m or "").strip()}
        object.__setattr__(self, "roles", roles)

    @classmethod
    def from_dict(cls, answers: Mapping[str, Any]) -> DesignAnswers:
        """Answers from a plain mapping (papermill parameters, JSON); unknown names are refused."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in answers if k not in names]
        if unknown:
            raise ConfigError(
                f"The design form has no question {unknown[0]!r}; the questions are "
                f"{', '.join(names)}.{did_you_mean(str(unknown[0]), names)}"
            )
        return cls(**dict(answers))

    def to_dict(self) -> dict[str, Any]:
        """The answered questions only, as plain data."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == {} or value == ():
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def merged(self, other: DesignAnswers) -> DesignAnswers:
        """These answers with ``other``'s answered questions on top."""
        return DesignAnswers.from_dict(self.to_dict() | other.to_dict())


def _split(text: str, sep: str) -> tuple[str, ...]:
    parts = text.split(sep) if sep == "," else text.splitlines()
    return tuple(p.strip(" -•*\t") for p in parts if p.strip(" -•*\t"))


# --------------------------------------------------------------------------- the options

#: Words that fit each scenario's service into the option sentences.
_WORDS: dict[str, dict[str, str]] = {
    "benefit_claims_triage": {
        "cases": "claims",
        "people": "claimants",
        "users": "compliance caseworkers",
        "manual": "team leaders choosing claims by hand",
        "period": "month",
    },
    "housing_repairs_priority": {
        "cases": "repair requests",
        "people": "tenants",
        "users": "repairs triage officers",
        "manual": "first come, first served, with officers moving requests up by hand",
        "period": "month",
    },
    "hospital_admissions_forecast": {
        "cases": "regional forecasts",
        "people": "patients",
        "users": "capacity planners",
        "manual": "planners' own estimates from last year's figures",
        "period": "week",
    },
}

_ROLES = (
    "Senior responsible owner (SRO)",
    "Head of service",
    "Product owner",
    "Data science team lead",
    "Information governance lead",
)
_STATUSES = ("in progress", "not started", "completed")
Options = tuple[tuple[str, Any], ...]


def _same(values: Iterable[Any]) -> Options:
    return tuple((str(v), v) for v in values)


def _columns(scenario: str) -> tuple[str, ...]:
    """The data's columns a team may list (not the target or the time column)."""
    import pandas as pd

    config = load_design(design_path(scenario)).config
    header = pd.read_csv(config.data, nrows=0).columns
    return tuple(str(c) for c in header if c not in (config.target, config.time_column))


def design_form_options(scenario: str) -> dict[str, Options]:
    """The options of every choice question of the design form, for ``scenario``.

    Returns
    -------
    dict of str to tuple of (label, value)
        By the name of a :class:`DesignAnswers` field. A classification scenario also
        offers ``positive_is``, ``threshold``, ``min_recall``, ``protected``,
        ``four_fifths`` and ``max_equalized_odds_difference``; a regression one (whose rows
        are areas, not people) does not, and offers ``no_groups_reason`` instead.

    Examples
    --------
    >>> options = design_form_options("hospital_admissions_forecast")
    >>> [v for _, v in options["model"]]
    ['linear', 'hgb', 'rf']
    >>> "positive_is" in options
    False
    """
    if scenario not in SCENARIOS:
        raise ConfigError(
            f"The 'scenario' parameter must be one of {', '.join(SCENARIOS)}. "
            f"Got {scenario!r} instead.{did_you_mean(str(scenario), SCENARIOS)}"
        )
    w = _WORDS[scenario]
    task = load_design(design_path(scenario)).config.task
    columns = _columns(scenario)
    classification = task == "classification"
    out: dict[str, Options] = {
        "decisions_about_people": (
            ("Yes: it affects decisions about individual people", True),
            ("No: it makes no decisions about individual people", False),
        ),
        "approver_role": _same(_ROLES),
        "senior_responsible_owner": _same(
            ("Director of the service", "Head of service", "Chief data officer")
        ),
        "model": (
            (("Logistic regression (simple, easy to explain)", "logistic"),)
            if classification
            else (("Linear regression (simple, easy to explain)", "linear"),)
        )
        + (
            ("Gradient-boosted trees (usually the most accurate)", "hgb"),
            ("Random forest", "rf"),
        ),
        "tuning_metric": (
            (
                ("ROC AUC: how well it ranks cases overall", "roc_auc"),
                (
                    "Average precision: how well it ranks the rare positive cases",
                    "average_precision",
                ),
                ("F1: precision and recall together", "f1"),
            )
            if classification
            else (
                ("RMSE: large misses count most", "rmse"),
                ("MAE: every miss counts the same", "mae"),
                ("R²: share of the variation explained", "r2"),
            )
        ),
        "min_score": tuple(
            (f"{'ROC AUC' if classification else 'R²'} of at least {v}", v)
            for v in ((0.6, 0.65, 0.7, 0.75, 0.8) if classification else (0.7, 0.8, 0.9))
        ),
        "min_group_size": tuple((f"Judge groups of {n} or more", n) for n in (20, 30, 50, 100)),
        "psi_threshold": (
            ("PSI above 0.1: alert on small shifts", 0.1),
            ("PSI above 0.2: alert on clear shifts", 0.2),
            ("PSI above 0.25: alert on large shifts only", 0.25),
        ),
        "label_delay": tuple(
            (f"Outcomes arrive {n} {w['period']}{'s' if n != 1 else ''} late", n)
            for n in (0, 1, 2, 3)
        ),
        "triggers": (
            ("Data drift", "drift"),
            ("Performance decay", "decay"),
            ("A fairness alert", "fairness"),
            ("A fixed schedule", "schedule"),
            ("New labels", "new_labels"),
        ),
        "monitoring_owner": _same(
            f"The {who} reads every alert within {when}"
            for who in ("data science team lead", "product owner")
            for when in ("one working day", "two working days", "a week")
        ),
        "review_cadence": _same(
            (
                f"Every month, with a full review of the tool every year with {w['people']}' "
                "representatives",
                "Every quarter, with a full review of the tool every year",
                "Every year",
            )
        ),
        "retraining": _same(
            (
                f"A challenger is trained on the latest six months of labelled {w['cases']} when "
                "a trigger fires, and replaces the champion only if it passes the same gate and "
                "does better on the same held-out period",
                f"A challenger is trained every {w['period']} on all labelled {w['cases']} so "
                "far, and replaces the champion only if it passes the same gate",
            )
        ),
        "maintenance": _same(
            (
                "The owning team reads drift, performance and fairness alerts every week, "
                "retrains a challenger when they fire, and the tool is reviewed every year.",
                "The owning team reads the alerts every day, a challenger is trained when a "
                "trigger fires, and the tool is reviewed every quarter.",
            )
        ),
        "rollback_when": _same(
            (
                "The fairness check fails on a labelled period, or performance falls below "
                "the gate's floor",
                f"The {w['users']} report that the output is clearly wrong, or an alert is not "
                "resolved within a week",
                "Any check of the gate fails on new labelled data",
            )
        ),
        "rollback_how": _same(
            (
                "Move the champion alias back to the previous approved version",
                f"Return to the previous process ({w['manual']}) for new and queued {w['cases']}",
                "Move back to the previous approved version, or, if none passes the gate, "
                f"return to the previous process ({w['manual']})",
            )
        ),
        "rollback_who": _same(f"The {r.lower()}, recorded in the audit log" for r in _ROLES[:3]),
        "exclude": _same(columns),
        "quasi_identifiers": _same(columns),
        "k": tuple((f"At least {n} people share every combination", n) for n in (5, 10, 20)),
        "privacy_statement": _same(
            (
                "Lawful basis: public task (UK GDPR Article 6(1)(e)). Identifiers are "
                "excluded from training, protected characteristics are used only to check "
                "fairness, and only the owning team can read the extract",
                "Lawful basis: legal obligation (UK GDPR Article 6(1)(c)). Only the columns "
                "the model needs are extracted, identifiers are excluded, and only the owning "
                "team can read the extract",
                "No personal data: the rows are counts for areas, not people; only the owning "
                "team can read the extract",
            )
        ),
        "dpia": _same(_STATUSES),
        "equality_assessment": _same(_STATUSES),
        "data_sharing": _same(
            (
                "No data are shared outside the organisation for this tool.",
                "Data are shared with one named supplier under a data processing agreement.",
            )
        ),
        "data_retention": _same(
            (
                "Training extracts are kept for two years; scores are kept with the case.",
                "Training extracts are kept for one year; scores for six months.",
                "Training extracts are deleted after each retraining; scores are kept with "
                "the case.",
            )
        ),
        "data_access": _same(
            (
                "Only the owning team, on the organisation's UK-hosted platform.",
                "The owning team and named auditors, on the organisation's UK-hosted platform.",
            )
        ),
        "alternatives_considered": _same(
            (
                "Simple rules written by experienced staff: easier to explain, but they missed "
                "many of the cases that matter in a trial.",
                f"Keeping the previous process ({w['manual']}): no build cost, but slow for the "
                "cases that matter most.",
            )
        ),
        "human_oversight": _same(
            (
                f"The {w['users']} decide every case; the tool only orders or informs their "
                "work, and they can override it. A named approver signs off every model version.",
                f"The {w['users']} review the output every day and can override it; overrides "
                "are recorded and reviewed every month. A named approver signs off every version.",
            )
        ),
        "required_training": _same(
            f"{length} for the {w['users']} on what the output means and its limits{extra}."
            for length, extra in (
                ("A one-hour briefing", ""),
                ("A two-hour session", ", with a refresher every year"),
                ("A half-day course", ", including how to override it and record why"),
            )
        ),
        "caveats": _same(
            (
                "The design was tested on synthetic data only; it must be tested again on real "
                "data before any use.",
                "Past decisions were not random, so the labels may carry past unfairness.",
            )
            + (
                (
                    "The housing scenario runs on stand-in data from another service; its "
                    "numbers say nothing about housing.",
                )
                if scenario == "housing_repairs_priority"
                else ()
            )
        ),
        "risk_name": _same(
            (
                "Unequal treatment between groups",
                "Automation bias: staff stop questioning the tool",
                "A stale model after the data change",
                "Re-identification from published outputs",
                "Biased labels from past decisions",
            )
        ),
    }
    if not classification:
        out |= {
            "no_groups_reason": _same(
                (
                    "No protected characteristics are compared: the rows are not people, so "
                    "fairness is judged by comparing the errors between the areas served.",
                    "No protected characteristics are compared: the data hold none, and collecting "
                    "them for this check alone is not justified; outcomes are reviewed by area.",
                )
            ),
        }
    if classification:
        out |= {
            "protected": _same(columns),
            "positive_is": (
                (
                    f"Favourable: a flag helps the person (e.g. sooner help for {w['people']})",
                    "favourable",
                ),
                (f"Adverse: a flag harms the person (e.g. a review of {w['people']})", "adverse"),
            ),
            "threshold": _same((0.1, 0.2, 0.3, 0.4, 0.5)),
            "min_recall": (
                ("No floor on recall", 0.0),
                *((f"Recall of at least {v}", v) for v in (0.3, 0.5, 0.7)),
            ),
            "four_fifths": (
                ("Yes: the gate requires the four-fifths rule", True),
                ("No: the four-fifths rule is not required", False),
            ),
            "max_equalized_odds_difference": tuple(
                (f"Equalised odds difference of at most {v}", v) for v in (0.05, 0.1, 0.15, 0.2)
            ),
        }
    return out


# --------------------------------------------------------------------------- answers to keys


def design_updates(answers: DesignAnswers, *, task: str = "classification") -> dict[str, Any]:
    """The design keys (dotted paths) the answered questions set, and their values.

    Examples
    --------
    >>> design_updates(DesignAnswers(team="Team Heron", decisions_about_people=True))
    {'team': 'Team Heron', 'plan.decisions_about_people': True, 'pipeline.policy.high_impact': True}
    """
    a = answers
    classification = task == "classification"
    out: dict[str, Any] = {}
    t = "pipeline.transparency."

    def put(key: str, value: Any) -> None:
        if value is not None and value != ():
            out[key] = list(value) if isinstance(value, tuple) else value

    put("team", a.team)
    for role, member in a.roles.items():
        put(f"plan.roles.{role}", member)
    if a.decisions_about_people is not None:
        put("plan.decisions_about_people", a.decisions_about_people)
        put("pipeline.policy.high_impact", a.decisions_about_people)
    put("pipeline.policy.approvers", a.approvers)
    put("plan.approver_role", a.approver_role)
    put(t + "senior_responsible_owner", a.senior_responsible_owner)
    put(t + "team", a.owner)
    put(t + "owner", a.owner)
    put(t + "contact_email", a.contact_email)
    put("pipeline.model", a.model)
    put("pipeline.tuning.metric", a.tuning_metric)
    if classification:
        put("pipeline.positive_is", a.positive_is)
        put("pipeline.threshold", a.threshold)
        put("pipeline.policy.four_fifths", a.four_fifths)
        put("pipeline.policy.max_equalized_odds_difference", a.max_equalized_odds_difference)
    if a.min_score is not None:
        floors = {"roc_auc" if classification else "r2": a.min_score}
        if classification and a.min_recall:
            floors["recall"] = a.min_recall
        put("pipeline.policy.min_metrics", floors)
    if classification and a.psi_threshold is not None:
        # Once the team sets up monitoring, it judges each batch as the gate does.
        if a.min_score is not None:
            put("pipeline.monitoring.performance.min_metrics", floors)
        put("pipeline.monitoring.performance.threshold", a.threshold)
        put("pipeline.monitoring.performance.positive_is", a.positive_is)
    put(t + "metrics_rationale", a.metrics_rationale)
    if classification:
        put("pipeline.protected", a.protected)
    put("pipeline.min_group_size", a.min_group_size)
    if a.protected and classification:
        put(
            t + "factors_note",
            f"The groups compared are {', '.join(a.protected)}: the Equality Act 2010 "
            "protects these characteristics, and the tool's errors could fall unequally on them.",
        )
    elif a.no_groups_reason is not None:
        put(t + "factors_note", a.no_groups_reason)
    put("pipeline.monitoring.drift.psi_threshold", a.psi_threshold)
    put("pipeline.continuous.label_delay", a.label_delay)
    put("pipeline.continuous.triggers", a.triggers)
    put("plan.monitoring_owner", a.monitoring_owner)
    put("plan.review_cadence", a.review_cadence)
    put("plan.retraining", a.retraining)
    put(t + "maintenance", a.maintenance)
    put("plan.rollback.when", a.rollback_when)
    put("plan.rollback.how", a.rollback_how)
    put("plan.rollback.who", a.rollback_who)
    put("pipeline.exclude", a.exclude)
    put("pipeline.privacy.quasi_identifiers", a.quasi_identifiers)
    put("pipeline.privacy.k", a.k)
    put("plan.privacy", a.privacy_statement)
    today = dt.date.today().isoformat()
    for answer, key, what in (
        (a.dpia, "dpia", "data protection impact assessment"),
        (a.equality_assessment, "equality_impact_assessment", "equality impact assessment"),
    ):
        if answer is not None:
            record: dict[str, Any] = {"status": answer, "summary": f"The {what} is {answer}."}
            if answer == "completed":
                record["date"] = today
            put(t + key, record)
    for name in (
        "data_sharing",
        "data_retention",
        "data_access",
        "description",
        "benefit",
        "previous_process",
        "alternatives_considered",
        "human_oversight",
        "required_training",
        "appeals",
        "out_of_scope_uses",
        "ethical_considerations",
        "caveats",
    ):
        put(t + name, getattr(a, name))
    if a.risk_name is not None:
        risk = {
            "name": a.risk_name,
            "description": a.risk or "",
            "mitigation": a.risk_mitigation or "",
        }
        put(t + "risks", [risk])
    return out


def _get(data: Any, dotted: str) -> Any:
    node = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _choice(value: Any, options: Options | None) -> Any:
    if options is None or value is None:
        return None
    return value if any(v == value and type(v) is type(value) for _, v in options) else None


def read_answers(path: str | os.PathLike[str]) -> DesignAnswers:
    """Read a design file back into the form's answers.

    Free text is read as written; a choice is read only when the file holds one of the
    form's options (a value written by hand stays unanswered here and stays in the file
    when the form saves). The file must load (:func:`~mlops_kit.course.load_design`).
    """
    design = load_design(path)
    options = design_form_options(design.scenario) if design.scenario in SCENARIOS else {}
    raw = {"team": design.team, "pipeline": dict(design.pipeline), "plan": design.plan.model_dump()}
    t = "pipeline.transparency."

    def get(key: str) -> Any:
        value = _get(raw, key)
        return None if value in ("", [], {}) else value

    def pick(name: str, key: str) -> Any:
        return _choice(get(key), options.get(name))

    def picks(name: str, key: str) -> tuple[Any, ...] | None:
        value = get(key)
        if not isinstance(value, list):
            return None
        allowed = {v for _, v in options.get(name, ())}
        return tuple(v for v in value if v in allowed) or None

    roles = {r: str(m) for r, m in (get("plan.roles") or {}).items() if m}
    floors = get("pipeline.policy.min_metrics") or {}
    classification = design.config.task == "classification"
    risks = get(t + "risks") or []
    first_risk = risks[0] if risks and isinstance(risks[0], Mapping) else {}
    factors = get(t + "factors_note")
    dpia = get(t + "dpia")
    eia = get(t + "equality_impact_assessment")
    answers: dict[str, Any] = {
        "team": design.team or None,
        "members": tuple(dict.fromkeys(roles.values())) or None,
        "roles": roles,
        "approvers": tuple(design.config.policy.approvers) or None,
        "owner": get(t + "owner") or get(t + "team"),
        "min_score": _choice(
            floors.get("roc_auc" if classification else "r2"), options.get("min_score")
        ),
        "min_recall": _choice(
            floors.get("recall", 0.0 if floors else None), options.get("min_recall")
        ),
        "no_groups_reason": _choice(factors, options.get("no_groups_reason")),
        "dpia": _choice(dpia.get("status"), options.get("dpia"))
        if isinstance(dpia, Mapping)
        else None,
        "equality_assessment": (
            _choice(eia.get("status"), options.get("equality_assessment"))
            if isinstance(eia, Mapping)
            else None
        ),
        "risk_name": _choice(first_risk.get("name"), options.get("risk_name")),
        "risk": first_risk.get("description") or None,
        "risk_mitigation": first_risk.get("mitigation") or None,
    }
    if get("pipeline.policy.high_impact") == design.plan.decisions_about_people:
        answers["decisions_about_people"] = design.plan.decisions_about_people
    for name in ("contact_email", "description", "benefit", "previous_process", "appeals",
                 "metrics_rationale"):  # fmt: skip
        answers[name] = get(t + name)
    for name in ("out_of_scope_uses", "ethical_considerations"):
        value = get(t + name)
        answers[name] = tuple(str(v) for v in value) if isinstance(value, list) else None
    for name, key in (
        ("approver_role", "plan.approver_role"),
        ("senior_responsible_owner", t + "senior_responsible_owner"),
        ("positive_is", "pipeline.positive_is"),
        ("model", "pipeline.model"),
        ("tuning_metric", "pipeline.tuning.metric"),
        ("threshold", "pipeline.threshold"),
        ("four_fifths", "pipeline.policy.four_fifths"),
        ("max_equalized_odds_difference", "pipeline.policy.max_equalized_odds_difference"),
        ("min_group_size", "pipeline.min_group_size"),
        ("psi_threshold", "pipeline.monitoring.drift.psi_threshold"),
        ("label_delay", "pipeline.continuous.label_delay"),
        ("monitoring_owner", "plan.monitoring_owner"),
        ("review_cadence", "plan.review_cadence"),
        ("retraining", "plan.retraining"),
        ("maintenance", t + "maintenance"),
        ("rollback_when", "plan.rollback.when"),
        ("rollback_how", "plan.rollback.how"),
        ("rollback_who", "plan.rollback.who"),
        ("k", "pipeline.privacy.k"),
        ("privacy_statement", "plan.privacy"),
        ("data_sharing", t + "data_sharing"),
        ("data_retention", t + "data_retention"),
        ("data_access", t + "data_access"),
        ("alternatives_considered", t + "alternatives_considered"),
        ("human_oversight", t + "human_oversight"),
        ("required_training", t + "required_training"),
    ):
        answers[name] = pick(name, key)
    for name, key in (
        ("protected", "pipeline.protected"),
        ("exclude", "pipeline.exclude"),
        ("quasi_identifiers", "pipeline.privacy.quasi_identifiers"),
        ("triggers", "pipeline.continuous.triggers"),
        ("caveats", t + "caveats"),
    ):
        answers[name] = picks(name, key)
    return DesignAnswers.from_dict(answers)


# --------------------------------------------------------------------------- the YAML text

_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*):(?=\s|$)(?P<rest>.*)$")
_TODO = re.compile(r"\bTODO\b\s*(\(optional\))?\s*:?\s*", re.IGNORECASE)
_WRAP = 88
#: The column the templates align their comments at.
_COMMENT_COLUMN = 34


def _split_comment(rest: str) -> tuple[str, str]:
    """Split what follows ``key:`` into its value and its comment (outside quotes)."""
    quote = ""
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or rest[i - 1].isspace()):
            return rest[:i].strip(), rest[i:]
    return rest.strip(), ""


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _span_end(lines: list[str], start: int) -> int:
    """The index after the last line belonging to the key on line ``start``."""
    base = _indent(lines[start])
    end = start + 1
    last = start + 1
    while end < len(lines):
        line = lines[end]
        if _content(line):
            ind = _indent(line)
            if ind < base or (ind == base and not line.lstrip().startswith("- ")):
                break
            last = end + 1
        end += 1
    return last


def _find(lines: list[str], path: list[str], lo: int = 0, hi: int | None = None) -> int | None:
    """The line index of the key at ``path`` within ``lines[lo:hi]``, or None."""
    hi = len(lines) if hi is None else hi
    child = None
    i = lo
    while i < hi:
        line = lines[i]
        match = _KEY.match(line)
        if _content(line) and match and not line.lstrip().startswith("- "):
            ind = len(match["indent"])
            if child is None:
                child = ind
            if ind == child and match["key"] == path[0]:
                if len(path) == 1:
                    return i
                return _find(lines, path[1:], i + 1, _span_end(lines, i))
            if ind == child:
                i = _span_end(lines, i)
                continue
        i += 1
    return None


def _scalar(value: Any) -> str:
    import yaml

    text = yaml.safe_dump(
        value, default_flow_style=True, width=10**6, allow_unicode=True, sort_keys=False
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _render(key: str, value: Any, indent: int, comment: str = "") -> list[str]:
    """``key: value`` as YAML lines at ``indent``, with ``comment`` aligned as the templates do."""
    column = _COMMENT_COLUMN
    pad = " " * indent

    def head(text: str) -> str:
        if not comment:
            return text
        return text.ljust(column) + comment if len(text) < column else f"{text}  {comment}"

    if (
        isinstance(value, str)
        and len(pad) + len(key) + len(value) + 2 > _WRAP
        and "\n" not in value
    ):
        body = textwrap.wrap(value, width=_WRAP - indent - 2, break_on_hyphens=False)
        return [head(f"{pad}{key}: >-"), *(f"{pad}  {line}" for line in body)]
    long_list = isinstance(value, list) and (
        any(isinstance(v, Mapping) for v in value)
        or (
            any(isinstance(v, str) for v in value)
            and len(_scalar(value)) + indent + len(key) + 2 > _WRAP
        )
    )
    if long_list:
        return [head(f"{pad}{key}:"), *(f"{pad}  - {_scalar(item)}" for item in value)]
    if isinstance(value, Mapping) and value and len(_scalar(value)) + indent + len(key) > _WRAP:
        lines = [head(f"{pad}{key}:")]
        for k, v in value.items():
            lines += _render(str(k), v, indent + 2)
        return lines
    return [head(f"{pad}{key}: {_scalar(value)}")]


def _set(lines: list[str], dotted: str, value: Any) -> list[str]:
    """Set one dotted key in the YAML ``lines``, keeping everything else as it was."""
    import yaml

    path = dotted.split(".")
    at = _find(lines, path)
    if at is not None:
        match = _KEY.match(lines[at])
        assert match is not None
        _, comment = _split_comment(match["rest"])
        comment = _TODO.sub("", comment).rstrip()
        if comment.strip() == "#":
            comment = ""
        # The key's old value: its line and any lines below it (children, a block
        # scalar or a plain scalar continued) that are indented more.
        new = _render(path[-1], value, len(match["indent"]), comment)
        return lines[:at] + new + lines[_span_end(lines, at) :]
    # Not there: the nearest ancestor that is holds it, inline or in block form.
    depth = len(path) - 1
    while depth > 0 and _find(lines, path[:depth]) is None:
        depth -= 1
    rest = path[depth:]
    nested = value
    for part in reversed(rest[1:]):
        nested = {part: nested}
    if depth == 0:
        return [*lines, *_render(rest[0], nested, 0)]
    parent = _find(lines, path[:depth])
    assert parent is not None
    match = _KEY.match(lines[parent])
    assert match is not None
    inline, _ = _split_comment(match["rest"])
    if inline and inline[0] not in ">|":
        current = yaml.safe_load(inline)
        merged = dict(current) if isinstance(current, Mapping) else {}
        node = merged
        for part in rest[:-1]:
            inner = node.get(part)
            node[part] = dict(inner) if isinstance(inner, Mapping) else {}
            node = node[part]
        node[rest[-1]] = value
        return _set(lines, ".".join(path[:depth]), merged)
    end = _span_end(lines, parent)
    scan = end  # a commented-out key may follow the block's last key
    while scan < len(lines) and not (
        _content(lines[scan]) and _indent(lines[scan]) <= _indent(lines[parent])
    ):
        scan += 1
    children = [
        _indent(line) for line in lines[parent + 1 : end] if _content(line) and _KEY.match(line)
    ]
    child = children[0] if children else len(match["indent"]) + 2
    commented = re.compile(rf"^ {{{child}}}#\s*{re.escape(rest[0])}:")
    for i in range(parent + 1, scan):
        if commented.match(lines[i]):
            return lines[:i] + _render(rest[0], nested, child) + lines[i + 1 :]
    return lines[:end] + _render(rest[0], nested, child) + lines[end:]


def _apply(text: str, updates: Mapping[str, Any]) -> str:
    import yaml

    lines = text.splitlines()
    for key, value in updates.items():
        lines = _set(lines, key, value)
    out = "\n".join(lines) + "\n"
    loaded = yaml.safe_load(out)
    wrong = [k for k, v in updates.items() if _get(loaded, k) != v]
    if wrong:  # the line editor could not place a value: never write a file that lies
        raise ConfigError(
            f"The design form could not write {', '.join(wrong)} into the design file as "
            "YAML; edit the file by hand instead."
        )
    return out


def write_design(
    answers: DesignAnswers,
    path: str | os.PathLike[str],
    *,
    scenario: str | None = None,
) -> Path:
    """Write the answered questions into the design file at ``path``, atomically.

    Parameters
    ----------
    answers : DesignAnswers
        Unanswered questions leave the file's keys as they are.
    path : path-like
        The team's design file. When it exists it is the starting point (its other keys
        and comments are kept); otherwise the scenario's template is.
    scenario : str, optional
        Needed only when ``path`` does not exist yet (a key of
        :data:`~mlops_kit.course.SCENARIOS`).

    Returns
    -------
    Path
        ``path``. The file loads with :func:`~mlops_kit.course.load_design`, so
        :func:`~mlops_kit.course.check_design` and :func:`~mlops_kit.course.run_design`
        take it.

    Raises
    ------
    ConfigError
        No ``scenario`` for a new file, or an answer the design's schema refuses (for
        example a contact address that is not an email address); the file is unchanged.
    """
    target = Path(path)
    if target.is_file():
        text = target.read_text(encoding="utf-8")
    elif scenario is None:
        raise ConfigError(
            f"Design file '{target}' does not exist yet, so write_design needs the "
            "'scenario' whose template it starts from."
        )
    else:
        text = design_path(scenario).read_text(encoding="utf-8")
    import yaml

    task = _get(yaml.safe_load(text), "pipeline.task") or "classification"
    new = _apply(text, design_updates(answers, task=str(task)))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".yml", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new)
        try:  # refuse before replacing: the team's file is never left broken
            load_design(tmp)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(Path(tmp).name, target.name)) from None
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
