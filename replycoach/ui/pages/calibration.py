"""Calibration (coaches, admins): how well the machine agrees with coaches, per principle and overall.

Agreement is measured over reviewed attempts (the latest review of each) between the machine's own grade and the
coach's: Spearman's rank correlation, Cohen's kappa on pass/fail and the mean absolute difference. Scores are
shown on one scale, 0-100. A principle is "auto-score trusted" only when kappa
reaches the threshold over enough attempts; until then coaches should keep reviewing it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from replycoach.analytics.calibration import (
    OVERALL,
    TRUST_KAPPA,
    TRUST_MIN_N,
    calibrate,
    pairs_from_reviews,
    report_csv,
)
from replycoach.cases.models import PRINCIPLES
from replycoach.config import get_settings
from replycoach.storage.types import AttemptFilter
from replycoach.ui import services, session
from replycoach.ui.components.grader_training import show_training
from replycoach.ui.i18n import _, principle_title


def _num(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _points(x: float | None, principle: str) -> float | None:
    """A score on the 0-100 scale (principles are kept 0-1, the overall 0-100)."""
    return None if x is None else round(x if principle == OVERALL else 100 * x, 1)


def render() -> None:
    user = session.require("calibration")
    settings = get_settings()
    store = services.get_store()
    st.title(_("Calibration: coaches vs. the machine"))
    st.info(
        f"A principle is marked **auto-score trusted** only when Cohen's kappa on pass/fail is at least "
        f"{TRUST_KAPPA} over at least {TRUST_MIN_N} reviewed attempts. Pass/fail: a principle passes at 50 "
        f"(coach and machine alike); overall at the pass mark {settings.pass_mark:g}."
    )
    period = st.date_input(_("Reviewed attempts submitted between"), value=(), key="calibration_period")
    flt = AttemptFilter(turn=None)
    if isinstance(period, tuple) and len(period) == 2:
        flt = AttemptFilter(
            turn=None,
            since=datetime.combine(period[0], time.min, UTC),
            until=datetime.combine(period[1] + timedelta(days=1), time.min, UTC),  # until is exclusive
        )
    pairs = pairs_from_reviews(store.reviewed_pairs(user, flt))
    if not pairs:
        st.warning(_("No reviewed attempts yet: review attempts in the review queue first."))
        return
    report = calibrate(pairs, PRINCIPLES, pass_mark=settings.pass_mark)
    st.caption(f"{len(pairs)} reviewed attempt(s).")
    rows = [
        {
            "principle": "Overall (0-100)" if a.principle == OVERALL else principle_title(a.principle),
            "n": a.n,
            "Spearman": _num(a.spearman),
            "kappa (pass/fail)": _num(a.kappa),
            "mean abs. difference (points)": _num(_points(a.mean_abs_diff, a.principle), 1),
            "auto-score trusted": "yes" if a.trusted else "no",
        }
        for a in report.agreements
    ]
    st.dataframe(rows, hide_index=True, key="calibration_table")
    trusted = [principle_title(a.principle) for a in report.agreements if a.trusted and a.principle != OVERALL]
    st.write(
        f"Trusted for auto-scoring: {', '.join(trusted)}."
        if trusted
        else "No principle is trusted for auto-scoring yet."
    )

    st.subheader(_("Where coach and machine disagree most"))
    if report.disagreements:
        st.dataframe(
            [
                {
                    "attempt": d.attempt_id,
                    "trainee": d.trainee or d.username,
                    "case": d.case_id,
                    "coach": d.coach_name,
                    "principle": "Overall" if d.principle == OVERALL else principle_title(d.principle),
                    "machine": _points(d.machine, d.principle),
                    "coach score": _points(d.coach, d.principle),
                    "gap (points)": round(100 * d.gap),
                }
                for d in report.disagreements
            ],
            hide_index=True,
            key="calibration_disagreements",
        )
    else:
        st.write(_("Coach and machine agree on every reviewed attempt."))
    st.download_button(
        _("Download calibration (CSV)"),
        report_csv(report).encode("utf-8"),
        file_name=f"replycoach-calibration-{date.today():%Y-%m-%d}.csv",
        mime="text/csv",
        key="calibration_csv",
    )
    show_training(user, store, settings)
