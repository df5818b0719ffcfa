"""The suggested rewrite of the trainee's own reply (fewest edits, graded higher, else none), its word diff, and
the model answer in the trainee's language."""

from __future__ import annotations

import re

from replycoach.coaching import model_answer, suggest_rewrite, word_diff
from replycoach.coaching.rewrite import split_sentences

BLAMING = "This is your problem, you should have checked the dress at the till. We can look at it."


def _rewrite(engine, case, reply, **kwargs):
    grade = engine.grade(case, reply, response_seconds=120, handling="public_reply")
    return grade, suggest_rewrite(case, reply, grade, engine, handling="public_reply", response_seconds=120, **kwargs)


def test_a_blaming_sentence_is_dropped_and_the_rest_is_the_trainees_own(engine, casebook):
    case = casebook["defective-dress"].localized("en")
    grade, rewrite = _rewrite(engine, case, BLAMING)
    assert rewrite is not None and rewrite.source == "offline"
    assert "your problem" not in rewrite.text
    assert "We can look at it." in rewrite.text  # the trainee's own sentence stays
    assert rewrite.score > grade.score == rewrite.original_score
    assert rewrite.score == engine.grade(case, rewrite.text, response_seconds=120, handling="public_reply").score
    assert any("No blame" in change for change in rewrite.changes)
    good = " ".join(e.text for e in case.exemplars.good)
    added = [s.strip() for s in split_sentences(rewrite.text) if s.strip() not in BLAMING]
    assert all(sentence in good for sentence in added)  # anything added comes from a good exemplar


def test_what_is_missing_comes_from_good_exemplars_in_the_replys_language(engine, casebook):
    case = casebook["checkout-queue"].localized("ru")
    reply = "Спасибо за отзыв. Мы разберемся."
    grade, rewrite = _rewrite(engine, case, reply)
    assert rewrite is not None and rewrite.score > grade.score
    assert rewrite.text.startswith("Спасибо за отзыв.") and rewrite.text.endswith("Мы разберемся.")
    inserted = rewrite.text.removeprefix("Спасибо за отзыв.").removesuffix("Мы разберемся.").strip()
    good = " ".join(e.text for e in case.exemplars.good)
    assert inserted and all(sentence.strip() in good for sentence in split_sentences(inserted))


def test_no_rewrite_when_nothing_grades_higher_or_there_is_nothing_to_rewrite(engine, casebook):
    case = casebook["price-complaint"].localized("en")
    best = max(case.exemplars.good, key=lambda e: e.score)
    grade = engine.grade(case, best.text, handling="public_reply")
    if grade.score >= 100:
        assert suggest_rewrite(case, best.text, grade, engine, handling="public_reply") is None
    empty = engine.grade(case, "", handling="no_reply")
    assert suggest_rewrite(case, "", empty, engine, handling="no_reply") is None
    higher_bar = suggest_rewrite(case, BLAMING, grade, engine, handling="public_reply", baseline=100.0)
    assert higher_bar is None  # never shown unless the grader scores it higher


def test_a_candidate_from_elsewhere_is_used_only_when_it_grades_higher(engine, casebook):
    case = casebook["defective-dress"].localized("en")
    grade = engine.grade(case, BLAMING, response_seconds=120, handling="public_reply")
    good = case.exemplars.good[0].text
    taken = suggest_rewrite(case, BLAMING, grade, engine, handling="public_reply", response_seconds=120, candidate=good)
    assert (taken.source, taken.text) == ("llm", good)
    same = BLAMING  # grades exactly as the reply did: not higher, so not taken
    fallback = suggest_rewrite(
        case, BLAMING, grade, engine, handling="public_reply", response_seconds=120, candidate=same
    )
    assert fallback is not None and fallback.source == "offline"


def test_word_diff_marks_what_was_taken_out_and_put_in():
    ops = word_diff("We can look at it. Your problem.", "Sorry! We can look at it today.")
    assert "".join(t for op, t in ops if op != "insert") == "We can look at it. Your problem."
    assert "".join(t for op, t in ops if op != "delete") == "Sorry! We can look at it today."
    assert ("delete", "Your problem") in [(op, t.strip(" .")) for op, t in ops]
    assert word_diff("same", "same") == [("equal", "same")]
    replaced = word_diff("Thanks for your feedback.", "Send us a DM and we will call you today.")
    assert [op for op, _ in replaced][:2] == ["delete", "insert"]
    assert not any(op == "equal" and re.search(r"\w", text) for op, text in replaced)  # no stray "for" or "you"


def test_the_model_answer_is_the_best_good_exemplar_in_the_trainees_language(casebook):
    case = casebook["checkout-queue"]
    ru = model_answer(case, "ru")
    assert ru.language == "ru" and ru.score == max(e.score for e in case.localized("ru").exemplars.good)
    assert ru.text in [e.text for e in case.localized("ru").exemplars.good]
    no_translation = casebook["billing-double-charge"]
    fallback = model_answer(no_translation, "de")  # no German version at all: the case's own language
    assert fallback.language == no_translation.language
