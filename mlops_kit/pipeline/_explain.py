"""The explain stage: why the model scores cases as it does, for the report and the card."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._io import atomic_write_json, read_json
from .._wording import Wording
from ..config import ExplainParams, validate_params
from ..data import ColumnRoles
from ._folder import (
    MODEL_FILE,
    PREDICTIONS_FILE,
    TRAINING_FILE,
    audit_event,
    require_file,
    resolve_run_dir,
)
from ._stages import _load_verified, read_dataset_record, save_figures

__all__ = ["EXPLANATIONS_FILE", "explain_stage"]

#: The explain stage's record in the run folder.
EXPLANATIONS_FILE = "explanations.json"


def explain_stage(run_dir: str | os.PathLike[str], **params: Any) -> dict[str, Any]:
    """Explain the run's model on its held-out rows with SHAP; write ``explanations.json``.

    The explainer fits the model (tree, linear or a sampled fallback, see
    :func:`mlops_kit.explain.choose_explainer`), with the training rows as background.
    Writes the global importance, the reason codes of the highest-scoring held-out cases,
    the cross-check against permutation importance and the top reasons per protected
    group, and figures (bar chart, beeswarm, waterfalls) with their descriptions. With
    ``explain.enabled`` false it writes a record saying the stage was skipped.

    Parameters
    ----------
    run_dir : path-like
        The run folder, after the evaluate stage.
    **params
        The config keys of :class:`mlops_kit.config.ExplainParams`.
    """
    import pandas as pd

    from ..explain import explain_model
    from ..train import load_model

    p: ExplainParams = validate_params(params, model=ExplainParams, source="explain stage")
    s = p.explain
    folder = resolve_run_dir(run_dir)
    if not s.enabled:
        skipped = {"skipped": True, "summary": "Explanations were switched off (explain.enabled)."}
        atomic_write_json(folder / EXPLANATIONS_FILE, skipped)
        return skipped
    record = read_dataset_record(folder, stage="explain")
    roles = ColumnRoles.from_dict(record["profile"]["roles"])
    df = _load_verified(record)
    held_out = pd.read_csv(require_file(folder, PREDICTIONS_FILE, "explain"))
    training = read_json(require_file(folder, TRAINING_FILE, "explain"))
    model = load_model(require_file(folder, MODEL_FILE, "explain"))
    classification = record["task"] == "classification"
    words = Wording.from_record(record)
    rows = held_out["row"].to_list()
    features = list(roles.features)
    X = df.loc[rows, features]
    # Cases are named by their reference (a unique column left out of training, such as
    # claim_id) when there is one, else by their row number in the data file.
    ids = [c for c, _ in roles.excluded if c in df.columns and df.loc[rows, c].is_unique]
    if ids:
        X = X.set_axis(df.loc[rows, ids[0]].astype(str).to_numpy(), axis=0)
    groups = df.loc[rows, list(roles.protected)] if roles.protected else None
    explanation = explain_model(
        model,
        X,
        y=held_out["y_true"].to_numpy(),
        groups=groups,
        background=df.drop(index=rows)[features],
        seed=int(training.get("seed", 0) or 0),
        threshold=training.get("threshold") if classification else None,
        decision_words=(words.positive.capitalize(), words.negative.capitalize()),
        **{**s.explain_kwargs(), "feature_labels": _labels(record, features, s.feature_labels)},
    )
    result: dict[str, Any] = explanation.to_dict(n_cases=s.n_cases, n_reasons=s.n_reasons)
    atomic_write_json(folder / EXPLANATIONS_FILE, result)
    figures = [
        ("explain_importance", explanation.bar()),
        ("explain_beeswarm", explanation.beeswarm()),
    ]
    figures += [
        (f"explain_case_{k}", explanation.waterfall(i))
        for k, i in enumerate(explanation.top_cases(s.n_cases), start=1)
    ]
    if explanation.crosscheck is not None:
        figures.append(("explain_crosscheck", explanation.crosscheck.plot()))
    figures += [(f"explain_by_{attr}", g.plot()) for attr, g in explanation.by_group.items()]
    save_figures(folder, figures, section="explanations")
    audit_event(
        folder,
        "explained",
        explainer=result["explainer"]["method"],
        rows=result["n_rows"],
        top_features=[e["feature"] for e in result["importance"][:3]],
        additivity_error=result["additivity_error"],
    )
    return result


def _labels(record: dict[str, Any], features: list[str], given: dict[str, str]) -> dict[str, str]:
    """A plain label for every feature: the config's, else for the bundled datasets their
    datasheet's, else the column name with spaces (never another dataset's words)."""
    from ..data import dataset_info, list_datasets
    from ..explain import resolve_labels

    bundled = {str(dataset_info(name).path.resolve()) for name in list_datasets()}
    if str(Path(record["path"]).resolve()) in bundled:
        return resolve_labels(features, given)
    return {f: given.get(f) or f.replace("_", " ").strip() for f in features}
