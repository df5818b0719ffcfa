"""Human, not scripted: specific to this case's facts, no stock phrases, no copy of one's earlier replies."""

from __future__ import annotations

from difflib import SequenceMatcher

from grading.features.context import GradingContext
from grading.graders._common import evidence, missing_facts, result
from grading.result import Evidence, PrincipleGrade

#: Each stock phrase ("Dear customer", "your request has been registered") costs this much.
STOCK_PENALTY = 0.35
#: Lexical similarity to an earlier reply from which on it counts as a near-copy.
COPY_RATIO = 0.6
_MIN_COPIED_BLOCK = 20
_SPECIFIC_SHARE = 0.2


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def copy_ratio(reply: str, earlier: str) -> float:
    """Similarity of two replies in [0, 1] (difflib ratio on lower-cased, whitespace-normalised text)."""
    a, b = _norm(reply), _norm(earlier)
    if not a or not b:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.ratio() if m.real_quick_ratio() >= COPY_RATIO else 0.0


class NoScriptGrader:
    name = "rules.no_script"
    principle = "no_script"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        stock = ctx.find("stock")
        spans = list(evidence(stock))
        rule = max(0.0, 1.0 - STOCK_PENALTY * len(stock))
        tips = []
        if stock:
            tips.append(f'Drop the stock phrase "{ctx.reply[stock[0].start : stock[0].end]}" and talk like a person.')

        if ctx.case.facts:
            # the fact as the case describes it, in the case's language: a trainee reads what was addressed, not an id
            described = {f.id: f.description for f in ctx.case.facts}
            for fid, ms in ctx.fact_matches().items():
                spans += evidence(ms[:1], f"addresses: {described[fid]}")
            missing = missing_facts(ctx)
            coverage = 1.0 - len(missing) / len(ctx.case.facts)
            rule *= 0.5 + 0.5 * coverage
            if missing:
                tips.append(f"Be specific to this case: address {missing[0]}.")

        score = ctx.blend(self.principle, rule)
        if ctx.semantics.specific is not None:
            score = (1 - _SPECIFIC_SHARE) * score + _SPECIFIC_SHARE * ctx.semantics.specific

        worst_copy = 0.0
        for earlier in ctx.earlier_replies:
            ratio = copy_ratio(ctx.reply, earlier)
            if ratio >= COPY_RATIO and ratio > worst_copy:
                worst_copy = ratio
                spans = [e for e in spans if e.label != "copied from an earlier reply"]
                spans += _copied_spans(ctx.reply, earlier)
        if worst_copy:
            score = min(score, 1.5 * (1.0 - worst_copy))
            tips.insert(0, "This is nearly the same as one of your earlier replies: write for this customer and case.")
        if not tips:
            tips.append("Refer to what happened in this case in your own words rather than general phrases.")
        return result(ctx, self.principle, self.name, score, spans, " ".join(tips))


def _copied_spans(reply: str, earlier: str) -> list[Evidence]:
    m = SequenceMatcher(None, reply.lower(), earlier.lower(), autojunk=False)
    return [
        Evidence(b.a, b.a + b.size, "-", "copied from an earlier reply")
        for b in m.get_matching_blocks()
        if b.size >= _MIN_COPIED_BLOCK
    ]
