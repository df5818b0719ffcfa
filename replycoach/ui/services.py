"""Process-wide services for the pages, created once per server process (``st.cache_resource``): the store,
the case library, the warmed grading engine. The practice actions themselves live in ``replycoach.practice``.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

from replycoach.cases.models import Case
from replycoach.config import Settings, get_settings
from replycoach.practice import GRADING_LOCK, llm_service

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


_warm_engines: set[str] = set()
_warm_up_started: set[str] = set()
_prepared_cases: set[str] = set()


def _warm_engine(name: str):
    from grading import get_engine as _get_engine

    engine = _get_engine(name)
    with GRADING_LOCK:
        if name not in _warm_engines:
            engine.warm_up()
            _warm_engines.add(name)
    return engine


@st.cache_resource(show_spinner="Loading the grading model…")
def _shipped_engine():
    """The shipped grading engine with its embedding model loaded and warmed once per process."""
    return _warm_engine(get_settings().embedder)


def get_engine():
    """The engine that grades now: the shipped one, or the grader an admin promoted (asked of the database at
    each call, so a promotion reaches every process at its next grade; ``replycoach.grader_registry``)."""
    from replycoach.grader_registry import engine_for

    return engine_for(get_store(), _shipped_engine())


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
        with GRADING_LOCK:
            engine.grade(case, case.complaint, response_seconds=0.0, handling=case.expected_handling.value)

    _in_background("replycoach-prepare-case", work)


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
