"""Calibration (coaches, admins): how well the machine agrees with coaches, per principle and overall, per grader
version and per month.

Agreement is measured over reviewed attempts (the latest review of each) between the machine's own grade and the
coach's: Spearman's rank correlation, Cohen's kappa on pass/fail, the mean absolute difference and how often the
two are within 25 points. Scores are shown on one scale, 0-100. Every figure says how many reviews are behind it;
one from fewer than ten is shown as "too few". A principle is "auto-score trusted" only under the grader that
scores now, once enough of its reviews agree well enough (``analytics.calibration``); until then coaches should
keep reviewing it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from replycoach.analytics.calibration import (
    OVERALL,
    TRUST_KAPPA,
    TRUST_MIN_N,
    TRUST_WITHIN_SHARE,
    Agreement,
    GroupAgreement,
    by_grader_version,
    by_month,
    calibrate,
    pairs_from_reviews,
    report_csv,
    trust,
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
    current = services.get_engine().grader_version
    st.title(_("Calibration: coaches vs. the machine"))
    st.info(
        _(
            "A principle is **auto-score trusted** under the grader that scores now ({version}) once at least "
            "{reviews} reviews of it were made of that grader's grades, Cohen's kappa on pass/fail is at least "
            "{kappa}, and coach and machine are within 25 points of each other on at least {share:.0%} of them. "
            "Pass/fail: a principle passes at 50 (coach and machine alike); overall at the pass mark {pass_mark:g}."
        ).format(
            version=current,
            reviews=TRUST_MIN_N,
            kappa=TRUST_KAPPA,
            share=TRUST_WITHIN_SHARE,
            pass_mark=settings.pass_mark,
        )
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
    st.caption(_("{count} reviewed attempt(s).").format(count=len(pairs)))
    rows = [
        {
            "principle": "Overall (0-100)" if a.principle == OVERALL else principle_title(a.principle),
            "n": a.n,
            "Spearman": _num(a.spearman),
            "kappa (pass/fail)": _num(a.kappa),
            "mean abs. difference (points)": _num(_points(a.mean_abs_diff, a.principle), 1),
            "within 25 points": _share(a.within),
        }
        for a in report.agreements
    ]
    st.dataframe(rows, hide_index=True, key="calibration_table")
    _trust(pairs, current, settings.pass_mark)
    _over_time(pairs, user.time_zone, settings.pass_mark)

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
    # The lead's section: train a grader from these reviews (replycoach/ui/components/grader_training.py).
    show_training(user, store, settings)


def _share(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def shortfall_text(what: str, value: float | None, needed: float) -> str:
    """One rule a principle misses, in words."""
    if what == "reviews":
        return _("{count} review(s), needs {needed:.0f}").format(count=int(value or 0), needed=needed)
    if what == "kappa":
        return _("kappa {kappa}, needs {needed:g}").format(kappa=_num(value), needed=needed)
    return _("within 25 points on {share}, needs {needed:.0%}").format(share=_share(value), needed=needed)


def _trust(pairs, current: str, pass_mark: float) -> None:
    st.subheader(_("Trusted for auto-scoring under the grader that scores now"))
    earned = trust(pairs, PRINCIPLES, grader_version=current, pass_mark=pass_mark)
    st.dataframe(
        [
            {
                "principle": principle_title(a.principle),
                "reviews": a.n,
                "kappa (pass/fail)": _num(a.kappa),
                "within 25 points": _share(a.within),
                "auto-score trusted": "yes" if a.trusted else "no",
                "why not": "; ".join(shortfall_text(*s) for s in a.shortfalls()),
            }
            for a in earned
        ],
        hide_index=True,
        key="calibration_trust",
    )
    trusted = [principle_title(a.principle) for a in earned if a.trusted]
    st.write(
        _("Trusted for auto-scoring: {principles}.").format(principles=", ".join(trusted))
        if trusted
        else _("No principle is trusted for auto-scoring yet.")
    )


def _figure(a: Agreement | None, value: float | None) -> str:
    """A figure with the number of reviews behind it, or "too few"."""
    if a is None or a.n == 0:
        return "–"
    if a.too_few:
        return _("too few (n={n})").format(n=a.n)
    return f"{_num(value)} (n={a.n})"


def _group_rows(groups: list[GroupAgreement], label: str) -> list[dict]:
    return [
        {
            label: g.group,
            "reviews": g.reviews,
            "overall Spearman": _figure(g.overall, g.overall.spearman),
            "overall kappa": _figure(g.overall, g.overall.kappa),
            **{
                principle_title(pid): _figure(g.principles.get(pid), (g.principles.get(pid) or g.overall).kappa)
                for pid in PRINCIPLES
            },
        }
        for g in groups
    ]


def _over_time(pairs, time_zone: str, pass_mark: float) -> None:
    st.subheader(_("Agreement per grader version and per month"))
    st.caption(_("Per principle: kappa on pass/fail, with the number of reviews behind it."))
    versions = by_grader_version(pairs, PRINCIPLES, pass_mark=pass_mark)
    st.dataframe(_group_rows(versions, "grader version"), hide_index=True, key="calibration_by_version")
    months = by_month(pairs, PRINCIPLES, pass_mark=pass_mark, time_zone=time_zone)
    st.dataframe(_group_rows(months, "month of review"), hide_index=True, key="calibration_by_month")
