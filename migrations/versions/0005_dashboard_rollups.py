"""Daily rollups for the HR dashboard (decision 0009).

Four tables of sums per UTC day and per week (attempts; principle scores; attempts per trainee; response-time
buckets), filled here from the attempts already stored and from then on kept by the storage facade in the
same transaction as every attempt it stores or rescores (``replycoach/storage/rollups.py``). Day rows are
grouped from the attempts, week rows (``span`` "week", ``starts_on`` the Monday) from the day rows. The dashboard reads
them instead of the score rows, so the two covering indexes migration 0002 put on ``attempt_scores`` for it
go: they cost every insert nine index entries each.

Scores are summed as whole millionths: ``floor(score * 1,000,000 + 0.5)``, the arithmetic of
``rollups.units`` (scores are never negative, so SQLite's truncating CAST is the same floor). Response-time
buckets are counted in Python with the bounds copied below, never with a database's logarithm: a bucket
computed here must be the one the facade subtracts from later.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import bisect
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Must equal replycoach.storage.rollups.RESPONSE_BUCKET_BOUNDS (kept here so this migration never changes).
RESPONSE_BUCKET_BOUNDS = tuple(round(1.1**k, 3) for k in range(1, 131))
_BATCH = 10_000
#: Each table's key columns after (span, starts_on), and its measures.
TABLES = {
    "rollup_attempts": (["team_key", "case_id", "language", "turn"], ["attempts", "passed", "score_units"]),
    "rollup_principles": (
        ["team_key", "case_id", "language", "turn", "principle"],
        ["entries", "scored", "score_units"],
    ),
    "rollup_trainees": (["user_id", "team_key", "language", "turn"], ["attempts", "passed", "score_units"]),
    "rollup_response_times": (["team_key", "language", "turn", "bucket"], ["attempts"]),
}


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    day = "CAST(submitted_at AS DATE)" if postgres else "date(submitted_at)"
    passed = "SUM(CASE WHEN passed THEN 1 ELSE 0 END)"

    def units(column: str) -> str:
        if postgres:
            return f"CAST(FLOOR({column} * 1000000 + 0.5) AS BIGINT)"
        return f"CAST({column} * 1000000 + 0.5 AS INTEGER)"

    op.execute(
        "INSERT INTO rollup_attempts "
        "(span, starts_on, team_key, case_id, language, turn, attempts, passed, score_units) "
        f"SELECT 'day', {day}, COALESCE(team_id, 0), case_id, language, turn, COUNT(*), {passed}, "
        f"SUM({units('score')}) FROM attempts GROUP BY {day}, COALESCE(team_id, 0), case_id, language, turn"
    )
    op.execute(
        "INSERT INTO rollup_principles "
        "(span, starts_on, team_key, case_id, language, turn, principle, entries, scored, score_units) "
        "SELECT 'day', submitted_on, COALESCE(team_id, 0), case_id, language, turn, principle, COUNT(*), "
        f"COUNT(score), COALESCE(SUM({units('score')}), 0) FROM attempt_scores "
        "GROUP BY submitted_on, COALESCE(team_id, 0), case_id, language, turn, principle"
    )
    op.execute(
        "INSERT INTO rollup_trainees "
        "(span, starts_on, user_id, team_key, language, turn, attempts, passed, score_units) "
        f"SELECT 'day', {day}, user_id, COALESCE(team_id, 0), language, turn, COUNT(*), {passed}, "
        f"SUM({units('score')}) FROM attempts GROUP BY {day}, user_id, COALESCE(team_id, 0), language, turn"
    )
    _fill_response_times(bind, day)
    monday = "CAST(date_trunc('week', starts_on) AS DATE)" if postgres else "date(starts_on, 'weekday 0', '-6 days')"
    for table, (keys, sums) in TABLES.items():
        op.execute(
            f"INSERT INTO {table} (span, starts_on, {', '.join(keys + sums)}) "
            f"SELECT 'week', {monday}, {', '.join(keys)}, {', '.join(f'SUM({c})' for c in sums)} FROM {table} "
            f"WHERE span = 'day' GROUP BY {monday}, {', '.join(keys)}"
        )

    op.drop_index("ix_attempt_scores_team_matrix", table_name="attempt_scores")
    op.drop_index("ix_attempt_scores_principle_days", table_name="attempt_scores")


def _create_tables() -> None:
    for table, (keys, sums) in TABLES.items():
        op.create_table(
            table,
            sa.Column("span", sa.String(length=4), nullable=False),
            sa.Column("starts_on", sa.Date(), nullable=False),
            *(_column(c) for c in keys + sums),
            sa.PrimaryKeyConstraint("span", "starts_on", *keys, name=op.f(f"pk_{table}")),
        )


def _column(name: str) -> sa.Column:
    text = {"case_id": 64, "language": 8, "principle": 40}
    if name in text:
        return sa.Column(name, sa.String(length=text[name]), nullable=False)
    kind = sa.BigInteger() if name == "score_units" else sa.Integer()
    return sa.Column(name, kind, autoincrement=False, nullable=False)


def _fill_response_times(bind, day: str) -> None:
    counts: Counter = Counter()
    result = bind.execute(
        sa.text(f"SELECT {day}, COALESCE(team_id, 0), language, turn, response_seconds FROM attempts"),
        execution_options={"stream_results": True, "yield_per": _BATCH},
    )
    for submitted_on, team_key, language, turn, seconds in result:
        counts[(submitted_on, team_key, language, turn, bisect.bisect_right(RESPONSE_BUCKET_BOUNDS, seconds))] += 1
    table = sa.table(
        "rollup_response_times",
        *(sa.column(c) for c in ("span", "starts_on", "team_key", "language", "turn", "bucket", "attempts")),
    )
    rows = [
        {"span": "day", "starts_on": k[0], "team_key": k[1], "language": k[2], "turn": k[3], "bucket": k[4],
         "attempts": n}
        for k, n in counts.items()
    ]  # fmt: skip
    for first in range(0, len(rows), _BATCH):
        bind.execute(sa.insert(table), rows[first : first + _BATCH])


def downgrade() -> None:
    op.create_index(
        "ix_attempt_scores_principle_days",
        "attempt_scores",
        ["turn", "principle", "submitted_on", "submitted_at", "team_id", "case_id", "language", "score"],
        unique=False,
    )
    op.create_index(
        "ix_attempt_scores_team_matrix",
        "attempt_scores",
        ["turn", "team_id", "principle", "submitted_at", "case_id", "language", "score"],
        unique=False,
    )
    for table in ("rollup_response_times", "rollup_trainees", "rollup_principles", "rollup_attempts"):
        op.drop_table(table)
