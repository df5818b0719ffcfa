"""The LLM judge: prompts in, verdicts out, each verdict backed by a verbatim quote from the reply.

The model answers one verdict per principle in discrete levels (meets / partly / misses / not_applicable),
mapped to points here, never a free number: discrete levels are what a model can give consistently. Every
quote is looked up in the reply (whitespace normalised) and becomes an ``Evidence`` span; a verdict whose quote
is not in the reply is discarded, so the judge can never credit words the trainee did not write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from grading.result import Evidence
from replycoach.cases.models import Case, Complaint
from replycoach.llm.client import LLMFailure
from replycoach.llm.templates import render

#: The principles an LLM judges better than rules: the fuzzy ones. Timing, length, handling, gratitude and
#: personalization stay with the offline graders.
JUDGED_PRINCIPLES = (
    "empathy",
    "apology",
    "no_script",
    "concrete_promise",
    "remedy",
    "no_blame",
    "ownership",
    "private_channel",
)
JudgedPrinciple = Literal[
    "empathy", "apology", "no_script", "concrete_promise", "remedy", "no_blame", "ownership", "private_channel"
]
Level = Literal["meets", "partly", "misses", "not_applicable"]
LEVEL_POINTS: dict[str, float | None] = {"meets": 1.0, "partly": 0.5, "misses": 0.0, "not_applicable": None}
SCHEMA_NAME = "judge_verdicts"


class Verdict(BaseModel):
    """One principle's verdict as the model gives it."""

    model_config = ConfigDict(extra="ignore")

    principle: JudgedPrinciple
    level: Level
    quote: str = ""
    reason: str = ""


class JudgeAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    verdicts: list[Verdict]


#: The strict JSON schema sent as ``response_format`` (servers that support it decode to this shape).
RESPONSE_SCHEMA: dict = {
    "type": "object",
    "additionalProperties": False,
    "required": ["verdicts"],
    "properties": {
        "verdicts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["principle", "level", "quote", "reason"],
                "properties": {
                    "principle": {"type": "string", "enum": list(JUDGED_PRINCIPLES)},
                    "level": {"type": "string", "enum": list(LEVEL_POINTS)},
                    "quote": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        }
    },
}


def _judge_evidence(start: int, end: int, level: str, reason: str) -> Evidence:
    """The words a verdict quotes, as evidence: earned unless the judge says the reply misses the principle."""
    label = f"LLM judge, {level.replace('_', ' ')}: {reason}".strip().rstrip(":")
    return Evidence(start, end, "-" if level == "misses" else "+", label[:160])


@dataclass(frozen=True)
class CheckedVerdict:
    """A verdict that survived the quote check, with its points and where its quote sits in the reply."""

    principle: str
    level: str
    points: float | None
    quote: str
    reason: str
    evidence: Evidence | None

    def to_dict(self) -> dict:
        span = [self.evidence.start, self.evidence.end] if self.evidence else None
        return {
            "principle": self.principle,
            "level": self.level,
            "points": self.points,
            "quote": self.quote,
            "reason": self.reason,
            "span": span,
        }

    @classmethod
    def from_dict(cls, data: dict) -> CheckedVerdict:
        """A verdict as ``to_dict`` stored it with an attempt (raises KeyError/TypeError/ValueError if malformed)."""
        span = data.get("span")
        evidence = None
        if span:
            evidence = _judge_evidence(int(span[0]), int(span[1]), str(data["level"]), str(data.get("reason", "")))
        points = data.get("points")
        return cls(
            str(data["principle"]),
            str(data["level"]),
            None if points is None else float(points),
            str(data.get("quote", "")),
            str(data.get("reason", "")),
            evidence,
        )


@dataclass(frozen=True)
class Judgement:
    verdicts: dict[str, CheckedVerdict]
    discarded: tuple[dict, ...]  # verdicts dropped, each with "why"


# --- prompts ----------------------------------------------------------------------------------------------


def judge_messages(case: Case | Complaint, reply: str) -> list[dict[str, str]]:
    """The system and user messages for judging ``reply`` to ``case`` (a single-language case or a complaint)."""
    if isinstance(case, Case):
        facts = "\n".join(f"- {f.description}" for f in case.key_facts) or "- (none listed)"
        values = {
            "language": case.language,
            "platform": case.post.platform.value,
            "brand": case.post.brand,
            "negativity": case.negativity.value,
            "handling": case.expected_handling.value,
            "customer_name": case.customer_name or "(not given)",
            "complaint": case.complaint,
            "key_facts": facts,
        }
    else:
        values = {
            "language": case.language or "(unknown)",
            "platform": case.channel.value if case.channel else "(unknown)",
            "brand": "(not given)",
            "negativity": "(not classified)",
            "handling": "public_reply",
            "customer_name": case.customer_name or "(not given)",
            "complaint": case.text,
            "key_facts": "- (none listed)",
        }
    user = render("judge_user.txt", principles=", ".join(JUDGED_PRINCIPLES), reply=reply, **values)
    return [{"role": "system", "content": render("judge_system.txt")}, {"role": "user", "content": user}]


# --- quotes -----------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_QUOTE_MARKS = "\"'`«»“”„‘’‚"


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` with each whitespace run as one space, and for every kept character its index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for m in re.finditer(r"\s+|\S+", text):
        if m.group().isspace():
            out.append(" ")
            index.append(m.start())
        else:
            out.append(m.group())
            index.extend(range(m.start(), m.end()))
    return "".join(out), index


def find_quote(reply: str, quote: str) -> tuple[int, int] | None:
    """The span of ``quote`` in ``reply`` comparing with whitespace normalised, or None when it is not there.

    Quotation marks a model wraps around its quote are tolerated; any other difference is not.
    """
    norm_reply, index = _normalised_with_map(reply)
    for candidate in (quote.strip(), quote.strip().strip(_QUOTE_MARKS).strip()):
        norm_quote = _WS.sub(" ", candidate)
        if not norm_quote:
            continue
        at = norm_reply.find(norm_quote)
        if at >= 0:
            return index[at], index[at + len(norm_quote) - 1] + 1
    return None


def check_answer(raw: object, reply: str) -> Judgement:
    """Validate the model's JSON and check every quote against ``reply``.

    Raises ``LLMFailure`` when the JSON does not have the judge's shape (a schema mismatch).
    """
    try:
        answer = JudgeAnswer.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LLMFailure(f"the LLM's answer does not match the judge schema ({where}: {first['msg']})") from None
    kept: dict[str, CheckedVerdict] = {}
    discarded: list[dict] = []
    for v in answer.verdicts:
        if v.principle in kept:
            discarded.append({**v.model_dump(), "why": "a second verdict for the same principle"})
            continue
        points = LEVEL_POINTS[v.level]
        evidence = None
        if v.quote.strip() and v.level != "not_applicable":
            span = find_quote(reply, v.quote)
            if span is None:
                discarded.append({**v.model_dump(), "why": "the quote is not in the reply"})
                continue
            evidence = _judge_evidence(span[0], span[1], v.level, v.reason)
        elif v.level in ("meets", "partly"):
            # Credit needs words to point at: an unquoted "meets" is exactly what the quote rule prevents.
            discarded.append({**v.model_dump(), "why": "credit without a quote from the reply"})
            continue
        kept[v.principle] = CheckedVerdict(v.principle, v.level, points, v.quote, v.reason, evidence)
    return Judgement(kept, tuple(discarded))
