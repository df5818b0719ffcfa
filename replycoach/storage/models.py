"""The ORM tables (SQLAlchemy 2, typed). Only ``facade.py`` and the migrations use them; everyone else gets the
plain values of ``types.py``.

Times are stored as naive UTC (``timestamp without time zone``): SQLite has no time zone type, and one rule on
both backends keeps the date buckets of the HR aggregates identical. The facade converts at its edges.
The Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Named constraints, so migrations can refer to them on every backend (and SQLite batch mode can rebuild them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TeamRow(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime())


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('trainee', 'coach', 'hr', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime())
    # Preferences (migration 0004; server defaults because SQLite adds NOT NULL columns only with one).
    time_zone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))  # IANA name
    ui_language: Mapped[str] = mapped_column(String(8), server_default=text("'en'"))

    team: Mapped[TeamRow | None] = relationship(lazy="joined")


class AttemptRow(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_id_submitted_at", "user_id", "submitted_at"),
        Index("ix_attempts_case_id", "case_id"),
        Index("ix_attempts_submitted_at", "submitted_at"),
        Index("ix_attempts_team_id_submitted_at", "team_id", "submitted_at"),
        Index("ix_attempts_parent_id", "parent_id"),
        # The review queue (flagged ones first, each group oldest first): it reads the first unreviewed rows in
        # index order instead of sorting every attempt (migration 0004).
        Index("ix_attempts_review_queue", "needs_review", "submitted_at", "id"),
        # The queue ordered by what a review teaches most: the least certain first, each level oldest first
        # (migration 0007).
        Index("ix_attempts_teaches_most", "machine_certainty", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The trainee's team when they submitted: team reports keep their history when someone changes team.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    case_id: Mapped[str] = mapped_column(String(64))
    case_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    handling: Mapped[str] = mapped_column(String(32))
    reply: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime())
    submitted_at: Mapped[datetime] = mapped_column(DateTime())
    response_seconds: Mapped[float] = mapped_column(Float)
    # The score of record: the machine's, or the latest coach review's once there is one (decision 0005).
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    # The machine's grade, never changed after the attempt is stored (server defaults: see UserRow.time_zone).
    machine_score: Mapped[float] = mapped_column(Float, server_default=text("0"))
    machine_passed: Mapped[bool] = mapped_column(Boolean, server_default=false())
    grader_version: Mapped[str] = mapped_column(String(40))
    embedder: Mapped[str] = mapped_column(String(40))
    grade_json: Mapped[dict] = mapped_column(JSON)
    client_token: Mapped[str] = mapped_column(String(80), unique=True)
    turn: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    follow_up_text: Mapped[str | None] = mapped_column(Text)
    llm_json: Mapped[dict | None] = mapped_column(JSON)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    # The grader behind a re-grade that became the score of record (None: ``grader_version``'s own grade).
    regraded_version: Mapped[str | None] = mapped_column(String(40))
    # How sure the machine was of its grade: ``queue_order.MAX_UNCERTAINTY`` (7) minus the attempt's uncertainty
    # (``coaching.queue_order``), fixed when the attempt is stored; ascending, so a plain index reads the least
    # certain first and the oldest first among equals (a descending expression index reflects differently on
    # each backend). The server default is 0007's "no doubt" on its old 0-3 scale: every write path sets the
    # value, and attempts is never rebuilt to change a default (see 0004).
    machine_certainty: Mapped[float] = mapped_column(Float, server_default=text("3"))

    user: Mapped[UserRow] = relationship(lazy="joined", innerjoin=True)
    team: Mapped[TeamRow | None] = relationship(lazy="joined")
    scores: Mapped[list[AttemptScoreRow]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True
    )


class AttemptScoreRow(Base):
    """One principle's score of one attempt: a row each, so aggregates are plain GROUP BYs.

    The row repeats its attempt's filter columns (who, team, case, language, turn, when), so aggregates read
    this table alone instead of joining ~9 score rows per attempt to ``attempts`` (migration 0002). The
    dashboard itself reads the daily rollups below (migration 0005, which dropped 0002's two covering
    indexes for it); this table answers what they cannot: one trainee's principles over time, through the
    index on (user, time), and filters with a time of day or a review state. An attempt never changes these
    columns after it is stored, and the facade writes both rows in one transaction. ``score`` is the score of
    record: a coach's review overwrites it (``machine_score`` keeps the machine's) and moves the rollups by the
    difference, in the review's transaction.
    """

    __tablename__ = "attempt_scores"
    __table_args__ = (
        # One trainee's trend (the dashboard's drill-down).
        Index("ix_attempt_scores_user_id_submitted_at", "user_id", "submitted_at"),
    )

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    principle: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    score: Mapped[float | None] = mapped_column(Float)  # of record (machine or coach); None: did not apply
    machine_score: Mapped[float | None] = mapped_column(Float)  # the machine's, never changed
    weight: Mapped[float] = mapped_column(Float)
    # Copies of the attempt's columns. No foreign key on user_id: deleting a user deletes their attempts, and
    # those delete their score rows. team_id follows a deleted team to NULL, as the attempt's does.
    user_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    case_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    turn: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime())
    submitted_on: Mapped[date] = mapped_column(Date)  # the UTC day of submitted_at: date buckets group by it


class _RollupRow:
    """What every rollup row starts its key with: the period it counts. Each attempt counts in two rows: its
    day's (``span`` "day", ``starts_on`` the UTC day) and its week's ("week", the Monday), so a long period
    reads whole weeks and only the days at its edges."""

    span: Mapped[str] = mapped_column(String(4), primary_key=True, sort_order=-1)  # "day" or "week"
    starts_on: Mapped[date] = mapped_column(Date, primary_key=True, sort_order=-1)


class _AttemptSums:
    """How many attempts a rollup row counts, how many passed, and the sum of their overall scores."""

    attempts: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    score_units: Mapped[int] = mapped_column(BigInteger)


def _key(kind=Integer):
    """A key column after the period; an integer key is a value, never an auto-incremented id."""
    if kind is Integer:
        return mapped_column(Integer, primary_key=True, autoincrement=False)
    return mapped_column(kind, primary_key=True)


class RollupAttemptsRow(_RollupRow, _AttemptSums, Base):
    """Attempts per UTC day (and week), team, case, language and turn, for the HR dashboard's key figures and
    team progress (decision 0009, ``rollups.py``).

    Every rollup table is kept in the transaction that stores or rescores an attempt (``rollups.apply``), so
    it always equals a GROUP BY over the attempts. Scores are summed as whole millionths (``rollups.units``):
    integers add and subtract exactly, so a score changed and changed back leaves the row as it was.
    ``team_key`` is the attempt's team id, 0 for an attempt made without a team (a key cannot be NULL).
    """

    __tablename__ = "rollup_attempts"

    team_key: Mapped[int] = _key()
    case_id: Mapped[str] = _key(String(64))
    language: Mapped[str] = _key(String(8))
    turn: Mapped[int] = _key()


class RollupPrinciplesRow(_RollupRow, Base):
    """Principle scores per UTC day (and week), team, case, language, turn and principle: ``entries`` score
    rows (N/A included), ``scored`` of them with a score, and the sum of those scores in millionths. The team x
    principle heatmap and the principles over time read this instead of ~9 score rows per attempt."""

    __tablename__ = "rollup_principles"

    team_key: Mapped[int] = _key()
    case_id: Mapped[str] = _key(String(64))
    language: Mapped[str] = _key(String(8))
    turn: Mapped[int] = _key()
    principle: Mapped[str] = _key(String(40))
    entries: Mapped[int] = mapped_column(Integer)
    scored: Mapped[int] = mapped_column(Integer)
    score_units: Mapped[int] = mapped_column(BigInteger)


class RollupTraineesRow(_RollupRow, _AttemptSums, Base):
    """Attempts per UTC day (and week), trainee, team, language and turn (no case: a trainee practises many
    cases a day, so a case column would make a row per attempt): active trainees and the trainee table."""

    __tablename__ = "rollup_trainees"

    user_id: Mapped[int] = _key()
    team_key: Mapped[int] = _key()
    language: Mapped[str] = _key(String(8))
    turn: Mapped[int] = _key()


class RollupResponseTimesRow(_RollupRow, Base):
    """How many attempts per UTC day (and week), team, language and turn took a response time within each
    bucket (``rollups.response_bucket``: buckets 10% wide), for the median response time without sorting every
    attempt of the period."""

    __tablename__ = "rollup_response_times"

    team_key: Mapped[int] = _key()
    language: Mapped[str] = _key(String(8))
    turn: Mapped[int] = _key()
    bucket: Mapped[int] = _key()
    attempts: Mapped[int] = mapped_column(Integer)


class RollupScoreSourcesRow(_RollupRow, Base):
    """How many attempts per UTC day (and week), team, case, language and turn have their score of record from
    each ``source``: the grader version behind it (a re-grade's that became the score of record, else the one that
    graded the attempt), or ``rollups.COACH_REVIEW`` ("") when a coach's review made it. The dashboard's line
    naming the graders behind its figures reads this instead of grouping every attempt joined to the reviews."""

    __tablename__ = "rollup_score_sources"

    team_key: Mapped[int] = _key()
    case_id: Mapped[str] = _key(String(64))
    language: Mapped[str] = _key(String(8))
    turn: Mapped[int] = _key()
    source: Mapped[str] = _key(String(40))
    attempts: Mapped[int] = mapped_column(Integer)


class SignInAttemptRow(Base):
    """Recent sign-in attempts per throttle key (``passwords.throttle_keys``): one attempted name from one
    client, one client, the whole server. Keys are SHA-256 digests, never what was typed. An attempt is
    counted before its password is checked; a success gives it back. Rows older than the longest window count
    for nothing and are deleted as new attempts come in."""

    __tablename__ = "sign_in_attempts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)  # attempts counted within the policy's window
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(), index=True)


class SessionRow(Base):
    """A signed-in browser. The browser holds a random token (in an HttpOnly cookie); this row holds its
    SHA-256, so a copy of the database signs nobody in. A session ends when it is revoked (sign-out, "sign out
    everywhere", an admin changing the account), idle for longer than the idle timeout, past ``expires_at``,
    or when the user's role is no longer ``role`` or the account is deactivated.

    ``handoff_hash`` is a one-time code (SHA-256 again) with which the browser that signed in, and only that
    browser (``browser_hash``), fetches its cookie from the server's HTTP route; see ``ui/cookie_routes.py``.
    """

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # the user's role when the session began
    created_at: Mapped[datetime] = mapped_column(DateTime())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime())
    expires_at: Mapped[datetime] = mapped_column(DateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime())
    handoff_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    handoff_expires_at: Mapped[datetime | None] = mapped_column(DateTime())
    browser_hash: Mapped[str | None] = mapped_column(String(64))


class PracticeDraftRow(Base):
    """The turn a trainee has open, saved as they write: a reload brings back the case, the draft, the chosen
    handling and the clock as it started (``opened_at``). ``parent_id`` is 0 for a first turn, else the attempt
    whose follow-up the turn answers. Deleted when the turn is submitted or put away."""

    __tablename__ = "practice_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    parent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(DateTime())
    client_token: Mapped[str] = mapped_column(String(80))
    handling: Mapped[str | None] = mapped_column(String(32))
    reply: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime())


class ReviewRow(Base):
    """A coach's review. Rows are never updated or deleted: the newest per attempt is the one shown and the
    attempt's score of record. It keeps the case version and grader version of the attempt it judged, so
    reviews can later serve as labels for the grader that was actually wrong."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_attempt_id_id", "attempt_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict] = mapped_column(JSON)
    overall: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime())
    case_hash: Mapped[str] = mapped_column(String(64))
    grader_version: Mapped[str] = mapped_column(String(40))

    coach: Mapped[UserRow] = relationship(lazy="joined", innerjoin=True)


class AssignmentRow(Base):
    """A case assigned to one user or to a whole team (exactly one of the two)."""

    __tablename__ = "assignments"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    due: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime())

    user: Mapped[UserRow | None] = relationship(foreign_keys=[user_id], lazy="joined")
    team: Mapped[TeamRow | None] = relationship(lazy="joined")


class InboxReadRow(Base):
    """Which inbox items a user has read. The items themselves are derived from assignments, attempts and
    reviews (``replycoach.inbox``); only the read marks are state of their own."""

    __tablename__ = "inbox_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(80), primary_key=True)  # e.g. "review:12", "overdue:4:7"
    read_at: Mapped[datetime] = mapped_column(DateTime())


class CacheRow(Base):
    """Small key-value cache (the LLM judge's verdicts, keyed by a hash of its input)."""

    __tablename__ = "kv_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime())


class GraderRow(Base):
    """A grader trained from the team's reviews: its model file, training summary and evaluation. Promoted by
    an admin (``active``, one at a time; the one before becomes ``retired``) or ``discarded``. No active row:
    the shipped grader grades (migration 0006)."""

    __tablename__ = "graders"
    __table_args__ = (CheckConstraint("status IN ('candidate', 'active', 'retired', 'discarded')", name="status"),)

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    embedder: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    model: Mapped[bytes] = mapped_column(LargeBinary)
    summary: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime())


class RegradeRow(Base):
    """An attempt graded again by a newer grader; the attempt keeps its original grade (``replycoach regrade``)."""

    __tablename__ = "regrades"
    __table_args__ = (UniqueConstraint("attempt_id", "grader_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    grader_version: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    principles: Mapped[dict] = mapped_column(JSON)
    previous_score: Mapped[float] = mapped_column(Float)
    previous_passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime())


class TrainingJobRow(Base):
    """A training run started from the calibration page: it runs in its own process and reports here."""

    __tablename__ = "training_jobs"
    __table_args__ = (CheckConstraint("status IN ('running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[str] = mapped_column(Text)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(DateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime())
    grader_version: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
