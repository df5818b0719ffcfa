"""The customer who answers back: the LLM persona over the real client, and the scripted fallback."""

from __future__ import annotations

import json

import pytest
from fake_server import ok, status
from llm_support import REPLY, make_grade, make_settings

from replycoach.llm import customer_turn
from replycoach.llm.client import SEED

GOOD = make_grade({"empathy": 1.0, "apology": 1.0, "concrete_promise": 1.0, "remedy": 1.0})  # 100
MEDIOCRE = make_grade({"empathy": 1.0, "apology": 1.0, "concrete_promise": 0.0, "remedy": 0.5})  # 62.5
BAD = make_grade({"empathy": 0.0, "apology": 0.0, "no_blame": 0.0, "remedy": 0.5})  # 12.5


def _user_prompt(server) -> str:
    return server.chat_requests[-1].body["messages"][-1]["content"]


def _mood_aware_customer(body: dict) -> str:
    """A deterministic 'model' that reacts to the direction the prompt gives, as a real one should."""
    prompt = body["messages"][-1]["content"]
    if "React: calmer" in prompt:
        return json.dumps({"author": "", "text": "ok, thanks. waiting for the call before 6 then."})
    if "React: press" in prompt:
        return json.dumps({"author": "Daria K.", "text": "so when exactly?"})
    return json.dumps({"author": "Mila", "text": "same here, they never answer properly"})


def test_a_good_reply_gets_a_calmer_customer(server, settings, case):
    server.default = ok(_mood_aware_customer)
    thread = [{"role": "customer", "text": case.complaint}, {"role": "trainee", "text": REPLY}]
    text = customer_turn(case, thread, GOOD, settings)

    assert text == "ok, thanks. waiting for the call before 6 then."
    body = server.chat_requests[-1].body
    assert body["temperature"] == 0 and body["seed"] == SEED
    prompt = _user_prompt(server)
    assert "tired and angry" in prompt and "the price difference back" in prompt and "short, no capitals" in prompt
    assert "Daria K." in prompt and "Prices only visible at the till" in prompt
    assert prompt.count(case.complaint) == 1  # the complaint opens the thread once, not twice
    assert f"staff: {REPLY}" in prompt


def test_a_weak_promise_makes_the_customer_press_on_it(server, settings, case):
    server.default = ok(_mood_aware_customer)
    text = customer_turn(case, [{"role": "trainee", "text": "We'll look into it."}], MEDIOCRE, settings)
    assert text == "so when exactly?"  # the customer named themself: no "Author:" prefix
    prompt = _user_prompt(server)
    assert "so when exactly?" in prompt.split("What the last answer missed:")[1]
    assert "nothing offered" not in prompt  # remedy at 0.5 is not weak


def test_a_bad_reply_escalates_and_another_user_joins(server, settings, case):
    server.default = ok(_mood_aware_customer)
    text = customer_turn(case, [{"role": "trainee", "text": "Read the price tags next time."}], BAD, settings)
    assert text == "Mila: same here, they never answer properly"
    assert "React: escalate" in _user_prompt(server)


def test_the_customer_stops_after_three_turns(server, settings, case):
    server.default = ok(_mood_aware_customer)
    thread = [{"role": "trainee", "text": "r1"}]
    for turn in range(3):
        thread.append({"role": "customer", "text": f"c{turn}"})
        thread.append({"role": "trainee", "text": f"r{turn + 2}"})
    assert customer_turn(case, thread, GOOD, settings) is None
    assert server.requests == []


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        (GOOD, "ok, waiting for your call then."),
        (MEDIOCRE, "And when exactly will someone call me?"),
        (BAD, "Mila: Same here, worst sale ever."),
    ],
)
def test_without_an_llm_the_scripted_follow_up_plays_once(case, grade, expected):
    settings = make_settings(None)
    thread = [{"role": "customer", "text": case.complaint}, {"role": "trainee", "text": REPLY}]
    assert customer_turn(case, thread, grade, settings) == expected
    thread += [{"role": "customer", "text": expected}, {"role": "trainee", "text": "Tomorrow at 10."}]
    assert customer_turn(case, thread, grade, settings) is None


def test_a_case_without_follow_ups_ends_the_thread(case):
    bare = case.model_copy(update={"follow_ups": []})
    assert customer_turn(bare, [{"role": "trainee", "text": REPLY}], GOOD, make_settings(None)) is None


def test_an_llm_failure_plays_the_scripted_follow_up(server, settings, case):
    server.default = status(500, message="down")
    text = customer_turn(case, [{"role": "trainee", "text": "We'll look into it."}], MEDIOCRE, settings)
    assert text == "And when exactly will someone call me?"


def test_an_empty_llm_message_plays_the_scripted_follow_up(server, settings, case):
    server.default = ok(json.dumps({"author": "", "text": "   "}))
    assert (
        customer_turn(case, [{"role": "trainee", "text": REPLY}], GOOD, settings) == "ok, waiting for your call then."
    )


@pytest.mark.parametrize(
    ("thread", "message"),
    [
        ([], "the thread is empty"),
        ([{"role": "trainee", "text": "hi"}, {"role": "customer", "text": "hm"}], "last message is the customer's"),
        ([{"role": "agent", "text": "hi"}], "thread[0] must be"),
        ([{"role": "trainee"}], "thread[0] must be"),
        (["hello"], "thread[0] must be"),
    ],
)
def test_a_malformed_thread_is_a_clear_error(case, thread, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        customer_turn(case, thread, GOOD, make_settings(None))
