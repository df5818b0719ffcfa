"""Migration 0004 on a database with reviewed attempts: the machine's grade moves beside the score of record, the
latest review of each attempt becomes its score of record, reviews learn their attempt's case and grader
version, users get default preferences; the way back restores the machine's scores and keeps the reviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import MetaData, select

from replycoach.storage import passwords
from replycoach.storage.facade import Store, _alembic_config
from replycoach.storage.types import Role, User

NOW = datetime(2025, 3, 10, 12, 0)  # naive UTC, as stored


def _fill_0003(store: Store) -> None:
    with store.engine.begin() as connection:
        old = MetaData()
        old.reflect(connection)
        t = old.tables
        assert "machine_score" not in t["attempts"].c and "time_zone" not in t["users"].c
        user = {"password_hash": passwords.hash_password("correct horse"), "active": True, "created_at": NOW}
        connection.execute(
            t["users"].insert(),
            [
                {"id": 1, "username": "olga", "display_name": "Olga", "role": "trainee", **user},
                {"id": 2, "username": "coach", "display_name": "Clara Coach", "role": "coach", **user},
            ],
        )
        attempt = {"user_id": 1, "language": "en", "handling": "public_reply", "reply": "Sorry.",
                   "response_seconds": 60.0, "embedder": "none", "grade_json": {}, "needs_review": False, "turn": 1,
                   "opened_at": NOW - timedelta(minutes=1), "submitted_at": NOW}  # fmt: skip
        connection.execute(
            t["attempts"].insert(),
            [
                {"id": 1, "case_id": "a", "case_hash": "1" * 64, "grader_version": "g1", "score": 62.0,
                 "passed": False, "client_token": "t1", **attempt},
                {"id": 2, "case_id": "b", "case_hash": "2" * 64, "grader_version": "g2", "score": 90.0,
                 "passed": True, "client_token": "t2", **attempt},
            ],
        )  # fmt: skip
        copied = {"user_id": 1, "team_id": None, "language": "en", "turn": 1, "submitted_at": NOW,
                  "submitted_on": NOW.date(), "weight": 1.0}  # fmt: skip
        connection.execute(
            t["attempt_scores"].insert(),
            [
                {"attempt_id": 1, "case_id": "a", "principle": "empathy", "score": 0.5, **copied},
                {"attempt_id": 1, "case_id": "a", "principle": "apology", "score": 1.0, **copied},
                {"attempt_id": 2, "case_id": "b", "principle": "empathy", "score": 1.0, **copied},
            ],
        )
        connection.execute(
            t["reviews"].insert(),
            [  # attempt 1: an older review, then the latest (75 overall, empathy 0.75); attempt 2: none
                {"id": 1, "attempt_id": 1, "coach_id": 2, "scores": {"empathy": 0.0}, "overall": 20.0,
                 "comment": "first look", "created_at": NOW},
                {"id": 2, "attempt_id": 1, "coach_id": 2, "scores": {"empathy": 0.75, "apology": None},
                 "overall": 75.0, "comment": "on second thought", "created_at": NOW + timedelta(hours=1)},
            ],
        )  # fmt: skip


@pytest.fixture
def at_0003(store_url):
    store = Store(store_url, clock=lambda: NOW.replace(tzinfo=UTC))
    store.upgrade("0003")
    _fill_0003(store)
    yield store
    store.close()


def test_upgrade_applies_the_latest_reviews_and_keeps_the_machine_grade(at_0003):
    store = at_0003
    store.upgrade()  # through 0004 to the newest: the facade reads the models' columns, which later ones add
    coach = User(2, "coach", "Clara Coach", Role.coach, None)
    reviewed = store.get_attempt(1, coach)
    assert (reviewed.score, reviewed.passed) == (75.0, True)
    assert reviewed.principles == {"empathy": 0.75, "apology": None}
    assert (reviewed.machine_score, reviewed.machine_passed) == (62.0, False)
    assert reviewed.machine_principles == {"empathy": 0.5, "apology": 1.0}
    untouched = store.get_attempt(2, coach)
    assert (untouched.score, untouched.machine_score, untouched.principles) == (90.0, 90.0, {"empathy": 1.0})
    assert [(r.case_hash, r.grader_version) for r in store.review_history(1, coach)] == [("1" * 64, "g1")] * 2
    olga = store.find_user("olga")
    assert (olga.time_zone, olga.ui_language) == ("UTC", "en")
    assert store.inbox_read_keys(olga, ["x"]) == set()


def test_downgrade_restores_the_machine_scores_and_keeps_the_reviews(at_0003):
    store = at_0003
    store.upgrade("0004")
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with store.engine.connect() as connection:
        old = MetaData()
        old.reflect(connection)
        t = old.tables
        assert "inbox_reads" not in t and "machine_score" not in t["attempts"].c
        scores = dict(connection.execute(select(t["attempts"].c.id, t["attempts"].c.score)).all())
        principle_scores = set(connection.execute(select(t["attempt_scores"].c.principle, t["attempt_scores"].c.score)))
        reviews = connection.execute(select(t["reviews"].c.id)).scalars().all()
    assert scores == {1: 62.0, 2: 90.0}
    assert principle_scores == {("empathy", 0.5), ("apology", 1.0), ("empathy", 1.0)}
    assert reviews == [1, 2]
    store.upgrade()  # through 0004 again, to the columns the facade reads
    assert store.get_attempt(1, User(2, "coach", "Clara Coach", Role.coach, None)).score == 75.0  # re-applied
