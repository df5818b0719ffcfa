"""Case.localized merges a translation into a single-language case (what graders and pages see)."""

from __future__ import annotations

from pathlib import Path

import pytest

from replycoach.cases.loader import validate_file

VALID = Path(__file__).resolve().parent / "valid"


@pytest.fixture(scope="module")
def dress():
    case, problems = validate_file(VALID / "dress-hole.yaml")
    assert not problems
    return case


def test_own_language_drops_the_translations(dress):
    en = dress.localized("en")
    assert en.title == "A hole in the new dress"
    assert en.translations == {}
    assert dress.languages == ("en", "bg", "de", "ru")


def test_translated_fields_are_merged_and_the_rest_falls_back(dress):
    de = dress.localized("de")
    assert (de.id, de.language, de.title) == ("dress-hole", "de", "Ein Loch im neuen Kleid")
    assert de.complaint.startswith("Ich habe bei Ihnen ein Kleid gekauft")
    assert [(f.id, f.cues) for f in de.key_facts] == [("hole", ["Loch", "Schaden", "Mangel"])]
    # Not translated: the original's exemplars, brand post and follow-ups.
    assert de.exemplars == dress.exemplars
    assert de.post.brand_post == "The autumn dresses are in the stores."
    assert de.follow_ups == dress.follow_ups
    assert de.translations == {}


def test_translated_exemplars_brand_post_and_follow_ups(dress):
    ru = dress.localized("ru")
    assert ru.post.brand_post == "Осенние платья уже в магазинах."
    assert [e.score for e in ru.exemplars.good] == [90]
    assert ru.exemplars.bad == []
    assert ru.key_facts == dress.key_facts
    bg = dress.localized("bg")
    assert [f.text for f in bg.follow_ups] == ["Значи аз съм виновна? Страхотно обслужване."]


def test_a_language_the_case_lacks_says_which_it_has(dress):
    with pytest.raises(KeyError, match="can be practised in en, bg, de, ru"):
        dress.localized("fr")
