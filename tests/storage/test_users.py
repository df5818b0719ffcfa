"""Accounts: adding and changing users, the password and name rules (sign-in: test_sign_in.py)."""

from __future__ import annotations

import pytest
from storage_helpers import PASSWORD

from replycoach.storage.types import Conflict, MissingEntry, Role


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
