"""Every way the LLM can fail leaves the offline grade standing, marked for review, within the time budget."""

from __future__ import annotations

import socket
import time

import pytest
from fake_server import Behaviour, malformed, ok, slow, status
from llm_support import REPLY, judge_answer, make_grade, make_settings, sentence_judge

from replycoach.llm import judge_and_combine
from replycoach.llm.client import MAX_ATTEMPTS

OFFLINE = {"empathy": 0.5, "apology": 1.0, "concrete_promise": 0.0, "timing": 1.0}


class DictCache:
    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def cache_get(self, key: str) -> str | None:
        return self.data.get(key)

    def cache_put(self, key: str, value: str) -> None:
        self.data[key] = value


class BrokenCache:
    def cache_get(self, key: str) -> str | None:
        raise OSError("database is locked")

    def cache_put(self, key: str, value: str) -> None:
        raise OSError("database is locked")


def _judge(case, settings, cache=None):
    offline = make_grade(OFFLINE)
    started = time.monotonic()
    outcome = judge_and_combine(case, REPLY, offline, settings, cache=cache)
    return offline, outcome, time.monotonic() - started


def _assert_fell_back(offline, outcome, *words):
    assert outcome.grade is offline
    assert outcome.needs_review is True
    assert outcome.judge_json is None
    assert outcome.error and outcome.error.startswith("LLM judge: ")
    for word in words:
        assert word in outcome.error, outcome.error


def test_malformed_json_falls_back(server, settings, case):
    server.enqueue(malformed())
    offline, outcome, _ = _judge(case, settings)
    _assert_fell_back(offline, outcome, "not valid JSON")


@pytest.mark.parametrize(
    "content",
    [
        '{"verdicts": [{"principle": "empathy", "level": "great", "quote": "", "reason": ""}]}',
        '{"verdicts": [{"principle": "charm", "level": "meets", "quote": "Hi", "reason": ""}]}',
        '{"grades": {"empathy": 1}}',
        "[1, 2, 3]",
    ],
)
def test_schema_mismatch_falls_back(server, settings, case, content):
    server.enqueue(ok(content))
    offline, outcome, _ = _judge(case, settings)
    _assert_fell_back(offline, outcome, "does not match the judge schema")


def test_empty_answer_falls_back(server, settings, case):
    server.enqueue(ok(""))
    offline, outcome, _ = _judge(case, settings)
    _assert_fell_back(offline, outcome, "empty message")


def test_a_slow_model_never_makes_the_trainee_wait_beyond_the_budget(server, case):
    settings = make_settings(server, llm_timeout_seconds=1.0)
    server.enqueue(slow(4.0, sentence_judge))
    offline, outcome, seconds = _judge(case, settings)
    _assert_fell_back(offline, outcome, "time budget of 1.0s")
    assert seconds < 1.8, f"waited {seconds:.2f}s on a 1s budget"


def test_429_then_success_retries_after_the_servers_retry_after(server, settings, case):
    server.enqueue(status(429, retry_after=0.3, message="Rate limit reached"))
    server.default = ok(sentence_judge)
    _, outcome, _ = _judge(case, settings)
    assert outcome.error is None and not outcome.needs_review and outcome.judge_json["verdicts"]
    first, second = server.chat_requests
    assert second.at - first.at >= 0.3


def test_429_asking_for_longer_than_the_budget_gives_up_at_once(server, settings, case):
    server.enqueue(status(429, retry_after=30, message="Rate limit reached"))
    offline, outcome, seconds = _judge(case, settings)
    _assert_fell_back(offline, outcome, "429", "retry after 30s")
    assert len(server.chat_requests) == 1 and seconds < 1.0


def test_500_then_success_is_retried_with_backoff(server, settings, case):
    server.enqueue(status(500, message="overloaded"), status(503, message="overloaded"))
    server.default = ok(sentence_judge)
    _, outcome, _ = _judge(case, settings)
    assert outcome.error is None
    times = [r.at for r in server.chat_requests]
    assert len(times) == 3
    assert times[2] - times[1] > times[1] - times[0] > 0.2  # exponential, not a hammering loop


def test_500_every_time_stops_after_the_last_attempt(server, case):
    settings = make_settings(server, llm_timeout_seconds=10.0)
    server.default = status(500, message="internal error")
    offline, outcome, seconds = _judge(case, settings)
    _assert_fell_back(offline, outcome, "500", "internal error")
    assert len(server.chat_requests) == MAX_ATTEMPTS
    assert seconds < 5.0


@pytest.mark.parametrize("code", [400, 401, 404])
def test_client_errors_are_not_retried(server, settings, case, code):
    server.enqueue(status(code, message="you did something wrong"))
    offline, outcome, _ = _judge(case, settings)
    _assert_fell_back(offline, outcome, str(code), "you did something wrong")
    assert len(server.chat_requests) == 1


def test_an_unreachable_server_falls_back_within_the_budget(case):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(None, llm_enabled=True, llm_model="m", openai_base_url=f"http://127.0.0.1:{port}/v1")
    offline, outcome, seconds = _judge(case, settings)
    _assert_fell_back(offline, outcome, "cannot reach the LLM server")
    assert seconds < settings.llm_timeout_seconds + 0.5


def test_missing_api_key_for_openai_falls_back_without_a_request(case):
    settings = make_settings(None, llm_enabled=True, llm_model="gpt-x")
    offline, outcome, _ = _judge(case, settings)
    _assert_fell_back(offline, outcome, "OPENAI_API_KEY is not set")


def test_a_failed_judgement_is_not_cached(server, settings, case):
    cache = DictCache()
    server.enqueue(malformed())
    server.default = ok(sentence_judge)
    _, failed, _ = _judge(case, settings, cache)
    assert failed.needs_review and cache.data == {}
    _, retried, _ = _judge(case, settings, cache)
    assert retried.error is None and len(cache.data) == 1
    assert len(server.chat_requests) == 2


def test_a_broken_cache_does_not_cost_the_judgement(server, settings, case):
    server.default = ok(lambda body: judge_answer({"apology": ("meets", "I'm really sorry")}))
    _, outcome, _ = _judge(case, settings, BrokenCache())
    assert outcome.error is None and "apology" in outcome.judge_json["verdicts"]


def test_a_server_answering_another_protocol_falls_back(server, settings, case):
    server.enqueue(Behaviour(raw_body={"response": "meets", "done": True}))
    offline, outcome, _ = _judge(case, settings)
    _assert_fell_back(offline, outcome, "no choices")


def test_a_weight_outside_0_to_1_is_a_clear_error_without_a_request(server, case):
    offline, outcome, _ = _judge(case, make_settings(server, llm_weight=1.5))
    _assert_fell_back(offline, outcome, "REPLYCOACH_LLM_WEIGHT must be between 0 and 1, got 1.5")
    assert server.requests == []


def test_an_unusable_cache_entry_is_judged_afresh_and_replaced(server, settings, case):
    cache = DictCache()
    server.default = ok(sentence_judge)
    _judge(case, settings, cache)
    (key,) = cache.data
    cache.data[key] = '{"old": "format"}'
    _, outcome, _ = _judge(case, settings, cache)
    assert outcome.error is None and len(server.chat_requests) == 2
    assert "verdicts" in cache.data[key]
