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
