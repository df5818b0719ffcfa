"""Feedback a trainee can act on: how the overall came about, "try this next", a suggested rewrite of their own
reply with the fewest edits (shown as a word diff), and the model answer. Domain code: no Streamlit, no
database; the grader comes in as an engine."""

from __future__ import annotations

from replycoach.coaching.explain import OverallExplanation, explain_overall
from replycoach.coaching.next_steps import NextStep, lost_points, next_steps
from replycoach.coaching.rewrite import ModelAnswer, Rewrite, model_answer, suggest_rewrite, word_diff

__all__ = [
    "ModelAnswer",
    "NextStep",
    "OverallExplanation",
    "Rewrite",
    "explain_overall",
    "lost_points",
    "model_answer",
    "next_steps",
    "suggest_rewrite",
    "word_diff",
]
