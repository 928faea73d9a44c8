"""A cross-check: does SHAP rank the features as permutation importance does?

Part of :mod:`mlops_kit.explain`; see the package docstring.

The two measure different things. Mean absolute SHAP says how far a feature moves the
model's *scores*; permutation importance (:func:`sklearn.inspection.permutation_importance`)
says how much the model's *performance* drops when the feature's values are shuffled,
so it needs the true outcomes. A feature the model leans on but that no longer helps it
predict (after a change in the data, say) ranks high on SHAP and low on permutation
importance. When the rankings broadly agree, the explanation is more trustworthy; when
they disagree, the features they disagree on are the ones to look at.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import json_ready
from ..errors import ConfigError, DataValidationError
from ..figures import PALETTE, DescribedFigure, new_axes
from ._global import wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes


__all__ = ["CrossCheck", "permutation_crosscheck"]


@dataclass(frozen=True)
class CrossCheck:
    """SHAP importance against permutation importance, feature by feature.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by feature, SHAP order: ``label``, ``shap`` (mean absolute SHAP value),
        ``shap_rank``, ``permutation`` (mean drop in the score when shuffled),
        ``permutation_std``, ``permutation_rank``, ``rank_gap`` (permutation rank minus
        SHAP rank) and ``agree`` (False for a feature named in ``disagreements``).
    spearman, spearman_p : float
        Spearman's rank correlation of the two importances (:func:`scipy.stats.spearmanr`)
        and its p-value.
    kendall, kendall_p : float
        Kendall's tau (:func:`scipy.stats.kendalltau`) and its p-value.
    disagreements : tuple of str
        Features whose ranks differ by at least ``gap``, or that are in one method's top
        ``top_k`` but not the other's.
    scoring : str
        The score permutation importance measures the drop in (``roc_auc`` or
        ``neg_root_mean_squared_error``).
    n_rows, n_repeats, gap, top_k : int
    """

    table: pd.DataFrame = field(repr=False)
    spearman: float
    spearman_p: float
    kendall: float
    kendall_p: float
    disagreements: tuple[str, ...]
    scoring: str
    n_rows: int
    n_repeats: int
    gap: int
    top_k: int

    @property
    def verdict(self) -> str:
        """The agreement in one or two sentences."""
        rho = self.spearman
        level = (
            "agree closely"
            if rho >= 0.8
            else "broadly agree"
            if rho >= 0.5
            else "disagree: look at the features below before trusting either ranking"
        )
        text = (
            f"SHAP and permutation importance {level} (Spearman rank correlation {rho:.2f}, "
            f"Kendall's tau {self.kendall:.2f}, over {len(self.table)} features)."
        )
        if not self.disagreements:
            return text + " No feature's rank differs by much."
        parts = []
        records = self.table.to_dict("index")
        for f in self.disagreements:
            r = records[f]
            parts.append(
                f"{r['label']} (SHAP rank {int(r['shap_rank'])}, permutation rank "
                f"{int(r['permutation_rank'])})"
            )
        return text + " They disagree on " + "; ".join(parts) + "."

    def to_frame(self) -> pd.DataFrame:
        """The feature table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        rows = [
            {
                "feature": str(f),
                **{
                    k: (v if isinstance(v, str | bool) else json_ready(float(v)))
                    for k, v in r.items()
                },
            }
            for f, r in self.table.iterrows()
        ]
        return {
            "spearman": json_ready(self.spearman),
            "spearman_p": json_ready(self.spearman_p),
            "kendall": json_ready(self.kendall),
            "kendall_p": json_ready(self.kendall_p),
            "disagreements": list(self.disagreements),
            "scoring": self.scoring,
            "n_rows": self.n_rows,
            "n_repeats": self.n_repeats,
            "verdict": self.verdict,
            "features": rows,
        }

    def _repr_html_(self) -> str:
        shown = self.table[["label", "shap", "shap_rank", "permutation", "permutation_rank"]]
        return (
            f'<div class="mlops-crosscheck"><p>{html.escape(self.verdict)}</p>'
            f"{shown.to_html(float_format=lambda x: f'{x:.4f}')}</div>"
        )

    def plot(self, *, ax: Axes | None = None) -> DescribedFigure:
        """Each feature's two ranks side by side: a slope chart, disagreements dashed."""
        t = self.table
        fig, ax = new_axes(ax, (7.5, 1.2 + 0.42 * len(t)))
        for _, r in t.iterrows():
            agree = bool(r["agree"])
            ax.plot(
                [0, 1],
                [r["shap_rank"], r["permutation_rank"]],
                color=PALETTE[0] if agree else PALETTE[5],
                linestyle="-" if agree else "--",
                marker="o" if agree else "D",
                linewidth=1.2 if agree else 2.0,
            )
            ax.text(
                1.03,
                r["permutation_rank"],
                f"{int(r['permutation_rank'])}. {wrap(str(r['label']), 40)}",
                va="center",
                fontsize=7,
            )
        ticks = [
            f"{wrap(label, 38)} {int(k)}."
            for label, k in zip(t["label"], t["shap_rank"], strict=True)
        ]
        ax.set_yticks(t["shap_rank"], ticks, fontsize=7)
        ax.set_ylim(len(t) + 0.5, 0.5)
        ax.set_xlim(-0.05, 2.3)
        ax.set_xticks([0, 1], ["SHAP rank", "permutation rank"])
        ax.plot([], [], color=PALETTE[0], marker="o", label="ranks agree")
        ax.plot([], [], color=PALETTE[5], marker="D", linestyle="--", label="ranks disagree")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=7)
        title = "SHAP against permutation importance"
        ax.set_title(title)
        text = (
            f"Each line joins a feature's rank by mean absolute SHAP value (left) to its rank "
            f"by permutation importance on {self.n_rows:,} cases (right; the drop in "
            f"{self.scoring} when the feature is shuffled, {self.n_repeats} repeats). Dashed "
            f"lines with diamonds mark disagreements. {self.verdict}"
        )
        return DescribedFigure(fig, title, text)


def permutation_crosscheck(
    model: Any,
    X: pd.DataFrame,
    y: Any,
    shap_importance: pd.Series,
    *,
    labels: dict[str, str] | None = None,
    task: str = "classification",
    n_repeats: int = 5,
    seed: int = 0,
    gap: int = 3,
    top_k: int = 3,
) -> CrossCheck:
    """Compare SHAP's ranking of features with permutation importance on the same rows.

    Parameters
    ----------
    model : fitted estimator or Pipeline
        The model explained; it is given ``X`` as it is (original columns).
    X : pandas.DataFrame
        The explained rows, the model's feature columns only.
    y : array-like
        Their true outcomes (0/1 for classification).
    shap_importance : pandas.Series
        Mean absolute SHAP value per feature (indexed by the columns of ``X``).
    labels : dict, optional
        Plain labels of the features.
    task : {"classification", "regression"}
        Scored by ROC AUC or by (negative) RMSE.
    n_repeats : int, default 5
        Shuffles per feature.
    seed : int, default 0
    gap : int, default 3
        Rank difference that counts as a disagreement.
    top_k : int, default 3
        A feature in one method's top ``top_k`` but not the other's is a disagreement too.

    Returns
    -------
    CrossCheck

    Raises
    ------
    DataValidationError
        ``y`` has the wrong length, or holds one class only (ROC AUC is undefined).
    """
    from scipy.stats import kendalltau, spearmanr
    from sklearn.inspection import permutation_importance

    yy = np.asarray(y)
    _check_inputs(len(X), yy, task, n_repeats=n_repeats, gap=gap, top_k=top_k)
    scoring = "roc_auc" if task == "classification" else "neg_root_mean_squared_error"
    result = permutation_importance(
        model, X, yy, scoring=scoring, n_repeats=n_repeats, random_state=seed
    )
    features = list(X.columns)
    shap_values = shap_importance.reindex(features).to_numpy(dtype=float)
    perm = np.asarray(result.importances_mean, dtype=float)
    perm_std = np.asarray(result.importances_std, dtype=float)
    table = _ranks(features, shap_values, perm, perm_std, labels=labels, gap=gap, top_k=top_k)
    rho = spearmanr(shap_values, perm)
    tau = kendalltau(shap_values, perm)
    return CrossCheck(
        table=table,
        spearman=float(rho.statistic),
        spearman_p=float(rho.pvalue),
        kendall=float(tau.statistic),
        kendall_p=float(tau.pvalue),
        disagreements=tuple(str(f) for f in table.index[~table["agree"]]),
        scoring=scoring,
        n_rows=len(X),
        n_repeats=n_repeats,
        gap=gap,
        top_k=top_k,
    )


def _check_inputs(
    n: int, yy: np.ndarray, task: str, *, n_repeats: int, gap: int, top_k: int
) -> None:
    """Refuse outcomes of the wrong length or of one class, and bad whole numbers."""
    if len(yy) != n:
        raise DataValidationError(
            f"The outcomes y must have one value per explained row ({n:,}). "
            f"Got {len(yy):,} instead."
        )
    if task == "classification" and len(np.unique(yy)) < 2:
        raise DataValidationError(
            "Permutation importance by ROC AUC needs both classes among the explained "
            f"rows; y holds only {np.unique(yy).tolist()}."
        )
    for name, value, low in (("n_repeats", n_repeats, 1), ("gap", gap, 1), ("top_k", top_k, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(
                f"The '{name}' parameter of permutation_crosscheck must be a whole number "
                f"of at least {low}. Got {value!r} instead."
            )


def _ranks(
    features: list[str],
    shap_values: np.ndarray,
    perm: np.ndarray,
    perm_std: np.ndarray,
    *,
    labels: dict[str, str] | None,
    gap: int,
    top_k: int,
) -> pd.DataFrame:
    """Both methods' values and ranks per feature, and whether they agree."""
    import pandas as pd

    table = pd.DataFrame(
        {
            "label": [(labels or {}).get(f, f) for f in features],
            "shap": shap_values,
            "shap_rank": pd.Series(-shap_values).rank(method="min").astype(int).to_numpy(),
            "permutation": perm,
            "permutation_std": perm_std,
            "permutation_rank": pd.Series(-perm).rank(method="min").astype(int).to_numpy(),
        },
        index=pd.Index(features, name="feature"),
    )
    table["rank_gap"] = table["permutation_rank"] - table["shap_rank"]
    top_shap = set(table.index[table["shap_rank"] <= top_k])
    top_perm = set(table.index[table["permutation_rank"] <= top_k])
    one_top = np.array([(f in top_shap) != (f in top_perm) for f in table.index])
    disagree = (table["rank_gap"].abs() >= gap).to_numpy() | one_top
    table["agree"] = ~disagree
    return table.sort_values(["shap_rank", "permutation_rank"], kind="stable")
