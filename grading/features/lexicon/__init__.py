"""Cue lists per principle (YAML data files next to this module) and the lemma matcher that finds them.

A lexicon file holds groups of cues, each with a polarity (``+`` earns the principle, ``-`` loses it), a
label shown as evidence and short cue lists per language. A cue is a few words separated by spaces:

* ``word``: matches a token whose lemma or lower-cased form is ``word`` (or ``word``'s own lemma), so one
  dictionary form covers every inflection simplemma knows;
* ``=form``: matches that exact lower-cased form only (tense matters: "=вернули" is done, "вернём" is not);
* ``stem*``: matches a token whose form or lemma starts with ``stem`` (for compounds and rich inflection);
* ``*ending``: matches a token whose form ends with ``ending`` after at least two more letters (never first
  in a cue): a verb's person where the lemma would erase it, as in Bulgarian "ще *м" (ще изпратим, ще се
  обадим: we will) against "ще помогнат" (they will);
* ``a|b|c``: any of these words (each as ``word``), e.g. the clitics between "ще" and its verb;
* ``#``: a number (digits or a number word such as "two", "zwei", "два", "две");
* ``...``: up to four other words of the same sentence.

Cue words are cut where the tokenizer cuts text: "из-за" is the two words "из" "за", "e-mail*" is "e" then a
stem "mail", and a punctuation mark ("seriously?") is dropped (no token holds one).

Where a negative cue overlaps a positive one ("sorry you feel that way" contains "sorry"), the negative
wins; a positive cue in a ``negatable`` group right after a negation ("I don't understand") does not count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from grading.features.text import SUPPORTED_LANGUAGES, TextAnalysis, Token, lemma, words

LEXICON_DIR = Path(__file__).resolve().parent
_GAP = "..."
_MAX_GAP = 4
#: Characters of a cue's first stem that index it ("refund*" under "ref").
_STEM_KEY = 3
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "a",
        "an",
        "ein",
        "eine",
        "einer",
        "einem",
        "einen",
        "zwei",
        "drei",
        "vier",
        "fünf",
        "sechs",
        "sieben",
        "acht",
        "neun",
        "zehn",
        "zwölf",
        "zwanzig",
        "dreißig",
        "один",
        "одна",
        "одну",
        "одного",
        "два",
        "две",
        "три",
        "четыре",
        "пять",
        "шесть",
        "семь",
        "восемь",
        "десять",
        "двенадцать",
        "двадцать",
        "тридцать",
        "един",
        "една",
        "едно",
        "двама",
        "два",
        "две",
        "три",
        "четири",
        "пет",
        "шест",
        "седем",
        "осем",
        "десет",
        "дванадесет",
        "двадесет",
        "тридесет",
        "half",
        "halbe",
        "halben",
        "пол",
        "половин",
    ]
)


@dataclass(frozen=True)
class _Element:
    kind: str  # "word", "form", "prefix", "suffix", "number", "gap"
    forms: frozenset[str] = frozenset()

    def matches(self, tok: Token) -> bool:
        if self.kind == "word":
            return tok.lemma in self.forms or tok.lower in self.forms
        if self.kind == "form":
            return tok.lower in self.forms
        if self.kind == "prefix":
            return any(tok.lower.startswith(f) or tok.lemma.startswith(f) for f in self.forms)
        if self.kind == "suffix":
            # two letters before the ending at least, so a clitic ("им", "я") is never a verb's ending
            return any(tok.lower.endswith(f) and len(tok.lower) >= len(f) + 2 for f in self.forms)
        if self.kind == "number":
            # by lemma too: "в течение двух дней" (двух -> два), "innerhalb von zwei Tagen"
            return tok.is_number or tok.lower in _NUMBER_WORDS or tok.lemma in _NUMBER_WORDS
        return False


@dataclass(frozen=True)
class Cue:
    text: str
    language: str
    elements: tuple[_Element, ...]


@dataclass(frozen=True)
class Group:
    name: str
    polarity: str  # "+" or "-"
    label: str
    negatable: bool
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class Match:
    """One cue found in a text: a span and what it means."""

    group: str
    polarity: str
    label: str
    start: int  # character offsets into the analysed text
    end: int
    first_token: int
    last_token: int
    cue: str

    @property
    def length(self) -> int:
        return self.end - self.start


def _parse_element(raw: str, language: str) -> _Element:
    if raw == _GAP:
        return _Element("gap")
    if raw == "#":
        return _Element("number")
    if raw.startswith("=") and len(raw) > 1:
        return _Element("form", frozenset({raw[1:]}))
    if raw.endswith("*"):
        return _Element("prefix", frozenset({raw[:-1]}))
    if raw.startswith("*") and len(raw) > 1:
        return _Element("suffix", frozenset({raw[1:]}))
    alternatives = [w for w in raw.split("|") if w]
    return _Element("word", frozenset(f for w in alternatives for f in (w, lemma(w, language))))


def _split_as_tokens(raw: str) -> list[str]:
    """A cue word cut where the tokenizer cuts text, its marks kept on the right pieces: "из-за" is "из" "за",
    "=по-бързи" is "=по" "=бързи", "e-mail*" is "e" "mail*", "seriously?" is "seriously". Otherwise a cue with
    a hyphen or a punctuation mark could never match, as no token holds one."""
    if raw in (_GAP, "#") or "|" in raw:
        return [raw]
    form = raw.startswith("=") and len(raw) > 1
    body = raw[1:] if form else raw
    prefix, suffix = body.endswith("*"), body.startswith("*") and len(body) > 1
    body = body.strip("*")
    pieces = words(body)
    if pieces == [body]:
        return [raw]
    if suffix and pieces:
        raise ValueError(f"bad cue word {raw!r}: an ending cannot hold a hyphen or punctuation")
    marked = [("=" if form else "") + piece for piece in pieces]
    if prefix and marked:
        marked[-1] += "*"
    return marked  # empty for a mark alone ("?"), which the words around it already say


def _parse_cue(text: str, language: str) -> Cue:
    elements = [_parse_element(piece, language) for raw in text.lower().split() for piece in _split_as_tokens(raw)]
    if not elements or elements[0].kind == "gap" or elements[-1].kind == "gap":
        raise ValueError(f"bad cue {text!r}: it must start and end with a word")
    if elements[0].kind == "suffix":
        raise ValueError(f"bad cue {text!r}: an ending (*{next(iter(elements[0].forms))}) cannot start a cue")
    return Cue(text, language, tuple(elements))


@dataclass(frozen=True)
class Lexicon:
    """The cue groups of one principle (one YAML file)."""

    name: str
    groups: tuple[Group, ...]
    # first-word index, built once: exact first forms -> cues; cues starting with a stem under "stem:" and the
    # stem's first _STEM_KEY characters (shorter stems under "*"); cues starting with a number under "#"
    _index: dict[str, list[tuple[Group, Cue]]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for g in self.groups:
            for cue in g.cues:
                first = cue.elements[0]
                if first.kind in ("word", "form"):
                    keys = tuple(first.forms)
                elif first.kind == "prefix":
                    keys = tuple(f"stem:{stem[:_STEM_KEY]}" if len(stem) >= _STEM_KEY else "*" for stem in first.forms)
                else:
                    keys = ("#",)
                for k in keys:
                    self._index.setdefault(k, []).append((g, cue))

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(f"lexicon {self.name!r} has no group {name!r}")

    def find(self, analysis: TextAnalysis) -> tuple[Match, ...]:
        """Every cue of this lexicon in ``analysis``'s languages, overlaps resolved (negatives win)."""
        found: list[Match] = []
        tokens = analysis.tokens
        index = self._index
        anywhere = index.get("#", []) + index.get("*", [])
        for i, tok in enumerate(tokens):
            # The only cues that can start at this token: those whose first word is its lemma or form, whose
            # first stem begins either, or that start with a number or a very short stem (checked by _match_at
            # like any other). Keys in a fixed order, so matches are found in the same order in every process.
            keys = dict.fromkeys(
                (tok.lemma, tok.lower, f"stem:{tok.lemma[:_STEM_KEY]}", f"stem:{tok.lower[:_STEM_KEY]}")
            )
            candidates = [c for k in keys for c in index.get(k, ())] + anywhere
            seen: set[int] = set()
            for g, cue in candidates:
                if id(cue) in seen or cue.language not in analysis.languages:
                    continue
                seen.add(id(cue))
                last = _match_at(cue.elements, tokens, i)
                if last is None:
                    continue
                if g.negatable and g.polarity == "+" and _negated(tokens, i):
                    continue
                found.append(Match(g.name, g.polarity, g.label, tok.start, tokens[last].end, i, last, cue.text))
        return _resolve(list(dict.fromkeys(found)))


def _negated(tokens: tuple[Token, ...], i: int) -> bool:
    window = tokens[max(0, i - 2) : i]
    return any(t.is_negation and t.sentence == tokens[i].sentence for t in window)


def _match_at(elements: tuple[_Element, ...], tokens: tuple[Token, ...], i: int) -> int | None:
    """Index of the last token when ``elements`` match from token ``i``, else None."""
    if not elements[0].matches(tokens[i]):
        return None
    pos = i
    sentence = tokens[i].sentence
    k = 1
    while k < len(elements):
        el = elements[k]
        if el.kind == "gap":
            nxt = elements[k + 1]
            for j in range(pos + 1, min(len(tokens), pos + 2 + _MAX_GAP)):
                if tokens[j].sentence != sentence:
                    return None
                if nxt.matches(tokens[j]):
                    pos = j
                    break
            else:
                return None
            k += 2
            continue
        pos += 1
        if pos >= len(tokens) or tokens[pos].sentence != sentence or not el.matches(tokens[pos]):
            return None
        k += 1
    return pos


def _resolve(found: list[Match]) -> tuple[Match, ...]:
    # Negatives first, then longer spans: each kept match claims its characters.
    order = sorted(found, key=lambda m: (m.polarity != "-", -m.length, m.start, m.group))
    kept: list[Match] = []
    for m in order:
        if any(m.start < k.end and k.start < m.end for k in kept):
            continue
        kept.append(m)
    return tuple(sorted(kept, key=lambda m: (m.start, m.end)))


def _load_groups(name: str, data: dict) -> tuple[Group, ...]:
    groups = []
    for gname, spec in (data.get("groups") or {}).items():
        polarity = spec.get("polarity", "+")
        if polarity not in ("+", "-"):
            raise ValueError(f"lexicon {name} ==> {gname} ==> polarity must be '+' or '-'")
        cues = []
        for lang, items in (spec.get("cues") or {}).items():
            if lang not in SUPPORTED_LANGUAGES:
                raise ValueError(f"lexicon {name} ==> {gname} ==> unknown language {lang!r}")
            cues.extend(_parse_cue(str(c), lang) for c in items or ())
        groups.append(
            Group(gname, polarity, str(spec.get("label", gname)), bool(spec.get("negatable", True)), tuple(cues))
        )
    return tuple(groups)


@cache
def load_lexicon(name: str) -> Lexicon:
    """The lexicon in ``grading/features/lexicon/<name>.yaml`` (parsed once per process)."""
    path = LEXICON_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Lexicon(name, _load_groups(name, data))


@cache
def load_data(name: str) -> dict:
    """A plain YAML data file under ``grading/features/lexicon/`` (prototypes, stock replies)."""
    return yaml.safe_load((LEXICON_DIR / f"{name}.yaml").read_text(encoding="utf-8")) or {}


@cache
def lexicon_fingerprint() -> str:
    """Short hash of every data file here: part of GRADER_VERSION, so a cue change is a new grader version."""
    h = hashlib.sha256()
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:8]
