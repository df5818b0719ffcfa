"""The one storage facade: every page, the CLI and the benchmarks read and write through ``Store``.

CONTRACT (written first so pages can be built against it; the storage owner implements it):
- ``Store(url)`` opens SQLite (WAL, foreign keys on) or PostgreSQL; ``Store.upgrade()`` runs the Alembic
  migrations to head. Alembic owns the schema: no ``create_all`` outside tests of the migrations themselves.
- Methods that show data to a person take ``viewer: User`` and enforce access: a trainee only ever sees their
  own attempts (anything else raises ``MissingEntry``, never revealing that it exists); coaches see attempts of
  everyone; HR sees aggregates and exports; admins manage users.
- Every write commits before returning. ``add_attempt`` is idempotent on ``client_token``.
- Aggregations (key figures, heatmap, progress) run in SQL, not Python loops.

Access in detail: trainees see only their own attempts, progress and export rows, and get ``Forbidden`` for
reviews, assignments management and aggregates. Coaches and admins see and review everyone's attempts and
manage assignments. HR and admins see aggregates (coaches too: they see every attempt anyway) and read
attempts. User management methods take no viewer: only the CLI and the admin page (which checks the role)
call them.

Times: pass aware datetimes (naive ones are taken as UTC); every datetime returned is aware UTC.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path

from sqlalchemy import JSON, delete, exists, func, insert, null, select, update
from sqlalchemy import case as when
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from replycoach.coaching.queue_order import MAX_UNCERTAINTY, attempt_uncertainty, casebook_estimate
from replycoach.plain_text import check_plain_text
from replycoach.storage import passwords, queries, rollups, tokens
from replycoach.storage.convert import (
    assignment_value,
    attempt_value,
    from_db_time,
    review_value,
    to_db_time,
    user_value,
)
from replycoach.storage.engine import WRITE_OPTION, make_engine, redacted
from replycoach.storage.models import (
    AssignmentRow,
    AttemptRow,
    AttemptScoreRow,
    CacheRow,
    GraderRow,
    InboxReadRow,
    PracticeDraftRow,
    RegradeRow,
    ReviewRow,
    RollupPrinciplesRow,
    SessionRow,
    SignInAttemptRow,
    TeamRow,
    TrainingJobRow,
    UserRow,
)
from replycoach.storage.types import (
    Assignment,
    AssignmentStatus,
    Attempt,
    AttemptFilter,
    Conflict,
    Forbidden,
    KeyFigures,
    LoginResult,
    MissingEntry,
    NewAttempt,
    NewSession,
    PracticeDraft,
    RegradeTarget,
    Review,
    ReviewLabel,
    ReviewNotice,
    Role,
    SessionCheck,
    StoredGrader,
    TrainingJob,
    User,
)

#: Where Alembic's scripts live (the project's ``migrations/`` folder; found from an editable install too).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

LOGIN_FAILED = "Wrong user name or password."
ACCOUNT_DEACTIVATED = "This account is deactivated: ask an admin to reactivate it."
#: A session's last activity is written at most this often (each rerun reads it).
SESSION_TOUCH_EVERY = timedelta(minutes=1)
#: How long the browser that signed in has to fetch its cookie with the one-time code.
HANDOFF_VALID_FOR = timedelta(minutes=2)
_MAX_DRAFT_CHARS = 100_000
_REVIEWERS = (Role.coach, Role.admin)
_AGGREGATE_VIEWERS = (Role.hr, Role.admin, Role.coach)
_MAX_TEAM_NAME = 80
#: The attempt columns every score row repeats (plus ``submitted_on``), for the dashboards' single-table reads.
_COPIED_TO_SCORES = ("user_id", "team_id", "case_id", "language", "turn", "submitted_at")
#: The fixed columns of an export row (``queries.export_statement`` selects them in this order).
EXPORT_COLUMNS = (
    "attempt_id", "submitted_at", "opened_at", "user_id", "username", "display_name", "team", "case_id",
    "case_hash", "language", "handling", "turn", "parent_id", "score", "passed", "machine_score",
    "machine_passed", "reviewed_by", "reviewed_at", "review_comment", "response_seconds", "grader_version",
    "score_grader_version", "embedder", "needs_review", "follow_up_text", "reply",
)  # fmt: skip
#: A principle the machine scored below this "lost points" (the review queue's principle filter).
LOST_BELOW = 0.5


class _NotChecked(Enum):
    CASE = "not checked"


#: ``add_review`` without the case's current version: the case is not checked (scripts, benchmarks).
CASE_NOT_CHECKED = _NotChecked.CASE
#: The review queue's orders: what a review teaches the grader most (the default), or flagged first, then oldest.
TEACHES_MOST, FLAGGED_FIRST = "teaches_most", "flagged_first"
QUEUE_ORDERS = (TEACHES_MOST, FLAGGED_FIRST)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _ScoreOfRecord:
    """A stored attempt's new score of record (see ``Store._write_scores``) and what makes it: a coach's review
    (``review``, the row to add) or a newer grader's re-grade (``regraded_version``, that grader)."""

    attempt_id: int
    overall: float
    passed: bool
    principles: Mapping[str, float | None]  # the principles scored anew (None: N/A)
    review: ReviewRow | None = None
    regraded_version: str | None = None


class Store:
    def __init__(self, url: str, *, clock: Callable[[], datetime] = _utcnow, rollups: bool = True) -> None:
        """Open (lazily) the database at ``url``. ``clock`` gives "now" (tests move it to check the login
        throttle's time window). ``rollups=False`` reads the HR aggregates straight from the attempts instead
        of the daily rollups (which are kept up to date either way): tests compare the two, the storage
        benchmark times both."""
        self.url = url
        self.read_rollups = rollups
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._clock = clock

    def __repr__(self) -> str:
        return f"Store({redacted(self.url)!r})"

    # --- lifecycle ---------------------------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest migration, or to ``revision`` (idempotent)."""
        from alembic import command

        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection, connection.begin():
            if self.dialect == "postgresql":  # two processes starting at once must not migrate twice
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7270113)")
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def schema_revision(self) -> tuple[str | None, str]:
        """(the database's current revision or None, the newest revision the code knows)."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return current, head

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A session for a write; commits when the block ends without error. On SQLite it takes the write
        lock at BEGIN, so concurrent writers queue instead of failing (see engine.py)."""
        with self._sessions() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session
            session.commit()

    def _now(self) -> datetime:
        return to_db_time(self._clock())

    # --- users and teams ---------------------------------------------------------------------------------
    def add_user(
        self, username: str, password: str, role: Role, *, display_name: str | None = None, team: str | None = None
    ) -> User:
        """Raises ``Conflict`` if the username is taken, ``ValueError`` for a weak/empty password or bad name."""
        name = passwords.check_username(username)
        role = _role(role)
        check_plain_text(display_name, "The display name")
        password_hash = passwords.hash_password(password)  # before the transaction: hashing is slow
        try:
            with self._writing() as s:
                if s.scalar(select(UserRow.id).where(UserRow.username == name)) is not None:
                    raise Conflict(f"The username {name!r} is taken.")
                row = UserRow(
                    username=name,
                    display_name=(display_name or "").strip() or name,
                    password_hash=password_hash,
                    role=role.value,
                    team_id=self._team_id(s, team),
                    active=True,
                    created_at=self._now(),
                )
                s.add(row)
                s.flush()
                user_id = row.id
        except IntegrityError:  # the same name added at the same moment elsewhere
            raise Conflict(f"The username {name!r} is taken.") from None
        return self.get_user(user_id)

    def bulk_add_users(self, people: Sequence[tuple[str, str, str | None]], *, role: Role) -> list[User]:
        """Add many accounts at once, (username, display name, team) each, that cannot sign in (generated
        history; an admin may give one a password later). Raises ``Conflict`` if a name is taken."""
        names = [passwords.check_username(username) for username, _, _ in people]
        for _, display, _ in people:
            check_plain_text(display, "A display name")
        if len(set(names)) != len(names):
            raise ValueError("A username appears twice in the batch.")
        role = _role(role)
        with self._writing() as s:
            if taken := s.scalars(select(UserRow.username).where(UserRow.username.in_(names))).all():
                raise Conflict(f"Usernames taken: {', '.join(sorted(taken)[:10])}")
            team_ids = {team: self._team_id(s, team) for team in {t for _, _, t in people}}
            now = self._now()
            rows = [
                {
                    "username": name,
                    "display_name": (display or "").strip() or name,
                    "password_hash": passwords.UNUSABLE_HASH,
                    "role": role.value,
                    "team_id": team_ids[team],
                    "active": True,
                    "created_at": now,
                }
                for name, (_, display, team) in zip(names, people, strict=True)
            ]
            ids = s.scalars(insert(UserRow).returning(UserRow.id, sort_by_parameter_order=True), rows).all()
        with self._reading() as s:
            by_id = {row.id: user_value(row) for row in s.scalars(select(UserRow).where(UserRow.id.in_(ids)))}
        return [by_id[i] for i in ids]

    # --- signing in ------------------------------------------------------------------------------------
    def login(self, username: str, password: str, *, client: str = "") -> LoginResult:
        """Check a password under the sign-in throttle (``passwords.THROTTLE``), as one step.

        The attempt is counted first, in one transaction over its three keys (this name from this client, this
        client, the whole server), so attempts sent at once cannot all be checked; while a key asks for a wait
        the password is not looked at and the answer says so. A wrong password and an unknown name get the
        same answer after the same steps (one argon2 check), so answers never tell whether a name exists; a
        right password gives its count back. ``client`` says where the attempt comes from (see
        ``replycoach.ui.clients``); only a digest of it is stored."""
        name = passwords.normalize_username(username)
        keys = passwords.throttle_keys(name, client)
        now = self._now()
        wait, scope = self._reserve_attempt(keys, now)
        if wait > 0:
            return _refused(wait, scope)
        with self._reading() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == name)) if name else None
            account = (row.id, row.password_hash, row.active) if row is not None else None
        try:
            if account is None:
                passwords.burn_time(password or "")
                matches = needs_rehash = False
            else:
                matches, needs_rehash = passwords.verify_password(account[1], password or "")
        except passwords.ChecksBusy:
            self._give_back(keys, forget_name=False)  # nothing was checked: this attempt does not count
            return _refused(passwords.CHECK_QUEUE_SECONDS, "busy")
        if not matches:
            wait, scope = self._attempt_wait(keys, self._now())
            if wait > 0:
                return LoginResult(None, f"{LOGIN_FAILED} {_wait_text(wait, scope)}", retry_after_seconds=wait)
            return LoginResult(None, LOGIN_FAILED)
        user_id, _, active = account
        self._give_back(keys, forget_name=True)
        if not active:  # only someone who knows the password learns this
            return LoginResult(None, ACCOUNT_DEACTIVATED)
        if needs_rehash:
            new_hash = passwords.hash_password(password)  # slow: outside the transaction
            with self._writing() as s:
                s.execute(update(UserRow).where(UserRow.id == user_id).values(password_hash=new_hash))
        return LoginResult(self.get_user(user_id), "Signed in.")

    def _reserve_attempt(self, keys: list[tuple[str, passwords.ThrottlePolicy]], now: datetime) -> tuple[float, str]:
        """Count one attempt under every key unless one of them asks for a wait: (0, "") when counted, else
        (seconds, the scope that asked) with nothing counted. One transaction: on SQLite it holds the write lock
        from BEGIN, on PostgreSQL it locks the keys' rows (in key order, so two attempts never deadlock)."""
        t = SignInAttemptRow
        ordered = sorted(keys, key=lambda kp: kp[0])
        upsert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        with self._writing() as s:
            if self.dialect == "postgresql":
                placeholders = [{"key": key, "attempts": 0, "last_attempt_at": now} for key, _ in ordered]
                s.execute(upsert(t).values(placeholders).on_conflict_do_nothing(index_elements=[t.key]))
            stmt = select(t.key, t.attempts, t.last_attempt_at).where(t.key.in_([k for k, _ in ordered]))
            if self.dialect == "postgresql":
                stmt = stmt.order_by(t.key).with_for_update()
            seen = {key: (attempts, last) for key, attempts, last in s.execute(stmt)}
            waits = [
                (passwords.retry_after(*seen.get(key, (0, None)), now, policy), policy.scope) for key, policy in keys
            ]
            wait, scope = max(waits)
            if wait > 0:
                return wait, scope
            for key, policy in ordered:
                counted = passwords.counted_attempts(*seen.get(key, (0, None)), now, policy) + 1
                stmt = upsert(t).values(key=key, attempts=counted, last_attempt_at=now)
                s.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[t.key], set_={"attempts": counted, "last_attempt_at": now}
                    )
                )
            # Attempts past the longest window count for nothing: keep the table to recent ones.
            s.execute(delete(t).where(t.last_attempt_at < now - passwords.THROTTLE_WINDOW))
        return 0.0, ""

    def _attempt_wait(self, keys: list[tuple[str, passwords.ThrottlePolicy]], now: datetime) -> tuple[float, str]:
        """(seconds, scope) the next attempt under these keys must wait; (0, "") for none."""
        t = SignInAttemptRow
        with self._reading() as s:
            seen = {
                key: (attempts, last)
                for key, attempts, last in s.execute(
                    select(t.key, t.attempts, t.last_attempt_at).where(t.key.in_([k for k, _ in keys]))
                )
            }
        return max((passwords.retry_after(*seen.get(k, (0, None)), now, p), p.scope) for k, p in keys)

    def _give_back(self, keys: list[tuple[str, passwords.ThrottlePolicy]], *, forget_name: bool) -> None:
        """Undo the count of an attempt that was no guess (a right password) or was never checked; a right
        password also clears its name's earlier failures from this client."""
        t = SignInAttemptRow
        with self._writing() as s:
            for key, policy in keys:
                if forget_name and policy.scope == "name":
                    s.execute(delete(t).where(t.key == key))
                else:
                    s.execute(update(t).where(t.key == key, t.attempts > 0).values(attempts=t.attempts - 1))

    def sign_in_records(self) -> int:
        """How many throttle keys have recent sign-in attempts on record (older ones are pruned)."""
        with self._reading() as s:
            return int(
                s.scalar(select(func.count()).select_from(SignInAttemptRow).where(SignInAttemptRow.attempts > 0))
            )

    # --- sessions ----------------------------------------------------------------------------------------
    def start_session(self, user_id: int, *, lifetime: timedelta, browser: str | None = None) -> NewSession:
        """Begin a session for an active user, ending ``lifetime`` from now at the latest. ``browser`` (an id
        the browser keeps in a cookie of its own) is the only browser that may fetch the session's cookie."""
        token = tokens.new_token()
        now = self._now()
        with self._writing() as s:
            row = s.get(UserRow, user_id)
            if row is None or not row.active:
                raise MissingEntry(f"User {user_id} not found.")
            s.add(
                SessionRow(
                    token_hash=tokens.digest(token),
                    user_id=user_id,
                    role=row.role,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + lifetime,
                    browser_hash=tokens.digest(browser) if browser else None,
                )
            )
            # Sessions that ended more than a day ago can tell nobody anything any more.
            s.execute(delete(SessionRow).where(SessionRow.expires_at < now - timedelta(days=1)))
        return NewSession(token, from_db_time(now + lifetime))

    def check_session(self, token: str | None, *, idle: timedelta) -> SessionCheck:
        """The user a session token signs in, read afresh: None when the token is unknown, revoked, idle
        longer than ``idle``, past its lifetime, or when the user was deactivated or changed role since the
        session began (then ``ended`` says which, and the session is revoked for good)."""
        if not token:
            return SessionCheck(None)
        now = self._now()
        with self._reading() as s:
            found = s.execute(
                select(SessionRow, UserRow)
                .join(UserRow, UserRow.id == SessionRow.user_id)
                .where(SessionRow.token_hash == tokens.digest(token))
            ).first()
            if found is None:
                return SessionCheck(None)
            session, row = found
            session_id, last_seen = session.id, session.last_seen_at
            ended = _session_ended(session, row, now, idle)
            user = user_value(row)
        if ended is not None:
            with self._writing() as s:
                s.execute(
                    update(SessionRow)
                    .where(SessionRow.id == session_id, SessionRow.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
            return SessionCheck(None, ended)
        if now - last_seen >= SESSION_TOUCH_EVERY:  # not on every rerun: a write per click is wasted work
            with self._writing() as s:
                s.execute(update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now))
        return SessionCheck(user)

    def end_session(self, token: str | None) -> None:
        """Sign out: the session's token signs nobody in any more (anywhere it was copied to)."""
        if token:
            with self._writing() as s:
                s.execute(
                    update(SessionRow)
                    .where(SessionRow.token_hash == tokens.digest(token), SessionRow.revoked_at.is_(None))
                    .values(revoked_at=self._now())
                )

    def end_user_sessions(self, user_id: int) -> int:
        """Sign a user out everywhere; returns how many sessions were open."""
        with self._writing() as s:
            return _revoke_sessions(s, user_id, self._now())

    def open_sessions(self, user_id: int) -> int:
        """How many sessions of the user are not revoked and not past their lifetime (idle ones included)."""
        now = self._now()
        with self._reading() as s:
            stmt = select(func.count()).where(
                SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None), SessionRow.expires_at > now
            )
            return int(s.scalar(stmt))

    def session_handoff(self, token: str, *, browser: str, valid_for: timedelta = HANDOFF_VALID_FOR) -> str:
        """A one-time code with which ``browser``, and only it, fetches this session's cookie within
        ``valid_for`` (``redeem_handoff``). Raises ``MissingEntry`` for a token that signs nobody in."""
        code = tokens.new_token()
        now = self._now()
        with self._writing() as s:
            done = s.execute(
                update(SessionRow)
                .where(SessionRow.token_hash == tokens.digest(token), SessionRow.revoked_at.is_(None))
                .values(
                    handoff_hash=tokens.digest(code),
                    handoff_expires_at=now + valid_for,
                    browser_hash=tokens.digest(browser),
                )
            )
            if done.rowcount == 0:
                raise MissingEntry("No such session.")
        return code

    def redeem_handoff(self, code: str, *, browser: str) -> NewSession | None:
        """Exchange a hand-off code for the session's cookie token, once: the session gets a new token (the one
        returned), so a code, and the token the sign-in tab held, work one time only. None for a code that is
        unknown, used, expired, for another browser or for a session that has ended."""
        if not code or not browser:
            return None
        token = tokens.new_token()
        now = self._now()
        with self._writing() as s:
            stmt = (
                update(SessionRow)
                .where(
                    SessionRow.handoff_hash == tokens.digest(code),
                    SessionRow.handoff_expires_at > now,
                    SessionRow.browser_hash == tokens.digest(browser),
                    SessionRow.revoked_at.is_(None),
                    SessionRow.expires_at > now,
                )
                .values(token_hash=tokens.digest(token), handoff_hash=None, handoff_expires_at=None, last_seen_at=now)
                .returning(SessionRow.expires_at)
            )
            expires_at = s.scalar(stmt)
            if expires_at is None:  # whatever went wrong, the code is spent
                s.execute(
                    update(SessionRow)
                    .where(SessionRow.handoff_hash == tokens.digest(code))
                    .values(handoff_hash=None, handoff_expires_at=None)
                )
                return None
        return NewSession(token, from_db_time(expires_at))

    # --- the practice turn a trainee has open ------------------------------------------------------------
    def save_practice_draft(self, user: User, draft: PracticeDraft) -> None:
        """Keep (replace) the user's open turn ``draft.parent_id``: case, clock start, handling and text."""
        _check_draft(draft)
        upsert = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(PracticeDraftRow)
        values = {
            "user_id": user.id,
            "parent_id": draft.parent_id,
            "case_id": draft.case_id,
            "language": draft.language,
            "opened_at": to_db_time(draft.opened_at),
            "client_token": draft.client_token,
            "handling": draft.handling,
            "reply": draft.reply,
            "updated_at": self._now(),
        }
        stmt = upsert.values(**values).on_conflict_do_update(
            index_elements=[PracticeDraftRow.user_id, PracticeDraftRow.parent_id],
            set_={k: v for k, v in values.items() if k not in ("user_id", "parent_id")},
        )
        with self._writing() as s:
            s.execute(stmt)

    def practice_draft(self, user: User, parent_id: int = 0) -> PracticeDraft | None:
        """The user's open turn ``parent_id`` (0: a first turn), if any."""
        with self._reading() as s:
            row = s.get(PracticeDraftRow, (user.id, parent_id))
            if row is None:
                return None
            return PracticeDraft(
                case_id=row.case_id,
                language=row.language,
                opened_at=from_db_time(row.opened_at),
                client_token=row.client_token,
                handling=row.handling,
                reply=row.reply,
                parent_id=row.parent_id,
            )

    def drop_practice_draft(self, user: User, parent_id: int | None = 0) -> None:
        """Put the user's open turn ``parent_id`` away (submitted or abandoned); None: every open turn."""
        stmt = delete(PracticeDraftRow).where(PracticeDraftRow.user_id == user.id)
        if parent_id is not None:
            stmt = stmt.where(PracticeDraftRow.parent_id == parent_id)
        with self._writing() as s:
            s.execute(stmt)

    def get_user(self, user_id: int) -> User:
        with self._reading() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise MissingEntry(f"User {user_id} not found.")
            return user_value(row)

    def find_user(self, username: str) -> User:
        with self._reading() as s:
            return user_value(self._user_row(s, username))

    def list_users(self, *, role: Role | None = None, team: str | None = None) -> list[User]:
        stmt = select(UserRow).order_by(UserRow.username)
        if role is not None:
            stmt = stmt.where(UserRow.role == _role(role).value)
        if team is not None:
            stmt = stmt.join(TeamRow, TeamRow.id == UserRow.team_id).where(TeamRow.name == _team_name(team))
        with self._reading() as s:
            return [user_value(r) for r in s.scalars(stmt)]

    def set_role(self, username: str, role: Role) -> User:
        """Change the role; the user's open sessions end (they sign in again to get the new role's pages)."""
        role = _role(role)

        def change(s: Session, row: UserRow) -> None:
            if row.role != role.value:
                row.role = role.value
                _revoke_sessions(s, row.id, self._now())

        return self._update_user(username, change)

    def set_team(self, username: str, team: str | None) -> User:
        return self._update_user(username, lambda s, row: setattr(row, "team_id", self._team_id(s, team)))

    def set_password(self, username: str, password: str) -> None:
        """Set a new password; every open session of the user ends (whoever knew the old one is out)."""
        password_hash = passwords.hash_password(password)

        def change(s: Session, row: UserRow) -> None:
            row.password_hash = password_hash
            _revoke_sessions(s, row.id, self._now())

        self._update_user(username, change)

    def set_active(self, username: str, active: bool) -> User:
        """Deactivate (the user's sessions end and they cannot sign in) or reactivate an account."""

        def change(s: Session, row: UserRow) -> None:
            row.active = bool(active)
            if not active:
                _revoke_sessions(s, row.id, self._now())

        return self._update_user(username, change)

    def set_preferences(self, username: str, *, time_zone: str | None = None, ui_language: str | None = None) -> User:
        """Set a user's time zone (an IANA name such as ``Europe/Berlin``) and/or interface language
        (``en``, ``de``, ``ru``, ``bg``). ``ValueError`` for an unknown one; nothing is changed then."""
        zone = _time_zone(time_zone) if time_zone is not None else None
        language = _ui_language(ui_language) if ui_language is not None else None

        def change(s: Session, row: UserRow) -> None:
            if zone is not None:
                row.time_zone = zone
            if language is not None:
                row.ui_language = language

        return self._update_user(username, change)

    def list_teams(self) -> list[str]:
        with self._reading() as s:
            return list(s.scalars(select(TeamRow.name).order_by(TeamRow.name)))

    def ensure_team(self, name: str) -> str:
        """Create team ``name`` if it does not exist; returns the stored (cleaned) name."""
        with self._writing() as s:
            team_id = self._team_id(s, name)
            return s.get(TeamRow, team_id).name

    def _update_user(self, username: str, change: Callable[[Session, UserRow], None]) -> User:
        with self._writing() as s:
            row = self._user_row(s, username)
            change(s, row)
            s.flush()
            user_id = row.id
        return self.get_user(user_id)

    def _user_row(self, s: Session, username: str) -> UserRow:
        row = s.scalar(select(UserRow).where(UserRow.username == passwords.normalize_username(username)))
        if row is None:
            raise MissingEntry(f"No user named {username!r}.")
        return row

    def _team_id(self, s: Session, team: str | None, *, create: bool = True) -> int | None:
        if team is None:
            return None
        name = _team_name(team)
        team_id = s.scalar(select(TeamRow.id).where(TeamRow.name == name))
        if team_id is None:
            if not create:
                raise MissingEntry(f"No team named {name!r}.")
            row = TeamRow(name=name, created_at=self._now())
            s.add(row)
            s.flush()
            team_id = row.id
        return team_id

    # --- attempts ----------------------------------------------------------------------------------------
    def add_attempt(self, attempt: NewAttempt) -> Attempt:
        """Store a graded attempt and commit. The same ``client_token`` twice returns the first attempt."""
        _check_attempt(attempt)
        existing = self._attempt_id_by_token(attempt.client_token)
        if existing is None:
            try:
                with self._writing() as s:
                    existing = s.scalar(select(AttemptRow.id).where(AttemptRow.client_token == attempt.client_token))
                    if existing is None:
                        existing = self._insert_attempt(s, attempt)
            except IntegrityError:  # the same token committed by another process a moment ago
                existing = self._attempt_id_by_token(attempt.client_token)
                if existing is None:
                    raise
        with self._reading() as s:
            return self._attempt_values(s, [s.get(AttemptRow, existing)])[0]

    def bulk_add_attempts(self, attempts: Sequence[NewAttempt]) -> int:
        """Insert many attempts in one transaction (generated history, imports). Unlike ``add_attempt`` a
        ``client_token`` that exists already fails the whole batch. Returns the number inserted."""
        if not attempts:
            return 0
        for attempt in attempts:
            _check_attempt(attempt)
        with self._writing() as s:
            user_ids = {a.user_id for a in attempts}
            teams = dict(s.execute(select(UserRow.id, UserRow.team_id).where(UserRow.id.in_(user_ids))).all())
            if missing := user_ids - teams.keys():
                raise MissingEntry(f"Unknown user ids: {sorted(missing)[:10]}")
            ids = self._reserve_attempt_ids(s, len(attempts))
            pass_mark = _configured_pass_mark()
            rows = [
                {"id": i, **_attempt_columns(a, teams[a.user_id], pass_mark)}
                for i, a in zip(ids, attempts, strict=True)
            ]
            _insert_rows(s, AttemptRow.__table__, rows, bulk=True)
            self._write_scores(s, new_attempts=list(zip(attempts, rows, strict=True)), bulk=True)
        return len(ids)

    def _reserve_attempt_ids(self, s: Session, count: int) -> list[int]:
        if self.dialect == "postgresql":  # from the table's own sequence, so later inserts never collide
            from sqlalchemy import text

            reserve = text("SELECT nextval(pg_get_serial_sequence('attempts', 'id')) FROM generate_series(1, :n)")
            return list(s.scalars(reserve, {"n": count}))
        # SQLite: the write transaction (BEGIN IMMEDIATE) holds the lock, so nobody takes these ids meanwhile.
        first = (s.scalar(select(func.max(AttemptRow.id))) or 0) + 1
        return list(range(first, first + count))

    def get_attempt(self, attempt_id: int, viewer: User) -> Attempt:
        with self._reading() as s:
            return self._attempt_values(s, [self._visible_attempt(s, attempt_id, viewer)])[0]

    def list_attempts(
        self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, limit: int = 200, offset: int = 0
    ) -> list[Attempt]:
        """Newest first. A trainee's filter is narrowed to their own attempts whatever it says."""
        stmt = queries.apply_filter(select(AttemptRow), _narrow(viewer, flt))
        return self._attempt_list(
            stmt.order_by(AttemptRow.submitted_at.desc(), AttemptRow.id.desc()).limit(limit).offset(offset)
        )

    def count_attempts(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> int:
        """How many attempts ``list_attempts`` would page through."""
        with self._reading() as s:
            stmt = queries.apply_filter(select(func.count(AttemptRow.id)), _narrow(viewer, flt))
            return int(s.scalar(stmt))

    def follow_up_attempts(self, parent_id: int, viewer: User) -> list[Attempt]:
        """Turn 2+ attempts answering the customer's follow-up to ``parent_id``."""
        with self._reading() as s:
            self._visible_attempt(s, parent_id, viewer)
            stmt = (
                select(AttemptRow)
                .where(AttemptRow.parent_id == parent_id)
                .order_by(AttemptRow.turn, AttemptRow.submitted_at, AttemptRow.id)
            )
            return self._attempt_values(s, list(s.scalars(stmt).unique()))

    def case_progress(self, user_id: int, viewer: User) -> list[dict]:
        """Per case: first, best and latest score and the number of attempts (rows of plain dicts):
        {case_id, attempts, first_score, best_score, latest_score, passed_latest, last_attempt_at}."""
        if viewer.role == Role.trainee and viewer.id != user_id:
            raise MissingEntry(f"User {user_id} not found.")
        a = AttemptRow
        ranked = (
            select(
                a.case_id,
                a.score,
                a.passed,
                a.submitted_at,
                func.row_number().over(partition_by=a.case_id, order_by=(a.submitted_at, a.id)).label("first_rank"),
                func.row_number()
                .over(partition_by=a.case_id, order_by=(a.submitted_at.desc(), a.id.desc()))
                .label("last_rank"),
            )
            .where(a.user_id == user_id, a.turn == 1)
            .subquery()
        )
        stmt = (
            select(
                ranked.c.case_id,
                func.count(),
                func.max(when((ranked.c.first_rank == 1, ranked.c.score))),
                func.max(ranked.c.score),
                func.max(when((ranked.c.last_rank == 1, ranked.c.score))),
                func.max(when((ranked.c.last_rank == 1, ranked.c.submitted_at))),
                func.max(when((ranked.c.last_rank == 1, when((ranked.c.passed, 1), else_=0)))),
            )
            .group_by(ranked.c.case_id)
            .order_by(ranked.c.case_id)
        )
        with self._reading() as s:
            return [
                {
                    "case_id": case_id,
                    "attempts": int(n),
                    "first_score": float(first),
                    "best_score": float(best),
                    "latest_score": float(latest),
                    "passed_latest": bool(passed),
                    "last_attempt_at": from_db_time(last_at),
                }
                for case_id, n, first, best, latest, last_at, passed in s.execute(stmt)
            ]

    def done_case_ids(self, user_id: int) -> set[str]:
        with self._reading() as s:
            stmt = select(AttemptRow.case_id).where(AttemptRow.user_id == user_id, AttemptRow.turn == 1).distinct()
            return set(s.scalars(stmt))

    def earlier_replies(
        self, user_id: int, *, exclude_case: str | None = None, limit: int = 50, before: datetime | None = None
    ) -> list[str]:
        """The trainee's own recent replies to other cases (the no_script grader compares against them);
        ``before``: as they stood then (a re-grade sees what the first grade saw)."""
        stmt = select(AttemptRow.reply).where(AttemptRow.user_id == user_id)
        if exclude_case is not None:
            stmt = stmt.where(AttemptRow.case_id != exclude_case)
        if before is not None:
            stmt = stmt.where(AttemptRow.submitted_at < to_db_time(before))
        stmt = stmt.order_by(AttemptRow.submitted_at.desc(), AttemptRow.id.desc()).limit(limit)
        with self._reading() as s:
            return list(s.scalars(stmt))

    def mark_needs_review(self, attempt_id: int, needs: bool = True) -> None:
        with self._writing() as s:
            done = s.execute(update(AttemptRow).where(AttemptRow.id == attempt_id).values(needs_review=bool(needs)))
            if done.rowcount == 0:
                raise MissingEntry(f"Attempt {attempt_id} not found.")

    def stored_turn(self, user: User, client_token: str) -> int | None:
        """The id of ``user``'s own attempt stored for this turn (``client_token``), None when it is not stored (or
        is someone else's: a token names no one else's attempt)."""
        return self._attempt_id_by_token(client_token, user_id=user.id)

    def _attempt_id_by_token(self, token: str, *, user_id: int | None = None) -> int | None:
        query = select(AttemptRow.id).where(AttemptRow.client_token == token)
        if user_id is not None:
            query = query.where(AttemptRow.user_id == user_id)
        with self._reading() as s:
            return s.scalar(query)

    def _insert_attempt(self, s: Session, attempt: NewAttempt) -> int:
        user = s.get(UserRow, attempt.user_id)
        if user is None:
            raise MissingEntry(f"User {attempt.user_id} not found.")
        if attempt.parent_id is not None:
            parent = s.get(AttemptRow, attempt.parent_id)
            if parent is None or parent.user_id != attempt.user_id:
                raise MissingEntry(f"Attempt {attempt.parent_id} not found.")
        columns = _attempt_columns(attempt, user.team_id, _configured_pass_mark())
        row = AttemptRow(**columns)
        s.add(row)
        s.flush()
        self._write_scores(s, new_attempts=[(attempt, {**columns, "id": row.id})])
        return row.id

    def _write_scores(
        self,
        s: Session,
        *,
        new_attempts: Sequence[tuple[NewAttempt, dict]] = (),
        bulk: bool = False,
        record: _ScoreOfRecord | None = None,
    ) -> None:
        """THE one place that writes scores, in the caller's transaction: the principle-score rows of new
        attempts (``new_attempts``: each attempt with its stored columns, ``id`` included; an attempt row
        carries its own overall, machine and record alike), or a coach's review or a re-grade made an attempt's
        score of record (``record``); ``bulk``: a batch (COPY on PostgreSQL). The HR dashboard's rollups are kept
        in step here, in the same transaction: new attempts add their contribution, a review or re-grade changes
        it by a delta (``rollups.rescoring``)."""
        if new_attempts:
            score_rows = [
                {"attempt_id": columns["id"], **score}
                for attempt, columns in new_attempts
                for score in _score_columns(attempt, columns)
            ]
            _insert_rows(s, AttemptScoreRow.__table__, score_rows, bulk=bulk)
            rollups.apply(s, add=[_contribution(attempt, columns) for attempt, columns in new_attempts])
        if record is not None:
            # The review row and the re-grade's version are written inside ``rescoring`` with the scores: they
            # change what the score of record comes from, which the rollups count too.
            with rollups.rescoring(s, record.attempt_id):
                if record.review is not None:
                    s.add(record.review)
                made_by = {} if record.regraded_version is None else {"regraded_version": record.regraded_version}
                s.execute(
                    update(AttemptRow)
                    .where(AttemptRow.id == record.attempt_id)
                    .values(score=record.overall, passed=record.passed, **made_by)
                )
                sc = AttemptScoreRow
                coach = [(sc.principle == p, null() if v is None else v) for p, v in record.principles.items()]
                # Principles the coach left out fall back to the machine's score (a newer review replaces an older).
                value = when(*coach, else_=sc.machine_score) if coach else sc.machine_score
                s.execute(update(sc).where(sc.attempt_id == record.attempt_id).values(score=value))

    def _visible_attempt(self, s: Session, attempt_id: int, viewer: User) -> AttemptRow:
        row = s.get(AttemptRow, attempt_id)
        if row is None or (viewer.role == Role.trainee and row.user_id != viewer.id):
            raise MissingEntry(f"Attempt {attempt_id} not found.")
        return row

    def _attempt_values(self, s: Session, rows: list[AttemptRow]) -> list[Attempt]:
        latest = self._latest_reviews(s, [r.id for r in rows])
        return [attempt_value(r, latest.get(r.id)) for r in rows]

    def _latest_reviews(self, s: Session, attempt_ids: list[int]) -> dict[int, Review]:
        if not attempt_ids:
            return {}
        newest = (
            select(func.max(ReviewRow.id)).where(ReviewRow.attempt_id.in_(attempt_ids)).group_by(ReviewRow.attempt_id)
        )
        return {r.attempt_id: review_value(r) for r in s.scalars(select(ReviewRow).where(ReviewRow.id.in_(newest)))}

    # --- reviews -----------------------------------------------------------------------------------------
    def review_queue(
        self,
        viewer: User,
        flt: AttemptFilter = AttemptFilter(),
        *,
        lost_points_on: str | None = None,
        limit: int = 100,
        order: str = TEACHES_MOST,
    ) -> list[Attempt]:
        """Attempts without a review, in ``order``: ``TEACHES_MOST`` (the default) puts first those the machine
        was least sure of (see ``coaching.queue_order``), the oldest first among
        equals (``attempts.machine_certainty``, ascending); ``FLAGGED_FIRST`` those marked ``needs_review`` first, then the oldest. Coaches and admins only.
        ``lost_points_on``: only attempts the machine scored below ``LOST_BELOW`` on that principle (to review
        one principle at a time). ``ValueError`` for an unknown order."""
        if order not in QUEUE_ORDERS:
            raise ValueError(f"Unknown queue order {order!r}: use one of {', '.join(QUEUE_ORDERS)}.")
        queue = self._review_queue(viewer, flt, lost_points_on)
        oldest_first = (AttemptRow.submitted_at, AttemptRow.id)
        with self._reading() as s:
            if order == TEACHES_MOST:  # ix_attempts_teaches_most's order: the first rows, never a sort of all
                most_uncertain = queue.order_by(AttemptRow.machine_certainty, *oldest_first)
                return self._attempt_values(s, list(s.scalars(most_uncertain.limit(limit))))
            # Two reads in ix_attempts_review_queue's order (flagged, then the rest) instead of sorting them all.
            rows = list(s.scalars(queue.where(AttemptRow.needs_review.is_(True)).order_by(*oldest_first).limit(limit)))
            if len(rows) < limit:
                rest = queue.where(AttemptRow.needs_review.is_(False)).order_by(*oldest_first)
                rows += list(s.scalars(rest.limit(limit - len(rows))))
            return self._attempt_values(s, rows)

    def count_review_queue(
        self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, lost_points_on: str | None = None
    ) -> int:
        """How many attempts ``review_queue`` holds (without its limit)."""
        stmt = self._review_queue(viewer, flt, lost_points_on)
        with self._reading() as s:
            return int(s.scalar(select(func.count()).select_from(stmt.subquery())))

    def _review_queue(self, viewer: User, flt: AttemptFilter, lost_points_on: str | None):
        _require(viewer, _REVIEWERS, "see the review queue")
        stmt = queries.apply_filter(select(AttemptRow), replace(flt, reviewed=False))
        if lost_points_on is not None:
            sc = AttemptScoreRow
            stmt = stmt.where(
                exists().where(
                    sc.attempt_id == AttemptRow.id, sc.principle == lost_points_on, sc.machine_score < LOST_BELOW
                )
            )
        return stmt

    def _attempt_list(self, stmt) -> list[Attempt]:
        with self._reading() as s:
            return self._attempt_values(s, list(s.scalars(stmt).unique()))

    def add_review(
        self,
        attempt_id: int,
        viewer: User,
        *,
        scores: Mapping[str, float | None],
        overall: float | None,
        comment: str,
        pass_mark: float,
        current_case_hash: str | None | _NotChecked = CASE_NOT_CHECKED,
        acknowledge_changed_case: bool = False,
    ) -> Review:
        """A coach's scores and comment. The review becomes the attempt's score of record everywhere (the
        trainee's feedback and progress, the dashboards, the exports) in the same transaction; the machine's
        grade stays stored beside it. ``scores``: principle -> [0, 1], or None for "does not apply";
        principles left out keep the machine's score. ``overall``: 0-100, or None to keep the machine's; it
        passes at ``pass_mark``. A newer review replaces the older as the score of record, and the older is
        kept (who changed what, when). ``ValueError`` for a score out of range or a principle the attempt
        was not graded on; nothing is stored then.

        ``current_case_hash``: the content hash of the attempt's case as the casebook holds it now (None: the
        case was deleted), passed by whoever knows the casebook (the review page); left out, the case is not
        checked (scripts, benchmarks). A deleted case is refused (``MissingEntry``); a case whose content changed
        since the attempt (``Case.content_hash`` differs from the attempt's ``case_hash``) is refused
        (``Conflict``, naming both versions) unless ``acknowledge_changed_case``: the coach reviews against the
        version the trainee answered, which the review records. Nothing is stored when refused."""
        _require(viewer, _REVIEWERS, "review attempts")
        if not 0.0 <= float(pass_mark) <= 100.0:
            raise ValueError(f"The pass mark must be within 0-100, got {pass_mark}.")
        check_plain_text(comment, "The comment")
        with self._writing() as s:
            attempt = s.get(AttemptRow, attempt_id)
            if attempt is None:
                raise MissingEntry(f"Attempt {attempt_id} not found.")
            if current_case_hash is not CASE_NOT_CHECKED:
                _check_case_version(attempt, current_case_hash, acknowledge_changed_case)
            graded = set(s.scalars(select(AttemptScoreRow.principle).where(AttemptScoreRow.attempt_id == attempt_id)))
            clean_scores, clean_overall = _check_review(scores, overall, graded)
            row = ReviewRow(
                attempt_id=attempt_id,
                coach_id=viewer.id,
                scores=clean_scores,
                overall=clean_overall,
                comment=(comment or "").strip(),
                created_at=self._now(),
                case_hash=attempt.case_hash,
                grader_version=attempt.grader_version,
            )
            reviewed_overall = clean_overall is not None
            self._write_scores(
                s,
                record=_ScoreOfRecord(
                    attempt_id=attempt_id,
                    overall=clean_overall if reviewed_overall else attempt.machine_score,
                    passed=clean_overall >= pass_mark if reviewed_overall else attempt.machine_passed,
                    principles=clean_scores,
                    review=row,
                ),
            )
            review_id = row.id
        with self._reading() as s:
            return review_value(s.get(ReviewRow, review_id))

    def reviews_of_my_attempts(self, viewer: User, *, limit: int = 50) -> list[ReviewNotice]:
        """Coaches' reviews of the viewer's own attempts, newest first (the trainee's inbox)."""
        stmt = (
            select(ReviewRow, AttemptRow.case_id, AttemptRow.turn)
            .join(AttemptRow, AttemptRow.id == ReviewRow.attempt_id)
            .where(AttemptRow.user_id == viewer.id)
            .order_by(ReviewRow.id.desc())
            .limit(limit)
        )
        with self._reading() as s:
            return [ReviewNotice(review_value(r), r.attempt_id, case_id, turn) for r, case_id, turn in s.execute(stmt)]

    def review_history(self, attempt_id: int, viewer: User) -> list[Review]:
        """Every review of the attempt, oldest first (the last one is the one shown)."""
        with self._reading() as s:
            self._visible_attempt(s, attempt_id, viewer)
            stmt = select(ReviewRow).where(ReviewRow.attempt_id == attempt_id).order_by(ReviewRow.id)
            return [review_value(r) for r in s.scalars(stmt)]

    def reviewed_pairs(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> list[tuple[Attempt, Review]]:
        """(attempt, latest review) for calibration."""
        _require(viewer, _REVIEWERS + (Role.hr,), "see calibration data")
        stmt = queries.apply_filter(select(AttemptRow), replace(flt, reviewed=True))
        with self._reading() as s:
            attempts = self._attempt_values(s, list(s.scalars(stmt.order_by(AttemptRow.id)).unique()))
        return [(a, a.review) for a in attempts if a.review is not None]

    # --- assignments -------------------------------------------------------------------------------------
    def assign(
        self,
        case_id: str,
        viewer: User,
        *,
        username: str | None = None,
        team: str | None = None,
        due: date | None = None,
    ) -> Assignment:
        """Assign a case to one user or to a whole team (exactly one of ``username`` and ``team``).

        ``Conflict`` when the same case is already assigned to the same user (or team) and still open: not
        yet done by that user (by every member of that team)."""
        _require(viewer, _REVIEWERS, "assign cases")
        if (username is None) == (team is None):
            raise ValueError("Assign a case to either a user or a team.")
        if not (case_id or "").strip():
            raise ValueError("The case id is empty.")
        case_id = case_id.strip()
        with self._writing() as s:
            user_row = self._user_row(s, username) if username is not None else None
            team_id = self._team_id(s, team, create=False)
            target = AssignmentRow.user_id == user_row.id if user_row is not None else AssignmentRow.team_id == team_id
            same = s.scalars(select(AssignmentRow.id).where(AssignmentRow.case_id == case_id, target)).all()
            done: dict[int, list[bool]] = {}
            for assignment_id, _, attempts, *_ in s.execute(queries.assignment_progress(AssignmentRow.id.in_(same))):
                done.setdefault(assignment_id, []).append(attempts > 0)
            # Open: someone has not done it yet (a team assignment with nobody in the team is open too).
            open_ids = [i for i in sorted(same) if not all(done.get(i) or [False])]
            if open_ids:
                who = f"team {_team_name(team)}" if team is not None else user_row.display_name
                raise Conflict(
                    f"This case is already assigned to {who} and not done yet (assignment #{open_ids[0]}). "
                    "Change or remove that assignment instead of adding a second one."
                )
            row = AssignmentRow(
                case_id=case_id,
                user_id=user_row.id if user_row is not None else None,
                team_id=team_id,
                due=due,
                assigned_by=viewer.id,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            assignment_id = row.id
        with self._reading() as s:
            return assignment_value(s.get(AssignmentRow, assignment_id))

    def assignments_for(self, user: User) -> list[Assignment]:
        """Assignments to the user or their team, soonest due first."""
        with self._reading() as s:
            row = s.get(UserRow, user.id)
            if row is None:
                raise MissingEntry(f"User {user.id} not found.")
            target = AssignmentRow.user_id == user.id
            if row.team_id is not None:
                target = target | (AssignmentRow.team_id == row.team_id)
            stmt = select(AssignmentRow).where(target).order_by(*_due_order())
            return [assignment_value(r) for r in s.scalars(stmt)]

    def list_assignments(self, viewer: User) -> list[Assignment]:
        _require(viewer, _REVIEWERS, "see all assignments")
        with self._reading() as s:
            return [assignment_value(r) for r in s.scalars(select(AssignmentRow).order_by(*_due_order()))]

    def assignment_statuses(
        self, viewer: User, *, today: date, teams: Sequence[str] | None = None
    ) -> list[AssignmentStatus]:
        """Per assignment and assignee: done (attempted since assigned), passed, overdue on ``today`` (the
        viewer's local date). A trainee gets only their own rows; coaches and admins everyone's, or the
        members of ``teams`` (their current team)."""
        conditions = []
        if viewer.role == Role.trainee:
            conditions.append(UserRow.id == viewer.id)
        else:
            _require(viewer, _REVIEWERS, "see assignment progress")
            if teams is not None:
                conditions.append(UserRow.team_id.in_(select(TeamRow.id).where(TeamRow.name.in_(list(teams)))))
        stmt = queries.assignment_progress(*conditions)
        with self._reading() as s:
            progress = s.execute(stmt).all()
            assignments = {
                r.id: assignment_value(r)
                for r in s.scalars(select(AssignmentRow).where(AssignmentRow.id.in_({p[0] for p in progress})))
            }
            people = {
                r.id: user_value(r) for r in s.scalars(select(UserRow).where(UserRow.id.in_({p[1] for p in progress})))
            }
        out = []
        for assignment_id, user_id, attempts, passed, best, last_at in progress:
            assignment, person = assignments[assignment_id], people[user_id]
            out.append(
                AssignmentStatus(
                    assignment=assignment,
                    user_id=user_id,
                    username=person.username,
                    display_name=person.display_name,
                    team=person.team,
                    attempts=int(attempts),
                    passed=bool(passed),
                    best_score=None if best is None else float(best),
                    last_attempt_at=from_db_time(last_at),
                    overdue=assignment.due is not None and assignment.due < today and attempts == 0,
                )
            )
        out.sort(key=lambda st: (st.assignment.due is None, st.assignment.due or date.max, st.assignment.id,
                                 st.display_name.casefold()))  # fmt: skip
        return out

    def remove_assignment(self, assignment_id: int, viewer: User) -> None:
        _require(viewer, _REVIEWERS, "remove assignments")
        with self._writing() as s:
            if s.execute(delete(AssignmentRow).where(AssignmentRow.id == assignment_id)).rowcount == 0:
                raise MissingEntry(f"Assignment {assignment_id} not found.")

    # --- inbox read marks --------------------------------------------------------------------------------
    def inbox_read_keys(self, viewer: User, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` (inbox item keys) the viewer has marked read."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        with self._reading() as s:
            stmt = select(InboxReadRow.item_key).where(
                InboxReadRow.user_id == viewer.id, InboxReadRow.item_key.in_(wanted)
            )
            return set(s.scalars(stmt))

    def mark_inbox_read(self, viewer: User, keys: Iterable[str]) -> None:
        """Mark inbox items read for the viewer (marking one twice is harmless)."""
        wanted = list(dict.fromkeys(keys))
        if any(not key or len(key) > 80 for key in wanted):
            raise ValueError("An inbox item key has 1-80 characters.")
        if not wanted:
            return
        upsert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = upsert(InboxReadRow).on_conflict_do_nothing(index_elements=[InboxReadRow.user_id, InboxReadRow.item_key])
        now = self._now()
        with self._writing() as s:
            s.execute(stmt, [{"user_id": viewer.id, "item_key": key, "read_at": now} for key in wanted])

    # --- HR aggregates (in SQL) --------------------------------------------------------------------------
    def key_figures(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> KeyFigures:
        """Active trainees, attempts, average score, pass rate and median response time under ``flt``. The
        median read from the daily rollups is within one bucket (10%) of the exact one (rollups.py)."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.key_figures(s, flt, read_rollups=self.read_rollups)

    def score_over_time(
        self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, bucket: str = "week"
    ) -> list[dict]:
        """Rows {period, user_id, username, display_name, team, attempts, average_score} (score of record). ``period`` is the date the day,
        week (Monday) or month starts; ``team`` is the user's current team."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.score_over_time(s, flt, bucket, read_rollups=self.read_rollups)

    def team_over_time(self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, bucket: str = "week") -> list[dict]:
        """Rows {period, team, attempts, average_score} per team the attempts were made in (``team`` None:
        attempts made without a team)."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.team_over_time(s, flt, bucket, read_rollups=self.read_rollups)

    def trainee_summary(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> list[dict]:
        """One row per trainee with attempts under ``flt``, by display name: {user_id, username, display_name,
        team (their team now), attempts, average_score, pass_rate, last_week (the Monday of the latest's
        week)}."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.trainee_summary(s, flt, read_rollups=self.read_rollups)

    def principle_over_time(
        self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, bucket: str = "week"
    ) -> list[dict]:
        """Rows {period, principle, average, attempts}; ``average`` in [0, 1] over attempts it applied to."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.principle_over_time(s, flt, bucket, read_rollups=self.read_rollups)

    def team_principle_matrix(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> list[dict]:
        """Rows {team, principle, average, attempts} for the heatmap (team at the time of the attempt;
        ``None`` for attempts made without a team)."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.team_principle_matrix(s, flt, read_rollups=self.read_rollups)

    def score_sources(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> list[tuple[str | None, int]]:
        """Where the scores of record under ``flt`` come from, for HR figures that say which grader they use:
        (grader version, attempts) per grader, most first, then (None, attempts) scored by a coach's review. The
        grader behind a score: a coach's review if reviewed, else the re-grade that became the score of record
        (``regraded_version``), else the grader that graded the attempt."""
        _require(viewer, _AGGREGATE_VIEWERS, "see aggregates")
        with self._reading() as s:
            return queries.score_sources(s, flt, read_rollups=self.read_rollups)

    def export_principles(self) -> list[str]:
        """The principle columns ``iter_export_rows`` adds, in the casebook's order."""
        # The rollup has a row per day and principle, the score table one per attempt and principle.
        principles = RollupPrinciplesRow.principle if self.read_rollups else AttemptScoreRow.principle
        with self._reading() as s:
            found = set(s.scalars(select(principles).distinct()))
        return _principle_order(found)

    def iter_export_rows(self, viewer: User, flt: AttemptFilter = AttemptFilter()):
        """Yield one dict per attempt (for CSV and xAPI): the keys of ``EXPORT_COLUMNS`` and ``principles``.

        ``handling`` is the handling the trainee chose; ``score``, ``passed`` and ``principles`` (principle ->
        score of record in [0, 1], None: not applicable; every principle of ``export_principles()``) are the
        score of record, ``machine_score``/``machine_passed`` the machine's; ``reviewed_by`` (the coach's display
        name), ``reviewed_at`` and ``review_comment`` come from the latest review (None without one);
        ``follow_up_text`` is what the customer wrote that a turn-2 answer answers; ``score_grader_version`` the
        grader behind the score of record (None: a coach's review is). Times are aware UTC.
        Rows stream from the database (a trainee gets only their own); ``flt.turn=None`` includes every turn."""
        principles = self.export_principles()
        stmt = queries.export_statement(principles, _narrow(viewer, flt)).execution_options(yield_per=2000)
        with self._reading() as s:
            for values in s.execute(stmt):
                row = dict(zip(EXPORT_COLUMNS, values[: len(EXPORT_COLUMNS)], strict=True))
                for moment in ("submitted_at", "opened_at", "reviewed_at"):
                    row[moment] = from_db_time(row[moment])
                row["principles"] = dict(zip(principles, values[len(EXPORT_COLUMNS) :], strict=True))
                yield row

    # --- small key-value cache (LLM judge verdicts) ------------------------------------------------------
    def cache_get(self, key: str) -> str | None:
        with self._reading() as s:
            return s.scalar(select(CacheRow.value).where(CacheRow.key == key))

    def cache_put(self, key: str, value: str) -> None:
        if not key or len(key) > 200:
            raise ValueError("A cache key has 1-200 characters (hash long inputs).")
        upsert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = upsert(CacheRow).values(key=key, value=value, updated_at=self._now())
        stmt = stmt.on_conflict_do_update(
            index_elements=[CacheRow.key], set_={"value": value, "updated_at": stmt.excluded.updated_at}
        )
        with self._writing() as s:
            s.execute(stmt)

    # --- graders ---------------------------------------------------------------------------------------
    # Graders trained from the team's reviews (issue 10, migration 0006). ``by`` is the admin acting, or None
    # for the command line (``replycoach train --from-reviews`` / ``regrade``: the operator's own access to
    # the database and the files).
    def review_labels(self, by: User | None = None) -> list[ReviewLabel]:
        """Every attempt's latest review, oldest first, with the attempt as the trainee answered it."""
        if by is not None:
            _require(by, _REVIEWERS, "train a grader from reviews")
        newest = select(func.max(ReviewRow.id)).group_by(ReviewRow.attempt_id)
        stmt = (
            select(ReviewRow, AttemptRow)
            .join(AttemptRow, AttemptRow.id == ReviewRow.attempt_id)
            .where(ReviewRow.id.in_(newest))
            .order_by(ReviewRow.id)
        )
        with self._reading() as s:
            return [
                ReviewLabel(
                    **_answer_fields(a),
                    review_id=r.id,
                    trainee_id=a.user_id,
                    coach_name=r.coach.display_name,
                    reviewed_at=from_db_time(r.created_at),
                    overall=r.overall,
                    scores=dict(r.scores or {}),
                    grader_version=r.grader_version,
                )
                for r, a in s.execute(stmt).unique()
            ]

    def save_candidate(
        self, version: str, *, embedder: str, model: bytes, summary: dict, by: User | None = None
    ) -> StoredGrader:
        """Keep a trained candidate for an admin to promote or discard. The same reviews give the same model,
        so the same version: a candidate trained again replaces its summary (a discarded one comes back as a
        candidate; the grader in use stays in use)."""
        if by is not None:
            _require(by, (Role.admin,), "train graders")
        with self._writing() as s:
            row = s.get(GraderRow, version)
            if row is None:
                row = GraderRow(
                    version=version,
                    embedder=embedder,
                    status="candidate",
                    model=model,
                    summary=summary,
                    created_by=None if by is None else by.id,
                    created_at=self._now(),
                )
                s.add(row)
            else:
                row.summary = summary
                if row.status == "discarded":
                    row.status, row.decided_by, row.decided_at = "candidate", None, None
            s.flush()
            return self._grader_value(s, row)

    def list_graders(self, viewer: User) -> list[StoredGrader]:
        """Every trained grader, newest first (coaches and HR see which grader graded; admins decide)."""
        _require(viewer, _AGGREGATE_VIEWERS, "see the graders")
        with self._reading() as s:
            rows = s.scalars(select(GraderRow).order_by(GraderRow.created_at.desc(), GraderRow.version))
            return [self._grader_value(s, r) for r in rows]

    def active_grader(self) -> tuple[str, str] | None:
        """(version, embedder) of the grader an admin promoted, or None: the shipped grader grades."""
        with self._reading() as s:
            row = s.execute(select(GraderRow.version, GraderRow.embedder).where(GraderRow.status == "active")).first()
            return None if row is None else (row.version, row.embedder)

    def grader_model(self, version: str) -> bytes:
        with self._reading() as s:
            model = s.scalar(select(GraderRow.model).where(GraderRow.version == version))
        if model is None:
            raise MissingEntry(f"Grader {version} not found.")
        return model

    def promote_grader(self, version: str, by: User | None = None) -> StoredGrader:
        """Make a candidate (or a retired grader) the one that grades new attempts; the one in use retires."""
        return self._decide_grader(version, by, allowed=("candidate", "retired"), to="active")

    def discard_grader(self, version: str, by: User | None = None) -> StoredGrader:
        """Set a candidate aside: it never grades."""
        return self._decide_grader(version, by, allowed=("candidate",), to="discarded")

    def use_shipped_grader(self, by: User | None = None) -> None:
        """Retire the promoted grader: the shipped grader grades new attempts again."""
        if by is not None:
            _require(by, (Role.admin,), "change the grader")
        with self._writing() as s:
            s.execute(
                update(GraderRow)
                .where(GraderRow.status == "active")
                .values(status="retired", decided_by=None if by is None else by.id, decided_at=self._now())
            )

    def _decide_grader(self, version: str, by: User | None, *, allowed: tuple[str, ...], to: str) -> StoredGrader:
        if by is not None:
            _require(by, (Role.admin,), "promote or discard graders")
        with self._writing() as s:
            row = s.get(GraderRow, version, with_for_update=True)
            if row is None:
                raise MissingEntry(f"Grader {version} not found.")
            if row.status not in allowed:
                raise ValueError(
                    f"Grader {version} is {row.status}: only a {' or '.join(allowed)} grader can be made {to}."
                )
            if to == "active":
                s.execute(update(GraderRow).where(GraderRow.status == "active").values(status="retired"))
            row.status, row.decided_by, row.decided_at = to, None if by is None else by.id, self._now()
            s.flush()
            return self._grader_value(s, row)

    @staticmethod
    def _grader_value(s: Session, row: GraderRow) -> StoredGrader:
        def name(user_id: int | None) -> str | None:
            user = None if user_id is None else s.get(UserRow, user_id)
            return None if user is None else user.display_name

        return StoredGrader(
            version=row.version,
            embedder=row.embedder,
            status=row.status,
            summary=dict(row.summary or {}),
            created_by=name(row.created_by),
            created_at=from_db_time(row.created_at),
            decided_by=name(row.decided_by),
            decided_at=from_db_time(row.decided_at),
        )

    # Training jobs: the page starts one, a separate process runs it and reports here.
    def start_training_job(self, by: User | None, *, stale_after: timedelta) -> int:
        """A new running job, or ``Conflict`` while another one is running and alive (reported within
        ``stale_after``); a job silent for longer is marked failed: its process is gone."""
        if by is not None:
            _require(by, (Role.admin,), "train graders")
        now = self._now()
        with self._writing() as s:
            for job in s.scalars(select(TrainingJobRow).where(TrainingJobRow.status == "running").with_for_update()):
                if now - job.heartbeat_at <= stale_after:
                    raise Conflict(
                        f"A training run started at {from_db_time(job.started_at):%H:%M} UTC is still running."
                    )
                job.status, job.finished_at = "failed", now
                job.error = f"stopped without finishing (no report for {stale_after.total_seconds():.0f} s)"
            row = TrainingJobRow(
                status="running",
                progress="",
                started_by=None if by is None else by.id,
                started_at=now,
                heartbeat_at=now,
            )
            s.add(row)
            s.flush()
            return row.id

    def report_training(self, job_id: int, line: str | None, *, keep_lines: int = 40) -> None:
        """A running job's heartbeat, with a progress line (None: only the heartbeat)."""
        with self._writing() as s:
            row = s.get(TrainingJobRow, job_id)
            if row is None or row.status != "running":
                return
            if line is not None:
                row.progress = "\n".join([*row.progress.splitlines(), line.rstrip()][-keep_lines:])
            row.heartbeat_at = self._now()

    def finish_training_job(self, job_id: int, *, grader_version: str | None = None, error: str | None = None) -> None:
        with self._writing() as s:
            row = s.get(TrainingJobRow, job_id)
            if row is None:
                raise MissingEntry(f"Training job {job_id} not found.")
            row.status = "failed" if error else "done"
            row.grader_version, row.error, row.finished_at = grader_version, error, self._now()

    def training_jobs(self, viewer: User, *, limit: int = 5, stale_after: timedelta | None = None) -> list[TrainingJob]:
        """The newest jobs first; a running job silent for longer than ``stale_after`` shows as failed."""
        _require(viewer, (Role.admin,), "see training runs")
        now = self._now()
        with self._reading() as s:
            rows = list(s.scalars(select(TrainingJobRow).order_by(TrainingJobRow.id.desc()).limit(limit)))
            out = []
            for r in rows:
                status, error = r.status, r.error
                if status == "running" and stale_after is not None and now - r.heartbeat_at > stale_after:
                    status, error = (
                        "failed",
                        f"stopped without finishing (no report for {stale_after.total_seconds():.0f} s)",
                    )
                user = None if r.started_by is None else s.get(UserRow, r.started_by)
                out.append(
                    TrainingJob(
                        id=r.id,
                        status=status,
                        progress=r.progress,
                        started_by=None if user is None else user.display_name,
                        started_at=from_db_time(r.started_at),
                        heartbeat_at=from_db_time(r.heartbeat_at),
                        finished_at=from_db_time(r.finished_at),
                        grader_version=r.grader_version,
                        error=error,
                    )
                )
            return out

    # Re-grades (``replycoach regrade``): a new score beside the original, never over a coach's.
    def regrade_targets(
        self, since: datetime, current_version: str, *, after_id: int = 0, limit: int = 500
    ) -> list[RegradeTarget]:
        """Attempts submitted at or after ``since`` that ``current_version`` has not graded, in id order from
        ``after_id`` (a batch at a time: a long run can stop and resume)."""
        stmt = (
            select(AttemptRow, exists().where(ReviewRow.attempt_id == AttemptRow.id))
            .where(
                AttemptRow.submitted_at >= to_db_time(since),
                AttemptRow.id > after_id,
                AttemptRow.grader_version != current_version,
                ~exists().where(RegradeRow.attempt_id == AttemptRow.id, RegradeRow.grader_version == current_version),
            )
            .order_by(AttemptRow.id)
            .limit(limit)
        )
        with self._reading() as s:
            return [
                RegradeTarget(
                    **_answer_fields(a),
                    user_id=a.user_id,
                    submitted_at=from_db_time(a.submitted_at),
                    score=a.score,
                    passed=a.passed,
                    reviewed=bool(reviewed),
                    grader_version=a.grader_version,
                    llm_json=a.llm_json,
                )
                for a, reviewed in s.execute(stmt).unique()
            ]

    def add_regrade(
        self,
        attempt_id: int,
        *,
        grader_version: str,
        score: float,
        passed: bool,
        principles: Mapping[str, float | None],
        pass_mark: float | None = None,
        casebook_overall: float | None = None,
    ) -> bool:
        """Store a newer grader's grade of an attempt. The attempt's own grade stays as it was; the new one
        becomes the score of record (dashboards move by the difference, in this transaction) unless a coach
        reviewed the attempt: the coach's word stands. Returns whether the score of record changed. With
        ``pass_mark``, the review queue's order follows the new grader's doubt (an offline re-grade: the LLM
        judge is not asked again, so its disagreement no longer counts; the new grade's ``casebook_overall`` does)."""
        if not _within(score, 0.0, 100.0):
            raise ValueError(f"A re-grade's score must be within 0-100, got {score}.")
        _check_grader_version(grader_version, "A re-grade")
        with self._writing() as s:
            attempt = s.get(AttemptRow, attempt_id)
            if attempt is None:
                raise MissingEntry(f"Attempt {attempt_id} not found.")
            reviewed = s.scalar(select(exists().where(ReviewRow.attempt_id == attempt_id)))
            s.add(
                RegradeRow(
                    attempt_id=attempt_id,
                    grader_version=grader_version,
                    score=float(score),
                    passed=bool(passed),
                    principles={p: None if v is None else float(v) for p, v in principles.items()},
                    previous_score=attempt.score,
                    previous_passed=attempt.passed,
                    created_at=self._now(),
                )
            )
            if reviewed:
                return False
            graded = set(s.scalars(select(AttemptScoreRow.principle).where(AttemptScoreRow.attempt_id == attempt_id)))
            self._write_scores(
                s,
                record=_ScoreOfRecord(
                    attempt_id=attempt_id,
                    overall=float(score),
                    passed=bool(passed),
                    principles={p: v for p, v in principles.items() if p in graded},
                    regraded_version=grader_version,
                ),
            )
            if pass_mark is not None:
                doubt = attempt_uncertainty(float(score), principles, None, pass_mark, casebook_overall)
                certainty = MAX_UNCERTAINTY - doubt.value
                s.execute(update(AttemptRow).where(AttemptRow.id == attempt_id).values(machine_certainty=certainty))
            return True


# --- helpers -------------------------------------------------------------------------------------------------
def _alembic_config():
    from alembic.config import Config

    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise RuntimeError(
            f"The migrations folder is missing ({MIGRATIONS_DIR}); install ReplyCoach from its source tree "
            "with `pip install -e .`."
        )
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValueError(f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}") from None


def _team_name(team: str) -> str:
    check_plain_text(team, "The team name")
    name = " ".join((team or "").split())
    if not name or len(name) > _MAX_TEAM_NAME:
        raise ValueError(f"A team name has 1-{_MAX_TEAM_NAME} characters, got {team!r}.")
    return name


def _time_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC.") from None
    return name


def _ui_language(code: str) -> str:
    from replycoach.cases.models import LANGUAGES

    if code not in LANGUAGES:
        raise ValueError(f"Unknown interface language {code!r}: use one of {', '.join(LANGUAGES)}.")
    return code


def _require(viewer: User, roles: Iterable[Role], action: str) -> None:
    if viewer.role not in tuple(roles):
        raise Forbidden(f"A {viewer.role.value} may not {action}.")


def _narrow(viewer: User, flt: AttemptFilter) -> AttemptFilter:
    """A trainee's filter always reads "my own attempts", whatever else it says."""
    if viewer.role == Role.trainee:
        return replace(flt, user_ids=(viewer.id,))
    return flt


def _wait_text(wait: float, scope: str) -> str:
    seconds = max(1, math.ceil(wait))
    if scope in ("server", "busy"):
        return f"Sign-in is busy (too many attempts on this server): wait {seconds} s and try again."
    return f"Too many attempts: wait {seconds} s before the next try."


def _refused(wait: float, scope: str) -> LoginResult:
    """An attempt turned away before its password was looked at."""
    return LoginResult(None, _wait_text(wait, scope), retry_after_seconds=wait)


def _session_ended(session: SessionRow, user: UserRow, now: datetime, idle: timedelta) -> str | None:
    """Why a session no longer signs its user in (for the sign-in page), or None while it does."""
    if session.revoked_at is not None:
        return "You were signed out (here, on another tab or device, or by an admin's change to your account)."
    if not user.active:
        return "Your account was deactivated."
    if user.role != session.role:
        return "Your role changed: sign in again to see the pages of your new role."
    if now >= session.expires_at:
        return "Your session reached its time limit: sign in again."
    if now - session.last_seen_at > idle:
        return "You were signed out after a while without activity: sign in again."
    return None


def _revoke_sessions(s: Session, user_id: int, now: datetime) -> int:
    done = s.execute(
        update(SessionRow).where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None)).values(revoked_at=now)
    )
    return done.rowcount


def _check_draft(draft: PracticeDraft) -> None:
    if draft.parent_id < 0 or not draft.case_id or len(draft.case_id) > 64 or len(draft.language) > 8:
        raise ValueError("A practice draft names its case (1-64 characters), language and turn.")
    if not draft.client_token or len(draft.client_token) > 80:
        raise ValueError("A practice draft needs a client_token of 1-80 characters.")
    if len(draft.reply) > _MAX_DRAFT_CHARS:
        raise ValueError(f"A draft reply holds at most {_MAX_DRAFT_CHARS:,} characters.")
    check_plain_text(draft.reply, "The reply")


def _due_order():
    # Soonest due first, undated ones last (NULLS LAST is spelled the same on both backends).
    return (AssignmentRow.due.is_(None), AssignmentRow.due, AssignmentRow.id)


def _check_attempt(attempt: NewAttempt) -> None:
    check_plain_text(attempt.reply, "The reply")
    check_plain_text(attempt.follow_up_text, "The customer's follow-up")
    if not attempt.client_token or len(attempt.client_token) > 80:
        raise ValueError("An attempt needs a client_token of 1-80 characters.")
    if not 0.0 <= attempt.score <= 100.0:
        raise ValueError(f"The score must be within 0-100, got {attempt.score}.")
    _check_grader_version(attempt.grader_version, "An attempt")
    if attempt.turn < 1 or (attempt.turn > 1) != (attempt.parent_id is not None):
        raise ValueError("Turn 1 has no parent attempt; turns 2+ name the attempt they follow up.")
    names = [p.principle for p in attempt.principles]
    if len(names) != len(set(names)):
        raise ValueError("A principle is listed twice in the attempt's scores.")
    for p in attempt.principles:
        if p.score is not None and not 0.0 <= p.score <= 1.0:
            raise ValueError(f"The score of {p.principle} must be within 0-1, got {p.score}.")


def _check_grader_version(version: str, what: str) -> None:
    # An empty version would be counted as a coach's review by the dashboard's rollup (rollups.COACH_REVIEW).
    if not version:
        raise ValueError(f"{what} needs the version of the grader that graded it.")


def _configured_pass_mark() -> float:
    """The app's pass mark, for attempts stored without the one they were graded against."""
    from replycoach.config import get_settings

    return get_settings().pass_mark


def _attempt_columns(a: NewAttempt, team_id: int | None, pass_mark: float) -> dict:
    machine = {p.principle: p.score for p in a.principles}
    uncertainty = attempt_uncertainty(
        a.score,
        machine,
        a.llm_json,
        pass_mark if a.pass_mark is None else a.pass_mark,
        casebook_estimate(a.grade_json),
    )
    return {
        "user_id": a.user_id,
        "team_id": team_id,
        "case_id": a.case_id,
        "case_hash": a.case_hash,
        "language": a.language,
        "handling": a.handling,
        "reply": a.reply,
        "opened_at": to_db_time(a.opened_at),
        "submitted_at": to_db_time(a.submitted_at),
        "response_seconds": float(a.response_seconds),
        "score": float(a.score),
        "passed": bool(a.passed),
        "machine_score": float(a.score),
        "machine_passed": bool(a.passed),
        "grader_version": a.grader_version,
        "embedder": a.embedder,
        "grade_json": a.grade_json,
        "client_token": a.client_token,
        "turn": a.turn,
        "parent_id": a.parent_id,
        "follow_up_text": a.follow_up_text,
        "llm_json": a.llm_json,
        "needs_review": bool(a.needs_review),
        "machine_certainty": MAX_UNCERTAINTY - uncertainty.value,
    }


def _score_columns(a: NewAttempt, attempt_columns: dict) -> list[dict]:
    """The score rows of an attempt, each with the copies of the attempt's columns the dashboards filter on
    (see ``AttemptScoreRow``); ``attempt_columns`` is what ``_attempt_columns`` gave for the attempt."""
    copied = {name: attempt_columns[name] for name in _COPIED_TO_SCORES}
    copied["submitted_on"] = attempt_columns["submitted_at"].date()  # naive UTC, so this is the UTC day
    return [
        {"principle": p.principle, "score": p.score, "machine_score": p.score, "weight": p.weight, **copied}
        for p in a.principles
    ]


def _contribution(a: NewAttempt, attempt_columns: dict) -> rollups.Contribution:
    return rollups.contribution(attempt_columns, [(p.principle, p.score) for p in a.principles])


def _insert_rows(s: Session, table, rows: list[dict], *, bulk: bool) -> None:
    """Insert ``rows`` into ``table`` in the session's transaction: a batch (``bulk``) with COPY on PostgreSQL
    (``_copy_rows``), anything else as a Core executemany (no RETURNING round trips)."""
    if not rows:
        return
    if bulk and s.get_bind().dialect.name == "postgresql":
        _copy_rows(s, table, rows)
    else:
        s.execute(insert(table), rows)


def _copy_rows(s: Session, table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with PostgreSQL's COPY, inside the session's
    transaction: several times as fast as a multi-row INSERT, which makes a history of a million attempts a
    matter of minutes. The rows are written in COPY's text format here (``_copy_field``), in large chunks."""
    columns = list(rows[0])
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    encoders = [(name, name in as_json) for name in columns]
    driver = s.connection().connection.driver_connection  # psycopg's own connection, in this transaction
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for first in range(0, len(rows), 1000):
            copy.write(
                "".join(
                    "\t".join(
                        _copy_field(json.dumps(row[name]) if is_json and row[name] is not None else row[name])
                        for name, is_json in encoders
                    )
                    + "\n"
                    for row in rows[first : first + 1000]
                )
            )


#: Characters COPY's text format writes as backslash escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"No COPY text for {type(value).__name__}")


def _check_review(
    scores: Mapping[str, float | None], overall: float | None, graded: set[str]
) -> tuple[dict[str, float | None], float | None]:
    """The review's scores as floats, or ``ValueError`` with what is wrong (checked before anything is written)."""
    clean: dict[str, float | None] = {}
    for principle, score in (scores or {}).items():
        if principle not in graded:
            raise ValueError(
                f"The attempt has no score for {principle!r}: review only the principles it was graded on."
            )
        if score is not None and not _within(score, 0.0, 1.0):
            raise ValueError(f"The coach's score for {principle} must be within 0-1 (or N/A), got {score}.")
        clean[str(principle)] = None if score is None else float(score)
    if overall is not None and not _within(overall, 0.0, 100.0):
        raise ValueError(f"The overall score must be within 0-100, got {overall}.")
    return clean, None if overall is None else float(overall)


def _check_case_version(attempt: AttemptRow, current_case_hash: str | None, acknowledged: bool) -> None:
    """A review judges the case version the trainee answered: refuse one whose case is gone, or changed unless
    the coach said they review against the version the trainee answered."""
    if current_case_hash is None:
        raise MissingEntry(
            f"The case {attempt.case_id!r} of attempt #{attempt.id} is no longer in the casebook: the review was "
            "not stored."
        )
    if current_case_hash != attempt.case_hash and not acknowledged:
        raise Conflict(
            f"The case {attempt.case_id!r} changed since attempt #{attempt.id} was made (the trainee answered version "
            f"{attempt.case_hash[:12]}, the casebook now holds {current_case_hash[:12]}): confirm that you review "
            "against the version the trainee answered, or leave this attempt."
        )


def _answer_fields(a: AttemptRow) -> dict:
    """What grading needs of a stored attempt: the reply and the case version and language it answered."""
    return {
        "attempt_id": a.id,
        "case_id": a.case_id,
        "case_hash": a.case_hash,
        "language": a.language,
        "handling": a.handling,
        "reply": a.reply,
        "response_seconds": a.response_seconds,
        "turn": a.turn,
        "follow_up_text": a.follow_up_text,
    }


def _within(value: object, low: float, high: float) -> bool:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool) and math.isfinite(number) and low <= number <= high


def _principle_order(found: set[str]) -> list[str]:
    """Principle ids in the case format's order, unknown ones (from an older grader) after them."""
    from replycoach.cases.models import PRINCIPLES

    known = [p for p in PRINCIPLES if p in found]
    return known + sorted(found - set(known))


__all__ = [
    "ACCOUNT_DEACTIVATED", "FLAGGED_FIRST", "LOGIN_FAILED", "MIGRATIONS_DIR", "QUEUE_ORDERS", "TEACHES_MOST", "Store",
]  # fmt: skip
