"""Two views for explained decisions: pick a case and read why; play the caseworker.

* :class:`CaseExplorer` over :meth:`mlops_kit.explain.ModelExplanation.reason_codes` and
  :meth:`~mlops_kit.explain.ModelExplanation.waterfall`: choose a case from a labelled
  dropdown and read its reason codes and its waterfall (figure and description).
* :class:`ReviewDesk` over :meth:`mlops_kit.review.ReviewQueue.decide`: the next flagged
  case with the model's reasons and the case's details; the caseworker types their name
  and a reason, then accepts or overrides the flag. Every rule broken is said in words;
  a recorded decision names its audit entry, and the override rate so far is shown.

Both work with the keyboard alone (Tab between controls, arrow keys in the dropdown,
Enter or Space on buttons), label every control, and say everything in words.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..errors import ApprovalError, ConfigError, MlopsKitError
from ._static import StaticSnapshot

if TYPE_CHECKING:
    from ..explain import ModelExplanation, ReasonCodes
    from ..review import ReviewCase, ReviewDecision, ReviewQueue

__all__ = ["CaseExplorer", "ReviewDesk", "case_options"]


def case_options(
    explanation: ModelExplanation, cases: Sequence[int] | None = None, *, n: int = 12
) -> list[tuple[str, int]]:
    """Dropdown options for cases: the highest scores, then those just below the threshold.

    Each option reads "BC041234: score 0.81, flagged" so the choice is made in words.
    """
    import numpy as np

    if cases is None:
        top = explanation.top_cases(max(1, n - n // 3))
        picked = list(top)
        if explanation.threshold is not None:
            below = np.flatnonzero(explanation.scores < explanation.threshold)
            nearest = below[np.argsort(-explanation.scores[below], kind="stable")][: n // 3]
            picked += [int(i) for i in nearest if int(i) not in picked]
        cases = picked
    options = []
    for i in cases:
        codes = explanation.reason_codes(int(i))
        state = (
            ""
            if codes.predicted_positive is None
            else ", flagged"
            if codes.predicted_positive
            else ", not flagged"
        )
        options.append((f"{codes.case_id}: score {codes.score:.2f}{state}", int(i)))
    if not options:
        raise ConfigError("CaseExplorer needs at least one case to show.")
    return options


class CaseExplorer(StaticSnapshot, widgets.VBox):
    """Pick a case and read why the model scored it as it did.

    Parameters
    ----------
    explanation : ModelExplanation
    cases : sequence of int, optional
        Positions of the cases offered; default the highest scores and those just below
        the threshold (see :func:`case_options`).
    n_reasons : int, default 3
        Reasons each way.

    Attributes
    ----------
    case_dropdown : ipywidgets.Dropdown
        The case shown (its value is the case's position).
    result : ReasonCodes
        The reason codes of the case shown.
    """

    def __init__(
        self,
        explanation: ModelExplanation,
        *,
        cases: Sequence[int] | None = None,
        n_reasons: int = 3,
    ) -> None:
        self._explanation = explanation
        self._n_reasons = n_reasons
        options = case_options(explanation, cases)
        self._dropdown = widgets.Dropdown(
            options=options,
            value=options[0][1],
            description="Case",
            description_allow_html=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(32em, 100%)"),
        )
        self._reasons = widgets.HTML()
        self._figure = widgets.HTML()
        intro = widgets.HTML(
            value="<p>Choose a case to read the reasons for its score and how each feature "
            "moved it from the average case.</p>"
        )
        for widget, css in (
            (self._dropdown, "mlops-case-dropdown"),
            (self._reasons, "mlops-case-reasons"),
            (self._figure, "mlops-case-figure"),
        ):
            widget.add_class(css)
        self._result: ReasonCodes = explanation.reason_codes(options[0][1], n=n_reasons)
        self._dropdown.observe(lambda change: self.show(change["new"]), names="value")
        super().__init__(children=[intro, self._dropdown, self._reasons, self._figure])
        self.add_class("mlops-case-explorer")
        self.show(options[0][1])

    @property
    def case_dropdown(self) -> widgets.Dropdown:
        """The case chooser."""
        return self._dropdown

    @property
    def result(self) -> ReasonCodes:
        """The reason codes of the case shown."""
        return self._result

    def show(self, position: int) -> ReasonCodes:
        """Show the case at ``position`` (what choosing it in the dropdown does)."""
        codes = self._explanation.reason_codes(int(position), n=self._n_reasons)
        figure = self._explanation.waterfall(int(position))
        self._result = codes
        self._reasons.value = codes._repr_html_()
        self._figure.value = figure.to_html()
        figure.figure.clear()
        if self._dropdown.value != int(position):
            self._dropdown.value = int(position)
        return codes

    def _snapshot_text(self) -> str:
        return f"Case explorer. {self._result}"

    def _snapshot_html(self) -> str:
        return f"<p><strong>Case explorer.</strong></p>{self._result._repr_html_()}"


class ReviewDesk(StaticSnapshot, widgets.VBox):
    """The caseworker's desk: the next flagged case, its reasons, and Accept or Override.

    Parameters
    ----------
    queue : ReviewQueue
        Its pending cases are shown one at a time, in queue order.
    show_reasons : bool, default True
        Show the model's reason codes (set False to try reviewing without them).

    Attributes
    ----------
    reviewer_field : ipywidgets.Text
        The caseworker's name: required for every decision.
    reason_field : ipywidgets.Textarea
        Why: required to override.
    accept_button, override_button : ipywidgets.Button
    current : ReviewCase or None
        The case shown; None when nothing is waiting.
    result : ReviewDecision or None
        The last decision recorded here.
    problems : tuple of str
        The rules the last attempt broke.
    """

    def __init__(self, queue: ReviewQueue, *, show_reasons: bool = True) -> None:
        self._queue = queue
        self._show_reasons = show_reasons
        self._result: ReviewDecision | None = None
        self._problems: tuple[str, ...] = ()
        self._current: ReviewCase | None = None
        style = {"description_width": "initial"}
        self._heading = widgets.HTML()
        self._case = widgets.HTML()
        rules = widgets.HTML(
            value="<p>You decide, not the model. Type your full name, then accept the flag "
            "(the claim is investigated) or override it (it is not). Overriding needs a "
            f"written reason of at least {queue.min_reason_chars} characters saying what your "
            "review found. Decisions are final and recorded in the audit log.</p>"
        )
        self._reviewer = widgets.Text(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            description="Your full name (reviewer)",
            description_allow_html=False,
            placeholder="e.g. Jo Khan",
            style=style,
            layout=widgets.Layout(width="min(32em, 100%)"),
        )
        self._reason = widgets.Textarea(
            continuous_update=False,  # sent whole on blur, before a click (ipywidgets #252)
            description="Reason for your decision",
            description_allow_html=False,
            placeholder="What did your review find? Required to override.",
            style=style,
            layout=widgets.Layout(width="min(40em, 100%)", height="5em"),
        )
        self._accept = widgets.Button(
            description="Accept the flag",
            tooltip="The claim is investigated; recorded in the audit log",
            icon="check",
        )
        self._override = widgets.Button(
            description="Override the flag",
            tooltip="The claim is not investigated; needs a written reason",
            icon="times",
        )
        self._status = widgets.HTML()
        self._progress = widgets.HTML()
        for widget, css in (
            (self._heading, "mlops-review-heading"),
            (self._case, "mlops-review-case"),
            (rules, "mlops-review-rules"),
            (self._reviewer, "mlops-review-reviewer"),
            (self._reason, "mlops-review-reason"),
            (self._accept, "mlops-review-accept"),
            (self._override, "mlops-review-override"),
            (self._status, "mlops-review-status"),
            (self._progress, "mlops-review-progress"),
        ):
            widget.add_class(css)
        self._accept.on_click(lambda _button: self.decide("accept"))
        self._override.on_click(lambda _button: self.decide("override"))
        super().__init__(
            children=[
                self._heading,
                self._case,
                rules,
                self._reviewer,
                self._reason,
                widgets.HBox([self._accept, self._override]),
                self._status,
                self._progress,
            ]
        )
        self.add_class("mlops-review-desk")
        self._next()

    @property
    def reviewer_field(self) -> widgets.Text:
        """The caseworker's name."""
        return self._reviewer

    @property
    def reason_field(self) -> widgets.Textarea:
        """The written reason."""
        return self._reason

    @property
    def accept_button(self) -> widgets.Button:
        """Accept the model's flag."""
        return self._accept

    @property
    def override_button(self) -> widgets.Button:
        """Override the model's flag."""
        return self._override

    @property
    def current(self) -> ReviewCase | None:
        """The case shown, or None when nothing is waiting."""
        return self._current

    @property
    def result(self) -> ReviewDecision | None:
        """The last decision recorded here."""
        return self._result

    @property
    def problems(self) -> tuple[str, ...]:
        """The rules the last attempt broke."""
        return self._problems

    def _case_html(self, case: ReviewCase) -> str:
        rows = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(k)}</th>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in case.details.items()
        )
        reasons = (
            f"<p><strong>The model's reasons:</strong> {html.escape(case.reasons)}</p>"
            if self._show_reasons
            else "<p>The model's reasons are hidden for this exercise.</p>"
        )
        return (
            f"<p>The model scored this claim {case.score:.2f}; claims at or above "
            f"{case.threshold:.2f} are flagged for review.</p>{reasons}"
            f"<table><caption style='text-align:left'>The claim's details</caption>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _next(self) -> None:
        pending = self._queue.pending()
        self._current = pending[0] if pending else None
        total = len(self._queue.cases)
        if self._current is None:
            self._heading.value = "<h3>Review desk: no case is waiting</h3>"
            self._case.value = "<p>Every flagged case in the queue has been decided.</p>"
            for widget in (self._accept, self._override, self._reason):
                widget.disabled = True
        else:
            done = total - len(pending)
            self._heading.value = (
                f"<h3>Review desk: case {html.escape(self._current.case_id)} "
                f"({done + 1} of {total}; {len(pending)} waiting)</h3>"
            )
            self._case.value = self._case_html(self._current)
        report = self._queue.override_report()
        self._progress.value = f"<p>{html.escape(report.summary())}</p>"

    def decide(self, action: str) -> ReviewDecision | None:
        """Record the decision on the case shown (what the buttons do); None if refused."""
        if self._current is None:
            self._problems = ("No case is waiting.",)
            self._status.value = "<p role='status'>✗ Nothing to decide: no case is waiting.</p>"
            return None
        try:
            decision = self._queue.decide(
                self._current.case_id,
                action=action,
                reviewer=self._reviewer.value,
                reason=self._reason.value,
            )
        except ApprovalError as exc:
            self._problems = tuple(exc.problems)
            items = "".join(f"<li>{html.escape(p)}</li>" for p in self._problems)
            self._status.value = (
                f"<div role='status'><p>✗ Not recorded: case "
                f"{html.escape(self._current.case_id)} is still waiting. Correct this and "
                f"try again:</p><ul>{items}</ul></div>"
            )
            return None
        except MlopsKitError as exc:
            self._problems = (str(exc),)
            self._status.value = f"<p role='status'>✗ Not recorded: {html.escape(str(exc))}</p>"
            return None
        self._result, self._problems = decision, ()
        self._status.value = f"<p role='status'>✓ Recorded. {html.escape(decision.summary())}</p>"
        self._reason.value = ""
        self._next()
        return decision

    def accept(self) -> ReviewDecision | None:
        """Accept the flag on the case shown."""
        return self.decide("accept")

    def override(self) -> ReviewDecision | None:
        """Override the flag on the case shown."""
        return self.decide("override")

    def _snapshot_text(self) -> str:
        report = self._queue.override_report()
        shown = (
            f"Case {self._current.case_id} is waiting (score {self._current.score:.2f})."
            if self._current is not None
            else "No case is waiting."
        )
        last = f" Last decision: {self._result.summary()}" if self._result else ""
        return f"Review desk. {shown}{last} {report.summary()}"

    def _snapshot_html(self) -> str:
        return f"<p><strong>Review desk.</strong> {html.escape(self._snapshot_text()[13:])}</p>"
