"""Alembic owns the schema: upgrading is idempotent and the migrated schema is exactly the models'."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from replycoach.storage.facade import Store
from replycoach.storage.models import Base


def test_upgrade_twice_is_harmless_and_keeps_data(store_url):
    store = Store(store_url)
    assert store.schema_revision()[0] is None
    store.upgrade()
    store.cache_put("k", "v")
    store.upgrade()
    current, head = store.schema_revision()
    assert current == head is not None
    assert store.cache_get("k") == "v"
    store.close()


def test_migrated_schema_matches_the_models(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    tables = set(inspect(store.engine).get_table_names())
    assert {"teams", "users", "attempts", "attempt_scores", "reviews", "assignments", "kv_cache"} <= tables


def test_indexes_the_dashboard_relies_on_exist(store):
    indexed = {tuple(ix["column_names"]) for ix in inspect(store.engine).get_indexes("attempts")}
    assert {("user_id", "submitted_at"), ("case_id",), ("submitted_at",), ("team_id", "submitted_at")} <= indexed
    uniques = inspect(store.engine).get_unique_constraints("attempts")
    assert any(u["column_names"] == ["client_token"] for u in uniques)


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    store.upgrade()
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    store.close()


def test_storage_benchmark_measures_every_query(tmp_path):
    from replycoach.bench.storage_bench import _measure

    numbers = _measure(f"sqlite:///{tmp_path / 'b.sqlite3'}", {"trainees": 5, "attempts": 200}, per_thread=2)
    assert numbers["export: rows"] == 200
    timed = [k for k in numbers if k.startswith(("s: ", "direct: "))]
    # Six dashboard queries for three filters from the rollups, the same six straight from the attempts for
    # one, the grader-version line both ways, and the coach's four paths (the queue in both orders).
    assert len(timed) == 6 * 3 + 6 + 2 + 4 and all(isinstance(numbers[k], float) and numbers[k] >= 0 for k in timed)
    assert numbers["review: add_review, median (ms)"] > 0
    assert numbers["submit: attempts/s, 20 threads"] > 0
