"""Coach reviews (every one kept, the newest shown) and case assignments to users or teams."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from storage_helpers import T0, new_attempt

from replycoach.storage.facade import FLAGGED_FIRST
from replycoach.storage.types import AttemptFilter, Forbidden, MissingEntry


def test_reviews_keep_history_and_show_the_newest(store, people):
    coach, admin, olga = people["coach"], people["admin"], people["olga"]
    attempt = store.add_attempt(new_attempt(olga, principles={"empathy": 0.5, "apology": 1.0}))
    first = store.add_review(
        attempt.id, coach, scores={"empathy": 1.0, "apology": None}, overall=85, comment=" ok ", pass_mark=70
    )
    second = store.add_review(
        attempt.id, admin, scores={"empathy": 0.5}, overall=70.5, comment="Too formal.", pass_mark=70
    )
    assert store.review_history(attempt.id, coach) == [first, second]
    assert (first.coach_name, first.scores, first.overall, first.comment) == (
        "coach",
        {"empathy": 1.0, "apology": None},
        85.0,
        "ok",
    )
    shown = store.get_attempt(attempt.id, olga)  # the trainee sees the coach's verdict on their attempt
    assert shown.review == second
    assert shown.machine_principles == {"empathy": 0.5, "apology": 1.0}  # the machine's scores stay as they were
    assert store.reviewed_pairs(coach) == [(shown, second)]


def test_review_input_and_roles(store, people):
    coach, olga, hr = people["coach"], people["olga"], people["hr"]
    attempt = store.add_attempt(new_attempt(olga))
    for viewer in (olga, hr):
        with pytest.raises(Forbidden):
            store.add_review(attempt.id, viewer, scores={}, overall=50, comment="", pass_mark=70)
        with pytest.raises(Forbidden):
            store.review_queue(viewer)
    with pytest.raises(ValueError, match="within 0-1"):
        store.add_review(attempt.id, coach, scores={"empathy": 2}, overall=50, comment="", pass_mark=70)
    with pytest.raises(ValueError, match="0-100"):
        store.add_review(attempt.id, coach, scores={}, overall=150, comment="", pass_mark=70)
    with pytest.raises(MissingEntry):
        store.add_review(99999, coach, scores={}, overall=50, comment="", pass_mark=70)
    assert store.review_history(attempt.id, coach) == []


def test_review_queue_puts_flagged_first_and_drops_reviewed(store, people):
    coach, olga = people["coach"], people["olga"]
    old = store.add_attempt(new_attempt(olga, token="old", at=T0))
    new = store.add_attempt(new_attempt(olga, token="new", at=T0 + timedelta(days=1)))
    flagged = store.add_attempt(new_attempt(olga, token="flag", at=T0 + timedelta(days=2), needs_review=True))
    assert [a.id for a in store.review_queue(coach, order=FLAGGED_FIRST)] == [flagged.id, old.id, new.id]
    store.add_review(old.id, coach, scores={}, overall=60, comment="", pass_mark=70)
    assert [a.id for a in store.review_queue(coach, order=FLAGGED_FIRST)] == [flagged.id, new.id]
    assert [a.id for a in store.list_attempts(coach, AttemptFilter(reviewed=True))] == [old.id]
    assert [a.id for a in store.review_queue(coach, order=FLAGGED_FIRST, limit=1)] == [flagged.id]


def test_assignments_to_users_and_teams(store, people):
    coach, olga, daria = people["coach"], people["olga"], people["daria"]
    to_team = store.assign("price-horror", coach, team="Store A", due=date(2025, 4, 1))
    to_olga = store.assign("dress-hole", coach, username="olga", due=date(2025, 3, 20))
    undated = store.assign("queues", coach, username="olga")
    to_daria = store.assign("support-phone", coach, username="daria")
    assert (to_olga.username, to_olga.user_id, to_olga.team) == ("olga", olga.id, None)
    assert (to_team.team, to_team.user_id, to_team.assigned_by) == ("Store A", None, coach.id)
    assert store.assignments_for(olga) == [to_olga, to_team, undated]  # soonest due first, undated last
    assert store.assignments_for(daria) == [to_daria]
    store.set_team("daria", "Store A")  # a team assignment follows whoever is in the team now
    assert [a.id for a in store.assignments_for(daria)] == [to_team.id, to_daria.id]
    assert len(store.list_assignments(coach)) == 4
    store.remove_assignment(to_team.id, coach)
    assert store.assignments_for(olga) == [to_olga, undated]
    with pytest.raises(MissingEntry):
        store.remove_assignment(to_team.id, coach)


def test_assignment_input_and_roles(store, people):
    coach, olga = people["coach"], people["olga"]
    with pytest.raises(ValueError, match="either"):
        store.assign("price-horror", coach)
    with pytest.raises(ValueError, match="either"):
        store.assign("price-horror", coach, username="olga", team="Store A")
    with pytest.raises(ValueError, match="empty"):
        store.assign(" ", coach, username="olga")
    with pytest.raises(MissingEntry):
        store.assign("price-horror", coach, username="nobody")
    with pytest.raises(MissingEntry):
        store.assign("price-horror", coach, team="No Such Store")
    for call in (
        lambda: store.assign("price-horror", olga, username="olga"),
        lambda: store.list_assignments(olga),
        lambda: store.remove_assignment(1, olga),
    ):
        with pytest.raises(Forbidden):
            call()
    assert store.list_assignments(coach) == []
    assert store.list_teams() == ["Store A", "Store B"]  # the unknown team was not created on the way
