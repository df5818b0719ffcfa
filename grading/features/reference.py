"""Reference texts the semantic signals are measured against: per-principle prototypes (+/-) and stock vs
specific replies, in every supported language (YAML data in ``lexicon/``). Embedded once and shipped as a
vector pack (``vectors.py``), so grading embeds only the reply.
"""

from __future__ import annotations

from grading.features.lexicon import load_data
from grading.features.text import SUPPORTED_LANGUAGES


def prototypes(language: str) -> dict[str, tuple[list[str], list[str]]]:
    """principle -> (positive, negative) prototype sentences in ``language``."""
    data = load_data("prototypes")
    return {
        p: (list(s.get("+", {}).get(language, [])), list(s.get("-", {}).get(language, []))) for p, s in data.items()
    }


def stock_replies(language: str) -> tuple[list[str], list[str]]:
    """(stock replies, specific replies) in ``language``."""
    data = load_data("stock_replies")
    return list(data.get(language, [])), list(data.get("specific", {}).get(language, []))


def reference_texts(language: str) -> list[str]:
    """Every prototype and stock text of a language: embedded at warm-up so grading only embeds the reply."""
    texts: list[str] = []
    for pos, neg in prototypes(language).values():
        texts += pos + neg
    stock, specific = stock_replies(language)
    return texts + stock + specific


def reference_texts_all() -> list[str]:
    """Every prototype and stock text of every language, deduplicated, in a fixed order."""
    return list(dict.fromkeys(t for lang in SUPPORTED_LANGUAGES for t in reference_texts(lang)))
