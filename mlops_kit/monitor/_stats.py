"""The drift statistics, vectorised with NumPy; p-values and distances from SciPy.

No function loops in Python over rows: numeric columns are sorted once and counted
with :func:`numpy.searchsorted`, categorical ones with pandas' hashed value counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Shares below this are raised to it before taking logarithms in the PSI, so an empty
#: bin gives a large but finite value (the usual convention, as in Evidently).
PSI_EPSILON = 1e-4
#: Above this many rows in the larger sample, scipy's ks_2samp uses the asymptotic
#: distribution; below it, the exact one (its ``method="auto"``).
EXACT_KS_MAX_ROWS = 10_000


def psi(expected: np.ndarray, actual: np.ndarray, *, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of two vectors of counts (or shares) over the same bins.

    ``sum((a - e) * ln(a / e))`` over bins, with shares clipped below at ``epsilon``.

    Examples
    --------
    >>> round(psi(np.array([50, 50]), np.array([40, 60])), 4)
    0.0405
    """
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e = np.clip(e / e.sum(), epsilon, None)
    a = np.clip(a / a.sum(), epsilon, None)
    return float(np.sum((a - e) * np.log(a / e)))


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, from 0 to 1) of two count vectors, via SciPy."""
    from scipy.spatial.distance import jensenshannon

    return float(jensenshannon(np.asarray(p, float), np.asarray(q, float), base=2))


def quantile_edges(sorted_reference: np.ndarray, n_bins: int) -> np.ndarray:
    """Interior edges of ``n_bins`` quantile bins of the reference; ties merge bins.

    A constant column has no interior edge (one bin). A value equal to an edge goes to
    the bin above it (``searchsorted(..., side="right")``).
    """
    if len(sorted_reference) == 0:
        return np.empty(0)
    qs = np.quantile(sorted_reference, np.linspace(0, 1, n_bins + 1)[1:-1])
    edges = np.unique(qs)
    # An edge at the minimum would leave the first bin empty in the reference.
    return edges[edges > sorted_reference[0]]


def bin_counts(sorted_values: np.ndarray, edges: np.ndarray, n_missing: int) -> np.ndarray:
    """Counts per bin of sorted values, then the count of missing values as its own bin."""
    cuts = np.searchsorted(sorted_values, edges, side="left")
    bounds = np.concatenate([[0], cuts, [len(sorted_values)]])
    return np.append(np.diff(bounds), n_missing)


def ks_from_sorted(r: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Two-sided two-sample Kolmogorov-Smirnov statistic and p-value of sorted samples.

    The statistic is exact and ties are handled: between two consecutive distinct
    reference values the reference's distribution function is flat, so the largest
    gaps on each interval are at its ends, found with two ``searchsorted`` calls of the
    reference's distinct values into the current sample. The p-value is scipy's: the
    exact distribution for small samples (``ks_2samp``), otherwise the asymptotic one
    that ``ks_2samp`` uses (``kstwo`` at ``n1 * n2 / (n1 + n2)``).
    """
    from scipy import stats

    n1, n2 = len(r), len(c)
    if max(n1, n2) <= EXACT_KS_MAX_ROWS:
        res = stats.ks_2samp(r, c)
        return float(res.statistic), float(res.pvalue)
    u = np.unique(r)
    f_r = np.searchsorted(r, u, side="right") / n1
    f_c_at = np.searchsorted(c, u, side="right") / n2
    f_c_before = np.searchsorted(c, u, side="left") / n2
    f_r_before = np.concatenate([[0.0], f_r[:-1]])
    d_plus = np.max(f_r - f_c_at)
    d_minus = np.max(f_c_before - f_r_before)  # after the last value F_r = 1: no gap
    d = float(max(d_plus, d_minus, 0.0))
    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    p = float(np.clip(stats.kstwo.sf(d, np.round(en)), 0.0, 1.0))
    return d, p


def pool_rare(table: np.ndarray, min_expected: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Pool the columns of a 2 x k table whose expected counts fall below ``min_expected``.

    Returns the pooled table, for each original column the index of the pooled column it
    went to, and how many columns were rare. Rare columns are pooled together; if the
    pool itself is still too rare, it joins the smallest remaining column.
    """
    col = table.sum(axis=0)
    total = col.sum()
    need = min_expected * total / max(table.sum(axis=1).min(), 1)
    rare = col < need
    keep = np.flatnonzero(~rare)
    target = np.full(len(col), -1)
    target[keep] = np.arange(len(keep))
    if rare.any():
        if col[rare].sum() >= need or len(keep) == 0:
            target[rare] = len(keep)
        else:
            target[rare] = int(np.argmin(col[keep]))
    n_out = int(target.max()) + 1
    pooled = np.vstack([np.bincount(target, weights=row, minlength=n_out) for row in table])
    return pooled, target, int(rare.sum())


@dataclass(frozen=True)
class Chi2:
    """A chi-square test on a (pooled) 2 x k table."""

    statistic: float
    pvalue: float
    dof: int
    n_pooled: int


def chi2_two_samples(table: np.ndarray, min_expected: float) -> Chi2:
    """Chi-square test of homogeneity of two samples' category counts (scipy's).

    Both samples are samples: the test is :func:`scipy.stats.chi2_contingency` on the
    2 x k contingency table, after pooling rare categories so every expected count is
    large enough for the chi-square approximation.
    """
    from scipy.stats import chi2_contingency

    nonempty = table[:, table.sum(axis=0) > 0]
    pooled, _, n_pooled = pool_rare(nonempty, min_expected)
    if pooled.shape[1] < 2 or (pooled.sum(axis=1) == 0).any():
        return Chi2(0.0, 1.0, 0, n_pooled)
    res = chi2_contingency(pooled)
    return Chi2(float(res.statistic), float(res.pvalue), int(res.dof), n_pooled)


def adjust_pvalues(pvalues: np.ndarray, method: str) -> np.ndarray:
    """P-values corrected for multiple testing (Benjamini-Hochberg via scipy)."""
    from scipy.stats import false_discovery_control

    p = np.asarray(pvalues, dtype=float)
    if len(p) == 0 or method == "none":
        return p
    if method == "bonferroni":
        return np.minimum(p * len(p), 1.0)
    return np.asarray(false_discovery_control(p, method="bh"), dtype=float)
