"""Builders for the storage tests: attempts with only the fields a test cares about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from replycoach.storage.types import NewAttempt, PrincipleScore

PASSWORD = "correct horse"
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday


def new_attempt(user, case_id="price-horror", *, token=None, score=75.0, at=T0, seconds=120.0, principles=None,
                **extra) -> NewAttempt:  # fmt: skip
    principles = principles if principles is not None else {"empathy": 0.5, "apology": 1.0}
    return NewAttempt(
        user_id=user.id,
        case_id=case_id,
        case_hash="a" * 64,
        language=extra.pop("language", "en"),
        handling=extra.pop("handling", "public_reply"),
        reply=extra.pop("reply", f"Dear customer, we are sorry ({case_id})."),
        opened_at=at - timedelta(seconds=seconds),
        submitted_at=at,
        response_seconds=seconds,
        score=score,
        passed=score >= 70,
        grader_version=extra.pop("grader_version", "test-1"),
        embedder="none",
        principles=[PrincipleScore(p, s, 1.0) for p, s in principles.items()],
        grade_json=extra.pop("grade_json", {"score": score, "principles": {}}),
        client_token=token or f"{user.id}-{case_id}-{at.isoformat()}-{score}",
        **extra,
    )


class Clock:
    """A clock the test moves by hand (``Store(url, clock=clock)``)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **delta: float) -> None:
        self.now += timedelta(seconds=seconds, **delta)
