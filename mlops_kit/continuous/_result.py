"""What a replay produced: the timeline, its summary figures and the figure over time.

Part of :mod:`mlops_kit.continuous`; see the package docstring.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, atomic_write_text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..config import PipelineConfig
    from ..figures import DescribedFigure
    from ._state import ReplayState
    from ._steps import Stream

TIMELINE_JSON, TIMELINE_CSV, FIGURE_FILE = "timeline.json", "timeline.csv", "performance.png"


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None and math.isfinite(v)]
    return sum(kept) / len(kept) if kept else None


def summarise(rows: list[dict[str, Any]], metric: str, higher: bool) -> dict[str, Any]:
    """Headline figures: the change as detected, and how much of the loss retraining won back.

    The change is the first batch where drift or decay fired. Before it, the
    never-retrained model's mean is the level to keep; after it (from that batch on),
    the retrained champions' mean is compared with the never-retrained model's.
    """
    served = [r[f"served_{metric}"] for r in rows]
    never = [r[f"never_retrained_{metric}"] for r in rows]
    change = next((k for k, r in enumerate(rows) if {"drift", "decay"} & set(r["triggers"])), None)
    out: dict[str, Any] = {
        "metric": metric,
        "batches": len(rows),
        "triggers_fired": sum(bool(r["triggers"]) for r in rows),
        "challengers": sum(r["challenger"] is not None for r in rows),
        "promotions": [r["batch"] for r in rows if r["promoted"]],
        "change_detected_at": None if change is None else rows[change]["batch"],
        "before_change": None,
        "after_change_never_retrained": None,
        "after_change_retrained": None,
        "recovered_share": None,
    }
    if change is None:
        return out
    before = _mean(never[:change])
    after_never, after_served = _mean(never[change:]), _mean(served[change:])
    out.update(
        before_change=before,
        after_change_never_retrained=after_never,
        after_change_retrained=after_served,
    )
    if before is not None and after_never is not None and after_served is not None:
        lost = (before - after_never) if higher else (after_never - before)
        won = (after_served - after_never) if higher else (after_never - after_served)
        out["recovered_share"] = won / lost if lost > 0 else None
    return out


def summary_text(summary: dict[str, Any], initial: dict[str, Any]) -> str:
    """The replay in a few plain sentences."""
    m = summary["metric"]
    parts = [
        f"Replayed {summary['batches']} batch(es) after the first champion (v1, trained on "
        f"{initial['train']}). Triggers fired at {summary['triggers_fired']} batch(es); "
        f"{summary['challengers']} challenger(s) were trained and "
        f"{len(summary['promotions'])} promoted"
        + (f" ({', '.join(summary['promotions'])})." if summary["promotions"] else ".")
    ]
    if summary["change_detected_at"] is None:
        parts.append("No drift or decay was detected.")
    else:
        parts.append(f"Drift or decay was first detected at {summary['change_detected_at']}.")
    b, n, r = (
        summary["before_change"],
        summary["after_change_never_retrained"],
        summary["after_change_retrained"],
    )
    if b is not None and n is not None and r is not None:
        parts.append(
            f"Mean {m} before it: {b:.3f}; from it on: {n:.3f} never retrained against "
            f"{r:.3f} retrained."
        )
        share = summary["recovered_share"]
        if share is not None:
            parts.append(f"Retraining recovered {share:.0%} of the lost {m}.")
    return " ".join(parts)


def performance_figure(
    timeline: pd.DataFrame,
    metric: str,
    *,
    floor: float | None = None,
    ax: Axes | None = None,
) -> DescribedFigure:
    """The champion's metric per batch, retrained against never retrained, promotions marked."""
    import numpy as np

    from ..figures import DescribedFigure, new_axes

    fig, ax = new_axes(ax, (8.0, 4.0))
    x = np.arange(len(timeline))
    served = timeline[f"served_{metric}"].to_numpy(dtype=float, na_value=np.nan)
    never = timeline[f"never_retrained_{metric}"].to_numpy(dtype=float, na_value=np.nan)
    ax.plot(x, never, "--", marker="s", color="#6b6b6b", label="never retrained (v1)")
    ax.plot(x, served, "-", marker="o", color="#1f4e9a", label="retrained (champion at the time)")
    promoted = timeline["promoted"].to_numpy(dtype=bool)
    for k in np.flatnonzero(promoted):
        ax.axvline(k + 0.5, color="#2a7a2a", linestyle=":", linewidth=1.5)
    if promoted.any():
        ax.plot([], [], ":", color="#2a7a2a", label="promotion (from the next batch)")
    if floor is not None:
        ax.axhline(floor, color="#b22222", linewidth=1, label=f"alert threshold {floor:g}")
    ax.set_xticks(x, timeline["batch"].astype(str), rotation=60, ha="right", fontsize=8)
    ax.set_ylabel(metric.replace("_", " ").upper() if len(metric) <= 7 else metric)
    ax.set_xlabel("batch")
    ax.legend(fontsize=8, loc="lower left")
    title = f"{metric} per batch: retrained champion against a never-retrained model"
    ax.set_title(title, fontsize=10)
    batches = timeline["batch"].astype(str).tolist()
    promos = [batches[k] for k in np.flatnonzero(promoted)]
    desc = [
        f"Line chart of {metric} over {len(batches)} batches from {batches[0]} to {batches[-1]}. "
        f"The never-retrained model (dashed grey, squares) goes from {np.nanmin(never):.3f} to "
        f"{np.nanmax(never):.3f} and ends at {never[-1]:.3f}; the retrained champion (solid "
        f"blue, circles) goes from {np.nanmin(served):.3f} to {np.nanmax(served):.3f} and ends "
        f"at {served[-1]:.3f}."
    ]
    desc.append(
        f"Promotions after {', '.join(promos)} (dotted green lines)."
        if promos
        else "No challenger was promoted."
    )
    if floor is not None:
        below_n = [batches[k] for k in np.flatnonzero(never < floor)]
        below_s = [batches[k] for k in np.flatnonzero(served < floor)]
        desc.append(
            f"The alert threshold is {floor:g} (red line): the never-retrained model is below it "
            f"in {len(below_n)} batch(es), the retrained champion in {len(below_s)}."
        )
    return DescribedFigure(fig, title, " ".join(desc))


@dataclass(frozen=True)
class SimulationResult:
    """A replay's timeline (one row per batch), its summary and where its files are."""

    timeline: pd.DataFrame = field(repr=False)
    summary: dict[str, Any]
    initial: dict[str, Any] = field(repr=False)
    out_dir: Path
    complete: bool
    metric: str
    simulation_id: str
    floor: float | None = field(default=None, repr=False)
    registry: dict[str, str] | None = None
    registered: dict[str, int | None] = field(default_factory=dict, repr=False)

    def registered_version(self, replay_version: int) -> int | None:
        """The registry version of the replay's model ``v<replay_version>``, if registered."""
        return self.registered.get(str(replay_version))

    def to_frame(self) -> pd.DataFrame:
        """The timeline."""
        return self.timeline.copy()

    def versions(self) -> pd.DataFrame:
        """This replay's versions in the model registry, with their aliases now.

        Every replay of the same model registers under the same name (in a workshop's
        working folder, several lessons' replays do), so only the versions tagged with
        this replay's id are listed. Empty when the replay registers nothing.
        """
        import pandas as pd

        from ..registry import Registry

        if self.registry is None:
            return pd.DataFrame()
        table = Registry(self.registry["tracking_uri"]).versions(self.registry["model_name"])
        if table.empty:
            return table
        return table[table["run_id"].astype(str).str.startswith(f"{self.simulation_id}:")]

    def to_dict(self) -> dict[str, Any]:
        """The content of ``timeline.json``."""
        return read_timeline(self.out_dir)

    def describe(self) -> str:
        """The replay in plain words."""
        text = summary_text(self.summary, self.initial)
        if self.registry is not None:
            champion = int(self.timeline["champion"].iloc[-1]) if len(self.timeline) else 1
            if len(self.timeline) and self.timeline["promoted"].iloc[-1]:
                champion = int(self.timeline["challenger"].iloc[-1])
            text += (
                f" Every model is registered as {self.registry['model_name']}; this replay "
                f"left its champion alias on version {self.registered_version(champion)} "
                f"(replay v{champion})."
            )
        return text if self.complete else text + " The replay stopped early; run it again."

    def plot(self, ax: Axes | None = None) -> DescribedFigure:
        """The metric over time, retrained against never retrained."""
        return performance_figure(self.timeline, self.metric, floor=self.floor, ax=ax)

    def _repr_html_(self) -> str:
        cols = ["batch", "champion", "triggers", "challenger", "gate_decision", "promoted"]
        return (
            "<div class='mlops-simulation'><h4>Continuous training replay</h4>"
            f"<p>{html.escape(self.describe())}</p>"
            + self.timeline[[*cols, "reason"]].to_html(index=False)
            + "</div>"
        )


def read_timeline(out_dir: str | Path) -> dict[str, Any]:
    """Read a replay's ``timeline.json``."""
    from .._io import read_json

    data: dict[str, Any] = read_json(Path(out_dir) / TIMELINE_JSON)
    return data


def finish(
    state: ReplayState,
    stream: Stream,
    out: Path,
    *,
    config: PipelineConfig,
    registry: dict[str, str] | None = None,
) -> SimulationResult:
    """Write the timeline (JSON and CSV), the figure and its description; return the result."""
    import pandas as pd

    settings, metric = config.continuous, state.metric
    rows = state.row_dicts()
    timeline = pd.DataFrame(rows)
    higher = settings.higher_is_better(config.task)
    summary = summarise(rows, metric, higher) if rows else {"metric": metric, "batches": 0}
    complete = state.next_batch >= len(stream.labels)
    floor = config.monitoring.performance.min_metrics.get(metric)
    initial = state.initial.to_dict()
    result = SimulationResult(
        timeline=timeline,
        summary=summary,
        initial=initial,
        out_dir=out,
        complete=complete,
        metric=metric,
        simulation_id=state.simulation_id,
        floor=floor if config.task == "classification" else None,
        registry=registry,
        registered=state.registered_versions(),
    )
    figure = None
    if rows:
        figure = result.plot()
        figure.save(out / FIGURE_FILE)
        atomic_write_text(out / "performance.txt", figure.description + "\n")
    atomic_write_text(out / TIMELINE_CSV, _flat(timeline).to_csv(index=False, lineterminator="\n"))
    atomic_write_json(
        out / TIMELINE_JSON,
        {
            "simulation_id": state.simulation_id,
            "complete": complete,
            "batches": list(stream.labels),
            "settings": settings.model_dump(mode="json"),
            "registry": (
                {**registry, "registered_versions": result.registered}
                if registry is not None
                else "Not registered (continuous.register_models is false): the models are under "
                "models/ and the champion is kept in this timeline (column 'champion')."
            ),
            "initial_champion": initial,
            "summary": summary,
            "description": result.describe() if rows else "No batch replayed yet.",
            "figure": None
            if figure is None
            else {"file": FIGURE_FILE, "title": figure.title, "description": figure.description},
            "rows": rows,
        },
    )
    return result


def _flat(timeline: pd.DataFrame) -> pd.DataFrame:
    """The timeline for ``timeline.csv``: each list joined into one cell with '; '."""
    flat = timeline.copy()
    for col in flat.columns:
        if flat[col].map(lambda v: isinstance(v, list)).any():
            flat[col] = flat[col].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, list) else v
            )
    return flat
