"""Teaching the grader from the team's own reviews (issue 10): labels, candidates, training runs, re-grades.

The steps, each a plain function over the store, the engine and the case library (no Streamlit):

* ``labels_from_reviews``: every attempt's latest review as a training label, read against the case version
  the trainee answered (``replycoach.cases.versions``); what cannot be used is counted with its reason;
* ``train_from_reviews``: a candidate grader (``grading.model.from_reviews``) kept in the store for an admin
  to promote or discard; nothing grades with it before that;
* ``start_training_run``: the same in a separate process, so a page never waits on it and a crash there
  leaves the grader in use untouched; it reports progress and a heartbeat to the store;
* ``regrade``: stored attempts graded again by the grader in use, the original kept
  (``replycoach regrade --since DATE``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from grading.engine import Engine
from grading.model.from_reviews import CoachLabel, train_candidate
from replycoach.cases.loader import CaseLibrary, load_library
from replycoach.cases.models import Case
from replycoach.cases.versions import answered_version
from replycoach.config import PROJECT_ROOT, Settings
from replycoach.llm.combine import combine_stored
from replycoach.storage.types import ReviewLabel, StoredGrader, User

#: A running training job that has not reported for this long has lost its process.
STALE_AFTER = timedelta(minutes=3)
HEARTBEAT_EVERY = 20.0  # seconds

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class LabelSet:
    labels: list[CoachLabel] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> reviews


def labels_from_reviews(reviews: list[ReviewLabel], library: CaseLibrary, scenarios: Path | str) -> LabelSet:
    """The reviews that can teach: those whose case version is still known. A second turn teaches as the
    engine grades it: as an answer to the customer's follow-up."""
    out = LabelSet()
    for review in reviews:
        if review.turn != 1 and not (review.follow_up_text or "").strip():
            out.skipped["a second turn whose customer follow-up is not stored"] += 1
            continue
        case = answered_version(
            scenarios, library.cases.get(review.case_id), review.case_id, review.language, review.case_hash
        )
        if case is None:
            why = "changed" if review.case_id in library.cases else "deleted"
            out.skipped[f"its case was {why} and the version the trainee answered is not kept"] += 1
            continue
        out.labels.append(
            CoachLabel(
                review_id=review.review_id,
                trainee=f"user:{review.trainee_id}",
                case=case,
                language=review.language,
                reply=review.reply,
                overall=review.overall,
                principles=review.scores,
                handling=review.handling,
                response_seconds=review.response_seconds,
                follow_up=review.follow_up_text if review.turn != 1 else None,
            )
        )
    return out


def train_from_reviews(
    store,
    engine: Engine,
    library: CaseLibrary,
    settings: Settings,
    *,
    by: User | None = None,
    progress: Progress = _quiet,
) -> StoredGrader:
    """Train a candidate from the shipped data plus the team's reviews and keep it (status ``candidate``)."""
    labels = labels_from_reviews(store.review_labels(by), library, settings.scenarios_dir)
    for reason, n in sorted(labels.skipped.items()):
        progress(f"not used: {n} review(s): {reason}")
    if not labels.labels:
        raise ValueError("No review can teach the grader yet: review some first attempts in the review queue.")
    candidate = train_candidate(
        engine, training_cases(library), labels.labels, pass_mark=settings.pass_mark, progress=progress
    )
    summary = {
        **candidate.summary,
        "skipped": dict(labels.skipped),
        "compared_with": engine.grader_version,
        "pass_mark": settings.pass_mark,
    }
    stored = store.save_candidate(
        candidate.version, embedder=engine.embedder_name, model=candidate.raw, summary=summary, by=by
    )
    progress(f"candidate {candidate.version} kept for an admin to promote or discard")
    return stored


def shipped_cases() -> dict[str, Case]:
    """The shipped casebook: the cases the shipped training rows answer."""
    return dict(load_library(PROJECT_ROOT / "scenarios").cases)


def training_cases(library: CaseLibrary) -> dict[str, Case]:
    """The shipped casebook with the team's own cases over it."""
    return {**shipped_cases(), **library.cases}


# -- a training run in its own process -------------------------------------------------------------------------
def start_training_run(store, settings: Settings, by: User) -> int:
    """Start ``replycoach train --from-reviews --job N`` in its own process (niced); returns the job id.
    ``Conflict`` while another run is alive."""
    job_id = store.start_training_job(by, stale_after=STALE_AFTER)
    command = [sys.executable, "-m", "replycoach.cli", "train", "--from-reviews", "--job", str(job_id)]
    if shutil.which("nice"):
        command = ["nice", "-n", "10", *command]
    log_path = Path(settings.data_dir) / "training" / f"job-{job_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        run = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=os.environ.copy(),
        )
    # reap it when it ends (no zombie left behind by a long-lived app process)
    threading.Thread(target=run.wait, name=f"training-job-{job_id}", daemon=True).start()
    return job_id


def run_training_job(store, engine: Engine, library: CaseLibrary, settings: Settings, job_id: int) -> int:
    """The body of a training run: progress and a heartbeat to the store; any failure is recorded as the job's
    error and the grader in use stays as it is. Returns a process exit code."""
    alive = threading.Event()

    def beat() -> None:
        while not alive.wait(HEARTBEAT_EVERY):
            store.report_training(job_id, None)

    heart = threading.Thread(target=beat, name="training-heartbeat", daemon=True)
    heart.start()

    def progress(line: str) -> None:
        print(line, flush=True)
        store.report_training(job_id, line)

    try:
        stored = train_from_reviews(store, engine, library, settings, progress=progress)
    except Exception as exc:  # recorded for the page; the grader in use is untouched
        store.finish_training_job(job_id, error=f"{type(exc).__name__}: {exc}")
        print(f"training failed: {exc}", file=sys.stderr)
        return 1
    finally:
        alive.set()
    store.finish_training_job(job_id, grader_version=stored.version)
    return 0


# -- re-grading ------------------------------------------------------------------------------------------------
@dataclass
class RegradeReport:
    grader_version: str
    regraded: int = 0
    record_changed: int = 0  # re-grades that became the score of record (the rest were reviewed by a coach)
    fail_to_pass: int = 0
    pass_to_fail: int = 0
    kept_reviewed: int = 0
    with_judge: int = 0  # blended with the LLM judge's verdicts stored with the attempt, as when first graded
    skipped: Counter = field(default_factory=Counter)
    from_versions: Counter = field(default_factory=Counter)


def regrade(
    store,
    engine: Engine,
    library: CaseLibrary,
    settings: Settings,
    since: datetime,
    *,
    dry_run: bool = False,
    progress: Progress = _quiet,
    batch: int = 200,
) -> RegradeReport:
    """Grade every attempt since ``since`` that ``engine``'s grader has not graded, and store the new grade
    beside the original. The LLM judge is not asked again: an attempt it judged gets the new offline grade
    blended with the verdicts stored with it, at the weight used then, so a re-grade changes only the offline
    part (``combine_stored``)."""
    report = RegradeReport(engine.grader_version)
    after = 0
    while True:
        targets = store.regrade_targets(since, engine.grader_version, after_id=after, limit=batch)
        if not targets:
            break
        for t in targets:
            after = t.attempt_id
            case = answered_version(
                settings.scenarios_dir, library.cases.get(t.case_id), t.case_id, t.language, t.case_hash
            )
            if case is None:
                report.skipped["case version not kept (deleted or changed)"] += 1
                continue
            earlier = store.earlier_replies(t.user_id, exclude_case=t.case_id, before=t.submitted_at)
            grade = engine.grade(
                case,
                t.reply,
                response_seconds=t.response_seconds,
                handling=t.handling,
                earlier_replies=earlier,
                pass_mark=settings.pass_mark,
                follow_up=t.follow_up_text,
            )
            blended = combine_stored(grade, t.llm_json, settings.pass_mark)
            if blended is None:
                report.skipped["the LLM judge's stored verdicts cannot be read"] += 1
                continue
            report.with_judge += blended is not grade
            grade = blended
            report.regraded += 1
            report.from_versions[t.grader_version] += 1
            if t.reviewed:
                report.kept_reviewed += 1
            elif grade.passed != t.passed:
                report.fail_to_pass += grade.passed
                report.pass_to_fail += not grade.passed
            if dry_run:
                continue
            changed = store.add_regrade(
                t.attempt_id,
                grader_version=engine.grader_version,
                score=grade.score,
                passed=grade.passed,
                principles={p: pg.score for p, pg in grade.principles.items()},
                pass_mark=settings.pass_mark,
                casebook_overall=grade.casebook_estimate,
            )
            report.record_changed += changed
        progress(f"  {report.regraded} attempts re-graded so far")
    return report
