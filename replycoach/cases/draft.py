"""A case draft from a real complaint: the coach pastes a comment, gets a valid case file to finish.

The draft is a starting point, not a finished case: the id comes from the text, negativity and handling are
guessed from simple cues (the kinds of negativity in seed 003: exclamation-mark trolls, threats, links,
"everything is sold out" praise), and everything a coach must still write is marked ``TODO``. The draft
validates as it stands, so it opens in the studio's form at once; the lint warnings then list what is missing.
It has ``status: draft``: trainees never see it until a coach publishes it, which lint blocks while a TODO,
a key fact without cues or too few exemplars remain.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import yaml

from replycoach.cases.models import LANGUAGES, SCHEMA_VERSION, CaseStatus, Handling, Negativity, Platform

TODO = "TODO"

_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f h ts ch sh sht a y - e yu ya ae oe ue ss"
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяäöüß", _LATIN.split(" "), strict=True))
_TRANSLIT["ь"] = ""

# Cue words per language, lower case. Substrings match, so stems cover inflections.
_CUES: dict[Negativity, tuple[str, ...]] = {
    Negativity.extortion: (
        "lawyer",
        "court",
        "sue ",
        "otherwise i will",
        "or else",
        "unless you",
        "compensation or",
        "anwalt",
        "gericht",
        "sonst werde",
        "andernfalls",
        "суд",
        "адвокат",
        "юрист",
        "иначе я",
        "роспотребнадзор",
        "съд",
        "адвокат",
        "иначе ще",
    ),
    Negativity.praise_in_disguise: (
        "sold out",
        "always out of stock",
        "ausverkauft",
        "распродан",
        "разпродаден",
        "всичко свърши",
    ),
    Negativity.troll: ("only fools", "only idiots", "nur idioten", "только дураки", "только идиоты", "само глупаци"),
    Negativity.impulsive: (
        "stupid",
        "idiots",
        "you all",
        "selfish",
        "dumm",
        "idioten",
        "ihr alle",
        "egoist",
        "тупые",
        "идиоты",
        "вы все",
        "эгоист",
        "глупи",
        "идиоти",
        "всички вие",
    ),
}
_HANDLING_FOR = {
    Negativity.constructive: Handling.public_then_private,
    Negativity.impulsive: Handling.public_reply,
    Negativity.competitor: Handling.public_reply,
    Negativity.troll: Handling.no_reply,
    Negativity.extortion: Handling.public_reply,  # refuse politely, in public (seed 000: consumer extremism)
    Negativity.praise_in_disguise: Handling.public_reply,
}
# Minutes a reply may take: social platforms expect an answer within the hour (seed 001: 42 % within 60
# minutes); review sites and e-mail within a working day.
_SLOW_PLATFORMS = {Platform.review_site, Platform.google_maps_review, Platform.shop_review, Platform.email}
_PERSONAL_DATA = re.compile(r"\+?\d[\d\s()-]{7,}\d|[\w.+-]+@[\w-]+\.[\w.]+")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def guess_language(text: str) -> str:
    """en, de, ru or bg from letters and a few frequent words; Cyrillic without Russian-only letters and with
    Bulgarian words is Bulgarian."""
    lower = text.lower()
    cyrillic = sum("а" <= ch <= "я" or ch == "ё" for ch in lower)
    if cyrillic > len(re.sub(r"\W", "", lower)) / 3:
        if re.search(r"[ыэё]", lower):
            return "ru"
        bg_words = len(re.findall(r"\b(?:съм|сте|беше|това|който|защо|като|няма|ще|вие|са)\b", lower))
        ru_words = len(re.findall(r"\b(?:это|что|как|который|почему|нет|вы|они|был|была|уже)\b", lower))
        return "bg" if "ъ" in lower or bg_words > ru_words else "ru"
    if re.search(r"[äöüß]", lower) or len(re.findall(r"\b(?:ich|nicht|und|der|die|das|ist|sie)\b", lower)) >= 2:
        return "de"
    return "en"


def guess_negativity(text: str) -> Negativity:
    """The kind of negativity suggested by simple cues; constructive when none fires."""
    lower = text.lower()
    for kind in (Negativity.extortion, Negativity.praise_in_disguise, Negativity.troll):
        if any(cue in lower for cue in _CUES[kind]):
            return kind
    letters = re.sub(r"[^\w]", "", text)
    shouting = sum(ch.isupper() for ch in letters) > 0.6 * max(1, len(letters)) and len(letters) > 10
    if text.count("!") >= 3 and len(text) < 140 or shouting:
        return Negativity.troll
    if _LINK.search(text):
        return Negativity.competitor
    if any(cue in lower for cue in _CUES[Negativity.impulsive]):
        return Negativity.impulsive
    return Negativity.constructive


def guess_handling(text: str, negativity: Negativity) -> Handling:
    """Personal data in a public comment means hide it and write privately; otherwise by negativity."""
    if _PERSONAL_DATA.search(text):
        return Handling.hide_and_contact_privately
    return _HANDLING_FOR[negativity]


def slug_from_text(text: str, existing: Collection[str] = (), *, max_words: int = 6) -> str:
    """A case id from the complaint's first words (Cyrillic and umlauts transliterated), unique among
    ``existing`` by a numeric suffix."""
    words = []
    for word in re.findall(r"\w+", text.lower()):
        ascii_word = "".join(_TRANSLIT.get(ch, ch) for ch in word)
        ascii_word = re.sub(r"[^a-z0-9]", "", ascii_word)
        if ascii_word:
            words.append(ascii_word)
        if len(words) == max_words:
            break
    base = "-".join(words)[:48].strip("-") or "case"
    if len(base) < 2:
        base = f"case-{base}"
    slug, n = base, 2
    while slug in existing:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _title(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return (first[:60] + "…") if len(first) > 60 else first


def dump_case(data: dict) -> str:
    """A case's data as the text of its file (what the studio's form and "Use as an exemplar" write)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def draft_case_yaml(
    complaint: str,
    *,
    platform: Platform | str,
    brand: str,
    customer_name: str | None = None,
    language: str | None = None,
    existing_ids: Collection[str] = (),
) -> str:
    """A draft case file (YAML text) for a real complaint. Raises ``ValueError`` for an empty complaint or
    brand, an unknown platform or language."""
    complaint = (complaint or "").strip()
    brand = (brand or "").strip()
    if not complaint:
        raise ValueError("Paste the complaint's text first.")
    if not brand:
        raise ValueError("Give the brand's name as it shows on the platform.")
    try:
        platform = Platform(platform)
    except ValueError:
        raise ValueError(
            f"Unknown platform {platform!r}; choose one of {', '.join(p.value for p in Platform)}"
        ) from None
    language = language or guess_language(complaint)
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; cases are written in {', '.join(LANGUAGES)}")
    negativity = guess_negativity(complaint)
    handling = guess_handling(complaint, negativity)
    name = (customer_name or "").strip() or None
    data = {
        "schema_version": SCHEMA_VERSION,
        "id": slug_from_text(complaint, existing_ids),
        "title": f"{TODO}: {_title(complaint)}",
        "language": language,
        "status": CaseStatus.draft.value,  # trainees never see it until a coach publishes it
        "tags": ["draft"],
        "difficulty": "medium",
        "source": f"{TODO}: where this complaint was posted (a real complaint pasted in the case studio)",
        "negativity": negativity.value,
        "expected_handling": handling.value,
        "target_response_minutes": 24 * 60 if platform in _SLOW_PLATFORMS else 60,
        "post": {
            "platform": platform.value,
            "brand": brand,
            "customer": {"display_name": name, "first_name": name.split()[0] if name else None},
        },
        "complaint": complaint,
        "key_facts": [
            {
                "id": "main-problem",
                "description": f"{TODO}: the problem a specific reply must address",
                "cues": [],
            }
        ],
        "exemplars": {"good": [], "bad": []},
        "coach_notes": f"{TODO}: guessed negativity '{negativity.value}' and handling '{handling.value}' "
        "from simple cues; check both. Add key-fact cues, at least 3 good and 3 bad exemplars, and "
        "translations.",
    }
    if name is None:
        del data["post"]["customer"]
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    header = (
        f"# {TODO}: draft built from a real complaint. Check the guessed negativity and expected_handling,\n"
        f"# write the key facts with cues, at least 3 good and 3 bad exemplars, and the real reply if known.\n"
    )
    return header + text
