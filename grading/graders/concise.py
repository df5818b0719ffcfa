"""Concise: short, no wall of text or links (seed 003: answer briefly, without a wall of links)."""

from __future__ import annotations

import re

from grading.context import GradingContext
from grading.graders._common import result
from grading.result import Evidence, PrincipleGrade

#: Up to this many characters a reply is fully concise; the score then falls linearly to 0 at LONG_CHARS.
SHORT_CHARS = 700
LONG_CHARS = 2000
#: Links beyond the first each cost this much.
LINK_PENALTY = 0.3
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


class ConciseGrader:
    name = "rules.concise"
    principle = "concise"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        n = len(ctx.reply.strip())
        score = 1.0 if n <= SHORT_CHARS else max(0.0, 1.0 - (n - SHORT_CHARS) / (LONG_CHARS - SHORT_CHARS))
        spans = []
        if n > SHORT_CHARS:
            start = len(ctx.reply) - len(ctx.reply.lstrip()) + SHORT_CHARS
            spans.append(Evidence(start, len(ctx.reply.rstrip()), "-", "too long"))
        links = list(_LINK.finditer(ctx.reply))
        if len(links) > 1:
            score -= LINK_PENALTY * (len(links) - 1)
            spans += [Evidence(m.start(), m.end(), "-", "link") for m in links]
        tip = f"Keep it short: say it in under {SHORT_CHARS} characters, with at most one link."
        return result(ctx, self.principle, self.name, score, spans, tip)
