"""The daily rollups the HR dashboard reads (decision 0009) answer exactly what the attempts answer: after
generated histories, single submits from many threads, a score changed after the attempt was stored (a
coach's review or a re-grade as the score of record, which also changes the grader its score comes from), and
the migrations that fill them from attempts already stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from storage_helpers import PASSWORD, T0, new_attempt

from replycoach.storage import rollups
from replycoach.storage.facade import Store, _alembic_config
from replycoach.storage.history import generate_history
from replycoach.storage.models import AttemptRow, AttemptScoreRow
from replycoach.storage.types import AttemptFilter, Role, User

END = datetime(2025, 6, 30, 18, 0, tzinfo=UTC)
HR = User(0, "hr", "HR", Role.hr, None)
DAY = timedelta(days=1)
MIDNIGHT = END.replace(hour=0)


@pytest.fixture
def history(store):
    """Two generated histories (teams Store A-C), second turns, and a trainee without a team."""
    cases = ["price-complaint", "late-delivery", "troll-insult"]
    generate_history(store, trainees=9, attempts=300, teams=3, months=2, seed=1, case_ids=cases, end=END)
    loner = store.add_user("loner", PASSWORD, Role.trainee)
    first = store.add_attempt(new_attempt(loner, "late-delivery", at=END - 3 * DAY, language="de"))
    store.add_attempt(new_attempt(loner, "late-delivery", at=END - 3 * DAY, turn=2, parent_id=first.id, token="t2"))
    trainee = store.find_user("gen1-t0001")
    parent = store.list_attempts(trainee, limit=1)[0]
    store.add_attempt(new_attempt(trainee, parent.case_id, at=END - DAY, turn=2, parent_id=parent.id, token="t2b"))
    return store


FILTERS = {
    "everything": AttemptFilter(turn=None),
    "first turns": AttemptFilter(),
    "second turns": AttemptFilter(turn=2),
    "one team": AttemptFilter(teams=("Store B",)),
    "teams and languages": AttemptFilter(teams=("Store A", "Store C"), languages=("en", "ru")),
    "one case": AttemptFilter(case_ids=("late-delivery",)),
    "thirty days": AttemptFilter(since=MIDNIGHT - 30 * DAY, until=MIDNIGHT + DAY),  # Saturday to Monday
    "within a week": AttemptFilter(since=MIDNIGHT - 6 * DAY, until=MIDNIGHT - 2 * DAY),  # no whole week
    "from a Monday on": AttemptFilter(since=MIDNIGHT - 14 * DAY),
    "no team at all": AttemptFilter(teams=()),
    "one trainee": AttemptFilter(user_ids=(1, 2)),
    "a time of day": AttemptFilter(since=END - 20 * DAY),
}
AGGREGATES = ("score_over_time", "team_over_time", "trainee_summary", "principle_over_time", "team_principle_matrix")


def _close(value):
    """``value`` with every float compared to within a millionth (rollups sum whole millionths of each score)."""
    if isinstance(value, float):
        return pytest.approx(value, abs=1e-6)
    if isinstance(value, dict):
        return {k: _close(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_close(v) for v in value]
    return value


def _same_answers(store: Store, flt: AttemptFilter) -> None:
    direct = Store(store.url, rollups=False)
    try:
        for name in AGGREGATES:
            assert getattr(store, name)(HR, flt) == _close(getattr(direct, name)(HR, flt)), name
        for bucket in ("day", "month"):  # read from day rows only: a week row can straddle two months
            for name in ("team_over_time", "score_over_time", "principle_over_time"):
                mine = getattr(store, name)(HR, flt, bucket=bucket)
                assert mine == _close(getattr(direct, name)(HR, flt, bucket=bucket)), (name, bucket)
        mine, exact = store.key_figures(HR, flt), direct.key_figures(HR, flt)
        assert (mine.active_trainees, mine.attempts) == (exact.active_trainees, exact.attempts)
        assert [mine.average_score, mine.pass_rate] == _close([exact.average_score, exact.pass_rate])
        if exact.median_response_seconds is None:
            assert mine.median_response_seconds is None
        else:  # within the width of one 10% bucket
            assert mine.median_response_seconds == pytest.approx(exact.median_response_seconds, rel=0.1)
        assert store.export_principles() == direct.export_principles()
        assert store.score_sources(HR, flt) == direct.score_sources(HR, flt)
    finally:
        direct.close()


@pytest.mark.parametrize("flt", FILTERS.values(), ids=FILTERS.keys())
def test_rollups_answer_what_the_attempts_answer(history, flt):
    _same_answers(history, flt)


def test_only_whole_days_without_trainee_or_review_filters_read_the_rollups():
    covered = [name for name, flt in FILTERS.items() if rollups.covers(flt, rollups.ATTEMPTS)]
    assert covered == ["everything", "first turns", "second turns", "one team", "teams and languages", "one case",
                       "thirty days", "within a week", "from a Monday on", "no team at all"]  # fmt: skip
    assert not rollups.covers(AttemptFilter(case_ids=("late-delivery",)), rollups.TRAINEES)  # no case column
    assert not rollups.covers(AttemptFilter(reviewed=True), rollups.PRINCIPLES)


def _snapshot(store: Store) -> dict[str, set[tuple]]:
    with store.engine.connect() as connection:
        return {table.name: set(connection.execute(select(table))) for table in rollups.TABLES}


def _rescore(store: Store, attempt_id: int, overall: float, principles: dict[str, float | None]) -> None:
    """A review making new scores the attempt's score of record, the way the review path does it."""
    with Session(store.engine) as s, s.begin(), rollups.rescoring(s, attempt_id):
        s.execute(update(AttemptRow).where(AttemptRow.id == attempt_id).values(score=overall, passed=overall >= 70))
        for principle, score in principles.items():
            s.execute(
                update(AttemptScoreRow)
                .where(AttemptScoreRow.attempt_id == attempt_id, AttemptScoreRow.principle == principle)
                .values(score=score)
            )


def test_a_changed_score_moves_the_rollups_by_a_delta_and_back(history):
    store = history
    attempt = store.list_attempts(HR, AttemptFilter(teams=("Store A",)), limit=1)[0]
    original = {p: s for p, s in attempt.principles.items()}
    scored, other = [p for p, s in original.items() if s is not None][:2]
    before = _snapshot(store)

    _rescore(store, attempt.id, 12.5, {scored: 0.0, other: None})

    after = _snapshot(store)
    changed = {name: after[name] - before[name] for name in after}
    # A delta: the attempt's day row and week row per table, and per rescored principle (the response time
    # did not change).
    assert {name: len(rows) for name, rows in changed.items()} == {
        "rollup_attempts": 2, "rollup_principles": 4, "rollup_trainees": 2, "rollup_response_times": 0,
        "rollup_score_sources": 0,  # the same grader's score
    }  # fmt: skip
    for flt in (AttemptFilter(), AttemptFilter(teams=("Store A",), case_ids=(attempt.case_id,))):
        _same_answers(store, flt)
    assert store.get_attempt(attempt.id, HR).score == 12.5

    _rescore(store, attempt.id, attempt.score, {scored: original[scored], other: original[other]})
    assert _snapshot(store) == before  # whole millionths: back to exactly the rows it started from


def test_a_coachs_review_moves_the_dashboard_numbers_as_the_attempts_do(history):
    """The review path itself (``add_review``, the score of record): the rollups follow it in its transaction,
    so the dashboard's numbers read from them are what a query over the attempts gives, the score counts as the
    coach's from then on, and a later review back to the machine's scores leaves the score rollups exactly as
    they were."""
    store = history
    coach = store.add_user("coach", PASSWORD, Role.coach)
    team_a = AttemptFilter(teams=("Store A",))
    assert all(rollups.covers(team_a, table) for table in rollups.TABLES)
    attempt = store.list_attempts(HR, team_a, limit=1)[0]
    scored, other = [p for p, s in attempt.principles.items() if s is not None][:2]
    overall = 0.0 if attempt.score >= 50 else 100.0
    before, kept = store.key_figures(HR, team_a), _snapshot(store)
    assert store.score_sources(HR, team_a) == [("generated-history", before.attempts)]

    store.add_review(attempt.id, coach, scores={scored: 0.0, other: None}, overall=overall, comment="", pass_mark=70)

    after = store.key_figures(HR, team_a)
    assert after.attempts == before.attempts
    assert after.average_score == pytest.approx(before.average_score + (overall - attempt.score) / before.attempts)
    passes = before.pass_rate * before.attempts + (overall >= 70) - attempt.passed
    assert after.pass_rate == pytest.approx(passes / before.attempts)
    for flt in (AttemptFilter(), team_a, AttemptFilter(teams=("Store A",), case_ids=(attempt.case_id,))):
        _same_answers(store, flt)
    assert store.get_attempt(attempt.id, HR).principles[other] is None
    assert store.score_sources(HR, team_a) == [("generated-history", before.attempts - 1), (None, 1)]

    store.add_review(attempt.id, coach, scores={}, overall=None, comment="The machine was right.", pass_mark=70)
    assert store.get_attempt(attempt.id, HR).score == attempt.score
    now = _snapshot(store)
    assert {name: now[name] == kept[name] for name in kept} == {
        "rollup_attempts": True, "rollup_principles": True, "rollup_trainees": True, "rollup_response_times": True,
        "rollup_score_sources": False,  # the coach's word, even when it is the machine's score
    }  # fmt: skip
    assert store.score_sources(HR, team_a) == [("generated-history", before.attempts - 1), (None, 1)]
    _same_answers(store, team_a)


def test_submits_from_many_threads_and_two_processes_lose_no_count(store_url, store):
    users = [store.add_user(f"trainee{i}", PASSWORD, Role.trainee, team=f"Store {i % 2}") for i in range(8)]
    stores = [Store(store_url), Store(store_url)]  # two app processes' connection pools

    def submit(index: int) -> None:
        for n in range(15):  # the same day, team and case for many of them: the same rollup rows
            attempt = new_attempt(users[index], f"case-{n % 2}", token=f"{index}-{n}", at=T0 + timedelta(minutes=n))
            stores[index % 2].add_attempt(attempt)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(submit, range(8), timeout=300))
    assert store.key_figures(HR).attempts == 8 * 15
    _same_answers(store, AttemptFilter())
    for s in stores:
        s.close()


def test_the_migration_fills_the_rollups_as_the_facade_keeps_them(history):
    store = history
    kept = _snapshot(store)
    assert all(kept.values())
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")  # the rollups are gone
    store.upgrade()  # and are filled again from the attempts
    assert _snapshot(store) == kept
    _same_answers(store, AttemptFilter())


def test_a_regrade_moves_the_dashboard_numbers_as_the_attempts_do(history):
    """A re-grade by a newer grader becomes the score of record through the same path as a review: the
    rollups follow it in its transaction (the score now comes from the newer grader), and a reviewed attempt
    keeps the coach's score."""
    store = history
    team_a = AttemptFilter(teams=("Store A",))
    first, second = store.list_attempts(HR, team_a, limit=2)
    new_scores = {p: (1.0 if (s or 0) < 0.5 else 0.0) for p, s in first.principles.items() if s is not None}
    before = store.key_figures(HR, team_a)

    changed = store.add_regrade(first.id, grader_version="v-new", score=12.5, passed=False, principles=new_scores)

    assert changed
    after = store.key_figures(HR, team_a)
    assert after.average_score == pytest.approx(before.average_score + (12.5 - first.score) / before.attempts)
    for flt in (AttemptFilter(), team_a, AttemptFilter(teams=("Store A",), case_ids=(first.case_id,))):
        _same_answers(store, flt)
    regraded = store.get_attempt(first.id, HR)
    assert (regraded.score, regraded.grader_version) == (12.5, first.grader_version)  # its own grade's version stays
    assert regraded.principles == pytest.approx({**first.principles, **new_scores})
    assert store.score_sources(HR, team_a) == [("generated-history", before.attempts - 1), ("v-new", 1)]

    assert store.add_regrade(first.id, grader_version="v-newer", score=12.5, passed=False, principles=new_scores)
    assert store.score_sources(HR, team_a) == [("generated-history", before.attempts - 1), ("v-newer", 1)]
    _same_answers(store, team_a)

    coach = store.add_user("coach", PASSWORD, Role.coach)
    store.add_review(second.id, coach, scores={}, overall=88.0, comment="", pass_mark=70)
    assert not store.add_regrade(second.id, grader_version="v-new", score=5.0, passed=False, principles={})
    assert store.get_attempt(second.id, HR).score == 88.0
    assert store.score_sources(HR, team_a) == [("generated-history", before.attempts - 2), ("v-newer", 1), (None, 1)]
    _same_answers(store, team_a)


def test_the_migration_fills_the_score_sources_as_the_facade_keeps_them(history):
    """Migration 0008 counts each attempt under what made its score of record (a review, a re-grade, or the
    grader that graded it) exactly as the facade does while reviews and re-grades come in."""
    store = history
    coach = store.add_user("coach", PASSWORD, Role.coach)
    first, second, third = store.list_attempts(HR, AttemptFilter(teams=("Store B",)), limit=3)
    store.add_regrade(first.id, grader_version="v-new", score=50.0, passed=False, principles={})
    store.add_regrade(second.id, grader_version="v-new", score=50.0, passed=False, principles={})
    store.add_review(second.id, coach, scores={}, overall=90.0, comment="", pass_mark=70)
    store.add_review(third.id, coach, scores={}, overall=90.0, comment="", pass_mark=70)
    store.add_review(third.id, coach, scores={}, overall=80.0, comment="again", pass_mark=70)
    kept = _counting(_snapshot(store))
    assert {source for *_, source, _ in kept["rollup_score_sources"]} == {
        "generated-history", "test-1", "v-new", rollups.COACH_REVIEW,
    }  # fmt: skip
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")  # only the score sources are gone (0006 keeps the re-grades)
    store.upgrade()
    assert _counting(_snapshot(store)) == kept
    _same_answers(store, AttemptFilter(teams=("Store B",)))


def _counting(snapshot: dict[str, set[tuple]]) -> dict[str, set[tuple]]:
    """The rows that count attempts: when every attempt of a score-source row moves to another source (a
    review, a re-grade), the facade keeps the row at 0 (the dashboard skips it), where a migration fills none."""
    sources = rollups.SOURCES.name
    return {**snapshot, sources: {row for row in snapshot[sources] if row.attempts}}
