"""Sessions live in the database (a digest of the token, expiry, last activity, revocation), so they survive a
restart and work from several app processes; every check re-reads the user. And the practice turn a trainee
has open is kept there too. SQLite and PostgreSQL.

Before (finding 1): a deactivated trainee still submitted and a coach demoted to trainee still opened the
studio, because the signed-in user was a copy kept in the browser tab's memory, with no idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from storage_helpers import PASSWORD, Clock

from replycoach.storage.facade import Store
from replycoach.storage.models import SessionRow, UserRow
from replycoach.storage.types import MissingEntry, PracticeDraft, Role

IDLE = timedelta(minutes=30)
LIFETIME = timedelta(days=7)


@pytest.fixture
def clocked(store_url, store):
    clock = Clock()
    other = Store(store_url, clock=clock)
    olga = other.add_user("olga", PASSWORD, Role.coach, team="Store A")
    yield other, clock, olga
    other.close()


def test_a_session_signs_its_user_in_from_any_process_and_keeps_only_a_digest(clocked, store_url):
    store, clock, olga = clocked
    session = store.start_session(olga.id, lifetime=LIFETIME)
    assert store.check_session(session.token, idle=IDLE).user == olga
    restarted = Store(store_url, clock=clock)  # a restarted or second app process on the same database
    assert restarted.check_session(session.token, idle=IDLE).user == olga
    restarted.close()
    with store.engine.connect() as connection:
        stored = connection.execute(select(SessionRow.__table__)).one()
    assert session.token not in [str(v) for v in stored] and len(stored.token_hash) == 64
    assert store.check_session("a-token-nobody-was-given", idle=IDLE).user is None
    assert store.check_session(None, idle=IDLE).user is None


def test_idle_sessions_and_old_ones_end_and_stay_ended(clocked):
    store, clock, olga = clocked
    session = store.start_session(olga.id, lifetime=LIFETIME)
    clock.advance(minutes=29)
    assert store.check_session(session.token, idle=IDLE).user == olga  # activity: the idle clock restarts
    clock.advance(minutes=29)
    assert store.check_session(session.token, idle=IDLE).user == olga
    clock.advance(minutes=31)
    idle = store.check_session(session.token, idle=IDLE)
    assert idle.user is None and "without activity" in idle.ended
    assert store.check_session(session.token, idle=timedelta(days=1)).user is None  # ended for good

    kept_busy = store.start_session(olga.id, lifetime=LIFETIME)
    for _ in range(7 * 24 * 2):  # active every half hour for a week
        clock.advance(minutes=30)
        last = store.check_session(kept_busy.token, idle=timedelta(hours=1))
    assert last.user is None and "time limit" in last.ended


def test_deactivating_demoting_or_resetting_the_password_ends_open_sessions(clocked):
    store, _clock, olga = clocked
    for change in [
        lambda: store.set_role("olga", Role.trainee),
        lambda: store.set_password("olga", "a new password"),
        lambda: store.set_active("olga", False),
    ]:
        store.set_active("olga", True)
        user = store.find_user("olga")
        sessions = [store.start_session(user.id, lifetime=LIFETIME) for _ in range(2)]  # two browsers
        change()
        for session in sessions:
            check = store.check_session(session.token, idle=IDLE)
            assert check.user is None and "by an admin's change to your account" in check.ended


def test_a_role_changed_behind_the_facades_back_ends_the_session_too(clocked):
    store, _clock, olga = clocked
    session = store.start_session(olga.id, lifetime=LIFETIME)
    with store.engine.begin() as connection:
        connection.execute(update(UserRow).where(UserRow.id == olga.id).values(role="trainee"))
    check = store.check_session(session.token, idle=IDLE)
    assert check.user is None and "role changed" in check.ended
    with store.engine.begin() as connection:
        connection.execute(update(UserRow).where(UserRow.id == olga.id).values(role="coach"))
    assert store.check_session(session.token, idle=IDLE).user is None  # changing it back revives nothing


def test_sign_out_ends_one_session_and_everywhere_ends_all(clocked):
    store, _clock, olga = clocked
    laptop, phone, tablet = (store.start_session(olga.id, lifetime=LIFETIME) for _ in range(3))
    store.end_session(laptop.token)
    assert store.check_session(laptop.token, idle=IDLE).user is None
    assert store.check_session(phone.token, idle=IDLE).user == olga
    assert store.open_sessions(olga.id) == 2
    assert store.end_user_sessions(olga.id) == 2
    assert store.check_session(phone.token, idle=IDLE).user is None
    assert store.check_session(tablet.token, idle=IDLE).user is None
    assert store.open_sessions(olga.id) == 0


def test_a_deactivated_user_cannot_begin_a_session(clocked):
    store, _clock, olga = clocked
    store.set_active("olga", False)
    with pytest.raises(MissingEntry):
        store.start_session(olga.id, lifetime=LIFETIME)


def test_the_cookie_handoff_works_once_for_the_browser_that_signed_in(clocked):
    store, clock, olga = clocked
    tab = store.start_session(olga.id, lifetime=LIFETIME, browser="browser-1")
    code = store.session_handoff(tab.token, browser="browser-1")
    assert store.redeem_handoff(code, browser="browser-2") is None  # another browser: refused, and spent
    assert store.redeem_handoff(code, browser="browser-1") is None

    code = store.session_handoff(tab.token, browser="browser-1")
    cookie = store.redeem_handoff(code, browser="browser-1")
    assert cookie is not None and cookie.expires_at == tab.expires_at
    assert store.check_session(cookie.token, idle=IDLE).user == olga
    assert store.check_session(tab.token, idle=IDLE).user is None  # the tab's token was replaced
    assert store.redeem_handoff(code, browser="browser-1") is None  # once only

    other = store.start_session(olga.id, lifetime=LIFETIME, browser="browser-1")
    late = store.session_handoff(other.token, browser="browser-1")
    clock.advance(minutes=3)
    assert store.redeem_handoff(late, browser="browser-1") is None
    with pytest.raises(MissingEntry):
        store.session_handoff("no-such-token", browser="browser-1")


def test_the_open_practice_turn_is_kept_per_user_and_turn(clocked):
    store, clock, olga = clocked
    daria = store.add_user("daria", PASSWORD, Role.trainee)
    opened = clock.now - timedelta(minutes=3)
    first = PracticeDraft("dress-hole", "de", opened, "token-1", handling=None, reply="")
    store.save_practice_draft(olga, first)
    assert store.practice_draft(olga) == first
    typed = PracticeDraft("dress-hole", "de", opened, "token-1", handling="public_reply", reply="Liebe Olga,\n")
    store.save_practice_draft(olga, typed)
    follow_up = PracticeDraft("dress-hole", "de", clock.now, "token-2", reply="Danke!", parent_id=41)
    store.save_practice_draft(olga, follow_up)
    assert store.practice_draft(olga) == typed and store.practice_draft(olga, 41) == follow_up
    assert store.practice_draft(daria) is None
    with pytest.raises(ValueError, match="control character"):
        store.save_practice_draft(olga, PracticeDraft("dress-hole", "de", opened, "token-1", reply="a\x00"))
    assert store.practice_draft(olga) == typed
    store.drop_practice_draft(olga)
    assert store.practice_draft(olga) is None and store.practice_draft(olga, 41) == follow_up
    store.drop_practice_draft(olga, None)
    assert store.practice_draft(olga, 41) is None
