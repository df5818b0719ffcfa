"""The practice page: the case list, an open case, submitting, feedback, the second turn, reloads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from ui_support import app_for, html_of, markdown_of

from replycoach.storage.types import AttemptFilter, Role

GOOD_REPLY = (
    "Maria, we are so sorry about the hole in your new dress, and that nobody told you at the till. "
    "Please send us a private message with your receipt and we will exchange it or refund you today. "
    "Thank you for telling us."
)


@pytest.fixture
def trainee(users):
    return users[Role.trainee]


def _open(at, case_id: str, lang: str = "en"):
    at.button(key=f"open_{case_id}_{lang}").click().run()
    assert not at.exception
    return at


def _answer(at, reply: str, handling: str = "public_then_private"):
    at.radio[0].set_value(handling)
    at.text_area[0].input(reply)
    return at.button(key="submit_reply").click().run()


def _attempts(store, user):
    return store.list_attempts(user, AttemptFilter(turn=None))


def test_case_list_puts_assigned_cases_first_with_their_due_date(store, users, trainee):
    due = date.today() + timedelta(days=3)
    store.assign("hostile-markup", users[Role.coach], username="trainee", due=due)
    at = app_for(trainee).run()
    assert not at.exception
    open_buttons = [b.key for b in at.button if b.key and b.key.startswith("open_")]
    assert open_buttons[0] == "open_hostile-markup_en"
    assert f"Assigned, due {due.isoformat()}" in markdown_of(at)


def test_filters_narrow_the_list(store, trainee):
    at = app_for(trainee).run()
    at.multiselect(key="filter_kind").set_value(["constructive"]).run()
    keys = {b.key for b in at.button if b.key and b.key.startswith("open_")}
    assert keys == {"open_dress-hole_en", "open_dress-hole_de"}
    at.multiselect(key="filter_kind").set_value([]).run()
    at.selectbox(key="filter_language").set_value("de").run()
    keys = {b.key for b in at.button if b.key and b.key.startswith("open_")}
    assert keys == {"open_dress-hole_de"}  # only that case has German, and only German is offered
    at.selectbox(key="filter_language").set_value("any")
    at.multiselect(key="filter_difficulty").set_value(["hard"]).run()
    assert "No case matches these filters." in [i.value for i in at.info]


def test_not_yet_done_hides_cases_with_an_attempt(store, trainee, graded):
    graded(trainee, "dress-hole")
    at = app_for(trainee).run()
    assert "Done" in markdown_of(at)
    at.checkbox(key="filter_not_done").check().run()
    keys = {b.key for b in at.button if b.key and b.key.startswith("open_")}
    assert keys == {"open_hostile-markup_en"}


def test_open_case_shows_the_post_clock_handling_and_reply_box(trainee):
    from replycoach.config import get_settings

    at = _open(app_for(trainee).run(), "dress-hole")
    page = html_of(at)
    for expected in ("Linden Fashion", "@lindenfashion", "Maria Weber", "@maria.w", "just now", "Facebook"):
        assert expected in page
    assert 'id="rc-clock"' in page and "target 7 min" in page
    assert at.radio[0].options == [
        "Reply publicly",
        "Reply publicly and move to private messages",
        "Don't reply",
        "Hide the comment and contact privately",
        "Escalate to a senior person",
    ]
    assert at.text_area[0].proto.max_chars == get_settings().reply_limit
    assert "0 / 2000 characters" in [c.value for c in at.caption]
    # the real brand's reply is shown only after an attempt
    assert "Please write to us in direct messages" not in page


def test_open_in_german_shows_the_translation(trainee):
    at = _open(app_for(trainee).run(), "dress-hole", "de")
    assert "Ein Loch im neuen Kleid" in markdown_of(at)
    assert "zu Hause ein Loch unter dem Arm" in html_of(at)


def test_submit_grades_stores_then_shows_feedback(store, trainee):
    at = _open(app_for(trainee).run(), "dress-hole")
    at = _answer(at, GOOD_REPLY)
    assert not at.exception
    [attempt] = _attempts(store, trainee)
    assert attempt.reply == GOOD_REPLY and attempt.case_id == "dress-hole" and attempt.turn == 1
    assert attempt.handling == "public_then_private" and attempt.language == "en"
    assert attempt.response_seconds >= 0
    page = html_of(at)
    assert f">{attempt.score:.0f}<" in page  # the overall score
    assert ("Passed" if attempt.passed else "Not passed yet") in page
    assert page.count('class="rc-bar"') == len(attempt.grade_json["principles"])
    assert 'class="rc-ev rc-ev-' in page  # evidence highlighted in the reply
    assert "Maria, we are very sorry. Please write to us in direct messages" in page  # the real reply
    assert "A quick apology and a move to private messages" in page  # the expert's analysis
    assert at.query_params["attempt"] == str(attempt.id)


def test_empty_reply_shows_a_message_and_stores_nothing(store, trainee):
    at = _answer(_open(app_for(trainee).run(), "dress-hole"), "   ")
    assert at.error[0].value.startswith("Write a reply before submitting")
    assert _attempts(store, trainee) == []


def test_no_handling_chosen_shows_a_message_and_stores_nothing(store, trainee):
    at = _open(app_for(trainee).run(), "dress-hole")
    at.text_area[0].input(GOOD_REPLY)
    at.button(key="submit_reply").click().run()
    assert at.error[0].value == "Choose how to handle the comment first."
    assert _attempts(store, trainee) == []
    assert at.text_area[0].value == GOOD_REPLY  # nothing lost


def test_reply_over_the_limit_is_blocked_with_the_count(store, trainee, monkeypatch):
    from replycoach import practice
    from replycoach.config import get_settings
    from replycoach.ui import services
    from replycoach.ui.session import now

    monkeypatch.setenv("REPLYCOACH_REPLY_LIMIT", "100")
    get_settings.cache_clear()
    at = _open(app_for(trainee).run(), "dress-hole")
    assert at.text_area[0].proto.max_chars == 100  # the browser stops typing at the limit
    at.text_area[0].input(GOOD_REPLY).run()  # refused, as the browser's maxlength refuses it
    assert at.text_area[0].value == ""
    at.text_area[0].input(GOOD_REPLY[:100]).run()
    assert "100 / 100 characters" in [c.value for c in at.caption]
    # anything reaching the service over the limit (not through the widget) is refused with the count
    case = services.get_library().cases["dress-hole"].localized("en")
    turn = practice.Turn(case, now(), "over-the-limit")
    with pytest.raises(practice.ReplyRejected) as err:
        practice.submit_reply(
            store, services.get_engine(), get_settings(), trainee, turn, GOOD_REPLY, "public_reply", now()
        )
    assert str(err.value) == (
        f"Your reply has {len(GOOD_REPLY)} characters; the limit is 100. Shorten it by {len(GOOD_REPLY) - 100}."
    )
    assert _attempts(store, trainee) == []


def test_a_turn_stored_by_a_run_cut_short_shows_its_feedback_not_the_form_again(store, trainee):
    at = _open(app_for(trainee).run(), "dress-hole")
    at = _answer(at, GOOD_REPLY)
    first_id = at.session_state["practice_attempt"]
    # A second click on Submit cut the first run short after it stored the attempt, before it showed it: the
    # page still has the case open (same client token) and no attempt on screen.
    del at.session_state["practice_attempt"]
    at.query_params.clear()
    at.run()
    assert not at.exception
    assert at.session_state["practice_attempt"] == first_id
    assert at.query_params["attempt"] == str(first_id)
    assert "submit_reply" not in [b.key for b in at.button]
    assert len(_attempts(store, trainee)) == 1


def test_a_reload_after_submit_shows_the_stored_feedback(store, trainee):
    _answer(_open(app_for(trainee).run(), "dress-hole"), GOOD_REPLY)
    [attempt] = _attempts(store, trainee)
    reloaded = app_for(trainee)  # a new session with the same URL
    reloaded.query_params["attempt"] = str(attempt.id)
    reloaded.run()
    assert not reloaded.exception
    assert f">{attempt.score:.0f}<" in html_of(reloaded)
    assert "Maria, we are very sorry. Please write to us" in html_of(reloaded)
    assert len(_attempts(store, trainee)) == 1


def test_a_reload_signs_in_again_and_keeps_the_attempt_in_the_url(store, trainee):
    from ui_support import PASSWORDS

    _answer(_open(app_for(trainee).run(), "dress-hole"), GOOD_REPLY)
    [attempt] = _attempts(store, trainee)
    at = app_for()  # signed out: a browser reload starts a new session
    at.query_params["attempt"] = str(attempt.id)
    at.run()
    at.text_input(key="login_username").input("trainee")
    at.text_input(key="login_password").input(PASSWORDS[Role.trainee])
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert f">{attempt.score:.0f}<" in html_of(at)


def test_another_trainees_attempt_is_not_shown(store, users, trainee):
    other = store.add_user("other", "other-pass-2024", Role.trainee, display_name="Other")
    _answer(_open(app_for(other).run(), "dress-hole"), GOOD_REPLY)
    [theirs] = _attempts(store, other)
    at = app_for(trainee)
    at.query_params["attempt"] = str(theirs.id)
    at.run()
    assert at.warning[0].value == "That attempt is not available."
    assert GOOD_REPLY not in html_of(at)


def test_second_turn_answers_the_scripted_follow_up_and_is_stored_with_its_parent(store, trainee):
    at = _answer(_open(app_for(trainee).run(), "dress-hole"), GOOD_REPLY)
    [first] = _attempts(store, trainee)
    follow_ups = {
        "good": "Thank you, I have sent you a message with the receipt.",
        "mediocre": "And when exactly will that happen?",
        "bad": "That is all you have to say? Unbelievable.",
    }
    trigger = "good" if first.score >= 70 else "mediocre" if first.score >= 40 else "bad"
    assert follow_ups[trigger] in html_of(at)
    at.text_area(key=f"reply2_{first.id}").input("Got it, Maria. The new dress goes out to you tomorrow morning.")
    at.button(key="submit_turn2").click().run()
    assert not at.exception
    second = next(a for a in _attempts(store, trainee) if a.turn == 2)
    assert second.parent_id == first.id and second.follow_up_text == follow_ups[trigger]
    assert "The new dress goes out to you tomorrow morning." in html_of(at)
    assert any(e.label.startswith("Feedback on your answer") for e in at.expander)


def test_try_again_opens_a_fresh_attempt_and_keeps_the_old_one(store, trainee):
    at = _answer(_open(app_for(trainee).run(), "dress-hole"), GOOD_REPLY)
    token = at.session_state["practice_open"].client_token
    at.button(key="try_again").click().run()
    assert at.session_state["practice_open"].client_token != token
    assert "attempt" not in at.query_params
    at = _answer(at, "Sorry Maria, please DM us and we will exchange the dress today.")
    assert len(_attempts(store, trainee)) == 2


def test_the_coach_comment_is_shown_once_reviewed(store, users, trainee):
    at = _answer(_open(app_for(trainee).run(), "dress-hole"), GOOD_REPLY)
    [attempt] = _attempts(store, trainee)
    store.add_review(
        attempt.id, users[Role.coach], scores={}, overall=88, comment="Good <b>time frame</b>.", pass_mark=70
    )
    at.run()
    page = html_of(at)
    assert "Good &lt;b&gt;time frame&lt;/b&gt;." in page
    assert "Reviewed by Coach Tester" in markdown_of(at)
    assert "Coach Coach Tester" not in markdown_of(at)  # bug 7: the name is the name, no "Coach" glued before it
