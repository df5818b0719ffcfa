"""Helpers shared by the page tests (kept out of conftest.py so tests can import them by name)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from replycoach.storage.types import Role

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
CASES = Path(__file__).resolve().parent / "cases"
PASSWORDS = {role: f"{role.value}-pass-2024" for role in Role}


def app_for(user=None, *, timeout: float = 30) -> AppTest:
    """An AppTest of app.py, signed in as ``user`` (or at the sign-in page)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if user is not None:
        sign_in(at, user)
    return at


def sign_in(at: AppTest, user) -> AppTest:
    """Sign ``user`` in in ``at``'s tab as the sign-in page does, minus the cookie (AppTest has no browser)."""
    from replycoach.ui.session import headless_session

    key, token = headless_session(user)
    at.session_state[key] = token
    return at


def html_of(at: AppTest) -> str:
    """Every ``st.html`` body on the page, joined."""
    return "\n".join(el.proto.body for el in at.get("html"))


def markdown_of(at: AppTest) -> str:
    """Every markdown-rendered text on the page (markdown, captions, headers), joined."""
    return "\n".join(el.value for el in [*at.markdown, *at.caption, *at.subheader, *at.title])


#: The icons our own HTML draws (``<img>`` with an SVG data URI of fixed paths); text from people never matches,
#: because it is escaped. Tests that look for live tags take these out first.
OWN_ICONS = re.compile(
    r'<img class="rc-icon rc-icon-[\w-]+" alt="" width="\d+" height="\d+" '
    r'src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" style="vertical-align:middle">'
)
