"""Storage benchmark: the HR dashboard's queries over a big generated history, on SQLite and PostgreSQL.

For each backend: generate the history (SQLite: 500 trainees, 100,000 attempts; PostgreSQL: 5,000 trainees,
1,000,000 attempts; ``quick``: 50 and 5,000), then time each dashboard aggregate warm (best of three after
one warm-up run) for the whole period, for one team and for the last 90 days (the dashboard's opening view),
read from the daily rollups as the dashboard does, and for the 90 days straight from the attempts too (what
the rollups save); compare the median response time from the rollup's buckets with the exact one; time the
dashboard's grader-version line (from its rollup and straight from the attempts); stream the full export; time
the coach's paths (the review queue in both
orders, the inbox, writing a review as the score of record, which moves the rollups by the difference); and
measure how many attempts per second 20 threads submit
through the facade (each keeping the rollups). PostgreSQL is a throwaway server started for the run with its
default durability (fsync on).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from replycoach.bench import machine_line, markdown_table, with_throwaway_postgres
from replycoach.config import get_settings
from replycoach.inbox import inbox_for
from replycoach.storage.facade import FLAGGED_FIRST, Store
from replycoach.storage.history import generate_history, read_case_ids
from replycoach.storage.types import AttemptFilter, NewAttempt, PrincipleScore, Role, User

TARGET_SECONDS = 2.0
THREADS = 20


SIZES = {
    "SQLite": {"trainees": 500, "attempts": 100_000},
    "PostgreSQL": {"trainees": 5_000, "attempts": 1_000_000},
}


def run(quick: bool = False) -> str:
    sizes = {b: {"trainees": 50, "attempts": 5_000} if quick else size for b, size in SIZES.items()}
    per_thread = 10 if quick else 50
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="replycoach-bench-") as tmp:
        results["SQLite"] = _measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", sizes["SQLite"], per_thread)
    results["PostgreSQL"] = with_throwaway_postgres(
        lambda url: _measure(url, sizes["PostgreSQL"], per_thread), dbname="bench", note_key="s: note"
    )

    backends = list(results)
    names = list(next(r for r in results.values() if isinstance(r, dict)))
    rows = [[name, *[results[b].get(name, "n/a") for b in backends]] for name in names]
    header = [
        "measure",
        *[f"{b} ({sizes[b]['attempts']:,} attempts, {sizes[b]['trainees']:,} trainees)" for b in backends],
    ]
    command = "replycoach bench --suite storage" + (" --quick" if quick else "")
    slow = [
        f"{name} on {b}"
        for b in backends
        for name, value in results[b].items()
        if name.startswith("s:") and isinstance(value, float) and value >= TARGET_SECONDS
    ]
    verdict = "every dashboard query under the 2 s target" if not slow else "over the 2 s target: " + ", ".join(slow)
    return "\n\n".join(
        [
            f"## Storage\n\nReproduce: `{command}` ({machine_line()})",
            "History over 6 months, 10 teams. Queries warm, best of 3, in seconds (rows starting `s:` read the "
            f"daily rollups, as the dashboard does; `direct:` the same straight from the attempts); {verdict}.",
            markdown_table(header, rows),
            # The machine is shared: the load says how much of it the timings had.
            f"Load average (1 min) at the start and the end of the run: {load_before:.1f}, "
            f"{os.getloadavg()[0]:.1f} (2 cores).",
        ]
    )


def _measure(url: str, size: dict, per_thread: int) -> dict[str, float | str]:
    store = Store(url)
    store.upgrade()
    out: dict[str, float | str] = {}
    history = generate_history(store, **size, seed=1, case_ids=read_case_ids(get_settings().scenarios_dir))
    out["history: generate (s)"] = history.seconds
    out["history: attempts/s inserted"] = round(history.attempts / history.seconds)

    hr = User(0, "bench-hr", "bench", Role.hr, None)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    filters = {
        "all": AttemptFilter(),
        "team A": AttemptFilter(teams=("Store A",)),
        # What the dashboard shows when opened: the last 90 days, every team.
        "90 days": AttemptFilter(since=today - timedelta(days=90), until=today + timedelta(days=1)),
    }
    direct = Store(url, rollups=False)
    for reader, prefix, chosen in ((store, "s", filters), (direct, "direct", {"90 days": filters["90 days"]})):
        queries = {
            "key_figures": lambda f, r=reader: r.key_figures(hr, f),
            "team_over_time (week)": lambda f, r=reader: r.team_over_time(hr, f),
            "trainee_summary": lambda f, r=reader: r.trainee_summary(hr, f),
            "team_principle_matrix": lambda f, r=reader: r.team_principle_matrix(hr, f),
            "principle_over_time (week)": lambda f, r=reader: r.principle_over_time(hr, f),
            "score_over_time (week)": lambda f, r=reader: r.score_over_time(hr, f),
        }
        for name, query in queries.items():
            for label, flt in chosen.items():
                out[f"{prefix}: {name}, {label}"] = _warm_best(lambda q=query, f=flt: q(f))
    exact = direct.key_figures(hr, filters["90 days"]).median_response_seconds
    approximate = store.key_figures(hr, filters["90 days"]).median_response_seconds
    out["median response, 90 days: exact / from the rollup's buckets (s)"] = " / ".join(
        "n/a" if value is None else f"{value:.1f}" for value in (exact, approximate)
    )
    # The dashboard's "Scores: n by grader ..." line: from rollup_score_sources, and the GROUP BY it replaces.
    for reader, prefix in ((store, "s"), (direct, "direct")):
        out[f"{prefix}: score_sources (grader behind each score), 90 days"] = _warm_best(
            lambda r=reader: r.score_sources(hr, filters["90 days"])
        )
    direct.close()

    started = time.perf_counter()
    exported = sum(1 for _ in store.iter_export_rows(hr))
    out["export: all rows (s)"] = time.perf_counter() - started
    out["export: rows"] = exported
    out.update(_coach_paths(store, today))
    out["submit: attempts/s, 20 threads"] = _throughput(store, url, per_thread)
    store.close()
    return out


def _coach_paths(store: Store, today: datetime) -> dict[str, float]:
    """What a coach waits for: the review queue (it also feeds the inbox count on every page) and writing a
    review, which makes it the score of record (the attempt, its score rows and the rollups in one transaction)."""
    (coach,) = store.bulk_add_users([("bench-coach", "Bench Coach", store.list_teams()[0])], role=Role.coach)
    every_turn = AttemptFilter(turn=None)
    out = {
        "s: review queue (what a review teaches most), first 30": _warm_best(
            lambda: store.review_queue(coach, every_turn, limit=30)
        ),
        "s: review queue (flagged first, then oldest), first 30": _warm_best(
            lambda: store.review_queue(coach, every_turn, limit=30, order=FLAGGED_FIRST)
        ),
        "s: review queue, lost points on empathy": _warm_best(
            lambda: store.review_queue(coach, every_turn, lost_points_on="empathy")
        ),
        "s: a coach's inbox": _warm_best(lambda: inbox_for(store, coach, live_case_ids=(), today=today.date())),
    }
    timings = []
    for attempt in store.review_queue(coach, every_turn, limit=20):
        scored = next(p for p, v in attempt.principles.items() if v is not None)
        started = time.perf_counter()
        store.add_review(attempt.id, coach, scores={scored: 0.75}, overall=80.0, comment="", pass_mark=70.0)
        timings.append(time.perf_counter() - started)
    out["review: add_review, median (ms)"] = round(1000 * sorted(timings)[len(timings) // 2], 1)
    return out


def _warm_best(call: Callable[[], object], repeats: int = 3) -> float:
    call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _throughput(store: Store, url: str, per_thread: int) -> float:
    trainees = store.list_users(role=Role.trainee)[:THREADS]
    stores = [Store(url), Store(url)]  # two app processes' worth of connection pools
    now = datetime.now(UTC)

    def submit(index: int) -> int:
        user = trainees[index % len(trainees)]
        for n in range(per_thread):
            stores[index % 2].add_attempt(_bench_attempt(user, index, n, now))
        return per_thread

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        done = sum(pool.map(submit, range(THREADS)))
    elapsed = time.perf_counter() - started
    for s in stores:
        s.close()
    return round(done / elapsed, 1)


def _bench_attempt(user: User, thread: int, n: int, now: datetime) -> NewAttempt:
    principles = [PrincipleScore(p, 0.5, 1.0) for p in ("empathy", "apology", "remedy", "timing")]
    return NewAttempt(
        user_id=user.id,
        case_id="price-complaint",
        case_hash="0" * 64,
        language="en",
        handling="public_reply",
        reply="We are sorry - I'll sort this out today.",
        opened_at=now - timedelta(seconds=90),
        submitted_at=now,
        response_seconds=90.0,
        score=50.0,
        passed=False,
        grader_version="bench",
        embedder="none",
        principles=principles,
        grade_json={"score": 50.0},
        client_token=f"bench-{thread}-{n}-{now.timestamp()}",
    )


if __name__ == "__main__":  # pragma: no cover
    print(run(quick=True))
