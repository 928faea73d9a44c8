"""Poll: learners answer a question; a facilitator gathers and charts the answers.

The model is :func:`mlops_kit.course.save_poll_answer` and
:func:`mlops_kit.course.load_poll_answers` (each answer its own small JSON file in
``<folder>/<poll_id>/``, written atomically, so many learners can answer into one
shared folder at once) and :func:`poll_chart`; the view is :class:`PollWidget`.
"""

from __future__ import annotations

import html
import os
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..course import check_poll_id, save_poll_answer
from ..errors import ConfigError
from ..figures import PALETTE, DescribedFigure
from ._saving import attempt_save
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PollWidget", "poll_chart"]

_HATCHES = ("///", "...", "xx", "\\\\\\", "++", "--", "oo", "**")


def _choices_of(answers: Any) -> list[str]:
    """The choices of a table with a ``choice`` column, or of a sequence of strings."""
    import pandas as pd

    if isinstance(answers, pd.DataFrame):
        if "choice" not in answers.columns:
            raise ConfigError(
                "The 'answers' parameter of poll_chart must be a table with a 'choice' column "
                f"(as load_poll_answers gives). Got columns {list(answers.columns)} instead."
            )
        values = answers["choice"].tolist()
    elif isinstance(answers, str):
        raise ConfigError(
            "The 'answers' parameter of poll_chart must be a table or a sequence of choices. "
            f"Got the single string {answers!r} instead."
        )
    else:
        values = list(answers)
    return [str(v) for v in values if v is not None and not pd.isna(v)]


def poll_chart(
    answers: pd.DataFrame | Sequence[str],
    *,
    question: str,
    options: Sequence[str] | None = None,
) -> DescribedFigure:
    """A horizontal bar chart of how many chose each option, with a text description.

    Parameters
    ----------
    answers : pandas.DataFrame or sequence of str
        The table from :func:`load_poll_answers` (its ``choice`` column is used),
        or the choices themselves.
    question : str
        The poll's question, used as the chart's title.
    options : sequence of str, optional
        The options in the order to draw them, including any nobody chose (shown as
        zero bars). Choices not among them are added after them. Default: the
        choices given, most common first.

    Returns
    -------
    mlops_kit.figures.DescribedFigure
        Each bar is written with its count and share, carries its own hatch
        pattern and an Okabe-Ito colour; the description gives the number of
        answers and each option's count and share. With no answers the figure says
        "No answers yet".

    Examples
    --------
    >>> chart = poll_chart(["Stale model", "Stale model", "No fairness check"],
    ...                    question="What went wrong?",
    ...                    options=["Stale model", "No fairness check", "Untracked changes"])
    >>> print(chart.description)
    3 answers to "What went wrong?": Stale model 2 (67%), No fairness check 1 (33%),
    Untracked changes 0 (0%).
    """
    choices = _choices_of(answers)
    counts = Counter(choices)
    if options is None:
        order = sorted(counts, key=lambda c: (-counts[c], c.casefold()))
    else:
        order = list(dict.fromkeys(str(o) for o in options))
        order += sorted((c for c in counts if c not in order), key=str.casefold)
    if not choices:
        return _no_answers_chart(question, order)
    return _answers_chart(question, order, counts)


def _no_answers_chart(question: str, order: list[str]) -> DescribedFigure:
    """The chart of a poll nobody has answered yet: its question, and its options in words."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 2.0), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(textwrap.fill(question, 60))
    ax.text(0.5, 0.5, "No answers yet", ha="center", va="center", fontsize=14)
    text = f'No answers yet to "{question}".'
    if order:
        text += f" The options are: {', '.join(order)}."
    return DescribedFigure(fig, f"Poll: {question}", text)


def _answers_chart(question: str, order: list[str], counts: Counter[str]) -> DescribedFigure:
    """One hatched, coloured bar per option, each written with its count and share."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    total = sum(counts.values())
    fig = Figure(figsize=(6.5, 1.2 + 0.55 * len(order)), layout="constrained")
    ax = fig.add_subplot()
    colours = PALETTE[:-1]  # the last Okabe-Ito colour is black, which hides the hatching
    shares = [counts[o] / total for o in order]
    for i, option in enumerate(order):
        ax.barh(
            i,
            counts[option],
            color=colours[i % len(colours)],
            edgecolor="black",
            hatch=_HATCHES[i % len(_HATCHES)],
        )
        ax.text(
            counts[option],
            i,
            f"  {counts[option]} ({shares[i]:.0%})",
            va="center",
            fontsize=10,
        )
    ax.set_yticks(range(len(order)), [textwrap.fill(o, 30) for o in order])
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts.values()) * 1.35 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("number of answers")
    ax.set_title(textwrap.fill(question, 60))
    parts = [f"{o} {counts[o]} ({share:.0%})" for o, share in zip(order, shares, strict=True)]
    noun = "answer" if total == 1 else "answers"
    text = f'{total} {noun} to "{question}": {", ".join(parts)}.'
    return DescribedFigure(fig, f"Poll: {question}", text)


class PollWidget(StaticSnapshot, widgets.VBox):
    """A question with radio buttons, an optional comment and name, and a Submit button.

    Each submission is saved with :func:`save_poll_answer` into a shared folder
    for a facilitator to gather with :func:`load_poll_answers`. Everything works
    with the keyboard (Tab to the options, arrow keys to choose, Enter to submit).
    After a successful save the Submit button is disabled, so one person's answer
    is not counted twice; run the cell again to answer again.

    Parameters
    ----------
    question : str
    options : sequence of str
        The answers to choose from (at least two, all different).
    folder : path
        The shared poll folder.
    poll_id : str
        The poll's name: letters, digits, ``-`` and ``_`` only.
    allow_comment : bool, default True
        Offer a free-text comment box.

    Attributes
    ----------
    radio_buttons : ipywidgets.RadioButtons
        The options; nothing is chosen at first (``value`` is ``None``).
    submit_button : ipywidgets.Button
    value : str or None
        The option currently chosen.
    result : pathlib.Path or None
        The file the answer was saved to; ``None`` until one is saved.

    Examples
    --------
    >>> import tempfile
    >>> poll = PollWidget("What went wrong?", ["Stale model", "No fairness check"],
    ...                   folder=tempfile.mkdtemp(), poll_id="first-thoughts")
    >>> poll.submit_button.click()
    >>> poll.result is None
    True
    >>> poll.radio_buttons.value = "Stale model"
    >>> poll.submit_button.click()
    >>> poll.result.parent.name
    'first-thoughts'
    """

    def __init__(
        self,
        question: str,
        options: Sequence[str],
        *,
        folder: str | os.PathLike[str],
        poll_id: str,
        allow_comment: bool = True,
    ) -> None:
        where = "PollWidget"
        if not isinstance(question, str) or not question.strip():
            raise ConfigError(
                f"The 'question' parameter of {where} must be a non-empty string. "
                f"Got {question!r} instead."
            )
        choices = [] if isinstance(options, str) else [str(o) for o in options]
        if len(choices) < 2 or len(set(choices)) != len(choices) or not all(choices):
            raise ConfigError(
                f"The 'options' parameter of {where} must be at least two different, "
                f"non-empty strings. Got {options!r} instead."
            )
        self._poll_id = check_poll_id(poll_id, where)
        self._question, self._options = question, tuple(choices)
        self._folder = Path(folder)
        self._result: Path | None = None

        heading = widgets.HTML(value=f"<h3>{html.escape(question)}</h3>")
        heading.add_class("mlops-poll-question")
        self._radio = widgets.RadioButtons(
            options=choices,
            value=None,
            description="Your answer",
            description_allow_html=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self._radio.add_class("mlops-poll-options")
        children: list[widgets.Widget] = [heading, self._radio]
        self._comment: widgets.Textarea | None = None
        if allow_comment:
            self._comment = widgets.Textarea(
                continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
                value="",
                placeholder="Add a comment if you like",
                description="Comment (optional)",
                description_allow_html=False,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="min(40em, 100%)"),
            )
            self._comment.add_class("mlops-poll-comment")
            children.append(self._comment)
        self._name = widgets.Text(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            value="",
            description="Your name (leave blank to stay anonymous)",
            description_allow_html=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(40em, 100%)"),
        )
        self._name.add_class("mlops-poll-name")
        self._submit = widgets.Button(
            description="Submit",
            tooltip="Save your answer",
            icon="paper-plane",
            button_style="primary",
        )
        self._submit.add_class("mlops-poll-submit")
        self._submit.on_click(lambda _button: self.submit())
        self._status = widgets.HTML(value="")
        self._status.add_class("mlops-poll-status")
        children += [self._name, self._submit, self._status]
        super().__init__(children=children)
        self.add_class("mlops-poll")

    @property
    def radio_buttons(self) -> widgets.RadioButtons:
        """The options to choose from."""
        return self._radio

    @property
    def submit_button(self) -> widgets.Button:
        """The Submit button."""
        return self._submit

    @property
    def value(self) -> str | None:
        """The option currently chosen, or ``None``."""
        value: str | None = self._radio.value
        return value

    @property
    def result(self) -> Path | None:
        """The file the answer was saved to, or ``None``."""
        return self._result

    def submit(self) -> Path | None:
        """Save the chosen answer (what the Submit button does); return its file or None."""
        if self._result is not None:
            return self._result
        if self._radio.value is None:
            self._status.value = "<p>Choose an answer first.</p>"
            return None
        attempt = attempt_save(
            lambda: save_poll_answer(
                self._folder,
                poll_id=self._poll_id,
                choice=self._radio.value,
                comment=self._comment.value if self._comment is not None else "",
                participant=self._name.value,
            )
        )
        if not attempt.saved:
            self._status.value = attempt.unwritable_html("your answer")
            return None
        path = attempt.value
        self._result = path
        self._submit.disabled = True
        self._status.value = "<p>✓ Thank you: your answer was saved.</p>"
        return path

    def _snapshot_text(self) -> str:
        options = "; ".join(self._options)
        return f"Poll: {self._question} Options: {options}. Answers are saved to {self._folder}."

    def _snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(o)}</li>" for o in self._options)
        return (
            f"<p><strong>Poll: {html.escape(self._question)}</strong></p><ul>{items}</ul>"
            f"<p>Answers are saved to <code>{html.escape(str(self._folder))}</code>.</p>"
        )
