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
        who = name_or_customer(ctx)
        if found or not shown:
            tip = (
                f"Offer {who} a concrete fix, compensation or alternative, give the step or the information that "
                "solves it, or ask what would make it right for them."
            )
        else:  # the reply closed the door: say what to put in its place
            tip = (
                "Don't stop at what you cannot do: say what you can do instead (an alternative, a refund, a repair, "
                f"the step that solves it) or ask {who} what would make it right."
            )
        return result(ctx, self.principle, self.name, ctx.blend(self.principle, rule), evidence(shown), tip)
