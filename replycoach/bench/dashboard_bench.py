"""``replycoach bench --suite dashboard``: the HR dashboard over a realistic history, rendered and exported.

The storage suite times the dashboard's queries one by one; this one renders the whole page (queries, the
pandas frames and the Altair charts) through Streamlit's ``AppTest``, signed in as HR: on SQLite over 500
trainees and 100,000 attempts, on a throwaway PostgreSQL over 5,000 trainees and 1,000,000 attempts.
Warm: the first render (imports, connection pool, the grading model loading in the background) is not
counted. A browser adds its own drawing time on top.

Then the exports as HR downloads them: a real server (``streamlit run server.py``, as ``scripts/start``
runs it) streams the CSV from its route (``export_routes``) to a client that reads and discards it; the
server's peak memory (VmHWM) is read before and after, for one team's attempts and for all of them. For
comparison, the same CSV built whole in memory the way ``st.download_button`` needs it, in a process of its
own (its peak resident memory).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from replycoach.bench import machine_line, markdown_table, with_throwaway_postgres
from replycoach.config import PROJECT_ROOT, get_settings

TARGET_SECONDS = 1.0
SIZES = {
    "SQLite": {"trainees": 500, "attempts": 100_000},
    "PostgreSQL": {"trainees": 5_000, "attempts": 1_000_000},
}
QUICK = {"trainees": 50, "attempts": 5_000}
RENDER = "render, default view (last 90 days): median"


def run(quick: bool = False) -> str:
    """Measure and return the markdown section."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    rounds = 2 if quick else 5
    sizes = {backend: QUICK if quick else size for backend, size in SIZES.items()}
    results: dict[str, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="replycoach-dash-") as tmp:
        results["SQLite"] = _measure(f"sqlite:///{Path(tmp) / 'dash.sqlite3'}", tmp, sizes["SQLite"], rounds)
    with tempfile.TemporaryDirectory(prefix="replycoach-dash-") as tmp:
        results["PostgreSQL"] = with_throwaway_postgres(
            lambda url: _measure(url, tmp, sizes["PostgreSQL"], rounds), dbname="dashbench", note_key="note"
        )
    names = [name for name in next(iter(results.values())) if name != "note"]
    rows = [[name, *[results[b].get(name, "n/a") for b in results]] for name in names]
    note = next((r["note"] for r in results.values() if "note" in r), "")
    command = "replycoach bench --suite dashboard" + (" --quick" if quick else "")
    header = [
        "measure",
        *[f"{b} ({sizes[b]['attempts']:,} attempts, {sizes[b]['trainees']:,} trainees)" for b in results],
    ]
    return "\n\n".join(
        part
        for part in [
            f"## HR dashboard render and exports\n\nReproduce: `{command}` ({machine_line()})",
            "The whole HR dashboard page rendered by Streamlit's AppTest, signed in as HR; warm (after the "
            f"server's first render and its model warm-up), in seconds; target under {TARGET_SECONDS:g} s. A browser "
            "adds its own drawing time. The exports: the CSV streamed by a real server's route to a client that "
            "discards it, with the server's peak memory; and, for comparison, the same CSV built whole in "
            "memory as `st.download_button` would need it, in a process of its own.",
            markdown_table(header, rows),
            note,
        ]
        if part
    )


def _measure(url: str, data_dir: str, size: dict, rounds: int) -> dict[str, float | str]:
    from replycoach.storage.facade import Store
    from replycoach.storage.history import generate_history, read_case_ids
    from replycoach.storage.types import Role

    store = Store(url)
    store.upgrade()
    history = generate_history(store, **size, seed=1, case_ids=read_case_ids(get_settings().scenarios_dir))
    hr = store.add_user("bench-hr", "bench-hr-password", Role.hr, display_name="Bench HR")
    token = store.start_session(hr.id, lifetime=timedelta(hours=2)).token
    store.close()
    out: dict[str, float | str] = {"history: generated in (s)": round(history.seconds, 1)}
    out.update(_render(url, data_dir, hr, rounds))
    out.update(_exports(url, data_dir, token))
    return out


def _render(url: str, data_dir: str, hr, rounds: int) -> dict[str, float | str]:
    from streamlit.testing.v1 import AppTest

    from replycoach.ui import services
    from replycoach.ui.session import headless_session

    saved = {k: os.environ.get(k) for k in ("REPLYCOACH_DATABASE_URL", "REPLYCOACH_DATA_DIR")}
    os.environ["REPLYCOACH_DATABASE_URL"] = url
    os.environ["REPLYCOACH_DATA_DIR"] = data_dir
    get_settings.cache_clear()
    services.get_store.clear()
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
        key, token = headless_session(hr)
        at.session_state[key] = token  # HR's first page is the dashboard
        at.run()  # cold: imports, the connection pool, the case library; it starts the model's warm-up
        if at.exception:
            raise RuntimeError(f"the dashboard failed to render: {at.exception}")
        for thread in threading.enumerate():  # a warm server has finished warming up
            if thread.name.startswith("replycoach-"):
                thread.join()
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
    return {RENDER: round(statistics.median(timings), 3), "render: slowest": round(max(timings), 3)}


def _exports(url: str, data_dir: str, token: str) -> dict[str, float | str]:
    from replycoach.storage.types import AttemptFilter
    from replycoach.ui import export_routes
    from replycoach.ui.cookie_routes import SESSION_COOKIE

    env = {**os.environ, "REPLYCOACH_DATABASE_URL": url, "REPLYCOACH_DATA_DIR": data_dir}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "server.py"), "--server.headless=true",
         "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
         "--server.fileWatcherType=none"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    out: dict[str, float | str] = {}
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", server)
        out["export server: memory before (MB)"] = _memory_mb(server.pid)[0]
        for label, flt in (("one team", AttemptFilter(teams=("Store A",))), ("all", AttemptFilter())):
            link = f"http://127.0.0.1:{port}" + export_routes.export_url(export_routes.CSV_PATH, flt)
            rows, size, seconds = _download(link, f"{SESSION_COOKIE}={token}")
            out[f"CSV export, {label}: rows"] = rows
            out[f"CSV export, {label}: MB"] = round(size / 1e6, 1)
            out[f"CSV export, {label}: seconds"] = round(seconds, 1)
            out[f"CSV export, {label}: server peak memory (MB)"] = _memory_mb(server.pid)[1]
    finally:
        server.terminate()
        server.wait(timeout=30)
    out.update(_in_memory(url))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the export server did not start")


def _memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MB (Linux /proc)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(round(int(fields[name].split()[0]) / 1024, 1) for name in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def _download(link: str, cookie: str) -> tuple[int, int, float]:
    """(CSV rows, bytes, seconds) of a download read in chunks and thrown away, as a browser saves it."""
    request = urllib.request.Request(link, headers={"Cookie": cookie})
    size = lines = 0
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=3600) as answer:
        while chunk := answer.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return lines - 1, size, time.perf_counter() - started  # generated replies hold no line breaks


# The peak is VmHWM (``_memory_mb``), not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent
# across fork and exec, so it would report this benchmark's own peak (the generated history), not the export's.
_IN_MEMORY = """
import json, os, sys
from replycoach.analytics.csv_export import attempts_csv_bytes
from replycoach.bench.dashboard_bench import _memory_mb
from replycoach.storage.facade import Store
from replycoach.storage.types import Role, User
store = Store(sys.argv[1])
hr = User(0, "hr", "HR", Role.hr, None)
principles = store.export_principles()
before = _memory_mb(os.getpid())[1]
data = attempts_csv_bytes(store.iter_export_rows(hr), principles)
print(json.dumps({"before": before, "peak": _memory_mb(os.getpid())[1]}))
"""


def _in_memory(url: str) -> dict[str, float]:
    """The whole CSV built in memory in a process of its own: its memory before and at the peak (MB)."""
    done = subprocess.run(
        [sys.executable, "-c", _IN_MEMORY, url], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=3600
    )
    if done.returncode != 0:
        raise RuntimeError(f"the in-memory export failed: {done.stderr[-500:]}")
    numbers = json.loads(done.stdout)
    return {
        "CSV built in memory (st.download_button), all: process before (MB)": round(numbers["before"], 1),
        "CSV built in memory (st.download_button), all: peak memory (MB)": round(numbers["peak"], 1),
    }
