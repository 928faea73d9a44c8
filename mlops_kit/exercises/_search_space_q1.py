"""Question 1 of the search_space exercise: a search space as config, checked by scikit-learn.

The learner writes a search space for the random forest (:data:`MODEL`) as config.
:func:`check_q1` checks every name against the estimator's own parameters (and those of
the other model families, a common slip), every end of every range by setting it on the
estimator and fitting a few rows of the exercise's sample, each type and scale against
:data:`mlops_kit.tune.DEFAULT_SEARCH_SPACES`, and that :data:`REQUIRED` are there.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

from ..config import SearchDimension
from ..errors import did_you_mean
from ..train import build_pipeline
from ..tune import DEFAULT_SEARCH_SPACES, training_sample
from ._checks import describe, join_words
from ._feedback import AnswerTypeError, Feedback, correct, not_yet

__all__ = ["MODEL", "REQUIRED", "check_q1", "exercise_sample"]

#: The model family question 1 writes a search space for.
MODEL = "rf"


#: The parameters the learner's search space must include.
REQUIRED = ("min_samples_leaf", "max_features")


_TASK = "classification"


_DATASET = "benefit_claims"


_OTHER_FAMILIES = {"hgb": "gradient boosting (hgb)", "logistic": "logistic regression"}


_SAMPLE_ROWS = 4000


@functools.lru_cache(maxsize=1)
def exercise_sample() -> Any:
    return training_sample(_DATASET, n_rows=_SAMPLE_ROWS, seed=0)


_KEY_MISTAKES = {
    "min": "Use 'low' for the lowest value, not 'min'.",
    "max": "Use 'high' for the highest value, not 'max'.",
    "scale": "Ask for a log scale with 'log': True, not 'scale'.",
    "log_scale": "Ask for a log scale with 'log': True, not 'log_scale'.",
    "values": "List the values of a categorical dimension under 'choices', not 'values'.",
}


_TYPE_ADVICE = {
    ("min_samples_leaf", "float"): (
        "min_samples_leaf is a number of claims in each leaf, a whole number: use type "
        "'int'. (A float between 0 and 1 would mean a share of the rows instead, a "
        "different setting in disguise.)"
    ),
    ("max_features", "int"): (
        "As a whole number, max_features counts features ({n} in this data); the kit "
        "searches it as a share of the features, type 'float' above 0 and at most 1, which "
        "stays right when columns are added."
    ),
}


def _estimator(model: str) -> Any:
    data = exercise_sample()
    return build_pipeline(model, data.roles, task=_TASK).named_steps["model"]  # type: ignore[arg-type]


def _fit_error(name: str, value: Any) -> str | None:
    """scikit-learn's own complaint about ``name=value`` on the random forest, if any."""
    data = exercise_sample()
    params: dict[str, Any] = {"n_estimators": 2} if name != "n_estimators" else {}
    params[name] = value
    rows = slice(0, 120)
    try:
        pipeline = build_pipeline(MODEL, data.roles, task=_TASK, params=params)  # type: ignore[arg-type]
        pipeline.fit(data.X.iloc[rows], data.y[rows])
    except (ValueError, TypeError) as exc:
        return str(exc).strip()
    return None


def _dimension(name: str, dim: Any) -> Any:
    """The entry as a SearchDimension, or feedback text saying what is wrong with it."""
    from pydantic import ValidationError

    if isinstance(dim, SearchDimension):
        return dim
    if not isinstance(dim, Mapping):
        raise AnswerTypeError(
            f"Expected each entry to be a dict such as {{'type': 'int', 'low': 1, 'high': 50, "
            f"'log': True}}; got {describe(dim)} for {name!r}."
        )
    for key, message in _KEY_MISTAKES.items():
        if key in dim:
            return f"{name}: {message}"
    if "type" not in dim:
        return f"{name}: give it a 'type': 'int', 'float' or 'categorical'."
    try:
        return SearchDimension(**dict(dim))
    except ValidationError as exc:
        problems = "; ".join(
            str(e["msg"]).removeprefix("Value error, ")
            + (f" ({'.'.join(map(str, e['loc']))})" if e["loc"] else "")
            for e in exc.errors()
        )
        return f"{name}: {problems}."


def _log_advice(name: str, dim: Any, kit: Mapping[str, Any] | None) -> str | None:
    """Why ``dim`` should use a log scale, or None when a linear one is fine."""
    if dim.type == "categorical" or dim.log or dim.low is None or dim.high is None:
        return None
    if dim.low <= 0:
        return None
    spread = dim.high / dim.low
    wanted = (kit is not None and kit.get("log") and spread >= 10) or (
        kit is None and spread >= 100
    )
    if not wanted:
        return None
    tenfold = dim.low * 10
    share = (tenfold - dim.low) / (dim.high - dim.low)
    return (
        f"{name} runs from {dim.low:g} to {dim.high:g}, {math.log10(spread):.1f} orders of "
        f"magnitude, on a linear scale: only {share:.0%} of the trials would try values below "
        f"{tenfold:g}, where a change matters most. Add 'log': True so that each order of "
        "magnitude gets its share of the trials."
    )


def _name_problem(
    answer: Mapping[Any, Any], estimator: Any, known: Mapping[str, Any]
) -> str | None:
    """What is wrong with the first name that is not one of the random forest's parameters."""
    for name in answer:
        if not isinstance(name, str):
            raise AnswerTypeError(
                f"Expected hyperparameter names as strings; got {describe(name)} as a key."
            )
        if name.startswith("model__"):
            return (
                f"Name the estimator's own parameter, {name.removeprefix('model__')!r}, "
                "without the pipeline's 'model__' prefix: the kit applies the space to the "
                "model step itself."
            )
        if name not in known:
            for family, words in _OTHER_FAMILIES.items():
                if name in _estimator(family).get_params(deep=False):
                    return (
                        f"{name} is a parameter of {words}, not of the random forest "
                        f"({type(estimator).__name__}).{did_you_mean(name, known)}"
                    )
            return (
                f"{name!r} is not a parameter of {type(estimator).__name__}; its parameters "
                f"are {', '.join(sorted(known))}.{did_you_mean(name, known)}"
            )
    return None


def _range_problem(
    space: Mapping[str, Any], estimator: Any, kit_space: Mapping[str, Any]
) -> str | None:
    """The first range of the wrong type, or with an end the estimator refuses."""
    n_features = len(exercise_sample().roles.features)
    for name, dim in space.items():
        kit = kit_space.get(name)
        if kit is not None and dim.type != "categorical" and dim.type != kit["type"]:
            advice = _TYPE_ADVICE.get((name, dim.type))
            return (
                advice.format(n=n_features)
                if advice
                else f"{name} is searched as type '{kit['type']}' by the kit, not '{dim.type}'."
            )
        values = (
            list(dim.choices or ())
            if dim.type == "categorical"
            else [int(v) if dim.type == "int" else float(v) for v in (dim.low, dim.high)]
        )
        for value in values:
            error = _fit_error(name, value)
            if error is not None:
                return (
                    f"{name}={value!r} is not allowed by {type(estimator).__name__}, so "
                    f"every trial that tries it would fail. scikit-learn says: {error}"
                )
    return None


def check_q1(answer: Any, data: Any) -> Feedback:
    """Question 1's checker: a valid search space for the random forest."""
    if not isinstance(answer, Mapping):
        raise AnswerTypeError(
            "Expected a dict of hyperparameter names to ranges, such as "
            "{'min_samples_leaf': {'type': 'int', 'low': 1, 'high': 50, 'log': True}}; "
            f"got {describe(answer)}."
        )
    if not answer:
        return not_yet("The dict is empty: give a range for each hyperparameter to search.")
    estimator = _estimator(MODEL)
    known = estimator.get_params(deep=False)
    kit_space = DEFAULT_SEARCH_SPACES[(_TASK, MODEL)]
    wrong_name = _name_problem(answer, estimator, known)
    if wrong_name is not None:
        return not_yet(wrong_name)
    space = {}
    for name, entry in answer.items():
        dim = _dimension(name, entry)
        if isinstance(dim, str):
            return not_yet(dim)
        space[name] = dim
    wrong_range = _range_problem(space, estimator, kit_space)
    if wrong_range is not None:
        return not_yet(wrong_range)
    missing = [name for name in REQUIRED if name not in space]
    if missing:
        return not_yet(
            f"Include {join_words(missing)} as well: the question asks for at least "
            f"{join_words(list(REQUIRED))}."
        )
    for name, dim in space.items():
        advice = _log_advice(name, dim, kit_space.get(name))
        if advice:
            return not_yet(advice)
    return correct(
        f"Right: a valid search space for the random forest over {join_words(list(space))}. "
        f"Every end of every range is accepted by {type(estimator).__name__}, and ranges "
        "that span orders of magnitude use a log scale. Written as config it can be "
        "reviewed, versioned and passed straight to the tuner: "
        "`tune(..., model='rf', search_space=answer_q1)`."
    )
