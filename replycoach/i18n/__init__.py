"""The interface's languages: gettext message catalogues, one ``.po`` file per language under
``replycoach/i18n/locale/<language>/LC_MESSAGES/replycoach.po`` (docs/decisions/0008).

English is the source language: a message id is the English text, so English needs no catalogue and any
message a catalogue lacks falls back to English. The ``.po`` files are the only translation files kept in the
repository; each is compiled to the gettext binary form in memory (Babel) the first time a language is asked
for, so a compiled catalogue can never lag behind its source.

Texts that come from the domain rather than from a ``_()`` call (principle titles and descriptions from the
grader, handling labels from the case format, the grader's tips) are translated by their English text as the
message id too; ``replycoach.i18n.tips`` takes a tip apart into the sentences it was built from.
This package knows nothing of Streamlit: ``replycoach.ui.i18n`` picks the signed-in user's language.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

#: The interface's languages, English (the source) first.
UI_LANGUAGES: tuple[str, ...] = ("en", "de", "ru", "bg")
DEFAULT_LANGUAGE = "en"
DOMAIN = "replycoach"
LOCALE_DIR = Path(__file__).with_name("locale")


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name, which the extractor looks for)
    """Marks ``message`` for the catalogue where it is defined; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def ui_language(language: str | None) -> str:
    """``language`` if the interface speaks it, else English."""
    return language if language in UI_LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(UI_LANGUAGES))
def translations(language: str | None) -> gettext.NullTranslations:
    """The catalogue of ``language`` (English, an unknown language or a missing file: the English texts)."""
    path = catalogue_path(ui_language(language))
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as po:
        catalogue = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)  # a fuzzy (unchecked) translation is not shown
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(language: str | None, message: str) -> str:
    return translations(language).gettext(message)


def translate_plural(language: str | None, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)
