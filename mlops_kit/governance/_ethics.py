"""A Data Ethics Framework self-assessment, scored 0 to 5 and saved with the run.

The UK government's Data Ethics Framework (2020) has three overarching principles
(transparency, accountability and fairness) that apply throughout a project, and five
specific actions for its stages: define and understand public benefit and user need;
involve diverse expertise; comply with the law; review the quality and limitations of
the data; evaluate and consider wider policy implications. A team scores each on a scale
of 0 to 5 to see which parts of the project need more work, and revisits the scores as
the project changes.

:func:`assess_ethics` validates one assessment (every area scored with a whole number
from 0 to 5; a note saying what is missing for every score of 2 or less; a named
assessor) into a frozen :class:`EthicsAssessment`, which saves itself atomically into the
run folder (``ethics_assessment.json``), keeping earlier assessments as history.
The questions below paraphrase the framework; read it in full before scoring.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json, read_json
from ..errors import ArtefactError, DocumentationError, did_you_mean
from ._ethics_framework import (
    AREAS_BY_KEY,
    ETHICS_AREAS,
    ETHICS_SCALE,
    FRAMEWORK,
    LOW_SCORE,
    MIN_NOTE_LENGTH,
    EthicsArea,
    EthicsScore,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ETHICS_AREAS",
    "ETHICS_FILE",
    "ETHICS_SCALE",
    "EthicsArea",
    "EthicsAssessment",
    "EthicsScore",
    "assess_ethics",
    "ethics_history",
    "load_ethics_assessment",
]

#: The file an assessment is saved to, in the run folder.
ETHICS_FILE = "ethics_assessment.json"


@dataclass(frozen=True)
class EthicsAssessment:
    """A validated Data Ethics Framework self-assessment.

    Create one with :func:`assess_ethics`.

    Attributes
    ----------
    scores : tuple of EthicsScore
        One per area of :data:`ETHICS_AREAS`, in the framework's order.
    assessed_by, role : str
        Who scored it, and in what capacity.
    assessed_at : str
        When (UTC, ISO 8601).
    run_id : str or None
        The run it was saved with.
    """

    scores: tuple[EthicsScore, ...]
    assessed_by: str
    role: str
    assessed_at: str
    run_id: str | None = None

    def score(self, key: str) -> EthicsScore:
        """The score of one area, by key (e.g. "fairness")."""
        for s in self.scores:
            if s.key == key:
                return s
        raise KeyError(f"No ethics area '{key}'.{did_you_mean(key, AREAS_BY_KEY)}")

    @property
    def average(self) -> float:
        """The mean score over the eight areas."""
        return sum(s.score for s in self.scores) / len(self.scores)

    @property
    def needs_work(self) -> tuple[EthicsScore, ...]:
        """The areas scored 2 or less, lowest first."""
        return tuple(sorted((s for s in self.scores if s.needs_work), key=lambda s: s.score))

    def summary(self) -> str:
        """The assessment in one or two sentences.

        Examples
        --------
        >>> a = assess_ethics({a.key: 4 for a in ETHICS_AREAS} | {"fairness": 1},
        ...                   notes={"fairness": "Flag rates differ by ethnic group; EIA due."},
        ...                   assessed_by="Sam Lee", role="Data ethics lead")
        >>> print(a.summary())
        Data Ethics Framework self-assessment by Sam Lee (Data ethics lead): average 3.6 out
        of 5. 1 area needs further work (scored 2 or less): Fairness (1).
        """
        by = f"{self.assessed_by} ({self.role})" if self.role else self.assessed_by
        head = (
            f"Data Ethics Framework self-assessment by {by}: average {self.average:.1f} out of 5."
        )
        low = self.needs_work
        if not low:
            return head + " No area is scored 2 or less."
        names = ", ".join(f"{s.area.title} ({s.score})" for s in low)
        verb = "area needs" if len(low) == 1 else "areas need"
        return f"{head} {len(low)} {verb} further work (scored 2 or less): {names}."

    def to_frame(self) -> pd.DataFrame:
        """One row per area: kind, score, what the score means, notes."""
        import pandas as pd

        return pd.DataFrame(
            {
                "kind": [s.area.kind for s in self.scores],
                "score": [s.score for s in self.scores],
                "meaning": [s.meaning for s in self.scores],
                "notes": [s.notes for s in self.scores],
            },
            index=pd.Index([s.area.title for s in self.scores], name="area"),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "framework": FRAMEWORK,
            "assessed_by": self.assessed_by,
            "role": self.role,
            "assessed_at": self.assessed_at,
            "run_id": self.run_id,
            "average": round(self.average, 3),
            "scores": [
                {
                    "key": s.key,
                    "area": s.area.title,
                    "kind": s.area.kind,
                    "score": s.score,
                    "meaning": s.meaning,
                    "notes": s.notes,
                }
                for s in self.scores
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EthicsAssessment:
        """Rebuild (and re-validate) an assessment from :meth:`to_dict` or a saved file."""
        if "latest" in data:  # the saved file: the latest assessment and its history
            data = data["latest"]
        try:
            scores = {s["key"]: s["score"] for s in data["scores"]}
            notes = {s["key"]: s.get("notes", "") for s in data["scores"]}
            return assess_ethics(
                scores,
                notes=notes,
                assessed_by=data["assessed_by"],
                role=data.get("role", ""),
                assessed_at=data.get("assessed_at"),
                run_id=data.get("run_id"),
            )
        except (KeyError, TypeError) as exc:
            raise ArtefactError(
                f"A saved ethics assessment must hold 'scores' (each with 'key' and 'score') "
                f"and 'assessed_by'; this one lacks {exc}."
            ) from None

    def save(self, run_dir: str | os.PathLike[str]) -> Path:
        """Save into the run folder (atomically) as the latest assessment; keep the old ones.

        Returns
        -------
        Path
            ``<run_dir>/ethics_assessment.json``.

        Raises
        ------
        ArtefactError
            ``run_dir`` is not a pipeline run folder, or belongs to another run.
        """
        folder = Path(run_dir)
        if not (folder / "dataset.json").is_file():
            raise ArtefactError(
                f"An ethics assessment is saved with a pipeline run, but '{folder}' is not a "
                "run folder (it has no dataset.json from the validate stage)."
            )
        run_id = _run_id(folder)
        if self.run_id is not None and self.run_id != run_id:
            raise ArtefactError(
                f"This assessment belongs to run {self.run_id}; it cannot be saved with run "
                f"{run_id}. Assess this run afresh."
            )
        path = folder / ETHICS_FILE
        history = ethics_history(folder)
        record = {**self.to_dict(), "run_id": run_id}
        atomic_write_json(
            path,
            {
                "framework": FRAMEWORK,
                "scale": {str(k): v for k, v in ETHICS_SCALE.items()},
                "latest": record,
                "history": [a.to_dict() for a in history],
            },
        )
        return path

    def to_html(self) -> str:
        """An accessible table (caption, header cells) and the summary, in words."""
        esc = html.escape
        rows = "".join(
            f"<tr><th scope='row'>{esc(s.area.title)}</th><td>{s.area.kind}</td>"
            f"<td>{s.score} of 5: {esc(s.meaning)}"
            + (" <strong>(needs further work)</strong>" if s.needs_work else "")
            + f"</td><td>{esc(s.notes) or 'No notes.'}</td></tr>"
            for s in self.scores
        )
        return (
            "<table class='mlops-ethics-summary'><caption>Data Ethics Framework "
            f"self-assessment, {esc(self.assessed_at[:10])}</caption><thead><tr>"
            "<th scope='col'>area</th><th scope='col'>kind</th><th scope='col'>score</th>"
            f"<th scope='col'>notes</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{esc(self.summary())}</p>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _run_id(folder: Path) -> str:
    context = folder / "run.json"
    if context.is_file():
        return str(read_json(context).get("run_id") or folder.resolve().name)
    return folder.resolve().name


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def assess_ethics(
    scores: Mapping[str, int],
    *,
    notes: Mapping[str, str] | None = None,
    assessed_by: str,
    role: str = "",
    assessed_at: str | None = None,
    run_id: str | None = None,
) -> EthicsAssessment:
    """Validate a self-assessment against the Data Ethics Framework.

    Parameters
    ----------
    scores : mapping of str to int
        A score from 0 to 5 for every key of :data:`ETHICS_AREAS` (``"transparency"``,
        ``"accountability"``, ``"fairness"``, ``"public_benefit_and_user_need"``, ...).
    notes : mapping of str to str, optional
        Notes by key; required (at least 15 characters) for every score of 2 or less:
        what is missing and what will be done.
    assessed_by : str
        Who scored it; never empty.
    role : str, optional
        Their role.
    assessed_at : str, optional
        When (ISO 8601); default now.
    run_id : str, optional
        The run it belongs to.

    Returns
    -------
    EthicsAssessment

    Raises
    ------
    DocumentationError
        Listing every problem: an area not scored, an unknown area, a score that is not a
        whole number from 0 to 5, a low score without a note, no assessor.

    Examples
    --------
    >>> a = assess_ethics({a.key: 3 for a in ETHICS_AREAS}, assessed_by="Sam Lee")
    >>> a.score("fairness").meaning, a.average
    ('partly met: the main steps taken, some gaps', 3.0)
    >>> assess_ethics({"fairnes": 6}, assessed_by="")
    Traceback (most recent call last):
    ...
    mlops_kit.errors.DocumentationError: The ethics self-assessment breaks 10 rules: ...
    """
    notes = dict(notes or {})
    if not isinstance(scores, Mapping):
        raise DocumentationError(
            "The 'scores' parameter of assess_ethics must be a mapping of area to score. "
            f"Got {type(scores).__name__} instead."
        )
    problems = _unknown_areas(scores, notes) + _score_problems(scores, notes)
    if not isinstance(assessed_by, str) or not assessed_by.strip():
        problems.append(
            f"The assessor must be named, so the scores are accountable. Got {assessed_by!r}."
        )
    if problems:
        count = len(problems)
        raise DocumentationError(
            f"The ethics self-assessment breaks {count} rule{'s' if count != 1 else ''}:\n"
            + "\n".join(f"  - {p}" for p in problems),
            problems=tuple(problems),
            document="ethics self-assessment",
        )
    return EthicsAssessment(
        scores=tuple(
            EthicsScore(a.key, int(scores[a.key]), str(notes.get(a.key, "")).strip())
            for a in ETHICS_AREAS
        ),
        assessed_by=assessed_by.strip(),
        role=role.strip() if isinstance(role, str) else "",
        assessed_at=assessed_at or datetime.now(UTC).isoformat(timespec="seconds"),
        run_id=run_id,
    )


def _unknown_areas(scores: Mapping[str, Any], notes: Mapping[str, Any]) -> list[str]:
    """Scores or notes given for keys that are not areas of the framework."""
    problems: list[str] = []
    for key in scores:
        if key not in AREAS_BY_KEY:
            problems.append(
                f"'{key}' is not an area of the Data Ethics Framework; the areas are "
                f"{', '.join(AREAS_BY_KEY)}.{did_you_mean(str(key), AREAS_BY_KEY)}"
            )
    for key in notes:
        if key not in AREAS_BY_KEY:
            problems.append(
                f"Notes are given for '{key}', which is not an area of the framework."
                f"{did_you_mean(str(key), AREAS_BY_KEY)}"
            )
    return problems


def _score_problems(scores: Mapping[str, Any], notes: Mapping[str, Any]) -> list[str]:
    """Areas not scored, scores not whole numbers from 0 to 5, low scores without a note."""
    problems: list[str] = []
    for area in ETHICS_AREAS:
        if area.key not in scores or scores[area.key] is None:
            problems.append(f"{area.title} ('{area.key}') has no score; score every area 0 to 5.")
            continue
        value = scores[area.key]
        if not _is_whole(value) or not 0 <= value <= 5:
            problems.append(
                f"The score of {area.title} ('{area.key}') must be a whole number from 0 to "
                f"5. Got {value!r} instead."
            )
            continue
        note = notes.get(area.key, "")
        if not isinstance(note, str):
            problems.append(f"The notes on {area.title} must be text. Got {note!r} instead.")
        elif value <= LOW_SCORE and len(note.strip()) < MIN_NOTE_LENGTH:
            problems.append(
                f"{area.title} is scored {value}, so it needs a note of at least "
                f"{MIN_NOTE_LENGTH} characters saying what is missing and what will be done. "
                f"Got {note.strip()!r} instead."
            )
    return problems


def load_ethics_assessment(run_dir: str | os.PathLike[str]) -> EthicsAssessment | None:
    """The latest assessment saved with a run, or None when there is none."""
    path = Path(run_dir) / ETHICS_FILE
    if not path.is_file():
        return None
    return EthicsAssessment.from_dict(read_json(path))


def ethics_history(run_dir: str | os.PathLike[str]) -> tuple[EthicsAssessment, ...]:
    """Every assessment saved with a run, oldest first (the latest last)."""
    path = Path(run_dir) / ETHICS_FILE
    if not path.is_file():
        return ()
    saved = read_json(path)
    older = [EthicsAssessment.from_dict(a) for a in saved.get("history", [])]
    return (*older, EthicsAssessment.from_dict(saved["latest"]))
