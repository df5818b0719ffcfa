"""One JSON-answering chat-completions call, through the official ``openai`` client, within a time budget.

Why our own retry loop (the client's ``max_retries`` is 0): the trainee is waiting, so every retry must fit
into one overall budget (``settings.llm_timeout_seconds``); a server asking us to come back later than the
budget allows is a failure right away, not a long sleep.

Servers differ in what ``response_format`` they accept: we ask for a strict ``json_schema`` first and step
down to ``json_object`` and then to no format when the server refuses one (remembered per server and model),
and always parse the answer ourselves, tolerating a Markdown code fence around it.
"""

from __future__ import annotations

import json
import re
import time
from functools import lru_cache
from typing import Any

from replycoach.config import Settings

#: Sent with every request: with temperature 0 the same reply gets the same verdicts (as far as the server
#: honours the seed).
SEED = 20240611
MAX_ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.25
#: A Retry-After longer than this is not honoured even when the budget would allow it.
MAX_RETRY_AFTER_SECONDS = 5.0
_FORMATS = ("json_schema", "json_object", "none")
_format_for_server: dict[tuple[str, str], str] = {}
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class LLMFailure(Exception):
    """The LLM gave no usable answer; ``str(err)`` says why in words a coach understands."""


@lru_cache(maxsize=8)
def _client(base_url: str | None, api_key: str):
    import openai  # imported here: an app with the LLM off never pays for it

    kwargs: dict[str, Any] = {"api_key": api_key, "max_retries": 0}
    if base_url:
        kwargs["base_url"] = base_url
    return openai.OpenAI(**kwargs)


def client_for(settings: Settings):
    """The cached ``openai.OpenAI`` client for these settings."""
    if not settings.llm_model:
        raise LLMFailure("REPLYCOACH_LLM_MODEL is not set")
    api_key = settings.openai_api_key
    if not api_key:
        if not settings.openai_base_url:
            raise LLMFailure("OPENAI_API_KEY is not set (needed for api.openai.com)")
        api_key = "not-needed"  # local servers (llama.cpp, vLLM, Ollama) accept any key
    return _client(settings.openai_base_url, api_key)


def forget_server_formats() -> None:
    """Forget which ``response_format`` each server accepted (after reconfiguring a server, and in tests)."""
    _format_for_server.clear()


def parse_json_answer(content: str | None) -> Any:
    """The JSON in a model's answer; raises ``LLMFailure`` when there is none."""
    if not content or not content.strip():
        raise LLMFailure("the LLM answered with an empty message")
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise LLMFailure(f"the LLM's answer is not valid JSON ({err.msg} at character {err.pos})") from None


def _response_format(kind: str, schema_name: str, schema: dict) -> dict | None:
    if kind == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": schema_name, "schema": schema, "strict": True}}
    if kind == "json_object":
        return {"type": "json_object"}
    return None


def _retry_after(err: Any) -> float | None:
    headers = getattr(getattr(err, "response", None), "headers", None) or {}
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = headers.get(header)
        if raw is None:
            continue
        try:
            return float(raw) / divisor
        except ValueError:
            return None  # an HTTP date: treat as unknown and back off normally
    return None


def _refuses_format(err: Any) -> bool:
    text = str(getattr(err, "message", err)).lower()
    return getattr(err, "status_code", None) in (400, 422) and ("response_format" in text or "json_schema" in text)


def complete_json(
    settings: Settings,
    messages: list[dict[str, str]],
    *,
    schema_name: str,
    schema: dict,
    deadline: float,
) -> Any:
    """Send ``messages`` and return the parsed JSON answer, or raise ``LLMFailure``.

    ``deadline`` is a ``time.monotonic()`` value: no request runs past it, retries included.
    """
    import openai

    client = client_for(settings)
    model = settings.llm_model or ""
    server_key = (settings.openai_base_url or "openai", model)
    budget = max(0.0, deadline - time.monotonic())
    fmt_index = _FORMATS.index(_format_for_server.get(server_key, "json_schema"))
    attempt = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            raise LLMFailure(f"no answer from the LLM within the time budget of {budget:.1f}s")
        kind = _FORMATS[fmt_index]
        extra: dict[str, Any] = {}
        response_format = _response_format(kind, schema_name, schema)
        if response_format is not None:
            extra["response_format"] = response_format
        try:
            completion = client.chat.completions.create(
                model=model, messages=messages, temperature=0, seed=SEED, timeout=remaining, **extra
            )
        except openai.APITimeoutError:
            raise LLMFailure(f"the LLM did not answer within the time budget of {budget:.1f}s") from None
        except openai.APIStatusError as err:
            code = err.status_code
            if _refuses_format(err) and fmt_index + 1 < len(_FORMATS):
                fmt_index += 1  # the server does not speak this response_format: step down, no retry spent
                _format_for_server[server_key] = _FORMATS[fmt_index]
                continue
            if code == 429 or code >= 500:
                attempt += 1
                wait = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
                asked = _retry_after(err)
                if asked is not None:
                    if asked > MAX_RETRY_AFTER_SECONDS or asked >= deadline - time.monotonic():
                        raise LLMFailure(
                            f"the LLM server is busy ({code}) and asks to retry after {asked:g}s, "
                            f"longer than the time budget allows"
                        ) from None
                    wait = asked
                if attempt >= MAX_ATTEMPTS or wait >= deadline - time.monotonic():
                    raise LLMFailure(
                        f"the LLM server kept failing ({code}: {err.message}) after {attempt} tries"
                    ) from None
                time.sleep(wait)
                continue
            raise LLMFailure(f"the LLM server refused the request ({code}: {err.message})") from None
        except openai.APIConnectionError as err:
            attempt += 1
            wait = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
            if attempt >= MAX_ATTEMPTS or wait >= deadline - time.monotonic():
                raise LLMFailure(f"cannot reach the LLM server ({err})") from None
            time.sleep(wait)
            continue
        except openai.OpenAIError as err:
            raise LLMFailure(f"the LLM call failed ({type(err).__name__}: {err})") from None
        if not completion.choices:
            raise LLMFailure("the LLM answered with no choices")
        return parse_json_answer(completion.choices[0].message.content)
