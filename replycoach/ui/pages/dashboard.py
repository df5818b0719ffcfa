"""HR dashboard (HR, admins): key figures for a period, progress per team, a team x principle heatmap, the
weakest principles, the trainees in a table, a drill-down to one trainee, and exports (CSV with every
principle's score; xAPI).

Every number comes from the storage facade's SQL aggregates under one ``AttemptFilter`` built from the filters
at the top, so figures, charts and exports always describe the same attempts. The aggregates read the daily
rollups (``storage/rollups.py``), so the page stays under a second over a million attempts; the exports are
links to routes that stream the file (``export_routes``), never a file built in the server's memory.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from replycoach.analytics.csv_export import attempts_csv_bytes
from replycoach.analytics.xapi import statements
from replycoach.cases.models import LANGUAGES
from replycoach.storage.types import AttemptFilter, User
from replycoach.ui import export_routes, services, session
from replycoach.ui.components.feedback import principle_title

WEAKEST = 3


def _filters(store, library) -> AttemptFilter:
    today = date.today()
    c1, c2, c3, c4 = st.columns(4)
    period = c1.date_input("Period", value=(today - timedelta(days=90), today), key="dash_period")
    teams = c2.multiselect("Teams", store.list_teams(), key="dash_teams")
    cases = c3.multiselect(
        "Cases", sorted(library.cases), format_func=lambda cid: library.cases[cid].title, key="dash_cases"
    )
    languages = c4.multiselect("Languages", list(LANGUAGES), key="dash_langs")
    since = until = None
    if isinstance(period, tuple) and len(period) == 2:
        since = datetime.combine(period[0], time.min, UTC)
        until = datetime.combine(period[1] + timedelta(days=1), time.min, UTC)  # the filter's until is exclusive
    return AttemptFilter(
        teams=tuple(teams) or None,
        case_ids=tuple(cases) or None,
        languages=tuple(languages) or None,
        since=since,
        until=until,
    )


def render() -> None:
    user = session.require("dashboard")
    store = services.get_store()
    library = services.get_library()
    st.title("HR dashboard")
    flt = _filters(store, library)

    figures = store.key_figures(user, flt)
    m = st.columns(5)
    m[0].metric("Active trainees", figures.active_trainees)
    m[1].metric("Attempts", figures.attempts)
    m[2].metric("Average score", "–" if figures.average_score is None else f"{figures.average_score:.0f}")
    m[3].metric("Pass rate", "–" if figures.pass_rate is None else f"{figures.pass_rate:.0%}")
    median = figures.median_response_seconds
    m[4].metric("Median response", "–" if median is None else f"{median / 60:.1f} min")
    if figures.attempts == 0:
        st.info("No attempts match these filters.")
        return

    _progress_chart(store.team_over_time(user, flt))
    matrix = store.team_principle_matrix(user, flt)
    _heatmap(matrix)
    _weakest(matrix)
    trainees = store.trainee_summary(user, flt)
    _trainees(trainees)
    _drill_down(store, user, flt, trainees)
    _exports(store, user, flt, library)


def _progress_chart(rows: list[dict]) -> None:
    # One line per team: with thousands of trainees a line each is unreadable; the trainee table has them.
    st.subheader("Progress per team (weekly average score)")
    df = pd.DataFrame(rows)
    df["team"] = df["team"].fillna("(no team)")
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title="week"),
            y=alt.Y("average_score:Q", title="average score", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("team:N", title="team"),
            tooltip=["team", "period:T", "attempts", alt.Tooltip("average_score:Q", format=".0f")],
        )
    )
    st.altair_chart(chart, key="dash_progress")


def _heatmap(rows: list[dict]) -> None:
    st.subheader("Teams × principles (average score)")
    df = pd.DataFrame(rows)
    df["team"] = df["team"].fillna("(no team)")
    df["principle"] = df["principle"].map(principle_title)
    chart = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("principle:N", title=None),
            y=alt.Y("team:N", title=None),
            color=alt.Color("average:Q", title="average", scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen")),
            tooltip=["team", "principle", alt.Tooltip("average:Q", format=".2f"), "attempts"],
        )
    )
    st.altair_chart(chart, key="dash_heatmap")


def weakest_principles(matrix: list[dict], k: int = WEAKEST) -> list[tuple[str, float, int]]:
    """(principle, average over all teams weighted by attempts, attempts), lowest first."""
    totals: dict[str, list[float]] = {}
    for r in matrix:
        if r["average"] is None:
            continue
        t = totals.setdefault(r["principle"], [0.0, 0])
        t[0] += r["average"] * r["attempts"]
        t[1] += r["attempts"]
    ranked = sorted(((p, s / n, n) for p, (s, n) in totals.items() if n), key=lambda x: (x[1], x[0]))
    return ranked[:k]


def _weakest(matrix: list[dict]) -> None:
    st.subheader("Weakest principles")
    for pid, average, n in weakest_principles(matrix):
        st.markdown(f"- **{principle_title(pid)}**: {average:.0%} on average over {n} attempts")


def _trainees(rows: list[dict]) -> None:
    st.subheader(f"Trainees ({len(rows)})")
    st.dataframe(
        pd.DataFrame(
            {
                "trainee": [r["display_name"] for r in rows],
                "user name": [r["username"] for r in rows],
                "team": [r["team"] or "" for r in rows],
                "attempts": [r["attempts"] for r in rows],
                "average score": [round(r["average_score"]) for r in rows],
                "passed": [r["pass_rate"] for r in rows],
                "last active (week of)": [r["last_week"] for r in rows],
            }
        ),
        column_config={"passed": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
        hide_index=True,
        key="dash_trainees",
    )


def _drill_down(store, user: User, flt: AttemptFilter, trainees: list[dict]) -> None:
    st.subheader("One trainee")
    people = {r["user_id"]: f"{r['display_name']} ({r['username']})" for r in trainees}
    picked = st.selectbox("Trainee", list(people), format_func=people.get, index=None, key="dash_trainee")
    if picked is None:
        return
    mine = AttemptFilter(**{**flt.__dict__, "user_ids": (picked,)})
    trend = store.principle_over_time(user, mine)
    if trend:
        df = pd.DataFrame(trend)
        df["principle"] = df["principle"].map(principle_title)
        st.altair_chart(
            alt.Chart(df)
            .mark_line(point=True)
            .encode(
                x=alt.X("period:T", title="week"),
                y=alt.Y("average:Q", title="average", scale=alt.Scale(domain=[0, 1])),
                color=alt.Color("principle:N"),
                tooltip=["principle", "period:T", alt.Tooltip("average:Q", format=".2f"), "attempts"],
            ),
            key="dash_trainee_trend",
        )
    rows = list(store.iter_export_rows(user, mine))
    st.dataframe(
        [
            {
                "submitted": r["submitted_at"],
                "case": r["case_id"],
                "language": r["language"],
                "score": round(r["score"]),
                "passed": r["passed"],
                "response (min)": round(r["response_seconds"] / 60, 1),
            }
            for r in rows
        ],
        hide_index=True,
        key="dash_trainee_attempts",
    )


def _exports(store, user: User, flt: AttemptFilter, library) -> None:
    st.subheader("Exports")
    csv_label, xapi_label = "Attempts with per-principle scores (CSV)", "xAPI statements (JSON)"
    c1, c2 = st.columns(2)
    if export_routes.mounted:  # served by server.py: the file streams from the database as it downloads
        c1.link_button(csv_label, export_routes.export_url(export_routes.CSV_PATH, flt), icon=":material/download:")
        c2.link_button(xapi_label, export_routes.export_url(export_routes.XAPI_PATH, flt), icon=":material/download:")
    else:  # `streamlit run app.py` has no routes: the whole file is built in memory when clicked
        stamp = f"{date.today():%Y-%m-%d}"
        titles = {cid: c.title for cid, c in library.cases.items()}

        def csv_data() -> bytes:
            return attempts_csv_bytes(store.iter_export_rows(user, flt), store.export_principles())

        def xapi_data() -> bytes:
            rows = store.iter_export_rows(user, flt)
            return json.dumps(statements(rows, case_titles=titles), ensure_ascii=False, indent=1, default=str).encode()

        c1.download_button(
            csv_label, csv_data, file_name=f"replycoach-attempts-{stamp}.csv", mime="text/csv", key="dash_csv"
        )
        c2.download_button(
            xapi_label, xapi_data, file_name=f"replycoach-xapi-{stamp}.json", mime="application/json", key="dash_xapi"
        )
    st.caption("Exports include the trainees' reply texts: share them only with people allowed to read them.")
