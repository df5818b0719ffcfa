"""Handling: the chosen way to handle the comment is the expected or an acceptable one, and the text fits it.

Replying at length to a troll is wrong (seed 003: don't feed trolls); for ``no_reply`` an empty reply is
right. Without a chosen handling it is inferred from the reply (empty: no reply; asks for a DM: public then
private; else a public reply).

The text must fit the choice (docs/coach-rubric.md): a long public argument, a gift to a troll or to an
extortionist, or a bare "we've sent you a DM" to a real complaint is wrong (0) even under the right handling;
pleading, apologising to a troll or blaming the customer in public is a poor fit (at most 0.5).
"""

from __future__ import annotations

from grading.features.context import GradingContext
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
#: Negativity kinds where a gift rewards the comment: insults and threats must not earn discounts.
NO_GIFTS = frozenset({"troll", "extortion"})
PRIVATE_HANDLINGS = frozenset({"public_then_private", "hide_and_contact_privately"})
#: A public reply this short that only points to a private channel gives no answer at all.
BARE_REPLY_WORDS = 10


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
        spans = tuple(spans)
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
        misfit: list[str] = []
        if chosen != "no_reply":
            fit, misfit, found = text_fit(ctx, chosen)
            score = min(score, fit)
            spans += evidence(found)
        tip = f"This comment calls for: {ctx.case.handling_label(expected)} (you chose: {ctx.case.handling_label(chosen)})."
        if expected == "no_reply":
            tip += " Don't feed a troll: a reply gives them the stage they want."
        if misfit:
            tip += " " + " ".join(misfit)
        return result(ctx, self.principle, self.name, score, spans, tip)


def _negated_near(
    ctx: GradingContext, first: int, last: int, before: int = 4, after: int = 5, ignore: frozenset[int] = frozenset()
) -> bool:
    """A negation near a cue in the same sentence: "we can't offer a free pair", "бесплатно дать не можем".

    Negations at token indexes in ``ignore`` don't count: the "don't" of "please don't write reviews" pleads,
    it doesn't refuse the gift next to it."""
    tokens = ctx.text.tokens
    sentence = tokens[first].sentence
    near = list(range(max(0, first - before), first)) + list(range(last + 1, min(len(tokens), last + 1 + after)))
    return any(tokens[i].is_negation and tokens[i].sentence == sentence and i not in ignore for i in near)


def text_fit(ctx: GradingContext, chosen: str) -> tuple[float, list[str], list]:
    """(the most the handling can score given the text, tips, the offending matches)."""
    found = ctx.find("handling")
    argues = [m for m in found if m.group == "argues"]
    pleads = [m for m in found if m.group == "pleads"]
    pleading_tokens = frozenset(i for m in pleads for i in range(m.first_token, m.last_token + 1))
    rewards = [
        m
        for m in found
        if m.group == "rewards" and not _negated_near(ctx, m.first_token, m.last_token, ignore=pleading_tokens)
    ]
    fit, tips, bad = 1.0, [], []
    if argues:
        fit = min(fit, 0.0 if len(ctx.reply.strip()) > SHORT_REPLY else 0.5)
        tips.append("Don't argue in public: state one calm fact at most and offer to help.")
        bad += argues
    if rewards and ctx.case.negativity in NO_GIFTS:
        fit = 0.0
        tips.append("Don't reward insults or threats with gifts: everyone reading learns that they work.")
        bad += rewards
    if pleads:
        fit = min(fit, 0.5)
        tips.append("Don't plead with the customer; answer the substance.")
        bad += pleads
    if ctx.case.negativity == "troll":
        sorry = list(ctx.find("apology"))
        if sorry:
            fit = min(fit, 0.5)
            tips.append("Don't apologise to a troll: there is nothing to apologise for.")
            bad += sorry
    if any(m.group in ("blame", "sarcasm") for m in ctx.find("blame")):
        fit = min(fit, 0.5)
    if (
        chosen in PRIVATE_HANDLINGS
        and ctx.case.company_at_fault
        and ctx.text.word_count <= BARE_REPLY_WORDS
        and not (ctx.find("remedy") or ctx.find("empathy") or ctx.find("ownership"))
    ):
        fit = 0.0
        tips.append('Answer in public first; a bare "we\'ve sent you a message" looks like hiding the complaint.')
    return fit, tips, bad
