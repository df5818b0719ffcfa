"""Migration 0002 on a database that has data: score rows get their attempts' values, running sign-in
counters carry over, the result is exactly the models' schema, and the way back keeps the data."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect, select
from storage_helpers import PASSWORD

from replycoach.storage import passwords
from replycoach.storage.facade import Store, _alembic_config
from replycoach.storage.models import Base
from replycoach.storage.types import AttemptFilter, Role, User

NOW = datetime(2025, 3, 10, 12, 0)  # naive UTC, as stored
SUNDAY_LATE = datetime(2025, 3, 9, 23, 59, 59, 999000)  # the last moment of the week of 2025-03-03
MONDAY = datetime(2025, 3, 10, 0, 0)  # the first moment of the next week
COPIED = ("user_id", "team_id", "case_id", "language", "turn", "submitted_at")


def _fill_0001(store: Store) -> dict:
    """Rows written the way release 0001 wrote them (no copies on the score rows)."""
    with store.engine.begin() as connection:
        old = MetaData()
        old.reflect(connection)
        t = old.tables
        assert "failed_logins" in t["users"].c and "team_id" not in t["attempt_scores"].c
        connection.execute(t["teams"].insert(), [{"id": 1, "name": "Store A", "created_at": NOW}])
        user = {"password_hash": passwords.hash_password(PASSWORD), "active": True, "created_at": NOW}
        connection.execute(
            t["users"].insert(),
            [
                {"id": 1, "username": "olga", "display_name": "Olga", "role": "trainee", "team_id": 1,
                 "failed_logins": 4, "last_failed_at": NOW - timedelta(seconds=1), **user},
                {"id": 2, "username": "ivan", "display_name": "Ivan", "role": "trainee", "team_id": None,
                 "failed_logins": 2, "last_failed_at": NOW - timedelta(days=2), **user},
                {"id": 3, "username": "hr", "display_name": "HR", "role": "hr", "team_id": None,
                 "failed_logins": 0, "last_failed_at": None, **user},
            ],
        )  # fmt: skip
        attempt = {"case_hash": "a" * 64, "handling": "public_reply", "reply": "Sorry.", "response_seconds": 60.0,
                   "grader_version": "v0", "embedder": "none", "grade_json": {}, "needs_review": False}  # fmt: skip
        attempts = [
            # id, user, team, case, language, turn, parent, submitted_at, score
            (1, 1, 1, "price-horror", "de", 1, None, SUNDAY_LATE, 60.0),
            (2, 1, 1, "price-horror", "de", 2, 1, MONDAY, 80.0),
            (3, 2, None, "late-delivery", "bg", 1, None, MONDAY + timedelta(hours=9), 90.0),
        ]
        connection.execute(
            t["attempts"].insert(),
            [
                {"id": i, "user_id": u, "team_id": team, "case_id": case, "language": lang, "turn": turn,
                 "parent_id": parent, "opened_at": at - timedelta(minutes=1), "submitted_at": at, "score": score,
                 "passed": score >= 70, "client_token": f"token-{i}", **attempt}
                for i, u, team, case, lang, turn, parent, at, score in attempts
            ],
        )  # fmt: skip
        connection.execute(
            t["attempt_scores"].insert(),
            [
                {"attempt_id": 1, "principle": "empathy", "score": 0.25, "weight": 1.0},
                {"attempt_id": 1, "principle": "apology", "score": None, "weight": 1.0},
                {"attempt_id": 2, "principle": "empathy", "score": 0.75, "weight": 1.0},
                {"attempt_id": 3, "principle": "empathy", "score": 1.0, "weight": 2.0},
                {"attempt_id": 3, "principle": "apology", "score": 0.5, "weight": 1.0},
            ],
        )
    return {"attempts": {a[0]: a for a in attempts}}


@pytest.fixture
def at_0001(store_url):
    store = Store(store_url, clock=lambda: NOW.replace(tzinfo=UTC))
    store.upgrade("0001")
    data = _fill_0001(store)
    yield store, data
    store.close()


def test_upgrade_fills_every_score_row_from_its_attempt(at_0001):
    store, _data = at_0001
    store.upgrade("0002")
    assert store.schema_revision()[0] == "0002"
    with store.engine.connect() as connection:
        at_0002 = MetaData()  # the tables as 0002 left them (the models describe the newest revision)
        at_0002.reflect(connection)
        attempts = {row.id: row for row in connection.execute(select(at_0002.tables["attempts"]))}
        scores = connection.execute(select(at_0002.tables["attempt_scores"]).order_by("attempt_id", "principle")).all()
    assert len(scores) == 5
    for row in scores:
        attempt = attempts[row.attempt_id]
        assert tuple(getattr(row, c) for c in COPIED) == tuple(getattr(attempt, c) for c in COPIED)
    days = {(row.attempt_id, row.principle): row.submitted_on for row in scores}
    assert days[(1, "empathy")] == days[(1, "apology")] == date(2025, 3, 9)  # one ms before midnight
    assert days[(2, "empathy")] == date(2025, 3, 10)
    assert [(r.attempt_id, r.principle, r.score, r.weight) for r in scores] == [
        (1, "apology", None, 1.0),
        (1, "empathy", 0.25, 1.0),
        (2, "empathy", 0.75, 1.0),
        (3, "apology", 0.5, 1.0),
        (3, "empathy", 1.0, 2.0),
    ]


def test_upgraded_data_answers_the_dashboard_and_matches_the_models(at_0001):
    store, _data = at_0001
    store.upgrade()
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    hr = User(3, "hr", "HR", Role.hr, None)
    matrix = {(r["team"], r["principle"]): (r["average"], r["attempts"]) for r in store.team_principle_matrix(hr)}
    assert matrix == {("Store A", "empathy"): (0.25, 1), (None, "apology"): (0.5, 1), (None, "empathy"): (1.0, 1)}
    weeks = store.principle_over_time(hr, AttemptFilter(turn=None))
    assert [(r["period"], r["principle"], r["average"], r["attempts"]) for r in weeks] == [
        (date(2025, 3, 3), "empathy", 0.25, 1),  # Sunday 23:59:59.999 is still the first week
        (date(2025, 3, 10), "apology", 0.5, 1),
        (date(2025, 3, 10), "empathy", pytest.approx((0.75 + 1.0) / 2), 2),
    ]
    turn_two = store.principle_over_time(hr, AttemptFilter(turn=2, teams=("Store A",)), bucket="day")
    assert [(r["period"], r["average"]) for r in turn_two] == [(date(2025, 3, 10), 0.75)]


def _counters_0002(store: Store) -> dict[str, tuple[int, datetime]]:
    with store.engine.connect() as connection:
        failures = MetaData()
        failures.reflect(connection, only=["login_failures"])
        rows = connection.execute(select(failures.tables["login_failures"])).all()
    return {key: (n, at) for key, n, at in rows}


def test_running_sign_in_counters_carry_over(at_0001):
    store, _data = at_0001
    store.upgrade("0002")
    assert "failed_logins" not in {c["name"] for c in inspect(store.engine).get_columns("users")}
    assert _counters_0002(store) == {
        hashlib.sha256(b"olga").hexdigest(): (4, NOW - timedelta(seconds=1)),
        hashlib.sha256(b"ivan").hexdigest(): (2, NOW - timedelta(days=2)),
    }


def test_downgrade_restores_0001_and_upgrading_again_loses_nothing(at_0001):
    store, _data = at_0001
    store.upgrade("0002")
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with store.engine.connect() as connection:
        old = MetaData()
        old.reflect(connection)
        assert "login_failures" not in old.tables and "team_id" not in old.tables["attempt_scores"].c
        users, scores = old.tables["users"], old.tables["attempt_scores"]
        counters = {name: n for name, n in connection.execute(select(users.c.username, users.c.failed_logins))}
        kept = set(connection.execute(select(scores.c.attempt_id, scores.c.principle, scores.c.score)))
    assert counters == {"olga": 4, "ivan": 2, "hr": 0}
    assert kept == {(1, "empathy", 0.25), (1, "apology", None), (2, "empathy", 0.75), (3, "empathy", 1.0),
                    (3, "apology", 0.5)}  # fmt: skip
    store.upgrade("0002")
    assert _counters_0002(store)[hashlib.sha256(b"olga").hexdigest()][0] == 4  # the counter made the round trip
    store.upgrade()
    current, head = store.schema_revision()
    assert current == head
    hr = User(3, "hr", "HR", Role.hr, None)
    assert len(store.team_principle_matrix(hr)) == 3
