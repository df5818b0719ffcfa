"""The prompts: text files in ``prompts/``, filled with ``string.Template`` (``$name``), so JSON examples in
them need no brace escaping.

``PROMPT_VERSION`` is the SHA-256 of the judge's and the customer's prompt files: it goes into the judge cache
key (a changed prompt never reuses old verdicts) and onto every stored judgement. The rewrite prompts have their
own hash (``REWRITE_PROMPT_VERSION``), so adding them re-judged nothing. ``tests/llm/test_llm_prompts.py`` pins
each hash next to its version (``JUDGE_VERSION``, ``REWRITE_VERSION``) so prompt drift is always deliberate.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"

#: Bump together with the pin in tests/llm/test_llm_prompts.py whenever a judge or customer prompt changes.
JUDGE_VERSION = "llm-judge-1"
#: Bump together with its pin whenever a rewrite prompt changes.
REWRITE_VERSION = "llm-rewrite-1"

PROMPT_FILES = ("judge_system.txt", "judge_user.txt", "customer_system.txt", "customer_user.txt")
REWRITE_PROMPT_FILES = ("rewrite_system.txt", "rewrite_user.txt")
ALL_PROMPT_FILES = PROMPT_FILES + REWRITE_PROMPT_FILES


@cache
def prompt_text(name: str) -> str:
    """The text of one prompt file (read once per process)."""
    if name not in ALL_PROMPT_FILES:
        raise KeyError(f"no prompt {name!r}; known: {', '.join(ALL_PROMPT_FILES)}")
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


def prompts_sha256(names: tuple[str, ...] = PROMPT_FILES) -> str:
    """SHA-256 over the prompt files ``names`` (default: the judge's and the customer's), by name and content."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update(b"\0")
        h.update(prompt_text(name).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


PROMPT_VERSION = prompts_sha256()[:16]
REWRITE_PROMPT_VERSION = prompts_sha256(REWRITE_PROMPT_FILES)[:16]


def render(name: str, **values: object) -> str:
    """Fill a template; a missing value is an error (a silently empty field would mislead the model)."""
    return Template(prompt_text(name)).substitute({k: str(v) for k, v in values.items()})
