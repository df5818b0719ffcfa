"""The principles a reply is graded on: titles, descriptions and default weights.

The ids come from ``replycoach.cases.models.PRINCIPLES`` (case files refer to them); this module owns what
each means for grading. Default weights sum to 100 so a weight reads as "points out of 100" when every
principle applies; a case's ``principle_weights`` multiply them (0 switches a principle off) and the
overall score is renormalised over the principles that apply to the case and reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from replycoach.cases.models import PRINCIPLES


@dataclass(frozen=True)
class PrincipleInfo:
    """What a principle means, shown to trainees and coaches next to its score."""

    id: str
    title: str
    description: str
    default_weight: float


_INFO = [
    PrincipleInfo("empathy", "Empathy", "Acknowledges how the customer feels and why it matters to them.", 12),
    PrincipleInfo(
        "apology",
        "Sincere apology",
        "Apologises where the company is at fault; not 'sorry you feel that way', not grovelling.",
        10,
    ),
    PrincipleInfo(
        "no_script",
        "Human, not scripted",
        "Speaks about this case's facts in a human voice; no stock phrases, no copy of earlier replies.",
        12,
    ),
    PrincipleInfo(
        "concrete_promise",
        "Concrete promise",
        "Says what will be done and by when, or that it is already done.",
        12,
    ),
    PrincipleInfo("timing", "Timing", "Answers within the case's target time.", 6),
    PrincipleInfo("personalization", "Personal address", "Addresses the customer by first name.", 4),
    PrincipleInfo(
        "remedy",
        "Remedy",
        (
            "Offers a fix, compensation or an alternative, gives the step or the information that solves it, "
            "or asks what would make it right."
        ),
        10,
    ),
    PrincipleInfo(
        "no_blame",
        "No blame",
        "No blaming, lecturing, sarcasm or defensiveness towards the customer.",
        12,
    ),
    PrincipleInfo("gratitude", "Gratitude", "Thanks the customer for the feedback.", 4),
    PrincipleInfo(
        "private_channel",
        "Private channel",
        "Moves personal details to direct messages or e-mail when the handling calls for it.",
        5,
    ),
    PrincipleInfo("ownership", "Ownership", "Admits the mistake and explains its cause.", 6),
    PrincipleInfo(
        "handling",
        "Handling",
        "Chooses the right way to handle the comment (reply, move to private, don't feed the troll, escalate).",
        4,
    ),
    PrincipleInfo("concise", "Concise", "Short and to the point; no wall of text or links.", 3),
]

#: principle id -> PrincipleInfo, in the order of ``replycoach.cases.models.PRINCIPLES``.
PRINCIPLE_INFO: dict[str, PrincipleInfo] = {p.id: p for p in sorted(_INFO, key=lambda p: PRINCIPLES.index(p.id))}

DEFAULT_WEIGHTS: dict[str, float] = {pid: info.default_weight for pid, info in PRINCIPLE_INFO.items()}

if set(PRINCIPLE_INFO) != set(PRINCIPLES):  # a principle added to the case format must get its info here
    raise RuntimeError("every principle needs its PrincipleInfo")


def merged_weights(overrides: dict[str, float] | None) -> dict[str, float]:
    """Default weights times a case's multipliers (``ownership: 1.5``; 0 switches a principle off).

    Multipliers, not replacements, so a case keeps meaning the same when the defaults are retuned."""
    weights = dict(DEFAULT_WEIGHTS)
    for pid, w in (overrides or {}).items():
        if pid not in weights:
            raise ValueError(f"unknown principle {pid!r}; known: {', '.join(PRINCIPLES)}")
        if w < 0:
            raise ValueError(f"weight of {pid} must be >= 0, got {w}")
        weights[pid] = DEFAULT_WEIGHTS[pid] * float(w)
    return weights


#: Principles decided by the rules alone (the clock is not a matter of wording); every other one has a
#: learned head in a trained model.
RULE_ONLY_PRINCIPLES: tuple[str, ...] = ("timing",)
LEARNED_PRINCIPLES: tuple[str, ...] = tuple(p for p in PRINCIPLES if p not in RULE_ONLY_PRINCIPLES)
