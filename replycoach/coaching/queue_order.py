"""Which attempts a coach's review teaches the grader most: those where its second opinions disagree with it,
then those it is least sure of.

A review is a label for the grader (issue 10). The attempt's ``uncertainty`` orders the review queue's "what a
review teaches most" (highest first, the oldest first among equals). It has two tiers:

1. **Second opinions disagree** (the whole part, 0-6): the gap between the offline grader's overall and the
   overall of a second opinion, in steps of ``DISAGREEMENT_STEP_POINTS`` up to ``DISAGREEMENT_CAP_POINTS``. The
   second opinions are what coaches gave the casebook's replies most like this one (``Grade.casebook_estimate``,
   every attempt graded by a learned model) and the LLM judge (when it was on); the larger gap counts.
2. **Signs of doubt** (the fraction, below 1), which order attempts within a step:
   - **near the pass mark**: the machine's overall within ``NEAR_PASS_POINTS`` of the pass mark (1 on it,
     falling linearly to 0 that far away): pass or fail could go either way;
   - **unsure principles**: the mean over the scored principles of how close each is to 0.5 (1 at 0.5, 0 at
     ``UNSURE_BAND`` away or further): a principle scored 0.5 is the grader saying "maybe".

Why disagreement leads: in the teaching simulation (``replycoach bench --suite teaching``: external set, reviews
fed in batches, held-out cases), the signs of doubt alone taught the grader more slowly than reviews taken at
random, in every split of the cases, because borderline replies are a narrow sample; where the grader and the
replies most like it disagree is where it is most likely wrong, across the whole range of grades.

The number is worked out once, when the attempt is stored (``Store.add_attempt``), against the pass mark of that
moment; the reasons are worked out again wherever they are shown. Pure: no Streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

NEAR_PASS_POINTS = 15.0
UNSURE_BAND = 0.25
#: The second opinions' gap counts in steps of this many points, up to the cap (6 steps).
DISAGREEMENT_STEP_POINTS = 10.0
DISAGREEMENT_CAP_POINTS = 60.0
#: The signs of doubt (near the pass mark, unsure principles: 0-2 together) scaled below one step.
DOUBT_SHARE = 0.99 / 2
#: The uncertainty is at most this (6 steps of disagreement plus the signs of doubt, below 1).
MAX_UNCERTAINTY = DISAGREEMENT_CAP_POINTS / DISAGREEMENT_STEP_POINTS + 1.0
#: A reason is given only for doubts at least this clear (the number counts every little doubt).
REASON_PASS_POINTS = 10.0
REASON_UNSURE_BAND = 0.1
REASON_GAP_POINTS = 15.0
#: At most this many unsure principles are named (the closest to 0.5 first).
MAX_PRINCIPLE_REASONS = 3

NEAR_PASS, UNSURE_PRINCIPLE = "near_pass", "unsure_principle"
JUDGE_DISAGREES, CASEBOOK_DISAGREES = "judge_disagrees", "casebook_disagrees"


@dataclass(frozen=True)
class QueueReason:
    """Why an attempt ranks where it does. ``kind`` is one of ``NEAR_PASS`` (``score``: the overall, ``other``:
    the pass mark), ``UNSURE_PRINCIPLE`` (``principle`` and its ``score`` 0-1), ``JUDGE_DISAGREES`` (``score``:
    the judge's overall, ``other``: the offline grader's) or ``CASEBOOK_DISAGREES`` (``score``: what coaches gave
    the casebook's replies most like it, ``other``: the offline grader's overall)."""

    kind: str
    score: float
    other: float | None = None
    principle: str | None = None

    @property
    def text(self) -> str:
        """The reason in English words (pages translate by ``kind`` instead)."""
        if self.kind == NEAR_PASS:
            return f"overall {self.score:.0f}, {abs(self.score - (self.other or 0)):.0f} from the pass mark"
        if self.kind == UNSURE_PRINCIPLE:
            return f"{self.principle} {self.score:.2f}: the grader is unsure"
        if self.kind == CASEBOOK_DISAGREES:
            return f"coaches gave replies like it about {self.score:.0f}, the grader {self.other:.0f}"
        return f"LLM judge {self.score:.0f} vs grader {self.other:.0f}"


@dataclass(frozen=True)
class Uncertainty:
    value: float  # 0 to MAX_UNCERTAINTY: higher means a review teaches more
    reasons: tuple[QueueReason, ...]


def uncertainty(
    overall: float,
    principles: Mapping[str, float | None],
    *,
    pass_mark: float,
    judge_overall: float | None = None,
    offline_overall: float | None = None,
    casebook_overall: float | None = None,
) -> Uncertainty:
    """How much a review of an attempt would teach the grader, and why in words.

    ``overall``: the machine's overall (0-100); ``principles``: the machine's principle scores (0-1, None: does
    not apply); ``judge_overall``/``offline_overall``: the LLM judge's overall and the offline grader's, when the
    judge was on (see ``judge_overalls``); ``casebook_overall``: the grade's casebook estimate, when it has one."""
    distance = abs(float(overall) - float(pass_mark))
    near_pass = max(0.0, 1.0 - distance / NEAR_PASS_POINTS)
    scored = {p: float(s) for p, s in principles.items() if s is not None}
    closeness = {p: max(0.0, 1.0 - abs(s - 0.5) / UNSURE_BAND) for p, s in scored.items()}
    unsure = sum(closeness.values()) / len(closeness) if closeness else 0.0
    offline = float(overall) if offline_overall is None else float(offline_overall)
    judge_gap = abs(judge_overall - offline) if judge_overall is not None and offline_overall is not None else 0.0
    casebook_gap = abs(casebook_overall - offline) if casebook_overall is not None else 0.0
    steps = round(min(max(judge_gap, casebook_gap), DISAGREEMENT_CAP_POINTS) / DISAGREEMENT_STEP_POINTS)

    reasons: list[QueueReason] = []
    if casebook_overall is not None and casebook_gap >= REASON_GAP_POINTS:
        reasons.append(QueueReason(CASEBOOK_DISAGREES, float(casebook_overall), offline))
    if judge_overall is not None and offline_overall is not None and judge_gap >= REASON_GAP_POINTS:
        reasons.append(QueueReason(JUDGE_DISAGREES, float(judge_overall), offline))
    if distance <= REASON_PASS_POINTS:
        reasons.append(QueueReason(NEAR_PASS, float(overall), float(pass_mark)))
    doubtful = sorted((abs(s - 0.5), p) for p, s in scored.items() if abs(s - 0.5) <= REASON_UNSURE_BAND)
    reasons += [QueueReason(UNSURE_PRINCIPLE, scored[p], principle=p) for _, p in doubtful[:MAX_PRINCIPLE_REASONS]]
    return Uncertainty(round(steps + DOUBT_SHARE * (near_pass + unsure), 4), tuple(reasons))


def judge_overalls(llm_json: Mapping | None, machine_overall: float) -> tuple[float, float] | None:
    """(the LLM judge's overall, the offline grader's overall) of an attempt, or None without a judge verdict.

    The attempt stores the blend ``offline + weight * (judge - offline)`` as its machine score and the offline
    overall and the weight in ``llm_json`` (``replycoach.llm.service``), so the judge's own overall is the
    offline one moved by the blend's change divided by the weight."""
    if not llm_json:
        return None
    offline, weight = llm_json.get("offline_score"), llm_json.get("weight")
    if not isinstance(offline, int | float) or not isinstance(weight, int | float) or weight <= 0:
        return None
    judge = float(offline) + (float(machine_overall) - float(offline)) / float(weight)
    return min(100.0, max(0.0, judge)), float(offline)


def attempt_uncertainty(
    machine_overall: float,
    machine_principles: Mapping[str, float | None],
    llm_json: Mapping | None,
    pass_mark: float,
    casebook_overall: float | None = None,
) -> Uncertainty:
    """``uncertainty`` of a stored or new attempt from what it keeps (its machine grade, the grade's casebook
    estimate: ``casebook_estimate``, and the judge's verdict)."""
    judged = judge_overalls(llm_json, machine_overall)
    judge, offline = judged if judged is not None else (None, None)
    return uncertainty(
        machine_overall,
        machine_principles,
        pass_mark=pass_mark,
        judge_overall=judge,
        offline_overall=offline,
        casebook_overall=casebook_overall,
    )


def casebook_estimate(grade_json: Mapping | None) -> float | None:
    """The casebook estimate a stored grade (``Grade.to_dict()``) carries; None for grades without one (graded
    by the rules, or before grader 2.1) or with anything but a number 0-100 there."""
    value = (grade_json or {}).get("casebook_estimate")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 100.0:
        return None
    return float(value)
