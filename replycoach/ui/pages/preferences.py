"""My settings (everyone): the time zone every time is shown in, and the interface language."""

from __future__ import annotations

import streamlit as st

from replycoach.i18n import UI_LANGUAGES
from replycoach.localtime import local_text, time_zone_choices
from replycoach.storage.types import StorageError
from replycoach.ui import services, session
from replycoach.ui.components.text import LANGUAGE_NAMES, md_text
from replycoach.ui.i18n import _

_SAVED = "preferences_saved"


def render() -> None:
    user = session.require("preferences")
    st.title(_("My settings"))
    if st.session_state.pop(_SAVED, False):
        st.success(_("Saved."))  # in the language just chosen
    zones = time_zone_choices()
    zone = st.selectbox(
        _("Time zone"),
        zones,
        index=zones.index(user.time_zone) if user.time_zone in zones else 0,
        key="preferences_time_zone",
        help=_("Every date and time in ReplyCoach is shown in this time zone."),
    )
    st.caption(_("Now it is {time} there.").format(time=local_text(session.now(), zone, with_zone=True)))
    language = st.selectbox(
        _("Interface language"),
        list(UI_LANGUAGES),
        index=UI_LANGUAGES.index(user.ui_language) if user.ui_language in UI_LANGUAGES else 0,
        format_func=LANGUAGE_NAMES.get,
        key="preferences_language",
    )
    st.caption(_("Pages, tips and principle names are shown in this language. Cases open in it when they have it."))
    if st.button(_("Save"), type="primary", key="preferences_save"):
        try:
            services.get_store().set_preferences(user.username, time_zone=zone, ui_language=language)
        except (StorageError, ValueError) as err:
            st.error(md_text(_("Not saved: {problem}").format(problem=err)))
            return
        st.session_state[_SAVED] = True  # the next rerun reads the user afresh, with the new settings
        st.rerun()
