"""A coach's review is the attempt's score of record everywhere (bug 1 of issue 12); the machine's stays beside
it; bad review input changes nothing."""

from __future__ import annotations

import math

import pytest
from storage_helpers import T0, new_attempt

from replycoach.storage.types import AttemptFilter

MACHINE = {"empathy": 0.5, "apology": 1.0, "remedy": 0.0}


@pytest.fixture
def reviewed(store, people):
    """Olga's attempt, graded 62 by the machine, reviewed to 75 by the coach (empathy up, remedy N/A)."""
    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0, principles=MACHINE))
    review = store.add_review(
        attempt.id,
        people["coach"],
        scores={"empathy": 0.75, "remedy": None},
        overall=75.0,
        comment="Warmer than the machine thinks.",
        pass_mark=70,
    )
    return attempt, review


def test_the_review_becomes_the_score_of_record_and_the_machine_grade_stays(store, people, reviewed):
    attempt, review = reviewed
    shown = store.get_attempt(attempt.id, people["olga"])
    assert (shown.score, shown.passed) == (75.0, True)
    assert shown.principles == {"empathy": 0.75, "apology": 1.0, "remedy": None}  # apology: not reviewed
    assert (shown.machine_score, shown.machine_passed) == (62.0, False)
    assert shown.machine_principles == MACHINE
    assert shown.review == review and shown.coach_changed_score
    assert (review.case_hash, review.grader_version) == (attempt.case_hash, attempt.grader_version)


def test_dashboards_progress_and_exports_count_the_coach(store, people, reviewed):
    attempt, _ = reviewed
    hr = people["hr"]
    figures = store.key_figures(hr)
    assert (figures.average_score, figures.pass_rate) == (75.0, 1.0)
    assert [r["average_score"] for r in store.score_over_time(hr)] == [75.0]
    matrix = {r["principle"]: r["average"] for r in store.team_principle_matrix(hr)}
    assert matrix == {"empathy": 0.75, "apology": 1.0}  # remedy: N/A by the coach, so not averaged
    assert [(r["principle"], r["average"]) for r in store.principle_over_time(hr, bucket="day")] == [
        ("apology", 1.0),
        ("empathy", 0.75),
    ]
    progress = store.case_progress(people["olga"].id, people["olga"])
    assert (progress[0]["latest_score"], progress[0]["passed_latest"]) == (75.0, True)
    (row,) = store.iter_export_rows(hr)
    assert (row["score"], row["passed"], row["machine_score"], row["machine_passed"]) == (75.0, True, 62.0, False)
    assert row["principles"] == {"empathy": 0.75, "apology": 1.0, "remedy": None}
    assert (row["reviewed_by"], row["review_comment"]) == ("coach", "Warmer than the machine thinks.")
    assert row["reviewed_at"].tzinfo is not None


def test_a_newer_review_replaces_the_older_and_left_out_parts_fall_back_to_the_machine(store, people, reviewed):
    attempt, first = reviewed
    second = store.add_review(
        attempt.id, people["admin"], scores={"apology": 0.25}, overall=None, comment="", pass_mark=70
    )
    shown = store.get_attempt(attempt.id, people["coach"])
    assert (shown.score, shown.passed) == (62.0, False)  # no overall in the newest review: the machine's
    assert shown.principles == {"empathy": 0.5, "apology": 0.25, "remedy": 0.0}
    assert store.review_history(attempt.id, people["coach"]) == [first, second]
    assert store.key_figures(people["hr"]).average_score == 62.0


def test_a_reviewed_overall_passes_at_the_pass_mark_given(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"], score=90.0, principles=MACHINE))
    store.add_review(attempt.id, people["coach"], scores={}, overall=75.0, comment="", pass_mark=80)
    assert store.get_attempt(attempt.id, people["olga"]).passed is False


@pytest.mark.parametrize(
    ("scores", "overall", "message"),
    [
        ({"empathy": 1.5}, 50, "within 0-1"),
        ({"empathy": -0.1}, 50, "within 0-1"),
        ({"empathy": math.nan}, 50, "within 0-1"),
        ({"empathy": True}, 50, "within 0-1"),
        ({"empathy": "high"}, 50, "within 0-1"),
        ({"ownership": 1.0}, 50, "no score for 'ownership'"),
        ({"made_up": 1.0}, 50, "no score for 'made_up'"),
        ({}, 100.5, "0-100"),
        ({}, math.inf, "0-100"),
    ],
)
def test_bad_review_input_is_refused_and_changes_nothing(store, people, scores, overall, message):
    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0, principles=MACHINE))
    with pytest.raises(ValueError, match=message):
        store.add_review(attempt.id, people["coach"], scores=scores, overall=overall, comment="x", pass_mark=70)
    after = store.get_attempt(attempt.id, people["coach"])
    assert (after.score, after.principles, after.review) == (62.0, MACHINE, None)
    assert store.review_history(attempt.id, people["coach"]) == []


def test_review_queue_filters_by_team_case_turn_and_lost_principle(store, people):
    olga, daria, coach = people["olga"], people["daria"], people["coach"]
    weak = store.add_attempt(new_attempt(olga, "price-horror", token="w", principles={"empathy": 0.25}))
    strong = store.add_attempt(
        new_attempt(olga, "price-horror", token="s", principles={"empathy": 1.0}, at=T0.replace(hour=10))
    )
    other = store.add_attempt(new_attempt(daria, "dress-hole", token="o", principles={"empathy": 0.0}))
    second = store.add_attempt(
        new_attempt(olga, "price-horror", token="t2", turn=2, parent_id=weak.id, follow_up_text="When?")
    )
    every = AttemptFilter(turn=None)
    assert {a.id for a in store.review_queue(coach, every)} == {weak.id, strong.id, other.id, second.id}
    assert store.count_review_queue(coach, every) == 4
    assert [a.id for a in store.review_queue(coach, every, lost_points_on="empathy")] == [weak.id, other.id]
    assert [a.id for a in store.review_queue(coach, AttemptFilter(turn=None, teams=("Store B",)))] == [other.id]
    assert {a.id for a in store.review_queue(coach, AttemptFilter(turn=None, case_ids=("price-horror",)))} == {
        weak.id,
        strong.id,
        second.id,
    }
    assert [a.id for a in store.review_queue(coach, AttemptFilter(turn=2))] == [second.id]
    assert store.count_review_queue(coach, AttemptFilter(turn=1), lost_points_on="empathy") == 2


def test_calibration_pairs_keep_the_machine_side(store, people, reviewed):
    from replycoach.analytics.calibration import pairs_from_reviews

    (pair,) = pairs_from_reviews(store.reviewed_pairs(people["coach"]))
    assert (pair.machine_overall, pair.coach_overall) == (62.0, 75.0)
    assert pair.machine == MACHINE and pair.coach == {"empathy": 0.75, "remedy": None}
