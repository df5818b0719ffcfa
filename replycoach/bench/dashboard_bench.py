"""``replycoach bench --suite dashboard``: how long the HR dashboard takes to render over a realistic history.

The storage suite times the dashboard's queries one by one; this one renders the whole page (queries, the
pandas frames and the Altair charts) through Streamlit's ``AppTest``, signed in as HR, over 500 trainees and
100,000 attempts, on SQLite and on a throwaway PostgreSQL. Warm: the first render (imports, connection pool)
is not counted. A browser adds its own drawing time on top.
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from replycoach.bench import machine_line, markdown_table, with_throwaway_postgres
from replycoach.config import PROJECT_ROOT, get_settings

TARGET_SECONDS = 2.0


def run(quick: bool = False) -> str:
    """Measure and return the markdown section."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    size = {"trainees": 50, "attempts": 5_000} if quick else {"trainees": 500, "attempts": 100_000}
    rounds = 2 if quick else 5
    results: dict[str, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="replycoach-dash-") as tmp:
        results["SQLite"] = _measure(f"sqlite:///{Path(tmp) / 'dash.sqlite3'}", tmp, size, rounds)
    results["PostgreSQL"] = with_throwaway_postgres(
        lambda url: _measure(url, None, size, rounds), dbname="dashbench", note_key="note"
    )
    names = ["render, default view (last 90 days): median", "render: slowest", "renders timed"]
    rows = [[name, *[results[b].get(name, "n/a") for b in results]] for name in names]
    note = next((r["note"] for r in results.values() if "note" in r), "")
    command = "replycoach bench --suite dashboard" + (" --quick" if quick else "")
    return "\n\n".join(
        part
        for part in [
            f"## HR dashboard render\n\nReproduce: `{command}` ({machine_line()})",
            f"The whole HR dashboard page rendered by Streamlit's AppTest, signed in as HR, over "
            f"{size['trainees']} trainees and {size['attempts']:,} attempts; warm, in seconds "
            f"(target under {TARGET_SECONDS:g} s). A browser adds its own drawing time.",
            markdown_table(["measure", *results], rows),
            note,
        ]
        if part
    )


def _measure(url: str, data_dir: str | None, size: dict, rounds: int) -> dict[str, float | str]:
    from streamlit.testing.v1 import AppTest

    from replycoach.storage.facade import Store
    from replycoach.storage.history import generate_history, read_case_ids
    from replycoach.storage.types import Role
    from replycoach.ui import services
    from replycoach.ui.session import headless_session

    store = Store(url)
    store.upgrade()
    generate_history(store, **size, seed=1, case_ids=read_case_ids(get_settings().scenarios_dir))
    hr = store.add_user("bench-hr", "bench-hr-password", Role.hr, display_name="Bench HR")
    store.close()
    saved = {k: os.environ.get(k) for k in ("REPLYCOACH_DATABASE_URL", "REPLYCOACH_DATA_DIR")}
    os.environ["REPLYCOACH_DATABASE_URL"] = url
    if data_dir:
        os.environ["REPLYCOACH_DATA_DIR"] = data_dir
    get_settings.cache_clear()
    services.get_store.clear()
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
        key, token = headless_session(hr)
        at.session_state[key] = token  # HR's first page is the dashboard
        at.run()  # cold: imports, the connection pool, the case library
        if at.exception:
            raise RuntimeError(f"the dashboard failed to render: {at.exception}")
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - start)
        if not at.get("vega_lite_chart") and not at.get("arrow_vega_lite_chart"):
            raise RuntimeError("the dashboard rendered no chart: is the history there?")
    finally:
        services.get_store.clear()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
    return {
        "render, default view (last 90 days): median": round(statistics.median(timings), 3),
        "render: slowest": round(max(timings), 3),
        "renders timed": len(timings),
    }
