"""Forty sign-in attempts at once for one name from one address, with the production argon2id cost (64 MiB):
how many passwords get checked, how many checks run at once, how much memory the process takes.

    .venv/bin/python benchmarks/security/sign_in_flood.py

The code before the fix (no ``client`` argument; run with ``PYTHONPATH`` at a checkout of it) checked nearly
every attempt, almost all at once.
"""

from __future__ import annotations

import inspect
import resource
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from replycoach.storage import passwords
from replycoach.storage.facade import Store
from replycoach.storage.types import Role

PASSWORD = "correct horse battery"


class CountingHasher:
    """The production hasher, counting the checks and how many run at once."""

    def __init__(self, hasher) -> None:
        self.hasher, self.running, self.peak, self.checks, self.lock = hasher, 0, 0, 0, threading.Lock()
        self.hash, self.check_needs_rehash = hasher.hash, hasher.check_needs_rehash

    def verify(self, stored_hash: str, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.checks += 1
            self.peak = max(self.peak, self.running)
        try:
            return self.hasher.verify(stored_hash, password)
        finally:
            with self.lock:
                self.running -= 1


def main() -> None:
    store = Store(f"sqlite:///{tempfile.mkdtemp()}/flood.sqlite3")
    store.upgrade()
    store.add_user("olga", PASSWORD, Role.trainee)
    counting = CountingHasher(passwords._hasher)
    passwords._hasher = counting
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    client = {"client": "203.0.113.66"} if "client" in inspect.signature(Store.login).parameters else {}

    def attempt(n: int):
        return store.login("olga", PASSWORD if n == 39 else f"guess {n}", **client)

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(attempt, range(40)))
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"checked {counting.checks} of 40 passwords, at most {counting.peak} at once, "
        f"signed in: {sum(a.user is not None for a in answers)}, peak memory +{grown:.0f} MiB, "
        f"{time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
