"""Ownership: admits the mistake and explains its cause (where the company is at fault)."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import evidence, result
from grading.result import PrincipleGrade


class OwnershipGrader:
    name = "rules.ownership"
    principle = "ownership"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if not ctx.case.company_at_fault:
            return result(ctx, self.principle, self.name, None)
        found = ctx.find("ownership")
        admits = any(m.group == "admits" for m in found)
        cause = any(m.group == "cause" for m in found)
        deflects = any(m.group == "deflects" for m in found)
        rule = 1.0 if admits and cause else 0.75 if admits else 0.4 if cause else 0.05
        if deflects:  # shifting the blame to a courier, a supplier or "the system" is the opposite of ownership
            rule = min(rule, 0.1)
        # No key fact is quoted here: a case's first fact is rarely the mistake to own (it named "the hole in
        # the dress" under "Concrete promise"); the missing facts are named by "Human, not scripted".
        tip = 'Own the mistake ("this was our mistake") and say briefly why it happened.'
        return result(ctx, self.principle, self.name, ctx.blend(self.principle, rule), evidence(found), tip)
