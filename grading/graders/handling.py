"""Handling: the chosen way to handle the comment is the expected or an acceptable one.

Replying at length to a troll is wrong (seed 003: don't feed trolls); for ``no_reply`` an empty reply is
right. Without a chosen handling it is inferred from the reply (empty: no reply; asks for a DM: public then
private; else a public reply).
"""

from __future__ import annotations

from grading.context import GradingContext
from grading.graders._common import evidence, result
from grading.result import PrincipleGrade

#: Handlings close enough that choosing one for the other earns half the credit.
NEIGHBOURS = frozenset(
    {
        frozenset({"public_reply", "public_then_private"}),
        frozenset({"public_then_private", "hide_and_contact_privately"}),
        frozenset({"public_then_private", "escalate"}),
    }
)
#: A reply to a troll up to this long is a slip; a longer one feeds the troll.
SHORT_REPLY = 200


def inferred_handling(ctx: GradingContext) -> str:
    if not ctx.reply.strip():
        return "no_reply"
    return "public_then_private" if ctx.find("private") else "public_reply"


class HandlingGrader:
    name = "rules.handling"
    principle = "handling"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        accepted = ctx.case.accepted_handlings
        if not accepted:  # a Complaint: nothing to compare with
            return result(ctx, self.principle, self.name, None)
        chosen = ctx.handling or inferred_handling(ctx)
        spans = evidence(ctx.find("private")[:1], "moves to a private channel") if ctx.handling is None else ()
        expected = ctx.case.expected_handling
        if chosen in accepted:
            score = 1.0
        elif "no_reply" in accepted and chosen != "no_reply":
            score = 0.3 if len(ctx.reply.strip()) <= SHORT_REPLY else 0.0
        elif chosen == "no_reply":
            score = 0.0
        elif any(frozenset({chosen, a}) in NEIGHBOURS for a in accepted):
            score = 0.5
        else:
            score = 0.0
        tip = f"This comment calls for: {ctx.case.handling_label(expected)} (you chose: {ctx.case.handling_label(chosen)})."
        if expected == "no_reply":
            tip += " Don't feed a troll: a reply gives them the stage they want."
        return result(ctx, self.principle, self.name, score, spans, tip)
