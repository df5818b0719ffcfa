"""Which attempts a coach's review teaches the grader most: those the grader is least sure of.

A review is a label for the grader (issue 10). A label where the grader was already sure (a reply at 12 or at 95)
teaches it little; one where it hesitated teaches most. Three signs of doubt, each worth 0-1, add up to the
attempt's ``uncertainty`` (0-3; the review queue's "what a review teaches most" puts the highest first, the oldest
first among equals):

- **near the pass mark**: the machine's overall within ``NEAR_PASS_POINTS`` of the pass mark (1 on it, falling
  linearly to 0 that far away): pass or fail could go either way;
- **unsure principles**: the mean over the scored principles of how close each is to 0.5 (1 at 0.5, 0 at
  ``UNSURE_BAND`` away or further): a principle scored 0.5 is the grader saying "maybe";
- **the LLM judge disagrees** (only when the judge was on for the attempt): the gap between the offline
  grader's overall and the judge's, ``JUDGE_GAP_POINTS`` or more counting fully.

The number is worked out once, when the attempt is stored (``Store.add_attempt``), against the pass mark of that
moment; the reasons are worked out again wherever they are shown. Pure: no Streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

NEAR_PASS_POINTS = 15.0
#: The three signs of doubt add up to at most this.
MAX_UNCERTAINTY = 3.0
UNSURE_BAND = 0.25
JUDGE_GAP_POINTS = 30.0
#: A reason is given only for doubts at least this clear (the number counts every little doubt).
REASON_PASS_POINTS = 10.0
REASON_UNSURE_BAND = 0.1
REASON_JUDGE_GAP = 15.0
#: At most this many unsure principles are named (the closest to 0.5 first).
MAX_PRINCIPLE_REASONS = 3

NEAR_PASS, UNSURE_PRINCIPLE, JUDGE_DISAGREES = "near_pass", "unsure_principle", "judge_disagrees"


@dataclass(frozen=True)
class QueueReason:
    """Why an attempt ranks where it does. ``kind`` is one of ``NEAR_PASS`` (``score``: the overall, ``other``:
    the pass mark), ``UNSURE_PRINCIPLE`` (``principle`` and its ``score`` 0-1) or ``JUDGE_DISAGREES``
    (``score``: the judge's overall, ``other``: the offline grader's)."""

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
        return f"LLM judge {self.score:.0f} vs grader {self.other:.0f}"


@dataclass(frozen=True)
class Uncertainty:
    value: float  # 0-3: higher means a review teaches more
    reasons: tuple[QueueReason, ...]


def uncertainty(
    overall: float,
    principles: Mapping[str, float | None],
    *,
    pass_mark: float,
    judge_overall: float | None = None,
    offline_overall: float | None = None,
) -> Uncertainty:
    """How unsure the grader was of an attempt, and why in words.

    ``overall``: the machine's overall (0-100); ``principles``: the machine's principle scores (0-1, None: does
    not apply); ``judge_overall``/``offline_overall``: the LLM judge's overall and the offline grader's, when the
    judge was on (see ``judge_overalls``)."""
    distance = abs(float(overall) - float(pass_mark))
    near_pass = max(0.0, 1.0 - distance / NEAR_PASS_POINTS)
    scored = {p: float(s) for p, s in principles.items() if s is not None}
    closeness = {p: max(0.0, 1.0 - abs(s - 0.5) / UNSURE_BAND) for p, s in scored.items()}
    unsure = sum(closeness.values()) / len(closeness) if closeness else 0.0
    judged = judge_overall is not None and offline_overall is not None
    judge_gap = abs(judge_overall - offline_overall) if judged else 0.0
    gap = min(1.0, judge_gap / JUDGE_GAP_POINTS)

    reasons: list[QueueReason] = []
    if distance <= REASON_PASS_POINTS:
        reasons.append(QueueReason(NEAR_PASS, float(overall), float(pass_mark)))
    doubtful = sorted((abs(s - 0.5), p) for p, s in scored.items() if abs(s - 0.5) <= REASON_UNSURE_BAND)
    reasons += [QueueReason(UNSURE_PRINCIPLE, scored[p], principle=p) for _, p in doubtful[:MAX_PRINCIPLE_REASONS]]
    if judged and judge_gap >= REASON_JUDGE_GAP:
        reasons.append(QueueReason(JUDGE_DISAGREES, float(judge_overall), float(offline_overall)))
    return Uncertainty(round(near_pass + unsure + gap, 4), tuple(reasons))


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
    machine_overall: float, machine_principles: Mapping[str, float | None], llm_json: Mapping | None, pass_mark: float
) -> Uncertainty:
    """``uncertainty`` of a stored or new attempt from what it keeps (its machine grade and judge verdict)."""
    judged = judge_overalls(llm_json, machine_overall)
    judge, offline = judged if judged is not None else (None, None)
    return uncertainty(
        machine_overall, machine_principles, pass_mark=pass_mark, judge_overall=judge, offline_overall=offline
    )
