"""Root fixtures shared by every test package. Each area keeps its own fixtures in its own conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or a clean skip where it is absent (benchmarks on public data)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


# --- databases: a real SQLite file and a real, throwaway PostgreSQL server --------------------------------------
@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server started for this test session and removed after it. Skips only outside CI when
    the server binaries are not installed; in CI (env ``CI`` set) a missing server is a failure."""
    import os

    from replycoach.storage.pgserver import PostgresUnavailable, start_postgres

    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL: {exc}")
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """SQLAlchemy URL of an empty database on the session's PostgreSQL server."""
    return postgres_server.create_database("replycoach_session")


_database_counter = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    """A fresh, empty database per test: a SQLite file, then a new PostgreSQL database (both backends)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'replycoach.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    name = f"replycoach_t{next(_database_counter)}"
    url = server.create_database(name)
    request.addfinalizer(lambda: server.drop_database(name))
    return url


@pytest.fixture
def store(store_url):
    """A migrated ``Store`` on ``store_url`` (so on each backend), closed after the test."""
    from replycoach.storage.facade import Store

    opened = Store(store_url)
    opened.upgrade()
    yield opened
    opened.close()
