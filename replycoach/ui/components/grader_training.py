"""The calibration page's "graders trained from your reviews" section (issue 10).

Everyone who may see calibration sees which grader grades now and the graders trained so far. Admins also
start a training run (a separate process: ``replycoach.grader_training.start_training_run``), follow its
progress, read each candidate beside the grader in use on reviews it did not train on, and promote or
discard it. Nothing here grades or trains in the page's own process.
"""

from __future__ import annotations

import streamlit as st

from grading.engine import GRADER_VERSION
from replycoach.grader_training import STALE_AFTER, start_training_run
from replycoach.storage.types import Conflict, Role, StoredGrader, User
from replycoach.ui.i18n import _, principle_title


def show_training(user: User, store, settings) -> None:
    st.subheader(_("Graders trained from your reviews"))
    active = store.active_grader()
    st.write(
        _("Grading new attempts: the promoted grader {version}.").format(version=active[0])
        if active
        else _("Grading new attempts: the shipped grader {version}.").format(version=GRADER_VERSION)
    )
    graders = store.list_graders(user)
    if user.role != Role.admin:
        _grader_history(graders)
        return
    _training_run(user, store, settings)
    for grader in graders:
        if grader.status == "candidate":
            _candidate(user, store, grader)
    if active and st.button(_("Go back to the shipped grader"), key="grader_use_shipped"):
        store.use_shipped_grader(user)
        st.rerun()
    _grader_history(graders)


def _training_run(user: User, store, settings) -> None:
    jobs = store.training_jobs(user, limit=1, stale_after=STALE_AFTER)
    job = jobs[0] if jobs else None
    if job is not None and job.status == "running":
        _follow(user, store, job.id)
        return
    if job is not None and job.status == "failed":
        st.error(_("The last training run failed; the grader in use is unchanged: {error}").format(error=job.error))
    st.caption(
        _(
            "Training reads the shipped training data and every coach review, runs in the background "
            "(a few minutes) and keeps a candidate: it grades nothing until you promote it."
        )
    )
    if st.button(_("Train a candidate from the reviews"), key="grader_train"):
        try:
            start_training_run(store, settings, user)
        except Conflict as exc:
            st.warning(str(exc))
            return
        st.rerun()


@st.fragment(run_every=2)
def _follow(user: User, store, job_id: int) -> None:
    """Redrawn every two seconds while the run lasts; the whole page once it ends (its candidate appears)."""
    jobs = [j for j in store.training_jobs(user, limit=5, stale_after=STALE_AFTER) if j.id == job_id]
    if not jobs or jobs[0].status != "running":
        st.rerun()
    job = jobs[0]
    st.info(_("Training since {time} UTC…").format(time=f"{job.started_at:%H:%M:%S}"))
    st.text(job.progress or _("starting…"))


def _candidate(user: User, store, grader: StoredGrader) -> None:
    summary = grader.summary
    with st.container(border=True, key=f"candidate_{grader.version}"):
        st.markdown(_("**Candidate {version}**").format(version=grader.version))
        training = summary.get("training", {})
        st.caption(
            _("Trained on {reviews} reviews; refit from reviews: {refit}; overall: {overall}.").format(
                reviews=training.get("reviews", 0),
                refit=", ".join(principle_title(p) for p in training.get("refit", [])) or _("no principle"),
                overall=training.get("overall", "?"),
            )
        )
        kept = training.get("kept_shipped", {})
        if kept:
            st.caption(
                _("Shipped heads kept (too few reviews): {principles}.").format(
                    principles="; ".join(f"{principle_title(p)}: {why}" for p, why in kept.items())
                )
            )
        for reason, n in summary.get("skipped", {}).items():
            st.caption(_("Not used: {n} review(s): {reason}").format(n=n, reason=reason))
        st.dataframe(comparison_rows(summary), hide_index=True, key=f"candidate_table_{grader.version}")
        changes = [
            {"split": split, **change}
            for split, result in summary.get("evaluation", {}).items()
            for change in result.get("biggest_changes", [])
        ]
        if changes:
            st.caption(_("Biggest changes on held-out reviews (overall, 0-100)"))
            st.dataframe(changes, hide_index=True, key=f"candidate_changes_{grader.version}")
        promote, discard = st.columns(2)
        if promote.button(_("Promote: grade new attempts with it"), key=f"promote_{grader.version}"):
            store.promote_grader(grader.version, user)
            st.rerun()
        if discard.button(_("Discard"), key=f"discard_{grader.version}"):
            store.discard_grader(grader.version, user)
            st.rerun()


def comparison_rows(summary: dict) -> list[dict]:
    """One row per held-out split and measure: the grader in use beside the candidate, with the reviews behind it."""
    rows = []
    for split, result in summary.get("evaluation", {}).items():
        if not result.get("n"):
            rows.append(
                {"held out by": split, "measure": result.get("note", ""), "n": 0, "in use": "", "candidate": ""}
            )
            continue
        for measure in ("spearman", "kappa", "mean_abs_diff"):
            rows.append(
                {
                    "held out by": split,
                    "measure": f"overall {measure}",
                    "n": result["n_overall"],
                    "in use": _num(result["current"]["overall"][measure]),
                    "candidate": _num(result["candidate"]["overall"][measure]),
                }
            )
        for principle, figures in result["candidate"]["principles"].items():
            now = result["current"]["principles"].get(principle, {})
            rows.append(
                {
                    "held out by": split,
                    "measure": f"{principle_title(principle)} kappa",
                    "n": figures["n"],
                    "in use": _num(now.get("kappa")),
                    "candidate": _num(figures["kappa"]),
                }
            )
    return rows


def _grader_history(graders: list[StoredGrader]) -> None:
    if not graders:
        st.caption(_("No grader has been trained from reviews yet."))
        return
    st.dataframe(
        [
            {
                "version": g.version,
                "status": g.status,
                "trained": f"{g.created_at:%Y-%m-%d %H:%M}",
                "by": g.created_by or "command line",
                "decided": "" if g.decided_at is None else f"{g.decided_at:%Y-%m-%d %H:%M}",
                "decided by": g.decided_by or "",
                "reviews": g.summary.get("training", {}).get("reviews", 0),
            }
            for g in graders
        ],
        hide_index=True,
        key="grader_history",
    )


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"
