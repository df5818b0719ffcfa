"""Daily rollups for the HR dashboard (decision 0005).

Four tables of sums per UTC day (attempts; principle scores; attempts per trainee; response-time buckets),
filled here from the attempts already stored and from then on kept by the storage facade in the same
transaction as every attempt it stores or rescores (``replycoach/storage/rollups.py``). The dashboard reads
them instead of the score rows, so the two covering indexes migration 0002 put on ``attempt_scores`` for it
go: they cost every insert nine index entries each.

Scores are summed as whole millionths: ``floor(score * 1,000,000 + 0.5)``, the arithmetic of
``rollups.units`` (scores are never negative, so SQLite's truncating CAST is the same floor). Response-time
buckets are counted in Python with the bounds copied below, never with a database's logarithm: a bucket
computed here must be the one the facade subtracts from later.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import bisect
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Must equal replycoach.storage.rollups.RESPONSE_BUCKET_BOUNDS (kept here so this migration never changes).
RESPONSE_BUCKET_BOUNDS = tuple(round(1.1**k, 3) for k in range(1, 131))
_BATCH = 10_000


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    day = "CAST(submitted_at AS DATE)" if postgres else "date(submitted_at)"
    passed = "SUM(CASE WHEN passed THEN 1 ELSE 0 END)"

    def units(column: str) -> str:
        return f"CAST(FLOOR({column} * 1000000 + 0.5) AS BIGINT)" if postgres else f"CAST({column} * 1000000 + 0.5 AS INTEGER)"

    op.execute(
        "INSERT INTO rollup_attempts (submitted_on, team_key, case_id, language, turn, attempts, passed, score_units) "
        f"SELECT {day}, COALESCE(team_id, 0), case_id, language, turn, COUNT(*), {passed}, SUM({units('score')}) "
        f"FROM attempts GROUP BY {day}, COALESCE(team_id, 0), case_id, language, turn"
    )
    op.execute(
        "INSERT INTO rollup_principles "
        "(submitted_on, team_key, case_id, language, turn, principle, entries, scored, score_units) "
        "SELECT submitted_on, COALESCE(team_id, 0), case_id, language, turn, principle, COUNT(*), COUNT(score), "
        f"COALESCE(SUM({units('score')}), 0) FROM attempt_scores "
        "GROUP BY submitted_on, COALESCE(team_id, 0), case_id, language, turn, principle"
    )
    op.execute(
        "INSERT INTO rollup_trainees (submitted_on, user_id, team_key, language, turn, attempts, passed, score_units) "
        f"SELECT {day}, user_id, COALESCE(team_id, 0), language, turn, COUNT(*), {passed}, SUM({units('score')}) "
        f"FROM attempts GROUP BY {day}, user_id, COALESCE(team_id, 0), language, turn"
    )
    _fill_response_times(bind, day)

    op.drop_index("ix_attempt_scores_team_matrix", table_name="attempt_scores")
    op.drop_index("ix_attempt_scores_principle_days", table_name="attempt_scores")


def _create_tables() -> None:
    def key(*columns: sa.Column) -> list[sa.Column]:
        return [sa.Column("submitted_on", sa.Date(), nullable=False), *columns]

    text = {
        "case_id": lambda: sa.Column("case_id", sa.String(length=64), nullable=False),
        "language": lambda: sa.Column("language", sa.String(length=8), nullable=False),
        "principle": lambda: sa.Column("principle", sa.String(length=40), nullable=False),
    }

    def number(name: str, kind=sa.Integer) -> sa.Column:
        return sa.Column(name, kind(), autoincrement=False, nullable=False)

    op.create_table(
        "rollup_attempts",
        *key(number("team_key"), text["case_id"](), text["language"](), number("turn")),
        number("attempts"),
        number("passed"),
        number("score_units", sa.BigInteger),
        sa.PrimaryKeyConstraint(
            "submitted_on", "team_key", "case_id", "language", "turn", name=op.f("pk_rollup_attempts")
        ),
    )
    op.create_table(
        "rollup_principles",
        *key(number("team_key"), text["case_id"](), text["language"](), number("turn"), text["principle"]()),
        number("entries"),
        number("scored"),
        number("score_units", sa.BigInteger),
        sa.PrimaryKeyConstraint(
            "submitted_on", "team_key", "case_id", "language", "turn", "principle", name=op.f("pk_rollup_principles")
        ),
    )
    op.create_table(
        "rollup_trainees",
        *key(number("user_id"), number("team_key"), text["language"](), number("turn")),
        number("attempts"),
        number("passed"),
        number("score_units", sa.BigInteger),
        sa.PrimaryKeyConstraint(
            "submitted_on", "user_id", "team_key", "language", "turn", name=op.f("pk_rollup_trainees")
        ),
    )
    op.create_table(
        "rollup_response_times",
        *key(number("team_key"), text["language"](), number("turn"), number("bucket")),
        number("attempts"),
        sa.PrimaryKeyConstraint(
            "submitted_on", "team_key", "language", "turn", "bucket", name=op.f("pk_rollup_response_times")
        ),
    )


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
        *(sa.column(c) for c in ("submitted_on", "team_key", "language", "turn", "bucket", "attempts")),
    )
    rows = [
        {"submitted_on": k[0], "team_key": k[1], "language": k[2], "turn": k[3], "bucket": k[4], "attempts": n}
        for k, n in counts.items()
    ]
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
