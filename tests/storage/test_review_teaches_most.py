"""Issue 10: the review queue asks where a review teaches the grader most, and a review of an attempt whose case
was deleted or changed is refused (unless the coach confirms the changed one) and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select
from storage_helpers import PASSWORD, T0, new_attempt

from replycoach.coaching.queue_order import MAX_UNCERTAINTY, attempt_uncertainty
from replycoach.storage.facade import FLAGGED_FIRST, TEACHES_MOST, Store, _alembic_config
from replycoach.storage.models import AttemptRow
from replycoach.storage.types import Conflict, MissingEntry

SURE = {"empathy": 1.0, "apology": 0.0}
UNSURE = {"empathy": 0.5, "apology": 0.45}


def _stored_uncertainty(store: Store, attempt_id: int) -> float:
    with store.engine.connect() as connection:
        certainty = connection.scalar(select(AttemptRow.machine_certainty).where(AttemptRow.id == attempt_id))
    return round(MAX_UNCERTAINTY - certainty, 4)


def test_the_queue_puts_what_teaches_most_first_then_the_oldest(store, people):
    olga, coach = people["olga"], people["coach"]
    day = timedelta(days=1)
    sure_old = store.add_attempt(new_attempt(olga, token="sure", score=98.0, principles=SURE, at=T0))
    near_pass = store.add_attempt(new_attempt(olga, token="near", score=69.0, principles=SURE, at=T0 + day))
    unsure_and_near = store.add_attempt(new_attempt(olga, token="both", score=71.0, principles=UNSURE, at=T0 + 2 * day))
    flagged_sure = store.add_attempt(
        new_attempt(olga, token="flag", score=5.0, principles=SURE, at=T0 + 3 * day, needs_review=True)
    )
    twin_later = store.add_attempt(new_attempt(olga, token="twin", score=69.0, principles=SURE, at=T0 + 4 * day))

    teaches_most = [a.id for a in store.review_queue(coach)]
    assert teaches_most == [unsure_and_near.id, near_pass.id, twin_later.id, sure_old.id, flagged_sure.id]
    assert [a.id for a in store.review_queue(coach, order=TEACHES_MOST, limit=2)] == teaches_most[:2]
    # Today's order stays one click away.
    flagged_first = [a.id for a in store.review_queue(coach, order=FLAGGED_FIRST)]
    assert flagged_first == [flagged_sure.id, sure_old.id, near_pass.id, unsure_and_near.id, twin_later.id]
    # A reviewed attempt leaves the queue in either order.
    store.add_review(unsure_and_near.id, coach, scores={}, overall=70, comment="", pass_mark=70)
    assert [a.id for a in store.review_queue(coach)] == teaches_most[1:]
    assert store.count_review_queue(coach) == 4


def test_an_unknown_queue_order_is_refused(store, people):
    with pytest.raises(ValueError, match="Unknown queue order 'newest'"):
        store.review_queue(people["coach"], order="newest")


def test_the_uncertainty_is_stored_against_the_attempts_own_pass_mark(store, people):
    olga = people["olga"]
    at_80 = store.add_attempt(new_attempt(olga, token="80", score=79.0, principles=SURE, pass_mark=80.0))
    at_70 = store.add_attempt(new_attempt(olga, token="70", score=79.0, principles=SURE, pass_mark=70.0))
    assert _stored_uncertainty(store, at_80.id) == attempt_uncertainty(79.0, SURE, None, 80.0).value > 0.45
    assert _stored_uncertainty(store, at_70.id) == attempt_uncertainty(79.0, SURE, None, 70.0).value < 0.25


def test_bulk_added_attempts_are_ordered_too(store, people):
    olga, coach = people["olga"], people["coach"]
    store.bulk_add_attempts(
        [
            new_attempt(olga, token="b-sure", score=99.0, principles=SURE, pass_mark=70.0),
            new_attempt(olga, token="b-unsure", score=70.0, principles=UNSURE, pass_mark=70.0, at=T0 + timedelta(1)),
        ]
    )
    assert [a.machine_score for a in store.review_queue(coach)] == [70.0, 99.0]


# --- a review of an attempt whose case was deleted or changed -------------------------------------------------------
def _nothing_stored(store, people, attempt) -> None:
    after = store.get_attempt(attempt.id, people["coach"])
    assert (after.score, after.review) == (attempt.score, None)
    assert store.review_history(attempt.id, people["coach"]) == []
    assert store.key_figures(people["hr"]).average_score == attempt.score


def test_a_review_of_an_attempt_whose_case_was_deleted_is_refused(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0))
    with pytest.raises(MissingEntry, match="no longer in the casebook"):
        store.add_review(
            attempt.id, people["coach"], scores={}, overall=90, comment="", pass_mark=70, current_case_hash=None
        )
    _nothing_stored(store, people, attempt)


def test_a_review_of_a_changed_case_is_refused_naming_both_versions(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0))  # answered case version "aaaa..."
    with pytest.raises(Conflict) as refused:
        store.add_review(
            attempt.id, people["coach"], scores={}, overall=90, comment="", pass_mark=70, current_case_hash="b" * 64
        )
    assert "a" * 12 in str(refused.value) and "b" * 12 in str(refused.value)
    _nothing_stored(store, people, attempt)


def test_a_confirmed_review_of_a_changed_case_records_the_version_the_trainee_answered(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0))
    review = store.add_review(
        attempt.id,
        people["coach"],
        scores={},
        overall=90,
        comment="",
        pass_mark=70,
        current_case_hash="b" * 64,
        acknowledge_changed_case=True,
    )
    assert review.case_hash == attempt.case_hash == "a" * 64
    assert store.get_attempt(attempt.id, people["coach"]).score == 90


def test_a_review_of_an_unchanged_case_needs_no_confirmation(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0))
    review = store.add_review(
        attempt.id,
        people["coach"],
        scores={},
        overall=90,
        comment="",
        pass_mark=70,
        current_case_hash=attempt.case_hash,
    )
    assert review.case_hash == attempt.case_hash


def test_a_wrong_role_is_refused_before_the_case_is_looked_at(store, people):
    from replycoach.storage.types import Forbidden

    attempt = store.add_attempt(new_attempt(people["olga"], score=62.0))
    for viewer in (people["olga"], people["hr"]):
        with pytest.raises(Forbidden):
            store.add_review(
                attempt.id, viewer, scores={}, overall=90, comment="", pass_mark=70, current_case_hash=None
            )
    _nothing_stored(store, people, attempt)


# --- migration 0007 fills the stored attempts ------------------------------------------------------------------------
def test_migrations_0007_and_0009_fill_existing_attempts_with_the_rule_of_queue_order(store_url, monkeypatch):
    from replycoach.storage.types import Role

    monkeypatch.setenv("REPLYCOACH_PASS_MARK", "70")
    store = Store(store_url)
    store.upgrade("0006")
    olga = store.add_user("olga", PASSWORD, Role.trainee)
    cases = [
        (98.0, SURE, None),
        (69.0, UNSURE, None),
        (40.0, {"empathy": 0.6, "apology": None}, None),
        # The LLM judge blended in at weight 0.5: offline 50, judge 90, stored 70.
        (70.0, SURE, {"offline_score": 50.0, "weight": 0.5, "verdicts": {}}),
    ]
    ids = []
    for n, (score, principles, llm) in enumerate(cases):
        ids.append(_insert_0006(store, olga.id, n, score, principles, llm))
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")  # 0007 fills the column, 0009 moves it to the scale of today's rule
    for attempt_id, (score, principles, llm) in zip(ids, cases, strict=True):
        expected = attempt_uncertainty(score, principles, llm, 70.0).value
        assert _stored_uncertainty(store, attempt_id) == pytest.approx(expected, abs=1e-4)
    assert _stored_uncertainty(store, ids[3]) > _stored_uncertainty(store, ids[0])  # the judge's gap counts
    with store.engine.begin() as connection:  # and back: the column and its index go, the attempts stay
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    columns = {c["name"] for c in inspect(store.engine).get_columns("attempts")}
    assert "machine_certainty" not in columns
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM attempts").scalar() == len(cases)
    store.close()


def _insert_0006(store: Store, user_id: int, n: int, score: float, principles: dict, llm) -> int:
    """An attempt as schema 0006 stores it (no machine_certainty column)."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(store.engine, only=["attempts", "attempt_scores"])
    attempts, scores = meta.tables["attempts"], meta.tables["attempt_scores"]
    at = T0.replace(tzinfo=None) + timedelta(hours=n)
    with store.engine.begin() as connection:
        attempt_id = connection.execute(
            attempts.insert().values(
                user_id=user_id, case_id="c", case_hash="a" * 64, language="en", handling="public_reply",
                reply="Sorry.", opened_at=at, submitted_at=at, response_seconds=60.0, score=score,
                passed=score >= 70, machine_score=score, machine_passed=score >= 70, grader_version="g",
                embedder="none", grade_json={}, client_token=f"m{n}", turn=1, llm_json=llm, needs_review=False,
            )
        ).inserted_primary_key[0]  # fmt: skip
        connection.execute(
            scores.insert(),
            [
                {"attempt_id": attempt_id, "principle": p, "score": s, "machine_score": s, "weight": 1.0,
                 "user_id": user_id, "case_id": "c", "language": "en", "turn": 1, "submitted_at": at,
                 "submitted_on": at.date()}
                for p, s in principles.items()
            ],
        )  # fmt: skip
    return attempt_id
