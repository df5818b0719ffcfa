"""Sign-in: username and password. Any failure shows one generic message (it never says whether the
username exists); after repeated failures the store slows attempts down and the page says how long to wait."""

from __future__ import annotations

import streamlit as st

from replycoach.ui import services, session


def render() -> None:
    session.remember_query_params()
    st.title("ReplyCoach")
    st.caption("Practise answering negative customer feedback before it counts.")
    with st.form("login", border=True):
        username = st.text_input("Username", key="login_username", autocomplete="username")
        password = st.text_input("Password", type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", key="login_submit")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error("Enter your username and password.")
        return
    result = services.get_store().login(username.strip(), password)
    if result.user is None:
        st.error(result.message)
        if result.retry_after_seconds > 0:
            st.warning(f"Too many failed attempts. Please wait {result.retry_after_seconds:.0f} seconds and try again.")
        return
    session.sign_in(result.user)
    st.rerun()
