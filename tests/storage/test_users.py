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


# --- unknown usernames are throttled exactly like accounts -----------------------------------------------------
def _sign_in_story(store, clock, username: str, right_password: str) -> list[tuple[str, float, bool]]:
    """Wrong passwords with pauses, a right one inside a wait, then one after it: what the person sees."""
    seen = []
    for pause, password in [(0, "wrong"), (0, "wrong"), (0, "wrong"), (0.5, right_password), (1, "wrong"),
                            (2.5, "wrong"), (1, "wrong"), (60, "wrong"), (15 * 60 + 1, "wrong")]:  # fmt: skip
        clock.advance(pause)
        result = store.login(username, password)
        seen.append((result.message, result.retry_after_seconds, result.user is not None))
    return seen


def test_an_unknown_name_gets_the_same_answers_and_waits_as_an_account(clocked):
    store, clock = clocked
    store.add_user("inactive", PASSWORD, Role.trainee)
    store.set_active("inactive", False)
    account = _sign_in_story(store, clock, "olga", PASSWORD)
    unknown = _sign_in_story(store, clock, "nobody", PASSWORD)
    deactivated = _sign_in_story(store, clock, "inactive", PASSWORD)
    assert account == unknown == deactivated
    # and the story really throttles: the 3rd failure asks for 1 s, the right password inside it is refused
    assert [wait for _, wait, _ in account[:5]] == [0, 0, pytest.approx(1.0), pytest.approx(0.5), pytest.approx(2.0)]
    assert not any(signed_in for _, _, signed_in in account)
    assert all(message.startswith(LOGIN_FAILED) for message, _, _ in unknown)


def test_failures_count_per_attempted_name_whatever_its_spelling(clocked):
    store, _clock = clocked
    for spelling in ("Ghost", " ghost", "GHOST "):
        store.login(spelling, "wrong")
    # the three spellings made three failures of one name: the third's 1 s wait holds "ghost" back
    assert store.login("ghost", "wrong").retry_after_seconds == pytest.approx(1.0)
    assert store.login("olga", "wrong").retry_after_seconds == 0  # another name's count is its own
    assert store.login_failure_records() == 2


def test_failure_records_hold_no_typed_name_and_old_ones_are_pruned(clocked):
    from sqlalchemy import select

    from replycoach.storage.models import LoginFailureRow

    store, clock = clocked
    typed = [f"my secret pass {i}" for i in range(30)]  # passwords typed into the username field
    for name in typed:
        store.login(name, "x")
    assert store.login_failure_records() == 30
    with store.engine.connect() as connection:
        keys = list(connection.scalars(select(LoginFailureRow.name_key)))
    assert all(len(k) == 64 and k not in typed and "secret" not in k for k in keys)

    clock.advance(10 * 60)
    store.login("late", "x")  # still inside the window of the first 30
    assert store.login_failure_records() == 31
    clock.advance(5 * 60 + 1)  # the 30 are now past the 15-minute window, "late" is not
    store.login("later", "x")
    assert store.login_failure_records() == 2
    assert store.login("late", "x").retry_after_seconds == 0  # its one earlier failure still counts: 2 of 3 free


def test_a_right_password_clears_only_that_names_record(clocked):
    store, clock = clocked
    store.login("olga", "wrong")
    store.login("nobody", "wrong")
    assert store.login("olga", PASSWORD).user is not None
    assert store.login_failure_records() == 1
    store.login("olga", "wrong")
    store.login("olga", "wrong")
    assert store.login("olga", "wrong").retry_after_seconds == pytest.approx(1.0)  # counting restarted at 0


def test_parallel_failures_for_one_unknown_name_all_count(store_url, store):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from sqlalchemy import select

    from replycoach.storage.models import LoginFailureRow
    from replycoach.storage.passwords import throttle_key

    stores = [Store(store_url) for _ in range(4)]
    now = datetime.now(UTC).replace(tzinfo=None)
    with ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda i: stores[i % 4]._record_failure(throttle_key("ghost"), now), range(16)))
    # each failure saw its own count, 1 to 16: no two read the same one, none was lost
    assert sorted(w.retry_after_seconds for w in waits) == [0, 0, 1, 2, 4, 8, 16, 32] + [60.0] * 8
    with store.engine.connect() as connection:
        assert connection.scalar(select(LoginFailureRow.failures)) == 16
    for s in stores:
        s.close()
