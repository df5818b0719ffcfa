"""A real chat-completions HTTP server on 127.0.0.1 for the LLM tests.

It speaks the part of the OpenAI protocol ReplyCoach uses (``POST /v1/chat/completions`` with the usual
response shape), records every request it receives, and answers as a test tells it to: a queue of scripted
``Behaviour`` values is played first, then ``default`` answers everything else. The real ``openai`` client
talks to it over real sockets; nothing in the client path is patched.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Build the assistant's message text from the request body (the test's "model").
Answer = Callable[[dict], str]


@dataclass
class Behaviour:
    """How the server answers one request."""

    content: str | Answer = "{}"
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering (a slow model)
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str = "error"
    raw_body: dict | None = None  # sent as is instead of a chat completion (a server speaking another protocol)


def ok(content: str | Answer) -> Behaviour:
    return Behaviour(content=content)


def ok_json(payload: Any) -> Behaviour:
    return Behaviour(content=json.dumps(payload, ensure_ascii=False))


def malformed() -> Behaviour:
    return Behaviour(content='{"verdicts": [{"principle": "empathy", "level": "meets", "quote": "We are so')


def slow(seconds: float, content: str | Answer = "{}") -> Behaviour:
    return Behaviour(content=content, delay=seconds)


def status(code: int, *, retry_after: float | None = None, message: str = "error") -> Behaviour:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return Behaviour(status=code, headers=headers, error_message=message)


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: dict
    at: float


class FakeChatServer:
    """Start with ``start()``; ``base_url`` is what ``OPENAI_BASE_URL`` would be."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.queue: deque[Behaviour] = deque()
        self.default: Behaviour = ok("{}")
        #: When set, a request asking for ``response_format.type == "json_schema"`` gets a 400, as some
        #: OpenAI-compatible servers answer.
        self.reject_json_schema = False
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control -----------------------------------------------------------------------------------------
    def start(self) -> FakeChatServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-chat", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.queue.clear()
        self.default = ok("{}")
        self.reject_json_schema = False

    def enqueue(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self.queue.extend(behaviours)

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # --- serving -----------------------------------------------------------------------------------------
    def _next_behaviour(self, body: dict) -> Behaviour:
        with self._lock:
            rf = (body.get("response_format") or {}).get("type")
            if self.reject_json_schema and rf == "json_schema":
                return status(400, message="response_format json_schema is not supported by this server")
            return self.queue.popleft() if self.queue else self.default


def _completion(body: dict, content: str) -> dict:
    return {
        "id": f"chatcmpl-fake-{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _handler_for(server: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                return
            with server._lock:
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(RecordedRequest(self.path, headers, body, time.monotonic()))
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            if not isinstance(body.get("messages"), list) or not body.get("model"):
                self._send(400, {"error": {"message": "model and messages are required", "type": "invalid_request"}})
                return
            behaviour = server._next_behaviour(body)
            if behaviour.delay:
                time.sleep(behaviour.delay)
            if behaviour.status != 200:
                error = {"error": {"message": behaviour.error_message, "type": "fake_error", "code": None}}
                self._send(behaviour.status, error, behaviour.headers)
                return
            if behaviour.raw_body is not None:
                self._send(200, behaviour.raw_body, behaviour.headers)
                return
            content = behaviour.content(body) if callable(behaviour.content) else behaviour.content
            self._send(200, _completion(body, content), behaviour.headers)

        def _send(self, code: int, payload: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its time budget ran out): nothing to answer

    return Handler
