"""A/B testing of model versions: champion against challenger, decided by a rule set in advance.

* **Plan**: write a :class:`DecisionRule` (metric, minimum detectable effect,
  significance, power, guardrails, fixed or sequential) and :meth:`~DecisionRule.register`
  it, which records a timestamp and a SHA-256 hash so it can be shown later that it was
  not changed after the data came in. :func:`sample_size` gives the cases needed.
* **Split**: :func:`assign_arms` sends cases to an arm at random (seeded) or by a hash
  of the case id (the same case always meets the same model); :func:`check_balance`
  catches a sample ratio mismatch.
* **Test**: :func:`two_proportion_test` and :func:`bootstrap_difference` (any metric,
  e.g. ROC AUC), checked against statsmodels and scipy in the tests (the chi-square,
  McNemar and always-valid sequential tests behind the analyses are in ``_stats`` and
  ``_sequential``). A sequential design uses an always-valid test (mSPRT) you may look at
  as often as you like; :func:`simulate_peeking` shows why that matters and
  :func:`simulate_power` what a design can detect.
* **Decide**: :func:`analyse_experiment` applies the rule and says, in words, whether
  to promote the challenger, keep the champion, keep collecting data, or stop because a
  guardrail broke. :func:`compare_shadow` does the same for shadow mode.
* **Practise**: :func:`live_traffic` builds live-like champion/challenger traffic from
  the bundled benefit claims (both models' decisions on every later claim, split by a
  hash of the claim id); :func:`monthly_looks` what an analyst sees looking every
  month, naive and sequential.

Importing this module loads neither scipy nor statsmodels.
"""

from ._analysis import ABTestResult, analyse_experiment
from ._bootstrap import bootstrap_difference
from ._design import BalanceCheck, SampleSize, assign_arms, check_balance, sample_size
from ._rule import DecisionRule, Guardrail, RegisteredRule
from ._shadow import ShadowResult, compare_shadow
from ._simulate import PeekingResult, PowerSimulation, simulate_peeking, simulate_power
from ._stats import TestResult, two_proportion_test
from ._traffic import LiveTraffic, live_traffic, monthly_looks
from ._verdict import Verdict

__all__ = [
    "ABTestResult",
    "BalanceCheck",
    "DecisionRule",
    "Guardrail",
    "LiveTraffic",
    "PeekingResult",
    "PowerSimulation",
    "RegisteredRule",
    "SampleSize",
    "ShadowResult",
    "TestResult",
    "Verdict",
    "analyse_experiment",
    "assign_arms",
    "bootstrap_difference",
    "check_balance",
    "compare_shadow",
    "live_traffic",
    "monthly_looks",
    "sample_size",
    "simulate_peeking",
    "simulate_power",
    "two_proportion_test",
]
