"""Privacy widgets: a k-anonymity explorer and a privacy-budget release desk.

* :class:`KAnonymityExplorer` over :func:`mlops_kit.privacy.explore_anonymity`: tick
  the quasi-identifiers, choose how to generalise age and postcode, set k, and read the
  table's k, the groups that are too small (by name) and, with a sensitive column, its
  l-diversity; optionally suppress the small groups that remain.
* :class:`~mlops_kit.widgets.PrivacyBudgetWidget` over ``publish`` (``_privacy_budget``):
  choose a statistic and an epsilon, press Publish, and see the noisy value released and
  the budget that is left; a release that would overspend the budget is refused in words
  and nothing is published.

Both work with the keyboard alone (Tab to a control; Space ticks a box or presses a
button; arrow keys move through a list), label every control, and say everything in
words (never colour alone). CSS classes start ``mlops-privacy-``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..errors import ConfigError, DataValidationError
from ..privacy import (
    AGE_GENERALISATIONS,
    POSTCODE_LEVELS,
    AnonymityView,
    explore_anonymity,
)
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KAnonymityExplorer"]


class KAnonymityExplorer(StaticSnapshot, widgets.VBox):
    """Tick quasi-identifiers, generalise age and postcode, set k, read the groups too small.

    Every change re-runs :func:`explore_anonymity` and writes the table's k, the smallest
    groups by name and (with ``sensitive``) the l-diversity; a short line (CSS class
    ``mlops-privacy-kanon-echo``) repeats the verdict for screen readers and browser tests.

    Parameters
    ----------
    df : pandas.DataFrame
    columns : sequence of str, default ("age", "sex", "postcode")
        The candidate quasi-identifiers, each with a tick box (all ticked at first).
    k : int, default 5
    sensitive : str, optional
        A sensitive column for l-diversity, such as ``"support_need"``.
    age_column, postcode_column : str
        The columns the age and postcode choices apply to.

    Attributes
    ----------
    checkboxes : dict of str to ipywidgets.Checkbox
    age, postcode : ipywidgets.Dropdown
    k_input : ipywidgets.BoundedIntText
    suppress : ipywidgets.Checkbox
    result : AnonymityView

    Examples
    --------
    >>> from mlops_kit.privacy import load_raw_contacts
    >>> explorer = KAnonymityExplorer(load_raw_contacts())
    >>> explorer.result.result.k
    1
    >>> explorer.age.value = "10-year bands, under 30 to 70+"
    >>> explorer.postcode.value = "area"
    >>> explorer.result.result.k, explorer.result.result.passed
    (9, True)
    """

    _result: AnonymityView

    def __init__(
        self,
        df: pd.DataFrame,
        *,
        columns: Sequence[str] = ("age", "sex", "postcode"),
        k: int = 5,
        sensitive: str | None = None,
        age_column: str = "age",
        postcode_column: str = "postcode",
    ) -> None:
        self._df, self._sensitive = df, sensitive
        self._age_column, self._postcode_column = age_column, postcode_column
        cols = [str(c) for c in columns]
        # Computing first validates every argument before any widget is built.
        self._result = explore_anonymity(
            df, cols, k=k, sensitive=sensitive, age_column=age_column,
            postcode_column=postcode_column,
        )  # fmt: skip
        self._help = widgets.HTML(
            "<p>Tick the columns someone could know about a person (quasi-identifiers), "
            "choose how coarsely to show age and postcode, and set k. Use Tab to move between "
            "controls, Space to tick a box, and the arrow keys in a list. The text below says "
            "how small the smallest group is and names the groups that are too small.</p>"
        )
        self._boxes = {
            c: widgets.Checkbox(
                value=True,
                description=f"Quasi-identifier: {c}",
                indent=False,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            for c in cols
        }
        self._build_settings(k)
        self._report = widgets.HTML()
        self._echo = widgets.Label()
        for widget, css in (
            (self._help, "mlops-privacy-kanon-help"),
            (self._age, "mlops-privacy-kanon-age"),
            (self._postcode, "mlops-privacy-kanon-postcode"),
            (self._k, "mlops-privacy-kanon-k"),
            (self._suppress, "mlops-privacy-kanon-suppress"),
            (self._report, "mlops-privacy-kanon-report"),
            (self._echo, "mlops-privacy-kanon-echo"),
        ):
            widget.add_class(css)
        for box in self._boxes.values():
            box.add_class("mlops-privacy-kanon-column")
        super().__init__(
            children=[
                self._help,
                *self._boxes.values(),
                self._age,
                self._postcode,
                self._k,
                self._suppress,
                self._echo,
                self._report,
            ]
        )
        self.add_class("mlops-privacy-kanon-explorer")
        self._render()
        for control in (*self._boxes.values(), self._age, self._postcode, self._k, self._suppress):
            control.observe(self._on_change, names="value")

    def _build_settings(self, k: int) -> None:
        """How age and postcode are shown, k, and whether to suppress the small groups."""
        style = {"description_width": "initial"}
        # Wide enough to show the longest choice whole.
        wide = widgets.Layout(width="min(30em, 100%)")
        self._age = widgets.Dropdown(
            options=list(AGE_GENERALISATIONS), value="exact age", description="Age shown as",
            style=style, layout=wide,
        )  # fmt: skip
        self._postcode = widgets.Dropdown(
            options=list(POSTCODE_LEVELS), value="full postcode", description="Postcode shown as",
            style=style, layout=wide,
        )  # fmt: skip
        self._k = widgets.BoundedIntText(
            value=int(k), min=2, max=100, step=1, description="k (smallest group allowed)",
            style=style,
        )  # fmt: skip
        self._suppress = widgets.Checkbox(
            value=False,
            description="Suppress (remove) the groups still smaller than k",
            indent=False,
            style=style,
            layout=widgets.Layout(width="auto"),  # the whole description, never cut off
        )

    @property
    def checkboxes(self) -> dict[str, widgets.Checkbox]:
        """One tick box per candidate quasi-identifier."""
        return dict(self._boxes)

    @property
    def age(self) -> widgets.Dropdown:
        """How age is generalised (a key of AGE_GENERALISATIONS)."""
        return self._age

    @property
    def postcode(self) -> widgets.Dropdown:
        """How the postcode is generalised (one of POSTCODE_LEVELS)."""
        return self._postcode

    @property
    def k_input(self) -> widgets.BoundedIntText:
        """The k asked for."""
        return self._k

    @property
    def suppress(self) -> widgets.Checkbox:
        """Whether to remove the groups still smaller than k."""
        return self._suppress

    @property
    def result(self) -> AnonymityView:
        """The view for the current choices."""
        return self._result

    @property
    def message(self) -> str:
        """The echo line: the verdict in one sentence."""
        return str(self._echo.value)

    def _chosen(self) -> list[str]:
        return [c for c, box in self._boxes.items() if box.value]

    def _on_change(self, change: Any) -> None:
        chosen = self._chosen()
        if not chosen:
            self._echo.value = "Tick at least one quasi-identifier to measure k."
            self._report.value = f"<p>{html.escape(self._echo.value)}</p>"
            return
        try:
            self._result = explore_anonymity(
                self._df,
                chosen,
                k=int(self._k.value),
                age=str(self._age.value),
                postcode=str(self._postcode.value),
                age_column=self._age_column,
                postcode_column=self._postcode_column,
                suppress=bool(self._suppress.value),
                sensitive=self._sensitive,
            )
        except (ConfigError, DataValidationError) as exc:
            self._echo.value = f"Cannot measure this choice: {exc}"
            self._report.value = f"<p>{html.escape(str(exc))}</p>"
            return
        self._render()

    def _echo_text(self) -> str:
        r = self._result.result
        verdict = (
            f"passes: every group has at least {r.target} rows"
            if r.passed
            else f"fails: {len(r.offending):,} group(s) have fewer than {r.target} rows"
        )
        return f"k = {r.k} on {', '.join(r.quasi_identifiers)}; the table {verdict}."

    def _render(self) -> None:
        self._echo.value = self._echo_text()
        self._report.value = self._result.to_html()

    def _snapshot_text(self) -> str:
        return f"k-anonymity explorer. {self._result.summary()}"

    def _snapshot_html(self) -> str:
        return (
            f"<div class='mlops-privacy-kanon-explorer'><p>{html.escape(self._echo_text())}</p>"
            f"{self._result.to_html()}</div>"
        )
