"""The dashboard benchmark renders the real HR page over a generated history and reports numbers."""

from __future__ import annotations

import re

from replycoach.bench import dashboard_bench


def test_dashboard_suite_renders_the_page_over_a_history_and_reports_seconds(monkeypatch, tmp_path):
    monkeypatch.setenv("REPLYCOACH_DATA_DIR", str(tmp_path))
    markdown = dashboard_bench.run(quick=True)
    row = next(line for line in markdown.splitlines() if line.startswith("| render, default view"))
    sqlite_seconds = row.split("|")[2].strip()
    assert re.fullmatch(r"\d+\.\d+", sqlite_seconds), row  # a measured number, not "n/a"
    assert float(sqlite_seconds) > 0
    assert "5,000 attempts" in markdown
