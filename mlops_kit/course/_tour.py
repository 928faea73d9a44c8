"""The run folder explained: what each stage reads, writes, records and decided.

A pipeline run leaves its whole story in files. :data:`mlops_kit.pipeline.STAGE_FILES`
says which files each stage reads and writes in the run folder and which events it
appends to the audit log; :func:`summarise_stage` reads what one stage wrote and says,
in a sentence or two, what it found or decided; :func:`run_tour` does it for every
stage, so a run folder can be checked stage by stage (the Explore lesson's "find it"
activity). What each stage decided is put in words by ``_stage_words``.
"""

from __future__ import annotations

import html
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import read_json
from ..errors import ConfigError
from ..pipeline import STAGE_FILES, STAGES, Stage, resolve_run_dir, run_context, stage_notebook
from ..pipeline._context import audit_log_for
from ..pipeline._folder import FIGURES_FILE
from ..pipeline._stage_files import check_stage
from ._stage_words import decided as stage_decided

if TYPE_CHECKING:
    import pandas as pd

    from ..audit import AuditLog

__all__ = [
    "RunTour",
    "StageSummary",
    "run_tour",
    "summarise_stage",
]


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


def _audit_counts(folder: Path, audit: AuditLog | None) -> Counter[tuple[str, str]]:
    """(run_id, event) counts of the run's audit log; empty when it has none yet."""
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
        decided = stage_decided(stage, folder)
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
