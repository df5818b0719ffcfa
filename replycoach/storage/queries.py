"""SQL building blocks of the facade: the shared attempt filter, date buckets that mean the same on SQLite and
PostgreSQL, and the HR aggregates. Every aggregate is one SQL statement of GROUP BYs; nothing loops over
attempts in Python.

The per-principle aggregates read ``attempt_scores`` alone: each score row carries its attempt's filter
columns, and covering indexes let SQLite group in index order without touching the table (see models.py).
"""

from __future__ import annotations

from sqlalchemy import DateTime, Float, Select, case, cast, exists, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from replycoach.storage.convert import to_date, to_db_time
from replycoach.storage.models import AssignmentRow, AttemptRow, AttemptScoreRow, ReviewRow, TeamRow, UserRow
from replycoach.storage.types import AttemptFilter, KeyFigures

BUCKETS = ("day", "week", "month")


def apply_filter(stmt: Select, flt: AttemptFilter) -> Select:
    """Narrow ``stmt`` (which selects from ``attempts``) by ``flt``. ``teams`` means the team the trainee was in
    when submitting."""
    return _narrowed(stmt, flt, AttemptRow, AttemptRow.id)


def apply_score_filter(stmt: Select, flt: AttemptFilter) -> Select:
    """The same filter for a ``stmt`` that selects from ``attempt_scores`` alone (its copies of the attempt's
    columns)."""
    return _narrowed(stmt, flt, AttemptScoreRow, AttemptScoreRow.attempt_id)


def _narrowed(stmt: Select, flt: AttemptFilter, a, attempt_id) -> Select:
    conditions = []
    if flt.user_ids is not None:
        conditions.append(a.user_id.in_(flt.user_ids))
    if flt.teams is not None:
        conditions.append(a.team_id.in_(select(TeamRow.id).where(TeamRow.name.in_(flt.teams))))
    if flt.case_ids is not None:
        conditions.append(a.case_id.in_(flt.case_ids))
    if flt.languages is not None:
        conditions.append(a.language.in_(flt.languages))
    if flt.since is not None:
        conditions.append(a.submitted_at >= to_db_time(flt.since))
    if flt.until is not None:
        conditions.append(a.submitted_at < to_db_time(flt.until))
    if flt.turn is not None:
        conditions.append(a.turn == flt.turn)
    if flt.reviewed is not None:
        has_review = exists().where(ReviewRow.attempt_id == attempt_id)
        conditions.append(has_review if flt.reviewed else ~has_review)
    return stmt.where(*conditions) if conditions else stmt


def period_expr(dialect: str, column, bucket: str):
    """The start of the day/week (Monday)/month ``column`` falls in, on either backend."""
    if bucket not in BUCKETS:
        raise ValueError(f"Unknown bucket {bucket!r}: use one of {', '.join(BUCKETS)}")
    if dialect == "postgresql":
        # A literal, not a bound parameter: PostgreSQL must see the same expression in SELECT and GROUP BY.
        return func.date_trunc(literal_column(f"'{bucket}'"), column)
    if bucket == "day":
        return func.date(column)
    if bucket == "week":
        # 'weekday 0' moves forward to Sunday (or stays on it); six days back is that week's Monday.
        return func.date(column, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    return func.strftime(literal_column("'%Y-%m-01'"), column)


def key_figures(session: Session, flt: AttemptFilter) -> KeyFigures:
    a = AttemptRow
    totals = session.execute(
        apply_filter(
            select(
                func.count(func.distinct(a.user_id)),
                func.count(a.id),
                func.avg(a.score),
                func.avg(case((a.passed, 1.0), else_=0.0)),
            ),
            flt,
        )
    ).one()
    trainees, attempts, average, pass_rate = totals
    return KeyFigures(
        active_trainees=int(trainees),
        attempts=int(attempts),
        average_score=float(average) if average is not None else None,
        pass_rate=float(pass_rate) if pass_rate is not None else None,
        median_response_seconds=_median_response(session, flt, attempts),
    )


def _median_response(session: Session, flt: AttemptFilter, count: int) -> float | None:
    if count == 0:
        return None
    a = AttemptRow
    if session.get_bind().dialect.name == "postgresql":
        stmt = select(func.percentile_cont(0.5).within_group(a.response_seconds))
        return float(session.scalar(apply_filter(stmt, flt)))
    # SQLite has no percentile function: read the middle one or two values of the sorted column.
    middle = (count - 1) // 2
    stmt = apply_filter(select(a.response_seconds), flt).order_by(a.response_seconds)
    values = session.scalars(stmt.limit(1 if count % 2 else 2).offset(middle)).all()
    return float(sum(values) / len(values))


def score_over_time(session: Session, flt: AttemptFilter, bucket: str) -> list[dict]:
    a = AttemptRow
    period = period_expr(session.get_bind().dialect.name, a.submitted_at, bucket).label("period")
    stmt = (
        select(
            period,
            a.user_id,
            UserRow.username,
            UserRow.display_name,
            TeamRow.name,
            func.count(a.id),
            func.avg(a.score),
        )
        .join(UserRow, UserRow.id == a.user_id)
        .outerjoin(TeamRow, TeamRow.id == UserRow.team_id)
        .group_by(period, a.user_id, UserRow.username, UserRow.display_name, TeamRow.name)
        .order_by(period, UserRow.username)
    )
    return [
        {
            "period": to_date(p),
            "user_id": user_id,
            "username": username,
            "display_name": display_name,
            "team": team,
            "attempts": int(n),
            "average_score": float(avg),
        }
        for p, user_id, username, display_name, team, n, avg in session.execute(apply_filter(stmt, flt))
    ]


def principle_over_time(session: Session, flt: AttemptFilter, bucket: str) -> list[dict]:
    # Sum and count per (principle, day) first: that grouping follows ix_attempt_scores_principle_days, so
    # SQLite streams it without sorting ~900k rows; the weeks or months are then summed from those few rows.
    s = AttemptScoreRow
    dialect = session.get_bind().dialect.name
    daily = apply_score_filter(
        select(
            s.principle.label("principle"),
            s.submitted_on.label("day"),
            func.sum(s.score).label("total"),
            func.count(s.score).label("scored"),
        ).group_by(s.principle, s.submitted_on),
        flt,
    ).subquery("daily")
    # PostgreSQL has no date_trunc for a date: truncate it as a timestamp (never as one with a time zone).
    day = cast(daily.c.day, DateTime()) if dialect == "postgresql" else daily.c.day
    period = period_expr(dialect, day, bucket).label("period")
    scored = func.sum(daily.c.scored)
    stmt = (
        select(period, daily.c.principle, cast(func.sum(daily.c.total), Float) / cast(scored, Float), scored)
        .group_by(period, daily.c.principle)
        .having(scored > 0)
        .order_by(period, daily.c.principle)
    )
    return [
        {"period": to_date(p), "principle": principle, "average": _float(avg), "attempts": int(n)}
        for p, principle, avg, n in session.execute(stmt)
    ]


def team_principle_matrix(session: Session, flt: AttemptFilter) -> list[dict]:
    # Group by team id (the order of ix_attempt_scores_team_matrix), then look up the few team names.
    s = AttemptScoreRow
    per_team = apply_score_filter(
        select(
            s.team_id.label("team_id"),
            s.principle.label("principle"),
            func.avg(s.score).label("average"),
            func.count(s.score).label("scored"),
        )
        .group_by(s.team_id, s.principle)
        .having(func.count(s.score) > 0),
        flt,
    ).subquery("per_team")
    stmt = (
        select(TeamRow.name, per_team.c.principle, per_team.c.average, per_team.c.scored)
        .select_from(per_team)
        .outerjoin(TeamRow, TeamRow.id == per_team.c.team_id)
        .order_by(TeamRow.name, per_team.c.principle)
    )
    return [
        {"team": team, "principle": principle, "average": _float(avg), "attempts": int(n)}
        for team, principle, avg, n in session.execute(stmt)
    ]


def export_statement(principles: list[str], flt: AttemptFilter) -> Select:
    """One row per attempt (the columns of ``facade.EXPORT_COLUMNS``), its latest review's reviewer, time and
    comment, and every principle's score of record pivoted into its own column (conditional aggregation)."""
    a, s = AttemptRow, AttemptScoreRow
    pivot = (
        select(
            s.attempt_id,
            *[func.max(case((s.principle == p, s.score))).label(f"p_{i}") for i, p in enumerate(principles)],
        )
        .group_by(s.attempt_id)
        .subquery("pivot")
    )
    latest = select(ReviewRow.attempt_id, func.max(ReviewRow.id).label("review_id")).group_by(ReviewRow.attempt_id)
    latest = latest.subquery("latest_review")
    review, coach = aliased(ReviewRow), aliased(UserRow)
    stmt = (
        select(
            a.id,
            a.submitted_at,
            a.opened_at,
            a.user_id,
            UserRow.username,
            UserRow.display_name,
            TeamRow.name.label("team"),
            a.case_id,
            a.case_hash,
            a.language,
            a.handling,
            a.turn,
            a.parent_id,
            a.score,
            a.passed,
            a.machine_score,
            a.machine_passed,
            coach.display_name.label("reviewed_by"),
            review.created_at.label("reviewed_at"),
            review.comment.label("review_comment"),
            a.response_seconds,
            a.grader_version,
            a.embedder,
            a.needs_review,
            a.follow_up_text,
            a.reply,
            *[pivot.c[f"p_{i}"] for i in range(len(principles))],
        )
        .join(UserRow, UserRow.id == a.user_id)
        .outerjoin(TeamRow, TeamRow.id == a.team_id)
        .outerjoin(pivot, pivot.c.attempt_id == a.id)
        .outerjoin(latest, latest.c.attempt_id == a.id)
        .outerjoin(review, review.id == latest.c.review_id)
        .outerjoin(coach, coach.id == review.coach_id)
        .order_by(a.id)
    )
    return apply_filter(stmt, flt)


def assignment_progress(*conditions) -> Select:
    """Per (assignment, assignee): first-turn attempts at the case since it was assigned, whether one passed
    (score of record), the best score and the last attempt. A team assignment's assignees are the team's
    active trainees now; a user assignment's, that user. ``conditions`` narrow it (on assignments/users)."""
    a, u, t = AssignmentRow, UserRow, AttemptRow
    assignee = (u.id == a.user_id) | (
        a.team_id.is_not(None) & (u.team_id == a.team_id) & (u.role == "trainee") & u.active.is_(True)
    )
    return (
        select(
            a.id,
            u.id,
            func.count(t.id),
            func.max(case((t.passed, 1), else_=0)),
            func.max(t.score),
            func.max(t.submitted_at),
        )
        .select_from(a)
        .join(u, assignee)
        .outerjoin(t, (t.user_id == u.id) & (t.case_id == a.case_id) & (t.turn == 1) & (t.submitted_at >= a.created_at))
        .where(*conditions)
        .group_by(a.id, u.id)
    )


def _float(value) -> float | None:
    return float(value) if value is not None else None
