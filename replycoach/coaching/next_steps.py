""" "Try this next": the one or two changes that would raise a grade most.

A principle's lost points are its share of the weighted mean times what its score fell short of 1 (see
``explain``); a fault that capped the overall costs at least what the cap took away. The steps are the
principles that lost most, a capping fault first, then a harm the grader sees in the reply (blame, the
wrong handling: fixing harm comes before adding anything), each with what to do: the grader's tip for this case
where it gave one, else a plain instruction for the principle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from replycoach.i18n import N_

if TYPE_CHECKING:
    from grading import Grade
    from replycoach.cases.models import Case

#: At most this many steps: more would not be acted on.
MAX_STEPS = 2
#: A principle that lost fewer points than this is not worth a step.
MIN_POINTS = 1.0
#: Faults that harm the customer relationship: when the grader suspects one (score below ``HARM_BELOW``: a
#: real chance a coach would mark it; harm costs more than a missing nicety), it is
#: the first thing to fix after a cap, whatever the other principles lost.
HARMS = ("no_blame", "handling")
HARM_BELOW = 0.7
#: What to do when a principle falls short and the grader gave no tip, as whole sentences (translated where shown).
ACTIONS = {
    "empathy": N_("Say in your own words how this felt for the customer and why it matters to them."),
    "apology": N_("Apologise plainly for what went wrong, without 'if' or 'for any inconvenience'."),
    "no_script": N_("Talk about this customer's problem in your own voice instead of stock phrases."),
    "concrete_promise": N_("Say exactly what you will do and by when."),
    "timing": N_("Answer sooner: within the target time the clock shows."),
    "personalization": N_("Address the customer by their first name."),
    "remedy": N_("Offer a fix, a replacement, a refund or an alternative, or ask what would make it right."),
    "no_blame": N_("Take out anything that blames, lectures or mocks the customer."),
    "gratitude": N_("Thank the customer for telling you."),
    "private_channel": N_("Ask the customer to continue in private messages or by e-mail for the details."),
    "ownership": N_("Admit the mistake and say briefly why it happened."),
    "handling": N_("Choose the handling this kind of comment calls for."),
    "concise": N_("Keep it short: cut what does not help the customer."),
}


@dataclass(frozen=True)
class NextStep:
    principle: str
    points: float  # overall points this change could win back (at least; the grader also stretches the mean)
    action: str  # what to do, in a whole sentence
    cap: float | None = None  # the overall was held at this because of this principle


def lost_points(grade: Grade) -> dict[str, float]:
    """Points of the weighted mean (0-100) each applicable principle lost."""
    weights = {pid: grade.weights.get(pid, 0.0) for pid, pg in grade.principles.items() if pg.score is not None}
    weights = {pid: w for pid, w in weights.items() if w > 0}
    total = sum(weights.values())
    if total <= 0:
        return {}
    return {pid: 100 * w / total * (1 - grade.principles[pid].score) for pid, w in weights.items()}


def next_steps(case: Case | None, grade: Grade, *, limit: int = MAX_STEPS) -> list[NextStep]:
    """The ``limit`` changes that raise ``grade`` most, biggest first (``case``: single-language, or None)."""
    if grade.score >= 100:
        return []
    lost = lost_points(grade)
    steps: list[NextStep] = []
    held_at = grade.score
    for cap in grade.caps:
        gain = (grade.uncapped_score or held_at) - held_at + lost.get(cap.principle, 0.0)
        steps.append(NextStep(cap.principle, round(gain, 1), _action(case, grade, cap.principle), cap=cap.limit))
    seen = {s.principle for s in steps}
    harmed = {
        pid for pid in HARMS if (pg := grade.principles.get(pid)) and pg.score is not None and pg.score < HARM_BELOW
    }
    for pid, points in sorted(lost.items(), key=lambda item: (item[0] not in harmed, -item[1], item[0])):
        if pid not in seen and points >= MIN_POINTS:
            steps.append(NextStep(pid, round(points, 1), _action(case, grade, pid)))
    return steps[:limit]


def _action(case: Case | None, grade: Grade, pid: str) -> str:
    pg = grade.principles.get(pid)
    if pg is not None and pg.tip:
        return pg.tip
    if pid == "personalization" and case is not None and case.customer_name:
        return f"Address the customer by name: {case.customer_name}."
    return ACTIONS.get(pid, N_("Work on this principle."))
