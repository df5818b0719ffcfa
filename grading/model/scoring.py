"""From head inputs to principle probabilities and the overall grade: one function, used by the engine at
grading time and by training's evaluation, so a measured number is the number a trainee would get.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from grading.features.vector import FEATURE_NAMES
from grading.model.heads import DERIVED, GraderModel, weighted_mean
from grading.result import ScorePart

_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}
#: What a capped overall means, shown beside it (docs/coach-rubric.md anchors).
CAP_REASONS = {
    "no_blame": "blames, lectures or mocks the customer",
    "handling": "the wrong handling for this comment",
    "no_script": "a stock script instead of an answer",
    "concise": "a wall of text or links",
}


@dataclass(frozen=True)
class Scored:
    probabilities: dict[str, float | None]  # principle -> probability a coach marks it present; None: n/a
    content: float  # the grade for content and tone (what coaches grade), 0-100
    time_penalty: float  # points taken for answering late (0 when on time or unknown)
    uncapped: float  # content minus the time penalty
    caps: tuple[tuple[str, float], ...]  # (principle, limit) of each confident severe fault that binds
    score: float  # the overall: uncapped, then capped, one decimal
    parts: tuple[ScorePart, ...] = ()  # how the score was reached (adds up to ``score``)


def overall_candidates(
    inputs: np.ndarray, shown: Mapping[str, float | None], weights: Mapping[str, float]
) -> dict[str, float]:
    """Every value the overall model may read (the model file names the ones it does): the case-weighted
    mean of the applicable principles' probabilities, the severe faults' probabilities (0.5 where the
    principle does not apply), the exemplar estimates, tone and the kind of answer."""
    n_engineered = len(FEATURE_NAMES)
    derived = inputs[n_engineered : n_engineered + len(DERIVED)]
    mean = weighted_mean(shown, weights)
    inline = float(inputs[_INDEX["inline"]])
    values = {
        "weighted_mean": mean,
        "exemplar_estimate": float(inputs[_INDEX["exemplar_estimate"]]),
        "casebook_estimate": float(derived[DERIVED.index("casebook_estimate")]),
        "tone": float(derived[DERIVED.index("tone")]),
        "chosen_accepted": float(inputs[_INDEX["chosen_accepted"]]),
        "inline": inline,
        "inline_weighted_mean": inline * mean,
    }
    for p in ("no_blame", "handling", "no_script", "concise", "apology"):
        value = shown.get(p)
        values[f"p.{p}"] = 0.5 if value is None else value
    return values


def score(
    model: GraderModel,
    inputs: np.ndarray,
    applicable: Mapping[str, bool],
    weights: Mapping[str, float],
    timing: float | None = None,
) -> Scored:
    """``inputs``: ``model.head_inputs(...)``; ``applicable``: per principle, whether it applies to this case
    and reply (the rules decide); ``weights``: the case's merged weights; ``timing``: the timing score in
    [0, 1] or None when the response time is unknown."""
    probs = model.probabilities(inputs)
    shown: dict[str, float | None] = {p: (probs[p] if applicable.get(p, False) else None) for p in probs}
    values = overall_candidates(inputs, shown, weights)
    content = model.overall_from(values)
    parts = _content_parts(model, values, shown, weights, content)
    penalty = 0.0
    if timing is not None:
        applied = [p for p, s in shown.items() if s is not None] + ["timing"]
        total = sum(weights.get(p, 0.0) for p in applied)
        if total > 0:
            penalty = 100.0 * weights.get("timing", 0.0) / total * (1.0 - timing)
    uncapped = max(0.0, content - penalty)
    if penalty:
        parts.append(ScorePart("answered after the target time", -(content - uncapped), "timing"))
    final, caps = uncapped, []
    for cap in model.caps:
        s = shown.get(cap.principle)
        if s is not None and weights.get(cap.principle, 0.0) > 0 and s <= cap.threshold and final > cap.limit:
            caps.append((cap.principle, cap.limit))
            parts.append(
                ScorePart(f"capped at {cap.limit:g}: {CAP_REASONS[cap.principle]}", cap.limit - final, cap.principle)
            )
            final = cap.limit
    rounded = tuple(ScorePart(p.label, round(p.points, 1), p.principle) for p in parts if abs(p.points) >= 0.05)
    return Scored(
        shown, round(content, 1), round(penalty, 1), round(uncapped, 1), tuple(caps), round(final, 1), rounded
    )


#: How each overall input reads in the breakdown (the principles' shares are labelled by principle).
INPUT_LABELS = {
    "exemplar_estimate": "like the case's graded example replies",
    "casebook_estimate": "like graded replies across the casebook",
    "tone": "tone",
    "chosen_accepted": "an accepted way to handle this comment",
    "inline": "a complaint without a case file",
}


def _content_parts(
    model: GraderModel,
    values: Mapping[str, float],
    shown: Mapping[str, float | None],
    weights: Mapping[str, float],
    content: float,
) -> list[ScorePart]:
    """The linear overall split into its terms: each principle's share (its weight in the case-weighted mean,
    plus its own term when it is a severe-fault input), the other inputs, and a base; clipping to 0-100
    becomes a part of its own, so the parts add up to ``content``."""
    coef = dict(zip(model.overall_inputs, model.overall.coef, strict=True))
    base = float(model.overall.intercept)
    per_principle: dict[str, float] = {}
    total = sum(weights.get(p, 0.0) for p, v in shown.items() if v is not None)
    for p, v in shown.items():
        if v is None:
            continue
        share = coef.get("weighted_mean", 0.0) * (weights.get(p, 0.0) * v / total if total > 0 else 0.0)
        per_principle[p] = share + coef.get(f"p.{p}", 0.0) * v
    if total <= 0:
        base += coef.get("weighted_mean", 0.0) * values["weighted_mean"]
    for name in model.overall_inputs:
        if name.startswith("p.") and shown.get(name[2:]) is None:
            base += coef[name] * values[name]  # a fault input at its neutral value: part of the base
    parts = [ScorePart("base", base)]
    parts += [ScorePart(p, points, p) for p, points in per_principle.items()]
    parts += [
        ScorePart(INPUT_LABELS[name], coef[name] * values[name])
        for name in model.overall_inputs
        if name in INPUT_LABELS
    ]
    unclipped = sum(part.points for part in parts)
    if abs(unclipped - content) > 1e-9:
        parts.append(ScorePart("kept within 0-100", content - unclipped))
    return parts
