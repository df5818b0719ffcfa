"""No blame: no blaming, lecturing, sarcasm or defensiveness towards the customer."""

from __future__ import annotations

import re

from grading.features.context import GradingContext
from grading.graders._common import evidence, result
from grading.result import Evidence, PrincipleGrade

_EYE_ROLL = re.compile("[\U0001f644\U0001f60f\U0001f926\U0001f643]")  # 🙄 😏 🤦 🙃: sarcasm in a reply
_SHOUT = re.compile(r"\b[A-ZÄÖÜА-ЯЁ]{4,}(?:\s+[A-ZÄÖÜА-ЯЁ]{2,}){2,}\b|[!?]{3,}")
#: Each blaming phrase costs this much (two sink the principle).
PENALTY = 0.5


class NoBlameGrader:
    name = "rules.no_blame"
    principle = "no_blame"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        found = ctx.find("blame")
        spans = list(evidence(found))
        spans += [Evidence(m.start(), m.end(), "-", "shouting") for m in _SHOUT.finditer(ctx.reply)]
        spans += [Evidence(m.start(), m.end(), "-", "sarcastic emoji") for m in _EYE_ROLL.finditer(ctx.reply)]
        rule = max(0.0, 1.0 - PENALTY * len(found) - 0.2 * (len(spans) - len(found)))
        score = ctx.blend(self.principle, rule)
        if found:  # a blaming phrase is never made good by the rest of the reply
            score = min(score, rule, 0.5)
        worst = ctx.reply[found[0].start : found[0].end] if found else None
        tip = (
            f'Drop "{worst}": it blames or lectures the customer. Describe what you will do instead.'
            if worst
            else "Keep a calm tone: no capitals or strings of exclamation marks."
        )
        return result(ctx, self.principle, self.name, score, spans, tip)
