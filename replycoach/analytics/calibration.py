"""Agreement between coaches and the machine grader, per principle and overall.

Coaches review attempts and give their own score per principle (0-1 in steps they choose, or N/A) and overall
(0-100).
Before a principle is trusted to be scored by the machine alone, the two must agree well enough: Cohen's kappa
on pass/fail (chance-corrected, unlike raw agreement) with enough reviewed attempts behind it.

Every statistic returns ``None`` where it is undefined (fewer than two pairs, a constant column), never NaN:
a page shows "n/a" and goes on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from replycoach.stats import cohen_kappa, mean_abs_diff, spearman

#: A principle is marked "auto-score trusted" only with at least this kappa over at least this many pairs.
TRUST_KAPPA = 0.6
TRUST_MIN_N = 20
#: A principle passes at this score (machine and coach alike); the overall uses the app's pass mark.
PRINCIPLE_PASS = 0.5
OVERALL = "overall"


@dataclass(frozen=True)
class CalibrationPair:
    """One reviewed attempt: the machine's and the coach's scores side by side.

    Principle scores are in [0, 1] (``None``: not applicable / N/A); overall scores are 0-100.
    """

    attempt_id: int
    username: str
    case_id: str
    coach_name: str
    machine: dict[str, float | None]
    coach: dict[str, float | None]
    machine_overall: float | None
    coach_overall: float | None
    trainee: str = ""  # the trainee's display name (the username when empty)


@dataclass(frozen=True)
class Agreement:
    """Agreement for one principle (or ``overall``) over the pairs where both gave a score."""

    principle: str
    n: int
    spearman: float | None
    kappa: float | None
    mean_abs_diff: float | None  # in the principle's scale: [0, 1] for principles, points for overall
    trusted: bool


@dataclass(frozen=True)
class Disagreement:
    attempt_id: int
    username: str
    case_id: str
    coach_name: str
    principle: str
    machine: float
    coach: float
    gap: float  # |machine - coach| on a 0-1 scale so principles and overall compare
    trainee: str = ""  # the trainee's display name


@dataclass(frozen=True)
class CalibrationReport:
    agreements: list[Agreement]
    disagreements: list[Disagreement] = field(default_factory=list)

    def agreement(self, principle: str) -> Agreement | None:
        return next((a for a in self.agreements if a.principle == principle), None)


def agreement(principle: str, machine: Sequence[float], coach: Sequence[float], *, threshold: float) -> Agreement:
    """Agreement over paired scores; ``threshold`` splits pass from fail for kappa (both sides alike)."""
    kappa = cohen_kappa([m >= threshold for m in machine], [c >= threshold for c in coach])
    n = len(machine)
    return Agreement(
        principle=principle,
        n=n,
        spearman=spearman(machine, coach),
        kappa=kappa,
        mean_abs_diff=mean_abs_diff(machine, coach),
        trusted=kappa is not None and kappa >= TRUST_KAPPA and n >= TRUST_MIN_N,
    )


def calibrate(
    pairs: Iterable[CalibrationPair],
    principles: Sequence[str],
    *,
    pass_mark: float,
    top_disagreements: int = 20,
) -> CalibrationReport:
    """Agreement per principle and overall, plus the pairs where machine and coach differ most.

    A pair counts for a principle only when both scored it (N/A on either side leaves it out).
    """
    pairs = list(pairs)
    agreements: list[Agreement] = []
    gaps: list[Disagreement] = []
    for pid in principles:
        both = [(p, p.machine.get(pid), p.coach.get(pid)) for p in pairs]
        both = [(p, m, c) for p, m, c in both if m is not None and c is not None]
        agreements.append(agreement(pid, [m for _, m, _ in both], [c for _, _, c in both], threshold=PRINCIPLE_PASS))
        gaps += [_gap(p, pid, m, c, m, c) for p, m, c in both]
    overall = [(p, p.machine_overall, p.coach_overall) for p in pairs]
    overall = [(p, m, c) for p, m, c in overall if m is not None and c is not None]
    agreements.append(agreement(OVERALL, [m for _, m, _ in overall], [c for _, _, c in overall], threshold=pass_mark))
    gaps += [_gap(p, OVERALL, m, c, m / 100, c / 100) for p, m, c in overall]
    gaps = [g for g in gaps if g.gap > 0]
    gaps.sort(key=lambda g: (-g.gap, g.attempt_id, g.principle))
    return CalibrationReport(agreements=agreements, disagreements=gaps[:top_disagreements])


def _gap(p: CalibrationPair, pid: str, machine: float, coach: float, m01: float, c01: float) -> Disagreement:
    gap = abs(m01 - c01)
    return Disagreement(p.attempt_id, p.username, p.case_id, p.coach_name, pid, machine, coach, gap, p.trainee)


def pairs_from_reviews(reviewed) -> list[CalibrationPair]:
    """``CalibrationPair`` values from the storage facade's ``reviewed_pairs`` (attempt, review) tuples."""
    return [
        CalibrationPair(
            attempt_id=a.id,
            username=a.username,
            case_id=a.case_id,
            coach_name=r.coach_name,
            machine=dict(a.machine_principles),  # the machine's own, not the score of record the review set
            coach=dict(r.scores),
            machine_overall=a.machine_score,
            coach_overall=r.overall,
            trainee=a.display_name,
        )
        for a, r in reviewed
    ]


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


def report_csv(report: CalibrationReport) -> str:
    """The whole report as one CSV: an agreement section, a blank line, then the disagreements."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["principle", "n", "spearman", "kappa", "mean_abs_diff", "auto_score_trusted"])
    for a in report.agreements:
        w.writerow([a.principle, a.n, _fmt(a.spearman), _fmt(a.kappa), _fmt(a.mean_abs_diff), a.trusted])
    w.writerow([])
    w.writerow(["attempt_id", "username", "case_id", "coach", "principle", "machine", "coach_score", "gap"])
    for d in report.disagreements:
        w.writerow([d.attempt_id, d.username, d.case_id, d.coach_name, d.principle, d.machine, d.coach, _fmt(d.gap)])
    return buf.getvalue()
