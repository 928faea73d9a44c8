"""Explainability: why the model scores a case as it does, globally and for one decision.

A public body using a model to help decide about people must be able to say why: to the
caseworker who acts on a flag, to the person affected (who may ask for the reasons and
challenge them), and to anyone reading its Algorithmic Transparency Recording Standard
record. This package turns a fitted model into those explanations, with SHAP values
(Shapley additive explanations): for each case, how much each feature pushed its score
above or below the average case, so that the average plus the pushes is exactly the
model's output.

* **Global**: which features move scores most over many cases
  (:meth:`ModelExplanation.importance`, a described bar chart and a beeswarm).
* **Local**: why one case got its score (:meth:`ModelExplanation.waterfall`) and its
  **reason codes** in plain words: "Flagged for review mainly because of ...; the factors
  that lowered the score were ..." (:meth:`ModelExplanation.reason_codes`), in feature
  names a person understands (the datasheet's labels, or your own ``feature_labels``).
* **A cross-check** against permutation importance (:class:`CrossCheck`): if two
  different methods rank the features alike, the explanation is more trustworthy; where
  they disagree is where to look.
* **By group** (:class:`GroupExplanation`): do the top reasons differ between protected
  groups? A feature that pushes one group's scores up more is a possible proxy.

The right explainer is chosen for the model (:func:`choose_explainer`): shap's exact tree
explainer for tree models (histogram boosting included, with its categorical splits read
correctly), its linear explainer for linear models, and a sampled fallback otherwise.
Explanations are given in the original columns (one-hot columns summed back to their
source), on at most ``max_rows`` rows (a seeded sample), and refused if the SHAP values
do not add up to the model's output.

Limits worth saying out loud: SHAP explains the *model*, not the world. "The score is
high because of the deprivation decile" says what the model learned, which may be a
historical bias in the labels; it is not evidence about the person.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from sklearn.linear_model import LogisticRegression
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"documents_provided": rng.integers(0, 5, 300),
...                   "previous_flags": rng.integers(0, 3, 300)})
>>> y = (X["previous_flags"] - 0.5 * X["documents_provided"] + rng.normal(0, 1, 300) > 0)
>>> model = LogisticRegression().fit(X, y.astype(int))
>>> explanation = explain_model(model, X, y=y.astype(int), threshold=0.5, max_rows=100)
>>> explanation.explainer, explanation.n_rows, explanation.additivity_error() < 1e-9
('linear', 100, True)
>>> explanation.importance().index[0]
'previous_flags'
"""

from ..config import ExplainSettings
from ._build import explain_model, explain_training
from ._crosscheck import CrossCheck
from ._explainer import ExplainerChoice, choose_explainer
from ._groups import GroupExplanation
from ._labels import features_named, protected_words_in, resolve_labels
from ._local import MIN_SHARE, ReasonCodes, display_value
from ._model import ModelExplanation

__all__ = [
    "MIN_SHARE",
    "CrossCheck",
    "ExplainSettings",
    "ExplainerChoice",
    "GroupExplanation",
    "ModelExplanation",
    "ReasonCodes",
    "choose_explainer",
    "display_value",
    "explain_model",
    "explain_training",
    "features_named",
    "protected_words_in",
    "resolve_labels",
]
