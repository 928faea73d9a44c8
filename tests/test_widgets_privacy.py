"""The privacy widgets, driven as a learner would without a browser: tick, choose, click, read.

Numbers are checked against pandas group sizes and the privacy functions called directly;
widgets are found by the CSS classes that browser tests select on.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_kit.errors import ConfigError, DataValidationError
from mlops_kit.privacy import (
    PrivacyBudget,
    age_band,
    laplace_count,
    load_raw_contacts,
    truncate_postcode,
)
from mlops_kit.widgets import KAnonymityExplorer, PrivacyBudgetWidget
from mlops_kit.widgets._privacy_budget import CONTACT_RELEASES, Release, publish


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    return load_raw_contacts()


def find(widget: Any, css_class: str) -> list[Any]:
    found = [widget] if css_class in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css_class)
    return found


def only(widget: Any, css_class: str) -> Any:
    matches = find(widget, css_class)
    assert len(matches) == 1, f"expected one widget with class {css_class}, got {len(matches)}"
    return matches[0]


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def smallest_group(df: pd.DataFrame, cols: list[str]) -> int:
    return int(df.groupby(cols, observed=True).size().min())


# --- k-anonymity explorer ---------------------------------------------------------------------


def test_explorer_starts_on_the_raw_quasi_identifiers(contacts: pd.DataFrame) -> None:
    explorer = KAnonymityExplorer(contacts, sensitive="support_need")
    cols = ["age", "sex", "postcode"]
    assert explorer.result.result.k == smallest_group(contacts, cols) == 1
    echo = only(explorer, "mlops-privacy-kanon-echo").value
    assert echo.startswith("k = 1 on age, sex, postcode; the table fails")
    report = text_of(only(explorer, "mlops-privacy-kanon-report").value)
    assert "Groups with fewer than 5 rows, smallest first" in report
    assert "l = 1 for 'support_need'" in report


def test_generalising_age_and_postcode_reaches_k(contacts: pd.DataFrame) -> None:
    explorer = KAnonymityExplorer(contacts)
    explorer.age.value = "10-year bands"
    explorer.postcode.value = "district"
    manual = contacts.assign(
        age=age_band(contacts["age"], 10), postcode=truncate_postcode(contacts["postcode"])
    )
    cols = ["age", "sex", "postcode"]
    assert explorer.result.result.k == smallest_group(manual, cols)
    offending = explorer.result.result.offending
    sizes = manual.groupby(cols, observed=True).size()
    assert len(offending) == (sizes < 5).sum()
    explorer.age.value = "10-year bands, under 30 to 70+"
    explorer.postcode.value = "area"
    assert explorer.result.result.passed
    assert "the table passes: every group has at least 5 rows" in explorer.message
    explorer.k_input.value = 10
    assert not explorer.result.result.passed
    assert explorer.result.result.target == 10


def test_unticking_a_column_and_suppressing(contacts: pd.DataFrame) -> None:
    explorer = KAnonymityExplorer(contacts)
    explorer.postcode.value = "district"
    explorer.age.value = "10-year bands"
    at_risk = explorer.result.result.rows_at_risk
    explorer.suppress.value = True
    assert explorer.result.suppressed_rows == at_risk
    assert explorer.result.result.passed
    assert f"Suppression removed {at_risk:,} of 1,500 rows" in text_of(
        only(explorer, "mlops-privacy-kanon-report").value
    )
    explorer.suppress.value = False
    explorer.checkboxes["sex"].value = False
    assert explorer.result.result.quasi_identifiers == ("age", "postcode")
    assert explorer.result.result.k == smallest_group(
        contacts.assign(
            age=age_band(contacts["age"], 10), postcode=truncate_postcode(contacts["postcode"])
        ),
        ["age", "postcode"],
    )
    for box in explorer.checkboxes.values():
        box.value = False
    assert explorer.message == "Tick at least one quasi-identifier to measure k."


def test_explorer_reports_a_choice_it_cannot_measure(contacts: pd.DataFrame) -> None:
    explorer = KAnonymityExplorer(contacts)
    explorer.suppress.value = True  # exact age and full postcode: every row would go
    assert explorer.message.startswith("Cannot measure this choice:")
    assert "removes all 1,500 rows" in explorer.message


def test_explorer_controls_are_labelled_and_classed(contacts: pd.DataFrame) -> None:
    explorer = KAnonymityExplorer(contacts)
    assert "mlops-privacy-kanon-explorer" in explorer._dom_classes
    assert len(find(explorer, "mlops-privacy-kanon-column")) == 3
    for control in (
        *explorer.checkboxes.values(),
        explorer.age,
        explorer.postcode,
        explorer.k_input,
        explorer.suppress,
    ):
        assert control.description.strip()
    bundle = explorer._repr_mimebundle_()
    assert bundle is not None
    assert bundle["text/plain"].startswith("k-anonymity explorer. Age as exact age")
    assert "Groups with fewer than 5 rows" in bundle["text/html"]


def test_explorer_rejects_bad_arguments(contacts: pd.DataFrame) -> None:
    with pytest.raises(DataValidationError, match="Did you mean 'postcode'"):
        KAnonymityExplorer(contacts, columns=("age", "postcod"))
    with pytest.raises(ConfigError, match="'k' parameter of k_anonymity"):
        KAnonymityExplorer(contacts, k=0)


# --- Privacy budget ----------------------------------------------------------------------------


def test_publishing_spends_the_budget_and_refuses_overspending(contacts: pd.DataFrame) -> None:
    widget = PrivacyBudgetWidget(contacts, epsilon_total=1.0, seed=5)
    widget.statistic.value = 0  # people needing housing support
    widget.epsilon.value = 0.6
    widget.publish_button.click()
    assert len(widget.releases) == 1
    expected = laplace_count(
        contacts["support_need"] == "housing", epsilon=0.6, rng=np.random.default_rng(5)
    )
    assert widget.releases[0].value == expected.value
    assert widget.message.startswith("Published. People needing housing support:")
    widget.statistic.value = 3  # mean age
    widget.publish_button.click()  # 0.6 more would take the total to 1.2
    assert len(widget.releases) == 1
    assert widget.budget.spent == pytest.approx(0.6)
    status = text_of(only(widget, "mlops-privacy-budget-message").value)
    assert status.startswith("Refused: The privacy budget")
    assert "only 0.4 is left" in status
    widget.epsilon.value = 0.4
    widget.publish_button.click()
    assert widget.budget.remaining == 0
    table = text_of(only(widget, "mlops-privacy-budget-table").value)
    assert "Mean age (clipped to 16-100)" in table
    assert "true value" not in table


def test_teaching_mode_shows_the_true_values(contacts: pd.DataFrame) -> None:
    widget = PrivacyBudgetWidget(contacts, show_truth=True)
    widget.publish_button.click()
    table = text_of(only(widget, "mlops-privacy-budget-table").value)
    truth = int((contacts["support_need"] == "housing").sum())
    assert "true value (teaching only)" in table
    assert f"{truth:.1f}" in table


def test_budget_widget_is_labelled_and_leaves_a_snapshot(contacts: pd.DataFrame) -> None:
    widget = PrivacyBudgetWidget(contacts)
    for control in (widget.statistic, widget.epsilon, widget.publish_button):
        assert control.description.strip()
    assert "mlops-privacy-budget-widget" in widget._dom_classes
    bundle = widget._repr_mimebundle_()
    assert bundle is not None
    assert "Nothing published yet." in bundle["text/plain"]
    assert "0 of 1 spent on 0 releases" in bundle["text/plain"]


def test_publish_is_the_plain_function_behind_the_button(contacts: pd.DataFrame) -> None:
    budget = PrivacyBudget(1.0)
    mean = publish(contacts, CONTACT_RELEASES[3], epsilon=0.5, budget=budget, rng=0)
    assert mean.sensitivity == pytest.approx((100 - 16) / len(contacts))
    assert budget.spends[0].label == "Mean age (clipped to 16-100)"
    assert budget.spends[0].mechanism == "Laplace bounded mean"
    old = publish(contacts, CONTACT_RELEASES[2], epsilon=0.5, budget=budget, rng=0)
    count = int((contacts["age"] >= 80).sum())
    assert old.value == laplace_count(count, epsilon=0.5, rng=0).value
    with pytest.raises(DataValidationError, match="needs column 'income'"):
        publish(contacts, Release("x", "count", "income", equals=1), epsilon=0.1, budget=budget)


def test_budget_widget_rejects_bad_arguments(contacts: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="non-empty sequence of Release"):
        PrivacyBudgetWidget(contacts, [])
    with pytest.raises(DataValidationError, match="need column"):
        PrivacyBudgetWidget(contacts, [Release("x", "count", "income", equals=1)])
    with pytest.raises(ConfigError, match="'epsilon_total' parameter"):
        PrivacyBudgetWidget(contacts, epsilon_total=0)
