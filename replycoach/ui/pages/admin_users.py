"""Users (admins): list everyone, add a user, change role or team, reset a password, deactivate.

An admin cannot deactivate or demote their own account here: that would lock the last admin out.
"""

from __future__ import annotations

import streamlit as st

from replycoach.storage.types import Role, StorageError
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _

_DONE = "admin_users_done"
ROLES = [r.value for r in Role]


def _done(message: str) -> None:
    st.session_state[_DONE] = message
    st.rerun()


def render() -> None:
    me = session.require("admin_users")
    store = services.get_store()
    st.title(_("Users"))
    if st.session_state.get(_DONE):
        st.success(md_text(st.session_state.pop(_DONE)))

    users = store.list_users()
    st.dataframe(
        [
            {
                "username": u.username,
                "name": u.display_name,
                "role": u.role.value,
                "team": u.team or "",
                "active": u.active,
            }
            for u in users
        ],
        hide_index=True,
        key="admin_users_table",
    )

    with st.expander(_("Add a user"), expanded=not users):
        c1, c2 = st.columns(2)
        username = c1.text_input(_("Username"), key="admin_new_username")
        display = c2.text_input(_("Display name"), key="admin_new_display")
        password = c1.text_input(_("Password"), type="password", key="admin_new_password")
        role = c2.selectbox(_("Role"), ROLES, key="admin_new_role")
        team = c1.text_input(_("Team (optional)"), key="admin_new_team")
        if st.button(_("Add user"), type="primary", key="admin_add"):
            try:
                store.add_user(username, password, Role(role), display_name=display or None, team=team.strip() or None)
            except (StorageError, ValueError) as err:
                st.error(md_text(f"Not added: {err}"))
            else:
                _done(f"Added {username.strip()} as {role}.")

    st.subheader(_("Change a user"))
    name = st.selectbox(_("User"), [u.username for u in users], index=None, key="admin_pick")
    if name is None:
        return
    user = next(u for u in users if u.username == name)
    is_me = user.id == me.id
    c1, c2 = st.columns(2)
    with c1:
        new_role = st.selectbox(_("Role"), ROLES, index=ROLES.index(user.role.value), key=f"admin_role_{user.id}")
        if st.button(_("Set role"), key=f"admin_set_role_{user.id}"):
            if is_me and new_role != Role.admin.value:
                st.error(_("You cannot take the admin role from yourself; ask another admin."))
            else:
                _apply(lambda: store.set_role(name, Role(new_role)), f"{name} is now {new_role}.")
        new_team = st.text_input(_("Team (empty: none)"), value=user.team or "", key=f"admin_team_{user.id}")
        if st.button(_("Set team"), key=f"admin_set_team_{user.id}"):
            _apply(
                lambda: store.set_team(name, new_team.strip() or None),
                f"{name}'s team is now {new_team.strip() or 'none'}.",
            )
    with c2:
        new_password = st.text_input(_("New password"), type="password", key=f"admin_password_{user.id}")
        if st.button(_("Reset password"), key=f"admin_set_password_{user.id}"):
            _apply(lambda: store.set_password(name, new_password), f"{name}'s password was reset.")
        if user.active:
            if st.button(_("Deactivate"), key=f"admin_deactivate_{user.id}"):
                if is_me:
                    st.error(_("You cannot deactivate your own account."))
                else:
                    _apply(lambda: store.set_active(name, False), f"{name} is deactivated and can no longer sign in.")
        elif st.button(_("Reactivate"), key=f"admin_reactivate_{user.id}"):
            _apply(lambda: store.set_active(name, True), f"{name} is active again.")


def _apply(action, message: str) -> None:
    try:
        action()
    except (StorageError, ValueError) as err:
        st.error(md_text(f"Not changed: {err}"))
    else:
        _done(message)
