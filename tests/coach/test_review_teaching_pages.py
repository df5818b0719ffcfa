"""Issue 10 on the review page: the queue asks where a review teaches the grader most and says why; a review of an
attempt whose case was deleted or changed is refused with a clear message (a changed one goes through once the
coach confirms); "Use as an exemplar" proposes the reply to its case through the studio's save."""

from __future__ import annotations

import pytest
from coach_support import attempt_for, page_as, texts

from replycoach.cases.loader import validate_text
from replycoach.storage.types import Role


@pytest.fixture
def queue(store, users):
    """A sure attempt (flagged, far from the pass mark, its casebook estimate agreeing) and an unsure one (near
    the pass mark, empathy near one half, no casebook estimate)."""
    trainee = users[Role.trainee]
    sure = store.add_attempt(
        attempt_for(
            trainee, "price-complaint", score=15.0, principles={"apology": 0.0}, days_ago=3, needs_review=True,
            casebook_estimate=18.0,
        )
    )  # fmt: skip
    unsure = store.add_attempt(
        attempt_for(trainee, "price-complaint", score=66.0, principles={"apology": 1.0, "empathy": 0.48}, days_ago=1)
    )
    return sure, unsure


def _open(users, attempt_id: int | None = None):
    at = page_as(users[Role.coach], "review")
    at.run()
    if attempt_id is not None:
        at.selectbox(key="review_pick").set_value(attempt_id).run()
    assert not at.exception, at.exception
    return at


def _score_everything(at, attempt_id: int, overall: int = 80) -> None:
    at.button(key=f"review_prefill_{attempt_id}").click().run()
    at.number_input(key=f"review_{attempt_id}_overall").set_value(overall)


def test_the_queue_opens_on_what_a_review_teaches_most_and_says_why(users, queue):
    sure, unsure = queue
    at = _open(users)
    assert at.radio(key="review_order").value == "teaches_most"
    assert at.selectbox(key="review_pick").value == unsure.id  # unsure first, though the other is older and flagged
    shown = texts(at)
    assert "Why it is in the queue: overall 66, 4 from the pass mark; Empathy 0.48: the grader is unsure" in shown
    why = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert list(why["attempt"]) == [f"#{unsure.id}", f"#{sure.id}"]
    assert why["why"].iloc[1] == "flagged for review"
    at.radio(key="review_order").set_value("flagged_first").run()
    assert at.selectbox(key="review_pick").options[0].startswith(f"⚑ #{sure.id}")


def test_where_coaches_graded_like_replies_differently_comes_first_and_says_so(store, users, queue):
    sure, unsure = queue
    disputed = store.add_attempt(
        attempt_for(users[Role.trainee], "price-complaint", score=20.0, principles={"apology": 0.0},
                    days_ago=0.5, casebook_estimate=82.0)
    )  # fmt: skip
    at = _open(users)
    assert at.selectbox(key="review_pick").value == disputed.id  # before the borderline one
    assert "Why it is in the queue: coaches gave replies like it about 82, the grader 20" in texts(at)
    why = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert list(why["attempt"]) == [f"#{disputed.id}", f"#{unsure.id}", f"#{sure.id}"]


def test_a_review_of_an_attempt_whose_case_was_deleted_is_refused(store, users, coach_env):
    attempt = store.add_attempt(attempt_for(users[Role.trainee], "price-complaint", score=60.0, principles={}))
    (coach_env / "scenarios" / "price-complaint.yaml").unlink()
    at = _open(users, attempt.id)
    assert "case was deleted from the casebook" in texts(at)
    _score_everything(at, attempt.id)
    at.button(key=f"review_save_{attempt.id}").click().run()
    assert not at.exception, at.exception
    assert "The review was not saved" in texts(at) and "no longer in the casebook" in texts(at)
    assert store.get_attempt(attempt.id, users[Role.coach]).review is None


def test_a_review_of_a_changed_case_needs_the_coachs_confirmation(store, users):
    old_version = "0123456789ab" + "c" * 52
    attempt = store.add_attempt(
        attempt_for(users[Role.trainee], "price-complaint", score=60.0, principles={}, case_hash=old_version)
    )
    at = _open(users, attempt.id)
    assert "The case changed since the trainee answered it" in texts(at) and "0123456789ab" in texts(at)
    _score_everything(at, attempt.id, overall=82)
    at.button(key=f"review_save_{attempt.id}").click().run()
    assert "The review was not saved" in texts(at) and "0123456789ab" in texts(at)
    assert store.get_attempt(attempt.id, users[Role.coach]).review is None  # nothing stored

    at.checkbox(key=f"review_{attempt.id}_case_ack").check().run()
    at.button(key=f"review_save_{attempt.id}").click().run()
    assert not at.exception, at.exception
    review = store.get_attempt(attempt.id, users[Role.coach]).review
    assert (review.overall, review.case_hash) == (82.0, old_version)  # judged against what the trainee answered


def test_an_unchanged_case_asks_for_no_confirmation(store, users, queue):
    _, unsure = queue
    at = _open(users, unsure.id)
    assert "The case changed" not in texts(at)
    assert not [c for c in at.checkbox if c.key == f"review_{unsure.id}_case_ack"]


def _case_text(coach_env) -> str:
    return (coach_env / "scenarios" / "price-complaint.yaml").read_text("utf-8")


def test_use_as_a_good_exemplar_adds_the_reply_to_its_case(store, users, queue, coach_env):
    _, unsure = queue
    at = _open(users, unsure.id)
    at.number_input(key=f"review_{unsure.id}_ex_score").set_value(81)
    at.text_area(key=f"review_{unsure.id}_ex_note").set_value("Short and owns the fix.")
    at.button(key=f"review_exemplar_{unsure.id}").click().run()
    assert not at.exception, at.exception
    assert f"Attempt #{unsure.id} is now a good exemplar" in texts(at)
    case, problems = validate_text(_case_text(coach_env))
    assert case is not None, problems
    good = case.exemplars.good[-1]
    assert (good.text, good.score, good.note) == (unsure.reply, 81, "Short and owns the fix.")
    assert list((coach_env / "scenarios" / ".history" / "price-complaint").iterdir())  # the version before is kept


def test_use_as_a_bad_exemplar_needs_the_principles_it_fails(store, users, queue, coach_env):
    _, unsure = queue
    before = _case_text(coach_env)
    at = _open(users, unsure.id)
    at.radio(key=f"review_{unsure.id}_ex_kind").set_value("bad").run()
    at.number_input(key=f"review_{unsure.id}_ex_score").set_value(20)
    at.text_area(key=f"review_{unsure.id}_ex_note").set_value("No apology at all.")
    at.button(key=f"review_exemplar_{unsure.id}").click().run()
    assert "The exemplar was not proposed: Say which principles" in texts(at)
    assert _case_text(coach_env) == before  # nothing written

    at.multiselect(key=f"review_{unsure.id}_ex_problems").set_value(["apology"]).run()
    at.button(key=f"review_exemplar_{unsure.id}").click().run()
    bad = validate_text(_case_text(coach_env))[0].exemplars.bad[-1]
    assert (bad.text, bad.score, bad.problems, bad.note) == (unsure.reply, 20, ["apology"], "No apology at all.")


def test_use_as_an_exemplar_without_a_score_changes_nothing(store, users, queue, coach_env):
    _, unsure = queue
    before = _case_text(coach_env)
    at = _open(users, unsure.id)
    at.button(key=f"review_exemplar_{unsure.id}").click().run()
    assert "give it your score" in texts(at)
    assert _case_text(coach_env) == before
