"""Graders: one small, stateless module per principle, behind a Protocol and a plain name -> grader dict.

``get_grader(name)`` / ``grader_names()`` work like scikit-learn's ``get_scorer`` / ``get_scorer_names``.
A grader reads a ``GradingContext`` and returns a frozen ``PrincipleGrade``; it keeps nothing on itself,
so one instance grades any number of replies at once.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from grading.features.context import GradingContext
from grading.graders.apology import ApologyGrader
from grading.graders.concise import ConciseGrader
from grading.graders.concrete_promise import ConcretePromiseGrader
from grading.graders.empathy import EmpathyGrader
from grading.graders.gratitude import GratitudeGrader
from grading.graders.handling import HandlingGrader
from grading.graders.no_blame import NoBlameGrader
from grading.graders.no_script import NoScriptGrader
from grading.graders.ownership import OwnershipGrader
from grading.graders.personalization import PersonalizationGrader
from grading.graders.private_channel import PrivateChannelGrader
from grading.graders.remedy import RemedyGrader
from grading.graders.timing import TimingGrader
from grading.result import PrincipleGrade


@runtime_checkable
class Grader(Protocol):
    name: str  # e.g. "rules.apology"
    principle: str  # the principle id it scores

    def grade(self, ctx: GradingContext) -> PrincipleGrade: ...


GRADERS: dict[str, Grader] = {
    g.name: g
    for g in (
        EmpathyGrader(),
        ApologyGrader(),
        NoScriptGrader(),
        ConcretePromiseGrader(),
        TimingGrader(),
        PersonalizationGrader(),
        RemedyGrader(),
        NoBlameGrader(),
        GratitudeGrader(),
        PrivateChannelGrader(),
        OwnershipGrader(),
        HandlingGrader(),
        ConciseGrader(),
    )
}

#: principle id -> the grader used by default.
DEFAULT_GRADERS: dict[str, str] = {g.principle: name for name, g in GRADERS.items()}


def get_grader(name: str) -> Grader:
    """The grader registered as ``name`` (see ``grader_names()``)."""
    try:
        return GRADERS[name]
    except KeyError:
        raise KeyError(f"unknown grader {name!r}; known: {', '.join(grader_names())}") from None


def grader_names() -> list[str]:
    return sorted(GRADERS)


def grade_safely(grader: Grader | None, principle: str, ctx: GradingContext) -> PrincipleGrade:
    """``grader.grade(ctx)``, or a grade with ``error`` set: one failing grader never sinks the whole grade
    (as scikit-learn's ``raise_exc=False``)."""
    if grader is None:
        return PrincipleGrade(principle, None, error="no grader configured", grader="")
    try:
        out = grader.grade(ctx)
    except Exception as exc:
        return PrincipleGrade(principle, None, grader=grader.name, error=f"{type(exc).__name__}: {exc}")
    if out.principle != principle:
        return PrincipleGrade(principle, None, grader=grader.name, error=f"grader returned {out.principle!r}")
    return out
