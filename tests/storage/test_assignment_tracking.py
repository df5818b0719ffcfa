"""Assignment tracking (who has done, passed, is overdue), duplicates refused, inbox read marks, preferences."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from storage_helpers import T0, new_attempt

from replycoach.storage.facade import Store
from replycoach.storage.types import Conflict, Forbidden, MissingEntry, Role

TODAY = T0.date()


@pytest.fixture
def assigned_at(store_url):
    """A second facade on the same database whose clock says assignments are made at the given moment."""
    opened = []

    def at(moment):
        clocked = Store(store_url, clock=lambda: moment)
        opened.append(clocked)
        return clocked

    yield at
    for clocked in opened:
        clocked.close()


def _by_person(statuses):
    return {(s.assignment.case_id, s.username): s for s in statuses}


def test_statuses_say_who_has_done_passed_or_is_overdue(store, people, assigned_at):
    coach, olga, daria = people["coach"], people["olga"], people["daria"]
    newcomer = store.add_user("nina", "correct horse", Role.trainee, display_name="Nina N.", team="Store A")
    store.add_user("sam", "correct horse", Role.coach, team="Store A")  # a coach in the team is no assignee
    yesterday = assigned_at(T0 - timedelta(days=1))
    team = yesterday.assign("price-horror", coach, team="Store A", due=TODAY - timedelta(days=1))
    solo = yesterday.assign("dress-hole", coach, username="daria", due=TODAY + timedelta(days=2))
    store.add_attempt(new_attempt(olga, "price-horror", score=80.0, at=T0))  # done, passed
    store.add_attempt(new_attempt(daria, "dress-hole", score=40.0, at=T0))  # done, not passed
    store.add_attempt(new_attempt(newcomer, "price-horror", score=90.0, at=T0 - timedelta(days=3)))  # before

    statuses = _by_person(store.assignment_statuses(coach, today=TODAY))
    assert set(statuses) == {("price-horror", "olga"), ("price-horror", "nina"), ("dress-hole", "daria")}
    olga_row = statuses[("price-horror", "olga")]
    assert (olga_row.done, olga_row.passed, olga_row.best_score, olga_row.overdue) == (True, True, 80.0, False)
    assert olga_row.display_name == "Olga M." and olga_row.assignment.id == team.id
    nina_row = statuses[("price-horror", "nina")]  # her attempt was before the assignment: not done
    assert (nina_row.done, nina_row.overdue, nina_row.attempts) == (False, True, 0)
    daria_row = statuses[("dress-hole", "daria")]
    assert (daria_row.done, daria_row.passed, daria_row.overdue) == (True, False, False)
    assert daria_row.assignment.id == solo.id

    assert set(_by_person(store.assignment_statuses(coach, today=TODAY, teams=["Store B"]))) == {
        ("dress-hole", "daria")
    }
    mine = store.assignment_statuses(newcomer, today=TODAY)  # a trainee sees only their own rows
    assert [(s.assignment.case_id, s.username) for s in mine] == [("price-horror", "nina")]
    with pytest.raises(Forbidden):
        store.assignment_statuses(people["hr"], today=TODAY)


def test_a_duplicate_open_assignment_is_refused_with_a_clear_message(store, people, assigned_at):
    coach, olga = people["coach"], people["olga"]
    store = assigned_at(T0 - timedelta(days=1))
    first = store.assign("price-horror", coach, username="olga", due=TODAY)
    with pytest.raises(Conflict, match=rf"already assigned to Olga M\. and not done yet \(assignment #{first.id}\)"):
        store.assign("price-horror", coach, username="olga", due=TODAY + timedelta(days=7))
    team = store.assign("price-horror", coach, team="Store A")  # another target is no duplicate
    with pytest.raises(Conflict, match="team Store A"):
        store.assign("price-horror", coach, team=" Store A ")
    assert [a.id for a in store.list_assignments(coach)] == [first.id, team.id]  # nothing was added

    store.add_attempt(new_attempt(olga, "price-horror", at=T0))  # done (after assigning)
    again = store.assign("price-horror", coach, username="olga")  # done by everyone: a new round is fine
    assert again.id not in {first.id, team.id}


def test_a_team_assignment_stays_open_until_every_member_did_it(store, people, assigned_at):
    coach, olga = people["coach"], people["olga"]
    store.add_user("nina", "correct horse", Role.trainee, team="Store A")
    store = assigned_at(T0 - timedelta(days=1))
    store.assign("price-horror", coach, team="Store A")
    store.add_attempt(new_attempt(olga, "price-horror", at=T0))
    with pytest.raises(Conflict):
        store.assign("price-horror", coach, team="Store A")
    empty_team = store.ensure_team("Store Empty")
    store.assign("dress-hole", coach, team=empty_team)
    with pytest.raises(Conflict):  # nobody has done it: open
        store.assign("dress-hole", coach, team=empty_team)


def test_inbox_read_marks_are_per_user_and_idempotent(store, people):
    olga, daria = people["olga"], people["daria"]
    store.mark_inbox_read(olga, ["review:1", "assignment:2"])
    store.mark_inbox_read(olga, ["review:1"])
    assert store.inbox_read_keys(olga, ["review:1", "assignment:2", "due:3:1"]) == {"review:1", "assignment:2"}
    assert store.inbox_read_keys(daria, ["review:1"]) == set()
    assert store.inbox_read_keys(olga, []) == set()
    with pytest.raises(ValueError, match="1-80"):
        store.mark_inbox_read(olga, ["x" * 81])
    assert store.inbox_read_keys(olga, ["x" * 81]) == set()


def test_reviews_of_my_attempts_are_the_trainees_own_newest_first(store, people):
    olga, daria, coach = people["olga"], people["daria"], people["coach"]
    mine = store.add_attempt(new_attempt(olga, principles={"empathy": 0.5}))
    theirs = store.add_attempt(new_attempt(daria, principles={"empathy": 0.5}))
    one = store.add_review(mine.id, coach, scores={}, overall=80, comment="Good.", pass_mark=70)
    store.add_review(theirs.id, coach, scores={}, overall=80, comment="Not Olga's.", pass_mark=70)
    two = store.add_review(mine.id, coach, scores={}, overall=85, comment="Even better.", pass_mark=70)
    notices = store.reviews_of_my_attempts(olga)
    assert [(n.review.id, n.attempt_id, n.case_id, n.turn) for n in notices] == [
        (two.id, mine.id, "price-horror", 1),
        (one.id, mine.id, "price-horror", 1),
    ]


def test_preferences_are_checked_and_kept(store, people):
    assert (people["olga"].time_zone, people["olga"].ui_language) == ("UTC", "en")
    changed = store.set_preferences("olga", time_zone="Europe/Sofia", ui_language="bg")
    assert (changed.time_zone, changed.ui_language) == ("Europe/Sofia", "bg")
    assert store.find_user("olga") == changed
    for bad in ("Mars/Olympus", "", "../../etc/passwd", "Europe/"):
        with pytest.raises(ValueError, match="Unknown time zone"):
            store.set_preferences("olga", time_zone=bad, ui_language="de")
    with pytest.raises(ValueError, match="Unknown interface language"):
        store.set_preferences("olga", ui_language="fr")
    assert store.find_user("olga") == changed  # nothing changed by the refused calls
    with pytest.raises(MissingEntry):
        store.set_preferences("nobody", time_zone="UTC")


def test_a_removed_assignment_is_gone_from_the_statuses(store, people):
    coach = people["coach"]
    a = store.assign("price-horror", coach, username="olga", due=date(2025, 1, 1))
    assert store.assignment_statuses(coach, today=TODAY)[0].overdue
    store.remove_assignment(a.id, coach)
    assert store.assignment_statuses(coach, today=TODAY) == []
