"""Agreement statistics (benchmarks, calibration, the grader's evaluation): scipy and scikit-learn behind
one small interface of plain sequences.

Each function returns ``None`` where the statistic is undefined (too few items, a constant series, one class
empty) instead of raising or returning NaN: a benchmark table shows "n/a" and goes on. Pairs with a missing
value (None or NaN) on either side are dropped first.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats as _scipy
from sklearn import metrics as _metrics


def _clean_pairs(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """Both series as float arrays, pairs with a missing value on either side dropped."""
    xs = np.array([np.nan if v is None else float(v) for v in x], dtype=float)
    ys = np.array([np.nan if v is None else float(v) for v in y], dtype=float)
    if len(xs) != len(ys):
        raise ValueError(f"series differ in length: {len(xs)} vs {len(ys)}")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    return xs[keep], ys[keep]


def _correlation(kind: Callable, x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    xs, ys = _clean_pairs(x, y)
    if len(xs) < 3 or np.all(xs == xs[0]) or np.all(ys == ys[0]):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(kind(xs, ys).statistic)
    return None if np.isnan(value) else value


def pearson(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Pearson correlation (``scipy.stats.pearsonr``); ``None`` with fewer than 3 pairs or a constant series."""
    return _correlation(_scipy.pearsonr, x, y)


def spearman(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Spearman rank correlation (``scipy.stats.spearmanr``, ties at their average rank)."""
    return _correlation(_scipy.spearmanr, x, y)


def roc_auc(labels: Sequence[int | bool | None], scores: Sequence[float | None]) -> float | None:
    """Area under the ROC curve of ``scores`` for binary ``labels`` (1 = positive), by scikit-learn.

    ``None`` when either class is empty; ties between the classes count half, as in scikit-learn.
    """
    ls, ss = _clean_pairs([None if v is None else float(bool(v)) for v in labels], scores)
    if len(set(ls.tolist())) < 2:
        return None
    return float(_metrics.roc_auc_score(ls, ss))


def cohen_kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa between two raters' labels (any hashable labels), by scikit-learn; ``None`` when
    undefined (no items, or both raters give one and the same label throughout)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    left, right = [str(x) for x, _ in pairs], [str(y) for _, y in pairs]
    if len(set(left) | set(right)) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(_metrics.cohen_kappa_score(left, right))
    return None if np.isnan(value) else value


def mean_abs_diff(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Mean absolute difference over pairs where both sides have a value."""
    xs, ys = _clean_pairs(x, y)
    return float(np.abs(xs - ys).mean()) if len(xs) else None


def bootstrap_ci(
    statistic: Callable[[Sequence[float], Sequence[float]], float | None],
    x: Sequence[float | None],
    y: Sequence[float | None],
    *,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``statistic(x, y)``, resampling pairs with a fixed seed.

    Resamples where the statistic is undefined are dropped; ``None`` if fewer than half remain.
    """
    xs, ys = _clean_pairs(x, y)
    if len(xs) < 3:
        return None
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        idx = rng.integers(0, len(xs), len(xs))
        v = statistic(xs[idx].tolist(), ys[idx].tolist())
        if v is not None:
            values.append(v)
    if not values or len(values) < resamples / 2:
        return None
    tail = (1.0 - confidence) / 2.0 * 100.0
    lo, hi = np.percentile(values, [tail, 100.0 - tail])
    return float(lo), float(hi)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100, linear interpolation as numpy's default); ``None`` when empty."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None
