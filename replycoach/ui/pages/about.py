"""About & status: versions, the grader and embedder in use, the LLM status, and the casebook's health
(how many cases loaded and which files failed; coaches and admins see every problem)."""

from __future__ import annotations

import streamlit as st

import replycoach
from replycoach.config import get_settings
from replycoach.storage.types import Role
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _


def render() -> None:
    user = session.require("about")
    settings = get_settings()
    st.title(_("About ReplyCoach"))
    st.write(_("Practise answering negative customer feedback on real cases, graded offline and explained."))
    try:
        from grading import GRADER_VERSION
    except ImportError:
        GRADER_VERSION = _("unavailable")
    promoted = services.get_store().active_grader()  # a grader an admin promoted from the team's reviews
    rows = {
        _("ReplyCoach version"): replycoach.__version__,
        _("Grader version"): promoted[0] if promoted else GRADER_VERSION,
        _("Embedder"): settings.embedder,
        _("Pass mark"): f"{settings.pass_mark:g}",
        _("Reply limit"): _("{count} characters").format(count=settings.reply_limit),
        _("LLM"): services.llm_status_text(settings),
    }
    st.table({"": list(rows), _("value"): [str(v) for v in rows.values()]})

    library = services.get_library()
    st.subheader(_("Casebook"))
    failed_files = library.files_with_problems
    st.write(
        _("{cases} cases loaded; {failed} case files failed to load.").format(
            cases=len(library.cases), failed=len(failed_files)
        )
    )
    if failed_files:
        if user.role in (Role.coach, Role.admin):
            for problem in library.problems:
                st.code(str(problem), language=None)
        else:
            st.caption(
                md_text(
                    _("Files with problems (a coach can see the details): {files}").format(
                        files=", ".join(failed_files)
                    )
                )
            )
