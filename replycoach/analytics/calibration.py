"""Agreement between coaches and the machine grader, per principle and overall.

Coaches review attempts and give their own score per principle (0-1 in steps they choose, or N/A) and overall
(0-100).
Before a principle is trusted to be scored by the machine alone, the two must agree well enough, and the trust is
earned per grader version (a new grader starts untrusted): at least ``TRUST_MIN_N`` reviews of that principle
under the grader, Cohen's kappa on pass/fail of at least ``TRUST_KAPPA`` (chance-corrected, unlike raw
agreement: the two agree on which replies pass) and the two within ``TRUST_WITHIN`` (25 points) of each other
on at least ``TRUST_WITHIN_SHARE`` of the reviews (they agree on how good, not only on which side of 50).

Agreement over time: the same figures per grader version (the version each review records) and per month of
review, each with the number of reviews behind it; a figure from fewer than ``MIN_REVIEWS`` reviews is "too few".

Every statistic returns ``None`` where it is undefined (fewer than two pairs, a constant column), never NaN:
a page shows "n/a" and goes on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from replycoach.stats import cohen_kappa, mean_abs_diff, spearman

#: A principle is "auto-score trusted" only with at least this kappa, over at least this many pairs, with the two
#: within ``TRUST_WITHIN`` of each other on at least ``TRUST_WITHIN_SHARE`` of them.
TRUST_KAPPA = 0.6
TRUST_MIN_N = 30
TRUST_WITHIN = 0.25
TRUST_WITHIN_SHARE = 0.8
#: A figure from fewer reviews than this is shown as "too few" (agreement over time).
MIN_REVIEWS = 10
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
    grader_version: str = ""  # the grader version the review judged (recorded with the review)
    reviewed_at: datetime | None = None  # when the review was made (aware)


@dataclass(frozen=True)
class Agreement:
    """Agreement for one principle (or ``overall``) over the pairs where both gave a score."""

    principle: str
    n: int
    spearman: float | None
    kappa: float | None
    mean_abs_diff: float | None  # in the principle's scale: [0, 1] for principles, points for overall
    trusted: bool
    within: float | None = None  # share of pairs within TRUST_WITHIN of each other (on the 0-1 scale)

    @property
    def too_few(self) -> bool:
        """Fewer reviews than ``MIN_REVIEWS``: the figures say little yet."""
        return self.n < MIN_REVIEWS

    def shortfalls(self) -> list[tuple[str, float | None, float]]:
        """What keeps the principle from being trusted: (what, value, needed) for each rule it misses, ``what``
        one of "reviews", "kappa", "within"; empty when trusted."""
        missing: list[tuple[str, float | None, float]] = []
        if self.n < TRUST_MIN_N:
            missing.append(("reviews", float(self.n), float(TRUST_MIN_N)))
        if self.kappa is None or self.kappa < TRUST_KAPPA:
            missing.append(("kappa", self.kappa, TRUST_KAPPA))
        if self.within is None or self.within < TRUST_WITHIN_SHARE:
            missing.append(("within", self.within, TRUST_WITHIN_SHARE))
        return missing


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
class GroupAgreement:
    """Agreement within one group of reviews (a grader version, or a month of review): ``reviews`` reviewed
    attempts, the overall's agreement and each principle's."""

    group: str
    reviews: int
    overall: Agreement
    principles: dict[str, Agreement]


@dataclass(frozen=True)
class CalibrationReport:
    agreements: list[Agreement]
    disagreements: list[Disagreement] = field(default_factory=list)

    def agreement(self, principle: str) -> Agreement | None:
        return next((a for a in self.agreements if a.principle == principle), None)


def agreement(
    principle: str, machine: Sequence[float], coach: Sequence[float], *, threshold: float, scale: float = 1.0
) -> Agreement:
    """Agreement over paired scores; ``threshold`` splits pass from fail for kappa (both sides alike); ``scale``
    is the scores' full range (1 for principles, 100 for the overall), for the within-25% share."""
    kappa = cohen_kappa([m >= threshold for m in machine], [c >= threshold for c in coach])
    n = len(machine)
    close = [abs(m - c) <= TRUST_WITHIN * scale + 1e-9 for m, c in zip(machine, coach, strict=True)]
    within = sum(close) / n if n else None
    return Agreement(
        principle=principle,
        n=n,
        spearman=spearman(machine, coach),
        kappa=kappa,
        mean_abs_diff=mean_abs_diff(machine, coach),
        trusted=(
            n >= TRUST_MIN_N
            and kappa is not None
            and kappa >= TRUST_KAPPA
            and within is not None
            and within >= TRUST_WITHIN_SHARE
        ),
        within=within,
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
    agreements.append(
        agreement(OVERALL, [m for _, m, _ in overall], [c for _, _, c in overall], threshold=pass_mark, scale=100.0)
    )
    gaps += [_gap(p, OVERALL, m, c, m / 100, c / 100) for p, m, c in overall]
    gaps = [g for g in gaps if g.gap > 0]
    gaps.sort(key=lambda g: (-g.gap, g.attempt_id, g.principle))
    return CalibrationReport(agreements=agreements, disagreements=gaps[:top_disagreements])


def agreement_by(
    pairs: Iterable[CalibrationPair],
    group_of: Callable[[CalibrationPair], str],
    principles: Sequence[str],
    *,
    pass_mark: float,
) -> list[GroupAgreement]:
    """Agreement per group of pairs (``group_of`` names a pair's group), groups in sorted order."""
    groups: dict[str, list[CalibrationPair]] = {}
    for pair in pairs:
        groups.setdefault(group_of(pair), []).append(pair)
    out = []
    for name in sorted(groups):
        report = calibrate(groups[name], principles, pass_mark=pass_mark, top_disagreements=0)
        out.append(
            GroupAgreement(
                group=name,
                reviews=len(groups[name]),
                overall=report.agreement(OVERALL),
                principles={a.principle: a for a in report.agreements if a.principle != OVERALL},
            )
        )
    return out


def by_grader_version(pairs: Iterable[CalibrationPair], principles: Sequence[str], *, pass_mark: float):
    """``agreement_by`` the grader version each review judged."""
    return agreement_by(pairs, lambda p: p.grader_version or "?", principles, pass_mark=pass_mark)


def by_month(pairs: Iterable[CalibrationPair], principles: Sequence[str], *, pass_mark: float, time_zone: str = "UTC"):
    """``agreement_by`` the month the review was made in (``YYYY-MM`` in ``time_zone``)."""
    zone = ZoneInfo(time_zone)

    def month(p: CalibrationPair) -> str:
        return "?" if p.reviewed_at is None else p.reviewed_at.astimezone(zone).strftime("%Y-%m")

    return agreement_by(pairs, month, principles, pass_mark=pass_mark)


def trust(
    pairs: Iterable[CalibrationPair], principles: Sequence[str], *, grader_version: str, pass_mark: float
) -> list[Agreement]:
    """Each principle's agreement over the reviews of ``grader_version`` (the grader that scores now): trust is
    earned per grader version (``Agreement.trusted``; ``Agreement.shortfalls`` says why not)."""
    mine = [p for p in pairs if p.grader_version == grader_version]
    report = calibrate(mine, principles, pass_mark=pass_mark, top_disagreements=0)
    return [a for a in report.agreements if a.principle != OVERALL]


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
            grader_version=r.grader_version,
            reviewed_at=r.created_at,
        )
        for a, r in reviewed
    ]


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


def report_csv(report: CalibrationReport) -> str:
    """The whole report as one CSV: an agreement section, a blank line, then the disagreements."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["principle", "n", "spearman", "kappa", "mean_abs_diff", "within_25", "auto_score_trusted"])
    for a in report.agreements:
        w.writerow(
            [a.principle, a.n, _fmt(a.spearman), _fmt(a.kappa), _fmt(a.mean_abs_diff), _fmt(a.within), a.trusted]
        )
    w.writerow([])
    w.writerow(["attempt_id", "username", "case_id", "coach", "principle", "machine", "coach_score", "gap"])
    for d in report.disagreements:
        w.writerow([d.attempt_id, d.username, d.case_id, d.coach_name, d.principle, d.machine, d.coach, _fmt(d.gap)])
    return buf.getvalue()
