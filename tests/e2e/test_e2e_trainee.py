"""A trainee in a real browser: sign in, answer a case against the clock, see the grade with the evidence
highlighted and the real brand's reply; hostile case text and replies never run."""

from __future__ import annotations

import re
import time

import pytest
from e2e_support import ARTIFACTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

REPLY = (
    "Fair point, Michael Kors is one of the pricier brands we carry. Open the catalogue and set the price "
    "filter: there are ankle boots for every budget, and the Sale section has last season's pairs at up to "
    "50% off. Thanks for telling us!"
)


def _answer(page, reply: str, handling: str = "Reply publicly") -> None:
    page.get_by_text(handling, exact=True).click()
    box = page.locator("textarea")
    box.fill(reply)
    box.press("Tab")  # commit the text before the click, as a person leaving the box does
    page.get_by_role("button", name="Submit reply").click()
    page.locator(".rc-overall").wait_for(timeout=60_000)


def test_trainee_answers_a_case_and_sees_graded_feedback(page, app_url):
    sign_in(page, app_url, "trainee")
    page.locator(".st-key-open_price-complaint_en button").click()  # Streamlit marks keyed widgets
    page.locator(".rc-post").wait_for()
    assert "Kaprizo Shoes" in page.locator(".rc-post").inner_text()
    assert "Prices are horror!" in page.locator(".rc-post").inner_text()
    clock = page.locator("#rc-clock-time")
    first = clock.inner_text()
    time.sleep(2.2)
    assert clock.inner_text() != first  # the clock runs in the browser

    _answer(page, REPLY)
    overall = page.locator(".rc-overall").inner_text()
    assert re.fullmatch(r"\d{1,3}", overall)
    assert page.locator(".rc-bar").count() >= 8
    marks = page.locator("mark.rc-ev")
    assert marks.count() >= 1
    assert re.search(r": .+ \((earned|lost)\)", marks.first.get_attribute("title"))
    assert "Our catalogue has models for every taste" in page.locator(".rc-real").inner_text()
    assert "Fast (within ten minutes)" in page.locator(".rc-analysis").inner_text()
    assert page.get_by_text("The conversation goes on").is_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".rc-overall").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "trainee-feedback.png"), full_page=True)  # the README's: test_e2e_loop

    # a reload keeps the session (its cookie) and the feedback on screen (the attempt's id is in the URL)
    url = page.url
    assert "attempt=" in url
    page.reload()
    page.locator(".rc-overall").wait_for()
    assert page.locator(".rc-overall").inner_text() == overall
    assert page.get_by_role("button", name="Sign in").count() == 0


def test_hostile_case_and_reply_are_shown_as_text_and_never_run(page, app_url):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, app_url, "trainee")
    page.locator(".st-key-open_hostile-markup_en button").click()
    page.locator(".rc-post").wait_for()
    post = page.locator(".rc-post").inner_text()
    assert '<img src=x onerror="window.__pwned=1;alert(1)">' in post
    assert '<svg onload="window.__pwned_name=1">Eve</svg>' in post
    _answer(page, 'Thanks <script>window.__pwned_reply=1</script> <img src=x onerror="alert(9)"> **bold**')
    page.get_by_text("The conversation goes on").wait_for()
    assert "<script>window.__pwned_reply=1</script>" in page.locator(".rc-mine").inner_text()
    assert "<script>window.__pwned_real=1</script>" in page.locator(".rc-real").inner_text()
    time.sleep(0.5)  # give any injected handler the chance to fire
    assert dialogs == []
    flags = page.evaluate("() => Object.keys(window).filter(k => k.startsWith('__pwned'))")
    assert flags == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("svg[onload]").count() == 0
    assert page.locator("iframe[src^='javascript']").count() == 0
    assert page.locator(".rc-post b, .rc-post i, .rc-real b").count() == 0
