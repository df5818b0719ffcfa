"""Calibration statistics against scipy and scikit-learn on known inputs, and the undefined cases."""

from __future__ import annotations

import csv
import io
import math
import random

import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from replycoach.analytics.calibration import (
    OVERALL,
    TRUST_MIN_N,
    CalibrationPair,
    calibrate,
    cohen_kappa,
    mean_abs_diff,
    report_csv,
    spearman,
)


@pytest.mark.parametrize("seed", range(8))
def test_spearman_matches_scipy_with_ties(seed):
    rng = random.Random(seed)
    n = rng.randint(3, 40)
    machine = [round(rng.random(), 2) for _ in range(n)]
    coach = [rng.choice([0.0, 0.5, 1.0]) for _ in range(n)]  # coaches score in halves: many ties
    expected = spearmanr(machine, coach).statistic
    got = spearman(machine, coach)
    if math.isnan(expected):
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_kappa_matches_sklearn(seed):
    rng = random.Random(100 + seed)
    n = rng.randint(2, 60)
    a = [rng.random() < 0.6 for _ in range(n)]
    b = [x if rng.random() < 0.7 else not x for x in a]
    expected = cohen_kappa_score(a, b)
    got = cohen_kappa(a, b)
    if math.isnan(expected):
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)


def test_known_kappa_value():
    # 2x2 table: both pass 20, both fail 15, machine-only pass 5, coach-only pass 10 (Wikipedia's example)
    a = [True] * 20 + [False] * 15 + [True] * 5 + [False] * 10
    b = [True] * 20 + [False] * 15 + [False] * 5 + [True] * 10
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-9)


def test_undefined_statistics_are_none_not_nan():
    assert spearman([], []) is None
    assert spearman([0.3], [1.0]) is None
    assert spearman([0.5, 0.5, 0.5], [0.0, 0.5, 1.0]) is None  # constant column
    assert cohen_kappa([True], [True]) is None
    assert cohen_kappa([True, True], [True, True]) is None  # chance agreement is 1
    assert cohen_kappa([True, True], [False, False]) == 0.0  # sklearn agrees: 0
    assert mean_abs_diff([], []) is None
    with pytest.raises(ValueError):
        spearman([1.0], [1.0, 2.0])


def _pair(i, machine, coach, m_overall, c_overall):
    return CalibrationPair(i, f"user{i}", "dress-hole", "coach", machine, coach, m_overall, c_overall)


def test_calibrate_skips_na_and_trusts_only_with_enough_agreeing_pairs():
    pairs = [
        _pair(
            i,
            {"apology": 1.0 if i % 2 else 0.0, "empathy": 0.9},
            {"apology": 1.0 if i % 2 else 0.0, "empathy": None},
            80.0,
            75.0,
        )
        for i in range(TRUST_MIN_N)
    ]
    report = calibrate(pairs, ["apology", "empathy", "timing"], pass_mark=70.0)
    apology = report.agreement("apology")
    assert (apology.n, apology.kappa, apology.mean_abs_diff, apology.trusted) == (TRUST_MIN_N, 1.0, 0.0, True)
    assert report.agreement("empathy").n == 0 and report.agreement("empathy").kappa is None
    assert not report.agreement("empathy").trusted
    assert report.agreement("timing").n == 0
    overall = report.agreement(OVERALL)
    assert overall.n == TRUST_MIN_N and overall.mean_abs_diff == pytest.approx(5.0)
    assert overall.kappa is None  # every attempt passed on both sides: kappa undefined, not "trusted"
    # Perfect agreement on fewer than TRUST_MIN_N pairs is not enough.
    few = calibrate(pairs[: TRUST_MIN_N - 1], ["apology"], pass_mark=70.0)
    assert few.agreement("apology").kappa == 1.0 and not few.agreement("apology").trusted


def test_disagreements_sorted_by_gap_on_a_common_scale():
    pairs = [
        _pair(1, {"apology": 1.0}, {"apology": 0.0}, 90.0, 85.0),  # principle gap 1.0
        _pair(2, {"apology": 0.6}, {"apology": 0.5}, 95.0, 35.0),  # overall gap 60 points = 0.6
        _pair(3, {"apology": 0.5}, {"apology": 0.5}, 50.0, 50.0),  # agree: not listed
    ]
    report = calibrate(pairs, ["apology"], pass_mark=70.0)
    top = [(d.attempt_id, d.principle) for d in report.disagreements]
    assert top[:2] == [(1, "apology"), (2, OVERALL)]
    assert (3, "apology") not in top and (3, OVERALL) not in top


def test_report_csv_round_trips():
    pairs = [_pair(i, {"apology": i / 10}, {"apology": 0.5}, 60.0 + i, 70.0) for i in range(5)]
    text = report_csv(calibrate(pairs, ["apology"], pass_mark=70.0))
    head, _, tail = text.partition("\r\n\r\n")
    rows = list(csv.DictReader(io.StringIO(head)))
    assert [r["principle"] for r in rows] == ["apology", OVERALL]
    assert rows[0]["n"] == "5" and rows[0]["auto_score_trusted"] == "False"
    gaps = list(csv.DictReader(io.StringIO(tail)))
    assert gaps and {"attempt_id", "principle", "machine", "coach_score", "gap"} <= set(gaps[0])


def _versioned(i, machine, coach, version="g2", at=None):
    from dataclasses import replace

    return replace(_pair(i, {"apology": machine}, {"apology": coach}, 100 * machine, 100 * coach),
                   grader_version=version, reviewed_at=at)  # fmt: skip


def test_trust_needs_agreement_on_size_too_not_only_on_pass_or_fail():
    from replycoach.analytics.calibration import TRUST_WITHIN_SHARE, trust

    # Machine 0 or 1, coach 0.3 or 0.7: the same side of 50 every time (kappa 1), but 30 points apart.
    pairs = [_versioned(i, float(i % 2), 0.7 if i % 2 else 0.3) for i in range(TRUST_MIN_N)]
    (apology,) = trust(pairs, ["apology"], grader_version="g2", pass_mark=70.0)
    assert (apology.kappa, apology.within, apology.trusted) == (1.0, 0.0, False)
    assert apology.shortfalls() == [("within", 0.0, TRUST_WITHIN_SHARE)]
    close = [_versioned(i, float(i % 2), 0.8 if i % 2 else 0.2) for i in range(TRUST_MIN_N)]
    (earned,) = trust(close, ["apology"], grader_version="g2", pass_mark=70.0)
    assert earned.trusted and earned.shortfalls() == []
    (other,) = trust(close, ["apology"], grader_version="g3", pass_mark=70.0)  # a new grader starts untrusted
    assert other.n == 0 and not other.trusted and other.shortfalls()[0] == ("reviews", 0.0, float(TRUST_MIN_N))


def test_agreement_per_grader_version_and_month_counts_the_reviews_behind_each_figure():
    from datetime import UTC, datetime

    from replycoach.analytics.calibration import MIN_REVIEWS, by_grader_version, by_month

    late_january = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # already February in Berlin
    pairs = [_versioned(i, float(i % 2), float(i % 2), "g1", late_january) for i in range(MIN_REVIEWS)]
    pairs += [_versioned(100 + i, 1.0, 0.0, "g2", datetime(2026, 3, 2, tzinfo=UTC)) for i in range(3)]
    versions = by_grader_version(pairs, ["apology"], pass_mark=70.0)
    assert [(g.group, g.reviews, g.principles["apology"].too_few) for g in versions] == [
        ("g1", MIN_REVIEWS, False),
        ("g2", 3, True),
    ]
    assert versions[0].principles["apology"].kappa == 1.0
    assert [g.group for g in by_month(pairs, ["apology"], pass_mark=70.0)] == ["2026-01", "2026-03"]
    berlin = by_month(pairs, ["apology"], pass_mark=70.0, time_zone="Europe/Berlin")
    assert [(g.group, g.reviews) for g in berlin] == [("2026-02", MIN_REVIEWS), ("2026-03", 3)]
