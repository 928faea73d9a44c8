"""The Elaborate phase's design form: answers in, a design file out.

A team fills its design (``_design_file``) by answering questions rather than by typing
YAML. :class:`DesignAnswers` holds the answers (``_design_answers``); a question left
unanswered is ``None``. Most answers are choices (:func:`design_form_options` lists each
question's options, fitted to the scenario and its data, in ``_design_options``); fourteen
are free text, the sentences only the team can write (:data:`FREE_TEXT`).

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

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._design_answers import DesignAnswers
from ._design_file import Design, load_design
from ._design_options import Options, design_form_options
from ._design_yaml import apply_updates, value_at
from ._scenarios import SCENARIOS, design_path

__all__ = ["design_updates", "read_answers", "write_design"]


#: Where the transparency record's keys live in a design file.
_T = "pipeline.transparency."
#: The choice questions read back by :func:`read_answers`: answer name and dotted key.
_CHOICES = (
    ("approver_role", "plan.approver_role"),
    ("senior_responsible_owner", _T + "senior_responsible_owner"),
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
    ("maintenance", _T + "maintenance"),
    ("rollback_when", "plan.rollback.when"),
    ("rollback_how", "plan.rollback.how"),
    ("rollback_who", "plan.rollback.who"),
    ("k", "pipeline.privacy.k"),
    ("privacy_statement", "plan.privacy"),
    ("data_sharing", _T + "data_sharing"),
    ("data_retention", _T + "data_retention"),
    ("data_access", _T + "data_access"),
    ("alternatives_considered", _T + "alternatives_considered"),
    ("human_oversight", _T + "human_oversight"),
    ("required_training", _T + "required_training"),
)
#: The questions that take several options, read back by :func:`read_answers`.
_MULTIPLE = (
    ("protected", "pipeline.protected"),
    ("exclude", "pipeline.exclude"),
    ("quasi_identifiers", "pipeline.privacy.quasi_identifiers"),
    ("triggers", "pipeline.continuous.triggers"),
    ("caveats", _T + "caveats"),
)


class _Updates(dict[str, Any]):
    """Dotted design keys and their values, in the order the answers set them."""

    def put(self, key: str, value: Any) -> None:
        """Set ``key`` to ``value`` unless it is unanswered (a tuple becomes a YAML list)."""
        if value is not None and value != ():
            self[key] = list(value) if isinstance(value, tuple) else value


def design_updates(answers: DesignAnswers, *, task: str = "classification") -> dict[str, Any]:
    """The design keys (dotted paths) the answered questions set, and their values.

    Examples
    --------
    >>> design_updates(DesignAnswers(team="Team Heron", decisions_about_people=True))
    {'team': 'Team Heron', 'plan.decisions_about_people': True, 'pipeline.policy.high_impact': True}
    """
    classification = task == "classification"
    out = _Updates()
    _sign_off_updates(out, answers)
    _gate_updates(out, answers, classification)
    _fairness_updates(out, answers, classification)
    _monitoring_updates(out, answers)
    _privacy_updates(out, answers)
    _transparency_updates(out, answers)
    return dict(out)


def _sign_off_updates(out: _Updates, a: DesignAnswers) -> None:
    """The team, its role cards, and who signs off."""
    out.put("team", a.team)
    for role, member in a.roles.items():
        out.put(f"plan.roles.{role}", member)
    if a.decisions_about_people is not None:
        out.put("plan.decisions_about_people", a.decisions_about_people)
        out.put("pipeline.policy.high_impact", a.decisions_about_people)
    out.put("pipeline.policy.approvers", a.approvers)
    out.put("plan.approver_role", a.approver_role)
    out.put(_T + "senior_responsible_owner", a.senior_responsible_owner)
    out.put(_T + "team", a.owner)
    out.put(_T + "owner", a.owner)
    out.put(_T + "contact_email", a.contact_email)


def _gate_updates(out: _Updates, a: DesignAnswers, classification: bool) -> None:
    """The model, its tuning metric and the gate's floors (which monitoring shares)."""
    out.put("pipeline.model", a.model)
    out.put("pipeline.tuning.metric", a.tuning_metric)
    if classification:
        out.put("pipeline.positive_is", a.positive_is)
        out.put("pipeline.threshold", a.threshold)
        out.put("pipeline.policy.four_fifths", a.four_fifths)
        out.put("pipeline.policy.max_equalized_odds_difference", a.max_equalized_odds_difference)
    if a.min_score is not None:
        floors = {"roc_auc" if classification else "r2": a.min_score}
        if classification and a.min_recall:
            floors["recall"] = a.min_recall
        out.put("pipeline.policy.min_metrics", floors)
    if classification and a.psi_threshold is not None:
        # Once the team sets up monitoring, it judges each batch as the gate does.
        if a.min_score is not None:
            out.put("pipeline.monitoring.performance.min_metrics", floors)
        out.put("pipeline.monitoring.performance.threshold", a.threshold)
        out.put("pipeline.monitoring.performance.positive_is", a.positive_is)


def _fairness_updates(out: _Updates, a: DesignAnswers, classification: bool) -> None:
    """The metrics' rationale, the groups compared (or why none are) and small groups."""
    out.put(_T + "metrics_rationale", a.metrics_rationale)
    if classification:
        out.put("pipeline.protected", a.protected)
    out.put("pipeline.min_group_size", a.min_group_size)
    if a.protected and classification:
        out.put(
            _T + "factors_note",
            f"The groups compared are {', '.join(a.protected)}: the Equality Act 2010 "
            "protects these characteristics, and the tool's errors could fall unequally on them.",
        )
    elif a.no_groups_reason is not None:
        out.put(_T + "factors_note", a.no_groups_reason)


def _monitoring_updates(out: _Updates, a: DesignAnswers) -> None:
    """Drift alerts, late labels, retraining triggers, owners and the rollback plan."""
    out.put("pipeline.monitoring.drift.psi_threshold", a.psi_threshold)
    out.put("pipeline.continuous.label_delay", a.label_delay)
    out.put("pipeline.continuous.triggers", a.triggers)
    out.put("plan.monitoring_owner", a.monitoring_owner)
    out.put("plan.review_cadence", a.review_cadence)
    out.put("plan.retraining", a.retraining)
    out.put(_T + "maintenance", a.maintenance)
    out.put("plan.rollback.when", a.rollback_when)
    out.put("plan.rollback.how", a.rollback_how)
    out.put("plan.rollback.who", a.rollback_who)


def _privacy_updates(out: _Updates, a: DesignAnswers) -> None:
    """The columns kept out, k, the privacy statement and the two impact assessments."""
    out.put("pipeline.exclude", a.exclude)
    out.put("pipeline.privacy.quasi_identifiers", a.quasi_identifiers)
    out.put("pipeline.privacy.k", a.k)
    out.put("plan.privacy", a.privacy_statement)
    today = dt.date.today().isoformat()
    for answer, key, what in (
        (a.dpia, "dpia", "data protection impact assessment"),
        (a.equality_assessment, "equality_impact_assessment", "equality impact assessment"),
    ):
        if answer is not None:
            record: dict[str, Any] = {"status": answer, "summary": f"The {what} is {answer}."}
            if answer == "completed":
                record["date"] = today
            out.put(_T + key, record)


def _transparency_updates(out: _Updates, a: DesignAnswers) -> None:
    """The transparency record's sentences, caveats and main risk."""
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
        out.put(_T + name, getattr(a, name))
    if a.risk_name is not None:
        risk = {
            "name": a.risk_name,
            "description": a.risk or "",
            "mitigation": a.risk_mitigation or "",
        }
        out.put(_T + "risks", [risk])


def _choice(value: Any, options: Options | None) -> Any:
    if options is None or value is None:
        return None
    return value if any(v == value and type(v) is type(value) for _, v in options) else None


class _Reader:
    """Reads a design's dotted keys back, keeping only what the form's options hold."""

    def __init__(self, raw: Mapping[str, Any], options: Mapping[str, Options]) -> None:
        self.raw, self.options = raw, options

    def get(self, key: str) -> Any:
        """The value at ``key``; None when absent or empty."""
        value = value_at(self.raw, key)
        return None if value in ("", [], {}) else value

    def choice(self, name: str, value: Any) -> Any:
        """``value`` when it is one of question ``name``'s options, else None."""
        return _choice(value, self.options.get(name))

    def pick(self, name: str, key: str) -> Any:
        """The value at ``key`` as question ``name``'s answer."""
        return self.choice(name, self.get(key))

    def picks(self, name: str, key: str) -> tuple[Any, ...] | None:
        """The options of question ``name`` listed at ``key``, or None."""
        value = self.get(key)
        if not isinstance(value, list):
            return None
        allowed = {v for _, v in self.options.get(name, ())}
        return tuple(v for v in value if v in allowed) or None


def read_answers(path: str | os.PathLike[str]) -> DesignAnswers:
    """Read a design file back into the form's answers.

    Free text is read as written; a choice is read only when the file holds one of the
    form's options (a value written by hand stays unanswered here and stays in the file
    when the form saves). The file must load (:func:`~mlops_kit.course.load_design`).
    """
    design = load_design(path)
    options = design_form_options(design.scenario) if design.scenario in SCENARIOS else {}
    raw = {"team": design.team, "pipeline": dict(design.pipeline), "plan": design.plan.model_dump()}
    read = _Reader(raw, options)
    answers = _written_answers(design, read)
    for name, key in _CHOICES:
        answers[name] = read.pick(name, key)
    for name, key in _MULTIPLE:
        answers[name] = read.picks(name, key)
    return DesignAnswers.from_dict(answers)


def _written_answers(design: Design, read: _Reader) -> dict[str, Any]:
    """The answers that are free text, or read from a structured key of the design."""
    roles = {r: str(m) for r, m in (read.get("plan.roles") or {}).items() if m}
    floors = read.get("pipeline.policy.min_metrics") or {}
    classification = design.config.task == "classification"
    risks = read.get(_T + "risks") or []
    first_risk = risks[0] if risks and isinstance(risks[0], Mapping) else {}
    dpia = read.get(_T + "dpia")
    eia = read.get(_T + "equality_impact_assessment")
    answers: dict[str, Any] = {
        "team": design.team or None,
        "members": tuple(dict.fromkeys(roles.values())) or None,
        "roles": roles,
        "approvers": tuple(design.config.policy.approvers) or None,
        "owner": read.get(_T + "owner") or read.get(_T + "team"),
        "min_score": read.choice("min_score", floors.get("roc_auc" if classification else "r2")),
        "min_recall": read.choice("min_recall", floors.get("recall", 0.0 if floors else None)),
        "no_groups_reason": read.choice("no_groups_reason", read.get(_T + "factors_note")),
        "dpia": read.choice("dpia", dpia.get("status")) if isinstance(dpia, Mapping) else None,
        "equality_assessment": (
            read.choice("equality_assessment", eia.get("status"))
            if isinstance(eia, Mapping)
            else None
        ),
        "risk_name": read.choice("risk_name", first_risk.get("name")),
        "risk": first_risk.get("description") or None,
        "risk_mitigation": first_risk.get("mitigation") or None,
    }
    if read.get("pipeline.policy.high_impact") == design.plan.decisions_about_people:
        answers["decisions_about_people"] = design.plan.decisions_about_people
    for name in ("contact_email", "description", "benefit", "previous_process", "appeals",
                 "metrics_rationale"):  # fmt: skip
        answers[name] = read.get(_T + name)
    for name in ("out_of_scope_uses", "ethical_considerations"):
        value = read.get(_T + name)
        answers[name] = tuple(str(v) for v in value) if isinstance(value, list) else None
    return answers


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
        Needed only when ``path`` does not exist yet (a scenario of
        :func:`~mlops_kit.course.scenarios`).

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

    task = value_at(yaml.safe_load(text), "pipeline.task") or "classification"
    new = apply_updates(text, design_updates(answers, task=str(task)))
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
