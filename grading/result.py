"""What a grade is: frozen values, safe to share between threads, cache and store.

Scores are in [0, 1] per principle (``None`` when the principle does not apply to this case or reply) and
0-100 overall. Evidence points at character spans of the *reply as submitted* (after the documented length
cap), so a page can highlight exactly the words that earned or lost each principle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Polarity = Literal["+", "-"]


@dataclass(frozen=True)
class Evidence:
    """A span of the reply that earned (``+``) or lost (``-``) a principle, with a short reason."""

    start: int
    end: int
    polarity: Polarity
    label: str  # e.g. "apology", "non-apology", "time frame", "blames the customer"

    def text_in(self, reply: str) -> str:
        return reply[self.start : self.end]


@dataclass(frozen=True)
class PrincipleGrade:
    principle: str
    score: float | None  # None: not applicable
    evidence: tuple[Evidence, ...] = ()
    tip: str | None = None  # shown when the principle falls short; specific to this case where possible
    grader: str = ""  # name of the grader that produced it, e.g. "rules.apology"
    error: str | None = None  # set when the grader failed; the score is then None and the grade goes on


@dataclass(frozen=True)
class Cap:
    """The overall score was held at ``limit`` because of a severe fault in ``principle``."""

    principle: str
    limit: float
    reason: str  # e.g. "blames the customer"
    evidence: tuple[Evidence, ...] = ()  # the words that triggered it


@dataclass(frozen=True)
class Grade:
    score: float  # 0-100, weighted over applicable principles
    passed: bool
    principles: dict[str, PrincipleGrade]
    weights: dict[str, float]  # the weights actually used (after the case's overrides)
    case_id: str | None
    case_hash: str | None
    language: str | None
    grader_version: str
    embedder: str
    reply_chars: int
    truncated: bool = False  # the reply was longer than the cap and graded on its first part
    warnings: tuple[str, ...] = field(default_factory=tuple)
    caps: tuple[Cap, ...] = ()  # severe faults that held the overall down, in the order applied
    uncapped_score: float | None = None  # the overall before any cap (None: no cap applied)

    @property
    def failed_graders(self) -> tuple[str, ...]:
        return tuple(p.grader for p in self.principles.values() if p.error)

    @property
    def tips(self) -> dict[str, str]:
        return {k: p.tip for k, p in self.principles.items() if p.tip}

    def to_dict(self) -> dict:
        """JSON-ready form (used by the CLI and by storage)."""
        return asdict(self)
