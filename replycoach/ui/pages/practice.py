"""Practice: pick a case, answer it against the clock, get graded feedback, answer the customer once more.

Three views, chosen by the session (see ``replycoach.ui.session``): the case list; an open case with the
post, the clock and the reply box; the feedback of a stored attempt (also after a reload: its id is in the
URL). An attempt is stored before its feedback is shown. What the trainee writes is kept as they go
(``session.keep_draft``), so a reload brings the case back with the draft and the clock where it was. Only
published cases are listed, opened (also from a link, ``?case=ID&lang=xx``) or answered; attempts on a retired
case stay viewable.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from replycoach import practice
from replycoach.cases.lifecycle import published_cases
from replycoach.cases.models import LANGUAGES, Case, Difficulty, Handling, Negativity
from replycoach.config import get_settings
from replycoach.localtime import local_today
from replycoach.storage.types import Attempt, MissingEntry, User
from replycoach.ui import services, session
from replycoach.ui.components.clock import clock_html
from replycoach.ui.components.feedback import show_feedback
from replycoach.ui.components.post import customer_name_of, post_html, thread_message_html
from replycoach.ui.components.text import LANGUAGE_NAMES, md_text, minutes_label
from replycoach.ui.i18n import _, difficulty_label, handling_label, negativity_label

_DIFFICULTY_ORDER = {d.value: i for i, d in enumerate(Difficulty)}
_CUSTOMER_MESSAGES = "practice_customer_messages"
#: A link to a case: ``?case=ID&lang=xx`` (the inbox uses it).
CASE_PARAM, LANGUAGE_PARAM = "case", "lang"


def render() -> None:
    user = session.require("practice")
    library = services.get_library()
    live = published_cases(library.cases)
    if not _opened_from_link(live):
        return
    attempt_id = session.shown_attempt_id()
    if attempt_id is not None:
        _feedback_view(user, library, attempt_id)
        return
    opened = session.opened_case()
    if opened is not None and (stored := services.get_store().stored_turn(user, opened.client_token)) is not None:
        # Graded and stored by a run cut short before it could show the grade (a second click on Submit, a
        # reload at that moment): show it rather than ask for the same reply again.
        session.turn_submitted()
        session.show_attempt(stored)
        _feedback_view(user, library, stored)
        return
    if opened is not None and opened.case_id in live and opened.language in live[opened.case_id].languages:
        _answer_view(user, live[opened.case_id].localized(opened.language), opened)
        return
    if opened is not None:  # retired or unpublished since it was opened
        session.close_case()
        st.warning(_("That case is no longer offered."))
    _case_list(user, live)


def _opened_from_link(live: dict[str, Case]) -> bool:
    """Open the case a link names (``?case=ID&lang=xx``); False (and a message) when it is not offered."""
    case_id = st.query_params.get(CASE_PARAM)
    if case_id is None:
        return True
    language = st.query_params.get(LANGUAGE_PARAM)
    st.query_params.pop(CASE_PARAM, None)
    st.query_params.pop(LANGUAGE_PARAM, None)
    case = live.get(case_id)
    if case is None:
        st.warning(_("That case is not available."))
        if st.button(_("Back to cases"), key="back_from_link"):
            st.rerun()
        return False
    session.open_case(case.id, language if language in case.languages else case.language)
    return True


# --- the case list ------------------------------------------------------------------------------------------


def _case_list(user: User, live: dict[str, Case]) -> None:
    store = services.get_store()
    st.title(_("Practice"))
    if not live:
        st.warning(_("No cases are available yet. Ask a coach to add some."))
        return
    due_by_case: dict[str, date | None] = {}
    for assignment in store.assignments_for(user):  # soonest due first: keep the first per case
        due_by_case.setdefault(assignment.case_id, assignment.due)
    done = store.done_case_ids(user.id)
    today = local_today(user.time_zone)

    cols = st.columns([3, 2, 2, 2])
    kinds = cols[0].multiselect(
        _("Kind of negativity"), [n.value for n in Negativity], key="filter_kind", format_func=negativity_label
    )
    levels = cols[1].multiselect(
        _("Difficulty"), [d.value for d in Difficulty], key="filter_difficulty", format_func=difficulty_label
    )
    language = cols[2].selectbox(
        _("Language"), ["any", *LANGUAGES], key="filter_language", format_func=lambda c: LANGUAGE_NAMES.get(c, _("Any"))
    )
    not_done = cols[3].checkbox(_("Not yet done"), key="filter_not_done")

    cases = [
        c
        for c in live.values()
        if (not kinds or c.negativity.value in kinds)
        and (not levels or c.difficulty.value in levels)
        and (language == "any" or language in c.languages)
        and (not not_done or c.id not in done)
    ]
    cases.sort(
        key=lambda c: (
            c.id not in due_by_case,
            due_by_case.get(c.id) or date.max,
            _DIFFICULTY_ORDER[c.difficulty.value],
            c.title.casefold(),
        )
    )
    st.caption(_("{shown} of {total} cases").format(shown=len(cases), total=len(live)))
    if not cases:
        st.info(_("No case matches these filters."))
    for case in cases:
        _case_row(case, due_by_case, done, language, today)


def _case_row(case: Case, due_by_case: dict, done: set[str], language: str, today: date) -> None:
    with st.container(border=True):
        left, right = st.columns([4, 2])
        with left:
            badges = []
            if case.id in due_by_case:
                due = due_by_case[case.id]
                overdue = due is not None and due < today
                label = _("Assigned, due {date}").format(date=due.isoformat()) if due else _("Assigned")
                badges.append(f":{'red' if overdue else 'orange'}-badge[{label}]")  # our words and a date only
            if case.id in done:
                badges.append(f":green-badge[{_('Done')}]")
            st.markdown(f"**{md_text(case.title)}** " + " ".join(badges))
            st.caption(
                md_text(
                    f"{negativity_label(case.negativity.value)} · {difficulty_label(case.difficulty.value)} · "
                    + _("answer within {duration}").format(duration=minutes_label(case.target_response_minutes))
                    + f" · {', '.join(case.languages)}"
                )
            )
        with right:
            langs = case.languages if language == "any" else (language,)
            st.caption(_("Open in"))
            buttons = st.columns(len(langs))
            for col, lang in zip(buttons, langs, strict=True):
                if col.button(lang.upper(), key=f"open_{case.id}_{lang}", width="stretch"):
                    session.open_case(case.id, lang)
                    st.rerun()


# --- an open case ---------------------------------------------------------------------------------------------


def _case_header(case: Case) -> None:
    top = st.columns([6, 1])
    top[0].subheader(md_text(case.title))
    if top[1].button(_("Back to cases"), key="back_to_cases"):
        session.close_case()
        st.rerun()


def _answer_view(user: User, case: Case, opened: session.OpenCase) -> None:
    settings = get_settings()
    services.prepare_case_in_background(case, settings)
    _case_header(case)
    now = session.now()
    st.html(clock_html(opened.opened_at, now, case.target_response_minutes), unsafe_allow_javascript=True)
    st.html(post_html(case, seconds_since_posted=(now - opened.opened_at).total_seconds()))

    handling = st.radio(
        _("How do you handle this comment?"),
        [h.value for h in Handling],
        index=None,
        format_func=handling_label,
        key=f"handling_{opened.client_token}",
    )
    reply = st.text_area(
        _("Your reply as {brand}").format(brand=md_text(case.post.brand)),
        key=f"reply_{opened.client_token}",
        max_chars=settings.reply_limit,
        height=180,
        placeholder=_("Write the reply you would post…"),
    )
    st.caption(_("{count} / {limit} characters").format(count=len(reply), limit=settings.reply_limit))
    if (problem := session.keep_draft(opened, reply, handling)) is not None:
        st.error(problem)
    if st.button(_("Submit reply"), type="primary", key="submit_reply"):
        if handling is None:
            st.error(_("Choose how to handle the comment first."))
            return
        turn = practice.Turn(case, opened.opened_at, opened.client_token)
        _submit(user, turn, reply, handling)


def _submit(user: User, turn: practice.Turn, reply: str, handling: str) -> None:
    """Grade and store, then show the stored attempt. Bad input: a message, nothing stored, text kept."""
    settings = get_settings()
    try:
        with st.spinner(_("Grading your reply…")):
            attempt = practice.submit_reply(
                services.get_store(), services.get_engine(), settings, user, turn, reply, handling, session.now()
            )
    except practice.ReplyRejected as err:
        st.error(str(err))
        return
    session.turn_submitted(turn.parent_id or 0)
    session.show_attempt(attempt.parent_id or attempt.id)
    st.rerun()


# --- feedback -------------------------------------------------------------------------------------------------


def _feedback_view(user: User, library, attempt_id: int) -> None:
    store = services.get_store()
    settings = get_settings()
    try:
        first = store.get_attempt(attempt_id, user)
        if first.parent_id is not None:
            first = store.get_attempt(first.parent_id, user)
    except MissingEntry:
        st.warning(_("That attempt is not available."))
        if st.button(_("Back to cases"), key="back_missing"):
            session.close_case()
            st.rerun()
        return
    base = library.cases.get(first.case_id)
    case = base.localized(first.language) if base is not None and first.language in base.languages else None

    if case is None:
        st.subheader(md_text(first.case_id))
        st.info(_("This case is no longer in the casebook; the feedback below is as it was graded."))
    else:
        _case_header(case)
        if case.content_hash != first.case_hash:
            st.caption(_("The case has been edited since this attempt."))
        if not case.is_published:
            st.info(_("This case is no longer offered; your attempt and its feedback stay here."))
    live = case is not None and case.is_published
    if live and st.button(_("Try again"), key="try_again", icon=":material/replay:"):
        session.open_case(case.id, first.language)
        st.rerun()

    if case is not None:
        with st.expander(_("The post"), expanded=False):
            st.html(post_html(case, seconds_since_posted=first.response_seconds))

    def rewrite():
        return practice.suggested_rewrite(store, services.get_engine(), settings, first, case)

    show_feedback(
        first,
        base,
        settings.pass_mark,
        key=f"fb_{first.id}",
        time_zone=user.time_zone,
        rewrite=rewrite if live else None,
    )
    if case is not None:
        _second_turn(user, case, first, open_for_answers=live)


def _second_turn(user: User, case: Case, first: Attempt, *, open_for_answers: bool) -> None:
    """The customer writes back (LLM or scripted, chosen by the first score); the trainee answers once more
    (not on a case that is no longer offered: its thread is shown as it stands)."""
    store = services.get_store()
    settings = get_settings()
    if first.handling == "no_reply" or not first.reply:
        return
    st.divider()
    st.subheader(_("The conversation goes on"))
    brand = case.post.brand
    customer, _handle = customer_name_of(case)
    answers = store.follow_up_attempts(first.id, user)
    st.html(
        thread_message_html(customer, case.complaint, mine=False) + thread_message_html(brand, first.reply, mine=True)
    )
    if answers:
        for answer in answers:
            author = customer
            st.html(
                thread_message_html(author, answer.follow_up_text or "", mine=False)
                + thread_message_html(brand, answer.reply, mine=True)
            )
            with st.expander(_("Feedback on your answer: {score}").format(score=f"{answer.score:.0f}"), expanded=True):
                show_feedback(answer, None, settings.pass_mark, key=f"fb_{answer.id}", time_zone=user.time_zone)
        return
    if not open_for_answers:
        return

    messages: dict = st.session_state.setdefault(_CUSTOMER_MESSAGES, {})
    if first.id not in messages:
        messages[first.id] = practice.customer_follow_up(case, first, settings)
    message = messages[first.id]
    if message is None:
        st.caption(_("The customer did not write back."))
        return
    st.html(thread_message_html(message.author, message.text, mine=False))
    opened = session.follow_up_turn(first.id, case.id, case.language)
    reply = st.text_area(_("Your answer"), key=f"reply2_{first.id}", max_chars=settings.reply_limit, height=120)
    st.caption(_("{count} / {limit} characters").format(count=len(reply), limit=settings.reply_limit))
    if (problem := session.keep_draft(opened, reply, first.handling, parent_id=first.id)) is not None:
        st.error(problem)
    if st.button(_("Send answer"), type="primary", key="submit_turn2"):
        turn = practice.Turn(
            case, opened.opened_at, opened.client_token, turn=2, parent_id=first.id, follow_up_text=message.text
        )
        _submit(user, turn, reply, first.handling)
