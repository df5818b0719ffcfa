"""HR aggregates against a small data set whose answers are worked out by hand below."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from storage_helpers import new_attempt

from replycoach.storage.types import AttemptFilter

MON = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # week of 2025-03-03
SUN = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)  # still that week (weeks start on Monday)
NEXT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # the next week, and still March
APRIL = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def data(store, people):
    """olga (Store A): 60 @MON (120 s), 80 @SUN (60 s), 90 @NEXT (30 s)
    daria (Store B): 50 @MON (300 s), 100 @APRIL (90 s)
    Principle scores: empathy 0.0/0.5/1.0 for olga, 0.5/None for daria; apology 1.0 everywhere."""
    olga, daria = people["olga"], people["daria"]
    rows = [
        (olga, 60, MON, 120, 0.0),
        (olga, 80, SUN, 60, 0.5),
        (olga, 90, NEXT, 30, 1.0),
        (daria, 50, MON, 300, 0.5),
        (daria, 100, APRIL, 90, None),
    ]
    for user, score, at, seconds, empathy in rows:
        store.add_attempt(
            new_attempt(user, score=score, at=at, seconds=seconds, principles={"empathy": empathy, "apology": 1.0})
        )
    return people


def test_key_figures(reader, data):
    store = reader
    # The median read from the rollups is placed within its 10% bucket; from the attempts it is exact.
    median = (lambda exact: pytest.approx(exact, rel=0.1)) if store.read_rollups else pytest.approx
    figures = store.key_figures(data["hr"])
    assert figures.active_trainees == 2 and figures.attempts == 5
    assert figures.average_score == pytest.approx((60 + 80 + 90 + 50 + 100) / 5)
    assert figures.pass_rate == pytest.approx(3 / 5)  # 80, 90, 100 pass at 70
    assert figures.median_response_seconds == median(90)  # 30, 60, 90, 120, 300
    team_a = store.key_figures(data["hr"], AttemptFilter(teams=("Store A",)))
    assert (team_a.attempts, team_a.median_response_seconds) == (3, median(60))
    even = store.key_figures(data["admin"], AttemptFilter(until=APRIL))  # 30, 60, 120, 300 -> (60 + 120) / 2
    assert even.median_response_seconds == pytest.approx(90)  # APRIL is 08:00: a time of day reads the attempts
    empty = store.key_figures(data["hr"], AttemptFilter(case_ids=("none",)))
    assert (empty.attempts, empty.average_score, empty.pass_rate, empty.median_response_seconds) == (
        0,
        None,
        None,
        None,
    )


def test_score_over_time_by_week_and_month(store, reader, data):
    weeks = reader.score_over_time(data["hr"], bucket="week")
    assert [(r["period"], r["username"], r["team"], r["attempts"], r["average_score"]) for r in weeks] == [
        (date(2025, 3, 3), "daria", "Store B", 1, 50.0),
        (date(2025, 3, 3), "olga", "Store A", 2, 70.0),
        (date(2025, 3, 10), "olga", "Store A", 1, 90.0),
        (date(2025, 3, 31), "daria", "Store B", 1, 100.0),
    ]
    months = reader.score_over_time(data["hr"], bucket="month")
    assert [(r["period"], r["username"], r["average_score"]) for r in months] == [
        (date(2025, 3, 1), "daria", 50.0),
        (date(2025, 3, 1), "olga", pytest.approx(230 / 3)),
        (date(2025, 4, 1), "daria", 100.0),
    ]
    days = reader.score_over_time(data["hr"], AttemptFilter(user_ids=(data["olga"].id,)), bucket="day")
    assert [r["period"] for r in days] == [date(2025, 3, 3), date(2025, 3, 9), date(2025, 3, 10)]
    with pytest.raises(ValueError, match="bucket"):
        reader.score_over_time(data["hr"], bucket="year; DROP TABLE users")


def test_principle_over_time_ignores_not_applicable(store, reader, data):
    rows = reader.principle_over_time(data["hr"], bucket="week")
    got = {(r["period"], r["principle"]): (r["average"], r["attempts"]) for r in rows}
    assert got == {
        (date(2025, 3, 3), "apology"): (1.0, 3),
        (date(2025, 3, 3), "empathy"): (pytest.approx(1 / 3), 3),  # 0.0, 0.5, 0.5
        (date(2025, 3, 10), "apology"): (1.0, 1),
        (date(2025, 3, 10), "empathy"): (1.0, 1),
        (date(2025, 3, 31), "apology"): (1.0, 1),  # daria's empathy was N/A: no empathy row that week
    }


def test_team_principle_matrix(store, reader, data):
    rows = reader.team_principle_matrix(data["hr"])
    got = {(r["team"], r["principle"]): (r["average"], r["attempts"]) for r in rows}
    assert got == {
        ("Store A", "apology"): (1.0, 3),
        ("Store A", "empathy"): (0.5, 3),
        ("Store B", "apology"): (1.0, 2),
        ("Store B", "empathy"): (0.5, 1),
    }
    since_next = reader.team_principle_matrix(data["coach"], AttemptFilter(since=NEXT))
    assert {(r["team"], r["principle"]) for r in since_next} == {
        ("Store A", "apology"),
        ("Store A", "empathy"),
        ("Store B", "apology"),
    }


def test_export_rows_have_a_column_per_principle(store, data):
    rows = list(store.iter_export_rows(data["hr"]))
    assert len(rows) == 5 and [r["attempt_id"] for r in rows] == sorted(r["attempt_id"] for r in rows)
    assert store.export_principles() == ["empathy", "apology"]  # the casebook's order
    daria_april = next(r for r in rows if r["submitted_at"] == APRIL)
    assert daria_april["username"] == "daria" and daria_april["team"] == "Store B"
    assert daria_april["principles"] == {"empathy": None, "apology": 1.0} and daria_april["score"] == 100.0
    assert daria_april["handling"] == "public_reply"  # the chosen handling, never a principle's score
    olga_rows = list(store.iter_export_rows(data["hr"], AttemptFilter(teams=("Store A",))))
    assert [r["principles"]["empathy"] for r in olga_rows] == [0.0, 0.5, 1.0]
    assert olga_rows[0]["display_name"] == "Olga M."
    assert store.team_principle_matrix(data["hr"], AttemptFilter(teams=())) == []


def test_moved_trainee_keeps_team_history(store, reader, data):
    store.set_team("olga", "Store B")
    rows = reader.team_principle_matrix(data["hr"])
    assert {r["team"] for r in rows} == {"Store A", "Store B"}
    assert next(r for r in rows if r["team"] == "Store A" and r["principle"] == "apology")["attempts"] == 3
