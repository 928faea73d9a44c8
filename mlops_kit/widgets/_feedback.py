"""Peer-feedback form: score another team's design against the rubric and save it.

The model is :class:`mlops_kit.course.PeerFeedback` (validated when made) and
:func:`mlops_kit.course.save_feedback` (one file per reviewer and team in a shared
folder). The view is :class:`PeerFeedbackForm`: the team reviewed, the reviewer's name,
one labelled level drop-down per rubric criterion (each level in words, with the
criterion's descriptors shown above it), one strength, one improvement and a Save
button. Saving shows what was saved, or every rule broken, in words.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import ipywidgets as widgets

from ..course import LEVELS, RUBRIC, PeerFeedback, save_feedback
from ..errors import ConfigError, MlopsKitError
from ._saving import attempt_save
from ._static import StaticSnapshot

__all__ = ["PeerFeedbackForm"]

_NO_TEAM = "Choose the team you reviewed"
_NO_LEVEL = "Choose a level"


def _comment_field(description: str, placeholder: str, style: dict[str, str]) -> widgets.Textarea:
    """A labelled box for a few sentences of feedback."""
    return widgets.Textarea(
        continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
        value="",
        description=description,
        description_allow_html=False,
        placeholder=placeholder,
        style=style,
        layout=widgets.Layout(width="min(44em, 100%)", height="4.5em"),
    )


class PeerFeedbackForm(StaticSnapshot, widgets.VBox):
    """Give another team feedback on its design against the rubric, by name.

    Everything works with the keyboard (Tab between controls, arrow keys in a
    drop-down, Enter or Space on Save). Saving again replaces your own earlier
    feedback on that team (see :func:`mlops_kit.course.save_feedback`).

    Parameters
    ----------
    teams : sequence of str
        The teams that can be reviewed (at least one, all different).
    folder : path-like
        The shared feedback folder.

    Attributes
    ----------
    team_dropdown : ipywidgets.Dropdown
        Value None until a team is chosen.
    reviewer_field : ipywidgets.Text
    level_dropdowns : dict of str to ipywidgets.Dropdown
        By criterion key; value None until chosen, then an int 0 to 3.
    strength_field, improvement_field : ipywidgets.Textarea
    save_button : ipywidgets.Button
    result : PeerFeedback or None
        The last feedback saved from this form.
    saved_to : Path or None
    problems : tuple of str
        The rules the last save broke (empty after a success).

    Examples
    --------
    >>> import tempfile
    >>> form = PeerFeedbackForm(["Team Otter"], folder=tempfile.mkdtemp())
    >>> form.save() is None, len(form.problems) > 1
    (True, True)
    """

    def __init__(self, teams: Sequence[str], *, folder: str | os.PathLike[str]) -> None:
        names = [] if isinstance(teams, str) else [str(t) for t in teams]
        if not names or len(set(names)) != len(names) or not all(n.strip() for n in names):
            raise ConfigError(
                "The 'teams' parameter of PeerFeedbackForm must be one or more different, "
                f"non-empty team names. Got {teams!r} instead."
            )
        self._folder = Path(folder)
        self._result: PeerFeedback | None = None
        self._saved_to: Path | None = None
        self._problems: tuple[str, ...] = ()
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="min(44em, 100%)")
        heading = widgets.HTML(value="<h3>Peer feedback on a team's design</h3>")
        intro = widgets.HTML(
            value=(
                "<p>Score the design on each criterion from 0 to 3, then write one strength "
                "and one improvement. Your name is saved with your feedback so that the team "
                "can talk it through with you.</p>"
            )
        )
        intro.add_class("mlops-feedback-intro")
        self._team = widgets.Dropdown(
            options=[(_NO_TEAM, None)] + [(n, n) for n in names],
            value=None,
            description="Team reviewed",
            description_allow_html=False,
            style=style,
            layout=wide,
        )
        self._reviewer = widgets.Text(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            value="",
            description="Your name",
            description_allow_html=False,
            placeholder="e.g. Sam Lee",
            style=style,
            layout=wide,
        )
        blocks = self._criterion_blocks(style, wide)
        self._strength = _comment_field("One strength", "What does the design do well?", style)
        self._improvement = _comment_field(
            "One improvement", "What one change would improve it most?", style
        )
        self._save = widgets.Button(
            description="Save feedback",
            tooltip="Check the feedback and save it to the shared folder",
            icon="save",
            button_style="primary",
        )
        self._status = widgets.HTML(value="<p>Not saved yet.</p>")
        for widget, css in (
            (self._team, "mlops-feedback-team"),
            (self._reviewer, "mlops-feedback-reviewer"),
            (self._strength, "mlops-feedback-strength"),
            (self._improvement, "mlops-feedback-improvement"),
            (self._save, "mlops-feedback-save"),
            (self._status, "mlops-feedback-status"),
        ):
            widget.add_class(css)
        self._save.on_click(lambda _button: self.save())
        super().__init__(
            children=[
                heading,
                intro,
                self._team,
                self._reviewer,
                *blocks,
                self._strength,
                self._improvement,
                self._save,
                self._status,
            ]
        )
        self.add_class("mlops-feedback-form")

    def _criterion_blocks(
        self, style: dict[str, str], wide: widgets.Layout
    ) -> list[widgets.Widget]:
        """One block per rubric criterion: its descriptors and a level drop-down."""
        options: list[tuple[str, int | None]] = [(_NO_LEVEL, None)] + [
            (f"{n}: {words}", n) for n, words in LEVELS.items()
        ]
        self._levels: dict[str, widgets.Dropdown] = {}
        blocks: list[widgets.Widget] = []
        for criterion in RUBRIC:
            descriptors = "".join(
                f"<li>{n} ({html.escape(LEVELS[n])}): {html.escape(text)}</li>"
                for n, text in enumerate(criterion.levels)
            )
            question = widgets.HTML(
                value=(
                    f"<h4>{html.escape(criterion.title)}</h4>"
                    f"<p>{html.escape(criterion.question)}</p><ul>{descriptors}</ul>"
                )
            )
            question.add_class("mlops-feedback-criterion")
            dropdown = widgets.Dropdown(
                options=options,
                value=None,
                description=f"Level for {criterion.title}",
                description_allow_html=False,
                style=style,
                layout=wide,
            )
            dropdown.add_class("mlops-feedback-level")
            self._levels[criterion.key] = dropdown
            blocks.append(widgets.VBox([question, dropdown]))
        return blocks

    @property
    def team_dropdown(self) -> widgets.Dropdown:
        """The team reviewed."""
        return self._team

    @property
    def reviewer_field(self) -> widgets.Text:
        """The reviewer's name."""
        return self._reviewer

    @property
    def level_dropdowns(self) -> dict[str, widgets.Dropdown]:
        """The level drop-downs by criterion key."""
        return dict(self._levels)

    @property
    def strength_field(self) -> widgets.Textarea:
        """One strength."""
        return self._strength

    @property
    def improvement_field(self) -> widgets.Textarea:
        """One improvement."""
        return self._improvement

    @property
    def save_button(self) -> widgets.Button:
        """The Save button."""
        return self._save

    @property
    def result(self) -> PeerFeedback | None:
        """The last feedback saved, or None."""
        return self._result

    @property
    def saved_to(self) -> Path | None:
        """The file the last save wrote."""
        return self._saved_to

    @property
    def problems(self) -> tuple[str, ...]:
        """The rules the last save broke."""
        return self._problems

    def save(self) -> PeerFeedback | None:
        """Validate and save (what Save does); return the feedback, or None if refused."""
        problems: list[str] = []
        if self._team.value is None:
            problems.append("Choose the team you reviewed.")
        unset = [c.title for c in RUBRIC if self._levels[c.key].value is None]
        if unset:
            problems.append(f"Choose a level for: {', '.join(unset)}.")
        try:
            record = PeerFeedback(
                team=self._team.value or "",
                reviewer=self._reviewer.value,
                scores={k: d.value for k, d in self._levels.items() if d.value is not None},
                strength=self._strength.value,
                improvement=self._improvement.value,
            )
        except ConfigError as exc:
            # The drop-downs' own messages above say it in the form's words.
            problems += [
                p
                for p in exc.problems
                if not (p.startswith("The 'team'") and self._team.value is None)
                and "must give a level for every criterion" not in p
            ]
            record = None
        if record is None or problems:
            return self._refuse(tuple(problems))
        attempt = attempt_save(
            lambda: save_feedback(record, self._folder), refused=(MlopsKitError,)
        )
        if attempt.refusal is not None:
            return self._refuse((attempt.refusal,))
        if not attempt.saved:
            return self._refuse(
                (
                    f"The shared folder could not be written ({attempt.unwritable}). "
                    "Please tell the facilitator.",
                )
            )
        self._result, self._saved_to, self._problems = record, attempt.value, ()
        self._status.value = (
            f"<p>✓ Saved your feedback on {html.escape(record.team)}: "
            f"{record.total} of {3 * len(RUBRIC)} across the criteria. "
            "Saving again replaces it.</p>"
        )
        return record

    def _refuse(self, problems: tuple[str, ...]) -> PeerFeedback | None:
        self._problems = problems
        count = len(problems)
        items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        self._status.value = (
            f"<p>✗ Not saved: {count} thing{'s' if count != 1 else ''} to fix first.</p>"
            f"<ul>{items}</ul>"
        )
        return None

    def _snapshot_text(self) -> str:
        criteria = ", ".join(c.title for c in RUBRIC)
        state = (
            f"Last saved: {self._result.reviewer} on {self._result.team}."
            if self._result
            else "Not saved yet."
        )
        return (
            f"Peer-feedback form: choose a team, give your name, a level 0 to 3 for each of "
            f"{criteria}, one strength and one improvement, then Save. {state}"
        )

    def _snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(c.title)}: level 0 to 3</li>" for c in RUBRIC)
        state = (
            f"Last saved: {html.escape(self._result.reviewer)} on {html.escape(self._result.team)}."
            if self._result
            else "Not saved yet."
        )
        return (
            "<p><strong>Peer-feedback form</strong>: choose a team and give your name, "
            f"then score:</p><ul>{items}</ul><p>One strength and one improvement, then "
            f"Save. {state}</p>"
        )
