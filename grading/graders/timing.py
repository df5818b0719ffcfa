"""Timing: within the case's target time; the score halves for every further target period after it."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import result
from grading.graders.concrete_promise import _fmt_minutes
from grading.result import PrincipleGrade


def timing_score(response_seconds: float, target_minutes: float) -> float:
    """1 within the target; then 0.5 ** (late / target): half at twice the target, a quarter at three times."""
    target = target_minutes * 60.0
    if response_seconds <= target:
        return 1.0
    return 0.5 ** ((response_seconds - target) / target)


class TimingGrader:
    name = "rules.timing"
    principle = "timing"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        if ctx.response_seconds is None or ctx.effective_handling == "no_reply":
            return result(ctx, self.principle, self.name, None)
        score = timing_score(ctx.response_seconds, ctx.case.target_minutes)
        took = _fmt_minutes(round(ctx.response_seconds / 60.0, 1))
        tip = (
            f"You answered after {took}; this case expects an answer within {_fmt_minutes(ctx.case.target_minutes)}. "
            "A short first answer in time beats a perfect one late."
        )
        return result(ctx, self.principle, self.name, score, (), tip)
