"""Continuous training: replay batches, monitor, retrain on a trigger, gate, compare, promote.

:func:`simulate` replays a dataset's time-ordered batches (the benefit-claims months,
the admissions weeks) as if they arrived one at a time. At each batch it monitors the
champion (feature drift against its training batches, prediction drift, performance and
fairness on the newest batch whose labels have arrived); when a trigger fires (drift,
performance decay, a schedule or enough new labelled rows) it tunes and trains a
challenger on a sliding or expanding window, gates it with the governance policy on
recent labelled batches it never saw and compares it with the champion there. Only a
challenger the gate promotes, that beats the champion by the margin and that lowers no
group's four-fifths ratio beyond chance (the fairness guardrail) replaces it, and not
while the champion carries a fairness alert (the promotion is held for a person); a
policy needing a named approver keeps the champion, because a simulation never
approves on anyone's behalf. Every model is registered in the model registry (as
``<model name>-replay``) and its ``challenger`` and ``champion`` aliases are moved
there. Every decision is written in words to ``timeline.json`` and ``timeline.csv``
and recorded in the audit log; a stopped replay resumes from its last completed
batch, recording and registering nothing twice. :func:`replay_folder` names a folder
after the replay's config and data, so that the same replay resumes there and a changed
one starts beside it (a folder holding a replay of another config is refused).

Modules: ``_steps`` (batches, fitting, monitoring, challengers, the fairness
guardrail), ``_batch`` (one batch of the replay: observe, triggers, train, decide,
promote), ``_state`` (the replay's typed state and its checkpoint), ``_context`` (the
replay's audit log, registry and policy), ``_simulate`` (the loop), ``_register`` (the
replay's models in the registry), ``_result`` (timeline, summary figures, the figure
over time). The ``continuous`` config section is :class:`mlops_kit.config.ContinuousSettings`.
"""

from ..config import COMPARISON_METRICS, ContinuousSettings
from ._register import replay_model_name
from ._result import SimulationResult, performance_figure, read_timeline, summarise
from ._simulate import replay_folder, simulate

__all__ = [
    "COMPARISON_METRICS",
    "ContinuousSettings",
    "SimulationResult",
    "performance_figure",
    "read_timeline",
    "replay_folder",
    "replay_model_name",
    "simulate",
    "summarise",
]
