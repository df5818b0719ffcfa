"""The feedback for one stored attempt: overall score and verdict, a bar per principle, the trainee's reply
with its evidence highlighted, the tips, then the real brand's reply with the expert's analysis next to the
trainee's own, and the coach's comment when the attempt has been reviewed.

Everything is drawn from the stored attempt (``Attempt.grade_json``), so feedback after a reload, or for an
old attempt on the progress page, is exactly what the trainee saw when they submitted.
"""

from __future__ import annotations

import streamlit as st

from replycoach.cases.models import HANDLING_LABELS, Case, Handling
from replycoach.storage.types import Attempt
from replycoach.ui.components.evidence import highlight_html, legend_html, spans_from_grade
from replycoach.ui.components.scores import overall_html, principle_bars_html
from replycoach.ui.components.text import esc, md_text, minutes_label


def principle_title(pid: str) -> str:
    """The principle's title from the grading engine's catalogue ("no_script" -> its title)."""
    try:
        from grading import PRINCIPLE_INFO

        return PRINCIPLE_INFO[pid].title
    except (ImportError, KeyError, AttributeError):
        return pid.replace("_", " ").capitalize()


def handling_label(value: str) -> str:
    try:
        return HANDLING_LABELS[Handling(value)]
    except ValueError:
        return value


def show_feedback(attempt: Attempt, case: Case | None, pass_mark: float, *, key: str) -> None:
    """Render the full feedback of ``attempt``. ``case`` is the case in the attempt's language (None if the
    case file is gone); ``key`` keeps element keys apart when several attempts are shown on one page."""
    grade = attempt.grade_json or {}
    st.html(overall_html(attempt.score, attempt.passed, pass_mark))
    meta = [
        f"Handling: {handling_label(attempt.handling)}",
        f"answered after {minutes_label(attempt.response_seconds / 60)}",
    ]
    if case is not None and case.target_response_minutes:
        meta.append(f"target {minutes_label(case.target_response_minutes)}")
    st.caption(md_text(" · ".join(meta)))
    if attempt.needs_review:
        st.info("A coach will look at this attempt too (the automatic grade was uncertain).")
    for warning in grade.get("warnings") or ():
        st.warning(md_text(warning))

    left, right = st.columns([5, 6], gap="large")
    with left:
        st.markdown("**Per principle**")
        st.html(principle_bars_html(grade, principle_title))
    with right:
        st.markdown("**Your reply — what earned and what lost points**")
        st.html(highlight_html(attempt.reply, spans_from_grade(grade, len(attempt.reply)), principle_title))
        st.html(legend_html())

    tips = [(pid, pg.get("tip")) for pid, pg in (grade.get("principles") or {}).items() if pg.get("tip")]
    if tips:
        st.markdown("**Tips**")
        st.html(
            '<ul style="font-family:system-ui,sans-serif;margin:0">'
            + "".join(f"<li><strong>{esc(principle_title(pid))}:</strong> {esc(tip)}</li>" for pid, tip in tips)
            + "</ul>"
        )

    if attempt.review is not None:
        review = attempt.review
        with st.container(border=True):
            overall = f" — overall {review.overall:.0f}" if review.overall is not None else ""
            st.markdown(f"**Coach {md_text(review.coach_name)}**{md_text(overall)}")
            st.html(f'<div style="white-space:pre-wrap;font-family:system-ui,sans-serif">{esc(review.comment)}</div>')

    if case is not None and case.real_reply is not None:
        show_real_reply_next_to(attempt.reply, case, key=key)


def show_real_reply_next_to(reply: str, case: Case, *, key: str) -> None:
    """The trainee's reply and the brand's real reply side by side, with the expert's analysis below."""
    real = case.real_reply
    if real is None:
        return
    st.markdown("**Compare with the real brand**")
    mine, theirs = st.columns(2, gap="large")
    box = "white-space:pre-wrap;font-family:system-ui,sans-serif;border-radius:8px;padding:10px 12px;"
    with mine:
        st.caption("Your reply")
        st.html(f'<div class="rc-mine" style="{box}background:#f4f8ff">{esc(reply) or "(no reply)"}</div>')
    with theirs:
        who = real.author or case.post.brand
        when = f", after {minutes_label(real.after_minutes)}" if real.after_minutes is not None else ""
        handling = f" · {handling_label(real.handling.value)}" if real.handling else ""
        st.caption(md_text(f"What {who} really answered{when}{handling}"))
        st.html(f'<div class="rc-real" style="{box}background:#f6f6f6">{esc(real.text)}</div>')
    st.html(
        '<div class="rc-analysis" style="font-family:system-ui,sans-serif;border-left:4px solid #999;'
        f'padding:4px 12px;margin-top:6px"><strong>Expert analysis.</strong> {esc(real.analysis)}</div>'
    )
