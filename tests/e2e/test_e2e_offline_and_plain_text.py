"""Nothing loads from outside the server, and no case, user or reply text turns into an image, a link or HTML.

Every page of every role is opened in Chromium while every request the browser makes is recorded; any request
to a host other than 127.0.0.1 fails the test. The casebook holds a case whose title, brand, complaint, key
fact cues and customer name carry markdown images and links, raw ``<img>`` tags and bare web addresses; a
trainee with such a display name answers it with such a reply; the coach opens it in the studio (lint
warnings quote the cues) and types a key like it into the YAML (validation messages quote keys).

Before (findings 6 and 10): every page fetched its icon from fonts.gstatic.com, and an image in a cue made
every coach's browser fetch it from the outside host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from e2e_support import choose_option, sign_in

from replycoach.storage.demo import DEMO_ACCOUNTS
from replycoach.storage.types import Role
from replycoach.ui.components.text import WORD_JOINER
from replycoach.ui.navigation import pages_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

LINKS = (
    '![x](http://evil.example/u.png) [me](http://evil.example/u) <img src="http://evil.example/u2.png"> '
    "http://evil.example/u3 www.evil.example"
)
EVE, EVE_PASSWORD = "eve-links", "eve-links-pass"
#: What case or user text must never become. (Streamlit's own "#..." anchors on headings stay in the page.)
PLANTED = "a[href*='evil']:not([href^='#']), img[src*='evil'], [style*='evil'], iframe, object, embed"


@pytest.fixture(scope="module")
def recorder():
    """URLs of every request any page of the recorded browsers made."""
    return []


@pytest.fixture
def recorded(browser, recorder):
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1500})
        context.on("request", lambda request: recorder.append(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: recorder.append(ws.url)))
        contexts.append(context)
        page = context.new_page()
        page.on("websocket", lambda ws: recorder.append(ws.url))
        page.set_default_timeout(60_000)
        return page

    yield make
    for context in contexts:
        context.close()


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=stMain]").wait_for()
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stStatusWidget"] [data-testid="stSpinner"]\')'
    )
    page.wait_for_timeout(400)


def _text(locator) -> str:
    """What a person reads (the invisible word joiners that keep addresses from turning into links dropped)."""
    return locator.inner_text().replace(WORD_JOINER, "")


def _nothing_planted(page, where: str) -> None:
    found = page.locator(PLANTED)
    assert found.count() == 0, f"{where}: {found.first.evaluate('e => e.outerHTML')}"


def _visit_every_page(page, app_url: str, role: Role) -> None:
    for spec in pages_for(role):
        page.goto(f"{app_url}/{spec.url_path}")
        page.locator("h1").first.wait_for()
        _settle(page)
        _nothing_planted(page, spec.url_path)


def test_a_trainee_with_links_in_their_name_answers_a_case_full_of_them(recorded, app_url, app_store):
    app_store.add_user(EVE, EVE_PASSWORD, Role.trainee, display_name=f"Eve {LINKS}", team="Store A")
    page = recorded()
    sign_in(page, app_url, EVE, password=EVE_PASSWORD)
    _nothing_planted(page, "case list and sidebar")
    assert "![x](http://evil.example/u.png)" in _text(page.locator("[data-testid=stSidebar]"))
    page.locator(".st-key-open_outside-links_en button").click()
    page.locator(".rc-post").wait_for()
    _nothing_planted(page, "open case")
    page.get_by_text("Reply publicly", exact=True).click()
    box = page.locator("textarea")
    box.fill(f"Sorry about the delay. {LINKS}")
    box.press("Tab")
    page.get_by_role("button", name="Submit reply").click()
    page.locator(".rc-overall").wait_for(timeout=90_000)
    _settle(page)
    _nothing_planted(page, "feedback")
    assert "<img src=" in page.locator(".rc-reply").inner_text()  # shown as the text it is
    _visit_every_page(page, app_url, Role.trainee)


def test_the_coach_sees_the_case_in_the_studio_and_the_reply_in_the_review_queue(recorded, app_url):
    page = recorded()
    sign_in(page, app_url, "coach")
    _visit_every_page(page, app_url, Role.coach)

    page.goto(f"{app_url}/studio")
    _settle(page)
    page.get_by_text("Preview and try a reply").wait_for()  # drawn to the end: a later rerun would close the list
    choose_option(page, "studio_pick", "outside-links.yaml")  # retries where a busy machine drops the click
    page.get_by_text("key_facts[0] (late-order)").wait_for()  # the lint warning quoting the cues
    _settle(page)
    _nothing_planted(page, "studio with the case open")
    warning = page.locator("[data-testid=stAlert]", has_text="key_facts[0] (late-order)")
    assert "![cue](http://evil.example/cue.png)" in _text(warning)

    editor = page.locator(".st-key-studio_yaml textarea")
    editor.fill(editor.input_value() + '"x` ![k](http://evil.example/key.png) `y": 1\n')
    editor.press("Tab")
    page.get_by_text("The case is not valid yet").wait_for()
    _settle(page)
    _nothing_planted(page, "studio validation messages")

    page.goto(f"{app_url}/review")
    _settle(page)
    choose_option(page, "review_pick", EVE)
    page.locator(".rc-reply").wait_for()
    _settle(page)
    _nothing_planted(page, "review of Eve's reply")


@pytest.mark.parametrize("account", [a for a in DEMO_ACCOUNTS if a.username in ("trainee", "hr", "admin")],
                         ids=lambda a: a.username)  # fmt: skip
def test_every_page_of_every_role_loads_nothing_from_outside(recorded, app_url, account):
    page = recorded()
    sign_in(page, app_url, account.username)
    _visit_every_page(page, app_url, Role(account.role))


def test_no_request_left_the_machine(recorder):
    """Runs last in this module: the requests of every test above."""
    assert recorder, "nothing was recorded"
    outside = sorted({u for u in recorder if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(u).hostname != "127.0.0.1"})  # fmt: skip
    assert outside == []
