"""The dashboard's rollup of what made each score of record (decision 0009): ``rollup_score_sources``.

Attempts per UTC day and per week, team, case, language, turn and ``source``: the grader version behind the
score of record (a re-grade's that became it, else the one that graded the attempt), or "" when a coach's
review made it (``rollups.COACH_REVIEW``). The dashboard's line naming the graders behind its figures read a
GROUP BY over every attempt joined to the reviews (0.6-1 s at a million attempts on PostgreSQL); it reads
this instead, kept from now on by the storage facade in the transaction of every attempt stored, review
written or re-grade made (``replycoach/storage/rollups.py``).

Filled here from the attempts already stored as 0005 filled the others: day rows in one GROUP BY over the
attempts (the reviewed ones found by a hash join to the reviews' distinct attempt ids), week rows (``span``
"week", ``starts_on`` the Monday) from the day rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Must equal replycoach.storage.rollups.COACH_REVIEW (kept here so this migration never changes).
COACH_REVIEW = ""
KEYS = "team_key, case_id, language, turn, source"


def upgrade() -> None:
    op.create_table(
        "rollup_score_sources",
        sa.Column("span", sa.String(length=4), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("turn", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "span", "starts_on", "team_key", "case_id", "language", "turn", "source",
            name=op.f("pk_rollup_score_sources"),
        ),  # fmt: skip
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    day = "CAST(a.submitted_at AS DATE)" if postgres else "date(a.submitted_at)"
    # queries.score_grader's rule, with COACH_REVIEW for its NULL (a key cannot be NULL).
    source = (
        f"CASE WHEN r.attempt_id IS NULL THEN COALESCE(a.regraded_version, a.grader_version) ELSE '{COACH_REVIEW}' END"
    )
    op.execute(
        f"INSERT INTO rollup_score_sources (span, starts_on, {KEYS}, attempts) "
        f"SELECT 'day', {day}, COALESCE(a.team_id, 0), a.case_id, a.language, a.turn, {source}, COUNT(*) "
        "FROM attempts a LEFT JOIN (SELECT DISTINCT attempt_id FROM reviews) r ON r.attempt_id = a.id "
        f"GROUP BY {day}, COALESCE(a.team_id, 0), a.case_id, a.language, a.turn, {source}"
    )
    monday = "CAST(date_trunc('week', starts_on) AS DATE)" if postgres else "date(starts_on, 'weekday 0', '-6 days')"
    op.execute(
        f"INSERT INTO rollup_score_sources (span, starts_on, {KEYS}, attempts) "
        f"SELECT 'week', {monday}, {KEYS}, SUM(attempts) FROM rollup_score_sources "
        f"WHERE span = 'day' GROUP BY {monday}, {KEYS}"
    )


def downgrade() -> None:
    op.drop_table("rollup_score_sources")
