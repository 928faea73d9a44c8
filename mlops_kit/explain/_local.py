"""Local explanations: why one case got its score, as a waterfall and as reason codes.

Part of :mod:`mlops_kit.explain`; see the package docstring.

Reason codes turn a case's SHAP values into sentences a caseworker can read out and a
member of the public can follow: "Flagged for review mainly because of the number of
earlier reviews that found fraud or error (2; typical 0) and ...; the factors that
lowered the score were ...". They name features by their plain labels, give the case's
value next to a typical one, and keep the order of the SHAP values: the strongest push
first.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError
from ..figures import PALETTE, DescribedFigure, new_axes
from ._global import SPACE_WORDS, wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ._model import ModelExplanation

__all__ = [
    "MIN_SHARE",
    "Reason",
    "ReasonCodes",
    "display_value",
    "reason_codes",
    "waterfall_figure",
]

#: A push smaller than this share of a case's total push (the sum of its absolute SHAP
#: values) is not given as a reason.
MIN_SHARE = 0.02


def display_value(value: Any) -> str:
    """A feature value as a person reads it: 1,250 not 1250.0; "not recorded" for a gap.

    Examples
    --------
    >>> display_value(1250.0), display_value(0.375), display_value("housing_support")
    ('1,250', '0.375', 'housing support')
    >>> display_value(float("nan"))
    'not recorded'
    """
    if value is None:
        return "not recorded"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        if math.isnan(x):
            return "not recorded"
        if x.is_integer():
            return f"{int(x):,}"
        return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    try:
        import pandas as pd

        if pd.isna(value):
            return "not recorded"
    except (TypeError, ValueError):
        pass
    return str(value).replace("_", " ")


@dataclass(frozen=True)
class Reason:
    """One feature's push on one case's score."""

    feature: str
    label: str
    value: str
    typical: str
    contribution: float
    categorical: bool = False

    def phrase(self) -> str:
        """The reason as a noun phrase: "the monthly amount claimed (1,830; typical 584)".

        The typical value is the background's median (numbers) or its most common
        category.
        """
        if self.categorical:
            if self.value == self.typical:
                return f"the {self.label} ({self.value}, the most common)"
            return f"the {self.label} ({self.value}; most common {self.typical})"
        if self.value == self.typical:
            return f"the {self.label} ({self.value}, a typical value)"
        return f"the {self.label} ({self.value}; typical {self.typical})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return dict(self.__dict__)


def _join(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return f"{', '.join(phrases[:-1])} and {phrases[-1]}"


@dataclass(frozen=True)
class ReasonCodes:
    """Why one case got its score, in plain words, with the SHAP values behind them.

    Attributes
    ----------
    position : int
        The case's position among the explained rows.
    case_id : str
        Its row label (for example a claim reference).
    score : float
        The probability of the positive class (classification) or the prediction.
    threshold : float or None
        Score at or above which a case is predicted positive; None when there is no
        decision.
    predicted_positive : bool or None
        Whether the score reaches the threshold.
    raised, lowered : tuple of Reason
        The features that pushed the score up (largest first) and down (most negative
        first), at most ``n`` of each, leaving out pushes smaller than :data:`MIN_SHARE`
        of the case's total push.
    text : str
        The reasons in one or two sentences.
    output, base_value : float
        The model's output for the case and the average output, in ``output_space``.
    output_space : str
    """

    position: int
    case_id: str
    score: float
    threshold: float | None
    predicted_positive: bool | None
    raised: tuple[Reason, ...]
    lowered: tuple[Reason, ...]
    text: str
    output: float
    base_value: float
    output_space: str

    @property
    def features_raising(self) -> list[str]:
        """The features that raised the score, strongest first."""
        return [r.feature for r in self.raised]

    @property
    def features_lowering(self) -> list[str]:
        """The features that lowered the score, strongest first."""
        return [r.feature for r in self.lowered]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out = dict(self.__dict__)
        out["raised"] = [r.to_dict() for r in self.raised]
        out["lowered"] = [r.to_dict() for r in self.lowered]
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per reason: direction, feature, label, value, typical value, SHAP value."""
        import pandas as pd

        rows = [("raised", r) for r in self.raised] + [("lowered", r) for r in self.lowered]
        return pd.DataFrame(
            [
                {
                    "direction": d,
                    "feature": r.feature,
                    "label": r.label,
                    "value": r.value,
                    "typical": r.typical,
                    "shap": r.contribution,
                }
                for d, r in rows
            ],
            columns=["direction", "feature", "label", "value", "typical", "shap"],
        )

    def __str__(self) -> str:
        return f"Case {self.case_id}: {self.text}"

    def __repr__(self) -> str:
        return f"ReasonCodes(case {self.case_id}: {self.text})"

    def _repr_html_(self) -> str:
        def items(reasons: tuple[Reason, ...], word: str) -> str:
            return "".join(
                f"<li>{html.escape(r.phrase())}: {word} the score by {abs(r.contribution):.3f}</li>"
                for r in reasons
            )

        raised = items(self.raised, "raised") or "<li>none</li>"
        lowered = items(self.lowered, "lowered") or "<li>none</li>"
        return (
            f'<div class="mlops-reason-codes"><p><strong>Case '
            f"{html.escape(self.case_id)}.</strong> {html.escape(self.text)}</p>"
            f"<p>What raised the score:</p><ul>{raised}</ul>"
            f"<p>What lowered it:</p><ul>{lowered}</ul></div>"
        )


def _check_position(explanation: ModelExplanation, i: Any) -> int:
    n = explanation.n_rows
    if isinstance(i, bool) or not isinstance(i, int | np.integer):
        raise ConfigError(
            f"A case is chosen by its position among the {n:,} explained rows, a whole "
            f"number from 0 to {n - 1}. Got {i!r} instead; use explanation.locate(row_id) "
            "to find the position of a row label."
        )
    if not 0 <= int(i) < n:
        raise ConfigError(
            f"The case position must be from 0 to {n - 1} (the explanation holds {n:,} "
            f"rows). Got {int(i)} instead."
        )
    return int(i)


def reason_codes(
    explanation: ModelExplanation, i: int, *, n: int = 3, threshold: float | None = None
) -> ReasonCodes:
    """Reason codes for the case at position ``i`` (see :meth:`ModelExplanation.reason_codes`)."""
    i = _check_position(explanation, i)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"The number of reasons 'n' must be at least 1. Got {n!r} instead.")
    import pandas as pd

    contributions = explanation.shap_values[i]
    row = explanation.data.iloc[i]

    def reason(j: int) -> Reason:
        feature = explanation.features[j]
        dtype = explanation.data[feature].dtype
        return Reason(
            feature=feature,
            label=explanation.labels[feature],
            value=display_value(row[feature]),
            typical=explanation.typical[feature],
            contribution=float(contributions[j]),
            categorical=not pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype),
        )

    # Pushes under MIN_SHARE of the case's total push are noise, not reasons.
    floor = MIN_SHARE * float(np.abs(contributions).sum())
    order = np.argsort(-contributions, kind="stable")
    raised = tuple(reason(int(j)) for j in order if contributions[j] > max(floor, 0.0))[:n]
    order_down = np.argsort(contributions, kind="stable")
    lowered = tuple(reason(int(j)) for j in order_down if contributions[j] < -floor)[:n]
    score = float(explanation.scores[i])
    if threshold is None:
        threshold = explanation.threshold
    elif explanation.task != "classification" or not 0 < float(threshold) < 1:
        raise ConfigError(
            f"A threshold applies to a classifier's scores and must be in (0, 1). "
            f"Got {threshold!r} for a {explanation.task} model."
        )
    positive = None if threshold is None else bool(score >= threshold)
    up = _join([r.phrase() for r in raised])
    down = _join([r.phrase() for r in lowered])
    yes, no = explanation.decision_words
    if positive is True:
        text = f"{yes} mainly because of {up or 'no single factor'}"
        text += (
            f"; the factors that lowered the score were {down}."
            if down
            else "; no factor lowered the score by much."
        )
        text += f" (Score {score:.2f}; the threshold is {threshold:.2f}.)"
    elif positive is False:
        text = f"{no}: the score was kept below the threshold mainly by {down or 'no factor'}"
        text += (
            f"; the factors that raised it were {up}." if up else "; no factor raised it by much."
        )
        text += f" (Score {score:.2f}; the threshold is {threshold:.2f}.)"
    else:
        what = "score" if explanation.task == "classification" else "prediction"
        text = (
            f"The {what} ({display_value(score)}) was raised mainly by {up or 'no factor'}; "
            f"it was lowered by {down or 'no factor'}."
        )
    return ReasonCodes(
        position=i,
        case_id=str(explanation.data.index[i]),
        score=score,
        threshold=threshold,
        predicted_positive=positive,
        raised=raised,
        lowered=lowered,
        text=text,
        output=float(explanation.outputs[i]),
        base_value=explanation.base_value,
        output_space=explanation.output_space,
    )


def waterfall_figure(
    explanation: ModelExplanation, i: int, *, max_display: int = 8, ax: Axes | None = None
) -> DescribedFigure:
    """From the average output to this case's output, one feature at a time.

    The largest pushes are at the top; the rest are summed in one bar. Bars that raise
    the score are hatched ``///`` and labelled "raises", bars that lower it hatched
    ``\\\\`` and labelled "lowers".
    """
    i = _check_position(explanation, i)
    if isinstance(max_display, bool) or not isinstance(max_display, int) or max_display < 2:
        raise ConfigError(f"'max_display' must be at least 2. Got {max_display!r} instead.")
    codes = reason_codes(explanation, i)
    contributions = explanation.shap_values[i]
    row = explanation.data.iloc[i]
    order = list(np.argsort(-np.abs(contributions), kind="stable"))
    shown = order[: max_display - 1] if len(order) > max_display else order
    rest = [j for j in order if j not in shown]
    items = [
        (
            f"{explanation.labels[explanation.features[j]]} = "
            f"{display_value(row[explanation.features[j]])}",
            float(contributions[j]),
        )
        for j in shown
    ]
    if rest:
        items.append((f"{len(rest)} other features", float(contributions[rest].sum())))
    fig, ax = new_axes(ax, (8.0, 1.2 + 0.5 * len(items)))
    # Drawn bottom-up: the smallest push at the bottom starts from the average output.
    start = explanation.base_value
    for k, (_, c) in enumerate(reversed(items)):
        y = len(items) - 1 - k
        up = c >= 0
        ax.barh(
            y,
            c,
            left=start,
            color=PALETTE[5] if up else PALETTE[0],
            edgecolor="black",
            hatch="///" if up else "\\\\",
        )
        ax.text(
            max(start, start + c),
            y,
            f" {c:+.3f} {'raises' if up else 'lowers'}",
            va="center",
            fontsize=8,
        )
        start += c
    ax.axvline(explanation.base_value, color="black", linestyle=":", linewidth=1)
    ax.axvline(codes.output, color="black", linestyle="--", linewidth=1)
    ax.plot([], [], color="black", linestyle=":", label=f"average output {codes.base_value:.3f}")
    ax.plot([], [], color="black", linestyle="--", label=f"this case {codes.output:.3f}")
    ax.set_yticks(np.arange(len(items)), [wrap(label, 40) for label, _ in items], fontsize=8)
    ax.invert_yaxis()
    lo = min(explanation.base_value, codes.output, start) - 0.1
    ax.set_xlim(left=min(ax.get_xlim()[0], lo))
    ax.set_xlim(right=ax.get_xlim()[1] + 0.25 * (ax.get_xlim()[1] - ax.get_xlim()[0]))
    space = SPACE_WORDS[explanation.output_space]
    ax.set_xlabel(f"model output ({space})")
    ax.legend(loc="lower right", fontsize=7)
    title = f"Why case {codes.case_id} got its score"
    ax.set_title(title)
    steps = "; ".join(f"{label} {c:+.3f}" for label, c in items)
    text = (
        f"{codes.text} The model's output for this case is {codes.output:.3f} ({space}), "
        f"against an average of {codes.base_value:.3f}; from the top, each bar is one "
        f"feature's push, hatched /// when it raises the score and \\\\ when it lowers "
        f"it: {steps}."
    )
    return DescribedFigure(fig, title, text)
