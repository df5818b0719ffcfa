"""How an overall score came about, from a stored grade (``Grade.to_dict()``, kept on every attempt).

Grades from version 2 carry their ``breakdown``: the parts the grader's overall model added up (a base, each
principle's part, the likeness to graded example replies, tone, a late answer, a cap), which sum to the
score. Every grade also has its principles and weights: each principle that applies counts with its weight,
its share of the 100 points the weighted mean can give, and the points its score earned of that share.
Caps name the words that triggered them. Attempts graded before caps were recorded lack ``caps`` and
``uncapped_score``, and before version 2 ``breakdown``: what exists is explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PrincipleShare:
    principle: str
    weight: float  # the weight the grade used
    share: float  # points of 100 this principle can give (its weight over the weights that apply)
    score: float  # 0-1
    points: float  # share x score: the points it earned

    @property
    def lost(self) -> float:
        return self.share - self.points


@dataclass(frozen=True)
class CapNote:
    principle: str
    limit: float
    reason: str
    words: tuple[str, ...]  # the reply's words that triggered it


@dataclass(frozen=True)
class ScoreLine:
    label: str  # the grader's label of the part (a principle id when ``principle`` is set and equal to it)
    points: float
    principle: str | None


@dataclass(frozen=True)
class OverallExplanation:
    shares: tuple[PrincipleShare, ...]  # heaviest first
    not_applicable: tuple[str, ...]  # principles with weight that did not apply to this case or reply
    weighted_points: float  # the sum of the points: the weighted mean, 0-100
    stretched: float | None  # the overall before any cap (None: the grade predates it being recorded)
    caps: tuple[CapNote, ...]
    overall: float  # the machine's overall
    parts: tuple[ScoreLine, ...] = ()  # how the grader's model reached the overall; empty before version 2


def explain_overall(grade_json: Mapping, reply: str) -> OverallExplanation | None:
    """The explanation of a stored grade, or None when it holds no principle that applies."""
    principles: Mapping = grade_json.get("principles") or {}
    weights: Mapping = grade_json.get("weights") or {}
    applicable = {
        pid: float(pg["score"])
        for pid, pg in principles.items()
        if pg.get("score") is not None and float(weights.get(pid, 0.0)) > 0
    }
    total = sum(float(weights[pid]) for pid in applicable)
    if total <= 0:
        return None
    shares = sorted(
        (
            PrincipleShare(
                pid,
                float(weights[pid]),
                100 * float(weights[pid]) / total,
                score,
                100 * float(weights[pid]) / total * score,
            )  # fmt: skip
            for pid, score in applicable.items()
        ),
        key=lambda s: (-s.share, s.principle),
    )
    not_applicable = tuple(
        pid for pid, pg in principles.items() if pg.get("score") is None and float(weights.get(pid, 0.0)) > 0
    )
    overall = float(grade_json.get("score") or 0.0)
    caps = tuple(
        CapNote(
            principle=str(cap.get("principle", "")),
            limit=float(cap.get("limit", 0.0)),
            reason=str(cap.get("reason", "")),
            words=tuple(_words(cap.get("evidence") or (), reply)),
        )
        for cap in grade_json.get("caps") or ()
    )
    if "caps" not in grade_json:  # graded before the explanation was recorded
        stretched = None
    else:
        uncapped = grade_json.get("uncapped_score")
        stretched = float(uncapped) if uncapped is not None else overall
    return OverallExplanation(
        shares=tuple(shares),
        not_applicable=not_applicable,
        weighted_points=sum(s.points for s in shares),
        stretched=stretched,
        caps=caps,
        overall=overall,
        parts=tuple(
            ScoreLine(str(part.get("label", "")), float(part.get("points", 0.0)), part.get("principle"))
            for part in grade_json.get("breakdown") or ()
        ),
    )


def _words(evidence, reply: str) -> list[str]:
    """The distinct texts of evidence spans, clipped to the reply, in reply order."""
    found: list[str] = []
    for ev in sorted(evidence, key=lambda e: int(e.get("start", 0))):
        start = max(0, min(int(ev.get("start", 0)), len(reply)))
        end = max(start, min(int(ev.get("end", 0)), len(reply)))
        text = reply[start:end].strip()
        if text and text not in found:
            found.append(text)
    return found
