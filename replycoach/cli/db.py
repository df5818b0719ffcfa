"""``replycoach db upgrade|status``: bring the database schema to the newest migration, or show where it is."""

from __future__ import annotations

import argparse
import sys

from replycoach.config import get_settings
from replycoach.storage.engine import redacted


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("db", help="migrate the database (Alembic) or show its schema version")
    p.add_argument("action", choices=["upgrade", "status"], help="upgrade: migrate to the newest schema")
    p.add_argument("--url", help="database URL (default: REPLYCOACH_DATABASE_URL or the SQLite file in the data dir)")
    p.set_defaults(run=run)


def open_store(url: str | None):
    """The facade on ``url`` or the configured database (creating the data folder for SQLite)."""
    from replycoach.storage.facade import Store

    settings = get_settings()
    if url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(url or settings.database_url)


def open_grading(url: str | None, embedder: str | None, scenarios=None):
    """(settings, store, case library, the engine that grades now: shipped or promoted) for the commands that
    grade or train against the database (``train --from-reviews``, ``regrade``)."""
    from grading import get_engine
    from replycoach.cases.loader import load_library
    from replycoach.grader_registry import engine_for

    settings = get_settings()
    store = open_store(url)
    library = load_library(scenarios or settings.scenarios_dir)
    return settings, store, library, engine_for(store, get_engine(embedder or settings.embedder))


def run(args: argparse.Namespace) -> int:
    url = args.url or get_settings().database_url
    try:
        store = open_store(args.url)
        if args.action == "upgrade":
            print(f"Migrating {redacted(url)} ...")
            store.upgrade()
        current, head = store.schema_revision()
    except Exception as exc:  # a wrong URL or an unreachable server: say so in one line
        print(f"Database error ({redacted(url)}): {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    state = "up to date" if current == head else "needs `replycoach db upgrade`"
    print(f"Database {redacted(url)}: schema {current or 'empty'} (newest {head}): {state}")
    store.close()
    return 0 if current == head else 1
