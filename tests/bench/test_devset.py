"""The labelled dev set is well-formed, covers the spread the bench needs, and bad rows are reported by line."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from bench_support import devset_row, write_jsonl

from grading.model.devset import CATEGORIES, DEFAULT_DEVSET, DevsetError, load_cases, read_devset, translation_groups
from replycoach.config import PROJECT_ROOT

SEED_000_CASES = ("price-complaint", "content-criticism", "defective-dress", "checkout-queue")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_devset(DEFAULT_DEVSET)


def test_size_languages_and_cases(rows):
    assert len(rows) >= 200
    languages = Counter(r["language"] for r in rows)
    assert set(languages) == {"en", "de", "ru", "bg"}
    assert all(languages[lang] >= 25 for lang in ("de", "ru", "bg")), languages
    assert len({r["case"] for r in rows}) >= 9


def test_every_category_is_present(rows):
    assert set(CATEGORIES) <= {r["category"] for r in rows}


def test_scores_span_the_scale(rows):
    overall = [r["coach"]["overall"] for r in rows]
    assert sum(s >= 85 for s in overall) >= 20 and sum(s < 40 for s in overall) >= 40
    assert sum(40 <= s < 70 for s in overall) >= 20


def test_at_least_20_full_translation_groups_with_identical_coach_grades(rows):
    full = {k: g for k, g in translation_groups(rows).items() if {m["language"] for m in g} == {"en", "de", "ru", "bg"}}
    assert len(full) >= 20
    for group in full.values():
        original = group[0]
        assert original["language"] == "en"
        for copy in group[1:]:
            assert copy["coach"] == original["coach"], copy["id"]
            assert (copy["case"], copy["handling"]) == (original["case"], original["handling"])


def test_real_replies_of_the_seed_cases_are_in_the_set(rows):
    real = {r["case"] for r in rows if r["category"] == "real"}
    assert set(SEED_000_CASES) <= real


def test_forbidden_answers_of_the_source_are_graded_harmful(rows):
    forbidden = [r for r in rows if r["category"] == "forbidden"]
    texts = " ".join(r["reply"].lower() for r in forbidden if r["language"] == "en")
    for phrase in ("your problem", "what were you thinking", "everyone"):
        assert phrase in texts
    assert all(r["coach"]["overall"] < 20 and r["coach"]["principles"].get("no_blame") == 0 for r in forbidden)


def test_response_times_vary_around_each_case_target(rows):
    cases = load_cases(PROJECT_ROOT / "scenarios")
    for case_id in {r["case"] for r in rows}:
        if case_id not in cases:
            continue
        target = cases[case_id].target_response_minutes * 60
        times = [r["response_seconds"] for r in rows if r["case"] == case_id]
        assert min(times) <= target < max(times), case_id


def test_every_case_exists_in_the_casebook(rows):
    cases = load_cases(PROJECT_ROOT / "scenarios")
    missing = sorted({r["case"] for r in rows} - set(cases))
    assert not missing, f"dev-set cases not in scenarios/ (or invalid there): {missing}"


@pytest.mark.parametrize(
    "bad,expected",
    [
        (devset_row(1, coach={"overall": 120, "principles": {}}), "coach.overall must be a number in 0-100"),
        (devset_row(1, coach={"overall": 50, "principles": {"kindness": 1}}), "unknown principle 'kindness'"),
        (devset_row(1, coach={"overall": 50, "principles": {"empathy": 0.7}}), "must be 1, 0.5, 0 or null"),
        (devset_row(1, language="fr"), "language 'fr' is not one of"),
        (devset_row(1, handling="shout"), "handling 'shout' is not one of"),
        (devset_row(1, category="great"), "category 'great' is not one of"),
        (devset_row(1, response_seconds=-5), "response_seconds must be a number >= 0"),
        (devset_row(1, reply="  "), "reply must be non-empty text"),
        (devset_row(1, translation_of="dev-9999"), "translation_of 'dev-9999' is not an id in the set"),
        ({k: v for k, v in devset_row(1).items() if k != "note"}, "missing key 'note'"),
        (devset_row(1, extra=1), "unknown key 'extra'"),
    ],
)
def test_bad_rows_are_reported_with_file_and_line(tmp_path, bad, expected):
    path = write_jsonl(tmp_path / "d.jsonl", [devset_row(7), bad])
    with pytest.raises(DevsetError) as info:
        read_devset(path)
    assert f"{path} ==> line 2 ==> " in str(info.value)
    assert expected in str(info.value)


def test_invalid_json_duplicate_ids_and_missing_file(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(devset_row(1)) + "\n{not json\n" + json.dumps(devset_row(1)) + "\n", encoding="utf-8")
    with pytest.raises(DevsetError) as info:
        read_devset(path)
    message = str(info.value)
    assert "line 2 ==> not valid JSON" in message and "line 3 ==> id 'dev-0001' repeats line 1" in message
    with pytest.raises(DevsetError, match="does not exist"):
        read_devset(tmp_path / "nope.jsonl")
