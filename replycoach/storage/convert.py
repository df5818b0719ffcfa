"""Between ORM rows and the plain values of ``types.py``, and between aware datetimes and the naive UTC the
database stores (see ``models.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from replycoach.storage.models import AssignmentRow, AttemptRow, ReviewRow, UserRow
from replycoach.storage.types import Assignment, Attempt, Review, Role, User


def to_db_time(moment: datetime | None) -> datetime | None:
    """Aware datetimes become naive UTC; naive ones are taken to be UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def from_db_time(moment: datetime | None) -> datetime | None:
    """What the facade returns: aware UTC datetimes."""
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite hands back raw strings from expressions that bypass the column type
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_date(value) -> date | None:
    """A period bucket as a date: SQLite computes it as text, PostgreSQL as a timestamp."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def user_value(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        team=row.team.name if row.team else None,
        active=row.active,
        time_zone=row.time_zone,
        ui_language=row.ui_language,
    )


def review_value(row: ReviewRow) -> Review:
    return Review(
        id=row.id,
        attempt_id=row.attempt_id,
        coach_id=row.coach_id,
        coach_name=row.coach.display_name,
        scores=dict(row.scores or {}),
        overall=row.overall,
        comment=row.comment,
        created_at=from_db_time(row.created_at),
        case_hash=row.case_hash,
        grader_version=row.grader_version,
    )


def attempt_value(row: AttemptRow, review: Review | None = None) -> Attempt:
    return Attempt(
        id=row.id,
        user_id=row.user_id,
        username=row.user.username,
        team=row.team.name if row.team else None,
        case_id=row.case_id,
        case_hash=row.case_hash,
        language=row.language,
        handling=row.handling,
        reply=row.reply,
        opened_at=from_db_time(row.opened_at),
        submitted_at=from_db_time(row.submitted_at),
        response_seconds=row.response_seconds,
        score=row.score,
        passed=row.passed,
        grader_version=row.grader_version,
        embedder=row.embedder,
        principles={s.principle: s.score for s in row.scores},
        grade_json=row.grade_json,
        turn=row.turn,
        parent_id=row.parent_id,
        follow_up_text=row.follow_up_text,
        llm_json=row.llm_json,
        needs_review=row.needs_review,
        review=review,
        display_name=row.user.display_name,
        machine_score=row.machine_score,
        machine_passed=row.machine_passed,
        machine_principles={s.principle: s.machine_score for s in row.scores},
    )


def assignment_value(row: AssignmentRow) -> Assignment:
    return Assignment(
        id=row.id,
        case_id=row.case_id,
        user_id=row.user_id,
        team=row.team.name if row.team else None,
        due=row.due,
        assigned_by=row.assigned_by,
        created_at=from_db_time(row.created_at),
        username=row.user.username if row.user else None,
        display_name=row.user.display_name if row.user else None,
    )
