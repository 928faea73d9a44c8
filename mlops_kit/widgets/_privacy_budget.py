"""Privacy-budget widget: publish noisy statistics from a budget that cannot be overspent.

:class:`PrivacyBudgetWidget` over :func:`publish`: choose a statistic (a
:class:`Release`, such as those of :data:`CONTACT_RELEASES`) and an epsilon, press
Publish, and see the noisy value released and the budget that is left; a release that
would overspend the budget is refused in words and nothing is published. It works with
the keyboard alone, labels every control and says everything in words; CSS classes start
``mlops-privacy-``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np

from ..errors import ConfigError, DataValidationError, PrivacyError
from ..privacy import NoisyStatistic, PrivacyBudget, laplace_bounded_mean, laplace_count
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CONTACT_RELEASES", "PrivacyBudgetWidget", "Release", "publish"]


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
