"""The practice and coaching loop in a real browser: a coach assigns a case, the trainee finds it in the inbox,
answers and sees the suggested rewrite as a diff; the coach reviews it from the queue with "save and next";
HR sees the coach's score in the dashboard and in the CSV export. The trainee is one of its own, in a team of
its own, so the other end-to-end tests' attempts (the server is shared) never mix in: the coach and HR filter
by that team, as they would."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil

import pytest
from e2e_support import ARTIFACTS, ROOT, choose_option, filter_queue_by_team, sign_in
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TRAINEE, PASSWORD, NAME, TEAM = "lena.loop", "lena-loop-password-1", "Lena Loop", "Loop Team"
WEAK_REPLY = (
    "Thanks for telling us about the prices. You should compare prices before you buy. "
    "The Sale section has boots from 49 euros."
)
COACH_SCORE = 88


def _nav(page, title: str) -> None:
    """Click the sidebar's link to the page titled ``title`` (a prefix: "Inbox" matches "Inbox (1)")."""
    page.locator(f'[data-testid="stSidebarNavLink"]:has(span[label^="{title}"])').click()


def _download(page, button: str) -> str:
    """Click a download button or link and return the file's path. A click that lands while the page is still being
    redrawn (a busy machine) can be lost: try again a few times before failing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        try:
            with page.expect_download(timeout=30_000) as download:
                page.locator(button).click()
            return download.value.path()
        except PlaywrightTimeout:
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    raise AssertionError(f"no download from {button}")


def _icon_is_drawn(page, selector: str) -> bool:
    """The element has a size and holds dark pixels (an empty box from a missing font is light or absent)."""
    from PIL import Image

    element = page.locator(selector)
    box = element.bounding_box()
    if not box or box["width"] < 8 or box["height"] < 8:
        return False
    shot = Image.open(io.BytesIO(element.screenshot())).convert("L")
    return shot.getextrema()[0] < 120


def test_assign_answer_rewrite_review_and_report(browser, app_url, app_store):
    from replycoach.storage.types import Role

    app_store.add_user(TRAINEE, PASSWORD, Role.trainee, display_name=NAME, team=TEAM)
    coach = browser.new_context(viewport={"width": 1400, "height": 1500}).new_page()
    trainee = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
    hr = browser.new_context(viewport={"width": 1400, "height": 1500}, accept_downloads=True).new_page()
    for tab in (coach, trainee, hr):
        tab.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)  # a busy server (the whole suite on 2 cores) redraws slowly

    # the coach assigns the case to the trainee
    sign_in(coach, app_url, "coach")
    _nav(coach, "Assignments")
    coach.get_by_text("Assign a case").wait_for()
    choose_option(coach, "assign_case", "price-complaint")
    choose_option(coach, "assign_user", NAME)
    coach.locator(".st-key-assign_submit button").click()
    coach.get_by_text("Assigned").first.wait_for()

    # the trainee finds it in the inbox and opens it from there
    sign_in(trainee, app_url, TRAINEE, password=PASSWORD)
    _nav(trainee, "Inbox (1)")
    trainee.get_by_text("New assignment:").wait_for()
    trainee.locator('[class*="st-key-inbox_assignment"] button').filter(has_text="Open").click()
    trainee.locator(".rc-post").wait_for()
    assert "Kaprizo Shoes" in trainee.locator(".rc-post").inner_text()
    assert _icon_is_drawn(trainee, "#rc-clock img.rc-icon"), "the clock's stopwatch icon must draw without any font"
    trainee.get_by_text("Reply publicly", exact=True).click()
    box = trainee.locator("textarea")
    box.fill(WEAK_REPLY)
    box.press("Tab")
    trainee.get_by_role("button", name="Submit reply").click()
    trainee.locator(".rc-overall").wait_for(timeout=90_000)
    machine = int(trainee.locator(".rc-overall").inner_text())
    trainee.locator(".rc-diff").wait_for(timeout=90_000)  # the suggested rewrite of the trainee's own reply
    assert trainee.locator(".rc-diff del, .rc-diff ins").count() >= 1
    assert trainee.locator(".rc-next-steps li").count() >= 1
    trainee.locator(".rc-model").wait_for()  # the model answer beside the real brand's reply
    assert trainee.locator(".rc-real").count() == 1
    assert "You should compare prices" in trainee.locator(".rc-diff del").first.inner_text()  # the lecture goes
    assert "The Sale section has boots from 49 euros." in trainee.locator(".rc-diff").inner_text()  # the rest stays
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "trainee-coaching.png"
    trainee.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")  # the page has settled
    trainee.locator(".rc-overall").scroll_into_view_if_needed()
    trainee.screenshot(path=str(shot), full_page=True)
    if os.environ.get("REPLYCOACH_UPDATE_SCREENSHOT") == "1":  # refresh the README's picture on request only
        shutil.copy(shot, ROOT / "docs" / "screenshot.png")

    # the coach reviews it from the queue and moves on with "save and next"
    _nav(coach, "Review queue")
    filter_queue_by_team(coach, TEAM, re.compile(r"(^|\D)1 attempt\(s\) waiting for review"))
    coach.get_by_text("Your review").wait_for()
    # the filtered page has settled: no stale review form of another team's attempt is still drawn beside it
    coach.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    expect(coach.get_by_label("Your overall score (0-100)")).to_have_count(1)
    start = coach.get_by_role("button", name="Start from the machine's scores")
    expect(start).to_have_count(1, timeout=60_000)  # a stale form's button can outlive its inputs for a moment
    start.click()
    overall = coach.get_by_label("Your overall score (0-100)")
    expect(overall).to_have_value(str(machine))  # the prefill's rerun is done: typing now is not overwritten
    overall.fill(str(COACH_SCORE))
    overall.press("Tab")
    expect(overall).to_have_value(str(COACH_SCORE))
    coach.get_by_label("Comment to the trainee").fill("Say when you will look into it.")
    coach.get_by_label("Comment to the trainee").press("Tab")
    coach.get_by_role("button", name="Save and next").click()
    coach.get_by_text("it is now the score that counts").wait_for()
    coach.get_by_text("The queue is empty now.").wait_for()  # save and next: nothing was left after it

    # the trainee sees the coach's score in place of the machine's (a reload keeps them signed in)
    trainee.reload()
    trainee.locator(".rc-overall").wait_for()
    assert trainee.locator(".rc-overall").inner_text() == str(COACH_SCORE)
    assert trainee.locator(".rc-machine-overall").inner_text() == str(machine)

    # HR sees the reviewed score in the dashboard and in the export
    sign_in(hr, app_url, "hr")
    expect(hr.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    hr.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")  # a click mid-redraw is lost
    choose_option(hr, "dash_teams", TEAM)
    hr.keyboard.press("Escape")
    expect(hr.locator(".st-key-dash_teams")).to_contain_text(TEAM, timeout=60_000)
    # Other tests' attempts share the server: until the team's rerun is drawn the figure is everyone's (a busy
    # machine takes longer than Playwright's 5 s default).
    figure = hr.locator('[data-testid="stMetric"]').filter(has_text="Average score")
    expect(figure).to_contain_text(str(COACH_SCORE), timeout=60_000)
    hr.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")  # the filtered page has settled
    # server.py streams the export from its route: the button is a link to it, once the team's rerun has drawn it
    # (a busy server may still show the unfiltered link of the run before)
    expect(hr.locator(".st-key-dash_csv a")).to_have_attribute("href", re.compile(r"team=Loop\+Team"), timeout=60_000)
    with open(_download(hr, ".st-key-dash_csv a"), encoding="utf-8-sig") as exported:
        rows = list(csv.DictReader(exported))
    (row,) = rows  # the team's one attempt
    assert float(row["score"]) == COACH_SCORE and round(float(row["machine_score"])) == machine  # shown rounded
    assert row["reviewed_by"] == "Clara Coach" and row["handling"] == "public_reply"
    for tab in (coach, trainee, hr):
        tab.context.close()
