"""Everything a grader may look at, computed once per grade: the case as plain values, the analysed reply,
its lexicon matches, time expressions and the semantic signals. Graders read it; none of them writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from grading.case_view import CaseView, Fact
from grading.features.lexicon import Cue, Group, Lexicon, Match, _Element, load_lexicon
from grading.features.semantic import Semantics
from grading.features.text import TextAnalysis, lemma
from grading.features.timeexpr import TimeSpan, find_time_expressions


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
        """Matches of ``grading/features/lexicon/<lexicon>.yaml`` in the reply."""
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
