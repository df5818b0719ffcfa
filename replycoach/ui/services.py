"""Process-wide services for the pages, created once per server process (``st.cache_resource``)."""

from __future__ import annotations

import streamlit as st

from replycoach.config import get_settings


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


@st.cache_resource(show_spinner="Loading the grading model…")
def get_engine():
    """The grading engine with its embedding model loaded once per process."""
    from grading import get_engine as _get_engine

    engine = _get_engine(get_settings().embedder)
    engine.warm_up()
    return engine
