"""The practice actions: submit a reply (check, grade, judge, store), the customer's next message, and the
suggested rewrite of a stored reply.

No Streamlit and no SQL here: the actions take the store, engine and settings they work with, so the
practice page, the benchmarks and the tests all call the same code.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from grading.features.text import unreadable_reason
from replycoach.cases.models import Case
from replycoach.config import Settings
from replycoach.plain_text import control_character_message
from replycoach.storage.types import Attempt, NewAttempt, PrincipleScore, User

log = logging.getLogger(__name__)

#: Grading in this process runs one at a time: on a 2-core server the embedder is CPU-bound anyway, and it
#: keeps a background preparation and a trainee's submit from computing the same vectors twice.
GRADING_LOCK = threading.Lock()


def llm_service() -> ModuleType | None:
    """``replycoach.llm.service`` when it is installed, else None (the app then runs fully offline)."""
    try:
        return importlib.import_module("replycoach.llm.service")
    except ImportError:
        return None


class ReplyRejected(ValueError):
    """The reply cannot be submitted as it is; ``str(err)`` tells the trainee what to change."""


def check_reply(reply: str, handling: str, limit: int) -> str:
    """The reply as it will be graded, or ``ReplyRejected``: empty (unless the trainee chose not to reply),
    over the character limit, holding a control character (a NUL from a paste, say), or unreadable (only
    invisible characters or emoji, another script, keyboard mash): the trainee fixes it, the draft stays."""
    text = reply.strip()
    if (problem := control_character_message(reply, "Your reply")) is not None:
        raise ReplyRejected(problem + ".")
    if len(reply) > limit:
        raise ReplyRejected(
            f"Your reply has {len(reply)} characters; the limit is {limit}. Shorten it by {len(reply) - limit}."
        )
    if not text and handling != "no_reply":
        raise ReplyRejected('Write a reply before submitting (or choose "Don\'t reply" as the handling).')
    if text and (why := unreadable_reason(text)) is not None:
        raise ReplyRejected(why)
    return text


@dataclass(frozen=True)
class Turn:
    """What the trainee answers: the case (in the language they practise), when it opened and the token that
    makes the submit idempotent; for turn 2 the first attempt and the customer's follow-up."""

    case: Case
    opened_at: datetime
    client_token: str
    turn: int = 1
    parent_id: int | None = None
    follow_up_text: str | None = None


def submit_reply(
    store, engine, settings: Settings, user: User, turn: Turn, reply: str, handling: str, submitted_at: datetime
) -> Attempt:
    """Grade ``reply`` and store the attempt (committed) before anything is shown. Returns the stored attempt;
    the same ``turn.client_token`` twice returns the first one. Raises ``ReplyRejected`` for bad input."""
    text = check_reply(reply, handling, settings.reply_limit)
    response_seconds = max(0.0, (submitted_at - turn.opened_at).total_seconds())
    earlier = store.earlier_replies(user.id, exclude_case=turn.case.id)
    with GRADING_LOCK:
        grade = engine.grade(
            turn.case,
            text,
            response_seconds=response_seconds,
            handling=handling,
            earlier_replies=earlier,
            pass_mark=settings.pass_mark,
            follow_up=turn.follow_up_text,  # a second turn is graded as the answer to what the customer wrote
        )
    llm_json, needs_review = None, False
    service = llm_service() if settings.llm_enabled else None
    if service is not None:
        try:
            outcome = service.judge_and_combine(turn.case, text, grade, settings, cache=store)
            grade, llm_json, needs_review = outcome.grade, outcome.judge_json, outcome.needs_review
        except Exception as err:  # the offline grade stands; a coach looks at it
            log.warning("LLM judge failed, keeping the offline grade: %s", err)
            needs_review = True
    attempt = NewAttempt(
        user_id=user.id,
        case_id=turn.case.id,
        case_hash=turn.case.content_hash,
        language=turn.case.language,
        handling=handling,
        reply=text,
        opened_at=turn.opened_at,
        submitted_at=submitted_at,
        response_seconds=response_seconds,
        score=grade.score,
        passed=grade.passed,
        grader_version=grade.grader_version,
        embedder=grade.embedder,
        principles=[PrincipleScore(pid, pg.score, grade.weights.get(pid, 0.0)) for pid, pg in grade.principles.items()],
        grade_json=grade.to_dict(),
        client_token=turn.client_token,
        turn=turn.turn,
        parent_id=turn.parent_id,
        follow_up_text=turn.follow_up_text,
        llm_json=llm_json,
        needs_review=needs_review,
        pass_mark=settings.pass_mark,
    )
    return store.add_attempt(attempt)


@dataclass(frozen=True)
class CustomerMessage:
    author: str
    text: str


def customer_follow_up(case: Case, first: Attempt, settings: Settings) -> CustomerMessage | None:
    """The customer's answer to the first reply: from the LLM when it is on, else the case's scripted
    follow-up chosen by the first reply's score. None: the case has none (the conversation is over)."""
    customer = case.post.customer.display_name or case.post.customer.handle or "Customer"
    service = llm_service() if settings.llm_enabled else None
    if service is not None:
        try:
            thread = [
                {"role": "customer", "text": case.complaint},
                {"role": "trainee", "text": first.reply},
            ]
            text = service.customer_turn(case, thread, grade_from_json(first.grade_json), settings)
            return CustomerMessage(customer, text) if text else None
        except Exception as err:  # fall back to the script rather than leave the trainee without a turn
            log.warning("LLM customer turn failed, using the scripted follow-up: %s", err)
    scripted = case.follow_up_for(first.score, settings.pass_mark)
    if scripted is None:
        return None
    return CustomerMessage(scripted.author or customer, scripted.text)


def suggested_rewrite(store, engine, settings: Settings, attempt: Attempt, case: Case):
    """The rewrite of ``attempt``'s reply that grades higher (``coaching.suggest_rewrite``; the LLM's when it is
    on and grades higher, else the offline one), or None. ``case`` is the case in the attempt's language.
    Worked out once per attempt, grader version and LLM setting, and kept in the store's cache, so a reload or
    a second look costs nothing."""
    from replycoach.coaching import Rewrite, next_steps, suggest_rewrite

    if attempt.handling == "no_reply" or not attempt.reply.strip() or attempt.turn != 1:
        return None
    service = llm_service() if settings.llm_enabled else None
    key = f"rewrite:{attempt.id}:{attempt.grader_version}:{settings.llm_model if service else 'offline'}"[:200]
    cached = _cached_json(store, key)
    if cached is not None:
        return Rewrite.from_dict(cached["rewrite"]) if cached.get("rewrite") else None
    grade = grade_from_json(attempt.grade_json)
    # With the LLM judge on the stored grade is the blend; the candidates are graded offline, so they compete
    # with the offline grade the attempt got.
    baseline = float((attempt.llm_json or {}).get("offline_score", grade.score))
    candidate = service.rewrite_reply(case, attempt.reply, next_steps(case, grade), settings) if service else None
    earlier = store.earlier_replies(attempt.user_id, exclude_case=case.id)
    with GRADING_LOCK:
        rewrite = suggest_rewrite(
            case,
            attempt.reply,
            grade,
            engine,
            handling=attempt.handling,
            response_seconds=attempt.response_seconds,
            earlier_replies=earlier,
            pass_mark=settings.pass_mark,
            baseline=baseline,
            candidate=candidate,
        )
    try:
        store.cache_put(key, json.dumps({"rewrite": rewrite.to_dict() if rewrite else None}, ensure_ascii=False))
    except Exception as err:  # a cache that cannot be written only costs time next time
        log.warning("could not keep the rewrite of attempt %s: %s", attempt.id, err)
    return rewrite


def _cached_json(store, key: str) -> dict | None:
    try:
        raw = store.cache_get(key)
        return json.loads(raw) if raw else None
    except Exception as err:  # an unreadable entry is worked out again
        log.warning("unusable cache entry %s: %s", key, err)
        return None


def grade_from_json(data: dict):
    """Rebuild a ``Grade`` from its stored ``to_dict()`` form (for code that wants the value, e.g. the LLM)."""
    from grading.result import Grade

    return Grade.from_dict(data)
