"""Many trainees submitting at once: every attempt is stored exactly once, retries included."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select
from storage_helpers import PASSWORD, T0, new_attempt

from replycoach.storage.facade import Store
from replycoach.storage.models import AttemptRow, AttemptScoreRow
from replycoach.storage.types import Role

THREADS, PER_THREAD = 20, 50


def test_parallel_submits_are_all_stored_once(store_url, store):
    users = [store.add_user(f"trainee{i:02d}", PASSWORD, Role.trainee, team=f"Store {i % 3}") for i in range(THREADS)]
    stores = [Store(store_url), Store(store_url)]  # two app processes' worth of connection pools

    def submit(index: int) -> list[int]:
        user, own_store = users[index], stores[index % 2]
        ids = []
        for n in range(PER_THREAD):
            attempt = new_attempt(user, f"case-{n % 7}", token=f"{user.username}-{n}", at=T0 + timedelta(minutes=n))
            ids.append(own_store.add_attempt(attempt).id)
            if n % 10 == 0:  # a double click: the same token again returns the same attempt
                assert own_store.add_attempt(attempt).id == ids[-1]
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(submit, range(THREADS), timeout=600))

    all_ids = [i for ids in results for i in ids]
    assert len(all_ids) == len(set(all_ids)) == THREADS * PER_THREAD
    with store.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(AttemptRow)) == THREADS * PER_THREAD
        assert connection.scalar(select(func.count(func.distinct(AttemptRow.client_token)))) == THREADS * PER_THREAD
        assert connection.scalar(select(func.count()).select_from(AttemptScoreRow)) == THREADS * PER_THREAD * 2
    for s in stores:
        s.close()


def test_racing_retries_of_one_token_store_one_attempt(store_url, store):
    user = store.add_user("olga", PASSWORD, Role.trainee)
    stores = [Store(store_url) for _ in range(4)]
    attempt = new_attempt(user, token="the-same-submit")
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda i: stores[i % 4].add_attempt(attempt).id, range(8), timeout=120))
    assert len(ids) == 1
    assert store.count_attempts(store.add_user("coach", PASSWORD, Role.coach)) == 1
    for s in stores:
        s.close()
