"""Text analysis done once per reply: sentences, tokens with character offsets, lemmas, language.

Rule detectors work on lemmas (via simplemma), so cue lists stay short: "apologise" in the lexicon matches
"apologised", "извините" matches "извиняемся" through their lemmas. Offsets always point into the text as
given, so evidence spans can highlight the trainee's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from grading.features.lemmas import langdetect, lemmatize

SUPPORTED_LANGUAGES = ("en", "de", "ru", "bg")

_TOKEN = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
# A sentence ends at . ! ? … (and runs of them) followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»”)]*\s+|\n+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NEGATIONS = frozenset({"not", "no", "never", "nicht", "kein", "keine", "nie", "не", "ни", "нет", "никогда", "никога"})


def words(text: str) -> list[str]:
    """The words of ``text`` as the tokenizer cuts them ("из-за" is two words, "we'll" one)."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str  # as written
    lower: str
    lemma: str  # lower-cased lemma in the token's language
    sentence: int  # index into TextAnalysis.sentences

    @property
    def is_negation(self) -> bool:
        # The lemma must agree: Bulgarian "ни" ("us", lemma "ние") is not the Russian negation "ни".
        return (self.lower in _NEGATIONS and self.lemma in _NEGATIONS) or self.lower.endswith(("n't", "n’t"))

    @property
    def is_number(self) -> bool:
        return self.lower.isdigit()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TextAnalysis:
    text: str
    language: str  # the main language (the case's, or detected)
    sentences: tuple[Sentence, ...]
    tokens: tuple[Token, ...]
    languages: tuple[str, ...]  # every supported language with a real share of the text, main first

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()

    @property
    def word_count(self) -> int:
        return len(self.tokens)


def detect_language(text: str, default: str = "en") -> str:
    """The most likely of en/de/ru/bg for ``text`` (``default`` when nothing is recognisable)."""
    if not _TOKEN.search(text):
        return default
    scores = langdetect(text, SUPPORTED_LANGUAGES)
    best, share = scores[0]
    if best not in SUPPORTED_LANGUAGES or share == 0:
        # Unknown words only: fall back on the script, which still separates the two pairs.
        return ("ru" if default not in ("ru", "bg") else default) if _CYRILLIC.search(text) else default
    return best


def reply_language(text: str, expected: str | None) -> str | None:
    """The language to analyse a reply in: the case's, unless the reply is clearly written in another.

    A trainee may answer an English-only case in German; lemmatising German as English would miss every cue.
    "Clearly" means the other language covers most of the words and more than the expected one does.
    """
    if expected not in SUPPORTED_LANGUAGES or sum(len(w) >= 3 for w in _TOKEN.findall(text)) < 4:
        return expected  # too few words to tell (and markup such as "<b>" is not a word)
    shares = dict(langdetect(text[:1000], SUPPORTED_LANGUAGES))
    best = max(SUPPORTED_LANGUAGES, key=lambda lang: shares.get(lang, 0.0))
    if best != expected and shares.get(best, 0.0) >= 0.5 and shares[best] > shares.get(expected, 0.0) + 0.2:
        return best
    return expected


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """Lower-cased lemma of ``word`` in ``language`` (cached: replies repeat words a lot)."""
    return lemmatize(word, language).lower()


def split_sentences(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        _append_sentence(out, text, pos, m.start())
        pos = m.end()
    _append_sentence(out, text, pos, len(text))
    return tuple(out)


def _append_sentence(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        s = start + lead
        out.append(Sentence(s, s + len(stripped), stripped))


def analyse(text: str, language: str | None = None) -> TextAnalysis:
    """Analyse ``text``; ``language`` is the case's language when known (else detected).

    Each token is lemmatised in its own script's language: Cyrillic words in ru/bg, Latin words in en/de,
    so a German reply with an English phrase, or a Russian reply quoting a brand name, still lemmatises well.
    """
    main = language if language in SUPPORTED_LANGUAGES else detect_language(text)
    languages = [main]
    cyr_lang = main if main in ("ru", "bg") else None
    lat_lang = main if main in ("en", "de") else None
    has_cyr = bool(_CYRILLIC.search(text))
    has_lat = bool(re.search(r"[A-Za-zÄÖÜäöüß]", text))
    if has_cyr and cyr_lang is None:
        cyr_lang = detect_language(" ".join(_CYRILLIC_WORDS.findall(text)), default="ru")
    if has_lat and lat_lang is None:
        lat_lang = detect_language(" ".join(_LATIN_WORDS.findall(text)), default="en")
    for extra in (cyr_lang, lat_lang):
        if extra and extra not in languages:
            languages.append(extra)

    sentences = split_sentences(text)
    tokens: list[Token] = []
    sent_idx = 0
    for m in _TOKEN.finditer(text):
        while sent_idx < len(sentences) - 1 and m.start() >= sentences[sent_idx].end:
            sent_idx += 1
        word = m.group()
        low = word.lower()
        lang = cyr_lang if _CYRILLIC.search(word) else (lat_lang or main)
        tokens.append(Token(m.start(), m.end(), word, low, lemma(low, lang or main), sent_idx))
    # Only languages actually used in the text count as secondary ones.
    used = [main] + [
        lang
        for lang in languages[1:]
        if (lang in ("ru", "bg") and has_cyr and main not in ("ru", "bg"))
        or (lang in ("en", "de") and has_lat and main not in ("en", "de"))
    ]
    return TextAnalysis(text=text, language=main, sentences=sentences, tokens=tuple(tokens), languages=tuple(used))


_CYRILLIC_WORDS = re.compile(r"[\u0400-\u04ff]+")
_LATIN_WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]+")


#: Characters that take no space on screen: a reply made only of them is empty to its reader.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_SUPPORTED_LETTER = re.compile(r"[A-Za-zÀ-ÿ\u0400-\u04ff]")
#: From this many words on, a text none of whose words the dictionaries know is not a language we grade.
_MIN_WORDS_TO_JUDGE = 3
#: Share of words a supported language must recognise for the text to read as that language.
_MIN_KNOWN_SHARE = 0.25


def unreadable_reason(text: str) -> str | None:
    """Why ``text`` carries no language ReplyCoach can grade, or None when it reads as en/de/ru/bg.

    Invisible characters only, emoji or symbols only, another script (Chinese, Arabic...), or words no
    supported language knows (keyboard mash): such a reply must never pass as work (issue: a reply of
    zero-width spaces graded 55)."""
    visible = _INVISIBLE.sub("", text)
    if not visible.strip():
        return "The reply is empty (it holds only invisible characters)."
    letters = _LETTER.findall(visible)
    if not letters:
        return "The reply has no words, only emoji, numbers or symbols. Write your answer in words."
    if sum(1 for ch in letters if _SUPPORTED_LETTER.match(ch)) < 0.5 * len(letters):
        return (
            "The reply is written in a language ReplyCoach does not grade. "
            "Answer in English, German, Russian or Bulgarian."
        )
    words = [w for w in _TOKEN.findall(visible) if _LETTER.search(w)]
    if len(words) >= _MIN_WORDS_TO_JUDGE:
        shares = dict(langdetect(" ".join(words)[:1000], SUPPORTED_LANGUAGES))
        if max(shares.get(lang, 0.0) for lang in SUPPORTED_LANGUAGES) < _MIN_KNOWN_SHARE:
            return (
                "The reply does not read as English, German, Russian or Bulgarian: hardly any of its words "
                "are known words. Write your answer in one of these languages."
            )
    return None
