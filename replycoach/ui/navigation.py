"""Which pages each role gets. ``st.navigation`` only ever receives the pages of the signed-in user's role,
so a page that is not in that list cannot be reached, also not by typing its URL (Streamlit then shows the
default page)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from replycoach.i18n import N_
from replycoach.storage.types import Role


@dataclass(frozen=True)
class PageSpec:
    module: str  # module under replycoach.ui.pages with a render() function
    title: str  # in English, the message id of its translation (the app shows it translated)
    icon: str
    url_path: str
    section: str  # ditto


PRACTICE = PageSpec("practice", N_("Practice"), ":material/edit_note:", "practice", N_("Practice"))
PROGRESS = PageSpec("progress", N_("My progress"), ":material/trending_up:", "progress", N_("Practice"))
INBOX = PageSpec("inbox", N_("Inbox"), ":material/inbox:", "inbox", N_("You"))
PREFERENCES = PageSpec("preferences", N_("My settings"), ":material/tune:", "settings", N_("You"))
STUDIO = PageSpec("studio", N_("Case studio"), ":material/edit_document:", "studio", N_("Coach"))
REVIEW = PageSpec("review", N_("Review queue"), ":material/rate_review:", "review", N_("Coach"))
CALIBRATION = PageSpec("calibration", N_("Calibration"), ":material/balance:", "calibration", N_("Coach"))
ASSIGNMENTS = PageSpec("assignments", N_("Assignments"), ":material/assignment:", "assignments", N_("Coach"))
DASHBOARD = PageSpec("dashboard", N_("HR dashboard"), ":material/monitoring:", "dashboard", N_("HR"))
ADMIN_USERS = PageSpec("admin_users", N_("Users"), ":material/manage_accounts:", "users", N_("Admin"))
SETTINGS = PageSpec("about", N_("About & status"), ":material/info:", "about", N_("Help"))

PAGES_BY_ROLE: dict[Role, tuple[PageSpec, ...]] = {
    Role.trainee: (PRACTICE, PROGRESS, INBOX, PREFERENCES, SETTINGS),
    Role.coach: (PRACTICE, PROGRESS, STUDIO, REVIEW, CALIBRATION, ASSIGNMENTS, INBOX, PREFERENCES, SETTINGS),
    Role.hr: (DASHBOARD, PREFERENCES, SETTINGS),
    Role.admin: (
        ADMIN_USERS, DASHBOARD, STUDIO, REVIEW, CALIBRATION, ASSIGNMENTS, PRACTICE, PROGRESS, INBOX, PREFERENCES,
        SETTINGS,
    ),
}  # fmt: skip


def pages_for(role: Role) -> tuple[PageSpec, ...]:
    return PAGES_BY_ROLE[role]


def all_url_paths() -> list[str]:
    """Every page's URL path, each once, in a stable order."""
    return list(dict.fromkeys(spec.url_path for specs in PAGES_BY_ROLE.values() for spec in specs))


def allowed(role: Role, module: str) -> bool:
    """Pages call this too (defence in depth): a page refuses to render for a role it is not listed for."""
    return any(p.module == module for p in PAGES_BY_ROLE[role])


def load_render(spec: PageSpec):
    return importlib.import_module(f"replycoach.ui.pages.{spec.module}").render


def switch_to(spec: PageSpec, query_params: dict[str, str] | None = None) -> None:
    """Go to another page of the app (``st.switch_page`` needs the same callable and URL path as in
    ``st.navigation``)."""
    import streamlit as st

    st.switch_page(st.Page(load_render(spec), title=spec.title, url_path=spec.url_path), query_params=query_params)
