"""Poll: learners answer a question; a facilitator gathers and charts the answers.

Every answer is its own small JSON file in ``<folder>/<poll_id>/``, written
atomically, so many learners can answer into one shared folder at once without
overwriting each other, and a file copied halfway is skipped, not fatal. The
model is :func:`save_poll_answer`, :func:`load_poll_answers` and
:func:`poll_chart`; the view is :class:`PollWidget`.
"""

from __future__ import annotations

import html
import json
import os
import re
import textwrap
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .._io import atomic_write_json
from ..errors import ConfigError
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

    from ..plots import DescribedFigure

__all__ = ["POLL_COLUMNS", "PollWidget", "load_poll_answers", "poll_chart", "save_poll_answer"]

#: The columns of :func:`load_poll_answers`.
POLL_COLUMNS = ("poll_id", "choice", "comment", "participant", "submitted_at", "file")
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,100}")
_HATCHES = ("///", "...", "xx", "\\\\\\", "++", "--", "oo", "**")


def _check_poll_id(poll_id: Any, where: str) -> str:
    if not isinstance(poll_id, str) or not _SLUG.fullmatch(poll_id):
        raise ConfigError(
            f"The 'poll_id' parameter of {where} must be a simple name of letters, digits, "
            f"'-' and '_' (such as 'engage-first-thoughts'). Got {poll_id!r} instead."
        )
    return poll_id


def save_poll_answer(
    folder: str | os.PathLike[str],
    *,
    poll_id: str,
    choice: str,
    comment: str = "",
    participant: str = "",
) -> Path:
    """Save one answer to a poll as its own JSON file and return the file's path.

    Parameters
    ----------
    folder : path
        The shared poll folder; the answer goes into ``folder/<poll_id>/``, which
        is created when needed.
    poll_id : str
        The poll's name: letters, digits, ``-`` and ``_`` only.
    choice : str
        The option chosen; must not be empty.
    comment : str, optional
        A free-text comment.
    participant : str, optional
        The participant's name; empty means anonymous.

    Returns
    -------
    pathlib.Path
        A new file named by the time (UTC) and a random id, so answers never
        overwrite each other. It holds ``poll_id``, ``choice``, ``comment``,
        ``participant`` and ``submitted_at`` (UTC, ISO 8601).

    Raises
    ------
    ConfigError
        When ``poll_id`` is not a simple name or ``choice`` is empty.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = save_poll_answer(folder, poll_id="first-thoughts", choice="Stale model")
    >>> path.parent.name, path.suffix
    ('first-thoughts', '.json')
    >>> answer = json.loads(path.read_text(encoding="utf-8"))
    >>> answer["choice"], answer["participant"]
    ('Stale model', '')
    """
    where = "save_poll_answer"
    _check_poll_id(poll_id, where)
    if not isinstance(choice, str) or not choice.strip():
        raise ConfigError(
            f"The 'choice' parameter of {where} must be a non-empty string. Got {choice!r} instead."
        )
    for name, value in (("comment", comment), ("participant", participant)):
        if not isinstance(value, str):
            raise ConfigError(
                f"The '{name}' parameter of {where} must be a string. Got {value!r} instead."
            )
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S%fZ}_{uuid.uuid4().hex}.json"
    record = {
        "poll_id": poll_id,
        "choice": choice.strip(),
        "comment": comment.strip(),
        "participant": participant.strip(),
        "submitted_at": now.isoformat(timespec="seconds"),
    }
    return atomic_write_json(Path(folder) / poll_id / name, record)


def _read_answer(path: Path, poll_id: str) -> dict[str, Any] | None:
    """The answer in ``path``, or None when the file is not a valid answer to ``poll_id``."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict):
        return None
    fields = {k: record.get(k) for k in POLL_COLUMNS[:-1]}
    if not all(isinstance(v, str) for v in fields.values()):
        return None
    if fields["poll_id"] != poll_id or not str(fields["choice"]).strip():
        return None
    try:
        stamp = datetime.fromisoformat(str(fields["submitted_at"]))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return None
    return {**fields, "file": str(path)}


def load_poll_answers(
    folder: str | os.PathLike[str], *, poll_id: str | None = None
) -> pd.DataFrame:
    """Gather the answers saved by :func:`save_poll_answer` into one table.

    Parameters
    ----------
    folder : path
        The shared poll folder.
    poll_id : str, optional
        Read only this poll's answers; default every poll in the folder.

    Returns
    -------
    pandas.DataFrame
        One row per answer, oldest first, with columns ``poll_id``, ``choice``,
        ``comment``, ``participant`` (empty when anonymous), ``submitted_at``
        (UTC timestamps) and ``file``. Files that are not valid answers (such as
        one copied halfway, or an answer filed under another poll's folder) are
        skipped and counted in ``df.attrs["skipped"]``, their paths listed in
        ``df.attrs["skipped_files"]``. A folder that does not exist gives an empty
        table.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for choice in ["Stale model", "No fairness check", "Stale model"]:
    ...     _ = save_poll_answer(folder, poll_id="first-thoughts", choice=choice)
    >>> answers = load_poll_answers(folder, poll_id="first-thoughts")
    >>> answers["choice"].value_counts().to_dict()
    {'Stale model': 2, 'No fairness check': 1}
    >>> answers.attrs["skipped"]
    0
    """
    import pandas as pd

    root = Path(folder)
    if poll_id is not None:
        _check_poll_id(poll_id, "load_poll_answers")
    if root.exists() and not root.is_dir():
        raise ConfigError(
            f"The 'folder' parameter of load_poll_answers must be a folder. "
            f"Got the file {str(root)!r} instead."
        )
    if poll_id is not None:
        polls = [root / poll_id]
    elif root.is_dir():
        polls = sorted(p for p in root.iterdir() if p.is_dir() and _SLUG.fullmatch(p.name))
    else:
        polls = []
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for poll in polls:
        if not poll.is_dir():
            continue
        # Hidden files are atomic writes still in progress (``.name.json.tmp``).
        for path in sorted(poll.glob("*.json")):
            if path.name.startswith("."):
                continue
            row = _read_answer(path, poll.name)
            if row is None:
                skipped.append(str(path))
            else:
                rows.append(row)
    frame = pd.DataFrame(rows, columns=list(POLL_COLUMNS))
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    frame = frame.sort_values(["submitted_at", "file"], kind="stable").reset_index(drop=True)
    frame.attrs["skipped"] = len(skipped)
    frame.attrs["skipped_files"] = tuple(skipped)
    return frame


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
    mlops_kit.plots.DescribedFigure
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
    from collections import Counter

    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ..plots import PALETTE, DescribedFigure

    choices = _choices_of(answers)
    counts = Counter(choices)
    if options is None:
        order = sorted(counts, key=lambda c: (-counts[c], c.casefold()))
    else:
        order = list(dict.fromkeys(str(o) for o in options))
        order += sorted((c for c in counts if c not in order), key=str.casefold)
    total = len(choices)
    title = f"Poll: {question}"
    wrapped_question = textwrap.fill(question, 60)

    if total == 0:
        fig = Figure(figsize=(6.5, 2.0), layout="constrained")
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(wrapped_question)
        ax.text(0.5, 0.5, "No answers yet", ha="center", va="center", fontsize=14)
        text = f'No answers yet to "{question}".'
        if order:
            text += f" The options are: {', '.join(order)}."
        return DescribedFigure(fig, title, text)

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
    ax.set_title(wrapped_question)
    parts = [f"{o} {counts[o]} ({share:.0%})" for o, share in zip(order, shares, strict=True)]
    noun = "answer" if total == 1 else "answers"
    text = f'{total} {noun} to "{question}": {", ".join(parts)}.'
    return DescribedFigure(fig, title, text)


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
        self._poll_id = _check_poll_id(poll_id, where)
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
        try:
            path = save_poll_answer(
                self._folder,
                poll_id=self._poll_id,
                choice=self._radio.value,
                comment=self._comment.value if self._comment is not None else "",
                participant=self._name.value,
            )
        except OSError as exc:
            self._status.value = (
                "<p>Sorry, your answer could not be saved "
                f"({html.escape(exc.strerror or type(exc).__name__)}). "
                "Please tell the facilitator.</p>"
            )
            return None
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
