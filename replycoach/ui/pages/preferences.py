"""My settings (everyone): the time zone every time is shown in, and the interface language."""

from __future__ import annotations

import streamlit as st

from replycoach.cases.models import LANGUAGES
from replycoach.localtime import local_text, time_zone_choices
from replycoach.storage.types import StorageError
from replycoach.ui import services, session
from replycoach.ui.components.text import LANGUAGE_NAMES, md_text

_SAVED = "preferences_saved"


def render() -> None:
    user = session.require("preferences")
    st.title("My settings")
    if st.session_state.get(_SAVED):
        st.success(st.session_state.pop(_SAVED))
    zones = time_zone_choices()
    zone = st.selectbox(
        "Time zone",
        zones,
        index=zones.index(user.time_zone) if user.time_zone in zones else 0,
        key="preferences_time_zone",
        help="Every date and time in ReplyCoach is shown in this time zone.",
    )
    st.caption(f"Now it is {local_text(session.now(), zone, with_zone=True)} there.")
    language = st.selectbox(
        "Interface language",
        list(LANGUAGES),
        index=list(LANGUAGES).index(user.ui_language) if user.ui_language in LANGUAGES else 0,
        format_func=LANGUAGE_NAMES.get,
        key="preferences_language",
    )
    st.caption(
        "The interface is in English for now; your choice is kept for when it speaks your language. "
        "Cases open in this language when they have it."
    )
    if st.button("Save", type="primary", key="preferences_save"):
        try:
            services.get_store().set_preferences(user.username, time_zone=zone, ui_language=language)
        except (StorageError, ValueError) as err:
            st.error(md_text(f"Not saved: {err}"))
            return
        st.session_state[_SAVED] = "Saved."  # the next rerun reads the user afresh, with the new settings
        st.rerun()
