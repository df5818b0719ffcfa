"""The dashboard benchmark renders the real HR page over a generated history and reports numbers."""

from __future__ import annotations

import os
import re

from replycoach.bench import dashboard_bench
from replycoach.storage.facade import Store
from replycoach.storage.history import generate_history


def test_dashboard_suite_renders_the_page_over_a_history_and_reports_seconds(monkeypatch, tmp_path):
    monkeypatch.setenv("REPLYCOACH_DATA_DIR", str(tmp_path))
    markdown = dashboard_bench.run(quick=True)
    row = next(line for line in markdown.splitlines() if line.startswith("| render, default view"))
    sqlite_seconds = row.split("|")[2].strip()
    assert re.fullmatch(r"\d+\.\d+", sqlite_seconds), row  # a measured number, not "n/a"
    assert float(sqlite_seconds) > 0
    assert "5,000 attempts" in markdown


def test_the_csv_built_in_memory_is_measured_in_its_own_process(tmp_path):
    """The comparison row measures the child that builds the CSV, not the benchmark's process that forked it
    (which holds a whole generated history when it measures)."""
    url = f"sqlite:///{tmp_path / 'export.sqlite3'}"
    store = Store(url)
    store.upgrade()
    generate_history(store, trainees=20, attempts=2_000, seed=1)
    store.close()
    ballast = b"\1" * (128 << 20)  # the benchmark's own memory, as with a generated history in it

    numbers = dashboard_bench._in_memory(url)

    before, peak = numbers.values()
    assert before < dashboard_bench._memory_mb(os.getpid())[1] - len(ballast) / 2**21  # not the parent's peak
    assert peak > before  # the whole file in memory shows
