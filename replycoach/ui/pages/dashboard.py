"""HR dashboard (HR, admins): key figures for a period, progress per team, a team x principle heatmap, the
weakest principles, the trainees in a table, a drill-down to one trainee with a printable progress report, and
exports (CSV with every principle's score; xAPI).

Every number comes from the storage facade's SQL aggregates under one ``AttemptFilter`` built from the filters
at the top, so figures, charts and exports always describe the same attempts. The aggregates read the daily
rollups (``storage/rollups.py``) where they can answer the filter, so the page stays under a second over a
million attempts; the exports are links to routes that stream the file (``export_routes``), never a file built
in the server's memory. Every score is the score of record (a coach's review where there is one, kept in the
rollups by the review's transaction) on one scale, 0-100, and a line under the key figures says which grader
versions and how many coach reviews the period's scores come from; people are shown by their display names; the period
is read in the viewer's time zone. Figures and charts count first replies; the exports hold every turn
(answers to the customer's follow-up too).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from replycoach.analytics.csv_export import attempts_csv_bytes
from replycoach.analytics.progress_report import progress_report_html, report_file_name
from replycoach.analytics.xapi import statements
from replycoach.cases.models import LANGUAGES
from replycoach.config import get_settings
from replycoach.localtime import day_range_utc, local_naive, local_today
from replycoach.storage.types import AttemptFilter, User
from replycoach.ui import export_routes, services, session
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _, principle_title

WEAKEST = 3


def _filters(store, library, user: User) -> AttemptFilter:
    today = local_today(user.time_zone)
    c1, c2, c3, c4 = st.columns(4)
    period = c1.date_input(_("Period"), value=(today - timedelta(days=90), today), key="dash_period")
    teams = c2.multiselect(_("Teams"), store.list_teams(), key="dash_teams")
    cases = c3.multiselect(
        _("Cases"), sorted(library.cases), format_func=lambda cid: library.cases[cid].title, key="dash_cases"
    )
    languages = c4.multiselect(_("Languages"), list(LANGUAGES), key="dash_langs")
    since = until = None
    if isinstance(period, tuple) and len(period) == 2:
        since, until = day_range_utc(period[0], period[1], user.time_zone)  # the filter's until is exclusive
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
    st.title(_("HR dashboard"))
    flt = _filters(store, library, user)

    figures = store.key_figures(user, flt)
    m = st.columns(5)
    m[0].metric(_("Active trainees"), figures.active_trainees)
    m[1].metric(_("Attempts"), figures.attempts)
    m[2].metric(_("Average score"), "–" if figures.average_score is None else f"{figures.average_score:.0f}")
    m[3].metric(_("Pass rate"), "–" if figures.pass_rate is None else f"{figures.pass_rate:.0%}")
    median = figures.median_response_seconds
    m[4].metric(_("Median response"), "–" if median is None else f"{median / 60:.1f} min")
    if figures.attempts == 0:
        st.info(_("No attempts match these filters."))
        return
    st.caption(md_text(score_sources_text(store.score_sources(user, flt))))

    _progress_chart(store.team_over_time(user, flt))
    matrix = store.team_principle_matrix(user, flt)
    _heatmap(matrix)
    _weakest(matrix)
    trainees = store.trainee_summary(user, flt)
    _trainees(trainees)
    _drill_down(store, user, flt, trainees, library)
    _exports(store, user, flt, library)


def score_sources_text(sources: list[tuple[str | None, int]]) -> str:
    """Which graders the scores of record come from, e.g. "Scores: 812 by grader 2.0.abc.def, 40 by coach
    reviews"."""
    parts = [
        _("{count} by coach reviews").format(count=n)
        if version is None
        else _("{count} by grader {version}").format(count=n, version=version)
        for version, n in sources
    ]
    return _("Scores: {parts}").format(parts=", ".join(parts))


def _progress_chart(rows: list[dict]) -> None:
    # One line per team: with thousands of trainees a line each is unreadable; the trainee table has them.
    st.subheader(_("Progress per team (weekly average score)"))
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
    st.subheader(_("Teams × principles (average score)"))
    df = pd.DataFrame(rows)
    df["team"] = df["team"].fillna("(no team)")
    df["principle"] = df["principle"].map(principle_title)
    df["average"] = (100 * df["average"]).round(0)  # one scale, 0-100
    chart = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("principle:N", title=None),
            y=alt.Y("team:N", title=None),
            color=alt.Color("average:Q", title="average", scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen")),
            tooltip=["team", "principle", alt.Tooltip("average:Q", format=".0f"), "attempts"],
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
    st.subheader(_("Weakest principles"))
    for pid, average, n in weakest_principles(matrix):
        st.markdown(f"- **{principle_title(pid)}**: {100 * average:.0f} on average over {n} attempts")


def _trainees(rows: list[dict]) -> None:
    st.subheader(_("Trainees ({count})").format(count=len(rows)))
    passed = _("passed")
    st.dataframe(
        pd.DataFrame(
            {
                _("trainee"): [r["display_name"] for r in rows],
                _("user name"): [r["username"] for r in rows],
                _("team"): [r["team"] or "" for r in rows],
                _("attempts"): [r["attempts"] for r in rows],
                _("average score"): [round(r["average_score"]) for r in rows],
                passed: [r["pass_rate"] for r in rows],
                _("last active (week of)"): [r["last_week"] for r in rows],
            }
        ),
        column_config={passed: st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
        hide_index=True,
        key="dash_trainees",
    )


def _drill_down(store, user: User, flt: AttemptFilter, trainees: list[dict], library) -> None:
    st.subheader(_("One trainee"))
    people = {r["user_id"]: f"{r['display_name']} ({r['username']})" for r in trainees}  # by display name
    picked = st.selectbox(_("Trainee"), list(people), format_func=people.get, index=None, key="dash_trainee")
    if picked is None:
        return
    mine = replace(flt, user_ids=(picked,))
    trend = store.principle_over_time(user, mine)
    if trend:
        df = pd.DataFrame(trend)
        df["principle"] = df["principle"].map(principle_title)
        df["average"] = (100 * df["average"]).round(0)
        st.altair_chart(
            alt.Chart(df)
            .mark_line(point=True)
            .encode(
                x=alt.X("period:T", title="week"),
                y=alt.Y("average:Q", title="average", scale=alt.Scale(domain=[0, 100])),
                color=alt.Color("principle:N"),
                tooltip=["principle", "period:T", alt.Tooltip("average:Q", format=".0f"), "attempts"],
            ),
            key="dash_trainee_trend",
        )
    rows = list(store.iter_export_rows(user, mine))
    st.dataframe(
        [
            {
                "submitted": local_naive(r["submitted_at"], user.time_zone),
                "case": r["case_id"],
                "language": r["language"],
                "score": round(r["score"]),
                "machine": round(r["machine_score"]),
                "reviewed by": r["reviewed_by"] or "",
                "passed": r["passed"],
                "response (min)": round(r["response_seconds"] / 60, 1),
            }
            for r in rows
        ],
        hide_index=True,
        key="dash_trainee_attempts",
    )
    trainee = store.get_user(picked)
    titles = {cid: c.title for cid, c in library.cases.items()}

    def report() -> bytes:  # built when clicked: every first reply of the trainee, not only this period's
        attempts = store.list_attempts(user, AttemptFilter(user_ids=(picked,), turn=1), limit=5000)
        return progress_report_html(
            trainee,
            attempts,
            case_title=lambda cid: titles.get(cid, cid),
            principle_title=principle_title,
            pass_mark=get_settings().pass_mark,
            time_zone=user.time_zone,
            generated_at=session.now(),
        ).encode("utf-8")

    st.download_button(
        _("Printable progress report"),
        report,
        file_name=report_file_name(trainee, session.now()),
        mime="text/html",
        key="dash_report",
        icon=":material/print:",
        help=_("A page to print or save as PDF from the browser."),
    )


def _exports(store, user: User, flt: AttemptFilter, library) -> None:
    st.subheader(_("Exports"))
    csv_label, xapi_label = _("Attempts with per-principle scores (CSV)"), _("xAPI statements (JSON)")
    every_turn = replace(flt, turn=None)
    c1, c2 = st.columns(2)
    if export_routes.mounted:  # served by server.py: the file streams from the database as it downloads
        csv_url = export_routes.export_url(export_routes.CSV_PATH, every_turn)
        xapi_url = export_routes.export_url(export_routes.XAPI_PATH, every_turn)
        c1.link_button(csv_label, csv_url, icon=":material/download:", key="dash_csv")
        c2.link_button(xapi_label, xapi_url, icon=":material/download:", key="dash_xapi")
    else:  # `streamlit run app.py` has no routes: the whole file is built in memory when clicked
        stamp = f"{local_today(user.time_zone):%Y-%m-%d}"
        titles = {cid: c.title for cid, c in library.cases.items()}

        def csv_data() -> bytes:
            return export_csv(store, user, flt)

        def xapi_data() -> bytes:
            return export_xapi(store, user, flt, titles)

        c1.download_button(
            csv_label, csv_data, file_name=f"replycoach-attempts-{stamp}.csv", mime="text/csv", key="dash_csv"
        )
        c2.download_button(
            xapi_label, xapi_data, file_name=f"replycoach-xapi-{stamp}.json", mime="application/json", key="dash_xapi"
        )
    st.caption(
        _(
            "Exports hold every turn (answers to the customer's follow-up too), the score that counts with the "
            "machine's beside it and the coach's review, and the trainees' reply texts: share them only with people "
            "allowed to read them."
        )
    )


def export_csv(store, user: User, flt: AttemptFilter) -> bytes:
    """The CSV export of the attempts ``flt`` selects, every turn, built in memory (without the routes)."""
    every_turn = replace(flt, turn=None)
    return attempts_csv_bytes(store.iter_export_rows(user, every_turn), store.export_principles())


def export_xapi(store, user: User, flt: AttemptFilter, titles: dict[str, str]) -> bytes:
    """The xAPI statements (a JSON array) of the attempts ``flt`` selects, every turn, built in memory."""
    rows = store.iter_export_rows(user, replace(flt, turn=None))
    return json.dumps(statements(rows, case_titles=titles), ensure_ascii=False, indent=1, default=str).encode("utf-8")
