"""Personalization: addresses the customer by first name (not applicable when the case gives none)."""

from __future__ import annotations

import re

from grading.context import GradingContext
from grading.graders._common import result
from grading.result import Evidence, PrincipleGrade


def name_pattern(name: str) -> re.Pattern[str]:
    """The name as a word, allowing case endings ("Ольга", "Ольге", "Olgas"): all but its last letter fixed."""
    base = name.strip()
    stem = re.escape(base[:-1]) if len(base) >= 4 else re.escape(base)
    tail = r"\w{0,3}" if len(base) >= 4 else r"(?:s)?"
    return re.compile(rf"(?<!\w){stem}{tail}(?!\w)", re.IGNORECASE)


class PersonalizationGrader:
    name = "rules.personalization"
    principle = "personalization"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        name = ctx.case.customer_name
        if not name or not name.strip():
            return result(ctx, self.principle, self.name, None)
        hits = list(name_pattern(name).finditer(ctx.reply))
        spans = [Evidence(m.start(), m.end(), "+", "addresses the customer by name") for m in hits[:1]]
        tip = f'Address the customer by name: start with "{name.strip()}, ...".'
        return result(ctx, self.principle, self.name, 1.0 if hits else 0.0, spans, tip)
