"""Empathy: the reply acknowledges how the customer feels."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import evidence, name_or_customer, result
from grading.result import PrincipleGrade


class EmpathyGrader:
    name = "rules.empathy"
    principle = "empathy"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if ctx.case.expected_handling == "no_reply":  # a troll: there is no feeling to acknowledge in public
            return result(ctx, self.principle, self.name, None)
        # Only acknowledgements count; "we'd like to understand what happened" is an inquiry (a "-" group
        # that wins the overlap with "understand"), not a feeling acknowledged.
        # Feeling words inside a non-apology ("sorry if you were upset") acknowledge nothing.
        hedges = [m for m in ctx.find("apology") if m.group == "non_apology"]
        found = [
            m
            for m in ctx.find("empathy")
            if m.polarity == "+" and not any(m.start < h.end and h.start < m.end for h in hedges)
        ]
        rule = (0.15, 0.8, 1.0)[min(len(found), 2)]
        score = ctx.blend(self.principle, rule)
        tip = (
            f"Acknowledge how {name_or_customer(ctx)} feels before solving anything, "
            'e.g. "I understand how frustrating this is", in your own words about this case.'
        )
        return result(ctx, self.principle, self.name, score, evidence(found), tip)
