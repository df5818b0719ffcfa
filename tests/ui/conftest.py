"""Fixtures for the page tests: a fresh SQLite database and a small casebook per test, and users of every
role. Helpers (``app_for`` and friends) are in ``ui_support.py``."""

from __future__ import annotations

import pytest
from ui_support import CASES, PASSWORDS

from replycoach.config import get_settings
from replycoach.storage.types import Role


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Point the settings at a temp database and the test casebook; drop the cached store of other tests."""
    from replycoach.ui import services

    monkeypatch.setenv("REPLYCOACH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPLYCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'test.sqlite3'}")
    monkeypatch.setenv("REPLYCOACH_SCENARIOS_DIR", str(CASES))
    monkeypatch.delenv("REPLYCOACH_LLM", raising=False)
    get_settings.cache_clear()
    services.get_store.clear()
    yield tmp_path
    services.get_store.clear()
    get_settings.cache_clear()


@pytest.fixture
def store(app_env):
    """The same store the pages use (the app's cached one), migrated."""
    from replycoach.ui import services

    return services.get_store()


@pytest.fixture
def users(store):
    """One user per role, keyed by role."""
    return {
        role: store.add_user(
            role.value, PASSWORDS[role], role, display_name=f"{role.value.title()} Tester", team="Store A"
        )
        for role in Role
    }


@pytest.fixture
def graded(store):
    """Store a real graded attempt for a user and case through the same service the page uses."""
    from replycoach import practice
    from replycoach.ui import services
    from replycoach.ui.session import now

    def make(user, case_id: str, reply: str = "We are sorry, please DM us and we will fix it today.", lang="en"):
        case = services.get_library().cases[case_id].localized(lang)
        opened = now()
        turn = practice.Turn(case, opened, f"token-{user.id}-{case_id}-{opened.timestamp()}")
        engine = services.get_engine()
        from replycoach.config import get_settings

        return practice.submit_reply(store, engine, get_settings(), user, turn, reply, "public_reply", opened)

    return make
