"""Names the end-to-end tests share (kept out of conftest.py, whose module name every test folder shares)."""

from __future__ import annotations

from pathlib import Path

from replycoach.storage.demo import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install` (downloads fail here)
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}


def sign_in(page, url: str, username: str, path: str = "", password: str | None = None) -> None:
    """Open ``path`` signed out, sign in there and wait until the signed-in page is drawn."""
    page.goto(f"{url}/{path}")
    fill_sign_in(page, username, password or DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Sign out", exact=True).wait_for()


def fill_sign_in(page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_out(page) -> None:
    """Wait for the sign-in form."""
    page.get_by_role("button", name="Sign in").wait_for()


def choose_option(page, key: str, text: str) -> None:
    """Pick the option containing ``text`` in the select box with widget key ``key``, and wait until the box
    shows it (as text or as its input's value) and the page has settled. On a busy machine typing can outrun
    the opening list: try again."""
    import time

    box = page.locator(f".st-key-{key}")
    shown = "el => el.innerText + ' ' + Array.from(el.querySelectorAll('input')).map(i => i.value).join(' ')"
    for _ in range(3):
        box.click()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if text in box.evaluate(shown):
                page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
                return
            page.wait_for_timeout(250)
        page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {text!r} in {key}: the box shows {box.evaluate(shown)!r}")


def filter_queue_by_team(coach, team: str, waiting) -> None:
    """On the review queue, filter by ``team`` and wait for ``waiting`` (a text or pattern such as "3 attempt(s)
    waiting for review"). On a busy server the filtered rerun can be lost to the next event: pick the team again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    coach.get_by_text("Filter the queue").click()
    shown = coach.get_by_text(waiting)
    for _ in range(2):
        choose_option(coach, "review_f_teams", team)
        coach.keyboard.press("Escape")
        coach.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
        try:
            shown.wait_for(timeout=60_000)
            return
        except PlaywrightTimeout:
            continue
    shown.wait_for()
