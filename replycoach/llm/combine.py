"""Blending the judge's verdicts into the offline grade. Pure functions on frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from grading.result import Grade, PrincipleGrade
from replycoach.llm.judge import CheckedVerdict


def combine_stored(offline: Grade, judge_json: Mapping | None, pass_mark: float) -> Grade | None:
    """``offline`` blended with a judgement stored with an attempt (``judge_and_combine``'s ``judge_json``), at
    the weight it was blended with then: a re-grade keeps the judge's share without asking the LLM again.
    ``offline`` itself when the attempt was never judged; None when the stored judgement cannot be read."""
    if not judge_json or not judge_json.get("verdicts"):
        return offline
    try:
        verdicts = {pid: CheckedVerdict.from_dict(v) for pid, v in judge_json["verdicts"].items()}
        return combine(offline, verdicts, float(judge_json["weight"]), pass_mark)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None


def combine(offline: Grade, verdicts: dict[str, CheckedVerdict], weight: float, pass_mark: float) -> Grade:
    """The offline grade with the judge blended in: ``(1 - weight) * offline + weight * judge`` per principle.

    Only where both have a score: the offline engine alone decides whether a principle applies (it knows the
    case's weights and handling), and a principle the judge left out keeps its offline score. Evidence of both
    is kept. The overall score moves by the weighted change of the blended principles, which is the same as
    recomputing the weighted mean over ``offline.weights`` and keeps any adjustment the engine made on top.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"the LLM weight must be between 0 and 1, got {weight}")
    principles: dict[str, PrincipleGrade] = dict(offline.principles)
    weighted_change = 0.0
    for pid, verdict in verdicts.items():
        pg = principles.get(pid)
        if pg is None or pg.score is None or verdict.points is None:
            continue
        blended = (1.0 - weight) * pg.score + weight * verdict.points
        weighted_change += offline.weights.get(pid, 0.0) * (blended - pg.score)
        evidence = pg.evidence + ((verdict.evidence,) if verdict.evidence else ())
        principles[pid] = replace(pg, score=blended, evidence=evidence, grader=f"{pg.grader}+llm".lstrip("+"))
    total_weight = sum(offline.weights.get(pid, 0.0) for pid, pg in offline.principles.items() if pg.score is not None)
    score = offline.score
    if total_weight > 0:
        score = min(100.0, max(0.0, offline.score + 100.0 * weighted_change / total_weight))
    return replace(offline, principles=principles, score=score, passed=score >= pass_mark)
