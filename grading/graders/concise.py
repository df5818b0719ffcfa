"""Concise: short, no wall of text or links, no padding (seed 003: answer briefly, without a wall of links).

Length is measured in English-equivalent characters (German runs ~18% longer for the same content, so the
same reply scores the same in every language). Coaches also mark padding: apologies repeated beyond two.
"""

from __future__ import annotations

import re

from grading.features.context import GradingContext
from grading.graders._common import result
from grading.result import Evidence, PrincipleGrade

#: Up to this many (English-equivalent) characters a reply is fully concise: a few sentences on a comment
#: platform. The score then falls linearly to 0 at LONG_CHARS.
SHORT_CHARS = 380
LONG_CHARS = 1100
#: Characters per English character for the same content (median over the tuning half's translated
#: replies: de 1.16, ru 0.99, bg 0.99, so only German needs a correction).
LENGTH_FACTOR = {"de": 1.16}
#: Links beyond the first each cost this much.
LINK_PENALTY = 0.3
#: Each apology beyond two is padding and costs this much.
REPEAT_PENALTY = 0.25
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def length_score(chars: int, language: str) -> float:
    """1 up to SHORT_CHARS English-equivalent characters, then linearly down to 0 at LONG_CHARS."""
    n = chars / LENGTH_FACTOR.get(language, 1.0)
    return 1.0 if n <= SHORT_CHARS else max(0.0, 1.0 - (n - SHORT_CHARS) / (LONG_CHARS - SHORT_CHARS))


class ConciseGrader:
    name = "rules.concise"
    principle = "concise"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        n = len(ctx.reply.strip())
        factor = LENGTH_FACTOR.get(ctx.text.language, 1.0)
        score = length_score(n, ctx.text.language)
        spans = []
        if score < 1.0:
            start = len(ctx.reply) - len(ctx.reply.lstrip()) + int(SHORT_CHARS * factor)
            spans.append(Evidence(start, len(ctx.reply.rstrip()), "-", "too long"))
        links = list(_LINK.finditer(ctx.reply))
        if len(links) > 1:
            score -= LINK_PENALTY * (len(links) - 1)
            spans += [Evidence(m.start(), m.end(), "-", "link") for m in links]
        apologies = [m for m in ctx.find("apology") if m.group in ("apology", "grovelling")]
        if len(apologies) > 2:
            score -= REPEAT_PENALTY * (len(apologies) - 2)
            spans += [Evidence(m.start, m.end, "-", "repeated apology (padding)") for m in apologies[2:]]
        tip = f"Keep it short: a few sentences (under {int(SHORT_CHARS * factor)} characters), at most one link, no padding."
        return result(ctx, self.principle, self.name, score, spans, tip)
