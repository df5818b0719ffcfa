"""The customer who answers back: an LLM playing the case's persona, or the case's scripted follow-up.

The persona reacts to how the last answer did: ``calmer`` when it passed, ``press`` on the weak principles
when it was half-good ("so when exactly?" for a weak concrete promise), ``escalate`` (or another user joins in)
when it was bad. The thresholds are the ones the scripted follow-ups use (``Case.follow_up_for``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from grading.result import Grade
from replycoach.cases.models import Case
from replycoach.llm.client import LLMFailure
from replycoach.llm.templates import render

#: The customer answers back at most this many times; then the thread is over.
MAX_CUSTOMER_TURNS = 3
WEAK_BELOW = 0.5  # a principle scoring under this is one the customer presses on
ROLES = ("customer", "trainee")
SCHEMA_NAME = "customer_message"
RESPONSE_SCHEMA: dict = {
    "type": "object",
    "additionalProperties": False,
    "required": ["author", "text"],
    "properties": {"author": {"type": "string"}, "text": {"type": "string"}},
}

# What the customer notices when a principle was weak, in the customer's terms (not the grader's).
_MISSED = {
    "empathy": "they did not acknowledge how this felt for you",
    "apology": "no real apology",
    "no_script": "it sounded like a template or a bot",
    "concrete_promise": "no concrete next step or time (ask: so when exactly?)",
    "remedy": "nothing offered to put it right",
    "no_blame": "they blamed or lectured you",
    "ownership": "they made excuses or blamed someone else",
    "private_channel": "they did not say how to continue privately",
    "personalization": "they did not address you personally",
    "gratitude": "no thanks for telling them",
    "concise": "a wall of text",
    "timing": "they took long to answer",
    "handling": "they handled it the wrong way",
}


class CustomerMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    author: str = ""
    text: str


def validate_thread(thread: list[dict]) -> None:
    """Raise ``ValueError`` with a clear message for a thread the customer cannot answer."""
    if not thread:
        raise ValueError("the thread is empty: the customer answers a trainee's reply")
    for i, msg in enumerate(thread):
        if not isinstance(msg, dict) or msg.get("role") not in ROLES or not isinstance(msg.get("text"), str):
            raise ValueError(f"thread[{i}] must be {{'role': 'customer' | 'trainee', 'text': str}}, got {msg!r}")
    if thread[-1]["role"] != "trainee":
        raise ValueError("the thread's last message is the customer's: the trainee answers first")


def customer_turns_so_far(case: Case, thread: list[dict]) -> int:
    """Customer messages after the complaint (the complaint may or may not open the thread)."""
    turns = sum(1 for m in thread if m["role"] == "customer")
    if thread[0]["role"] == "customer" and thread[0]["text"].strip() == case.complaint.strip():
        turns -= 1
    return turns


def direction_for(grade: Grade, pass_mark: float) -> str:
    if grade.score >= pass_mark:
        return "calmer"
    return "press" if grade.score >= 40 else "escalate"


def weak_principles(grade: Grade) -> list[str]:
    """Principles under ``WEAK_BELOW``, heaviest first: what the customer presses on."""
    weak = [pid for pid, pg in grade.principles.items() if pg.score is not None and pg.score < WEAK_BELOW]
    return sorted(weak, key=lambda pid: -grade.weights.get(pid, 0.0))


def scripted_turn(case: Case, thread: list[dict], last_grade: Grade, pass_mark: float) -> str | None:
    """The case's scripted follow-up for the first reply's score; after it (or without one) the thread ends."""
    if customer_turns_so_far(case, thread) > 0:
        return None
    follow_up = case.follow_up_for(last_grade.score, pass_mark)
    if follow_up is None:
        return None
    return f"{follow_up.author}: {follow_up.text}" if follow_up.author else follow_up.text


def customer_messages(case: Case, thread: list[dict], last_grade: Grade, pass_mark: float) -> list[dict[str, str]]:
    """The system and user messages that ask the LLM for the customer's next message."""
    persona = case.persona
    lines = [f"customer: {case.complaint}"]
    if thread[0]["role"] == "customer" and thread[0]["text"].strip() == case.complaint.strip():
        thread = thread[1:]
    lines += [f"{'staff' if m['role'] == 'trainee' else 'customer'}: {m['text']}" for m in thread]
    missed = [_MISSED.get(pid, pid) for pid in weak_principles(last_grade)]
    customer = case.post.customer
    user = render(
        "customer_user.txt",
        platform=case.post.platform.value,
        brand=case.post.brand,
        customer_name=customer.display_name or customer.first_name or "an anonymous customer",
        negativity=case.negativity.value,
        mood=(persona.mood if persona and persona.mood else "upset"),
        wants=(persona.wants if persona and persona.wants else "your problem solved"),
        style=(persona.style if persona and persona.style else "like the complaint"),
        key_facts="; ".join(f.description for f in case.key_facts) or "as in the complaint",
        thread="\n".join(lines),
        direction=direction_for(last_grade, pass_mark),
        missed="; ".join(missed) or "nothing important",
    )
    return [{"role": "system", "content": render("customer_system.txt")}, {"role": "user", "content": user}]


def parse_customer_answer(raw: object, case: Case) -> str:
    """The message to show, ``"Author: text"`` when another user joins in; ``LLMFailure`` on a bad shape."""
    try:
        msg = CustomerMessage.model_validate(raw)
    except ValidationError as err:
        raise LLMFailure(f"the LLM's customer message does not match its schema ({err.errors()[0]['msg']})") from None
    text = msg.text.strip()
    if not text:
        raise LLMFailure("the LLM's customer message is empty")
    author = msg.author.strip()
    customer = case.post.customer
    if author.lstrip("@") in {
        n.lstrip("@") for n in (customer.display_name, customer.first_name, customer.handle) if n
    }:
        author = ""  # the customer named themself: not another user
    return f"{author}: {text}" if author else text
