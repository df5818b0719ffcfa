"""The review queue ordered by what a review teaches the grader most (issue 10).

``attempts.machine_certainty``: how sure the machine was of its grade, 3 minus its uncertainty (0-3,
``replycoach.coaching.queue_order``), worked out when an attempt is stored; ``ix_attempts_teaches_most``
(ascending: the least certain first, each level oldest first) lets the queue read its first rows in index order
instead of sorting a million attempts.

Existing attempts are filled here in one UPDATE per backend (the pass mark configured now,
``REPLYCOACH_PASS_MARK``, default 70): near the pass mark plus the unsure principles, the rule of
``queue_order.uncertainty`` written in SQL (a test compares the two). The few attempts the LLM judge graded are
then worked out in Python with the judge's gap added.

``attempts`` is never rebuilt (see 0004): the column comes with a server default.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# queue_order's constants when this revision was written (a migration must not change with later code).
NEAR_PASS_POINTS = 15.0
UNSURE_BAND = 0.25
MAX_UNCERTAINTY = 3.0


def upgrade() -> None:
    op.add_column("attempts", sa.Column("machine_certainty", sa.Float(), nullable=False, server_default=sa.text("3")))
    _fill()
    op.create_index("ix_attempts_teaches_most", "attempts", ["machine_certainty", "submitted_at", "id"])


def _closeness(distance, band: float):
    """1 at distance 0, falling linearly to 0 at ``band`` (SQL)."""
    return sa.case((distance >= band, 0.0), else_=1.0 - distance / band)


def _fill() -> None:
    from replycoach.coaching.queue_order import attempt_uncertainty
    from replycoach.config import get_settings

    pass_mark = get_settings().pass_mark
    attempts = sa.table(
        "attempts", sa.column("id"), sa.column("machine_score"), sa.column("llm_json", sa.JSON()),
        sa.column("machine_certainty"),
    )  # fmt: skip
    scores = sa.table("attempt_scores", sa.column("attempt_id"), sa.column("principle"), sa.column("machine_score"))
    unsure = (
        sa.select(sa.func.avg(_closeness(sa.func.abs(scores.c.machine_score - 0.5), UNSURE_BAND)))
        .where(scores.c.attempt_id == attempts.c.id, scores.c.machine_score.is_not(None))
        .scalar_subquery()
    )
    near_pass = _closeness(sa.func.abs(attempts.c.machine_score - pass_mark), NEAR_PASS_POINTS)
    uncertainty = near_pass + sa.func.coalesce(unsure, 0.0)
    op.execute(sa.update(attempts).values(machine_certainty=MAX_UNCERTAINTY - uncertainty))

    bind = op.get_bind()
    judged = bind.execute(
        sa.select(attempts.c.id, attempts.c.machine_score, attempts.c.llm_json).where(attempts.c.llm_json.is_not(None))
    ).all()
    for attempt_id, machine_score, llm_json in judged:
        principles = dict(
            bind.execute(
                sa.select(scores.c.principle, scores.c.machine_score).where(scores.c.attempt_id == attempt_id)
            ).all()
        )
        value = MAX_UNCERTAINTY - attempt_uncertainty(machine_score, principles, llm_json, pass_mark).value
        bind.execute(sa.update(attempts).where(attempts.c.id == attempt_id).values(machine_certainty=value))


def downgrade() -> None:
    op.drop_index("ix_attempts_teaches_most", table_name="attempts")
    op.execute("ALTER TABLE attempts DROP COLUMN machine_certainty")  # never rebuild attempts (see 0004)
