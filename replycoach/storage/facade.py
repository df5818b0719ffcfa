"""The one storage facade: every page, the CLI and the benchmarks read and write through ``Store``.

CONTRACT (written first so pages can be built against it; the storage owner implements it):
- ``Store(url)`` opens SQLite (WAL, foreign keys on) or PostgreSQL; ``Store.upgrade()`` runs the Alembic
  migrations to head. Alembic owns the schema: no ``create_all`` outside tests of the migrations themselves.
- Methods that show data to a person take ``viewer: User`` and enforce access: a trainee only ever sees their
  own attempts (anything else raises ``MissingEntry``, never revealing that it exists); coaches see attempts of
  everyone; HR sees aggregates and exports; admins manage users.
- Every write commits before returning. ``add_attempt`` is idempotent on ``client_token``.
- Aggregations (key figures, heatmap, progress) run in SQL, not Python loops.
"""

from __future__ import annotations

from datetime import date, datetime

from replycoach.storage.types import (
    Assignment,
    Attempt,
    AttemptFilter,
    KeyFigures,
    LoginResult,
    NewAttempt,
    Review,
    Role,
    User,
)


class Store:
    def __init__(self, url: str) -> None:
        raise NotImplementedError

    # --- lifecycle ---------------------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # --- users and teams ---------------------------------------------------------------------------------
    def add_user(
        self, username: str, password: str, role: Role, *, display_name: str | None = None, team: str | None = None
    ) -> User:
        """Raises ``Conflict`` if the username is taken, ``ValueError`` for a weak/empty password or bad name."""
        raise NotImplementedError

    def login(self, username: str, password: str) -> LoginResult:
        """Check a password. Any failure gives the same generic message; repeated failures for a username
        are slowed down (``retry_after_seconds``) without locking the real user out for long."""
        raise NotImplementedError

    def get_user(self, user_id: int) -> User:
        raise NotImplementedError

    def find_user(self, username: str) -> User:
        raise NotImplementedError

    def list_users(self, *, role: Role | None = None, team: str | None = None) -> list[User]:
        raise NotImplementedError

    def set_role(self, username: str, role: Role) -> User:
        raise NotImplementedError

    def set_team(self, username: str, team: str | None) -> User:
        raise NotImplementedError

    def set_password(self, username: str, password: str) -> None:
        raise NotImplementedError

    def set_active(self, username: str, active: bool) -> User:
        raise NotImplementedError

    def list_teams(self) -> list[str]:
        raise NotImplementedError

    # --- attempts ----------------------------------------------------------------------------------------
    def add_attempt(self, attempt: NewAttempt) -> Attempt:
        """Store a graded attempt and commit. The same ``client_token`` twice returns the first attempt."""
        raise NotImplementedError

    def get_attempt(self, attempt_id: int, viewer: User) -> Attempt:
        raise NotImplementedError

    def list_attempts(
        self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, limit: int = 200, offset: int = 0
    ) -> list[Attempt]:
        """Newest first. A trainee's filter is narrowed to their own attempts whatever it says."""
        raise NotImplementedError

    def follow_up_attempts(self, parent_id: int, viewer: User) -> list[Attempt]:
        """Turn 2+ attempts answering the customer's follow-up to ``parent_id``."""
        raise NotImplementedError

    def case_progress(self, user_id: int, viewer: User) -> list[dict]:
        """Per case: first, best and latest score and the number of attempts (rows of plain dicts)."""
        raise NotImplementedError

    def done_case_ids(self, user_id: int) -> set[str]:
        raise NotImplementedError

    def earlier_replies(self, user_id: int, *, exclude_case: str | None = None, limit: int = 50) -> list[str]:
        """The trainee's own recent replies to other cases (the no_script grader compares against them)."""
        raise NotImplementedError

    def mark_needs_review(self, attempt_id: int, needs: bool = True) -> None:
        raise NotImplementedError

    # --- reviews -----------------------------------------------------------------------------------------
    def review_queue(self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, limit: int = 100) -> list[Attempt]:
        """Attempts without a review, those marked ``needs_review`` first. Coaches and admins only."""
        raise NotImplementedError

    def add_review(
        self,
        attempt_id: int,
        viewer: User,
        *,
        scores: dict[str, float | None],
        overall: float | None,
        comment: str,
    ) -> Review:
        """A coach's own scores and comment; the machine's stay on the attempt. A newer review replaces the
        shown one but the older is kept (who changed what, when)."""
        raise NotImplementedError

    def reviewed_pairs(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> list[tuple[Attempt, Review]]:
        """(attempt, latest review) for calibration."""
        raise NotImplementedError

    # --- assignments -------------------------------------------------------------------------------------
    def assign(
        self, case_id: str, viewer: User, *, username: str | None = None, team: str | None = None, due: date | None = None
    ) -> Assignment:
        raise NotImplementedError

    def assignments_for(self, user: User) -> list[Assignment]:
        """Assignments to the user or their team, soonest due first."""
        raise NotImplementedError

    def list_assignments(self, viewer: User) -> list[Assignment]:
        raise NotImplementedError

    def remove_assignment(self, assignment_id: int, viewer: User) -> None:
        raise NotImplementedError

    # --- HR aggregates (in SQL) --------------------------------------------------------------------------
    def key_figures(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> KeyFigures:
        raise NotImplementedError

    def score_over_time(self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, bucket: str = "week") -> list[dict]:
        """Rows {period, user_id, username, team, attempts, average_score}."""
        raise NotImplementedError

    def principle_over_time(
        self, viewer: User, flt: AttemptFilter = AttemptFilter(), *, bucket: str = "week"
    ) -> list[dict]:
        """Rows {period, principle, average}."""
        raise NotImplementedError

    def team_principle_matrix(self, viewer: User, flt: AttemptFilter = AttemptFilter()) -> list[dict]:
        """Rows {team, principle, average, attempts} for the heatmap."""
        raise NotImplementedError

    def iter_export_rows(self, viewer: User, flt: AttemptFilter = AttemptFilter()):
        """Yield one dict per attempt with every principle's score as its own column (for CSV and xAPI)."""
        raise NotImplementedError

    # --- small key-value cache (LLM judge verdicts) ------------------------------------------------------
    def cache_get(self, key: str) -> str | None:
        raise NotImplementedError

    def cache_put(self, key: str, value: str) -> None:
        raise NotImplementedError


def default_database_url(data_dir: str = "data") -> str:
    """SQLite in the data folder unless ``REPLYCOACH_DATABASE_URL`` says otherwise."""
    import os

    url = os.environ.get("REPLYCOACH_DATABASE_URL")
    if url:
        return url
    os.makedirs(data_dir, exist_ok=True)
    return f"sqlite:///{os.path.abspath(os.path.join(data_dir, 'replycoach.sqlite3'))}"


__all__ = ["Store", "default_database_url", "datetime"]
