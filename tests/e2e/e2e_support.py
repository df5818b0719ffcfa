"""Names the end-to-end tests share (kept out of conftest.py, whose module name every test folder shares)."""

from __future__ import annotations

from pathlib import Path

from replycoach.storage.demo import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}


def sign_in(page, url: str, username: str, path: str = "") -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
