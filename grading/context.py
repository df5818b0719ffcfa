"""Everything a grader may look at, computed once per grade: the case as plain values, the analysed reply,
its lexicon matches, time expressions and the semantic signals. Graders read it; none of them writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from grading.lexicon import Cue, Group, Lexicon, Match, _Element, load_lexicon
from grading.semantic import Semantics
from grading.text import TextAnalysis, lemma
from grading.timeexpr import TimeSpan, find_time_expressions
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


@dataclass
class GradingContext:
    """One reply to one case, analysed. Lexicon matches are computed on first use and then reused."""

    case: CaseView
    reply: str  # the reply as graded (after the length cap); evidence offsets point into it
    text: TextAnalysis
    response_seconds: float | None
    handling: str | None  # the trainee's chosen handling, None when not given
    earlier_replies: tuple[str, ...]
    semantics: Semantics
    _matches: dict[str, tuple[Match, ...]] = field(default_factory=dict)
    _times: tuple[TimeSpan, ...] | None = None

    def find(self, lexicon: str) -> tuple[Match, ...]:
        """Matches of ``grading/lexicon/<lexicon>.yaml`` in the reply."""
        if lexicon not in self._matches:
            self._matches[lexicon] = load_lexicon(lexicon).find(self.text)
        return self._matches[lexicon]

    def times(self) -> tuple[TimeSpan, ...]:
        if self._times is None:
            self._times = find_time_expressions(self.text)
        return self._times

    def fact_matches(self) -> dict[str, tuple[Match, ...]]:
        """Key fact id -> matches of its cues in the reply."""
        if "\0facts" not in self._matches:
            lex = fact_lexicon(self.case.facts, self.case.language or self.text.language)
            self._matches["\0facts"] = lex.find(self.text)
        found = self._matches["\0facts"]
        return {f.id: tuple(m for m in found if m.group == f.id) for f in self.case.facts}

    @property
    def effective_handling(self) -> str | None:
        return self.handling or self.case.expected_handling

    def blend(self, principle: str, rule_score: float) -> float:
        """Rule score mixed with the semantic signals for ``principle`` (documented in docs/grading.md)."""
        parts = [(rule_score, RULE_SHARE)]
        for signal, share in (
            (self.semantics.exemplar.get(principle), EXEMPLAR_SHARE),
            (self.semantics.prototype.get(principle), PROTOTYPE_SHARE),
        ):
            if signal is not None:
                parts.append((signal, share))
        total = sum(w for _, w in parts)
        return min(1.0, max(0.0, sum(s * w for s, w in parts) / total))


RULE_SHARE = 0.7
EXEMPLAR_SHARE = 0.2
PROTOTYPE_SHARE = 0.1


@lru_cache(maxsize=512)
def fact_lexicon(facts: tuple[Fact, ...], language: str) -> Lexicon:
    """A lexicon built from the key facts' cues: one group per fact, "any inflection" via lemma or stem."""
    groups = []
    for fact in facts:
        cues = []
        for cue in fact.cues:
            elements = []
            for word in cue.lower().split():
                stem = word[: max(4, len(word) - 2)] if len(word) >= 6 else None
                forms = frozenset({word, lemma(word, language)})
                elements.append(_Element("prefix", frozenset({stem})) if stem else _Element("word", forms))
            if elements:
                for lang in ("en", "de", "ru", "bg"):
                    cues.append(Cue(cue, lang, tuple(elements)))
        groups.append(Group(fact.id, "+", f"key fact: {fact.id}", False, tuple(cues)))
    return Lexicon("facts", tuple(groups))
