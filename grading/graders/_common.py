"""Small helpers shared by the graders: evidence from matches, rounding, when a tip is shown."""

from __future__ import annotations

from collections.abc import Iterable

from grading.features.context import GradingContext
from grading.features.lexicon import Match
from grading.result import Evidence, PrincipleGrade

#: A tip is shown when a principle scores below this.
TIP_BELOW = 0.75


def evidence(matches: Iterable[Match], label: str | None = None) -> tuple[Evidence, ...]:
    return tuple(Evidence(m.start, m.end, m.polarity, label or m.label) for m in matches)  # type: ignore[arg-type]


def result(
    ctx: GradingContext,
    principle: str,
    grader: str,
    score: float | None,
    found: Iterable[Evidence] = (),
    tip: str | None = None,
) -> PrincipleGrade:
    """A PrincipleGrade with the score clipped and rounded, evidence sorted, the tip kept only when needed."""
    if score is not None:
        score = round(min(1.0, max(0.0, score)), 3)
    show_tip = score is not None and score < TIP_BELOW
    spans = tuple(sorted(set(found), key=lambda e: (e.start, e.end, e.polarity, e.label)))
    return PrincipleGrade(principle, score, spans, tip if show_tip else None, grader)


def name_or_customer(ctx: GradingContext) -> str:
    return ctx.case.customer_name or "the customer"


def missing_facts(ctx: GradingContext) -> list[str]:
    """Descriptions of key facts the reply does not address (by cue or by meaning)."""
    matches = ctx.fact_matches()
    out = []
    for f in ctx.case.facts:
        if matches.get(f.id):
            continue
        if ctx.semantics.facts.get(f.id, 0.0) >= 0.8:
            continue
        out.append(f.description)
    return out
