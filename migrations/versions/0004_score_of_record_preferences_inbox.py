"""The coach's word counts; per-user preferences; inbox read marks.

1. Score of record (docs/decisions/0005): ``attempts.score``/``passed`` and ``attempt_scores.score`` become the
   score of record, and the machine's grade moves beside them (``machine_score``, ``machine_passed``,
   ``attempt_scores.machine_score``), filled from today's values. Attempts a coach has already reviewed get
   their latest review applied, as the app now does at review time; a reviewed overall passes at the pass mark
   configured now (``REPLYCOACH_PASS_MARK``, default 70).
2. Reviews keep the case hash and grader version of the attempt they judged (filled from the attempts).
3. Users get a time zone (IANA name, default UTC) and a UI language (default en).
4. ``inbox_reads``: which derived inbox items each user has read.
5. ``ix_attempts_review_queue``: the review queue's order (flagged first, then the oldest) as an index, so the
   queue and the coaches' inbox read the first unreviewed attempts instead of sorting them all.

SQLite adds a NOT NULL column only with a default, and ``attempts`` and ``users`` are never rebuilt (dropping a
parent table would cascade-delete its children): their new columns come with server defaults. ``reviews`` has
no children, so batch mode may rebuild it to make its new columns NOT NULL after they are filled.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), nullable=False, server_default=sa.text("'UTC'")))
    op.add_column("users", sa.Column("ui_language", sa.String(length=8), nullable=False, server_default=sa.text("'en'")))

    op.add_column("attempts", sa.Column("machine_score", sa.Float(), nullable=False, server_default=sa.text("0")))
    op.add_column("attempts", sa.Column("machine_passed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("attempt_scores", sa.Column("machine_score", sa.Float(), nullable=True))
    attempts = sa.table(
        "attempts", sa.column("id"), sa.column("score"), sa.column("passed"),
        sa.column("machine_score"), sa.column("machine_passed"), sa.column("case_hash"), sa.column("grader_version"),
    )  # fmt: skip
    scores = sa.table("attempt_scores", sa.column("attempt_id"), sa.column("principle"), sa.column("score"),
                      sa.column("machine_score"))  # fmt: skip
    op.execute(sa.update(attempts).values(machine_score=attempts.c.score, machine_passed=attempts.c.passed))
    op.execute(sa.update(scores).values(machine_score=scores.c.score))

    op.add_column("reviews", sa.Column("case_hash", sa.String(length=64), nullable=True))
    op.add_column("reviews", sa.Column("grader_version", sa.String(length=40), nullable=True))
    reviews = sa.table(
        "reviews", sa.column("id"), sa.column("attempt_id"), sa.column("scores", sa.JSON()), sa.column("overall"),
        sa.column("case_hash"), sa.column("grader_version"),
    )  # fmt: skip
    op.execute(
        sa.update(reviews)
        .where(reviews.c.attempt_id == attempts.c.id)
        .values(case_hash=attempts.c.case_hash, grader_version=attempts.c.grader_version)
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("case_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("grader_version", existing_type=sa.String(length=40), nullable=False)

    _apply_latest_reviews(attempts, scores, reviews)

    op.create_index("ix_attempts_review_queue", "attempts", ["needs_review", "submitted_at", "id"])

    op.create_table(
        "inbox_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=80), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_inbox_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "item_key", name=op.f("pk_inbox_reads")),
    )


def _apply_latest_reviews(attempts, scores, reviews) -> None:
    """Make each reviewed attempt's latest review its score of record (reviews are few: a loop is fine)."""
    from replycoach.config import get_settings

    pass_mark = get_settings().pass_mark
    bind = op.get_bind()
    newest = sa.select(sa.func.max(reviews.c.id)).group_by(reviews.c.attempt_id)
    latest = bind.execute(
        sa.select(reviews.c.attempt_id, reviews.c.scores, reviews.c.overall).where(reviews.c.id.in_(newest))
    ).all()
    for attempt_id, coach_scores, overall in latest:
        if overall is not None:
            bind.execute(
                sa.update(attempts)
                .where(attempts.c.id == attempt_id)
                .values(score=float(overall), passed=float(overall) >= pass_mark)
            )
        for principle, value in (coach_scores or {}).items():
            bind.execute(
                sa.update(scores)
                .where(scores.c.attempt_id == attempt_id, scores.c.principle == principle)
                .values(score=None if value is None else float(value))
            )


def downgrade() -> None:
    op.drop_table("inbox_reads")
    op.drop_index("ix_attempts_review_queue", table_name="attempts")
    attempts = sa.table("attempts", sa.column("score"), sa.column("passed"), sa.column("machine_score"),
                        sa.column("machine_passed"))  # fmt: skip
    scores = sa.table("attempt_scores", sa.column("score"), sa.column("machine_score"))
    # Back to the machine's scores (0002 knows no score of record); the reviews themselves stay.
    op.execute(sa.update(attempts).values(score=attempts.c.machine_score, passed=attempts.c.machine_passed))
    op.execute(sa.update(scores).values(score=scores.c.machine_score))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("grader_version")
        batch_op.drop_column("case_hash")
    with op.batch_alter_table("attempt_scores", schema=None) as batch_op:
        batch_op.drop_column("machine_score")
    for table, column in (("attempts", "machine_passed"), ("attempts", "machine_score"),
                          ("users", "ui_language"), ("users", "time_zone")):  # fmt: skip
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
