"""The design form's options: the choices each question offers, fitted to the scenario.

:func:`design_form_options` gives, for each choice question of the design form, its
options as ``(label, value)`` pairs: the wording fits the scenario's service (its cases,
the people affected, the staff who use it) and the column questions list the scenario
data's own columns. A classification scenario asks about groups and the flag; a
regression one (whose rows are areas, not people) asks why no groups are compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ConfigError, did_you_mean
from ._design_file import load_design
from ._scenarios import SCENARIOS, design_path

__all__ = ["Options", "design_form_options"]

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


#: A question's options: (label in words, value) pairs, in the order the form shows them.
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
    return {
        **_sign_off_options(),
        **_model_options(classification),
        **_monitoring_options(w),
        **_rollback_options(w),
        **_privacy_options(columns),
        **_transparency_options(scenario, w),
        **_task_options(w, columns, classification),
    }


def _sign_off_options() -> dict[str, Options]:
    """Who signs off: whether people are affected, the approver's role, the SRO."""
    return {
        "decisions_about_people": (
            ("Yes: it affects decisions about individual people", True),
            ("No: it makes no decisions about individual people", False),
        ),
        "approver_role": _same(_ROLES),
        "senior_responsible_owner": _same(
            ("Director of the service", "Head of service", "Chief data officer")
        ),
    }


def _model_options(classification: bool) -> dict[str, Options]:
    """The model, the metric it is tuned for and the gate's floors."""
    return {
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
        ),
        "min_score": tuple(
            (f"{'ROC AUC' if classification else 'R²'} of at least {v}", v)
            for v in ((0.6, 0.65, 0.7, 0.75, 0.8) if classification else (0.7, 0.8, 0.9))
        ),
        "min_group_size": tuple((f"Judge groups of {n} or more", n) for n in (20, 30, 50, 100)),
    }


def _monitoring_options(w: Mapping[str, str]) -> dict[str, Options]:
    """Monitoring and retraining: alerts, late labels, triggers, owners."""
    return {
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
    }


def _rollback_options(w: Mapping[str, str]) -> dict[str, Options]:
    """The rollback plan: when, how and who decides."""
    return {
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
    }


def _privacy_options(columns: tuple[str, ...]) -> dict[str, Options]:
    """Privacy: the columns kept out, k, the statements and assessments."""
    return {
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
    }


def _transparency_options(scenario: str, w: Mapping[str, str]) -> dict[str, Options]:
    """The transparency record's choices: alternatives, oversight, caveats, risks."""
    return {
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


def _task_options(
    w: Mapping[str, str], columns: tuple[str, ...], classification: bool
) -> dict[str, Options]:
    """The questions one kind of task asks: groups and the flag for classification."""
    if not classification:
        return {
            "no_groups_reason": _same(
                (
                    "No protected characteristics are compared: the rows are not people, so "
                    "fairness is judged by comparing the errors between the areas served.",
                    "No protected characteristics are compared: the data hold none, and collecting "
                    "them for this check alone is not justified; outcomes are reviewed by area.",
                )
            ),
        }
    return {
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
