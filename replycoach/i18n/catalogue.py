"""Keeps the message catalogues in step with the code: ``python -m replycoach.i18n.catalogue``.

Collects every message the interface can show (each ``_()``, ``ngettext()`` and ``N_()`` call in the code,
found in its syntax tree, plus the texts that come from the domain as data: principle titles and
descriptions, handling labels, the lexicons' evidence labels), then updates each language's ``.po`` file: new
messages are added untranslated for a translator to fill in, messages no longer used are dropped. ``tests/ui/test_translations.py`` fails
while any message lacks a translation.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from replycoach.i18n import DEFAULT_LANGUAGE, DOMAIN, UI_LANGUAGES, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
#: Where the interface's texts live: the package (pages, components, coaching) and the app script.
SOURCES = (ROOT / "replycoach", ROOT / "app.py")
#: The translating calls and how many leading arguments are message texts.
KEYWORDS = {"_": 1, "N_": 1, "ngettext": 2}

Message = str | tuple[str, str]  # a message id, or (singular, plural)


def code_messages() -> dict[Message, list[str]]:
    """Every message of a ``_()``, ``ngettext()`` or ``N_()`` call with a literal text, with where it is used.

    Read from the syntax tree rather than with Babel's extractor, which does not look inside f-strings (pages
    build their HTML in f-strings, with ``_()`` calls inside)."""
    found: dict[Message, list[str]] = {}
    files = [p for source in SOURCES for p in (sorted(source.rglob("*.py")) if source.is_dir() else [source])]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS):
                continue
            texts = [a.value for a in node.args[: KEYWORDS[node.func.id]] if isinstance(a, ast.Constant)]
            if len(texts) == KEYWORDS[node.func.id] and all(isinstance(t, str) and t for t in texts):
                key = texts[0] if len(texts) == 1 else tuple(texts)
                found.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def data_messages() -> dict[Message, list[str]]:
    """Texts shown from the domain's own data, translated by their English text."""
    from grading import PRINCIPLE_INFO
    from replycoach.cases.models import HANDLING_LABELS
    from replycoach.i18n.evidence import lexicon_labels

    found: dict[Message, list[str]] = {}
    for info in PRINCIPLE_INFO.values():
        found.setdefault(info.title, []).append("grading.PRINCIPLE_INFO (title)")
        found.setdefault(info.description, []).append("grading.PRINCIPLE_INFO (description)")
    for label in HANDLING_LABELS.values():
        found.setdefault(label, []).append("replycoach.cases.models.HANDLING_LABELS")
    for label in lexicon_labels():
        found.setdefault(label, []).append("grading/features/lexicon (a group's label)")
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
