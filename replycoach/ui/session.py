"""Who is signed in, and what the trainee has open. Pages call ``require(module)`` first: it returns the user
or stops the page.

Practice state lives in ``st.session_state`` and, for what must survive a browser reload, in the URL's query
parameters (``?attempt=42``): a reload starts a new Streamlit session (signed out), so the sign-in page keeps
the parameters it was opened with and puts them back once the user is in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st

from replycoach.storage.types import User
from replycoach.ui.navigation import allowed

_USER_KEY = "auth_user"
_PENDING_QUERY_KEY = "auth_pending_query"
_OPEN_KEY = "practice_open"
_ATTEMPT_KEY = "practice_attempt"
_FOLLOW_UP_KEY = "practice_follow_up"
ATTEMPT_PARAM = "attempt"


def current_user() -> User | None:
    return st.session_state.get(_USER_KEY)


def sign_in(user: User) -> None:
    st.session_state[_USER_KEY] = user
    pending = st.session_state.pop(_PENDING_QUERY_KEY, None)
    if pending:
        st.query_params.update(pending)


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()


def remember_query_params() -> None:
    """Called while nobody is signed in: keep the URL's parameters (e.g. ``attempt``) for after sign-in."""
    if _PENDING_QUERY_KEY not in st.session_state and len(st.query_params):
        st.session_state[_PENDING_QUERY_KEY] = {k: st.query_params[k] for k in st.query_params}


def require(module: str) -> User:
    """The signed-in user if their role may see page ``module``; otherwise an error and ``st.stop()``."""
    user = current_user()
    if user is None or not allowed(user.role, module):
        st.error("You don't have access to this page.")
        st.stop()
    return user


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OpenCase:
    """A case the trainee is answering: the clock runs from ``opened_at``; ``client_token`` makes a double
    submit or a reload store one attempt."""

    case_id: str
    language: str
    opened_at: datetime
    client_token: str


def open_case(case_id: str, language: str) -> OpenCase:
    """Start (or restart: "Try again") a case; any feedback on screen is put away."""
    opened = OpenCase(case_id, language, now(), uuid.uuid4().hex)
    st.session_state[_OPEN_KEY] = opened
    st.session_state.pop(_ATTEMPT_KEY, None)
    st.session_state.pop(_FOLLOW_UP_KEY, None)
    st.query_params.pop(ATTEMPT_PARAM, None)
    return opened


def opened_case() -> OpenCase | None:
    return st.session_state.get(_OPEN_KEY)


def close_case() -> None:
    """Back to the case list."""
    for key in (_OPEN_KEY, _ATTEMPT_KEY, _FOLLOW_UP_KEY):
        st.session_state.pop(key, None)
    st.query_params.pop(ATTEMPT_PARAM, None)


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
    follow-up is first shown and its token is kept, so it too is stored once."""
    turns: dict[int, OpenCase] = st.session_state.setdefault(_FOLLOW_UP_KEY, {})
    if parent_id not in turns:
        turns[parent_id] = OpenCase(case_id, language, now(), uuid.uuid4().hex)
    return turns[parent_id]
