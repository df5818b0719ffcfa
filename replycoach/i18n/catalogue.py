"""Keeps the message catalogues in step with the code: ``python -m replycoach.i18n.catalogue``.

Collects every message the interface can show (each ``_()``, ``ngettext()`` and ``N_()`` call in the code,
found by Babel's extractor, plus the texts that come from the domain as data: principle titles and
descriptions, handling labels), then updates each language's ``.po`` file: new messages are added untranslated
for a translator to fill in, messages no longer used are dropped. ``tests/ui/test_translations.py`` fails
while any message lacks a translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

from replycoach.i18n import DEFAULT_LANGUAGE, DOMAIN, UI_LANGUAGES, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
#: Where the interface's texts live: the package (pages, components, coaching) and the app script.
SOURCES = (ROOT / "replycoach", ROOT / "app.py")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}

Message = str | tuple[str, str]  # a message id, or (singular, plural)


def code_messages() -> dict[Message, list[str]]:
    """Every message of a ``_()``, ``ngettext()`` or ``N_()`` call, with where it is used."""
    found: dict[Message, list[str]] = {}

    def add(path: Path, line: int, message) -> None:
        key = message if isinstance(message, str) else tuple(message)
        if key:
            found.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{line}")

    for source in SOURCES:
        if source.is_dir():
            for filename, line, message, _comments, _context in extract_from_dir(
                source, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
            ):
                add(source / filename, line, message)
        else:
            for line, message, _comments, _context in extract_from_file("python", source, keywords=KEYWORDS):
                add(source, line, message)
    return found


def data_messages() -> dict[Message, list[str]]:
    """Texts shown from the domain's own data, translated by their English text."""
    from grading import PRINCIPLE_INFO
    from replycoach.cases.models import HANDLING_LABELS

    found: dict[Message, list[str]] = {}
    for info in PRINCIPLE_INFO.values():
        found.setdefault(info.title, []).append("grading.PRINCIPLE_INFO (title)")
        found.setdefault(info.description, []).append("grading.PRINCIPLE_INFO (description)")
    for label in HANDLING_LABELS.values():
        found.setdefault(label, []).append("replycoach.cases.models.HANDLING_LABELS")
    return found


def all_messages() -> dict[Message, list[str]]:
    messages = code_messages()
    for key, where in data_messages().items():
        messages.setdefault(key, []).extend(where)
    return messages


def template() -> Catalog:
    catalogue = Catalog(domain=DOMAIN, project="ReplyCoach", fuzzy=False)
    for message, where in sorted(all_messages().items(), key=lambda item: str(item[0])):
        catalogue.add(message, locations=[(w.rsplit(":", 1)[0], None) for w in where[:3]])
    return catalogue


def update(language: str) -> Path:
    """Bring ``language``'s catalogue in step with the code (translations kept, new messages untranslated)."""
    path = catalogue_path(language)
    if path.is_file():
        with path.open("rb") as f:
            catalogue = read_po(f, locale=language, domain=DOMAIN)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalogue = Catalog(locale=language, domain=DOMAIN, project="ReplyCoach", fuzzy=False)
    catalogue.update(template(), no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    with path.open("wb") as f:
        write_po(f, catalogue, width=120, omit_header=False, sort_output=True)
    return path


def main() -> int:
    for language in UI_LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            path = update(language)
            with path.open("rb") as f:
                missing = sum(1 for m in read_po(f, locale=language) if m.id and not _translated(m))
            print(f"{path.relative_to(ROOT)}: {missing} messages to translate")
    return 0


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not message.fuzzy and all(strings)


if __name__ == "__main__":
    sys.exit(main())
