"""Who is signed in. Pages call ``require(module)`` first: it returns the user or stops the page."""

from __future__ import annotations

import streamlit as st

from replycoach.storage.types import User
from replycoach.ui.navigation import allowed

_USER_KEY = "auth_user"


def current_user() -> User | None:
    return st.session_state.get(_USER_KEY)


def sign_in(user: User) -> None:
    st.session_state[_USER_KEY] = user


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def require(module: str) -> User:
    """The signed-in user if their role may see page ``module``; otherwise an error and ``st.stop()``."""
    user = current_user()
    if user is None or not allowed(user.role, module):
        st.error("You don't have access to this page.")
        st.stop()
    return user
