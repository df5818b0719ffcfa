"""Review queue (coaches, admins): attempts no coach has reviewed yet, those the machine flagged first.

A coach reads the case and the reply with the machine's grade, then gives their own score per principle
(0 / 0.5 / 1 / N/A), an overall score and a comment the trainee will see. The machine's scores stay on the
attempt; both are shown side by side with who reviewed and when. Reviewing again keeps the older review.
"""

from __future__ import annotations

import streamlit as st

from replycoach.cases.models import PRINCIPLES
from replycoach.storage.types import Attempt, AttemptFilter, MissingEntry, StorageError
from replycoach.ui import services, session
from replycoach.ui.components.evidence import highlight_html, legend_html, spans_from_grade
from replycoach.ui.components.feedback import handling_label, principle_title
from replycoach.ui.components.post import post_html
from replycoach.ui.components.scores import principle_bars_html
from replycoach.ui.components.text import md_text

NA = "N/A"
CHOICES = [NA, "0", "0.5", "1"]
_PICK = "review_pick"
_SAVED = "review_saved"


def choice_value(choice: str | None) -> float | None:
    return None if choice in (None, NA) else float(choice)


def nearest_choice(score: float | None) -> str:
    """The coach's scale point nearest to a machine score (for "start from the machine's scores")."""
    if score is None:
        return NA
    return min(CHOICES[1:], key=lambda c: abs(float(c) - score))


def render() -> None:
    user = session.require("review")
    store = services.get_store()
    library = services.get_library()
    st.title("Review queue")

    queue = store.review_queue(user, AttemptFilter(turn=None), limit=100)
    recent = store.list_attempts(user, AttemptFilter(reviewed=True, turn=None), limit=30)
    if st.session_state.get(_SAVED):
        st.success(st.session_state.pop(_SAVED))
    st.caption(f"{len(queue)} attempt(s) waiting for review; flagged ones first.")

    options = [a.id for a in queue] + [a.id for a in recent if a.id not in {q.id for q in queue}]
    by_id = {a.id: a for a in [*queue, *recent]}
    if not options:
        st.info("Nothing to review: every attempt has a coach's review.")
        return

    def label(attempt_id: int) -> str:
        a = by_id[attempt_id]
        case = library.cases.get(a.case_id)
        flag = "⚑ " if a.needs_review else ""
        done = " · reviewed" if a.review else ""
        title = case.title if case else a.case_id
        return f"{flag}#{a.id} · {a.username} · {title} · {a.score:.0f}{done}"

    attempt_id = st.selectbox("Attempt", options, format_func=label, key=_PICK)
    try:
        attempt = store.get_attempt(attempt_id, user)
    except MissingEntry:
        st.error("This attempt no longer exists.")
        return
    _show_attempt(attempt, library)
    _review_form(store, user, attempt)


def _show_attempt(attempt: Attempt, library) -> None:
    case = library.cases.get(attempt.case_id)
    st.markdown(
        f"**{md_text(attempt.username)}** · {attempt.submitted_at:%Y-%m-%d %H:%M} · "
        f"{md_text(handling_label(attempt.handling))} · machine score **{attempt.score:.0f}** "
        f"({'passed' if attempt.passed else 'not passed'})"
    )
    if attempt.needs_review:
        st.warning("The machine flagged this attempt for review (its grade was uncertain).")
    left, right = st.columns(2, gap="large")
    with left:
        if case is None:
            st.warning(md_text(f"The case {attempt.case_id!r} is no longer in the casebook."))
        else:
            lang = attempt.language if attempt.language in case.languages else case.language
            single = case.localized(lang)
            if single.content_hash != attempt.case_hash and case.content_hash != attempt.case_hash:
                st.caption("The case has changed since this attempt; shown as it is now.")
            st.html(post_html(single, seconds_since_posted=attempt.response_seconds))
        if attempt.follow_up_text:
            st.markdown("**The customer's follow-up this reply answers**")
            st.text(attempt.follow_up_text)
    with right:
        st.markdown("**The reply — what the machine credited and penalised**")
        st.html(
            highlight_html(
                attempt.reply, spans_from_grade(attempt.grade_json or {}, len(attempt.reply)), principle_title
            )
        )
        st.html(legend_html())
        st.html(principle_bars_html(attempt.grade_json or {}, principle_title))
    if attempt.review is not None:
        _show_review_side_by_side(attempt)


def _show_review_side_by_side(attempt: Attempt) -> None:
    review = attempt.review
    st.markdown(f"**Latest review by {md_text(review.coach_name)}, {review.created_at:%Y-%m-%d %H:%M}**")
    rows = [
        {
            "principle": principle_title(pid),
            "machine": attempt.principles.get(pid),
            "coach": review.scores.get(pid),
        }
        for pid in _principles_of(attempt)
    ]
    rows.append({"principle": "Overall (0-100)", "machine": attempt.score, "coach": review.overall})
    st.dataframe(rows, hide_index=True, key="review_side_by_side")
    if review.comment:
        st.markdown("Comment to the trainee:")
        st.text(review.comment)


def _principles_of(attempt: Attempt) -> list[str]:
    weights = (attempt.grade_json or {}).get("weights") or {}
    return [p for p in PRINCIPLES if p in attempt.principles and weights.get(p, 1.0) != 0]


def _prefill(attempt: Attempt) -> None:
    for pid in _principles_of(attempt):
        st.session_state[f"review_{attempt.id}_{pid}"] = nearest_choice(attempt.principles.get(pid))
    st.session_state[f"review_{attempt.id}_overall"] = round(attempt.score)


def _review_form(store, user, attempt: Attempt) -> None:
    st.subheader("Your review")
    st.button("Start from the machine's scores", key=f"review_prefill_{attempt.id}", on_click=_prefill, args=(attempt,))
    principles = _principles_of(attempt)
    choices: dict[str, str | None] = {}
    for pid in principles:
        machine = attempt.principles.get(pid)
        shown = NA if machine is None else f"{machine:.2f}"
        choices[pid] = st.radio(
            f"{principle_title(pid)} (machine: {shown})",
            CHOICES,
            index=None,
            horizontal=True,
            key=f"review_{attempt.id}_{pid}",
        )
    overall = st.number_input(
        "Your overall score (0-100)", min_value=0, max_value=100, value=None, step=1, key=f"review_{attempt.id}_overall"
    )
    comment = st.text_area("Comment to the trainee", key=f"review_{attempt.id}_comment")
    if st.button("Save review", type="primary", key=f"review_save_{attempt.id}"):
        unset = [principle_title(p) for p, c in choices.items() if c is None]
        if unset:
            st.error(f"Score every principle (or N/A) first: {', '.join(unset)}.")
            return
        if overall is None:
            st.error("Give your overall score (0-100).")
            return
        try:
            store.add_review(
                attempt.id,
                user,
                scores={p: choice_value(c) for p, c in choices.items()},
                overall=float(overall),
                comment=comment,
            )
        except (StorageError, ValueError) as err:
            st.error(md_text(f"The review was not saved: {err}"))
            return
        st.session_state[_SAVED] = f"Review of attempt #{attempt.id} saved; the trainee sees your comment."
        st.rerun()
