"""SQL building blocks of the facade: the shared attempt filter, date buckets that mean the same on SQLite and
PostgreSQL, and the HR aggregates. Every aggregate is SQL GROUP BYs; nothing loops over attempts in Python.

Each aggregate reads the daily rollups when they can answer the filter (``rollups.covers``; the dashboard's
filters always can) and the attempts themselves otherwise (one trainee, review state, a time of day), or
when the store was opened with ``rollups=False`` (tests compare the two; the benchmark times both). The
per-principle aggregates read ``attempt_scores`` alone then: each score row carries its attempt's filter
columns (see models.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import DateTime, Float, Select, and_, case, cast, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from replycoach.storage import rollups
from replycoach.storage.convert import from_db_time, to_date, to_db_time
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
    conditions = _dimensions(flt, a, a.team_id)
    if flt.user_ids is not None:
        conditions.append(a.user_id.in_(flt.user_ids))
    if flt.since is not None:
        conditions.append(a.submitted_at >= to_db_time(flt.since))
    if flt.until is not None:
        conditions.append(a.submitted_at < to_db_time(flt.until))
    if flt.reviewed is not None:
        has_review = exists().where(ReviewRow.attempt_id == attempt_id)
        conditions.append(has_review if flt.reviewed else ~has_review)
    return stmt.where(*conditions) if conditions else stmt


def _dimensions(flt: AttemptFilter, columns, team) -> list:
    """The conditions on team (``team``: the column holding the attempt's team id), case, language and turn."""
    conditions = []
    if flt.teams is not None:
        conditions.append(team.in_(select(TeamRow.id).where(TeamRow.name.in_(flt.teams))))
    if flt.case_ids is not None:
        conditions.append(columns.case_id.in_(flt.case_ids))
    if flt.languages is not None:
        conditions.append(columns.language.in_(flt.languages))
    if flt.turn is not None:
        conditions.append(columns.turn == flt.turn)
    return conditions


def rollup_filter(stmt: Select, flt: AttemptFilter, table, *, weeks: bool = True) -> Select:
    """``stmt`` (selecting from a rollup ``table``) narrowed by ``flt``, every attempt counted once: in its
    week's row when the week lies wholly in the period and ``weeks`` allows (totals and week buckets do; days
    and months must not, a week row can straddle them), else in its day's row. The caller checked
    ``rollups.covers``."""
    c = table.c
    since, until = (None if m is None else to_db_time(m).date() for m in (flt.since, flt.until))
    return stmt.where(_rollup_period(c, since, until, weeks), *_dimensions(flt, c, c.team_key))


def _rollup_period(c, since: date | None, until: date | None, weeks: bool):
    """Rollup rows counting each attempt of the days [since, until) once (None: no bound)."""

    def between(span: str, start: date | None, end: date | None):
        bounds = [c.span == span]
        if start is not None:
            bounds.append(c.starts_on >= start)
        if end is not None:
            bounds.append(c.starts_on < end)
        return and_(*bounds)

    if not weeks:
        return between("day", since, until)
    first = None if since is None else rollups.week_of(since + timedelta(days=6))  # first Monday on or after
    last = None if until is None else rollups.week_of(until)  # the weeks before until's week are whole
    if first is not None and last is not None and first >= last:  # no whole week in the period
        return between("day", since, until)
    parts = [between("week", first, last)]
    if since is not None and since < first:
        parts.append(between("day", since, first))
    if until is not None and last < until:
        parts.append(between("day", last, until))
    return or_(*parts)


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


def key_figures(session: Session, flt: AttemptFilter, *, read_rollups: bool = True) -> KeyFigures:
    if read_rollups and rollups.covers(flt, rollups.ATTEMPTS):
        r = rollups.ATTEMPTS
        stmt = rollup_filter(select(func.sum(r.c.attempts), func.sum(r.c.score_units), func.sum(r.c.passed)), flt, r)
        count, score_units, passed = session.execute(stmt).one()
        attempts = int(count or 0)
        average = score_units / rollups.UNITS / attempts if attempts else None
        pass_rate = passed / attempts if attempts else None
    else:
        a = AttemptRow
        stmt = apply_filter(
            select(func.count(a.id), func.avg(a.score), func.avg(case((a.passed, 1.0), else_=0.0))), flt
        )
        count, average, pass_rate = session.execute(stmt).one()
        attempts = int(count)
    return KeyFigures(
        active_trainees=_active_trainees(session, flt, read_rollups) if attempts else 0,
        attempts=attempts,
        average_score=float(average) if average is not None else None,
        pass_rate=float(pass_rate) if pass_rate is not None else None,
        median_response_seconds=_median_response(session, flt, attempts, read_rollups),
    )


def _active_trainees(session: Session, flt: AttemptFilter, read_rollups: bool) -> int:
    if read_rollups and rollups.covers(flt, rollups.TRAINEES):
        r = rollups.TRAINEES
        # Grouping (hashing) the trainees is much quicker on PostgreSQL than COUNT(DISTINCT), which sorts.
        trainees = rollup_filter(select(r.c.user_id).group_by(r.c.user_id), flt, r).subquery("trainees")
        return int(session.scalar(select(func.count()).select_from(trainees)))
    return int(session.scalar(apply_filter(select(func.count(func.distinct(AttemptRow.user_id))), flt)))


def _median_response(session: Session, flt: AttemptFilter, count: int, read_rollups: bool) -> float | None:
    """The median response time: from the rollup's buckets (within a bucket's width, see rollups.py) when it
    can answer, else exact."""
    if count == 0:
        return None
    if read_rollups and rollups.covers(flt, rollups.RESPONSE_TIMES):
        t = rollups.RESPONSE_TIMES
        stmt = rollup_filter(select(t.c.bucket, func.sum(t.c.attempts)), flt, t).group_by(t.c.bucket)
        return rollups.median_of_buckets([(int(b), int(n)) for b, n in session.execute(stmt.order_by(t.c.bucket)) if n])
    a = AttemptRow
    if session.get_bind().dialect.name == "postgresql":
        stmt = select(func.percentile_cont(0.5).within_group(a.response_seconds))
        return float(session.scalar(apply_filter(stmt, flt)))
    # SQLite has no percentile function: read the middle one or two values of the sorted column.
    middle = (count - 1) // 2
    stmt = apply_filter(select(a.response_seconds), flt).order_by(a.response_seconds)
    values = session.scalars(stmt.limit(1 if count % 2 else 2).offset(middle)).all()
    return float(sum(values) / len(values))


def score_over_time(session: Session, flt: AttemptFilter, bucket: str, *, read_rollups: bool = True) -> list[dict]:
    per_trainee = _averages_over_time(session, flt, bucket, read_rollups, by_trainee=True)
    stmt = (
        select(*per_trainee.c, UserRow.username, UserRow.display_name, TeamRow.name)
        .join(UserRow, UserRow.id == per_trainee.c.key)
        .outerjoin(TeamRow, TeamRow.id == UserRow.team_id)
        .order_by(per_trainee.c.period, UserRow.username)
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
        for p, user_id, n, avg, username, display_name, team in session.execute(stmt)
    ]


def team_over_time(session: Session, flt: AttemptFilter, bucket: str, *, read_rollups: bool = True) -> list[dict]:
    """Rows {period, team, attempts, average_score} per team the attempts were made in (None: no team)."""
    per_team = _averages_over_time(session, flt, bucket, read_rollups, by_trainee=False)
    stmt = (
        select(per_team.c.period, TeamRow.name, per_team.c.n, per_team.c.average)
        .outerjoin(TeamRow, TeamRow.id == per_team.c.key)
        .order_by(per_team.c.period, TeamRow.name)
    )
    return [
        {"period": to_date(p), "team": team, "attempts": int(n), "average_score": float(avg)}
        for p, team, n, avg in session.execute(stmt)
    ]


def _averages_over_time(session: Session, flt: AttemptFilter, bucket: str, read_rollups: bool, *, by_trainee: bool):
    """A subquery of (period, key, n, average): attempts and their average score per period and per trainee
    (``key``: the user id) or per team the attempts were made in (the team id; 0 or NULL: no team)."""
    dialect = session.get_bind().dialect.name
    table = rollups.TRAINEES if by_trainee else rollups.ATTEMPTS
    if read_rollups and rollups.covers(flt, table):
        key = table.c.user_id if by_trainee else table.c.team_key
        period = day_period(dialect, table.c.starts_on, bucket).label("period")
        n = func.sum(table.c.attempts)
        average = rollups.average(func.sum(table.c.score_units), n)
        stmt = rollup_filter(
            select(period, key.label("key"), n.label("n"), average.label("average"))
            .group_by(period, key)
            .having(n > 0),
            flt,
            table,
            weeks=bucket == "week",
        )
    else:
        a = AttemptRow
        key = a.user_id if by_trainee else a.team_id
        period = period_expr(dialect, a.submitted_at, bucket).label("period")
        stmt = apply_filter(
            select(period, key.label("key"), func.count(a.id).label("n"), func.avg(a.score).label("average")).group_by(
                period, key
            ),
            flt,
        )
    return stmt.subquery("over_time")


def trainee_summary(session: Session, flt: AttemptFilter, *, read_rollups: bool = True) -> list[dict]:
    """Rows {user_id, username, display_name, team, attempts, average_score, pass_rate, last_week} per trainee
    with attempts under ``flt`` (``team``: their team now; ``last_week``: the Monday of the week of their
    latest attempt), by display name."""
    if read_rollups and rollups.covers(flt, rollups.TRAINEES):
        r = rollups.TRAINEES
        n = func.sum(r.c.attempts)
        grouped = rollup_filter(
            select(
                r.c.user_id,
                n.label("n"),
                rollups.average(func.sum(r.c.score_units), n).label("average"),
                (cast(func.sum(r.c.passed), Float) / cast(n, Float)).label("pass_rate"),
                func.max(r.c.starts_on).label("last"),  # a day or a week's Monday: in its week either way
            )
            .group_by(r.c.user_id)
            .having(n > 0),
            flt,
            r,
        ).subquery("per_trainee")
    else:
        a = AttemptRow
        grouped = apply_filter(
            select(
                a.user_id,
                func.count(a.id).label("n"),
                func.avg(a.score).label("average"),
                func.avg(case((a.passed, 1.0), else_=0.0)).label("pass_rate"),
                func.max(a.submitted_at).label("last"),
            ).group_by(a.user_id),
            flt,
        ).subquery("per_trainee")
    stmt = (
        select(
            grouped.c.user_id,
            UserRow.username,
            UserRow.display_name,
            TeamRow.name,
            grouped.c.n,
            grouped.c.average,
            grouped.c.pass_rate,
            grouped.c.last,
        )
        .join(UserRow, UserRow.id == grouped.c.user_id)
        .outerjoin(TeamRow, TeamRow.id == UserRow.team_id)
        .order_by(UserRow.display_name, UserRow.username)
    )
    return [
        {
            "user_id": user_id,
            "username": username,
            "display_name": display_name,
            "team": team,
            "attempts": int(n),
            "average_score": float(average),
            "pass_rate": float(pass_rate),
            "last_week": rollups.week_of(_day(last)),
        }
        for user_id, username, display_name, team, n, average, pass_rate, last in session.execute(stmt)
    ]


def principle_over_time(session: Session, flt: AttemptFilter, bucket: str, *, read_rollups: bool = True) -> list[dict]:
    # Sum and count per (principle, day) first, then the weeks or months from those few rows.
    dialect = session.get_bind().dialect.name
    if read_rollups and rollups.covers(flt, rollups.PRINCIPLES):
        r = rollups.PRINCIPLES
        daily = rollup_filter(
            select(
                r.c.principle.label("principle"),
                r.c.starts_on.label("day"),
                func.sum(r.c.score_units).label("total"),
                func.sum(r.c.scored).label("scored"),
            ).group_by(r.c.principle, r.c.starts_on),
            flt,
            r,
            weeks=bucket == "week",
        ).subquery("daily")
        scale = rollups.UNITS
    else:
        s = AttemptScoreRow
        daily = apply_score_filter(
            select(
                s.principle.label("principle"),
                s.submitted_on.label("day"),
                func.sum(s.score).label("total"),
                func.count(s.score).label("scored"),
            ).group_by(s.principle, s.submitted_on),
            flt,
        ).subquery("daily")
        scale = 1
    period = day_period(dialect, daily.c.day, bucket).label("period")
    scored = func.sum(daily.c.scored)
    stmt = (
        select(period, daily.c.principle, cast(func.sum(daily.c.total), Float) / (cast(scored, Float) * scale), scored)
        .group_by(period, daily.c.principle)
        .having(scored > 0)
        .order_by(period, daily.c.principle)
    )
    return [
        {"period": to_date(p), "principle": principle, "average": _float(avg), "attempts": int(n)}
        for p, principle, avg, n in session.execute(stmt)
    ]


def team_principle_matrix(session: Session, flt: AttemptFilter, *, read_rollups: bool = True) -> list[dict]:
    # Group by team id, then look up the few team names.
    if read_rollups and rollups.covers(flt, rollups.PRINCIPLES):
        r = rollups.PRINCIPLES
        scored = func.sum(r.c.scored)
        per_team = rollup_filter(
            select(
                r.c.team_key.label("team_id"),
                r.c.principle.label("principle"),
                rollups.average(func.sum(r.c.score_units), scored).label("average"),
                scored.label("scored"),
            )
            .group_by(r.c.team_key, r.c.principle)
            .having(scored > 0),
            flt,
            r,
        ).subquery("per_team")
    else:
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


def day_period(dialect: str, day, bucket: str):
    """``period_expr`` for a date column (PostgreSQL has no date_trunc for a date: truncate it as a timestamp,
    never as one with a time zone)."""
    return period_expr(dialect, cast(day, DateTime()) if dialect == "postgresql" else day, bucket)


def export_statement(principles: list[str], flt: AttemptFilter) -> Select:
    """One row per attempt (the columns of ``facade.EXPORT_COLUMNS``), its latest review's reviewer, time and
    comment, and every principle's score of record pivoted into its own column (conditional aggregation). The
    pivot groups only the score rows under ``flt`` (their copies of the attempt's columns), not every score row."""
    a, s = AttemptRow, AttemptScoreRow
    pivot = apply_score_filter(
        select(
            s.attempt_id,
            *[func.max(case((s.principle == p, s.score))).label(f"p_{i}") for i, p in enumerate(principles)],
        ).group_by(s.attempt_id),
        flt,
    ).subquery("pivot")
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
            score_grader(a, review.id).label("score_grader_version"),
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


def score_grader(attempts, latest_review_id):
    """The grader version behind an attempt's score of record: NULL when a coach's review is (``latest_review_id``
    not NULL), else the re-grade's grader when one became the score of record, else the grader that graded it."""
    return case(
        (latest_review_id.is_not(None), None), else_=func.coalesce(attempts.regraded_version, attempts.grader_version)
    )


def score_sources(session: Session, flt: AttemptFilter, *, read_rollups: bool = True) -> list[tuple[str | None, int]]:
    """How many attempts under ``flt`` have their score of record from each grader version (None: from a coach's
    review), most first, coach reviews last. From ``rollup_score_sources`` when it can answer, else one GROUP BY
    over the attempts, hash-joined to the few reviewed ids."""
    if read_rollups and rollups.covers(flt, rollups.SOURCES):
        r = rollups.SOURCES
        n = func.sum(r.c.attempts)
        # A source whose attempts all moved to another (reviewed, re-graded) keeps rows counting 0: left out.
        stmt = rollup_filter(select(r.c.source, n).group_by(r.c.source).having(n > 0), flt, r)
        counts = [(None if source == rollups.COACH_REVIEW else source, int(n)) for source, n in session.execute(stmt)]
    else:
        a = AttemptRow
        reviewed = select(ReviewRow.attempt_id.label("attempt_id")).distinct().subquery("reviewed")
        source = score_grader(a, reviewed.c.attempt_id).label("source")
        stmt = apply_filter(
            select(source, func.count(a.id)).select_from(a).outerjoin(reviewed, reviewed.c.attempt_id == a.id), flt
        ).group_by(source)
        counts = [(version, int(n)) for version, n in session.execute(stmt)]
    return sorted(counts, key=lambda row: (row[0] is None, -row[1], row[0] or ""))


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


def _day(value) -> date | None:
    """A UTC day from a rollup's date or an attempt's naive UTC time (SQLite may give either as text)."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    return from_db_time(value).date()
