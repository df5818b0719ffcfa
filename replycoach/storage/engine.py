"""Engines for the two supported backends, set up the way the facade relies on.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and write transactions that
start with ``BEGIN IMMEDIATE``. The last matters under concurrency: a deferred transaction that reads and
then writes cannot wait for the lock (SQLite fails it at once with "database is locked"), an immediate one
queues for the busy timeout like any writer.
PostgreSQL: any URL; ``postgresql://`` and ``postgres://`` are read as the psycopg 3 driver.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

#: Execution option the facade sets on sessions that write (see ``Store._writing``).
WRITE_OPTION = "replycoach_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept the common PostgreSQL spellings; the installed driver is psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def redacted(url: str) -> str:
    """The URL with its password hidden, for printing."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise ValueError(f"Unsupported database URL {redacted(url)!r}: use sqlite:///path or postgresql+psycopg://...")


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin; see _on_begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses at most the last commits
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
