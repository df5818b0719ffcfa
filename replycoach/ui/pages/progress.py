"""My progress: every own attempt, the score over time, each principle over time, first / best / latest per
case, and any old attempt's feedback opened again."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from replycoach.config import get_settings
from replycoach.storage.types import AttemptFilter
from replycoach.ui import services, session
from replycoach.ui.components.feedback import handling_label, principle_title, show_feedback
from replycoach.ui.components.text import md_text


def render() -> None:
    user = session.require("progress")
    store = services.get_store()
    library = services.get_library()
    st.title("My progress")
    attempts = store.list_attempts(user, AttemptFilter(user_ids=(user.id,), turn=1), limit=1000)
    if not attempts:
        st.info("No attempts yet. Open a case on the Practice page to start.")
        return

    def title(case_id: str) -> str:
        case = library.cases.get(case_id)
        return case.title if case is not None else case_id

    table = pd.DataFrame(
        [
            {
                "when": a.submitted_at,
                "case": title(a.case_id),
                "language": a.language,
                "handling": handling_label(a.handling),
                "score": round(a.score),
                "passed": a.passed,
                "coach": a.review.comment if a.review else "",
                "id": a.id,
            }
            for a in attempts
        ]
    )
    first, *_ = attempts
    passed = sum(a.passed for a in attempts)
    m = st.columns(3)
    m[0].metric("Attempts", len(attempts))
    m[1].metric("Passed", f"{passed} of {len(attempts)}")
    m[2].metric("Latest score", f"{first.score:.0f}")

    st.subheader("Score over time")
    chart = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("when:T", title=None),
            y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 100]), title="score"),
            tooltip=["when:T", "case:N", "score:Q"],
        )
    )
    pass_rule = alt.Chart(pd.DataFrame({"y": [get_settings().pass_mark]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    st.altair_chart(chart + pass_rule, width="stretch")

    st.subheader("Each principle over time")
    principle_rows = [
        {"when": a.submitted_at, "principle": principle_title(pid), "score": round(score * 100)}
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

    st.subheader("Per case: first, best, latest")
    progress_rows = store.case_progress(user.id, user)
    if progress_rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "case": title(row["case_id"]),
                        "attempts": row["attempts"],
                        "first": round(row["first_score"]),
                        "best": round(row["best_score"]),
                        "latest": round(row["latest_score"]),
                        "lift": round(row["latest_score"] - row["first_score"]),
                        "passed (latest)": row["passed_latest"],
                        "last attempt": row["last_attempt_at"],
                    }
                    for row in progress_rows
                ]
            ),
            hide_index=True,
            width="stretch",
        )

    st.subheader("All attempts")
    st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")

    st.subheader("Open an attempt")
    chosen = st.selectbox(
        "Attempt",
        [a.id for a in attempts],
        format_func=lambda i: next(
            f"{a.submitted_at:%Y-%m-%d %H:%M} · {title(a.case_id)} · {a.score:.0f}" for a in attempts if a.id == i
        ),
        key="progress_attempt",
    )
    attempt = next(a for a in attempts if a.id == chosen)
    base = library.cases.get(attempt.case_id)
    case = base.localized(attempt.language) if base is not None and attempt.language in base.languages else None
    st.markdown(f"**{md_text(title(attempt.case_id))}**")
    show_feedback(attempt, case, get_settings().pass_mark, key=f"progress_{attempt.id}")
