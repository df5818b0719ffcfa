"""Process-wide services for the pages, created once per server process (``st.cache_resource``), and the
practice actions the pages call (submit a reply, the customer's next message). The actions hold no
Streamlit state: they take the store, engine and settings they work with, so a benchmark can call them too.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

import streamlit as st

from replycoach.cases.models import Case
from replycoach.config import Settings, get_settings
from replycoach.storage.types import Attempt, NewAttempt, PrincipleScore, User

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def get_store():
    """The storage facade, migrated to head."""
    from replycoach.storage.facade import Store

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.database_url)
    store.upgrade()
    return store


def get_library():
    """Every valid case plus the files that failed and why. Re-read when a case file changes (cheap: the
    loader caches by file modification time), so a coach's saved edit shows up without a restart."""
    from replycoach.cases.loader import load_library

    return load_library(get_settings().scenarios_dir)


#: Grading in this process runs one at a time: on a 2-core server the embedder is CPU-bound anyway, and it
#: keeps a background preparation and a trainee's submit from computing the same vectors twice.
_GRADING_LOCK = threading.Lock()
_warm_engines: set[str] = set()
_warm_up_started: set[str] = set()
_prepared_cases: set[str] = set()


def _warm_engine(name: str):
    from grading import get_engine as _get_engine

    engine = _get_engine(name)
    with _GRADING_LOCK:
        if name not in _warm_engines:
            engine.warm_up()
            _warm_engines.add(name)
    return engine


@st.cache_resource(show_spinner="Loading the grading model…")
def get_engine():
    """The grading engine with its embedding model loaded and warmed once per process."""
    return _warm_engine(get_settings().embedder)


def _in_background(name: str, work) -> None:
    def guarded() -> None:
        try:
            work()
        except Exception:  # background preparation only saves time; a failure shows up at submit
            log.exception("%s failed", name)

    threading.Thread(target=guarded, name=name, daemon=True).start()


def warm_up_in_background(settings: Settings) -> None:
    """Load and warm the grading model when the server starts, not when the first trainee submits."""
    if settings.embedder not in _warm_up_started:
        _warm_up_started.add(settings.embedder)
        _in_background("replycoach-warm-up", lambda: _warm_engine(settings.embedder))


def prepare_case_in_background(case: Case, settings: Settings) -> None:
    """While the trainee reads and writes, grade a throwaway reply to ``case`` so its exemplars and key
    facts are embedded (the embedder caches vectors): the real submit then only embeds the reply."""
    key = f"{settings.embedder}:{case.content_hash}"
    if key in _prepared_cases:
        return
    _prepared_cases.add(key)

    def work() -> None:
        engine = _warm_engine(settings.embedder)
        with _GRADING_LOCK:
            engine.grade(case, case.complaint, response_seconds=0.0, handling=case.expected_handling.value)

    _in_background("replycoach-prepare-case", work)


def llm_service() -> ModuleType | None:
    """``replycoach.llm.service`` when it is installed, else None (the app then runs fully offline)."""
    try:
        return importlib.import_module("replycoach.llm.service")
    except ImportError:
        return None


def llm_status_text(settings: Settings) -> str:
    """ "off", or "on: model at base_url" as the LLM service reports it."""
    service = llm_service()
    if service is None:
        return "off" if not settings.llm_enabled else "off (the LLM module is not installed)"
    try:
        return str(service.llm_status(settings))
    except Exception as err:  # a status line must never take a page down
        log.warning("llm_status failed: %s", err)
        return f"unavailable ({type(err).__name__})"


# --- practice actions --------------------------------------------------------------------------------------


class ReplyRejected(ValueError):
    """The reply cannot be submitted as it is; ``str(err)`` tells the trainee what to change."""


def check_reply(reply: str, handling: str, limit: int) -> str:
    """The reply as it will be graded, or ``ReplyRejected``: empty (unless the trainee chose not to reply) or
    over the character limit."""
    text = reply.strip()
    if len(reply) > limit:
        raise ReplyRejected(
            f"Your reply has {len(reply)} characters; the limit is {limit}. Shorten it by {len(reply) - limit}."
        )
    if not text and handling != "no_reply":
        raise ReplyRejected('Write a reply before submitting (or choose "Don\'t reply" as the handling).')
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
    with _GRADING_LOCK:
        grade = engine.grade(
            turn.case,
            text,
            response_seconds=response_seconds,
            handling=handling,
            earlier_replies=earlier,
            pass_mark=settings.pass_mark,
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


def grade_from_json(data: dict):
    """Rebuild a ``Grade`` from its stored ``to_dict()`` form (for code that wants the value, e.g. the LLM)."""
    from grading.result import Evidence, Grade, PrincipleGrade

    principles = {
        pid: PrincipleGrade(
            principle=pg["principle"],
            score=pg.get("score"),
            evidence=tuple(Evidence(**ev) for ev in pg.get("evidence") or ()),
            tip=pg.get("tip"),
            grader=pg.get("grader", ""),
            error=pg.get("error"),
        )
        for pid, pg in (data.get("principles") or {}).items()
    }
    fields = {k: v for k, v in data.items() if k not in ("principles", "warnings")}
    return Grade(principles=principles, warnings=tuple(data.get("warnings") or ()), **fields)
