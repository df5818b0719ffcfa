"""Fixtures of the storage tests. Every test here runs on SQLite and on PostgreSQL (``store`` and ``store_url``
come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from storage_helpers import PASSWORD

from replycoach.storage.types import Role


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Real argon2id, at its lowest cost: the production cost (64 MiB, about 0.1-0.6 s a hash on this shared
    machine) would dominate these tests. test_users checks the production parameters separately."""
    from argon2 import PasswordHasher

    from replycoach.storage import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(params=[True, False], ids=["rollups", "attempts"])
def reader(request, store):
    """The store's database read for aggregates through the daily rollups, then straight from the attempts:
    both must give the same answers."""
    from replycoach.storage.facade import Store

    opened = Store(store.url, rollups=request.param)
    yield opened
    opened.close()


@pytest.fixture
def people(store):
    """One user of each role; two trainees in different teams."""
    return {
        "olga": store.add_user("olga", PASSWORD, Role.trainee, display_name="Olga M.", team="Store A"),
        "daria": store.add_user("daria", PASSWORD, Role.trainee, team="Store B"),
        "coach": store.add_user("coach", PASSWORD, Role.coach),
        "hr": store.add_user("hr", PASSWORD, Role.hr),
        "admin": store.add_user("admin", PASSWORD, Role.admin),
    }
