"""A model card drafted from a pipeline run, after Mitchell et al. (2019).

"Model Cards for Model Reporting" (FAT* 2019) proposes nine sections: model details,
intended use, factors, metrics, evaluation data, training data, quantitative analyses,
ethical considerations, and caveats and recommendations. :func:`model_card` fills every
fact from the files the run wrote (the numbers are the run's own, never retyped) and
takes what only a person can write (intended use, out-of-scope uses, ethical
considerations, owner, contact) from the ``transparency`` section of the config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ._document import (
    SETTINGS_SECTION,
    Document,
    Entry,
    RunFacts,
    Section,
    Table,
    load_settings,
)

if TYPE_CHECKING:
    from ._documents_settings import DocumentsSettings

__all__ = [
    "CARD_HUMAN_KEYS",
    "ModelCard",
    "card_keys_missing",
    "model_card",
    "transparency_block",
]

#: The ``transparency`` keys every model card needs from a person (``factors_note`` is
#: needed as well when a run evaluated no protected groups).
CARD_HUMAN_KEYS = (
    "owner",
    "contact_email",
    "primary_uses",
    "primary_users",
    "out_of_scope_uses",
    "metrics_rationale",
    "ethical_considerations",
    "caveats",
)

#: The card's nine sections, in the order of Mitchell et al.
CARD_SECTIONS = (
    "Model details",
    "Intended use",
    "Factors",
    "Metrics",
    "Evaluation data",
    "Training data",
    "Quantitative analyses",
    "Ethical considerations",
    "Caveats and recommendations",
)

#: The fairness measures reported for each protected attribute, with their names in words.
DISPARITY_MEASURES = {
    "demographic_parity_difference": "demographic parity difference",
    "demographic_parity_ratio": "demographic parity ratio",
    "equalized_odds_difference": "equalised odds difference",
    "equalized_odds_ratio": "equalised odds ratio",
}


# --------------------------------------------------------------------------- formatting


def num(value: Any, digits: int = 3) -> str:
    """A number for a table: ``n/a`` for None, thousands separators for whole numbers.

    Examples
    --------
    >>> num(0.77960), num(None), num(10500), num(554.509, 1)
    ('0.780', 'n/a', '10,500', '554.5')
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


def pct(value: Any) -> str:
    """A share as a percentage with one decimal, ``n/a`` for None.

    Examples
    --------
    >>> pct(0.10371), pct(None)
    ('10.4%', 'n/a')
    """
    return "n/a" if value is None else f"{100 * float(value):.1f}%"


def human(s: DocumentsSettings, name: str, label: str, *, required: bool = True) -> Entry:
    """An entry a person writes in the config's ``transparency`` section."""
    value = getattr(s, name)
    shown: str | tuple[str, ...] = tuple(value) if isinstance(value, list) else (value or "")
    return Entry(label, shown, "config", required, f"{SETTINGS_SECTION}.{name}")


def fact(label: str, value: str | tuple[str, ...] | list[str]) -> Entry:
    """An entry the run recorded."""
    return Entry(label, tuple(value) if isinstance(value, list) else value, "run")


def rate_name(facts: RunFacts) -> str:
    """The rate the four-fifths rule compares, in the run's words ("selection rate")."""
    return facts.words.rate


# --------------------------------------------------------------------------- the card


@dataclass(frozen=True)
class ModelCard(Document):
    """A model card: nine sections of facts from the run and words from the config.

    Attributes
    ----------
    overall : dict of str to float
        The headline metrics on the held-out rows, exactly as in ``metrics.json``.
    by_group : dict of str to tuple of dict
        For each protected attribute, the per-group rows of ``metrics.json``'s
        fairness section (unchanged).
    gate_decision : str or None
        "promote", "refuse" or "needs human approval", when the run was gated.

    See :class:`mlops_kit.governance.Document` for ``missing``, ``to_markdown``,
    ``to_html``, ``to_dict`` and ``write``.
    """

    overall: dict[str, float] = field(default_factory=dict)
    by_group: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    gate_decision: str | None = None

    kind: ClassVar[str] = "model card"
    stem: ClassVar[str] = "model_card"


def model_card(
    run_dir: str | os.PathLike[str],
    *,
    settings: DocumentsSettings | Mapping[str, Any] | None = None,
) -> ModelCard:
    """Draft the model card of a pipeline run.

    Parameters
    ----------
    run_dir : path-like
        A run folder (``runs/<run-id>``) that got at least as far as the evaluate stage.
    settings : DocumentsSettings or mapping, optional
        The human-written fields; default the ``transparency`` section of the run's
        ``config.yml`` (empty if it has none, so that ``.missing`` lists them all).

    Returns
    -------
    ModelCard
        ``.missing`` names every required part still empty; :func:`require_complete`
        refuses the card until it is complete.

    Raises
    ------
    ArtefactError
        The folder is not a run folder, or a stage that every card needs did not run.
    ConfigError
        A key of the settings breaks the schema.
    """
    facts = RunFacts.read(run_dir)
    s = load_settings(settings, facts.run_dir)
    metrics = facts.metrics
    overall = {
        k: v for k, v in metrics.items() if isinstance(v, int | float) and k not in ("n_test",)
    }
    by_group = {
        attr: tuple(f.get("groups", [])) for attr, f in (metrics.get("fairness") or {}).items()
    }
    gate = facts.get("gate.json") or {}
    return ModelCard(
        title=f"Model card: {facts.model_name}",
        subtitle=(
            f"What the {facts.model_name} model is for, how it was built and tested, and "
            "its limits. The sections follow Mitchell et al., 'Model Cards for Model "
            "Reporting' (2019)."
        ),
        run_id=facts.run_id,
        run_dir=facts.run_dir,
        sections=(
            _details(facts, s),
            _intended_use(facts, s),
            _factors(facts, s),
            _metrics(facts, s),
            _evaluation_data(facts),
            _training_data(facts),
            _quantitative(facts),
            _ethics(facts, s),
            _caveats(facts, s),
        ),
        overall=overall,
        by_group=by_group,
        gate_decision=gate.get("decision"),
    )


# --------------------------------------------------------------------------- sections


def version_text(facts: RunFacts) -> str:
    """The registered version and alias, or that the model is not registered yet."""
    reg = facts.get("registration.json")
    if not reg:
        return "Not registered yet: this card was drafted before the register stage."
    alias = f"alias '{reg['alias']}'" if reg.get("alias") else "no alias"
    return (
        f"Version {reg['version']} of '{reg['model_name']}' in the model registry ({alias}; "
        f"the gate decided '{reg.get('gate_decision', 'unknown')}')."
    )


def model_type_text(facts: RunFacts) -> str:
    """The model family in words, with how it was tuned."""
    t = facts.training
    text = f"{t['model_description']} ('{t['model']}'), for {facts.task}"
    tuning = facts.get("tuning.json") or {}
    if tuning and not tuning.get("skipped"):
        text += (
            f"; hyperparameters tuned with Optuna over {tuning['n_trials']} trial(s), "
            f"optimising {tuning['metric']}"
        )
    return text + "."


def code_version_text(facts: RunFacts) -> str:
    code = facts.context.get("code_version") or {}
    if not code:
        return ""
    label = str(code.get("label") or code.get("commit") or "")
    return label + (" (with uncommitted changes)" if code.get("dirty") else "")


def _details(facts: RunFacts, s: DocumentsSettings) -> Section:
    t = facts.training
    return Section(
        "Model details",
        entries=(
            fact("Name", facts.model_name),
            fact("Version", version_text(facts)),
            fact("Date trained", facts.started_at[:10]),
            fact("Model type", model_type_text(facts)),
            fact("Trained by", facts.trained_by),
            fact("Code version", code_version_text(facts)),
            fact("Training data SHA-256", facts.dataset["sha256"]),
            fact("Model file SHA-256", str(t.get("model_sha256", ""))),
            fact("Random seed", str(t["seed"])),
            human(s, "owner", "Owner"),
            human(s, "organisation", "Organisation", required=False),
            human(s, "contact_email", "Contact"),
            human(s, "licence", "Licence", required=False),
        ),
    )


def outcome_text(facts: RunFacts) -> str:
    """What a positive prediction means for the person, from the run's config."""
    target = facts.dataset["profile"]["target"]
    if facts.task != "classification":
        return f"The model predicts '{target['name']}', a number."
    label = f"{target['name']} = {target['positive_label']}"
    if facts.adverse:
        return (
            f"A positive prediction ({label}) is adverse for the person concerned, so false "
            f"positives and unequal {facts.words.rate}s between groups are harms."
        )
    return f"A positive prediction ({label}) is favourable for the person concerned."


def _intended_use(facts: RunFacts, s: DocumentsSettings) -> Section:
    entries = [
        human(s, "primary_uses", "Primary intended uses"),
        human(s, "primary_users", "Primary intended users"),
        human(s, "out_of_scope_uses", "Out-of-scope uses"),
        fact("What a prediction means", outcome_text(facts)),
    ]
    if facts.task == "classification":
        entries.append(
            fact(
                "Decision threshold",
                f"Cases scoring {facts.training['threshold']:g} or more are predicted positive.",
            )
        )
    return Section("Intended use", entries=tuple(entries))


def _factors(facts: RunFacts, s: DocumentsSettings) -> Section:
    fairness = facts.metrics.get("fairness") or {}
    entries: list[Entry] = []
    if facts.protected:
        evaluated = [
            f"{attr}: "
            + ", ".join(str(g["group"]) for g in fairness.get(attr, {}).get("groups", []))
            for attr in facts.protected
        ]
        entries.append(fact("Protected characteristics evaluated", evaluated))
        entries.append(human(s, "factors_note", "Why these groups", required=False))
        small = [
            f"{attr}: {', '.join(map(str, f['insufficient_groups']))} (fewer than "
            f"{f.get('min_group_size')} held-out rows"
            + (
                ")"
                if "group_error" in f
                else f" or {f.get('min_group_positives')} actual positives)"
            )
            for attr, f in fairness.items()
            if f.get("insufficient_groups")
        ]
        if small:
            entries.append(fact("Groups too small to judge", small))
        entries.append(
            fact(
                "How they are used",
                "Protected characteristics are never model features; they are kept only "
                "to compare the model's results between groups.",
            )
        )
    else:
        entries.append(human(s, "factors_note", "Why no protected characteristics were evaluated"))
    if facts.metrics.get("by_period"):
        time_column = facts.roles.get("time_column") or "period"
        entries.append(
            fact(
                "Time",
                f"Results are also reported for each {time_column} of the held-out rows, "
                "to show whether performance holds over time.",
            )
        )
    return Section("Factors", entries=tuple(entries))


def gate_limits(facts: RunFacts) -> list[str]:
    """The policy's limits, from ``gate.json`` (or the run's config), in words."""
    gate = facts.get("gate.json") or {}
    policy = gate.get("policy") or facts.config.get("policy") or {}
    lines = [f"{k} at least {v:g}" for k, v in (policy.get("min_metrics") or {}).items()]
    lines += [f"{k} at most {v:g}" for k, v in (policy.get("max_metrics") or {}).items()]
    if facts.task == "classification" and facts.protected:
        if policy.get("four_fifths", True):
            lines.append(
                f"four-fifths rule on {rate_name(facts)}s: no group's rate may differ from "
                "another's by more than a ratio of 0.8"
            )
        if policy.get("max_equalized_odds_difference") is not None:
            lines.append(
                f"equalised odds difference at most {policy['max_equalized_odds_difference']:g}"
            )
    error_limit = policy.get("max_group_error_ratio")
    if facts.task == "regression" and facts.protected and error_limit is not None:
        metric = str(policy.get("group_error_metric", "mae")).upper()
        lines.append(
            f"errors by group: the worst group's {metric} at most {error_limit:g} times the "
            "best group's"
        )
    if policy.get("high_impact"):
        lines.append("high-impact use: a named person must always approve promotion")
    return lines


def _metrics(facts: RunFacts, s: DocumentsSettings) -> Section:
    from ..metrics import METRIC_GLOSSARY

    reported = [f"{k}: {METRIC_GLOSSARY[k]}" for k in METRIC_GLOSSARY if k in facts.metrics]
    if facts.task == "classification" and facts.protected:
        reported += [
            f"impact ratio (four-fifths rule): each group's {rate_name(facts)} divided by the "
            "lowest one's; below 0.8 fails",
            "equalised odds difference: the larger gap between groups in true or false "
            "positive rate",
        ]
    if facts.task == "regression" and facts.protected:
        reported += [
            "MAE and RMSE by group, and the worst group's over the best group's (error "
            "ratio), over groups with enough held-out rows",
            "mean error by group: prediction minus actual, negative when the model predicts "
            "too low for that group on average",
        ]
    entries = [fact("Metrics reported", reported)]
    tuning = facts.get("tuning.json") or {}
    if tuning and not tuning.get("skipped"):
        entries.append(fact("Metric tuned for", f"{tuning['metric']} ({tuning['cv_scheme']})"))
    limits = gate_limits(facts)
    if limits:
        entries.append(fact("Limits the governance gate applies", limits))
    entries.append(human(s, "metrics_rationale", "Why these metrics and limits"))
    return Section("Metrics", entries=tuple(entries))


def data_name(facts: RunFacts) -> str:
    return Path(facts.dataset["path"]).name


def _evaluation_data(facts: RunFacts) -> Section:
    split = facts.training["split"]
    entries = [
        fact("Data set", f"{data_name(facts)} (SHA-256 {facts.dataset['sha256'][:12]}...)"),
        fact("Held-out rows", split["description"]),
        fact(
            "Why these rows",
            "The latest periods are held out, so the test resembles using the model on "
            "future cases it has never seen."
            if split["method"] == "time"
            else "A random share of rows is held out and never used in training or tuning.",
        ),
    ]
    cm = facts.metrics.get("confusion_matrix")
    if cm:
        n = sum(cm.values())
        entries.append(
            fact(
                "Positive rate in the held-out rows",
                f"{pct((cm['tp'] + cm['fn']) / n)} of {n:,} rows are actually positive.",
            )
        )
    if facts.datasheet is not None:
        entries.append(fact("Datasheet", facts.datasheet.name))
    return Section("Evaluation data", entries=tuple(entries))


def _training_data(facts: RunFacts) -> Section:
    profile = facts.dataset["profile"]
    split = facts.training["split"]
    target = profile["target"]
    entries = [
        fact(
            "Data set",
            f"{data_name(facts)}: {profile['n_rows']:,} rows and {profile['n_columns']} "
            f"columns; SHA-256 {facts.dataset['sha256']}.",
        ),
        fact(
            "Training rows",
            f"{split['n_train']:,} rows"
            + (
                f", {split['train_periods'][0]} to {split['train_periods'][1]}"
                if split.get("train_periods")
                else ""
            )
            + ".",
        ),
    ]
    if target.get("positive_rate") is not None:
        entries.append(
            fact(
                "Target",
                f"'{target['name']}'; {pct(target['positive_rate'])} of all rows are "
                f"positive ({target['name']} = {target['positive_label']}).",
            )
        )
    else:
        entries.append(fact("Target", f"'{target['name']}' ({facts.task})."))
    entries.append(fact("Features used", facts.features))
    if profile.get("warnings"):
        entries.append(fact("Data warnings", list(profile["warnings"])))
    cv = facts.training.get("cv")
    if cv:
        entries.append(
            fact(
                "Cross-validation",
                f"{cv['scheme']}: {cv['metric']} {cv['mean']:.3f} on average "
                f"(standard deviation {cv['std']:.3f}).",
            )
        )
    tuning = facts.get("tuning.json") or {}
    if tuning and not tuning.get("skipped"):
        entries.append(fact("Tuning", tuning["summary"]))
    if facts.datasheet is not None:
        entries.append(fact("Datasheet", facts.datasheet.name))
    excluded = facts.roles.get("excluded") or {}
    tables = (
        (
            Table(
                "Columns left out of the features, and why",
                ("column", "reason"),
                tuple((c, why) for c, why in excluded.items()),
            ),
        )
        if excluded
        else ()
    )
    return Section("Training data", entries=tuple(entries), tables=tables)


def group_table(facts: RunFacts, attr: str, f: dict[str, Any]) -> Table:
    """The per-group results of one protected attribute, as ``metrics.json`` holds them."""
    groups = f.get("groups", [])
    if "group_error" in f:
        return error_table(attr, f)
    if "selection_rate" not in (groups[0] if groups else {}):
        # Regression, as recorded before errors by group had intervals.
        return Table(
            f"Errors by {attr} on the held-out rows",
            ("group", "rows", "mean absolute error", "mean actual", "mean predicted"),
            tuple(
                (
                    str(g["group"]),
                    num(g.get("count"), 0),
                    num(g.get("mae"), 2),
                    num(g.get("mean_actual"), 2),
                    num(g.get("mean_predicted"), 2),
                )
                for g in groups
            ),
        )
    level = round(100 * f.get("confidence_level", 0.95))
    has_ci = any(g.get("impact_ratio_low") is not None for g in groups)

    def ratio(g: dict[str, Any]) -> str:
        text = num(g.get("impact_ratio"), 2)
        if has_ci and g.get("impact_ratio_low") is not None and g.get("verdict") != "reference":
            text += f" ({num(g['impact_ratio_low'], 2)} to {num(g['impact_ratio_high'], 2)})"
        return text

    return Table(
        f"{rate_name(facts).capitalize()}s and error rates by {attr} on the held-out rows"
        + (f"; impact ratios with {level}% confidence intervals" if has_ci else ""),
        (
            "group",
            "rows",
            "actual positives",
            rate_name(facts),
            "true positive rate",
            "false positive rate",
            "precision",
            "impact ratio",
            "four-fifths verdict",
        ),
        tuple(
            (
                str(g["group"]),
                num(g.get("count"), 0),
                num(g.get("positives"), 0),
                pct(g.get("selection_rate")),
                num(g.get("true_positive_rate")),
                num(g.get("false_positive_rate")),
                num(g.get("precision")),
                ratio(g),
                str(g.get("verdict", "")),
            )
            for g in groups
        ),
    )


def error_table(attr: str, f: dict[str, Any]) -> Table:
    """A regression model's errors by the groups of one attribute, with intervals."""
    groups = f.get("groups", [])
    metric = str(f.get("error_metric", "mae")).upper()
    level = round(100 * f.get("confidence_level", 0.95))
    has_ci = any(g.get("error_low") is not None for g in groups)

    def shown(g: dict[str, Any], column: str, interval: str | None) -> str:
        """A value, with its interval (columns ``interval``_low and _high) if it has one."""
        text = num(g.get(column), 2)
        low = g.get(f"{interval}_low") if interval else None
        if low is None or g.get(f"{interval}_high") is None:
            return text
        return f"{text} ({num(low, 2)} to {num(g[f'{interval}_high'], 2)})"

    return Table(
        f"Errors by {attr} on the held-out rows (mean error: prediction minus actual)"
        + (f"; {metric} and error ratios with {level}% confidence intervals" if has_ci else ""),
        (
            "group",
            "rows",
            "MAE",
            "RMSE",
            "mean predicted",
            "mean actual",
            "mean error",
            f"{metric} over the best group's",
            "status",
        ),
        tuple(
            (
                str(g["group"]),
                num(g.get("count"), 0),
                shown(g, "mae", "error" if metric == "MAE" else None),
                shown(g, "rmse", "error" if metric == "RMSE" else None),
                num(g.get("mean_predicted"), 2),
                num(g.get("mean_actual"), 2),
                num(g.get("mean_error"), 2),
                shown(g, "error_ratio", None if g.get("status") == "best" else "error_ratio"),
                str(g.get("status", "")),
            )
            for g in groups
        ),
    )


def error_gap_table(attr: str, f: dict[str, Any]) -> Table:
    """The worst group's error against the best group's, in MAE and RMSE, with intervals."""
    level = round(100 * f.get("confidence_level", 0.95))
    rows = []
    for metric, gap in (f.get("group_error") or {}).items():
        pair = (
            f"{gap['worst_group']} against {gap['best_group']}"
            if gap.get("worst_group") is not None
            else "n/a"
        )
        for what, key in (("ratio (worst over best)", "ratio"), ("difference", "difference")):
            low, high = [*(gap.get(f"{key}_interval") or ()), None, None][:2]
            interval = "n/a" if low is None or high is None else f"{num(low)} to {num(high)}"
            rows.append((f"{metric.upper()} {what}", pair, num(gap.get(key)), interval))
    return Table(
        f"The worst group's error against the best group's by {attr}, with {level}% "
        "bootstrap confidence intervals for that pair of groups",
        ("measure", "groups", "value", f"{level}% interval"),
        tuple(rows),
    )


def disparity_table(attr: str, f: dict[str, Any]) -> Table | None:
    """The disparity measures of one attribute, with confidence intervals if any."""
    if "group_error" in f:
        return error_gap_table(attr, f)
    if "demographic_parity_difference" not in f:
        return None
    ci = f.get("confidence_intervals") or {}
    level = round(100 * f.get("confidence_level", 0.95))

    def interval(name: str) -> str:
        pair = ci.get(name)
        if not pair or pair[0] is None:
            return "n/a"
        return f"{num(pair[0])} to {num(pair[1])}"

    return Table(
        f"Disparity measures by {attr}"
        + (f" with {level}% bootstrap confidence intervals" if ci else ""),
        ("measure", "value", f"{level}% interval"),
        tuple((words, num(f.get(m)), interval(m)) for m, words in DISPARITY_MEASURES.items()),
    )


def _quantitative(facts: RunFacts) -> Section:
    from ..metrics import METRIC_GLOSSARY

    m = facts.metrics
    overall = Table(
        f"Overall results on {m['n_test']:,} held-out rows",
        ("metric", "value"),
        tuple((k, num(m[k])) for k in METRIC_GLOSSARY if isinstance(m.get(k), int | float)),
    )
    tables = [overall]
    cm = m.get("confusion_matrix")
    if cm:
        tables.append(
            Table(
                f"Confusion matrix at threshold {m['threshold']:g}",
                ("", "predicted negative", "predicted positive"),
                (
                    ("actually negative", num(cm["tn"], 0), num(cm["fp"], 0)),
                    ("actually positive", num(cm["fn"], 0), num(cm["tp"], 0)),
                ),
            )
        )
    subsections = []
    for attr, f in (m.get("fairness") or {}).items():
        group_tables = [group_table(facts, attr, f)]
        disparity = disparity_table(attr, f)
        if disparity is not None:
            group_tables.append(disparity)
        subsections.append(
            Section(
                f"By {attr}",
                intro=str(f.get("summary", "")),
                tables=tuple(group_tables),
                figures=facts.figures(f"fairness_{attr}"),
            )
        )
    periods = m.get("by_period") or []
    if periods:
        # Classification names the period column "period"; regression keeps the time column's.
        key = "period" if "period" in periods[0] else next(iter(periods[0]))
        cols = [k for k in periods[0] if k != key]
        subsections.append(
            Section(
                "Over time",
                tables=(
                    Table(
                        "Results for each period of the held-out rows",
                        (key, *cols),
                        tuple(
                            (
                                str(p[key]),
                                *(
                                    pct(p[c])
                                    if c.endswith("rate")
                                    else num(p[c], 0 if c == "n" else 3)
                                    for c in cols
                                ),
                            )
                            for p in periods
                        ),
                    ),
                ),
                figures=facts.figures("over_time"),
            )
        )
    gate = facts.get("gate.json")
    entries: tuple[Entry, ...] = ()
    if gate:
        entries = (fact("Governance gate", [f"Decision: {gate['decision']}.", *gate["reasons"]]),)
        tables.append(
            Table(
                "Every check the governance gate applied",
                ("check", "result", "value", "limit"),
                tuple(
                    (
                        c["name"],
                        {True: "pass", False: "FAIL", None: "cannot judge"}[c["passed"]],
                        num(c.get("value")),
                        num(c.get("limit")),
                    )
                    for c in gate["checks"]
                ),
            )
        )
    return Section(
        "Quantitative analyses",
        entries=entries,
        tables=tuple(tables),
        figures=facts.figures("roc", "predicted_vs_actual", "confusion_matrix"),
        subsections=tuple(subsections),
    )


def run_findings(facts: RunFacts) -> list[str]:
    """What the run found that bears on ethics: failed and unjudged gate checks."""
    gate = facts.get("gate.json") or {}
    found = [f"{c['explanation']}" for c in gate.get("checks", []) if c.get("passed") is not True]
    fairness = facts.metrics.get("fairness") or {}
    for attr, f in fairness.items():
        if f.get("insufficient_groups"):
            found.append(
                f"Too few people to judge fairness by {attr} for: "
                f"{', '.join(map(str, f['insufficient_groups']))}."
            )
    return found


def ethics_summary(facts: RunFacts) -> list[str]:
    """The Data Ethics Framework self-assessment saved with the run, in a few lines."""
    saved = facts.get("ethics_assessment.json")
    if not saved:
        return []
    from ._ethics import EthicsAssessment

    assessment = EthicsAssessment.from_dict(saved)
    return [assessment.summary()]


def _ethics(facts: RunFacts, s: DocumentsSettings) -> Section:
    entries = [human(s, "ethical_considerations", "Considerations")]
    findings = run_findings(facts)
    if findings:
        entries.append(fact("Findings from the run", findings))
    assessed = ethics_summary(facts)
    entries.append(
        fact("Data Ethics Framework self-assessment", assessed)
        if assessed
        else Entry(
            "Data Ethics Framework self-assessment",
            "",
            "run",
            False,
            "ethics_assessment.json in the run folder (EthicsAssessment.save)",
        )
    )
    return Section("Ethical considerations", entries=tuple(entries))


def monitoring_lines(facts: RunFacts) -> list[str]:
    """The monitor stage's findings: drifted features and alerts, in short sentences."""
    mon = facts.get("monitoring.json")
    if not mon:
        return []
    drifted = mon["drift"]["drifted"]
    alerts = mon.get("alerts", [])
    severe = [a for a in alerts if a.get("severity") == "alert"]
    lines = [
        f"Monitoring on {mon['batch']} ({mon['current_rows']:,} rows against "
        f"{mon['reference_rows']:,} training rows): "
        + (f"data drift in {', '.join(drifted)}" if drifted else "no data drift")
        + f"; {len(alerts)} alert(s), {len(severe)} of them needing action."
    ]
    return lines


def _caveats(facts: RunFacts, s: DocumentsSettings) -> Section:
    found: list[str] = []
    reg = facts.get("registration.json")
    if reg:
        found.append(str(reg["next_step"]))
    found += monitoring_lines(facts)
    code = facts.context.get("code_version") or {}
    if code.get("dirty"):
        found.append(
            "The code had uncommitted changes when the model was trained, so the exact "
            "code cannot be recovered from version control."
        )
    tuning = facts.get("tuning.json") or {}
    if tuning and not tuning.get("skipped") and not tuning.get("reproducible", True):
        found.append(str(tuning.get("reproducible_reason", "")))
    entries = [human(s, "caveats", "Caveats and recommendations")]
    if found:
        entries.append(fact("From the run", found))
    return Section("Caveats and recommendations", entries=tuple(entries))


# --------------------------------------------------------------------------- before a run


def card_keys_missing(
    settings: DocumentsSettings | Mapping[str, Any] | None, *, protected: bool
) -> tuple[str, ...]:
    """The ``transparency`` keys a model card would still lack, from a config alone.

    The same rule as :func:`model_card`'s ``.missing``, for use before anything runs
    (``mlops-kit check``): every key of :data:`CARD_HUMAN_KEYS`, and ``factors_note``
    when the config names no protected columns.

    Examples
    --------
    >>> card_keys_missing({"owner": "Data team"}, protected=True)[:3]
    ('contact_email', 'primary_uses', 'primary_users')
    >>> "factors_note" in card_keys_missing(None, protected=False)
    True
    """
    s = load_settings({} if settings is None else settings, Path("."))
    keys = list(CARD_HUMAN_KEYS)
    if not protected:
        keys.insert(keys.index("out_of_scope_uses") + 1, "factors_note")
    return tuple(k for k in keys if human(s, k, k).empty)


def transparency_block(keys: Sequence[str]) -> str:
    """A ``transparency:`` section to paste into a config, one empty key per part to write.

    Each key comes with its meaning as a comment; list keys take one item per line.

    Examples
    --------
    >>> print(transparency_block(["owner", "caveats"]))
    transparency:
      # Who owns and maintains the model (team or role).
      owner: ""
      # Caveats and recommendations, one per item.
      caveats:
        - ""
    """
    import typing

    from ._documents_settings import DocumentsSettings

    fields = DocumentsSettings.model_fields
    lines = [f"{SETTINGS_SECTION}:"]
    for key in keys:
        field_info = fields[key]
        lines.append(f"  # {field_info.description}")
        if typing.get_origin(field_info.annotation) is list:
            lines += [f"  {key}:", '    - ""']
        else:
            lines.append(f'  {key}: ""')
    return "\n".join(lines)
