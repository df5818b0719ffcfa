"""What a review teaches the grader most: the uncertainty rule of the review queue and its reasons in words."""

from __future__ import annotations

import pytest

from replycoach.coaching.queue_order import (
    CASEBOOK_DISAGREES,
    JUDGE_DISAGREES,
    MAX_UNCERTAINTY,
    NEAR_PASS,
    UNSURE_PRINCIPLE,
    attempt_uncertainty,
    casebook_estimate,
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


def test_where_the_casebook_disagrees_with_the_grader_comes_before_any_sign_of_doubt():
    borderline = uncertainty(70, {"empathy": 0.5, "apology": 0.5}, pass_mark=70, casebook_overall=72)
    disputed = uncertainty(20, SURE, pass_mark=70, casebook_overall=45)
    more_disputed = uncertainty(20, SURE, pass_mark=70, casebook_overall=75)
    assert more_disputed.value > disputed.value > borderline.value
    assert [r.text for r in disputed.reasons] == ["coaches gave replies like it about 45, the grader 20"]
    assert CASEBOOK_DISAGREES not in [r.kind for r in borderline.reasons]  # 2 points apart: no reason given
    # within one step of disagreement, the signs of doubt decide
    assert (
        uncertainty(70, SURE, pass_mark=70, casebook_overall=40).value
        > uncertainty(95, SURE, pass_mark=70, casebook_overall=65).value
    )
    assert uncertainty(0, {"a": 0.5}, pass_mark=0, casebook_overall=100).value < MAX_UNCERTAINTY


def test_the_larger_of_the_judges_and_the_casebooks_gaps_counts():
    judge_far = uncertainty(50, SURE, pass_mark=90, judge_overall=95, offline_overall=50, casebook_overall=55)
    casebook_far = uncertainty(50, SURE, pass_mark=90, judge_overall=55, offline_overall=50, casebook_overall=95)
    assert judge_far.value == casebook_far.value > uncertainty(50, SURE, pass_mark=90, casebook_overall=55).value


@pytest.mark.parametrize(
    ("grade_json", "expected"),
    [({"casebook_estimate": 64.5}, 64.5), ({}, None), (None, None), ({"casebook_estimate": True}, None),
     ({"casebook_estimate": "64"}, None), ({"casebook_estimate": 140.0}, None)],
)  # fmt: skip
def test_a_stored_grades_casebook_estimate_is_read_only_when_it_is_a_score(grade_json, expected):
    assert casebook_estimate(grade_json) == expected
    stored = attempt_uncertainty(20.0, SURE, None, 70.0, casebook_estimate(grade_json))
    assert (stored.value > 0) == (expected is not None)
