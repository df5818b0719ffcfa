"""Assignments (coaches, admins): give a published case to a trainee or a whole team, with an optional due date;
see per assignment who has done it, passed it or is overdue; remove one after confirming. The same case given
twice to the same trainee (or team) while the first is still open is refused with the reason. Trainees see
their assignments in the inbox and at the top of the case list."""

from __future__ import annotations

import streamlit as st

from replycoach.cases.lifecycle import published_cases
from replycoach.i18n import N_
from replycoach.localtime import local_text, local_today
from replycoach.storage.types import AssignmentStatus, Role, StorageError
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _

_DONE = "assignments_done"
_CONFIRM = "assignments_confirm_remove"


def render() -> None:
    user = session.require("assignments")
    store = services.get_store()
    library = services.get_library()
    st.title(_("Assignments"))
    if st.session_state.get(_DONE):
        st.success(md_text(st.session_state.pop(_DONE)))
    today = local_today(user.time_zone)

    cases = sorted(published_cases(library.cases).values(), key=lambda c: c.title.lower())
    trainees = [t for t in store.list_users(role=Role.trainee) if t.active]
    names = {t.username: t.display_name for t in trainees}
    teams = store.list_teams()
    with st.container(border=True):
        st.subheader(_("Assign a case"))
        case_id = st.selectbox(
            _("Case (published cases only)"),
            [c.id for c in cases],
            format_func=lambda cid: f"{library.cases[cid].title} ({cid})",
            index=None,
            key="assign_case",
        )
        target = st.radio(_("To"), [N_("A trainee"), N_("A team")], horizontal=True, key="assign_target", format_func=_)
        if target == "A trainee":
            who = st.selectbox(
                _("Trainee"),
                list(names),
                format_func=lambda u: f"{names[u]} ({u})",
                index=None,
                key="assign_user",
            )
        else:
            who = st.selectbox(_("Team"), teams, index=None, key="assign_team")
        with_due = st.checkbox(_("Due date"), key="assign_has_due")
        due = st.date_input(_("Due"), value=today, min_value=today, key="assign_due") if with_due else None
        if st.button(_("Assign"), type="primary", key="assign_submit"):
            if case_id is None or who is None:
                st.error(_("Choose a case and a trainee.") if target == "A trainee" else _("Choose a case and a team."))
            else:
                try:
                    if target == "A trainee":
                        store.assign(case_id, user, username=who, due=due)
                    else:
                        store.assign(case_id, user, team=who, due=due)
                except (StorageError, ValueError) as err:
                    st.error(md_text(f"Not assigned: {err}"))
                else:
                    shown = names.get(who, f"team {who}")
                    st.session_state[_DONE] = f"Assigned {library.cases[case_id].title} to {shown}."
                    st.rerun()

    st.subheader(_("Current assignments"))
    assignments = store.list_assignments(user)
    if not assignments:
        st.write(_("No assignments yet."))
        return
    progress: dict[int, list[AssignmentStatus]] = {}
    for status in store.assignment_statuses(user, today=today):
        progress.setdefault(status.assignment.id, []).append(status)
    for a in assignments:
        case = library.cases.get(a.case_id)
        title = case.title if case is not None else f"{a.case_id} (case missing)"
        if case is not None and not case.is_published:
            title += f" ({case.status.value}: trainees do not see it)"
        to = f"team {a.team}" if a.team else (a.display_name or a.username or f"user #{a.user_id}")
        rows = progress.get(a.id, [])
        done = sum(s.done for s in rows)
        passed = sum(s.passed for s in rows)
        overdue = sum(s.overdue for s in rows)
        due = f"due {a.due:%Y-%m-%d}" if a.due else "no due date"
        summary = f"{done} of {len(rows)} done, {passed} passed" + (f", {overdue} overdue" if overdue else "")
        with st.container(border=True, key=f"assignment_{a.id}"):
            cols = st.columns([6, 1])
            cols[0].markdown(f"**{md_text(title)}** → {md_text(to)} · {due} · {md_text(summary)}")
            cols[0].caption(f"Assigned {local_text(a.created_at, user.time_zone)}")
            if st.session_state.get(_CONFIRM) == a.id:
                _confirm_removal(store, user, a.id, title, to)
            elif cols[1].button(_("Remove"), key=f"assign_remove_{a.id}"):
                st.session_state[_CONFIRM] = a.id
                st.rerun()
            if rows:
                with st.expander(_("Who has done it"), expanded=bool(overdue)):
                    st.dataframe(
                        [
                            {
                                "trainee": s.display_name,
                                "team": s.team or "",
                                "done": s.done,
                                "passed": s.passed,
                                "best score": None if s.best_score is None else round(s.best_score),
                                "last attempt": local_text(s.last_attempt_at, user.time_zone),
                                "overdue": s.overdue,
                            }
                            for s in rows
                        ],
                        hide_index=True,
                        key=f"assignment_progress_{a.id}",
                    )


def _confirm_removal(store, user, assignment_id: int, title: str, to: str) -> None:
    st.warning(md_text(f"Remove the assignment of {title} to {to}? Trainees no longer see it; attempts stay."))
    yes, no = st.columns(2)
    if yes.button(_("Yes, remove it"), type="primary", key=f"assign_remove_yes_{assignment_id}"):
        st.session_state.pop(_CONFIRM, None)
        try:
            store.remove_assignment(assignment_id, user)
        except StorageError as err:
            st.error(md_text(f"Not removed: {err}"))
        else:
            st.session_state[_DONE] = f"Removed the assignment of {title} to {to}."
            st.rerun()
    if no.button(_("Cancel"), key=f"assign_remove_no_{assignment_id}"):
        st.session_state.pop(_CONFIRM, None)
        st.rerun()
