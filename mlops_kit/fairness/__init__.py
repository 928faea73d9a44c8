"""Group fairness: per-group metrics, disparity measures and the four-fifths rule.

The definitions are fairlearn's (``MetricFrame``, ``demographic_parity_difference``
and ``_ratio``, ``equalized_odds_difference`` and ``_ratio``), and the tests check
the numbers against fairlearn. For the confusion-matrix metrics, which are all a
fairness report needs, the counts come from one pass of :func:`numpy.bincount`
instead of ``MetricFrame``'s per-group Python calls: the same numbers, about 250 times
faster on large tables (``benchmarks/fairness_fast_path.py``).

Two rules of judgement are added on top:

* **Outcome direction.** When a positive prediction is *adverse* (a fraud flag),
  the four-fifths rule is applied to flag rates: a group fails when its flag rate
  is more than 1.25 times the least-flagged group's (their ratio is below 0.8).
  Applying it to "not flagged" rates instead would hide large disparities.
* **Insufficient data.** A group with fewer than ``min_group_size`` rows or
  ``min_group_positives`` actual positives is reported as "insufficient data",
  not pass or fail, and is left out of the headline disparity figures.

For choosing a metric without writing a ``groupby``, :func:`rates_by_group` gives every
group's counts and rates side by side at one threshold, and :func:`four_fifths_ratio`
turns a chosen column of rates into the four-fifths rule's ratio.

For a regression model, :func:`regression_fairness_report` compares the groups'
errors instead: each group's MAE, RMSE, mean prediction, mean actual value and mean
error (bias) as fairlearn's ``MetricFrame`` computes them, and the worst group's
error against the best group's, with bootstrap intervals resampled within groups.
"""

from ._counts import group_metrics
from ._rates import four_fifths_ratio, rates_by_group
from ._regression import regression_fairness_report
from ._regression_result import RegressionFairnessResult
from ._report import fairness_report
from ._result import FairnessResult

__all__ = [
    "FairnessResult",
    "RegressionFairnessResult",
    "fairness_report",
    "four_fifths_ratio",
    "group_metrics",
    "rates_by_group",
    "regression_fairness_report",
]
