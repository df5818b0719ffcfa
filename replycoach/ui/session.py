"""Who is signed in, and what the trainee has open. Pages call ``require(module)`` first: it returns the user
or stops the page.

Signing in starts a session in the database (``Store.start_session``). Its token reaches the browser as an
HttpOnly cookie through the hand-off in ``cookie_routes`` (when ``server.py`` serves the app), so a reload,
a bookmark or a second tab is signed in too; the tab that signed in also keeps the token in its own state
(which is all there is without the routes, e.g. under AppTest). Every rerun checks the token against the
database and re-reads the user (``Store.check_session``): sign-out elsewhere, an idle or old session, a
deactivated account, a changed role or a reset password end the session at the next click.

The case a trainee has open lives in the database too (``Store.save_practice_draft``): after a reload the
case comes back with its draft, its handling and the clock as it started. The attempt on screen is in the
URL (``?attempt=42``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import streamlit as st

from replycoach.config import get_settings
from replycoach.plain_text import control_character_message
from replycoach.storage import tokens
from replycoach.storage.types import MissingEntry, PracticeDraft, User
from replycoach.ui import cookie_routes, services
from replycoach.ui.clients import client_address
from replycoach.ui.navigation import allowed

#: This tab's session token. AppTest-based tests and benchmarks (no browser, so no cookie) sign a user in by
#: putting a token from ``Store.start_session`` here.
TOKEN_KEY = "auth_token"
_USER_KEY = "auth_checked_user"  # the user as checked in this rerun (current_user() sets it on every rerun)
_HANDOFF_KEY = "auth_handoff"  # a one-time code waiting to be exchanged for the cookie
_LEAVING_KEY = "auth_leaving"  # signed out here: the cookie is still to be deleted
_NOTICE_KEY = "auth_notice"  # why the session ended, for the sign-in page
_NEXT_KEY = "auth_next"  # (path, query parameters) asked for before signing in
_DEAD_COOKIE_KEY = "auth_dead_cookie"  # digest of a cookie token this tab knows has ended
_OPEN_KEY = "practice_open"
_ATTEMPT_KEY = "practice_attempt"
_FOLLOW_UP_KEY = "practice_follow_up"
_SAVED_DRAFT_KEY = "practice_saved_draft"  # what was last written for each open turn, to skip unchanged writes
ATTEMPT_PARAM = "attempt"


# --- who is signed in ---------------------------------------------------------------------------------------


def current_user() -> User | None:
    """The signed-in user, read afresh from the database; None when nobody is (any more).

    The tab's own token comes first (a sign-in here is newer than any cookie), then the cookie. A browser
    sends its cookies when the page loads, so this tab goes on seeing a cookie that has ended since: it is
    remembered as ended rather than checked (and its notice shown) on every click."""
    settings = get_settings()
    store = services.get_store()
    st.session_state.pop(_USER_KEY, None)
    cookie = _cookie(cookie_routes.SESSION_COOKIE)
    if cookie is not None and tokens.digest(cookie) == st.session_state.get(_DEAD_COOKIE_KEY):
        cookie = None
    for token, from_cookie in ((st.session_state.get(TOKEN_KEY), False), (cookie, True)):
        if token is None:
            continue
        check = store.check_session(token, idle=timedelta(minutes=settings.session_idle_minutes))
        if check.user is not None:
            st.session_state[_USER_KEY] = check.user
            return check.user
        _forget_sign_in()
        if check.ended:
            st.session_state[_NOTICE_KEY] = check.ended
        if from_cookie:
            st.session_state[_DEAD_COOKIE_KEY] = tokens.digest(token)
            st.session_state[_LEAVING_KEY] = True  # the browser still holds it: delete the cookie
    return None


def signed_in_user() -> User | None:
    """The user ``current_user()`` checked in this rerun (no database read); None before that or when nobody is."""
    return st.session_state.get(_USER_KEY)


def client() -> str:
    """Where this browser connects from, for the sign-in throttle (see ``replycoach.ui.clients``)."""
    peer = st.context.ip_address
    forwarded = [h for h in st.context.headers.get_all("x-forwarded-for") if isinstance(h, str)]
    return client_address(peer if isinstance(peer, str) else None, forwarded, get_settings().trusted_proxies)


def _cookie(name: str) -> str | None:
    """A cookie the browser sent with the page (only text counts: AppTest's stand-in client has none)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None


def sign_in(user: User) -> None:
    """Start a session for ``user`` (whose password was just checked) in this tab, and ask for its cookie."""
    store = services.get_store()
    browser = _cookie(cookie_routes.BROWSER_COOKIE)
    session = store.start_session(user.id, lifetime=timedelta(days=get_settings().session_days), browser=browser)
    for key in (_LEAVING_KEY, _NOTICE_KEY):
        st.session_state.pop(key, None)
    st.session_state[TOKEN_KEY] = session.token
    st.session_state[_USER_KEY] = user
    if cookie_routes.mounted and browser:
        st.session_state[_HANDOFF_KEY] = store.session_handoff(session.token, browser=browser)
        return
    _path, params = st.session_state.pop(_NEXT_KEY, None) or ("/", {})
    st.query_params.update(params)  # without the cookie route: at least the query (e.g. ?attempt=42) stays


def sign_out(*, everywhere: bool = False) -> None:
    """End this session (``everywhere``: every session of the user) and forget everything of this tab."""
    store = services.get_store()
    user = st.session_state.get(_USER_KEY)
    cookie = _cookie(cookie_routes.SESSION_COOKIE)
    if everywhere and user is not None:
        store.end_user_sessions(user.id)
    else:
        store.end_session(st.session_state.get(TOKEN_KEY) or cookie)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()
    if cookie is not None:
        st.session_state[_DEAD_COOKIE_KEY] = tokens.digest(cookie)
    st.session_state[_LEAVING_KEY] = True
    st.session_state[_NOTICE_KEY] = "You signed out everywhere." if everywhere else "You signed out."


def headless_session(user: User) -> tuple[str, str]:
    """(session state key, token) that sign ``user`` in in a tab without a browser, so without cookies:
    AppTest in the tests and the benchmarks put the token under the key before the first run."""
    session = services.get_store().start_session(user.id, lifetime=timedelta(days=get_settings().session_days))
    return TOKEN_KEY, session.token


def _forget_sign_in() -> None:
    for key in (TOKEN_KEY, _USER_KEY, _HANDOFF_KEY):
        st.session_state.pop(key, None)


def cookie_handoff() -> None:
    """After a sign-in, hand the session to the browser's cookie (when the routes are mounted): the page
    posts the one-time code to the server, then opens the page asked for before signing in (which, loaded
    anew, is signed in by the cookie). Draws only a short note; without script the button continues."""
    code = st.session_state.pop(_HANDOFF_KEY, None)
    if code is None:
        return
    path, params = st.session_state.pop(_NEXT_KEY, None) or ("/", {})
    target = path + (f"?{urlencode(params)}" if params else "")
    st.caption("Signing you in…")
    st.html(
        _script(
            "fetch(ENTER, {method: 'POST', credentials: 'same-origin', body: JSON.stringify({code: CODE})})"
            ".then(function (r) { if (r.ok) window.location.replace(TARGET); })",
            ENTER=cookie_routes.url(cookie_routes.ENTER_PATH),
            CODE=code,
            TARGET=target,
        ),
        unsafe_allow_javascript=True,
    )
    st.button("Continue", key="auth_continue")
    st.stop()


def cookie_farewell() -> None:
    """After a sign-out (or a session that ended), delete the session cookie through the ``leave`` route."""
    if not st.session_state.get(_LEAVING_KEY):
        return
    if cookie_routes.mounted and _cookie(cookie_routes.SESSION_COOKIE):
        st.html(
            _script(
                "fetch(LEAVE, {method: 'POST', credentials: 'same-origin'})",
                LEAVE=cookie_routes.url(cookie_routes.LEAVE_PATH),
            ),
            unsafe_allow_javascript=True,
        )
    st.session_state.pop(_LEAVING_KEY, None)


def _script(body: str, **values: str) -> str:
    """A ``<script>`` running ``body`` with ``values`` bound as JSON constants (server-made values only:
    a code, a path of this app; ``<`` escaped so nothing can close the script element)."""
    constants = "".join(f"var {name} = {_js_constant(value)};" for name, value in values.items())
    return f"<script>(function () {{ {constants} {body}; }})();</script>"


def _js_constant(value: str) -> str:
    return json.dumps(value).replace("<", "\\u003c")


def notice() -> str | None:
    """Why the last session ended (once), for the sign-in page."""
    return st.session_state.pop(_NOTICE_KEY, None)


def remember_requested_page() -> None:
    """Called while nobody is signed in: keep the page (path and query) the URL asked for, to open it after
    signing in."""
    if _NEXT_KEY in st.session_state:
        return
    path = urlsplit(st.context.url or "").path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        path = "/"
    st.session_state[_NEXT_KEY] = (path, st.query_params.to_dict())


def require(module: str) -> User:
    """The signed-in user if their role may see page ``module``; otherwise an error and ``st.stop()``."""
    user = current_user()
    if user is None or not allowed(user.role, module):
        st.error("You don't have access to this page.")
        st.stop()
    return user


def now() -> datetime:
    return datetime.now(UTC)


# --- the practice turn a trainee has open -------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    """A case the trainee is answering: the clock runs from ``opened_at``; ``client_token`` makes a double
    submit or a reload store one attempt."""

    case_id: str
    language: str
    opened_at: datetime
    client_token: str


def _user() -> User:
    user = st.session_state.get(_USER_KEY)
    if user is None:  # pages call require() first; this is a programming error, not a user's
        raise MissingEntry("Nobody is signed in.")
    return user


def open_case(case_id: str, language: str) -> OpenCase:
    """Start (or restart: "Try again") a case; any feedback on screen is put away."""
    opened = OpenCase(case_id, language, now(), uuid.uuid4().hex)
    services.get_store().save_practice_draft(
        _user(), PracticeDraft(case_id, language, opened.opened_at, opened.client_token)
    )
    st.session_state[_OPEN_KEY] = opened
    st.session_state.pop(_ATTEMPT_KEY, None)
    st.session_state.pop(_FOLLOW_UP_KEY, None)
    st.query_params.pop(ATTEMPT_PARAM, None)
    return opened


def opened_case() -> OpenCase | None:
    """The case open in this tab, or the one the trainee had open before a reload (with its draft put back
    into the reply box and the handling chosen again)."""
    if _OPEN_KEY not in st.session_state:
        draft = services.get_store().practice_draft(_user())
        if draft is None:
            return None
        st.session_state[_OPEN_KEY] = _restore(draft, f"reply_{draft.client_token}", f"handling_{draft.client_token}")
    return st.session_state[_OPEN_KEY]


def close_case() -> None:
    """Back to the case list: whatever was open is put away."""
    for key in (_OPEN_KEY, _ATTEMPT_KEY, _FOLLOW_UP_KEY):
        st.session_state.pop(key, None)
    st.query_params.pop(ATTEMPT_PARAM, None)
    services.get_store().drop_practice_draft(_user(), None)


def keep_draft(opened: OpenCase, reply: str, handling: str | None, *, parent_id: int = 0) -> str | None:
    """Save what the trainee has written so far (if it changed), so a reload loses nothing. Returns a message
    instead when the text cannot be kept (a control character): the trainee sees it at once."""
    if (problem := control_character_message(reply, "Your reply")) is not None:
        return problem + "."
    draft = PracticeDraft(
        opened.case_id, opened.language, opened.opened_at, opened.client_token, handling, reply, parent_id
    )
    saved: dict = st.session_state.setdefault(_SAVED_DRAFT_KEY, {})
    if saved.get(parent_id) != draft:
        services.get_store().save_practice_draft(_user(), draft)
        saved[parent_id] = draft
    return None


def turn_submitted(parent_id: int = 0) -> None:
    """The open turn is stored as an attempt: its draft is done."""
    services.get_store().drop_practice_draft(_user(), parent_id)
    st.session_state.get(_SAVED_DRAFT_KEY, {}).pop(parent_id, None)


def show_attempt(attempt_id: int) -> None:
    """Put a stored attempt's feedback on screen, also after a reload (the id goes into the URL)."""
    st.session_state[_ATTEMPT_KEY] = attempt_id
    st.query_params[ATTEMPT_PARAM] = str(attempt_id)


def shown_attempt_id() -> int | None:
    if _ATTEMPT_KEY in st.session_state:
        return st.session_state[_ATTEMPT_KEY]
    raw = st.query_params.get(ATTEMPT_PARAM)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        st.query_params.pop(ATTEMPT_PARAM, None)
        return None


def follow_up_turn(parent_id: int, case_id: str, language: str) -> OpenCase:
    """The second turn answering the customer's follow-up to attempt ``parent_id``: its clock starts when the
    follow-up is first shown and its token is kept (also across a reload), so it too is stored once."""
    turns: dict[int, OpenCase] = st.session_state.setdefault(_FOLLOW_UP_KEY, {})
    if parent_id not in turns:
        store = services.get_store()
        draft = store.practice_draft(_user(), parent_id)
        if draft is None:
            draft = PracticeDraft(case_id, language, now(), uuid.uuid4().hex, parent_id=parent_id)
            store.save_practice_draft(_user(), draft)
        turns[parent_id] = _restore(draft, f"reply2_{parent_id}", None)
    return turns[parent_id]


def _restore(draft: PracticeDraft, reply_key: str, handling_key: str | None) -> OpenCase:
    """An open turn from its stored draft, with the reply box (and handling) filled as they were left."""
    if draft.reply and reply_key not in st.session_state:
        st.session_state[reply_key] = draft.reply
    if handling_key is not None and draft.handling and handling_key not in st.session_state:
        st.session_state[handling_key] = draft.handling
    st.session_state.setdefault(_SAVED_DRAFT_KEY, {})[draft.parent_id] = draft
    return OpenCase(draft.case_id, draft.language, draft.opened_at, draft.client_token)
