"""The review queue's "what a review teaches most" order and the dashboard's grader-version line at a million
attempts, and what migrations 0007, 0008 and 0009 cost on such a database (issue 10).

The storage benchmark (``replycoach bench --suite storage``) times the same reads over a generated history, which
takes a quarter of an hour per million attempts to build through the facade. This script builds the million rows
straight in SQL instead (minutes): 5,000 trainees in 10 teams, 1,000,000 first replies over ~six months with four
principle scores each, 2% flagged, 1% reviewed, two grader versions; then migrates 0006 -> 0007 (fills
``machine_certainty`` for every attempt and builds its index), 0007 -> 0008 (fills ``rollup_score_sources``) and
0008 -> 0009 (moves ``machine_certainty`` to the queue's new scale) and times the reads warm (best of three after one warm-up run). The grader-version line is timed from its rollup,
as the dashboard reads it, and straight from the attempts (the GROUP BY the rollup replaced); the other rollups
stay empty here (the rows are written after migration 0005 would have filled them).

    .venv/bin/python benchmarks/storage/review_queue_scale.py [--attempts 1000000] [--sqlite]

PostgreSQL is a throwaway server started for the run (as the storage benchmark does); ``--sqlite`` runs on a
temporary SQLite file instead. Prints one line per measure.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from replycoach.bench import with_throwaway_postgres
from replycoach.bench.storage_bench import _warm_best
from replycoach.storage.facade import FLAGGED_FIRST, TEACHES_MOST, Store
from replycoach.storage.history import team_names
from replycoach.storage.types import AttemptFilter, Role, User

TRAINEES = 5_000
PRINCIPLES = ("empathy", "apology", "remedy", "timing")


def _fill(store: Store, attempts: int) -> None:
    """``attempts`` first replies straight in SQL (schema 0006), with their score rows and a few reviews."""
    teams = team_names(10)
    store.bulk_add_users(
        [(f"q-t{i:05d}", f"Trainee {i}", teams[i % len(teams)]) for i in range(TRAINEES)], role=Role.trainee
    )
    (coach,) = store.bulk_add_users([("q-coach", "Coach", None)], role=Role.coach)
    first_user = store.find_user("q-t00000").id
    pg = store.dialect == "postgresql"
    numbers = (
        "SELECT g AS n FROM generate_series(1, :count) AS g"
        if pg
        else "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :count) SELECT n FROM g"
    )
    unit = "random()" if pg else "(abs(random()) % 1000000) / 1000000.0"
    at = (
        "(now() AT TIME ZONE 'UTC') - n * interval '15 seconds'"
        if pg
        else "datetime('now', printf('-%d seconds', n * 15))"
    )
    opened = f"({at}) - interval '2 minutes'" if pg else f"datetime({at}, '-2 minutes')"
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO attempts (user_id, team_id, case_id, case_hash, language, handling, reply, opened_at, "
                "submitted_at, response_seconds, score, passed, machine_score, machine_passed, grader_version, "
                "embedder, grade_json, client_token, turn, needs_review) "
                f"SELECT :first + n % :trainees, NULL, 'case-' || (n % 16), '{'a' * 64}', 'en', 'public_reply', "
                f"'Sorry.', {opened}, {at}, 120.0, s, s >= 70, s, s >= 70, "
                "CASE WHEN n % 10 = 0 THEN 'grader-old' ELSE 'grader-new' END, 'none', '{}', 'q-' || n, 1, "
                "n % 50 = 0 "
                f"FROM (SELECT n, round(100 * {unit}) AS s FROM ({numbers}) AS numbers) AS drawn"
            ),
            {"first": first_user, "trainees": TRAINEES, "count": attempts},
        )
        connection.execute(
            text("UPDATE attempts SET team_id = (SELECT team_id FROM users WHERE users.id = attempts.user_id)")
        )
        principles = " UNION ALL ".join(f"SELECT '{p}' AS principle" for p in PRINCIPLES)
        day = "CAST(a.submitted_at AS date)" if pg else "date(a.submitted_at)"
        connection.execute(
            text(
                "INSERT INTO attempt_scores (attempt_id, principle, score, machine_score, weight, user_id, team_id, "
                "case_id, language, turn, submitted_at, submitted_on) "
                "SELECT id, principle, s, s, 1.0, user_id, team_id, case_id, 'en', 1, submitted_at, day FROM ("
                f"SELECT a.id, p.principle, round(CAST(100 * {unit} AS numeric)) / 100 AS s, a.user_id, a.team_id, "
                f"a.case_id, a.submitted_at, {day} AS day FROM attempts a CROSS JOIN ({principles}) AS p) AS drawn"
            )
        )
        connection.execute(
            text(
                "INSERT INTO reviews (attempt_id, coach_id, scores, overall, comment, created_at, case_hash, "
                "grader_version) SELECT id, :coach, '{}', 80.0, '', submitted_at, case_hash, grader_version "
                "FROM attempts WHERE id % 100 = 0"
            ),
            {"coach": coach.id},
        )
    if pg:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def measure(url: str, attempts: int) -> dict[str, float | str]:
    store = Store(url)
    store.upgrade("0006")
    out: dict[str, float | str] = {}
    started = time.perf_counter()
    _fill(store, attempts)
    out["fill in SQL (s)"] = round(time.perf_counter() - started, 1)
    for revision, name in (("0007", "0006 -> 0007: fill machine_certainty, build its index"),
                           ("0008", "0007 -> 0008: fill rollup_score_sources"),
                           ("0009", "0008 -> 0009: machine_certainty to the queue's new scale")):  # fmt: skip
        started = time.perf_counter()
        store.upgrade(revision)
        out[f"migration {name} (s)"] = round(time.perf_counter() - started, 1)
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE attempts"))
            connection.execute(text("ANALYZE rollup_score_sources"))
    coach = store.find_user("q-coach")
    direct = Store(url, rollups=False)
    hr = User(0, "bench-hr", "bench", Role.hr, None)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ninety = AttemptFilter(since=today - timedelta(days=90), until=today + timedelta(days=1))
    every = AttemptFilter(turn=None)
    reads = {
        "review queue, teaches most, first 100": lambda: store.review_queue(coach, every, order=TEACHES_MOST),
        "review queue, flagged first, first 100": lambda: store.review_queue(coach, every, order=FLAGGED_FIRST),
        "review queue, teaches most, team Store C": lambda: store.review_queue(
            coach, AttemptFilter(turn=None, teams=("Store C",))
        ),
        "review queue, teaches most, lost points on empathy": lambda: store.review_queue(
            coach, every, lost_points_on="empathy"
        ),
        "count_review_queue (the page's count)": lambda: store.count_review_queue(coach, every),
        "score_sources, 90 days (dashboard line)": lambda: store.score_sources(hr, ninety),
        "score_sources, every attempt": lambda: store.score_sources(hr, AttemptFilter()),
        "score_sources, 90 days, straight from the attempts": lambda: direct.score_sources(hr, ninety),
        "score_sources, every attempt, straight from the attempts": lambda: direct.score_sources(hr, AttemptFilter()),
    }
    for name, read in reads.items():
        out[f"{name} (s)"] = round(_warm_best(read), 4)
    sources = store.score_sources(hr, AttemptFilter())
    out["score_sources, every attempt"] = str(sources)
    out["score_sources: the rollup answers as the attempts do"] = str(
        sources == direct.score_sources(hr, AttemptFilter())
    )
    direct.close()
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory(prefix="replycoach-queue-") as tmp:
            results = measure(f"sqlite:///{Path(tmp) / 'queue.sqlite3'}", args.attempts)
    else:
        results = with_throwaway_postgres(lambda url: measure(url, args.attempts), dbname="queue")
    backend = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"{backend}, {args.attempts:,} attempts, {TRAINEES:,} trainees")
    for name, value in results.items():
        print(f"  {name}: {value}")


if __name__ == "__main__":
    main()
