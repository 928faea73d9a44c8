"""The one entry point, :func:`explain_model`, and what it returns, :class:`ModelExplanation`.

Part of :mod:`mlops_kit.explain`; see the package docstring.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, DataValidationError, MlopsKitError
from ._crosscheck import CrossCheck, permutation_crosscheck
from ._explainer import (
    ExplainerChoice,
    check_fitted_binary,
    choose_explainer,
    compute_shap,
    split_pipeline,
)
from ._global import SPACE_WORDS, bar_figure, beeswarm_figure, importance_table
from ._groups import GroupExplanation, explain_by_group
from ._labels import resolve_labels
from ._local import ReasonCodes, display_value, reason_codes, waterfall_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..data import ColumnRoles
    from ..plots import DescribedFigure
    from ..train import TrainingResult

__all__ = ["ADDITIVITY_TOLERANCE", "ModelExplanation", "explain_model", "explain_training"]

#: How far base value + sum of SHAP values may be from the model's output (relative to
#: the output's scale) before an explanation is refused as wrong.
ADDITIVITY_TOLERANCE = 1e-4


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class ModelExplanation:
    """SHAP explanations of a model on some rows, in the original features, with checks.

    Build one with :func:`explain_model`. Compute once, then read it many ways: the
    global ranking (:meth:`importance`, :meth:`bar`, :meth:`beeswarm`), one case
    (:meth:`reason_codes`, :meth:`waterfall`), the cross-check against permutation
    importance (:attr:`crosscheck`), the comparison between protected groups
    (:meth:`group`), every figure for a report (:meth:`figures`) and a JSON summary
    (:meth:`to_dict`).

    Attributes
    ----------
    choice : ExplainerChoice
        Which explainer, why, and what the values add up to (``output_space``).
    features : tuple of str
        The model's feature columns.
    labels : dict of str to str
        Their plain labels.
    shap_values : numpy.ndarray
        SHAP values, shape (rows, features), read-only.
    base_value : float
        The average model output the values start from.
    outputs : numpy.ndarray
        The model's output per row in ``output_space``; ``base_value + shap_values.sum(1)``.
    scores : numpy.ndarray
        The probability of the positive class (classification) or the prediction.
    data : pandas.DataFrame
        The explained rows' feature values, indexed by their row labels.
    typical : dict of str to str
        A typical value of each feature in the background rows (median or most common).
    threshold : float or None
        Score at or above which a case is predicted positive (classification only).
    decision_words : tuple of str
        How reason codes name the two decisions, e.g. ("Predicted income = >50K", "Not
        predicted income = >50K"); the benefit-claims lessons say ("Flagged for review",
        "Not flagged").
    y : numpy.ndarray or None
        The true outcomes of the explained rows, when given.
    groups : pandas.DataFrame or None
        Their protected attributes, when given.
    crosscheck : CrossCheck or None
        Against permutation importance (needs ``y``).
    by_group : dict of str to GroupExplanation
        One per protected attribute.
    n_available, max_rows, seed, background_rows : int
        Rows given, the cap, the seed of the row and background samples, and the number
        of background rows.
    seconds : float
        Time taken by the SHAP computation.
    notes : tuple of str
        Anything a reader should know (rows capped, columns summed, explainer swapped).
    """

    choice: ExplainerChoice
    features: tuple[str, ...]
    labels: dict[str, str] = field(repr=False)
    shap_values: np.ndarray = field(repr=False)
    base_value: float
    outputs: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    typical: dict[str, str] = field(repr=False)
    threshold: float | None
    decision_words: tuple[str, str] = ("Predicted positive", "Not predicted positive")
    y: np.ndarray | None = field(default=None, repr=False)
    groups: pd.DataFrame | None = field(default=None, repr=False)
    crosscheck: CrossCheck | None = field(default=None, repr=False)
    by_group: dict[str, GroupExplanation] = field(default_factory=dict, repr=False)
    n_available: int = 0
    max_rows: int = 0
    seed: int = 0
    background_rows: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()

    # --- basic facts ----------------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        """The number of explained rows."""
        return int(self.shap_values.shape[0])

    @property
    def explainer(self) -> str:
        """``"tree"``, ``"linear"`` or ``"sampled"``."""
        return self.choice.kind

    @property
    def output_space(self) -> str:
        """What the SHAP values add up to: ``"log-odds"``, ``"probability"`` or ``"prediction"``."""
        return self.choice.output_space

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``."""
        return self.choice.task

    def additivity_error(self) -> float:
        """The largest gap between base value + sum of SHAP values and the model's output."""
        return float(np.max(np.abs(self.base_value + self.shap_values.sum(axis=1) - self.outputs)))

    def locate(self, row_id: Any) -> int:
        """The position of a row label (such as a claim reference) among the explained rows."""
        matches = np.flatnonzero(self.data.index.to_numpy() == row_id)
        if len(matches) == 0:
            shown = ", ".join(map(str, self.data.index[:3]))
            raise ConfigError(
                f"Row {row_id!r} is not among the {self.n_rows:,} explained rows (labels such "
                f"as {shown}). It may have been left out by the row cap of {self.max_rows:,}."
            )
        return int(matches[0])

    def top_cases(self, n: int = 3) -> list[int]:
        """Positions of the ``n`` highest-scoring cases, highest first."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ConfigError(f"'n' must be a whole number of at least 0. Got {n!r} instead.")
        return [int(i) for i in np.argsort(-self.scores, kind="stable")[:n]]

    # --- global ---------------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The SHAP values as a table: one row per explained row, one column per feature."""
        import pandas as pd

        return pd.DataFrame(
            self.shap_values, index=self.data.index.copy(), columns=list(self.features)
        )

    def importance(self) -> pd.DataFrame:
        """Mean absolute SHAP value per feature, largest first (see :func:`importance_table`)."""
        return importance_table(self)

    def bar(self, *, max_features: int = 12, ax: Axes | None = None) -> DescribedFigure:
        """The global ranking as a described bar chart."""
        return bar_figure(self, max_features=max_features, ax=ax)

    def beeswarm(self, *, max_features: int = 10, ax: Axes | None = None) -> DescribedFigure:
        """Every case's SHAP value per feature, high and low values told apart by shape."""
        return beeswarm_figure(self, max_features=max_features, ax=ax)

    # --- one case -------------------------------------------------------------------------

    def reason_codes(self, i: int, *, n: int = 3, threshold: float | None = None) -> ReasonCodes:
        """Plain-language reasons for the case at position ``i``.

        Parameters
        ----------
        i : int
            Position among the explained rows (0 to ``n_rows - 1``); see :meth:`locate`.
        n : int, default 3
            At most this many reasons each way.
        threshold : float, optional
            The flagging threshold the reasons speak of; default :attr:`threshold`.
        """
        return reason_codes(self, i, n=n, threshold=threshold)

    def waterfall(self, i: int, *, max_display: int = 8, ax: Axes | None = None) -> DescribedFigure:
        """The case at position ``i`` from the average output to its own, feature by feature."""
        return waterfall_figure(self, i, max_display=max_display, ax=ax)

    # --- groups and figures ---------------------------------------------------------------

    def group(self, attribute: str) -> GroupExplanation:
        """The comparison between the groups of one protected attribute."""
        if attribute not in self.by_group:
            known = ", ".join(self.by_group) or "none (no groups were given)"
            raise ConfigError(
                f"There is no explanation by {attribute!r}. Attributes explained: {known}."
            )
        return self.by_group[attribute]

    def figures(self, *, n_cases: int = 3) -> list[DescribedFigure]:
        """Every figure for a report: the ranking, the beeswarm, the ``n_cases`` highest-scoring
        cases' waterfalls, the cross-check and one figure per protected attribute."""
        figures = [self.bar(), self.beeswarm()]
        figures += [self.waterfall(i) for i in self.top_cases(n_cases)]
        if self.crosscheck is not None:
            figures.append(self.crosscheck.plot())
        figures += [g.plot() for g in self.by_group.values()]
        return figures

    def summary(self) -> str:
        """The explanation in a few sentences."""
        top = self.importance().head(3)
        names = ", ".join(f"{r.label} ({r.share:.0%})" for r in top.itertuples())
        text = (
            f"Explained {self.n_rows:,} of {self.n_available:,} rows of a "
            f"{self.choice.estimator} with {self.choice.method} ({self.output_space}). "
            f"The features that move the scores most: {names}."
        )
        if self.crosscheck is not None:
            text += f" {self.crosscheck.verdict}"
        return text

    def to_dict(self, *, n_cases: int = 3, n_reasons: int = 3) -> dict[str, Any]:
        """A JSON-ready summary (for ``explanations.json``): no arrays of SHAP values.

        Keys: ``explainer`` (the choice and why), ``n_rows``, ``n_available``,
        ``max_rows``, ``seed``, ``background_rows``, ``seconds``, ``base_value``,
        ``additivity_error``, ``threshold``, ``importance`` (one entry per feature),
        ``cases`` (reason codes, ``n_reasons`` each way, of the ``n_cases``
        highest-scoring cases),
        ``crosscheck``, ``by_group``, ``summary`` and ``notes``.
        """

        def clean(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        importance = [
            {
                "feature": str(f),
                "label": r["label"],
                "mean_abs_shap": clean(r["mean_abs_shap"]),
                "share": clean(r["share"]),
                "mean_shap": clean(r["mean_shap"]),
                "rank": int(r["rank"]),
            }
            for f, r in self.importance().iterrows()
        ]
        return {
            "explainer": self.choice.to_dict(),
            "features": list(self.features),
            "labels": dict(self.labels),
            "n_rows": self.n_rows,
            "n_available": self.n_available,
            "max_rows": self.max_rows,
            "seed": self.seed,
            "background_rows": self.background_rows,
            "seconds": round(self.seconds, 3),
            "base_value": clean(self.base_value),
            "additivity_error": clean(self.additivity_error()),
            "threshold": self.threshold,
            "importance": importance,
            "cases": [self.reason_codes(i, n=n_reasons).to_dict() for i in self.top_cases(n_cases)],
            "crosscheck": self.crosscheck.to_dict() if self.crosscheck else None,
            "by_group": {k: g.to_dict() for k, g in self.by_group.items()},
            "summary": self.summary(),
            "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        top = self.importance().head(5)
        rows = "".join(
            f"<tr><th scope='row' style='text-align:left'>{html.escape(str(r.label))}</th>"
            f"<td style='text-align:right'>{r.mean_abs_shap:.3f}</td>"
            f"<td style='text-align:right'>{r.share:.0%}</td></tr>"
            for r in top.itertuples()
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f'<div class="mlops-explanation"><p>{html.escape(self.summary())}</p>'
            f"<p>{html.escape(self.choice.reason)}</p>"
            f"<table><caption style='text-align:left'>Top features by mean absolute SHAP "
            f"value ({html.escape(SPACE_WORDS[self.output_space])})</caption><thead><tr>"
            f"<th scope='col'>feature</th><th scope='col'>mean |SHAP|</th>"
            f"<th scope='col'>share</th></tr></thead><tbody>{rows}</tbody></table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )

    def __repr__(self) -> str:
        return (
            f"ModelExplanation({self.choice.estimator}, explainer={self.explainer!r}, "
            f"rows={self.n_rows}, features={len(self.features)})"
        )


# --- building one ----------------------------------------------------------------------------


def _whole(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ConfigError(
            f"The '{name}' parameter of explain_model must be a whole number of at least "
            f"{low}. Got {value!r} instead."
        )
    return int(value)


def _model_features(model: Any, X: pd.DataFrame) -> list[str]:
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(split_pipeline(model)[0], "feature_names_in_", None)
    features = [str(c) for c in (names if names is not None else X.columns)]
    missing = [c for c in features if c not in X.columns]
    if missing:
        from ..errors import did_you_mean

        raise DataValidationError(
            f"X lacks the model's feature column '{missing[0]}' (the model was fitted on "
            f"{', '.join(features)}). Got columns {', '.join(map(str, X.columns))}."
            + did_you_mean(missing[0], map(str, X.columns)),
            column=missing[0],
        )
    return features


def _groups_frame(groups: Any, X: pd.DataFrame, n: int) -> pd.DataFrame | None:
    import pandas as pd

    if groups is None:
        return None
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, pd.Series):
        frame = groups.to_frame(name=groups.name if groups.name is not None else "group")
    elif isinstance(groups, pd.DataFrame):
        frame = groups
    elif isinstance(groups, Sequence) and all(isinstance(g, str) for g in groups):
        missing = [g for g in groups if g not in X.columns]
        if missing:
            raise DataValidationError(
                f"The group column '{missing[0]}' is not a column of X (columns: "
                f"{', '.join(map(str, X.columns))}).",
                column=missing[0],
            )
        frame = X[list(groups)]
    else:
        raise ConfigError(
            "The 'groups' parameter of explain_model must be column names of X, a Series or "
            f"a DataFrame of protected attributes. Got {type(groups).__name__} instead."
        )
    if len(frame) != n:
        raise DataValidationError(
            f"The groups must have one row per row of X ({n:,}). Got {len(frame):,} instead."
        )
    return frame.reset_index(drop=True)


def _typical(background: pd.DataFrame, features: list[str]) -> dict[str, str]:
    import pandas as pd

    out = {}
    for f in features:
        s = background[f]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            v = pd.to_numeric(s, errors="coerce").median()
            out[f] = display_value(float(v)) if not pd.isna(v) else "not recorded"
        else:
            mode = s.dropna().mode()
            out[f] = display_value(mode.iloc[0]) if len(mode) else "not recorded"
    return out


def explain_model(
    model: Any,
    X: pd.DataFrame,
    *,
    y: Any = None,
    groups: Any = None,
    background: pd.DataFrame | None = None,
    max_rows: int = 1000,
    max_rows_sampled: int = 100,
    background_rows: int = 1000,
    seed: int = 0,
    feature_labels: Mapping[str, str] | None = None,
    explainer: str = "auto",
    threshold: float | None = None,
    decision_words: tuple[str, str] = ("Predicted positive", "Not predicted positive"),
    crosscheck: bool = True,
    n_repeats: int = 5,
    top_k: int = 3,
    min_group_size: int = 30,
) -> ModelExplanation:
    """Explain a fitted model on some rows: SHAP values in the original features, checked.

    Parameters
    ----------
    model : fitted scikit-learn Pipeline or estimator
        Binary classifier or regressor, such as ``TrainingResult.estimator``.
    X : pandas.DataFrame
        Rows to explain, with at least the model's feature columns (others are ignored).
        Its index labels the cases (set it to a case reference to see it in the reasons).
    y : array-like, optional
        True outcomes of the rows (0/1); with it, the SHAP ranking is cross-checked
        against permutation importance.
    groups : column name(s) of X, Series or DataFrame, optional
        Protected attributes of the rows, one column each; each gets a
        :class:`GroupExplanation`. Never used by the model.
    background : pandas.DataFrame, optional
        Rows that stand for "the average case" (default ``X``); the training rows are a
        good choice. A seeded sample of ``background_rows`` is used.
    max_rows : int, default 1000
        Row cap: a larger ``X`` is sampled (seeded) down to it, so the explanation stays
        fast (about 2 s per 1,000 rows for boosting, 15 s for a 100-tree forest).
    max_rows_sampled : int, default 100
        The lower cap of the sampled fallback, which costs hundreds of model calls a row.
    background_rows : int, default 1000
        Background sample size (the sampled fallback uses 100 of them).
    seed : int, default 0
        Seed of the row sample, the background sample, the sampled explainer and the
        permutations.
    feature_labels : mapping, optional
        Plain labels for features (default: the datasheet's, or the column name).
    explainer : {"auto", "tree", "linear", "sampled"}, default "auto"
    threshold : float, optional
        Score at or above which a case is predicted positive (classification), for the
        reason codes.
    decision_words : tuple of two str
        How reason codes name a case at or above the threshold and one below it; the
        pipeline passes the run's own words (:class:`mlops_kit._wording.Wording`).
    crosscheck : bool, default True
        Compute permutation importance when ``y`` is given.
    n_repeats, top_k, min_group_size : int
        For the cross-check (shuffles per feature) and the group comparison.

    Returns
    -------
    ModelExplanation

    Raises
    ------
    ConfigError
        An unfitted model, a non-binary classifier, a bad parameter (such as
        ``max_rows=0``) or an unknown explainer.
    DataValidationError
        X is not a DataFrame, is empty or lacks a feature column; y or groups have the
        wrong length.
    MlopsKitError
        The SHAP values do not add up to the model's output (never expected; the
        explanation is refused rather than shown wrong).
    """
    import pandas as pd

    check_fitted_binary(model, "explain_model")
    if not isinstance(X, pd.DataFrame):
        raise DataValidationError(
            "The 'X' parameter of explain_model must be a pandas DataFrame with the model's "
            f"feature columns. Got {type(X).__name__} instead."
        )
    if len(X) == 0:
        raise DataValidationError("X has no rows to explain.")
    max_rows = _whole("max_rows", max_rows)
    max_rows_sampled = _whole("max_rows_sampled", max_rows_sampled)
    background_rows = _whole("background_rows", background_rows, low=10)
    seed = _whole("seed", seed, low=0)
    if threshold is not None and not (isinstance(threshold, float | int) and 0 < threshold < 1):
        raise ConfigError(
            f"The 'threshold' parameter of explain_model must be a number in (0, 1). "
            f"Got {threshold!r} instead."
        )
    features = _model_features(model, X)
    labels = resolve_labels(features, feature_labels)
    choice = choose_explainer(model, explainer=explainer)
    if choice.task == "regression":
        threshold = None
    yy = None if y is None else np.asarray(y)
    if yy is not None and len(yy) != len(X):
        raise DataValidationError(
            f"y must have one value per row of X ({len(X):,}). Got {len(yy):,} instead."
        )
    group_frame = _groups_frame(groups, X, len(X))
    bg_source = X if background is None else background
    if not isinstance(bg_source, pd.DataFrame) or len(bg_source) == 0:
        raise DataValidationError("The background must be a non-empty DataFrame.")
    _model_features(model, bg_source)

    cap = max_rows if choice.kind != "sampled" else min(max_rows, max_rows_sampled)
    rng = np.random.default_rng([seed, 1])
    positions = np.arange(len(X))
    notes: list[str] = []
    if len(X) > cap:
        positions = np.sort(rng.choice(len(X), size=cap, replace=False))
        notes.append(f"{cap:,} of {len(X):,} rows were explained (a seeded sample; the cap).")
    rows = X.iloc[positions][features]
    bg_rng = np.random.default_rng([seed, 3])
    bg_take = np.sort(
        bg_rng.choice(len(bg_source), size=min(background_rows, len(bg_source)), replace=False)
    )
    bg = bg_source.iloc[bg_take][features]

    start = time.perf_counter()
    raw = compute_shap(model, rows, bg, choice=choice, seed=seed)
    seconds = time.perf_counter() - start
    notes += list(raw.notes)
    error = float(np.max(np.abs(raw.base_value + raw.shap_values.sum(axis=1) - raw.outputs)))
    scale = max(1.0, float(np.max(np.abs(raw.outputs))))
    if not error <= ADDITIVITY_TOLERANCE * scale:
        raise MlopsKitError(
            f"The SHAP values of this {raw.choice.estimator} do not add up to its output: "
            f"base value plus contributions is off by up to {error:.3g} "
            f"({raw.choice.method}). The explanation was not used; please report it."
        )
    if raw.choice.task == "classification":
        scores = np.asarray(model.predict_proba(rows), dtype=float)[:, 1]
    else:
        scores = np.asarray(model.predict(rows), dtype=float).ravel()

    y_rows = None if yy is None else yy[positions]
    group_rows = None if group_frame is None else group_frame.iloc[positions].reset_index(drop=True)
    values_frame = pd.DataFrame(raw.shap_values, columns=features)
    importance = values_frame.abs().mean()
    cross = None
    if crosscheck and y_rows is not None:
        cross = permutation_crosscheck(
            model,
            rows,
            y_rows,
            importance,
            labels=labels,
            task=raw.choice.task,
            n_repeats=_whole("n_repeats", n_repeats),
            seed=seed,
            top_k=_whole("top_k", top_k),
        )
    by_group: dict[str, GroupExplanation] = {}
    if group_rows is not None:
        for column in group_rows.columns:
            by_group[str(column)] = explain_by_group(
                values_frame,
                group_rows[column].rename(str(column)),
                labels=labels,
                top_k=_whole("top_k", top_k),
                min_group_size=_whole("min_group_size", min_group_size),
            )
    return ModelExplanation(
        choice=raw.choice,
        features=tuple(features),
        labels=labels,
        shap_values=_read_only(raw.shap_values),
        base_value=float(raw.base_value),
        outputs=_read_only(raw.outputs),
        scores=_read_only(scores),
        data=rows.copy(),
        typical=_typical(bg, features),
        threshold=None if threshold is None else float(threshold),
        decision_words=decision_words,
        y=None if y_rows is None else _read_only(y_rows),
        groups=group_rows,
        crosscheck=cross,
        by_group=by_group,
        n_available=len(X),
        max_rows=cap,
        seed=seed,
        background_rows=len(bg),
        seconds=seconds,
        notes=tuple(notes),
    )


def explain_training(
    result: TrainingResult,
    data: pd.DataFrame,
    roles: ColumnRoles,
    *,
    id_column: str | None = None,
    **kwargs: Any,
) -> ModelExplanation:
    """Explain a model from :func:`mlops_kit.train.train_model` on its held-out rows.

    The held-out (test) rows are explained, the training rows are the background, their
    true outcomes are ``y``, the protected columns are the groups, and the training
    threshold is the threshold; any keyword of :func:`explain_model` can be given to
    change them.

    Parameters
    ----------
    result : TrainingResult
    data : pandas.DataFrame
        The table the model was trained on.
    roles : ColumnRoles
        Its column roles (features, target, protected).
    id_column : str, optional
        A column of case references (such as ``"claim_id"``) to label the cases with.
    **kwargs
        Passed to :func:`explain_model`.
    """
    if id_column is not None and id_column not in data.columns:
        raise DataValidationError(
            f"The id column '{id_column}' is not a column of the data.", column=id_column
        )
    table = data.iloc[result.split.test_index]
    if id_column is not None:
        table = table.set_index(id_column, drop=False)
    kwargs.setdefault("y", result.predictions["y_true"].to_numpy())
    kwargs.setdefault("groups", list(roles.protected) or None)
    kwargs.setdefault("threshold", result.threshold if result.task == "classification" else None)
    kwargs.setdefault("seed", result.seed)
    kwargs.setdefault("background", data.iloc[result.split.train_index])
    return explain_model(result.estimator, table, **kwargs)
