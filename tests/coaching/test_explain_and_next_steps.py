"""The overall explained from a stored grade, and "try this next" from the principles that lost most."""

from __future__ import annotations

import pytest

from replycoach.coaching import explain_overall, lost_points, next_steps
from replycoach.practice import grade_from_json

BLAMING = "This is your problem, you should have checked the dress at the till. We can look at it."


def _capped(engine, casebook):
    """A stored grade as the engine writes it, with a cap on no_blame held at 29 from 61 (the grader caps only
    where its blame detector is confident; the test needs one whatever the model's current threshold)."""
    case = casebook["defective-dress"].localized("en")
    data = engine.grade(case, BLAMING, response_seconds=120, handling="public_reply").to_dict()
    start = BLAMING.index("your problem")
    evidence = [{"start": start, "end": start + len("your problem"), "polarity": "-", "label": "blame"}]
    data.update(score=29.0, uncapped_score=61.0, passed=False)
    data["caps"] = [{"principle": "no_blame", "limit": 29.0, "reason": "blames the customer", "evidence": evidence}]
    return case, data


def test_a_capped_overall_is_explained_with_its_reason_and_the_words(engine, casebook):
    _, stored = _capped(engine, casebook)
    why = explain_overall(stored, BLAMING)
    assert sum(s.share for s in why.shares) == pytest.approx(100.0)
    assert why.weighted_points == pytest.approx(sum(s.points for s in why.shares))
    assert [s.share for s in why.shares] == sorted((s.share for s in why.shares), reverse=True)
    assert (why.stretched, why.overall) == (61.0, 29.0)
    (cap,) = why.caps
    assert (cap.principle, cap.limit, cap.words) == ("no_blame", 29.0, ("your problem",))
    assert "personalization" not in {s.principle for s in why.shares}  # the case gives no name: N/A


def test_an_old_grade_without_caps_explains_what_it_has():
    stored = {
        "score": 55.0,
        "principles": {"empathy": {"score": 0.5}, "apology": {"score": 1.0}, "timing": {"score": None}},
        "weights": {"empathy": 3.0, "apology": 1.0, "timing": 1.0},
    }
    why = explain_overall(stored, "Sorry.")
    assert [(s.principle, s.share, s.points) for s in why.shares] == [("empathy", 75.0, 37.5), ("apology", 25.0, 25.0)]
    assert (why.weighted_points, why.stretched, why.caps, why.not_applicable) == (62.5, None, (), ("timing",))
    assert explain_overall({"principles": {}, "weights": {}}, "") is None


def test_next_steps_put_the_capping_fault_first_then_the_biggest_loss(engine, casebook):
    case, stored = _capped(engine, casebook)
    grade = grade_from_json(stored)
    steps = next_steps(case, grade)
    assert len(steps) == 2
    assert (steps[0].principle, steps[0].cap) == ("no_blame", 29.0)
    assert steps[0].points >= grade.uncapped_score - grade.score
    lost = lost_points(grade)
    others = sorted((p for p in lost if p != "no_blame"), key=lambda p: -lost[p])
    wrong_handling = grade.principles["handling"].score is not None and grade.principles["handling"].score < 0.5
    assert steps[1].principle == ("handling" if wrong_handling else others[0]) and steps[1].cap is None
    assert all(step.action for step in steps)


def test_a_blame_the_grader_sees_comes_first_even_uncapped(engine, casebook):
    case = casebook["defective-dress"].localized("en")
    grade = engine.grade(case, BLAMING, response_seconds=120, handling="public_reply")
    assert grade.principles["no_blame"].score < 0.5
    assert next_steps(case, grade)[0].principle == "no_blame"
    kind = engine.grade(case, case.exemplars.good[0].text, handling="public_reply")
    assert "no_blame" not in {s.principle for s in next_steps(case, kind)}


def test_a_perfect_reply_needs_no_next_step(engine, casebook):
    case = casebook["defective-dress"].localized("en")
    best = max(case.exemplars.good, key=lambda e: e.score)
    grade = engine.grade(case, best.text, handling=case.expected_handling.value)
    steps = next_steps(case, grade)
    assert grade.score < 100 or steps == []
    assert all(step.points >= 1.0 for step in steps)


def test_steps_work_from_a_stored_grade(engine, casebook):
    case = casebook["checkout-queue"].localized("ru")
    grade = engine.grade(case, "Спасибо за отзыв. Мы разберемся.", response_seconds=60, handling="public_reply")
    again = grade_from_json(grade.to_dict())
    assert next_steps(case, again) == next_steps(case, grade)


def test_a_version_2_grade_is_explained_by_the_parts_its_model_added_up(engine, casebook):
    case = casebook["defective-dress"].localized("en")
    reply = case.exemplars.good[0].text
    grade = engine.grade(case, reply, response_seconds=60 * 60 * 5, handling=case.expected_handling.value)
    why = explain_overall(grade.to_dict(), reply)
    assert why.parts and sum(p.points for p in why.parts) == pytest.approx(grade.score, abs=0.3)
    assert any(p.principle == "timing" and p.points < 0 for p in why.parts)  # five hours late costs points
    applicable = {pid for pid, pg in grade.principles.items() if pg.score is not None and pid != "timing"}
    assert {p.principle for p in why.parts if p.principle and p.label == p.principle} <= applicable


def test_every_label_of_the_graders_breakdown_is_translatable():
    from grading.model.scoring import INPUT_LABELS
    from replycoach.ui.components.coaching import BREAKDOWN_LABELS

    produced = {"base", "answered after the target time", "kept within 0-100", *INPUT_LABELS.values()}
    assert produced <= set(BREAKDOWN_LABELS)
