"""The model card's quantitative analyses: overall results, results by group, over time.

The tables are built from ``metrics.json`` exactly as the run recorded it: the overall
metrics and confusion matrix, each protected attribute's per-group rates or errors and
its disparity measures (with confidence intervals when the run has them), the results
per period, and every check of the governance gate.
"""

from __future__ import annotations

from typing import Any

from ..metrics import METRIC_GLOSSARY
from ._parts import Entry, Section, Table
from ._run_facts import RunFacts
from ._run_text import fact, num, pct, rate_name

#: The fairness measures reported for each protected attribute, with their names in words.
DISPARITY_MEASURES = {
    "demographic_parity_difference": "demographic parity difference",
    "demographic_parity_ratio": "demographic parity ratio",
    "equalized_odds_difference": "equalised odds difference",
    "equalized_odds_ratio": "equalised odds ratio",
}


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


def quantitative_section(facts: RunFacts) -> Section:
    """The card's quantitative analyses: overall, by group, over time, and the gate."""
    m = facts.metrics
    tables = overall_tables(m)
    subsections = [group_section(facts, attr, f) for attr, f in (m.get("fairness") or {}).items()]
    periods = m.get("by_period") or []
    if periods:
        subsections.append(over_time_section(facts, periods))
    gate = facts.get("gate.json")
    entries: tuple[Entry, ...] = ()
    if gate:
        entries = (fact("Governance gate", [f"Decision: {gate['decision']}.", *gate["reasons"]]),)
        tables.append(gate_table(gate))
    return Section(
        "Quantitative analyses",
        entries=entries,
        tables=tuple(tables),
        figures=facts.figures("roc", "predicted_vs_actual", "confusion_matrix"),
        subsections=tuple(subsections),
    )


def overall_tables(m: dict[str, Any]) -> list[Table]:
    """The headline metrics on the held-out rows, and the confusion matrix if there is one."""
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
    return tables


def group_section(facts: RunFacts, attr: str, f: dict[str, Any]) -> Section:
    """One protected attribute's results by group, its disparity measures and figure."""
    group_tables = [group_table(facts, attr, f)]
    disparity = disparity_table(attr, f)
    if disparity is not None:
        group_tables.append(disparity)
    return Section(
        f"By {attr}",
        intro=str(f.get("summary", "")),
        tables=tuple(group_tables),
        figures=facts.figures(f"fairness_{attr}"),
    )


def over_time_section(facts: RunFacts, periods: list[dict[str, Any]]) -> Section:
    """The results for each period of the held-out rows."""
    # Classification names the period column "period"; regression keeps the time column's.
    key = "period" if "period" in periods[0] else next(iter(periods[0]))
    cols = [k for k in periods[0] if k != key]
    return Section(
        "Over time",
        tables=(
            Table(
                "Results for each period of the held-out rows",
                (key, *cols),
                tuple(
                    (
                        str(p[key]),
                        *(
                            pct(p[c]) if c.endswith("rate") else num(p[c], 0 if c == "n" else 3)
                            for c in cols
                        ),
                    )
                    for p in periods
                ),
            ),
        ),
        figures=facts.figures("over_time"),
    )


def gate_table(gate: dict[str, Any]) -> Table:
    """Every check the governance gate applied, with its result, value and limit."""
    return Table(
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
