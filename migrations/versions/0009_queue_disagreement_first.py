"""The review queue's "what a review teaches most" puts the second opinions' disagreement first (issue 10).

``attempts.machine_certainty`` stays "the most uncertain is the lowest", on a new scale: ``MAX_UNCERTAINTY``
(7) minus the uncertainty of ``replycoach.coaching.queue_order``, whose whole part is now the gap between the
grader and its second opinions (the casebook's estimate, the LLM judge) in 10-point steps and whose fraction is
the old signs of doubt (near the pass mark, unsure principles) scaled below one step.

Attempts stored before this revision have no casebook estimate (their grades predate it), so:

- without the LLM judge, their uncertainty was near-pass plus unsure (0-2) and stays that, scaled: one UPDATE
  in SQL, ``7 - DOUBT_SHARE * (3 - certainty)``;
- the few the judge graded are worked out again in Python from their stored grade and verdict, as 0007 did.

``downgrade`` maps every attempt back through its signs of doubt.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# queue_order's scales when this revision was written (a migration must not change with later code).
OLD_MAX = 3.0
NEW_MAX = 7.0
DOUBT_SHARE = 0.99 / 2


def _attempts():
    return sa.table(
        "attempts", sa.column("id"), sa.column("machine_score"), sa.column("llm_json", sa.JSON()),
        sa.column("machine_certainty"),
    )  # fmt: skip


def upgrade() -> None:
    attempts = _attempts()
    op.execute(
        sa.update(attempts)
        .where(attempts.c.llm_json.is_(None))
        .values(machine_certainty=NEW_MAX - DOUBT_SHARE * (OLD_MAX - attempts.c.machine_certainty))
    )
    _recompute_judged()


def _recompute_judged() -> None:
    """The attempts the LLM judge graded, worked out again from their stored grade and verdict."""
    from replycoach.coaching.queue_order import attempt_uncertainty
    from replycoach.config import get_settings

    pass_mark = get_settings().pass_mark
    attempts = _attempts()
    scores = sa.table("attempt_scores", sa.column("attempt_id"), sa.column("principle"), sa.column("machine_score"))
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
        value = attempt_uncertainty(machine_score, principles, llm_json, pass_mark).value
        bind.execute(sa.update(attempts).where(attempts.c.id == attempt_id).values(machine_certainty=NEW_MAX - value))


def downgrade() -> None:
    """Every attempt mapped back through the fraction (its signs of doubt); the judge's few lose their old judge
    sign, a fraction of a point of the old scale, until they are stored again."""
    attempts = _attempts()
    fraction = (NEW_MAX - attempts.c.machine_certainty) - sa.func.floor(NEW_MAX - attempts.c.machine_certainty)
    op.execute(sa.update(attempts).values(machine_certainty=OLD_MAX - fraction / DOUBT_SHARE))
