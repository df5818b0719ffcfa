"""Timing: within the case's target time; the score halves for every further target period after it."""

from __future__ import annotations

from grading.features.context import GradingContext
from grading.graders._common import result
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
        took = format_minutes(round(ctx.response_seconds / 60.0, 1))
        tip = (
            f"You answered after {took}; this case expects an answer within {format_minutes(ctx.case.target_minutes)}. "
            "A short first answer in time beats a perfect one late."
        )
        return result(ctx, self.principle, self.name, score, (), tip)


def format_minutes(minutes: float) -> str:
    if minutes < 120:
        return f"{minutes:g} minutes"
    if minutes < 48 * 60:
        return f"{minutes / 60:g} hours"
    return f"{minutes / 1440:g} days"
