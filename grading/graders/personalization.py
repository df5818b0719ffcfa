"""Personalization: addresses the customer by first name (not applicable when the case gives none).

The name counts in any script and any case ending: both the case's name and each capitalised word of the
reply are reduced to a coarse Latin key (transliterated, "ja"/"ya"/"ья" all "ia", "c" as "k"), and a word
matches when its key is the name's key or the name's stem plus a short ending. So "Дарья", "Дарье", "Daria"
and "Darja" all address Daria; "Викторе" (Bulgarian vocative) and "Viktors" address Viktor.
"""

from __future__ import annotations

import re

from grading.features.context import GradingContext
from grading.graders._common import result
from grading.result import Evidence, PrincipleGrade

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "e", "ы": "i", "э": "e",
    "ю": "iu", "я": "ia", "ь": "", "ї": "i", "і": "i", "є": "e",
}  # fmt: skip
# Spelling variants of the same sound in Latin-script names (Victor/Viktor, Darya/Daria/Darja, Alexey/Aleksei).
_LATIN_FOLDS = (
    ("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"), ("ph", "f"), ("th", "t"), ("kh", "h"), ("x", "ks"), ("ck", "k"),
    ("c", "k"), ("w", "v"), ("y", "i"), ("j", "i"), ("ii", "i"),
)  # fmt: skip
# Cyrillic soft sign before a vowel is the Latin "i" of the name (Дарья = Daria), elsewhere silent.
_SOFT_BEFORE_VOWEL = re.compile(r"ь(?=[аеиоуяюё])")
#: The most a case ending adds to the name's stem (its last letter dropped): "Дарьей" from "Дарья".
MAX_ENDING = 3


def name_key(word: str) -> str:
    """A coarse, script-independent spelling of a name: equal keys are the same name."""
    low = _SOFT_BEFORE_VOWEL.sub("й", word.strip().lower())
    out = "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in low)
    for a, b in _LATIN_FOLDS:
        out = out.replace(a, b)
    return out


def addresses_name(word: str, name: str) -> bool:
    """True when ``word`` is ``name`` in any script, inflected or in the vocative ("Викторе" for Viktor)."""
    if not word[:1].isupper():  # names are capitalised in all four languages; "nine" is not "Nina"
        return False
    key, target = name_key(word), name_key(name)
    if not target:
        return False
    if key == target or key == target + "s":  # "Olgas" (German genitive)
        return True
    if len(target) < 4:
        return False
    stem = target[:-1]
    return key.startswith(stem) and len(key) - len(stem) <= MAX_ENDING


class PersonalizationGrader:
    name = "rules.personalization"
    principle = "personalization"

    def grade(self, ctx: GradingContext) -> PrincipleGrade:
        name = ctx.case.customer_name
        if not name or not name.strip():
            return result(ctx, self.principle, self.name, None)
        first = name.split()[0]
        hits = [t for t in ctx.text.tokens if addresses_name(t.text, first)]
        spans = [Evidence(t.start, t.end, "+", "addresses the customer by name") for t in hits[:1]]
        tip = f'Address the customer by name: start with "{first}, ...".'
        return result(ctx, self.principle, self.name, 1.0 if hits else 0.0, spans, tip)
