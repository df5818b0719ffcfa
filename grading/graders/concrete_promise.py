"""Concrete promise: what will be done and by when, or that it is already done."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import evidence, result
from grading.result import Evidence, PrincipleGrade

#: Negativity kinds where nothing needs doing after the reply (a price remark, a troll, a planted comment).
NOTHING_TO_DO = frozenset({"troll", "competitor", "impulsive"})


class ConcretePromiseGrader:
    name = "rules.concrete_promise"
    principle = "concrete_promise"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if ctx.case.negativity in NOTHING_TO_DO:
            return result(ctx, self.principle, self.name, None)
        found = ctx.find("promise")
        commit = [m for m in found if m.group == "commitment"]
        done = [m for m in found if m.group == "done"]
        vague = [m for m in found if m.group == "vague"]
        times = ctx.times()
        spans = list(evidence(found)) + [Evidence(t.start, t.end, "+", "time frame") for t in times]
        if done or (commit and times):
            rule = 1.0
        elif times:
            rule = 0.6
        elif commit:
            rule = 0.45
        else:
            rule = 0.05
        if vague and not times and not done:
            rule = min(rule, 0.3)
        tip = (
            'Say exactly what will happen and by when ("we will refund you by tomorrow noon"), or that it is '
            'already done; "as soon as possible" promises nothing.'
        )
        return result(ctx, self.principle, self.name, ctx.blend(self.principle, rule), spans, tip)
