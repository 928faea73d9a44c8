"""Privacy widgets: a k-anonymity explorer and a privacy-budget release desk.

* :class:`KAnonymityExplorer` over :func:`mlops_kit.privacy.explore_anonymity`: tick
  the quasi-identifiers, choose how to generalise age and postcode, set k, and read the
  table's k, the groups that are too small (by name) and, with a sensitive column, its
  l-diversity; optionally suppress the small groups that remain.
* :class:`PrivacyBudgetWidget` over :func:`publish`: choose a statistic and an epsilon,
  press Publish, and see the noisy value released and the budget that is left; a release
  that would overspend the budget is refused in words and nothing is published.

Both work with the keyboard alone (Tab to a control; Space ticks a box or presses a
button; arrow keys move through a list), label every control, and say everything in
words (never colour alone). CSS classes start ``mlops-privacy-``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np

from ..errors import ConfigError, DataValidationError, PrivacyError
from ..privacy import (
    AGE_GENERALISATIONS,
    POSTCODE_LEVELS,
    AnonymityView,
    NoisyStatistic,
    PrivacyBudget,
    explore_anonymity,
    laplace_bounded_mean,
    laplace_count,
)
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONTACT_RELEASES",
    "KAnonymityExplorer",
    "PrivacyBudgetWidget",
    "Release",
    "publish",
]


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


# --- Privacy budget -------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """A statistic that can be published with noise.

    ``kind="count"`` counts the rows where ``column`` equals ``equals`` (or, with
    ``at_least``, is at least that number); ``kind="mean"`` averages ``column`` clipped
    to ``[lower, upper]``.
    """

    label: str
    kind: Literal["count", "mean"]
    column: str
    equals: Any = None
    at_least: float | None = None
    lower: float | None = None
    upper: float | None = None

    def true_value(self, df: pd.DataFrame) -> float:
        """The exact statistic (for teaching only: a real release never shows it)."""
        values = df[self.column]
        if self.kind == "count":
            return float(self._mask(df).sum())
        lower, upper = self._bounds()
        return float(values.astype(float).clip(lower, upper).mean())

    def _mask(self, df: pd.DataFrame) -> np.ndarray:
        values = df[self.column]
        if self.at_least is not None:
            return (values.astype(float) >= self.at_least).to_numpy()
        return (values == self.equals).to_numpy()

    def _bounds(self) -> tuple[float, float]:
        if self.lower is None or self.upper is None:
            raise ConfigError(f"The mean release {self.label!r} needs lower and upper bounds.")
        return float(self.lower), float(self.upper)


#: Statistics of the fake raw contacts extract a lesson can publish.
CONTACT_RELEASES = (
    Release("People needing housing support", "count", "support_need", equals="housing"),
    Release(
        "People needing mental-health support", "count", "support_need", equals="mental health"
    ),
    Release("People aged 80 or over", "count", "age", at_least=80),
    Release("Mean age (clipped to 16-100)", "mean", "age", lower=16, upper=100),
    Release("Mean household size (clipped to 1-8)", "mean", "household_size", lower=1, upper=8),
)


def publish(
    df: pd.DataFrame,
    release: Release,
    *,
    epsilon: float,
    budget: PrivacyBudget,
    rng: np.random.Generator | int | None = None,
) -> NoisyStatistic:
    """Publish one statistic with Laplace noise, charging ``epsilon`` to ``budget``.

    Raises
    ------
    BudgetExceededError
        The budget cannot pay; nothing is published.

    Examples
    --------
    >>> from mlops_kit.privacy import load_raw_contacts
    >>> budget = PrivacyBudget(1.0)
    >>> s = publish(load_raw_contacts(), CONTACT_RELEASES[0], epsilon=0.5, budget=budget, rng=0)
    >>> s.label, budget.remaining
    ('People needing housing support', 0.5)
    """
    if release.column not in df.columns:
        raise DataValidationError(
            f"The release {release.label!r} needs column '{release.column}', which the table "
            "does not have.",
            column=release.column,
        )
    if release.kind == "count":
        return laplace_count(
            release._mask(df), epsilon=epsilon, budget=budget, label=release.label, rng=rng
        )
    lower, upper = release._bounds()
    return laplace_bounded_mean(
        df[release.column],
        lower=lower,
        upper=upper,
        epsilon=epsilon,
        budget=budget,
        label=release.label,
        rng=rng,
    )


class PrivacyBudgetWidget(StaticSnapshot, widgets.VBox):
    """Choose a statistic and an epsilon, press Publish; overspending is refused in words.

    Parameters
    ----------
    df : pandas.DataFrame
    releases : sequence of Release, default CONTACT_RELEASES
    epsilon_total : float, default 1.0
        The budget shared by every release.
    seed : int or None, default 0
        Seeds the noise so a lesson is reproducible; ``None`` for fresh noise.
    show_truth : bool, default False
        Also show each statistic's true value, for teaching; a real release never would.

    Attributes
    ----------
    statistic : ipywidgets.Dropdown
    epsilon : ipywidgets.BoundedFloatText
    publish_button : ipywidgets.Button
    budget : PrivacyBudget
    releases : tuple of NoisyStatistic
    message : str
        What the last press did, in words.

    Examples
    --------
    >>> from mlops_kit.privacy import load_raw_contacts
    >>> w = PrivacyBudgetWidget(load_raw_contacts(), epsilon_total=1.0)
    >>> w.epsilon.value = 0.6
    >>> w.publish_button.click()
    >>> w.publish_button.click()
    >>> w.message.startswith("Refused")
    True
    >>> len(w.releases), w.budget.remaining
    (1, 0.4)
    """

    def __init__(
        self,
        df: pd.DataFrame,
        releases: Sequence[Release] = CONTACT_RELEASES,
        *,
        epsilon_total: float = 1.0,
        seed: int | None = 0,
        show_truth: bool = False,
    ) -> None:
        choices = list(releases)
        if not choices or not all(isinstance(r, Release) for r in choices):
            raise ConfigError(
                "The 'releases' parameter of PrivacyBudgetWidget must be a non-empty sequence "
                f"of Release. Got {releases!r} instead."
            )
        missing = [r.column for r in choices if r.column not in df.columns]
        if missing:
            raise DataValidationError(
                f"PrivacyBudgetWidget's releases need column(s) {', '.join(missing)}, which "
                "the table does not have.",
                column=missing[0],
            )
        self._df, self._show_truth = df, bool(show_truth)
        self._budget = PrivacyBudget(epsilon_total, name="this session's releases")
        self._rng = np.random.default_rng(seed)
        self._releases: list[NoisyStatistic] = []
        self._truth: list[float] = []
        self._message = "Nothing published yet."
        style = {"description_width": "initial"}
        self._help = widgets.HTML(
            "<p>Every statistic published about the same people spends part of one privacy "
            "budget (epsilon). A smaller epsilon adds more noise. Choose a statistic and an "
            "epsilon, then press Publish (Tab to the button, then Space or Enter). A release "
            "that would overspend the budget is refused.</p>"
        )
        self._statistic = widgets.Dropdown(
            options=[(r.label, i) for i, r in enumerate(choices)], value=0,
            description="Statistic", style=style,
        )  # fmt: skip
        self._choices = choices
        self._epsilon = widgets.BoundedFloatText(
            value=min(0.25, float(epsilon_total)), min=0.01, max=10.0, step=0.05,
            description="Epsilon for this release", style=style,
        )  # fmt: skip
        self._button = widgets.Button(
            description="Publish",
            tooltip="Publish the statistic with noise and charge epsilon to the budget",
            icon="upload",
        )
        self._status = widgets.HTML()
        self._table = widgets.HTML()
        for widget, css in (
            (self._help, "mlops-privacy-budget-help"),
            (self._statistic, "mlops-privacy-budget-statistic"),
            (self._epsilon, "mlops-privacy-budget-epsilon"),
            (self._button, "mlops-privacy-budget-publish"),
            (self._status, "mlops-privacy-budget-message"),
            (self._table, "mlops-privacy-budget-table"),
        ):
            widget.add_class(css)
        self._button.on_click(lambda _button: self.submit())
        super().__init__(
            children=[
                self._help,
                self._statistic,
                self._epsilon,
                self._button,
                self._status,
                self._table,
            ]
        )
        self.add_class("mlops-privacy-budget-widget")
        self._render()

    @property
    def statistic(self) -> widgets.Dropdown:
        """Which statistic to publish (its value is the index into the releases)."""
        return self._statistic

    @property
    def epsilon(self) -> widgets.BoundedFloatText:
        """The epsilon to spend on the next release."""
        return self._epsilon

    @property
    def publish_button(self) -> widgets.Button:
        """The Publish button."""
        return self._button

    @property
    def budget(self) -> PrivacyBudget:
        """The budget every release is charged to."""
        return self._budget

    @property
    def releases(self) -> tuple[NoisyStatistic, ...]:
        """The statistics published so far."""
        return tuple(self._releases)

    @property
    def message(self) -> str:
        """What the last press did, in words."""
        return self._message

    def submit(self) -> NoisyStatistic | None:
        """Publish the chosen statistic (what the button does); None when refused."""
        release = self._choices[int(self._statistic.value)]
        try:
            published = publish(
                self._df,
                release,
                epsilon=float(self._epsilon.value),
                budget=self._budget,
                rng=self._rng,
            )
        except (PrivacyError, ConfigError) as exc:
            self._message = f"Refused: {exc}"
            self._render()
            return None
        self._releases.append(published)
        self._truth.append(release.true_value(self._df))
        self._message = f"Published. {published.describe()} {self._budget.summary()}"
        self._render()
        return published

    def _table_html(self) -> str:
        if not self._releases:
            return "<p>No statistic published yet.</p>"
        head = ["statistic", "epsilon", "published value", "noise within (95%)"]
        if self._show_truth:
            head.append("true value (teaching only)")
        rows = ""
        for release, truth in zip(self._releases, self._truth, strict=True):
            cells = [
                f"{release.epsilon:g}",
                f"{release.value:.1f}",
                f"±{release.margin95:.3g}",
            ]
            if self._show_truth:
                cells.append(f"{truth:.1f}")
            rows += (
                f"<tr><th scope='row'>{html.escape(release.label)}</th>"
                + "".join(f"<td>{c}</td>" for c in cells)
                + "</tr>"
            )
        header = "".join(f"<th scope='col'>{h}</th>" for h in head)
        return (
            "<table class='mlops-privacy-releases'><caption>Statistics published so far"
            f"</caption><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"
        )

    def _render(self) -> None:
        self._status.value = (
            f"<p role='status'>{html.escape(self._message)}</p>"
            f"<p>{html.escape(self._budget.summary())}</p>"
        )
        self._table.value = self._table_html()

    def _snapshot_text(self) -> str:
        return f"Privacy budget. {self._message} {self._budget.summary()}"

    def _snapshot_html(self) -> str:
        return (
            f"<div class='mlops-privacy-budget-widget'>{self._status.value}"
            f"{self._table_html()}</div>"
        )
