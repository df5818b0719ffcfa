"""Gratitude: thanks the customer for the feedback."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import evidence, name_or_customer, result
from grading.result import PrincipleGrade

#: Nobody is thanked for trolling, extortion or a planted comment.
NO_THANKS = frozenset({"troll", "extortion", "competitor"})


class GratitudeGrader:
    name = "rules.gratitude"
    principle = "gratitude"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if ctx.case.negativity in NO_THANKS:
            return result(ctx, self.principle, self.name, None)
        found = ctx.find("gratitude")
        score = 1.0 if found else 0.0
        tip = f"Thank {name_or_customer(ctx)} for telling you: the feedback helps you fix the problem."
        return result(ctx, self.principle, self.name, score, evidence(found), tip)
