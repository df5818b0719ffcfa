"""Every tip the grader writes is made of the sentences ``replycoach.i18n.tips`` knows, so a trainee reading in
German, Russian or Bulgarian never gets a tip left in English. Fails when the grader gains or rewords a tip
sentence: add it to ``TIP_TEMPLATES`` and translate it (python -m replycoach.i18n.catalogue)."""

from __future__ import annotations

from replycoach.i18n.tips import COACHING_TEMPLATES, split_tip, translate_tip

#: Replies that lose points in many ways: blaming and shouting, stock phrases, empty, nothing concrete.
WEAK_REPLIES = (
    "",
    "THIS IS YOUR PROBLEM!!! You should have read the rules.",
    "We apologize for any inconvenience. Your feedback is important to us. Sorry you feel that way.",
    "ok",
)


def test_every_tip_of_the_grader_is_made_of_known_sentences(engine, casebook):
    unknown = set()
    for case in casebook.values():
        for language in case.languages:
            local = case.localized(language)
            tries = [(reply, "public_reply") for reply in WEAK_REPLIES]
            tries += [(bad.text, "no_reply") for bad in local.exemplars.bad[:1]]  # a mismatched handling too
            for reply, handling in tries:
                grade = engine.grade(local, reply, handling=handling, response_seconds=36_000)
                unknown |= {tip for tip in grade.tips.values() if split_tip(tip) is None}
    assert not unknown, f"tips not made of known sentences: {sorted(unknown)}"


def test_the_coaching_sentences_are_translated_with_their_values():
    for template in COACHING_TEMPLATES:
        filled = template.format(name="Maria", principle="Empathy", count=2)
        assert split_tip(filled) is not None, template
    german = translate_tip("Took out the 2 sentences that lost No blame.", "de")
    assert german == "Die 2 Sätze gestrichen, die bei Keine Schuldzuweisung Punkte gekostet haben."
