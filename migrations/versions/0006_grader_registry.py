"""Graders the team trains from its own reviews, re-grades, and training jobs (issue 10).

1. ``graders``: every grader trained from the team's reviews, with its model file (a few hundred KB), its
   training summary and its evaluation against the grader it would replace. A candidate is promoted
   (``active``; the one before it becomes ``retired``) or ``discarded`` by an admin: nothing changes grades
   silently. No active row: the shipped grader grades. The model lives in the database so every app process
   (decision 0004's scale-out) serves the same grader.
2. ``regrades``: an attempt graded again by a newer grader (``replycoach regrade``). The original grade stays
   on the attempt; ``attempts.regraded_version`` names the grader behind a regrade that became the score of
   record (NULL: the attempt's own ``grader_version``; a coach's review outranks both).
3. ``training_jobs``: a training run started from the calibration page runs in its own process and reports its
   progress and heartbeat here, so the page can show it and tell a crashed run from a slow one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "graders",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("embedder", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('candidate', 'active', 'retired', 'discarded')", name="ck_graders_status"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_graders_created_by_users", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name="fk_graders_decided_by_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("version", name="pk_graders"),
    )
    op.create_index("ix_graders_status", "graders", ["status"])
    op.create_table(
        "regrades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("grader_version", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("principles", sa.JSON(), nullable=False),
        sa.Column("previous_score", sa.Float(), nullable=False),
        sa.Column("previous_passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name="fk_regrades_attempt_id_attempts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_regrades"),
        sa.UniqueConstraint("attempt_id", "grader_version", name="uq_regrades_attempt_id_grader_version"),
    )
    op.add_column("attempts", sa.Column("regraded_version", sa.String(length=40), nullable=True))
    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("grader_version", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('running', 'done', 'failed')", name="ck_training_jobs_status"),
        sa.ForeignKeyConstraint(
            ["started_by"], ["users.id"], name="fk_training_jobs_started_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_training_jobs"),
    )


def downgrade() -> None:
    op.drop_table("training_jobs")
    op.execute("ALTER TABLE attempts DROP COLUMN regraded_version")  # never rebuild attempts (see 0004)
    op.drop_table("regrades")
    op.drop_index("ix_graders_status", table_name="graders")
    op.drop_table("graders")
