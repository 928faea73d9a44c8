"""The run folder explained: what each stage reads, writes, records and decided.

A pipeline run leaves its whole story in files. :data:`STAGE_FILES` says which files
each stage reads and writes in the run folder and which events it appends to the audit
log; :func:`summarise_stage` reads what one stage wrote and says, in a sentence or two,
what it found or decided; :func:`run_tour` does it for every stage, so a run folder can
be checked stage by stage (the Explore lesson's "find it" activity).
"""

from __future__ import annotations

import html
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_json
from ..errors import ConfigError, did_you_mean
from ._explain import EXPLANATIONS_FILE
from ._monitoring import MONITORING_FILE
from ._runner import STAGES, Stage, stage_notebook
from ._stages import (
    DATASET_FILE,
    FIGURES_FILE,
    GATE_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PREDICTIONS_FILE,
    REGISTRATION_FILE,
    REPORT_FILE,
    TRAINING_FILE,
    TUNING_FILE,
    resolve_run_dir,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..audit import AuditLog

__all__ = [
    "DATA_FILE",
    "STAGE_FILES",
    "RunTour",
    "StageFiles",
    "StageSummary",
    "run_tour",
    "summarise_stage",
]

#: Stands for the data file named in the config, which lives outside the run folder.
DATA_FILE = "the data file"


@dataclass(frozen=True)
class StageFiles:
    """What one stage reads and writes in the run folder, and what it audits.

    Attributes
    ----------
    reads : tuple of str
        Files it needs (``DATA_FILE`` is the data file named in the config).
    writes : tuple of str
        Files it always writes into the run folder.
    events : tuple of str
        Audit events it may append (:class:`mlops_kit.audit.AuditEvent` values).
    figures : str or None
        Its section in ``figures.json``, if it draws figures.
    """

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    events: tuple[str, ...] = ()
    figures: str | None = None


_DOCUMENTS = tuple(
    f"{stem}.{ext}"
    for stem, exts in (
        ("model_card", ("md", "html")),
        ("transparency_record", ("md", "html", "json")),
        ("stakeholder_summary", ("md", "html")),
    )
    for ext in exts
)

#: Each stage's inputs, outputs and audit events, in pipeline order.
STAGE_FILES: dict[Stage, StageFiles] = {
    Stage.VALIDATE: StageFiles(
        reads=(DATA_FILE,),
        writes=(DATASET_FILE,),
        events=("data_loaded", "privacy_overridden"),
    ),
    Stage.TUNE: StageFiles(
        reads=(DATASET_FILE, DATA_FILE),
        writes=(TUNING_FILE,),
        events=("tuned",),
        figures="tuning",
    ),
    Stage.TRAIN: StageFiles(
        reads=(DATASET_FILE, TUNING_FILE, DATA_FILE),
        writes=(MODEL_FILE, TRAINING_FILE, PREDICTIONS_FILE),
        events=("trained",),
    ),
    Stage.EVALUATE: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, PREDICTIONS_FILE),
        writes=(METRICS_FILE, FIGURES_FILE),
        events=("evaluated",),
        figures="evaluation",
    ),
    Stage.EXPLAIN: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, MODEL_FILE, PREDICTIONS_FILE, DATA_FILE),
        writes=(EXPLANATIONS_FILE,),
        events=("explained",),
        figures="explanations",
    ),
    Stage.GATE: StageFiles(reads=(METRICS_FILE,), writes=(GATE_FILE,), events=("gate_decision",)),
    Stage.REGISTER: StageFiles(
        reads=(
            DATASET_FILE,
            TUNING_FILE,
            TRAINING_FILE,
            MODEL_FILE,
            METRICS_FILE,
            EXPLANATIONS_FILE,
            GATE_FILE,
        ),
        writes=(REGISTRATION_FILE, "manifest.json", *_DOCUMENTS),
        events=("registered", "alias_changed"),
    ),
    Stage.MONITOR: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, MODEL_FILE, PREDICTIONS_FILE, DATA_FILE),
        writes=(MONITORING_FILE,),
        events=("monitored",),
        figures="monitoring",
    ),
    Stage.REPORT: StageFiles(
        reads=(DATASET_FILE, TRAINING_FILE, METRICS_FILE, FIGURES_FILE, GATE_FILE),
        writes=(REPORT_FILE,),
    ),
}


def check_stage(stage: Stage | str, where: str) -> Stage:
    """``stage`` as a :class:`Stage`, or a ConfigError naming ``where`` and the stages."""
    try:
        return Stage(stage)
    except ValueError:
        names = [s.value for s in STAGES]
        raise ConfigError(
            f"The 'stage' parameter of {where} must be one of {', '.join(names)}. "
            f"Got {stage!r} instead.{did_you_mean(str(stage), names)}"
        ) from None


@dataclass(frozen=True, repr=False)
class StageSummary:
    """What one stage of a run read, wrote, recorded and decided.

    Attributes
    ----------
    stage : Stage
    number : int
        Its place in the pipeline (1 to 9).
    notebook : str
        The stage notebook the runner executes.
    reads : tuple of str
    written : tuple of str
        The files it writes that are in the run folder.
    missing : tuple of str
        The files it writes that are not (the stage has not run, or failed).
    figures : int
        Its figures listed in ``figures.json``.
    audit : tuple of (event, count)
        Its entries for this run in the audit log.
    decided : str
        What it found or decided, in words, read from the files it wrote.
    """

    stage: Stage
    number: int
    notebook: str
    reads: tuple[str, ...]
    written: tuple[str, ...]
    missing: tuple[str, ...]
    figures: int
    audit: tuple[tuple[str, int], ...]
    decided: str

    @property
    def ran(self) -> bool:
        """True when every file the stage writes is in the run folder."""
        return not self.missing

    def _audit_words(self) -> str:
        return ", ".join(f"{event} x{count}" for event, count in self.audit) or "none"

    def summary(self) -> str:
        """The stage in a few plain sentences."""
        wrote = ", ".join(self.written) or "nothing yet"
        missing = f" Missing: {', '.join(self.missing)}." if self.missing else ""
        figures = f" Figures: {self.figures}." if self.figures else ""
        return (
            f"Stage {self.number} of {len(STAGES)}, {self.stage.value} ({self.notebook}). "
            f"Read: {', '.join(self.reads)}. Wrote: {wrote}.{missing}{figures} "
            f"Audit log: {self._audit_words()}. Decided: {self.decided}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "stage": self.stage.value,
            "number": self.number,
            "notebook": self.notebook,
            "reads": list(self.reads),
            "written": list(self.written),
            "missing": list(self.missing),
            "figures": self.figures,
            "audit": dict(self.audit),
            "decided": self.decided,
        }

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        def files(names: tuple[str, ...]) -> str:
            return ", ".join(f"<code>{html.escape(n)}</code>" for n in names) or "nothing yet"

        rows = [
            ("Reads", files(self.reads)),
            ("Wrote", files(self.written)),
        ]
        if self.missing:
            rows.append(("Missing", files(self.missing)))
        if self.figures:
            rows.append(("Figures", f"{self.figures} in <code>figures.json</code>"))
        rows += [
            ("Audit log", html.escape(self._audit_words())),
            ("Decided", html.escape(self.decided)),
        ]
        body = "".join(
            f'<tr><th scope="row" style="text-align:left">{k}</th><td>{v}</td></tr>'
            for k, v in rows
        )
        return (
            '<table class="mlops-stage-summary"><caption>'
            f"Stage {self.number} of {len(STAGES)}: {self.stage.value} "
            f"(<code>{html.escape(self.notebook)}</code>)</caption><tbody>{body}</tbody></table>"
        )


def _short(digest: str | None) -> str:
    return f"starting {digest[:12]}" if digest else "unknown"


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _validated(record: dict[str, Any]) -> str:
    profile = record["profile"]
    roles = profile["roles"]
    target = profile["target"]
    protected = list(roles.get("protected", []))
    features = [*roles.get("numeric", []), *roles.get("categorical", [])]
    left_out = [
        f"{column} ({why})"
        for column, why in roles.get("excluded", {}).items()
        if column not in protected and column != roles.get("time_column")
    ]
    rate = target.get("positive_rate")
    share = f", {rate:.1%} of rows positive" if isinstance(rate, int | float) else ""
    parts = [
        f"Checked {profile['n_rows']:,} rows and {profile['n_columns']} columns of "
        f"{profile['source']} (SHA-256 {_short(record.get('sha256'))}).",
        f"Target '{target['name']}' ({record['task']}{share}); {len(features)} features;",
        f"protected, for fairness checks only: {', '.join(protected) or 'none'};",
        f"left out: {', '.join(left_out) or 'nothing'}.",
    ]
    privacy = record.get("privacy") or {}
    findings = privacy.get("findings", [])
    if findings:
        found = "; ".join(f"'{f['column']}' {f['kind']}, {f['status']}" for f in findings)
        verdict = "passed" if privacy.get("passed") else "refused"
        parts.append(f"Personal-data scan {verdict}, {len(findings)} finding(s): {found}.")
    elif privacy:
        parts.append("Personal-data scan: no personal data found.")
    if privacy.get("override"):
        override = privacy["override"]
        parts.append(f"Overridden by {override.get('by')}: {override.get('reason')}")
    warnings = profile.get("warnings", [])
    if warnings:
        parts.append(f"{len(warnings)} warning(s): {' '.join(map(str, warnings))}")
    return " ".join(parts)


def _tuned(record: dict[str, Any]) -> str:
    if record.get("skipped"):
        return f"Not tuned: {record.get('reason', 'tuning was switched off')}."
    return str(record["summary"])


def _trained(record: dict[str, Any]) -> str:
    params = record.get("tuned_params")
    chosen = (
        "the tuned parameters " + ", ".join(f"{k}={_num(v)}" for k, v in params.items())
        if params
        else "the model family's default parameters"
    )
    parts = [
        f"Trained a {record['model_description']} ({record['model']}) with {chosen}.",
        record["split"]["description"],
    ]
    cv = record.get("cv")
    if cv:
        parts.append(
            f"Cross-validated {cv['metric']} on the training rows: {cv['mean']:.3f} "
            f"(standard deviation {cv['std']:.3f})."
        )
    if record.get("threshold") is not None:
        parts.append(f"A score of {record['threshold']} or more counts as a positive prediction.")
    parts.append(f"The model file's SHA-256: {_short(record.get('model_sha256'))}.")
    return " ".join(parts)


_HEADLINE = {
    "classification": (("roc_auc", "ROC AUC"), ("precision", "precision"), ("recall", "recall")),
    "regression": (("rmse", "RMSE"), ("mae", "MAE"), ("r2", "R²")),
}


def _evaluated(metrics: dict[str, Any]) -> str:
    task = metrics.get("task", "classification")
    values = ", ".join(
        f"{label} {metrics[key]:.3f}"
        for key, label in _HEADLINE.get(task, ())
        if isinstance(metrics.get(key), int | float)
    )
    where = f"On {metrics['n_test']:,} held-out rows"
    if metrics.get("threshold") is not None:
        where += f" at threshold {metrics['threshold']}"
    parts = [f"{where}: {values}."]
    verdicts: dict[str, list[str]] = {"passed": [], "failed": [], "not judged": []}
    compared = "rates"
    for attribute, result in (metrics.get("fairness") or {}).items():
        rule = result.get("four_fifths")
        if not isinstance(rule, dict):
            continue
        compared = f"{result.get('rate_compared', 'rate')}s"
        passed = rule.get("passed")
        verdicts["not judged" if passed is None else "passed" if passed else "failed"].append(
            attribute
        )
    judged = [f"{v} for {', '.join(a)}" for v, a in verdicts.items() if a]
    if judged:
        parts.append(f"Four-fifths rule on {compared}: {'; '.join(judged)}.")
    return " ".join(parts)


def _gated(gate: dict[str, Any]) -> str:
    checks = gate.get("checks", [])
    passed = sum(bool(c.get("passed")) for c in checks)
    return (
        f"Decision: {gate['decision']}. {passed} of {len(checks)} checks passed. "
        + " ".join(gate.get("reasons", []))
    ).strip()


def _registered(registration: dict[str, Any]) -> str:
    return (
        f"Registered {registration['model_name']} version {registration['version']} "
        f"(alias: {registration.get('alias') or 'none'}; the gate decided "
        f"'{registration['gate_decision']}'). {registration.get('next_step', '')}"
    ).strip()


def _monitored(record: dict[str, Any]) -> str:
    alerts = record.get("alerts", [])
    severities = Counter(a.get("severity") for a in alerts)
    drifted = (record.get("drift") or {}).get("drifted", [])
    actions = sorted({a["action"] for a in alerts if a.get("severity") == "alert"})
    text = (
        f"Compared {record['current_rows']:,} rows ({record['batch']}) with "
        f"{record['reference_rows']:,} training rows. Drifted features: "
        f"{', '.join(drifted) or 'none'}. {severities.get('alert', 0)} alert(s) calling for "
        f"action and {severities.get('warning', 0)} warning(s) to watch."
    )
    if actions:
        text += f" Actions called for: {'; '.join(actions)}."
    return text


def _reported(folder: Path) -> str:
    size = (folder / REPORT_FILE).stat().st_size
    return (
        f"Gathered what the stages recorded into one self-contained page, {REPORT_FILE} "
        f"({size / 1024:,.0f} KB). Nothing is decided here."
    )


def _decided(stage: Stage, folder: Path) -> str:
    main = folder / STAGE_FILES[stage].writes[0]
    if not main.is_file():
        return f"Not run yet: {main.name} is not in the run folder."
    if stage is Stage.VALIDATE:
        return _validated(read_json(main))
    if stage is Stage.TUNE:
        return _tuned(read_json(main))
    if stage is Stage.TRAIN:
        return _trained(read_json(folder / TRAINING_FILE))
    if stage is Stage.EVALUATE:
        return _evaluated(read_json(main))
    if stage is Stage.EXPLAIN:
        return str(read_json(main).get("summary", ""))
    if stage is Stage.GATE:
        return _gated(read_json(main))
    if stage is Stage.REGISTER:
        return _registered(read_json(main))
    if stage is Stage.MONITOR:
        return _monitored(read_json(main))
    return _reported(folder)


def _audit_counts(folder: Path, audit: AuditLog | None) -> Counter[tuple[str, str]]:
    """(run_id, event) counts of the run's audit log; empty when it has none yet."""
    from ._context import audit_log_for

    log = audit if audit is not None else audit_log_for(folder)
    return Counter((e.run_id or "", e.event) for e in log.entries())


def _summary(
    stage: Stage,
    folder: Path,
    run_id: str,
    counts: Counter[tuple[str, str]],
    *,
    decided: str | None = None,
) -> StageSummary:
    """A stage's summary; given ``decided`` (its record cannot be read), only its files."""
    files = STAGE_FILES[stage]
    written = tuple(n for n in files.writes if (folder / n).is_file())
    figures = 0
    audit: tuple[tuple[str, int], ...] = ()
    if decided is None:
        if files.figures and (folder / FIGURES_FILE).is_file():
            records = read_json(folder / FIGURES_FILE)
            figures = sum(e.get("section") == files.figures for e in records)
        audit = tuple(
            (event, counts[(run_id, event)]) for event in files.events if counts[(run_id, event)]
        )
        decided = _decided(stage, folder)
    return StageSummary(
        stage=stage,
        number=STAGES.index(stage) + 1,
        notebook=stage_notebook(stage).name,
        reads=files.reads,
        written=written,
        missing=tuple(n for n in files.writes if n not in written),
        figures=figures,
        audit=audit,
        decided=decided,
    )


def _folder(run_dir: str | os.PathLike[str], where: str) -> tuple[Path, str]:
    from ._context import run_context

    folder = resolve_run_dir(run_dir)
    if not folder.is_dir():
        raise ConfigError(
            f"The 'run_dir' parameter of {where} must be an existing run folder. "
            f"Got {str(folder)!r}, which does not exist."
        )
    return folder, str(run_context(folder)["run_id"])


def summarise_stage(
    run_dir: str | os.PathLike[str], stage: Stage | str, *, audit: AuditLog | None = None
) -> StageSummary:
    """What one stage of a run read, wrote, recorded and decided, from its files.

    Parameters
    ----------
    run_dir : path-like
        The run folder.
    stage : Stage or str
        ``"validate"``, ``"tune"``, ... ``"report"``.
    audit : AuditLog, optional
        The audit log to count the stage's entries in; default the run's own (named in
        its ``run.json``, or the workspace's for a stage run by hand).

    Returns
    -------
    StageSummary
        ``decided`` says "Not run yet" when the stage's main file is missing.

    Raises
    ------
    ConfigError
        An unknown stage, or a run folder that does not exist.

    Examples
    --------
    >>> import tempfile
    >>> summarise_stage(tempfile.mkdtemp(), "gate").decided
    'Not run yet: gate.json is not in the run folder.'
    """
    which = check_stage(stage, "summarise_stage")
    folder, run_id = _folder(run_dir, "summarise_stage")
    return _summary(which, folder, run_id, _audit_counts(folder, audit))


@dataclass(frozen=True, repr=False)
class RunTour:
    """Every stage of one run: what it read, wrote, recorded and decided.

    Attributes
    ----------
    run_dir : str
    run_id : str
    stages : tuple of StageSummary
        In pipeline order.
    """

    run_dir: str
    run_id: str
    stages: tuple[StageSummary, ...]

    def __getitem__(self, stage: Stage | str) -> StageSummary:
        """The summary of one stage, by name."""
        which = check_stage(stage, "RunTour")
        return next(s for s in self.stages if s.stage is which)

    @property
    def complete(self) -> bool:
        """True when every stage has written all its files."""
        return all(s.ran for s in self.stages)

    def summary(self) -> str:
        """How many stages have written their files, in words."""
        done = [s.stage.value for s in self.stages if s.ran]
        todo = [s.stage.value for s in self.stages if not s.ran]
        text = (
            f"Run {self.run_id}: {len(done)} of {len(self.stages)} stages have written "
            "all their files"
        )
        return text + (f"; not yet: {', '.join(todo)}." if todo else ".")

    def to_frame(self) -> pd.DataFrame:
        """One row per stage: notebook, reads, written, missing, figures, audit, decided."""
        import pandas as pd

        rows = [
            {
                "stage": s.stage.value,
                "notebook": s.notebook,
                "reads": ", ".join(s.reads),
                "written": ", ".join(s.written),
                "missing": ", ".join(s.missing),
                "figures": s.figures,
                "audit entries": s._audit_words(),
                "decided": s.decided,
            }
            for s in self.stages
        ]
        return pd.DataFrame(rows).set_index("stage")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "run_dir": self.run_dir,
            "run_id": self.run_id,
            "stages": [s.to_dict() for s in self.stages],
        }

    def __repr__(self) -> str:
        return "\n".join([self.summary(), *(s.summary() for s in self.stages)])

    def _repr_html_(self) -> str:
        head = "".join(
            f'<th scope="col">{h}</th>'
            for h in ("stage", "wrote (in the run folder)", "audit log", "decided")
        )
        rows = []
        for s in self.stages:
            wrote = ", ".join(f"<code>{html.escape(n)}</code>" for n in s.written) or "nothing"
            if s.missing:
                wrote += " (missing: " + ", ".join(map(html.escape, s.missing)) + ")"
            rows.append(
                f'<tr><th scope="row" style="text-align:left">{s.number}. {s.stage.value}</th>'
                f"<td>{wrote}</td><td>{html.escape(s._audit_words())}</td>"
                f"<td>{html.escape(s.decided)}</td></tr>"
            )
        return (
            '<table class="mlops-run-tour">'
            f"<caption>{html.escape(self.summary())}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def run_tour(run_dir: str | os.PathLike[str], *, audit: AuditLog | None = None) -> RunTour:
    """Every stage of a run, from its files and the audit log (see :func:`summarise_stage`).

    Parameters
    ----------
    run_dir : path-like
        The run folder.
    audit : AuditLog, optional
        Default the run's own audit log.

    Returns
    -------
    RunTour

    Examples
    --------
    >>> import tempfile
    >>> run_tour(tempfile.mkdtemp()).complete
    False
    """
    folder, run_id = _folder(run_dir, "run_tour")
    counts = _audit_counts(folder, audit)
    return RunTour(
        run_dir=str(folder),
        run_id=run_id,
        stages=tuple(_summary(stage, folder, run_id, counts) for stage in STAGES),
    )
