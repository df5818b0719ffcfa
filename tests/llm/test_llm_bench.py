"""``judge_agreement`` on a tiny dev set against the local server."""

from __future__ import annotations

import json

from fake_server import ok, status
from llm_support import make_settings, reply_in_request

from grading.model.devset import row_problems
from replycoach.llm.bench import judge_agreement


def _row(rid: str, reply: str, principles: dict, *, case: str = "checkout-queue", language: str = "en") -> dict:
    row = {
        "id": rid,
        "case": case,
        "language": language,
        "handling": "public_reply",
        "response_seconds": 60,
        "reply": reply,
        "category": "good",
        "coach": {"overall": 50, "principles": principles},
        "note": "test row",
    }
    assert row_problems(row) == []  # the rows have the real dev set's shape
    return row


def _keyword_judge(body: dict) -> str:
    """A deterministic 'model': apology and concrete_promise by keywords, quoting the reply's own words."""
    reply = reply_in_request(body)
    verdicts = []
    sorry = next((w for w in ("sorry", "Sorry") if w in reply), None)
    verdicts.append(
        {"principle": "apology", "level": "meets" if sorry else "misses", "quote": sorry or "", "reason": ""}
    )
    if "today" in reply:
        promise = ("meets", "today")
    elif "look into it" in reply:
        promise = ("partly", "look into it")
    else:
        promise = ("misses", "")
    verdicts.append({"principle": "concrete_promise", "level": promise[0], "quote": promise[1], "reason": ""})
    verdicts.append({"principle": "empathy", "level": "meets", "quote": "invented words", "reason": ""})
    return json.dumps({"verdicts": verdicts})


def test_judge_agreement_reports_kappa_failures_and_skips(server, case):
    rows = [
        _row("r0", "Sorry, a failed call.", {"apology": 1}),
        _row("r1", "I'm so sorry, I will call you today.", {"apology": 1, "concrete_promise": 1, "empathy": 1}),
        _row("r2", "Read the tags next time.", {"apology": 0, "concrete_promise": 0, "empathy": 0}),
        _row("r3", "Sorry about that. We'll look into it.", {"apology": 1, "concrete_promise": 0.5}),
        _row("r4", "Hello", {"apology": 1}, case="no-such-case"),
        _row("r5", "Hallo", {"apology": 1}, language="de"),
    ]
    server.enqueue(status(400, message="bad request"))  # r0's judgement fails
    server.default = ok(_keyword_judge)
    markdown = judge_agreement(rows, make_settings(server), cases={case.id: case})

    assert "6 replies: 3 judged, 1 failed, 2 skipped" in markdown
    assert "case not in the casebook: 1" in markdown and "case has no de version: 1" in markdown
    assert "Verdicts dropped for a quote not in the reply (or credit with no quote): 3 of 9" in markdown
    assert "| apology | 3 | 1.00 | 100% | 0.00 |" in markdown
    assert "| concrete_promise | 3 | 1.00 | 100% | 0.00 |" in markdown
    assert "| empathy | 0 | n/a | n/a | n/a |" in markdown  # every empathy quote was invented
    assert len(server.chat_requests) == 4


def test_judge_agreement_with_the_llm_off_says_how_to_turn_it_on(case):
    markdown = judge_agreement([_row("r1", "Sorry", {"apology": 1})], make_settings(None), cases={case.id: case})
    assert "REPLYCOACH_LLM=on" in markdown
