"""About & status: versions, the grader and embedder in use, the LLM status, and the casebook's health
(how many cases loaded and which files failed; coaches and admins see every problem)."""

from __future__ import annotations

import streamlit as st

import replycoach
from replycoach.config import get_settings
from replycoach.storage.types import Role
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text


def render() -> None:
    user = session.require("about")
    settings = get_settings()
    st.title("About ReplyCoach")
    st.write("Practise answering negative customer feedback on real cases, graded offline and explained.")
    try:
        from grading import GRADER_VERSION
    except ImportError:
        GRADER_VERSION = "unavailable"
    rows = {
        "ReplyCoach version": replycoach.__version__,
        "Grader version": GRADER_VERSION,
        "Embedder": settings.embedder,
        "Pass mark": f"{settings.pass_mark:g}",
        "Reply limit": f"{settings.reply_limit} characters",
        "LLM": services.llm_status_text(settings),
    }
    st.table({"": list(rows), "value": [str(v) for v in rows.values()]})

    library = services.get_library()
    st.subheader("Casebook")
    failed_files = library.files_with_problems
    st.write(f"{len(library.cases)} cases loaded; {len(failed_files)} case files failed to load.")
    if failed_files:
        if user.role in (Role.coach, Role.admin):
            for problem in library.problems:
                st.code(str(problem), language=None)
        else:
            st.caption(md_text("Files with problems (a coach can see the details): " + ", ".join(failed_files)))
