"""The design form of the Elaborate phase: fill a team's design file without typing YAML.

The model is :class:`mlops_kit.course.DesignAnswers` with :func:`~mlops_kit.course.write_design`
(answers into the design file, keeping every key and comment the form does not cover)
and :func:`~mlops_kit.course.read_answers` (a design file back into answers). The view is
:class:`DesignForm`: one drop-down per choice (with tick boxes where several columns
or triggers may be chosen), a text field for each of the fourteen answers only a person
can write, and two buttons: **Save design** and **Check design**.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from ..course import (
    FREE_TEXT,
    MULTIPLE_CHOICE,
    ROLE_CARDS,
    DesignAnswers,
    DesignCheck,
    check_design,
    design_form_options,
    design_path,
    load_design,
    read_answers,
    write_design,
)
from ..errors import ConfigError, MlopsKitError
from ._design_questions import QUESTIONS, SECTIONS
from ._saving import attempt_save
from ._static import StaticSnapshot

__all__ = ["DesignForm"]

_NOT_CHOSEN = "Choose an answer"
_LONG_TEXT = frozenset(FREE_TEXT) - {"team", "members", "approvers", "owner", "contact_email"}


class _TickBoxes(widgets.VBox):
    """A labelled group of tick boxes whose ``value`` is the tuple of ticked values."""

    value = traitlets.Tuple()

    def __init__(self, label: str, options: Sequence[tuple[str, Any]]) -> None:
        self._boxes = [
            (widgets.Checkbox(value=False, description=text, indent=False), value)
            for text, value in options
        ]
        heading = widgets.HTML(value=f"<p><strong>{html.escape(label)}</strong></p>")
        super().__init__(
            children=[
                heading,
                widgets.HBox(
                    [box for box, _ in self._boxes],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )
        for box, _ in self._boxes:
            box.observe(self._from_boxes, "value")
        self.observe(self._to_boxes, "value")

    def _from_boxes(self, _change: Any) -> None:
        self.value = tuple(v for box, v in self._boxes if box.value)

    def _to_boxes(self, change: Any) -> None:
        chosen = set(change["new"])
        unknown = chosen - {v for _, v in self._boxes}
        if unknown:
            raise traitlets.TraitError(
                f"Choose among {', '.join(str(v) for _, v in self._boxes)}. "
                f"Got {', '.join(map(str, sorted(unknown, key=str)))} instead."
            )
        for box, v in self._boxes:
            if box.value != (v in chosen):
                box.value = v in chosen

    @property
    def boxes(self) -> list[widgets.Checkbox]:
        """The tick boxes, in order."""
        return [box for box, _ in self._boxes]


class DesignForm(StaticSnapshot, widgets.VBox):
    """Fill a team's design file by answering questions; check it against the guidelines.

    Everything works with the keyboard (Tab between controls, the arrow keys in a
    drop-down, Space to tick a box, Enter or Space on a button). **Save design** writes
    the answers into the design file (:func:`mlops_kit.course.write_design`): only the
    questions answered change the file, so a file edited by hand keeps what the form
    does not cover. **Check design** saves, then shows
    :func:`mlops_kit.course.check_design` of the file in words.

    Parameters
    ----------
    path : path-like
        The team's design file. An existing file is loaded into the form to edit;
        otherwise the form starts from the scenario's template.
    scenario : str, optional
        Needed when ``path`` does not exist yet.

    Attributes
    ----------
    controls : dict of str to widget
        By the name of a :class:`~mlops_kit.course.DesignAnswers` field (``roles.<card>``
        for each role card); set a control's ``value`` to answer.
    value : DesignAnswers
        The answers now in the form (read-only).
    result : DesignCheck or None
        The last check.
    saved_to : Path or None
    problems : tuple of str
        What the last save refused (empty after a success).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ours.design.yml"
    >>> form = DesignForm(path, scenario="hospital_admissions_forecast")
    >>> form.controls["team"].value = "Team Heron"
    >>> form.save() == path, form.value.team
    (True, 'Team Heron')
    """

    def __init__(self, path: str | os.PathLike[str], *, scenario: str | None = None) -> None:
        self._path = Path(path)
        if self._path.is_file():
            self._scenario = load_design(self._path).scenario
            start = read_answers(self._path)
        elif scenario is None:
            raise ConfigError(
                f"Design file '{self._path}' does not exist yet, so DesignForm needs the "
                "'scenario' whose template it starts from."
            )
        else:
            self._scenario = scenario
            start = read_answers(design_path(scenario))
        options = design_form_options(self._scenario)
        self._result: DesignCheck | None = None
        self._saved_to: Path | None = None
        self._problems: tuple[str, ...] = ()
        style = {"description_width": "initial"}
        wide = widgets.Layout(width="min(56em, 100%)")
        known = start.to_dict()
        self._controls: dict[str, Any] = {}
        blocks: list[widgets.Widget] = [
            widgets.HTML(value="<h3>Your team's pipeline design</h3>"),
            widgets.HTML(
                value=(
                    f"<p>Answer each question, then press <strong>Check design</strong>. "
                    f"The answers are saved into <code>{html.escape(str(self._path))}</code>; "
                    "a question left unanswered leaves the file as it is.</p>"
                )
            ),
        ]
        for title, intro, names in SECTIONS:
            blocks.append(
                widgets.HTML(value=f"<h4>{html.escape(title)}</h4><p>{html.escape(intro)}</p>")
            )
            for name in names:
                if name in options:
                    control = self._choice(name, options[name], known.get(name), style, wide)
                elif name in FREE_TEXT:
                    control = self._text(name, known.get(name), style, wide)
                else:
                    continue  # a question this scenario's task does not ask
                control.add_class(f"mlops-design-{name.replace('_', '-')}")
                self._controls[name] = control
                blocks.append(control)
            if title == "Your team":
                blocks += self._role_dropdowns(start, style, wide)
        self._save = widgets.Button(
            description="Save design",
            tooltip="Write the answers into the design file",
            icon="save",
        )
        self._check = widgets.Button(
            description="Check design",
            tooltip="Save the answers, then check the design against the six guidelines",
            icon="check",
            button_style="primary",
        )
        self._status = widgets.HTML(value="<p>Not saved yet.</p>")
        self._status.add_class("mlops-design-status")
        self._save.on_click(lambda _button: self.save())
        self._check.on_click(lambda _button: self.check())
        super().__init__(children=[*blocks, widgets.HBox([self._save, self._check]), self._status])
        self.add_class("mlops-design-form")

    # ----------------------------------------------------------------------- building

    def _choice(
        self,
        name: str,
        options: Sequence[tuple[str, Any]],
        current: Any,
        style: dict[str, str],
        layout: widgets.Layout,
    ) -> widgets.Widget:
        if name in MULTIPLE_CHOICE:
            group = _TickBoxes(QUESTIONS[name], options)
            group.value = tuple(current or ())
            return group
        values = [v for _, v in options]
        return widgets.Dropdown(
            options=[(_NOT_CHOSEN, None), *options],
            value=current if current in values else None,
            description=QUESTIONS[name],
            description_allow_html=False,
            style=style,
            layout=layout,
        )

    def _text(
        self, name: str, current: Any, style: dict[str, str], layout: widgets.Layout
    ) -> widgets.Widget:
        if isinstance(current, list):
            current = (
                "\n" if name in ("out_of_scope_uses", "ethical_considerations") else ", "
            ).join(current)
        kind = widgets.Textarea if name in _LONG_TEXT else widgets.Text
        return kind(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            value=str(current or ""),
            description=QUESTIONS[name],
            description_allow_html=False,
            style=style,
            layout=(
                widgets.Layout(width="min(56em, 100%)", height="4.5em")
                if name in _LONG_TEXT
                else layout
            ),
        )

    def _role_dropdowns(
        self, start: DesignAnswers, style: dict[str, str], layout: widgets.Layout
    ) -> list[widgets.Widget]:
        members = list(start.members or ())
        out: list[widgets.Widget] = []
        for role, title in ROLE_CARDS.items():
            holder = start.roles.get(role)
            dropdown = widgets.Dropdown(
                options=[(_NOT_CHOSEN, None), *((m, m) for m in members)],
                value=holder if holder in members else None,
                description=f"Who holds the card: {title}",
                description_allow_html=False,
                style=style,
                layout=layout,
            )
            dropdown.add_class("mlops-design-role")
            self._controls[f"roles.{role}"] = dropdown
            out.append(dropdown)
        self._controls["members"].observe(self._members_changed, "value")
        return out

    def _members_changed(self, change: Any) -> None:
        members = [m.strip() for m in str(change["new"]).split(",") if m.strip()]
        for role in ROLE_CARDS:
            dropdown = self._controls[f"roles.{role}"]
            keep = dropdown.value if dropdown.value in members else None
            dropdown.options = [(_NOT_CHOSEN, None), *((m, m) for m in dict.fromkeys(members))]
            dropdown.value = keep

    # ----------------------------------------------------------------------- reading

    @property
    def controls(self) -> dict[str, Any]:
        """The form's controls by answer name (``roles.<card>`` for the role cards)."""
        return dict(self._controls)

    @property
    def save_button(self) -> widgets.Button:
        """Writes the answers into the design file."""
        return self._save

    @property
    def check_button(self) -> widgets.Button:
        """Saves, then checks the design."""
        return self._check

    @property
    def path(self) -> Path:
        """The design file the form writes."""
        return self._path

    @property
    def value(self) -> DesignAnswers:
        """The answers now in the form."""
        answers: dict[str, Any] = {"roles": {}}
        for name, control in self._controls.items():
            if name.startswith("roles."):
                if control.value is not None:
                    answers["roles"][name.removeprefix("roles.")] = control.value
            elif control.value not in (None, "", ()):
                answers[name] = control.value
        return DesignAnswers.from_dict(answers)

    @property
    def result(self) -> DesignCheck | None:
        """The last check of the design, or None."""
        return self._result

    @property
    def saved_to(self) -> Path | None:
        """The file last saved, or None."""
        return self._saved_to

    @property
    def problems(self) -> tuple[str, ...]:
        """What the last save refused, in words."""
        return self._problems

    # ----------------------------------------------------------------------- acting

    def save(self) -> Path | None:
        """Write the answers into the design file; None (and :attr:`problems`) if refused."""

        def write() -> tuple[DesignAnswers, Path]:
            answers = self.value  # reading the answers may refuse one too
            return answers, write_design(answers, self._path, scenario=self._scenario)

        attempt = attempt_save(write, refused=(MlopsKitError,), unwritable=False)
        if attempt.value is None:
            refusal = attempt.refusal or ""
            self._problems = (refusal,)
            self._status.value = (
                f"<p role='alert'><strong>Not saved.</strong> {html.escape(refusal)}</p>"
            )
            return None
        answers, saved = attempt.value
        self._problems = ()
        self._saved_to = saved
        n = len(answers.to_dict())
        self._status.value = (
            f"<p>Saved {n} answers to <code>{html.escape(str(saved))}</code>. "
            "Press <strong>Check design</strong> to see what the guidelines say.</p>"
        )
        return saved

    def check(self) -> DesignCheck | None:
        """Save, then check the design file; the result is shown in words and kept."""
        if self.save() is None:
            return None
        self._result = check_design(self._path)
        items = "".join(
            f"<li><strong>{html.escape(it.title)}: {it.status.value}.</strong> "
            f"{html.escape(it.message)}</li>"
            for it in self._result.items
        )
        self._status.value = (
            f"<p role='status'><strong>{html.escape(self._result.summary())}</strong></p>"
            f"<ul>{items}</ul>"
        )
        return self._result

    # ----------------------------------------------------------------------- snapshot

    def _answer_text(self, name: str) -> str:
        value = self._controls[name].value
        if value in (None, "", ()):
            return "not answered"
        if isinstance(value, tuple):
            return ", ".join(map(str, value))
        for label, v in getattr(self._controls[name], "options", ()):
            if v == value and not isinstance(label, int):
                return str(label)
        return str(value)

    def _snapshot_text(self) -> str:
        lines = [f"Design form for {self._path.name}"]
        for title, _, names in SECTIONS:
            lines.append(f"{title}:")
            lines += [
                f"  {QUESTIONS[n]}: {self._answer_text(n)}" for n in names if n in self._controls
            ]
        return "\n".join(lines)

    def _snapshot_html(self) -> str:
        name = html.escape(self._path.name)
        parts = [f"<div class='mlops-design-form'><h3>Design form for {name}</h3>"]
        for title, _, names in SECTIONS:
            rows = "".join(
                f"<tr><th scope='row'>{html.escape(QUESTIONS[n])}</th>"
                f"<td>{html.escape(self._answer_text(n))}</td></tr>"
                for n in names
                if n in self._controls
            )
            parts.append(
                f"<table><caption>{html.escape(title)}</caption><tbody>{rows}</tbody></table>"
            )
        parts.append(f"{self._status.value}</div>")
        return "".join(parts)
