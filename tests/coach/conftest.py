"""Fixtures for the coach, HR and admin pages: a temp SQLite database, a temp copy of the casebook (the studio
saves into it) and one user per role."""

from __future__ import annotations

import shutil

import pytest
from coach_support import ROOT

from replycoach.config import get_settings
from replycoach.storage.types import Role


@pytest.fixture
def coach_env(tmp_path, monkeypatch):
    from replycoach.ui import services

    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    for path in (ROOT / "scenarios").glob("*.yaml"):
        shutil.copy(path, scenarios / path.name)
    monkeypatch.setenv("REPLYCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPLYCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    monkeypatch.setenv("REPLYCOACH_SCENARIOS_DIR", str(scenarios))
    monkeypatch.delenv("REPLYCOACH_LLM", raising=False)
    get_settings.cache_clear()
    services.get_store.clear()
    yield tmp_path
    services.get_store.clear()
    get_settings.cache_clear()


@pytest.fixture
def store(coach_env):
    """The store the pages use (the app's cached one), migrated to head."""
    from replycoach.ui import services

    return services.get_store()


@pytest.fixture
def users(store):
    """One user per role, keyed by role; the trainee is in team "Store A", a second trainee in "Store B"."""
    made = {
        role: store.add_user(
            role.value, f"{role.value}-pass-2024", role, display_name=f"{role.value.title()} Tester", team="Store A"
        )
        for role in Role
    }
    made["trainee2"] = store.add_user(
        "trainee2", "trainee2-pass-2024", Role.trainee, display_name="Second Trainee", team="Store B"
    )
    return made
