"""Explanation by protected group: do the model's top reasons differ between groups?

Part of :mod:`mlops_kit.explain`; see the package docstring.

Protected characteristics are never features, yet a model can still treat groups
differently through a *proxy*: a feature that goes with group membership (on the bundled
claims, the neighbourhood's deprivation decile goes with ethnic group). Comparing the
explanations group by group shows it: the same feature ranks higher, or pushes scores up
more, for one group than another. Groups with fewer cases than ``min_group_size`` are
shown but not judged.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError
from ..figures import PALETTE, DescribedFigure, new_axes
from ._global import wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


__all__ = ["GroupExplanation", "explain_by_group"]

_GROUP_HATCHES = ("", "///", "...", "xxx", "\\\\\\", "++", "--", "oo")


@dataclass(frozen=True)
class GroupExplanation:
    """Mean SHAP values per feature within each group of one protected attribute.

    Attributes
    ----------
    attribute : str
        The protected column, such as ``"ethnic_group"``.
    mean_abs : pandas.DataFrame
        Features (rows, in overall order) by groups (columns): mean absolute SHAP value,
        the group's ``groupby`` of ``|SHAP|``.
    mean_signed : pandas.DataFrame
        The same with signed values: a positive mean raises the group's scores on average.
    counts : pandas.Series
        Cases per group.
    top : dict of str to tuple of str
        Each judged group's ``top_k`` features by mean absolute SHAP, largest first.
    judged : tuple of str
        Groups with at least ``min_group_size`` cases.
    labels : dict of str to str
    top_k, min_group_size : int
    """

    attribute: str
    mean_abs: pd.DataFrame = field(repr=False)
    mean_signed: pd.DataFrame = field(repr=False)
    counts: pd.Series = field(repr=False)
    top: dict[str, tuple[str, ...]]
    judged: tuple[str, ...]
    labels: dict[str, str] = field(repr=False)
    top_k: int = 3
    min_group_size: int = 30

    @property
    def differs(self) -> bool | None:
        """Whether the judged groups' top reasons differ (as sets); None if fewer than two."""
        if len(self.judged) < 2:
            return None
        sets = {frozenset(self.top[g]) for g in self.judged}
        return len(sets) > 1

    def largest_gap(self) -> tuple[str, str, str, float, float] | None:
        """(feature, group pushed up most, group pushed least, their two mean SHAP values).

        The feature whose average signed push differs most between judged groups.
        """
        if len(self.judged) < 2:
            return None
        signed = self.mean_signed[list(self.judged)].to_numpy(dtype=float)
        k = int(np.argmax(signed.max(axis=1) - signed.min(axis=1)))
        hi, lo = int(np.argmax(signed[k])), int(np.argmin(signed[k]))
        feature = str(self.mean_signed.index[k])
        return feature, self.judged[hi], self.judged[lo], float(signed[k, hi]), float(signed[k, lo])

    @property
    def verdict(self) -> str:
        """Do the top reasons differ between groups? In plain words."""
        small = [g for g in self.counts.index.astype(str) if g not in self.judged]
        note = (
            f" Too few cases to judge (fewer than {self.min_group_size}): "
            + ", ".join(f"{g} ({int(self.counts[g])})" for g in small)
            + "."
            if small
            else ""
        )
        if len(self.judged) < 2:
            return (
                f"Cannot compare the explanations by {self.attribute}: fewer than two groups "
                f"have at least {self.min_group_size} cases.{note}"
            )
        first = self.judged[0]
        if not self.differs:
            names = ", ".join(self.labels[f] for f in self.top[first])
            text = (
                f"The top {self.top_k} reasons are the same for every group of "
                f"{self.attribute}: {names}."
            )
        else:
            features = sorted({f for g in self.judged for f in self.top[g]})
            diffs = []
            for f in features:
                inside = [g for g in self.judged if f in self.top[g]]
                if 0 < len(inside) < len(self.judged):
                    outside = [g for g in self.judged if g not in inside]
                    diffs.append(
                        f"{self.labels[f]} is among the top {self.top_k} for "
                        f"{', '.join(inside)} but not for {', '.join(outside)}"
                    )
            text = (
                f"The top reasons differ between groups of {self.attribute}: "
                + "; ".join(diffs)
                + "."
            )
        gap = self.largest_gap()
        if gap is not None:
            feature, hi, lo, v_hi, v_lo = gap
            text += (
                f" The largest difference in direction: {self.labels[feature]} changes the "
                f"score by {v_hi:+.3f} on average for {hi} against {v_lo:+.3f} for {lo}."
            )
        return text + note

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per feature and group, with counts and both means."""
        import pandas as pd

        rows = []
        for g in self.mean_abs.columns:
            for f in self.mean_abs.index:
                rows.append(
                    {
                        "group": g,
                        "feature": f,
                        "label": self.labels[f],
                        "n": int(self.counts[g]),
                        "judged": g in self.judged,
                        "mean_abs_shap": float(self.mean_abs.loc[f, g]),
                        "mean_shap": float(self.mean_signed.loc[f, g]),
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""

        def clean(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        return {
            "attribute": self.attribute,
            "counts": {str(g): int(n) for g, n in self.counts.items()},
            "judged": list(self.judged),
            "top": {g: list(v) for g, v in self.top.items()},
            "differs": self.differs,
            "verdict": self.verdict,
            "mean_abs_shap": {
                str(g): {str(f): clean(v) for f, v in self.mean_abs[g].items()}
                for g in self.mean_abs.columns
            },
            "mean_shap": {
                str(g): {str(f): clean(v) for f, v in self.mean_signed[g].items()}
                for g in self.mean_signed.columns
            },
        }

    def _repr_html_(self) -> str:
        table = self.mean_abs.rename(index=self.labels)
        return (
            f'<div class="mlops-group-explanation"><p>{html.escape(self.verdict)}</p>'
            f"<p>Mean absolute SHAP value by {html.escape(self.attribute)}:</p>"
            f"{table.to_html(float_format=lambda x: f'{x:.3f}')}</div>"
        )

    def plot(self, *, max_features: int = 6, ax: Axes | None = None) -> DescribedFigure:
        """Mean absolute SHAP value per group for the top features; each group its own hatch."""
        groups = [str(g) for g in self.mean_abs.columns if g in self.judged] or [
            str(g) for g in self.mean_abs.columns
        ]
        features = list(self.mean_abs.index[:max_features])
        for g in self.judged:
            features += [f for f in self.top[g] if f not in features]
        fig, ax = new_axes(ax, (7.5, 1.2 + 0.3 * len(features) * max(2, len(groups)) / 2))
        height = 0.8 / len(groups)
        y = np.arange(len(features))
        for k, g in enumerate(groups):
            ax.barh(
                y - 0.4 + height * (k + 0.5),
                self.mean_abs.loc[features, g],
                height=height,
                color=PALETTE[k % len(PALETTE)],
                edgecolor="black",
                hatch=_GROUP_HATCHES[k % len(_GROUP_HATCHES)],
                label=f"{g} ({int(self.counts[g]):,} cases)",
            )
        ax.set_yticks(y, [wrap(self.labels[f]) for f in features], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("mean |SHAP value|")
        ax.legend(loc="lower right", fontsize=7, title=self.attribute, title_fontsize=7)
        title = f"What moves the scores, by {self.attribute}"
        ax.set_title(title)
        parts = []
        for g in groups:
            column = self.mean_abs[g]
            tops = ", ".join(
                f"{self.labels[f]} ({float(column[f]):.3f})" for f in self.top.get(g, ())
            )
            parts.append(f"{g}: {tops}")
        text = (
            f"Mean absolute SHAP value of the top features within each group of "
            f"{self.attribute}, each group with its own hatching (see the legend). Top "
            f"{self.top_k} per group: " + "; ".join(parts) + f". {self.verdict}"
        )
        return DescribedFigure(fig, title, text)


def explain_by_group(
    values: pd.DataFrame,
    groups: pd.Series,
    *,
    labels: dict[str, str] | None = None,
    top_k: int = 3,
    min_group_size: int = 30,
) -> GroupExplanation:
    """Compare SHAP values between the groups of one protected attribute.

    Parameters
    ----------
    values : pandas.DataFrame
        SHAP values, one row per case, one column per feature (columns in overall order).
    groups : pandas.Series
        Each case's group, same length as ``values``; its name is the attribute.
        Missing groups are shown as "(missing)".
    labels : dict, optional
        Plain labels of the features.
    top_k : int, default 3
        How many top reasons to compare.
    min_group_size : int, default 30
        Groups with fewer cases are shown but not judged.

    Returns
    -------
    GroupExplanation

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"a": [1.0, -1.0, 0.1, 0.1], "b": [0.1, 0.1, 2.0, -2.0]})
    >>> g = pd.Series(["x", "x", "y", "y"], name="group")
    >>> result = explain_by_group(v, g, top_k=1, min_group_size=2)
    >>> result.top, result.differs
    ({'x': ('a',), 'y': ('b',)}, True)
    """
    if len(groups) != len(values):
        raise DataValidationError(
            f"The groups must have one value per explained row ({len(values):,}). "
            f"Got {len(groups):,} instead.",
            column=str(groups.name),
        )
    for name, value in (("top_k", top_k), ("min_group_size", min_group_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"The '{name}' parameter of explain_by_group must be a whole number of at "
                f"least 1. Got {value!r} instead."
            )
    attribute = str(groups.name) if groups.name is not None else "group"
    keys = groups.astype(object).where(groups.notna(), "(missing)").astype(str).to_numpy()
    frame = values.reset_index(drop=True)
    mean_abs = frame.abs().groupby(keys).mean().T
    mean_signed = frame.groupby(keys).mean().T
    counts = frame.groupby(keys).size()
    order = list(frame.abs().mean().sort_values(ascending=False, kind="stable").index)
    mean_abs, mean_signed = mean_abs.loc[order], mean_signed.loc[order]
    judged = tuple(str(g) for g in counts.index if counts[g] >= min_group_size)
    top = {
        str(g): tuple(
            str(f) for f in mean_abs[g].sort_values(ascending=False, kind="stable").index[:top_k]
        )
        for g in mean_abs.columns
    }
    return GroupExplanation(
        attribute=attribute,
        mean_abs=mean_abs,
        mean_signed=mean_signed,
        counts=counts,
        top=top,
        judged=judged,
        labels={str(f): (labels or {}).get(str(f), str(f)) for f in frame.columns},
        top_k=top_k,
        min_group_size=min_group_size,
    )
