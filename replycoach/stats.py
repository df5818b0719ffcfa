"""Agreement statistics (benchmarks, calibration, the dev-set check): pure functions of plain sequences.

Each function returns ``None`` where the statistic is undefined (too few items, a constant series, one class
empty) instead of raising or returning NaN: a benchmark table shows "n/a" and goes on. The maths is small
enough to keep here, and the tests check every function against scipy/scikit-learn on the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def _clean_pairs(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """Both series as float arrays, pairs with a missing value on either side dropped."""
    if len(x) != len(y):
        raise ValueError(f"series differ in length: {len(x)} vs {len(y)}")
    keep = [(a, b) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
    xs = np.array([float(a) for a, _ in keep], dtype=float)
    ys = np.array([float(b) for _, b in keep], dtype=float)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    return xs[ok], ys[ok]


def average_ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks 1..n with ties sharing their average rank (as ``scipy.stats.rankdata(method="average")``)."""
    arr = np.asarray(values, dtype=float)
    order = np.argsort(arr, kind="mergesort")
    sorted_vals = arr[order]
    ranks = np.empty(len(arr), dtype=float)
    start = 0
    while start < len(arr):
        end = start
        while end + 1 < len(arr) and sorted_vals[end + 1] == sorted_vals[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def pearson(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Pearson correlation; ``None`` with fewer than 3 pairs or a constant series."""
    xs, ys = _clean_pairs(x, y)
    if len(xs) < 3:
        return None
    xd, yd = xs - xs.mean(), ys - ys.mean()
    denom = float(np.sqrt((xd * xd).sum() * (yd * yd).sum()))
    if denom == 0.0:
        return None
    return float((xd * yd).sum() / denom)


def spearman(x: Sequence[float | None], y: Sequence[float | None]) -> float | None:
    """Spearman rank correlation (Pearson of average ranks, so ties are handled as scipy does)."""
    xs, ys = _clean_pairs(x, y)
    if len(xs) < 3:
        return None
    return pearson(average_ranks(xs), average_ranks(ys))


def roc_auc(labels: Sequence[int | bool | None], scores: Sequence[float | None]) -> float | None:
    """Area under the ROC curve of ``scores`` for binary ``labels`` (1 = positive).

    Computed as the Mann-Whitney probability that a random positive outscores a random negative, ties
    counting one half (identical to ``sklearn.metrics.roc_auc_score``). ``None`` when a class is empty.
    """
    ls, ss = _clean_pairs([None if v is None else float(v) for v in labels], scores)
    pos = ls == 1.0
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = average_ranks(ss)
    u = ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def cohen_kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa between two raters' labels (any hashable labels); ``None`` when undefined."""
    if len(a) != len(b):
        raise ValueError(f"series differ in length: {len(a)} vs {len(b)}")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return None
    categories = sorted({x for x, _ in pairs} | {y for _, y in pairs}, key=repr)
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)), dtype=float)
    for x, y in pairs:
        table[index[x], index[y]] += 1
    n = table.sum()
    observed = np.trace(table) / n
    expected = float((table.sum(axis=1) * table.sum(axis=0)).sum() / (n * n))
    if expected == 1.0:
        return None
    return float((observed - expected) / (1.0 - expected))


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
    if len(values) < resamples / 2:
        return None
    tail = (1.0 - confidence) / 2.0 * 100.0
    lo, hi = np.percentile(values, [tail, 100.0 - tail])
    return float(lo), float(hi)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100, linear interpolation as numpy's default); ``None`` when empty."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None
