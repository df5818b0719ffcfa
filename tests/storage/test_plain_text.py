"""NUL and other control characters are refused with a clear message before anything is stored, on SQLite and
PostgreSQL (which cannot store NUL at all: before, a reply with one raised the driver's error, SQL and all)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from storage_helpers import PASSWORD, T0, new_attempt

import grading
from replycoach import practice
from replycoach.cases.loader import load_library
from replycoach.config import get_settings
from replycoach.plain_text import control_character, control_character_message
from replycoach.storage.types import AttemptFilter, Role

CASES = Path(__file__).resolve().parents[1] / "ui" / "cases"
CONTROL = ["\x00", "\x07", "\x1b", "\x7f"]


@pytest.mark.parametrize("char", CONTROL)
def test_the_rule_names_the_character_and_where_it_is(char):
    assert control_character(f"ab{char}c") == (2, char)
    message = control_character_message(f"ab{char}c", "Your reply")
    assert message.startswith(f"Your reply contains a control character (U+{ord(char):04X}) at position 3")


def test_tabs_and_line_breaks_are_text():
    assert control_character("line one\r\nline\ttwo\n") is None


@pytest.fixture
def olga(store):
    return store.add_user("olga", PASSWORD, Role.trainee, team="Store A")


def test_a_reply_with_nul_is_rejected_before_grading_and_nothing_is_stored(store, olga):
    case = load_library(CASES).cases["dress-hole"]
    turn = practice.Turn(case, T0 - timedelta(minutes=2), "token-nul")
    with pytest.raises(practice.ReplyRejected, match=r"Your reply contains a control character \(U\+0000\)"):
        practice.submit_reply(
            store, grading.get_engine("rules"), get_settings(), olga, turn, "Sorry\x00!", "public_reply", T0
        )
    assert store.count_attempts(olga, AttemptFilter(turn=None)) == 0


@pytest.mark.parametrize("char", CONTROL)
def test_the_facade_refuses_control_characters_in_every_text_it_stores(store, olga, char):
    with pytest.raises(ValueError, match="The reply contains a control character"):
        store.add_attempt(new_attempt(olga, reply=f"We are sorry{char}"))
    with pytest.raises(ValueError, match="The display name contains a control character"):
        store.add_user("eve", PASSWORD, Role.trainee, display_name=f"Eve{char}")
    with pytest.raises(ValueError, match="The team name contains a control character"):
        store.set_team("olga", f"Store{char}B")
    coach = store.add_user("coach", PASSWORD, Role.coach)
    attempt = store.add_attempt(new_attempt(olga))
    with pytest.raises(ValueError, match="The comment contains a control character"):
        store.add_review(attempt.id, coach, scores={}, overall=50.0, comment=f"Good{char}", pass_mark=70)
    assert [u.username for u in store.list_users()] == ["coach", "olga"]
    assert store.find_user("olga").team == "Store A"
    assert store.get_attempt(attempt.id, coach).review is None
    assert store.count_attempts(olga) == 1


def test_case_text_with_an_escaped_nul_is_a_case_problem(tmp_path):
    text = (CASES / "dress-hole.yaml").read_text(encoding="utf-8")
    (tmp_path / "dress-hole.yaml").write_text(text.replace("title: ", 'title: "Hi\\0" #', 1), "utf-8")
    library = load_library(tmp_path)
    assert library.cases == {}
    [problem] = library.problems
    assert problem.loc == ("title",)
    assert "contains a control character (U+0000) at position 3" in problem.message
