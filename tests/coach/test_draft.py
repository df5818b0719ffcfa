"""'New case from a real complaint': the draft is a valid case with the guesses and TODOs a coach expects."""

from __future__ import annotations

import pytest
import yaml

from replycoach.cases.draft import draft_case_yaml, guess_handling, guess_language, guess_negativity, slug_from_text
from replycoach.cases.models import Case, Handling, Negativity


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The dress I bought had a hole and nobody told me.", "en"),
        ("Ich habe ein Kleid gekauft und es hat ein Loch, das ist nicht okay.", "de"),
        ("Я купила платье, а в нём дырка. Почему мне никто не сказал?", "ru"),
        ("Обещахте два пъти доставка и пак няма нищо. Защо?", "bg"),
    ],
)
def test_language_guess(text, language):
    assert guess_language(text) == language


@pytest.mark.parametrize(
    ("text", "negativity", "handling"),
    [
        ("Only fools buy this!!!", Negativity.troll, Handling.no_reply),
        ("Whatever I order is always sold out.", Negativity.praise_in_disguise, Handling.public_reply),
        ("Refund me double or else my lawyer will call.", Negativity.extortion, Handling.public_reply),
        ("You are all selfish and stupid.", Negativity.impulsive, Handling.public_reply),
        ("Better shoes here: https://other-shop.example", Negativity.competitor, Handling.public_reply),
        (
            "The queue at the till took an hour, prices only shown there.",
            Negativity.constructive,
            Handling.public_then_private,
        ),
        ("Вы все эгоисты и тупые", Negativity.impulsive, Handling.public_reply),
    ],
)
def test_negativity_and_handling_guess(text, negativity, handling):
    got = guess_negativity(text)
    assert got == negativity
    assert guess_handling(text, got) == handling


def test_personal_data_means_hide_and_contact_privately():
    text = "My order 123 never came, call me at +49 151 2345 6789"
    assert guess_handling(text, guess_negativity(text)) == Handling.hide_and_contact_privately


def test_slug_is_valid_transliterated_and_unique():
    assert slug_from_text("Цены — ужас! Кто это покупает?") == "tseny-uzhas-kto-eto-pokupaet"
    assert slug_from_text("Größe falsch", ["groesse-falsch"]) == "groesse-falsch-2"
    assert slug_from_text("!!!") == "case"


def test_draft_is_a_valid_case_with_todos():
    text = draft_case_yaml(
        "Ich habe ein Kleid gekauft und es hat ein Loch, das ist nicht okay.",
        platform="instagram_comment",
        brand="Mode Haus",
        customer_name="Daria Petrova",
        existing_ids={"ich-habe-ein-kleid-gekauft-und"},
    )
    case = Case.model_validate(yaml.safe_load(text))
    assert case.id == "ich-habe-ein-kleid-gekauft-und-2"
    assert case.language == "de" and case.post.brand == "Mode Haus"
    assert case.customer_name == "Daria" and case.post.customer.display_name == "Daria Petrova"
    assert case.complaint.startswith("Ich habe ein Kleid")
    assert case.title.startswith("TODO") and "TODO" in case.coach_notes and text.startswith("# TODO")
    assert case.expected_handling == Handling.public_then_private
    assert case.target_response_minutes == 60


def test_draft_without_a_name_leaves_personalization_off():
    case = Case.model_validate(yaml.safe_load(draft_case_yaml("Bad service.", platform="review_site", brand="X")))
    assert case.customer_name is None and case.target_response_minutes == 24 * 60


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"complaint": "  ", "platform": "twitter", "brand": "X"}, "Paste the complaint"),
        ({"complaint": "Bad", "platform": "twitter", "brand": ""}, "brand"),
        ({"complaint": "Bad", "platform": "myspace", "brand": "X"}, "Unknown platform 'myspace'"),
        ({"complaint": "Bad", "platform": "twitter", "brand": "X", "language": "fr"}, "Unknown language 'fr'"),
    ],
)
def test_bad_input_gets_a_clear_error(kwargs, message):
    complaint = kwargs.pop("complaint")
    with pytest.raises(ValueError, match=message):
        draft_case_yaml(complaint, **kwargs)
