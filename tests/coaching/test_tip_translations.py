"""Every tip the grader writes is made of the sentences ``replycoach.i18n.tips`` knows, so a trainee reading in
German, Russian or Bulgarian never gets a tip left in English. Fails when the grader gains or rewords a tip
sentence: add it to ``TIP_TEMPLATES`` and translate it (python -m replycoach.i18n.catalogue). The same holds for
the labels of the highlighted words ("offers a remedy"): a new one goes into ``replycoach.i18n.evidence``."""

from __future__ import annotations

from replycoach.i18n.evidence import known_label, translate_label
from replycoach.i18n.tips import COACHING_TEMPLATES, split_tip, translate_tip

#: Replies that lose points in many ways: blaming and shouting, stock phrases, empty, nothing concrete, a dead end.
WEAK_REPLIES = (
    "",
    "THIS IS YOUR PROBLEM!!! You should have read the rules.",
    "We apologize for any inconvenience. Your feedback is important to us. Sorry you feel that way.",
    "ok",
    "Sorry, we do not stock spares for it. Nothing we can do.",
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


def test_every_evidence_label_of_the_grader_is_known_and_translated(engine, casebook):
    """Weak replies, good and bad exemplars, in every language of every case: each highlighted span's label is
    one the catalogue translates, so a German trainee never reads "offers a remedy" in the tooltip."""
    labels = set()
    for case in casebook.values():
        for language in case.languages:
            local = case.localized(language)
            tries = [(reply, "public_reply") for reply in WEAK_REPLIES]
            tries += [(ex.text, "public_reply") for ex in local.exemplars.good[:2] + local.exemplars.bad[:2]]
            for reply, handling in tries:
                grade = engine.grade(local, reply, handling=handling, response_seconds=36_000)
                labels |= {ev.label for pg in grade.principles.values() for ev in pg.evidence}
    unknown = sorted(label for label in labels if not known_label(label))
    assert not unknown, f"evidence labels replycoach.i18n.evidence does not know: {unknown}"
    assert len(labels) >= 15  # the sweep reaches most kinds of evidence, not just one or two
    untranslated = sorted(label for label in labels if translate_label(label, "ru") == label)
    assert not untranslated, untranslated


def test_a_key_facts_label_is_translated_around_the_fact_it_names():
    assert translate_label("key fact: hole-at-seam", "de") == "wichtige Tatsache: hole-at-seam"
    assert translate_label("addresses: Дупката в роклята", "bg") == "засяга: Дупката в роклята"
    assert translate_label("offers a remedy", "ru") == "предлагает решение"
    assert translate_label("The judge's own reason, in its words.", "de") == "The judge's own reason, in its words."


def test_the_coaching_sentences_are_translated_with_their_values():
    for template in COACHING_TEMPLATES:
        filled = template.format(name="Maria", principle="Empathy", count=2)
        assert split_tip(filled) is not None, template
    german = translate_tip("Took out the 2 sentences that lost No blame.", "de")
    assert german == "Die 2 Sätze gestrichen, die bei Keine Schuldzuweisung Punkte gekostet haben."
