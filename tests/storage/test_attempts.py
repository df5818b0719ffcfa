"""Attempts: stored once per submit, read back whole, and only by those allowed to see them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from storage_helpers import T0, new_attempt

from replycoach.storage.types import AttemptFilter, Forbidden, MissingEntry


def test_attempt_round_trips_every_field(store, people):
    olga = people["olga"]
    sent = new_attempt(olga, principles={"empathy": 0.5, "apology": None}, llm_json={"verdict": "ok"},
                       needs_review=True, language="ru", reply="Ольга, простите нас!")  # fmt: skip
    stored = store.add_attempt(sent)
    again = store.get_attempt(stored.id, olga)
    assert again == stored
    assert (again.username, again.team, again.language, again.reply) == ("olga", "Store A", "ru", sent.reply)
    assert again.principles == {"empathy": 0.5, "apology": None}
    assert again.submitted_at == T0 and again.submitted_at.tzinfo is not None
    assert again.opened_at == T0 - timedelta(seconds=120)
    assert again.grade_json == sent.grade_json and again.llm_json == {"verdict": "ok"}
    assert again.needs_review and again.review is None and again.turn == 1 and again.parent_id is None


def test_same_client_token_stores_one_attempt(store, people):
    olga = people["olga"]
    first = store.add_attempt(new_attempt(olga, token="reload-1", score=80))
    retry = store.add_attempt(new_attempt(olga, token="reload-1", score=20))  # a reload re-sends the form
    assert retry == first and retry.score == 80
    assert store.count_attempts(people["coach"]) == 1


def test_a_stored_turn_is_found_by_its_token_for_its_trainee_only(store, people):
    olga, daria = people["olga"], people["daria"]
    stored = store.add_attempt(new_attempt(olga, token="turn-1"))
    assert store.stored_turn(olga, "turn-1") == stored.id
    assert store.stored_turn(olga, "turn-2") is None  # not submitted yet
    assert store.stored_turn(daria, "turn-1") is None  # a token names no one else's attempt


def test_team_on_an_attempt_is_the_team_at_submit_time(store, people):
    store.add_attempt(new_attempt(people["olga"], token="before"))
    store.set_team("olga", "Store B")
    store.add_attempt(new_attempt(people["olga"], token="after", at=T0 + timedelta(days=1)))
    teams = [a.team for a in store.list_attempts(people["coach"])]
    assert teams == ["Store B", "Store A"]  # newest first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_token": ""}, "client_token"),
        ({"score": 101.0}, "0-100"),
        ({"score": -1.0}, "0-100"),
        ({"turn": 2}, "Turn"),
        ({"parent_id": 1}, "Turn"),
    ],
)
def test_bad_attempts_are_refused_and_nothing_is_stored(store, people, change, message):
    with pytest.raises(ValueError, match=message):
        store.add_attempt(replace(new_attempt(people["olga"]), **change))
    assert store.count_attempts(people["coach"]) == 0


def test_bad_principle_scores_are_refused(store, people):
    with pytest.raises(ValueError, match="within 0-1"):
        store.add_attempt(new_attempt(people["olga"], principles={"empathy": 1.5}))
    dup = new_attempt(people["olga"])
    with pytest.raises(ValueError, match="twice"):
        store.add_attempt(replace(dup, principles=dup.principles * 2))
    assert store.count_attempts(people["coach"]) == 0


def test_unknown_user_or_foreign_parent_is_missing(store, people):
    with pytest.raises(MissingEntry):
        store.add_attempt(replace(new_attempt(people["olga"]), user_id=9999))
    daria_first = store.add_attempt(new_attempt(people["daria"]))
    follow_up = new_attempt(people["olga"], turn=2, parent_id=daria_first.id, token="t2")
    with pytest.raises(MissingEntry):  # answering someone else's conversation
        store.add_attempt(follow_up)
    assert store.count_attempts(people["coach"], AttemptFilter(turn=None)) == 1


def test_trainee_cannot_reach_anothers_attempts(store, people):
    olga, daria, coach, hr = people["olga"], people["daria"], people["coach"], people["hr"]
    mine = store.add_attempt(new_attempt(olga, token="o1"))
    theirs = store.add_attempt(new_attempt(daria, token="d1"))
    with pytest.raises(MissingEntry) as by_id:
        store.get_attempt(theirs.id, olga)
    with pytest.raises(MissingEntry) as nonexistent:
        store.get_attempt(99999, olga)
    assert str(by_id.value) == f"Attempt {theirs.id} not found."  # the same words as for one that isn't there
    assert str(nonexistent.value) == "Attempt 99999 not found."
    # a list asking for someone else's attempts is narrowed to the trainee's own
    assert [a.id for a in store.list_attempts(olga, AttemptFilter(user_ids=(daria.id,)))] == [mine.id]
    assert store.count_attempts(olga) == 1
    with pytest.raises(MissingEntry):
        store.case_progress(daria.id, olga)
    with pytest.raises(MissingEntry):
        store.follow_up_attempts(theirs.id, olga)
    with pytest.raises(MissingEntry):
        store.review_history(theirs.id, olga)
    assert [r["attempt_id"] for r in store.iter_export_rows(olga)] == [mine.id]
    for aggregate in (store.key_figures, store.score_over_time, store.principle_over_time, store.team_principle_matrix):
        with pytest.raises(Forbidden):
            aggregate(olga)
    # coaches and HR see everyone's
    assert {a.id for a in store.list_attempts(coach)} == {mine.id, theirs.id}
    assert store.get_attempt(theirs.id, hr).id == theirs.id
    assert len(store.case_progress(daria.id, coach)) == 1


def test_list_filters_and_paging(store, people):
    olga, daria, coach = people["olga"], people["daria"], people["coach"]
    for day in range(5):
        store.add_attempt(new_attempt(olga, "price-horror", token=f"o{day}", at=T0 + timedelta(days=day)))
    store.add_attempt(new_attempt(daria, "dress-hole", token="d", language="de", at=T0 + timedelta(days=2)))
    newest_first = store.list_attempts(coach)
    assert [a.submitted_at for a in newest_first] == sorted((a.submitted_at for a in newest_first), reverse=True)
    assert len(store.list_attempts(coach, limit=2)) == 2
    assert store.list_attempts(coach, limit=2, offset=5)[0].username == "olga"
    assert [a.username for a in store.list_attempts(coach, AttemptFilter(teams=("Store B",)))] == ["daria"]
    assert [a.case_id for a in store.list_attempts(coach, AttemptFilter(languages=("de",)))] == ["dress-hole"]
    window = AttemptFilter(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3))
    assert store.count_attempts(coach, window) == 3
    assert store.count_attempts(coach, AttemptFilter(case_ids=("price-horror",))) == 5


def test_follow_ups_progress_done_cases_and_earlier_replies(store, people):
    olga = people["olga"]
    first = store.add_attempt(new_attempt(olga, "price-horror", token="a", score=40, at=T0))
    store.add_attempt(new_attempt(olga, "price-horror", token="b", score=90, at=T0 + timedelta(hours=1)))
    store.add_attempt(new_attempt(olga, "price-horror", token="c", score=70, at=T0 + timedelta(hours=2)))
    store.add_attempt(new_attempt(olga, "dress-hole", token="d", score=55, at=T0 + timedelta(hours=3)))
    answer = store.add_attempt(
        new_attempt(
            olga,
            "price-horror",
            token="e",
            turn=2,
            parent_id=first.id,
            follow_up_text="And now?",
            at=T0 + timedelta(minutes=5),
        )  # fmt: skip
    )
    assert store.follow_up_attempts(first.id, olga) == [answer]
    assert answer.follow_up_text == "And now?"
    progress = {row["case_id"]: row for row in store.case_progress(olga.id, olga)}
    assert progress["price-horror"] == {
        "case_id": "price-horror",
        "attempts": 3,  # the follow-up turn is not a new attempt at the case
        "first_score": 40.0,
        "best_score": 90.0,
        "latest_score": 70.0,
        "passed_latest": True,
        "last_attempt_at": T0 + timedelta(hours=2),
    }
    assert progress["dress-hole"]["attempts"] == 1 and progress["dress-hole"]["passed_latest"] is False
    assert store.done_case_ids(olga.id) == {"price-horror", "dress-hole"}
    assert store.done_case_ids(people["daria"].id) == set()
    replies = store.earlier_replies(olga.id, exclude_case="dress-hole")
    assert len(replies) == 4 and all("price-horror" in r for r in replies)
    assert store.earlier_replies(olga.id, limit=1) == ["Dear customer, we are sorry (dress-hole)."]


def test_mark_needs_review(store, people):
    attempt = store.add_attempt(new_attempt(people["olga"]))
    store.mark_needs_review(attempt.id)
    assert store.get_attempt(attempt.id, people["coach"]).needs_review
    store.mark_needs_review(attempt.id, False)
    assert not store.get_attempt(attempt.id, people["coach"]).needs_review
    with pytest.raises(MissingEntry):
        store.mark_needs_review(99999)


def test_cache_put_get_and_overwrite(store):
    assert store.cache_get("judge:abc") is None
    store.cache_put("judge:abc", '{"empathy": "yes"}')
    store.cache_put("judge:abc", '{"empathy": "no"}')
    assert store.cache_get("judge:abc") == '{"empathy": "no"}'
    with pytest.raises(ValueError):
        store.cache_put("", "x")


def test_score_rows_repeat_their_attempts_columns_for_the_dashboards(store, people):
    """The dashboards read attempt_scores alone: each score row must carry its attempt's filter values."""
    from sqlalchemy import select

    from replycoach.storage.models import AttemptRow, AttemptScoreRow

    olga, daria = people["olga"], people["daria"]
    late = T0.replace(hour=23, minute=59, second=59)  # the UTC day is what counts, not a local one
    first = store.add_attempt(new_attempt(olga, at=late, language="de"))
    store.add_attempt(new_attempt(olga, token="turn-2", turn=2, parent_id=first.id, at=late + timedelta(seconds=2)))
    store.set_team("olga", "Store C")  # later attempts carry the new team, earlier ones keep theirs
    store.bulk_add_attempts(
        [new_attempt(olga, "case-b", token="bulk-1", language="ru"), new_attempt(daria, "case-c", token="bulk-2")]
    )
    copied = ("user_id", "team_id", "case_id", "language", "turn", "submitted_at")
    with store.engine.connect() as connection:
        attempts = {row.id: row for row in connection.execute(select(AttemptRow.__table__))}
        scores = connection.execute(select(AttemptScoreRow.__table__)).all()
    assert len(attempts) == 4 and len(scores) == 8
    for row in scores:
        attempt = attempts[row.attempt_id]
        assert tuple(getattr(row, c) for c in copied) == tuple(getattr(attempt, c) for c in copied)
        assert row.submitted_on == attempt.submitted_at.date()
    assert {row.submitted_on for row in scores if row.attempt_id == first.id} == {late.date()}
    assert len({row.team_id for row in scores if row.user_id == olga.id}) == 2


def test_bulk_inserts_keep_every_character_and_value(store, people):
    """Bulk inserts go through PostgreSQL's COPY text format: tabs, line breaks, backslashes and any script in
    a reply or the grade must come back as they went in."""
    olga = people["olga"]
    reply = "Dear Olga,\tsorry!\nC:\\path \\N \\\\ «ünïcödé» Привет 😀\r\nBye"
    grade = {"score": 75.5, "warnings": ["tab\there", "back\\slash", None], "nested": {"ok": True}}
    at = T0.replace(microsecond=123456)
    store.bulk_add_attempts([new_attempt(olga, reply=reply, token="bulk-chars", at=at, grade_json=grade,
                                         principles={"empathy": None, "apology": 0.3333})])  # fmt: skip
    coach = people["coach"]
    [stored] = store.list_attempts(coach)
    assert stored.reply == reply and stored.grade_json == grade
    assert stored.submitted_at == at and stored.principles == {"empathy": None, "apology": 0.3333}
    assert (stored.passed, stored.needs_review, stored.turn, stored.parent_id) == (True, False, 1, None)
