"""The LLM's rewrite of a trainee's reply: the fewest changes that fix the principles of "try this next".

The grader, not the LLM, decides whether it is shown (``replycoach.coaching.suggest_rewrite`` grades it and
keeps it only when it scores higher than the reply). Nothing here raises for LLM trouble: ``rewrite_reply``
gives None and the offline rewrite stands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from replycoach.cases.models import Case
from replycoach.coaching.next_steps import NextStep
from replycoach.config import Settings
from replycoach.llm.client import LLMFailure, complete_json
from replycoach.llm.templates import render

log = logging.getLogger(__name__)
SCHEMA_NAME = "reply_rewrite"
RESPONSE_SCHEMA: dict = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rewrite"],
    "properties": {"rewrite": {"type": "string"}},
}
#: A rewrite longer than this many times the reply (plus some room for what was missing) is no small edit.
MAX_GROWTH = 3.0


class RewriteAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rewrite: str


def rewrite_messages(case: Case, reply: str, steps: Sequence[NextStep]) -> list[dict[str, str]]:
    """The system and user messages asking for the rewrite of ``reply`` to ``case`` (single-language)."""
    from grading import PRINCIPLE_INFO

    lines = [
        f"- {PRINCIPLE_INFO[s.principle].title if s.principle in PRINCIPLE_INFO else s.principle}: {s.action}"
        for s in steps
    ]
    user = render(
        "rewrite_user.txt",
        language=case.language,
        platform=case.post.platform.value,
        brand=case.post.brand,
        customer_name=case.customer_name or "(not given)",
        complaint=case.complaint,
        key_facts="; ".join(f.description for f in case.key_facts) or "as in the complaint",
        steps="\n".join(lines) or "- (none named: make it more specific, warmer and more concrete)",
        reply=reply,
    )
    return [{"role": "system", "content": render("rewrite_system.txt")}, {"role": "user", "content": user}]


def parse_rewrite(raw: object, reply: str) -> str:
    """The rewritten reply, or ``LLMFailure`` for a wrong shape, an empty text or one out of all proportion."""
    try:
        text = RewriteAnswer.model_validate(raw).rewrite.strip()
    except ValidationError as err:
        raise LLMFailure(f"the LLM's rewrite does not match its schema ({err.errors()[0]['msg']})") from None
    if not text:
        raise LLMFailure("the LLM's rewrite is empty")
    if len(text) > MAX_GROWTH * len(reply) + 400:
        raise LLMFailure("the LLM rewrote far more than the reply: not a small edit")
    return text


def rewrite_reply(case: Case, reply: str, steps: Sequence[NextStep], settings: Settings) -> str | None:
    """The LLM's rewrite, or None (LLM off, or it failed: the reason is logged)."""
    if not settings.llm_enabled:
        return None
    try:
        raw = complete_json(
            settings,
            rewrite_messages(case, reply, steps),
            schema_name=SCHEMA_NAME,
            schema=RESPONSE_SCHEMA,
            deadline=time.monotonic() + settings.llm_timeout_seconds,
        )
        return parse_rewrite(raw, reply)
    except LLMFailure as err:
        log.warning("LLM rewrite failed, the offline one stands: %s", err)
    except Exception:  # an unexpected bug in this optional part must not cost the trainee the feedback
        log.exception("LLM rewrite crashed")
    return None
