"""The agreement statistics: scipy / scikit-learn through one interface that drops missing pairs and says
"undefined" (None) instead of raising or returning NaN."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from replycoach import stats as st

RNG = np.random.default_rng(7)
CONTINUOUS = (RNG.normal(size=60), RNG.normal(size=60))
TIED = ([1, 2, 2, 3, 3, 3, 4, 5, 5, 0], [0.5, 0.5, 1, 0, 1, 1, 0.5, 1, 1, 0])


@pytest.mark.parametrize("x,y", [CONTINUOUS, TIED, ([10, 20, 30, 40], [4, 3, 2, 1])])
def test_spearman_and_pearson_match_scipy(x, y):
    assert st.spearman(x, y) == pytest.approx(sps.spearmanr(x, y).statistic, abs=1e-12)
    assert st.pearson(x, y) == pytest.approx(sps.pearsonr(x, y).statistic, abs=1e-12)


@pytest.mark.parametrize(
    "labels,scores",
    [
        ([0, 0, 1, 1, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.6]),
        ([1, 0, 1, 0, 1, 0], [0.5, 0.5, 0.5, 0.2, 1.0, 0.5]),  # ties across classes count one half
        (list(RNG.integers(0, 2, 80)), list(RNG.normal(size=80))),
    ],
)
def test_roc_auc_matches_sklearn(labels, scores):
    assert st.roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


@pytest.mark.parametrize(
    "a,b",
    [
        ([True, True, False, False, True, False], [True, False, False, False, True, True]),
        (["a", "b", "c", "a", "b", "c", "a"], ["a", "b", "b", "a", "c", "c", "b"]),
        ([1, 1, 1, 0], [1, 1, 1, 1]),
    ],
)
def test_kappa_matches_sklearn(a, b):
    assert st.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_undefined_statistics_are_none_not_nan():
    assert st.spearman([1, 2, 3], [5, 5, 5]) is None  # constant series
    assert st.spearman([1, 2], [1, 2]) is None  # too few pairs
    assert st.roc_auc([1, 1, 1], [0.2, 0.5, 0.9]) is None  # one class empty
    assert st.cohen_kappa([1, 1], [1, 1]) is None  # chance agreement is total
    assert st.mean_abs_diff([None], [3]) is None
    assert st.percentile([], 50) is None


def test_missing_values_are_dropped_pairwise():
    assert st.spearman([1, None, 2, 3, 4], [1, 9, 2, 3, None]) == pytest.approx(1.0)
    assert st.roc_auc([1, 0, None, 1], [0.9, 0.1, 0.5, None]) == pytest.approx(1.0)
    assert st.mean_abs_diff([10, None, 30], [20, 5, 10]) == pytest.approx(15.0)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in length"):
        st.spearman([1, 2, 3], [1, 2])


def test_bootstrap_ci_brackets_the_estimate_and_is_reproducible():
    x, y = CONTINUOUS[0], CONTINUOUS[0] + RNG.normal(scale=0.8, size=60)
    lo, hi = st.bootstrap_ci(st.spearman, x, y, resamples=300, seed=1)
    assert lo < st.spearman(x, y) < hi
    assert 0 < hi - lo < 0.6
    assert st.bootstrap_ci(st.spearman, x, y, resamples=300, seed=1) == (lo, hi)
    # scipy's percentile bootstrap on the same data lands close by
    ref = sps.bootstrap(
        (x, y),
        lambda a, b: sps.spearmanr(a, b).statistic,
        paired=True,
        n_resamples=2000,
        method="percentile",
        random_state=3,
    ).confidence_interval
    assert lo == pytest.approx(ref.low, abs=0.08) and hi == pytest.approx(ref.high, abs=0.08)


def test_percentile_matches_numpy():
    values = list(RNG.exponential(size=101))
    assert st.percentile(values, 95) == pytest.approx(np.percentile(values, 95))


def test_bootstrap_without_resamples_has_no_interval():
    # the per-language tables ask for no resamples: no interval, not a crash on an empty percentile
    assert st.bootstrap_ci(st.spearman, [1, 2, 3, 4], [1, 3, 2, 4], resamples=0) is None
