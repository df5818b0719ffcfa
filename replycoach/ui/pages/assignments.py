"""Assignments (coaches, admins): give a case to a trainee or a whole team, with an optional due date; list
and remove. Trainees see their assignments on the practice page."""

from __future__ import annotations

from datetime import date

import streamlit as st

from replycoach.storage.types import Role, StorageError
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text

_DONE = "assignments_done"


def render() -> None:
    user = session.require("assignments")
    store = services.get_store()
    library = services.get_library()
    st.title("Assignments")
    if st.session_state.get(_DONE):
        st.success(md_text(st.session_state.pop(_DONE)))

    cases = sorted(library.cases.values(), key=lambda c: c.title.lower())
    trainees = store.list_users(role=Role.trainee)
    teams = store.list_teams()
    with st.container(border=True):
        st.subheader("Assign a case")
        case_id = st.selectbox(
            "Case",
            [c.id for c in cases],
            format_func=lambda cid: f"{library.cases[cid].title} ({cid})",
            index=None,
            key="assign_case",
        )
        target = st.radio("To", ["A trainee", "A team"], horizontal=True, key="assign_target")
        if target == "A trainee":
            who = st.selectbox(
                "Trainee",
                [t.username for t in trainees if t.active],
                format_func=lambda u: next(
                    (f"{t.display_name} ({t.username})" for t in trainees if t.username == u), u
                ),
                index=None,
                key="assign_user",
            )
        else:
            who = st.selectbox("Team", teams, index=None, key="assign_team")
        with_due = st.checkbox("Due date", key="assign_has_due")
        due = st.date_input("Due", value=date.today(), min_value=date.today(), key="assign_due") if with_due else None
        if st.button("Assign", type="primary", key="assign_submit"):
            if case_id is None or who is None:
                st.error("Choose a case and a " + ("trainee." if target == "A trainee" else "team."))
            else:
                try:
                    if target == "A trainee":
                        store.assign(case_id, user, username=who, due=due)
                    else:
                        store.assign(case_id, user, team=who, due=due)
                except (StorageError, ValueError) as err:
                    st.error(md_text(f"Not assigned: {err}"))
                else:
                    st.session_state[_DONE] = f"Assigned {library.cases[case_id].title} to {who}."
                    st.rerun()

    st.subheader("Current assignments")
    assignments = store.list_assignments(user)
    if not assignments:
        st.write("No assignments yet.")
    for a in assignments:
        title = library.cases[a.case_id].title if a.case_id in library.cases else f"{a.case_id} (case missing)"
        to = f"team {a.team}" if a.team else (a.username or f"user #{a.user_id}")
        due = f"due {a.due:%Y-%m-%d}" if a.due else "no due date"
        overdue = " — overdue" if a.due and a.due < date.today() else ""
        cols = st.columns([6, 1])
        cols[0].markdown(f"**{md_text(title)}** → {md_text(to)} · {due}{overdue}")
        if cols[1].button("Remove", key=f"assign_remove_{a.id}"):
            try:
                store.remove_assignment(a.id, user)
            except StorageError as err:
                st.error(md_text(f"Not removed: {err}"))
            else:
                st.session_state[_DONE] = f"Removed the assignment of {title} to {to}."
                st.rerun()
