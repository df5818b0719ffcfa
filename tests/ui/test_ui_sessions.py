"""Sessions as the pages see them: every rerun re-reads the user, so an admin's change reaches an open tab at the
next click; and the case a trainee has open comes back after a reload with its draft and its original clock.

Before (findings 1 and 11): the signed-in user was a copy in the tab's memory (a deactivated trainee still
submitted, a demoted coach still opened the studio), and a reload lost the case, the draft and the clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from streamlit.util import calc_hash
from ui_support import PASSWORDS, app_for, html_of

from replycoach.storage.models import SessionRow
from replycoach.storage.types import AttemptFilter, Role
from replycoach.ui.session import TOKEN_KEY

DRAFT = "Maria, we are so sorry about the hole in your new dress."


def _sign_in_page(at) -> bool:
    return any(b.key == "login_submit" for b in at.button)


@pytest.fixture
def trainee(users):
    return users[Role.trainee]


def test_a_deactivated_trainee_cannot_submit_from_a_tab_left_open(store, trainee):
    at = app_for(trainee).run()
    at.button(key="open_dress-hole_en").click().run()
    at.radio[0].set_value("public_reply")
    at.text_area[0].input(DRAFT).run()
    store.set_active("trainee", False)  # an admin, meanwhile
    at.button(key="submit_reply").click().run()
    assert not at.exception
    assert _sign_in_page(at) and TOKEN_KEY not in at.session_state
    assert "an admin's change to your account" in at.info[0].value
    assert store.count_attempts(trainee, AttemptFilter(turn=None)) == 0


def test_a_demoted_coach_loses_the_studio_at_the_next_click(store, users):
    at = app_for(users[Role.coach]).run()
    at._page_hash = calc_hash("studio")  # as if the studio's URL were typed (AppTest has no public way)
    at.run()
    assert [t.value for t in at.title][:1] == ["Case studio"]
    store.set_role("coach", Role.trainee)
    at.run()
    assert _sign_in_page(at)
    at.text_input(key="login_username").input("coach")
    at.text_input(key="login_password").input(PASSWORDS[Role.coach])
    at.button(key="login_submit").click().run()
    assert [t.value for t in at.title][:1] == ["Practice"]  # signed in again: the trainee's pages only


def test_an_idle_session_ends_with_a_message(store, trainee):
    at = app_for(trainee).run()
    with store.engine.begin() as connection:  # as if the tab had been left alone for three hours
        three_hours_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=3)  # stored as naive UTC
        connection.execute(update(SessionRow).values(last_seen_at=three_hours_ago))
    at.run()
    assert _sign_in_page(at)
    assert at.info[0].value == "You were signed out after a while without activity: sign in again."


def test_sign_out_everywhere_ends_the_other_tabs(store, trainee):
    here, there = app_for(trainee).run(), app_for(trainee).run()
    here.sidebar.button(key="sign_out_everywhere").click().run()
    assert _sign_in_page(here) and here.info[0].value == "You signed out everywhere."
    there.run()
    assert _sign_in_page(there)
    assert store.open_sessions(trainee.id) == 0


def _opened_ms(at) -> int:
    clock = next(el.proto.body for el in at.get("html") if 'id="rc-clock"' in el.proto.body)
    return int(re.search(r'data-opened-ms="(\d+)"', clock).group(1))


def test_a_reload_mid_case_brings_back_the_case_the_draft_and_the_original_clock(store, trainee):
    first = app_for(trainee).run()
    first.button(key="open_dress-hole_en").click().run()
    first.radio[0].set_value("public_then_private")
    first.text_area[0].input(DRAFT).run()
    opened_ms = _opened_ms(first)

    reloaded = app_for(trainee).run()  # a new tab or a reload: nothing of the old tab's memory
    assert not reloaded.exception
    assert _opened_ms(reloaded) == opened_ms  # the clock still runs from when the case was opened
    assert reloaded.text_area[0].value == DRAFT
    assert reloaded.radio[0].value == "public_then_private"
    assert "Linden Fashion" in html_of(reloaded)

    reloaded.button(key="submit_reply").click().run()
    [attempt] = store.list_attempts(trainee, AttemptFilter(turn=None))
    assert attempt.reply == DRAFT and int(attempt.opened_at.timestamp() * 1000) == opened_ms
    assert store.practice_draft(trainee) is None  # submitted: nothing left open
    assert [b.key for b in app_for(trainee).run().button if b.key == "submit_reply"] == []


def test_back_to_cases_puts_the_draft_away(store, trainee):
    at = app_for(trainee).run()
    at.button(key="open_dress-hole_en").click().run()
    at.text_area[0].input(DRAFT).run()
    at.button(key="back_to_cases").click().run()
    again = app_for(trainee).run()
    assert any(b.key == "open_dress-hole_en" for b in again.button)
    assert store.practice_draft(trainee) is None


def test_a_control_character_in_the_reply_is_flagged_at_once_and_not_stored(store, trainee):
    at = app_for(trainee).run()
    at.button(key="open_dress-hole_en").click().run()
    at.text_area[0].input("Sorry\x00 about that").run()
    assert "Your reply contains a control character (U+0000) at position 6" in at.error[0].value
    at.radio[0].set_value("public_reply")
    at.button(key="submit_reply").click().run()
    assert "control character" in at.error[0].value
    assert store.list_attempts(trainee, AttemptFilter(turn=None)) == []
    assert store.practice_draft(trainee).reply == ""  # the text with the NUL was never written
