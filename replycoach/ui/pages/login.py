"""Sign-in: username and password. The answer says what happened (a wrong name or password, one message for
both; too many attempts and how long to wait; a busy server) and never whether a username exists. The
throttle and the check are one step in the store (``Store.login``), counted per name and client, so a
stranger's guesses never lock the real user out of their own browser. After signing in, the page asked for
before (a bookmark, a typed URL) opens."""

from __future__ import annotations

import streamlit as st

from replycoach.ui import services, session
from replycoach.ui.i18n import _


def render() -> None:
    session.remember_requested_page()
    session.cookie_farewell()
    st.title("ReplyCoach")
    st.caption(_("Practise answering negative customer feedback before it counts."))
    if (ended := session.notice()) is not None:
        st.info(ended)
    with st.form("login", border=True):
        username = st.text_input(_("Username"), key="login_username", autocomplete="username")
        password = st.text_input(_("Password"), type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button(_("Sign in"), type="primary", key="login_submit")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error(_("Enter your username and password."))
        return
    result = services.get_store().login(username.strip(), password, client=session.client())
    if result.user is None:
        st.error(result.message)
        return
    session.sign_in(result.user)
    session.cookie_handoff()  # stops here while the browser fetches its cookie (when the server can set it)
    st.rerun()
