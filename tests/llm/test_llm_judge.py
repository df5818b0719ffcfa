"""The judge against a real local chat-completions server: verdicts, quoted spans, the blend, the cache."""

from __future__ import annotations

import json

import pytest
from fake_server import ok, ok_json
from llm_support import REPLY, judge_answer, make_grade, make_settings, reply_in_request, sentence_judge

from replycoach.llm import judge_and_combine, llm_status
from replycoach.llm.client import SEED
from replycoach.llm.combine import combine_stored
from replycoach.llm.judge import JUDGED_PRINCIPLES, find_quote

OFFLINE = {
    "empathy": 0.2,
    "apology": 1.0,
    "no_script": 0.5,
    "concrete_promise": 0.0,
    "remedy": 0.5,
    "no_blame": 1.0,
    "ownership": 0.5,
    "private_channel": 1.0,
    "timing": 1.0,
    "concise": None,
}
WEIGHTS = {"empathy": 2.0, "apology": 1.0, "no_script": 1.0, "concrete_promise": 1.5, "remedy": 1.0,
           "no_blame": 1.0, "ownership": 1.0, "private_channel": 0.5, "timing": 1.0, "concise": 1.0}  # fmt: skip


class DictCache:
    """The cache protocol (``cache_get``/``cache_put``) over a dict, as the storage facade offers it."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def cache_get(self, key: str) -> str | None:
        return self.data.get(key)

    def cache_put(self, key: str, value: str) -> None:
        self.data[key] = value


def test_verdicts_become_spans_on_the_replys_own_words(server, settings, case):
    promise = "I will call you today before 6 pm\nto sort out a refund for the difference."
    server.default = ok(
        lambda body: judge_answer(
            {
                "empathy": ("meets", "I'm really sorry you queued for forty minutes"),
                "concrete_promise": ("meets", promise.replace("\n", " ")),  # the model flattens the line break
                "no_blame": ("not_applicable", ""),
                "remedy": ("partly", '"a refund for the difference"'),  # wrapped in quotation marks
            }
        )
    )
    outcome = judge_and_combine(case, REPLY, make_grade(OFFLINE, WEIGHTS), settings)

    assert outcome.error is None and not outcome.needs_review
    verdicts = outcome.judge_json["verdicts"]
    assert set(verdicts) == {"empathy", "concrete_promise", "no_blame", "remedy"}
    start, end = verdicts["concrete_promise"]["span"]
    assert REPLY[start:end] == promise
    start, end = verdicts["remedy"]["span"]
    assert REPLY[start:end] == "a refund for the difference"
    assert verdicts["remedy"]["points"] == 0.5
    assert verdicts["no_blame"]["points"] is None and verdicts["no_blame"]["span"] is None
    judge_evidence = [e for e in outcome.grade.principles["empathy"].evidence if e.label.startswith("LLM judge")]
    assert [e.text_in(REPLY) for e in judge_evidence] == ["I'm really sorry you queued for forty minutes"]
    assert judge_evidence[0].polarity == "+"
    assert outcome.grade.principles["empathy"].grader == "rules.empathy+llm"
    # what is stored with the attempt blends back to the same grade (a re-grade reuses it, never asking again)
    assert combine_stored(make_grade(OFFLINE, WEIGHTS), outcome.judge_json, settings.pass_mark) == outcome.grade


def test_request_is_deterministic_and_carries_the_case_and_reply(server, settings, case):
    server.default = ok(sentence_judge)
    judge_and_combine(case, REPLY, make_grade(OFFLINE, WEIGHTS), settings)

    (request,) = server.chat_requests
    body = request.body
    assert body["temperature"] == 0
    assert body["seed"] == SEED
    assert body["model"] == "fake-judge-1"
    assert request.headers.get("authorization") == "Bearer test-key"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert reply_in_request(body) == REPLY
    assert case.complaint in body["messages"][1]["content"]
    assert all(p in body["messages"][1]["content"] for p in JUDGED_PRINCIPLES)


def test_a_quote_not_in_the_reply_is_discarded_and_the_offline_score_stands(server, settings, case):
    server.default = ok(
        lambda body: judge_answer(
            {
                "empathy": ("meets", "We completely understand how frustrating this must be"),  # invented
                "apology": ("meets", "I'm really sorry"),
                "ownership": ("meets", ""),  # credit with nothing to point at
            }
        )
    )
    offline = make_grade(OFFLINE, WEIGHTS)
    outcome = judge_and_combine(case, REPLY, offline, settings)

    assert set(outcome.judge_json["verdicts"]) == {"apology"}
    why = {d["principle"]: d["why"] for d in outcome.judge_json["discarded"]}
    assert why == {"empathy": "the quote is not in the reply", "ownership": "credit without a quote from the reply"}
    assert outcome.grade.principles["empathy"] == offline.principles["empathy"]
    assert outcome.grade.principles["ownership"] == offline.principles["ownership"]


def test_a_misses_verdict_points_at_the_words_that_lost_it(server, settings, case):
    server.default = ok(lambda body: judge_answer({"no_blame": ("misses", "That was our mistake")}))
    outcome = judge_and_combine(case, REPLY, make_grade(OFFLINE, WEIGHTS), settings)
    (evidence,) = [e for e in outcome.grade.principles["no_blame"].evidence if e.label.startswith("LLM")]
    assert evidence.polarity == "-" and evidence.text_in(REPLY) == "That was our mistake"


def test_combination_blends_per_principle_and_recomputes_the_overall(server, case):
    settings = make_settings(server, llm_weight=0.25, pass_mark=60.0)
    server.default = ok(
        lambda body: judge_answer(
            {
                "empathy": ("meets", "I'm really sorry"),  # 0.2 -> 0.75*0.2 + 0.25*1 = 0.4
                "concrete_promise": ("meets", "I will call you today before 6 pm"),  # 0 -> 0.25
                "apology": ("misses", ""),  # 1 -> 0.75
                "no_script": ("not_applicable", ""),  # no judge score: stays 0.5
            }
        )
    )
    offline = make_grade({**OFFLINE, "handling": None}, {**WEIGHTS, "handling": 1.0})
    outcome = judge_and_combine(case, REPLY, offline, settings)
    got = {pid: pg.score for pid, pg in outcome.grade.principles.items()}

    assert got["empathy"] == pytest.approx(0.4)
    assert got["concrete_promise"] == pytest.approx(0.25)
    assert got["apology"] == pytest.approx(0.75)
    assert got["no_script"] == 0.5 and got["timing"] == 1.0 and got["handling"] is None
    expected = make_grade(got, {**WEIGHTS, "handling": 1.0}).score  # the weighted mean over the same weights
    assert outcome.grade.score == pytest.approx(expected)
    assert outcome.grade.score != pytest.approx(offline.score)
    assert outcome.grade.passed == (expected >= 60.0)
    assert outcome.grade.weights == offline.weights
    assert outcome.judge_json["offline_score"] == offline.score  # both kept


def test_judge_cannot_make_an_inapplicable_principle_count(server, settings, case):
    server.default = ok(lambda body: judge_answer({"private_channel": ("meets", "Please send us a direct message")}))
    offline = make_grade({**OFFLINE, "private_channel": None}, WEIGHTS)
    outcome = judge_and_combine(case, REPLY, offline, settings)
    assert outcome.grade.principles["private_channel"].score is None
    assert outcome.grade.score == pytest.approx(offline.score)


def test_same_reply_is_judged_once_then_served_from_the_cache(server, settings, case):
    server.default = ok(sentence_judge)
    cache = DictCache()
    offline = make_grade(OFFLINE, WEIGHTS)

    first = judge_and_combine(case, REPLY, offline, settings, cache=cache)
    second = judge_and_combine(case, REPLY, offline, settings, cache=cache)
    assert len(server.chat_requests) == 1
    assert second.grade == first.grade
    assert second.judge_json["verdicts"] == first.judge_json["verdicts"]

    judge_and_combine(case, REPLY + " Thanks!", offline, settings, cache=cache)  # another reply
    judge_and_combine(case, REPLY, offline, make_settings(server, llm_model="other-model"), cache=cache)
    assert len(server.chat_requests) == 3
    assert len(cache.data) == 3


def test_llm_off_returns_the_offline_grade_without_a_request(server, case):
    offline = make_grade(OFFLINE, WEIGHTS)
    outcome = judge_and_combine(case, REPLY, offline, make_settings(None))
    assert outcome.grade is offline and outcome.judge_json is None and not outcome.needs_review
    assert server.requests == []
    assert llm_status(make_settings(None)) == "off"
    assert llm_status(make_settings(server)) == f"on: fake-judge-1 at {server.base_url}"


def test_server_without_json_schema_gets_json_object_and_it_is_remembered(server, settings, case):
    server.reject_json_schema = True
    server.default = ok(lambda body: "```json\n" + sentence_judge(body) + "\n```")  # fenced, as some models do
    outcome = judge_and_combine(case, REPLY, make_grade(OFFLINE, WEIGHTS), settings)
    assert outcome.error is None and outcome.judge_json["verdicts"]
    assert [r.body["response_format"]["type"] for r in server.chat_requests] == ["json_schema", "json_object"]

    judge_and_combine(case, REPLY + " Bye.", make_grade(OFFLINE, WEIGHTS), settings)
    assert server.chat_requests[-1].body["response_format"]["type"] == "json_object"


def test_cached_json_is_the_models_answer_so_a_new_quote_check_applies(server, settings, case):
    server.default = ok_json({"verdicts": [{"principle": "apology", "level": "meets", "quote": "sorry", "reason": ""}]})
    cache = DictCache()
    judge_and_combine(case, REPLY, make_grade(OFFLINE, WEIGHTS), settings, cache=cache)
    (stored,) = cache.data.values()
    assert json.loads(stored)["verdicts"][0]["quote"] == "sorry"


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("sorry you  queued", "sorry you queued"),
        ("before 6 pm to sort", "before 6 pm\nto sort"),
        ("«That was our mistake»", "That was our mistake"),
        ("sorry you queued for fifty minutes", None),
        ("   ", None),
    ],
)
def test_find_quote_normalises_whitespace_only(quote, found):
    span = find_quote(REPLY, quote)
    assert (REPLY[span[0] : span[1]] if span else None) == found


def test_the_storage_facade_caches_judgements_across_store_instances(server, settings, case, tmp_path):
    """The real Store (SQLite, migrated) as the cache: a reopened database still answers without a request."""
    from replycoach.storage.facade import Store

    url = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    server.default = ok(sentence_judge)
    offline = make_grade(OFFLINE, WEIGHTS)
    store = Store(url)
    store.upgrade()
    try:
        first = judge_and_combine(case, REPLY, offline, settings, cache=store)
    finally:
        store.close()
    reopened = Store(url)
    try:
        second = judge_and_combine(case, REPLY, offline, settings, cache=reopened)
    finally:
        reopened.close()
    assert len(server.chat_requests) == 1
    assert second.grade == first.grade and second.error is None
