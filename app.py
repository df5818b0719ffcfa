"""ReplyCoach's Streamlit script: sign-in, then the pages of the signed-in user's role only. ``server.py`` serves
it together with the routes that keep the session in a cookie (``streamlit run server.py``).

``st.navigation`` receives only the role's pages (``replycoach.ui.navigation``), so a page outside the role
cannot be reached, also not by typing its URL; each page also checks the role itself (``session.require``).
Every rerun re-reads the user from the session in the database (``session.current_user``).
"""

from __future__ import annotations

import logging

import streamlit as st

from replycoach.config import get_settings
from replycoach.ui import services, session
from replycoach.ui.components.text import md_text
from replycoach.ui.i18n import _, role_label
from replycoach.ui.navigation import INBOX, PageSpec, all_url_paths, load_render, pages_for
from replycoach.ui.pages import login

log = logging.getLogger("replycoach.app")


def _page_callable(spec: PageSpec):
    """The page's ``render``; a page module that fails to import shows why instead of taking the app down."""
    try:
        return load_render(spec)
    except Exception as err:  # a broken page must not lock every user out of the others
        log.exception("page %s failed to load", spec.module)
        message = _("The page “{page}” could not be loaded ({error}). Please tell an admin.").format(
            page=_(spec.title), error=type(err).__name__
        )

        def unavailable() -> None:
            st.error(message)

        unavailable.__name__ = f"unavailable_{spec.module}"
        return unavailable


def _inbox_title(user) -> str:
    """ "Inbox (3)"; the plain title if the inbox cannot be counted (its page then says why)."""
    try:
        from replycoach.ui.pages.inbox import nav_title

        return nav_title(user)
    except Exception:  # like a broken page: never lock users out of the others
        log.exception("the inbox page failed to load")
        return _(INBOX.title)


def _sidebar(user) -> None:
    with st.sidebar:
        team = f" · {user.team}" if user.team else ""
        st.markdown(f"**{md_text(user.display_name)}**  \n{md_text(role_label(user.role.value) + team)}")
        if st.button(_("Sign out"), key="sign_out", icon=":material/logout:"):
            session.sign_out()
            st.rerun()
        if st.button(
            _("Sign out everywhere"), key="sign_out_everywhere", help=_("Also on your other devices and tabs")
        ):
            session.sign_out(everywhere=True)
            st.rerun()
        st.caption(_("LLM: {status}").format(status=services.llm_status_text(get_settings())))


def main() -> None:
    # An emoji icon is drawn by the browser itself; a :material/...: one would be fetched from Google's servers.
    st.set_page_config(page_title="ReplyCoach", page_icon="💬", layout="wide")
    services.warm_up_in_background(get_settings())
    user = session.current_user()
    if user is None:
        # Every page's URL shows the sign-in form (not Streamlit's "page not found"), and opens after it.
        title = _("Sign in")
        sign_in = [st.Page(login.render, title=title, icon=":material/login:", url_path="login", default=True)]
        sign_in += [st.Page(login.render, title=title, url_path=path) for path in all_url_paths()]
        st.navigation(sign_in, position="hidden").run()
        return
    sections: dict[str, list] = {}
    for spec in pages_for(user.role):
        title = _inbox_title(user) if spec is INBOX else _(spec.title)  # the unread count in the sidebar
        sections.setdefault(_(spec.section), []).append(
            st.Page(_page_callable(spec), title=title, icon=spec.icon, url_path=spec.url_path)
        )
    page = st.navigation(sections)
    _sidebar(user)
    page.run()


main()
