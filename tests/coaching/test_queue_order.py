"""What a review teaches the grader most: the uncertainty rule of the review queue and its reasons in words."""

from __future__ import annotations

import pytest

from replycoach.coaching.queue_order import (
    JUDGE_DISAGREES,
    NEAR_PASS,
    UNSURE_PRINCIPLE,
    attempt_uncertainty,
    judge_overalls,
    uncertainty,
)

SURE = {"empathy": 1.0, "apology": 0.0, "remedy": None}


def test_a_score_on_the_pass_mark_is_less_certain_than_one_far_from_it():
    on_it = uncertainty(70, SURE, pass_mark=70)
    near = uncertainty(66, SURE, pass_mark=70)
    far = uncertainty(20, SURE, pass_mark=70)
    assert on_it.value > near.value > far.value == 0.0
    assert [r.text for r in near.reasons] == ["overall 66, 4 from the pass mark"]
    assert far.reasons == ()


def test_principles_near_one_half_make_the_grader_unsure_and_are_named_closest_first():
    result = uncertainty(20, {"empathy": 0.55, "apology": 0.48, "remedy": 0.9, "timing": None}, pass_mark=70)
    assert result.value > uncertainty(20, SURE, pass_mark=70).value
    assert [(r.kind, r.principle) for r in result.reasons] == [
        (UNSURE_PRINCIPLE, "apology"),
        (UNSURE_PRINCIPLE, "empathy"),
    ]
    assert result.reasons[0].text == "apology 0.48: the grader is unsure"


def test_the_pass_mark_moves_what_is_near_it():
    assert uncertainty(80, SURE, pass_mark=80).value > uncertainty(80, SURE, pass_mark=60).value


def test_the_llm_judge_disagreeing_counts_only_when_it_was_on():
    alone = uncertainty(52, SURE, pass_mark=90)
    judged = uncertainty(52, SURE, pass_mark=90, judge_overall=85, offline_overall=52)
    assert judged.value > alone.value
    assert [(r.kind, r.text) for r in judged.reasons] == [(JUDGE_DISAGREES, "LLM judge 85 vs grader 52")]


def test_the_judges_overall_is_read_back_from_the_blend_the_attempt_stores():
    # Offline 50, judge 90, blended at weight 0.3: the attempt stores 62.
    assert judge_overalls({"offline_score": 50.0, "weight": 0.3}, 62.0) == pytest.approx((90.0, 50.0))
    assert judge_overalls(None, 62.0) is None
    assert judge_overalls({"offline_score": 50.0, "weight": 0}, 62.0) is None  # no blend: nothing to read
    stored = attempt_uncertainty(62.0, SURE, {"offline_score": 50.0, "weight": 0.3}, 70.0)
    assert JUDGE_DISAGREES in [r.kind for r in stored.reasons]
    assert NEAR_PASS in [r.kind for r in stored.reasons]


def test_no_scored_principle_is_no_doubt_about_principles():
    assert uncertainty(10, {"empathy": None}, pass_mark=70).value == 0.0
