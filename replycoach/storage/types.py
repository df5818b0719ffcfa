"""Plain values the storage facade takes and returns. Pages and the CLI use these, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


class Role(str, Enum):  # noqa: UP042 - pages rely on str(Role.x) and format() as they are
    trainee = "trainee"
    coach = "coach"
    hr = "hr"
    admin = "admin"


class StorageError(Exception):
    """Base of the facade's domain errors."""


class MissingEntry(StorageError):
    """The thing asked for does not exist (or the viewer may not know that it does)."""


class Forbidden(StorageError):
    """The viewer's role or ownership does not allow this."""


class Conflict(StorageError):
    """E.g. a username that is taken, or a case already assigned to the same person and still open."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    team: str | None
    active: bool = True
    time_zone: str = "UTC"  # IANA name: timestamps are shown in it
    ui_language: str = "en"  # the interface language the user prefers


@dataclass(frozen=True)
class PrincipleScore:
    principle: str
    score: float | None
    weight: float


@dataclass(frozen=True)
class NewAttempt:
    """What a submitted reply stores. ``client_token`` makes a double submit (a reload, a double click)
    store one attempt, not two."""

    user_id: int
    case_id: str
    case_hash: str
    language: str
    handling: str
    reply: str
    opened_at: datetime
    submitted_at: datetime
    response_seconds: float
    score: float
    passed: bool
    grader_version: str
    embedder: str
    principles: list[PrincipleScore]
    grade_json: dict  # Grade.to_dict(): evidence, tips, warnings
    client_token: str
    turn: int = 1  # 2 for the answer to the customer's follow-up
    parent_id: int | None = None  # the first turn's attempt, for turn 2+
    follow_up_text: str | None = None  # what the customer wrote that turn 2 answers
    llm_json: dict | None = None  # the LLM judge's verdicts, when used
    needs_review: bool = False
    # The pass mark it was graded against (it orders the review queue: near the pass mark is uncertain);
    # None: the app's configured pass mark.
    pass_mark: float | None = None


@dataclass(frozen=True)
class Attempt:
    """A stored attempt. ``score``, ``passed`` and ``principles`` are the score of record: the latest coach
    review's where there is one, else the machine's; ``machine_*`` are always the machine's grade."""

    id: int
    user_id: int
    username: str
    team: str | None
    case_id: str
    case_hash: str
    language: str
    handling: str
    reply: str
    opened_at: datetime
    submitted_at: datetime
    response_seconds: float
    score: float
    passed: bool
    grader_version: str
    embedder: str
    principles: dict[str, float | None]
    grade_json: dict
    turn: int
    parent_id: int | None
    follow_up_text: str | None
    llm_json: dict | None
    needs_review: bool
    review: Review | None = None
    display_name: str = ""
    machine_score: float | None = None
    machine_passed: bool | None = None
    machine_principles: dict[str, float | None] = field(default_factory=dict)

    @property
    def coach_changed_score(self) -> bool:
        """A coach's review changed the overall score or a principle's score."""
        return self.review is not None and (
            self.score != self.machine_score or self.principles != self.machine_principles
        )


@dataclass(frozen=True)
class Review:
    id: int
    attempt_id: int
    coach_id: int
    coach_name: str
    scores: dict[str, float | None]  # the coach's score per principle, [0, 1]
    overall: float | None  # the coach's overall 0-100
    comment: str
    created_at: datetime
    case_hash: str = ""  # of the attempt's case version the coach judged
    grader_version: str = ""  # of the machine grade the coach judged


@dataclass(frozen=True)
class Assignment:
    id: int
    case_id: str
    user_id: int | None
    team: str | None
    due: date | None
    assigned_by: int
    created_at: datetime
    username: str | None = None  # the assigned user's name, when assigned to one user
    display_name: str | None = None  # the assigned user's display name, when assigned to one user


@dataclass(frozen=True)
class AssignmentStatus:
    """How one assignee stands on one assignment: attempts at the case (first turn) since it was assigned,
    whether one passed (score of record), and whether it is overdue (past the due date, not done)."""

    assignment: Assignment
    user_id: int
    username: str
    display_name: str
    team: str | None
    attempts: int
    passed: bool
    best_score: float | None
    last_attempt_at: datetime | None
    overdue: bool

    @property
    def done(self) -> bool:
        return self.attempts > 0


@dataclass(frozen=True)
class ReviewNotice:
    """A coach's review of one of the viewer's attempts (for the trainee's inbox)."""

    review: Review
    attempt_id: int
    case_id: str
    turn: int


@dataclass(frozen=True)
class AttemptFilter:
    """Filters shared by lists, dashboards and exports. ``None`` means "any"."""

    user_ids: tuple[int, ...] | None = None
    teams: tuple[str, ...] | None = None
    case_ids: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None
    turn: int | None = 1
    reviewed: bool | None = None


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str  # what happened, truthfully, never whether a name exists
    retry_after_seconds: float = 0.0  # > 0: the next attempt (from this client, for this name) must wait


@dataclass(frozen=True)
class SessionCheck:
    """Who a session token signs in, re-read from the database: ``user`` None when it signs in nobody, with
    ``ended`` saying why when the session existed (for the sign-in page to tell them)."""

    user: User | None
    ended: str | None = None


@dataclass(frozen=True)
class NewSession:
    """A session just begun: ``token`` goes into the browser's cookie (the database keeps its SHA-256 only)."""

    token: str
    expires_at: datetime


@dataclass(frozen=True)
class PracticeDraft:
    """The turn a trainee has open (see ``PracticeDraftRow``): ``parent_id`` 0 for a first turn."""

    case_id: str
    language: str
    opened_at: datetime
    client_token: str
    handling: str | None = None
    reply: str = ""
    parent_id: int = 0


@dataclass(frozen=True)
class KeyFigures:
    active_trainees: int
    attempts: int
    average_score: float | None
    pass_rate: float | None
    median_response_seconds: float | None


@dataclass
class Page:
    rows: list = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class ReviewLabel:
    """A coach's latest review of an attempt, with what training needs of the attempt (issue 10)."""

    review_id: int
    attempt_id: int
    trainee_id: int
    coach_name: str
    reviewed_at: datetime
    case_id: str
    case_hash: str  # the case version the trainee answered (localized to ``language``)
    language: str
    handling: str
    reply: str
    response_seconds: float
    turn: int
    follow_up_text: str | None  # a second turn: the customer's message the reply answers
    overall: float | None  # the coach's overall 0-100 (None: left as the machine gave it)
    scores: dict[str, float | None]  # the coach's per-principle scores, [0, 1] (None: does not apply)
    grader_version: str  # of the machine grade the coach judged


@dataclass(frozen=True)
class StoredGrader:
    """A grader trained from the team's reviews (the model itself stays in the database)."""

    version: str
    embedder: str
    status: str  # candidate, active, retired, discarded
    summary: dict  # what it learned from and how it compared with the grader in use
    created_by: str | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class TrainingJob:
    id: int
    status: str  # running, done, failed
    progress: str  # the last lines it reported
    started_by: str | None
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
    grader_version: str | None  # the candidate it produced
    error: str | None


@dataclass(frozen=True)
class RegradeTarget:
    """A stored attempt to grade again with a newer grader, with what grading it needs."""

    attempt_id: int
    user_id: int
    case_id: str
    case_hash: str
    language: str
    handling: str
    reply: str
    response_seconds: float
    submitted_at: datetime
    turn: int
    follow_up_text: str | None
    score: float  # of record now
    passed: bool
    reviewed: bool
    grader_version: str  # the grader whose grade is the attempt's own
    llm_json: dict | None = None  # the LLM judge's stored judgement, when it judged the attempt
