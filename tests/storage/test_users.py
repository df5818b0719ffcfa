"""Accounts: adding and changing users, the password and name rules, and sign-in with its throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from storage_helpers import PASSWORD

from replycoach.storage.facade import LOGIN_FAILED, Store
from replycoach.storage.types import Conflict, MissingEntry, Role


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clocked(store_url, store):
    clock = Clock()
    other = Store(store_url, clock=clock)
    other.add_user("olga", PASSWORD, Role.trainee, team="Store A")
    yield other, clock
    other.close()


def test_add_user_normalizes_and_is_listed(store):
    user = store.add_user("  Olga.M ", PASSWORD, Role.trainee, display_name="Olga M.", team=" Store   A ")
    assert (user.username, user.display_name, user.role, user.team, user.active) == (
        "olga.m",
        "Olga M.",
        Role.trainee,
        "Store A",
        True,
    )
    assert store.find_user("OLGA.M") == user == store.get_user(user.id)
    assert store.list_users() == [user]
    assert store.list_users(role=Role.coach) == []
    assert store.list_users(team="Store A") == [user]
    assert store.list_teams() == ["Store A"]


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", PASSWORD, "Invalid username"),
        ("a", PASSWORD, "Invalid username"),
        ("olga smith", PASSWORD, "Invalid username"),
        ("-olga", PASSWORD, "Invalid username"),
        ("x" * 41, PASSWORD, "Invalid username"),
        ("olga", "", "empty"),
        ("olga", "        ", "empty"),
        ("olga", "short", "too short"),
        ("olga", "x" * 2000, "too long"),
    ],
)
def test_bad_names_and_passwords_are_refused_and_nothing_is_stored(store, username, password, message):
    with pytest.raises(ValueError, match=message):
        store.add_user(username, password, Role.trainee)
    assert store.list_users() == []


def test_taken_username_is_a_conflict_and_the_first_account_is_kept(store):
    first = store.add_user("olga", PASSWORD, Role.trainee)
    with pytest.raises(Conflict, match="taken"):
        store.add_user("OLGA", "another password", Role.admin)
    assert store.list_users() == [first]
    assert store.login("olga", PASSWORD).user == first


def test_unknown_role_is_refused(store):
    with pytest.raises(ValueError, match="Unknown role"):
        store.add_user("olga", PASSWORD, "boss")


def test_role_team_password_and_active_changes(store):
    store.add_user("olga", PASSWORD, Role.trainee, team="Store A")
    assert store.set_role("olga", Role.coach).role == Role.coach
    assert store.set_team("olga", "Store B").team == "Store B"
    assert store.set_team("olga", None).team is None
    assert store.list_teams() == ["Store A", "Store B"]
    store.set_password("olga", "a new password")
    assert store.login("olga", PASSWORD).user is None
    assert store.login("olga", "a new password").user is not None
    with pytest.raises(ValueError, match="too short"):
        store.set_password("olga", "short")
    assert store.login("olga", "a new password").user is not None  # the refused change lost nothing
    assert store.set_active("olga", False).active is False
    with pytest.raises(MissingEntry):
        store.set_role("nobody", Role.admin)
    with pytest.raises(MissingEntry):
        store.get_user(9999)


def test_login_failures_all_give_the_same_message(store):
    store.add_user("olga", PASSWORD, Role.trainee)
    store.add_user("inactive", PASSWORD, Role.trainee)
    store.set_active("inactive", False)
    ok = store.login("Olga", PASSWORD)
    assert ok.user is not None and ok.user.username == "olga" and ok.retry_after_seconds == 0
    unknown = store.login("nobody", PASSWORD)
    wrong = store.login("olga", "wrong password")
    inactive = store.login("inactive", PASSWORD)
    empty = store.login("", "")
    for result in (unknown, wrong, inactive, empty):
        assert result.user is None
        assert result.message == LOGIN_FAILED
        assert result.retry_after_seconds == 0


def test_repeated_failures_are_slowed_down_and_even_the_right_password_waits(clocked):
    store, clock = clocked
    for _ in range(2):
        assert store.login("olga", "wrong password").retry_after_seconds == 0
    third = store.login("olga", "wrong password")
    assert third.user is None and third.retry_after_seconds == pytest.approx(1.0)
    assert third.message.startswith(LOGIN_FAILED) and "try again in 1 s" in third.message

    refused = store.login("olga", PASSWORD)  # right password, but inside the wait
    assert refused.user is None and refused.retry_after_seconds > 0 and refused.message == third.message

    clock.advance(1.5)
    fourth = store.login("olga", "wrong password")
    assert fourth.retry_after_seconds == pytest.approx(2.0)
    clock.advance(2.5)
    assert store.login("olga", "wrong password").retry_after_seconds == pytest.approx(4.0)

    clock.advance(4.5)
    signed_in = store.login("olga", PASSWORD)
    assert signed_in.user is not None and signed_in.retry_after_seconds == 0
    # a successful sign-in forgets the failures: the next two mistakes are free again
    assert store.login("olga", "wrong password").retry_after_seconds == 0
    assert store.login("olga", "wrong password").retry_after_seconds == 0


def test_the_wait_is_capped_and_failures_are_forgotten_after_the_window(clocked):
    store, clock = clocked
    for _ in range(12):
        result = store.login("olga", "wrong password")
        clock.advance(result.retry_after_seconds + 0.1)
    assert result.retry_after_seconds == 60.0  # 2^(12-3) s would be 512 s: capped
    clock.advance(15 * 60 + 1)
    first_again = store.login("olga", "wrong password")
    assert first_again.retry_after_seconds == 0 and first_again.message == LOGIN_FAILED


def test_admin_password_reset_lifts_the_throttle(clocked):
    store, _clock = clocked
    for _ in range(5):
        store.login("olga", "wrong password")
    assert store.login("olga", PASSWORD).user is None
    store.set_password("olga", "brand new password")
    assert store.login("olga", "brand new password").user is not None


def test_outdated_password_hash_is_upgraded_on_sign_in(store, monkeypatch):
    from argon2 import PasswordHasher
    from sqlalchemy import update

    from replycoach.storage import passwords
    from replycoach.storage.models import UserRow

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())  # the production parameters
    store.add_user("olga", PASSWORD, Role.trainee)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with store.engine.begin() as conn:
        conn.execute(update(UserRow).where(UserRow.username == "olga").values(password_hash=weak))
    assert store.login("olga", PASSWORD).user is not None
    with store.engine.connect() as conn:
        stored = conn.scalar(UserRow.__table__.select().with_only_columns(UserRow.password_hash))
    assert stored != weak and not PasswordHasher().check_needs_rehash(stored)
    assert store.login("olga", PASSWORD).user is not None
