"""The interface speaks German, Russian and Bulgarian: every message the code can show has a translation in
each catalogue, with the same values to fill in; a German user's pages, principle names and tips are German;
the language a user chooses stays chosen."""

from __future__ import annotations

import html
import re

import pytest
from ui_support import app_for, html_of

from replycoach.i18n import UI_LANGUAGES, catalogue_path, translate
from replycoach.i18n.catalogue import all_messages
from replycoach.i18n.evidence import translate_label
from replycoach.i18n.tips import translate_tip
from replycoach.storage.types import Role

TRANSLATED = [lang for lang in UI_LANGUAGES if lang != "en"]
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _catalogue(language: str):
    from babel.messages.pofile import read_po

    with catalogue_path(language).open("rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_of_the_code_has_a_translation(language):
    catalogue = _catalogue(language)
    untranslated, broken = [], []
    for message, where in all_messages().items():
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid)
        strings = () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry is None or entry.fuzzy or not strings or not all(strings):
            untranslated.append(f"{msgid!r} ({where[0]})")
            continue
        wanted = set(_PLACEHOLDER.findall(msgid))
        broken += [f"{msgid!r} -> {s!r}" for s in strings if set(_PLACEHOLDER.findall(s)) != wanted]
    assert not untranslated, f"no {language} translation (run python -m replycoach.i18n.catalogue): {untranslated}"
    assert not broken, f"{language} translations with other values to fill in: {broken}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_are_not_the_english_text(language):
    """A catalogue is a translation, not a copy: most messages read differently from the English."""
    catalogue = _catalogue(language)
    same = [m.id for m in catalogue if m.id and m.string == m.id]
    assert len(same) < 0.05 * len(catalogue), same


def test_a_missing_translation_falls_back_to_english():
    assert translate("de", "A sentence no catalogue has.") == "A sentence no catalogue has."
    assert translate("fr", "Empathy") == "Empathy"  # a language the interface does not speak
    assert translate("de", "Empathy") == "Empathie"


@pytest.fixture
def german_trainee(store, users):
    store.set_preferences("trainee", time_zone="Europe/Berlin", ui_language="de")
    return store.find_user("trainee")


def test_a_german_users_pages_principles_and_tips_are_german(store, german_trainee, graded):
    at = app_for(german_trainee).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Üben"]
    assert {m.label for m in at.multiselect} >= {"Art der Negativität", "Schwierigkeit"}
    assert "Sign out" not in {b.label for b in at.button} and "Abmelden" in {b.label for b in at.button}

    attempt = graded(german_trainee, "dress-hole", "Das ist Ihr Problem, Sie hätten das Kleid prüfen sollen!", "de")
    tips = [pg["tip"] for pg in attempt.grade_json["principles"].values() if pg.get("tip")]
    assert tips, "a blaming reply gets tips"
    at = app_for(german_trainee)
    at.query_params["attempt"] = str(attempt.id)
    at.run()
    assert not at.exception, at.exception
    page = html.unescape(html_of(at))
    assert {"**Pro Prinzip**", "**Versuchen Sie als Nächstes**"} <= {m.value for m in at.markdown}
    assert "Bestehensgrenze" in page and "verdient" in page  # words inside the HTML the pages build
    assert "Empathie" in page and "Keine Schuldzuweisung" in page  # principle names
    assert "Empathy" not in page
    for tip in tips:  # tips for a German reply in German
        german = translate_tip(tip, "de")
        assert german != tip, f"no German for the tip {tip!r}"
        assert german in page
    assert any(e.label.startswith("Alle Tipps") for e in at.expander)
    assert "Wie die Gesamtnote zustande kam" in {e.label for e in at.expander}
    # the highlighted words say in German what they earned or lost (the stored grade keeps them in English)
    labels = {ev["label"] for pg in attempt.grade_json["principles"].values() for ev in pg.get("evidence") or ()}
    assert "blames the customer" in labels
    for label in labels:
        assert translate_label(label, "de") in page, label
    assert "gibt dem Kunden die Schuld" in page and "blames the customer" not in page


def test_an_english_user_keeps_english_tips_for_an_english_reply(store, users, graded):
    attempt = graded(users[Role.trainee], "dress-hole", "This is your problem, you should have checked it!")
    at = app_for(users[Role.trainee])
    at.query_params["attempt"] = str(attempt.id)
    at.run()
    page = html.unescape(html_of(at))
    tips = [pg["tip"] for pg in attempt.grade_json["principles"].values() if pg.get("tip")]
    assert tips and all(tip in page for tip in tips)
    assert "Empathy" in page


def test_the_chosen_language_persists_across_sessions(store, users):
    from streamlit.util import calc_hash

    trainee = users[Role.trainee]
    at = app_for(trainee).run()
    at._page_hash = calc_hash("settings")
    at.run()
    at.selectbox(key="preferences_language").set_value("ru")
    at.button(key="preferences_save").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Сохранено."]  # already in the language just chosen
    assert store.find_user("trainee").ui_language == "ru"
    again = app_for(store.find_user("trainee")).run()  # a new session: the stored choice, not this tab's state
    assert [t.value for t in again.title] == ["Практика"]
