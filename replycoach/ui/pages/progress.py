"""My progress: every own attempt (the score that counts: a coach's review where there is one), the score over
time, each principle over time, first / best / latest per case, a printable report, and any old attempt's
feedback opened again. Times are in the trainee's own time zone."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from replycoach import practice
from replycoach.analytics.progress_report import progress_report_html, report_file_name
from replycoach.config import get_settings
from replycoach.localtime import local_naive, local_text
from replycoach.storage.types import AttemptFilter
from replycoach.ui import services, session
from replycoach.ui.components.feedback import show_feedback
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _, handling_label, principle_title


def render() -> None:
    user = session.require("progress")
    store = services.get_store()
    library = services.get_library()
    st.title(_("My progress"))
    attempts = store.list_attempts(user, AttemptFilter(user_ids=(user.id,), turn=1), limit=1000)
    if not attempts:
        st.info(_("No attempts yet. Open a case on the Practice page to start."))
        return

    def title(case_id: str) -> str:
        case = library.cases.get(case_id)
        return case.title if case is not None else case_id

    tz = user.time_zone
    table = pd.DataFrame(
        [
            {
                "when": local_naive(a.submitted_at, tz),
                "case": title(a.case_id),
                "language": a.language,
                "handling": handling_label(a.handling),
                "score": round(a.score),
                "machine": round(a.machine_score) if a.machine_score is not None else None,
                "passed": a.passed,
                "reviewed by": a.review.coach_name if a.review else "",
                "coach's comment": a.review.comment if a.review else "",
                "id": a.id,
            }
            for a in attempts
        ]
    )
    first = attempts[0]
    passed = sum(a.passed for a in attempts)
    m = st.columns(3)
    m[0].metric(_("Attempts"), len(attempts))
    m[1].metric(_("Passed"), _("{passed} of {total}").format(passed=passed, total=len(attempts)))
    m[2].metric(_("Latest score"), f"{first.score:.0f}")

    st.subheader(_("Score over time"))
    chart = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("when:T", title=None),
            y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 100]), title=_("score")),
            tooltip=["when:T", "case:N", "score:Q"],
        )
    )
    pass_rule = alt.Chart(pd.DataFrame({"y": [get_settings().pass_mark]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    st.altair_chart(chart + pass_rule, width="stretch")

    st.subheader(_("Each principle over time"))
    principle_rows = [
        {"when": local_naive(a.submitted_at, tz), "principle": principle_title(pid), "score": round(score * 100)}
        for a in attempts
        for pid, score in a.principles.items()
        if score is not None
    ]
    if principle_rows:
        st.altair_chart(
            alt.Chart(pd.DataFrame(principle_rows))
            .mark_line(point=True)
            .encode(
                x=alt.X("when:T", title=None),
                y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 100])),
                color=alt.Color("principle:N"),
                tooltip=["when:T", "principle:N", "score:Q"],
            ),
            width="stretch",
        )

    st.subheader(_("Per case: first, best, latest"))
    progress_rows = store.case_progress(user.id, user)
    if progress_rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _("case"): title(row["case_id"]),
                        _("attempts"): row["attempts"],
                        _("first"): round(row["first_score"]),
                        _("best"): round(row["best_score"]),
                        _("latest"): round(row["latest_score"]),
                        _("lift"): round(row["latest_score"] - row["first_score"]),
                        _("passed (latest)"): row["passed_latest"],
                        _("last attempt"): local_text(row["last_attempt_at"], tz),
                    }
                    for row in progress_rows
                ]
            ),
            hide_index=True,
            width="stretch",
        )

    st.subheader(_("All attempts"))
    shown = table.drop(columns=["id"]).rename(
        columns={
            "when": _("when"),
            "case": _("case"),
            "language": _("language"),
            "handling": _("handling"),
            "score": _("score"),
            "machine": _("machine"),
            "passed": _("passed"),
            "reviewed by": _("reviewed by"),
            "coach's comment": _("coach's comment"),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(
        _("Printable progress report"),
        lambda: progress_report_html(
            user,
            attempts,
            case_title=title,
            principle_title=principle_title,
            pass_mark=get_settings().pass_mark,
            time_zone=tz,
            generated_at=session.now(),
        ).encode("utf-8"),
        file_name=report_file_name(user, session.now()),
        mime="text/html",
        key="progress_report",
        icon=":material/print:",
        help=_("A page to print or save as PDF from the browser."),
    )

    st.subheader(_("Open an attempt"))
    chosen = st.selectbox(
        _("Attempt"),
        [a.id for a in attempts],
        format_func=lambda i: next(
            f"{local_text(a.submitted_at, tz)} · {title(a.case_id)} · {a.score:.0f}" for a in attempts if a.id == i
        ),
        key="progress_attempt",
    )
    attempt = next(a for a in attempts if a.id == chosen)
    base = library.cases.get(attempt.case_id)
    st.markdown(f"**{md_text(title(attempt.case_id))}**")
    settings = get_settings()
    live = base is not None and base.is_published and attempt.language in base.languages

    def rewrite():
        case = base.localized(attempt.language)
        return practice.suggested_rewrite(store, services.get_engine(), settings, attempt, case)

    show_feedback(
        attempt,
        base,
        settings.pass_mark,
        key=f"progress_{attempt.id}",
        time_zone=tz,
        rewrite=rewrite if live else None,
    )
