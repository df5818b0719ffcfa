"""Signing in, signing out, and which pages each role reaches (also by URL)."""

from __future__ import annotations

import pytest
from streamlit.util import calc_hash
from ui_support import PASSWORDS, app_for, markdown_of, sign_in

from replycoach.storage.types import Role
from replycoach.ui.navigation import pages_for
from replycoach.ui.session import TOKEN_KEY


def _sign_in(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def test_wrong_password_and_unknown_user_get_the_same_generic_message(users):
    at = app_for().run()
    assert not at.exception
    wrong_password = _sign_in(at, "trainee", "not-the-password").error[0].value
    at = app_for().run()
    unknown_user = _sign_in(at, "nobody-here", "not-the-password").error[0].value
    assert wrong_password == unknown_user == "Wrong user name or password."
    assert TOKEN_KEY not in at.session_state
    assert at.text_input(key="login_username").value == "nobody-here"  # what was typed stays


def test_repeated_failures_show_the_wait_and_a_refusal_says_so(users):
    at = app_for().run()
    answers = []
    for _ in range(3):
        answers.append(_sign_in(at, "trainee", "wrong-password-again").error[0].value)
    assert answers[:2] == ["Wrong user name or password."] * 2
    assert answers[2] == "Wrong user name or password. Too many attempts: wait 1 s before the next try."
    refused = _sign_in(at, "trainee", PASSWORDS[Role.trainee]).error[0].value  # within the second: not checked
    assert refused.startswith("Too many attempts: wait") and "Wrong" not in refused


def test_empty_fields_ask_for_both(users):
    at = _sign_in(app_for().run(), "", "")
    assert at.error[0].value == "Enter your username and password."


def test_sign_in_shows_the_role_pages_and_sign_out_returns_to_sign_in(users):
    at = _sign_in(app_for().run(), "trainee", PASSWORDS[Role.trainee])
    assert not at.exception
    assert at.session_state[TOKEN_KEY]
    assert at.title[0].value == "Practice"  # the first page of the role
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "Trainee Tester" in sidebar and "trainee" in sidebar
    assert any("LLM: off" in c.value for c in at.sidebar.caption)
    at.sidebar.button(key="sign_out").click().run()
    assert TOKEN_KEY not in at.session_state
    assert at.button(key="login_submit")
    assert [i.value for i in at.info] == ["You signed out."]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("module", ["practice", "progress", "about"])
def test_my_pages_render_for_allowed_roles_and_never_for_others(users, role, module):
    user = users[role]
    spec = next((p for p in pages_for(role) if p.module == module), None)
    at = app_for(user)
    at.run()
    at._page_hash = calc_hash(module if spec is None else spec.url_path)  # as if the URL were typed
    at.run()
    assert not at.exception
    titles = {"practice": "Practice", "progress": "My progress", "about": "About ReplyCoach"}
    shown = [t.value for t in at.title]
    if spec is not None:
        assert shown[:1] == [titles[module]]
    else:
        assert titles[module] not in shown  # Streamlit falls back to the role's first page


@pytest.mark.parametrize("url_path", ["studio", "review", "calibration", "assignments", "dashboard", "users"])
def test_a_trainee_typing_a_coach_or_hr_url_gets_the_practice_page(users, url_path):
    at = app_for(users[Role.trainee]).run()
    at._page_hash = calc_hash(url_path)
    at.run()
    assert not at.exception
    assert [t.value for t in at.title][:1] == ["Practice"]
    text = markdown_of(at)
    for other in ("Case studio", "Review queue", "Calibration", "HR dashboard", "Users"):
        assert other not in [t.value for t in at.title]
    assert "Case studio" not in text


def _render_page_as(user, module: str):
    from streamlit.testing.v1 import AppTest

    def script(module_name: str):
        import importlib

        importlib.import_module(f"replycoach.ui.pages.{module_name}").render()

    at = AppTest.from_function(script, args=(module,), default_timeout=30)
    return sign_in(at, user).run()


@pytest.mark.parametrize("module", ["practice", "progress"])
def test_pages_refuse_a_role_they_are_not_for_even_when_called_directly(users, module):
    at = _render_page_as(users[Role.hr], module)
    assert not at.exception
    assert at.error[0].value == "You don't have access to this page."
    assert not at.title  # nothing of the page itself


def test_pages_refuse_when_nobody_is_signed_in(app_env):
    from streamlit.testing.v1 import AppTest

    def script():
        from replycoach.ui.pages import about

        about.render()

    at = AppTest.from_function(script, default_timeout=30).run()
    assert at.error[0].value == "You don't have access to this page."
