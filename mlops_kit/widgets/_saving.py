"""Saving from a form: call the model's save function and keep what went wrong, in words.

The forms that save a learner's work (:class:`~mlops_kit.widgets.PollWidget`,
:class:`~mlops_kit.widgets.SelfCheckForm`, :class:`~mlops_kit.widgets.PeerFeedbackForm`,
:class:`~mlops_kit.widgets.DesignForm`) share one step: call the model's save function,
then show a status message. A record the model refuses and a shared folder that cannot
be written are not errors to raise in a lesson but things to say; :func:`attempt_save`
returns a :class:`SaveAttempt` holding what was saved or why not, and each form words
the outcome in its own status line.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["SaveAttempt", "attempt_save"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class SaveAttempt(Generic[_T]):
    """What saving gave: the saved value, or why it was not saved.

    Attributes
    ----------
    value : object or None
        What the save function returned (such as the file written); None if not saved.
    refusal : str or None
        The model's refusal in words (the rules the record breaks).
    unwritable : str or None
        Why the file could not be written (the operating system's reason).
    """

    value: _T | None = None
    refusal: str | None = None
    unwritable: str | None = None

    @property
    def saved(self) -> bool:
        """True when the save function returned."""
        return self.refusal is None and self.unwritable is None

    def unwritable_html(self, what: str) -> str:
        """The status line for a folder that cannot be written: ``what`` was not saved."""
        return (
            f"<p>Sorry, {what} could not be saved "
            f"({html.escape(self.unwritable or '')}). "
            "Please tell the facilitator.</p>"
        )


def attempt_save(
    save: Callable[[], _T],
    *,
    refused: tuple[type[Exception], ...] = (),
    unwritable: bool = True,
) -> SaveAttempt[_T]:
    """Call ``save``; a refusal (one of ``refused``) or an OSError becomes words.

    Parameters
    ----------
    save : callable
        Saves the form's record and returns what it wrote.
    refused : tuple of exception classes
        The model's refusals to report as :attr:`SaveAttempt.refusal` (``str(exc)``).
    unwritable : bool, default True
        Report an OSError as :attr:`SaveAttempt.unwritable` (its ``strerror``, else its
        class name); False lets it propagate.

    Examples
    --------
    >>> attempt_save(lambda: 1 / 0, refused=(ZeroDivisionError,)).refusal
    'division by zero'
    >>> attempt_save(lambda: open("/no/such/folder/answer.json", "w")).unwritable
    'No such file or directory'
    """
    try:
        return SaveAttempt(save())
    except refused as exc:
        return SaveAttempt(refusal=str(exc))
    except OSError as exc:
        if not unwritable:
            raise
        return SaveAttempt(unwritable=exc.strerror or type(exc).__name__)
