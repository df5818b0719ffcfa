"""Password hashing (argon2id), the rules for usernames and passwords, and the login throttle's arithmetic.
No database here: the facade stores the counters (per attempted username, see ``throttle_key``)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes of "password" is a cheap denial of service
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

#: Failures allowed before the throttle starts, the window they count in, and the longest wait.
FREE_FAILURES = 3
FAILURE_WINDOW = timedelta(minutes=15)
MAX_DELAY_SECONDS = 60.0

#: Stored for accounts that must not sign in (generated history): no argon2 hash ever matches it.
UNUSABLE_HASH = "!no-login"

_hasher = PasswordHasher()


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def throttle_key(username: str) -> str:
    """The key failed sign-ins are counted under: a SHA-256 of the normalized name, so the table never holds
    what was typed (sometimes a password). Migration 0002 computes the same key for existing counters."""
    return hashlib.sha256(normalize_username(username).encode("utf-8")).hexdigest()


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
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash). A malformed or unusable stored hash never matches."""
    try:
        _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, False
    return True, _hasher.check_needs_rehash(stored_hash)


def burn_time(password: str) -> None:
    """Spend about as long as a real check, so an unknown username answers no faster than a known one."""
    verify_password(_dummy_hash(), password)


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: none for the first few, then 1, 2, 4 ... 60."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def current_failures(failures: int, last_failed_at: datetime | None, now: datetime) -> int:
    """Failures still counting: all of them forget themselves once the window has passed since the last."""
    if last_failed_at is None or now - last_failed_at > FAILURE_WINDOW:
        return 0
    return failures


def retry_after(failures: int, last_failed_at: datetime | None, now: datetime) -> float:
    """Seconds until the next attempt is looked at (0: now)."""
    counted = current_failures(failures, last_failed_at, now)
    if counted < FREE_FAILURES or last_failed_at is None:
        return 0.0
    remaining = delay_after(counted) - (now - last_failed_at).total_seconds()
    return max(0.0, remaining)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")
