"""Remedy: a fix, compensation or an alternative, a step or the information that solves it, or asking what would
make it right; closing the door without any of them ("nothing we can do") scores lowest."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import evidence, name_or_customer, result
from grading.result import PrincipleGrade

#: Negativity kinds where no remedy is graded: a troll is not answered at all.
NO_REMEDY = frozenset({"troll"})


class RemedyGrader:
    name = "rules.remedy"
    principle = "remedy"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if ctx.case.negativity in NO_REMEDY:
            return result(ctx, self.principle, self.name, None)
        matches = ctx.find("remedy")
        found = [m for m in matches if m.polarity == "+"]
        kinds = {m.group for m in found}
        if found:
            rule = 1.0 if len(found) >= 2 or len(kinds) >= 2 else 0.85
            shown = found
        else:
            # Saying there is nothing (no spares, nothing we can do) is worse than saying nothing about a remedy.
            shown = [m for m in matches if m.polarity == "-"]
            rule = 0.0 if shown else 0.05
        tip = (
            f"Offer {name_or_customer(ctx)} a concrete fix, compensation or alternative, "
            "or ask what would make it right for them."
        )
        return result(ctx, self.principle, self.name, ctx.blend(self.principle, rule), evidence(shown), tip)
