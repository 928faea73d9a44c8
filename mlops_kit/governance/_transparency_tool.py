"""Section 4 of the transparency record, tool specification, drawn from the run.

The pipeline's architecture, its monitoring and retraining rules, the model (task,
type, input, output, training data, evaluation, performance and fairness) and the data
specification, each from the run's files, beside the fields a person writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._parts import SETTINGS_SECTION, Entry, Section
from ._run_facts import RunFacts
from ._run_text import (
    code_version_text,
    data_name,
    fact,
    human,
    model_type_text,
    monitoring_lines,
    num,
    pct,
    rate_name,
    version_text,
)

if TYPE_CHECKING:
    from ..config import DocumentsSettings


def pipeline_architecture(facts: RunFacts) -> str:
    """How the model is built and released, from the run."""
    status = facts.get("status.json") or {}
    stages = [st["stage"] for st in status.get("stages", [])]
    reg = facts.get("registration.json") or {}
    text = (
        "The model is trained and evaluated by an automated pipeline of notebooks run "
        "with papermill"
        + (f" ({', '.join(stages)})" if stages else "")
        + ". Stages hand over only through files in a run folder, and every step is "
        "appended to a hash-chained audit log."
    )
    if reg:
        text += (
            " Each model version is recorded in an MLflow model registry with the data, "
            "code version, parameters and gate decision it came from."
        )
    return text


def maintenance_facts(facts: RunFacts) -> list[str]:
    """The monitoring and retraining rules of the run's config, in words."""
    out: list[str] = []
    monitoring = facts.config.get("monitoring") or {}
    drift = monitoring.get("drift") or {}
    perf = monitoring.get("performance") or {}
    if drift:
        out.append(
            "Data drift is checked feature by feature on each new batch (a feature drifts "
            f"when its corrected p-value is below {drift.get('alpha', 0.05):g} and its effect "
            "size reaches its floor)."
        )
    floors = perf.get("min_metrics") or {}
    if floors:
        out.append(
            "Performance alerts fire below "
            + ", ".join(f"{k} {v:g}" for k, v in floors.items())
            + (
                f"; fairness alerts below a four-fifths ratio of {perf['four_fifths_limit']:g}."
                if perf.get("four_fifths_limit") is not None
                and facts.protected
                and facts.task == "classification"
                else "."
            )
        )
    continuous = facts.config.get("continuous") or {}
    if continuous.get("triggers"):
        out.append(
            "Continuous training retrains a challenger when these triggers fire: "
            f"{', '.join(continuous['triggers'])}; it replaces the champion only if it is "
            "better and passes the same gate."
        )
    return out + monitoring_lines(facts)


def model_performance(facts: RunFacts) -> list[str]:
    m = facts.metrics
    keys = (
        ("roc_auc", "pr_auc", "precision", "recall", "f1", "accuracy")
        if facts.task == "classification"
        else ("rmse", "mae", "r2")
    )
    shown = [f"{k} {num(m[k])}" for k in keys if m.get(k) is not None]
    return [f"On {m['n_test']:,} held-out rows: " + ", ".join(shown) + "."]


def regression_fairness_text(attr: str, f: dict[str, Any]) -> str:
    """A regression model's errors by one attribute, from ``metrics.json``, in one sentence."""
    metric = str(f.get("error_metric", "mae"))
    gap = f["group_error"].get(metric) or {}
    name = metric.upper()
    if gap.get("worst_group") is None:
        return (
            f"By {attr}: errors could not be compared between groups (fewer than two groups "
            f"have {f.get('min_group_size', 30)} or more held-out rows)."
        )
    text = (
        f"By {attr}: {name} ranges from {num(gap.get('best'), 2)} ({gap['best_group']}) to "
        f"{num(gap.get('worst'), 2)} ({gap['worst_group']})"
    )
    if gap.get("ratio") is not None:
        text += f", {num(gap['ratio'], 2)} times as large"
        low, high = [*(gap.get("ratio_interval") or ()), None, None][:2]
        if low is not None and high is not None:
            level = round(100 * f.get("confidence_level", 0.95))
            text += f" ({level}% confidence interval {num(low, 2)} to {num(high, 2)})"
    return text + "."


def model_fairness(facts: RunFacts) -> list[str]:
    fairness = facts.metrics.get("fairness") or {}
    out = []
    for attr, f in fairness.items():
        if "four_fifths" in f:
            verdict = {True: "passes", False: "fails", None: "cannot be judged"}[
                f["four_fifths"].get("passed")
            ]
            out.append(
                f"By {attr}: the four-fifths rule on {rate_name(facts)}s {verdict} "
                f"(ratio {num(f['four_fifths'].get('ratio'), 2)}); equalised odds difference "
                f"{num(f.get('equalized_odds_difference'))}."
            )
        elif isinstance(f.get("group_error"), dict):
            out.append(regression_fairness_text(attr, f))
        else:
            maes = [g.get("mae") for g in f.get("groups", []) if g.get("mae") is not None]
            if maes:
                out.append(
                    f"By {attr}: mean absolute error ranges from {min(maes):,.2f} to "
                    f"{max(maes):,.2f} between groups."
                )
    return out


def model_section(facts: RunFacts) -> Section:
    t = facts.training
    split = t["split"]
    evaluation = [split["description"]]
    if t.get("cv"):
        cv = t["cv"]
        evaluation.append(f"{cv['scheme']}: {cv['metric']} {cv['mean']:.3f} on average.")
    fairness = model_fairness(facts)
    entries = [
        fact("Model name", facts.model_name),
        fact("Model version", version_text(facts)),
        fact(
            "Model task",
            f"{facts.task.capitalize()}: predict '{facts.dataset['profile']['target']['name']}'.",
        ),
        fact("Model type", model_type_text(facts)),
        fact("Model input", facts.features),
        fact("Model output", provided_output(facts)),
        fact(
            "Data used to train",
            f"{data_name(facts)}: {split['n_train']:,} rows"
            + (
                f" from {split['train_periods'][0]} to {split['train_periods'][1]}"
                if split.get("train_periods")
                else ""
            )
            + f" (SHA-256 {facts.dataset['sha256']}).",
        ),
        fact("Model evaluation", evaluation),
        fact("Model performance", model_performance(facts)),
    ]
    if fairness:
        entries.append(fact("Model fairness", fairness))
    entries += [
        fact("Code version", code_version_text(facts)),
        fact("Date trained", facts.started_at[:10]),
    ]
    return Section(f"Model: {facts.model_name}", entries=tuple(entries))


def completeness(facts: RunFacts) -> list[str]:
    """Missing values and groups too small to judge, from the data profile and metrics."""
    profile = facts.dataset["profile"]
    gaps = [
        f"{c['column']}: {c['missing']:,} missing ({pct(c['missing'] / profile['n_rows'])})"
        for c in profile.get("columns", [])
        if c.get("missing")
    ]
    out = ["Missing values: " + ("; ".join(gaps) if gaps else "none in any column") + "."]
    for attr, f in (facts.metrics.get("fairness") or {}).items():
        if f.get("insufficient_groups"):
            out.append(
                f"Too few held-out rows to judge fairness by {attr} for "
                f"{', '.join(map(str, f['insufficient_groups']))}."
            )
    out += [str(w) for w in profile.get("warnings", [])]
    return out


def data_section(facts: RunFacts, s: DocumentsSettings) -> Section:
    profile = facts.dataset["profile"]
    split = facts.training["split"]
    return Section(
        "Data specification",
        number="4.5",
        entries=(
            fact("Source data name", data_name(facts)),
            fact(
                "Data description",
                f"{profile['n_rows']:,} rows and {profile['n_columns']} columns; the target "
                f"is '{profile['target']['name']}'."
                + (f" Datasheet: {facts.datasheet.name}." if facts.datasheet else ""),
            ),
            fact(
                "Data quantities",
                f"{split['n_train']:,} rows to train and {split['n_test']:,} held out to test.",
            ),
            fact(
                "Sensitive attributes",
                [f"{a} (fairness checks only, never a feature)" for a in facts.protected]
                or "None recorded in the data.",
            ),
            fact("Data completeness and representativeness", completeness(facts)),
            human(s, "data_source", "Data source"),
            human(s, "data_collection", "Data collection"),
            human(s, "data_sharing", "Data sharing agreements"),
            human(s, "data_retention", "Data retention"),
            human(s, "data_access", "Data access and storage"),
        ),
    )


def tool_section(facts: RunFacts, s: DocumentsSettings) -> Section:
    maintenance = maintenance_facts(facts)
    entries = [
        human(s, "system_architecture", "4.1 System architecture"),
        fact("4.1 System architecture: the training pipeline", pipeline_architecture(facts)),
        Entry("4.2 Phase", s.phase or "", "config", True, f"{SETTINGS_SECTION}.phase"),
        human(s, "maintenance", "4.3 Maintenance"),
    ]
    if maintenance:
        entries.append(fact("4.3 Maintenance: monitoring the pipeline applies", maintenance))
    return Section(
        "Tool specification",
        number="4",
        entries=tuple(entries),
        subsections=(
            Section("Models", number="4.4", subsections=(model_section(facts),)),
            data_section(facts, s),
        ),
    )


def provided_output(facts: RunFacts) -> str:
    """What the model outputs for each case, from the run."""
    if facts.task == "classification":
        verb = facts.words.positive
        return (
            f"A score from 0 to 1 for each case and whether it is {verb} (a score of "
            f"{facts.training['threshold']:g} or more)."
        )
    target = facts.dataset["profile"]["target"]["name"]
    return f"A predicted value of '{target}' for each row."
