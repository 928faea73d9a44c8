"""The novice and experienced tracks through the same notebooks, switched by one parameter.

Every lesson and exercise has a ``track`` parameter. :func:`track_guide` checks it once at
the top of the notebook and returns a :class:`Track`, whose three methods give each track
its own material where the lesson calls them:

* :meth:`Track.how_to_use`: the "How to use this notebook" card (run a cell, run all,
  what a kernel is, restart it, what to do when a cell fails) on the novice track; one
  line on the experienced track. Lesson 00 shows it.
* :meth:`Track.terms`: the terms a section uses, as glossary pop-outs (HTML ``<details>``
  that open with Enter) on the novice track; one line on the experienced track.
* :meth:`Track.hints`: hints, one pop-out each, so a learner opens only as many as they
  need (novice track); a pointer on the experienced track.
* :meth:`Track.going_further`: extension tasks, shown in full on the experienced track and
  folded away on the novice track ("when you have finished").

Each returns a :class:`TrackNote` whose text (``text/plain``) and HTML render the same
content, so a notebook run unattended by papermill keeps it, and screen readers read
each pop-out as a collapsed section named after its term or hint.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError, did_you_mean
from ._glossary import Glossary, inline_html, popout_html

__all__ = ["HOW_TO_USE", "TRACKS", "Track", "TrackNote", "track_guide"]

#: The two tracks, in the order a facilitator offers them.
TRACKS: tuple[str, ...] = ("novice", "experienced")

TrackName = Literal["novice", "experienced"]

#: The novice track's "How to use this notebook" card, as (what, how) pairs.
HOW_TO_USE: tuple[tuple[str, str], ...] = (
    (
        "Run a cell",
        "click in it (or move to it with the arrow keys) and press Shift+Enter. The cell "
        "runs and the next one is selected. While it runs, [*] shows beside it; a number "
        "such as [3] means it has finished.",
    ),
    (
        "Run every cell",
        "choose Run > Run All Cells in the menu. Use it when you arrive late or after a "
        "restart, to catch up from the top.",
    ),
    (
        "What a kernel is",
        "the Python program behind the notebook that runs your cells and remembers what "
        "they made. Its state is shown at the top right of the notebook (a filled circle "
        "means busy).",
    ),
    (
        "Restart the kernel",
        "choose Kernel > Restart Kernel... when the notebook stops answering or behaves "
        "oddly. The kernel forgets everything, so run the cells again from the top (Run > "
        "Run All Cells). Answers you saved to the shared folder are kept.",
    ),
    (
        "When a cell fails",
        "a box with an error appears under it. Read its last line first: it says what went "
        "wrong and often what to change. Check that every cell above has run (each shows a "
        "number), then run the failing cell again. Still stuck? Restart the kernel and run "
        "all cells, then ask your partner or the facilitator; nothing you do here can "
        "break the course.",
    ),
)


@dataclass(frozen=True, repr=False)
class TrackNote:
    """Track-dependent material: a heading, a lead line and items shown open or folded.

    Attributes
    ----------
    title : str
        The heading, naming the track it is for.
    items : tuple of (summary, body)
        One entry per term, hint or task. ``summary`` may be empty for an unnamed task.
    folded : bool
        True shows each item as a pop-out (``<details>``) that opens with Enter or Space.
    lead : str
        A line shown under the heading.
    numbered : bool
        Number the items (tasks) rather than bullet them.
    """

    title: str
    items: tuple[tuple[str, str], ...] = ()
    folded: bool = False
    lead: str = ""
    numbered: bool = False

    def __repr__(self) -> str:
        lines = [f"{self.title}"] if self.title else []
        if self.lead:
            lines.append(self.lead)
        for i, (summary, body) in enumerate(self.items, start=1):
            mark = f"{i}." if self.numbered else "-"
            lines.append(f"{mark} {summary}: {body}" if summary else f"{mark} {body}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<p><strong>{html.escape(self.title)}</strong></p>"] if self.title else []
        if self.lead:
            parts.append(f"<p>{inline_html(self.lead)}</p>")
        if self.folded:
            parts.extend(popout_html(summary, body) for summary, body in self.items)
        elif self.items:
            tag = "ol" if self.numbered else "ul"
            rows = "".join(
                f"<li><strong>{html.escape(s)}</strong>: {inline_html(b)}</li>"
                if s
                else f"<li>{inline_html(b)}</li>"
                for s, b in self.items
            )
            parts.append(f"<{tag}>{rows}</{tag}>")
        return f'<div class="mlops-track-note">{"".join(parts)}</div>'


@dataclass(frozen=True)
class Track:
    """One learner's track. Build it with :func:`track_guide`, which checks the name.

    Attributes
    ----------
    name : {"novice", "experienced"}
    """

    name: TrackName

    @property
    def novice(self) -> bool:
        """True on the novice track."""
        return self.name == "novice"

    def intro(self) -> TrackNote:
        """What this track gives, for the top of a lesson."""
        if self.novice:
            return TrackNote(
                "Novice track",
                lead="Terms are explained as pop-outs where they are first used (open one "
                "with Enter or a click), and each activity has hints to open one at a time. "
                "The Going further tasks are folded away for when you have finished.",
            )
        return TrackNote(
            "Experienced track",
            lead="The terms and hints are folded away; each section ends with Going "
            "further tasks. Pair with someone on the novice track when you can.",
        )

    def how_to_use(self) -> TrackNote:
        """The "How to use this notebook" card: open on the novice track, one line otherwise.

        It says how to run a cell and every cell, what a kernel is, how to restart it and
        what to do when a cell fails, in the words of JupyterLab's menus.

        Examples
        --------
        >>> print(track_guide("experienced").how_to_use())
        Experienced track: the "How to use this notebook" card is skipped (switch to the \
novice track to see it).
        """
        if not self.novice:
            return TrackNote(
                "",
                lead='Experienced track: the "How to use this notebook" card is skipped '
                "(switch to the novice track to see it).",
            )
        return TrackNote(
            "How to use this notebook (novice track)",
            HOW_TO_USE,
            lead="A notebook mixes text with cells of code that you run one at a time, "
            "from the top down.",
        )

    def terms(
        self,
        glossary: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        title: str = "The terms you will need",
    ) -> Glossary | TrackNote:
        """The terms a section uses: pop-outs on the novice track, one line otherwise.

        Parameters
        ----------
        glossary : mapping of term to meaning, or (term, meaning) pairs
        title : str

        Examples
        --------
        >>> track_guide("novice").terms({"trial": "one try of one set of settings"})
        The terms you will need (open one with Enter):
        - trial: one try of one set of settings
        >>> track_guide("experienced").terms({"trial": "one try"})
        Experienced track: the terms are skipped (switch to the novice track to see them).
        """
        pairs = tuple(glossary.items() if isinstance(glossary, Mapping) else glossary)
        if not pairs:
            raise ConfigError("Track.terms needs at least one (term, meaning). Got none.")
        if self.novice:
            return Glossary(terms=pairs, title=f"{title} (open one with Enter)")
        return TrackNote(
            "",
            lead="Experienced track: the terms are skipped (switch to the novice track to "
            "see them).",
        )

    def hints(self, *hints: str, title: str = "Hints") -> TrackNote:
        """Hints, one pop-out each on the novice track; a pointer on the experienced track.

        Examples
        --------
        >>> print(track_guide("novice").hints("Look at the gate's checks.", "Read gate.json."))
        Hints (novice track): open one at a time
        - Hint 1: Look at the gate's checks.
        - Hint 2: Read gate.json.
        """
        if not hints:
            raise ConfigError("Track.hints needs at least one hint. Got none.")
        if self.novice:
            return TrackNote(
                f"{title} (novice track): open one at a time",
                tuple((f"Hint {i}", h) for i, h in enumerate(hints, start=1)),
                folded=True,
            )
        return TrackNote(
            "",
            lead=f"Experienced track: {len(hints)} hint(s) for this activity are on the "
            "novice track.",
        )

    def going_further(self, tasks: Sequence[str], *, title: str = "Going further") -> TrackNote:
        """Extension tasks: open on the experienced track, folded on the novice track.

        Examples
        --------
        >>> print(track_guide("experienced").going_further(["Run it again with seed 1."]))
        Going further (experienced track)
        1. Run it again with seed 1.
        """
        if isinstance(tasks, str) or not tasks:
            raise ConfigError(
                f"Track.going_further needs a list of one or more tasks. Got {tasks!r} instead."
            )
        if self.novice:
            return TrackNote(
                f"{title} (for when you have finished)",
                tuple((f"Task {i}", t) for i, t in enumerate(tasks, start=1)),
                folded=True,
            )
        items = tuple(("", t) for t in tasks)
        return TrackNote(f"{title} (experienced track)", items, numbered=True)


def track_guide(track: str) -> Track:
    """Check a notebook's ``track`` parameter and return its :class:`Track`.

    Parameters
    ----------
    track : {"novice", "experienced"}

    Raises
    ------
    ConfigError
        For any other value, naming the two tracks and suggesting the nearest.

    Examples
    --------
    >>> track_guide("experienced").novice
    False
    >>> track_guide("novise")
    Traceback (most recent call last):
    ...
    mlops_kit.errors.ConfigError: The 'track' parameter must be one of 'novice', \
'experienced'. Got 'novise' instead. Did you mean 'novice'?
    """
    if track not in TRACKS:
        raise ConfigError(
            "The 'track' parameter must be one of "
            + ", ".join(repr(t) for t in TRACKS)
            + f". Got {track!r} instead."
            + (did_you_mean(track, TRACKS) if isinstance(track, str) else "")
        )
    return Track(track)  # type: ignore[arg-type]
