"""Review queue (coaches, admins): attempts no coach has reviewed yet, filtered by team, case, the principle the
machine took points off, and turn; by default those a review teaches the grader most first (where the machine
was least sure: near the pass mark, principles near one half, the LLM judge disagreeing; the oldest first among
equals), each with its reasons, or the flagged ones first, then the oldest.

A coach reads the case, the thread (a second-turn answer under the first reply and the customer's follow-up)
and the reply with the machine's grade, then gives their own score per principle (quick: 0 / 50 / 100, or fine:
0-100 in steps of 5, or N/A), an overall 0-100 and a comment the trainee will see. The review becomes the
attempt's score of record; the machine's stays beside it. "Save and next" goes on to the next attempt in the
queue. Reviewing again keeps the older review. A review of an attempt whose case was deleted is refused; one whose
case changed since needs the coach's confirmation that they review against the version the trainee answered.
"Use as an exemplar" proposes the reply to its case, good or bad, through the case studio's save.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from replycoach.cases.exemplars import BAD, GOOD, ExemplarProposal, ExemplarRefused, propose_exemplar
from replycoach.cases.models import PRINCIPLES, Case
from replycoach.cases.safe_yaml import YamlProblem
from replycoach.cases.versions import localized_hash
from replycoach.coaching.queue_order import (
    CASEBOOK_DISAGREES,
    JUDGE_DISAGREES,
    NEAR_PASS,
    QueueReason,
    attempt_uncertainty,
    casebook_estimate,
)
from replycoach.config import get_settings
from replycoach.i18n import N_
from replycoach.localtime import local_text
from replycoach.storage.facade import FLAGGED_FIRST, TEACHES_MOST
from replycoach.storage.types import Attempt, AttemptFilter, MissingEntry, StorageError, User
from replycoach.ui import services, session
from replycoach.ui.components.evidence import highlight_html, legend_html, spans_from_grade
from replycoach.ui.components.post import customer_name_of, post_html, thread_message_html
from replycoach.ui.components.scores import principle_bars_html
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _, handling_label, principle_title
from replycoach.ui.pages.inbox import REVIEW_OPEN

NA = "N/A"
QUICK, FINE = N_("Quick: 0 · 50 · 100"), N_("Fine: 0-100 in steps of 5")  # shown translated
SCALES = {QUICK: [NA, 0, 50, 100], FINE: [NA, *range(0, 101, 5)]}
TURNS = {N_("Any turn"): None, N_("First replies"): 1, N_("Answers to the follow-up"): 2}  # shown translated
ORDERS = {TEACHES_MOST: N_("What a review teaches most"), FLAGGED_FIRST: N_("Flagged first, then oldest")}
EXEMPLAR_KINDS = {GOOD: N_("Good: a reply to learn from"), BAD: N_("Bad: a reply to avoid")}
_PICK = "review_pick"
_ORDER = "review_order"
_SCALE = "review_scale"
_SAVED = "review_saved"
_ERROR = "review_error"


def choice_value(choice: int | str | None) -> float | None:
    """A scale point (0-100, or N/A) as the 0-1 score the store keeps."""
    return None if choice in (None, NA) else float(choice) / 100


def nearest_choice(score: float | None, scale: str) -> int | str:
    """The scale point nearest to a machine score (for "start from the machine's scores")."""
    if score is None:
        return NA
    points = [p for p in SCALES[scale] if p != NA]
    return min(points, key=lambda p: abs(p - 100 * score))


def _key(attempt_id: int, part: str, scale: str | None = None) -> str:
    return f"review_{attempt_id}_{'fine_' if scale == FINE else ''}{part}"


def render() -> None:
    user = session.require("review")
    store = services.get_store()
    library = services.get_library()
    pass_mark = get_settings().pass_mark
    st.title(_("Review queue"))
    order = st.radio(_("Order"), list(ORDERS), format_func=lambda o: _(ORDERS[o]), horizontal=True, key=_ORDER)
    flt, lost_on = _filters(store, library)
    queue = store.review_queue(user, flt, lost_points_on=lost_on, limit=100, order=order)
    waiting = store.count_review_queue(user, flt, lost_points_on=lost_on)
    recent = store.list_attempts(user, replace(flt, reviewed=True), limit=30)
    if st.session_state.get(_SAVED):
        st.success(md_text(st.session_state.pop(_SAVED)))
    if st.session_state.get(_ERROR):
        st.error(md_text(st.session_state.pop(_ERROR)))
    if order == TEACHES_MOST:
        st.caption(
            _("{count} attempt(s) waiting for review; first those the grader was least sure of.").format(count=waiting)
        )
    else:
        st.caption(_("{count} attempt(s) waiting for review; flagged ones first.").format(count=waiting))
    if queue:
        _queue_table(queue, library, pass_mark)

    by_id = {a.id: a for a in [*queue, *recent]}
    options = [a.id for a in queue] + [a.id for a in recent if a.id not in {q.id for q in queue}]
    wanted = st.session_state.pop(REVIEW_OPEN, None)  # opened from the inbox
    if wanted is not None:
        if wanted not in by_id:
            try:
                by_id[wanted] = store.get_attempt(wanted, user)
                options.insert(0, wanted)
            except MissingEntry:
                wanted = None
        if wanted is not None:
            st.session_state[_PICK] = wanted
    if not options:
        st.info(_("Nothing to review: every attempt here has a coach's review."))
        return
    if st.session_state.get(_PICK) not in options:
        st.session_state.pop(_PICK, None)

    def label(attempt_id: int) -> str:
        a = by_id[attempt_id]
        case = library.cases.get(a.case_id)
        flag = "⚑ " if a.needs_review else ""
        done = " · reviewed" if a.review else ""
        turn = " · answer to the follow-up" if a.turn > 1 else ""
        title = case.title if case else a.case_id
        return f"{flag}#{a.id} · {a.display_name} ({a.username}) · {title}{turn} · {a.score:.0f}{done}"

    attempt_id = st.selectbox("Attempt", options, format_func=label, key=_PICK)
    try:
        attempt = store.get_attempt(attempt_id, user)
    except MissingEntry:
        st.error(_("This attempt no longer exists."))
        return
    if attempt.review is None:
        st.caption(_("Why it is in the queue: {reasons}").format(reasons=md_text(queue_reasons(attempt, pass_mark))))
    case = library.cases.get(attempt.case_id)
    _show_attempt(store, user, attempt, case)
    queue_ids = [a.id for a in queue]
    _review_form(user, attempt, queue_ids, case)
    _exemplar_form(user, attempt, case, library)


def reason_text(reason: QueueReason) -> str:
    """One reason an attempt is in the queue, in the user's language."""
    if reason.kind == NEAR_PASS:
        gap = abs(reason.score - (reason.other or 0.0))
        return _("overall {score:.0f}, {gap:.0f} from the pass mark").format(score=reason.score, gap=gap)
    if reason.kind == JUDGE_DISAGREES:
        return _("LLM judge {judge:.0f} vs grader {grader:.0f}").format(judge=reason.score, grader=reason.other)
    if reason.kind == CASEBOOK_DISAGREES:
        return _("coaches gave replies like it about {casebook:.0f}, the grader {grader:.0f}").format(
            casebook=reason.score, grader=reason.other
        )
    return _("{principle} {score:.2f}: the grader is unsure").format(
        principle=principle_title(reason.principle or ""), score=reason.score
    )


def queue_reasons(attempt: Attempt, pass_mark: float) -> str:
    """Why ``attempt`` is where it is in the queue, in words (the machine's own grade, the pass mark now)."""
    found = attempt_uncertainty(
        attempt.machine_score or 0.0,
        attempt.machine_principles,
        attempt.llm_json,
        pass_mark,
        casebook_estimate(attempt.grade_json),
    )
    words = [reason_text(r) for r in found.reasons]
    if attempt.needs_review:
        words.insert(0, _("flagged for review"))
    return "; ".join(words) or _("no sign of doubt: it waits by age")


def _queue_table(queue: list[Attempt], library, pass_mark: float) -> None:
    with st.expander(_("Why these attempts are in the queue"), expanded=False):
        st.dataframe(
            [
                {
                    _("attempt"): f"#{a.id}",
                    _("trainee"): a.display_name,
                    _("case"): library.cases[a.case_id].title if a.case_id in library.cases else a.case_id,
                    _("machine score"): round(a.machine_score or 0.0),
                    _("why"): queue_reasons(a, pass_mark),
                }
                for a in queue
            ],
            hide_index=True,
            key="review_queue_reasons",
        )


def _filters(store, library) -> tuple[AttemptFilter, str | None]:
    with st.expander(_("Filter the queue"), expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        teams = c1.multiselect(_("Team"), store.list_teams(), key="review_f_teams")
        cases = c2.multiselect(
            _("Case"), sorted(library.cases), format_func=lambda cid: library.cases[cid].title, key="review_f_cases"
        )
        lost_on = c3.selectbox(
            _("Lost points on"), [None, *PRINCIPLES], format_func=lambda p: _("any principle") if p is None else principle_title(p),
            key="review_f_principle",
        )  # fmt: skip
        turn = c4.radio(_("Turn"), list(TURNS), key="review_f_turn", format_func=_)
    return AttemptFilter(teams=tuple(teams) or None, case_ids=tuple(cases) or None, turn=TURNS[turn]), lost_on


def _show_attempt(store, user: User, attempt: Attempt, case: Case | None) -> None:
    st.markdown(
        md_text(
            f"{attempt.display_name} ({attempt.username}) · {local_text(attempt.submitted_at, user.time_zone)} · "
            f"{handling_label(attempt.handling)} · "
        )
        + f"machine score **{attempt.machine_score:.0f}** ({'passed' if attempt.machine_passed else 'not passed'})"
    )
    if attempt.needs_review:
        st.warning(_("The machine flagged this attempt for review (its grade was uncertain)."))
    single = None
    left, right = st.columns(2, gap="large")
    with left:
        if case is None:
            st.warning(_("This attempt's case is no longer in the casebook."))
        else:
            lang = attempt.language if attempt.language in case.languages else case.language
            single = case.localized(lang)
            if current_case_hash(case, attempt) != attempt.case_hash:
                st.caption(_("The case has changed since this attempt; shown as it is now."))
            st.html(post_html(single, seconds_since_posted=attempt.response_seconds))
        _thread(store, user, attempt, single)
    with right:
        st.markdown(f"**{_('The reply — what the machine credited and penalised')}**")
        st.html(
            highlight_html(
                attempt.reply, spans_from_grade(attempt.grade_json or {}, len(attempt.reply)), principle_title
            )
        )
        st.html(legend_html())
        st.html(principle_bars_html(attempt.grade_json or {}, principle_title))
    if attempt.review is not None:
        _show_review_side_by_side(user, attempt)


def _thread(store, user: User, attempt: Attempt, case) -> None:
    """A second-turn answer in its thread under the first reply; a first reply with the answers that followed."""
    customer = customer_name_of(case)[0] if case is not None else "Customer"
    brand = case.post.brand if case is not None else "Brand"
    if attempt.turn > 1 and attempt.parent_id is not None:
        try:
            first = store.get_attempt(attempt.parent_id, user)
        except MissingEntry:
            first = None
        st.markdown(f"**{_('The thread this answer belongs to')}**")
        st.html(
            (thread_message_html(brand, first.reply, mine=True) if first is not None else "")
            + thread_message_html(customer, attempt.follow_up_text or "", mine=False)
            + thread_message_html(brand, attempt.reply, mine=True)
        )
        return
    answers = store.follow_up_attempts(attempt.id, user)
    if answers:
        st.markdown(f"**{_('The conversation after this reply')}**")
        st.html(
            "".join(
                thread_message_html(customer, a.follow_up_text or "", mine=False)
                + thread_message_html(brand, a.reply, mine=True)
                for a in answers
            )
        )


def _show_review_side_by_side(user: User, attempt: Attempt) -> None:
    review = attempt.review
    st.markdown(
        md_text(f"Latest review by {review.coach_name}, {local_text(review.created_at, user.time_zone)}")
        + " (the score that counts)"
    )
    rows = [
        {
            "principle": principle_title(pid),
            "machine": _points(attempt.machine_principles.get(pid)),
            "coach": _points(review.scores[pid]) if pid in review.scores else "(machine's)",
        }
        for pid in _principles_of(attempt)
    ]
    rows.append(
        {"principle": "Overall", "machine": _points(attempt.machine_score, 1), "coach": _points(review.overall, 1)}
    )
    st.dataframe(rows, hide_index=True, key="review_side_by_side")
    if review.comment:
        st.markdown(_("Comment to the trainee:"))
        st.text(review.comment)


def _points(value: float | None, scale: float = 100) -> str:
    return "N/A" if value is None else f"{value * scale:.0f}"


def _principles_of(attempt: Attempt) -> list[str]:
    weights = (attempt.grade_json or {}).get("weights") or {}
    return [p for p in PRINCIPLES if p in attempt.machine_principles and weights.get(p, 1.0) != 0]


def _prefill(attempt: Attempt, scale: str) -> None:
    for pid in _principles_of(attempt):
        st.session_state[_key(attempt.id, pid, scale)] = nearest_choice(attempt.machine_principles.get(pid), scale)
    st.session_state[_key(attempt.id, "overall")] = round(attempt.machine_score)


def current_case_hash(case: Case | None, attempt: Attempt) -> str | None:
    """The content hash of the attempt's case as the casebook holds it now, in the attempt's language (what a
    trainee answering now would be graded on; None: the case was deleted). A case that lost the attempt's
    language has changed for it: its own language's hash stands in."""
    if case is None:
        return None
    return localized_hash(case, attempt.language) or case.content_hash


def _save(user: User, attempt: Attempt, scale: str, queue_ids: list[int], go_next: bool, case_hash: str | None) -> None:
    """Store the review (a button callback: it runs before the page is drawn, so it may move the selection)."""
    choices = {pid: st.session_state.get(_key(attempt.id, pid, scale)) for pid in _principles_of(attempt)}
    unset = [principle_title(p) for p, c in choices.items() if c is None]
    overall = st.session_state.get(_key(attempt.id, "overall"))
    if unset:
        st.session_state[_ERROR] = f"Score every principle (or N/A) first: {', '.join(unset)}."
        return
    if overall is None:
        st.session_state[_ERROR] = "Give your overall score (0-100)."
        return
    try:
        services.get_store().add_review(
            attempt.id,
            user,
            scores={p: choice_value(c) for p, c in choices.items()},
            overall=float(overall),
            comment=st.session_state.get(_key(attempt.id, "comment"), ""),
            pass_mark=get_settings().pass_mark,
            current_case_hash=case_hash,
            acknowledge_changed_case=bool(st.session_state.get(_key(attempt.id, "case_ack"))),
        )
    except (StorageError, ValueError) as err:
        st.session_state[_ERROR] = f"The review was not saved: {err}"
        return
    message = f"Review of attempt #{attempt.id} saved; it is now the score that counts, and the trainee sees it."
    later = [i for i in queue_ids if i != attempt.id]
    if go_next:
        after = queue_ids[queue_ids.index(attempt.id) + 1 :] if attempt.id in queue_ids else later
        if after or later:
            st.session_state[_PICK] = (after or later)[0]
        else:
            message += " The queue is empty now."
    st.session_state[_SAVED] = message


def _review_form(user: User, attempt: Attempt, queue_ids: list[int], case: Case | None) -> None:
    st.subheader(_("Your review"))
    case_hash = current_case_hash(case, attempt)
    if case_hash is None:
        st.error(_("This attempt's case was deleted from the casebook: a review of it cannot be stored."))
    elif case_hash != attempt.case_hash:
        st.warning(
            _(
                "The case changed since the trainee answered it (they answered version {theirs}, the casebook now "
                "holds {now}). A review is stored only if you confirm that you review against their version."
            ).format(theirs=attempt.case_hash[:12], now=case_hash[:12])
        )
        st.checkbox(_("Review against the version the trainee answered"), key=_key(attempt.id, "case_ack"))
    scale = st.radio(_("Scale for the principles"), list(SCALES), horizontal=True, key=_SCALE, format_func=_)
    st.button(
        _("Start from the machine's scores"),
        key=f"review_prefill_{attempt.id}",
        on_click=_prefill,
        args=(attempt, scale),
    )
    for pid in _principles_of(attempt):
        machine = _points(attempt.machine_principles.get(pid))
        label = _("{principle} (machine: {score})").format(principle=principle_title(pid), score=machine)
        key = _key(attempt.id, pid, scale)
        if scale == QUICK:
            st.radio(label, SCALES[QUICK], index=None, horizontal=True, key=key)
        else:
            start = {} if key in st.session_state else {"value": NA}  # a prefilled value is in the session
            st.select_slider(label, SCALES[FINE], key=key, **start)
    st.number_input(
        _("Your overall score (0-100)"), min_value=0, max_value=100, value=None, step=1, key=_key(attempt.id, "overall")
    )
    st.text_area(_("Comment to the trainee"), key=_key(attempt.id, "comment"))
    left, right = st.columns(2)
    args = (user, attempt, scale, queue_ids)
    left.button(
        _("Save review"),
        type="primary",
        key=f"review_save_{attempt.id}",
        on_click=_save,
        args=(*args, False, case_hash),
    )
    right.button(
        _("Save and next"), key=f"review_save_next_{attempt.id}", on_click=_save, args=(*args, True, case_hash)
    )


def _exemplar_form(user: User, attempt: Attempt, case: Case | None, library) -> None:
    """Propose the reply to its case as a good or bad exemplar, through the case studio's save."""
    with st.expander(_("Use as an exemplar"), expanded=False):
        path = library.paths.get(attempt.case_id)
        if case is None or path is None:
            st.info(_("This attempt's case is no longer in the casebook."))
            return
        st.caption(
            _(
                "Proposes this reply to the case, in its language ({language}), as the case studio saves: checked, "
                "the previous version kept in the case's history. Trainees see exemplars after their attempt, "
                "and the grader compares replies with them."
            ).format(language=attempt.language)
        )
        kind = st.radio(
            _("Kind"), list(EXEMPLAR_KINDS), format_func=lambda k: _(EXEMPLAR_KINDS[k]), key=_key(attempt.id, "ex_kind")
        )
        st.number_input(
            _("Your score for it (0-100)"),
            min_value=0,
            max_value=100,
            value=None,
            step=1,
            key=_key(attempt.id, "ex_score"),
        )
        if kind == BAD:
            st.multiselect(
                _("Principles it fails"),
                list(PRINCIPLES),
                format_func=principle_title,
                key=_key(attempt.id, "ex_problems"),
            )
        st.text_area(
            _("Note: what a trainee should learn from it") if kind == GOOD else _("Note: what is wrong with it"),
            key=_key(attempt.id, "ex_note"),
        )
        st.button(
            _("Propose to the case"),
            key=f"review_exemplar_{attempt.id}",
            on_click=_propose_exemplar,
            args=(user, attempt, str(path)),
        )


def _propose_exemplar(user: User, attempt: Attempt, path: str) -> None:
    """Add the reply to its case file (a button callback; the result is shown on the next run)."""
    settings = get_settings()
    score = st.session_state.get(_key(attempt.id, "ex_score"))
    kind = st.session_state.get(_key(attempt.id, "ex_kind"), GOOD)
    proposal = ExemplarProposal(
        kind=kind,
        text=attempt.reply,
        score=-1 if score is None else int(score),
        note=st.session_state.get(_key(attempt.id, "ex_note"), ""),
        problems=tuple(st.session_state.get(_key(attempt.id, "ex_problems"), ())) if kind == BAD else (),
        handling=attempt.handling,
    )
    if score is None:
        st.session_state[_ERROR] = _("The exemplar was not proposed: give it your score (0-100).")
        return
    try:
        outcome = propose_exemplar(path, attempt.language, proposal, data_dir=settings.data_dir)
    except ExemplarRefused as err:
        st.session_state[_ERROR] = _("The exemplar was not proposed: {reason}").format(reason=err)
        return
    except (OSError, YamlProblem) as err:
        st.session_state[_ERROR] = _("The case file could not be read, nothing was changed: {reason}").format(
            reason=getattr(err, "message", err)
        )
        return
    result = outcome.save
    if result.saved:
        message = _("Attempt #{id} is now a {kind} exemplar of the case in {language}.").format(
            id=attempt.id, kind=kind, language=attempt.language
        )
        if result.history_path is not None:
            message += " " + _("The previous version is kept in {path}.").format(path=result.history_path)
        if outcome.starts_own_exemplars:
            message += " " + _(
                "This language showed the original language's exemplars until now; from now on it has its own."
            )
        st.session_state[_SAVED] = message
        return
    if result.conflict:
        why = _("the case was saved by someone else at the same moment")
    else:
        why = "; ".join(str(p) for p in result.problems)
    st.session_state[_ERROR] = _(
        "The exemplar was not added ({reason}). Nothing is lost: it is kept as a draft in {draft}."
    ).format(reason=why, draft=result.draft_path)
