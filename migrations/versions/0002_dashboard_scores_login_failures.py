"""Dashboard speed and sign-in throttling for every attempted username.

1. ``attempt_scores`` gets copies of its attempt's filter columns (user, team, case, language, turn,
   submitted_at and its UTC day) plus covering indexes, so the HR aggregates read that table alone instead of
   joining ~900k score rows to ``attempts``. Existing rows are filled from their attempts here.
2. Failed sign-ins move from two columns of ``users`` to ``login_failures``, keyed by a hash of the attempted
   name, so unknown names are throttled exactly like real accounts. Running counters are carried over.

On SQLite the NOT NULL step rebuilds ``attempt_scores`` (batch mode); that is safe because no table refers to
it. ``users`` is never rebuilt (dropping a parent table would cascade-delete attempts): its two columns go
with ``ALTER TABLE ... DROP COLUMN``, which SQLite has had since 3.35.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: The attempt columns copied onto each score row (besides submitted_on, the day, computed per backend).
COPIED = ("user_id", "team_id", "case_id", "language", "turn", "submitted_at")


def _name_key(username: str) -> str:
    # Must equal replycoach.storage.passwords.throttle_key (kept here so this migration never changes);
    # usernames in ``users`` are stored normalized already.
    return hashlib.sha256(username.encode("utf-8")).hexdigest()


def upgrade() -> None:
    _denormalize_scores()
    _move_login_failures()


def _denormalize_scores() -> None:
    op.add_column("attempt_scores", sa.Column("user_id", sa.Integer(), nullable=True))
    op.add_column("attempt_scores", sa.Column("team_id", sa.Integer(), nullable=True))
    op.add_column("attempt_scores", sa.Column("case_id", sa.String(length=64), nullable=True))
    op.add_column("attempt_scores", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column("attempt_scores", sa.Column("turn", sa.Integer(), nullable=True))
    op.add_column("attempt_scores", sa.Column("submitted_at", sa.DateTime(), nullable=True))
    op.add_column("attempt_scores", sa.Column("submitted_on", sa.Date(), nullable=True))

    scores = sa.table("attempt_scores", sa.column("attempt_id"), *(sa.column(c) for c in (*COPIED, "submitted_on")))
    attempts = sa.table("attempts", sa.column("id"), *(sa.column(c) for c in COPIED))
    if op.get_context().dialect.name == "sqlite":
        day = sa.func.date(attempts.c.submitted_at)  # naive UTC text 'YYYY-MM-DD HH:MM:SS...' -> 'YYYY-MM-DD'
    else:
        day = sa.cast(attempts.c.submitted_at, sa.Date)
    # One UPDATE ... FROM (PostgreSQL; SQLite >= 3.33): every score row gets its attempt's values.
    op.execute(
        sa.update(scores)
        .where(scores.c.attempt_id == attempts.c.id)
        .values(**{c: attempts.c[c] for c in COPIED}, submitted_on=day)
    )

    with op.batch_alter_table("attempt_scores", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("case_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("language", existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column("turn", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("submitted_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("submitted_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attempt_scores_team_id_teams"), "teams", ["team_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(
            "ix_attempt_scores_team_matrix",
            ["turn", "team_id", "principle", "submitted_at", "case_id", "language", "score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_attempt_scores_principle_days",
            ["turn", "principle", "submitted_on", "submitted_at", "team_id", "case_id", "language", "score"],
            unique=False,
        )
        batch_op.create_index("ix_attempt_scores_user_id_submitted_at", ["user_id", "submitted_at"], unique=False)


def _move_login_failures() -> None:
    failures = op.create_table(
        "login_failures",
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name_key", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_last_failed_at"), "login_failures", ["last_failed_at"], unique=False)

    users = sa.table(
        "users", sa.column("username"), sa.column("failed_logins"), sa.column("last_failed_at", sa.DateTime())
    )
    bind = op.get_bind()
    running = bind.execute(
        sa.select(users.c.username, users.c.failed_logins, users.c.last_failed_at).where(
            users.c.failed_logins > 0, users.c.last_failed_at.is_not(None)
        )
    ).all()
    if running:
        op.bulk_insert(
            failures,
            [{"name_key": _name_key(name), "failures": n, "last_failed_at": at} for name, n, at in running],
        )
    op.execute("ALTER TABLE users DROP COLUMN failed_logins")
    op.execute("ALTER TABLE users DROP COLUMN last_failed_at")


def downgrade() -> None:
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("last_failed_at", sa.DateTime(), nullable=True))
    users = sa.table(
        "users", sa.column("username"), sa.column("failed_logins"), sa.column("last_failed_at", sa.DateTime())
    )
    failures = sa.table(
        "login_failures", sa.column("name_key"), sa.column("failures"), sa.column("last_failed_at", sa.DateTime())
    )
    bind = op.get_bind()
    running = {key: (n, at) for key, n, at in bind.execute(sa.select(failures))}
    for (name,) in bind.execute(sa.select(users.c.username)).all():
        if (found := running.get(_name_key(name))) is not None:
            bind.execute(
                sa.update(users).where(users.c.username == name).values(failed_logins=found[0], last_failed_at=found[1])
            )
    op.drop_index(op.f("ix_login_failures_last_failed_at"), table_name="login_failures")
    op.drop_table("login_failures")

    with op.batch_alter_table("attempt_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_attempt_scores_user_id_submitted_at")
        batch_op.drop_index("ix_attempt_scores_principle_days")
        batch_op.drop_index("ix_attempt_scores_team_matrix")
        batch_op.drop_constraint(batch_op.f("fk_attempt_scores_team_id_teams"), type_="foreignkey")
        for column in ("submitted_on", *reversed(COPIED)):
            batch_op.drop_column(column)
