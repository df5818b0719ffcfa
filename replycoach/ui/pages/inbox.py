"""Inbox (trainees, coaches, admins): what needs the user's attention, newest first, unread on top, with the
unread count in the sidebar. Items come from ``replycoach.inbox`` (derived from assignments, attempts and
reviews); opening one marks it read and goes where it points."""

from __future__ import annotations

import logging
from datetime import datetime

import streamlit as st

from replycoach import inbox as inbox_domain
from replycoach.cases.lifecycle import published_cases
from replycoach.cases.models import Case
from replycoach.localtime import local_text, local_today
from replycoach.storage.types import User
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _
from replycoach.ui.navigation import ASSIGNMENTS, PRACTICE, REVIEW, switch_to
from replycoach.ui.pages.practice import CASE_PARAM, LANGUAGE_PARAM
from replycoach.ui.session import ATTEMPT_PARAM

log = logging.getLogger(__name__)
#: The review page opens this attempt first when it is set (an inbox item was opened).
REVIEW_OPEN = "review_open"


def _inbox(user: User) -> inbox_domain.Inbox:
    library = services.get_library()
    return inbox_domain.inbox_for(
        services.get_store(), user, live_case_ids=published_cases(library.cases), today=local_today(user.time_zone)
    )


def nav_title(user: User) -> str:
    """ "Inbox (3)" with the unread count; just "Inbox" when there is nothing new (or it cannot be counted)."""
    try:
        unread = _inbox(user).unread
    except Exception:  # the sidebar must never take the app down
        log.exception("the inbox count failed")
        return _("Inbox")
    return _("Inbox ({count})").format(count=unread) if unread else _("Inbox")


def render() -> None:
    user = session.require("inbox")
    store = services.get_store()
    library = services.get_library()
    st.title(_("Inbox"))
    inbox = _inbox(user)
    if not inbox.items:
        st.info(_("Nothing new. New assignments, coaches' reviews and reminders will show up here."))
        return
    top = st.columns([4, 1])
    top[0].caption(_("{unread} unread of {total}.").format(unread=inbox.unread, total=len(inbox.items)))
    if inbox.unread and top[1].button(_("Mark all as read"), key="inbox_read_all"):
        store.mark_inbox_read(user, [item.key for item in inbox.items if item.unread])
        st.rerun()
    if inbox.waiting_reviews > sum(item.kind == inbox_domain.TO_REVIEW for item in inbox.items):
        st.caption(
            _("{count} attempts wait for a review in all; the newest are listed here.").format(
                count=inbox.waiting_reviews
            )
        )
    for item in inbox.items:
        _item(store, user, library.cases, item)


def _item(store, user: User, cases: dict[str, Case], item: inbox_domain.InboxItem) -> None:
    title = _title(cases, item.case_id)
    with st.container(border=True, key=f"inbox_{item.key.replace(':', '_')}"):
        left, right = st.columns([5, 1])
        with left:
            weight = "**" if item.unread else ""
            st.markdown(weight + md_text(_sentence(item, title)) + weight)
            if item.kind == inbox_domain.COMMENT and item.comment:
                st.text(item.comment)
            if isinstance(item.at, datetime):
                st.caption(local_text(item.at, user.time_zone, with_zone=True))
        with right:
            if st.button(_("Open"), key=f"inbox_open_{item.key}", type="primary" if item.unread else "secondary"):
                store.mark_inbox_read(user, [item.key])
                _open(user, cases, item)
            if item.unread and st.button(_("Mark as read"), key=f"inbox_read_{item.key}"):
                store.mark_inbox_read(user, [item.key])
                st.rerun()


def _title(cases: dict[str, Case], case_id: str | None) -> str:
    case = cases.get(case_id or "")
    return f"“{case.title if case is not None else case_id}”"


def _sentence(item: inbox_domain.InboxItem, title: str) -> str:
    """One whole sentence per kind of item (whole sentences translate; glued pieces do not)."""
    due = item.due.isoformat() if item.due else ""
    kind = item.kind
    score = f"{item.score:.0f}" if item.score is not None else ""
    values = {"title": title, "due": due, "person": item.person, "score": score}
    if kind == inbox_domain.ASSIGNMENT:
        sentence = _("New assignment: {title}, due on {due}.") if item.due else _("New assignment: {title}.")
    elif kind == inbox_domain.DUE_SOON:
        sentence = _("Due soon: {title} is due on {due}.")
    elif kind == inbox_domain.OVERDUE:
        sentence = _("Overdue: {title} was due on {due}.")
    elif kind == inbox_domain.COMMENT:
        if item.score is None:
            sentence = _("{person} reviewed your reply to {title}.")
        else:
            sentence = _("{person} reviewed your reply to {title}: {score} points.")
    elif kind == inbox_domain.TO_REVIEW:
        sentence = _("{person} answered {title} ({score} points); it waits for your review.")
    else:
        sentence = _("{person} has not done {title}, which was due on {due}.")
    return sentence.format(**values)


def _open(user: User, cases: dict[str, Case], item: inbox_domain.InboxItem) -> None:
    if item.kind in (inbox_domain.ASSIGNMENT, inbox_domain.DUE_SOON, inbox_domain.OVERDUE):
        case = cases[item.case_id]
        language = user.ui_language if user.ui_language in case.languages else case.language
        switch_to(PRACTICE, {CASE_PARAM: case.id, LANGUAGE_PARAM: language})
    elif item.kind == inbox_domain.COMMENT:
        session.show_attempt(item.attempt_id)
        switch_to(PRACTICE, {ATTEMPT_PARAM: str(item.attempt_id)})
    elif item.kind == inbox_domain.TO_REVIEW:
        st.session_state[REVIEW_OPEN] = item.attempt_id
        switch_to(REVIEW)
    else:
        switch_to(ASSIGNMENTS)
