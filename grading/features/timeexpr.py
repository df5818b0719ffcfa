"""Time expressions in a reply ("tomorrow by noon", "morgen bis 12 Uhr", "до конца недели").

Two sources, merged: lemma patterns from ``lexicon/timeframe.yaml`` (fast, and they know the phrases
dateparser misses, such as "до конца недели" or "до края на седмицата"), and dateparser's ``search_dates``
restricted to the reply's language, kept only for matches with a digit ("on 12 March", "by 5:30") because
its bare-word matches are unreliable ("We" parsed as a date). So dateparser only ever reads the sentences
that hold a digit, one at a time: most replies have none, and a sentence is a fraction of a reply (on the
dev and external sets the spans are the same as from the whole reply, at a third of the time). Its results
are cached per (sentence, language); the first call per language is slow, so ``warm_up`` calls it once per
language.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from grading.features.lexicon import load_lexicon
from grading.features.text import SUPPORTED_LANGUAGES, TextAnalysis

_DIGIT = re.compile(r"\d")
# dateparser settings: no relative-base surprises matter (we only use spans), no language guessing.
_DP_SETTINGS = {"PREFER_DATES_FROM": "future", "STRICT_PARSING": False, "RETURN_AS_TIMEZONE_AWARE": False}


@dataclass(frozen=True)
class TimeSpan:
    start: int
    end: int
    source: str  # "lexicon" or "dateparser"


@lru_cache(maxsize=4096)
def _dateparser_spans(text: str, language: str) -> tuple[tuple[int, int], ...]:
    from dateparser.search import search_dates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = search_dates(text, languages=[language], settings=_DP_SETTINGS) or []
        except Exception:  # dateparser raises on odd input (e.g. huge numbers); the lexicon still works
            return ()
    spans: list[tuple[int, int]] = []
    cursor = 0
    for fragment, _when in found:
        if not _DIGIT.search(fragment) or fragment.strip().isdigit():
            continue  # no digit: unreliable; only digits: a phone or order number ("0142"), not a time
        at = text.find(fragment, cursor)
        if at < 0:
            at = text.find(fragment)
        if at >= 0:
            spans.append((at, at + len(fragment)))
            cursor = at + len(fragment)
    return tuple(spans)


def find_time_expressions(analysis: TextAnalysis, use_dateparser: bool = True) -> tuple[TimeSpan, ...]:
    """Spans of time frames in the analysed text, sorted, without overlaps (longer spans win)."""
    # Negative cues ("Guten Morgen") only claim their words, so the time cues inside them are not found.
    found = load_lexicon("timeframe").find(analysis)
    spans = [TimeSpan(m.start, m.end, "lexicon") for m in found if m.polarity == "+"]
    if use_dateparser and len(analysis.text) <= 5000:
        for sentence in analysis.sentences:
            if _DIGIT.search(sentence.text):
                found = _dateparser_spans(sentence.text, analysis.language)
                spans += [TimeSpan(sentence.start + s, sentence.start + e, "dateparser") for s, e in found]
    kept: list[TimeSpan] = []
    for sp in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(sp.start < k.end and k.start < sp.end for k in kept):
            kept.append(sp)
    return tuple(sorted(kept, key=lambda s: s.start))


def warm_up() -> None:
    """Load dateparser's language data once per language (the first search costs ~100 ms)."""
    for lang in SUPPORTED_LANGUAGES:
        _dateparser_spans("1", lang)
