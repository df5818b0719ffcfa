"""Review queue and calibration pages against a real SQLite store."""

from __future__ import annotations

import csv
import io

import pytest
from coach_support import attempt_for, page_as, texts

from replycoach.analytics.calibration import TRUST_MIN_N
from replycoach.storage.facade import FLAGGED_FIRST
from replycoach.storage.types import AttemptFilter, Role


@pytest.fixture
def queue(store, users):
    trainee = users[Role.trainee]
    plain = store.add_attempt(
        attempt_for(trainee, "price-complaint", score=80.0, principles={"apology": 1.0, "empathy": 0.4}, days_ago=3)
    )
    flagged = store.add_attempt(
        attempt_for(
            trainee,
            "price-complaint",
            score=45.0,
            principles={"apology": 0.0, "empathy": 0.9},
            days_ago=1,
            needs_review=True,
        )
    )
    return plain, flagged


def _review_page(users, order: str | None = None):
    at = page_as(users[Role.coach], "review")
    if order is not None:  # chosen before the page first opens, so the first attempt picked is that order's
        at.session_state["review_order"] = order
    at.run()
    assert not at.exception, at.exception
    return at


def test_flagged_attempts_come_first_and_show_the_machine_grade(users, queue):
    plain, flagged = queue
    at = _review_page(users, FLAGGED_FIRST)
    assert at.selectbox(key="review_pick").value == flagged.id
    assert at.selectbox(key="review_pick").options[0].startswith(f"⚑ #{flagged.id}")
    assert "flagged this attempt" in texts(at)
    bodies = "\n".join(h.proto.body for h in at.get("html"))
    assert "rc-reply" in bodies and 'data-principle="apology"' in bodies


def test_a_coach_review_is_stored_and_becomes_the_score_of_record(store, users, queue):
    _, flagged = queue
    at = _review_page(users, FLAGGED_FIRST)
    at.radio(key=f"review_{flagged.id}_apology").set_value(50)
    at.button(key=f"review_save_{flagged.id}").click().run()
    assert "Score every principle" in texts(at)  # nothing half-done is stored
    assert store.get_attempt(flagged.id, users[Role.coach]).review is None

    at.button(key=f"review_prefill_{flagged.id}").click().run()  # start from the machine's scores
    assert at.radio(key=f"review_{flagged.id}_empathy").value == 100
    at.radio(key=f"review_{flagged.id}_apology").set_value(50)
    at.radio(key=f"review_{flagged.id}_timing").set_value("N/A")
    at.number_input(key=f"review_{flagged.id}_overall").set_value(75)
    at.text_area(key=f"review_{flagged.id}_comment").set_value("Good start; name a date for the fix.")
    at.button(key=f"review_save_{flagged.id}").click().run()
    assert not at.exception, at.exception
    assert f"Review of attempt #{flagged.id} saved" in texts(at)

    # the coach's word counts (bug 1): the trainee's score of record is the review; the machine's stays beside it
    mine = store.get_attempt(flagged.id, users[Role.trainee])
    assert mine.review.comment == "Good start; name a date for the fix."
    assert mine.review.scores["apology"] == 0.5 and mine.review.scores["timing"] is None
    assert (mine.score, mine.passed, mine.principles["apology"]) == (75.0, True, 0.5)
    assert (mine.machine_score, mine.machine_principles["apology"]) == (45.0, 0.0)
    assert store.key_figures(users[Role.hr]).average_score == pytest.approx((80.0 + 75.0) / 2)

    # the reviewed attempt stays selectable, now with machine and coach side by side (who, when)
    assert at.selectbox(key="review_pick").value == flagged.id
    assert "Latest review by Coach Tester" in texts(at)
    side = next(d.value for d in at.dataframe if "principle" in d.value.columns)  # not the queue's table
    row = side[side["principle"] == "Sincere apology"].iloc[0]
    assert (row["machine"], row["coach"]) == ("0", "50")
    assert store.review_queue(users[Role.coach], AttemptFilter(turn=None))[0].id != flagged.id


def test_save_and_next_moves_on_in_the_queue_with_the_fine_scale(store, users, queue):
    plain, flagged = queue
    at = _review_page(users, FLAGGED_FIRST)
    assert at.selectbox(key="review_pick").value == flagged.id
    at.radio(key="review_scale").set_value("Fine: 0-100 in steps of 5").run()
    at.button(key=f"review_prefill_{flagged.id}").click().run()
    assert at.select_slider(key=f"review_{flagged.id}_fine_empathy").value == 90  # machine 0.9, to the nearest 5
    at.select_slider(key=f"review_{flagged.id}_fine_apology").set_value(35)
    at.number_input(key=f"review_{flagged.id}_overall").set_value(52)
    at.button(key=f"review_save_next_{flagged.id}").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="review_pick").value == plain.id  # on to the next attempt in the queue
    review = store.get_attempt(flagged.id, users[Role.coach]).review
    assert (review.scores["apology"], review.scores["empathy"], review.overall) == (0.35, 0.9, 52.0)


def test_the_queue_filters_by_team_case_principle_and_turn(store, users, queue):
    plain, flagged = queue
    other = store.add_attempt(
        attempt_for(users["trainee2"], "defective-dress", score=70.0, principles={"apology": 1.0, "empathy": 0.2})
    )
    at = _review_page(users)
    assert len(at.selectbox(key="review_pick").options) == 3
    at.multiselect(key="review_f_teams").set_value(["Store B"]).run()
    assert at.selectbox(key="review_pick").value == other.id and len(at.selectbox(key="review_pick").options) == 1
    at.multiselect(key="review_f_teams").set_value([]).run()
    at.selectbox(key="review_f_principle").set_value("apology").run()  # the machine took points off apology
    assert len(at.selectbox(key="review_pick").options) == 1 and at.selectbox(key="review_pick").value == flagged.id
    at.selectbox(key="review_f_principle").set_value(None)
    at.multiselect(key="review_f_cases").set_value(["defective-dress"]).run()
    assert at.selectbox(key="review_pick").value == other.id
    at.multiselect(key="review_f_cases").set_value([])
    at.radio(key="review_f_turn").set_value("Answers to the follow-up").run()
    assert "Nothing to review" in texts(at)


def test_a_second_turn_answer_is_shown_in_its_thread(store, users, queue):
    plain, _ = queue
    from dataclasses import replace

    answer = store.add_attempt(
        replace(
            attempt_for(users[Role.trainee], "price-complaint", score=66.0, principles={"apology": 1.0}),
            turn=2,
            parent_id=plain.id,
            follow_up_text="And when exactly?",
            reply="Tomorrow before noon, I promise.",
        )
    )
    at = _review_page(users)
    at.radio(key="review_f_turn").set_value("Answers to the follow-up").run()
    assert at.selectbox(key="review_pick").value == answer.id
    assert "answer to the follow-up" in at.selectbox(key="review_pick").options[0]
    bodies = "\n".join(h.proto.body for h in at.get("html"))
    thread = bodies[bodies.index(plain.reply) :]
    assert thread.index(plain.reply) < thread.index("And when exactly?") < thread.index("Tomorrow before noon")


def test_empty_queue_says_so(users, store):
    at = _review_page(users)
    assert "Nothing to review" in texts(at)


def _reviewed(store, users, n: int, *, agree: bool, grader_version: str = "test-1"):
    trainee, coach = users[Role.trainee], users[Role.coach]
    for i in range(n):
        machine = 1.0 if i % 2 else 0.0
        a = store.add_attempt(
            attempt_for(
                trainee,
                "price-complaint",
                score=90.0 if i % 2 else 30.0,
                principles={"apology": machine},
                days_ago=i % 5 + 1,
                grader_version=grader_version,
            )
        )
        coach_score = machine if agree else 1.0 - machine
        store.add_review(
            a.id, coach, scores={"apology": coach_score}, overall=85.0 if i % 2 else 40.0, comment="", pass_mark=70
        )


def _table(at, column: str):
    """The page's table with ``column`` (AppTest finds data frames by position only)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _trust_row(at, principle: str):
    table = _table(at, "why not")
    return table[table["principle"] == principle].iloc[0]


def test_calibration_marks_an_agreeing_principle_trusted_under_the_grader_that_scores_now(store, users):
    from grading import GRADER_VERSION  # the shipped grader's: the one that scores in these tests

    _reviewed(store, users, TRUST_MIN_N, agree=True, grader_version=GRADER_VERSION)
    at = page_as(users[Role.coach], "calibration").run()
    assert not at.exception, at.exception
    assert "auto-score trusted" in texts(at) and "0.6" in texts(at) and GRADER_VERSION in texts(at)
    table = _table(at, "mean abs. difference (points)")
    apology = table[table["principle"] == "Sincere apology"].iloc[0]
    assert (apology["n"], apology["kappa (pass/fail)"], apology["within 25 points"]) == (TRUST_MIN_N, "1.00", "100%")
    empathy = table[table["principle"] == "Empathy"].iloc[0]
    assert empathy["n"] == 0 and empathy["kappa (pass/fail)"] == "n/a"
    trusted = _trust_row(at, "Sincere apology")
    assert (trusted["reviews"], trusted["auto-score trusted"], trusted["why not"]) == (TRUST_MIN_N, "yes", "")
    assert "Trusted for auto-scoring: Sincere apology." in texts(at)
    assert at.get("download_button")


def test_trust_is_earned_per_grader_version(store, users):
    _reviewed(store, users, TRUST_MIN_N, agree=True, grader_version="an-older-grader")
    at = page_as(users[Role.coach], "calibration").run()
    row = _trust_row(at, "Sincere apology")  # perfect agreement, but with another grader's grades
    assert row["auto-score trusted"] == "no" and row["why not"].startswith(f"0 review(s), needs {TRUST_MIN_N}")
    assert "No principle is trusted for auto-scoring yet." in texts(at)


def test_calibration_lists_the_disagreements_and_why_not_trusted(store, users):
    from grading import GRADER_VERSION

    _reviewed(store, users, 6, agree=False, grader_version=GRADER_VERSION)
    at = page_as(users[Role.admin], "calibration").run()
    table = _table(at, "mean abs. difference (points)")
    apology = table[table["principle"] == "Sincere apology"].iloc[0]
    assert float(apology["kappa (pass/fail)"]) < 0 and apology["within 25 points"] == "0%"
    why = _trust_row(at, "Sincere apology")["why not"]
    assert why.startswith("6 review(s), needs 30; kappa -") and "within 25 points on 0%, needs 80%" in why
    gaps = _table(at, "gap (points)")
    assert len(gaps) >= 6 and gaps["gap (points)"].iloc[0] == 100  # one scale: 0-100


def test_agreement_per_grader_version_and_month_says_how_many_reviews_and_too_few(store, users):
    _reviewed(store, users, 12, agree=True, grader_version="grader-a")
    _reviewed(store, users, 3, agree=False, grader_version="grader-b")
    at = page_as(users[Role.coach], "calibration").run()
    assert not at.exception, at.exception
    versions = _table(at, "grader version")
    assert list(versions["grader version"]) == ["grader-a", "grader-b"]
    assert list(versions["reviews"]) == [12, 3]
    assert versions["Sincere apology"].iloc[0] == "1.00 (n=12)"
    assert versions["Sincere apology"].iloc[1] == "too few (n=3)"
    assert versions["overall kappa"].iloc[1] == "too few (n=3)"
    months = _table(at, "month of review")
    assert months["reviews"].sum() == 15  # every review counted in the month it was made


def test_calibration_csv_from_stored_reviews(store, users):
    from replycoach.analytics.calibration import calibrate, pairs_from_reviews, report_csv
    from replycoach.cases.models import PRINCIPLES

    _reviewed(store, users, 4, agree=True)
    report = calibrate(pairs_from_reviews(store.reviewed_pairs(users[Role.coach])), PRINCIPLES, pass_mark=70.0)
    head = report_csv(report).split("\r\n\r\n")[0]
    rows = {r["principle"]: r for r in csv.DictReader(io.StringIO(head))}
    assert rows["apology"]["n"] == "4" and rows["apology"]["kappa"] == "1.0000"


def test_calibration_without_reviews_says_what_to_do(users, store):
    at = page_as(users[Role.coach], "calibration").run()
    assert "No reviewed attempts yet" in texts(at)
