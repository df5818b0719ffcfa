"""The feedback for one stored attempt: the score of record and verdict (a coach's review counts, the machine's
score stays beside it), the caps that held the overall down with the words that triggered them, a bar per
principle, how the overall was reached, "try this next", the trainee's reply with its evidence highlighted,
the coach's review, a suggested rewrite as a word diff, and the trainee's reply beside a model answer and the
real brand's reply with the expert's analysis.

Everything is drawn from the stored attempt (``Attempt.grade_json``), so feedback after a reload, or for an
old attempt on the progress page, is exactly what the trainee saw when they submitted (old attempts lack the
caps and the stretch: what exists is explained).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from replycoach.cases.models import Case
from replycoach.coaching import ModelAnswer, Rewrite, explain_overall, model_answer, next_steps, word_diff
from replycoach.localtime import local_text
from replycoach.storage.types import Attempt
from replycoach.ui.components.coaching import action_text, caps_html, diff_html, explanation_html, next_steps_html
from replycoach.ui.components.evidence import highlight_html, legend_html, spans_from_grade
from replycoach.ui.components.scores import overall_html, principle_bars_html
from replycoach.ui.components.text import LANGUAGE_NAMES, esc, md_text, minutes_label
from replycoach.ui.i18n import _, handling_label, principle_title, tip_text

log = logging.getLogger(__name__)


def show_feedback(
    attempt: Attempt,
    base_case: Case | None,
    pass_mark: float,
    *,
    key: str,
    time_zone: str,
    rewrite: Callable[[], Rewrite | None] | None = None,
) -> None:
    """Render the full feedback of ``attempt``: its score of record (the coach's where there is a review, the
    machine's beside it), how the overall came about, "try this next", the reply with its evidence, the coach's
    review, the suggested rewrite (``rewrite`` works it out; None: not offered) and, for a first reply, the
    model answer beside the real brand's reply. ``base_case`` is the whole case (None if the case file is
    gone); ``key`` keeps element keys apart when several attempts are shown on one page; times are shown in
    ``time_zone``."""
    grade = attempt.grade_json or {}
    case = _in_language(base_case, attempt.language)
    review = attempt.review
    st.html(overall_html(attempt.score, attempt.passed, pass_mark, machine_score=attempt.machine_score))
    if review is not None:
        st.caption(md_text(_review_line(attempt, time_zone)))
    meta = [
        _("Handling: {handling}").format(handling=handling_label(attempt.handling)),
        _("answered after {duration}").format(duration=minutes_label(attempt.response_seconds / 60)),
    ]
    if case is not None and case.target_response_minutes:
        meta.append(_("target {duration}").format(duration=minutes_label(case.target_response_minutes)))
    meta.append(_("graded by grader {version}").format(version=attempt.grader_version))
    st.caption(md_text(" · ".join(meta)))
    if attempt.needs_review and review is None:
        st.info(_("A coach will look at this attempt too (the automatic grade was uncertain)."))
    for warning in grade.get("warnings") or ():
        st.warning(md_text(warning))

    explanation = explain_overall(grade, attempt.reply)
    if explanation is not None and explanation.caps:
        st.html(caps_html(explanation, principle_title))
    coach_scores = review.scores if review is not None else None
    left, right = st.columns([5, 6], gap="large")
    with left:
        st.markdown(f"**{_('Per principle')}**")
        st.html(principle_bars_html(grade, principle_title, coach=coach_scores))
        if explanation is not None:
            with st.expander(_("How the overall was reached"), expanded=False):
                st.html(explanation_html(explanation, principle_title))
    with right:
        st.markdown(f"**{_('Your reply — what earned and what lost points')}**")
        st.html(highlight_html(attempt.reply, spans_from_grade(grade, len(attempt.reply)), principle_title))
        st.html(legend_html())

    steps = _next_steps(case, grade)
    if steps:
        st.markdown(f"**{_('Try this next')}**")
        st.html(next_steps_html(steps, principle_title, attempt.language))

    if review is not None:
        with st.container(border=True, key=f"{key}_review"):
            st.markdown(
                md_text(
                    _("Reviewed by {coach}, {when}").format(
                        coach=review.coach_name, when=local_text(review.created_at, time_zone)
                    )
                )
            )
            if review.comment:
                st.html(
                    f'<div style="white-space:pre-wrap;font-family:system-ui,sans-serif">{esc(review.comment)}</div>'
                )

    if rewrite is not None and case is not None and attempt.turn == 1:
        _show_rewrite(attempt, rewrite)

    tips = [(pid, pg.get("tip")) for pid, pg in (grade.get("principles") or {}).items() if pg.get("tip")]
    if tips:
        with st.expander(_("All tips ({count})").format(count=len(tips)), expanded=False):
            st.html(
                '<ul style="font-family:system-ui,sans-serif;margin:0">'
                + "".join(
                    f"<li><strong>{esc(principle_title(pid))}:</strong> {esc(tip_text(tip, attempt.language))}</li>"
                    for pid, tip in tips
                )
                + "</ul>"
            )

    if case is not None and base_case is not None and attempt.turn == 1:
        show_comparison(attempt.reply, case, model_answer(base_case, attempt.language))


def _in_language(base_case: Case | None, language: str) -> Case | None:
    if base_case is None or language not in base_case.languages:
        return None
    return base_case.localized(language)


def _review_line(attempt: Attempt, time_zone: str) -> str:
    review = attempt.review
    when = local_text(review.created_at, time_zone, with_zone=True)
    if round(attempt.score) != round(attempt.machine_score if attempt.machine_score is not None else attempt.score):
        return _(
            "Machine {machine} → coach {coach_score}: the coach's score counts. Reviewed by {coach}, {when}."
        ).format(
            machine=f"{attempt.machine_score:.0f}",
            coach_score=f"{attempt.score:.0f}",
            coach=review.coach_name,
            when=when,
        )
    return _("The coach kept the machine's overall of {score}. Reviewed by {coach}, {when}.").format(
        score=f"{attempt.score:.0f}", coach=review.coach_name, when=when
    )


def _next_steps(case: Case | None, grade: dict):
    from replycoach.practice import grade_from_json

    try:
        return next_steps(case, grade_from_json(grade))
    except (KeyError, TypeError, ValueError):  # a grade stored by an older grader in another shape
        return []


def _show_rewrite(attempt: Attempt, rewrite: Callable[[], Rewrite | None]) -> None:
    try:
        with st.spinner(_("Looking for a better version of your reply…")):
            suggestion = rewrite()
    except Exception:  # an optional extra: the feedback above stands without it
        log.exception("the suggested rewrite of attempt %s failed", attempt.id)
        return
    if suggestion is None:
        return
    st.markdown(f"**{_('A suggested rewrite of your reply')}**")
    st.caption(
        _(
            "The fewest changes to your own reply that the grader scores higher: {before} → {after}. "
            "Removed words are struck through, added words underlined."
        ).format(before=f"{suggestion.original_score:.0f}", after=f"{suggestion.score:.0f}")
    )
    st.html(diff_html(word_diff(attempt.reply, suggestion.text)))
    if suggestion.changes:
        st.caption(md_text(" ".join(action_text(change, attempt.language) for change in suggestion.changes)))
    elif suggestion.source == "llm":
        st.caption(_("Written by the LLM and checked by the grader."))


def show_comparison(reply: str, case: Case, model: ModelAnswer | None) -> None:
    """The trainee's reply, a model answer (the best good exemplar) and the brand's real reply side by side,
    with the expert's analysis of the real reply below. Labels are in the interface's language only; names
    and texts from the case are shown as data inside the boxes."""
    real = case.real_reply
    if real is None and model is None:
        return
    st.markdown(f"**{_('Compare')}**")
    columns = st.columns(1 + (model is not None) + (real is not None), gap="large")
    box = "white-space:pre-wrap;font-family:system-ui,sans-serif;border-radius:8px;padding:10px 12px;"
    with columns[0]:
        st.caption(_("Your reply"))
        st.html(f'<div class="rc-mine" style="{box}background:#f4f8ff">{esc(reply) or esc(_("(no reply)"))}</div>')
    if model is not None:
        with columns[1]:
            st.caption(_("A model answer: a coach's example reply, scored {score}").format(score=model.score))
            if model.language != case.language:
                st.caption(
                    _("This case has no example in your language yet; this one is in {language}.").format(
                        language=LANGUAGE_NAMES[model.language]
                    )
                )
            st.html(f'<div class="rc-model" style="{box}background:#eef6ee">{esc(model.text)}</div>')
            if model.note:
                st.html(
                    f'<div class="rc-model-note" style="font-family:system-ui,sans-serif;color:#555">{esc(model.note)}</div>'
                )
    if real is not None:
        with columns[-1]:
            st.caption(_("What the brand really answered"))
            details = []
            if real.after_minutes is not None:
                details.append(_("after {duration}").format(duration=minutes_label(real.after_minutes)))
            if real.handling:
                details.append(handling_label(real.handling.value))
            st.html(
                f'<div class="rc-real" style="{box}background:#f6f6f6">'
                f'<div class="rc-real-author" style="font-weight:600;margin-bottom:4px">{esc(real.author or case.post.brand)}'
                f'<span style="font-weight:400;color:#666">{esc(" · " + " · ".join(details)) if details else ""}</span></div>'
                f'<div class="rc-real-text">{esc(real.text)}</div></div>'
            )
        st.html(
            '<div class="rc-analysis" style="font-family:system-ui,sans-serif;border-left:4px solid #999;'
            f'padding:4px 12px;margin-top:6px"><strong>{esc(_("Expert analysis."))}</strong> {esc(real.analysis)}</div>'
        )
