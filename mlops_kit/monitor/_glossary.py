"""The monitoring terms in plain words, for the novice track of the monitoring lesson."""

from __future__ import annotations

__all__ = ["MONITORING_GLOSSARY"]

#: Each term of the monitoring and continuous-training lesson, for someone new to it.
MONITORING_GLOSSARY: dict[str, str] = {
    "reference window": "the data the model was trained on, or a period known to be normal. "
    "Each new batch is compared with it.",
    "data drift": "the inputs of a new batch are distributed differently from the reference "
    "(for example, many more online claims).",
    "prediction drift": "the model's scores are distributed differently. It needs no labels, "
    "so it is the earliest warning you get.",
    "performance decay": "the model is less accurate on new batches. It can only be measured "
    "once the true outcomes (labels) arrive, which for reviews takes weeks.",
    "p-value": "how surprising a difference would be if there were really no difference at "
    "all. It says nothing about how big the difference is.",
    "effect size": "how big a difference is, on a fixed scale (here PSI or the "
    "Jensen-Shannon distance), whatever the size of the batch.",
    "multiple testing correction": "an adjustment of the p-values for testing many features "
    "at once, so that chance alone does not raise an alarm most months.",
    "alert": "a message naming what crossed which threshold and the action the pipeline "
    "takes: retrain, or send to a person for review.",
    "champion and challenger": "the model in use, and a newly trained candidate to replace "
    "it. The challenger is promoted only if the gate allows and it is better.",
    "cool-down": "the months after a retrain during which no new retrain is triggered, so "
    "the loop does not churn out a model every month.",
}
