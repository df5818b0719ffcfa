"""The overall grade without a learned model (the ``rules`` engine, and embedders no model was trained for):
the case-weighted mean of the principle scores, stretched around a pivot, then capped by severe faults.

This was the whole grader up to version 1.3 (docs/grading.md, "Without a learned model").
"""

from __future__ import annotations

from collections.abc import Mapping

from grading.result import Cap, PrincipleGrade, ScorePart

#: Faults that sink a reply whatever else it does well (docs/coach-rubric.md anchors: "one harmful sentence
#: sinks an otherwise good reply"): (principle, the score at or below which it counts, the overall cap).
#: A cap applies only when the principle has weight > 0, so a case can switch it off.
SEVERE_FAULTS = (
    ("no_blame", 0.5, 15.0),  # blames or mocks the customer: harmful
    ("handling", 0.3, 35.0),  # wrong handling: arguing with a troll, ignoring a real complaint
    ("apology", 0.5, 40.0),  # a non-apology or grovelling (only with such evidence, see _is_fault)
    ("no_script", 0.35, 40.0),  # a stock script
    ("concise", 0.3, 40.0),  # a wall of text or links
)


#: The weighted mean is stretched around SPREAD_PIVOT by SPREAD_FACTOR (then clipped to 0-100): a mean of
#: partial principle scores bunches in the middle, while coaches give model answers 90 and bad ones 15.
#: Fitted (least squares, coach overall on the unstretched mean, tuning-half rows no severe-fault cap binds:
#: slope 1.31 around 61.7) and rounded: docs/grading.md. Every difference between two replies, including
#: between a reply and its translation, is multiplied by the factor, so it is kept no larger than the fit.
SPREAD_PIVOT = 62.0
SPREAD_FACTOR = 1.3


def overall(principles: Mapping[str, PrincipleGrade], weights: Mapping[str, float]) -> float:
    """The overall score 0-100 (see ``explained_overall``)."""
    return explained_overall(principles, weights)[0]


#: What each severe fault means, as shown beside a capped overall.
CAP_REASONS = {
    "no_blame": "blames, lectures or mocks the customer",
    "handling": "the wrong handling for this comment",
    "apology": "a non-apology or grovelling",
    "no_script": "a stock script",
    "concise": "a wall of text or links",
}


def explained_overall(
    principles: Mapping[str, PrincipleGrade], weights: Mapping[str, float]
) -> tuple[float, tuple[Cap, ...], float | None, tuple[ScorePart, ...]]:
    """(overall, caps applied, the overall before the caps or None, how it was reached).

    Weighted mean over the principles that apply (score not None, weight > 0), as 0-100, stretched
    (``SPREAD_FACTOR``) and clipped, one decimal, then capped by any severe fault (``SEVERE_FAULTS``)."""
    total = sum(weights.get(p, 0.0) for p, g in principles.items() if g.score is not None)
    if total <= 0:
        return 0.0, (), None, ()
    parts = [ScorePart("base", SPREAD_PIVOT * (1.0 - SPREAD_FACTOR))]
    for p, g in principles.items():
        if g.score is not None and weights.get(p, 0.0) > 0:
            parts.append(ScorePart(p, SPREAD_FACTOR * 100.0 * weights[p] * g.score / total, p))
    stretched = sum(part.points for part in parts)
    score = min(100.0, max(0.0, stretched))
    if score != stretched:
        parts.append(ScorePart("kept within 0-100", score - stretched))
    uncapped = round(score, 1)
    caps: list[Cap] = []
    for pid, at_or_below, cap in SEVERE_FAULTS:
        g = principles.get(pid)
        if g is None or g.score is None or weights.get(pid, 0.0) <= 0 or g.score > at_or_below:
            continue
        if pid != "apology" or any(e.polarity == "-" for e in g.evidence):  # no apology at all is not this fault
            if score > cap:
                caps.append(Cap(pid, cap, CAP_REASONS[pid], tuple(e for e in g.evidence if e.polarity == "-")))
                parts.append(ScorePart(f"capped at {cap:g}: {CAP_REASONS[pid]}", cap - score, pid))
            score = min(score, cap)
    rounded = tuple(ScorePart(p.label, round(p.points, 1), p.principle) for p in parts if abs(p.points) >= 0.05)
    return round(score, 1), tuple(caps), (uncapped if caps else None), rounded
