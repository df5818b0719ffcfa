"""A suggested rewrite of the trainee's OWN reply with the fewest edits, the model answer, and a word diff.

Offline, the rewrite is assembled from the case and the trainee's own sentences, one edit per principle of
"try this next": a sentence that lost the principle (blaming, a stock phrase, a non-apology) is dropped; a
missing apology, time frame, remedy, thanks, ... is added as the sentence that carries it in the good exemplar
closest to the reply (in the reply's language), at the place it has there; a missing name is put in front.
With the LLM on, its rewrite (``candidate``) is tried first. Either is shown only if the grader gives it a
higher score than the reply got; fewer edits are preferred when they score higher too.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from replycoach.cases.draft import guess_language
from replycoach.cases.lint import similarity
from replycoach.coaching.next_steps import next_steps

if TYPE_CHECKING:
    from grading import Grade
    from replycoach.cases.models import Case

# The grader's sentence rule (grading/text.py): a sentence ends at . ! ? … followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”)]*\s+|\n+")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
#: Principles a sentence from a good exemplar can add to a reply.
ADDABLE = ("empathy", "apology", "concrete_promise", "remedy", "gratitude", "private_channel", "ownership", "no_script")
#: Openings a name goes after ("Hi Maria, ..."), per language, lower case.
_GREETINGS = re.compile(
    r"^(hi|hello|hey|dear|hallo|liebe|lieber|guten tag|здравствуйте|привет|добрый день|здравейте|добър ден)\b",
    re.IGNORECASE,
)
#: A fault's evidence that a dropped sentence removes.
_FAULT = "-"
#: An exemplar's sentence is taken for a principle the exemplar scores at least this on.
GOOD_ENOUGH = 0.7
#: Unchanged runs shorter than this many words between two changes are shown as part of the change.
MIN_KEPT_WORDS = 3


@dataclass(frozen=True)
class Rewrite:
    text: str
    score: float  # the grader's overall for the rewrite
    original_score: float  # what the reply got
    changes: tuple[str, ...]  # what was changed, in whole sentences
    source: str  # "offline" or "llm"

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "score": self.score,
            "original_score": self.original_score,
            "changes": list(self.changes),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Rewrite:
        return cls(data["text"], float(data["score"]), float(data["original_score"]), tuple(data["changes"]),
                   data["source"])  # fmt: skip


@dataclass(frozen=True)
class ModelAnswer:
    text: str
    score: int  # the coach's score for it
    note: str | None
    language: str  # the trainee's language, or the case's own when the translation has no exemplars


@dataclass(frozen=True)
class _Edit:
    change: str  # what it does, for the trainee
    drop: frozenset[int] = frozenset()  # indexes of the reply's sentences to drop
    insert: tuple[float, str] | None = None  # (relative position 0-1, sentence) to add
    name: str | None = None  # the customer's name to put in front


def split_sentences(text: str) -> list[str]:
    """The text cut into sentences, each with its trailing white space: ``"".join(...) == text``."""
    pieces, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        pieces.append(text[start : end.end()])
        start = end.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(``"equal"`` | ``"delete"`` | ``"insert"``, text) pieces turning ``old`` into ``new`` word by word.

    A run of fewer than ``MIN_KEPT_WORDS`` unchanged words between two changes is folded into them, so a sentence
    that was replaced reads as struck out and written anew, not as a patchwork of "for" and "you"."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    blocks: list[list] = []  # [op, old tokens, new tokens], equal or changed
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        kind = "equal" if op == "equal" else "change"
        if blocks and blocks[-1][0] == kind == "change":
            blocks[-1][1] += a[i1:i2]
            blocks[-1][2] += b[j1:j2]
        else:
            blocks.append([kind, a[i1:i2], b[j1:j2]])
    merged: list[list] = []
    for i, block in enumerate(blocks):
        words = sum(1 for token in block[1] if token.strip())
        between_changes = 0 < i < len(blocks) - 1
        if block[0] == "equal" and between_changes and words < MIN_KEPT_WORDS:
            block = ["change", block[1], block[2]]
        if merged and merged[-1][0] == block[0] == "change":
            merged[-1][1] += block[1]
            merged[-1][2] += block[2]
        else:
            merged.append(block)
    out: list[tuple[str, str]] = []
    for kind, removed, added in merged:
        if kind == "equal":
            out.append(("equal", "".join(removed)))
            continue
        if removed:
            out.append(("delete", "".join(removed)))
        if added:
            out.append(("insert", "".join(added)))
    return out


def model_answer(case: Case, language: str) -> ModelAnswer | None:
    """The best good exemplar (highest coach score, the expected handling's) in ``language``, or in the case's
    own language when the translation has none. ``case`` is the full case (with its translations)."""
    own = language == case.language
    translated = None if own else case.translations.get(language)  # type: ignore[call-overload]
    in_language = own or (translated is not None and translated.exemplars is not None)
    shown_language = language if in_language else case.language
    exemplars = case.localized(language).exemplars.good if language in case.languages else case.exemplars.good
    fitting = [e for e in exemplars if (e.handling or case.expected_handling) == case.expected_handling] or exemplars
    if not fitting:
        return None
    best = max(fitting, key=lambda e: e.score)
    return ModelAnswer(best.text, best.score, best.note, shown_language)


def suggest_rewrite(
    case: Case,
    reply: str,
    grade: Grade,
    engine,
    *,
    handling: str,
    response_seconds: float | None = None,
    earlier_replies: Sequence[str] = (),
    follow_up: str | None = None,
    pass_mark: float = 70.0,
    baseline: float | None = None,
    candidate: str | None = None,
) -> Rewrite | None:
    """The rewrite of ``reply`` (graded ``grade`` for ``case``, single-language) that the grader scores higher
    than ``baseline`` (default ``grade.score``), or None. ``engine`` grades the candidates with the reply's
    handling, response time, earlier replies and follow-up, so only the words differ. ``candidate``: a rewrite
    written elsewhere (the LLM's), tried first."""
    if handling == "no_reply" or not reply.strip():
        return None
    original = grade.score if baseline is None else baseline

    def score_of(text: str) -> float:
        return engine.grade(
            case,
            text,
            response_seconds=response_seconds,
            handling=handling,
            earlier_replies=earlier_replies,
            pass_mark=pass_mark,
            follow_up=follow_up,
        ).score

    if candidate and candidate.strip() and candidate.strip() != reply.strip():
        score = score_of(candidate.strip())
        if score > original:
            return Rewrite(candidate.strip(), score, original, (), "llm")
    edits = _edits(case, reply, grade, engine)
    if not edits:
        return None
    tried = [edits] if len(edits) == 1 else [edits[:1], edits]  # fewest edits first
    best: Rewrite | None = None
    for chosen in tried:
        text = _apply(reply, chosen, case.language)
        if text.strip() == reply.strip():
            continue
        score = score_of(text)
        if score > original and (best is None or score > best.score):
            best = Rewrite(text, score, original, tuple(e.change for e in chosen), "offline")
            if chosen is tried[0] and len(tried) > 1 and score >= pass_mark:
                break  # one edit already passes: the fewest edits win
    return best


def _edits(case: Case, reply: str, grade: Grade, engine) -> list[_Edit]:
    """One edit per step of "try this next": drop the sentences that lost the principle (and put the sentence
    that earns it in their place), or add that sentence, or the customer's name."""
    sentences = split_sentences(reply)
    spans = _spans(sentences)
    edits: list[_Edit] = []
    for step in next_steps(case, grade):
        pid = step.principle
        pg = grade.principles.get(pid)
        faults = [e for e in (pg.evidence if pg else ()) if e.polarity == _FAULT]
        drop = frozenset(i for i, span in enumerate(spans) if any(_overlaps(span, e) for e in faults))
        found = _exemplar_sentence(case, reply, engine, pid) if pid in ADDABLE else None
        if drop and found is not None:
            _, sentence = found
            at = min(drop) / max(1, len(sentences) - 1)
            edits.append(_Edit(f"Replaced what lost {_title(pid)} with a sentence from a good example reply.",
                               drop=drop, insert=(at, sentence)))  # fmt: skip
        elif drop:
            what = "the sentence" if len(drop) == 1 else f"the {len(drop)} sentences"
            edits.append(_Edit(f"Took out {what} that lost {_title(pid)}.", drop=drop))
        elif pid == "personalization" and case.customer_name:
            edits.append(_Edit(f"Addressed the customer by name ({case.customer_name}).", name=case.customer_name))
        elif found is not None:
            edits.append(_Edit(f"Added a sentence for {_title(pid)} from a good example reply.", insert=found))
    return edits


def _apply(reply: str, edits: Sequence[_Edit], language: str) -> str:
    sentences = split_sentences(reply)
    drop = frozenset().union(*(e.drop for e in edits))
    kept = [(i / max(1, len(sentences) - 1), s) for i, s in enumerate(sentences) if i not in drop]
    for edit in edits:
        if edit.insert is not None:
            position, sentence = edit.insert
            if any(sentence.strip() == s.strip() for _, s in kept):
                continue
            at = next((k for k, (p, _) in enumerate(kept) if p > position), len(kept))
            if at == len(kept) and kept and not kept[-1][1][-1:].isspace():
                kept[-1] = (kept[-1][0], kept[-1][1] + " ")
            kept.insert(at, (position, sentence.strip() + (" " if at < len(kept) else "")))
    text = "".join(s for _, s in kept).strip()
    if not text:  # every sentence dropped and nothing put in: no rewrite of this reply
        return reply
    for edit in edits:
        if edit.name is not None and edit.name.casefold() not in text[:60].casefold():
            text = _addressed(text, edit.name, language)
    return text


def _addressed(text: str, name: str, language: str) -> str:
    greeting = _GREETINGS.match(text)
    if greeting:
        rest = text[greeting.end() :].lstrip(" ,!")
        return f"{greeting.group(0)} {name}, {rest}"
    first, rest = text[:1], text[1:]
    if language == "de" or rest[:1] in (" ", "'", "’"):  # German nouns keep their capital; so does English "I"
        return f"{name},\n{text}"
    return f"{name}, {first.lower()}{rest}"


def _spans(sentences: list[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for s in sentences:
        spans.append((start, start + len(s)))
        start += len(s)
    return spans


def _overlaps(span: tuple[int, int], evidence) -> bool:
    return evidence.start < span[1] and span[0] < evidence.end


def _title(pid: str) -> str:
    from grading import PRINCIPLE_INFO

    info = PRINCIPLE_INFO.get(pid)
    return f"“{info.title}”" if info else pid


# --- the exemplars' sentences that carry each principle ---------------------------------------------------------


@dataclass(frozen=True)
class _Carrier:
    principle: str
    position: float  # where the sentence sits in its exemplar, 0 (first) to 1 (last)
    sentence: str
    exemplar: str


_carriers: dict[tuple[str, str, str], list[_Carrier]] = {}
_carriers_lock = threading.Lock()
_CARRIER_CACHE = 256


def _exemplar_sentence(case: Case, reply: str, engine, principle: str) -> tuple[float, str] | None:
    """(relative position, sentence) that earns ``principle`` in the good exemplar most like ``reply``."""
    options = [c for c in _carrier_sentences(case, engine) if c.principle == principle]
    if not options:
        return None
    best = max(options, key=lambda c: (similarity(reply, c.exemplar), -len(c.sentence)))
    return best.position, best.sentence


def _carrier_sentences(case: Case, engine) -> list[_Carrier]:
    """Every sentence of a good exemplar (in the case's language: a translation may lack its own) that earns
    a principle the exemplar scores well on. Graded once per case version and engine; the exemplars' vectors
    are cached, so this is cheap."""
    key = (case.content_hash, case.language, getattr(engine, "embedder_name", ""))
    with _carriers_lock:
        if key in _carriers:
            return _carriers[key]
    found: list[_Carrier] = []
    for exemplar in case.exemplars.good:
        if guess_language(exemplar.text) != case.language:
            continue
        graded = engine.grade(case, exemplar.text, handling=(exemplar.handling or case.expected_handling).value)
        sentences = split_sentences(exemplar.text)
        for pid, pg in graded.principles.items():
            if pid not in ADDABLE or pg.score is None or pg.score < GOOD_ENOUGH:
                continue
            for i, span in enumerate(_spans(sentences)):
                if any(e.polarity == "+" and _overlaps(span, e) for e in pg.evidence):
                    found.append(_Carrier(pid, i / max(1, len(sentences) - 1), sentences[i].strip(), exemplar.text))
    with _carriers_lock:
        if len(_carriers) >= _CARRIER_CACHE:
            _carriers.clear()
        _carriers[key] = found
    return found
