"""Data Ethics Framework self-assessment form: score each area 0 to 5, with notes.

The model is :func:`mlops_kit.governance.assess_ethics`, which validates the scores into
a frozen :class:`~mlops_kit.governance.EthicsAssessment`; its
:meth:`~mlops_kit.governance.EthicsAssessment.save` writes it atomically into the run
folder. The view is :class:`EthicsAssessmentForm`: for each of the framework's three
principles and five actions, the question it asks, a labelled score drop-down (0 to 5,
each score in words) and a labelled notes box; then the assessor's name and role and a
Save button. Saving shows the summary, or every rule broken, in words.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as widgets

from ..errors import DocumentationError, MlopsKitError
from ..governance import (
    ETHICS_AREAS,
    ETHICS_SCALE,
    EthicsAssessment,
    assess_ethics,
    load_ethics_assessment,
)
from ._static import StaticSnapshot

__all__ = ["EthicsAssessmentForm"]

_NO_SCORE = "Choose a score"


class EthicsAssessmentForm(StaticSnapshot, widgets.VBox):
    """Score a run against the Data Ethics Framework and save the assessment with it.

    One block per area (three principles, five actions): the question, a score
    drop-down whose options say what each score means, and a notes box (required, at
    least 15 characters, for a score of 2 or less). Then the assessor's name and role
    and a Save button. Everything works with the keyboard (Tab between controls, arrow
    keys in a drop-down, Enter or Space on Save). A run that already has an assessment
    opens with its latest scores, so a team can revisit it as the project changes;
    each save is kept in the file's history.

    Parameters
    ----------
    run_dir : path-like
        The pipeline run folder the assessment is saved with.

    Attributes
    ----------
    score_dropdowns : dict of str to ipywidgets.Dropdown
        By area key (see :data:`mlops_kit.governance.ETHICS_AREAS`); value None until
        chosen, then an int 0 to 5.
    notes_fields : dict of str to ipywidgets.Textarea
    assessor_field, role_field : ipywidgets.Text
    save_button : ipywidgets.Button
    result : EthicsAssessment or None
        The last assessment saved from this form.
    problems : tuple of str
        The rules the last save broke (empty after a success).
    saved_to : Path or None
        The file written by the last successful save.
    """

    def __init__(self, run_dir: str | os.PathLike[str]) -> None:
        self._run_dir = Path(run_dir)
        self._result: EthicsAssessment | None = None
        self._problems: tuple[str, ...] = ()
        self._saved_to: Path | None = None
        existing = load_ethics_assessment(self._run_dir)
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="min(44em, 100%)")
        # The longest area title and the longest score both fit whole on one line.
        wider = "min(64em, 100%)"
        heading = widgets.HTML(value="<h3>Data Ethics Framework self-assessment</h3>")
        scale = "".join(f"<li>{n}: {html.escape(words)}</li>" for n, words in ETHICS_SCALE.items())
        intro = widgets.HTML(
            value=(
                "<p>Score each principle and action from 0 to 5. A score of 2 or less needs "
                "a note saying what is missing and what will be done. The scale:</p>"
                f"<ul>{scale}</ul>"
            )
        )
        intro.add_class("mlops-ethics-intro")
        blocks = self._area_blocks(existing, style, wider)
        self._assessor = widgets.Text(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            value=existing.assessed_by if existing else "",
            description="Assessor's full name",
            description_allow_html=False,
            placeholder="e.g. Sam Lee",
            style=style,
            layout=wide,
        )
        self._role = widgets.Text(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            value=existing.role if existing else "",
            description="Assessor's role",
            description_allow_html=False,
            placeholder="e.g. Data ethics lead",
            style=style,
            layout=wide,
        )
        self._save = widgets.Button(
            description="Save assessment",
            tooltip="Validate the scores and save them with the run",
            icon="save",
            button_style="primary",
            # As wide as its whole caption (never cut off), not the whole form.
            layout=widgets.Layout(width="auto", align_self="flex-start"),
        )
        self._status = widgets.HTML(
            value=(
                f"<p>Opened the assessment saved on {html.escape(existing.assessed_at[:10])}. "
                f"{html.escape(existing.summary())}</p>"
                if existing
                else "<p>Not saved yet.</p>"
            )
        )
        for widget, css in (
            (self._assessor, "mlops-ethics-assessor"),
            (self._role, "mlops-ethics-role"),
            (self._save, "mlops-ethics-save"),
            (self._status, "mlops-ethics-status"),
        ):
            widget.add_class(css)
        self._save.on_click(lambda _button: self.save())
        super().__init__(
            children=[heading, intro, *blocks, self._assessor, self._role, self._save, self._status]
        )
        self.add_class("mlops-ethics-form")

    def _area_blocks(
        self, existing: EthicsAssessment | None, style: dict[str, str], wider: str
    ) -> list[widgets.Widget]:
        """One block per principle and action: its question, a score and notes."""
        options: list[tuple[str, int | None]] = [(_NO_SCORE, None)] + [
            (f"{n}: {words}", n) for n, words in ETHICS_SCALE.items()
        ]
        self._scores: dict[str, widgets.Dropdown] = {}
        self._notes: dict[str, widgets.Textarea] = {}
        blocks: list[widgets.Widget] = []
        for area in ETHICS_AREAS:
            question = widgets.HTML(
                value=(
                    f"<h4>{html.escape(area.title)} <small>({area.kind})</small></h4>"
                    f"<p>{html.escape(area.question)}</p>"
                )
            )
            question.add_class("mlops-ethics-question")
            score = widgets.Dropdown(
                options=options,
                value=existing.score(area.key).score if existing else None,
                description=f"Score for {area.title}",
                description_allow_html=False,
                style=style,
                layout=widgets.Layout(width=wider),
            )
            score.add_class("mlops-ethics-score")
            notes = widgets.Textarea(
                continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
                value=existing.score(area.key).notes if existing else "",
                description=f"Notes on {area.title}",
                description_allow_html=False,
                placeholder="What is in place, what is missing, what will be done.",
                style=style,
                layout=widgets.Layout(width=wider, height="4.5em"),
            )
            notes.add_class("mlops-ethics-notes")
            self._scores[area.key], self._notes[area.key] = score, notes
            block = widgets.VBox([question, score, notes])
            block.add_class("mlops-ethics-area")
            blocks.append(block)
        return blocks

    @property
    def score_dropdowns(self) -> dict[str, widgets.Dropdown]:
        """The score drop-downs by area key."""
        return dict(self._scores)

    @property
    def notes_fields(self) -> dict[str, widgets.Textarea]:
        """The notes boxes by area key."""
        return dict(self._notes)

    @property
    def assessor_field(self) -> widgets.Text:
        """The assessor's name."""
        return self._assessor

    @property
    def role_field(self) -> widgets.Text:
        """The assessor's role."""
        return self._role

    @property
    def save_button(self) -> widgets.Button:
        """The Save button."""
        return self._save

    @property
    def result(self) -> EthicsAssessment | None:
        """The last assessment saved, or None."""
        return self._result

    @property
    def problems(self) -> tuple[str, ...]:
        """The rules the last save broke."""
        return self._problems

    @property
    def saved_to(self) -> Path | None:
        """The file the last save wrote."""
        return self._saved_to

    def save(self) -> EthicsAssessment | None:
        """Validate and save (what Save does); return the assessment, or None if refused."""
        try:
            assessment = assess_ethics(
                {key: d.value for key, d in self._scores.items()},
                notes={key: t.value for key, t in self._notes.items()},
                assessed_by=self._assessor.value,
                role=self._role.value,
            )
            path = assessment.save(self._run_dir)
        except DocumentationError as exc:
            self._problems = tuple(exc.problems)
            count = len(self._problems)
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self._problems)
            self._status.value = (
                f"<p>✗ Not saved: the assessment breaks {count} rule"
                f"{'s' if count != 1 else ''}. Correct {'them' if count != 1 else 'it'} and "
                f"save again.</p><ul>{items}</ul>"
            )
            return None
        except MlopsKitError as exc:
            self._problems = (str(exc),)
            self._status.value = f"<p>✗ Not saved: {html.escape(str(exc))}</p>"
            return None
        self._result, self._problems, self._saved_to = assessment, (), path
        self._status.value = (
            f"<p>✓ Saved to {html.escape(path.name)} in the run folder. "
            f"{html.escape(assessment.summary())}</p>"
        )
        return assessment

    def _snapshot_text(self) -> str:
        if self._result is None:
            return "Data Ethics Framework self-assessment form: not saved yet."
        return f"Data Ethics Framework self-assessment form. {self._result.summary()}"

    def _snapshot_html(self) -> str:
        if self._result is None:
            return (
                "<p><strong>Data Ethics Framework self-assessment form</strong>: not saved yet.</p>"
            )
        return (
            "<p><strong>Data Ethics Framework self-assessment form</strong></p>"
            + self._result.to_html()
        )
