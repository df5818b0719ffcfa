"""What pages, the CLI and the benchmarks call: the LLM's status, the judge combined with the offline grade,
the customer who answers back, and the rewrite of a trainee's reply (``rewrite_reply``). Every failure here ends in the offline result, never in an exception the
trainee sees: the offline grade stands, ``needs_review`` is set and ``error`` says why.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from grading.result import Grade
from replycoach.cases.models import Case, Complaint
from replycoach.config import Settings
from replycoach.llm import customer as customer_mod
from replycoach.llm.client import LLMFailure, complete_json
from replycoach.llm.combine import combine
from replycoach.llm.judge import RESPONSE_SCHEMA, SCHEMA_NAME, Judgement, check_answer, judge_messages
from replycoach.llm.rewrite import rewrite_reply
from replycoach.llm.templates import JUDGE_VERSION, PROMPT_VERSION

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.openai.com/v1"


class Cache(Protocol):
    def cache_get(self, key: str) -> str | None: ...
    def cache_put(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class JudgeOutcome:
    """``grade``: the combined grade (the offline one when the judge was off or failed).
    ``judge_json``: the judge's checked verdicts, stored on the attempt as ``llm_json``.
    ``needs_review``: the judge failed, so a coach should look. ``error``: why, in words."""

    grade: Grade
    judge_json: dict | None
    needs_review: bool
    error: str | None = None


def llm_status(settings: Settings) -> str:
    """``"off"`` or ``"on: MODEL at URL"`` (with a warning when a needed key is missing)."""
    if not settings.llm_enabled:
        return "off"
    status = f"on: {settings.llm_model} at {settings.openai_base_url or DEFAULT_BASE_URL}"
    if not settings.openai_base_url and not settings.openai_api_key:
        status += " (OPENAI_API_KEY is not set: every judgement will fall back to the offline grade)"
    return status


def cache_key(case: Case | Complaint, reply: str, model: str) -> str:
    """sha256 over what determines a judgement: the case version, the reply, the model and the prompts."""
    case_hash = case.content_hash if isinstance(case, Case) else hashlib.sha256(case.text.encode()).hexdigest()
    material = json.dumps(["judge", case_hash, reply, model, PROMPT_VERSION], ensure_ascii=False)
    return "llm-judge:" + hashlib.sha256(material.encode("utf-8")).hexdigest()


def judge_reply(case: Case | Complaint, reply: str, settings: Settings, cache: Cache | None = None) -> Judgement:
    """The judge alone (no offline grade): checked verdicts, or ``LLMFailure``. Cached when ``cache`` is given."""
    key = cache_key(case, reply, settings.llm_model or "")
    raw = None
    if cache is not None:
        try:
            hit = cache.cache_get(key)
            raw = json.loads(hit) if hit else None
        except Exception:  # a broken cache must not cost the trainee the judgement
            log.warning("LLM cache read failed", exc_info=True)
    if raw is not None:
        try:
            return check_answer(raw, reply)
        except LLMFailure:  # an unreadable cache entry: judge afresh and overwrite it
            log.warning("unusable LLM cache entry %s", key)
    deadline = time.monotonic() + settings.llm_timeout_seconds
    raw = complete_json(
        settings, judge_messages(case, reply), schema_name=SCHEMA_NAME, schema=RESPONSE_SCHEMA, deadline=deadline
    )
    judgement = check_answer(raw, reply)  # raises on a schema mismatch: such answers are never cached
    if cache is not None:
        try:
            cache.cache_put(key, json.dumps(raw, ensure_ascii=False, sort_keys=True))
        except Exception:
            log.warning("LLM cache write failed", exc_info=True)
    return judgement


def judge_and_combine(
    case: Case | Complaint, reply: str, offline_grade: Grade, settings: Settings, cache: Cache | None = None
) -> JudgeOutcome:
    """Judge ``reply`` with the LLM and blend it into ``offline_grade`` (see ``combine.combine``).

    With the LLM off this returns the offline grade untouched. ``case`` is the single-language case the
    offline grade was made for. Never raises for LLM trouble: see the module docstring.
    """
    if not settings.llm_enabled:
        return JudgeOutcome(offline_grade, None, needs_review=False)
    if not 0.0 <= settings.llm_weight <= 1.0:  # a deploy mistake: say so, don't spend a request on it
        error = f"LLM judge: REPLYCOACH_LLM_WEIGHT must be between 0 and 1, got {settings.llm_weight:g}"
        return JudgeOutcome(offline_grade, None, needs_review=True, error=error)
    graded_reply = reply[: offline_grade.reply_chars] if offline_grade.truncated else reply
    started = time.monotonic()
    try:
        judgement = judge_reply(case, graded_reply, settings, cache)
    except LLMFailure as err:
        return JudgeOutcome(offline_grade, None, needs_review=True, error=f"LLM judge: {err}")
    except Exception as err:  # an unexpected bug in this optional part must not lose the attempt
        log.exception("LLM judge crashed")
        return JudgeOutcome(offline_grade, None, needs_review=True, error=f"LLM judge crashed: {err!r}")
    combined = combine(offline_grade, judgement.verdicts, settings.llm_weight, settings.pass_mark)
    judge_json = {
        "judge_version": JUDGE_VERSION,
        "prompt_version": PROMPT_VERSION,
        "model": settings.llm_model,
        "weight": settings.llm_weight,
        "seconds": round(time.monotonic() - started, 3),
        "offline_score": offline_grade.score,
        "verdicts": {pid: v.to_dict() for pid, v in judgement.verdicts.items()},
        "discarded": list(judgement.discarded),
    }
    return JudgeOutcome(combined, judge_json, needs_review=False)


def customer_turn(case: Case, thread: list[dict], last_grade: Grade, settings: Settings) -> str | None:
    """The customer's next message in ``thread``, or None when the thread is over.

    ``thread``: ``[{"role": "customer" | "trainee", "text": ...}]``, oldest first, ending with the trainee's
    latest reply; the complaint may open it or be left out. ``last_grade``: the grade of that reply. With the
    LLM the customer answers up to ``MAX_CUSTOMER_TURNS`` times; without it (or when it fails) the case's
    scripted follow-up plays once. Raises ``ValueError`` for a malformed thread.
    """
    customer_mod.validate_thread(thread)
    turns = customer_mod.customer_turns_so_far(case, thread)
    if turns >= customer_mod.MAX_CUSTOMER_TURNS:
        return None
    if settings.llm_enabled:
        messages = customer_mod.customer_messages(case, thread, last_grade, settings.pass_mark)
        try:
            raw = complete_json(
                settings,
                messages,
                schema_name=customer_mod.SCHEMA_NAME,
                schema=customer_mod.RESPONSE_SCHEMA,
                deadline=time.monotonic() + settings.llm_timeout_seconds,
            )
            return customer_mod.parse_customer_answer(raw, case)
        except LLMFailure as err:
            log.warning("LLM customer failed, playing the scripted follow-up: %s", err)
    return customer_mod.scripted_turn(case, thread, last_grade, settings.pass_mark)


__all__ = ["JudgeOutcome", "customer_turn", "judge_and_combine", "judge_reply", "llm_status", "rewrite_reply"]
