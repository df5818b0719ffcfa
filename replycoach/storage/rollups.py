"""The HR dashboard's rollups: attempts pre-aggregated per UTC day and per week (decision 0009, tables in
``models.py``).

Over a million attempts the dashboard cannot group ~9 million score rows on every rerun; it reads these sums
instead. Each attempt counts in its day's row and in its week's row (``span`` "day" / "week"): a period
reads the whole weeks inside it from week rows and the days at its two edges from day rows (``narrowed``),
so 90 days are 12 week rows and a few day rows per key instead of 90. They are exact, never refreshed in
the background:

- **Kept in the same transaction** as the change they follow. ``apply`` is the one place that changes them:
  it adds the contributions of attempts stored (``add_attempt``, ``bulk_add_attempts``) and, for an attempt
  whose score of record changes after it was stored (a coach's review, or a re-grade by a newer grader),
  subtracts what the attempt contributed before and adds what it contributes now (``rescoring``). Rows are
  upserted in one fixed order (table by table, keys sorted), so two transactions never wait for each other
  in a circle. Attempts are never deleted or moved between teams by the facade (decision 0009).
- **Whole numbers**: scores are summed in millionths (``units``), so a delta subtracted and added again
  leaves exactly the row it found, and a rollup equals the GROUP BY it replaces.
- **What made each score** (``rollup_score_sources``, the dashboard's line naming its graders): attempts
  counted per ``source``, the grader version behind the score of record or ``COACH_REVIEW`` for a coach's
  review (``score_source``, the rule of ``queries.score_grader``). A review or re-grade moves the attempt from
  one source's row to another's, so a row can fall to 0 attempts: it stays, and readers skip it.
- **Read when they can answer** (``covers(flt, table)``; the queries are in ``queries.py``): a filter on
  whole UTC days (the dashboard's period), teams, cases, languages and turn. A filter by trainee (the
  drill-down), by review state, or with a time of day goes to the attempts themselves, as does a case filter
  on the two tables without a case column.

The median response time comes from ``rollup_response_times``: counts per bucket 10% wide, the values
spread evenly within a bucket, so it is within one bucket's width of the exact median (the storage
benchmark prints both).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Float, Table, cast, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from replycoach.storage.convert import to_db_time
from replycoach.storage.models import (
    AttemptRow,
    AttemptScoreRow,
    ReviewRow,
    RollupAttemptsRow,
    RollupPrinciplesRow,
    RollupResponseTimesRow,
    RollupScoreSourcesRow,
    RollupTraineesRow,
)
from replycoach.storage.types import AttemptFilter

#: Scores are summed as whole millionths of the stored value (an overall of 72.5 adds 72,500,000).
UNITS = 1_000_000
#: Upper bounds (seconds) of the response-time buckets: bucket k holds times in [BOUNDS[k-1], BOUNDS[k]),
#: bucket 0 those under BOUNDS[0], the last one everything from 1.1**130 s (about 66 hours) on. Rounded to
#: milliseconds, so the bounds are the same numbers on every machine (a bucket must never move).
RESPONSE_BUCKET_BOUNDS = tuple(round(1.1**k, 3) for k in range(1, 131))
#: The ``source`` of a score of record a coach's review made (a key cannot be NULL; a grader version is never
#: empty: the facade refuses one).
COACH_REVIEW = ""

ATTEMPTS = RollupAttemptsRow.__table__
PRINCIPLES = RollupPrinciplesRow.__table__
TRAINEES = RollupTraineesRow.__table__
RESPONSE_TIMES = RollupResponseTimesRow.__table__
SOURCES = RollupScoreSourcesRow.__table__
#: The order ``apply`` writes in (see the module's docstring on waiting in a circle).
TABLES = (ATTEMPTS, PRINCIPLES, TRAINEES, RESPONSE_TIMES, SOURCES)
_KEYS = {
    ATTEMPTS: ("span", "starts_on", "team_key", "case_id", "language", "turn"),
    PRINCIPLES: ("span", "starts_on", "team_key", "case_id", "language", "turn", "principle"),
    TRAINEES: ("span", "starts_on", "user_id", "team_key", "language", "turn"),
    RESPONSE_TIMES: ("span", "starts_on", "team_key", "language", "turn", "bucket"),
    SOURCES: ("span", "starts_on", "team_key", "case_id", "language", "turn", "source"),
}


def units(value: float) -> int:
    """A score as whole millionths (half away from zero; the same arithmetic for every caller)."""
    return math.floor(value * UNITS + 0.5)


def response_bucket(seconds: float) -> int:
    return bisect.bisect_right(RESPONSE_BUCKET_BOUNDS, seconds)


def bucket_range(bucket: int) -> tuple[float, float]:
    """(lowest, highest) time of a bucket; the last bucket is open-ended and reports its lower bound."""
    low = 0.0 if bucket == 0 else RESPONSE_BUCKET_BOUNDS[bucket - 1]
    high = RESPONSE_BUCKET_BOUNDS[bucket] if bucket < len(RESPONSE_BUCKET_BOUNDS) else low
    return low, high


# --- keeping them ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one attempt adds to the rollups: its keys and its scores as they are stored."""

    submitted_on: date
    team_key: int
    case_id: str
    language: str
    turn: int
    user_id: int
    score: float
    passed: bool
    response_seconds: float
    principles: tuple[tuple[str, float | None], ...]  # (principle, score or None for N/A)
    source: str  # what made the score of record: a grader version, or COACH_REVIEW


def contribution(
    attempt: Mapping, principles: Iterable[tuple[str, float | None]], *, reviewed: bool = False
) -> Contribution:
    """The contribution of an attempt given as its stored columns (``submitted_at`` naive UTC, ``team_id``,
    ``case_id``, ``language``, ``turn``, ``user_id``, ``score``, ``passed``, ``response_seconds``,
    ``grader_version``, and ``regraded_version`` once a re-grade became the score of record); ``reviewed``:
    a coach's review is its score of record."""
    return Contribution(
        submitted_on=attempt["submitted_at"].date(),
        team_key=attempt["team_id"] or 0,
        case_id=attempt["case_id"],
        language=attempt["language"],
        turn=attempt["turn"],
        user_id=attempt["user_id"],
        score=attempt["score"],
        passed=bool(attempt["passed"]),
        response_seconds=attempt["response_seconds"],
        principles=tuple(sorted(principles)),
        source=score_source(attempt["grader_version"], attempt.get("regraded_version"), reviewed=reviewed),
    )


def score_source(grader_version: str, regraded_version: str | None, *, reviewed: bool) -> str:
    """What made an attempt's score of record: a coach's review, else the re-grade that became it, else the
    grader that graded the attempt (``queries.score_grader`` says the same in SQL, with NULL for the review)."""
    if reviewed:
        return COACH_REVIEW
    return grader_version if regraded_version is None else regraded_version


def contribution_of(s: Session, attempt_id: int) -> Contribution | None:
    """What the stored attempt contributes now (None: no such attempt)."""
    a = AttemptRow
    columns = ("submitted_at", "team_id", "case_id", "language", "turn", "user_id", "score", "passed",
               "response_seconds", "grader_version", "regraded_version")  # fmt: skip
    reviewed = exists().where(ReviewRow.attempt_id == attempt_id)
    row = s.execute(select(*(a.__table__.c[c] for c in columns), reviewed).where(a.id == attempt_id)).first()
    if row is None:
        return None
    scores = s.execute(
        select(AttemptScoreRow.principle, AttemptScoreRow.score).where(AttemptScoreRow.attempt_id == attempt_id)
    )
    *values, is_reviewed = row
    return contribution(dict(zip(columns, values, strict=True)), [tuple(r) for r in scores], reviewed=is_reviewed)


def apply(s: Session, *, add: Iterable[Contribution] = (), remove: Iterable[Contribution] = ()) -> None:
    """Add the contributions ``add`` to the rollups and take ``remove`` out of them, in the session's
    transaction: the one place the rollups change."""
    deltas: dict[Table, dict[tuple, list[int]]] = {table: {} for table in TABLES}
    for sign, contributions in ((1, add), (-1, remove)):
        for c in contributions:
            _count(deltas, c, sign)
    upsert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    for table in TABLES:
        changed = {key: values for key, values in deltas[table].items() if any(values)}
        if not changed:
            continue
        keys = _KEYS[table]
        measures = [c.name for c in table.columns if c.name not in keys]
        stmt = upsert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={m: table.c[m] + stmt.excluded[m] for m in measures}
        )
        rows = [
            {**dict(zip(keys, key, strict=True)), **dict(zip(measures, values, strict=True))}
            for key, values in sorted(changed.items())
        ]
        s.execute(stmt, rows)


def _count(deltas: dict[Table, dict[tuple, list[int]]], c: Contribution, sign: int) -> None:
    def add(table: Table, key: tuple, *values: int) -> None:
        for span in (("day", c.submitted_on), ("week", week_of(c.submitted_on))):
            total = deltas[table].setdefault(span + key, [0] * len(values))
            for i, value in enumerate(values):
                total[i] += sign * value

    passed = int(c.passed)
    score = units(c.score)
    add(ATTEMPTS, (c.team_key, c.case_id, c.language, c.turn), 1, passed, score)
    for principle, value in c.principles:
        scored = (0, 0) if value is None else (1, units(value))
        add(PRINCIPLES, (c.team_key, c.case_id, c.language, c.turn, principle), 1, *scored)
    add(TRAINEES, (c.user_id, c.team_key, c.language, c.turn), 1, passed, score)
    add(RESPONSE_TIMES, (c.team_key, c.language, c.turn, response_bucket(c.response_seconds)), 1)
    add(SOURCES, (c.team_key, c.case_id, c.language, c.turn, c.source), 1)


def week_of(day: date) -> date:
    """The Monday of ``day``'s week (weeks start on Monday, as the dashboard's week buckets do)."""
    return day - timedelta(days=day.weekday())


@contextmanager
def rescoring(s: Session, attempt_id: int) -> Iterator[None]:
    """Around a change of a stored attempt's score of record (its overall, passed, or principle scores, or what
    made it: a coach's review added, a re-grade's grader) in the session's transaction: afterwards the rollups
    hold the attempt as it is then, by a delta (its old contribution subtracted, its new one added; a few rows,
    however many attempts there are). The review or re-grade itself is written inside, with the scores::

        with rollups.rescoring(s, attempt_id):
            s.add(ReviewRow(...))                   # what makes the score of record now
            s.execute(update(AttemptRow)...)        # the new score of record
            s.execute(update(AttemptScoreRow)...)
    """
    before = contribution_of(s, attempt_id)
    yield
    s.flush()
    after = contribution_of(s, attempt_id)
    apply(s, add=[after] if after else [], remove=[before] if before else [])


# --- reading them ---------------------------------------------------------------------------------------------


def covers(flt: AttemptFilter, table: Table) -> bool:
    """Whether ``table`` can answer an aggregate under ``flt`` exactly (see the module's docstring)."""
    if flt.user_ids is not None or flt.reviewed is not None:
        return False
    if flt.case_ids is not None and "case_id" not in table.c:
        return False
    return all(_whole_day(moment) for moment in (flt.since, flt.until) if moment is not None)


def _whole_day(moment: datetime) -> bool:
    return to_db_time(moment).time() == time.min


def average(score_units, count):
    """SQL: the average of scores summed in millionths (NULL when nothing was counted)."""
    return cast(score_units, Float) / (cast(count, Float) * UNITS)


def median_of_buckets(counts: Sequence[tuple[int, int]]) -> float | None:
    """The median of the values counted per bucket ((bucket, count) in bucket order): the value at the middle
    rank, or the mean of the two middle ones, each placed evenly within its bucket."""
    total = sum(n for _, n in counts)
    if total == 0:
        return None

    def value_at(rank: int) -> float:
        below = 0
        for bucket, n in counts:
            if rank < below + n:
                low, high = bucket_range(bucket)
                return low + (high - low) * (rank - below + 0.5) / n
            below += n
        raise AssertionError("rank beyond the counts")

    return (value_at((total - 1) // 2) + value_at(total // 2)) / 2
