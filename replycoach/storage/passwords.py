"""Password hashing (argon2id), the rules for usernames and passwords, the sign-in throttle's arithmetic, and
the bound on how many password checks run at once. No database here: the facade stores the throttle's
counters (see ``throttle_keys``).

The throttle counts sign-in attempts under three keys at once (``THROTTLE``): the attempted name from one
client, the client across all names, and the whole server. Each allows a few attempts, then makes every
further one wait twice as long as the one before (1, 2, 4 ... 60 s), counted from the last attempt; a quiet
window forgets everything. An attempt is counted before its password is checked (the facade reserves it
in one transaction), so forty guesses sent at once get only the first few checked, and a success gives
its count back. A stranger guessing a name from their own client never makes the real user wait on theirs.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes of "password" is a cheap denial of service
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

#: Stored for accounts that must not sign in (generated history): no argon2 hash ever matches it.
UNUSABLE_HASH = "!no-login"

#: argon2id checks running at once in this process, whoever asks: each takes 64 MiB, so forty guesses at
#: once must not take forty times that. A check waits at most ``CHECK_QUEUE_SECONDS`` for its turn.
MAX_CONCURRENT_CHECKS = 2
CHECK_QUEUE_SECONDS = 10.0

_hasher = PasswordHasher()
_checks = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)


@dataclass(frozen=True)
class ThrottlePolicy:
    """``free`` attempts within ``window`` of each other, then a wait doubling from 1 s up to ``max_wait``."""

    scope: str  # "name" (one name from one client), "client" (one client, any name), "server" (everyone)
    free: int
    window: timedelta
    max_wait: float = 60.0


THROTTLE = (
    ThrottlePolicy("name", free=3, window=timedelta(minutes=15)),
    # A whole office may share one address: room for its typos, not for trying many names.
    ThrottlePolicy("client", free=20, window=timedelta(minutes=15)),
    # Failures from everywhere at once (many clients): past this, checks slow down for everyone rather than
    # let a distributed guesser spend the server's memory and CPU.
    ThrottlePolicy("server", free=200, window=timedelta(minutes=5)),
)
THROTTLE_WINDOW = max(policy.window for policy in THROTTLE)


class ChecksBusy(Exception):
    """No password check could start within ``CHECK_QUEUE_SECONDS``: the server is busy with sign-ins."""


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def throttle_keys(username: str, client: str) -> list[tuple[str, ThrottlePolicy]]:
    """The keys a sign-in attempt counts under, one per ``THROTTLE`` policy: SHA-256 digests, so the table
    never holds what was typed (sometimes a password in the name field) nor the client's address."""

    def digest(*parts: str) -> str:
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    name = normalize_username(username)
    values = {"name": digest("name", name, client), "client": digest("client", client), "server": "server"}
    return [(values[policy.scope], policy) for policy in THROTTLE]


def check_username(username: str) -> str:
    """The normalized username, or ``ValueError`` saying what a valid one looks like."""
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise ValueError(
            f"Invalid username {username!r}: use 2-40 characters, lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


def check_password(password: str) -> None:
    if not password or not password.strip():
        raise ValueError("The password is empty.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters.")


def hash_password(password: str) -> str:
    check_password(password)
    with _check_slot():  # as costly as a check
        return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash). A malformed or unusable stored hash never matches. Raises ``ChecksBusy`` when
    no check slot frees up in time (see ``MAX_CONCURRENT_CHECKS``)."""
    with _check_slot():
        try:
            _hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, False
        return True, _hasher.check_needs_rehash(stored_hash)


def burn_time(password: str) -> None:
    """Spend about as long as a real check, so an unknown username answers no faster than a known one."""
    verify_password(_dummy_hash(), password)


@contextmanager
def _check_slot() -> Iterator[None]:
    if not _checks.acquire(timeout=CHECK_QUEUE_SECONDS):
        raise ChecksBusy()
    try:
        yield
    finally:
        _checks.release()


def counted_attempts(attempts: int, last_attempt_at: datetime | None, now: datetime, policy: ThrottlePolicy) -> int:
    """Attempts still counting: all of them forget themselves once a window has passed since the last."""
    if last_attempt_at is None or now - last_attempt_at > policy.window:
        return 0
    return attempts


def delay_after(attempts: int, policy: ThrottlePolicy) -> float:
    """Seconds the next attempt waits after ``attempts`` counted ones: none for the free ones, then 1, 2, 4 ..."""
    if attempts < policy.free:
        return 0.0
    return min(2.0 ** (attempts - policy.free), policy.max_wait)


def retry_after(attempts: int, last_attempt_at: datetime | None, now: datetime, policy: ThrottlePolicy) -> float:
    """Seconds until the next attempt may be checked (0: now)."""
    counted = counted_attempts(attempts, last_attempt_at, now, policy)
    if counted < policy.free or last_attempt_at is None:
        return 0.0
    return max(0.0, delay_after(counted, policy) - (now - last_attempt_at).total_seconds())


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")
