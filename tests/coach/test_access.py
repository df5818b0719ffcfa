"""Every coach/HR/admin page renders for each role allowed to see it, and no other role reaches it: not by
typing its URL (the app shows the role's first page instead) and not by calling the page directly."""

from __future__ import annotations

import pytest
from coach_support import ACCESS_ERROR, app_at, attempt_for, page_as, titles

from replycoach.storage.types import Role
from replycoach.ui.navigation import allowed, pages_for

PAGES = {
    "studio": ("studio", "Case studio"),
    "review": ("review", "Review queue"),
    "calibration": ("calibration", "Calibration: coaches vs. the machine"),
    "assignments": ("assignments", "Assignments"),
    "dashboard": ("dashboard", "HR dashboard"),
    "admin_users": ("users", "Users"),
    "inbox": ("inbox", "Inbox"),
    "preferences": ("settings", "My settings"),
}
CASES = [(m, r) for m in PAGES for r in Role]


@pytest.fixture
def with_attempts(store, users):
    """A few attempts, one reviewed, so every page has something to show."""
    for i, score in enumerate([85.0, 55.0, 72.0]):
        store.add_attempt(
            attempt_for(
                users[Role.trainee],
                "price-complaint",
                score=score,
                principles={"apology": 1.0, "empathy": 0.5},
                days_ago=i + 1,
            )
        )
    first = store.list_attempts(users[Role.coach])[0]
    store.add_review(
        first.id, users[Role.coach], scores={"apology": 1.0, "empathy": 0.0}, overall=60.0, comment="ok", pass_mark=70
    )
    return users


@pytest.mark.parametrize(("module", "role"), [c for c in CASES if allowed(c[1], c[0])])
def test_page_renders_for_an_allowed_role(with_attempts, module, role):
    url_path, title = PAGES[module]
    at = app_at(with_attempts[role], url_path)
    assert not at.exception, at.exception
    assert titles(at)[:1] == [title]
    assert ACCESS_ERROR not in [e.value for e in at.error]


@pytest.mark.parametrize(("module", "role"), [c for c in CASES if not allowed(c[1], c[0])])
def test_typing_the_url_of_a_page_outside_the_role_shows_the_roles_first_page(with_attempts, module, role):
    url_path, title = PAGES[module]
    at = app_at(with_attempts[role], url_path)
    assert not at.exception, at.exception
    assert title not in titles(at)
    first = pages_for(role)[0]
    expected = {"practice": "Practice", "dashboard": "HR dashboard", "admin_users": "Users"}[first.module]
    assert titles(at)[:1] == [expected]


@pytest.mark.parametrize(("module", "role"), [c for c in CASES if not allowed(c[1], c[0])])
def test_calling_the_page_with_a_wrong_role_shows_the_access_error(with_attempts, module, role):
    at = page_as(with_attempts[role], module).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [ACCESS_ERROR]
    assert not titles(at)


@pytest.mark.parametrize("module", list(PAGES))
def test_pages_refuse_when_nobody_is_signed_in(store, module):
    at = page_as(None, module).run()
    assert [e.value for e in at.error] == [ACCESS_ERROR]
    assert not titles(at)


def test_hr_cannot_reach_the_studio_in_any_way(with_attempts):
    hr = with_attempts[Role.hr]
    assert not allowed(Role.hr, "studio")
    assert "Case studio" not in titles(app_at(hr, "studio"))
    assert [e.value for e in page_as(hr, "studio").run().error] == [ACCESS_ERROR]
