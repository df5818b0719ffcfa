"""Random tokens for sessions and their one-time hand-off codes, and the digest the database keeps of them.

Tokens carry 256 random bits, so a plain SHA-256 is enough to store them: unlike passwords there is nothing
to guess, and the lookup stays a single indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """43 URL-safe characters from the operating system's random source."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
