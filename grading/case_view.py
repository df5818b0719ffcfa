"""The case as the plain values grading needs: a ``Case`` (one language) or an inline ``Complaint``.

Everything in the grader reads a ``CaseView``; nothing in it knows the case file format beyond ``of``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from replycoach.cases.models import HANDLING_LABELS, Case, Complaint, Handling

#: Target response time for a Complaint (no case file): seed 001 reports 42% expect an answer within an hour.
DEFAULT_TARGET_MINUTES = 60.0
#: Negativity kinds where the company is at fault, so an apology and owning the mistake are expected
#: (docs/coach-rubric.md: a price remark, a troll, a planted comment, praise in disguise or extortion are not).
AT_FAULT = frozenset({"constructive"})


@dataclass(frozen=True)
class Fact:
    id: str
    description: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class CaseView:
    """A Case or a Complaint as the plain values grading needs (a Complaint has no exemplars or facts)."""

    case_id: str | None
    case_hash: str | None
    language: str | None
    complaint: str
    customer_name: str | None
    negativity: str | None  # None for a Complaint: unknown, graded as a plain complaint
    expected_handling: str | None
    accepted_handlings: frozenset[str]
    target_minutes: float
    facts: tuple[Fact, ...] = ()
    good: tuple[tuple[str, int], ...] = ()
    bad: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    weights: dict[str, float] = field(default_factory=dict)
    #: A second turn: the customer's message the reply answers (the first complaint is then ``opening``).
    follow_up: str | None = None
    opening: str | None = None
    #: The conversation has already moved to private messages (the customer says so in the follow-up).
    already_private: bool = False

    def following_up(self, message: str) -> CaseView:
        """The case as a second turn answering ``message``: the reply is measured against that message; the
        key facts and exemplars, written for the first reply, are left out; and when the customer says the
        conversation is already in private messages, moving it there is no longer asked for."""
        from grading.features.lexicon import load_lexicon
        from grading.features.text import analyse, reply_language

        said = analyse(message, reply_language(message, self.language))
        moved = any(m.polarity == "+" for m in load_lexicon("private").find(said))
        return replace(
            self,
            complaint=message,
            opening=self.complaint,
            follow_up=message,
            facts=(),
            good=(),
            bad=(),
            already_private=moved,
        )

    @classmethod
    def of(cls, source: Case | Complaint) -> CaseView:
        if isinstance(source, Case):
            return cls(
                case_id=source.id,
                case_hash=source.content_hash,
                language=source.language,
                complaint=source.complaint,
                customer_name=source.customer_name,
                negativity=source.negativity.value,
                expected_handling=source.expected_handling.value,
                accepted_handlings=frozenset(h.value for h in source.handlings_accepted),
                target_minutes=float(source.target_response_minutes),
                facts=tuple(Fact(f.id, f.description, tuple(f.cues)) for f in source.key_facts),
                good=tuple((e.text, e.score) for e in source.exemplars.good),
                bad=tuple((e.text, e.score, tuple(e.problems)) for e in source.exemplars.bad),
                weights=dict(source.principle_weights),
            )
        if isinstance(source, Complaint):
            return cls(
                case_id=None,
                case_hash=None,
                language=source.language,
                complaint=source.text,
                customer_name=source.customer_name,
                negativity=None,
                expected_handling=None,
                accepted_handlings=frozenset(),
                target_minutes=DEFAULT_TARGET_MINUTES,
            )
        raise TypeError(f"expected a Case or a Complaint, got {type(source).__name__}")

    @property
    def company_at_fault(self) -> bool:
        return self.negativity is None or self.negativity in AT_FAULT

    def handling_label(self, handling: str | None) -> str:
        return HANDLING_LABELS[Handling(handling)].lower() if handling else "reply"
