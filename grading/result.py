"""What a grade is: frozen values, safe to share between threads, cache and store.

Scores are in [0, 1] per principle (``None`` when the principle does not apply to this case or reply) and
0-100 overall. Evidence points at character spans of the *reply as submitted* (after the documented length
cap), so a page can highlight exactly the words that earned or lost each principle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
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
class ScorePart:
    """One term of how the overall was reached: the points it adds (or, negative, takes) and why.

    The parts of a grade add up to its overall score (up to rounding): each principle's share, what the
    exemplars and the tone add, the time penalty, and any cap."""

    label: str
    points: float
    principle: str | None = None  # the principle this part carries, if it carries one


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
    breakdown: tuple[ScorePart, ...] = ()  # how the overall was reached; the points add up to ``score``
    # What coaches gave the casebook's replies most like this one (0-100; None without a learned model): a second
    # opinion the review queue compares with ``score`` (``replycoach.coaching.queue_order``).
    casebook_estimate: float | None = None

    @property
    def failed_graders(self) -> tuple[str, ...]:
        return tuple(p.grader for p in self.principles.values() if p.error)

    @property
    def tips(self) -> dict[str, str]:
        return {k: p.tip for k, p in self.principles.items() if p.tip}

    def to_dict(self) -> dict:
        """JSON-ready form (used by the CLI and by storage)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Grade:
        """The grade back from ``to_dict()`` (also of older versions: fields they lack take their defaults)."""

        def evidence(items) -> tuple[Evidence, ...]:
            return tuple(Evidence(**e) for e in items or ())

        principles = {
            pid: PrincipleGrade(
                principle=pg["principle"],
                score=pg.get("score"),
                evidence=evidence(pg.get("evidence")),
                tip=pg.get("tip"),
                grader=pg.get("grader", ""),
                error=pg.get("error"),
            )
            for pid, pg in (data.get("principles") or {}).items()
        }
        caps = tuple(
            Cap(c["principle"], c["limit"], c["reason"], evidence(c.get("evidence"))) for c in data.get("caps") or ()
        )
        parts = tuple(ScorePart(b["label"], b["points"], b.get("principle")) for b in data.get("breakdown") or ())
        known = {f.name for f in fields(cls)} - {"principles", "warnings", "caps", "breakdown"}
        return cls(
            principles=principles,
            warnings=tuple(data.get("warnings") or ()),
            caps=caps,
            breakdown=parts,
            **{k: v for k, v in data.items() if k in known},
        )
