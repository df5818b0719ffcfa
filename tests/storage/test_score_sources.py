"""Issue 10: HR figures say which grader version their scores come from. The grader behind a score of record is a
coach's review if reviewed, else the re-grade that became the score of record, else the grader that graded it; the
exports carry it per attempt. The dashboard reads the counts from a rollup (``reader``: both ways, same answers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_helpers import T0, new_attempt

from replycoach.storage import rollups
from replycoach.storage.types import AttemptFilter, Forbidden

MIDNIGHT = T0.replace(hour=0)


def test_scores_are_counted_by_the_grader_behind_their_score_of_record(store, reader, people):
    olga, daria, coach, hr = people["olga"], people["daria"], people["coach"], people["hr"]
    made = [
        store.add_attempt(new_attempt(olga, token=f"v1-{i}", grader_version="2.0.a.b", at=T0 + timedelta(hours=i)))
        for i in range(3)
    ]
    made.append(store.add_attempt(new_attempt(daria, token="v2", grader_version="2.1.c.d")))
    regraded = store.add_attempt(new_attempt(daria, token="re", grader_version="2.0.a.b"))
    assert store.add_regrade(regraded.id, grader_version="2.1.c.d", score=60.0, passed=False, principles={})
    store.add_review(made[0].id, coach, scores={}, overall=80, comment="", pass_mark=70)
    store.add_review(made[0].id, coach, scores={}, overall=85, comment="again", pass_mark=70)  # still one attempt

    assert reader.score_sources(hr) == [("2.0.a.b", 2), ("2.1.c.d", 2), (None, 1)]
    assert reader.score_sources(hr, AttemptFilter(teams=("Store B",))) == [("2.1.c.d", 2)]
    the_day = AttemptFilter(since=MIDNIGHT, until=MIDNIGHT + timedelta(days=1))  # whole days: the rollup answers
    assert rollups.covers(the_day, rollups.SOURCES)
    assert reader.score_sources(hr, the_day) == [("2.0.a.b", 2), ("2.1.c.d", 2), (None, 1)]
    assert reader.score_sources(hr, AttemptFilter(since=MIDNIGHT + timedelta(days=30))) == []
    assert reader.score_sources(hr, AttemptFilter(until=T0 + timedelta(hours=1))) == [("2.1.c.d", 2), (None, 1)]

    rows = {r["attempt_id"]: r for r in store.iter_export_rows(hr)}
    assert rows[made[0].id]["score_grader_version"] is None  # the coach's review is the score of record
    assert rows[made[1].id]["score_grader_version"] == "2.0.a.b"
    assert rows[regraded.id]["score_grader_version"] == "2.1.c.d"
    assert rows[regraded.id]["grader_version"] == "2.0.a.b"  # the grader that graded it stays beside it


def test_a_trainee_may_not_see_where_everyones_scores_come_from(store, people):
    with pytest.raises(Forbidden):
        store.score_sources(people["olga"])


def test_a_score_without_a_grader_version_is_refused(store, people):
    """An empty version would be counted as a coach's review by the dashboard's line (``rollups.COACH_REVIEW``)."""
    with pytest.raises(ValueError, match="version of the grader"):
        store.add_attempt(new_attempt(people["olga"], grader_version=""))
    attempt = store.add_attempt(new_attempt(people["olga"]))
    with pytest.raises(ValueError, match="version of the grader"):
        store.add_regrade(attempt.id, grader_version="", score=50.0, passed=False, principles={})
    assert store.score_sources(people["hr"]) == [("test-1", 1)]
