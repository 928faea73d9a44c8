"""The model card's sections drawn from a run, except its quantitative analyses.

One function per section of Mitchell et al.'s card (model details, intended use,
factors, metrics, evaluation data, training data, ethical considerations, caveats and
recommendations), each from the run's facts and the config's ``transparency`` section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..metrics import METRIC_GLOSSARY
from ._parts import Entry, Section, Table
from ._run_facts import RunFacts
from ._run_text import (
    code_version_text,
    data_name,
    ethics_summary,
    fact,
    gate_limits,
    human,
    model_type_text,
    monitoring_lines,
    pct,
    rate_name,
    run_findings,
    version_text,
)

if TYPE_CHECKING:
    from ..config import DocumentsSettings


def details_section(facts: RunFacts, s: DocumentsSettings) -> Section:
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


def intended_use_section(facts: RunFacts, s: DocumentsSettings) -> Section:
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


def factors_section(facts: RunFacts, s: DocumentsSettings) -> Section:
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


def metrics_section(facts: RunFacts, s: DocumentsSettings) -> Section:
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


def evaluation_data_section(facts: RunFacts) -> Section:
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


def training_data_section(facts: RunFacts) -> Section:
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


def ethics_section(facts: RunFacts, s: DocumentsSettings) -> Section:
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


def caveats_section(facts: RunFacts, s: DocumentsSettings) -> Section:
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
